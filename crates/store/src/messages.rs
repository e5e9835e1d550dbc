//! Messages: the insert path (used by the group-commit writer and by conversation creation),
//! paging, read marks and moderation.

use crate::BeginWrite;
use crate::{Message, ReadMark, Store, StoreError, now, on_db};
use support_chat_domain::{ConversationId, MessageId, MessageType, SenderType, UserId};
use time::OffsetDateTime;

/// A message to store.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub conversation_id: ConversationId,
    pub sender_id: UserId,
    pub sender_type: SenderType,
    /// Copied into the returned message so no lookup is needed.
    pub sender_name: String,
    pub content: String,
    pub message_type: MessageType,
    pub client_message_id: Option<String>,
    pub metadata: Option<serde_json::Value>,
}

/// The stored message, and whether this call stored it (`false`: the same `clientMessageId`
/// was stored before and this is that message).
#[derive(Debug, Clone)]
pub struct SentMessage {
    pub message: Message,
    pub created: bool,
    /// Who a newly stored message concerns, as of its commit (`None` for a repeat).
    pub audience: Option<Audience>,
}

/// The people a conversation's new messages concern: its owner and the admin it is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    pub owner: UserId,
    pub assignee: Option<UserId>,
    /// The conversation's priority is urgent.
    pub urgent: bool,
}

/// Above every sequence number: no bound.
const NO_BOUND: &str = "9223372036854775807";

/// The sequence number of message `$2` when it belongs to conversation `$1`. Messages are
/// found and ordered through the unique `(conversation_id, seq)` index: ids and sequence
/// numbers rise together within a conversation, so a cursor given as a message id becomes a
/// bound on seq. Queries keep their condition on the id as well, which decides on its own
/// (by a longer scan) when the id is not one of the conversation's messages.
const SEQ_OF_2: &str =
    "(SELECT b.seq FROM support_messages b WHERE b.id = $2 AND b.conversation_id = $1)";

pub(crate) const MESSAGE_COLS: &str = "m.id, m.conversation_id, m.seq, m.sender_id, m.sender_type, \
     CASE WHEN m.sender_type = 'system' THEN 'System' ELSE u.name END AS sender_name, m.content, m.message_type, m.created_at, m.read_at, m.client_message_id, \
     m.deleted_at, m.metadata_json";

/// The message a sender (`$1`) stored with a `clientMessageId` (`$2`).
pub(crate) fn by_client_id_sql() -> String {
    format!(
        "SELECT {MESSAGE_COLS} FROM support_messages m JOIN users u ON u.id = m.sender_id
         WHERE m.sender_id = $1 AND m.client_message_id = $2"
    )
}

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: i64,
    conversation_id: i64,
    seq: i64,
    sender_id: i64,
    #[sqlx(try_from = "String")]
    sender_type: SenderType,
    sender_name: String,
    content: String,
    #[sqlx(try_from = "String")]
    message_type: MessageType,
    created_at: OffsetDateTime,
    read_at: Option<OffsetDateTime>,
    client_message_id: Option<String>,
    deleted_at: Option<OffsetDateTime>,
    metadata_json: Option<sqlx::types::Json<serde_json::Value>>,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Message {
            id: MessageId(r.id),
            conversation_id: ConversationId(r.conversation_id),
            seq: r.seq,
            sender_id: UserId(r.sender_id),
            sender_type: r.sender_type,
            sender_name: r.sender_name,
            content: r.content,
            message_type: r.message_type,
            created_at: r.created_at,
            read_at: r.read_at,
            client_message_id: r.client_message_id,
            deleted_at: r.deleted_at,
            metadata: r.metadata_json.map(|j| j.0),
        }
    }
}

impl Store {
    /// Stores a message through the group-commit writer: concurrent sends share one
    /// transaction. Returns once the transaction has committed.
    pub async fn send_message(&self, m: NewMessage) -> Result<SentMessage, StoreError> {
        self.writer.submit(m).await
    }

    /// The message `sender` stored with this `clientMessageId`, if any.
    pub async fn message_by_client_id(
        &self,
        sender: UserId,
        client_message_id: &str,
    ) -> Result<Option<Message>, StoreError> {
        let sql = sqlx::AssertSqlSafe(by_client_id_sql());
        let row = on_db!(self, pool => sqlx::query_as::<_, MessageRow>(sql)
            .bind(sender.0).bind(client_message_id).fetch_optional(pool).await)?;
        Ok(row.map(Message::from))
    }

    /// A page of messages, oldest first: the newest `limit` by default, or the `limit` just
    /// before `before`.
    pub async fn messages_page(
        &self,
        conversation: ConversationId,
        before: Option<MessageId>,
        limit: i64,
    ) -> Result<(Vec<Message>, bool), StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLS} FROM support_messages m JOIN users u ON u.id = m.sender_id
             WHERE m.conversation_id = $1 AND m.id < $2
               AND m.seq < COALESCE({SEQ_OF_2}, {NO_BOUND}) ORDER BY m.seq DESC LIMIT $3"
        ));
        let before = before.map_or(i64::MAX, |b| b.0);
        let mut rows = on_db!(self, pool => sqlx::query_as::<_, MessageRow>(sql)
            .bind(conversation.0).bind(before).bind(limit + 1).fetch_all(pool).await)?;
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        rows.reverse();
        Ok((rows.into_iter().map(Message::from).collect(), has_more))
    }

    /// The newest message's sequence number and id (`(0, 0)` before any message); `None` if
    /// the conversation does not exist.
    pub async fn conversation_head(
        &self,
        conversation: ConversationId,
    ) -> Result<Option<(i64, MessageId)>, StoreError> {
        let row = on_db!(self, pool => sqlx::query_as::<_, (i64, Option<i64>)>(
            "SELECT c.last_seq, (SELECT m.id FROM support_messages m
                                 WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1)
             FROM conversations c WHERE c.id = $1")
            .bind(conversation.0).fetch_optional(pool).await)?;
        Ok(row.map(|(seq, id)| (seq, MessageId(id.unwrap_or(0)))))
    }

    /// Up to `limit` messages with a sequence number above `seq`, in order (filling a hole in
    /// a live stream).
    pub async fn messages_after_seq(
        &self,
        conversation: ConversationId,
        seq: i64,
        limit: i64,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLS} FROM support_messages m JOIN users u ON u.id = m.sender_id
             WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        ));
        let rows = on_db!(self, pool => sqlx::query_as::<_, MessageRow>(sql)
            .bind(conversation.0).bind(seq).bind(limit).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Message::from).collect())
    }

    /// The sequence number and id of the newest message up to and including id `upto`
    /// (`(0, 0)` if none): where a client that has everything up to `upto` stands.
    pub async fn seq_at(
        &self,
        conversation: ConversationId,
        upto: MessageId,
    ) -> Result<(i64, MessageId), StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT m.seq, m.id FROM support_messages m WHERE m.conversation_id = $1 AND m.id <= $2
               AND m.seq <= COALESCE({SEQ_OF_2}, {NO_BOUND}) ORDER BY m.seq DESC LIMIT 1"
        ));
        let row = on_db!(self, pool => sqlx::query_as::<_, (i64, i64)>(sql)
            .bind(conversation.0).bind(upto.0).fetch_optional(pool).await)?;
        Ok(row.map_or((0, MessageId(0)), |(seq, id)| (seq, MessageId(id))))
    }

    /// Up to `limit` messages after `since`, oldest first (for catching up).
    pub async fn messages_since(
        &self,
        conversation: ConversationId,
        since: MessageId,
        limit: i64,
    ) -> Result<Vec<Message>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLS} FROM support_messages m JOIN users u ON u.id = m.sender_id
             WHERE m.conversation_id = $1 AND m.id > $2
               AND m.seq > COALESCE({SEQ_OF_2}, 0) ORDER BY m.seq LIMIT $3"
        ));
        let rows = on_db!(self, pool => sqlx::query_as::<_, MessageRow>(sql)
            .bind(conversation.0).bind(since.0).bind(limit).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Message::from).collect())
    }

    /// The conversation a message belongs to and that conversation's owner.
    pub async fn message_owner(
        &self,
        message: MessageId,
    ) -> Result<Option<(ConversationId, UserId)>, StoreError> {
        let row = on_db!(self, pool => sqlx::query_as::<_, (i64, i64)>(
            "SELECT c.id, c.user_id FROM support_messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.id = $1")
            .bind(message.0).fetch_optional(pool).await)?;
        Ok(row.map(|(c, u)| (ConversationId(c), UserId(u))))
    }

    /// Marks `message` and everything before it in its conversation read by `reader`.
    /// Read marks only move forward. Messages from the other side get their `readAt`.
    pub async fn mark_read(
        &self,
        reader: UserId,
        reader_is_admin: bool,
        conversation: ConversationId,
        message: MessageId,
    ) -> Result<ReadMark, StoreError> {
        let t = now();
        let role = if reader_is_admin { "admin" } else { "user" };
        let mark = on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mark = sqlx::query_scalar::<_, i64>(
                "INSERT INTO conversation_participants (conversation_id, user_id, role, joined_at, last_read_at, last_read_message_id)
                 VALUES ($1, $2, $3, $4, $4, $5)
                 ON CONFLICT (conversation_id, user_id) DO UPDATE SET
                    last_read_at = excluded.last_read_at,
                    last_read_message_id = CASE WHEN excluded.last_read_message_id > conversation_participants.last_read_message_id
                        THEN excluded.last_read_message_id ELSE conversation_participants.last_read_message_id END
                 RETURNING last_read_message_id")
                .bind(conversation.0).bind(reader.0).bind(role).bind(t).bind(message.0)
                .fetch_one(&mut *tx).await?;
            // The other side's messages up to here are now read.
            let other_side = if reader_is_admin { "m.sender_type = 'user'" } else { "m.sender_type <> 'user'" };
            let sql = sqlx::AssertSqlSafe(format!(
                "UPDATE support_messages SET read_at = $3 WHERE id IN (
                    SELECT m.id FROM support_messages m WHERE m.conversation_id = $1 AND m.id <= $2
                      AND m.seq <= COALESCE({SEQ_OF_2}, {NO_BOUND})
                      AND m.read_at IS NULL AND {other_side})"));
            sqlx::query(sql).bind(conversation.0).bind(message.0).bind(t).execute(&mut *tx).await?;
            tx.commit().await?;
            mark
        });
        Ok(ReadMark {
            conversation_id: conversation,
            user_id: reader,
            last_read_message_id: MessageId(mark),
        })
    }

    /// Soft-deletes a message: its content is replaced, and who did it is kept in the audit log.
    pub async fn soft_delete_message(
        &self,
        message: MessageId,
        by: UserId,
    ) -> Result<Message, StoreError> {
        let t = now();
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(
                "UPDATE support_messages SET content = '[message deleted]', deleted_at = $2, deleted_by = $3,
                        metadata_json = NULL
                 WHERE id = $1 AND deleted_at IS NULL")
                .bind(message.0).bind(t).bind(by.0).execute(&mut *tx).await?.rows_affected();
            if n > 0 {
                // The conversation's preview must not keep the deleted text.
                sqlx::query(
                    "UPDATE conversations SET last_message_preview = '[message deleted]'
                     FROM (SELECT conversation_id, seq FROM support_messages WHERE id = $1) d
                     WHERE conversations.id = d.conversation_id AND conversations.last_seq = d.seq")
                    .bind(message.0).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO audit_log (actor_id, action, target_type, target_id, created_at)
                             VALUES ($1, 'message.delete', 'message', $2, $3)")
                    .bind(by.0).bind(message.0).bind(t).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLS} FROM support_messages m JOIN users u ON u.id = m.sender_id WHERE m.id = $1"
        ));
        let row = on_db!(self, pool => sqlx::query_as::<_, MessageRow>(sql).bind(message.0).fetch_optional(pool).await)?;
        row.map(Message::from).ok_or(StoreError::NotFound)
    }

    /// Posts a system message (status changes and the like) through the normal insert path.
    pub async fn post_system_message(
        &self,
        conversation: ConversationId,
        actor: UserId,
        content: String,
    ) -> Result<SentMessage, StoreError> {
        self.send_message(NewMessage {
            conversation_id: conversation,
            sender_id: actor,
            sender_type: SenderType::System,
            sender_name: "System".into(),
            content,
            message_type: MessageType::System,
            client_message_id: None,
            metadata: None,
        })
        .await
    }
}
