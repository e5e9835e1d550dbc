//! Feature flags: what is on for me, and the admin switchboard.

use crate::auth::{AdminUser, CurrentUser};
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use support_chat_domain::{FieldErrors, Role};
use support_chat_store::{FeatureFlag, FlagUpdate};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_features))
        .routes(routes!(list_flags))
        .routes(routes!(update_flag))
}

#[derive(Serialize, ToSchema)]
pub struct FeaturesResponse {
    /// Flag key → on for the caller.
    pub features: BTreeMap<String, bool>,
}

#[derive(Serialize, ToSchema)]
pub struct FlagsResponse {
    pub flags: Vec<FeatureFlag>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFlagRequest {
    pub enabled: bool,
    /// 0..=100: the share of users who get the flag.
    pub rollout_percent: Option<i64>,
    /// Limit to these roles; `null` means every role.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<Vec<Role>>)]
    pub roles: Option<Option<Vec<String>>>,
}

/// Which features are on for the caller.
#[utoipa::path(get, path = "/features", tag = "features", responses((status = 200, body = FeaturesResponse), (status = 401, body = ErrorResponse)))]
async fn my_features(
    State(state): State<AppState>,
    who: CurrentUser,
) -> ApiResult<axum::Json<FeaturesResponse>> {
    Ok(axum::Json(FeaturesResponse {
        features: state.flags.for_user(who.user.id, who.user.role).await?,
    }))
}

/// Every flag with its settings (admins).
#[utoipa::path(get, path = "/admin/features", tag = "features", responses((status = 200, body = FlagsResponse), (status = 403, body = ErrorResponse)))]
async fn list_flags(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
) -> ApiResult<axum::Json<FlagsResponse>> {
    Ok(axum::Json(FlagsResponse {
        flags: state.flags.all().await?,
    }))
}

/// Switches a flag (admins).
#[utoipa::path(put, path = "/admin/features/{key}", tag = "features", params(("key" = String, Path)), request_body = UpdateFlagRequest,
    responses((status = 200, body = FeatureFlag), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
async fn update_flag(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<UpdateFlagRequest>,
) -> ApiResult<axum::Json<FeatureFlag>> {
    let mut errors = FieldErrors::new();
    if req.rollout_percent.is_some_and(|p| !(0..=100).contains(&p)) {
        errors.add("rolloutPercent", "rolloutPercent must be between 0 and 100");
    }
    let roles = match req.roles {
        Some(Some(list)) => {
            let parsed: Result<Vec<Role>, _> = list.iter().map(|r| r.parse::<Role>()).collect();
            match parsed {
                Ok(v) if !v.is_empty() => Some(Some(v)),
                Ok(_) => Some(None),
                Err(e) => {
                    errors.add("roles", format!("roles: {e}"));
                    None
                }
            }
        }
        other => other.map(|_| None),
    };
    errors.into_result()?;
    let flag = state
        .store
        .update_flag(
            &key,
            &FlagUpdate {
                enabled: req.enabled,
                rollout_percent: req.rollout_percent,
                roles,
            },
        )
        .await
        .map_err(|e| match e {
            support_chat_store::StoreError::NotFound => {
                ApiError::NotFound.with_message(format!("There is no feature '{key}'."))
            }
            other => other.into(),
        })?;
    state.flags.invalidate().await;
    state.hub.publish(crate::realtime::Event::FlagsChanged);
    tracing::info!(flag = %key, enabled = flag.enabled, admin.id = %admin.user.id, "feature flag changed");
    Ok(axum::Json(flag))
}
