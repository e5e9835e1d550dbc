//! The React web app, embedded in the binary and served at `/` with an SPA fallback.

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "$SC_WEB_DIST"]
struct Assets;

const CSP: &str = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; \
    style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'";

/// Serves a built file, or `index.html` for app routes. Unknown `/api/...` paths get the JSON 404.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path == "api" || path.starts_with("api/") {
        return crate::error::ApiError::NotFound.into_response();
    }
    if let Some(file) = (!path.is_empty()).then(|| Assets::get(path)).flatten() {
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return asset(file, cache);
    }
    // A missing file with an extension is a real 404, not an app route.
    if path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
    {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match Assets::get("index.html") {
        Some(file) => asset(file, "no-cache"),
        None => (StatusCode::NOT_FOUND, "web app not built").into_response(),
    }
}

fn asset(file: rust_embed::EmbeddedFile, cache: &'static str) -> Response {
    let mime = file.metadata.mimetype().to_owned();
    let mut res = (StatusCode::OK, file.data.into_owned()).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    res
}
