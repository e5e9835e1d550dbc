//! Request extractors that fail with the JSON error envelope.

use crate::error::ApiError;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// A JSON body: 415 without a JSON content type, 413 over the size limit, 400 `invalid_json`
/// for malformed JSON, 400 `validation_failed` naming the field for a wrong shape.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => ApiError::PayloadTooLarge,
            other => ApiError::InvalidJson(other.body_text()),
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, naming the offending field on a shape error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::InvalidJson(format!("The body is not valid JSON: {inner}."));
        }
        let path = e.path().to_string();
        let msg = inner.to_string();
        // serde reports a missing field at its parent; name the field itself. (An unknown
        // field's path already ends with its name.)
        let field = match msg
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(name) if path == "." => name.to_owned(),
            Some(name) => format!("{path}.{name}"),
            None if path == "." => "body".to_owned(),
            None => path,
        };
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        ApiError::field(&field, msg)
    })
}

/// For optional nullable fields: absent → `None`, `null` → `Some(None)`, a value →
/// `Some(Some(v))`. Use with `#[serde(default, deserialize_with = "…")]`.
pub fn double_option<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// Query parameters with errors in the envelope.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                ApiError::field(
                    if path == "." { "query" } else { &path },
                    e.inner().to_string(),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        subject: String,
        initial_message: String,
        priority: Option<String>,
    }

    fn field_of(e: ApiError) -> (String, String) {
        match e {
            ApiError::Validation(f) => f.0.into_iter().next().unwrap(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_field_is_named() {
        let e = parse_json::<Body>(br#"{"subject":"x"}"#).unwrap_err();
        assert_eq!(field_of(e).0, "initialMessage");
    }

    #[test]
    fn a_wrong_type_is_named_by_its_path() {
        let e = parse_json::<Body>(br#"{"subject":5,"initialMessage":"x"}"#).unwrap_err();
        let (field, msg) = field_of(e);
        assert_eq!(field, "subject");
        assert!(msg.contains("invalid type"), "{msg}");
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        sound: Option<bool>,
    }

    #[test]
    fn an_unknown_field_is_named() {
        let e = parse_json::<Strict>(br#"{"sound":true,"volume":3}"#).unwrap_err();
        let (field, msg) = field_of(e);
        assert_eq!(field, "volume");
        assert!(msg.contains("unknown field"), "{msg}");
    }

    #[test]
    fn malformed_json_is_invalid_json() {
        assert!(matches!(
            parse_json::<Body>(b"{\"subject\":"),
            Err(ApiError::InvalidJson(_))
        ));
        assert!(matches!(
            parse_json::<Body>(b"nope"),
            Err(ApiError::InvalidJson(_))
        ));
    }
}
