//! Model parameters from `[models.NAME.params]`: typed, range-checked, and any key a
//! model does not know is an error naming the valid ones.

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
            _ => None,
        })
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
