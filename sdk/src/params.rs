//! Model parameters from `[models.NAME.params]`: typed, range-checked, and any key a
//! model does not know is an error naming the valid ones.
//!
//! TOML has no unquoted `${VAR}`, so `threads = "${T}"` arrives as a string: a number or
//! boolean parameter also takes a string that is wholly one (after substitution). The
//! reader knows the type it wants, so a string parameter that happens to be all digits
//! stays a string.

use std::collections::BTreeSet;

pub struct Params<'a> {
    table: &'a toml::Table,
    known: BTreeSet<&'static str>,
}

impl<'a> Params<'a> {
    pub fn new(table: &'a toml::Table) -> Self {
        Self {
            table,
            known: BTreeSet::new(),
        }
    }

    pub fn int(
        &mut self,
        key: &'static str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, String> {
        self.get(key, default, range, "an integer", |v| match v {
            toml::Value::Integer(i) => Some(*i),
            toml::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// Integers are accepted too: `cutoff_hz = 200` means 200.0.
    pub fn float(
        &mut self,
        key: &'static str,
        default: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<f64, String> {
        self.get(key, default, range, "a number", |v| match v {
            toml::Value::Float(f) => Some(*f),
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::String(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
            _ => None,
        })
    }

    /// An optional integer (no default): `None` when the key is absent.
    pub fn opt_int(
        &mut self,
        key: &'static str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, String> {
        if !self.table.contains_key(key) {
            self.known.insert(key);
            return Ok(None);
        }
        self.int(key, *range.start(), range).map(Some)
    }

    /// An optional number (no default): `None` when the key is absent.
    pub fn opt_float(
        &mut self,
        key: &'static str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<Option<f64>, String> {
        if !self.table.contains_key(key) {
            self.known.insert(key);
            return Ok(None);
        }
        self.float(key, *range.start(), range).map(Some)
    }

    pub fn bool(&mut self, key: &'static str, default: bool) -> Result<bool, String> {
        self.known.insert(key);
        match self.table.get(key) {
            None => Ok(default),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(toml::Value::String(s)) if matches!(s.trim(), "true" | "false") => {
                Ok(s.trim() == "true")
            }
            Some(other) => Err(format!("params.{key} must be true or false, got {other}")),
        }
    }

    pub fn opt_string(&mut self, key: &'static str) -> Result<Option<String>, String> {
        self.known.insert(key);
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("params.{key} must be a string, got {other}")),
        }
    }

    /// A list of strings, e.g. source names.
    pub fn opt_string_list(&mut self, key: &'static str) -> Result<Option<Vec<String>>, String> {
        self.known.insert(key);
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    toml::Value::String(s) => Ok(s.clone()),
                    other => Err(format!(
                        "params.{key} must be a list of strings, got {other}"
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(format!(
                "params.{key} must be a list of strings, got {other}"
            )),
        }
    }

    /// The raw value of a key whose type depends on its content (e.g. a number or a
    /// keyword); the caller validates it.
    pub fn raw(&mut self, key: &'static str) -> Option<&'a toml::Value> {
        self.known.insert(key);
        self.table.get(key)
    }

    /// A list of numbers, e.g. per-source weights.
    pub fn opt_float_list(&mut self, key: &'static str) -> Result<Option<Vec<f64>>, String> {
        self.known.insert(key);
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    toml::Value::Float(f) => Ok(*f),
                    toml::Value::Integer(i) => Ok(*i as f64),
                    other => Err(format!(
                        "params.{key} must be a list of numbers, got {other}"
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(format!(
                "params.{key} must be a list of numbers, got {other}"
            )),
        }
    }

    fn get<T: PartialOrd + Copy + std::fmt::Display>(
        &mut self,
        key: &'static str,
        default: T,
        range: std::ops::RangeInclusive<T>,
        kind: &str,
        convert: impl Fn(&toml::Value) -> Option<T>,
    ) -> Result<T, String> {
        self.known.insert(key);
        let v = match self.table.get(key) {
            None => default,
            Some(value) => {
                convert(value).ok_or_else(|| format!("params.{key} must be {kind}, got {value}"))?
            }
        };
        if !range.contains(&v) {
            return Err(format!(
                "params.{key} = {v} is outside {}..={}",
                range.start(),
                range.end()
            ));
        }
        Ok(v)
    }

    /// Rejects keys nobody asked for.
    pub fn finish(self) -> Result<(), String> {
        let unknown: Vec<&String> = self
            .table
            .keys()
            .filter(|k| !self.known.contains(k.as_str()))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(format!(
            "unknown parameter{} {}; valid: {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", "),
            self.known.iter().copied().collect::<Vec<_>>().join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).expect("toml")
    }

    #[test]
    fn a_substituted_string_counts_as_the_number_or_boolean_asked_for() {
        let t =
            table("segment = \"44100\"\noverlap = \" 0.25 \"\nhalf = \"true\"\nname = \"0123\"\n");
        let mut p = Params::new(&t);
        assert_eq!(p.int("segment", 1, 1..=100_000), Ok(44_100));
        assert_eq!(p.float("overlap", 0.5, 0.0..=0.99), Ok(0.25));
        assert_eq!(p.bool("half", false), Ok(true));
        // A string parameter stays a string, digits or not.
        assert_eq!(p.opt_string("name"), Ok(Some("0123".to_string())));
        assert_eq!(p.finish(), Ok(()));
    }

    #[test]
    fn strings_that_are_not_the_type_are_refused_naming_the_key() {
        let t = table("segment = \"many\"\noverlap = \"NaN\"\nhalf = \"yes\"\nbig = \"7\"\n");
        let mut p = Params::new(&t);
        let e = p.int("segment", 1, 1..=10).expect_err("not an integer");
        assert!(e.contains("params.segment must be an integer"), "{e}");
        let e = p.float("overlap", 0.5, 0.0..=0.99).expect_err("not finite");
        assert!(e.contains("params.overlap must be a number"), "{e}");
        let e = p.bool("half", false).expect_err("not a boolean");
        assert!(e.contains("params.half must be true or false"), "{e}");
        let e = p.int("big", 1, 1..=5).expect_err("out of range");
        assert!(e.contains("params.big = 7 is outside 1..=5"), "{e}");
    }
}
