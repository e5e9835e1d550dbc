//! `support-chat kb import`: the real binary loading Markdown and JSON articles into a
//! temporary SQLite database.

use std::path::Path;
use std::process::{Command, Output};
use support_chat_store::{Store, StoreOptions};

fn import(db: &Path, path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_support-chat"))
        .args(["kb", "import"])
        .arg(path)
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env_remove("SUPPORT_CHAT_DATA_DIR")
        .output()
        .expect("run support-chat")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn titles(db: &Path) -> Vec<(String, String, bool)> {
    let store = Store::connect(
        &format!("sqlite://{}", db.display()),
        &StoreOptions::default(),
    )
    .await
    .unwrap();
    let (articles, _) = store.list_articles(true, 1, 100).await.unwrap();
    store.close().await;
    let mut v: Vec<_> = articles
        .into_iter()
        .map(|a| (a.slug, a.title, a.published))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn markdown_and_json_articles_are_imported_and_updated_by_slug() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kb.db");
    let kb = dir.path().join("kb");
    std::fs::create_dir_all(kb.join("billing")).unwrap();
    std::fs::write(
        kb.join("Reset Password.md"),
        "# Reset your password\n\nUse the link on the sign-in page.",
    )
    .unwrap();
    std::fs::write(
        kb.join("billing/refunds.md"),
        "---\ntitle: Refunds\ntags: billing, money\npublished: false\n---\nWithin 14 days.",
    )
    .unwrap();
    std::fs::write(
        kb.join("more.json"),
        r#"[{"title": "Export", "body": "Settings, then Data."}, {"slug": "vpn", "title": "VPN", "body": "Install it.", "tags": ["network"]}]"#,
    )
    .unwrap();

    let out = import(&db, &kb);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("4 articles: 4 created, 0 updated, 0 unchanged"),
        "{}",
        text(&out)
    );
    assert_eq!(
        titles(&db).await,
        vec![
            ("export".into(), "Export".into(), true),
            ("refunds".into(), "Refunds".into(), false),
            ("reset-password".into(), "Reset your password".into(), true),
            ("vpn".into(), "VPN".into(), true),
        ]
    );

    // Again, with one article changed: updated in place, no copies.
    std::fs::write(
        kb.join("billing/refunds.md"),
        "---\ntitle: Refunds\ntags: billing\n---\nWithin 30 days.",
    )
    .unwrap();
    let out = import(&db, &kb);
    assert!(
        text(&out).contains("4 articles: 0 created, 1 updated, 3 unchanged"),
        "{}",
        text(&out)
    );
    assert_eq!(titles(&db).await.len(), 4);
}

#[tokio::test]
async fn one_bad_file_imports_nothing_and_every_problem_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kb.db");
    let kb = dir.path().join("kb");
    std::fs::create_dir_all(&kb).unwrap();
    std::fs::write(kb.join("good.md"), "# Good\n\nFine.").unwrap();
    std::fs::write(kb.join("no-title.md"), "Just words.").unwrap();
    std::fs::write(kb.join("list.json"), r#"[{"title": "", "body": "x"}]"#).unwrap();
    std::fs::write(
        kb.join("dupe.json"),
        r#"{"slug": "good", "title": "Other", "body": "y"}"#,
    )
    .unwrap();

    let out = import(&db, &kb);
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(msg.contains("nothing was imported"), "{msg}");
    assert!(msg.contains("no-title.md: no title"), "{msg}");
    assert!(
        msg.contains("list.json [0]: title: title must not be empty"),
        "{msg}"
    );
    assert!(msg.contains("slug \"good\" is also used by"), "{msg}");
    assert!(titles(&db).await.is_empty(), "nothing was written");

    let out = import(&db, &dir.path().join("missing"));
    assert!(!out.status.success());
    assert!(text(&out).contains("missing"), "{}", text(&out));
}
