//! One WebSocket connection as the hub sees it: who it is, and a bounded outbox the hub fills
//! and the connection's task drains. The outbox allocates nothing while empty, so an idle
//! connection costs a few hundred bytes here.

use axum::extract::ws::Utf8Bytes;
use std::collections::VecDeque;
use std::sync::Mutex;
use support_chat_domain::{ConversationId, UserId};
use tokio::sync::Notify;

/// How a connection authenticated, so a revocation can find its sockets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Credential {
    /// The sha256 of the session cookie.
    Session(String),
    /// The API token's id.
    Token(String),
}

/// Something to write to a socket.
#[derive(Debug, Clone)]
pub enum Out {
    /// A frame as is.
    Frame(Utf8Bytes),
    /// A `message` frame: the connection sends it only if it has joined the conversation and
    /// has not sent this sequence number yet (exactly once, in order).
    Message {
        conversation: ConversationId,
        seq: i64,
        frame: Utf8Bytes,
    },
    /// Events may have been missed (the broker was away): catch up from the database.
    Resume,
}

/// Why the hub closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: &'static str,
}

impl CloseReason {
    pub const SLOW_CONSUMER: CloseReason = CloseReason {
        code: 1008,
        reason: "too slow: outbound queue full",
    };
    pub const SIGNED_OUT: CloseReason = CloseReason {
        code: 1008,
        reason: "signed out",
    };
    /// Role or password changed: reconnecting works (with the new role) if the session still does.
    pub const ACCOUNT_CHANGED: CloseReason = CloseReason {
        code: 1008,
        reason: "account changed: reconnect",
    };
    pub const FEATURE_OFF: CloseReason = CloseReason {
        code: 1008,
        reason: "support chat is turned off",
    };
    pub const SHUTDOWN: CloseReason = CloseReason {
        code: 1001,
        reason: "server shutting down",
    };
}

#[derive(Default)]
struct Outbox {
    queue: VecDeque<Out>,
    close: Option<CloseReason>,
}

pub struct Conn {
    pub id: u64,
    pub user: UserId,
    pub is_admin: bool,
    pub credential: Credential,
    outbox: Mutex<Outbox>,
    limit: usize,
    /// Something was queued (or the connection must close).
    pub wake: Notify,
    /// The connection must close: wakes a task stuck writing to a peer that stopped reading.
    pub closing: Notify,
}

impl Conn {
    pub fn new(
        id: u64,
        user: UserId,
        is_admin: bool,
        credential: Credential,
        limit: usize,
    ) -> Self {
        Conn {
            id,
            user,
            is_admin,
            credential,
            outbox: Mutex::default(),
            limit,
            wake: Notify::new(),
            closing: Notify::new(),
        }
    }

    /// Queues `out`. A full queue closes the connection instead of growing.
    pub fn push(&self, out: Out) {
        let mut o = self.outbox.lock().unwrap_or_else(|e| e.into_inner());
        if o.close.is_some() {
            return;
        }
        if o.queue.len() >= self.limit {
            o.queue = VecDeque::new();
            o.close = Some(CloseReason::SLOW_CONSUMER);
            metrics::counter!("ws_slow_consumer_disconnects_total").increment(1);
            drop(o);
            self.closing.notify_one();
        } else {
            o.queue.push_back(out);
            drop(o);
        }
        self.wake.notify_one();
    }

    /// Whether the hub asked this connection to close.
    pub fn is_closing(&self) -> bool {
        self.outbox
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .close
            .is_some()
    }

    /// Asks the connection to close with `reason` (first reason wins).
    pub fn close(&self, reason: CloseReason) {
        let mut o = self.outbox.lock().unwrap_or_else(|e| e.into_inner());
        if o.close.is_none() {
            o.close = Some(reason);
            o.queue = VecDeque::new();
        }
        drop(o);
        self.closing.notify_one();
        self.wake.notify_one();
    }

    /// Everything queued, and the close reason if the connection must close.
    pub fn take(&self) -> (VecDeque<Out>, Option<CloseReason>) {
        let mut o = self.outbox.lock().unwrap_or_else(|e| e.into_inner());
        (std::mem::take(&mut o.queue), o.close)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_outbox_closes_instead_of_growing() {
        let c = Conn::new(1, UserId(1), false, Credential::Token("t".into()), 3);
        for _ in 0..3 {
            c.push(Out::Resume);
        }
        assert_eq!(c.take().0.len(), 3);
        for _ in 0..4 {
            c.push(Out::Resume);
        }
        let (queue, close) = c.take();
        assert!(queue.is_empty(), "the backlog is dropped");
        assert_eq!(close, Some(CloseReason::SLOW_CONSUMER));
        c.push(Out::Resume);
        assert!(c.take().0.is_empty(), "nothing is queued once closing");
    }
}
