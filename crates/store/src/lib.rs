#![forbid(unsafe_code)]
//! Storage for support-chat: one query layer over SQLite (embedded default) and PostgreSQL.
//!
//! Queries are written once with `$N` placeholders, which both drivers accept; the [`on_db!`]
//! macro expands a query body once per backend so each gets its native types (timestamptz and
//! jsonb on PostgreSQL, text on SQLite). Where the dialects truly differ the two versions stand
//! side by side in one `match`. Each backend has its own migrations under `migrations/`.

mod assistant;
mod batch;
mod conversations;
mod error;
mod flags;
mod knowledge;
mod messages;
mod models;
mod notifications;
mod sqlite_writer;
mod stats;
mod users;
mod writer;

#[cfg(feature = "testing")]
pub mod testing;

pub use assistant::{
    AnsweredBy, AssistantSession, AssistantTurn, LlmHandoff, NewTurn, SourceRef, TurnRole,
};
pub use conversations::{AdminListFilter, AdminSort, ConversationPatch, ListPage, NewConversation};
pub use error::StoreError;
pub use flags::FlagUpdate;
pub use knowledge::{Article, KbFingerprint, Upserted};
pub use messages::{Audience, NewMessage, SentMessage};
pub use models::*;
pub use notifications::NotificationPreferencesPatch;
pub use stats::Stats;
pub use writer::MessageListener;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;

/// Expands `$body` once per backend with `$pool` bound to that backend's pool.
macro_rules! on_db {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Pool and batching settings.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Largest number of pooled connections (readers on SQLite); `None` for the backend's
    /// default. SQLite's readers run in this process, each on a thread of its own that only
    /// uses CPU, so more than two per core add nothing but contention (16 on 2 cores: WebSocket
    /// connect p99 7-8 ms at 2,000 connects/s; 4: 3.9 ms): two per core, from 4 to 16. A
    /// PostgreSQL connection mostly waits on the network: 16.
    pub max_connections: Option<u32>,
    /// How long a request waits for a connection before the store reports itself unavailable.
    pub acquire_timeout: Duration,
    /// SQLite: the write-ahead log's size target. Past it the log is checkpointed to its end
    /// and starts over. The file itself is kept up to twice this size (`journal_size_limit`),
    /// so in steady use the log reuses its space instead of being cut back and grown again on
    /// every cycle (each regrowth allocates blocks; each cut discards them).
    pub sqlite_wal_target_bytes: u64,
}

/// SQLite's default pool: two readers per CPU core, from 4 to 16 (see
/// [`StoreOptions::max_connections`]).
fn sqlite_readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    (cores * 2).clamp(4, 16)
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(3),
            sqlite_wal_target_bytes: 128 * 1024 * 1024,
        }
    }
}

/// The handle the server uses for every read and write. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
    pub(crate) writer: writer::MessageWriter,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

impl Store {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`) and runs pending migrations.
    /// An unknown scheme is an error; nothing is created for it.
    pub async fn connect(url: &str, opts: &StoreOptions) -> Result<Store, StoreError> {
        let (db, writer) = if url.starts_with("sqlite:") {
            let co = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("invalid SQLite database URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(sqlite_writer::BUSY_TIMEOUT)
                .foreign_keys(true)
                .pragma("temp_store", "memory")
                .pragma("cache_size", "-512")
                .pragma(
                    "journal_size_limit",
                    sqlite_writer::wal_file_limit(opts.sqlite_wal_target_bytes).to_string(),
                );
            if let Some(dir) = co.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Config(format!("cannot create directory {}: {e}", dir.display()))
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(
                    opts.max_connections
                        .map_or_else(sqlite_readers, |n| n.max(2)),
                )
                .min_connections(1)
                .acquire_timeout(opts.acquire_timeout)
                .test_before_acquire(false)
                .connect_with(co.clone())
                .await
                .map_err(StoreError::from)?;
            // SQLite has one writer: the message writer keeps a connection of its own (see
            // `sqlite_writer`), so it never waits behind readers for a pooled one.
            let target = sqlite_writer::Target {
                path: co.get_filename().to_path_buf(),
                wal_target_bytes: opts.sqlite_wal_target_bytes,
            };
            let writer = writer::MessageWriter::start_sqlite(target).await?;
            (Db::Sqlite(pool), writer)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let co = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("invalid PostgreSQL database URL: {e}")))?;
            // No ping before each use: a connection that broke (database restarted) fails its
            // query, answers 503 once and is replaced.
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.unwrap_or(16))
                .acquire_timeout(opts.acquire_timeout)
                .test_before_acquire(false)
                .connect_with(co.clone())
                .await
                .map_err(StoreError::from)?;
            // The message writers get connections of their own (one per writer, all busy under
            // load), so their batch statement stays prepared and planned once per connection (a
            // custom plan costs more to make than the statement to run), and senders never
            // queue behind reads. Opened now, so a server refusing these options fails the start.
            let writer_pool = PgPoolOptions::new()
                .max_connections(writer::PG_SHARDS as u32)
                .acquire_timeout(opts.acquire_timeout)
                // Pinged before each batch: a connection broken by a database restart is
                // replaced instead of failing a batch whose senders would get 503s.
                .test_before_acquire(true)
                .connect_with(co.options([
                    ("plan_cache_mode", "force_generic_plan"),
                    ("enable_seqscan", "off"),
                    ("enable_hashjoin", "off"),
                ]))
                .await
                .map_err(StoreError::from)?;
            let writer = writer::MessageWriter::start_postgres(writer_pool);
            (Db::Postgres(pool), writer)
        } else {
            let scheme = url.split(':').next().unwrap_or_default();
            return Err(StoreError::Config(format!(
                "unsupported database URL scheme '{scheme}': use sqlite://PATH or postgres://USER@HOST/DB"
            )));
        };
        let store = Store { writer, db };
        store.migrate().await?;
        Ok(store)
    }

    /// Sets (or clears) the function told about each message right after it is committed.
    pub fn set_message_listener(&self, listener: Option<MessageListener>) {
        self.writer.set_listener(listener);
    }

    /// Applies pending migrations for this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let result = match &self.db {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        };
        result.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => StoreError::from(e),
            other => StoreError::Other(format!("migration failed: {other}")),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Answers whether the database responds to a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
            .map_err(StoreError::from)
    }

    /// `(connections open, idle)` for metrics.
    pub fn pool_stats(&self) -> (u32, usize) {
        on_db!(self, pool => (pool.size(), pool.num_idle()))
    }

    /// Closes every pooled connection (graceful shutdown).
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await);
    }
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and the message writer
/// committing in between would fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>
    + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>,
    > + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>,
    > + Send {
        self.begin()
    }
}

/// Current time truncated to microseconds, the precision both databases keep, so a value read
/// back equals the value written.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}
