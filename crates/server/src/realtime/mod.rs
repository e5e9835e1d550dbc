//! Real time: the hub that routes events to WebSocket connections, on one node and (with Redis)
//! across nodes.
//!
//! One event path: whatever changes state (a committed message, a REST update, a typing
//! notice) becomes an [`Event`], delivered to this node's connections at once and published to
//! the broker for the other nodes. Message events carry their per-conversation sequence number;
//! each connection delivers a conversation's messages strictly in sequence, drops repeats and
//! fills any hole from the database (see `socket.rs`), so exactly-once, in-order delivery does
//! not depend on the broker's ordering or reliability.

pub mod broker;
pub mod conn;
pub mod protocol;
pub mod socket;

use crate::flags::{FlagCache, is_on_for};
use broker::Redis;
use conn::{CloseReason, Conn, Credential, Out};
use protocol::{PresenceData, ServerFrame};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support_chat_domain::{ConversationId, Role, SenderType, UserId};
use support_chat_store::{SentMessage, Store};
use tokio::sync::Notify;

/// Real-time settings.
#[derive(Debug, Clone)]
pub struct RealtimeConfig {
    /// Idle sockets get a protocol ping this often.
    pub ping_interval: Duration,
    /// A socket that sends nothing (not even a pong) for this long is dropped.
    pub idle_timeout: Duration,
    /// Frames queued for one socket before it counts as too slow and is closed.
    pub outbox_limit: usize,
    /// Most messages replayed on `join_conversation`; more than this gets `reset_required`.
    pub max_replay: i64,
    /// Frames a socket may send per second, and in a burst.
    pub frames_per_second: u32,
    pub frame_burst: u32,
    /// How long a hole in a conversation's sequence may stay open before the missing messages
    /// are read from the database (they normally arrive on their own within milliseconds).
    pub gap_wait: Duration,
    /// How often every socket's session or token, role and feature access are checked again
    /// (a backstop for close events that did not arrive).
    pub sweep_interval: Duration,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(25),
            idle_timeout: Duration::from_secs(60),
            outbox_limit: 512,
            max_replay: 500,
            frames_per_second: 20,
            frame_burst: 60,
            gap_wait: Duration::from_millis(200),
            sweep_interval: Duration::from_secs(30),
        }
    }
}

/// Which sockets to close.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum CloseTarget {
    /// Every socket of this user (password change, account change).
    User(UserId),
    /// The sockets opened with this session or token (sign-out, token revoked).
    Credential(Credential),
}

/// What travels between nodes. Frames are encoded once, where the event happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum Event {
    /// A stored message: to the conversation's room, and as a notification to the people it
    /// concerns who have not joined the room.
    Message {
        conversation: ConversationId,
        seq: i64,
        sender: UserId,
        sender_is_user: bool,
        owner: UserId,
        assignee: Option<UserId>,
        frame: String,
        notice: String,
    },
    /// To a room only (typing, read receipts), except the user who caused it.
    Room {
        conversation: ConversationId,
        except: Option<UserId>,
        frame: String,
    },
    /// To a room, the owner and every admin (`conversation_updated`).
    Updated {
        conversation: ConversationId,
        owner: Option<UserId>,
        frame: String,
    },
    /// To every admin (`conversation_created`).
    Admins {
        frame: String,
    },
    Close {
        target: CloseTarget,
    },
    /// Feature flags changed: sockets of people who lost `support_chat` close.
    FlagsChanged,
    /// Some node's online admins changed.
    PresenceChanged,
}

#[derive(Default)]
struct Registry {
    rooms: HashMap<ConversationId, Vec<Arc<Conn>>>,
    users: HashMap<UserId, Vec<Arc<Conn>>>,
    admins: HashMap<u64, Arc<Conn>>,
}

impl Registry {
    fn in_room(&self, conversation: ConversationId, conn: u64) -> bool {
        self.rooms
            .get(&conversation)
            .is_some_and(|m| m.iter().any(|c| c.id == conn))
    }
}

pub struct Hub {
    pub config: RealtimeConfig,
    store: Store,
    registry: Mutex<Registry>,
    next_id: AtomicU64,
    flags: Arc<FlagCache>,
    redis: Option<Redis>,
    presence_dirty: Arc<Notify>,
    presence: Mutex<Presence>,
    /// Open sockets, for metrics and for waiting on shutdown.
    open: AtomicU64,
    drained: Notify,
}

impl Hub {
    pub fn new(
        config: RealtimeConfig,
        store: Store,
        flags: Arc<FlagCache>,
        redis: Option<Redis>,
    ) -> Arc<Hub> {
        let hub = Arc::new(Hub {
            config,
            store,
            registry: Mutex::default(),
            next_id: AtomicU64::new(1),
            flags,
            redis,
            presence_dirty: Arc::new(Notify::new()),
            presence: Mutex::new(Presence::new(&[])),
            open: AtomicU64::new(0),
            drained: Notify::new(),
        });
        tokio::spawn(presence_loop(
            Arc::downgrade(&hub),
            hub.presence_dirty.clone(),
        ));
        tokio::spawn(sweep_loop(Arc::downgrade(&hub)));
        if let Some(redis) = &hub.redis {
            redis.start(Arc::downgrade(&hub));
        }
        hub
    }

    pub fn redis(&self) -> Option<&Redis> {
        self.redis.as_ref()
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new socket; it starts with the current presence frame queued.
    pub fn connect(&self, user: UserId, role: Role, credential: Credential) -> Arc<Conn> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let is_admin = role == Role::Admin;
        let conn = Arc::new(Conn::new(
            id,
            user,
            is_admin,
            credential,
            self.config.outbox_limit,
        ));
        let first_admin_socket = {
            let mut r = self.registry();
            let mine = r.users.entry(user).or_default();
            let first = is_admin && mine.is_empty();
            mine.push(conn.clone());
            if is_admin {
                r.admins.insert(id, conn.clone());
            }
            first
        };
        {
            // Under the lock, so a newer frame from the presence loop cannot overtake this one.
            let p = self.presence.lock().unwrap_or_else(|e| e.into_inner());
            conn.push(Out::Frame(p.frames.frame_for(is_admin)));
        }
        if first_admin_socket {
            self.presence_changed_locally();
        }
        self.open.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!("ws_connections").increment(1.0);
        conn
    }

    /// Forgets a socket and every room it was in.
    pub fn disconnect(&self, conn: &Conn, joined: impl Iterator<Item = ConversationId>) {
        let last_admin_socket = {
            let mut r = self.registry();
            for c in joined {
                if let Some(m) = r.rooms.get_mut(&c) {
                    m.retain(|x| x.id != conn.id);
                    if m.is_empty() {
                        r.rooms.remove(&c);
                    }
                }
            }
            let mut last = false;
            if let Some(mine) = r.users.get_mut(&conn.user) {
                mine.retain(|x| x.id != conn.id);
                if mine.is_empty() {
                    r.users.remove(&conn.user);
                    last = conn.is_admin;
                }
            }
            r.admins.remove(&conn.id);
            last
        };
        if last_admin_socket {
            self.presence_changed_locally();
        }
        metrics::gauge!("ws_connections").decrement(1.0);
        if self.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.drained.notify_waiters();
        }
    }

    pub fn join(&self, conn: &Arc<Conn>, conversation: ConversationId) {
        let mut r = self.registry();
        let m = r.rooms.entry(conversation).or_default();
        if !m.iter().any(|x| x.id == conn.id) {
            m.push(conn.clone());
        }
    }

    pub fn leave(&self, conn: &Conn, conversation: ConversationId) {
        let mut r = self.registry();
        if let Some(m) = r.rooms.get_mut(&conversation) {
            m.retain(|x| x.id != conn.id);
            if m.is_empty() {
                r.rooms.remove(&conversation);
            }
        }
    }

    /// Delivers `event` here and hands it to the broker for the other nodes.
    pub fn publish(&self, event: Event) {
        if let Some(redis) = &self.redis {
            redis.publish(&event);
        }
        self.dispatch(event);
    }

    /// The event for a message the writer just committed.
    pub fn message_stored(&self, sent: &SentMessage) {
        let Some(audience) = sent.audience else {
            return;
        };
        let m = &sent.message;
        let frame = ServerFrame::Message {
            conversation_id: m.conversation_id,
            data: m.clone(),
        };
        let notice = ServerFrame::Notification {
            conversation_id: m.conversation_id,
            data: protocol::NotificationData {
                kind: "message".into(),
                message_id: m.id,
                sender_name: m.sender_name.clone(),
                preview: m.content.chars().take(200).collect(),
                urgent: audience.urgent,
            },
        };
        self.publish(Event::Message {
            conversation: m.conversation_id,
            seq: m.seq,
            sender: m.sender_id,
            sender_is_user: m.sender_type == SenderType::User,
            owner: audience.owner,
            assignee: audience.assignee,
            frame: frame.encode().to_string(),
            notice: notice.encode().to_string(),
        });
    }

    /// Delivers an event to this node's sockets.
    pub fn dispatch(&self, event: Event) {
        match event {
            Event::Message {
                conversation,
                seq,
                sender,
                sender_is_user,
                owner,
                assignee,
                frame,
                notice,
            } => {
                let frame = axum::extract::ws::Utf8Bytes::from(frame);
                let notice = axum::extract::ws::Utf8Bytes::from(notice);
                let r = self.registry();
                let members = r.rooms.get(&conversation);
                if let Some(members) = members {
                    for c in members {
                        c.push(Out::Message {
                            conversation,
                            seq,
                            frame: frame.clone(),
                        });
                    }
                    metrics::counter!("ws_deliveries_total").increment(members.len() as u64);
                }
                let notify = |c: &Arc<Conn>| {
                    if c.user != sender && !r.in_room(conversation, c.id) {
                        c.push(Out::Frame(notice.clone()));
                    }
                };
                if sender != owner {
                    r.users.get(&owner).into_iter().flatten().for_each(notify);
                }
                if sender_is_user {
                    match assignee {
                        // Only while they are an admin: a demoted assignee hears nothing.
                        Some(a) => r
                            .users
                            .get(&a)
                            .into_iter()
                            .flatten()
                            .filter(|c| c.is_admin)
                            .for_each(notify),
                        None => r.admins.values().for_each(notify),
                    }
                }
            }
            Event::Room {
                conversation,
                except,
                frame,
            } => {
                let frame = axum::extract::ws::Utf8Bytes::from(frame);
                let r = self.registry();
                for c in r.rooms.get(&conversation).into_iter().flatten() {
                    if Some(c.user) != except {
                        c.push(Out::Frame(frame.clone()));
                    }
                }
            }
            Event::Updated {
                conversation,
                owner,
                frame,
            } => {
                let frame = axum::extract::ws::Utf8Bytes::from(frame);
                let r = self.registry();
                let mut sent = BTreeSet::new();
                let members = r.rooms.get(&conversation).into_iter().flatten();
                let owners = owner.and_then(|o| r.users.get(&o)).into_iter().flatten();
                for c in members.chain(owners).chain(r.admins.values()) {
                    if sent.insert(c.id) {
                        c.push(Out::Frame(frame.clone()));
                    }
                }
            }
            Event::Admins { frame } => {
                let frame = axum::extract::ws::Utf8Bytes::from(frame);
                for c in self.registry().admins.values() {
                    c.push(Out::Frame(frame.clone()));
                }
            }
            Event::Close { target } => {
                for c in self.registry().users.values().flatten() {
                    let hit = match &target {
                        CloseTarget::User(u) => c.user == *u,
                        CloseTarget::Credential(cred) => c.credential == *cred,
                    };
                    if hit {
                        c.close(match target {
                            CloseTarget::User(_) => CloseReason::ACCOUNT_CHANGED,
                            CloseTarget::Credential(_) => CloseReason::SIGNED_OUT,
                        });
                    }
                }
            }
            Event::FlagsChanged => {
                let flags = self.flags.clone();
                let conns = self.all_conns();
                tokio::spawn(async move {
                    let Ok(flag) = fresh_support_chat_flag(&flags).await else {
                        return;
                    };
                    for c in conns {
                        let role = if c.is_admin { Role::Admin } else { Role::User };
                        if !feature_allows(flag.as_ref(), &c, role) {
                            c.close(CloseReason::FEATURE_OFF);
                        }
                    }
                });
            }
            Event::PresenceChanged => self.presence_dirty.notify_one(),
        }
    }

    /// The broker came back after an outage: every socket catches up from the database, and
    /// credentials are checked again (a sign-out elsewhere may not have reached this node).
    pub fn resume_all(self: &Arc<Self>) {
        for c in self.registry().users.values().flatten() {
            c.push(Out::Resume);
        }
        self.presence_dirty.notify_one();
        let hub = self.clone();
        tokio::spawn(async move { hub.sweep().await });
    }

    /// Closes sockets whose session or token stopped working, whose user's role changed, or
    /// who lost the `support_chat` feature. A backstop for close events that did not arrive
    /// (broker outage, a reconnect inside the credential cache's second).
    pub async fn sweep(&self) {
        let conns = self.all_conns();
        if conns.is_empty() {
            return;
        }
        let mut sessions = Vec::new();
        let mut tokens = Vec::new();
        for c in &conns {
            match &c.credential {
                Credential::Session(h) => sessions.push(h.clone()),
                Credential::Token(t) => tokens.push(t.clone()),
            }
        }
        sessions.sort_unstable();
        sessions.dedup();
        tokens.sort_unstable();
        tokens.dedup();
        let Ok((live_sessions, live_tokens)) =
            self.store.live_credentials(&sessions, &tokens).await
        else {
            return; // The database is away: try again next time.
        };
        let flag = fresh_support_chat_flag(&self.flags).await;
        for c in conns {
            let role = match &c.credential {
                Credential::Session(h) => live_sessions.get(h),
                Credential::Token(t) => live_tokens.get(t),
            };
            match role {
                None => c.close(CloseReason::SIGNED_OUT),
                Some(r) if (*r == Role::Admin) != c.is_admin => {
                    c.close(CloseReason::ACCOUNT_CHANGED)
                }
                Some(r) => {
                    if flag
                        .as_ref()
                        .is_ok_and(|f| !feature_allows(f.as_ref(), &c, *r))
                    {
                        c.close(CloseReason::FEATURE_OFF);
                    }
                }
            }
        }
    }

    /// Every socket on this node, for work done outside the registry lock.
    fn all_conns(&self) -> Vec<Arc<Conn>> {
        self.registry().users.values().flatten().cloned().collect()
    }

    /// Admins with a socket on this node.
    pub fn local_admins(&self) -> Vec<UserId> {
        let r = self.registry();
        let set: BTreeSet<UserId> = r.admins.values().map(|c| c.user).collect();
        set.into_iter().collect()
    }

    /// An admin's first socket opened or last one closed. The presence loop (debounced) writes
    /// the change to Redis and tells the sockets, so a burst of connects costs one round.
    fn presence_changed_locally(&self) {
        self.presence_dirty.notify_one();
    }

    /// Closes every socket with a close frame and waits (up to `patience`) until they are gone.
    pub async fn shutdown(&self, patience: Duration) {
        let conns = self.all_conns();
        for c in &conns {
            c.close(CloseReason::SHUTDOWN);
        }
        drop(conns);
        let _ = tokio::time::timeout(patience, async {
            loop {
                let drained = self.drained.notified();
                if self.open.load(Ordering::Acquire) == 0 {
                    break;
                }
                drained.await;
            }
        })
        .await;
    }

    pub fn open_sockets(&self) -> u64 {
        self.open.load(Ordering::Relaxed)
    }
}

/// The `support_chat` flag read afresh (the cache is dropped first); `Ok(None)` if it does
/// not exist, `Err` if the flags could not be read.
async fn fresh_support_chat_flag(
    flags: &FlagCache,
) -> Result<Option<support_chat_store::FeatureFlag>, crate::error::ApiError> {
    flags.invalidate().await;
    Ok(flags
        .all()
        .await?
        .into_iter()
        .find(|f| f.key == crate::routes::support::FEATURE))
}

/// Whether a socket of this user with `role` may stay open as far as `support_chat` goes.
fn feature_allows(flag: Option<&support_chat_store::FeatureFlag>, c: &Conn, role: Role) -> bool {
    flag.is_some_and(|f| is_on_for(f, c.user, role))
}

async fn sweep_loop(hub: std::sync::Weak<Hub>) {
    let every = match hub.upgrade() {
        Some(h) => h.config.sweep_interval,
        None => return,
    };
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(h) = hub.upgrade() else { return };
        h.sweep().await;
    }
}

/// Who is online, as last told to sockets: admins see the ids (the first
/// [`PRESENCE_IDS_SHOWN`]), end users only how many admins are online.
struct Presence {
    ids: Vec<UserId>,
    frames: PresenceFrames,
}

#[derive(Clone)]
struct PresenceFrames {
    for_admins: axum::extract::ws::Utf8Bytes,
    for_users: axum::extract::ws::Utf8Bytes,
}

/// Admin ids listed in a presence frame at most (the count is always exact).
const PRESENCE_IDS_SHOWN: usize = 100;

impl Presence {
    fn new(ids: &[UserId]) -> Self {
        let shown: Vec<UserId> = ids.iter().copied().take(PRESENCE_IDS_SHOWN).collect();
        let frame = |admin_ids: Option<Vec<UserId>>| {
            ServerFrame::Presence {
                data: PresenceData {
                    admins_online: ids.len(),
                    admin_ids,
                },
            }
            .encode()
        };
        Presence {
            ids: ids.to_vec(),
            frames: PresenceFrames {
                for_admins: frame(Some(shown)),
                for_users: frame(None),
            },
        }
    }
}

impl PresenceFrames {
    fn frame_for(&self, admin: bool) -> axum::extract::ws::Utf8Bytes {
        if admin {
            self.for_admins.clone()
        } else {
            self.for_users.clone()
        }
    }
}

/// Recomputes who is online when told (debounced, so a burst of connects sends one frame) and
/// every few seconds (another node may have died). Admins hear when the set changes, end users
/// only when the number of admins online does; the frames are built once per change.
async fn presence_loop(hub: std::sync::Weak<Hub>, dirty: Arc<Notify>) {
    const DEBOUNCE: Duration = Duration::from_millis(500);
    const RECHECK: Duration = Duration::from_secs(10);
    loop {
        let _ = tokio::time::timeout(RECHECK, dirty.notified()).await;
        tokio::time::sleep(DEBOUNCE).await;
        let Some(h) = hub.upgrade() else { return };
        let local = h.local_admins();
        let mut ids: BTreeSet<UserId> = local.iter().copied().collect();
        if let Some(redis) = &h.redis {
            if redis.refresh_presence(&local).await {
                redis.publish(&Event::PresenceChanged);
            }
            ids.extend(redis.online_admins().await);
        }
        let ids: Vec<UserId> = ids.into_iter().collect();
        let Some(news) = h.presence_update(ids) else {
            continue;
        };
        // Not kept alive through the pushes (shutdown drops it).
        drop(h);
        // Paced: a slice of sockets at a time, spread so that a process sends about
        // PRESENCE_FRAMES_PER_SEC presence frames a second. Thousands of sockets told at once
        // (every admin reconnecting after a restart changes the set again and again) would
        // take the cores from the handshakes and chat frames of that moment for seconds.
        // Each slice at its own time from the start, so late wake-ups do not add up, but never
        // less than half a pause after the one before (catching up at twice the pace at most).
        let pause = presence_pause(news.to.len());
        let start = tokio::time::Instant::now();
        for (i, slice) in news.to.chunks(PRESENCE_PUSH_SLICE).enumerate() {
            if i > 0 {
                let due = start + pause * i as u32;
                tokio::time::sleep_until(due.max(tokio::time::Instant::now() + pause / 2)).await;
            }
            for c in slice {
                c.push(Out::Frame(news.frames.frame_for(c.is_admin)));
            }
        }
    }
}

/// Sockets told about a presence change at a time by the presence loop.
const PRESENCE_PUSH_SLICE: usize = 64;

/// Presence frames a process sends per second at most while telling many sockets (a usual
/// team's change is a single slice, sent at once).
const PRESENCE_FRAMES_PER_SEC: f64 = 4000.0;

/// The longest a round of telling may take, however many sockets: the loop refreshes this
/// node's presence in Redis between rounds, well within the entries' expiry.
const PRESENCE_MAX_ROUND_SECS: f64 = 8.0;

/// The pause between two slices when telling `n` sockets.
fn presence_pause(n: usize) -> Duration {
    let rate = PRESENCE_FRAMES_PER_SEC.max(n as f64 / PRESENCE_MAX_ROUND_SECS);
    Duration::from_secs_f64(PRESENCE_PUSH_SLICE as f64 / rate)
}

impl Hub {
    /// Makes `ids` the admins online. If that is a change, returns the sockets to tell (a
    /// snapshot: a socket connecting after it starts with the new frame instead) and the
    /// frames.
    fn presence_update(&self, ids: Vec<UserId>) -> Option<PresenceNews> {
        // Lock order: presence, registry (as in `connect`, which queues the current frame
        // under the presence lock), so every socket gets this frame after any older one.
        let mut p = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        if p.ids == ids {
            return None;
        }
        let count_changed = p.ids.len() != ids.len();
        *p = Presence::new(&ids);
        let to = self
            .registry()
            .users
            .values()
            .flatten()
            .filter(|c| c.is_admin || count_changed)
            .cloned()
            .collect();
        Some(PresenceNews {
            to,
            frames: p.frames.clone(),
        })
    }
}

/// A presence change to push: to whom, and what.
struct PresenceNews {
    to: Vec<Arc<Conn>>,
    frames: PresenceFrames,
}
