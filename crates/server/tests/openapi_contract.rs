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
