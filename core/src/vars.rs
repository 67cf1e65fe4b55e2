//! `${VAR}` substitution for config files. Values come from the process environment
//! (after `.env` is loaded). A load fails listing *every* missing variable at once.

use std::collections::BTreeMap;

use crate::config_error::ConfigError;

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
        let mut findings = Findings::default();
        let out = self.substitute_into(s, at, &mut findings);
        missing.extend(findings.missing);
        out.text
    }

    fn substitute_into(&self, s: &str, at: &str, findings: &mut Findings) -> Substituted {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        let mut expressions = 0usize;
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
                // Never taken literally: a folder named `${MEDIA` is no one's intent.
                findings.unterminated.push(at.to_string());
                out.push_str(after);
                rest = "";
                break;
            };
            expressions += 1;
            let expr = &body[..end];
            let (name, default) = match expr.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            match (self.lookup(name), default) {
                (Some(v), _) if !v.is_empty() || default.is_none() => out.push_str(&v),
                (_, Some(d)) => out.push_str(d),
                (None, None) => {
                    findings.missing.push((name.to_string(), at.to_string()));
                    out.push_str(&after[..end + 3]);
                }
                (Some(v), None) => out.push_str(&v),
            }
            rest = &body[end + 1..];
        }
        out.push_str(rest);
        let trimmed = s.trim();
        let whole = expressions == 1
            && trimmed.starts_with("${")
            && trimmed.ends_with('}')
            && trimmed[2..].find('}') == Some(trimmed.len() - 3);
        Substituted { text: out, whole }
    }

    /// Substitutes every string of `value`; see [`deserialize_yaml`] for the types.
    pub fn substitute_yaml(
        &self,
        file: &str,
        value: &mut serde_yaml_ng::Value,
    ) -> Result<Typed, ConfigError> {
        let mut findings = Findings::default();
        walk_yaml(self, value, Vec::new(), &mut findings);
        findings.into_result(file)
    }

    pub fn substitute_toml(
        &self,
        file: &str,
        value: &mut toml::Value,
    ) -> Result<Typed, ConfigError> {
        let mut findings = Findings::default();
        walk_toml(self, value, Vec::new(), &mut findings);
        findings.into_result(file)
    }
}

/// One substituted string: its text, and whether it was nothing but one `${...}`.
struct Substituted {
    text: String,
    whole: bool,
}

#[derive(Default)]
struct Findings {
    missing: Vec<(String, String)>,
    unterminated: Vec<String>,
    typed: Typed,
}

impl Findings {
    fn into_result(self, file: &str) -> Result<Typed, ConfigError> {
        let mut errors = Vec::new();
        if !self.unterminated.is_empty() {
            errors.push(ConfigError::Invalid {
                file: file.to_string(),
                path: self.unterminated.join(", "),
                message: "unterminated `${` (close it with `}`, or write `$${` for a literal `${`)"
                    .into(),
            });
        }
        if !self.missing.is_empty() {
            errors.push(ConfigError::MissingVars {
                file: file.to_string(),
                vars: self.missing,
            });
        }
        match errors.len() {
            0 => Ok(self.typed),
            1 => Err(errors.remove(0)),
            _ => Err(ConfigError::Many(
                errors.iter().map(ToString::to_string).collect(),
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn path_text(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        match s {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The scalars that were a whole `${VAR}` (by path): `workers: ${W:-1}` is a string to
/// YAML, but means a number once substituted. Such a value is typed only where a field
/// needs it, so `secret: ${S}` stays a string even when S is all digits.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    whole: Vec<(String, Vec<Seg>)>,
}

/// Deserializes `value` (after `substitute_yaml`), retyping a whole-`${VAR}` scalar as a
/// number or boolean where the field wants one. Errors name the file and the path.
pub fn deserialize_yaml<T: serde::de::DeserializeOwned>(
    file: &str,
    value: serde_yaml_ng::Value,
    typed: &Typed,
) -> Result<T, ConfigError> {
    deserialize_retyping(file, value, typed, retype_yaml)
}

/// As [`deserialize_yaml`], for TOML (where `threads = "${T}"` must be quoted).
pub fn deserialize_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    value: toml::Value,
    typed: &Typed,
) -> Result<T, ConfigError> {
    deserialize_retyping(file, value, typed, retype_toml)
}

/// Deserializes `value`; where a field refuses a whole-`${VAR}` string, `retype` turns
/// that one scalar into a number or boolean and it is tried again (at most once per
/// such scalar).
fn deserialize_retyping<V, T>(
    file: &str,
    mut value: V,
    typed: &Typed,
    retype: fn(&mut V, &[Seg]) -> bool,
) -> Result<T, ConfigError>
where
    V: Clone + for<'de> serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let mut retyped = 0;
    loop {
        let e = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let path = e.path().to_string();
        let fixed = retyped < typed.whole.len()
            && typed
                .whole
                .iter()
                .find(|(p, _)| *p == path)
                .is_some_and(|(_, segs)| retype(&mut value, segs));
        if !fixed {
            return Err(ConfigError::Invalid {
                file: file.to_string(),
                path,
                message: e.inner().to_string(),
            });
        }
        retyped += 1;
    }
}

fn retype_yaml(root: &mut serde_yaml_ng::Value, segs: &[Seg]) -> bool {
    use serde_yaml_ng::Value;
    let mut v = root;
    for s in segs {
        let next = match (s, v) {
            (Seg::Key(k), Value::Mapping(m)) => m.get_mut(k.as_str()),
            (Seg::Index(i), Value::Sequence(items)) => items.get_mut(*i),
            (_, Value::Tagged(t)) => Some(&mut t.value),
            _ => None,
        };
        let Some(n) = next else { return false };
        v = n;
    }
    let Value::String(s) = v else { return false };
    match serde_yaml_ng::from_str::<Value>(s) {
        Ok(parsed @ (Value::Number(_) | Value::Bool(_))) => {
            *v = parsed;
            true
        }
        _ => false,
    }
}

fn retype_toml(root: &mut toml::Value, segs: &[Seg]) -> bool {
    let mut v = root;
    for s in segs {
        let next = match (s, v) {
            (Seg::Key(k), toml::Value::Table(t)) => t.get_mut(k.as_str()),
            (Seg::Index(i), toml::Value::Array(items)) => items.get_mut(*i),
            _ => None,
        };
        let Some(n) = next else { return false };
        v = n;
    }
    let toml::Value::String(s) = v else {
        return false;
    };
    let parsed = if let Ok(i) = s.trim().parse::<i64>() {
        toml::Value::Integer(i)
    } else if let Ok(f) = s.trim().parse::<f64>() {
        toml::Value::Float(f)
    } else if let Ok(b) = s.trim().parse::<bool>() {
        toml::Value::Boolean(b)
    } else {
        return false;
    };
    *v = parsed;
    true
}

fn walk_yaml(r: &VarResolver, v: &mut serde_yaml_ng::Value, path: Vec<Seg>, f: &mut Findings) {
    use serde_yaml_ng::Value;
    match v {
        Value::String(s) => {
            let at = path_text(&path);
            let out = r.substitute_into(s, &at, f);
            if out.whole {
                f.typed.whole.push((at, path));
            }
            *s = out.text;
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let mut p = path.clone();
                p.push(Seg::Index(i));
                walk_yaml(r, item, p, f);
            }
        }
        Value::Mapping(map) => {
            for (k, item) in map.iter_mut() {
                let key = k
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{k:?}"));
                let mut p = path.clone();
                p.push(Seg::Key(key));
                walk_yaml(r, item, p, f);
            }
        }
        Value::Tagged(t) => walk_yaml(r, &mut t.value, path, f),
        _ => {}
    }
}

fn walk_toml(r: &VarResolver, v: &mut toml::Value, path: Vec<Seg>, f: &mut Findings) {
    match v {
        toml::Value::String(s) => {
            let at = path_text(&path);
            let out = r.substitute_into(s, &at, f);
            if out.whole {
                f.typed.whole.push((at, path));
            }
            *s = out.text;
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let mut p = path.clone();
                p.push(Seg::Index(i));
                walk_toml(r, item, p, f);
            }
        }
        toml::Value::Table(t) => {
            for (k, item) in t.iter_mut() {
                let mut p = path.clone();
                p.push(Seg::Key(k.clone()));
                walk_toml(r, item, p, f);
            }
        }
        _ => {}
    }
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
    fn whole_variables_take_the_type_their_field_needs() {
        #[derive(serde::Deserialize, Debug)]
        struct Jobs {
            workers: usize,
            remote: bool,
            secret: String,
            name: String,
        }
        let vars = VarResolver::from_map([
            ("W".to_string(), "3".to_string()),
            ("S".to_string(), "123456".to_string()),
        ]);
        let mut v: serde_yaml_ng::Value = serde_yaml_ng::from_str(
            "workers: ${W:-1}\nremote: ${R:-true}\nsecret: ${S}\nname: n${W}",
        )
        .expect("ok");
        let typed = vars.substitute_yaml("c.yaml", &mut v).expect("ok");
        let jobs: Jobs = deserialize_yaml("c.yaml", v, &typed).expect("ok");
        assert_eq!((jobs.workers, jobs.remote), (3, true));
        assert_eq!((jobs.secret.as_str(), jobs.name.as_str()), ("123456", "n3"));
        // Not a number: the error names the field, as for a literal value.
        let vars = VarResolver::from_map([("W".to_string(), "many".to_string())]);
        let mut v: serde_yaml_ng::Value =
            serde_yaml_ng::from_str("workers: ${W}\nremote: true\nsecret: s\nname: n").expect("ok");
        let typed = vars.substitute_yaml("c.yaml", &mut v).expect("ok");
        let e = deserialize_yaml::<Jobs>("c.yaml", v, &typed)
            .expect_err("refused")
            .to_string();
        assert!(e.contains("c.yaml: workers:") && e.contains("many"), "{e}");
        // TOML needs the quotes; the value still becomes a number.
        #[derive(serde::Deserialize)]
        struct Threads {
            threads: u32,
        }
        let vars = VarResolver::from_map([("T".to_string(), "4".to_string())]);
        let mut t: toml::Value = toml::from_str("threads = \"${T}\"").expect("ok");
        let typed = vars.substitute_toml("p.toml", &mut t).expect("ok");
        let th: Threads = deserialize_toml("p.toml", t, &typed).expect("ok");
        assert_eq!(th.threads, 4);
    }

    #[test]
    fn an_unterminated_expression_is_an_error() {
        let mut v: serde_yaml_ng::Value =
            serde_yaml_ng::from_str("storage:\n  media: ${MEDIA\n").expect("ok");
        let e = r()
            .substitute_yaml("c.yaml", &mut v)
            .expect_err("refused")
            .to_string();
        assert!(
            e.contains("c.yaml: storage.media: unterminated `${`"),
            "{e}"
        );
        let mut v: serde_yaml_ng::Value = serde_yaml_ng::from_str("a: $${MEDIA\n").expect("ok");
        assert!(r().substitute_yaml("c.yaml", &mut v).is_ok());
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
