//! SQLite's message writer: one OS thread that owns a plain synchronous connection and stores
//! each batch with cached prepared statements, one row at a time.
//!
//! SQLite runs in this process, so a statement costs no round trip; what cost time through the
//! async driver was the driver itself. Every statement and every returned row was a hand-off
//! to the driver's connection thread and back (a wake-up each way), and statements with many
//! rows bind their parameters by name, found by a linear scan. Stored that way a message took
//! about 120 µs of the writer's time, so at 5,000 sends/s the writer was busy 96–98% of the
//! time and every pause queued up sends behind it. The same work done here directly takes a
//! fraction of that (the figures are in `docs/reference/schema.md`).
//!
//! The statements are the same as the batch statements in [`crate::batch`], one row each;
//! [`Plan`] does the grouping, sequence numbers and results for both. Timestamps are written
//! as RFC 3339 text, exactly as the async driver writes them, so both read each other's rows.

use crate::batch::{Bumped, Plan};
use crate::writer::{ListenerSlot, Reply, announce};
use crate::{Message, NewMessage, SentMessage, StoreError, now};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use support_chat_domain::{ConversationId, MessageId, UserId};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc;

/// Where and how the writer connects: the database file the pool uses.
pub(crate) struct Target {
    pub path: PathBuf,
    /// Past this size the write-ahead log is made to start over (see [`WalCatchUp`]).
    pub wal_target_bytes: u64,
}

/// How long a connection waits for SQLite's lock before giving up with SQLITE_BUSY.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `journal_size_limit`, what the log file is cut back to after it starts over: twice the
/// target, so that in steady use the file is reused rather than cut and regrown each cycle.
pub(crate) fn wal_file_limit(target_bytes: u64) -> u64 {
    target_bytes.saturating_mul(2)
}

/// Under load, the shortest time between two commits' starts. Each commit rewrites every page
/// it touched (about ten for a lone message: the message, its three indexes, the conversation
/// row and its indexes, the read mark), so a message per commit wrote 25 KB of log at 5,000
/// sends/s; batches of five to ten share most of those pages. It costs a lone sender nothing
/// and a sender under load at most this long.
const GROUP_WINDOW: Duration = Duration::from_millis(1);

/// How often the checkpointer copies the write-ahead log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Lets the background checkpointer ask the SQLite writer to finish a checkpoint.
///
/// The write-ahead log only starts over from its beginning when a write transaction begins
/// with every frame already copied into the database file. The background checkpointer
/// (PASSIVE, every half second) copies while the writer keeps appending, so under steady
/// traffic it never quite catches up and the log grew by tens of megabytes a second (1.1 GB
/// after 15 s of 5,000 sends/s). When the log passes its size target, the checkpointer sets
/// this flag; the writer, between two batches, copies the few frames written since (a PASSIVE
/// checkpoint on its own connection, so no transaction is open), and its next transaction
/// restarts the log, which SQLite then truncates to `journal_size_limit`.
#[derive(Clone, Default)]
struct WalCatchUp(Arc<AtomicBool>);

impl WalCatchUp {
    fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// Keeps the checkpointer running; it stops when this is dropped (with the last store handle).
pub(crate) struct Background {
    _stop: std::sync::mpsc::Sender<()>,
}

const EXISTING: &str = "SELECT m.id, m.conversation_id, m.seq, m.sender_id, m.sender_type,
        CASE WHEN m.sender_type = 'system' THEN 'System' ELSE u.name END, m.content,
        m.message_type, m.created_at, m.read_at, m.client_message_id, m.deleted_at,
        m.metadata_json
     FROM support_messages m JOIN users u ON u.id = m.sender_id
     WHERE m.client_message_id = ?1";

const BUMP: &str = "UPDATE conversations SET
        last_seq = last_seq + ?2,
        last_message_preview = ?3,
        last_message_at = ?6, last_activity_at = ?6, updated_at = ?6,
        first_response_at = CASE WHEN ?4 AND first_response_at IS NULL
            THEN ?6 ELSE first_response_at END,
        status = CASE WHEN ?5 AND status = 'closed' THEN 'open' ELSE status END,
        closed_at = CASE WHEN ?5 AND status = 'closed' THEN NULL ELSE closed_at END,
        resolution_ms = CASE WHEN ?5 AND status = 'closed' THEN NULL ELSE resolution_ms END
     WHERE id = ?1
     RETURNING id, last_seq, created_at, first_response_at, user_id, admin_id, priority";

const FIRST_RESPONSE: &str = "UPDATE conversations SET first_response_ms = ?2 WHERE id = ?1";

const INSERT: &str = "INSERT INTO support_messages (conversation_id, seq, sender_id, sender_type,
        content, message_type, created_at, metadata_json, client_message_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT (sender_id, client_message_id) DO NOTHING
     RETURNING id";

const READ_MARK: &str = "INSERT INTO conversation_participants
        (conversation_id, user_id, role, joined_at, last_read_at, last_read_message_id)
     VALUES (?1, ?2, ?3, ?4, ?4, ?5)
     ON CONFLICT (conversation_id, user_id) DO UPDATE SET
        last_read_at = excluded.last_read_at,
        last_read_message_id = CASE
            WHEN excluded.last_read_message_id > conversation_participants.last_read_message_id
            THEN excluded.last_read_message_id
            ELSE conversation_participants.last_read_message_id END";

/// Opens the writer's connection on a thread of its own and runs the writer there until every
/// sender of `rx` is gone; starts the checkpointer on another. Returns once both connections
/// are open (or one could not be).
pub(crate) async fn start(
    target: Target,
    rx: mpsc::Receiver<(NewMessage, Reply)>,
    listener: ListenerSlot,
) -> Result<Background, StoreError> {
    let wal = WalCatchUp::default();
    let target = Arc::new(target);
    let (opened, ready) = tokio::sync::oneshot::channel();
    // The listener may hand work to the runtime (the hub's inline fallback).
    let runtime = tokio::runtime::Handle::try_current().ok();
    let (t, w) = (target.clone(), wal.clone());
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || {
            let _entered = runtime.as_ref().map(|h| h.enter());
            match open(&t) {
                Ok(conn) => {
                    let _ = opened.send(Ok(()));
                    run(conn, rx, &listener, &w);
                }
                Err(e) => {
                    let _ = opened.send(Err(e));
                }
            }
        })
        .map_err(|e| StoreError::Other(format!("cannot start the message writer thread: {e}")))?;
    ready.await.map_err(|_| {
        StoreError::Other("the message writer thread ended while starting".into())
    })??;

    let (opened, ready) = tokio::sync::oneshot::channel();
    let (stop, stopped) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || match open(&target) {
            Ok(conn) => {
                let _ = opened.send(Ok(()));
                checkpoints(&conn, &wal, target.wal_target_bytes, &stopped);
            }
            Err(e) => {
                let _ = opened.send(Err(e));
            }
        })
        .map_err(|e| StoreError::Other(format!("cannot start the checkpoint thread: {e}")))?;
    ready
        .await
        .map_err(|_| StoreError::Other("the checkpoint thread ended while starting".into()))??;
    Ok(Background { _stop: stop })
}

/// Copies the write-ahead log into the database file every half second, off the writer's
/// path (PASSIVE: it never blocks the writer or readers), until `stop` is dropped. When the
/// log has grown past `target_bytes` it asks the writer to finish the job so the log can start
/// over (see [`WalCatchUp`]).
///
/// It runs at the lowest CPU priority: a checkpoint copies tens of megabytes in one go, and on
/// an equal footing it held a core for 5 ms at a time while the writer, in the middle of a
/// transaction, waited for one (every sender waiting with it).
fn checkpoints(
    conn: &Connection,
    wal: &WalCatchUp,
    target_bytes: u64,
    stop: &std::sync::mpsc::Receiver<()>,
) {
    lower_priority();
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap_or(4096);
    let target_frames = (target_bytes / page_size.max(512) as u64).max(1) as i64;
    // (frames in the log, how long the checkpoint took)
    let passive = || {
        let started = std::time::Instant::now();
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, started.elapsed()))
        })
    };
    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY)
    {
        let (frames, mut took) = match passive() {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(error = %e, "WAL checkpoint failed");
                continue;
            }
        };
        metrics::gauge!("sqlite_wal_frames").set(frames.max(0) as f64);
        if frames < target_frames {
            continue;
        }
        // The writer's catch-up copies what was written since this checkpoint began, with the
        // writer stopped: a pass or two more here first, while it keeps writing, leaves it
        // only the last few milliseconds' worth.
        for _ in 0..3 {
            if took < Duration::from_millis(10) {
                break;
            }
            match passive() {
                Ok((_, t)) => took = t,
                Err(_) => break,
            }
        }
        wal.request();
    }
}

/// Lowers the calling thread's CPU priority to the least (nice 19). On Linux a priority set
/// with no process id applies to the calling thread only.
#[cfg(target_os = "linux")]
fn lower_priority() {
    if let Err(e) = rustix::process::setpriority_process(None, 19) {
        tracing::debug!(error = %e, "cannot lower the checkpoint thread's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

fn open(target: &Target) -> Result<Connection, StoreError> {
    let conn = Connection::open(&target.path).map_err(|e| {
        StoreError::Config(format!(
            "cannot open {} for the message writer: {e}",
            target.path.display()
        ))
    })?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    // The pool's settings with a larger page cache (the writer touches every message's pages);
    // its commits never checkpoint (that would fsync on the message path): the background task
    // does, see `checkpoints` and [`WalCatchUp`].
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;
         PRAGMA wal_autocheckpoint = 0;
         PRAGMA journal_size_limit = {};",
        wal_file_limit(target.wal_target_bytes)
    ))
    .map_err(err)?;
    conn.set_prepared_statement_cache_capacity(16);
    Ok(conn)
}

fn run(
    mut conn: Connection,
    mut rx: mpsc::Receiver<(NewMessage, Reply)>,
    listener: &ListenerSlot,
    wal: &WalCatchUp,
) {
    let mut batch: Vec<(NewMessage, Reply)> = Vec::with_capacity(crate::writer::MAX_BATCH);
    let mut last_commit: Option<std::time::Instant> = None;
    while let Some(first) = rx.blocking_recv() {
        // Group commit: under load, commits start at most once per GROUP_WINDOW and take
        // everything that came meanwhile; a lone message after a quiet spell goes at once.
        if let Some(wait) = last_commit.and_then(|t| GROUP_WINDOW.checked_sub(t.elapsed())) {
            std::thread::sleep(wait);
        }
        last_commit = Some(std::time::Instant::now());
        batch.push(first);
        while batch.len() < crate::writer::MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let items: Vec<NewMessage> = batch.iter().map(|(m, _)| m.clone()).collect();
        let started = std::time::Instant::now();
        let stored = store_batch(&mut conn, &items);
        metrics::histogram!("message_batch_size").record(items.len() as f64);
        metrics::histogram!("message_batch_seconds").record(started.elapsed().as_secs_f64());
        match stored {
            Ok(results) => {
                for ((_, reply), r) in batch.drain(..).zip(results) {
                    announce(listener, &r);
                    let _ = reply.send(r);
                }
            }
            Err(e) if e.is_unavailable() || items.len() == 1 => {
                for (_, reply) in batch.drain(..) {
                    let _ = reply.send(Err(e.clone()));
                }
            }
            Err(e) => {
                // One statement failed and took the transaction with it: store the rest one by
                // one, so a single bad message does not fail its neighbours.
                tracing::debug!(error = %e, size = items.len(), "batch failed; retrying singly");
                for (m, reply) in batch.drain(..) {
                    let r = store_batch(&mut conn, std::slice::from_ref(&m)).and_then(|mut v| {
                        v.pop()
                            .unwrap_or(Err(StoreError::Other("empty batch".into())))
                    });
                    announce(listener, &r);
                    let _ = reply.send(r);
                }
            }
        }
        // Between batches, with no transaction open and the replies sent.
        if wal.take() {
            let started = std::time::Instant::now();
            match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                Ok(()) => metrics::histogram!("sqlite_wal_catch_up_seconds")
                    .record(started.elapsed().as_secs_f64()),
                Err(e) => tracing::debug!(error = %e, "WAL catch-up checkpoint failed"),
            }
        }
    }
}

/// Stores every message in one transaction. `Err` means the transaction failed as a whole (and
/// was rolled back); `Ok` holds each message's own outcome (not found, conflict, or stored).
fn store_batch(
    conn: &mut Connection,
    items: &[NewMessage],
) -> Result<Vec<Result<SentMessage, StoreError>>, StoreError> {
    let t = now();
    let ts = stamp(t)?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    let plan = Plan::new(items);
    let mut found = Vec::new();
    {
        let mut existing = tx.prepare_cached(EXISTING).map_err(err)?;
        for cmid in &plan.cmids {
            let rows = existing.query_map([cmid], message_row).map_err(err)?;
            for row in rows {
                found.push(row.map_err(err)??);
            }
        }
    }
    let mut plan = plan.with_existing(found);
    let mut bumped: Vec<Bumped> = Vec::with_capacity(plan.groups.len());
    {
        let mut bump = tx.prepare_cached(BUMP).map_err(err)?;
        for g in &plan.groups {
            let row = bump
                .query_row(
                    params![
                        g.conversation,
                        g.count,
                        g.preview,
                        g.has_admin,
                        g.has_user,
                        ts
                    ],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, Option<String>>(3)?,
                            r.get::<_, i64>(4)?,
                            r.get::<_, Option<i64>>(5)?,
                            r.get::<_, String>(6)?,
                        ))
                    },
                )
                .optional()
                .map_err(err)?;
            if let Some((id, last_seq, created, first, owner, assignee, priority)) = row {
                let first = first.as_deref().map(parse_stamp).transpose()?;
                bumped.push((
                    id,
                    last_seq,
                    parse_stamp(&created)?,
                    first,
                    owner,
                    assignee,
                    priority,
                ));
            }
        }
    }
    let first_responses = plan.apply_bumps(bumped, t);
    if !first_responses.is_empty() {
        let mut set = tx.prepare_cached(FIRST_RESPONSE).map_err(err)?;
        for (conversation, ms) in first_responses {
            set.execute(params![conversation, ms]).map_err(err)?;
        }
    }
    let mut inserted = Vec::new();
    {
        let mut insert = tx.prepare_cached(INSERT).map_err(err)?;
        for (i, seq) in plan.insertable() {
            let m = &plan.items()[i];
            let metadata = m
                .metadata
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Other(format!("message metadata: {e}")))?;
            let id: Option<i64> = insert
                .query_row(
                    params![
                        m.conversation_id.0,
                        seq,
                        m.sender_id.0,
                        m.sender_type.as_str(),
                        m.content,
                        m.message_type.as_str(),
                        ts,
                        metadata,
                        m.client_message_id,
                    ],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            if let Some(id) = id {
                inserted.push((id, m.conversation_id.0, seq));
            }
        }
    }
    plan.apply_inserts(inserted);
    for i in plan.lost_races() {
        // Another connection stored the same clientMessageId between our check and insert.
        let m = &plan.items()[i];
        let row = tx
            .query_row(
                &format!("{EXISTING} AND m.sender_id = ?2"),
                params![m.client_message_id, m.sender_id.0],
                message_row,
            )
            .map_err(err)??;
        plan.resolve_race(i, row);
    }
    {
        let mut mark = tx.prepare_cached(READ_MARK).map_err(err)?;
        for (conversation, user, role, id) in plan.read_marks() {
            mark.execute(params![conversation, user, role, ts, id])
                .map_err(err)?;
        }
    }
    tx.commit().map_err(err)?;
    Ok(plan.finish(t))
}

/// A stored message, as [`EXISTING`] selects it. The inner result is a row this code cannot
/// read (an unknown sender type, a malformed time), which fails the batch.
fn message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Message, StoreError>> {
    let sender_type: String = r.get(4)?;
    let message_type: String = r.get(7)?;
    let created_at: String = r.get(8)?;
    let read_at: Option<String> = r.get(9)?;
    let deleted_at: Option<String> = r.get(11)?;
    let metadata: Option<String> = r.get(12)?;
    let (id, conversation, seq, sender): (i64, i64, i64, i64) =
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
    let (sender_name, content, client_message_id): (String, String, Option<String>) =
        (r.get(5)?, r.get(6)?, r.get(10)?);
    Ok((|| {
        Ok(Message {
            id: MessageId(id),
            conversation_id: ConversationId(conversation),
            seq,
            sender_id: UserId(sender),
            sender_type: sender_type
                .try_into()
                .map_err(|e| StoreError::Other(format!("stored sender type: {e}")))?,
            sender_name,
            content,
            message_type: message_type
                .try_into()
                .map_err(|e| StoreError::Other(format!("stored message type: {e}")))?,
            created_at: parse_stamp(&created_at)?,
            read_at: read_at.as_deref().map(parse_stamp).transpose()?,
            client_message_id,
            deleted_at: deleted_at.as_deref().map(parse_stamp).transpose()?,
            metadata: metadata
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Other(format!("stored message metadata: {e}")))?,
        })
    })())
}

/// A time as the async driver writes it on SQLite: RFC 3339.
fn stamp(t: OffsetDateTime) -> Result<String, StoreError> {
    t.format(&Rfc3339)
        .map_err(|e| StoreError::Other(format!("cannot format time: {e}")))
}

fn parse_stamp(s: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| StoreError::Other(format!("stored time {s:?} is not RFC 3339: {e}")))
}

/// The same classes of failure as the async driver's errors map to (see `error.rs`).
fn err(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match &e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        rusqlite::Error::SqliteFailure(f, msg) => match f.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                StoreError::Unavailable(e.to_string())
            }
            ErrorCode::ConstraintViolation => {
                tracing::debug!(error = ?msg, "constraint violation");
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY {
                    StoreError::Conflict("this refers to something that does not exist".into())
                } else {
                    StoreError::Conflict("this conflicts with data that already exists".into())
                }
            }
            ErrorCode::SystemIoFailure | ErrorCode::CannotOpen | ErrorCode::DiskFull => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Other(e.to_string()),
        },
        _ => StoreError::Other(e.to_string()),
    }
}
