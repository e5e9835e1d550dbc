//! Conversations: creation with the first message, lists with unread counts, updates.

use crate::BeginWrite;
use crate::batch::insert_batch;
use crate::{
    Conversation, ConversationSummary, Message, NewMessage, PersonRef, Store, StoreError, now,
    on_db,
};
use support_chat_domain::{
    ConversationId, ConversationStatus, ConversationType, MessageId, MessageType, Priority,
    SenderType, UserId,
};
use time::OffsetDateTime;

/// A conversation to open, with its first message.
#[derive(Debug, Clone)]
pub struct NewConversation {
    pub user_id: UserId,
    pub user_name: String,
    pub subject: String,
    pub initial_message: String,
    pub priority: Priority,
    pub kind: ConversationType,
    pub context: Option<serde_json::Value>,
    pub client_message_id: Option<String>,
    /// The first message's type: `text`, or `handoff` for an AI assistant hand-off.
    pub first_message_type: MessageType,
    /// For a hand-off: the assistant session it comes from. The session is linked to the new
    /// conversation in the same transaction; a session linked before makes this `Conflict`
    /// and nothing is created.
    pub from_assistant_session: Option<support_chat_domain::AssistantSessionId>,
}

/// Fields to change; `None` leaves a field as it is. `admin_id: Some(None)` unassigns.
#[derive(Debug, Clone, Default)]
pub struct ConversationPatch {
    pub status: Option<ConversationStatus>,
    pub priority: Option<Priority>,
    pub admin_id: Option<Option<UserId>>,
    pub subject: Option<String>,
}

/// Admin list filters.
#[derive(Debug, Clone, Default)]
pub struct AdminListFilter {
    pub status: Option<ConversationStatus>,
    pub priority: Option<Priority>,
    pub admin_id: Option<UserId>,
    pub unassigned: bool,
    pub tag: Option<String>,
    /// Case-insensitive substring of the subject or the last message.
    pub q: Option<String>,
    /// Archived conversations instead of live ones.
    pub archived: bool,
}

/// Admin list order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AdminSort {
    /// Most recent activity first.
    #[default]
    Newest,
    Oldest,
    /// Urgent first, then by activity.
    Priority,
    /// Waiting longest for a first answer first.
    Waiting,
    /// Most recently opened first.
    Created,
}

/// One page of a list and how many match in all.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub items: Vec<ConversationSummary>,
    pub total: i64,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    subject: String,
    #[sqlx(try_from = "String")]
    status: ConversationStatus,
    #[sqlx(try_from = "String")]
    priority: Priority,
    #[sqlx(try_from = "String")]
    kind: ConversationType,
    last_message_preview: Option<String>,
    last_message_at: Option<OffsetDateTime>,
    unread_count: i64,
    admin_id: Option<i64>,
    admin_name: Option<String>,
    user_id: i64,
    user_name: String,
    user_email: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    first_response_ms: Option<i64>,
    /// Tags joined with U+001F.
    tags: Option<String>,
    total_count: i64,
}

impl From<SummaryRow> for ConversationSummary {
    fn from(r: SummaryRow) -> Self {
        ConversationSummary {
            id: ConversationId(r.id),
            subject: r.subject,
            status: r.status,
            priority: r.priority,
            kind: r.kind,
            last_message: r.last_message_preview,
            last_message_at: r.last_message_at,
            unread_count: r.unread_count,
            admin: r.admin_id.map(|id| PersonRef {
                id: UserId(id),
                name: r.admin_name.unwrap_or_default(),
                email: None,
            }),
            user: PersonRef {
                id: UserId(r.user_id),
                name: r.user_name,
                email: Some(r.user_email),
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
            first_response_ms: r.first_response_ms,
            tags: split_tags(r.tags),
        }
    }
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    id: i64,
    subject: String,
    #[sqlx(try_from = "String")]
    status: ConversationStatus,
    #[sqlx(try_from = "String")]
    priority: Priority,
    #[sqlx(try_from = "String")]
    kind: ConversationType,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    admin_id: Option<i64>,
    admin_name: Option<String>,
    admin_email: Option<String>,
    user_id: i64,
    user_name: String,
    user_email: String,
    context_json: Option<sqlx::types::Json<serde_json::Value>>,
    transferred_from_conversation_id: Option<i64>,
    last_message_id: Option<i64>,
    last_message_at: Option<OffsetDateTime>,
    first_response_at: Option<OffsetDateTime>,
    first_response_ms: Option<i64>,
    closed_at: Option<OffsetDateTime>,
    archived_at: Option<OffsetDateTime>,
    unread_count: i64,
    /// Tags joined with U+001F.
    tags: Option<String>,
}

/// Unread messages for the viewer `$1`: for a user, everything not written by them; for an
/// admin, what the end user wrote. Counted after the viewer's read mark (always one of the
/// conversation's messages), from its sequence number on, so only the unread part of the
/// thread is read.
fn unread_sql(viewer_is_admin: bool) -> String {
    let theirs = if viewer_is_admin {
        "m.sender_type = 'user'"
    } else {
        "m.sender_id <> $1"
    };
    format!(
        "(SELECT COUNT(*) FROM support_messages m WHERE m.conversation_id = c.id
            AND m.seq > COALESCE((SELECT r.seq FROM support_messages r
                                  WHERE r.id = p.last_read_message_id), 0)
            AND {theirs})"
    )
}

const SUMMARY_COLS: &str = "c.id, c.subject, c.status, c.priority, c.type AS kind, \
    c.last_message_preview, c.last_message_at, c.admin_id, a.name AS admin_name, c.user_id, \
    u.name AS user_name, u.email AS user_email, c.created_at, c.updated_at, c.first_response_ms";

const SUMMARY_FROM: &str = "FROM conversations c JOIN users u ON u.id = c.user_id \
    LEFT JOIN users a ON a.id = c.admin_id \
    LEFT JOIN conversation_participants p ON p.conversation_id = c.id AND p.user_id = $1";

/// A value bound to a dynamically built query.
enum Arg {
    I(i64),
    S(String),
}

impl Store {
    /// Opens a conversation with its first message, in one transaction. With a
    /// `client_message_id` used before, nothing new is made: the conversation that message opened
    /// is returned with `false`.
    pub async fn create_conversation(
        &self,
        c: NewConversation,
    ) -> Result<(Conversation, Message, bool), StoreError> {
        if let Some(cmid) = &c.client_message_id
            && let Some(existing) = self.message_by_client_id(c.user_id, cmid).await?
        {
            let conversation = self
                .conversation(existing.conversation_id, c.user_id, false)
                .await?
                .ok_or(StoreError::NotFound)?;
            return Ok((conversation, existing, false));
        }
        let t = now();
        let first = NewMessage {
            conversation_id: ConversationId(0),
            sender_id: c.user_id,
            sender_type: SenderType::User,
            sender_name: c.user_name.clone(),
            content: c.initial_message.clone(),
            message_type: c.first_message_type,
            client_message_id: c.client_message_id.clone(),
            metadata: None,
        };
        let outcome = on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO conversations (user_id, status, type, subject, priority, created_at, updated_at,
                        last_activity_at, context_json)
                 VALUES ($1, 'open', $2, $3, $4, $5, $5, $5, $6) RETURNING id")
                .bind(c.user_id.0).bind(c.kind.as_str()).bind(c.subject.as_str())
                .bind(c.priority.as_str()).bind(t).bind(c.context.clone().map(sqlx::types::Json))
                .fetch_one(&mut *tx).await?;
            let m = NewMessage { conversation_id: ConversationId(id), ..first };
            let conn = &mut *tx;
            let sent = insert_batch!(conn, std::slice::from_ref(&m), t, matches!(self.db, crate::Db::Sqlite(_)))?
                .pop()
                .unwrap_or(Err(StoreError::NotFound))?;
            if !sent.created {
                // The same clientMessageId opened a conversation before: answer with that one.
                tx.rollback().await?;
                Err(sent.message)
            } else if let Some(session) = c.from_assistant_session
                && sqlx::query(
                    "UPDATE assistant_sessions SET handoff_conversation_id = $2, updated_at = $3
                     WHERE id = $1 AND user_id = $4 AND handoff_conversation_id IS NULL")
                    .bind(session.0).bind(id).bind(t).bind(c.user_id.0)
                    .execute(&mut *tx).await?.rows_affected() == 0
            {
                tx.rollback().await?;
                return Err(StoreError::Conflict(
                    "this assistant session was handed over already".into(),
                ));
            } else {
                tx.commit().await?;
                Ok((id, sent.message))
            }
        });
        let (id, message, created) = match outcome {
            Ok((id, message)) => (id, message, true),
            Err(existing) => (existing.conversation_id.0, existing, false),
        };
        let conversation = self
            .conversation(ConversationId(id), c.user_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((conversation, message, created))
    }

    /// A conversation's header with the viewer's unread count; `None` if it does not exist.
    pub async fn conversation(
        &self,
        id: ConversationId,
        viewer: UserId,
        viewer_is_admin: bool,
    ) -> Result<Option<Conversation>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT c.id, c.subject, c.status, c.priority, c.type AS kind, c.created_at, c.updated_at,
                    c.admin_id, a.name AS admin_name, a.email AS admin_email, c.user_id,
                    u.name AS user_name, u.email AS user_email, c.context_json,
                    c.transferred_from_conversation_id,
                    (SELECT mm.id FROM support_messages mm WHERE mm.conversation_id = c.id
                     ORDER BY mm.seq DESC LIMIT 1) AS last_message_id,
                    c.last_message_at, c.first_response_at, c.first_response_ms, c.closed_at, c.archived_at,
                    {unread} AS unread_count, {tags} AS tags
             {SUMMARY_FROM} WHERE c.id = $2",
            unread = unread_sql(viewer_is_admin),
            tags = self.tags_sql()
        ));
        let row = on_db!(self, pool => sqlx::query_as::<_, DetailRow>(sql)
            .bind(viewer.0).bind(id.0).fetch_optional(pool).await)?;
        let Some(r) = row else { return Ok(None) };
        let tags = split_tags(r.tags);
        Ok(Some(Conversation {
            id: ConversationId(r.id),
            subject: r.subject,
            status: r.status,
            priority: r.priority,
            kind: r.kind,
            created_at: r.created_at,
            updated_at: r.updated_at,
            admin: r.admin_id.map(|id| PersonRef {
                id: UserId(id),
                name: r.admin_name.unwrap_or_default(),
                email: r.admin_email,
            }),
            user: PersonRef {
                id: UserId(r.user_id),
                name: r.user_name,
                email: Some(r.user_email),
            },
            context: r.context_json.map(|j| j.0),
            transferred_from_conversation_id: r
                .transferred_from_conversation_id
                .map(ConversationId),
            last_message_id: r.last_message_id.map(MessageId),
            last_message_at: r.last_message_at,
            first_response_at: r.first_response_at,
            first_response_ms: r.first_response_ms,
            closed_at: r.closed_at,
            archived_at: r.archived_at,
            unread_count: r.unread_count,
            tags,
        }))
    }

    /// Who opened a conversation; `None` if it does not exist.
    pub async fn conversation_owner(
        &self,
        id: ConversationId,
    ) -> Result<Option<UserId>, StoreError> {
        let row = on_db!(self, pool => sqlx::query_scalar::<_, i64>(
            "SELECT user_id FROM conversations WHERE id = $1").bind(id.0).fetch_optional(pool).await)?;
        Ok(row.map(UserId))
    }

    /// A user's own conversations, most recent activity first.
    pub async fn list_user_conversations(
        &self,
        user: UserId,
        status: Option<ConversationStatus>,
        page: i64,
        page_size: i64,
    ) -> Result<ListPage, StoreError> {
        let mut where_sql = String::from("c.user_id = $1");
        let mut args = Vec::new();
        if let Some(s) = status {
            args.push(Arg::S(s.as_str().into()));
            where_sql.push_str(&format!(" AND c.status = ${}", args.len() + 1));
        }
        self.list_page(
            user,
            false,
            &where_sql,
            args,
            "c.last_activity_at DESC, c.id DESC",
            page,
            page_size,
        )
        .await
    }

    /// Every conversation matching the filter, for admins.
    pub async fn list_admin_conversations(
        &self,
        viewer: UserId,
        f: &AdminListFilter,
        sort: AdminSort,
        page: i64,
        page_size: i64,
    ) -> Result<ListPage, StoreError> {
        let mut where_sql = String::from(if f.archived {
            "c.archived_at IS NOT NULL"
        } else {
            "c.archived_at IS NULL"
        });
        let mut args: Vec<Arg> = Vec::new();
        let mut push = |sql: &str, arg: Arg, args: &mut Vec<Arg>| {
            args.push(arg);
            where_sql.push_str(&sql.replace("{}", &format!("${}", args.len() + 1)));
        };
        if let Some(s) = f.status {
            push(" AND c.status = {}", Arg::S(s.as_str().into()), &mut args);
        }
        if let Some(p) = f.priority {
            push(" AND c.priority = {}", Arg::S(p.as_str().into()), &mut args);
        }
        if let Some(a) = f.admin_id {
            push(" AND c.admin_id = {}", Arg::I(a.0), &mut args);
        }
        if let Some(tag) = &f.tag {
            push(
                " AND EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id AND t.tag = {})",
                Arg::S(tag.clone()),
                &mut args,
            );
        }
        if let Some(q) = &f.q {
            let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
            push(
                " AND (LOWER(c.subject) LIKE {} ESCAPE '\\' OR LOWER(COALESCE(c.last_message_preview, '')) LIKE {} ESCAPE '\\')",
                Arg::S(pattern),
                &mut args,
            );
        }
        if f.unassigned {
            where_sql.push_str(" AND c.admin_id IS NULL");
        }
        let order = match sort {
            AdminSort::Newest => "c.last_activity_at DESC, c.id DESC",
            AdminSort::Oldest => "c.last_activity_at ASC, c.id ASC",
            AdminSort::Created => "c.created_at DESC, c.id DESC",
            AdminSort::Priority => {
                "CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, \
                 c.last_activity_at DESC, c.id DESC"
            }
            AdminSort::Waiting => {
                "CASE WHEN c.first_response_at IS NULL AND c.status IN ('open', 'in_progress') THEN 0 ELSE 1 END, \
                 c.created_at ASC, c.id ASC"
            }
        };
        self.list_page(viewer, true, &where_sql, args, order, page, page_size)
            .await
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one private helper shared by both lists"
    )]
    async fn list_page(
        &self,
        viewer: UserId,
        viewer_is_admin: bool,
        where_sql: &str,
        args: Vec<Arg>,
        order: &str,
        page: i64,
        page_size: i64,
    ) -> Result<ListPage, StoreError> {
        let offset = (page.max(1) - 1) * page_size;
        let n = args.len();
        // One round trip: the page, each row's tags, and the total as an uncorrelated scalar
        // subquery (evaluated once) over the same filter under another alias.
        let tags = self.tags_sql();
        let count_where = where_sql.replace("c.", "cc.");
        let list_sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLS}, {unread} AS unread_count, {tags} AS tags,
                    (SELECT COUNT(*) FROM conversations cc WHERE {count_where}) AS total_count
             {SUMMARY_FROM}
             WHERE {where_sql} ORDER BY {order} LIMIT ${l} OFFSET ${o}",
            unread = unread_sql(viewer_is_admin),
            l = n + 2,
            o = n + 3
        ));
        let rows = on_db!(self, pool => {
            let mut q = sqlx::query_as::<_, SummaryRow>(list_sql).bind(viewer.0);
            for a in &args {
                match a {
                    Arg::I(v) => q = q.bind(*v),
                    Arg::S(v) => q = q.bind(v.as_str()),
                }
            }
            q.bind(page_size).bind(offset).fetch_all(pool).await?
        });
        let total = match rows.first() {
            Some(r) => r.total_count,
            None if offset == 0 => 0,
            // Past the last page: count on its own.
            None => {
                let count_sql = sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) FROM conversations c WHERE ($1 = $1) AND {where_sql}"
                ));
                on_db!(self, pool => {
                    let mut q = sqlx::query_scalar::<_, i64>(count_sql).bind(viewer.0);
                    for a in &args {
                        match a {
                            Arg::I(v) => q = q.bind(*v),
                            Arg::S(v) => q = q.bind(v.as_str()),
                        }
                    }
                    q.fetch_one(pool).await?
                })
            }
        };
        Ok(ListPage {
            items: rows.into_iter().map(ConversationSummary::from).collect(),
            total,
        })
    }

    /// A conversation's tags joined with U+001F, as a subquery over `c` (the one place the two
    /// dialects spell string aggregation differently).
    fn tags_sql(&self) -> &'static str {
        match self.backend() {
            crate::Backend::Sqlite => {
                "(SELECT group_concat(t.tag, char(31)) FROM conversation_tags t WHERE t.conversation_id = c.id)"
            }
            crate::Backend::Postgres => {
                "(SELECT string_agg(t.tag, chr(31) ORDER BY t.tag) FROM conversation_tags t WHERE t.conversation_id = c.id)"
            }
        }
    }

    /// Applies a patch; closing records the close time and resolution time, reopening clears
    /// them. `NotFound` if the conversation does not exist; an unknown admin is `Conflict`.
    pub async fn update_conversation(
        &self,
        id: ConversationId,
        patch: &ConversationPatch,
    ) -> Result<(), StoreError> {
        match self.update_conversations(&[id], patch).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    /// Applies one patch to many conversations in one transaction (all or nothing); ids that
    /// do not exist are skipped. Returns how many were changed.
    pub async fn update_conversations(
        &self,
        ids: &[ConversationId],
        patch: &ConversationPatch,
    ) -> Result<u64, StoreError> {
        let t = now();
        let status = patch.status.map(|s| s.as_str());
        let closing = patch.status == Some(ConversationStatus::Closed);
        let reopening = matches!(
            patch.status,
            Some(ConversationStatus::Open | ConversationStatus::InProgress)
        );
        let assign = patch.admin_id.is_some();
        let admin = patch.admin_id.flatten().map(|a| a.0);
        let n = on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            if let Some(a) = admin {
                let is_admin = sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM users WHERE id = $1 AND role = 'admin'")
                    .bind(a).fetch_one(&mut *tx).await?;
                if is_admin == 0 {
                    return Err(StoreError::Conflict("adminId is not an admin".into()));
                }
            }
            let mut n = 0;
            for id in ids {
                let created = sqlx::query_scalar::<_, OffsetDateTime>(
                    "SELECT created_at FROM conversations WHERE id = $1")
                    .bind(id.0).fetch_optional(&mut *tx).await?;
                let Some(created) = created else { continue };
                let resolution = (t - created).whole_milliseconds() as i64;
                n += sqlx::query(
                    "UPDATE conversations SET
                        status = COALESCE($2, status),
                        priority = COALESCE($3, priority),
                        subject = COALESCE($4, subject),
                        admin_id = CASE WHEN $5 THEN $6 ELSE admin_id END,
                        closed_at = CASE WHEN $7 AND status <> 'closed' THEN $9 WHEN $8 THEN NULL ELSE closed_at END,
                        resolution_ms = CASE WHEN $7 AND status <> 'closed' THEN $10 WHEN $8 THEN NULL ELSE resolution_ms END,
                        updated_at = $9
                     WHERE id = $1")
                    .bind(id.0).bind(status).bind(patch.priority.map(|p| p.as_str()))
                    .bind(patch.subject.as_deref()).bind(assign).bind(admin)
                    .bind(closing).bind(reopening).bind(t).bind(resolution)
                    .execute(&mut *tx).await?.rows_affected();
                if let Some(a) = admin {
                    sqlx::query(
                        "INSERT INTO conversation_participants (conversation_id, user_id, role, joined_at)
                         VALUES ($1, $2, 'admin', $3) ON CONFLICT (conversation_id, user_id) DO NOTHING")
                        .bind(id.0).bind(a).bind(t).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    /// Adds tags to conversations (existing ones are kept). Returns how many conversations exist
    /// among `ids`.
    pub async fn add_tags(
        &self,
        ids: &[ConversationId],
        tags: &[String],
    ) -> Result<u64, StoreError> {
        let t = now();
        let mut touched = 0;
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for id in ids {
                let exists = sqlx::query("UPDATE conversations SET updated_at = $2 WHERE id = $1")
                    .bind(id.0).bind(t).execute(&mut *tx).await?.rows_affected();
                if exists == 0 { continue; }
                touched += 1;
                for tag in tags {
                    sqlx::query("INSERT INTO conversation_tags (conversation_id, tag) VALUES ($1, $2)
                                 ON CONFLICT (conversation_id, tag) DO NOTHING")
                        .bind(id.0).bind(tag.as_str()).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        });
        Ok(touched)
    }

    /// Archives (hides from the live admin list) or restores conversations; returns how many
    /// changed.
    pub async fn set_archived(
        &self,
        ids: &[ConversationId],
        archived: bool,
    ) -> Result<u64, StoreError> {
        let t = now();
        let mut n = 0;
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for id in ids {
                n += sqlx::query(
                    "UPDATE conversations SET archived_at = CASE WHEN $2 THEN $3 ELSE NULL END, updated_at = $3
                     WHERE id = $1")
                    .bind(id.0).bind(archived).bind(t).execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
        });
        Ok(n)
    }
}

/// Tags from their `\u{1f}`-joined form, sorted.
fn split_tags(joined: Option<String>) -> Vec<String> {
    let mut tags: Vec<String> = joined
        .unwrap_or_default()
        .split('\u{1f}')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    tags.sort_unstable();
    tags
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
