//! Notification preferences over real HTTP, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod common;

use common::{Client, TestServer, error_code, setup};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PATH: &str = "/api/support-chat/notification-preferences";

support_chat_store::on_every_backend!(
    setup = setup;
    someone_who_never_saved_gets_the_defaults,
    saved_preferences_are_read_back_by_every_session,
    a_partial_update_keeps_the_other_settings,
    people_only_ever_read_and_change_their_own_preferences,
    bad_bodies_are_refused_naming_the_field_and_change_nothing,
    signed_out_requests_are_refused_with_401,
    cookie_writes_need_the_csrf_token_but_bearer_tokens_do_not,
    the_support_chat_flag_gates_the_preferences,
);

async fn prefs(c: &Client) -> Value {
    let res = c.get(PATH).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

async fn save(c: &Client, body: Value) -> Value {
    let res = c.put(PATH, body).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

async fn someone_who_never_saved_gets_the_defaults(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    assert_eq!(
        prefs(&ann).await,
        json!({"browser": true, "sound": true, "emailUrgent": false})
    );
    let admin = s.admin("root@example.com").await;
    assert_eq!(
        prefs(&admin).await,
        json!({"browser": true, "sound": true, "emailUrgent": false})
    );
}

async fn saved_preferences_are_read_back_by_every_session(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let saved = save(
        &ann,
        json!({"browser": false, "sound": false, "emailUrgent": true}),
    )
    .await;
    assert_eq!(
        saved,
        json!({"browser": false, "sound": false, "emailUrgent": true})
    );
    assert_eq!(prefs(&ann).await, saved);
    // Another browser signing in to the same account sees the same settings.
    let mut laptop = s.client();
    laptop.login("ann@example.com", "user-password").await;
    assert_eq!(prefs(&laptop).await, saved);
    // Saving again overwrites.
    let again = save(&laptop, json!({"browser": true})).await;
    assert_eq!(
        again,
        json!({"browser": true, "sound": false, "emailUrgent": true})
    );
    assert_eq!(prefs(&ann).await, again);
}

async fn a_partial_update_keeps_the_other_settings(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    // The first save starts from the defaults.
    assert_eq!(
        save(&ann, json!({"sound": false})).await,
        json!({"browser": true, "sound": false, "emailUrgent": false})
    );
    assert_eq!(
        save(&ann, json!({"emailUrgent": true})).await,
        json!({"browser": true, "sound": false, "emailUrgent": true})
    );
    // An empty body changes nothing and answers the current settings.
    assert_eq!(
        save(&ann, json!({})).await,
        json!({"browser": true, "sound": false, "emailUrgent": true})
    );
    assert_eq!(
        prefs(&ann).await,
        json!({"browser": true, "sound": false, "emailUrgent": true})
    );
}

async fn people_only_ever_read_and_change_their_own_preferences(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let bob = s.user("bob@example.com", "Bob").await;
    let admin = s.admin("root@example.com").await;
    save(&ann, json!({"browser": false, "sound": false})).await;
    // Bob and the admin still have the defaults; their saves touch only their own.
    assert_eq!(
        prefs(&bob).await,
        json!({"browser": true, "sound": true, "emailUrgent": false})
    );
    save(&bob, json!({"emailUrgent": true})).await;
    save(&admin, json!({"sound": false, "emailUrgent": true})).await;
    assert_eq!(
        prefs(&ann).await,
        json!({"browser": false, "sound": false, "emailUrgent": false})
    );
    assert_eq!(
        prefs(&bob).await,
        json!({"browser": true, "sound": true, "emailUrgent": true})
    );
    assert_eq!(
        prefs(&admin).await,
        json!({"browser": true, "sound": false, "emailUrgent": true})
    );
    // Nobody can name whose preferences to change: the caller is always the signed-in person.
    let e = error_code(
        bob.put(PATH, json!({"userId": ann.id(), "browser": true}))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(e["code"], "validation_failed");
    assert!(e["fields"]["userId"].is_string(), "{e}");
    // A query parameter naming someone else is not obeyed: Bob still reads his own.
    let res = bob.get(&format!("{PATH}?userId={}", ann.id())).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"browser": true, "sound": true, "emailUrgent": true})
    );
    assert_eq!(
        prefs(&ann).await,
        json!({"browser": false, "sound": false, "emailUrgent": false})
    );
}

async fn bad_bodies_are_refused_naming_the_field_and_change_nothing(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    save(&ann, json!({"sound": false})).await;
    for (body, field) in [
        (json!({"sound": "yes"}), "sound"),
        (json!({"browser": 1}), "browser"),
        (json!({"emailUrgent": "true"}), "emailUrgent"),
        (json!({"browser": null}), "browser"),
        (json!({"sound": true, "volume": 3}), "volume"),
        (json!({"email_urgent": true}), "email_urgent"),
        (json!("all off"), "body"),
    ] {
        let res = ann.put(PATH, body.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let e = error_code(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(e["code"], "validation_failed", "{body}");
        assert!(
            e["fields"][field].as_str().is_some_and(|m| !m.is_empty()),
            "{body} names {field}: {e}"
        );
        assert!(
            e["message"].as_str().unwrap().contains(field),
            "the message names {field}: {e}"
        );
    }
    let res = ann
        .req(Method::PUT, PATH)
        .header("content-type", "application/json")
        .body("{\"sound\": tru")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::BAD_REQUEST).await["code"],
        "invalid_json"
    );
    let res = ann
        .req(Method::PUT, PATH)
        .body("sound=true")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await["code"],
        "unsupported_media_type"
    );
    // Nothing was half-applied: the good field beside the unknown one was not saved either.
    assert_eq!(
        prefs(&ann).await,
        json!({"browser": true, "sound": false, "emailUrgent": false})
    );
}

async fn signed_out_requests_are_refused_with_401(s: TestServer) {
    let anon = s.client();
    let e = error_code(anon.get(PATH).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e["code"], "unauthenticated");
    let e = error_code(
        anon.put(PATH, json!({"sound": false})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(e["code"], "unauthenticated");
    // After signing out, the old cookie no longer reads or writes them.
    let ann = s.user("ann@example.com", "Ann").await;
    assert_eq!(
        ann.post("/api/auth/logout", json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    let e = error_code(ann.get(PATH).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e["code"], "unauthenticated");
}

async fn cookie_writes_need_the_csrf_token_but_bearer_tokens_do_not(s: TestServer) {
    let mut ann = s.user("ann@example.com", "Ann").await;
    let csrf = ann.csrf.take();
    // Reading needs no token.
    assert_eq!(
        prefs(&ann).await,
        json!({"browser": true, "sound": true, "emailUrgent": false})
    );
    let e = error_code(
        ann.put(PATH, json!({"browser": false})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(e["code"], "csrf_failed");
    ann.csrf = Some("not-the-token".into());
    let e = error_code(
        ann.put(PATH, json!({"browser": false})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(e["code"], "csrf_failed");
    assert_eq!(
        prefs(&ann).await,
        json!({"browser": true, "sound": true, "emailUrgent": false}),
        "a refused write saved nothing"
    );
    ann.csrf = csrf;
    let token = ann.token().await;
    let mut script = Client::new(&s.url);
    script.bearer = Some(token);
    assert_eq!(
        save(&script, json!({"browser": false})).await,
        json!({"browser": false, "sound": true, "emailUrgent": false})
    );
    assert_eq!(prefs(&ann).await["browser"], false);
}

async fn the_support_chat_flag_gates_the_preferences(s: TestServer) {
    let ann = s.user("ann@example.com", "Ann").await;
    let admin = s.admin("root@example.com").await;
    let res = admin
        .put(
            "/api/admin/features/support_chat",
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    for res in [
        ann.get(PATH).await,
        ann.put(PATH, json!({"sound": false})).await,
    ] {
        assert_eq!(
            error_code(res, StatusCode::FORBIDDEN).await["code"],
            "feature_disabled"
        );
    }
    let res = admin
        .put("/api/admin/features/support_chat", json!({"enabled": true}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(save(&ann, json!({"sound": false})).await["sound"], false);
}
