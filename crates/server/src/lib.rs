#![forbid(unsafe_code)]
//! The support-chat HTTP server: REST API, identity, operations endpoints and the embedded web
//! app. [`serve`] takes a bound listener and a shutdown future, so tests bind port 0 and stop
//! the server cleanly.

pub mod assistant;
pub mod auth;
pub mod cache;
pub mod config;
pub mod error;
pub mod extract;
pub mod flags;
pub mod limits;
pub mod metrics;
pub mod realtime;
pub mod routes;
pub mod state;
pub mod web;

pub use config::ServerConfig;
pub use state::AppState;

/// Makes ring the process's TLS crypto provider. reqwest is built without one
/// (`rustls-no-provider`) and panics when a client is built before this runs; calling it again
/// does nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "support-chat",
        description = "Self-hostable customer-support chat: REST API. Errors always use the envelope \
            `{\"error\": {\"code\", \"message\", \"fields\"?}}`. Cookie-authenticated writes need the \
            `X-CSRF-Token` header; `Authorization: Bearer <token>` needs none.",
        license(name = "AGPL-3.0-only")
    ),
    components(schemas(
        error::ErrorResponse,
        error::ErrorBody,
        realtime::protocol::ClientFrame,
        realtime::protocol::ServerFrame
    )),
    modifiers(&SecuritySchemes),
    security(("session" = [], "csrf" = []), ("bearer" = [])),
    tags(
        (name = "auth", description = "Accounts, sessions, API tokens, single sign-on"),
        (name = "support-chat", description = "Conversations and messages"),
        (name = "support-chat admin", description = "The admin queue"),
        (name = "features", description = "Feature flags"),
        (name = "notifications", description = "Each person's notification preferences"),
    )
)]
struct ApiDoc;

/// How callers authenticate: the session cookie (with `X-CSRF-Token` on writes) or a bearer
/// API token.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                auth::SESSION_COOKIE,
                "Set by login, register and sso.",
            ))),
        );
        c.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "Required with the session cookie on every request that is not GET/HEAD/OPTIONS; \
                 the value comes from login, register, sso or /api/auth/me.",
            ))),
        );
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sct_…")
                    .build(),
            ),
        );
    }
}

/// The API routes and the OpenAPI document generated from them.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/auth", routes::auth::router())
        .nest("/api/support-chat", routes::support::router())
        .nest("/api/support-chat", routes::notifications::router())
        .nest("/api", routes::features::router())
        .nest("/api", routes::users::router())
        .nest("/api", routes::knowledge::router())
        .nest("/api/assistant", routes::assistant::router())
        .routes(utoipa_axum::routes!(realtime::socket::ws_handler))
        .split_for_parts()
}

/// The OpenAPI 3.1 document, as served at `/api/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api().1
}

/// The whole application with its middleware.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api();
    let body_limit = state.config.max_body_bytes;
    let api = api
        .route("/healthz", get(routes::ops::healthz))
        .route("/readyz", get(routes::ops::readyz))
        .route("/metrics", get(metrics::render))
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(DefaultBodyLimit::max(body_limit));
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .merge(api)
        .fallback(web::serve)
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            error::ApiError::Internal("a handler panicked".into()).into_response()
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request.id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(SetSensitiveHeadersLayer::new([header::AUTHORIZATION, header::COOKIE, header::SET_COOKIE]))
}

/// Runs the server on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let pruner = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(10));
            loop {
                tick.tick().await;
                state.limits.prune();
                state.auth_cache.prune();
                state.flush_touches().await;
            }
        })
    };
    let flush_at_exit = state.clone();
    let hub = state.hub.clone();
    let shutdown = async move {
        shutdown.await;
        // Upgraded sockets are not drained by the HTTP server: close them with a close frame.
        hub.shutdown(Duration::from_secs(5)).await;
    };
    // Small frames (acks, messages, API answers) go out at once instead of waiting for the
    // peer's delayed ACK (Nagle), which otherwise adds ~40 ms to a share of them.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    pruner.abort();
    flush_at_exit.flush_touches().await;
    result
}
