//! Errors of the server and how each becomes an HTTP response. Clients get a short
//! message naming the problem; internals (SQL, paths) go to the log only.

use salvo::http::StatusCode;
use salvo::prelude::*;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    InvalidToken(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    RequestTimeout(String),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("storage: {0}")]
    Storage(#[from] stemset_core::storage::StorageError),
    #[error("sign-in provider: {0}")]
    Provider(String),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Internal(String),
}

impl ServerError {
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::Unauthenticated | ServerError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            ServerError::NotFound => StatusCode::NOT_FOUND,
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::Conflict(_) => StatusCode::CONFLICT,
            ServerError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Database(e) if database_unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ServerError::Provider(_) => StatusCode::BAD_GATEWAY,
            ServerError::Database(_)
            | ServerError::Storage(_)
            | ServerError::Config(_)
            | ServerError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client may see.
    pub fn public_message(&self) -> String {
        match self {
            ServerError::Database(e) if database_unavailable(e) => DATABASE_UNAVAILABLE.to_string(),
            ServerError::Database(_) | ServerError::Storage(_) | ServerError::Internal(_) => {
                "internal server error".to_string()
            }
            other => other.to_string(),
        }
    }
}

/// What a client hears while the database cannot be reached.
pub const DATABASE_UNAVAILABLE: &str = "database unavailable";

/// No connection could be had (the pool's acquire timeout passed, or opening one
/// failed): the database is down or unreachable, not the request at fault.
pub fn database_unavailable(e: &sea_orm::DbErr) -> bool {
    matches!(
        e,
        sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_)
    )
}

#[async_trait]
impl Writer for ServerError {
    async fn write(mut self, _req: &mut Request, _depot: &mut Depot, res: &mut Response) {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        if status == StatusCode::UNAUTHORIZED {
            res.add_header("WWW-Authenticate", "Bearer realm=\"stemset\"", true)
                .ok();
        }
        res.status_code(status);
        res.render(Json(serde_json::json!({ "error": self.public_message() })));
    }
}
