pub mod backends;
pub mod demo;
pub mod doctor;
pub mod migrate;
pub mod models;
pub mod process;
pub mod runtime;
pub mod serve;
pub mod sync;
pub mod takes;
pub mod worker;

use std::path::Path;

use anyhow::Context;
use stemset_core::config::Config;

pub fn load_config(path: &Path) -> anyhow::Result<Config> {
    Config::load(path).with_context(|| format!("invalid configuration {}", path.display()))
}
