//! `GET /api/support-chat/ws`: the handshake and one task per socket.
//!
//! The task reads frames in order (a `message` is acked only after its commit, before the next
//! frame is read), drains the outbox the hub fills, and pings idle peers. For every joined
//! conversation it remembers the last sequence number sent: repeats are dropped, early
//! arrivals wait for the hole before them, and a hole that stays open is filled from the
//! database. That is what makes delivery exactly once and in order.

use super::Event;
use super::conn::{CloseReason, Conn, Credential, Out};
use super::protocol::{
    AckData, ClientFrame, ErrorData, JoinData, JoinedData, ResetData, ServerFrame, TypingEvent,
};
use crate::auth::{AuthVia, CurrentUser};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use governor::clock::QuantaClock;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;
use support_chat_domain::{
    ClientMessageId, ConversationId, MessageBody, MessageId, MessageType, Role, UserId,
};
use support_chat_store::{Message, NewMessage, StoreError};

/// Largest frame or message a client may send; bigger closes the socket with 1009.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// The WebSocket endpoint. Authenticated at the handshake by the session cookie (browsers) or
/// a bearer API token (`?token=` or `Authorization`); a browser's `Origin` must be the public URL.
#[utoipa::path(get, path = "/api/support-chat/ws", tag = "support-chat",
    params(("token" = Option<String>, Query, description = "A bearer API token, for clients that cannot send headers")),
    responses((status = 101, description = "Switching to the WebSocket protocol; frames are `ClientFrame` and `ServerFrame`"),
        (status = 400, body = crate::error::ErrorResponse), (status = 401, body = crate::error::ErrorResponse),
        (status = 403, body = crate::error::ErrorResponse)))]
pub async fn ws_handler(State(state): State<AppState>, mut parts: Parts) -> Response {
    match handshake(&state, &mut parts).await {
        Ok((upgrade, who)) => {
            let credential = match &who.via {
                AuthVia::Session { id_hash, .. } => Credential::Session(id_hash.clone()),
                AuthVia::Token { token_id } => Credential::Token(token_id.clone()),
            };
            // axum's upgrade task keeps its callback's captures for the socket's whole life:
            // one pointer, freed once the socket starts, instead of the user's whole record.
            let setup = Box::new((state, who, credential));
            upgrade
                .read_buffer_size(512)
                .write_buffer_size(0)
                .max_write_buffer_size(MAX_FRAME_BYTES * 4)
                .max_message_size(MAX_FRAME_BYTES)
                .max_frame_size(MAX_FRAME_BYTES)
                .on_upgrade(move |socket| {
                    let (state, who, credential) = *setup;
                    run(state, socket, who, credential)
                })
        }
        Err(e) => e.into_response(),
    }
}

async fn handshake(
    state: &AppState,
    parts: &mut Parts,
) -> Result<(WebSocketUpgrade, CurrentUser), ApiError> {
    check_origin(&state.config.public_url, &parts.headers)?;
    let token = parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    });
    let who = match token {
        Some(t) => crate::auth::authenticate_token(state, &t).await?,
        None => crate::auth::authenticate(state, parts).await?,
    }
    .ok_or(ApiError::Unauthenticated)?;
    state
        .flags
        .require(crate::routes::support::FEATURE, who.user.id, who.user.role)
        .await?;
    let upgrade = WebSocketUpgrade::from_request_parts(parts, state)
        .await
        .map_err(|e| ApiError::field("upgrade", format!("expected a WebSocket upgrade: {e}")))?;
    Ok((upgrade, who))
}

/// Browsers always send `Origin` on a WebSocket handshake; it must be ours, or another site
/// could open a socket with the user's cookie. Clients without one (scripts) use a token.
fn check_origin(public_url: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let ok = origin.to_str().is_ok_and(|o| {
        o.trim_end_matches('/')
            .eq_ignore_ascii_case(public_url.trim_end_matches('/'))
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "origin_not_allowed",
            "This Origin may not open a WebSocket here; it must be the server's public URL.".into(),
        ))
    }
}

/// A joined conversation as one socket sees it.
struct Joined {
    /// The last sequence number sent to this socket.
    last: i64,
    /// Messages that arrived ahead of a hole, by sequence number.
    early: BTreeMap<i64, Utf8Bytes>,
    /// When the current hole was first seen.
    hole_since: Option<Instant>,
}

/// Who the socket belongs to: only what frame handling needs (an idle socket keeps this).
struct Who {
    id: UserId,
    name: Box<str>,
    role: Role,
}

impl Who {
    fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

struct Session {
    state: AppState,
    conn: Arc<Conn>,
    who: Who,
    joined: HashMap<ConversationId, Joined>,
    limiter: DefaultDirectRateLimiter,
    strikes: u32,
    /// When the peer last sent anything (idle timeout).
    last_heard: Instant,
}

/// Why the loop ended: with a close frame to send, or the peer is gone.
enum End {
    Close(u16, &'static str),
    Gone,
}

type WsResult<T> = Result<T, axum::Error>;

/// The clock of every socket's frame limiter, made once. Making one asks the CPU about its
/// time-stamp counter: several `cpuid` instructions, each a trip to the hypervisor in a virtual
/// machine. Made per socket, that was about a tenth of the server's CPU time while sockets
/// opened at 2,000/s (median 0.78 → 0.71 cores; bench/README.md).
static SOCKET_CLOCK: std::sync::LazyLock<QuantaClock> =
    std::sync::LazyLock::new(QuantaClock::default);

/// Registers the socket with the hub and returns its task. Not an `async fn`: an async fn keeps
/// its arguments for as long as it runs, and the signed-in user's record is not needed after
/// this.
fn run(
    state: AppState,
    socket: WebSocket,
    who: CurrentUser,
    credential: Credential,
) -> impl std::future::Future<Output = ()> {
    let conn = state.hub.connect(who.user.id, who.user.role, credential);
    let who = Who {
        id: who.user.id,
        name: who.user.name.into_boxed_str(),
        role: who.user.role,
    };
    let cfg = &state.hub.config;
    let per_second = NonZeroU32::new(cfg.frames_per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(cfg.frame_burst.max(1)).unwrap_or(NonZeroU32::MIN);
    let s = Session {
        state,
        conn,
        who,
        joined: HashMap::new(),
        limiter: RateLimiter::direct_with_clock(
            Quota::per_second(per_second).allow_burst(burst),
            SOCKET_CLOCK.clone(),
        ),
        strikes: 0,
        last_heard: Instant::now(),
    };
    serve(Box::new((s, socket)))
}

/// The socket's loop, until it closes. The session and the socket come boxed: an async fn
/// stores its arguments twice (as passed, and as moved into its body), and they are most of
/// what a socket costs.
async fn serve(mut parts: Box<(Session, WebSocket)>) {
    let (s, socket) = &mut *parts;
    let ping = tokio::time::sleep(s.state.hub.config.ping_interval);
    tokio::pin!(ping);
    // Allocated only while a hole is open (rare): most sockets never have one.
    let mut hole: Option<Pin<Box<tokio::time::Sleep>>> = None;
    let end = loop {
        match (s.next_hole_deadline(), &mut hole) {
            (None, h) => *h = None,
            (Some(at), Some(h)) => {
                if h.deadline() != at.into() {
                    h.as_mut().reset(at.into());
                }
            }
            (Some(at), h) => *h = Some(Box::pin(tokio::time::sleep_until(at.into()))),
        }
        let wake = next_wake(&s.conn, socket, ping.as_mut(), hole.as_mut()).await;
        // Boxed: the state of handling a frame exists only while one is handled.
        if let Some(end) = Box::pin(s.on_wake(socket, wake, ping.as_mut())).await {
            break end;
        }
    };
    if let End::Close(code, reason) = end {
        Box::pin(close_socket(socket, code, reason)).await;
    }
    s.state.hub.disconnect(&s.conn, s.joined.keys().copied());
}

/// What woke a socket's task.
enum Wake {
    /// The hub queued something (or wants the socket closed).
    Outbox,
    Incoming(Option<Result<WsMessage, axum::Error>>),
    Ping,
    /// A hole in a joined conversation stayed open too long.
    Hole,
}

/// Waits for the socket's next event. An idle socket spends its life in this future, so it
/// holds nothing else: its size is most of what an idle connection costs.
async fn next_wake(
    conn: &Conn,
    socket: &mut WebSocket,
    ping: Pin<&mut tokio::time::Sleep>,
    hole: Option<&mut Pin<Box<tokio::time::Sleep>>>,
) -> Wake {
    let hole = async {
        match hole {
            Some(h) => h.await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        () = conn.wake.notified() => Wake::Outbox,
        incoming = socket.recv() => Wake::Incoming(incoming),
        () = ping => Wake::Ping,
        () = hole => Wake::Hole,
    }
}

/// Sends the close frame, then reads until the peer answers it: closing a socket with unread
/// input makes the kernel reset the connection, and the peer would lose the close frame (and
/// its code) with it.
async fn close_socket(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        let frame = WsMessage::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        if socket.send(frame).await.is_ok() {
            while let Some(Ok(m)) = socket.recv().await {
                if matches!(m, WsMessage::Close(_)) {
                    break;
                }
            }
        }
    })
    .await;
}

/// Runs `fut` unless the hub asks the connection to close first (a write to a peer that
/// stopped reading would otherwise wait forever).
async fn or_closed<T>(conn: &Conn, fut: impl std::future::Future<Output = T>) -> Option<T> {
    if conn.is_closing() {
        return None;
    }
    tokio::select! {
        biased;
        () = conn.closing.notified() => None,
        r = fut => Some(r),
    }
}

/// How to end when the hub asked to close.
fn closing(conn: &Conn) -> End {
    match conn.take().1 {
        Some(r) => End::Close(r.code, r.reason),
        None => End::Gone,
    }
}

fn too_big(e: &axum::Error) -> bool {
    use std::error::Error;
    let mut source: Option<&(dyn Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(t) = err.downcast_ref::<tungstenite::Error>() {
            return matches!(t, tungstenite::Error::Capacity(_));
        }
        source = err.source();
    }
    false
}

/// The `error` frame's code and message for a store failure: the same as the REST answer's.
fn store_error(e: &StoreError) -> (&'static str, String) {
    ApiError::from(e.clone()).reported()
}

impl Session {
    /// Does what `wake` calls for; `Some` ends the socket's loop.
    async fn on_wake(
        &mut self,
        socket: &mut WebSocket,
        wake: Wake,
        mut ping: Pin<&mut tokio::time::Sleep>,
    ) -> Option<End> {
        let conn = self.conn.clone();
        let r = match wake {
            Wake::Outbox => or_closed(&conn, self.flush(socket)).await,
            Wake::Incoming(None) => return Some(End::Gone),
            Wake::Incoming(Some(Err(e))) => {
                return Some(if too_big(&e) {
                    End::Close(1009, "frame too large (64 KiB at most)")
                } else {
                    End::Gone
                });
            }
            Wake::Incoming(Some(Ok(msg))) => {
                self.last_heard = Instant::now();
                match msg {
                    WsMessage::Text(t) => or_closed(&conn, self.handle(socket, t.as_str())).await,
                    WsMessage::Binary(_) => or_closed(&conn, self.refuse_binary(socket)).await,
                    WsMessage::Close(_) => return Some(End::Gone),
                    WsMessage::Ping(_) | WsMessage::Pong(_) => Some(Ok(None)),
                }
            }
            Wake::Ping => {
                let cfg = &self.state.hub.config;
                if self.last_heard.elapsed() >= cfg.idle_timeout {
                    return Some(End::Close(1001, "idle timeout"));
                }
                ping.as_mut()
                    .reset(tokio::time::Instant::now() + cfg.ping_interval);
                or_closed(&conn, socket.send(WsMessage::Ping(Default::default())))
                    .await
                    .map(|r| r.map(|()| None))
            }
            Wake::Hole => or_closed(&conn, self.fill_holes(socket, false))
                .await
                .map(|r| r.map(|()| None)),
        };
        match r {
            Some(Ok(None)) => None,
            Some(Ok(Some(reason))) => Some(End::Close(reason.code, reason.reason)),
            Some(Err(_)) => Some(End::Gone),
            None => Some(closing(&conn)),
        }
    }

    async fn send(&self, socket: &mut WebSocket, frame: ServerFrame) -> WsResult<()> {
        socket.send(WsMessage::Text(frame.encode())).await
    }

    async fn error(
        &self,
        socket: &mut WebSocket,
        conversation: Option<ConversationId>,
        data: ErrorData,
    ) -> WsResult<()> {
        self.send(
            socket,
            ServerFrame::Error {
                conversation_id: conversation,
                data,
            },
        )
        .await
    }

    /// Writes what the hub queued. `Some` when the hub wants the socket closed.
    async fn flush(&mut self, socket: &mut WebSocket) -> WsResult<Option<CloseReason>> {
        let (queue, close) = self.conn.take();
        if let Some(reason) = close {
            return Ok(Some(reason));
        }
        let mut resume = false;
        let mut wrote = false;
        for out in queue {
            match out {
                Out::Frame(f) => {
                    socket.feed(WsMessage::Text(f)).await?;
                    wrote = true;
                }
                Out::Message {
                    conversation,
                    seq,
                    frame,
                } => {
                    let Some(j) = self.joined.get_mut(&conversation) else {
                        continue;
                    };
                    if seq <= j.last {
                        continue;
                    }
                    if seq > j.last + 1 {
                        j.early.insert(seq, frame);
                        j.hole_since.get_or_insert_with(Instant::now);
                        if j.early.len() as i64 > self.state.hub.config.max_replay {
                            resume = true;
                        }
                        continue;
                    }
                    socket.feed(WsMessage::Text(frame)).await?;
                    j.last = seq;
                    wrote = true;
                    wrote |= drain_early(socket, j).await?;
                }
                Out::Resume => resume = true,
            }
        }
        if wrote {
            socket.flush().await?;
        }
        if resume {
            self.fill_holes(socket, true).await?;
        }
        Ok(None)
    }

    fn next_hole_deadline(&self) -> Option<Instant> {
        self.joined
            .values()
            .filter_map(|j| j.hole_since)
            .min()
            .map(|t| t + self.state.hub.config.gap_wait)
    }

    /// Reads from the database what joined conversations are missing: those with a hole open
    /// longer than the wait, or all of them (`all`, after a broker outage).
    async fn fill_holes(&mut self, socket: &mut WebSocket, all: bool) -> WsResult<()> {
        let wait = self.state.hub.config.gap_wait;
        let due: Vec<ConversationId> = self
            .joined
            .iter()
            .filter(|(_, j)| all || j.hole_since.is_some_and(|t| t.elapsed() >= wait))
            .map(|(c, _)| *c)
            .collect();
        for c in due {
            let Some(last) = self.joined.get(&c).map(|j| j.last) else {
                continue;
            };
            let limit = self.state.hub.config.max_replay;
            match self
                .state
                .store
                .messages_after_seq(c, last, limit + 1)
                .await
            {
                Ok(rows) if rows.len() as i64 > limit => {
                    // Too far behind: the client refetches and joins again.
                    self.leave(c);
                    self.reset(socket, c, rows.len() as i64).await?;
                }
                Ok(rows) => {
                    let Some(j) = self.joined.get_mut(&c) else {
                        continue;
                    };
                    // The database holds a committed prefix of the conversation, so a number
                    // missing below one it has will never come (a sequence number is skipped
                    // when a concurrent resend loses its race): go past it.
                    for m in rows {
                        if m.seq > j.last {
                            j.last = m.seq;
                            socket.feed(WsMessage::Text(message_frame(m))).await?;
                        }
                    }
                    j.early.retain(|seq, _| *seq > j.last);
                    drain_early(socket, j).await?;
                    j.hole_since = (!j.early.is_empty()).then(Instant::now);
                    socket.flush().await?;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "filling a hole failed; retrying");
                    if let Some(j) = self.joined.get_mut(&c) {
                        j.hole_since = Some(Instant::now());
                    }
                }
            }
        }
        Ok(())
    }

    async fn reset(&self, socket: &mut WebSocket, c: ConversationId, missed: i64) -> WsResult<()> {
        let last = match self.state.store.conversation_head(c).await {
            Ok(Some((_, id))) => id,
            _ => MessageId(0),
        };
        self.send(
            socket,
            ServerFrame::ResetRequired {
                conversation_id: c,
                data: ResetData {
                    missed,
                    last_message_id: last,
                },
            },
        )
        .await
    }

    fn leave(&mut self, c: ConversationId) {
        self.joined.remove(&c);
        self.state.hub.leave(&self.conn, c);
    }

    /// Handles one text frame. `Some` closes the socket.
    async fn refuse_binary(&mut self, socket: &mut WebSocket) -> WsResult<Option<CloseReason>> {
        if let Some(verdict) = self.over_limit(socket, "").await? {
            return Ok(verdict);
        }
        self.send(
            socket,
            ServerFrame::error(None, "bad_frame", "Frames are JSON text, not binary."),
        )
        .await?;
        Ok(None)
    }

    /// Counts one frame against the socket's rate. `Some` when it was refused (`Some(Some)`:
    /// close the socket too).
    async fn over_limit(
        &mut self,
        socket: &mut WebSocket,
        text: &str,
    ) -> WsResult<Option<Option<CloseReason>>> {
        if self.limiter.check().is_ok() {
            self.strikes = 0;
            return Ok(None);
        }
        self.strikes += 1;
        if self.strikes > self.state.hub.config.frame_burst {
            return Ok(Some(Some(CloseReason {
                code: 1008,
                reason: "too many frames",
            })));
        }
        self.error(
            socket,
            None,
            ErrorData {
                code: "rate_limited",
                message: format!(
                    "Too many frames: at most {} per second; this one was dropped.",
                    self.state.hub.config.frames_per_second
                ),
                client_message_id: client_message_id_of(text),
                retry_after: Some(1),
            },
        )
        .await?;
        Ok(Some(None))
    }

    /// Handles one text frame. `Some` closes the socket.
    async fn handle(
        &mut self,
        socket: &mut WebSocket,
        text: &str,
    ) -> WsResult<Option<CloseReason>> {
        if let Some(verdict) = self.over_limit(socket, text).await? {
            return Ok(verdict);
        }
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(f) => f,
            Err(e) => {
                self.send(
                    socket,
                    ServerFrame::error(None, "bad_frame", format!("Unreadable frame: {e}")),
                )
                .await?;
                return Ok(None);
            }
        };
        match frame {
            ClientFrame::Ping => self.send(socket, ServerFrame::Pong).await?,
            ClientFrame::JoinConversation {
                conversation_id,
                data,
            } => {
                self.join(socket, conversation_id, data.unwrap_or_default())
                    .await?
            }
            ClientFrame::LeaveConversation { conversation_id } => self.leave(conversation_id),
            ClientFrame::Typing {
                conversation_id,
                data,
            } => {
                if self.may_see(socket, conversation_id, None).await? {
                    let frame = ServerFrame::Typing {
                        conversation_id,
                        data: TypingEvent {
                            user_id: self.who.id,
                            name: self.who.name.to_string(),
                            is_typing: data.is_typing,
                        },
                    };
                    self.state.hub.publish(Event::Room {
                        conversation: conversation_id,
                        except: Some(self.who.id),
                        frame: frame.encode().to_string(),
                    });
                }
            }
            ClientFrame::ReadReceipt {
                conversation_id,
                data,
            } => {
                self.read_receipt(socket, conversation_id, data.message_id)
                    .await?
            }
            ClientFrame::Message {
                conversation_id,
                data,
            } => {
                self.send_message(
                    socket,
                    conversation_id,
                    data.content,
                    data.client_message_id,
                )
                .await?
            }
        }
        Ok(None)
    }

    /// Whether this user may see the conversation; answers `not_found` when not (naming the
    /// refused message's `clientMessageId`, if any).
    async fn may_see(
        &self,
        socket: &mut WebSocket,
        c: ConversationId,
        cmid: Option<&str>,
    ) -> WsResult<bool> {
        let (ok, code, message) = match self.state.conversation_owner(c).await {
            Ok(Some(o)) if self.who.is_admin() || o == self.who.id => (true, "", String::new()),
            Ok(_) => (false, "not_found", "Not found.".to_owned()),
            Err(e) => {
                let (code, message) = store_error(&e);
                (false, code, message)
            }
        };
        if !ok {
            let data = ErrorData {
                code,
                message,
                client_message_id: cmid.map(str::to_owned),
                retry_after: None,
            };
            self.error(socket, Some(c), data).await?;
        }
        Ok(ok)
    }

    async fn join(
        &mut self,
        socket: &mut WebSocket,
        c: ConversationId,
        data: JoinData,
    ) -> WsResult<()> {
        if !self.may_see(socket, c, None).await? {
            return Ok(());
        }
        // Listen first, then read: whatever commits after the read arrives live, and the
        // sequence numbers drop what both paths bring.
        self.state.hub.join(&self.conn, c);
        let store = &self.state.store;
        let limit = self.state.hub.config.max_replay;
        let outcome: Result<Option<(i64, MessageId, Vec<Message>)>, StoreError> = async {
            match data.since_message_id {
                Some(since) => {
                    let (base, base_id) = store.seq_at(c, since).await?;
                    let rows = store.messages_after_seq(c, base, limit + 1).await?;
                    if rows.len() as i64 > limit {
                        return Ok(None);
                    }
                    let (seq, id) = rows.last().map_or((base, base_id), |m| (m.seq, m.id));
                    Ok(Some((seq, id, rows)))
                }
                None => {
                    let (seq, id) = store
                        .conversation_head(c)
                        .await?
                        .unwrap_or((0, MessageId(0)));
                    Ok(Some((seq, id, Vec::new())))
                }
            }
        }
        .await;
        let (last, last_id, rows) = match outcome {
            Ok(Some(x)) => x,
            Ok(None) => {
                self.leave(c);
                return self.reset(socket, c, limit + 1).await;
            }
            Err(e) => {
                self.leave(c);
                let (code, message) = store_error(&e);
                return self
                    .send(socket, ServerFrame::error(Some(c), code, message))
                    .await;
            }
        };
        // A repeated join keeps what was already sent.
        let j = self.joined.entry(c).or_insert(Joined {
            last: 0,
            early: BTreeMap::new(),
            hole_since: None,
        });
        let mut sent_id = last_id;
        for m in rows {
            if m.seq > j.last {
                j.last = m.seq;
                sent_id = m.id;
                socket.feed(WsMessage::Text(message_frame(m))).await?;
            }
        }
        j.last = j.last.max(last);
        j.early.retain(|seq, _| *seq > j.last);
        drain_early(socket, j).await?;
        socket
            .feed(WsMessage::Text(
                ServerFrame::Joined {
                    conversation_id: c,
                    data: JoinedData {
                        last_message_id: sent_id,
                    },
                }
                .encode(),
            ))
            .await?;
        socket.flush().await
    }

    async fn read_receipt(
        &self,
        socket: &mut WebSocket,
        c: ConversationId,
        message: MessageId,
    ) -> WsResult<()> {
        let store = &self.state.store;
        let found = match store.message_owner(message).await {
            Ok(f) => f,
            Err(e) => {
                let (code, m) = store_error(&e);
                return self
                    .send(socket, ServerFrame::error(Some(c), code, m))
                    .await;
            }
        };
        let allowed = matches!(found, Some((conv, owner)) if conv == c && (self.who.is_admin() || owner == self.who.id));
        if !allowed {
            return self
                .send(
                    socket,
                    ServerFrame::error(Some(c), "not_found", "Not found."),
                )
                .await;
        }
        match store
            .mark_read(self.who.id, self.who.is_admin(), c, message)
            .await
        {
            Ok(mark) => {
                self.state
                    .publish_read(c, self.who.id, mark.last_read_message_id);
                Ok(())
            }
            Err(e) => {
                let (code, m) = store_error(&e);
                self.send(socket, ServerFrame::error(Some(c), code, m))
                    .await
            }
        }
    }

    async fn send_message(
        &self,
        socket: &mut WebSocket,
        c: ConversationId,
        content: String,
        cmid: String,
    ) -> WsResult<()> {
        let fail =
            |code: &'static str, message: String, retry_after: Option<u64>| ServerFrame::Error {
                conversation_id: Some(c),
                data: ErrorData {
                    code,
                    message,
                    client_message_id: Some(cmid.clone()),
                    retry_after,
                },
            };
        let body = MessageBody::parse(&content);
        let id = ClientMessageId::parse(&cmid);
        let (body, id) = match (body, id) {
            (Ok(b), Ok(i)) => (b, i),
            (Err(e), _) | (_, Err(e)) => {
                return self.send(socket, fail("validation_failed", e, None)).await;
            }
        };
        if !self.may_see(socket, c, Some(&cmid)).await? {
            return Ok(());
        }
        if let Err(ApiError::RateLimited { retry_after_secs }) = self
            .state
            .check_send_limit(self.who.id, self.who.role)
            .await
        {
            // A resend of a stored message is still acked.
            if let Ok(Some(existing)) = self
                .state
                .store
                .message_by_client_id(self.who.id, id.as_str())
                .await
                && existing.conversation_id == c
            {
                let stored = existing.client_message_id.clone().unwrap_or(cmid.clone());
                return self.ack(socket, c, stored, &existing).await;
            }
            return self
                .send(
                    socket,
                    fail(
                        "rate_limited",
                        format!("Sending too fast; try again in {retry_after_secs} s."),
                        Some(retry_after_secs),
                    ),
                )
                .await;
        }
        let sent = self
            .state
            .store
            .send_message(NewMessage {
                conversation_id: c,
                sender_id: self.who.id,
                sender_type: self.who.role.sender_type(),
                sender_name: self.who.name.to_string(),
                content: body.into_inner(),
                message_type: MessageType::Text,
                client_message_id: Some(id.into_inner()),
                metadata: None,
            })
            .await;
        match sent {
            Ok(sent) => {
                let stored = sent
                    .message
                    .client_message_id
                    .clone()
                    .unwrap_or(cmid.clone());
                self.ack(socket, c, stored, &sent.message).await
            }
            Err(e) => {
                let (code, message) = store_error(&e);
                self.send(socket, fail(code, message, None)).await
            }
        }
    }

    async fn ack(
        &self,
        socket: &mut WebSocket,
        c: ConversationId,
        cmid: String,
        m: &Message,
    ) -> WsResult<()> {
        self.send(
            socket,
            ServerFrame::Ack {
                conversation_id: c,
                data: AckData {
                    client_message_id: cmid,
                    message_id: m.id,
                    seq: m.seq,
                },
            },
        )
        .await
    }
}

/// Sends the early arrivals that now follow on; true if any were sent.
async fn drain_early(socket: &mut WebSocket, j: &mut Joined) -> WsResult<bool> {
    let mut wrote = false;
    while let Some(entry) = j.early.first_entry() {
        if *entry.key() != j.last + 1 {
            break;
        }
        let (seq, frame) = entry.remove_entry();
        socket.feed(WsMessage::Text(frame)).await?;
        j.last = seq;
        wrote = true;
    }
    if j.early.is_empty() {
        j.hole_since = None;
    }
    Ok(wrote)
}

fn message_frame(m: Message) -> Utf8Bytes {
    ServerFrame::Message {
        conversation_id: m.conversation_id,
        data: m,
    }
    .encode()
}

/// The `clientMessageId` of a frame that is being refused, so the client knows which send failed.
fn client_message_id_of(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        data: Option<ProbeData>,
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ProbeData {
        client_message_id: Option<String>,
    }
    serde_json::from_str::<Probe>(text)
        .ok()
        .and_then(|p| p.data)
        .and_then(|d| d.client_message_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_must_match_the_public_url() {
        let mut h = HeaderMap::new();
        assert!(
            check_origin("http://127.0.0.1:8080", &h).is_ok(),
            "no Origin: not a browser"
        );
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(check_origin("http://127.0.0.1:8080", &h).is_ok());
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(check_origin("http://127.0.0.1:8080", &h).is_err());
    }
}
