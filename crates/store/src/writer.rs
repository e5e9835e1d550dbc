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

use crate::batch::insert_batch;
use crate::{NewMessage, SentMessage, StoreError, now};
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use tokio::sync::{mpsc, oneshot};

/// Most messages stored in one transaction.
pub(crate) const MAX_BATCH: usize = 256;
/// Most messages waiting for the writer before senders wait.
const QUEUE_BOUND: usize = 8192;
/// PostgreSQL's writers, committing side by side (each waits for its WAL flush).
const PG_SHARDS: usize = 4;

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

/// Stores every message in one transaction. `Err` means the transaction failed as a whole;
/// `Ok` holds each message's own outcome (not found, conflict, or stored).
async fn store_batch(
    pool: &PgPool,
    items: &[NewMessage],
) -> Result<Vec<Result<SentMessage, StoreError>>, StoreError> {
    let t = now();
    let mut tx = pool.begin().await?;
    let conn = &mut *tx;
    let out = insert_batch!(conn, items, t, false)?;
    tx.commit().await?;
    Ok(out)
}
