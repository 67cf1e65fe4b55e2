//! The model hash MDX parameters are looked up by; it lives in core because
//! `stemset models pull` verifies downloads with it too.

pub use stemset_core::hashing::{MODEL_HASH_TAIL as TAIL_BYTES, model_hash};
