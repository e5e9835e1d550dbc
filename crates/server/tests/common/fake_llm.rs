//! A fake OpenAI-compatible server on a real socket: each request to `/v1/chat/completions`
//! gets the next scripted reply (streamed with delays, a plain JSON reply, an HTTP error, a
//! hang, raw bytes), and the fake records what it was sent and whether a streamed reply was
//! abandoned by the client before its end.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted reply.
#[derive(Clone)]
pub enum Reply {
    /// `data:` lines sent one by one, each after its delay; `[DONE]` is not added.
    Stream(Vec<(Duration, String)>),
    /// A non-streamed `application/json` reply.
    Json(Value),
    /// An HTTP error with this body.
    Status(u16, String),
    /// No answer at all for this long.
    Hang(Duration),
    /// These bytes as an event stream, verbatim.
    Raw(String),
}

/// A streamed reply of these text pieces, each a delta chunk, then `[DONE]`.
pub fn text_stream(pieces: &[&str]) -> Reply {
    let mut lines: Vec<(Duration, String)> = pieces
        .iter()
        .map(|p| (Duration::from_millis(5), delta_chunk(json!({"content": p}))))
        .collect();
    lines.push((Duration::ZERO, "[DONE]".into()));
    Reply::Stream(lines)
}

/// One streamed chunk whose first choice has this delta.
pub fn delta_chunk(delta: Value) -> String {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "fake",
           "choices": [{"index": 0, "delta": delta, "finish_reason": null}]})
    .to_string()
}

/// A streamed `handoff_to_human` call whose JSON arguments arrive in fragments.
pub fn handoff_stream(arguments: &str) -> Reply {
    let (a, b) = arguments.split_at(arguments.len() / 2);
    Reply::Stream(vec![
        (
            Duration::from_millis(5),
            delta_chunk(json!({"role": "assistant", "content": null, "tool_calls": [
                {"index": 0, "id": "call_1", "type": "function",
                 "function": {"name": "handoff_to_human", "arguments": ""}}]})),
        ),
        (
            Duration::from_millis(5),
            delta_chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": a}}]})),
        ),
        (
            Duration::from_millis(5),
            delta_chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": b}}]})),
        ),
        (Duration::ZERO, "[DONE]".into()),
    ])
}

/// A complete non-streamed reply with this text.
pub fn json_reply(text: &str) -> Reply {
    Reply::Json(
        json!({"id": "chatcmpl-2", "object": "chat.completion", "model": "fake",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}),
    )
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<(HeaderMap, Value)>>,
    abandoned: AtomicBool,
}

pub struct FakeLlm {
    /// The base URL to configure (`…/v1`).
    pub base_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeLlm {
    pub async fn start() -> FakeLlm {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeLlm {
            base_url: format!("http://{addr}/v1"),
            shared,
            task,
        }
    }

    /// Queues replies for the next requests, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.script.lock().unwrap().extend(replies);
    }

    /// The bodies of the requests received so far.
    pub fn requests(&self) -> Vec<Value> {
        let r = self.shared.requests.lock().unwrap();
        r.iter().map(|(_, b)| b.clone()).collect()
    }

    /// The headers of the `i`th request.
    pub fn headers(&self, i: usize) -> HeaderMap {
        self.shared.requests.lock().unwrap()[i].0.clone()
    }

    /// Whether a client stopped reading a streamed reply before its end.
    pub fn abandoned(&self) -> bool {
        self.shared.abandoned.load(Ordering::SeqCst)
    }
}

/// Sets `abandoned` when dropped before the stream reached its end.
struct EndGuard {
    shared: Arc<Shared>,
    finished: bool,
}

impl Drop for EndGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.abandoned.store(true, Ordering::SeqCst);
        }
    }
}

async fn completions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.requests.lock().unwrap().push((headers, body));
    let reply = shared.script.lock().unwrap().pop_front();
    match reply {
        None => (StatusCode::INTERNAL_SERVER_ERROR, "no scripted reply left").into_response(),
        Some(Reply::Json(v)) => axum::Json(v).into_response(),
        Some(Reply::Status(code, text)) => {
            (StatusCode::from_u16(code).unwrap(), text).into_response()
        }
        Some(Reply::Hang(d)) => {
            tokio::time::sleep(d).await;
            (StatusCode::GATEWAY_TIMEOUT, "too late").into_response()
        }
        Some(Reply::Raw(text)) => event_stream(Body::from(text)),
        Some(Reply::Stream(lines)) => {
            let guard = EndGuard {
                shared: shared.clone(),
                finished: false,
            };
            let stream = futures_util::stream::unfold(
                (lines.into_iter(), guard),
                |(mut lines, mut guard)| async move {
                    match lines.next() {
                        Some((delay, data)) => {
                            tokio::time::sleep(delay).await;
                            let chunk = Bytes::from(format!("data: {data}\n\n"));
                            Some((Ok::<_, std::io::Error>(chunk), (lines, guard)))
                        }
                        None => {
                            guard.finished = true;
                            drop(guard);
                            None
                        }
                    }
                },
            );
            event_stream(Body::from_stream(stream))
        }
    }
}

fn event_stream(body: Body) -> Response {
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(body)
        .unwrap()
}
