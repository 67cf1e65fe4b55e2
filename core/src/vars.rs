//! `${VAR}` substitution for config files. Values come from the process environment
//! (after `.env` is loaded). A load fails listing *every* missing variable at once.

use std::collections::BTreeMap;

use crate::error::ConfigError;

/// Resolves `${NAME}` and `${NAME:-default}`; `$${` is a literal `${`.
#[derive(Debug, Clone, Default)]
pub struct VarResolver {
    /// Overrides taking precedence over the environment (tests, embedding).
    overrides: BTreeMap<String, String>,
    /// When false, only `overrides` are consulted (hermetic tests).
    use_env: bool,
}

impl VarResolver {
    pub fn from_env() -> Self {
        Self {
            overrides: BTreeMap::new(),
            use_env: true,
        }
    }

    pub fn from_map(map: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            overrides: map.into_iter().collect(),
            use_env: false,
        }
    }

    fn lookup(&self, name: &str) -> Option<String> {
        if let Some(v) = self.overrides.get(name) {
            return Some(v.clone());
        }
        if self.use_env {
            std::env::var(name).ok()
        } else {
            None
        }
    }

    /// Substitutes one string; missing variables are appended to `missing` as
    /// `(name, where)` and left in place.
    pub fn substitute_str(&self, s: &str, at: &str, missing: &mut Vec<(String, String)>) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos..];
            if let Some(lit) = after.strip_prefix("$${") {
                out.push_str("${");
                rest = lit;
                continue;
            }
            let Some(body) = after.strip_prefix("${") else {
                out.push('$');
                rest = &after[1..];
                continue;
            };
            let Some(end) = body.find('}') else {
                out.push_str(after);
                rest = "";
                break;
            };
            let expr = &body[..end];
            let (name, default) = match expr.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            match (self.lookup(name), default) {
                (Some(v), _) if !v.is_empty() || default.is_none() => out.push_str(&v),
                (_, Some(d)) => out.push_str(d),
                (None, None) => {
                    missing.push((name.to_string(), at.to_string()));
                    out.push_str(&after[..end + 3]);
                }
                (Some(v), None) => out.push_str(&v),
            }
            rest = &body[end + 1..];
        }
        out.push_str(rest);
        out
    }

    pub fn substitute_yaml(
        &self,
        file: &str,
        value: &mut serde_yaml_ng::Value,
    ) -> Result<(), ConfigError> {
        let mut missing = Vec::new();
        walk_yaml(self, value, String::new(), &mut missing);
        missing_to_error(file, missing)
    }

    pub fn substitute_toml(&self, file: &str, value: &mut toml::Value) -> Result<(), ConfigError> {
        let mut missing = Vec::new();
        walk_toml(self, value, String::new(), &mut missing);
        missing_to_error(file, missing)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk_yaml(
    r: &VarResolver,
    v: &mut serde_yaml_ng::Value,
    path: String,
    missing: &mut Vec<(String, String)>,
) {
    use serde_yaml_ng::Value;
    match v {
        Value::String(s) => *s = r.substitute_str(s, &path, missing),
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk_yaml(r, item, format!("{path}[{i}]"), missing);
            }
        }
        Value::Mapping(map) => {
            for (k, item) in map.iter_mut() {
                let key = k
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{k:?}"));
                walk_yaml(r, item, join(&path, &key), missing);
            }
        }
        Value::Tagged(t) => walk_yaml(r, &mut t.value, path, missing),
        _ => {}
    }
}

fn walk_toml(
    r: &VarResolver,
    v: &mut toml::Value,
    path: String,
    missing: &mut Vec<(String, String)>,
) {
    match v {
        toml::Value::String(s) => *s = r.substitute_str(s, &path, missing),
        toml::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk_toml(r, item, format!("{path}[{i}]"), missing);
            }
        }
        toml::Value::Table(t) => {
            for (k, item) in t.iter_mut() {
                walk_toml(r, item, join(&path, k), missing);
            }
        }
        _ => {}
    }
}

fn missing_to_error(file: &str, missing: Vec<(String, String)>) -> Result<(), ConfigError> {
    if missing.is_empty() {
        return Ok(());
    }
    Err(ConfigError::MissingVars {
        file: file.to_string(),
        vars: missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> VarResolver {
        VarResolver::from_map([
            ("A".to_string(), "1".to_string()),
            ("E".to_string(), String::new()),
        ])
    }

    #[test]
    fn substitutes_defaults_and_literals() {
        let mut m = Vec::new();
        assert_eq!(r().substitute_str("x${A}y", "p", &mut m), "x1y");
        assert_eq!(r().substitute_str("${B:-dflt}", "p", &mut m), "dflt");
        assert_eq!(r().substitute_str("${E:-dflt}", "p", &mut m), "dflt");
        assert_eq!(r().substitute_str("${E}", "p", &mut m), "");
        assert_eq!(
            r().substitute_str("$${A} costs $5", "p", &mut m),
            "${A} costs $5"
        );
        assert!(m.is_empty());
    }

    #[test]
    fn collects_every_missing_variable() {
        let mut m = Vec::new();
        r().substitute_str("${X}/${Y}/${A}", "db.url", &mut m);
        assert_eq!(
            m,
            vec![
                ("X".to_string(), "db.url".to_string()),
                ("Y".to_string(), "db.url".to_string())
            ]
        );
    }
}
