//! Test harness: a real server on a real socket (port 0) over a throw-away database, and an
//! HTTP client that behaves like the web app (cookie jar, X-CSRF-Token on writes).
#![allow(dead_code)] // each test binary uses part of the harness

pub mod assistant;
pub mod fake_llm;
pub mod ws;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use support_chat_domain::Role;
use support_chat_server::{AppState, ServerConfig};
use support_chat_store::testing::TestDb;
use support_chat_store::{Store, StoreOptions};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    pub url: String,
    pub store: Store,
    pub db_url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Settings for tests: generous rate limits so only the tests about limits meet them.
pub fn test_config() -> ServerConfig {
    ServerConfig {
        message_rate_per_minute: 10_000,
        message_burst: 1_000,
        login_attempts_per_minute: 1_000,
        ..ServerConfig::default()
    }
}

impl TestServer {
    pub async fn start(db: &TestDb) -> TestServer {
        Self::start_on(&db.url, test_config()).await
    }

    pub async fn start_on(db_url: &str, config: ServerConfig) -> TestServer {
        Self::start_node(db_url, config, None).await
    }

    /// This server stopped, and a new one on the same database with `config`.
    pub async fn restart_with(self, config: ServerConfig) -> TestServer {
        let db_url = self.db_url.clone();
        self.stop().await;
        Self::start_on(&db_url, config).await
    }

    /// A server that shares real-time events through Redis at `redis_url` (one node of many).
    pub async fn start_node(
        db_url: &str,
        config: ServerConfig,
        redis_url: Option<&str>,
    ) -> TestServer {
        support_chat_server::install_crypto_provider();
        let redis = match redis_url {
            Some(u) => Some(
                support_chat_server::realtime::broker::Redis::connect(u)
                    .await
                    .expect("redis"),
            ),
            None => None,
        };
        let store = Store::connect(db_url, &StoreOptions::default())
            .await
            .expect("connect");
        store.ensure_default_flags(true).await.expect("flags");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let config = ServerConfig {
            public_url: url.clone(),
            ..config
        };
        let state = AppState::with_redis(store.clone(), config, redis);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            support_chat_server::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        TestServer {
            url,
            store,
            db_url: db_url.to_owned(),
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server and waits until it has drained.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        self.store.close().await;
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    /// An admin account made the way the CLI makes it.
    pub async fn admin(&self, email: &str) -> Client {
        let hash = support_chat_server::auth::hash_password("admin-password".into())
            .await
            .expect("hash");
        self.store
            .create_user(email, "Ada Admin", Role::Admin, Some(&hash))
            .await
            .expect("admin");
        let mut c = self.client();
        c.login(email, "admin-password").await;
        c
    }

    /// A registered and signed-in end user.
    pub async fn user(&self, email: &str, name: &str) -> Client {
        let mut c = self.client();
        let res = c.register(email, "user-password", name).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        c
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// A browser-like client: cookies kept, CSRF token sent on writes.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    pub user: Option<Value>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        support_chat_server::install_crypto_provider();
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .build()
            .expect("client");
        Client {
            base: base.to_owned(),
            http,
            jar,
            csrf: None,
            bearer: None,
            user: None,
        }
    }

    /// The `Cookie` header a browser would send to this server.
    pub fn cookie_header(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().expect("base url");
        self.jar
            .cookies(&url)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
    }

    /// A new API token for this user.
    pub async fn token(&self) -> String {
        let res = self.post("/api/auth/tokens", json!({"name": "ws"})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    pub fn id(&self) -> i64 {
        self.user
            .as_ref()
            .and_then(|u| u["id"].as_i64())
            .expect("signed in")
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        let mut r = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(t) = &self.bearer {
            r = r.bearer_auth(t);
        }
        if method != Method::GET
            && let Some(c) = &self.csrf
        {
            r = r.header("x-csrf-token", c);
        }
        r
    }

    pub async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.expect("request")
    }

    /// `GET path` answered 200, as JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let res = self.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.expect("json")
    }

    pub async fn send(&self, method: Method, path: &str, body: Value) -> Response {
        self.req(method, path)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(Method::PUT, path, body).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.req(Method::DELETE, path)
            .send()
            .await
            .expect("request")
    }

    fn remember(&mut self, body: &Value) {
        self.csrf = body["csrfToken"].as_str().map(str::to_owned);
        self.user = Some(body["user"].clone());
    }

    pub async fn register(&mut self, email: &str, password: &str, name: &str) -> Response {
        let res = self
            .post(
                "/api/auth/register",
                json!({ "email": email, "password": password, "name": name }),
            )
            .await;
        self.capture(res).await
    }

    pub async fn login(&mut self, email: &str, password: &str) {
        let res = self
            .post(
                "/api/auth/login",
                json!({ "email": email, "password": password }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login as {email}");
        let _ = self.capture(res).await;
    }

    /// Keeps the CSRF token and user from an auth response, and hands the response back
    /// rebuilt (bodies can be read once).
    async fn capture(&mut self, res: Response) -> Response {
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            self.remember(&body);
        }
        let rebuilt = axum::http::Response::builder()
            .status(status)
            .body(body.to_string())
            .expect("response");
        Response::from(rebuilt)
    }

    /// Opens a conversation and returns its id.
    pub async fn open(&self, subject: &str, first: &str) -> i64 {
        let res = self
            .post(
                "/api/support-chat/conversations",
                json!({ "subject": subject, "initialMessage": first }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        body["conversation"]["id"].as_i64().expect("id")
    }

    /// The conversation's detail (`GET /api/support-chat/conversations/{id}`) as JSON.
    pub async fn detail(&self, conversation: i64) -> Value {
        self.get(&format!("/api/support-chat/conversations/{conversation}"))
            .await
            .json()
            .await
            .expect("json")
    }

    pub async fn say(&self, conversation: i64, content: &str) -> Value {
        let res = self
            .post(
                "/api/support-chat/messages",
                json!({ "conversationId": conversation, "content": content }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED, "send to {conversation}");
        res.json().await.expect("json")
    }
}

/// The `error.code` of an error response, after checking its status.
pub async fn error_code(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status, "unexpected status");
    let body: Value = res.json().await.expect("error body is JSON");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "error has a message: {body}"
    );
    body["error"].clone()
}

pub async fn setup(db: &TestDb) -> TestServer {
    TestServer::start(db).await
}
