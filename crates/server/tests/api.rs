//! The REST API over real HTTP, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use common::{Client, TestServer, error_code, setup, test_config};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support_chat_server::ServerConfig;

support_chat_store::on_every_backend!(
    setup = setup;
    anonymous_requests_are_refused_with_401,
    the_session_endpoint_tells_a_signed_out_browser_without_an_error,
    cookie_writes_without_the_csrf_header_are_refused,
    bearer_tokens_work_without_csrf_and_can_be_revoked,
    users_are_refused_admin_routes,
    another_users_conversation_is_not_found_for_every_action,
    malformed_and_misshapen_bodies_are_explained,
    oversize_bodies_are_refused_with_413,
    the_same_client_message_id_twice_stores_one_message,
    unread_counts_and_read_state_follow_the_reader,
    logout_revokes_the_session_even_for_a_replayed_cookie,
    a_password_change_signs_other_sessions_out,
    registration_and_login_errors_are_clear,
    conversations_page_and_filter_for_their_owner,
    users_may_only_close_or_reopen_their_own_conversation,
    admins_triage_with_filters_stats_and_bulk_actions,
    admins_soft_delete_messages,
    the_feature_flag_gates_every_support_route,
    operations_endpoints_docs_and_the_web_app_are_served,
    sending_faster_than_the_limit_gets_429_with_retry_after,
    repeated_failed_logins_are_throttled,
    a_session_survives_a_server_restart,
    host_app_single_sign_on_creates_the_user_once,
    single_sign_on_is_off_without_a_secret,
    forwarded_for_is_trusted_only_when_configured,
);

async fn anonymous_requests_are_refused_with_401(s: TestServer) {
    let anon = s.client();
    for path in [
        "/api/auth/me",
        "/api/support-chat/conversations",
        "/api/support-chat/admin/stats",
        "/api/features",
    ] {
        let e = error_code(anon.get(path).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(e["code"], "unauthenticated", "{path}");
    }
    let e = error_code(
        anon.post(
            "/api/support-chat/messages",
            json!({"conversationId": 1, "content": "hi"}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(e["code"], "unauthenticated");
}

async fn the_session_endpoint_tells_a_signed_out_browser_without_an_error(s: TestServer) {
    let anonymous = Client::new(&s.url);
    let res = anonymous.get("/api/auth/session").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"user": null, "csrfToken": null, "features": {}})
    );

    let mut ann = s.user("ann@example.com", "Ann").await;
    let signed_in: Value = ann.get("/api/auth/session").await.json().await.unwrap();
    let me: Value = ann.get("/api/auth/me").await.json().await.unwrap();
    assert_eq!(signed_in, me, "signed in, it answers what /me answers");
    assert_eq!(signed_in["user"]["email"], "ann@example.com");
    assert_eq!(signed_in["features"]["support_chat"], true);

    let res = ann.post("/api/auth/logout", json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    ann.csrf = None;
    let after: Value = ann.get("/api/auth/session").await.json().await.unwrap();
    assert_eq!(
        after["user"],
        Value::Null,
        "a revoked session is signed out"
    );
}

async fn cookie_writes_without_the_csrf_header_are_refused(s: TestServer) {
    let mut ann = s.user("ann@example.com", "Ann").await;
    let token = ann.csrf.take();
    let e = error_code(
        ann.post(
            "/api/support-chat/conversations",
            json!({"subject": "x", "initialMessage": "y"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(e["code"], "csrf_failed");
    ann.csrf = Some("wrong".into());
    let e = error_code(
        ann.post("/api/auth/logout", json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(e["code"], "csrf_failed");
    // Reads need no token; the token from /me works.
    let me: Value = ann.get("/api/auth/me").await.json().await.unwrap();
    assert_eq!(me["csrfToken"].as_str(), token.as_deref());
    ann.csrf = token;
    ann.open("Works", "with the token").await;
}

async fn bearer_tokens_work_without_csrf_and_can_be_revoked(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let res = ann.post("/api/auth/tokens", json!({"name": "ci"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("sct_"));
    let mut bot = Client::new(&s.url);
    bot.bearer = Some(secret.clone());
    let c = bot.open("From a script", "no CSRF header needed").await;
    let list: Value = ann.get("/api/auth/tokens").await.json().await.unwrap();
    assert_eq!(list["tokens"].as_array().unwrap().len(), 1);
    assert!(
        list.to_string().find(&secret).is_none(),
        "the secret is never listed"
    );
    let detail = bot
        .get(&format!("/api/support-chat/conversations/{c}"))
        .await;
    assert_eq!(detail.status(), StatusCode::OK);
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        ann.delete(&format!("/api/auth/tokens/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    error_code(bot.get("/api/auth/me").await, StatusCode::UNAUTHORIZED).await;
}

async fn users_are_refused_admin_routes(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    for path in [
        "/api/support-chat/admin/conversations",
        "/api/support-chat/admin/stats",
        "/api/admin/features",
    ] {
        let e = error_code(ann.get(path).await, StatusCode::FORBIDDEN).await;
        assert_eq!(e["code"], "forbidden", "{path}");
    }
    let e = error_code(
        ann.post(
            "/api/support-chat/admin/conversations/bulk",
            json!({"ids": [1], "action": "close"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(e["code"], "forbidden");
    let e = error_code(
        ann.put(
            "/api/admin/features/support_chat",
            json!({"enabled": false}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(e["code"], "forbidden");
    let c = ann.open("Mine", "hello").await;
    let m = ann.say(c, "again").await;
    let e = error_code(
        ann.delete(&format!("/api/support-chat/messages/{}", m["id"]))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(e["code"], "forbidden");
}

async fn another_users_conversation_is_not_found_for_every_action(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let eve = s.user("eve@example.com", "Eve").await;
    let c = ann.open("Private", "my secret").await;
    let m = ann.say(c, "more secrets").await;
    let mid = m["id"].as_i64().unwrap();
    let not_found = [
        eve.get(&format!("/api/support-chat/conversations/{c}"))
            .await,
        eve.post(
            "/api/support-chat/messages",
            json!({"conversationId": c, "content": "let me in"}),
        )
        .await,
        eve.put(&format!("/api/support-chat/messages/{mid}"), json!({}))
            .await,
        eve.put(
            &format!("/api/support-chat/conversations/{c}"),
            json!({"status": "closed"}),
        )
        .await,
        eve.delete(&format!("/api/support-chat/conversations/{c}"))
            .await,
        eve.get("/api/support-chat/conversations/999999").await,
    ];
    for res in not_found {
        let e = error_code(res, StatusCode::NOT_FOUND).await;
        assert_eq!(e["code"], "not_found");
    }
    let list: Value = eve
        .get("/api/support-chat/conversations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["pagination"]["total"], 0);
    // Nothing Eve tried changed Ann's conversation.
    let detail: Value = ann.detail(c).await;
    assert_eq!(detail["conversation"]["status"], "open");
    assert_eq!(detail["messages"].as_array().unwrap().len(), 2);
}

async fn malformed_and_misshapen_bodies_are_explained(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let res = ann
        .req(Method::POST, "/api/support-chat/conversations")
        .header("content-type", "application/json")
        .body("{\"subject\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::BAD_REQUEST).await["code"],
        "invalid_json"
    );
    let res = ann
        .req(Method::POST, "/api/support-chat/conversations")
        .body("subject=x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await["code"],
        "unsupported_media_type"
    );
    let cases = [
        (json!({"subject": "x"}), "initialMessage"),
        (json!({"subject": 5, "initialMessage": "x"}), "subject"),
        (json!({"subject": "   ", "initialMessage": "x"}), "subject"),
        (
            json!({"subject": "x".repeat(256), "initialMessage": "x"}),
            "subject",
        ),
        (
            json!({"subject": "x", "initialMessage": "y".repeat(10_001)}),
            "initialMessage",
        ),
        (
            json!({"subject": "x", "initialMessage": "y", "priority": "asap"}),
            "priority",
        ),
        (
            json!({"subject": "x", "initialMessage": "y", "clientMessageId": "nope"}),
            "clientMessageId",
        ),
    ];
    for (body, field) in cases {
        let e = error_code(
            ann.post("/api/support-chat/conversations", body.clone())
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(e["code"], "validation_failed", "{body}");
        assert!(
            e["fields"][field].is_string(),
            "{field} named for {body}: {e}"
        );
    }
    let e = error_code(
        ann.get("/api/support-chat/conversations?pageSize=1000")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["fields"]["pageSize"].is_string());
    let e = error_code(
        ann.get("/api/support-chat/conversations?page=abc").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["fields"]["page"].is_string(), "{e}");
    let c = ann.open("Real", "one").await;
    let e = error_code(
        ann.post(
            "/api/support-chat/messages",
            json!({"conversationId": c, "content": ""}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["fields"]["content"].is_string());
    let list: Value = ann
        .get("/api/support-chat/conversations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["pagination"]["total"], 1,
        "nothing half-written by the refused requests"
    );
}

async fn oversize_bodies_are_refused_with_413(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Big", "x").await;
    let huge = "z".repeat(200_000);
    let res = ann
        .post(
            "/api/support-chat/messages",
            json!({"conversationId": c, "content": huge}),
        )
        .await;
    assert_eq!(
        error_code(res, StatusCode::PAYLOAD_TOO_LARGE).await["code"],
        "payload_too_large"
    );
}

async fn the_same_client_message_id_twice_stores_one_message(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Retry", "first").await;
    let body = json!({"conversationId": c, "content": "sent twice", "clientMessageId": "0b6c3f0e-3b1a-4c52-9f5e-6d1f2a3b4c5d"});
    let first = ann.post("/api/support-chat/messages", body.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = ann.post("/api/support-chat/messages", body).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "a repeat is not a new message"
    );
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    let detail: Value = ann.detail(c).await;
    let copies = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["content"] == "sent twice")
        .count();
    assert_eq!(copies, 1);
    // Opening a conversation is idempotent the same way.
    let open = json!({"subject": "Once", "initialMessage": "hi", "clientMessageId": "7d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"});
    let first = ann
        .post("/api/support-chat/conversations", open.clone())
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = ann.post("/api/support-chat/conversations", open).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["conversation"]["id"], again["conversation"]["id"]);
    let list: Value = ann
        .get("/api/support-chat/conversations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["pagination"]["total"], 2);
}

async fn unread_counts_and_read_state_follow_the_reader(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let admin = s.admin("root@example.com").await;
    let c = ann.open("Where is my order?", "It has not arrived").await;
    let queue: Value = admin
        .get("/api/support-chat/admin/conversations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        queue["conversations"][0]["unreadCount"], 1,
        "the admin has not read it"
    );
    let r1 = admin.say(c, "Let me check").await;
    let r2 = admin.say(c, "It ships tomorrow").await;
    assert_eq!(r2["senderName"], "Ada Admin");
    assert_eq!(r2["senderType"], "admin");
    let list: Value = ann
        .get("/api/support-chat/conversations")
        .await
        .json()
        .await
        .unwrap();
    let row = &list["conversations"][0];
    assert_eq!(row["unreadCount"], 2);
    assert_eq!(row["lastMessage"], "It ships tomorrow");
    assert_eq!(row["admin"], Value::Null, "replying does not assign");
    let res = ann
        .put(
            &format!("/api/support-chat/messages/{}", r1["id"]),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let read: Value = res.json().await.unwrap();
    assert_eq!(read["unreadCount"], 1);
    let read: Value = ann
        .put(
            &format!("/api/support-chat/messages/{}", r2["id"]),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["unreadCount"], 0);
    assert_eq!(read["lastReadMessageId"], r2["id"]);
    // The admin sees their messages read.
    let detail: Value = admin.detail(c).await;
    let msgs = detail["messages"].as_array().unwrap();
    assert!(
        msgs[1]["readAt"].is_string() && msgs[2]["readAt"].is_string(),
        "{detail}"
    );
    // Paging: the newest page by default, older ones with beforeId.
    let page: Value = ann
        .get(&format!("/api/support-chat/conversations/{c}?limit=2"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["hasMore"], true);
    let ids: Vec<i64> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        [r1["id"].as_i64().unwrap(), r2["id"].as_i64().unwrap()]
    );
    let older: Value = ann
        .get(&format!(
            "/api/support-chat/conversations/{c}?limit=2&beforeId={}",
            ids[0]
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(older["messages"][0]["content"], "It has not arrived");
    assert_eq!(older["hasMore"], false);
}

async fn logout_revokes_the_session_even_for_a_replayed_cookie(s: TestServer) {
    let _ann = s.user("ann@example.com", "Ann").await;
    // Sign in by hand to keep the raw cookie, as an attacker who copied it would.
    let raw = reqwest::Client::new()
        .post(format!("{}/api/auth/login", s.url))
        .json(&json!({"email": "ann@example.com", "password": "user-password"}))
        .send()
        .await
        .unwrap();
    let set_cookie = raw.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let csrf = raw.json::<Value>().await.unwrap()["csrfToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let replay = |cookie: String| {
        let url = format!("{}/api/auth/me", s.url);
        async move {
            reqwest::Client::new()
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(replay(cookie.clone()).await.status(), StatusCode::OK);
    let mut other = Client::new(&s.url);
    other.login("ann@example.com", "user-password").await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/auth/logout", s.url))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    error_code(replay(cookie).await, StatusCode::UNAUTHORIZED).await;
    // Other sessions of the same person are untouched by this logout.
    assert_eq!(other.get("/api/auth/me").await.status(), StatusCode::OK);
    let sessions: Value = other.get("/api/auth/sessions").await.json().await.unwrap();
    assert_eq!(
        sessions["sessions"].as_array().unwrap().len(),
        2,
        "register + other remain"
    );
}

async fn a_password_change_signs_other_sessions_out(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let mut elsewhere = Client::new(&s.url);
    elsewhere.login("ann@example.com", "user-password").await;
    let e = error_code(
        ann.put(
            "/api/auth/password",
            json!({"currentPassword": "wrong-one", "newPassword": "another-password"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["fields"]["currentPassword"].is_string());
    let res = ann
        .put(
            "/api/auth/password",
            json!({"currentPassword": "user-password", "newPassword": "another-password"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        ann.get("/api/auth/me").await.status(),
        StatusCode::OK,
        "this session stays"
    );
    error_code(
        elsewhere.get("/api/auth/me").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let mut again = Client::new(&s.url);
    again.login("ann@example.com", "another-password").await;
}

async fn registration_and_login_errors_are_clear(s: TestServer) {
    let _ann = s.user("ann@example.com", "Ann").await;
    let mut c = s.client();
    let e = error_code(
        c.register("ANN@example.com", "user-password", "Ann 2")
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(e["fields"]["email"].is_string(), "{e}");
    let e = error_code(
        c.register("not-an-email", "short", "").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    for field in ["email", "password", "name"] {
        assert!(e["fields"][field].is_string(), "{field}: {e}");
    }
    let res = c
        .post(
            "/api/auth/login",
            json!({"email": "ann@example.com", "password": "wrong-password"}),
        )
        .await;
    let e = error_code(res, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e["message"], "Email or password is incorrect.");
    let res = c
        .post(
            "/api/auth/login",
            json!({"email": "nobody@example.com", "password": "wrong-password"}),
        )
        .await;
    assert_eq!(
        error_code(res, StatusCode::UNAUTHORIZED).await["message"],
        "Email or password is incorrect."
    );
    // Emails are case-insensitive at sign-in.
    c.login("Ann@Example.com", "user-password").await;
}

async fn conversations_page_and_filter_for_their_owner(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    for i in 0..23 {
        ann.open(&format!("Question {i}"), "details").await;
    }
    let p1: Value = ann
        .get("/api/support-chat/conversations?pageSize=10")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        p1["pagination"],
        json!({"page": 1, "pageSize": 10, "total": 23, "hasMore": true})
    );
    assert_eq!(p1["conversations"][0]["subject"], "Question 22");
    assert_eq!(
        p1["conversations"][0]["unreadCount"], 0,
        "your own messages are read"
    );
    let p3: Value = ann
        .get("/api/support-chat/conversations?pageSize=10&page=3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p3["conversations"].as_array().unwrap().len(), 3);
    assert_eq!(p3["pagination"]["hasMore"], false);
    let id = p3["conversations"][0]["id"].as_i64().unwrap();
    assert_eq!(
        ann.delete(&format!("/api/support-chat/conversations/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    let closed: Value = ann
        .get("/api/support-chat/conversations?status=closed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["pagination"]["total"], 1);
    assert_eq!(closed["conversations"][0]["status"], "closed");
}

async fn users_may_only_close_or_reopen_their_own_conversation(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Mine", "x").await;
    let path = format!("/api/support-chat/conversations/{c}");
    for body in [
        json!({"priority": "urgent"}),
        json!({"status": "in_progress"}),
        json!({"adminId": 1}),
        json!({"subject": "New"}),
    ] {
        let e = error_code(ann.put(&path, body.clone()).await, StatusCode::FORBIDDEN).await;
        assert_eq!(e["code"], "forbidden", "{body}");
    }
    let closed: Value = ann
        .put(&path, json!({"status": "closed"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["status"], "closed");
    assert!(closed["closedAt"].is_string());
    let open: Value = ann
        .put(&path, json!({"status": "open"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open["status"], "open");
    assert_eq!(open["closedAt"], Value::Null);
}

async fn admins_triage_with_filters_stats_and_bulk_actions(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let bob = s.user("bob@example.com", "Bob").await;
    let admin = s.admin("root@example.com").await;
    let a = ann.open("Refund please", "I was charged twice").await;
    let b = bob.open("App crashes", "on start").await;
    let c = bob.open("Dark mode?", "would be nice").await;
    let path = format!("/api/support-chat/conversations/{b}");
    let updated: Value = admin
        .put(
            &path,
            json!({"priority": "urgent", "status": "in_progress", "adminId": admin.id()}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated["priority"], "urgent");
    assert_eq!(updated["admin"]["name"], "Ada Admin");
    let e = error_code(
        admin.put(&path, json!({"adminId": ann.id()})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(e["fields"]["adminId"].is_string());
    let ids = |v: &Value| {
        v["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let q = |query: &str| {
        let admin = &admin;
        let url = format!("/api/support-chat/admin/conversations?{query}");
        async move { admin.get(&url).await.json::<Value>().await.unwrap() }
    };
    assert_eq!(ids(&q("").await), [c, b, a]);
    assert_eq!(ids(&q("sort=priority").await)[0], b);
    assert_eq!(ids(&q("unassigned=true").await), [c, a]);
    assert_eq!(ids(&q(&format!("adminId={}", admin.id())).await), [b]);
    assert_eq!(ids(&q("status=in_progress").await), [b]);
    assert_eq!(ids(&q("q=CRASH").await), [b]);
    assert_eq!(
        ids(&q("q=charged").await),
        [a],
        "last message is searched too"
    );
    let e = error_code(
        admin
            .get("/api/support-chat/admin/conversations?sort=sideways")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["fields"]["sort"].is_string());
    admin.say(a, "Refund issued").await;
    let stats: Value = admin
        .get("/api/support-chat/admin/stats")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["total"], 3);
    assert_eq!(stats["byStatus"]["open"], 2);
    assert_eq!(stats["byStatus"]["in_progress"], 1);
    assert_eq!(stats["unassigned"], 2);
    assert_eq!(stats["urgentOpen"], 1);
    assert_eq!(stats["messagesToday"], 4);
    assert!(stats["avgFirstResponseMs"].is_number() && stats["medianFirstResponseMs"].is_number());
    let bulk = |body: Value| {
        let admin = &admin;
        async move {
            admin
                .post("/api/support-chat/admin/conversations/bulk", body)
                .await
        }
    };
    let r: Value = bulk(json!({"ids": [a, c, 99999], "action": "assign", "adminId": admin.id()}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["updated"], 2);
    let r: Value = bulk(json!({"ids": [a, c], "action": "tag", "tags": ["Billing"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["updated"], 2);
    assert_eq!(
        ids(&q("tag=billing").await),
        [a, c],
        "the reply made `a` the most recent"
    );
    let r: Value = bulk(json!({"ids": [a, c], "action": "close"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["updated"], 2);
    assert_eq!(ids(&q("status=closed").await), [a, c]);
    let r: Value = bulk(json!({"ids": [c], "action": "archive"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["updated"], 1);
    assert_eq!(ids(&q("").await), [a, b]);
    assert_eq!(ids(&q("archived=true").await), [c]);
    let e = error_code(
        bulk(json!({"ids": [a, c], "action": "assign", "adminId": ann.id()})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        e["fields"]["adminId"].is_string(),
        "only admins can be assigned"
    );
    let e = error_code(
        bulk(json!({"ids": [], "action": "close"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["fields"]["ids"].is_string());
    let e = error_code(
        bulk(json!({"ids": [a], "action": "explode"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["fields"]["action"].is_string());
    let admins: Value = admin
        .get("/api/support-chat/admin/admins")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admins["admins"][0]["name"], "Ada Admin");
    // A user sees the assignment on their side.
    let mine: Value = bob
        .get("/api/support-chat/conversations")
        .await
        .json()
        .await
        .unwrap();
    let crash = mine["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == b)
        .unwrap()
        .clone();
    assert_eq!(crash["admin"]["name"], "Ada Admin");
    let detail: Value = bob.detail(b).await;
    assert_eq!(detail["conversation"]["admin"]["name"], "Ada Admin");
    assert_eq!(
        detail["conversation"]["admin"].get("email"),
        None,
        "staff emails stay private"
    );
}

async fn admins_soft_delete_messages(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let admin = s.admin("root@example.com").await;
    let c = ann.open("Oops", "my password is hunter2").await;
    let detail: Value = ann.detail(c).await;
    let mid = detail["messages"][0]["id"].as_i64().unwrap();
    let deleted: Value = admin
        .delete(&format!("/api/support-chat/messages/{mid}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deleted["content"], "[message deleted]");
    assert!(deleted["deletedAt"].is_string());
    let detail: Value = ann.detail(c).await;
    let lists = [
        ann.get("/api/support-chat/conversations")
            .await
            .text()
            .await
            .unwrap(),
        admin
            .get("/api/support-chat/admin/conversations?q=hunter2")
            .await
            .text()
            .await
            .unwrap(),
    ];
    assert!(
        lists[0].contains("[message deleted]") && !lists[0].contains("hunter2"),
        "{}",
        lists[0]
    );
    assert!(
        lists[1].contains("\"total\":0"),
        "the deleted text is not searchable: {}",
        lists[1]
    );
    assert!(
        !detail.to_string().contains("hunter2"),
        "the content is gone for everyone"
    );
    error_code(
        admin.delete("/api/support-chat/messages/999999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn the_feature_flag_gates_every_support_route(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let admin = s.admin("root@example.com").await;
    let c = ann.open("Before", "the switch").await;
    let flags: Value = admin.get("/api/admin/features").await.json().await.unwrap();
    assert!(
        flags["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "support_chat" && f["enabled"] == true)
    );
    let off: Value = admin
        .put(
            "/api/admin/features/support_chat",
            json!({"enabled": false}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(off["enabled"], false);
    for res in [
        ann.get("/api/support-chat/conversations").await,
        ann.get(&format!("/api/support-chat/conversations/{c}"))
            .await,
        ann.post(
            "/api/support-chat/messages",
            json!({"conversationId": c, "content": "x"}),
        )
        .await,
        admin.get("/api/support-chat/admin/stats").await,
    ] {
        assert_eq!(
            error_code(res, StatusCode::FORBIDDEN).await["code"],
            "feature_disabled"
        );
    }
    let me: Value = ann.get("/api/auth/me").await.json().await.unwrap();
    assert_eq!(me["features"]["support_chat"], false);
    // Admins only, then everyone again.
    admin
        .put(
            "/api/admin/features/support_chat",
            json!({"enabled": true, "roles": ["admin"]}),
        )
        .await;
    assert_eq!(
        admin.get("/api/support-chat/admin/stats").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        ann.get("/api/support-chat/conversations").await.status(),
        StatusCode::FORBIDDEN
    );
    let on: Value = admin
        .put(
            "/api/admin/features/support_chat",
            json!({"enabled": true, "roles": null}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(on["roles"], Value::Null);
    assert_eq!(
        ann.get("/api/support-chat/conversations").await.status(),
        StatusCode::OK
    );
    let e = error_code(
        admin
            .put(
                "/api/admin/features/support_chat",
                json!({"enabled": true, "rolloutPercent": 101}),
            )
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(e["fields"]["rolloutPercent"].is_string());
    error_code(
        admin
            .put("/api/admin/features/nope", json!({"enabled": true}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn operations_endpoints_docs_and_the_web_app_are_served(s: TestServer) {
    let c = s.client();
    assert_eq!(c.get("/healthz").await.status(), StatusCode::OK);
    let ready: Value = c.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["database"], "ok");
    let doc: Value = c.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let docs = c.get("/api/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(
        docs.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("swagger")
    );
    let page = c.get("/support/42").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("support-chat"));
    assert_eq!(
        error_code(c.get("/api/nope").await, StatusCode::NOT_FOUND).await["code"],
        "not_found"
    );
    c.get("/api/auth/me").await; // one more request for the metrics
    let metrics = c.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/api/auth/me\""));
    assert!(metrics.contains("db_pool_connections"));
}

// ---- stories that restart the server with other settings ---------------------------------------

/// Restarts the test server on the same database with other settings.
async fn with_config(s: TestServer, config: ServerConfig) -> TestServer {
    let url = s.db_url.clone();
    s.stop().await;
    TestServer::start_on(&url, config).await
}

async fn sending_faster_than_the_limit_gets_429_with_retry_after(s: TestServer) {
    let s = with_config(
        s,
        ServerConfig {
            message_rate_per_minute: 6,
            message_burst: 3,
            ..test_config()
        },
    )
    .await;
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Spam", "1").await; // the opening message counts
    ann.say(c, "2").await;
    let third = json!({"conversationId": c, "content": "3", "clientMessageId": "11111111-2222-4333-8444-555555555555"});
    assert_eq!(
        ann.post("/api/support-chat/messages", third.clone())
            .await
            .status(),
        StatusCode::CREATED
    );
    let res = ann
        .post(
            "/api/support-chat/messages",
            json!({"conversationId": c, "content": "4"}),
        )
        .await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "retry after {retry}s");
    assert_eq!(
        error_code(res, StatusCode::TOO_MANY_REQUESTS).await["code"],
        "rate_limited"
    );
    // A retry of a message that was stored is answered, not limited.
    let retried = ann.post("/api/support-chat/messages", third).await;
    assert_eq!(retried.status(), StatusCode::OK);
    let detail: Value = ann.detail(c).await;
    assert_eq!(
        detail["messages"].as_array().unwrap().len(),
        3,
        "the limited message was not stored"
    );
    // Another user is not affected.
    let bob = s.user("bob@example.com", "Bob").await;
    bob.open("Fine", "here").await;
}

async fn repeated_failed_logins_are_throttled(s: TestServer) {
    let s = with_config(
        s,
        ServerConfig {
            login_attempts_per_minute: 3,
            ..test_config()
        },
    )
    .await;
    let _ann = s.user("ann@example.com", "Ann").await;
    let c = s.client();
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            c.post(
                "/api/auth/login",
                json!({"email": "ann@example.com", "password": "guess-guess"}),
            )
            .await
            .status(),
        );
    }
    assert_eq!(
        statuses[..2],
        [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED]
    );
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS);
}

async fn a_session_survives_a_server_restart(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let c = ann.open("Persistent", "still here?").await;
    let s2 = with_config(s, test_config()).await;
    let ann2 = Client {
        base: s2.url.clone(),
        ..ann
    };
    let me = ann2.get("/api/auth/me").await;
    assert_eq!(me.status(), StatusCode::OK);
    let detail = ann2
        .get(&format!("/api/support-chat/conversations/{c}"))
        .await;
    assert_eq!(detail.status(), StatusCode::OK);
    ann2.say(c, "yes").await;
}

async fn host_app_single_sign_on_creates_the_user_once(s: TestServer) {
    let secret = "a-very-long-shared-secret-for-tests-0123456789";
    let s = with_config(
        s,
        ServerConfig {
            sso_secret: Some(secret.into()),
            ..test_config()
        },
    )
    .await;
    let sign = |sub: &str, exp_offset: i64, key: &str| {
        let exp = time::OffsetDateTime::now_utc().unix_timestamp() + exp_offset;
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &json!({"sub": sub, "email": "host-user@example.com", "name": "Host User", "exp": exp}),
            &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
        )
        .unwrap()
    };
    let mut c = s.client();
    let res = c
        .post("/api/auth/sso", json!({"token": sign("u-42", 300, secret)}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["externalId"], "u-42");
    c.csrf = body["csrfToken"].as_str().map(str::to_owned);
    c.open("From the host app", "hello").await;
    let again: Value = s
        .client()
        .post("/api/auth/sso", json!({"token": sign("u-42", 300, secret)}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["user"]["id"], body["user"]["id"],
        "linked by external id"
    );
    for bad in [
        sign("u-42", -600, secret),
        sign("u-42", 300, "some-other-secret-that-is-long-enough!!"),
        "garbage".into(),
    ] {
        let e = error_code(
            s.client()
                .post("/api/auth/sso", json!({"token": bad}))
                .await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_eq!(e["code"], "unauthenticated");
    }
    // A local account is never taken over through a matching email, and the refusal does not
    // leak database text.
    let _local = s.user("local@example.com", "Local").await;
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 300;
    let claim = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": "u-99", "email": "local@example.com", "name": "Impostor", "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    let e = error_code(
        s.client()
            .post("/api/auth/sso", json!({"token": claim}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let msg = e["message"].as_str().unwrap().to_lowercase();
    assert!(!msg.contains("unique") && !msg.contains("users."), "{msg}");
}

async fn single_sign_on_is_off_without_a_secret(s: TestServer) {
    let res = s
        .client()
        .post("/api/auth/sso", json!({"token": "x"}))
        .await;
    assert_eq!(
        error_code(res, StatusCode::NOT_FOUND).await["code"],
        "not_found"
    );
}

async fn forwarded_for_is_trusted_only_when_configured(s: TestServer) {
    // Registrations are limited per client address: 4 a minute with this setting.
    let register = |s: &TestServer, i: usize| {
        let url = format!("{}/api/auth/register", s.url);
        async move {
            reqwest::Client::new()
                .post(url)
                .header("x-forwarded-for", format!("203.0.113.{i}"))
                .json(&json!({"email": format!("u{i}@example.com"), "password": "user-password", "name": "U"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let cfg = ServerConfig {
        login_attempts_per_minute: 1,
        ..test_config()
    };
    let s = with_config(s, cfg.clone()).await;
    let mut spoofed = Vec::new();
    for i in 0..5 {
        spoofed.push(register(&s, i).await);
    }
    assert_eq!(
        spoofed[4],
        StatusCode::TOO_MANY_REQUESTS,
        "a forged header buys nothing: {spoofed:?}"
    );
    let s = with_config(
        s,
        ServerConfig {
            trust_forwarded_for: true,
            ..cfg
        },
    )
    .await;
    for i in 10..15 {
        assert_eq!(
            register(&s, i).await,
            StatusCode::CREATED,
            "behind a trusted proxy each client counts alone"
        );
    }
}
