//! A band's takes and songs (issue 16): the takes the analysis found in a recording are
//! stored with it ([`store`]), suggested for the band's songs they sound like
//! ([`suggest`]), and edited by members ([`edit`]): songs created, renamed, deleted;
//! takes filed under a song, moved, split, merged, deleted. Processing a recording again
//! keeps what members decided where the new takes overlap the old ones.

pub mod edit;
pub mod store;
pub mod suggest;

use sea_orm::DbErr;

/// Why a takes or songs operation was refused. Every message names the problem.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    #[error("take not found")]
    TakeNotFound,
    #[error("song not found")]
    SongNotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

pub(crate) fn invalid(message: impl Into<String>) -> TakeError {
    TakeError::Invalid(message.into())
}
