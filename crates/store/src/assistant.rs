//! The AI assistant's stored conversations: one person's sessions and their turns.

use crate::{Store, StoreError, now, on_db};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use support_chat_domain::{ArticleId, AssistantSessionId, UserId};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A person's conversation with the assistant.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct AssistantSession {
    #[sqlx(try_from = "i64")]
    pub id: AssistantSessionId,
    /// The first question, shortened.
    pub title: String,
    /// Set once the session was handed to a human: the support conversation it became.
    #[schema(value_type = Option<i64>)]
    pub handoff_conversation_id: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// An article an answer was taken from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceRef {
    pub article_id: ArticleId,
    pub slug: String,
    pub title: String,
}

/// Who wrote an assistant turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TurnRole {
    User,
    Assistant,
}

impl TurnRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TurnRole::User => "user",
            TurnRole::Assistant => "assistant",
        }
    }
}

impl TryFrom<String> for TurnRole {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "user" => Ok(TurnRole::User),
            "assistant" => Ok(TurnRole::Assistant),
            other => Err(format!("unknown assistant turn role {other}")),
        }
    }
}

/// How an assistant answer was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnsweredBy {
    /// The built-in retrieval answerer.
    Offline,
    /// The configured language model.
    Llm,
    /// The language model failed; the built-in answerer answered instead.
    Fallback,
}

impl AnsweredBy {
    pub fn as_str(self) -> &'static str {
        match self {
            AnsweredBy::Offline => "offline",
            AnsweredBy::Llm => "llm",
            AnsweredBy::Fallback => "fallback",
        }
    }
}

impl TryFrom<String> for AnsweredBy {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "offline" => Ok(AnsweredBy::Offline),
            "llm" => Ok(AnsweredBy::Llm),
            "fallback" => Ok(AnsweredBy::Fallback),
            other => Err(format!("unknown answerer {other}")),
        }
    }
}

/// One turn of an assistant session.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssistantTurn {
    pub id: i64,
    pub role: TurnRole,
    pub content: String,
    /// Articles the answer cites (assistant turns; empty when none).
    pub sources: Vec<SourceRef>,
    /// How sure the answerer was, 0..1 (assistant turns).
    pub confidence: Option<f64>,
    pub answered_by: Option<AnsweredBy>,
    /// The language model called its hand-off tool with this answer (assistant turns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm_handoff: Option<LlmHandoff>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The language model's call of `handoff_to_human`, as far as it filled it in. Category and
/// urgency are the assistant's wire names (`billing`, `high`, …), checked by the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LlmHandoff {
    pub reason: Option<String>,
    pub category: Option<String>,
    pub urgency: Option<String>,
    pub summary: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TurnRow {
    id: i64,
    role: String,
    content: String,
    sources: Option<Json<Vec<SourceRef>>>,
    confidence: Option<f64>,
    answered_by: Option<String>,
    llm_handoff: Option<Json<LlmHandoff>>,
    created_at: OffsetDateTime,
}

impl From<TurnRow> for AssistantTurn {
    fn from(r: TurnRow) -> Self {
        // The table's CHECK rules keep role and answered_by to the known values.
        AssistantTurn {
            id: r.id,
            role: TurnRole::try_from(r.role).unwrap_or(TurnRole::Assistant),
            content: r.content,
            sources: r.sources.map(|Json(v)| v).unwrap_or_default(),
            confidence: r.confidence,
            answered_by: r.answered_by.and_then(|s| AnsweredBy::try_from(s).ok()),
            llm_handoff: r.llm_handoff.map(|Json(h)| h),
            created_at: r.created_at,
        }
    }
}

/// A turn to store.
#[derive(Debug, Clone)]
pub struct NewTurn {
    pub role: TurnRole,
    pub content: String,
    pub sources: Vec<SourceRef>,
    pub confidence: Option<f64>,
    pub answered_by: Option<AnsweredBy>,
    pub llm_handoff: Option<LlmHandoff>,
}

const SESSION_COLS: &str = "id, title, handoff_conversation_id, created_at, updated_at";
const TURN_COLS: &str =
    "id, role, content, sources, confidence, answered_by, llm_handoff, created_at";

impl Store {
    pub async fn create_assistant_session(
        &self,
        user: UserId,
        title: &str,
    ) -> Result<AssistantSession, StoreError> {
        let t = now();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO assistant_sessions (user_id, title, created_at, updated_at)
             VALUES ($1, $2, $3, $3) RETURNING {SESSION_COLS}"
        ));
        Ok(
            on_db!(self, pool => sqlx::query_as::<_, AssistantSession>(sql)
            .bind(user.0).bind(title).bind(t).fetch_one(pool).await)?,
        )
    }

    /// The person's sessions, most recently used first (at most `limit`).
    pub async fn assistant_sessions(
        &self,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<AssistantSession>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLS} FROM assistant_sessions WHERE user_id = $1
             ORDER BY updated_at DESC, id DESC LIMIT $2"
        ));
        Ok(
            on_db!(self, pool => sqlx::query_as::<_, AssistantSession>(sql)
            .bind(user.0).bind(limit).fetch_all(pool).await)?,
        )
    }

    /// A session of `user`'s; `None` for anyone else's.
    pub async fn assistant_session(
        &self,
        id: AssistantSessionId,
        user: UserId,
    ) -> Result<Option<AssistantSession>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLS} FROM assistant_sessions WHERE id = $1 AND user_id = $2"
        ));
        Ok(
            on_db!(self, pool => sqlx::query_as::<_, AssistantSession>(sql)
            .bind(id.0).bind(user.0).fetch_optional(pool).await)?,
        )
    }

    /// The last `limit` turns of a session, oldest first.
    pub async fn assistant_turns(
        &self,
        id: AssistantSessionId,
        limit: i64,
    ) -> Result<Vec<AssistantTurn>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT * FROM (SELECT {TURN_COLS} FROM assistant_messages WHERE session_id = $1
             ORDER BY id DESC LIMIT $2) AS latest ORDER BY id"
        ));
        let rows = on_db!(self, pool => sqlx::query_as::<_, TurnRow>(sql)
            .bind(id.0).bind(limit).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(AssistantTurn::from).collect())
    }

    /// Stores a turn and marks the session used.
    pub async fn add_assistant_turn(
        &self,
        id: AssistantSessionId,
        turn: &NewTurn,
    ) -> Result<AssistantTurn, StoreError> {
        let t = now();
        let sources = (!turn.sources.is_empty()).then_some(Json(&turn.sources));
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO assistant_messages (session_id, role, content, sources, confidence, answered_by, llm_handoff, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {TURN_COLS}"
        ));
        on_db!(self, pool => {
            let mut tx = crate::BeginWrite::begin_write(pool).await?;
            let row = sqlx::query_as::<_, TurnRow>(sql)
                .bind(id.0).bind(turn.role.as_str()).bind(&turn.content).bind(sources)
                .bind(turn.confidence).bind(turn.answered_by.map(AnsweredBy::as_str))
                .bind(turn.llm_handoff.as_ref().map(Json)).bind(t)
                .fetch_one(&mut *tx).await?;
            sqlx::query("UPDATE assistant_sessions SET updated_at = $2 WHERE id = $1")
                .bind(id.0).bind(t).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(AssistantTurn::from(row))
        })
    }

    /// Gives a session a new title.
    pub async fn rename_assistant_session(
        &self,
        id: AssistantSessionId,
        title: &str,
    ) -> Result<(), StoreError> {
        on_db!(self, pool => sqlx::query("UPDATE assistant_sessions SET title = $2 WHERE id = $1")
            .bind(id.0).bind(title).execute(pool).await.map(|_| ()))?;
        Ok(())
    }
}
