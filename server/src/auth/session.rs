//! Signed, short JSON Web Tokens in httpOnly cookies: the session after sign-in, and the
//! login state (CSRF state, nonce, PKCE verifier) between `/auth/login` and the callback,
//! so no server-side session store is needed and several API boxes can share the work.
//! Only HS256 is accepted; `alg: none` and every other algorithm are rejected.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use salvo::http::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ServerError;

pub const SESSION_COOKIE: &str = "stemset_session";
pub const LOGIN_COOKIE: &str = "stemset_login";
const ISSUER: &str = "stemset";
const SESSION_AUDIENCE: &str = "stemset-session";
const LOGIN_AUDIENCE: &str = "stemset-login";
/// How long a started sign-in may take at the provider.
const LOGIN_TTL_SECONDS: i64 = 600;

#[derive(Debug, Serialize, Deserialize)]
pub struct SessionClaims {
    pub sub: Uuid,
    pub email: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LoginClaims {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct SessionKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// `Secure` cookies (production, behind https).
    secure: bool,
    session_days: u32,
}

impl SessionKeys {
    pub fn new(secret: &[u8], secure: bool, session_days: u32) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            secure,
            session_days,
        }
    }

    fn validation(audience: &str) -> Validation {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud"]);
        v.leeway = 5;
        v
    }

    fn sign<T: Serialize>(&self, claims: &T) -> Result<String, ServerError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ServerError::Internal(format!("signing a token: {e}")))
    }

    pub fn issue_session(&self, user_id: Uuid, email: &str) -> Result<String, ServerError> {
        let now = Utc::now().timestamp();
        self.sign(&SessionClaims {
            sub: user_id,
            email: email.to_string(),
            iss: ISSUER.into(),
            aud: SESSION_AUDIENCE.into(),
            iat: now,
            exp: now + i64::from(self.session_days) * 86_400,
        })
    }

    /// Decodes a token of ours for `audience`: HS256 only, signature, issuer, expiry.
    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<T, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<T>(token, &self.decoding, &Self::validation(audience))
            .map(|d| d.claims)
    }

    pub fn verify_session(&self, token: &str) -> Result<SessionClaims, ServerError> {
        self.decode(token, SESSION_AUDIENCE)
            .map_err(|e| ServerError::InvalidToken(format!("session: {e}")))
    }

    pub fn issue_login(
        &self,
        state: String,
        nonce: String,
        pkce_verifier: String,
        return_to: String,
    ) -> Result<String, ServerError> {
        let now = Utc::now().timestamp();
        self.sign(&LoginClaims {
            state,
            nonce,
            pkce_verifier,
            return_to,
            iss: ISSUER.into(),
            aud: LOGIN_AUDIENCE.into(),
            iat: now,
            exp: now + LOGIN_TTL_SECONDS,
        })
    }

    pub fn verify_login(&self, token: &str) -> Result<LoginClaims, ServerError> {
        self.decode(token, LOGIN_AUDIENCE)
            .map_err(|e| ServerError::BadRequest(format!("sign-in state: {e}; start again")))
    }

    fn cookie(&self, name: &'static str, value: String, max_age_seconds: i64) -> Cookie<'static> {
        Cookie::build((name, value))
            .http_only(true)
            .secure(self.secure)
            // Lax: sent on the top-level redirect back from the provider, never on
            // cross-site subrequests (CSRF).
            .same_site(SameSite::Lax)
            .path("/")
            .max_age(CookieDuration::seconds(max_age_seconds))
            .build()
    }

    pub fn session_cookie(&self, token: String) -> Cookie<'static> {
        self.cookie(SESSION_COOKIE, token, i64::from(self.session_days) * 86_400)
    }

    pub fn login_cookie(&self, token: String) -> Cookie<'static> {
        self.cookie(LOGIN_COOKIE, token, LOGIN_TTL_SECONDS)
    }

    /// A cookie that deletes `name` in the browser.
    pub fn expired(&self, name: &'static str) -> Cookie<'static> {
        self.cookie(name, String::new(), 0)
    }
}
