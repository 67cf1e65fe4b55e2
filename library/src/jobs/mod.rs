//! Jobs: the queue in the database, the pipeline every worker runs, the commit that turns
//! a finished job into rows, job backends (local, and remote ones registered by crates),
//! the in-process runner and its settings, and the signed protocol spoken with GPU
//! workers.

pub mod backend;
pub mod callbacks;
pub mod commit;
pub mod pipeline;
pub mod protocol;
pub mod queue;
pub mod runner;
pub mod scratch;
pub mod settings;
pub mod spec;
