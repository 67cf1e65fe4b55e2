//! Spectral processing shared by backends: a streaming STFT with overlap-add synthesis.

pub mod stft;
