//! Assembling and running the server: state, routes, middleware (state injection,
//! request logs, caller identification, CORS, body limits, panic catching), a loopback
//! or public listener, and graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::RngCore;
use salvo::conn::tcp::TcpAcceptor;
use salvo::cors::{AllowHeaders, AllowMethods, AllowOrigin, Cors};
use salvo::http::Method;
use salvo::prelude::*;
use salvo::server::ServerHandle;
use sea_orm::DatabaseConnection;
use stemset_core::config::Config;

use crate::settings::{AuthConfig, Environment, ServerSettings};
use stemset_core::storage::Storage;
use stemset_library::db::config_sync::{sync_config, upsert_user};
use stemset_library::jobs::backend::{JobBackendContext, callback_secrets};
use stemset_library::jobs::callbacks::CallbackHub;
use stemset_library::jobs::protocol::ReplayGuard;
use stemset_library::jobs::runner::{Runner, RunnerHandle};

use crate::auth::caller::{Caller, CallerKind};
use crate::auth::identity::identify_hoop;
use crate::auth::oidc::{Oidc, OidcSettings};
use crate::auth::{SessionKeys, routes as auth_routes};
use crate::error::ServerError;
use crate::graphql::{self, Limits};
use crate::state::{AppState, State};
use crate::{media, web};

/// The dev user of `STEMSET_BYPASS_AUTH=true`.
pub const BYPASS_EMAIL: &str = "dev@localhost.localdomain";
/// How long in-flight requests get to finish on shutdown.
const GRACE: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct ServerOptions {
    /// Run every request as one dev user (local development; refused in production).
    pub bypass_auth: bool,
    /// Overrides `server.listen` (tests use `127.0.0.1:0`).
    pub listen: Option<String>,
    /// Use this connection instead of opening `database.url` (tests count statements).
    pub db: Option<DatabaseConnection>,
}

pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<()>,
    /// The in-process job workers (`jobs.workers`).
    runner: Option<RunnerHandle>,
}

impl RunningServer {
    /// Stops accepting connections and lets in-flight requests finish; running jobs are
    /// handed back to the queue for the next start (or another worker).
    pub async fn shutdown(self) {
        self.handle.stop_graceful(GRACE);
        if let Some(r) = self.runner {
            r.shutdown().await;
        }
        let _ = self.task.await;
    }

    /// Waits until the server stops (after [`RunningServer::shutdown`] elsewhere, or an
    /// accept error), then stops the job workers.
    pub async fn wait(self) {
        let _ = self.task.await;
        if let Some(r) = self.runner {
            r.shutdown().await;
        }
    }

    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }
}

struct InjectState(AppState);

#[async_trait]
impl Handler for InjectState {
    async fn handle(
        &self,
        _req: &mut Request,
        depot: &mut Depot,
        _res: &mut Response,
        _ctrl: &mut FlowCtrl,
    ) {
        depot.insert_typed(self.0.clone());
    }
}

#[handler]
async fn log_requests(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
    ctrl: &mut FlowCtrl,
) {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    ctrl.call_next(req, depot, res).await;
    let status = res.status_code.unwrap_or(StatusCode::OK).as_u16();
    let user = depot
        .get_typed::<Caller>()
        .map(|c| c.email.clone())
        .unwrap_or_default();
    tracing::info!(
        target: "stemset::http",
        %method, path, status, user,
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
}

/// How long `/healthz` waits for the database to answer a ping.
const HEALTH_PING_TIMEOUT: Duration = Duration::from_millis(1500);

#[handler]
async fn healthz(depot: &mut Depot, res: &mut Response) {
    let ok = match depot.get_typed::<AppState>() {
        Ok(state) => matches!(
            tokio::time::timeout(HEALTH_PING_TIMEOUT, state.db.ping()).await,
            Ok(Ok(()))
        ),
        Err(_) => false,
    };
    if ok {
        res.render(Json(serde_json::json!({ "status": "ok" })));
    } else {
        res.status_code(StatusCode::SERVICE_UNAVAILABLE);
        res.render(Json(
            serde_json::json!({ "status": "database unreachable" }),
        ));
    }
}

fn session_keys(auth: &AuthConfig) -> SessionKeys {
    let secure = auth.environment == Environment::Production;
    let secret = match &auth.jwt_secret {
        Some(s) => s.expose().as_bytes().to_vec(),
        None => {
            // Development only (config validation requires a secret in production).
            tracing::warn!("auth.jwt_secret is not set: sessions end when the server restarts");
            let mut random = vec![0u8; 32];
            rand::rng().fill_bytes(&mut random);
            random
        }
    };
    SessionKeys::new(&secret, secure, auth.session_days)
}

fn oidc(auth: &AuthConfig, addr: SocketAddr) -> Result<Option<Oidc>, ServerError> {
    let (Some(id), Some(secret)) = (&auth.google_client_id, &auth.google_client_secret) else {
        return Ok(None);
    };
    let base = auth
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    Oidc::new(OidcSettings {
        issuer_url: auth.issuer_url.clone(),
        client_id: id.clone(),
        client_secret: secret.expose().to_string(),
        redirect_url: format!("{}/auth/callback", base.trim_end_matches('/')),
    })
    .map(Some)
}

fn cors(origins: &[String]) -> Option<Cors> {
    if origins.is_empty() {
        return None;
    }
    Some(
        Cors::new()
            .allow_origin(AllowOrigin::list(
                origins.iter().filter_map(|o| o.parse().ok()),
            ))
            .allow_credentials(true)
            .allow_methods(AllowMethods::list([
                Method::GET,
                Method::POST,
                Method::HEAD,
                Method::OPTIONS,
            ]))
            .allow_headers(AllowHeaders::list([
                salvo::http::header::CONTENT_TYPE,
                salvo::http::header::AUTHORIZATION,
                salvo::http::header::RANGE,
            ]))
            .max_age(600),
    )
}

/// Unknown paths under the API's prefixes: 404 JSON, never the web app's index.html.
#[handler]
async fn api_not_found() -> ServerError {
    ServerError::NotFound
}

/// Errors salvo answers by itself (no route, a malformed request, ...) as JSON like
/// every other API error, instead of its HTML page.
#[handler]
async fn json_errors(res: &mut Response, ctrl: &mut FlowCtrl) {
    let status = res.status_code.unwrap_or(StatusCode::NOT_FOUND);
    if !(status.is_client_error() || status.is_server_error())
        || !(res.body.is_none() || res.body.is_error())
    {
        return;
    }
    let message = match &res.body {
        salvo::http::ResBody::Error(e) => e.brief.clone(),
        _ => status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase(),
    };
    res.render(Json(serde_json::json!({ "error": message })));
    ctrl.skip_rest();
}

pub fn routes(state: &AppState) -> Router {
    let mut root = Router::new()
        .hoop(InjectState(state.clone()))
        .hoop(log_requests)
        .hoop(salvo::catch_panic::CatchPanic::new())
        .hoop(identify_hoop)
        .push(Router::with_path("healthz").get(healthz))
        .push(auth_routes::router())
        // The GraphQL handler reads its body within server.max_body_kib itself (413).
        .push(graphql::handler::router())
        .push(crate::uploads::router())
        .push(crate::worker_callback::router())
        .push(media::router());
    for prefix in ["api", "auth", "media", "graphql"] {
        root = root.push(Router::with_path(format!("{prefix}/{{**rest}}")).goal(api_not_found));
    }
    if let Some(web) = web::router(&state.settings.server.web_dir) {
        root = root.push(web);
    }
    root
}

/// Opens the database and storage, syncs profiles and memberships from the config,
/// binds the listener and starts serving in the background.
pub async fn start(config: Arc<Config>, opts: ServerOptions) -> Result<RunningServer, ServerError> {
    crate::install_crypto_provider();
    let settings =
        ServerSettings::from_config(&config).map_err(|e| ServerError::Config(e.to_string()))?;
    if opts.bypass_auth && settings.auth.environment == Environment::Production {
        return Err(ServerError::Config(
            "STEMSET_BYPASS_AUTH=true is refused: auth.environment is production".into(),
        ));
    }
    let db = match opts.db {
        Some(db) => db,
        None => stemset_library::db::connect(config.database.url.expose(), false).await?,
    };
    let storage = Storage::from_config(&config.storage)?;
    sync_config(&db, &config.profiles, None, false).await?;
    let bypass_user = if opts.bypass_auth {
        tracing::warn!(
            "STEMSET_BYPASS_AUTH=true: every request runs as {BYPASS_EMAIL}, owner of every profile"
        );
        let dev = upsert_user(&db, BYPASS_EMAIL, Some("Developer".to_string()), true).await?;
        sync_config(&db, &config.profiles, Some(vec![dev.clone()]), true).await?;
        Some(Caller {
            user_id: dev.id,
            email: dev.email,
            name: dev.name,
            kind: CallerKind::Bypass,
        })
    } else {
        None
    };
    let schema = graphql::build_schema(
        db.clone(),
        storage.clone(),
        config.clone(),
        settings.jobs.clone(),
        &Limits::from_config(&settings.server),
    )
    .map_err(|e| ServerError::Internal(format!("building the GraphQL schema: {e}")))?;

    let listen = opts
        .listen
        .unwrap_or_else(|| settings.server.listen.clone());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| ServerError::Config(format!("cannot listen on {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServerError::Config(format!("listener address: {e}")))?;
    // The job backend with remote workers says which secret signs their callbacks.
    let worker_secret = callback_secrets(&config.plugins).into_iter().next();
    let state = AppState(Arc::new(State {
        oidc: oidc(&settings.auth, addr)?,
        sessions: session_keys(&settings.auth),
        db,
        storage,
        config: config.clone(),
        settings: settings.clone(),
        bypass_user,
        schema,
        callbacks: Arc::new(CallbackHub::default()),
        replay: ReplayGuard::default(),
        worker_secret,
        graphql_slots: Arc::new(tokio::sync::Semaphore::new(
            settings.server.max_concurrent_queries,
        )),
    }));
    let mut service =
        Service::new(routes(&state)).catcher(salvo::catcher::Catcher::default().hoop(json_errors));
    if let Some(cors) = cors(&settings.server.cors_origins) {
        service = service.hoop(cors.into_handler());
    }
    let acceptor = TcpAcceptor::try_from(listener)
        .map_err(|e| ServerError::Config(format!("listener: {e}")))?;
    // Salvo's defaults (10 s TLS handshake, 30 s request head) plus an idle timeout
    // between request body chunks: a stalled body is cut off, a slow but moving upload
    // is not. WebSocket upgrades relax it.
    let fuse = salvo::fuse::FuseConfig::default()
        .with_request_body_timeout(Duration::from_secs(settings.server.body_idle_timeout_secs));
    let server = Server::new(acceptor).fuse_config(fuse);
    let handle = server.handle();
    let task = tokio::spawn(async move {
        server.serve(service).await;
    });
    tracing::info!(%addr, "Stemset is listening");
    let workers = settings.jobs.workers;
    let runner = (workers > 0).then(|| {
        let public = settings
            .auth
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let ctx = JobBackendContext {
            config: config.clone(),
            storage: state.storage.clone(),
            callbacks: Some((
                state.callbacks.clone(),
                public.trim_end_matches('/').to_string(),
            )),
        };
        Arc::new(Runner::new(state.db.clone(), ctx, settings.jobs.clone())).spawn(workers)
    });
    Ok(RunningServer {
        addr,
        state,
        handle,
        task,
        runner,
    })
}
