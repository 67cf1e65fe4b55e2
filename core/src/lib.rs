//! stemset-core: the domain of Stemset without a database or HTTP. Config and `${VAR}`,
//! the model catalog, strategy trees and their executor, rendering a recording's stems,
//! metadata, scanning, storage and the storage mirror.

pub mod catalog;
pub mod config;
pub mod config_error;
pub mod demo;
pub mod error;
pub mod executor;
pub mod metadata;
pub mod mirror;
pub mod music_only;
pub mod progress;
pub mod render;
pub mod scan;
pub mod secret;
pub mod storage;
pub mod strategy;
pub mod vars;

pub use config_error::ConfigError;
pub use error::Error;
