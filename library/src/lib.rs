//! stemset-library: a band's library in a database. The sea-orm entities, keeping them
//! in step with config.yaml, the durable job queue and its runner, the job pipeline and
//! its commit, and `process` (a profile's new files, end to end).

pub mod db;
pub mod jobs;
pub mod path_text;
pub mod process;
