//! Chunked inference helpers shared by model backends: a sliding overlap-add
//! accumulator and Demucs' `apply_model`.

pub mod demucs;
pub mod overlap_add;
