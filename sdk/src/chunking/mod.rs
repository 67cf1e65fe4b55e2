//! Chunked inference helpers shared by model backends: a sliding overlap-add
//! accumulator, Demucs' `apply_model` and the MDX23C/Roformer waveform schedules.

pub mod demucs;
pub mod overlap_add;
pub mod waveform;
