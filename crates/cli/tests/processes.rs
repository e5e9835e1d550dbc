//! Real `support-chat` processes: two nodes sharing one database and a private Redis, a Redis
//! restart while both run, `kill -9` after an ack, and SIGTERM closing sockets with 1001.

#[allow(dead_code)] // shared with the server tests; this file uses part of it
#[path = "../../server/tests/common/ws.rs"]
mod ws;

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support_chat_store::testing::TestDb;
use ws::{Auth, RedisServer, Ws};

support_chat_store::on_every_backend!(
    setup = setup;
    two_processes_share_live_traffic_survive_a_redis_restart_and_keep_acked_messages,
);

async fn setup(db: &TestDb) -> String {
    support_chat_server::install_crypto_provider();
    db.url.clone()
}

/// One `support-chat serve` process.
struct Node {
    url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Node {
    async fn start(db_url: &str, redis_url: &str) -> Node {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_support-chat"))
            .arg("serve")
            .env("SUPPORT_CHAT_BIND", format!("127.0.0.1:{port}"))
            .env("SUPPORT_CHAT_DATA_DIR", dir.path())
            .env("DATABASE_URL", db_url)
            .env("REDIS_URL", redis_url)
            .env("SUPPORT_CHAT_ADMIN_EMAIL", "ada@example.com")
            .env("SUPPORT_CHAT_ADMIN_PASSWORD", "admin-password-1")
            .env("SUPPORT_CHAT_LOGIN_RATE_PER_MINUTE", "1000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start support-chat");
        let node = Node {
            url,
            child,
            _dir: dir,
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(r) = http.get(format!("{}/readyz", node.url)).send().await
                && r.status() == 200
            {
                return node;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("support-chat on {} did not become ready", node.url);
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok);
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signs in (or registers) over REST and returns a bearer token and the user's id.
async fn token(base: &str, path: &str, body: Value) -> (String, i64) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = http
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    let me: Value = res.json().await.unwrap();
    let csrf = me["csrfToken"].as_str().unwrap().to_owned();
    let res = http
        .post(format!("{base}/api/auth/tokens"))
        .header("x-csrf-token", csrf)
        .json(&json!({"name": "test"}))
        .send()
        .await
        .unwrap();
    let t: Value = res.json().await.unwrap();
    (
        t["token"].as_str().unwrap().to_owned(),
        me["user"]["id"].as_i64().unwrap(),
    )
}

async fn get(base: &str, token: &str, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn two_processes_share_live_traffic_survive_a_redis_restart_and_keep_acked_messages(
    db_url: String,
) {
    let Some(mut redis) = RedisServer::start().await else {
        return;
    };
    // The first node creates the admin; the second finds it.
    let mut a = Node::start(&db_url, &redis.url()).await;
    let b = Node::start(&db_url, &redis.url()).await;
    let (ann_t, _) = token(
        &a.url,
        "/api/auth/register",
        json!({"email": "ann@example.com", "password": "user-password", "name": "Ann"}),
    )
    .await;
    let (ada_t, ada_id) = token(
        &b.url,
        "/api/auth/login",
        json!({"email": "ada@example.com", "password": "admin-password-1"}),
    )
    .await;
    // Ada's socket is open before the conversation exists, so its announcement reaches her
    // (through Redis, from the other process) before she joins, never during the join.
    let mut ada = Ws::connect(&b.url, Auth::Token(&ada_t)).await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/support-chat/conversations", a.url))
        .bearer_auth(&ann_t)
        .json(&json!({"subject": "Two nodes", "initialMessage": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let c = res.json::<Value>().await.unwrap()["conversation"]["id"]
        .as_i64()
        .unwrap();

    assert_eq!(
        ada.next("conversation_created").await["conversationId"],
        c,
        "a conversation opened on A is announced to an admin on B"
    );
    let mut ann = Ws::connect(&a.url, Auth::Token(&ann_t)).await;
    ann.join(c, None).await;
    ada.join(c, None).await;

    // A message and typing cross from one process to the other.
    let sent = ann.say(c, "from A", "p-1").await;
    assert_eq!(ada.next("message").await["data"]["id"], sent["messageId"]);
    ada.send(json!({"type": "typing", "conversationId": c, "data": {"isTyping": true}}))
        .await;
    assert_eq!(ann.next("typing").await["data"]["userId"], ada_id);

    // Redis restarts while both run: sends keep being stored, and B catches up afterwards.
    redis.stop();
    for i in 0..3 {
        ann.say(c, &format!("during {i}"), &format!("p-d{i}")).await;
    }
    redis.restart().await;
    for i in 0..3 {
        let m = ada.next("message").await;
        assert_eq!(m["data"]["content"], format!("during {i}"));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = ann.say(c, "after the restart", "p-after").await;
    assert_eq!(ada.next("message").await["data"]["id"], after["messageId"]);

    // An acked message survives kill -9 of the process that stored it.
    let last = ann.say(c, "acked just before the crash", "p-crash").await;
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let detail = get(
        &b.url,
        &ada_t,
        &format!("/api/support-chat/conversations/{c}"),
    )
    .await;
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.last().unwrap()["id"], last["messageId"]);
    assert_eq!(
        messages.len(),
        7,
        "hello, from A, 3 during, after, crash: {detail}"
    );

    // SIGTERM: B closes its sockets with 1001 before it exits.
    b.signal("-TERM");
    assert_eq!(ada.closed_with().await, Some(1001));
}
