//! Operations endpoints: liveness, readiness.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

/// `GET /healthz`: the process is up.
pub async fn healthz() -> impl IntoResponse {
    axum::Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers, and Redis when configured (503 otherwise).
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match state.store.ping().await {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            "unreachable"
        }
    };
    let redis = match state.hub.redis() {
        None => "not configured",
        Some(r) if r.ping().await => "ok",
        Some(_) => {
            tracing::warn!("readiness check: redis unreachable");
            "unreachable"
        }
    };
    let ready = database == "ok" && redis != "unreachable";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        axum::Json(json!({
            "status": if ready { "ready" } else { "unavailable" },
            "database": database,
            "redis": redis,
            "websockets": state.hub.open_sockets(),
        })),
    )
}
