//! `/api/support-chat/notification-preferences`: how the signed-in person wants to be told
//! about new messages (browser notifications, a sound, email for urgent conversations). Each
//! person only ever reads and changes their own; the caller is never taken from the body.

use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::ApiJson;
use crate::routes::support::ChatUser;
use crate::state::AppState;
use axum::extract::State;
use serde::Deserialize;
use support_chat_domain::FieldErrors;
use support_chat_store::{NotificationPreferences, NotificationPreferencesPatch};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(
        get_notification_preferences,
        update_notification_preferences
    ))
}

/// Some or all of the settings; the ones left out keep their value. Unknown fields are
/// refused so a misspelt setting is not silently ignored.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateNotificationPreferencesRequest {
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = bool, required = false)]
    pub browser: Option<Option<bool>>,
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = bool, required = false)]
    pub sound: Option<Option<bool>>,
    /// Stored only: email delivery is not built yet.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = bool, required = false)]
    pub email_urgent: Option<Option<bool>>,
}

impl UpdateNotificationPreferencesRequest {
    /// The patch, or which settings were sent as `null`.
    fn into_patch(self) -> Result<NotificationPreferencesPatch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut setting = |field: &str, value: Option<Option<bool>>| match value {
            Some(None) => {
                errors.add(field, format!("{field} must be true or false, not null"));
                None
            }
            Some(Some(v)) => Some(v),
            None => None,
        };
        let patch = NotificationPreferencesPatch {
            browser: setting("browser", self.browser),
            sound: setting("sound", self.sound),
            email_urgent: setting("emailUrgent", self.email_urgent),
        };
        errors.into_result().map(|()| patch)
    }
}

/// My notification preferences (the defaults — browser and sound on, email for urgent off —
/// until I save any).
#[utoipa::path(get, path = "/notification-preferences", tag = "notifications",
    responses((status = 200, body = NotificationPreferences), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
async fn get_notification_preferences(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
) -> ApiResult<axum::Json<NotificationPreferences>> {
    Ok(axum::Json(
        state.store.notification_preferences(who.user.id).await?,
    ))
}

/// Changes some or all of my notification preferences and returns all of them.
/// `emailUrgent` is stored, but no email is sent yet.
#[utoipa::path(put, path = "/notification-preferences", tag = "notifications", request_body = UpdateNotificationPreferencesRequest,
    responses((status = 200, body = NotificationPreferences), (status = 400, body = ErrorResponse), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
async fn update_notification_preferences(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
    ApiJson(req): ApiJson<UpdateNotificationPreferencesRequest>,
) -> ApiResult<axum::Json<NotificationPreferences>> {
    let patch = req.into_patch().map_err(ApiError::from)?;
    let saved = state
        .store
        .update_notification_preferences(who.user.id, patch)
        .await?;
    tracing::debug!(user.id = %who.user.id, "notification preferences saved");
    Ok(axum::Json(saved))
}
