//! Redis: fan-out between nodes (pub/sub), admin presence with a TTL, and send rate limits
//! shared by every node.
//!
//! Each node keeps one subscriber connection with a reconnect loop, and one multiplexed
//! connection (a `ConnectionManager`, which reconnects by itself) for publishing and commands.
//! While Redis is away, this node's own sockets keep getting their events (the hub delivers
//! locally first); when the subscriber is back, every socket catches up from the database, so
//! nothing published meanwhile by other nodes is lost. Rate limits fall back to this node's
//! own counters, and presence to this node's admins.

use super::{Event, Hub};
use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use support_chat_domain::UserId;
use tokio::sync::mpsc;

const CHANNEL: &str = "support-chat:events";
const PRESENCE_KEY: &str = "support-chat:presence";
/// A node's presence entries expire unless refreshed (the node died or lost Redis).
const PRESENCE_TTL_MS: i64 = 30_000;
/// Published events waiting for Redis before new ones are dropped (their sockets on other
/// nodes then catch up from the database when the next message arrives or Redis returns).
const PUBLISH_QUEUE: usize = 16_384;
/// How long one Redis command may take before the caller treats Redis as away.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);

/// GCRA over Redis' own clock: ARGV[1] = microseconds per message, ARGV[2] = burst.
/// Returns {1, 0} when allowed, {0, microseconds to wait} when not.
const RATE_SCRIPT: &str = r"
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if allow_at > now then
  return {0, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return {1, 0}
";

#[derive(Serialize, Deserialize)]
struct Envelope {
    node: String,
    event: Event,
}

struct Inner {
    node: String,
    client: redis::Client,
    conn: ConnectionManager,
    out: mpsc::Sender<String>,
    out_rx: Mutex<Option<mpsc::Receiver<String>>>,
    subscribed: AtomicBool,
    rate: redis::Script,
    /// This node's admins as last written to the presence hash.
    written: Mutex<Vec<UserId>>,
    /// After a failed command, callers skip Redis until then instead of each waiting out a
    /// timeout.
    down_until: Mutex<Option<std::time::Instant>>,
}

#[derive(Clone)]
pub struct Redis(Arc<Inner>);

impl Redis {
    /// Connects to `url`; fails when Redis cannot be reached now (later outages are survived).
    pub async fn connect(url: &str) -> anyhow::Result<Redis> {
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("REDIS_URL is not a valid Redis URL: {e}"))?;
        let conn = tokio::time::timeout(
            Duration::from_secs(5),
            ConnectionManager::new(client.clone()),
        )
        .await
        .map_err(|_| anyhow::anyhow!("Redis did not answer within 5 s"))?
        .map_err(|e| anyhow::anyhow!("cannot connect to Redis: {e}"))?;
        let (out, out_rx) = mpsc::channel(PUBLISH_QUEUE);
        Ok(Redis(Arc::new(Inner {
            node: uuid::Uuid::new_v4().to_string(),
            client,
            conn,
            out,
            out_rx: Mutex::new(Some(out_rx)),
            subscribed: AtomicBool::new(false),
            rate: redis::Script::new(RATE_SCRIPT),
            written: Mutex::default(),
            down_until: Mutex::default(),
        })))
    }

    /// Starts the subscriber and publisher tasks for `hub`.
    pub(super) fn start(&self, hub: Weak<Hub>) {
        let rx = self
            .0
            .out_rx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(rx) = rx {
            tokio::spawn(publisher(self.0.conn.clone(), rx));
        }
        tokio::spawn(subscriber(self.clone(), hub));
    }

    /// Whether this node currently receives other nodes' events.
    pub fn is_subscribed(&self) -> bool {
        self.0.subscribed.load(Ordering::Relaxed)
    }

    /// Queues `event` for the other nodes; never waits.
    pub(super) fn publish(&self, event: &Event) {
        let env = Envelope {
            node: self.0.node.clone(),
            event: event.clone(),
        };
        let Ok(text) = serde_json::to_string(&env) else {
            return;
        };
        if self.0.out.try_send(text).is_err() {
            metrics::counter!("redis_publish_dropped_total").increment(1);
        }
    }

    /// Redis answers PING.
    pub async fn ping(&self) -> bool {
        let mut c = self.0.conn.clone();
        matches!(
            tokio::time::timeout(
                COMMAND_TIMEOUT,
                redis::cmd("PING").query_async::<String>(&mut c)
            )
            .await,
            Ok(Ok(_))
        )
    }

    /// One message by `key` under a shared limit of `per_minute` with `burst`: `Some(Ok)` if
    /// allowed, `Some(Err(seconds))` if not, `None` if Redis did not answer (use a local limit).
    pub async fn allow(&self, key: &str, per_minute: u32, burst: u32) -> Option<Result<(), u64>> {
        if self.seems_down() {
            return None;
        }
        let interval_us = 60_000_000u64 / u64::from(per_minute.max(1));
        let mut c = self.0.conn.clone();
        let mut invocation = self.0.rate.key(format!("support-chat:rate:{key}"));
        invocation.arg(interval_us).arg(burst.max(1));
        let call = invocation.invoke_async::<(i64, i64)>(&mut c);
        match tokio::time::timeout(COMMAND_TIMEOUT, call).await {
            Ok(Ok((1, _))) => Some(Ok(())),
            Ok(Ok((_, wait_us))) => Some(Err((wait_us.max(0) as u64).div_ceil(1_000_000).max(1))),
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "redis rate limit failed; using the local limit");
                self.mark_down();
                None
            }
            Err(_) => {
                self.mark_down();
                None
            }
        }
    }

    fn seems_down(&self) -> bool {
        let d = self.0.down_until.lock().unwrap_or_else(|e| e.into_inner());
        d.is_some_and(|t| std::time::Instant::now() < t)
    }

    fn mark_down(&self) {
        *self.0.down_until.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(std::time::Instant::now() + Duration::from_secs(1));
    }

    /// Writes this node's online admins (`local`, sorted) with a fresh expiry and removes the
    /// ones gone. Returns whether it wrote a set that differs from the one written before, so
    /// the caller tells the other nodes only about real changes (a failed write is retried,
    /// and announced, on the next call).
    pub(super) async fn refresh_presence(&self, local: &[UserId]) -> bool {
        debug_assert!(local.is_sorted());
        let expires = now_ms() + PRESENCE_TTL_MS;
        let (gone, changed): (Vec<String>, bool) = {
            let w = self.0.written.lock().unwrap_or_else(|e| e.into_inner());
            let gone = w
                .iter()
                .filter(|u| local.binary_search(u).is_err())
                .map(|u| self.field(*u))
                .collect();
            (gone, *w != local)
        };
        let mut pipe = redis::pipe();
        if !gone.is_empty() {
            pipe.hdel(PRESENCE_KEY, gone).ignore();
        }
        if !local.is_empty() {
            let fields: Vec<(String, i64)> =
                local.iter().map(|u| (self.field(*u), expires)).collect();
            pipe.hset_multiple(PRESENCE_KEY, &fields).ignore();
        }
        let mut c = self.0.conn.clone();
        let written = tokio::time::timeout(COMMAND_TIMEOUT, pipe.query_async::<()>(&mut c)).await;
        if !matches!(written, Ok(Ok(()))) {
            return false;
        }
        if changed {
            *self.0.written.lock().unwrap_or_else(|e| e.into_inner()) = local.to_vec();
        }
        changed
    }

    /// Admins online on any node (entries not refreshed within the TTL are ignored and removed).
    pub(super) async fn online_admins(&self) -> Vec<UserId> {
        let mut c = self.0.conn.clone();
        let Ok(Ok(all)) = tokio::time::timeout(
            COMMAND_TIMEOUT,
            c.hgetall::<_, Vec<(String, i64)>>(PRESENCE_KEY),
        )
        .await
        else {
            return Vec::new();
        };
        let now = now_ms();
        let mut stale = Vec::new();
        let mut ids = Vec::new();
        for (field, expires) in all {
            let id = field
                .rsplit_once(':')
                .and_then(|(_, id)| id.parse::<i64>().ok());
            match id {
                Some(id) if expires > now => ids.push(UserId(id)),
                _ => stale.push(field),
            }
        }
        if !stale.is_empty() {
            let _ = tokio::time::timeout(COMMAND_TIMEOUT, c.hdel::<_, _, ()>(PRESENCE_KEY, stale))
                .await;
        }
        ids
    }

    fn field(&self, u: UserId) -> String {
        format!("{}:{}", self.0.node, u.0)
    }
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Sends queued events, pipelining whatever is waiting.
async fn publisher(mut conn: ConnectionManager, mut rx: mpsc::Receiver<String>) {
    let mut batch = Vec::with_capacity(256);
    while rx.recv_many(&mut batch, 256).await > 0 {
        let mut pipe = redis::pipe();
        for text in batch.drain(..) {
            pipe.publish(CHANNEL, text).ignore();
        }
        match tokio::time::timeout(Duration::from_secs(2), pipe.query_async::<()>(&mut conn)).await
        {
            Ok(Ok(())) => {}
            _ => {
                // Other nodes catch up from the database once Redis is back.
                metrics::counter!("redis_publish_failed_total").increment(1);
            }
        }
    }
}

/// Receives other nodes' events; reconnects with back-off and makes every socket catch up
/// after an outage.
async fn subscriber(redis: Redis, hub: Weak<Hub>) {
    let mut backoff = Duration::from_millis(100);
    let mut outage = false;
    loop {
        if hub.strong_count() == 0 {
            return;
        }
        match subscribe(&redis).await {
            Ok(pubsub) => {
                backoff = Duration::from_millis(100);
                redis.0.subscribed.store(true, Ordering::Relaxed);
                if outage {
                    tracing::info!("redis is back: sockets catch up from the database");
                    if let Some(h) = hub.upgrade() {
                        h.resume_all();
                    }
                }
                let mut stream = pubsub.into_on_message();
                while let Some(msg) = stream.next().await {
                    let Some(h) = hub.upgrade() else { return };
                    let Ok(text) = msg.get_payload::<String>() else {
                        continue;
                    };
                    match serde_json::from_str::<Envelope>(&text) {
                        Ok(env) if env.node != redis.0.node => h.dispatch(env.event),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "unreadable event on the redis channel")
                        }
                    }
                }
                redis.0.subscribed.store(false, Ordering::Relaxed);
                tracing::warn!(
                    "lost the redis subscription; local delivery continues, reconnecting"
                );
            }
            Err(e) => {
                redis.0.subscribed.store(false, Ordering::Relaxed);
                tracing::debug!(error = %e, "redis subscribe failed");
            }
        }
        outage = true;
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

async fn subscribe(redis: &Redis) -> anyhow::Result<redis::aio::PubSub> {
    let mut ps = tokio::time::timeout(Duration::from_secs(2), redis.0.client.get_async_pubsub())
        .await
        .map_err(|_| anyhow::anyhow!("timed out"))??;
    ps.subscribe(CHANNEL).await?;
    Ok(ps)
}
