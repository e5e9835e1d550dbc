//! Helpers for the assistant tests: articles, sessions and streamed answers.

use super::Client;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub async fn write_article(admin: &Client, title: &str, body: &str, tags: &[&str]) -> Value {
    let res = admin
        .post(
            "/api/admin/kb/articles",
            json!({"title": title, "body": body, "tags": tags}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "create {title}");
    res.json().await.unwrap()
}

/// The events of one streamed answer, as `(name, data)`.
pub async fn ask(client: &Client, session: i64, question: &str) -> Vec<(String, Value)> {
    let res = client
        .post(
            &format!("/api/assistant/sessions/{session}/messages"),
            json!({"content": question}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "ask {question}");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    parse_events(&res.text().await.unwrap())
}

/// Server-sent events as `(name, data)`.
pub fn parse_events(text: &str) -> Vec<(String, Value)> {
    let mut events = Vec::new();
    for block in text.split("\n\n") {
        let mut name = None;
        let mut data = String::new();
        for line in block.lines() {
            if let Some(n) = line.strip_prefix("event: ") {
                name = Some(n.to_owned());
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
            }
        }
        if let Some(name) = name {
            events.push((name, serde_json::from_str(&data).unwrap()));
        }
    }
    events
}

pub fn done(events: &[(String, Value)]) -> &Value {
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"question"), "{names:?}");
    assert_eq!(names.last(), Some(&"done"), "{events:?}");
    &events.last().unwrap().1
}

pub async fn new_session(client: &Client) -> i64 {
    let res = client.post("/api/assistant/sessions", json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub async fn enable_handoff(admin: &Client) {
    let res = admin
        .put("/api/admin/features/ai_handoff", json!({"enabled": true}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// The reason codes of a decision.
pub fn reason_codes(decision: &Value) -> Vec<&str> {
    decision["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect()
}
