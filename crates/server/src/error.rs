//! The one error type of the HTTP layer and its JSON envelope:
//! `{"error": {"code": "snake_case", "message": "human sentence", "fields": {..}?}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use support_chat_domain::FieldErrors;
use support_chat_store::StoreError;
use utoipa::ToSchema;

/// The error envelope every failing request gets.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable code such as `validation_failed` or `not_found`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// For `validation_failed`: field name → what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

/// A failed request.
#[derive(Debug)]
pub enum ApiError {
    InvalidJson(String),
    Validation(FieldErrors),
    Unauthenticated,
    Forbidden(&'static str, String),
    NotFound,
    Conflict(String),
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable(FieldErrors),
    RateLimited {
        retry_after_secs: u64,
    },
    Unavailable,
    Internal(String),
    /// Another error with its message (and optionally field errors) replaced.
    Detailed(Box<ApiError>, String, Option<FieldErrors>),
}

impl ApiError {
    /// A validation failure on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut f = FieldErrors::new();
        f.add(field, message);
        ApiError::Validation(f)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden("forbidden", message.into())
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }

    /// The same error with a more specific message.
    pub fn with_message(self, message: impl Into<String>) -> Self {
        ApiError::Detailed(Box::new(self), message.into(), None)
    }

    /// The same error, naming the fields at fault.
    pub fn with_fields(self, fields: FieldErrors) -> Self {
        let (_, _, message) = self.parts();
        ApiError::Detailed(Box::new(self), message, Some(fields))
    }

    /// The code and message a client is shown, logged as an HTTP answer would be (for
    /// channels other than HTTP, such as WebSocket `error` frames).
    pub fn reported(&self) -> (&'static str, String) {
        self.log();
        let (_, code, message) = self.parts();
        (code, message)
    }

    fn log(&self) {
        match self {
            ApiError::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            ApiError::Unavailable => {
                tracing::warn!("answering 503: a backing service is unavailable")
            }
            _ => {}
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::InvalidJson(m) => (StatusCode::BAD_REQUEST, "invalid_json", m.clone()),
            ApiError::Validation(f) => (
                StatusCode::BAD_REQUEST,
                "validation_failed",
                summary("The request has invalid fields", f),
            ),
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sign in to continue.".into(),
            ),
            ApiError::Forbidden(code, m) => (StatusCode::FORBIDDEN, code, m.clone()),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", "Not found.".into()),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large.".into(),
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send JSON with Content-Type: application/json.".into(),
            ),
            ApiError::Unprocessable(f) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                summary("The request cannot be carried out", f),
            ),
            ApiError::RateLimited { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("Too many requests; try again in {retry_after_secs} s."),
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The service is temporarily unavailable; try again shortly.".into(),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side.".into(),
            ),
            ApiError::Detailed(inner, message, _) => {
                let (status, code, _) = inner.parts();
                (status, code, message.clone())
            }
        }
    }
}

fn summary(lead: &str, f: &FieldErrors) -> String {
    let parts: Vec<String> = f.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{lead}: {}.", parts.join("; "))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        self.log();
        let fields = match &self {
            ApiError::Validation(f) | ApiError::Unprocessable(f) => Some(f.0.clone()),
            ApiError::Detailed(_, _, f) => f.as_ref().map(|f| f.0.clone()),
            _ => None,
        };
        let body = ErrorResponse {
            error: ErrorBody {
                code: code.into(),
                message,
                fields,
            },
        };
        let mut res = (status, axum::Json(body)).into_response();
        match self {
            ApiError::RateLimited { retry_after_secs } => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            ApiError::Unavailable => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        res
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::Config(m) | StoreError::Other(m) => ApiError::Internal(m),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(f: FieldErrors) -> Self {
        ApiError::Validation(f)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
