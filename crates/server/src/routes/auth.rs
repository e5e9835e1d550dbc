//! `/api/auth/*`: register, login, logout, me, single sign-on, API tokens, sessions, password.

use crate::auth::{
    AuthVia, CurrentUser, TOKEN_PREFIX, client_ip, hash_password, hash_secret, random_secret,
    session_cookie, verify_password,
};
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::ApiJson;
use crate::realtime::CloseTarget;
use crate::realtime::conn::Credential;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use support_chat_domain::{Email, FieldErrors, Password, PersonName, Role};
use support_chat_store::{ApiToken, SessionInfo, User};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(session))
        .routes(routes!(sso))
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(delete_token))
        .routes(routes!(list_sessions))
        .routes(routes!(delete_session))
        .routes(routes!(change_password))
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A signed-in user and the token to send as `X-CSRF-Token` on writes.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    pub user: User,
    pub csrf_token: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    pub user: User,
    /// Empty when the request used a bearer token (no CSRF needed).
    pub csrf_token: String,
    /// Feature flag key → on for this user.
    pub features: BTreeMap<String, bool>,
}

/// Who is signed in on this browser, if anyone: what the web app asks at start, so a signed-out
/// visit is an ordinary answer rather than a 401.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionResponse {
    /// `null` when nobody is signed in (no credential, or an expired or revoked one).
    pub user: Option<User>,
    /// The `X-CSRF-Token` for writes; `null` when signed out, empty for a bearer token.
    pub csrf_token: Option<String>,
    /// Feature flag key → on for this user; empty when signed out.
    pub features: BTreeMap<String, bool>,
}

#[derive(Deserialize, ToSchema)]
pub struct SsoRequest {
    /// HS256-signed JWT from the host app with `sub`, `email`, `name`, `exp`.
    pub token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateTokenRequest {
    pub name: String,
}

/// A new API token; `token` is shown only this once.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    pub id: String,
    pub name: String,
    pub token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Serialize, ToSchema)]
pub struct TokensResponse {
    pub tokens: Vec<ApiToken>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionsResponse {
    pub sessions: Vec<SessionInfo>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// Client details recorded with a new session.
struct ClientInfo {
    ip: Option<std::net::IpAddr>,
    user_agent: Option<String>,
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ClientInfo {
            ip: client_ip(state, parts),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(200).collect()),
        })
    }
}

/// Starts a session for `user` and answers with the cookie set.
async fn start_session(
    state: &AppState,
    user: User,
    client: &ClientInfo,
    status: StatusCode,
) -> ApiResult<Response> {
    let token = random_secret();
    let csrf = random_secret();
    let expires = OffsetDateTime::now_utc() + state.config.session_ttl;
    let ip = client.ip.map(|i| i.to_string());
    state
        .store
        .create_session(
            &hash_secret(&token),
            user.id,
            &csrf,
            expires,
            client.user_agent.as_deref(),
            ip.as_deref(),
        )
        .await?;
    tracing::info!(user.id = %user.id, "session started");
    let cookie = session_cookie(state, Some(&token));
    Ok((
        status,
        [(header::SET_COOKIE, cookie)],
        axum::Json(AuthResponse {
            user,
            csrf_token: csrf,
        }),
    )
        .into_response())
}

/// Creates an account and signs it in.
#[utoipa::path(post, path = "/register", tag = "auth", security(()), request_body = RegisterRequest,
    responses((status = 201, body = AuthResponse), (status = 400, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(&req.email));
    let password = errors.check("password", Password::parse(&req.password));
    let name = errors.check("name", PersonName::parse(&req.name));
    let (Some(email), Some(password), Some(name)) = (email, password, name) else {
        return Err(errors.into());
    };
    if let Some(ip) = client.ip {
        state.limits.register_attempt(ip)?;
    }
    let hash = hash_password(password.as_str().to_owned()).await?;
    let user = state
        .store
        .create_user(email.as_str(), name.as_str(), Role::User, Some(&hash))
        .await
        .map_err(|e| match e {
            support_chat_store::StoreError::Conflict(_) => {
                let mut f = FieldErrors::new();
                f.add("email", "an account with this email already exists");
                ApiError::Conflict("An account with this email already exists.".into())
                    .with_fields(f)
            }
            other => other.into(),
        })?;
    start_session(&state, user, &client, StatusCode::CREATED).await
}

/// Signs in with email and password. Throttled per account and per client address.
#[utoipa::path(post, path = "/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = AuthResponse), (status = 401, body = ErrorResponse), (status = 429, body = ErrorResponse)))]
async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let email = req.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::field("email", "email must not be empty"));
    }
    if req.password.is_empty() {
        return Err(ApiError::field("password", "password must not be empty"));
    }
    state.limits.login_attempt(&email, client.ip)?;
    let user = state.store.user_by_email(&email).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = verify_password(req.password, hash).await?;
    match user {
        Some(user) if ok => start_session(&state, user, &client, StatusCode::OK).await,
        _ => {
            tracing::info!("failed sign-in");
            Err(ApiError::Unauthenticated.with_message("Email or password is incorrect."))
        }
    }
}

/// Ends the current session (the cookie is cleared and the session revoked).
#[utoipa::path(post, path = "/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
async fn logout(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Response> {
    if let AuthVia::Session { id_hash, .. } = &current.via {
        state.store.revoke_session(id_hash).await?;
        state.close_sockets(CloseTarget::Credential(Credential::Session(
            id_hash.clone(),
        )));
    }
    state.auth_cache.invalidate_user(current.user.id);
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_cookie(&state, None))],
    )
        .into_response())
}

/// The signed-in user, their CSRF token and which features are on for them.
#[utoipa::path(get, path = "/me", tag = "auth",
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorResponse)))]
async fn me(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<axum::Json<MeResponse>> {
    Ok(axum::Json(describe(&state, current).await?))
}

/// Like `/me`, but a signed-out caller gets 200 with `user: null` instead of 401.
#[utoipa::path(get, path = "/session", tag = "auth", security(()),
    responses((status = 200, body = SessionResponse), (status = 503, body = ErrorResponse)))]
async fn session(
    State(state): State<AppState>,
    parts: Parts,
) -> ApiResult<axum::Json<SessionResponse>> {
    let answer = match crate::auth::authenticate(&state, &parts).await? {
        Some(current) => {
            let me = describe(&state, current).await?;
            SessionResponse {
                user: Some(me.user),
                csrf_token: Some(me.csrf_token),
                features: me.features,
            }
        }
        None => SessionResponse {
            user: None,
            csrf_token: None,
            features: BTreeMap::new(),
        },
    };
    Ok(axum::Json(answer))
}

async fn describe(state: &AppState, current: CurrentUser) -> ApiResult<MeResponse> {
    let features = state
        .flags
        .for_user(current.user.id, current.user.role)
        .await?;
    let csrf_token = match current.via {
        AuthVia::Session { csrf_token, .. } => csrf_token,
        AuthVia::Token { .. } => String::new(),
    };
    Ok(MeResponse {
        user: current.user,
        csrf_token,
        features,
    })
}

#[derive(Deserialize)]
struct SsoClaims {
    sub: String,
    email: String,
    name: String,
}

/// Signs in a user of the host app from its signed token (created on first sight).
#[utoipa::path(post, path = "/sso", tag = "auth", security(()), request_body = SsoRequest,
    responses((status = 200, body = AuthResponse), (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
async fn sso(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<SsoRequest>,
) -> ApiResult<Response> {
    let Some(secret) = state.config.sso_secret.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    validation.leeway = 30;
    let claims = jsonwebtoken::decode::<SsoClaims>(
        req.token.as_bytes(),
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map_err(|e| {
        tracing::info!(reason = %e, "SSO token refused");
        ApiError::Unauthenticated.with_message("The sign-on token is invalid or expired.")
    })?
    .claims;
    let mut errors = FieldErrors::new();
    let email = errors.check("token.email", Email::parse(&claims.email));
    let name = errors.check("token.name", PersonName::parse(&claims.name));
    if claims.sub.trim().is_empty() || claims.sub.len() > 255 {
        errors.add("token.sub", "sub must be 1..=255 characters");
    }
    let (Some(email), Some(name)) = (email, name) else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let user = state
        .store
        .upsert_sso_user(claims.sub.trim(), email.as_str(), name.as_str())
        .await
        .map_err(|e| match e {
            support_chat_store::StoreError::Conflict(_) => ApiError::Conflict(
                "This email belongs to another account that is not linked to this sign-on.".into(),
            ),
            other => other.into(),
        })?;
    start_session(&state, user, &client, StatusCode::OK).await
}

/// Creates a personal API token for `Authorization: Bearer`.
#[utoipa::path(post, path = "/tokens", tag = "auth", request_body = CreateTokenRequest,
    responses((status = 201, body = CreatedToken), (status = 400, body = ErrorResponse)))]
async fn create_token(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> ApiResult<Response> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::field("name", "name must be 1..=100 characters"));
    }
    let token = format!("{TOKEN_PREFIX}{}", random_secret());
    let id = uuid::Uuid::now_v7().to_string();
    let t = state
        .store
        .create_api_token(&id, current.user.id, name, &hash_secret(&token))
        .await?;
    let body = CreatedToken {
        id: t.id,
        name: t.name,
        token,
        created_at: t.created_at,
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// The caller's live API tokens (without their secrets).
#[utoipa::path(get, path = "/tokens", tag = "auth", responses((status = 200, body = TokensResponse)))]
async fn list_tokens(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<axum::Json<TokensResponse>> {
    Ok(axum::Json(TokensResponse {
        tokens: state.store.list_api_tokens(current.user.id).await?,
    }))
}

/// Revokes one of the caller's API tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "auth", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
async fn delete_token(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state.store.revoke_api_token(current.user.id, &id).await? {
        state.auth_cache.invalidate_user(current.user.id);
        state.close_sockets(CloseTarget::Credential(Credential::Token(id)));
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The caller's signed-in sessions.
#[utoipa::path(get, path = "/sessions", tag = "auth", responses((status = 200, body = SessionsResponse)))]
async fn list_sessions(
    State(state): State<AppState>,
    current: CurrentUser,
) -> ApiResult<axum::Json<SessionsResponse>> {
    Ok(axum::Json(SessionsResponse {
        sessions: state.store.list_sessions(current.user.id).await?,
    }))
}

/// Signs one of the caller's sessions out.
#[utoipa::path(delete, path = "/sessions/{id}", tag = "auth", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
async fn delete_session(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state
        .store
        .revoke_session_by_handle(current.user.id, &id)
        .await?
    {
        state.auth_cache.invalidate_user(current.user.id);
        // The handle is not the hash sockets are filed under: the user's sockets reconnect.
        state.close_sockets(CloseTarget::User(current.user.id));
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Changes the password; every other session of the user is signed out.
#[utoipa::path(put, path = "/password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 204), (status = 400, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
async fn change_password(
    State(state): State<AppState>,
    current: CurrentUser,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    let new = Password::parse(&req.new_password).map_err(|e| ApiError::field("newPassword", e))?;
    let ok = verify_password(req.current_password, current.user.password_hash.clone()).await?;
    if !ok {
        return Err(ApiError::field(
            "currentPassword",
            "current password is incorrect",
        ));
    }
    let hash = hash_password(new.as_str().to_owned()).await?;
    let keep = match &current.via {
        AuthVia::Session { id_hash, .. } => Some(id_hash.as_str()),
        AuthVia::Token { .. } => None,
    };
    state
        .store
        .set_password(current.user.id, &hash, keep)
        .await?;
    state.auth_cache.invalidate_user(current.user.id);
    // Sockets of the signed-out sessions close; the current session's reconnect.
    state.close_sockets(CloseTarget::User(current.user.id));
    Ok(StatusCode::NO_CONTENT)
}
