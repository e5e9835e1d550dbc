//! The WebSocket endpoint over real sockets, on SQLite and (with TEST_DATABASE_URL) PostgreSQL:
//! delivery guarantees, authorisation, limits, lifecycle, and two nodes sharing Redis.

mod common;

use common::ws::{Auth, RedisServer, Ws, cmid, refused};
use common::{TestServer, setup, test_config};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support_chat_server::ServerConfig;
use support_chat_server::realtime::RealtimeConfig;

support_chat_store::on_every_backend!(
    setup = setup;
    messages_arrive_exactly_once_in_order_for_every_member,
    rest_actions_reach_sockets,
    a_rejoin_replays_what_was_missed_then_goes_live_without_gap_or_duplicate,
    too_far_behind_gets_reset_required,
    a_resent_client_message_id_is_acked_with_the_original,
    handshakes_without_auth_or_from_a_foreign_origin_are_refused,
    strangers_cannot_join_or_send_and_hear_nothing,
    bad_frames_get_errors_and_oversize_frames_close_the_socket,
    frame_floods_and_send_limits_answer_rate_limited,
    a_slow_consumer_is_disconnected,
    sockets_close_when_access_ends,
    typing_and_read_receipts_reach_the_room,
    two_nodes_share_messages_typing_and_presence_through_redis,
    a_redis_restart_loses_nothing,
    dead_sockets_are_dropped_and_presence_cleaned,
    presence_reaches_every_socket_when_there_are_many,
    shutdown_sends_close_frames,
    a_skipped_sequence_number_does_not_stall_delivery,
    a_demoted_assignee_hears_nothing_more,
    revocations_that_sent_no_event_are_caught_by_the_sweep,
);

fn seqs(messages: &[Value]) -> Vec<i64> {
    messages
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect()
}

/// Reads `message` frames until one has sequence number `upto`; fails on a gap or repeat.
async fn collect_until(ws: &mut Ws, conversation: i64, after: i64, upto: i64) -> Vec<Value> {
    let mut got = Vec::new();
    let mut last = after;
    while last < upto {
        let f = ws.next("message").await;
        assert_eq!(f["conversationId"], conversation);
        let seq = f["data"]["seq"].as_i64().expect("seq");
        assert_eq!(seq, last + 1, "messages arrive once each, in order");
        last = seq;
        got.push(f["data"].clone());
    }
    got
}

async fn messages_arrive_exactly_once_in_order_for_every_member(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let bea = s.admin("bea@example.com").await;
    let c = ann.open("Printer", "It is on fire").await;
    let (ann_t, ada_t) = (ann.token().await, ada.token().await);
    let mut readers = Vec::new();
    for t in [&ann_t, &ada_t] {
        let mut ws = Ws::connect(&s.url, Auth::Token(t)).await;
        let (replay, joined) = ws.join(c, None).await;
        assert!(replay.is_empty(), "no replay without sinceMessageId");
        assert!(joined["data"]["lastMessageId"].as_i64().unwrap() > 0);
        readers.push(ws);
    }
    // Three senders at once: two over WebSocket, one over REST.
    const EACH: usize = 25;
    let mut ann_tx = Ws::connect(&s.url, Auth::Token(&ann_t)).await;
    let mut ada_tx = Ws::connect(&s.url, Auth::Token(&ada_t)).await;
    let by_ws = |ws: &'static str| move |i: usize| format!("{ws}-{i}");
    let ann_send = async {
        for i in 0..EACH {
            ann_tx.say(c, &by_ws("ann")(i), &format!("ann-{i}")).await;
        }
    };
    let ada_send = async {
        for i in 0..EACH {
            ada_tx.say(c, &by_ws("ada")(i), &format!("ada-{i}")).await;
        }
    };
    let bea_send = async {
        for i in 0..EACH {
            bea.say(c, &format!("bea-{i}")).await;
        }
    };
    tokio::join!(ann_send, ada_send, bea_send);
    let total = 1 + 3 * EACH as i64;
    for ws in &mut readers {
        let got = collect_until(ws, c, 1, total).await;
        // Each sender's messages keep the order they were sent in.
        for who in ["ann", "ada", "bea"] {
            let mine: Vec<String> = got
                .iter()
                .filter_map(|m| m["content"].as_str())
                .filter(|t| t.starts_with(who))
                .map(str::to_owned)
                .collect();
            let expected: Vec<String> = (0..EACH).map(|i| format!("{who}-{i}")).collect();
            assert_eq!(mine, expected);
        }
        let ids: Vec<i64> = got.iter().map(|m| m["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids ascend");
        ws.silent("message", Duration::from_millis(300)).await;
    }
}

async fn rest_actions_reach_sockets(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let mut admin_ws = Ws::connect(&s.url, Auth::Token(&ada.token().await)).await;
    let mut ann_ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    // A new conversation is announced to admins.
    let c = ann.open("Billing", "Charged twice").await;
    let created = admin_ws.next("conversation_created").await;
    assert_eq!(created["conversationId"], c);
    assert_eq!(created["data"]["conversation"]["subject"], "Billing");
    assert_eq!(created["data"]["message"]["content"], "Charged twice");
    admin_ws.join(c, None).await;
    // A REST message reaches the room.
    let sent = ann.say(c, "Any news?").await;
    let f = admin_ws.next("message").await;
    assert_eq!(f["data"]["id"], sent["id"]);
    assert_eq!(f["data"]["content"], "Any news?");
    // The owner hears about an admin's reply without joining, as a notification.
    ada.say(c, "Refunded").await;
    let n = ann_ws.next("notification").await;
    assert_eq!(n["conversationId"], c);
    assert_eq!(n["data"]["preview"], "Refunded");
    // A status change reaches the owner's socket (not joined) and the admins.
    let res = ada
        .put(
            &format!("/api/support-chat/conversations/{c}"),
            json!({"status": "in_progress", "adminId": ada.id()}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let u = ann_ws.next("conversation_updated").await;
    assert_eq!(u["conversationId"], c);
    assert_eq!(u["data"]["status"], "in_progress");
    assert_eq!(u["data"]["adminId"], ada.id());
    let u = admin_ws.next("conversation_updated").await;
    assert_eq!(u["data"]["status"], "in_progress");
    // Reading over REST tells the room.
    let res = ann
        .put(
            &format!("/api/support-chat/messages/{}", sent["id"]),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let r = admin_ws.next("read_receipt").await;
    assert_eq!(r["data"]["userId"], ann.id());
    assert_eq!(r["data"]["messageId"], sent["id"]);
}

async fn a_rejoin_replays_what_was_missed_then_goes_live_without_gap_or_duplicate(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let c = ann.open("Login", "Cannot sign in").await;
    let ann_t = ann.token().await;
    let ada_t = ada.token().await;
    let mut first = Ws::connect(&s.url, Auth::Token(&ann_t)).await;
    first.join(c, None).await;
    for i in 0..5 {
        ada.say(c, &format!("before-{i}")).await;
    }
    let seen = collect_until(&mut first, c, 1, 6).await;
    let last_seen = seen.last().unwrap()["id"].as_i64().unwrap();
    drop(first);
    // Someone keeps sending while the reader is away and while it rejoins.
    let url = s.url.clone();
    let sender = tokio::spawn(async move {
        let mut ws = Ws::connect(&url, Auth::Token(&ada_t)).await;
        let mut last = Value::Null;
        for i in 0..60 {
            last = ws.say(c, &format!("during-{i}"), &format!("d{i}")).await;
        }
        last["seq"].as_i64().unwrap()
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut again = Ws::connect(&s.url, Auth::Token(&ann_t)).await;
    let (replay, joined) = again.join(c, Some(last_seen)).await;
    let replayed = seqs(&replay);
    assert!(
        replayed.iter().copied().eq(7..7 + replayed.len() as i64),
        "the replay starts right after the last message seen: {replayed:?}"
    );
    let after = replayed.last().copied().unwrap_or(6);
    if let Some(m) = replay.last() {
        assert_eq!(joined["data"]["lastMessageId"], m["id"]);
    }
    let final_seq = sender.await.unwrap();
    let live = collect_until(&mut again, c, after, final_seq).await;
    assert_eq!(replay.len() + live.len(), 60);
    again.silent("message", Duration::from_millis(300)).await;
}

async fn too_far_behind_gets_reset_required(s: TestServer) {
    let s = s
        .restart_with(ServerConfig {
            realtime: RealtimeConfig {
                max_replay: 5,
                ..RealtimeConfig::default()
            },
            ..test_config()
        })
        .await;
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Slow", "first").await;
    let first: Value = ann.detail(c).await;
    let first_id = first["messages"][0]["id"].as_i64().unwrap();
    let mut newest = Value::Null;
    for i in 0..10 {
        newest = ann.say(c, &format!("m{i}")).await;
    }
    let mut ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    ws.send(json!({"type": "join_conversation", "conversationId": c, "data": {"sinceMessageId": first_id}}))
        .await;
    let f = ws.next_event().await;
    assert_eq!(f["type"], "reset_required", "{f}");
    assert_eq!(f["conversationId"], c);
    assert!(f["data"]["missed"].as_i64().unwrap() > 5);
    assert_eq!(f["data"]["lastMessageId"], newest["id"]);
    // Not joined: nothing live until the client joins again after refetching.
    ann.say(c, "not for you yet").await;
    ws.silent("message", Duration::from_millis(300)).await;
    let (replay, _) = ws.join(c, Some(newest["id"].as_i64().unwrap())).await;
    assert_eq!(replay.len(), 1, "only what came after the refetch");
    assert_eq!(replay[0]["content"], "not for you yet");
}

async fn a_resent_client_message_id_is_acked_with_the_original(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let c = ann.open("Dupes", "hello").await;
    let mut admin_ws = Ws::connect(&s.url, Auth::Token(&ada.token().await)).await;
    admin_ws.join(c, None).await;
    let mut ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    let a = ws.say(c, "only once", "cm-1").await;
    let b = ws.say(c, "only once", "cm-1").await;
    assert_eq!(a["messageId"], b["messageId"]);
    let got = admin_ws.next("message").await;
    assert_eq!(got["data"]["id"], a["messageId"]);
    admin_ws.silent("message", Duration::from_millis(300)).await;
    let detail: Value = ann.detail(c).await;
    assert_eq!(detail["messages"].as_array().unwrap().len(), 2);
}

async fn handshakes_without_auth_or_from_a_foreign_origin_are_refused(s: TestServer) {
    let (status, body) = refused(&s.url, Auth::None, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
    let (status, _) = refused(&s.url, Auth::Token("sct_not-a-token"), None).await;
    assert_eq!(status, 401);
    let ann = s.user("ann@example.com", "Ann").await;
    let cookie = ann.cookie_header().expect("session cookie");
    let (status, body) = refused(&s.url, Auth::Cookie(&cookie, "https://evil.example"), None).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "origin_not_allowed");
    // The right origin with the cookie, and a token without any origin, are let in.
    let mut ws = Ws::connect(&s.url, Auth::Cookie(&cookie, &s.url)).await;
    ws.send(json!({"type": "ping"})).await;
    ws.next("pong").await;
    let mut ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    assert_eq!(
        ws.recv().await.unwrap()["type"],
        "presence",
        "the first frame says who is online"
    );
    ws.send(json!({"type": "ping"})).await;
    ws.next("pong").await;
}

async fn strangers_cannot_join_or_send_and_hear_nothing(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let bob = s.user("bob@example.com", "Bob").await;
    let c = ann.open("Private", "my address is ...").await;
    let mut ws = Ws::connect(&s.url, Auth::Token(&bob.token().await)).await;
    ws.send(json!({"type": "join_conversation", "conversationId": c}))
        .await;
    let e = ws.next("error").await;
    assert_eq!(e["data"]["code"], "not_found");
    assert_eq!(e["conversationId"], c);
    ws.send(json!({"type": "message", "conversationId": c, "data": {"content": "hi", "clientMessageId": cmid("x1")}}))
        .await;
    let e = ws.next("error").await;
    assert_eq!(e["data"]["code"], "not_found");
    assert_eq!(e["data"]["clientMessageId"], cmid("x1"));
    ws.send(json!({"type": "typing", "conversationId": c, "data": {"isTyping": true}}))
        .await;
    assert_eq!(ws.next("error").await["data"]["code"], "not_found");
    ws.send(json!({"type": "join_conversation", "conversationId": 999_999}))
        .await;
    assert_eq!(ws.next("error").await["data"]["code"], "not_found");
    ann.say(c, "secret").await;
    let deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(100), ws.recv()).await {
            Ok(Some(f)) => assert_eq!(f["type"], "presence", "a stranger hears nothing: {f}"),
            Ok(None) => panic!("closed"),
            Err(_) => {}
        }
    }
    let detail: Value = ann.detail(c).await;
    assert_eq!(
        detail["messages"].as_array().unwrap().len(),
        2,
        "nothing of Bob's was stored"
    );
}

async fn bad_frames_get_errors_and_oversize_frames_close_the_socket(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Frames", "x").await;
    let mut ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    ws.send(json!({"type": "dance"})).await;
    let e = ws.next("error").await;
    assert_eq!(e["data"]["code"], "bad_frame");
    assert!(e["data"]["message"].as_str().unwrap().contains("dance"));
    ws.send(json!({"type": "message", "conversationId": c, "data": {"content": "  ", "clientMessageId": cmid("e1")}}))
        .await;
    let e = ws.next("error").await;
    assert_eq!(e["data"]["code"], "validation_failed");
    assert!(e["data"]["message"].as_str().unwrap().contains("content"));
    // Still usable after bad frames.
    ws.say(c, "fine", "ok-1").await;
    let huge = "x".repeat(70 * 1024);
    ws.send(json!({"type": "message", "conversationId": c, "data": {"content": huge, "clientMessageId": cmid("big")}}))
        .await;
    assert_eq!(ws.closed_with().await, Some(1009));
}

async fn frame_floods_and_send_limits_answer_rate_limited(s: TestServer) {
    let s = s
        .restart_with(ServerConfig {
            message_rate_per_minute: 60,
            message_burst: 3,
            realtime: RealtimeConfig {
                frames_per_second: 5,
                frame_burst: 10,
                ..RealtimeConfig::default()
            },
            ..test_config()
        })
        .await;
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Limits", "x").await; // uses one send of the burst
    let mut ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    ws.say(c, "one", "r1").await;
    ws.say(c, "two", "r2").await;
    ws.send(json!({"type": "message", "conversationId": c, "data": {"content": "three", "clientMessageId": cmid("r3")}}))
        .await;
    let e = ws.next("error").await;
    assert_eq!(e["data"]["code"], "rate_limited");
    assert_eq!(e["data"]["clientMessageId"], cmid("r3"));
    assert!(e["data"]["retryAfter"].as_u64().unwrap() >= 1);
    // A resend of a stored message is still acked over the limit.
    assert_eq!(ws.say(c, "two", "r2").await["clientMessageId"], cmid("r2"));
    // A flood of frames is refused, then the socket is closed.
    for _ in 0..40 {
        ws.send(json!({"type": "ping"})).await;
    }
    let mut limited = 0;
    let code = loop {
        match ws.frame_or_close().await {
            Ok(f) if f["type"] == "error" => {
                assert_eq!(f["data"]["code"], "rate_limited");
                limited += 1;
            }
            Ok(_) => {}
            Err(code) => break code,
        }
    };
    assert!(limited > 0);
    assert_eq!(code, Some(1008));
}

async fn a_slow_consumer_is_disconnected(s: TestServer) {
    let s = s
        .restart_with(ServerConfig {
            message_rate_per_minute: 1_000_000,
            message_burst: 100_000,
            realtime: RealtimeConfig {
                outbox_limit: 16,
                ..RealtimeConfig::default()
            },
            ..test_config()
        })
        .await;
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let c = ann.open("Flood", "x").await;
    let mut slow = Ws::connect(&s.url, Auth::Token(&ada.token().await)).await;
    slow.join(c, None).await;
    let mut healthy = Ws::connect(&s.url, Auth::Token(&ada.token().await)).await;
    healthy.join(c, None).await;
    // The slow socket stops reading; ~16 MB of messages are sent at it. The healthy one reads
    // each message before the next is sent, so however slowly this test is scheduled (the
    // whole suite shares two cores) it never falls behind: only the slow one can overflow.
    let body = "y".repeat(8000);
    const N: usize = 2000;
    for i in 0..N {
        let res = ann
            .post(
                "/api/support-chat/messages",
                json!({"conversationId": c, "content": body}),
            )
            .await;
        assert_eq!(res.status(), 201, "message {i}");
        healthy.next("message").await;
    }
    // The slow socket was cut off: what it reads now ends before all the messages.
    let mut got = 0;
    while let Some(f) = slow.recv().await {
        if f["type"] == "message" {
            got += 1;
        }
    }
    assert!(
        got < N,
        "the slow socket was disconnected (it got {got} of {N})"
    );
    // The server finishes its closing handshake, then forgets the socket.
    let mut open = Value::Null;
    for _ in 0..50 {
        let ready: Value = ann.get("/readyz").await.json().await.unwrap();
        open = ready["websockets"].clone();
        if open == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(open, 1, "only the healthy socket is left");
}

async fn sockets_close_when_access_ends(s: TestServer) {
    let mut ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    // Signing out closes that session's sockets at once.
    let cookie = ann.cookie_header().unwrap();
    let mut ws = Ws::connect(&s.url, Auth::Cookie(&cookie, &s.url)).await;
    let mut other = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    let t = Instant::now();
    assert_eq!(ann.post("/api/auth/logout", json!({})).await.status(), 204);
    assert_eq!(ws.closed_with().await, Some(1008));
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "closed within a second"
    );
    other.send(json!({"type": "ping"})).await;
    other.next("pong").await;
    // Revoking a token closes its sockets.
    ann.login("ann@example.com", "user-password").await;
    let res = ann.post("/api/auth/tokens", json!({"name": "t"})).await;
    let tok: Value = res.json().await.unwrap();
    let mut by_token = Ws::connect(&s.url, Auth::Token(tok["token"].as_str().unwrap())).await;
    let res = ann
        .delete(&format!("/api/auth/tokens/{}", tok["id"].as_str().unwrap()))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(by_token.closed_with().await, Some(1008));
    // Taking admin rights away closes that person's sockets.
    let bea = s.admin("bea@example.com").await;
    let mut bea_ws = Ws::connect(&s.url, Auth::Token(&bea.token().await)).await;
    let res = ada
        .put(
            &format!("/api/admin/users/{}", bea.id()),
            json!({"role": "user"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(bea_ws.closed_with().await, Some(1008));
    // Turning support chat off closes everyone's sockets.
    let mut ann_ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    let res = ada
        .put(
            "/api/admin/features/support_chat",
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let t = Instant::now();
    assert_eq!(ann_ws.closed_with().await, Some(1008));
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "closed within a second"
    );
    let (status, body) = refused(&s.url, Auth::Token(&ann.token().await), None).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "feature_disabled");
}

async fn typing_and_read_receipts_reach_the_room(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let c = ann.open("Typing", "x").await;
    let mut a = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    let mut b = Ws::connect(&s.url, Auth::Token(&ada.token().await)).await;
    a.join(c, None).await;
    b.join(c, None).await;
    b.send(json!({"type": "typing", "conversationId": c, "data": {"isTyping": true}}))
        .await;
    let t = a.next("typing").await;
    assert_eq!(t["data"]["userId"], ada.id());
    assert_eq!(t["data"]["isTyping"], true);
    b.silent("typing", Duration::from_millis(200)).await;
    let reply = b.say(c, "Looking into it", "r-1").await;
    a.next("message").await;
    a.send(json!({"type": "read_receipt", "conversationId": c, "data": {"messageId": reply["messageId"]}}))
        .await;
    let r = b.next("read_receipt").await;
    assert_eq!(r["data"]["userId"], ann.id());
    assert_eq!(r["data"]["messageId"], reply["messageId"]);
    let detail: Value = ada.detail(c).await;
    assert!(
        detail["messages"][1]["readAt"].is_string(),
        "stored as read"
    );
}

/// Two servers on one database sharing a private Redis.
async fn two_nodes(s: TestServer, redis: &RedisServer) -> (TestServer, TestServer) {
    let db = s.db_url.clone();
    s.stop().await;
    let a = TestServer::start_node(&db, test_config(), Some(&redis.url())).await;
    let b = TestServer::start_node(&db, test_config(), Some(&redis.url())).await;
    (a, b)
}

async fn two_nodes_share_messages_typing_and_presence_through_redis(s: TestServer) {
    let Some(redis) = RedisServer::start().await else {
        return;
    };
    let (a, b) = two_nodes(s, &redis).await;
    let ann = a.user("ann@example.com", "Ann").await;
    let ada = b.admin("ada@example.com").await;
    let c = ann.open("Across", "hello from A").await;
    let mut on_a = Ws::connect(&a.url, Auth::Token(&ann.token().await)).await;
    let mut on_b = Ws::connect(&b.url, Auth::Token(&ada.token().await)).await;
    on_a.join(c, None).await;
    on_b.join(c, None).await;
    // Presence is shared: an admin on A sees the admin connected to B; the user on A sees how
    // many admins are online, not who.
    let bea = a.admin("bea@example.com").await;
    let mut bea_on_a = Ws::connect(&a.url, Auth::Token(&bea.token().await)).await;
    loop {
        let p = bea_on_a.next("presence").await;
        if p["data"]["adminIds"] == json!([ada.id(), bea.id()]) {
            assert_eq!(p["data"]["adminsOnline"], 2);
            break;
        }
    }
    loop {
        let p = on_a.next("presence").await;
        assert!(p["data"].get("adminIds").is_none(), "{p}");
        if p["data"]["adminsOnline"] == 2 {
            break;
        }
    }
    let ack = on_a.say(c, "from node A", "a-1").await;
    let got = on_b.next("message").await;
    assert_eq!(got["data"]["id"], ack["messageId"]);
    on_b.send(json!({"type": "typing", "conversationId": c, "data": {"isTyping": true}}))
        .await;
    assert_eq!(on_a.next("typing").await["data"]["userId"], ada.id());
    let reply = on_b.say(c, "from node B", "b-1").await;
    assert_eq!(on_a.next("message").await["data"]["id"], reply["messageId"]);
    // REST on B reaches sockets on A.
    let res = ada
        .put(
            &format!("/api/support-chat/conversations/{c}"),
            json!({"priority": "high"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        on_a.next("conversation_updated").await["data"]["priority"],
        "high"
    );
    // Signing out on A closes that user's sockets on B.
    let mut ann_on_b =
        Ws::connect(&b.url, Auth::Cookie(&ann.cookie_header().unwrap(), &b.url)).await;
    let ann_cookie_socket_ok = {
        ann_on_b.send(json!({"type": "ping"})).await;
        ann_on_b.next("pong").await;
        true
    };
    assert!(ann_cookie_socket_ok);
    assert_eq!(ann.post("/api/auth/logout", json!({})).await.status(), 204);
    assert_eq!(ann_on_b.closed_with().await, Some(1008));
}

async fn a_redis_restart_loses_nothing(s: TestServer) {
    let Some(mut redis) = RedisServer::start().await else {
        return;
    };
    let (a, b) = two_nodes(s, &redis).await;
    let ann = a.user("ann@example.com", "Ann").await;
    let ada = b.admin("ada@example.com").await;
    let c = ann.open("Outage", "first").await;
    let ann_t = ann.token().await;
    let mut sender = Ws::connect(&a.url, Auth::Token(&ann_t)).await;
    let mut local = Ws::connect(&a.url, Auth::Token(&ann_t)).await;
    let mut remote = Ws::connect(&b.url, Auth::Token(&ada.token().await)).await;
    local.join(c, None).await;
    remote.join(c, None).await;
    sender.say(c, "before", "o-0").await;
    collect_until(&mut remote, c, 1, 2).await;
    collect_until(&mut local, c, 1, 2).await;
    redis.stop();
    // Redis is down: sends are still stored and acked, and this node's sockets get them.
    for i in 1..=5 {
        sender
            .say(c, &format!("during-{i}"), &format!("o-{i}"))
            .await;
    }
    collect_until(&mut local, c, 2, 7).await;
    redis.restart().await;
    // The other node catches up from the database once its subscription is back ...
    let caught_up = collect_until(&mut remote, c, 2, 7).await;
    assert_eq!(caught_up[0]["content"], "during-1");
    // ... and live delivery resumes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    sender.say(c, "after", "o-6").await;
    collect_until(&mut remote, c, 7, 8).await;
    remote.silent("message", Duration::from_millis(300)).await;
    let detail: Value = ada.detail(c).await;
    let contents: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        [
            "first", "before", "during-1", "during-2", "during-3", "during-4", "during-5", "after"
        ]
    );
}

async fn dead_sockets_are_dropped_and_presence_cleaned(s: TestServer) {
    let s = s
        .restart_with(ServerConfig {
            realtime: RealtimeConfig {
                ping_interval: Duration::from_millis(100),
                idle_timeout: Duration::from_millis(400),
                ..RealtimeConfig::default()
            },
            ..test_config()
        })
        .await;
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let c = ann.open("Presence", "x").await;
    let mut watcher = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    // A raw TCP peer that completes the handshake and then never answers anything.
    let token = ada.token().await;
    let addr = s.url.trim_start_matches("http://").to_owned();
    let mut dead = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let req = format!(
        "GET /api/support-chat/ws?token={token} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tokio::io::AsyncWriteExt::write_all(&mut dead, req.as_bytes())
        .await
        .unwrap();
    let join = json!({"type": "join_conversation", "conversationId": c}).to_string();
    tokio::io::AsyncWriteExt::write_all(&mut dead, &masked_text_frame(&join))
        .await
        .unwrap();
    loop {
        let p = watcher.next("presence").await;
        if p["data"]["adminsOnline"] == 1 {
            break;
        }
    }
    // Silence past the idle timeout: the server drops it and the admin is offline again.
    loop {
        let p = watcher.next("presence").await;
        if p["data"]["adminsOnline"] == 0 {
            break;
        }
    }
    let ready: Value = ann.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["websockets"], 1, "only the watcher is left");
    // The room forgot it: a message there reaches the live member only.
    watcher.join(c, None).await;
    ann.say(c, "still here").await;
    watcher.next("message").await;
    drop(dead);
}

/// A presence change goes out a slice of sockets at a time: every socket still hears it, and
/// in order (the admin coming online, then going offline).
async fn presence_reaches_every_socket_when_there_are_many(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let token = ann.token().await;
    const SOCKETS: usize = 150; // more than two slices
    let mut sockets = Vec::with_capacity(SOCKETS);
    for _ in 0..SOCKETS {
        let mut ws = Ws::connect(&s.url, Auth::Token(&token)).await;
        assert_eq!(ws.next("presence").await["data"]["adminsOnline"], 0);
        sockets.push(ws);
    }
    let admin_ws = Ws::connect(&s.url, Auth::Token(&ada.token().await)).await;
    for (i, ws) in sockets.iter_mut().enumerate() {
        let p = tokio::time::timeout(Duration::from_secs(10), ws.next("presence"))
            .await
            .unwrap_or_else(|_| panic!("socket {i} never heard that an admin came online"));
        assert_eq!(p["data"]["adminsOnline"], 1, "socket {i}");
        assert!(
            p["data"].get("adminIds").is_none(),
            "end users are not told who"
        );
    }
    drop(admin_ws);
    for (i, ws) in sockets.iter_mut().enumerate() {
        let p = tokio::time::timeout(Duration::from_secs(10), ws.next("presence"))
            .await
            .unwrap_or_else(|_| panic!("socket {i} never heard that the admin left"));
        assert_eq!(p["data"]["adminsOnline"], 0, "socket {i}");
    }
}

/// One client text frame (clients must mask).
fn masked_text_frame(text: &str) -> Vec<u8> {
    let payload = text.as_bytes();
    assert!(payload.len() < 126);
    let mask = [1u8, 2, 3, 4];
    let mut f = vec![0x81, 0x80 | payload.len() as u8];
    f.extend_from_slice(&mask);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    f
}

async fn shutdown_sends_close_frames(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let mut ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    ws.send(json!({"type": "ping"})).await;
    ws.next("pong").await;
    let stopping = tokio::spawn(s.stop());
    assert_eq!(ws.closed_with().await, Some(1001));
    stopping.await.unwrap();
}

async fn a_skipped_sequence_number_does_not_stall_delivery(s: TestServer) {
    let s = s
        .restart_with(ServerConfig {
            realtime: RealtimeConfig {
                gap_wait: Duration::from_millis(50),
                ..RealtimeConfig::default()
            },
            ..test_config()
        })
        .await;
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Holes", "one").await;
    let mut ws = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    ws.join(c, None).await;
    s.store
        .burn_sequence_number(support_chat_domain::ConversationId(c))
        .await
        .unwrap();
    ann.say(c, "after the hole").await;
    ann.say(c, "and another").await;
    let a = ws.next("message").await;
    assert_eq!(a["data"]["content"], "after the hole");
    assert_eq!(a["data"]["seq"], 3);
    let b = ws.next("message").await;
    assert_eq!(b["data"]["seq"], 4);
    // A rejoin from before the hole replays across it too.
    let first: Value = ann.detail(c).await;
    let mut again = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    let (replay, _) = again.join(c, first["messages"][0]["id"].as_i64()).await;
    assert_eq!(seqs(&replay), [3, 4]);
}

async fn a_demoted_assignee_hears_nothing_more(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let ada = s.admin("ada@example.com").await;
    let bea = s.admin("bea@example.com").await;
    let c = ann.open("Card", "x").await;
    let res = ada
        .put(
            &format!("/api/support-chat/conversations/{c}"),
            json!({"adminId": bea.id()}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // The first frame (presence) means the socket is registered: a message sent before that
    // would not reach it, whatever the role.
    let mut bea_ws = Ws::connect(&s.url, Auth::Token(&bea.token().await)).await;
    bea_ws.next("presence").await;
    ann.say(c, "first").await;
    assert_eq!(
        bea_ws.next("notification").await["data"]["preview"],
        "first"
    );
    let res = ada
        .put(
            &format!("/api/admin/users/{}", bea.id()),
            json!({"role": "user"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(bea_ws.closed_with().await, Some(1008));
    let mut bea_ws = Ws::connect(&s.url, Auth::Token(&bea.token().await)).await;
    bea_ws.next("presence").await;
    ann.say(c, "my card number is 4111").await;
    bea_ws
        .silent("notification", Duration::from_millis(400))
        .await;
}

async fn revocations_that_sent_no_event_are_caught_by_the_sweep(s: TestServer) {
    let s = s
        .restart_with(ServerConfig {
            realtime: RealtimeConfig {
                sweep_interval: Duration::from_millis(200),
                ..RealtimeConfig::default()
            },
            ..test_config()
        })
        .await;
    let ann = s.user("ann@example.com", "Ann").await;
    let cookie = ann.cookie_header().unwrap();
    let mut by_cookie = Ws::connect(&s.url, Auth::Cookie(&cookie, &s.url)).await;
    let mut by_token = Ws::connect(&s.url, Auth::Token(&ann.token().await)).await;
    s.store
        .revoke_everything_quietly(support_chat_domain::UserId(ann.id()))
        .await
        .unwrap();
    assert_eq!(by_cookie.closed_with().await, Some(1008));
    assert_eq!(by_token.closed_with().await, Some(1008));
}
