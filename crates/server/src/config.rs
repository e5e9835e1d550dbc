//! Server settings, resolved by the binary from flags, environment and the optional TOML file.

use std::time::Duration;

/// Everything the HTTP server needs to know about its deployment.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The origin browsers use, e.g. `https://support.example.com`; WebSocket Origin checks
    /// and links use it. A `https` origin makes cookies `Secure`.
    pub public_url: String,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Shared HS256 secret for host-app single sign-on; `None` turns SSO off.
    pub sso_secret: Option<String>,
    /// Messages a user may send per minute (admins get five times as many).
    pub message_rate_per_minute: u32,
    /// Messages a user may send at once before the per-minute rate applies.
    pub message_burst: u32,
    /// Login attempts per account per minute, and per client address (four times this).
    pub login_attempts_per_minute: u32,
    /// How long a session lasts without use.
    pub session_ttl: Duration,
    /// Largest JSON request body.
    pub max_body_bytes: usize,
    /// WebSocket timing, buffers and limits.
    pub realtime: crate::realtime::RealtimeConfig,
    /// An OpenAI-compatible model for the assistant; `None` answers offline (retrieval only).
    pub llm: Option<crate::assistant::llm::LlmConfig>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            trust_forwarded_for: false,
            sso_secret: None,
            message_rate_per_minute: 30,
            message_burst: 10,
            login_attempts_per_minute: 10,
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            max_body_bytes: 64 * 1024,
            realtime: crate::realtime::RealtimeConfig::default(),
            llm: None,
        }
    }
}

impl ServerConfig {
    /// Cookies get `Secure` when browsers reach us over TLS.
    pub fn cookie_secure(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
