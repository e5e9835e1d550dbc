//! Group commit for message inserts: concurrent senders queue their messages, one task takes
//! everything waiting (up to a batch limit) and stores it in a single transaction. On SQLite,
//! which has one writer, this turns N commits into one; on PostgreSQL it saves round trips and
//! WAL flushes. The queue is bounded, so a flood waits instead of growing memory.
//!
//! Order: a conversation always goes to the same queue, drained in FIFO order by one task, so
//! messages sent in order into a conversation are stored in that order and ids follow the
//! queue. (PostgreSQL runs a few such queues side by side; SQLite one.)
//!
//! SQLite's writer runs on a thread of its own: each statement is a hand-off to sqlx's
//! connection thread and back, and on the shared runtime every hop back waited its turn behind
//! request tasks (a `BEGIN` took 0.45 ms under load instead of 0.13 ms). The same thread keeps
//! the write-ahead log from growing without end; see [`WalCatchUp`].

use crate::batch::insert_batch;
use crate::{Db, NewMessage, SentMessage, StoreError, now};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::{mpsc, oneshot};

/// Most messages stored in one transaction.
const MAX_BATCH: usize = 256;
/// Most messages waiting for the writer before senders wait.
const QUEUE_BOUND: usize = 8192;
/// PostgreSQL's writers, committing side by side (each waits for its WAL flush).
const PG_SHARDS: usize = 4;

type Reply = oneshot::Sender<Result<SentMessage, StoreError>>;

/// Told about every newly stored message right after its transaction commits, in commit order
/// per conversation. It runs on the writer task, so it must be quick and must not block.
pub type MessageListener = Arc<dyn Fn(&SentMessage) + Send + Sync>;

type ListenerSlot = Arc<RwLock<Option<MessageListener>>>;

#[derive(Clone)]
pub(crate) struct MessageWriter {
    /// One queue and task per shard; a conversation always goes to the same shard.
    shards: Arc<[mpsc::Sender<(NewMessage, Reply)>]>,
    listener: ListenerSlot,
}

impl MessageWriter {
    /// Starts the writers: given `wal` (SQLite), one on a thread of its own; otherwise
    /// (PostgreSQL) [`PG_SHARDS`] on the current runtime.
    pub(crate) fn start(db: Db, wal: Option<WalCatchUp>) -> Self {
        let listener: ListenerSlot = Arc::default();
        let shards: Vec<_> = match wal {
            Some(wal) => {
                let (tx, rx) = mpsc::channel(QUEUE_BOUND);
                spawn_thread(run(db, rx, listener.clone(), Some(wal)));
                vec![tx]
            }
            None => (0..PG_SHARDS)
                .map(|_| {
                    let (tx, rx) = mpsc::channel(QUEUE_BOUND);
                    tokio::spawn(run(db.clone(), rx, listener.clone(), None));
                    tx
                })
                .collect(),
        };
        Self {
            shards: shards.into(),
            listener,
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

/// Runs `writer` on a dedicated thread with a single-threaded runtime; it ends when every
/// sender of its queue is gone. Falls back to the current runtime if no thread can be had.
fn spawn_thread(writer: impl std::future::Future<Output = ()> + Send + 'static) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::warn!(error = %e, "no runtime for the message writer; using the shared one");
            tokio::spawn(writer);
            return;
        }
    };
    // Handed over through a channel: a failed spawn drops the receiver, which gives it back.
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || {
            if let Ok(writer) = rx.recv() {
                rt.block_on(writer);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no thread for the message writer; writing on the runtime");
    }
    if let Err(back) = tx.send(Box::pin(writer)) {
        tokio::spawn(back.0);
    }
}

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
pub(crate) struct WalCatchUp(Arc<AtomicBool>);

impl WalCatchUp {
    pub(crate) fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

fn announce(listener: &ListenerSlot, r: &Result<SentMessage, StoreError>) {
    if let Ok(sent) = r
        && sent.created
        && let Some(l) = listener.read().unwrap_or_else(|e| e.into_inner()).as_ref()
    {
        l(sent);
    }
}

async fn run(
    db: Db,
    mut rx: mpsc::Receiver<(NewMessage, Reply)>,
    listener: ListenerSlot,
    wal: Option<WalCatchUp>,
) {
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
        // Between batches, with no transaction open and the replies sent.
        if let (Some(wal), Db::Sqlite(pool)) = (&wal, &db)
            && wal.take()
        {
            let started = std::time::Instant::now();
            match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(pool)
                .await
            {
                Ok(_) => metrics::histogram!("sqlite_wal_catch_up_seconds")
                    .record(started.elapsed().as_secs_f64()),
                Err(e) => tracing::debug!(error = %e, "WAL catch-up checkpoint failed"),
            }
        }
    }
}

/// Stores every message in one transaction. `Err` means the transaction failed as a whole;
/// `Ok` holds each message's own outcome (not found, conflict, or stored).
async fn store_batch(
    db: &Db,
    items: &[NewMessage],
) -> Result<Vec<Result<SentMessage, StoreError>>, StoreError> {
    let t = now();
    let out = match db {
        Db::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let conn = &mut *tx;
            let out = insert_batch!(conn, items, t, true)?;
            tx.commit().await?;
            out
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let conn = &mut *tx;
            let out = insert_batch!(conn, items, t, false)?;
            tx.commit().await?;
            out
        }
    };
    Ok(out)
}
