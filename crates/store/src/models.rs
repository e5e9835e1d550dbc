//! What the store returns. These are also the JSON shapes of the API (camelCase, the plan's
//! field names), so a row is never copied into a second, nearly identical struct.

use serde::Serialize;
use support_chat_domain::{
    ConversationId, ConversationStatus, ConversationType, MessageId, MessageType, Priority, Role,
    SenderType, UserId,
};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A person who can sign in.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[sqlx(try_from = "i64")]
    pub id: UserId,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// Set for users signed in through the host app's single sign-on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip)]
    pub password_hash: Option<String>,
    #[serde(skip)]
    pub created_at: OffsetDateTime,
}

/// A signed-in browser session (the cookie holds a token whose hash is the id).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    #[sqlx(try_from = "i64")]
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A session as its owner sees it in a list.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// A short, non-secret handle (a prefix of the stored hash).
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen_at: OffsetDateTime,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// A personal API token (the secret itself is shown once, at creation).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// A feature flag and who it is on for.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeatureFlag {
    pub key: String,
    pub display_name: String,
    pub description: String,
    pub enabled: bool,
    pub default_enabled: bool,
    pub rollout_percent: i64,
    /// Roles the flag is limited to; absent means every role.
    pub roles: Option<Vec<Role>>,
}

/// How someone wants to be told about new messages. Saved on the server so every browser and
/// device they sign in from follows the same settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPreferences {
    /// Show a browser (system) notification when the app's tab is in the background.
    pub browser: bool,
    /// Play a short tone for a new message.
    pub sound: bool,
    /// Email me about urgent conversations. Stored only: email delivery is not built yet.
    pub email_urgent: bool,
}

impl Default for NotificationPreferences {
    /// What someone who never changed anything gets.
    fn default() -> Self {
        Self {
            browser: true,
            sound: true,
            email_urgent: false,
        }
    }
}

/// Another person as shown beside a conversation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PersonRef {
    pub id: UserId,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One row of a conversation list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub subject: String,
    pub status: ConversationStatus,
    pub priority: Priority,
    #[serde(rename = "type")]
    pub kind: ConversationType,
    pub last_message: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_message_at: Option<OffsetDateTime>,
    pub unread_count: i64,
    pub admin: Option<PersonRef>,
    /// The end user who opened it.
    pub user: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Milliseconds from opening to the first admin reply.
    pub first_response_ms: Option<i64>,
    pub tags: Vec<String>,
}

/// A whole conversation's header, as on its own page.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: ConversationId,
    pub subject: String,
    pub status: ConversationStatus,
    pub priority: Priority,
    #[serde(rename = "type")]
    pub kind: ConversationType,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub admin: Option<PersonRef>,
    pub user: PersonRef,
    /// Context handed over with the conversation (e.g. the AI assistant's hand-off).
    #[schema(value_type = Option<Object>)]
    pub context: Option<serde_json::Value>,
    pub transferred_from_conversation_id: Option<ConversationId>,
    pub last_message_id: Option<MessageId>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_message_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_response_at: Option<OffsetDateTime>,
    pub first_response_ms: Option<i64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub archived_at: Option<OffsetDateTime>,
    /// How many messages the asking user has not read (for an admin: user messages they have not read).
    pub unread_count: i64,
    pub tags: Vec<String>,
}

/// One message in a conversation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// Position in the conversation, 1-based, assigned when stored.
    pub seq: i64,
    pub sender_id: UserId,
    pub sender_type: SenderType,
    pub sender_name: String,
    pub content: String,
    pub message_type: MessageType,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the other side read it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
}

/// A participant's read position, for read receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadMark {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    pub last_read_message_id: MessageId,
}
