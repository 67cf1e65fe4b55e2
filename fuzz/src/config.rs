//! `config`: arbitrary text as `config.yaml` (YAML, `${VAR}` substitution, typed
//! retries, strategy and profile validation against a fixed `plugins.toml`) and as a
//! `plugins.toml` of its own (TOML, substitution, catalog validation). Errors are fine;
//! a panic, a hang or unbounded memory is a bug, and so is an error that does not name
//! the file.
//!
//! Shared by the fuzz target and `core/tests/fuzz_corpus.rs` (included there by path),
//! so it uses nothing but `stemset_core`, `stemset_sdk`, `inventory` and std.

// Each replay test uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use stemset_core::catalog::Plugins;
use stemset_core::config::Config;
use stemset_core::vars::VarResolver;
use stemset_sdk::separator::{Architecture, AudioSeparator, BackendRegistration};
use stemset_sdk::settings::{BackendSettings, ModelSpec};

/// The dsp entries of the repository's `plugins.toml`.
pub const PLUGINS: &str = r#"
[backends.dsp]

[models.dsp-hpss]
backend = "dsp"
architecture = "dsp-hpss"
description = "drums (percussive) vs the rest (harmonic), median-filter HPSS"
slots = ["percussive", "harmonic"]

[models.dsp-center]
backend = "dsp"
architecture = "dsp-center"
description = "center-panned voice vs accompaniment, mid/side spectral mask"
slots = ["vocals", "accompaniment"]

[models.dsp-bass]
backend = "dsp"
architecture = "dsp-bass"
description = "bass (low band) vs the rest, spectral crossover"
slots = ["bass", "other"]
"#;

// A stand-in for the dsp backend (its architectures and slots; it builds nothing), so
// the catalog validates without linking the real one.
fn build(_: &BackendSettings, _: &ModelSpec) -> Result<Box<dyn AudioSeparator>, String> {
    Err("the fuzzing stand-in builds no separator".into())
}

inventory::submit! {
    BackendRegistration {
        name: "dsp",
        description: "stand-in for the dsp backend (fuzzing)",
        architectures: &[
            Architecture {
                name: "dsp-hpss",
                description: "",
                slots: &[("percussive", ""), ("harmonic", "")],
                build,
            },
            Architecture {
                name: "dsp-center",
                description: "",
                slots: &[("vocals", ""), ("accompaniment", "")],
                build,
            },
            Architecture {
                name: "dsp-bass",
                description: "",
                slots: &[("bass", ""), ("other", "")],
                build,
            },
        ],
        diagnose: stemset_sdk::diagnosis::built_in,
    }
}

/// The variables the input can refer to (the rest are missing).
pub fn vars() -> VarResolver {
    VarResolver::from_map(
        [
            ("STEMSET_MEDIA_DIR", "/srv/media"),
            ("DATABASE_URL", "sqlite://./db.sqlite"),
            ("WORKERS", "2"),
            ("EMPTY", ""),
            ("BITRATE", "160"),
            ("YES", "true"),
            ("DOLLAR", "${NOT_AGAIN}"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    )
}

/// The folder the config is loaded from, with the fixed `plugins.toml` written once.
pub fn prepare(dir: &Path) -> PathBuf {
    std::fs::write(dir.join("plugins.toml"), PLUGINS).expect("write plugins.toml");
    dir.join("config.yaml")
}

/// What one input did (for tests that replay the corpus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub config: Result<usize, String>,
    pub plugins: Result<usize, String>,
}

/// Loads `data` as `config_path` (from [`prepare`]) and parses it as a `plugins.toml`
/// beside it. Non-UTF-8 input is not text; it is only checked to be refused.
pub fn run(data: &[u8], config_path: &Path, vars: &VarResolver) -> Outcome {
    let dir = config_path.parent().expect("config path has a folder");
    let file = config_path.display().to_string();
    std::fs::write(config_path, data).expect("write config.yaml");
    let config = Config::load_with(config_path, vars)
        .map(|c| c.strategies.len() + c.profiles.len())
        .map_err(|e| e.to_string());
    if let Err(e) = &config {
        // The config, its catalog, or (`cannot read PATH`) whatever `plugins:` names.
        assert!(
            e.contains(&file) || e.contains("plugins.toml") || e.starts_with("cannot read "),
            "the error names no file: {e}"
        );
    }
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(config.is_err(), "non-UTF-8 text loaded as a config");
        return Outcome {
            config,
            plugins: Err("not UTF-8".into()),
        };
    };
    let plugins_path = dir.join("fuzzed-plugins.toml");
    let plugins = Plugins::parse(&plugins_path, text, vars)
        .map(|p| p.models.len() + p.backends.len())
        .map_err(|e| e.to_string());
    if let Err(e) = &plugins {
        let file = plugins_path.display().to_string();
        assert!(e.contains(&file), "the error names no file: {e}");
    }
    Outcome { config, plugins }
}
