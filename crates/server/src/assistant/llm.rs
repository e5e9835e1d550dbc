//! The optional language model: any OpenAI-compatible `/chat/completions` endpoint (Ollama,
//! vLLM, llama.cpp server, OpenAI). A thin reqwest client with lenient wire types and its own
//! parsing of the streamed `data:` lines, because servers differ in the details (`content: null`,
//! tool-call arguments as a string or an object, a plain JSON reply to a streaming request, an
//! `error` object inside the stream).
//!
//! What the model may do is bounded here: it writes text and may call one tool,
//! `handoff_to_human`, whose arguments only ever become a *suggestion* to the person (see
//! `routes::assistant`). It never sees other people's data and has no other tools.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use std::pin::Pin;
use std::time::Duration;
use support_chat_assistant::{Category, Urgency};
use tokio::time::Instant;

/// The one tool the model is offered.
pub const HANDOFF_TOOL: &str = "handoff_to_human";
/// Longest error text from the provider kept for logs.
const MAX_ERROR_SNIPPET: usize = 300;
/// Longest single `data:` line accepted (a runaway line is a malformed reply).
const MAX_LINE_BYTES: usize = 1 << 20;
/// Longest answer kept; beyond it the reply is closed (which stops the model) and the answer
/// counts as cut short.
pub const MAX_ANSWER_CHARS: usize = 10_000;
/// Longest tool-call arguments accepted.
const MAX_TOOL_ARGUMENT_BYTES: usize = 16 * 1024;

/// Where the model is and how long to wait for it.
#[derive(Clone)]
pub struct LlmConfig {
    /// The API root including its version, e.g. `http://127.0.0.1:11434/v1`;
    /// requests go to `{base_url}/chat/completions`.
    pub base_url: String,
    pub model: String,
    /// Sent as `Authorization: Bearer …`; never logged.
    pub api_key: Option<String>,
    /// From sending the request to the reply's headers (connect included), per attempt.
    pub request_timeout: Duration,
    /// Longest silence between two pieces of a streamed reply (also before the first).
    pub stall_timeout: Duration,
    /// Longest a whole answer may take.
    pub total_timeout: Duration,
    /// Extra attempts after a failed request (connect error, timeout, 429 or 5xx), before
    /// any of the answer has been received.
    pub retries: u32,
    /// Requests to the model at once from this process; more wait up to `request_timeout` for
    /// a turn, then the built-in answerer answers.
    pub max_concurrent: usize,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("request_timeout", &self.request_timeout)
            .field("stall_timeout", &self.stall_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("retries", &self.retries)
            .field("max_concurrent", &self.max_concurrent)
            .finish()
    }
}

impl LlmConfig {
    /// Defaults for everything but the endpoint and model.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            request_timeout: Duration::from_secs(20),
            stall_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(120),
            retries: 2,
            max_concurrent: 8,
        }
    }
}

/// Why the model gave no (complete) answer. The text is for logs; it never holds the API key.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the model did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the model endpoint could not be reached: {0}")]
    Unreachable(String),
    #[error("the model endpoint answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the model's reply could not be read: {0}")]
    Malformed(String),
    #[error("the model reported an error: {0}")]
    Provider(String),
    #[error("{0} requests to the model were already running; none finished within {1:?}")]
    Busy(usize, Duration),
}

impl LlmError {
    /// A short code for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            LlmError::Timeout(_) => "timeout",
            LlmError::Unreachable(_) => "unreachable",
            LlmError::Status { .. } => "status",
            LlmError::Malformed(_) => "malformed",
            LlmError::Provider(_) => "provider",
            LlmError::Busy(..) => "busy",
        }
    }
}

/// One message sent to the model.
#[derive(Debug, Clone, Serialize)]
pub struct WireMessage {
    pub role: &'static str,
    pub content: String,
}

impl WireMessage {
    pub fn system(content: impl Into<String>) -> Self {
        Self {
            role: "system",
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: "user",
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: "assistant",
            content: content.into(),
        }
    }
}

/// The model's call of `handoff_to_human`, with whatever arguments it managed to give.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandoffCall {
    pub reason: Option<String>,
    pub category: Option<Category>,
    pub urgency: Option<Urgency>,
    pub summary: Option<String>,
}

/// A piece of a reply, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Handoff(HandoffCall),
}

/// A configured model.
pub struct Llm {
    http: reqwest::Client,
    endpoint: String,
    config: LlmConfig,
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Llm {
    /// Checks the settings and builds the HTTP client (nothing is sent yet).
    pub fn new(config: LlmConfig) -> Result<Self, String> {
        let base = config.base_url.trim().trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "the LLM base URL must start with http:// or https:// (got '{base}')"
            ));
        }
        if config.model.trim().is_empty() {
            return Err("an LLM base URL needs a model name as well".into());
        }
        let endpoint = if base.ends_with("/chat/completions") {
            base.to_owned()
        } else {
            format!("{base}/chat/completions")
        };
        reqwest::Url::parse(&endpoint)
            .map_err(|e| format!("the LLM base URL is not a valid URL: {e}"))?;
        crate::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(config.request_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| format!("building the LLM HTTP client: {e}"))?;
        Ok(Self {
            http,
            endpoint,
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(config.max_concurrent.max(1))),
            config,
        })
    }

    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// Starts a streamed chat completion, retrying failed requests; the reply's pieces then
    /// come from [`Completion::next`]. With `handoff_tool`, the model may call
    /// `handoff_to_human`.
    pub async fn stream(
        &self,
        messages: &[WireMessage],
        handoff_tool: bool,
    ) -> Result<Completion, LlmError> {
        let deadline = Instant::now() + self.config.total_timeout;
        let permit = match tokio::time::timeout(
            self.config.request_timeout,
            self.permits.clone().acquire_owned(),
        )
        .await
        {
            Ok(Ok(p)) => p,
            _ => {
                return Err(LlmError::Busy(
                    self.config.max_concurrent,
                    self.config.request_timeout,
                ));
            }
        };
        let body = ChatRequest {
            model: &self.config.model,
            messages,
            stream: true,
            temperature: 0.2,
            tools: handoff_tool.then(tool_schema),
        };
        let mut attempt = 0;
        loop {
            match self.send(&body, deadline).await {
                Ok(res) => return Ok(Completion::new(res, &self.config, deadline, permit)),
                Err((e, retry_after)) if attempt < self.config.retries && retryable(&e) => {
                    attempt += 1;
                    let backoff = retry_after.unwrap_or_else(|| {
                        Duration::from_millis(250 * (1 << attempt.min(4)))
                            + Duration::from_millis(rand::random_range(0..100))
                    });
                    if Instant::now() + backoff >= deadline {
                        return Err(e);
                    }
                    tracing::info!(error = %e, attempt, "the LLM request failed; retrying");
                    tokio::time::sleep(backoff).await;
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    /// The whole text of one reply (no tool), for short jobs such as a hand-off summary.
    pub async fn complete(&self, messages: &[WireMessage]) -> Result<String, LlmError> {
        let mut completion = self.stream(messages, false).await?;
        let mut text = String::new();
        while let Some(piece) = completion.next().await? {
            if let Piece::Text(t) = piece {
                text.push_str(&t);
            }
        }
        Ok(text)
    }

    async fn send(
        &self,
        body: &ChatRequest<'_>,
        deadline: Instant,
    ) -> Result<reqwest::Response, (LlmError, Option<Duration>)> {
        let wait = self
            .config
            .request_timeout
            .min(deadline.saturating_duration_since(Instant::now()));
        let mut req = self
            .http
            .post(&self.endpoint)
            .header("accept", "text/event-stream, application/json")
            .json(body);
        if let Some(key) = &self.config.api_key {
            req = req.bearer_auth(key);
        }
        let res = match tokio::time::timeout(wait, req.send()).await {
            Err(_) => return Err((LlmError::Timeout(wait), None)),
            Ok(Err(e)) if e.is_timeout() => return Err((LlmError::Timeout(wait), None)),
            Ok(Err(e)) => return Err((LlmError::Unreachable(redact(&e.to_string())), None)),
            Ok(Ok(res)) => res,
        };
        let status = res.status();
        if status.is_success() {
            return Ok(res);
        }
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(10)));
        let text = tokio::time::timeout(Duration::from_secs(2), res.text())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        // Some proxies echo the credential back in their error page.
        let text = match &self.config.api_key {
            Some(key) if !key.is_empty() => text.replace(key.as_str(), "<redacted>"),
            _ => text,
        };
        Err((
            LlmError::Status {
                status: status.as_u16(),
                body: snippet(&text),
            },
            retry_after,
        ))
    }
}

fn retryable(e: &LlmError) -> bool {
    match e {
        LlmError::Timeout(_) | LlmError::Unreachable(_) => true,
        LlmError::Status { status, .. } => *status == 429 || *status >= 500,
        LlmError::Malformed(_) | LlmError::Provider(_) | LlmError::Busy(..) => false,
    }
}

/// Error texts from reqwest can hold the URL; it never holds the key (sent as a header), but
/// keep user info out of logs anyway.
fn redact(text: &str) -> String {
    match (text.find("://"), text.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…{}", &text[..scheme], &text[at..])
        }
        _ => text.to_owned(),
    }
}

fn snippet(text: &str) -> String {
    let t: String = text.trim().chars().take(MAX_ERROR_SNIPPET).collect();
    if t.is_empty() { "(no body)".into() } else { t }
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: &'a [WireMessage],
    stream: bool,
    temperature: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<serde_json::Value>,
}

fn tool_schema() -> serde_json::Value {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let urgencies: Vec<&str> = Urgency::ALL.iter().map(|u| u.as_str()).collect();
    serde_json::json!([{
        "type": "function",
        "function": {
            "name": HANDOFF_TOOL,
            "description": "Offer to pass the conversation to a human support agent. Use it when the person asks for a human, is frustrated, has a billing or account-security problem, or has a problem the articles do not solve.",
            "parameters": {
                "type": "object",
                "properties": {
                    "reason": {"type": "string", "description": "Why a person should take over, in one sentence."},
                    "category": {"type": "string", "enum": categories},
                    "urgency": {"type": "string", "enum": urgencies},
                    "summary": {"type": "string", "description": "What the person needs, in at most three sentences, for the agent."}
                },
                "required": ["reason"]
            }
        }
    }])
}

// ---- Reading replies -------------------------------------------------------------------

/// A chunk of a streamed reply, or a whole non-streamed one. Every field is optional: servers
/// leave out or null what they do not use.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ChunkWire {
    choices: Vec<ChoiceWire>,
    error: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChoiceWire {
    delta: Option<MessageWire>,
    message: Option<MessageWire>,
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MessageWire {
    content: Option<String>,
    tool_calls: Option<Vec<ToolCallWire>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ToolCallWire {
    index: Option<usize>,
    function: Option<FunctionWire>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FunctionWire {
    name: Option<String>,
    /// A JSON string, streamed in fragments (OpenAI), or an object (some local servers).
    arguments: Option<serde_json::Value>,
}

#[derive(Default)]
struct ToolCallParts {
    name: String,
    arguments: String,
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A reply being read. Dropping it closes the connection, which cancels the generation on
/// servers that notice (all the common ones do).
pub struct Completion {
    body: ByteStream,
    /// The reply is one JSON document rather than a stream of events.
    whole_json: bool,
    buffer: Vec<u8>,
    pending: std::collections::VecDeque<Piece>,
    tools: Vec<ToolCallParts>,
    finished: bool,
    /// The answer hit [`MAX_ANSWER_CHARS`] or the model's own length limit.
    truncated: bool,
    chars: usize,
    stall: Duration,
    deadline: Instant,
    total: Duration,
    /// This request's turn among the model's concurrent requests, held until the reply is done.
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Completion {
    fn new(
        res: reqwest::Response,
        config: &LlmConfig,
        deadline: Instant,
        permit: tokio::sync::OwnedSemaphorePermit,
    ) -> Self {
        let whole_json = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        Self {
            body: Box::pin(res.bytes_stream()),
            whole_json,
            buffer: Vec::new(),
            pending: Default::default(),
            tools: Vec::new(),
            finished: false,
            truncated: false,
            chars: 0,
            stall: config.stall_timeout,
            deadline,
            total: config.total_timeout,
            _permit: permit,
        }
    }

    /// Whether the answer was cut short: by [`MAX_ANSWER_CHARS`] (the rest was not read) or
    /// by the model's own token limit (`finish_reason: "length"`).
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// The next piece of the reply; `None` at its end. Text comes as it is written; a tool call
    /// comes once, after the text, when its arguments are complete.
    pub async fn next(&mut self) -> Result<Option<Piece>, LlmError> {
        loop {
            if let Some(p) = self.pending.pop_front() {
                return Ok(Some(p));
            }
            if self.finished {
                return Ok(None);
            }
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(LlmError::Timeout(self.total));
            }
            let wait = self.stall.min(left);
            match tokio::time::timeout(wait, self.body.next()).await {
                Err(_) => {
                    return Err(LlmError::Timeout(if wait < self.stall {
                        self.total
                    } else {
                        self.stall
                    }));
                }
                Ok(Some(Err(e))) => return Err(LlmError::Unreachable(redact(&e.to_string()))),
                Ok(Some(Ok(bytes))) => {
                    self.buffer.extend_from_slice(&bytes);
                    if self.whole_json {
                        if self.buffer.len() > MAX_LINE_BYTES * 4 {
                            return Err(LlmError::Malformed("the reply is too large".into()));
                        }
                    } else {
                        self.read_lines()?;
                    }
                }
                Ok(None) => {
                    if self.whole_json {
                        let doc = std::mem::take(&mut self.buffer);
                        self.take_json(&doc, false)?;
                    } else {
                        // A last line without its newline still counts.
                        self.buffer.push(b'\n');
                        self.read_lines()?;
                        if !self.finished && self.chars == 0 && self.tools.is_empty() {
                            return Err(LlmError::Malformed(
                                "the stream ended before any answer".into(),
                            ));
                        }
                    }
                    self.finish()?;
                }
            }
        }
    }

    fn read_lines(&mut self) -> Result<(), LlmError> {
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = std::str::from_utf8(&line)
                .map_err(|_| LlmError::Malformed("a line of the stream is not UTF-8".into()))?
                .trim_end_matches(['\n', '\r']);
            if self.finished {
                continue;
            }
            let Some(data) = line.strip_prefix("data:") else {
                // Comments (`: keep-alive`), `event:` and `id:` lines, blank separators.
                continue;
            };
            let data = data.trim_start();
            if data == "[DONE]" {
                self.finish()?;
                continue;
            }
            if data.is_empty() {
                continue;
            }
            self.take_json(data.as_bytes(), true)?;
        }
        if self.buffer.len() > MAX_LINE_BYTES {
            return Err(LlmError::Malformed(
                "a line of the stream is too long".into(),
            ));
        }
        Ok(())
    }

    fn take_json(&mut self, data: &[u8], streamed: bool) -> Result<(), LlmError> {
        // The error names the position only: the reply holds the person's words.
        let chunk: ChunkWire = serde_json::from_slice(data)
            .map_err(|e| LlmError::Malformed(format!("unreadable JSON ({e})")))?;
        if let Some(err) = chunk.error {
            let text = err
                .get("message")
                .and_then(|m| m.as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| err.to_string());
            return Err(LlmError::Provider(snippet(&text)));
        }
        for choice in chunk.choices.into_iter().take(1) {
            let msg = if streamed {
                choice.delta.or(choice.message)
            } else {
                choice.message.or(choice.delta)
            };
            if choice.finish_reason.as_deref() == Some("length") {
                self.truncated = true;
            }
            let Some(msg) = msg else { continue };
            if let Some(text) = msg.content.filter(|t| !t.is_empty()) {
                self.push_text(text);
            }
            for (i, call) in msg.tool_calls.unwrap_or_default().into_iter().enumerate() {
                let index = call.index.unwrap_or(i);
                if index > 16 {
                    return Err(LlmError::Malformed("too many tool calls".into()));
                }
                if self.tools.len() <= index {
                    self.tools.resize_with(index + 1, ToolCallParts::default);
                }
                let parts = &mut self.tools[index];
                if let Some(f) = call.function {
                    // OpenAI sends the name once; some servers repeat it in every chunk.
                    if let Some(name) = f.name.filter(|n| !n.is_empty() && *n != parts.name) {
                        parts.name.push_str(&name);
                    }
                    match f.arguments {
                        Some(serde_json::Value::String(s)) => parts.arguments.push_str(&s),
                        Some(serde_json::Value::Null) | None => {}
                        Some(other) => parts.arguments.push_str(&other.to_string()),
                    }
                    if parts.arguments.len() > MAX_TOOL_ARGUMENT_BYTES {
                        return Err(LlmError::Malformed("tool-call arguments too long".into()));
                    }
                }
            }
        }
        Ok(())
    }

    fn push_text(&mut self, text: String) {
        if self.finished {
            return;
        }
        let room = MAX_ANSWER_CHARS.saturating_sub(self.chars);
        let text: String = text.chars().take(room).collect();
        self.chars += text.chars().count();
        match self.pending.back_mut() {
            Some(Piece::Text(t)) => t.push_str(&text),
            _ => self.pending.push_back(Piece::Text(text)),
        }
        if self.chars >= MAX_ANSWER_CHARS {
            // Enough: stop reading. Dropping the reply then closes the connection.
            self.truncated = true;
            self.tools.clear();
            self.finished = true;
        }
    }

    /// The reply is complete: turn the collected tool calls into pieces.
    fn finish(&mut self) -> Result<(), LlmError> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        for parts in std::mem::take(&mut self.tools) {
            if parts.name.trim() != HANDOFF_TOOL {
                // The model was offered one tool; anything else is ignored, never acted on.
                tracing::warn!(tool = %snippet(&parts.name), "the model called an unknown tool; ignored");
                continue;
            }
            self.pending
                .push_back(Piece::Handoff(parse_handoff(&parts.arguments)));
        }
        Ok(())
    }
}

/// The tool's arguments, leniently: the call itself is the decision, so unreadable arguments
/// still make a (detail-less) hand-off call.
fn parse_handoff(arguments: &str) -> HandoffCall {
    let v: serde_json::Value = serde_json::from_str(arguments.trim()).unwrap_or_default();
    let text = |k: &str, max: usize| {
        v.get(k)
            .and_then(|x| x.as_str())
            .map(|s| s.trim().chars().take(max).collect::<String>())
            .filter(|s| !s.is_empty())
    };
    HandoffCall {
        reason: text("reason", 300),
        category: text("category", 20).and_then(|c| c.to_lowercase().parse().ok()),
        urgency: text("urgency", 20).and_then(|u| u.to_lowercase().parse().ok()),
        summary: text("summary", 600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoff_arguments_are_read_leniently() {
        let c = parse_handoff(
            r#"{"reason":"wants a refund","category":"Billing","urgency":"high","summary":"Charged twice."}"#,
        );
        assert_eq!(c.reason.as_deref(), Some("wants a refund"));
        assert_eq!(c.category, Some(Category::Billing));
        assert_eq!(c.urgency, Some(Urgency::High));
        assert_eq!(c.summary.as_deref(), Some("Charged twice."));
        // Unknown values and broken JSON still make a call, without those details.
        let c = parse_handoff(r#"{"reason":"x","category":"refunds","urgency":"asap"}"#);
        assert_eq!((c.category, c.urgency), (None, None));
        assert_eq!(parse_handoff("{not json"), HandoffCall::default());
    }

    #[test]
    fn the_api_key_never_shows_in_debug_output() {
        let mut c = LlmConfig::new("http://127.0.0.1:1/v1", "m");
        c.api_key = Some("sk-very-secret".into());
        assert!(!format!("{c:?}").contains("sk-very-secret"));
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        let e = Llm::new(LlmConfig::new("localhost:11434", "m"))
            .err()
            .unwrap();
        assert!(e.contains("http://"), "{e}");
        let e = Llm::new(LlmConfig::new("http://127.0.0.1:11434/v1", " "))
            .err()
            .unwrap();
        assert!(e.contains("model"), "{e}");
        let ok = Llm::new(LlmConfig::new("http://127.0.0.1:11434/v1/", "llama3")).unwrap();
        assert_eq!(ok.endpoint, "http://127.0.0.1:11434/v1/chat/completions");
    }

    #[test]
    fn user_info_in_urls_is_kept_out_of_error_text() {
        assert_eq!(
            redact("error sending request for url (http://bob:pw@host/v1)"),
            "error sending request for url (http://…@host/v1)"
        );
    }
}
