//! What a backend is built from: its `[backends.NAME]` settings and the catalog entry of
//! the model (`[models.NAME]` in plugins.toml), both validated by the catalog loader.

use std::path::PathBuf;

use crate::stems::SlotInfo;

/// Settings of one backend, the `[backends.NAME]` table with `${VAR}`s resolved.
#[derive(Debug, Clone, Default)]
pub struct BackendSettings {
    pub name: String,
    pub table: toml::Table,
}

impl BackendSettings {
    /// An integer setting; `"${VAR}"` (a string in TOML) counts when it holds one.
    pub fn get_u64(&self, key: &str) -> Option<u64> {
        match self.table.get(key)? {
            toml::Value::Integer(i) => u64::try_from(*i).ok(),
            toml::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.table.get(key).and_then(|v| v.as_str())
    }
}

/// One catalog entry: a model name usable in strategy trees.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    pub name: String,
    pub backend: String,
    pub architecture: String,
    pub description: String,
    /// Local model file, resolved against the directory of `plugins.toml`.
    pub file: Option<PathBuf>,
    pub url: Option<String>,
    /// SHA-256 of the download, or its first 8 or more hex digits (all some publishers
    /// give, e.g. Demucs in its file names).
    pub sha256: Option<String>,
    /// UVR's model hash (tail MD5, see [`crate::audio::hashing::model_hash`]), an alternative
    /// download check for model files whose SHA-256 is not published.
    pub model_hash: Option<String>,
    pub slots: Vec<SlotInfo>,
    /// Architecture-specific parameters, passed to the backend untouched.
    pub params: toml::Table,
    /// Further files the model needs (the other models of a bag), beside `file`.
    pub extra_files: Vec<ExtraFile>,
}

/// A further download of a catalog entry (`extra_files = [{ url, sha256 }]`).
#[derive(Debug, Clone)]
pub struct ExtraFile {
    /// Where it is installed: beside the entry's `file`, named as the url ends.
    pub file: PathBuf,
    pub url: String,
    pub sha256: Option<String>,
}

impl ModelSpec {
    pub fn slot_names(&self) -> Vec<&str> {
        self.slots.iter().map(|s| s.name.as_str()).collect()
    }

    /// The entry's model file, or a message saying how to get it (for backends).
    pub fn model_file(&self) -> Result<PathBuf, String> {
        let Some(file) = &self.file else {
            return Err("no `file` in its catalog entry".into());
        };
        if file.is_file() {
            if let Some(missing) = self.extra_files.iter().find(|e| !e.file.is_file()) {
                return Err(format!(
                    "model file {} is missing; download it with `stemset models pull {}`",
                    missing.file.display(),
                    self.name
                ));
            }
            return Ok(file.clone());
        }
        Err(if self.url.is_some() {
            format!(
                "model file {} is missing; download it with `stemset models pull {}`",
                file.display(),
                self.name
            )
        } else {
            format!("model file {} does not exist", file.display())
        })
    }

    /// Checks that the catalog's slots are ones the model file produces (backends learn
    /// those only when they open the file).
    pub fn check_slots(&self, produced: &[SlotInfo]) -> Result<(), String> {
        let names: Vec<&str> = produced.iter().map(|s| s.name.as_str()).collect();
        let unknown: Vec<&str> = self
            .slots
            .iter()
            .map(|s| s.name.as_str())
            .filter(|s| !names.contains(s))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "slots {} are not produced by this model file; it produces: {}",
                unknown.join(", "),
                names.join(", ")
            ))
        }
    }
}
