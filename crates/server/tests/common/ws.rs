//! A WebSocket test client speaking the support-chat protocol, and a private Redis server for
//! multi-node tests.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a frame it expects.
pub const WAIT: Duration = Duration::from_secs(10);

/// A `clientMessageId` (a UUID) named by `label`, the same for the same label.
pub fn cmid(label: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("00000000-0000-4000-8000-{:012x}", h & 0xffff_ffff_ffff)
}

pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How the handshake authenticates.
pub enum Auth<'a> {
    Token(&'a str),
    /// A `Cookie` header, and the `Origin` a browser would send.
    Cookie(&'a str, &'a str),
    None,
}

/// The handshake's HTTP status and body when the server refuses it.
pub async fn refused(base: &str, auth: Auth<'_>, origin: Option<&str>) -> (u16, Value) {
    match connect_raw(base, auth, origin).await {
        Ok(_) => panic!("the handshake was accepted"),
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            let body = res
                .body()
                .as_ref()
                .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
                .unwrap_or(Value::Null);
            (res.status().as_u16(), body)
        }
        Err(e) => panic!("unexpected handshake error: {e}"),
    }
}

async fn connect_raw(
    base: &str,
    auth: Auth<'_>,
    origin: Option<&str>,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let ws_base = base.replacen("http://", "ws://", 1);
    let url = match &auth {
        Auth::Token(t) => format!("{ws_base}/api/support-chat/ws?token={t}"),
        _ => format!("{ws_base}/api/support-chat/ws"),
    };
    let mut req = url.into_client_request()?;
    if let Auth::Cookie(cookie, o) = &auth {
        req.headers_mut()
            .insert("cookie", HeaderValue::from_str(cookie).expect("cookie"));
        req.headers_mut()
            .insert("origin", HeaderValue::from_str(o).expect("origin"));
    }
    if let Some(o) = origin {
        req.headers_mut()
            .insert("origin", HeaderValue::from_str(o).expect("origin"));
    }
    let (stream, _) = tokio_tungstenite::connect_async(req).await?;
    Ok(Ws { stream })
}

impl Ws {
    pub async fn connect(base: &str, auth: Auth<'_>) -> Ws {
        connect_raw(base, auth, None)
            .await
            .expect("websocket handshake")
    }

    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send frame");
    }

    /// The next text frame; `None` once the server closed the socket.
    pub async fn recv(&mut self) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame within the wait")?;
            match msg {
                Ok(Message::Text(t)) => return Some(serde_json::from_str(&t).expect("JSON frame")),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// The next frame of type `ty`, skipping others.
    pub async fn next(&mut self, ty: &str) -> Value {
        loop {
            let f = self
                .recv()
                .await
                .unwrap_or_else(|| panic!("closed while waiting for {ty}"));
            if f["type"] == ty {
                return f;
            }
        }
    }

    /// The next frame that is not presence or a notification.
    pub async fn next_event(&mut self) -> Value {
        loop {
            let f = self
                .recv()
                .await
                .expect("closed while waiting for an event");
            if f["type"] != "presence" && f["type"] != "notification" {
                return f;
            }
        }
    }

    /// Asserts no frame of type `ty` arrives within `d`.
    pub async fn silent(&mut self, ty: &str, d: Duration) {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return,
                Ok(None) => return,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let f: Value = serde_json::from_str(&t).expect("JSON");
                    assert_ne!(f["type"], ty, "unexpected frame: {f}");
                }
                Ok(Some(_)) => {}
            }
        }
    }

    /// The next text frame, or the close code (`None` without a close frame) once closed.
    pub async fn frame_or_close(&mut self) -> Result<Value, Option<u16>> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame within the wait");
            match msg {
                Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t).expect("JSON")),
                Some(Ok(Message::Close(f))) => return Err(f.map(|f| u16::from(f.code))),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Err(None),
            }
        }
    }

    /// The close frame's code, reading past other frames.
    pub async fn closed_with(&mut self) -> Option<u16> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("the socket closes within the wait");
            match msg {
                Some(Ok(Message::Close(f))) => return f.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Joins and waits for `joined`; returns the replayed messages.
    pub async fn join(&mut self, conversation: i64, since: Option<i64>) -> (Vec<Value>, Value) {
        let mut frame = json!({"type": "join_conversation", "conversationId": conversation});
        if let Some(s) = since {
            frame["data"] = json!({"sinceMessageId": s});
        }
        self.send(frame).await;
        let mut replay = Vec::new();
        loop {
            let f = self.next_event().await;
            match f["type"].as_str() {
                Some("message") => replay.push(f["data"].clone()),
                Some("joined") => return (replay, f),
                _ => panic!("unexpected frame while joining: {f}"),
            }
        }
    }

    /// Sends a message (its clientMessageId is `cmid(label)`) and waits for its ack; returns
    /// the ack's data.
    pub async fn say(&mut self, conversation: i64, content: &str, label: &str) -> Value {
        let cmid = cmid(label);
        self.send(json!({"type": "message", "conversationId": conversation,
            "data": {"content": content, "clientMessageId": cmid}}))
            .await;
        loop {
            let f = self.next_event().await;
            if f["type"] == "ack" && f["data"]["clientMessageId"] == cmid.as_str() {
                return f["data"].clone();
            }
            assert_ne!(f["type"], "error", "send failed: {f}");
        }
    }
}

/// A private `redis-server` on its own port, so tests can stop and restart it.
pub struct RedisServer {
    pub port: u16,
    child: Option<std::process::Child>,
}

impl RedisServer {
    /// `None` (with a notice) when `redis-server` is not installed on a developer machine; in CI
    /// (`CI` set) a missing Redis fails the test.
    pub async fn start() -> Option<RedisServer> {
        let found = std::process::Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok();
        if !found {
            assert!(
                std::env::var_os("CI").is_none(),
                "redis-server is required in CI (apt-get install -y redis-server)"
            );
            eprintln!("NOTICE: redis-server is not installed; skipping the multi-node Redis test");
            return None;
        }
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            l.local_addr().expect("addr").port()
        };
        let mut r = RedisServer { port, child: None };
        r.spawn().await;
        Some(r)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn spawn(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
