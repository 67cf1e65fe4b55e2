//! stemset-library: a band's library in a database. The sea-orm entities, keeping them
//! in step with config.yaml, the durable job queue and its runner, the job pipeline and
//! its commit, `process` (a profile's new files, end to end) and `recordings` (deleting
//! and reprocessing a recording, finding what a profile has of some content).

pub mod db;
pub mod jobs;
pub mod path_text;
pub mod process;
pub mod recordings;
pub mod takes;
