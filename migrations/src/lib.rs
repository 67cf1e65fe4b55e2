//! Schema migrations, shared by SQLite (embedded default) and PostgreSQL (production).

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_initial;
mod m20261124_000002_job_details;
mod m20261125_000001_job_dismissed;
mod m20261125_000002_one_pending_job;
mod m20261202_000001_drop_dead_job_columns;
mod m20261202_000002_job_enum_checks;
mod m20261203_000001_songs_and_takes;
mod m20261204_000001_recording_date;
mod m20261205_000001_dismissed_takes;
mod m20261206_000001_recordings_by_profile_newest;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_initial::Migration),
            Box::new(m20261124_000002_job_details::Migration),
            Box::new(m20261125_000001_job_dismissed::Migration),
            Box::new(m20261125_000002_one_pending_job::Migration),
            Box::new(m20261202_000001_drop_dead_job_columns::Migration),
            Box::new(m20261202_000002_job_enum_checks::Migration),
            Box::new(m20261203_000001_songs_and_takes::Migration),
            Box::new(m20261204_000001_recording_date::Migration),
            Box::new(m20261205_000001_dismissed_takes::Migration),
            Box::new(m20261206_000001_recordings_by_profile_newest::Migration),
        ]
    }
}
