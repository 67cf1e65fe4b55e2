//! sea-orm entities, one file per table (schema in `stemset-migrations`).

pub mod api_token;
pub mod audio_file;
pub mod dismissed_take;
pub mod job;
pub mod profile;
pub mod recording;
pub mod song;
pub mod stem;
pub mod take;
pub mod user;
pub mod user_profile;
