//! Group commit for message inserts: concurrent senders queue their messages, one task takes
//! everything waiting (up to a batch limit) and stores it in a single transaction. On SQLite,
//! which has one writer, this turns N commits into one; on PostgreSQL it saves round trips and
//! WAL flushes. The queue is bounded, so a flood waits instead of growing memory.
//!
//! Order: a conversation always goes to the same queue, drained in FIFO order by one task, so
//! messages sent in order into a conversation are stored in that order and ids follow the
//! queue. (PostgreSQL runs a few such queues side by side; SQLite one.)
//!
//! SQLite's writer is synchronous, on a thread of its own: see [`crate::sqlite_writer`]. It
//! also keeps the write-ahead log from growing without end; see
//! [`crate::sqlite_writer::WalCatchUp`].

use crate::batch::Plan;
use crate::{Audience, Message, NewMessage, SentMessage, StoreError, now};
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use support_chat_domain::UserId;
use tokio::sync::{mpsc, oneshot};

/// Most messages stored in one transaction.
pub(crate) const MAX_BATCH: usize = 256;
/// Most messages waiting for the writer before senders wait.
const QUEUE_BOUND: usize = 8192;
/// PostgreSQL's writers, committing side by side (each waits for its WAL flush). Each batch
/// costs the database CPU whatever its size, so fewer writers with larger batches did better on
/// 2 cores: send p99 at 5,000/s 5.5 ms with 2, 9.0-9.4 with 4, 12.6-14.3 with 8 (see
/// `docs/reference/schema.md`).
pub(crate) const PG_SHARDS: usize = 2;

pub(crate) type Reply = oneshot::Sender<Result<SentMessage, StoreError>>;

/// Told about every newly stored message right after its transaction commits, in commit order
/// per conversation. It runs on the writer task, so it must be quick and must not block.
pub type MessageListener = Arc<dyn Fn(&SentMessage) + Send + Sync>;

pub(crate) type ListenerSlot = Arc<RwLock<Option<MessageListener>>>;

#[derive(Clone)]
pub(crate) struct MessageWriter {
    /// One queue and task per shard; a conversation always goes to the same shard.
    shards: Arc<[mpsc::Sender<(NewMessage, Reply)>]>,
    listener: ListenerSlot,
    /// SQLite's checkpointer, stopped when the last handle goes.
    _background: Option<Arc<crate::sqlite_writer::Background>>,
}

impl MessageWriter {
    /// Starts SQLite's writer: one thread with a connection of its own to `target`.
    pub(crate) async fn start_sqlite(
        target: crate::sqlite_writer::Target,
    ) -> Result<Self, StoreError> {
        let listener: ListenerSlot = Arc::default();
        let (tx, rx) = mpsc::channel(QUEUE_BOUND);
        let background = crate::sqlite_writer::start(target, rx, listener.clone()).await?;
        Ok(Self {
            shards: vec![tx].into(),
            listener,
            _background: Some(Arc::new(background)),
        })
    }

    /// Starts PostgreSQL's [`PG_SHARDS`] writers on the current runtime.
    pub(crate) fn start_postgres(db: PgPool) -> Self {
        let listener: ListenerSlot = Arc::default();
        let shards: Vec<_> = (0..PG_SHARDS)
            .map(|_| {
                let (tx, rx) = mpsc::channel(QUEUE_BOUND);
                tokio::spawn(run(db.clone(), rx, listener.clone()));
                tx
            })
            .collect();
        Self {
            shards: shards.into(),
            listener,
            _background: None,
        }
    }

    pub(crate) fn set_listener(&self, l: Option<MessageListener>) {
        *self.listener.write().unwrap_or_else(|e| e.into_inner()) = l;
    }

    pub(crate) async fn submit(&self, m: NewMessage) -> Result<SentMessage, StoreError> {
        let (reply, wait) = oneshot::channel();
        let shard = m.conversation_id.0.rem_euclid(self.shards.len() as i64) as usize;
        self.shards[shard]
            .send((m, reply))
            .await
            .map_err(|_| StoreError::Unavailable("message writer stopped".into()))?;
        wait.await
            .map_err(|_| StoreError::Unavailable("message writer stopped".into()))?
    }
}

pub(crate) fn announce(listener: &ListenerSlot, r: &Result<SentMessage, StoreError>) {
    if let Ok(sent) = r
        && sent.created
        && let Some(l) = listener.read().unwrap_or_else(|e| e.into_inner()).as_ref()
    {
        l(sent);
    }
}

async fn run(db: PgPool, mut rx: mpsc::Receiver<(NewMessage, Reply)>, listener: ListenerSlot) {
    let mut batch: Vec<(NewMessage, Reply)> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let items: Vec<NewMessage> = batch.iter().map(|(m, _)| m.clone()).collect();
        let started = std::time::Instant::now();
        let stored = store_batch(&db, &items).await;
        metrics::histogram!("message_batch_size").record(items.len() as f64);
        metrics::histogram!("message_batch_seconds").record(started.elapsed().as_secs_f64());
        match stored {
            Ok(results) => {
                for ((_, reply), r) in batch.drain(..).zip(results) {
                    announce(&listener, &r);
                    let _ = reply.send(r);
                }
            }
            Err(e) if e.is_unavailable() => {
                // Retrying one by one would wait out the outage once per message.
                for (_, reply) in batch.drain(..) {
                    let _ = reply.send(Err(e.clone()));
                }
            }
            Err(e) if items.len() == 1 => {
                if let Some((_, reply)) = batch.pop() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(e) => {
                // One statement failed and took the transaction with it: store the rest one by
                // one, so a single bad message does not fail its neighbours.
                tracing::debug!(error = %e, size = items.len(), "batch failed; retrying singly");
                for (m, reply) in batch.drain(..) {
                    let r = match store_batch(&db, std::slice::from_ref(&m)).await {
                        Ok(mut v) => v
                            .pop()
                            .unwrap_or(Err(StoreError::Other("empty batch".into()))),
                        Err(e) => Err(e),
                    };
                    announce(&listener, &r);
                    let _ = reply.send(r);
                }
            }
        }
    }
}

/// A whole batch in one statement, so one round trip and one implicit transaction: look up
/// repeated `clientMessageId`s, bump each conversation's sequence (locking its row, so ids grow in
/// commit order within a conversation, and recording a first admin reply), insert the new
/// messages and move their senders' read marks. The input comes as arrays, one element per
/// message, so the statement has one shape whatever the batch size and stays prepared.
///
/// One row per input message, in input order: `(existing id, last seq, owner, assignee,
/// priority, new id, new seq)`. An existing id means the message was stored before; no last seq
/// means the conversation does not exist; a last seq without a new id means another writer
/// stored the same `clientMessageId` meanwhile.
const PG_BATCH: &str = "
WITH input AS (
    SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::text[])
        WITH ORDINALITY AS i(conversation_id, sender_id, sender_type, content, message_type,
                             metadata, cmid, ord)
),
existing AS (
    SELECT i.ord, m.id FROM input i
    JOIN support_messages m ON m.client_message_id = i.cmid AND m.sender_id = i.sender_id
),
fresh AS (
    SELECT i.*,
           row_number() OVER (PARTITION BY i.conversation_id ORDER BY i.ord) AS k,
           count(*) OVER (PARTITION BY i.conversation_id) AS n
    FROM input i
    WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.ord = i.ord)
),
groups AS (
    SELECT conversation_id, count(*) AS n,
           (array_agg(left(content, 200) ORDER BY ord DESC))[1] AS preview,
           bool_or(sender_type = 'admin') AS has_admin,
           bool_or(sender_type = 'user') AS has_user
    FROM fresh GROUP BY conversation_id
),
bump AS (
    UPDATE conversations c SET
        last_seq = c.last_seq + g.n,
        last_message_preview = g.preview,
        last_message_at = $8, last_activity_at = $8, updated_at = $8,
        first_response_at = CASE WHEN g.has_admin AND c.first_response_at IS NULL
            THEN $8 ELSE c.first_response_at END,
        first_response_ms = CASE WHEN g.has_admin AND c.first_response_at IS NULL
            THEN greatest(0, floor(extract(epoch FROM $8 - c.created_at) * 1000))::int8
            ELSE c.first_response_ms END,
        status = CASE WHEN g.has_user AND c.status = 'closed' THEN 'open' ELSE c.status END,
        closed_at = CASE WHEN g.has_user AND c.status = 'closed' THEN NULL ELSE c.closed_at END,
        resolution_ms = CASE WHEN g.has_user AND c.status = 'closed'
            THEN NULL ELSE c.resolution_ms END
    FROM groups g
    WHERE c.id = g.conversation_id
    RETURNING c.id, c.last_seq, c.user_id, c.admin_id, c.priority
),
ins AS (
    INSERT INTO support_messages (conversation_id, seq, sender_id, sender_type, content,
                                  message_type, created_at, metadata_json, client_message_id)
    SELECT f.conversation_id, b.last_seq - f.n + f.k, f.sender_id, f.sender_type, f.content,
           f.message_type, $8, f.metadata::jsonb, f.cmid
    FROM fresh f JOIN bump b ON b.id = f.conversation_id
    ORDER BY f.ord
    ON CONFLICT (sender_id, client_message_id) DO NOTHING
    RETURNING id, conversation_id, seq, sender_id, sender_type
),
marks AS (
    INSERT INTO conversation_participants
        (conversation_id, user_id, role, joined_at, last_read_at, last_read_message_id)
    SELECT conversation_id, sender_id, min(sender_type), $8, $8, max(id)
    FROM ins WHERE sender_type <> 'system'
    GROUP BY conversation_id, sender_id
    ON CONFLICT (conversation_id, user_id) DO UPDATE SET
        last_read_at = excluded.last_read_at,
        last_read_message_id = greatest(conversation_participants.last_read_message_id,
                                        excluded.last_read_message_id)
)
SELECT e.id, b.last_seq, b.user_id, b.admin_id, b.priority, ins.id, ins.seq
FROM input i
LEFT JOIN existing e ON e.ord = i.ord
LEFT JOIN fresh f ON f.ord = i.ord
LEFT JOIN bump b ON b.id = f.conversation_id
LEFT JOIN ins ON ins.conversation_id = f.conversation_id AND ins.seq = b.last_seq - f.n + f.k
ORDER BY i.ord";

type BatchRow = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// Stores every message with [`PG_BATCH`]. `Err` means the statement failed, so nothing was
/// stored; `Ok` holds each message's own outcome (not found, conflict, stored, or a failure to
/// read back a message stored before).
async fn store_batch(
    pool: &PgPool,
    items: &[NewMessage],
) -> Result<Vec<Result<SentMessage, StoreError>>, StoreError> {
    let t = now();
    let mut plan = Plan::new(items);
    // A clientMessageId repeated inside the batch goes in once; `finish` answers the repeats.
    let firsts = plan.firsts();
    // One array per column, one element per message.
    let column = |f: fn(&NewMessage) -> Option<&str>| -> Vec<Option<&str>> {
        firsts.iter().map(|&i| f(&items[i])).collect()
    };
    let metadata = firsts
        .iter()
        .map(|&i| {
            items[i]
                .metadata
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Other(format!("message metadata: {e}")))?;
    let ids =
        |f: fn(&NewMessage) -> i64| -> Vec<i64> { firsts.iter().map(|&i| f(&items[i])).collect() };
    let rows: Vec<BatchRow> = sqlx::query_as(PG_BATCH)
        .bind(ids(|m| m.conversation_id.0))
        .bind(ids(|m| m.sender_id.0))
        .bind(column(|m| Some(m.sender_type.as_str())))
        .bind(column(|m| Some(m.content.as_str())))
        .bind(column(|m| Some(m.message_type.as_str())))
        .bind(metadata)
        .bind(column(|m| m.client_message_id.as_deref()))
        .bind(t)
        .fetch_all(pool)
        .await?;
    // Committed: from here on a failure concerns single messages, never the batch (which must
    // not be stored again).
    if rows.len() != firsts.len() {
        let e = StoreError::Other(format!(
            "message batch answered {} rows for {} messages",
            rows.len(),
            firsts.len()
        ));
        for &i in &firsts {
            plan.fail(i, e.clone());
        }
        return Ok(plan.finish(t));
    }
    let mut before = Vec::new();
    let mut races = Vec::new();
    for (&i, row) in firsts.iter().zip(rows) {
        match row {
            (Some(id), ..) => before.push((i, id)),
            (None, None, ..) => plan.fail(i, StoreError::NotFound),
            (None, Some(_), Some(owner), assignee, Some(priority), Some(id), Some(seq)) => {
                let audience = Audience {
                    owner: UserId(owner),
                    assignee: assignee.map(UserId),
                    urgent: priority == "urgent",
                };
                plan.stored(i, seq, id, audience);
            }
            // The conversation was bumped but the insert met the same clientMessageId, stored
            // meanwhile by another writer.
            (None, Some(_), ..) => races.push(i),
        }
    }
    // Messages stored before: read back whole (a resend is rare, so this costs nothing usual).
    if !before.is_empty() {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM support_messages m JOIN users u ON u.id = m.sender_id
             WHERE m.id = ANY($1)",
            crate::messages::MESSAGE_COLS
        ));
        let ids: Vec<i64> = before.iter().map(|&(_, id)| id).collect();
        let found = sqlx::query_as::<_, crate::messages::MessageRow>(sql)
            .bind(ids)
            .fetch_all(pool)
            .await;
        match found {
            Ok(found) => {
                let found: Vec<Message> = found.into_iter().map(Message::from).collect();
                for (i, id) in before {
                    match found.iter().find(|m| m.id.0 == id) {
                        Some(m) => plan.resolve_race(i, m.clone()),
                        None => plan.fail(i, StoreError::NotFound),
                    }
                }
            }
            Err(e) => {
                let e = StoreError::from(e);
                for (i, _) in before {
                    plan.fail(i, e.clone());
                }
            }
        }
    }
    for i in races {
        let m = &plan.items()[i];
        let sql = sqlx::AssertSqlSafe(crate::messages::by_client_id_sql());
        let row = sqlx::query_as::<_, crate::messages::MessageRow>(sql)
            .bind(m.sender_id.0)
            .bind(m.client_message_id.as_deref())
            .fetch_one(pool)
            .await;
        match row {
            Ok(row) => plan.resolve_race(i, row.into()),
            Err(e) => plan.fail(i, StoreError::from(e)),
        }
    }
    Ok(plan.finish(t))
}
