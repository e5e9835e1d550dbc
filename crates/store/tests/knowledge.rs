//! Knowledge-base articles and assistant sessions, on every backend.

use support_chat_domain::{ArticleInput, Role};
use support_chat_store::testing::TestDb;
use support_chat_store::{
    AnsweredBy, LlmHandoff, NewTurn, SourceRef, Store, StoreError, TurnRole, Upserted,
};

async fn setup(db: &TestDb) -> Store {
    db.store().await
}

support_chat_store::on_every_backend!(
    setup = setup;
    articles_are_created_listed_updated_and_deleted,
    upserting_by_slug_creates_updates_or_leaves_alone,
    starter_articles_are_added_once_in_a_databases_life,
    assistant_sessions_belong_to_their_user_and_keep_turns_in_order,
);

fn article(slug: &str, title: &str, body: &str, published: bool) -> ArticleInput {
    ArticleInput::parse(Some(slug), title, body, &["billing".into()], published).unwrap()
}

async fn articles_are_created_listed_updated_and_deleted(store: Store) {
    let before = store.kb_fingerprint().await.unwrap();
    let a = store
        .create_article(
            &article("refunds", "Refunds", "We refund within 14 days.", true),
            None,
        )
        .await
        .unwrap();
    let draft = store
        .create_article(&article("draft", "Draft", "Not yet.", false), None)
        .await
        .unwrap();
    assert_eq!(a.tags, vec!["billing"]);
    let after = store.kb_fingerprint().await.unwrap();
    assert_ne!(before, after);
    assert_eq!(after.count, 2);

    let err = store
        .create_article(&article("refunds", "Other", "x", true), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("refunds")),
        "{err:?}"
    );

    let (all, total) = store.list_articles(true, 1, 10).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(all[0].id, draft.id, "newest change first");
    let (published, total) = store.list_articles(false, 1, 10).await.unwrap();
    assert_eq!((published.len(), total), (1, 1));
    assert_eq!(store.published_articles().await.unwrap().len(), 1);

    let changed = store
        .update_article(a.id, &article("refunds", "Refunds", "30 days now.", true))
        .await
        .unwrap();
    assert_eq!(changed.body, "30 days now.");
    assert!(changed.updated_at >= a.updated_at);
    let clash = store
        .update_article(a.id, &article("draft", "Refunds", "x", true))
        .await
        .unwrap_err();
    assert!(matches!(clash, StoreError::Conflict(_)), "{clash:?}");

    assert!(store.delete_article(draft.id).await.unwrap());
    assert!(!store.delete_article(draft.id).await.unwrap());
    assert!(store.article(draft.id).await.unwrap().is_none());
    let missing = store
        .update_article(draft.id, &article("x", "X", "x", true))
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound));
    assert_ne!(store.kb_fingerprint().await.unwrap(), after);
}

async fn upserting_by_slug_creates_updates_or_leaves_alone(store: Store) {
    let v1 = article("vpn", "VPN", "Install the client.", true);
    let (a, what) = store.upsert_article(&v1, None).await.unwrap();
    assert_eq!(what, Upserted::Created);
    let (b, what) = store.upsert_article(&v1, None).await.unwrap();
    assert_eq!(
        (what, b.id, b.updated_at),
        (Upserted::Unchanged, a.id, a.updated_at)
    );
    let v2 = article("vpn", "VPN", "Install the new client.", true);
    let (c, what) = store.upsert_article(&v2, None).await.unwrap();
    assert_eq!((what, c.id), (Upserted::Updated, a.id));
    assert_eq!(c.body, "Install the new client.");
}

async fn starter_articles_are_added_once_in_a_databases_life(store: Store) {
    let starters = vec![
        article("welcome", "Welcome", "Hello.", true),
        article("contact", "Contact", "Write to us.", true),
    ];
    assert!(
        store
            .seed_articles_once("starter_kb", &starters)
            .await
            .unwrap()
    );
    assert_eq!(store.published_articles().await.unwrap().len(), 2);
    for a in store.published_articles().await.unwrap() {
        store.delete_article(a.id).await.unwrap();
    }
    assert!(
        !store
            .seed_articles_once("starter_kb", &starters)
            .await
            .unwrap()
    );
    assert!(
        store.published_articles().await.unwrap().is_empty(),
        "articles an admin deleted do not come back"
    );
}

async fn assistant_sessions_belong_to_their_user_and_keep_turns_in_order(store: Store) {
    let ann = store
        .create_user("ann@example.com", "Ann", Role::User, None)
        .await
        .unwrap();
    let bob = store
        .create_user("bob@example.com", "Bob", Role::User, None)
        .await
        .unwrap();
    let s = store
        .create_assistant_session(ann.id, "How do refunds work?")
        .await
        .unwrap();
    assert!(
        store
            .assistant_session(s.id, bob.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .assistant_session(s.id, ann.id)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .assistant_sessions(bob.id, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let question = NewTurn {
        role: TurnRole::User,
        content: "How do refunds work?".into(),
        sources: vec![],
        confidence: None,
        answered_by: None,
        llm_handoff: None,
    };
    store.add_assistant_turn(s.id, &question).await.unwrap();
    let source = SourceRef {
        article_id: support_chat_domain::ArticleId(7),
        slug: "refunds".into(),
        title: "Refunds".into(),
    };
    let answer = NewTurn {
        role: TurnRole::Assistant,
        content: "Within 14 days.".into(),
        sources: vec![source.clone()],
        confidence: Some(0.8),
        answered_by: Some(AnsweredBy::Llm),
        llm_handoff: Some(LlmHandoff {
            reason: Some("Wants a refund".into()),
            category: Some("billing".into()),
            urgency: None,
            summary: None,
        }),
    };
    store.add_assistant_turn(s.id, &answer).await.unwrap();
    let turns = store.assistant_turns(s.id, 50).await.unwrap();
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[0].role, TurnRole::User);
    assert!(turns[0].sources.is_empty());
    assert_eq!(turns[1].sources, vec![source]);
    assert_eq!(turns[1].answered_by, Some(AnsweredBy::Llm));
    assert_eq!(turns[0].llm_handoff, None);
    assert_eq!(
        turns[1]
            .llm_handoff
            .as_ref()
            .and_then(|h| h.category.as_deref()),
        Some("billing"),
        "the model's hand-off call is kept with its answer"
    );
    assert_eq!(turns[1].confidence, Some(0.8));
    let last_one = store.assistant_turns(s.id, 1).await.unwrap();
    assert_eq!(
        last_one[0].content, "Within 14 days.",
        "the latest turns, oldest first"
    );
}
