//! stemset-core: the domain of Stemset, with no HTTP. Config, the plugin registry and
//! catalog, the strategy-tree executor, streaming audio I/O, analysis, storage, scanning
//! and the database entities.

pub mod analysis;
pub mod audio;
pub mod chunking;
pub mod config;
pub mod db;
pub mod demo;
pub mod dsp;
pub mod error;
pub mod executor;
pub mod families;
pub mod hashing;
pub mod jobs;
pub mod metadata;
pub mod params;
pub mod path_text;
pub mod plugins;
pub mod process;
mod render;
pub mod scan;
pub mod separator;
pub mod stems;
pub mod storage;
pub mod strategy;
pub mod sync;
pub mod vars;

pub use error::{ConfigError, Error};
