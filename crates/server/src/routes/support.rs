//! `/api/support-chat/*`: conversations and messages for users and admins.
//! Every route needs a signed-in user with the `support_chat` feature on. A user only ever
//! sees their own conversations; anything else answers 404 so ids cannot be probed.

use crate::auth::{AdminUser, CurrentUser};
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::{ApiJson, ApiQuery};
use crate::realtime::protocol::ConversationChange;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use support_chat_domain::{
    ClientMessageId, ConversationId, ConversationStatus, ConversationType, FieldErrors,
    MessageBody, MessageId, MessageType, Priority, Subject, UserId,
};
use support_chat_store::{
    AdminListFilter, AdminSort, Conversation, ConversationPatch, ConversationSummary, Message,
    NewConversation, NewMessage, PersonRef, Stats,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub const FEATURE: &str = "support_chat";
const MAX_PAGE_SIZE: i64 = 100;
const MAX_BULK: usize = 100;
const MAX_CONTEXT_BYTES: usize = 32 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations, create_conversation))
        .routes(routes!(
            get_conversation,
            update_conversation,
            close_conversation
        ))
        .routes(routes!(send_message))
        .routes(routes!(mark_read, delete_message))
        .routes(routes!(admin_list))
        .routes(routes!(admin_stats))
        .routes(routes!(admin_bulk))
        .routes(routes!(admin_admins))
}

/// A signed-in user for whom support chat is on.
pub struct ChatUser(pub CurrentUser);

impl FromRequestParts<AppState> for ChatUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        state
            .flags
            .require(FEATURE, current.user.id, current.user.role)
            .await?;
        Ok(ChatUser(current))
    }
}

/// A signed-in admin for whom support chat is on.
pub struct ChatAdmin(pub CurrentUser);

impl FromRequestParts<AppState> for ChatAdmin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AdminUser(current) = AdminUser::from_request_parts(parts, state).await?;
        state
            .flags
            .require(FEATURE, current.user.id, current.user.role)
            .await?;
        Ok(ChatAdmin(current))
    }
}

/// Loads a conversation the caller may see, or 404.
async fn visible(
    state: &AppState,
    who: &CurrentUser,
    id: ConversationId,
) -> ApiResult<Conversation> {
    let c = state
        .store
        .conversation(id, who.user.id, who.is_admin())
        .await?
        .ok_or(ApiError::NotFound)?;
    if !who.is_admin() && c.user.id != who.user.id {
        return Err(ApiError::NotFound);
    }
    Ok(for_viewer(c, who))
}

/// End users see who helps them, not the staff member's email address.
pub(crate) fn for_viewer(mut c: Conversation, who: &CurrentUser) -> Conversation {
    if !who.is_admin()
        && let Some(admin) = &mut c.admin
    {
        admin.email = None;
    }
    c
}

fn parse_enum<T: std::str::FromStr<Err = support_chat_domain::kinds::UnknownVariant>>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
) -> Option<T> {
    let raw = raw.filter(|s| !s.is_empty())?;
    errors.check(field, raw.parse::<T>().map_err(|e| format!("{field} {e}")))
}

pub(crate) fn page_params(
    errors: &mut FieldErrors,
    page: Option<i64>,
    size: Option<i64>,
) -> (i64, i64) {
    let page = page.unwrap_or(1);
    let size = size.unwrap_or(20);
    if page < 1 {
        errors.add("page", "page must be 1 or more");
    }
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        errors.add(
            "pageSize",
            format!("pageSize must be between 1 and {MAX_PAGE_SIZE}"),
        );
    }
    (page, size)
}

// ---- wire types --------------------------------------------------------------------------------

/// Page position of a list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub page: i64,
    pub page_size: i64,
    pub total: i64,
    pub has_more: bool,
}

impl Pagination {
    pub(crate) fn of(page: i64, page_size: i64, total: i64) -> Self {
        Pagination {
            page,
            page_size,
            total,
            has_more: page * page_size < total,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ConversationsResponse {
    pub conversations: Vec<ConversationSummary>,
    pub pagination: Pagination,
}

impl ConversationsResponse {
    fn page(list: support_chat_store::ListPage, page: i64, page_size: i64) -> Self {
        ConversationsResponse {
            pagination: Pagination::of(page, page_size, list.total),
            conversations: list.items,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationDetailsResponse {
    pub conversation: Conversation,
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Whether older messages exist before the first one here.
    pub has_more: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedConversation {
    pub conversation: Conversation,
    pub message: Message,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateConversationRequest {
    pub subject: String,
    pub initial_message: String,
    pub priority: Option<String>,
    /// Extra context (e.g. from the host app), at most 32 KiB of JSON.
    #[schema(value_type = Option<Object>)]
    pub context: Option<serde_json::Value>,
    pub client_message_id: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateConversationRequest {
    pub status: Option<String>,
    pub priority: Option<String>,
    /// An admin's id to assign, or `null` to unassign.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<i64>)]
    pub admin_id: Option<Option<i64>>,
    pub subject: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageRequest {
    pub conversation_id: i64,
    pub content: String,
    /// A client-made UUID: sending the same one again returns the same message.
    pub client_message_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadResponse {
    pub conversation_id: ConversationId,
    pub last_read_message_id: MessageId,
    pub unread_count: i64,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `open`, `in_progress`, `closed` or `transferred`.
    pub status: Option<String>,
    pub page: Option<i64>,
    /// 1..=100, default 20.
    pub page_size: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DetailParams {
    /// Messages before this id (older page); newest page when absent.
    pub before_id: Option<i64>,
    /// 1..=200, default 50.
    pub limit: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AdminListParams {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub admin_id: Option<i64>,
    /// Only conversations nobody is assigned to.
    pub unassigned: Option<bool>,
    pub tag: Option<String>,
    /// Text to find in the subject or the last message.
    pub q: Option<String>,
    /// `newest` (default), `oldest`, `created`, `priority`, `waiting`.
    pub sort: Option<String>,
    /// Archived conversations instead of live ones.
    pub archived: Option<bool>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkRequest {
    /// 1..=100 conversation ids.
    pub ids: Vec<i64>,
    /// `close`, `assign`, `tag`, `archive` or `restore`.
    pub action: String,
    /// For `assign`: the admin, or `null` to unassign.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<i64>)]
    pub admin_id: Option<Option<i64>>,
    /// For `tag`.
    pub tags: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkResponse {
    /// How many conversations the action changed.
    pub updated: u64,
}

#[derive(Serialize, ToSchema)]
pub struct AdminsResponse {
    pub admins: Vec<PersonRef>,
}

// ---- handlers ----------------------------------------------------------------------------------

/// The caller's conversations (an admin's: everyone's), most recent activity first.
#[utoipa::path(get, path = "/conversations", tag = "support-chat", params(ListParams),
    responses((status = 200, body = ConversationsResponse), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
async fn list_conversations(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<axum::Json<ConversationsResponse>> {
    let mut errors = FieldErrors::new();
    let status = parse_enum::<ConversationStatus>(&mut errors, "status", p.status.as_deref());
    let (page, size) = page_params(&mut errors, p.page, p.page_size);
    errors.into_result()?;
    let list = if who.is_admin() {
        let f = AdminListFilter {
            status,
            ..Default::default()
        };
        state
            .store
            .list_admin_conversations(who.user.id, &f, AdminSort::Newest, page, size)
            .await?
    } else {
        state
            .store
            .list_user_conversations(who.user.id, status, page, size)
            .await?
    };
    Ok(axum::Json(ConversationsResponse::page(list, page, size)))
}

/// Opens a conversation with its first message. Repeating the request with the same
/// `clientMessageId` returns the conversation it opened (200) instead of a second one.
#[utoipa::path(post, path = "/conversations", tag = "support-chat", request_body = CreateConversationRequest,
    responses((status = 201, body = CreatedConversation), (status = 200, body = CreatedConversation), (status = 400, body = ErrorResponse), (status = 429, body = ErrorResponse)))]
async fn create_conversation(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
    ApiJson(req): ApiJson<CreateConversationRequest>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let subject = errors.check("subject", Subject::parse(&req.subject));
    let body = errors.check(
        "initialMessage",
        MessageBody::parse(&req.initial_message)
            .map_err(|e| e.replace("content", "initialMessage")),
    );
    let priority = parse_enum::<Priority>(&mut errors, "priority", req.priority.as_deref())
        .unwrap_or(Priority::Normal);
    let cmid = req
        .client_message_id
        .as_deref()
        .and_then(|c| errors.check("clientMessageId", ClientMessageId::parse(c)));
    if let Some(ctx) = &req.context {
        let size = serde_json::to_vec(ctx)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > MAX_CONTEXT_BYTES {
            errors.add(
                "context",
                format!("context must be at most {MAX_CONTEXT_BYTES} bytes of JSON"),
            );
        }
    }
    let (Some(subject), Some(body)) = (subject, body) else {
        return Err(errors.into());
    };
    errors.into_result()?;
    if let Err(limited) = state.check_send_limit(who.user.id, who.user.role).await {
        // A retry that opened a conversation before is still answered.
        if let Some(cmid) = &cmid
            && let Some(existing) = state
                .store
                .message_by_client_id(who.user.id, cmid.as_str())
                .await?
        {
            let conversation = visible(&state, &who, existing.conversation_id).await?;
            return Ok((
                StatusCode::OK,
                axum::Json(CreatedConversation {
                    conversation,
                    message: existing,
                }),
            )
                .into_response());
        }
        return Err(limited);
    }
    let (conversation, message, created) = state
        .store
        .create_conversation(NewConversation {
            user_id: who.user.id,
            user_name: who.user.name.clone(),
            subject: subject.into_inner(),
            initial_message: body.into_inner(),
            priority,
            kind: ConversationType::Support,
            context: req.context,
            client_message_id: cmid.map(ClientMessageId::into_inner),
            first_message_type: support_chat_domain::MessageType::Text,
            from_assistant_session: None,
        })
        .await?;
    let conversation = for_viewer(conversation, &who);
    let status = if created {
        tracing::info!(conversation.id = %conversation.id, user.id = %who.user.id, "conversation opened");
        state.publish_created(&conversation, &message);
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        axum::Json(CreatedConversation {
            conversation,
            message,
        }),
    )
        .into_response())
}

/// A conversation and a page of its messages (oldest first; newest page by default).
#[utoipa::path(get, path = "/conversations/{id}", tag = "support-chat", params(("id" = i64, Path), DetailParams),
    responses((status = 200, body = ConversationDetailsResponse), (status = 404, body = ErrorResponse)))]
async fn get_conversation(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<DetailParams>,
) -> ApiResult<axum::Json<ConversationDetailsResponse>> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "limit must be between 1 and 200"));
    }
    let conversation = visible(&state, &who, ConversationId(id)).await?;
    let (messages, has_more) = state
        .store
        .messages_page(conversation.id, p.before_id.map(MessageId), limit)
        .await?;
    Ok(axum::Json(ConversationDetailsResponse {
        conversation,
        messages,
        has_more,
    }))
}

/// Changes status, priority, assignee or subject. Users may only close or reopen their own
/// conversation; admins may change everything.
#[utoipa::path(put, path = "/conversations/{id}", tag = "support-chat", params(("id" = i64, Path)), request_body = UpdateConversationRequest,
    responses((status = 200, body = Conversation), (status = 400, body = ErrorResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
async fn update_conversation(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<UpdateConversationRequest>,
) -> ApiResult<axum::Json<Conversation>> {
    let mut errors = FieldErrors::new();
    let status = parse_enum::<ConversationStatus>(&mut errors, "status", req.status.as_deref());
    let priority = parse_enum::<Priority>(&mut errors, "priority", req.priority.as_deref());
    let subject = req
        .subject
        .as_deref()
        .and_then(|s| errors.check("subject", Subject::parse(s)));
    errors.into_result()?;
    let conversation = visible(&state, &who, ConversationId(id)).await?;
    if !who.is_admin() {
        let only_status = priority.is_none() && req.admin_id.is_none() && subject.is_none();
        let allowed = matches!(
            status,
            Some(ConversationStatus::Closed | ConversationStatus::Open)
        );
        if !(only_status && allowed) {
            return Err(ApiError::forbidden(
                "You can only close or reopen your own conversation.",
            ));
        }
    }
    let patch = ConversationPatch {
        status,
        priority,
        admin_id: req.admin_id.map(|a| a.map(UserId)),
        subject: subject.map(Subject::into_inner),
    };
    apply_patch(&state, &[conversation.id], &patch).await?;
    state.publish_change(
        conversation.id,
        Some(conversation.user.id),
        change_of(&patch),
    );
    Ok(axum::Json(visible(&state, &who, conversation.id).await?))
}

/// What a patch changes, as told to sockets.
fn change_of(patch: &ConversationPatch) -> ConversationChange {
    ConversationChange {
        status: patch.status.map(|s| s.as_str().to_owned()),
        priority: patch.priority.map(|p| p.as_str().to_owned()),
        admin_id: patch.admin_id,
        subject: patch.subject.clone(),
        ..Default::default()
    }
}

/// Tells sockets about a change to each of `ids`.
async fn announce(state: &AppState, ids: &[ConversationId], change: &ConversationChange) {
    for &id in ids {
        let owner = state.conversation_owner(id).await.ok().flatten();
        if owner.is_some() {
            state.publish_change(id, owner, change.clone());
        }
    }
}

/// Applies a patch to conversations in one transaction; returns how many exist and changed.
async fn apply_patch(
    state: &AppState,
    ids: &[ConversationId],
    patch: &ConversationPatch,
) -> ApiResult<u64> {
    state
        .store
        .update_conversations(ids, patch)
        .await
        .map_err(|e| match e {
            support_chat_store::StoreError::Conflict(m) if m.contains("adminId") => {
                let mut f = FieldErrors::new();
                f.add("adminId", "adminId must be the id of an admin");
                ApiError::Unprocessable(f)
            }
            other => other.into(),
        })
}

/// Closes a conversation (soft: it stays readable and can be reopened).
#[utoipa::path(delete, path = "/conversations/{id}", tag = "support-chat", params(("id" = i64, Path)),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorResponse)))]
async fn close_conversation(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Conversation>> {
    let conversation = visible(&state, &who, ConversationId(id)).await?;
    let patch = ConversationPatch {
        status: Some(ConversationStatus::Closed),
        ..Default::default()
    };
    apply_patch(&state, &[conversation.id], &patch).await?;
    state.publish_change(
        conversation.id,
        Some(conversation.user.id),
        change_of(&patch),
    );
    Ok(axum::Json(visible(&state, &who, conversation.id).await?))
}

/// Sends a message. With `clientMessageId`, repeating the request returns the stored message
/// (200) instead of storing a second copy (201).
#[utoipa::path(post, path = "/messages", tag = "support-chat", request_body = SendMessageRequest,
    responses((status = 201, body = Message), (status = 200, body = Message), (status = 400, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 429, body = ErrorResponse)))]
async fn send_message(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
    ApiJson(req): ApiJson<SendMessageRequest>,
) -> ApiResult<Response> {
    let mut errors = FieldErrors::new();
    let body = errors.check("content", MessageBody::parse(&req.content));
    let cmid = req
        .client_message_id
        .as_deref()
        .and_then(|c| errors.check("clientMessageId", ClientMessageId::parse(c)));
    let Some(body) = body else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let id = ConversationId(req.conversation_id);
    if !who.is_admin() {
        // Only the owner may write; anyone else learns nothing about the id.
        match state.conversation_owner(id).await? {
            Some(owner) if owner == who.user.id => {}
            _ => return Err(ApiError::NotFound),
        }
    }
    if let Err(limited) = state.check_send_limit(who.user.id, who.user.role).await {
        // A retry of a message that was stored is still answered.
        if let Some(cmid) = &cmid
            && let Some(existing) = state
                .store
                .message_by_client_id(who.user.id, cmid.as_str())
                .await?
            && existing.conversation_id == id
        {
            return Ok((StatusCode::OK, axum::Json(existing)).into_response());
        }
        return Err(limited);
    }
    let sent = state
        .store
        .send_message(NewMessage {
            conversation_id: id,
            sender_id: who.user.id,
            sender_type: who.user.role.sender_type(),
            sender_name: who.user.name.clone(),
            content: body.into_inner(),
            message_type: MessageType::Text,
            client_message_id: cmid.map(ClientMessageId::into_inner),
            metadata: None,
        })
        .await?;
    let status = if sent.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(sent.message)).into_response())
}

/// Marks a message, and everything before it in its conversation, read.
#[utoipa::path(put, path = "/messages/{id}", tag = "support-chat", params(("id" = i64, Path)),
    responses((status = 200, body = ReadResponse), (status = 404, body = ErrorResponse)))]
async fn mark_read(
    State(state): State<AppState>,
    ChatUser(who): ChatUser,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<ReadResponse>> {
    let (conversation, owner) = state
        .store
        .message_owner(MessageId(id))
        .await?
        .ok_or(ApiError::NotFound)?;
    if !who.is_admin() && owner != who.user.id {
        return Err(ApiError::NotFound);
    }
    let mark = state
        .store
        .mark_read(who.user.id, who.is_admin(), conversation, MessageId(id))
        .await?;
    state.publish_read(conversation, who.user.id, mark.last_read_message_id);
    let unread = state
        .store
        .conversation(conversation, who.user.id, who.is_admin())
        .await?
        .map_or(0, |c| c.unread_count);
    Ok(axum::Json(ReadResponse {
        conversation_id: conversation,
        last_read_message_id: mark.last_read_message_id,
        unread_count: unread,
    }))
}

/// Deletes a message (admins only): its content is replaced and the deletion audited.
#[utoipa::path(delete, path = "/messages/{id}", tag = "support-chat", params(("id" = i64, Path)),
    responses((status = 200, body = Message), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
async fn delete_message(
    State(state): State<AppState>,
    ChatAdmin(admin): ChatAdmin,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<Message>> {
    let message = state
        .store
        .soft_delete_message(MessageId(id), admin.user.id)
        .await?;
    tracing::info!(message.id = id, admin.id = %admin.user.id, "message deleted");
    announce(
        &state,
        &[message.conversation_id],
        &ConversationChange {
            deleted_message_id: Some(message.id),
            ..Default::default()
        },
    )
    .await;
    Ok(axum::Json(message))
}

/// Every conversation, filtered and sorted, for the admin queue.
#[utoipa::path(get, path = "/admin/conversations", tag = "support-chat admin", params(AdminListParams),
    responses((status = 200, body = ConversationsResponse), (status = 403, body = ErrorResponse)))]
async fn admin_list(
    State(state): State<AppState>,
    ChatAdmin(admin): ChatAdmin,
    ApiQuery(p): ApiQuery<AdminListParams>,
) -> ApiResult<axum::Json<ConversationsResponse>> {
    let mut errors = FieldErrors::new();
    let status = parse_enum::<ConversationStatus>(&mut errors, "status", p.status.as_deref());
    let priority = parse_enum::<Priority>(&mut errors, "priority", p.priority.as_deref());
    let sort = match p.sort.as_deref().unwrap_or("newest") {
        "newest" => AdminSort::Newest,
        "oldest" => AdminSort::Oldest,
        "created" => AdminSort::Created,
        "priority" => AdminSort::Priority,
        "waiting" => AdminSort::Waiting,
        _ => {
            errors.add(
                "sort",
                "sort must be one of: newest oldest created priority waiting",
            );
            AdminSort::Newest
        }
    };
    let q = p.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        errors.add("q", "q must be at most 200 characters");
    }
    let (page, size) = page_params(&mut errors, p.page, p.page_size);
    errors.into_result()?;
    let f = AdminListFilter {
        status,
        priority,
        admin_id: p.admin_id.map(UserId),
        unassigned: p.unassigned.unwrap_or(false),
        tag: p
            .tag
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty()),
        q,
        archived: p.archived.unwrap_or(false),
    };
    let list = state
        .store
        .list_admin_conversations(admin.user.id, &f, sort, page, size)
        .await?;
    Ok(axum::Json(ConversationsResponse::page(list, page, size)))
}

/// Queue figures: counts by status and priority, unassigned, urgent, response and resolution
/// times, messages today.
#[utoipa::path(get, path = "/admin/stats", tag = "support-chat admin",
    responses((status = 200, body = Stats), (status = 403, body = ErrorResponse)))]
async fn admin_stats(
    State(state): State<AppState>,
    ChatAdmin(_): ChatAdmin,
) -> ApiResult<axum::Json<Stats>> {
    Ok(axum::Json(state.store.stats().await?))
}

/// Admins, for assignment pickers.
#[utoipa::path(get, path = "/admin/admins", tag = "support-chat admin",
    responses((status = 200, body = AdminsResponse), (status = 403, body = ErrorResponse)))]
async fn admin_admins(
    State(state): State<AppState>,
    ChatAdmin(_): ChatAdmin,
) -> ApiResult<axum::Json<AdminsResponse>> {
    let admins = state.store.list_admins().await?;
    Ok(axum::Json(AdminsResponse {
        admins: admins
            .into_iter()
            .map(|u| PersonRef {
                id: u.id,
                name: u.name,
                email: Some(u.email),
            })
            .collect(),
    }))
}

/// Closes, assigns, tags, archives or restores many conversations at once.
#[utoipa::path(post, path = "/admin/conversations/bulk", tag = "support-chat admin", request_body = BulkRequest,
    responses((status = 200, body = BulkResponse), (status = 400, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
async fn admin_bulk(
    State(state): State<AppState>,
    ChatAdmin(_): ChatAdmin,
    ApiJson(req): ApiJson<BulkRequest>,
) -> ApiResult<axum::Json<BulkResponse>> {
    if req.ids.is_empty() || req.ids.len() > MAX_BULK {
        return Err(ApiError::field(
            "ids",
            format!("ids must hold 1 to {MAX_BULK} conversation ids"),
        ));
    }
    let mut ids: Vec<ConversationId> = req.ids.iter().copied().map(ConversationId).collect();
    ids.sort_unstable();
    ids.dedup();
    let updated = match req.action.as_str() {
        "close" | "assign" => {
            let patch = if req.action == "close" {
                ConversationPatch {
                    status: Some(ConversationStatus::Closed),
                    ..Default::default()
                }
            } else {
                let Some(admin) = req.admin_id else {
                    return Err(ApiError::field(
                        "adminId",
                        "adminId is required for assign (null unassigns)",
                    ));
                };
                ConversationPatch {
                    admin_id: Some(admin.map(UserId)),
                    ..Default::default()
                }
            };
            let n = apply_patch(&state, &ids, &patch).await?;
            announce(&state, &ids, &change_of(&patch)).await;
            n
        }
        "tag" => {
            let tags: Vec<String> = req
                .tags
                .unwrap_or_default()
                .iter()
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
                .collect();
            if tags.is_empty() || tags.len() > 20 || tags.iter().any(|t| t.chars().count() > 50) {
                return Err(ApiError::field(
                    "tags",
                    "tags must hold 1 to 20 tags of at most 50 characters",
                ));
            }
            let n = state.store.add_tags(&ids, &tags).await?;
            let change = ConversationChange {
                tags_added: Some(tags),
                ..Default::default()
            };
            announce(&state, &ids, &change).await;
            n
        }
        "archive" | "restore" => {
            let archived = req.action == "archive";
            let n = state.store.set_archived(&ids, archived).await?;
            let change = ConversationChange {
                archived: Some(archived),
                ..Default::default()
            };
            announce(&state, &ids, &change).await;
            n
        }
        _ => {
            return Err(ApiError::field(
                "action",
                "action must be one of: close assign tag archive restore",
            ));
        }
    };
    Ok(axum::Json(BulkResponse { updated }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_id_distinguishes_absent_from_null() {
        let absent: UpdateConversationRequest =
            serde_json::from_str(r#"{"status":"closed"}"#).unwrap();
        assert_eq!(absent.admin_id, None);
        let null: UpdateConversationRequest = serde_json::from_str(r#"{"adminId":null}"#).unwrap();
        assert_eq!(null.admin_id, Some(None));
        let set: UpdateConversationRequest = serde_json::from_str(r#"{"adminId":7}"#).unwrap();
        assert_eq!(set.admin_id, Some(Some(7)));
    }
}
