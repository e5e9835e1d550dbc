//! Who is asking: session cookies (with CSRF on writes), bearer API tokens, password hashing.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use support_chat_domain::Role;
use support_chat_store::User;
use time::OffsetDateTime;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sc_session";
/// Prefix of personal API tokens, so leaked ones are easy to recognise.
pub const TOKEN_PREFIX: &str = "sct_";

/// A random URL-safe secret of 32 bytes.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// sha256 in hex: what the database keeps instead of a secret.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Argon2id runs with 19 MiB of memory and tens of milliseconds of CPU per call: at most one
/// per core at a time, so a flood of sign-ins queues instead of exhausting memory and CPU.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// Hashes a password with Argon2id off the async runtime.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    let _permit = hashing_permits()
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}

/// Checks a password against a stored hash off the async runtime. A missing hash (SSO-only
/// account) never matches; a dummy hash is still computed so timing does not tell.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, ApiError> {
    let _permit = hashing_permits()
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::PasswordVerifier;
        let (hash, real) = match hash {
            Some(h) => (h, true),
            None => (DUMMY_HASH.clone(), false),
        };
        let ok = argon2::Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        Ok(ok && real)
    })
    .await
    .map_err(ApiError::internal)?
}

/// An Argon2id hash of a random string, verified against when the account does not exist.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(random_secret().as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// How the request was authenticated.
#[derive(Debug, Clone)]
pub enum AuthVia {
    /// A browser session: the hash of its cookie token.
    Session { id_hash: String, csrf_token: String },
    /// A personal API token (no CSRF needed).
    Token { token_id: String },
}

/// The signed-in user. Extracting it answers 401 when nobody is signed in and 403
/// `csrf_failed` for a cookie-authenticated write without the right `X-CSRF-Token`.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub via: AuthVia,
}

impl CurrentUser {
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }
}

/// A signed-in admin; anyone else gets 403 `forbidden`.
pub struct AdminUser(pub CurrentUser);

fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn is_safe_method(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Resolves the caller from a bearer token or the session cookie. `Ok(None)` means anonymous.
pub async fn authenticate(
    state: &AppState,
    parts: &Parts,
) -> Result<Option<CurrentUser>, ApiError> {
    let key = if let Some(token) = bearer(parts) {
        format!("t:{}", hash_secret(token))
    } else if let Some(cookie) = cookie_value(parts, SESSION_COOKIE) {
        format!("s:{}", hash_secret(cookie))
    } else {
        return Ok(None);
    };
    resolve(state, key).await
}

/// Resolves a bearer API token given on its own (the WebSocket `?token=`).
pub async fn authenticate_token(
    state: &AppState,
    token: &str,
) -> Result<Option<CurrentUser>, ApiError> {
    resolve(state, format!("t:{}", hash_secret(token))).await
}

/// The user behind a credential key (`t:` + token hash or `s:` + session hash), from the
/// short-lived cache or the database.
async fn resolve(state: &AppState, key: String) -> Result<Option<CurrentUser>, ApiError> {
    if let Some(hit) = state.auth_cache.get(&key) {
        return Ok(Some(hit));
    }
    let found = if let Some(token_hash) = key.strip_prefix("t:") {
        lookup_token(state, token_hash).await?
    } else {
        lookup_session(state, &key[2..]).await?
    };
    if let Some(current) = &found {
        state.auth_cache.put(key, current.clone());
    }
    Ok(found)
}

async fn lookup_token(state: &AppState, token_hash: &str) -> Result<Option<CurrentUser>, ApiError> {
    let Some((token_id, user, last_used)) = state.store.user_by_token_hash(token_hash).await?
    else {
        return Ok(None);
    };
    let stale =
        last_used.is_none_or(|t| OffsetDateTime::now_utc() - t > time::Duration::minutes(1));
    if stale {
        state.touches.token(&token_id);
    }
    Ok(Some(CurrentUser {
        user,
        via: AuthVia::Token { token_id },
    }))
}

async fn lookup_session(state: &AppState, id_hash: &str) -> Result<Option<CurrentUser>, ApiError> {
    let Some((session, user)) = state.store.live_session(id_hash).await? else {
        return Ok(None);
    };
    // Slide the expiry forward, at most every few minutes.
    let now = OffsetDateTime::now_utc();
    if now - session.last_seen_at > time::Duration::minutes(5) {
        state.touches.session(id_hash);
    }
    Ok(Some(CurrentUser {
        user,
        via: AuthVia::Session {
            id_hash: id_hash.to_owned(),
            csrf_token: session.csrf_token,
        },
    }))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let current = authenticate(state, parts)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if let AuthVia::Session { csrf_token, .. } = &current.via
            && !is_safe_method(&parts.method)
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let ok: bool =
                subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), csrf_token.as_bytes()).into();
            if !ok {
                return Err(ApiError::Forbidden(
                    "csrf_failed",
                    "Missing or wrong X-CSRF-Token header; get the token from /api/auth/me.".into(),
                ));
            }
        }
        Ok(current)
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if !current.is_admin() {
            return Err(ApiError::forbidden("This needs an admin account."));
        }
        Ok(AdminUser(current))
    }
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// operator said a trusted proxy sets it.
pub fn client_ip(state: &AppState, parts: &Parts) -> Option<IpAddr> {
    if state.config.trust_forwarded_for
        && let Some(ip) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The `Set-Cookie` value for a new session (or an expired one to sign out).
pub fn session_cookie(state: &AppState, token: Option<&str>) -> String {
    let secure = if state.config.cookie_secure() {
        "; Secure"
    } else {
        ""
    };
    match token {
        Some(t) => format!(
            "{SESSION_COOKIE}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            state.config.session_ttl.as_secs()
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}
