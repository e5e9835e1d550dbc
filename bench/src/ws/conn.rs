//! One task per WebSocket: connect (from a chosen 127.0.0.x source address), join the room,
//! then write the sends it is handed and read everything the server pushes. What it reads is
//! checked and recorded in [`Shared`]: send→deliver and ack latencies, per-socket sequence
//! order, duplicate and missing deliveries, error frames and closes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicI64, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde::Deserialize;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::report::{micros, new_histogram};
use crate::schedule::Plan;

/// What the orchestrator tells a socket task.
#[derive(Debug, Clone, Copy)]
pub enum Cmd {
    /// Send message `index` of step `step` into the socket's room.
    Send { step: u32, index: u64 },
    /// Close the socket (end of run).
    Close,
}

pub const SLOT_IDLE: u8 = 0;
pub const SLOT_SENT: u8 = 1;
pub const SLOT_ACKED: u8 = 2;
pub const SLOT_FAILED: u8 = 3;
pub const SLOT_OVERFLOW: u8 = 4;

/// One scheduled send.
#[derive(Debug, Default)]
pub struct Slot {
    /// Scheduled send time, ns after [`Shared::epoch`].
    pub scheduled_ns: AtomicU64,
    /// When the frame was handed to the socket, ns after the epoch (0 before).
    pub written_ns: AtomicU64,
    pub room: AtomicU32,
    pub deliveries: AtomicU32,
    pub state: AtomicU8,
}

#[derive(Debug)]
pub struct StepHists {
    pub deliver: Histogram<u64>,
    pub deliver_from_write: Histogram<u64>,
    pub ack: Histogram<u64>,
}

#[derive(Debug)]
pub struct StepState {
    pub plan: Plan,
    /// Ticks before this index are warm-up.
    pub first_measured: u64,
    pub slots: Vec<Slot>,
    pub hists: Mutex<StepHists>,
    /// Sends handed to a socket (warm-up included).
    pub dispatched: AtomicU64,
    /// Of those, acked or failed.
    pub settled: AtomicU64,
    /// Σ room size over dispatched sends, and deliveries received for them (≤ room size each).
    pub expected: AtomicU64,
    pub delivered: AtomicU64,
}

impl StepState {
    pub fn new(plan: Plan, first_measured: u64, ticks: usize) -> Self {
        Self {
            plan,
            first_measured,
            slots: (0..ticks).map(|_| Slot::default()).collect(),
            hists: Mutex::new(StepHists {
                deliver: new_histogram(),
                deliver_from_write: new_histogram(),
                ack: new_histogram(),
            }),
            dispatched: AtomicU64::new(0),
            settled: AtomicU64::new(0),
            expected: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
        }
    }
}

#[derive(Debug)]
pub struct RoomState {
    pub conversation: i64,
    /// Sockets of the room that joined.
    pub joined: AtomicU32,
    /// Lowest `seq` acked in this room (`i64::MAX` before any).
    pub first_acked_seq: AtomicI64,
}

#[derive(Debug)]
pub struct SocketState {
    pub room: u32,
    /// First `seq` this socket received (`NO_SEQ` before any).
    pub first_seq: AtomicI64,
    pub joined: std::sync::atomic::AtomicBool,
}

pub const NO_SEQ: i64 = i64::MIN;

/// Frame types counted in `framesByType`; anything else is `other`.
pub const FRAME_TYPES: [&str; 13] = [
    "message",
    "ack",
    "joined",
    "presence",
    "notification",
    "typing",
    "read_receipt",
    "conversation_updated",
    "conversation_created",
    "reset_required",
    "error",
    "pong",
    "other",
];

#[derive(Debug, Default)]
pub struct Counters {
    pub frames: [AtomicU64; FRAME_TYPES.len()],
    pub bytes: AtomicU64,
    /// `message` frames received (any send), and acks.
    pub deliveries: AtomicU64,
    pub acks: AtomicU64,
    pub pings: AtomicU64,
    pub unknown_messages: AtomicU64,
    pub unreadable: AtomicU64,
    pub reset_required: AtomicU64,
    pub out_of_order: AtomicU64,
    pub gaps: AtomicU64,
    pub duplicates: AtomicU64,
    pub wrong_room: AtomicU64,
    pub duplicate_acks: AtomicU64,
    // connect phase
    pub opened: AtomicU64,
    pub joined: AtomicU64,
    pub failed: AtomicU64,
    pub open_now: AtomicU64,
    pub tasks_alive: AtomicU64,
    /// ns after the epoch of the last upgrade completed / last socket joined.
    pub last_opened_ns: AtomicU64,
    pub last_settled_ns: AtomicU64,
}

#[derive(Debug)]
pub struct ConnectHists {
    pub connect: Histogram<u64>,
    pub connect_from_schedule: Histogram<u64>,
    pub join: Histogram<u64>,
}

#[derive(Debug)]
pub struct Shared {
    pub epoch: Instant,
    /// Top 32 bits of every `clientMessageId` this process sends (a UUID: tag, step, index).
    pub cmid_tag: u32,
    pub steps: Vec<StepState>,
    pub rooms: Vec<RoomState>,
    pub sockets: Vec<SocketState>,
    pub c: Counters,
    pub connect: Mutex<ConnectHists>,
    pub connect_failures: Mutex<BTreeMap<String, u64>>,
    pub error_codes: Mutex<BTreeMap<String, u64>>,
    pub closes: Mutex<BTreeMap<String, u64>>,
    /// The first few error texts, for `warnings`.
    pub samples: Mutex<Vec<String>>,
}

const MAX_SAMPLES: usize = 8;

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn bump(map: &Mutex<BTreeMap<String, u64>>, key: &str) {
    *lock(map).entry(key.to_owned()).or_default() += 1;
}

impl Shared {
    pub fn new(
        cmid_tag: u32,
        steps: Vec<StepState>,
        conversations: &[i64],
        socket_rooms: impl Iterator<Item = usize>,
    ) -> Self {
        Self {
            epoch: Instant::now(),
            cmid_tag,
            steps,
            rooms: conversations
                .iter()
                .map(|&conversation| RoomState {
                    conversation,
                    joined: AtomicU32::new(0),
                    first_acked_seq: AtomicI64::new(i64::MAX),
                })
                .collect(),
            sockets: socket_rooms
                .map(|r| SocketState {
                    room: r as u32,
                    first_seq: AtomicI64::new(NO_SEQ),
                    joined: Default::default(),
                })
                .collect(),
            c: Counters::default(),
            connect: Mutex::new(ConnectHists {
                connect: new_histogram(),
                connect_from_schedule: new_histogram(),
                join: new_histogram(),
            }),
            connect_failures: Mutex::default(),
            error_codes: Mutex::default(),
            closes: Mutex::default(),
            samples: Mutex::default(),
        }
    }

    pub fn ns(&self, t: Instant) -> u64 {
        u64::try_from(t.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }

    fn sample(&self, text: String) {
        let mut s = lock(&self.samples);
        if s.len() < MAX_SAMPLES && !s.contains(&text) {
            s.push(text);
        }
    }

    /// The server wants a UUID: `tag` (32 bits) | `step` (32 bits) | `index` (64 bits).
    pub fn cmid(&self, step: u32, index: u64) -> String {
        let bits = (u128::from(self.cmid_tag) << 96) | (u128::from(step) << 64) | u128::from(index);
        uuid::Uuid::from_u128(bits).hyphenated().to_string()
    }

    /// The step and index of one of this process's sends.
    pub fn parse_cmid(&self, cmid: &str) -> Option<(usize, usize)> {
        let bits = uuid::Uuid::try_parse(cmid).ok()?.as_u128();
        if (bits >> 96) as u32 != self.cmid_tag {
            return None;
        }
        let step = ((bits >> 64) as u32) as usize;
        let index = usize::try_from(bits as u64).ok()?;
        (step < self.steps.len() && index < self.steps[step].slots.len()).then_some((step, index))
    }

    fn slot(&self, cmid: &str) -> Option<(&StepState, usize, &Slot)> {
        let (s, i) = self.parse_cmid(cmid)?;
        let step = &self.steps[s];
        Some((step, i, &step.slots[i]))
    }

    fn count_frame(&self, kind: &str, len: usize) {
        let i = FRAME_TYPES
            .iter()
            .position(|t| *t == kind)
            .unwrap_or(FRAME_TYPES.len() - 1);
        self.c.frames[i].fetch_add(1, Ordering::Relaxed);
        self.c.bytes.fetch_add(len as u64, Ordering::Relaxed);
    }

    fn connect_failed(&self, kind: &str) {
        self.c.failed.fetch_add(1, Ordering::Relaxed);
        bump(&self.connect_failures, kind);
        self.c
            .last_settled_ns
            .fetch_max(self.ns(Instant::now()), Ordering::Relaxed);
    }

    /// Marks a send that never reached the server as failed.
    pub fn fail_send(&self, step: u32, index: u64) {
        if let Some(step) = self.steps.get(step as usize)
            && let Some(slot) = step.slots.get(index as usize)
            && slot
                .state
                .compare_exchange(SLOT_SENT, SLOT_FAILED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            step.settled.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// The parts of a server frame the bench looks at; the rest is skipped.
#[derive(Debug, Deserialize)]
pub struct WireFrame<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(rename = "conversationId", default)]
    pub conversation_id: Option<i64>,
    #[serde(default, borrow)]
    pub data: Option<WireData<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireData<'a> {
    #[serde(default)]
    pub seq: Option<i64>,
    #[serde(default, borrow)]
    pub client_message_id: Option<Cow<'a, str>>,
    /// `error` frames.
    #[serde(default, borrow)]
    pub code: Option<Cow<'a, str>>,
    /// `error` frames have a string here; `conversation_created` has an object.
    #[serde(default)]
    pub message: Option<serde_json::Value>,
}

/// `presence` lists every online admin, so with thousands of admins it is large; it is
/// recognised by its prefix (the server writes `type` first) and not parsed.
const PRESENCE_PREFIX: &str = r#"{"type":"presence""#;

/// What a frame meant to the socket that read it.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    Joined(i64),
    /// An `error` about a conversation without a `clientMessageId` (a refused join).
    ConversationError(i64, String),
    Other,
}

/// What one socket knows about itself.
#[derive(Debug)]
pub struct Local {
    pub index: usize,
    pub room: usize,
    pub conversation: i64,
    pub last_seq: Option<i64>,
}

/// Records one text frame read by socket `me` at `now`.
pub fn handle_text(shared: &Shared, me: &mut Local, text: &str, now: Instant) -> Handled {
    if text.starts_with(PRESENCE_PREFIX) {
        shared.count_frame("presence", text.len());
        return Handled::Other;
    }
    let frame: WireFrame<'_> = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            shared.count_frame("other", text.len());
            shared.c.unreadable.fetch_add(1, Ordering::Relaxed);
            shared.sample(format!("unreadable frame ({e}): {:.200}", text));
            return Handled::Other;
        }
    };
    shared.count_frame(&frame.kind, text.len());
    let data = frame.data.unwrap_or_default();
    match &*frame.kind {
        "message" => {
            shared.c.deliveries.fetch_add(1, Ordering::Relaxed);
            on_message(shared, me, frame.conversation_id, &data, now);
            Handled::Other
        }
        "ack" => {
            on_ack(shared, &data, now);
            Handled::Other
        }
        "joined" => match frame.conversation_id {
            Some(c) => Handled::Joined(c),
            None => Handled::Other,
        },
        "error" => {
            let code = data.code.as_deref().unwrap_or("unknown");
            bump(&shared.error_codes, code);
            let message = data.message.as_ref().and_then(|m| m.as_str()).unwrap_or("");
            shared.sample(format!("error frame {code}: {message}"));
            match (&data.client_message_id, frame.conversation_id) {
                (Some(cmid), _) => {
                    if let Some((step, _, slot)) = shared.slot(cmid)
                        && slot
                            .state
                            .compare_exchange(
                                SLOT_SENT,
                                SLOT_FAILED,
                                Ordering::AcqRel,
                                Ordering::Acquire,
                            )
                            .is_ok()
                    {
                        step.settled.fetch_add(1, Ordering::AcqRel);
                    }
                    Handled::Other
                }
                (None, Some(c)) => Handled::ConversationError(c, code.to_owned()),
                (None, None) => Handled::Other,
            }
        }
        "reset_required" => {
            shared.c.reset_required.fetch_add(1, Ordering::Relaxed);
            shared.sample(format!(
                "reset_required on socket {} (conversation {:?})",
                me.index, frame.conversation_id
            ));
            Handled::Other
        }
        _ => Handled::Other,
    }
}

fn on_message(
    shared: &Shared,
    me: &mut Local,
    conversation: Option<i64>,
    data: &WireData<'_>,
    now: Instant,
) {
    if conversation != Some(me.conversation) {
        shared.c.wrong_room.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if let Some(seq) = data.seq {
        match me.last_seq {
            None => {
                shared.sockets[me.index]
                    .first_seq
                    .store(seq, Ordering::Relaxed);
                me.last_seq = Some(seq);
            }
            Some(last) if seq == last + 1 => me.last_seq = Some(seq),
            Some(last) if seq <= last => {
                // A repeat (or a late one): not a delivery of anything new.
                shared.c.out_of_order.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Some(_) => {
                shared.c.gaps.fetch_add(1, Ordering::Relaxed);
                me.last_seq = Some(seq);
            }
        }
    }
    let Some((step, index, slot)) = data
        .client_message_id
        .as_deref()
        .and_then(|c| shared.slot(c))
    else {
        shared.c.unknown_messages.fetch_add(1, Ordering::Relaxed);
        return;
    };
    if slot.state.load(Ordering::Acquire) == SLOT_IDLE {
        // Not dispatched by this process (cannot happen unless ids collide).
        shared.c.unknown_messages.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let room = slot.room.load(Ordering::Relaxed) as usize;
    if room != me.room {
        shared.c.wrong_room.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let n = slot.deliveries.fetch_add(1, Ordering::AcqRel) + 1;
    if n > shared.rooms[room].joined.load(Ordering::Relaxed) {
        shared.c.duplicates.fetch_add(1, Ordering::Relaxed);
        return;
    }
    step.delivered.fetch_add(1, Ordering::Relaxed);
    if (index as u64) < step.first_measured {
        return;
    }
    let now_ns = shared.ns(now);
    let scheduled = slot.scheduled_ns.load(Ordering::Relaxed);
    let written = slot.written_ns.load(Ordering::Relaxed);
    let mut h = lock(&step.hists);
    h.deliver.saturating_record(micros(Duration::from_nanos(
        now_ns.saturating_sub(scheduled),
    )));
    if written > 0 {
        h.deliver_from_write
            .saturating_record(micros(Duration::from_nanos(now_ns.saturating_sub(written))));
    }
}

fn on_ack(shared: &Shared, data: &WireData<'_>, now: Instant) {
    shared.c.acks.fetch_add(1, Ordering::Relaxed);
    let Some((step, index, slot)) = data
        .client_message_id
        .as_deref()
        .and_then(|c| shared.slot(c))
    else {
        return;
    };
    if slot
        .state
        .compare_exchange(SLOT_SENT, SLOT_ACKED, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        shared.c.duplicate_acks.fetch_add(1, Ordering::Relaxed);
        return;
    }
    step.settled.fetch_add(1, Ordering::AcqRel);
    if let Some(seq) = data.seq {
        let room = slot.room.load(Ordering::Relaxed) as usize;
        shared.rooms[room]
            .first_acked_seq
            .fetch_min(seq, Ordering::Relaxed);
    }
    if (index as u64) >= step.first_measured {
        let scheduled = slot.scheduled_ns.load(Ordering::Relaxed);
        let took = shared.ns(now).saturating_sub(scheduled);
        lock(&step.hists)
            .ack
            .saturating_record(micros(Duration::from_nanos(took)));
    }
}

/// Where and how sockets connect.
#[derive(Debug, Clone)]
pub struct Target {
    pub server: SocketAddr,
    /// `ws://host:port/api/support-chat/ws?token=`; the token is appended.
    pub url_prefix: String,
    /// Client sockets bind to 127.0.0.(1 + i % source_addrs) when the server is IPv4.
    pub source_addrs: u32,
    pub connect_timeout: Duration,
    pub config: WebSocketConfig,
}

/// Small buffers: the generator holds thousands of sockets and should stay lean.
pub fn client_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(256 * 1024)
        // A presence frame lists every online admin; allow it to grow past the server's
        // 64 KiB client-frame limit.
        .max_message_size(Some(8 << 20))
        .max_frame_size(Some(8 << 20))
}

pub fn source_addr(server: SocketAddr, source_addrs: u32, index: usize) -> Option<SocketAddr> {
    match server.ip() {
        IpAddr::V4(_) if source_addrs > 0 => {
            let host = 1 + (index % source_addrs as usize) as u8;
            Some(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::new(127, 0, 0, host)),
                0,
            ))
        }
        _ => None,
    }
}

type Ws = WebSocketStream<TcpStream>;

/// TCP connect + WebSocket upgrade. Returns the socket and when the TCP connect started.
async fn open(target: &Target, index: usize, token: &str) -> Result<(Ws, Instant), String> {
    let socket = if target.server.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(|e| format!("socket: {e}"))?;
    if let Some(src) = source_addr(target.server, target.source_addrs, index) {
        socket.bind(src).map_err(|_| "bind".to_owned())?;
    }
    let started = Instant::now();
    let stream = socket
        .connect(target.server)
        .await
        .map_err(|_| "tcp".to_owned())?;
    let _ = stream.set_nodelay(true);
    let url = format!("{}{token}", target.url_prefix);
    let (ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(target.config))
        .await
        .map_err(|e| match e {
            tungstenite::Error::Http(resp) => format!("http-{}", resp.status().as_u16()),
            _ => "handshake".to_owned(),
        })?;
    Ok((ws, started))
}

fn close_text(frame: Option<&tungstenite::protocol::CloseFrame>) -> String {
    match frame {
        Some(f) => format!("close {} {}", u16::from(f.code), f.reason.as_str()),
        None => "close (no code)".to_owned(),
    }
}

/// Keeps `tasks_alive` right however the task ends.
struct Alive(Arc<Shared>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.c.tasks_alive.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Builds the frame for send `index` of `step`.
pub fn message_frame(shared: &Shared, conversation: i64, step: u32, index: u64) -> String {
    format!(
        r#"{{"type":"message","conversationId":{conversation},"data":{{"content":"bench message {step}-{index}","clientMessageId":"{}"}}}}"#,
        shared.cmid(step, index)
    )
}

/// The life of socket `index`. The caller has already counted it in `tasks_alive`.
pub async fn socket_main(
    shared: Arc<Shared>,
    target: Arc<Target>,
    index: usize,
    token: Arc<str>,
    scheduled: Instant,
    mut rx: UnboundedReceiver<Cmd>,
) {
    let _alive = Alive(shared.clone());
    let room = shared.sockets[index].room as usize;
    let conversation = shared.rooms[room].conversation;
    let mut me = Local {
        index,
        room,
        conversation,
        last_seq: None,
    };
    let deadline = tokio::time::Instant::now() + target.connect_timeout;
    let mut ws = match tokio::time::timeout_at(deadline, open(&target, index, &token)).await {
        Ok(Ok((ws, started))) => {
            let now = Instant::now();
            let mut h = lock(&shared.connect);
            h.connect.saturating_record(micros(now - started));
            h.connect_from_schedule
                .saturating_record(micros(now.saturating_duration_since(scheduled)));
            drop(h);
            shared.c.opened.fetch_add(1, Ordering::Relaxed);
            shared.c.open_now.fetch_add(1, Ordering::Relaxed);
            shared
                .c
                .last_opened_ns
                .fetch_max(shared.ns(now), Ordering::Relaxed);
            ws
        }
        Ok(Err(kind)) => return shared.connect_failed(&kind),
        Err(_) => return shared.connect_failed("timeout"),
    };

    let end = match join(&shared, &mut ws, &mut me, deadline).await {
        Ok(()) => run(&shared, &mut ws, &mut me, &mut rx).await,
        Err(kind) => {
            shared.connect_failed(&kind);
            None
        }
    };
    shared.c.open_now.fetch_sub(1, Ordering::Relaxed);
    if let Some(reason) = end {
        bump(&shared.closes, &reason);
        shared.sample(format!("socket {index} ended: {reason}"));
    }
    // Sends queued for a socket that is gone never reach the server.
    rx.close();
    while let Ok(cmd) = rx.try_recv() {
        if let Cmd::Send { step, index } = cmd {
            shared.fail_send(step, index);
        }
    }
}

async fn join(
    shared: &Shared,
    ws: &mut Ws,
    me: &mut Local,
    deadline: tokio::time::Instant,
) -> Result<(), String> {
    let frame = format!(
        r#"{{"type":"join_conversation","conversationId":{}}}"#,
        me.conversation
    );
    let sent = Instant::now();
    ws.send(Message::text(frame))
        .await
        .map_err(|_| "closed".to_owned())?;
    loop {
        let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return Err("timeout".into()),
            Ok(None) | Ok(Some(Err(_))) => return Err("closed".into()),
            Ok(Some(Ok(m))) => m,
        };
        match msg {
            Message::Text(t) => match handle_text(shared, me, t.as_str(), Instant::now()) {
                Handled::Joined(c) if c == me.conversation => break,
                Handled::ConversationError(c, code) if c == me.conversation => {
                    return Err(format!("join-{code}"));
                }
                _ => {}
            },
            Message::Close(f) => return Err(close_text(f.as_ref())),
            Message::Ping(_) => {
                shared.c.pings.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
    let now = Instant::now();
    lock(&shared.connect)
        .join
        .saturating_record(micros(now - sent));
    shared.c.joined.fetch_add(1, Ordering::Relaxed);
    shared.rooms[me.room].joined.fetch_add(1, Ordering::Relaxed);
    shared.sockets[me.index]
        .joined
        .store(true, Ordering::Release);
    shared
        .c
        .last_settled_ns
        .fetch_max(shared.ns(now), Ordering::Relaxed);
    Ok(())
}

/// Reads and writes until told to close (`None`) or the socket ends (`Some(reason)`).
async fn run(
    shared: &Shared,
    ws: &mut Ws,
    me: &mut Local,
    rx: &mut UnboundedReceiver<Cmd>,
) -> Option<String> {
    loop {
        tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(Cmd::Send { step, index }) => {
                    let Some(slot) = shared.steps.get(step as usize).and_then(|s| s.slots.get(index as usize)) else {
                        continue;
                    };
                    let text = message_frame(shared, me.conversation, step, index);
                    slot.written_ns.store(shared.ns(Instant::now()), Ordering::Relaxed);
                    if let Err(e) = ws.send(Message::text(text)).await {
                        shared.fail_send(step, index);
                        return Some(format!("write failed: {e}"));
                    }
                }
                Some(Cmd::Close) | None => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
                    return None;
                }
            },
            msg = ws.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    handle_text(shared, me, t.as_str(), Instant::now());
                }
                Some(Ok(Message::Ping(_))) => {
                    shared.c.pings.fetch_add(1, Ordering::Relaxed);
                }
                Some(Ok(Message::Close(f))) => return Some(close_text(f.as_ref())),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Some(format!("read failed: {e}")),
                None => return Some("eof".to_owned()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Shared {
        let plan = Plan {
            rate_per_sec: 10.0,
            warmup: Duration::ZERO,
            measure: Duration::from_secs(1),
        };
        // 2 rooms of 3 sockets; step 0 with 10 slots, first measured = 2.
        let s = Shared::new(
            0xb0b0_0001,
            vec![StepState::new(plan, 2, 10)],
            &[70, 71],
            [0, 0, 0, 1, 1, 1].into_iter(),
        );
        for r in &s.rooms {
            r.joined.store(3, Ordering::Relaxed);
        }
        s
    }

    fn dispatch(s: &Shared, index: usize, room: u32) {
        let slot = &s.steps[0].slots[index];
        slot.room.store(room, Ordering::Relaxed);
        slot.scheduled_ns
            .store(s.ns(Instant::now()), Ordering::Relaxed);
        slot.state.store(SLOT_SENT, Ordering::Release);
        s.steps[0].dispatched.fetch_add(1, Ordering::Relaxed);
    }

    fn id(index: u64) -> String {
        uuid::Uuid::from_u128((0xb0b0_0001u128 << 96) | u128::from(index))
            .hyphenated()
            .to_string()
    }

    fn msg(conv: i64, seq: i64, cmid: &str) -> String {
        format!(
            r#"{{"type":"message","conversationId":{conv},"data":{{"id":9,"conversationId":{conv},"seq":{seq},"senderId":1,"senderType":"user","senderName":"N","content":"x","messageType":"text","createdAt":"2026-01-01T00:00:00Z","readAt":null,"clientMessageId":"{cmid}"}}}}"#
        )
    }

    fn local(index: usize, room: usize) -> Local {
        Local {
            index,
            room,
            conversation: [70, 71][room],
            last_seq: None,
        }
    }

    #[test]
    fn cmids_round_trip_and_foreign_ones_are_ignored() {
        let s = shared();
        assert_eq!(s.cmid(0, 7), "b0b00001-0000-0000-0000-000000000007");
        assert_eq!(s.cmid(0, 7), id(7));
        assert_eq!(s.cmid(3, 255), "b0b00001-0000-0003-0000-0000000000ff");
        assert_eq!(s.parse_cmid(&s.cmid(0, 7)), Some((0, 7)));
        assert_eq!(s.parse_cmid(&s.cmid(1, 7)), None, "no step 1");
        assert_eq!(s.parse_cmid(&s.cmid(0, 10)), None, "past the slots");
        assert_eq!(
            s.parse_cmid("b0b00002-0000-0000-0000-000000000007"),
            None,
            "another process"
        );
        assert_eq!(s.parse_cmid("x"), None);
        let f = message_frame(&s, 70, 0, 7);
        let v: serde_json::Value = serde_json::from_str(&f).unwrap();
        assert_eq!(v["type"], "message");
        assert_eq!(v["conversationId"], 70);
        assert_eq!(v["data"]["clientMessageId"], id(7).as_str());
        assert!(v["data"]["content"].is_string());
    }

    #[test]
    fn deliveries_acks_and_order_checks() {
        let s = shared();
        dispatch(&s, 3, 0);
        dispatch(&s, 4, 0);
        let now = Instant::now() + Duration::from_millis(5);
        let mut a = local(0, 0);
        let mut b = local(1, 0);
        // both sockets get seq 10 (send 3) and 11 (send 4)
        for me in [&mut a, &mut b] {
            handle_text(&s, me, &msg(70, 10, &id(3)), now);
            handle_text(&s, me, &msg(70, 11, &id(4)), now);
        }
        assert_eq!(s.sockets[0].first_seq.load(Ordering::Relaxed), 10);
        assert_eq!(s.steps[0].slots[3].deliveries.load(Ordering::Relaxed), 2);
        assert_eq!(s.steps[0].delivered.load(Ordering::Relaxed), 4);
        assert_eq!(s.c.deliveries.load(Ordering::Relaxed), 4);
        // a repeat and a gap on socket a
        handle_text(&s, &mut a, &msg(70, 11, &id(4)), now);
        handle_text(
            &s,
            &mut a,
            &msg(70, 13, "1d5e0c3a-7f6b-4c1e-9a2b-3c4d5e6f7a8b"),
            now,
        );
        assert_eq!(s.c.out_of_order.load(Ordering::Relaxed), 1);
        assert_eq!(s.c.gaps.load(Ordering::Relaxed), 1);
        assert_eq!(s.c.unknown_messages.load(Ordering::Relaxed), 1);
        assert_eq!(s.steps[0].slots[4].deliveries.load(Ordering::Relaxed), 2);
        // the third socket completes send 4; a fourth copy is a duplicate
        let mut c = local(2, 0);
        handle_text(&s, &mut c, &msg(70, 11, &id(4)), now);
        assert_eq!(s.c.duplicates.load(Ordering::Relaxed), 0);
        handle_text(&s, &mut local(2, 0), &msg(70, 11, &id(4)), now);
        assert_eq!(s.c.duplicates.load(Ordering::Relaxed), 1);
        // a frame for another room's conversation
        handle_text(&s, &mut c, &msg(71, 1, &id(3)), now);
        assert_eq!(s.c.wrong_room.load(Ordering::Relaxed), 1);

        let ack = format!(
            r#"{{"type":"ack","conversationId":70,"data":{{"clientMessageId":"{}","messageId":5,"seq":10}}}}"#,
            id(3)
        );
        handle_text(&s, &mut a, &ack, now);
        handle_text(&s, &mut a, &ack, now);
        assert_eq!(
            s.steps[0].slots[3].state.load(Ordering::Relaxed),
            SLOT_ACKED
        );
        assert_eq!(s.steps[0].settled.load(Ordering::Relaxed), 1);
        assert_eq!(s.c.duplicate_acks.load(Ordering::Relaxed), 1);
        assert_eq!(s.rooms[0].first_acked_seq.load(Ordering::Relaxed), 10);
        let h = lock(&s.steps[0].hists);
        assert_eq!(h.deliver.len(), 5);
        assert_eq!(h.ack.len(), 1);
        assert!(h.deliver.max() >= 4_000, "≥ 5 ms after scheduling");
    }

    #[test]
    fn warmup_sends_are_counted_but_not_timed() {
        let s = shared();
        dispatch(&s, 1, 1);
        let mut me = local(3, 1);
        handle_text(&s, &mut me, &msg(71, 2, &id(1)), Instant::now());
        assert_eq!(s.steps[0].delivered.load(Ordering::Relaxed), 1);
        assert!(lock(&s.steps[0].hists).deliver.is_empty());
    }

    #[test]
    fn errors_joins_and_presence() {
        let s = shared();
        dispatch(&s, 5, 0);
        let mut me = local(0, 0);
        let e = format!(
            r#"{{"type":"error","conversationId":70,"data":{{"code":"rate_limited","message":"slow down","clientMessageId":"{}","retryAfter":1}}}}"#,
            id(5)
        );
        assert_eq!(handle_text(&s, &mut me, &e, Instant::now()), Handled::Other);
        assert_eq!(
            s.steps[0].slots[5].state.load(Ordering::Relaxed),
            SLOT_FAILED
        );
        assert_eq!(lock(&s.error_codes)["rate_limited"], 1);
        let nf = r#"{"type":"error","conversationId":70,"data":{"code":"not_found","message":"Not found."}}"#;
        assert_eq!(
            handle_text(&s, &mut me, nf, Instant::now()),
            Handled::ConversationError(70, "not_found".into())
        );
        let j = r#"{"type":"joined","conversationId":70,"data":{"lastMessageId":3}}"#;
        assert_eq!(
            handle_text(&s, &mut me, j, Instant::now()),
            Handled::Joined(70)
        );
        let p = r#"{"type":"presence","data":{"adminIds":[1,2,3]}}"#;
        handle_text(&s, &mut me, p, Instant::now());
        let created = r#"{"type":"conversation_created","conversationId":9,"data":{"conversation":{"id":9},"message":{"id":1,"seq":1}}}"#;
        handle_text(&s, &mut me, created, Instant::now());
        handle_text(&s, &mut me, "not json", Instant::now());
        let count = |t: &str| {
            s.c.frames[FRAME_TYPES.iter().position(|x| *x == t).unwrap()].load(Ordering::Relaxed)
        };
        assert_eq!(count("error"), 2);
        assert_eq!(count("joined"), 1);
        assert_eq!(count("presence"), 1);
        assert_eq!(count("conversation_created"), 1);
        assert_eq!(count("other"), 1);
        assert_eq!(s.c.unreadable.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn source_addresses_rotate_over_loopback() {
        let v4: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(source_addr(v4, 8, 0), Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(source_addr(v4, 8, 9), Some("127.0.0.2:0".parse().unwrap()));
        assert_eq!(
            source_addr(v4, 254, 253),
            Some("127.0.0.254:0".parse().unwrap())
        );
        assert_eq!(source_addr(v4, 0, 3), None);
        assert_eq!(source_addr("[::1]:8080".parse().unwrap(), 8, 3), None);
    }
}
