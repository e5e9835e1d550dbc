//! Admin management of accounts: changing someone's role.

use crate::auth::AdminUser;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::ApiJson;
use crate::realtime::CloseTarget;
use crate::state::AppState;
use axum::extract::{Path, State};
use serde::Deserialize;
use support_chat_domain::{Role, UserId};
use support_chat_store::User;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(update_user))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// `user` or `admin`.
    pub role: String,
}

/// Makes someone an admin or takes admin rights away. Their open sockets close (the web app
/// reconnects with the new role); the last admin cannot be demoted.
#[utoipa::path(put, path = "/admin/users/{id}", tag = "auth", params(("id" = i64, Path)), request_body = UpdateUserRequest,
    responses((status = 200, body = User), (status = 400, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
async fn update_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> ApiResult<axum::Json<User>> {
    let role: Role = req
        .role
        .parse()
        .map_err(|e| ApiError::field("role", format!("role {e}")))?;
    let id = UserId(id);
    let user = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if user.role == Role::Admin && role == Role::User && state.store.count_admins().await? <= 1 {
        return Err(ApiError::Conflict(
            "This is the last admin; make someone else an admin first.".into(),
        ));
    }
    if user.role != role {
        state.store.set_role(id, role).await?;
        state.auth_cache.invalidate_user(id);
        state.close_sockets(CloseTarget::User(id));
        tracing::info!(user.id = %id, role = role.as_str(), admin.id = %admin.user.id, "role changed");
    }
    let user = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(user))
}
