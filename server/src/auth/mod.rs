//! Who is calling: a signed-in user (JWT session cookie), a script (API token), or, in
//! local development only, everyone as one dev user (`STEMSET_BYPASS_AUTH=true`).

pub mod caller;
pub mod identity;
pub mod oidc;
pub mod routes;
pub mod session;
pub mod tokens;

pub use caller::{Caller, CallerKind};
pub use identity::identify;
pub use session::SessionKeys;
