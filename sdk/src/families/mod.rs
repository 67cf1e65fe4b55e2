//! Model families that more than one backend runs (model-formats spec §2, §3): how a
//! catalog entry's params are read, how stems are named, and the separator that drives
//! a backend's forward pass with the family's chunking. A backend supplies only "run
//! this window through the network" in its own runtime.

pub mod demucs;
pub mod waveform;
