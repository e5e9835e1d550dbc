//! The web app's typed client is generated from `web/openapi.json`; this keeps that file equal
//! to the document the handlers produce, so the front end cannot drift from the server.

#[test]
fn the_committed_openapi_document_matches_the_handlers() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/openapi.json");
    let committed = std::fs::read_to_string(path).expect("web/openapi.json exists");
    let generated = support_chat_server::openapi_document()
        .to_pretty_json()
        .expect("serialise");
    assert!(
        committed.trim_end() == generated.trim_end(),
        "web/openapi.json is out of date: run `cargo run -p support-chat -- openapi > web/openapi.json` \
         and rebuild the web app (its TypeScript types come from that file)"
    );
}

#[test]
fn every_documented_route_is_under_api_and_has_responses() {
    let doc = support_chat_server::openapi_document();
    let paths: Vec<&String> = doc.paths.paths.keys().collect();
    for required in [
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/me",
        "/api/auth/sso",
        "/api/auth/tokens",
        "/api/support-chat/conversations",
        "/api/support-chat/conversations/{id}",
        "/api/support-chat/messages",
        "/api/support-chat/messages/{id}",
        "/api/support-chat/admin/conversations",
        "/api/support-chat/admin/stats",
        "/api/support-chat/admin/conversations/bulk",
        "/api/support-chat/notification-preferences",
        "/api/auth/session",
        "/api/admin/kb/articles",
        "/api/kb/articles/{id}",
        "/api/assistant/sessions/{id}/messages",
        "/api/assistant/sessions/{id}/handoff",
        "/api/assistant/analyze",
        "/api/features",
        "/api/admin/features",
        "/api/admin/features/{key}",
    ] {
        assert!(
            paths.iter().any(|p| p.as_str() == required),
            "{required} is not documented"
        );
    }
}

#[test]
fn every_operation_id_is_unique() {
    // The web app's generated types key operations by id: a repeated id silently gives one
    // route another route's request and response types.
    let doc = serde_json::to_value(support_chat_server::openapi_document()).expect("serialise");
    let mut seen = std::collections::HashMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str())
                && let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}"))
            {
                panic!("operationId {id} is used by both {other} and {method} {path}");
            }
        }
    }
    assert!(seen.len() > 30, "operations were found ({})", seen.len());
}
