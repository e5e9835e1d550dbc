//! Knowledge base: admins write articles (`/api/admin/kb/articles`); signed-in people read the
//! published ones (`/api/kb/articles`), which is what the AI assistant cites.

use crate::auth::{AdminUser, CurrentUser};
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::support::{Pagination, page_params};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use support_chat_domain::{ArticleId, ArticleInput, FieldErrors};
use support_chat_store::{Article, StoreError};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_all_articles, create_article))
        .routes(routes!(get_any_article, update_article, delete_article))
        .routes(routes!(list_published_articles))
        .routes(routes!(get_published_article))
}

/// An article as an admin writes it.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArticleRequest {
    /// Stable key; made from the title when absent.
    pub slug: Option<String>,
    pub title: String,
    /// Markdown.
    pub body: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Drafts (false) are hidden from users and the assistant. Default: true for a new
    /// article, unchanged on update.
    pub published: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    pub page: Option<i64>,
    /// 1..=100, default 20.
    pub page_size: Option<i64>,
}

/// One article with its body rendered for reading.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleView {
    #[serde(flatten)]
    pub article: Article,
    /// The Markdown body as HTML, sanitised (no scripts, styles, event handlers or
    /// `javascript:` links; links open with `rel="noopener noreferrer"`): safe to insert.
    pub body_html: String,
}

impl From<Article> for ArticleView {
    fn from(article: Article) -> Self {
        let body_html = render_markdown(&article.body);
        ArticleView { article, body_html }
    }
}

/// Markdown (CommonMark with tables and strikethrough) to sanitised HTML.
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

#[derive(Serialize, ToSchema)]
pub struct ArticlesResponse {
    pub articles: Vec<Article>,
    pub pagination: Pagination,
}

fn parse_request(req: &ArticleRequest) -> Result<ArticleInput, ApiError> {
    ArticleInput::parse(
        req.slug.as_deref(),
        &req.title,
        &req.body,
        &req.tags,
        req.published.unwrap_or(true),
    )
    .map_err(ApiError::Validation)
}

async fn list(
    state: &AppState,
    drafts: bool,
    p: &ArticleListParams,
) -> ApiResult<axum::Json<ArticlesResponse>> {
    let mut errors = FieldErrors::new();
    let (page, page_size) = page_params(&mut errors, p.page, p.page_size);
    errors.into_result()?;
    let (articles, total) = state.store.list_articles(drafts, page, page_size).await?;
    Ok(axum::Json(ArticlesResponse {
        pagination: Pagination::of(page, page_size, total),
        articles,
    }))
}

fn slug_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(m) => {
            let mut f = FieldErrors::new();
            f.add("slug", m);
            ApiError::Detailed(
                Box::new(ApiError::Conflict(String::new())),
                "Another article already uses this slug.".into(),
                Some(f),
            )
        }
        other => other.into(),
    }
}

/// Every article, drafts included, newest change first (admins).
#[utoipa::path(get, path = "/admin/kb/articles", tag = "knowledge-base", params(ArticleListParams),
    responses((status = 200, body = ArticlesResponse), (status = 403, body = ErrorResponse)))]
async fn list_all_articles(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    ApiQuery(p): ApiQuery<ArticleListParams>,
) -> ApiResult<axum::Json<ArticlesResponse>> {
    list(&state, true, &p).await
}

/// Writes a new article (admins).
#[utoipa::path(post, path = "/admin/kb/articles", tag = "knowledge-base", request_body = ArticleRequest,
    responses((status = 201, body = Article), (status = 400, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
async fn create_article(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(req): ApiJson<ArticleRequest>,
) -> ApiResult<(StatusCode, axum::Json<Article>)> {
    let input = parse_request(&req)?;
    let article = state
        .store
        .create_article(&input, Some(admin.user.id))
        .await
        .map_err(slug_conflict)?;
    state.assistant.knowledge_changed().await;
    tracing::info!(article.id = %article.id, admin.id = %admin.user.id, "article created");
    Ok((StatusCode::CREATED, axum::Json(article)))
}

/// One article, draft or not (admins).
#[utoipa::path(get, path = "/admin/kb/articles/{id}", tag = "knowledge-base", params(("id" = i64, Path)),
    responses((status = 200, body = ArticleView), (status = 404, body = ErrorResponse)))]
async fn get_any_article(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ArticleView>> {
    let article = state
        .store
        .article(ArticleId(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(article.into()))
}

/// Replaces an article's title, body and tags, and its slug and published state when given
/// (admins).
#[utoipa::path(put, path = "/admin/kb/articles/{id}", tag = "knowledge-base", params(("id" = i64, Path)), request_body = ArticleRequest,
    responses((status = 200, body = Article), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
async fn update_article(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<ArticleRequest>,
) -> ApiResult<axum::Json<Article>> {
    // What the request leaves out stays as it is: the slug (links and `kb import` keys must
    // not move with a title edit) and whether the article is published.
    let existing = state
        .store
        .article(ArticleId(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let input = ArticleInput::parse(
        Some(req.slug.as_deref().unwrap_or(&existing.slug)),
        &req.title,
        &req.body,
        &req.tags,
        req.published.unwrap_or(existing.published),
    )
    .map_err(ApiError::Validation)?;
    let article = state
        .store
        .update_article(ArticleId(id), &input)
        .await
        .map_err(slug_conflict)?;
    state.assistant.knowledge_changed().await;
    tracing::info!(article.id = %article.id, admin.id = %admin.user.id, "article updated");
    Ok(axum::Json(article))
}

/// Deletes an article (admins).
#[utoipa::path(delete, path = "/admin/kb/articles/{id}", tag = "knowledge-base", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
async fn delete_article(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if !state.store.delete_article(ArticleId(id)).await? {
        return Err(ApiError::NotFound);
    }
    state.assistant.knowledge_changed().await;
    tracing::info!(article.id = id, admin.id = %admin.user.id, "article deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Published articles, newest change first (anyone signed in).
#[utoipa::path(get, path = "/kb/articles", tag = "knowledge-base", params(ArticleListParams),
    responses((status = 200, body = ArticlesResponse), (status = 401, body = ErrorResponse)))]
async fn list_published_articles(
    State(state): State<AppState>,
    _who: CurrentUser,
    ApiQuery(p): ApiQuery<ArticleListParams>,
) -> ApiResult<axum::Json<ArticlesResponse>> {
    list(&state, false, &p).await
}

/// One published article (anyone signed in); drafts are 404.
#[utoipa::path(get, path = "/kb/articles/{id}", tag = "knowledge-base", params(("id" = i64, Path)),
    responses((status = 200, body = ArticleView), (status = 404, body = ErrorResponse)))]
async fn get_published_article(
    State(state): State<AppState>,
    _who: CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ArticleView>> {
    let article = state
        .store
        .article(ArticleId(id))
        .await?
        .filter(|a| a.published)
        .ok_or(ApiError::NotFound)?;
    Ok(axum::Json(article.into()))
}
