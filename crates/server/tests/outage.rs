//! A database outage answers 503 and the server recovers by itself when the database returns.
//! PostgreSQL only (an embedded SQLite file cannot go away on its own): the server reaches the
//! database through a TCP proxy that the test cuts and restores.

mod common;

use common::{TestServer, error_code, test_config};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support_chat_store::testing::{TestBackend, TestDb};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// Forwards connections to `target` while up; cutting it drops every open connection and
/// refuses new ones.
struct Proxy {
    addr: std::net::SocketAddr,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (up2, links2) = (up.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                links2.lock().await.push(tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                }));
            }
        });
        Proxy { addr, up, links }
    }

    async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_recovers_by_itself() {
    let Some(db) = TestDb::new(TestBackend::Postgres).await else {
        return;
    };
    // postgres://user@127.0.0.1:5432/name → the same through the proxy.
    let (scheme_user, rest) = db.url.split_once('@').unwrap();
    let (hostport, name) = rest.split_once('/').unwrap();
    let proxy = Proxy::start(hostport.to_owned()).await;
    let via_proxy = format!("{scheme_user}@{}/{name}", proxy.addr);
    let s = TestServer::start_on(&via_proxy, test_config()).await;
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Before the outage", "all good").await;

    proxy.cut().await;
    let res = ann.get("/api/support-chat/conversations").await;
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(
        error_code(res, StatusCode::SERVICE_UNAVAILABLE).await["code"],
        "unavailable"
    );
    let res = ann
        .post(
            "/api/support-chat/messages",
            json!({"conversationId": c, "content": "during"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = res.text().await.unwrap();
    assert!(
        !body.contains("127.0.0.1") && !body.to_lowercase().contains("sqlx"),
        "no internals leak: {body}"
    );
    assert_eq!(
        ann.get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        ann.get("/healthz").await.status(),
        StatusCode::OK,
        "the process itself is up"
    );

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = ann.get("/api/support-chat/conversations").await.status();
        if status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {status} 30 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ann.say(c, "after the outage").await;
    let detail: serde_json::Value = ann.detail(c).await;
    let contents: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        ["all good", "after the outage"],
        "nothing half-written during the outage"
    );
    assert_eq!(ann.get("/readyz").await.status(), StatusCode::OK);
}
