//! OpenID Connect sign-in (Google by default, any compliant provider by `issuer_url`):
//! discovery, authorization code flow with PKCE (S256), CSRF `state`, `nonce`, and
//! ID-token verification (signature against the provider's JWKS, issuer, audience,
//! expiry, nonce). HTTP goes through our own reqwest client (no redirects followed, the
//! machine's TLS roots via rustls) rather than openidconnect's bundled one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use tokio::sync::Mutex;

use crate::error::ServerError;

/// Provider metadata (and its keys) is re-fetched after this long, so key rotation at
/// the provider is picked up without a restart.
const METADATA_TTL: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    #[error(transparent)]
    Http(#[from] http::Error),
}

/// Where to send the browser, and what must come back to finish.
pub struct LoginStart {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The verified identity from the ID token.
pub struct Identity {
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
}

pub struct OidcSettings {
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_url: String,
}

/// openidconnect's HTTP client trait over our reqwest client.
struct Http(reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, HttpError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(Oidc::call(&self.0, request))
    }
}

pub struct Oidc {
    settings: OidcSettings,
    http: Http,
    metadata: Mutex<Option<(Instant, Arc<CoreProviderMetadata>)>>,
}

impl Oidc {
    pub fn new(settings: OidcSettings) -> Result<Self, ServerError> {
        let http = reqwest::Client::builder()
            // Following redirects from a token endpoint invites SSRF; OIDC needs none.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| ServerError::Config(format!("building the HTTP client: {e}")))?;
        Ok(Self {
            settings,
            http: Http(http),
            metadata: Mutex::new(None),
        })
    }

    async fn call(
        http: &reqwest::Client,
        request: openidconnect::HttpRequest,
    ) -> Result<openidconnect::HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let response = http
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await?;
        let mut builder = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let bytes = response.bytes().await?;
        Ok(builder.body(bytes.to_vec())?)
    }

    async fn metadata(&self) -> Result<Arc<CoreProviderMetadata>, ServerError> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, m)) = cached.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer_url.clone())
            .map_err(|e| ServerError::Config(format!("auth.issuer_url: {e}")))?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                ServerError::Provider(format!(
                    "discovery at {} failed: {}",
                    self.settings.issuer_url,
                    error_chain(&e)
                ))
            })?;
        let m = Arc::new(m);
        *cached = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    async fn client(
        &self,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        ServerError,
    > {
        let metadata = self.metadata().await?;
        let redirect = RedirectUrl::new(self.settings.redirect_url.clone())
            .map_err(|e| ServerError::Config(format!("callback URL: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            (*metadata).clone(),
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    pub async fn start(&self) -> Result<LoginStart, ServerError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(LoginStart {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code and verifies the ID token against the nonce of this login.
    pub async fn finish(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Identity, ServerError> {
        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| ServerError::Provider(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                ServerError::Provider(format!("exchanging the code failed: {}", error_chain(&e)))
            })?;
        let id_token = token
            .id_token()
            .ok_or_else(|| ServerError::Provider("the provider returned no ID token".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_string()))
            .map_err(|e| {
                ServerError::Forbidden(format!("the ID token did not verify: {}", error_chain(&e)))
            })?;
        let email = claims
            .email()
            .map(|e| e.as_str().trim().to_ascii_lowercase())
            .ok_or_else(|| {
                ServerError::Forbidden("the provider did not share an email address".into())
            })?;
        Ok(Identity {
            email,
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string()),
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
