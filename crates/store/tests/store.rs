//! One behavioural suite that every backend passes: always on a temporary SQLite file, and on
//! PostgreSQL when `TEST_DATABASE_URL` is set (mandatory in CI).

use std::collections::HashSet;
use support_chat_domain::{
    ConversationId, ConversationStatus, ConversationType, MessageType, Priority, Role, SenderType,
};
use support_chat_store::testing::TestDb;
use support_chat_store::{
    AdminListFilter, AdminSort, ConversationPatch, FlagUpdate, NewConversation, NewMessage, Store,
    StoreError, StoreOptions, User,
};

async fn setup(db: &TestDb) -> Store {
    db.store().await
}

support_chat_store::on_every_backend!(
    setup = setup;
    batched_touches_slide_live_sessions_and_stamp_tokens,
    background_batches_cover_every_credential_past_a_chunk,
    a_message_gets_the_next_sequence_and_becomes_the_last_message,
    the_same_client_message_id_twice_stores_one_message,
    concurrent_senders_get_distinct_increasing_positions,
    paging_and_catching_up_by_message_id_across_interleaved_threads,
    concurrent_sends_across_many_conversations_all_land,
    unread_counts_follow_read_marks,
    a_user_lists_only_their_own_conversations,
    admin_filters_search_and_sort_narrow_the_list,
    sending_to_a_missing_conversation_is_not_found,
    a_taken_email_is_a_conflict,
    changing_the_password_revokes_other_sessions,
    stats_count_statuses_and_response_times,
    default_flags_exist_and_can_be_switched,
    closing_records_resolution_and_a_user_message_reopens,
    sso_users_are_created_once_and_linked_by_external_id,
);

async fn user(store: &Store, email: &str, role: Role) -> User {
    store
        .create_user(email, &email.replace('@', " "), role, Some("hash"))
        .await
        .unwrap()
}

async fn open(store: &Store, owner: &User, subject: &str) -> ConversationId {
    let (c, _, _) = store
        .create_conversation(NewConversation {
            user_id: owner.id,
            user_name: owner.name.clone(),
            subject: subject.into(),
            initial_message: format!("first message of {subject}"),
            priority: Priority::Normal,
            kind: ConversationType::Support,
            context: None,
            client_message_id: None,
            first_message_type: support_chat_domain::MessageType::Text,
            from_assistant_session: None,
        })
        .await
        .unwrap();
    c.id
}

fn text(
    conversation: ConversationId,
    sender: &User,
    content: &str,
    cmid: Option<&str>,
) -> NewMessage {
    NewMessage {
        conversation_id: conversation,
        sender_id: sender.id,
        sender_type: sender.role.sender_type(),
        sender_name: sender.name.clone(),
        content: content.into(),
        message_type: MessageType::Text,
        client_message_id: cmid.map(str::to_owned),
        metadata: None,
    }
}

async fn a_message_gets_the_next_sequence_and_becomes_the_last_message(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let c = open(&store, &ann, "Login trouble").await;
    let sent = store
        .send_message(text(c, &ann, "still broken", None))
        .await
        .unwrap();
    assert!(sent.created);
    assert_eq!(sent.message.seq, 2, "the initial message is 1");
    let (messages, more) = store.messages_page(c, None, 50).await.unwrap();
    assert!(!more);
    assert_eq!(
        messages
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        ["first message of Login trouble", "still broken"]
    );
    assert_eq!(
        messages[1], sent.message,
        "what was returned is what is stored"
    );
    let list = store
        .list_user_conversations(ann.id, None, 1, 20)
        .await
        .unwrap();
    assert_eq!(list.items[0].last_message.as_deref(), Some("still broken"));
}

async fn the_same_client_message_id_twice_stores_one_message(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let c = open(&store, &ann, "Billing").await;
    let cmid = "3f2b8c1e-7d4a-4e2b-9c1a-0b5d6e7f8a90";
    let (a, b) = tokio::join!(
        store.send_message(text(c, &ann, "once", Some(cmid))),
        store.send_message(text(c, &ann, "once", Some(cmid))),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.message.id, b.message.id);
    assert!(a.created ^ b.created, "exactly one call stored it");
    let again = store
        .send_message(text(c, &ann, "once", Some(cmid)))
        .await
        .unwrap();
    assert_eq!(again.message.id, a.message.id);
    assert!(!again.created);
    let (messages, _) = store.messages_page(c, None, 50).await.unwrap();
    assert_eq!(messages.len(), 2);

    // A resend answers with the stored message itself: time, metadata and all.
    let mut with_metadata = text(c, &ann, "with context", Some("cmid-with-metadata"));
    with_metadata.metadata = Some(serde_json::json!({"page": "/billing", "attempt": 2}));
    let first = store.send_message(with_metadata.clone()).await.unwrap();
    let resent = store.send_message(with_metadata).await.unwrap();
    assert!(first.created && !resent.created);
    assert_eq!(resent.message, first.message);
    let (messages, _) = store.messages_page(c, None, 50).await.unwrap();
    assert_eq!(messages.last(), Some(&first.message), "as stored");

    // The same id sent at once into another conversation of the same writer queue (so most
    // likely in the same batch): the first is stored, the second is a conflict, never the first
    // message handed back as if it were its own.
    // (Conversation ids 4 apart share a queue whether there are 1, 2 or 4 of them.)
    let mut other = open(&store, &ann, "Other").await;
    while other.0 % 4 != c.0 % 4 {
        other = open(&store, &ann, "Other").await;
    }
    let (x, y) = tokio::join!(
        store.send_message(text(c, &ann, "one", Some("cmid-two-rooms"))),
        store.send_message(text(other, &ann, "two", Some("cmid-two-rooms"))),
    );
    let x = x.unwrap();
    assert!(x.created && x.message.conversation_id == c);
    assert!(
        matches!(y, Err(StoreError::Conflict(_))),
        "{:?}",
        y.map(|s| s.message.conversation_id)
    );
    let (in_other, _) = store.messages_page(other, None, 50).await.unwrap();
    assert_eq!(in_other.len(), 1, "only the opening message");
}

async fn concurrent_senders_get_distinct_increasing_positions(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let bob = user(&store, "bob@example.com", Role::Admin).await;
    let c = open(&store, &ann, "Race").await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let store = store.clone();
        let sender = if i % 2 == 0 { ann.clone() } else { bob.clone() };
        tasks.push(tokio::spawn(async move {
            store
                .send_message(text(c, &sender, &format!("m{i}"), None))
                .await
                .unwrap()
                .message
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (messages, _) = store.messages_page(c, None, 500).await.unwrap();
    assert_eq!(messages.len(), 201);
    let seqs: Vec<i64> = messages.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        (1..=201).collect::<Vec<_>>(),
        "id order and sequence order agree, no gaps"
    );
    let contents: HashSet<_> = messages.iter().map(|m| m.content.clone()).collect();
    assert_eq!(contents.len(), 201);
}

/// Two threads written in turn, so neither's ids are contiguous: every cursor given as a
/// message id (paging back, catching up, where a client stands, read marks) lands exactly, and
/// a cursor taken from the other thread still means "ids below / above it".
async fn paging_and_catching_up_by_message_id_across_interleaved_threads(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let admin = user(&store, "root@example.com", Role::Admin).await;
    let a = open(&store, &ann, "A").await;
    let b = open(&store, &ann, "B").await;
    let (mut in_a, mut in_b) = (Vec::new(), Vec::new());
    for i in 0..12 {
        in_a.push(
            store
                .send_message(text(a, &ann, &format!("a{i}"), None))
                .await
                .unwrap()
                .message,
        );
        in_b.push(
            store
                .send_message(text(b, &ann, &format!("b{i}"), None))
                .await
                .unwrap()
                .message,
        );
    }
    let contents = |ms: &[support_chat_store::Message]| -> Vec<String> {
        ms.iter().map(|m| m.content.clone()).collect()
    };

    // Paging back from a's 9th message: the 4 before it, oldest first, and more remain.
    let (page, more) = store.messages_page(a, Some(in_a[8].id), 4).await.unwrap();
    assert_eq!(contents(&page), ["a4", "a5", "a6", "a7"]);
    assert!(more, "the opening message and a0-a3 are older");
    let (first, more) = store.messages_page(a, Some(in_a[0].id), 4).await.unwrap();
    assert_eq!(contents(&first), ["first message of A"]);
    assert!(!more);
    // A cursor from the other thread: a's messages with a smaller id.
    let (page, _) = store.messages_page(a, Some(in_b[2].id), 50).await.unwrap();
    assert_eq!(contents(&page), ["first message of A", "a0", "a1", "a2"]);

    // Catching up after a message, and after one of the other thread's.
    let since = store.messages_since(a, in_a[9].id, 50).await.unwrap();
    assert_eq!(contents(&since), ["a10", "a11"]);
    let since = store.messages_since(a, in_b[9].id, 50).await.unwrap();
    assert_eq!(contents(&since), ["a10", "a11"]);
    let since = store.messages_since(a, in_a[3].id, 2).await.unwrap();
    assert_eq!(
        contents(&since),
        ["a4", "a5"],
        "the limit counts from the cursor"
    );

    // Where a client that has everything up to an id stands.
    assert_eq!(
        store.seq_at(a, in_a[5].id).await.unwrap(),
        (in_a[5].seq, in_a[5].id)
    );
    assert_eq!(
        store.seq_at(a, in_b[5].id).await.unwrap(),
        (in_a[5].seq, in_a[5].id),
        "b5 came right after a5"
    );
    assert_eq!(
        store
            .seq_at(a, support_chat_domain::MessageId(0))
            .await
            .unwrap(),
        (0, support_chat_domain::MessageId(0))
    );
    assert_eq!(
        store.conversation_head(a).await.unwrap(),
        Some((in_a[11].seq, in_a[11].id))
    );

    // The admin reads a up to a7: 4 unread remain there; b is untouched; a's readAt marks
    // stop at a7.
    store
        .mark_read(admin.id, true, a, in_a[7].id)
        .await
        .unwrap();
    let seen = store
        .conversation(a, admin.id, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.unread_count, 4);
    assert_eq!(seen.last_message_id, Some(in_a[11].id));
    let other = store
        .conversation(b, admin.id, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other.unread_count, 13);
    let (all, _) = store.messages_page(a, None, 50).await.unwrap();
    let read: Vec<bool> = all.iter().map(|m| m.read_at.is_some()).collect();
    assert_eq!(read, [[true; 9].as_slice(), &[false; 4]].concat());
    let (all_b, _) = store.messages_page(b, None, 50).await.unwrap();
    assert!(all_b.iter().all(|m| m.read_at.is_none()));

    // Deleting a's newest message blanks its preview; deleting an older one does not.
    store
        .soft_delete_message(in_a[10].id, admin.id)
        .await
        .unwrap();
    assert_eq!(preview(&store, &ann, a).await.as_deref(), Some("a11"));
    store
        .soft_delete_message(in_a[11].id, admin.id)
        .await
        .unwrap();
    assert_eq!(
        preview(&store, &ann, a).await.as_deref(),
        Some("[message deleted]")
    );
    assert_eq!(preview(&store, &ann, b).await.as_deref(), Some("b11"));
}

/// The last-message preview of one of `owner`'s conversations, as their list shows it.
async fn preview(store: &Store, owner: &User, id: ConversationId) -> Option<String> {
    let list = store
        .list_user_conversations(owner.id, None, 1, 20)
        .await
        .unwrap();
    list.items
        .into_iter()
        .find(|c| c.id == id)
        .and_then(|c| c.last_message)
}

async fn unread_counts_follow_read_marks(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let admin = user(&store, "root@example.com", Role::Admin).await;
    let c = open(&store, &ann, "Help").await;
    // The admin has not read the user's first message.
    let c_admin = store
        .conversation(c, admin.id, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c_admin.unread_count, 1);
    let r1 = store
        .send_message(text(c, &admin, "hello", None))
        .await
        .unwrap()
        .message;
    let r2 = store
        .send_message(text(c, &admin, "anyone there?", None))
        .await
        .unwrap()
        .message;
    let list = store
        .list_user_conversations(ann.id, None, 1, 20)
        .await
        .unwrap();
    assert_eq!(list.items[0].unread_count, 2);
    // Replying marked the admin's read position past the user's message.
    assert_eq!(
        store
            .conversation(c, admin.id, true)
            .await
            .unwrap()
            .unwrap()
            .unread_count,
        0
    );
    let mark = store.mark_read(ann.id, false, c, r1.id).await.unwrap();
    assert_eq!(mark.last_read_message_id, r1.id);
    assert_eq!(
        store
            .conversation(c, ann.id, false)
            .await
            .unwrap()
            .unwrap()
            .unread_count,
        1
    );
    // Marks never move backwards.
    store.mark_read(ann.id, false, c, r2.id).await.unwrap();
    let back = store.mark_read(ann.id, false, c, r1.id).await.unwrap();
    assert_eq!(back.last_read_message_id, r2.id);
    let (messages, _) = store.messages_page(c, None, 10).await.unwrap();
    assert!(messages[1].read_at.is_some() && messages[2].read_at.is_some());
    assert!(
        messages[0].read_at.is_none(),
        "the user's own message is read by the admin only"
    );
}

async fn a_user_lists_only_their_own_conversations(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let bob = user(&store, "bob@example.com", Role::User).await;
    for i in 0..25 {
        open(&store, &ann, &format!("ann {i}")).await;
    }
    open(&store, &bob, "bob's").await;
    let p1 = store
        .list_user_conversations(ann.id, None, 1, 20)
        .await
        .unwrap();
    let p2 = store
        .list_user_conversations(ann.id, None, 2, 20)
        .await
        .unwrap();
    assert_eq!(p1.total, 25);
    assert_eq!((p1.items.len(), p2.items.len()), (20, 5));
    assert_eq!(p1.items[0].subject, "ann 24", "newest activity first");
    assert!(
        p1.items
            .iter()
            .chain(&p2.items)
            .all(|c| c.user.id == ann.id)
    );
    let closed = store
        .list_user_conversations(ann.id, Some(ConversationStatus::Closed), 1, 20)
        .await
        .unwrap();
    assert_eq!(closed.total, 0);
}

async fn admin_filters_search_and_sort_narrow_the_list(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let admin = user(&store, "root@example.com", Role::Admin).await;
    let a = open(&store, &ann, "Refund 100% please").await;
    let b = open(&store, &ann, "Cannot log in").await;
    let c = open(&store, &ann, "Feature idea").await;
    store
        .update_conversation(
            b,
            &ConversationPatch {
                priority: Some(Priority::Urgent),
                admin_id: Some(Some(admin.id)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    store.add_tags(&[a, c], &["billing".into()]).await.unwrap();
    let all = |f: AdminListFilter, s: AdminSort| {
        let store = store.clone();
        async move {
            store
                .list_admin_conversations(admin.id, &f, s, 1, 50)
                .await
                .unwrap()
                .items
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        all(AdminListFilter::default(), AdminSort::Newest).await,
        [c, b, a]
    );
    assert_eq!(
        all(AdminListFilter::default(), AdminSort::Priority).await[0],
        b
    );
    assert_eq!(
        all(
            AdminListFilter {
                unassigned: true,
                ..Default::default()
            },
            AdminSort::Newest
        )
        .await,
        [c, a]
    );
    assert_eq!(
        all(
            AdminListFilter {
                admin_id: Some(admin.id),
                ..Default::default()
            },
            AdminSort::Newest
        )
        .await,
        [b]
    );
    assert_eq!(
        all(
            AdminListFilter {
                tag: Some("billing".into()),
                ..Default::default()
            },
            AdminSort::Oldest
        )
        .await,
        [a, c]
    );
    assert_eq!(
        all(
            AdminListFilter {
                q: Some("100%".into()),
                ..Default::default()
            },
            AdminSort::Newest
        )
        .await,
        [a],
        "% is literal"
    );
    assert_eq!(
        all(
            AdminListFilter {
                q: Some("LOG IN".into()),
                ..Default::default()
            },
            AdminSort::Newest
        )
        .await,
        [b],
        "case-insensitive"
    );
    assert_eq!(
        all(
            AdminListFilter {
                priority: Some(Priority::Urgent),
                ..Default::default()
            },
            AdminSort::Newest
        )
        .await,
        [b]
    );
    store.set_archived(&[c], true).await.unwrap();
    assert_eq!(
        all(AdminListFilter::default(), AdminSort::Newest).await,
        [b, a]
    );
    assert_eq!(
        all(
            AdminListFilter {
                archived: true,
                ..Default::default()
            },
            AdminSort::Newest
        )
        .await,
        [c]
    );
    let tagged = store
        .list_admin_conversations(
            admin.id,
            &AdminListFilter::default(),
            AdminSort::Oldest,
            1,
            50,
        )
        .await
        .unwrap();
    assert_eq!(tagged.items[0].tags, ["billing"]);
    let detail = store
        .conversation(a, admin.id, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.tags, ["billing"], "the detail carries the tags too");
    store.add_tags(&[a], &["vip".into()]).await.unwrap();
    let detail = store
        .conversation(a, admin.id, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.tags, ["billing", "vip"]);
}

async fn sending_to_a_missing_conversation_is_not_found(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let err = store
        .send_message(text(ConversationId(999_999), &ann, "hi", None))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    // A failing message in a batch does not take others with it.
    let c = open(&store, &ann, "Fine").await;
    let (bad, good) = tokio::join!(
        store.send_message(text(ConversationId(999_998), &ann, "x", None)),
        store.send_message(text(c, &ann, "y", None)),
    );
    assert!(bad.is_err());
    assert!(good.unwrap().created);
}

async fn a_taken_email_is_a_conflict(store: Store) {
    user(&store, "ann@example.com", Role::User).await;
    let err = store
        .create_user("ann@example.com", "Ann", Role::User, None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn changing_the_password_revokes_other_sessions(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    store
        .create_session("aaaa", ann.id, "csrf1", later, None, None)
        .await
        .unwrap();
    store
        .create_session("bbbb", ann.id, "csrf2", later, Some("Firefox"), None)
        .await
        .unwrap();
    assert!(store.live_session("aaaa").await.unwrap().is_some());
    store
        .set_password(ann.id, "newhash", Some("bbbb"))
        .await
        .unwrap();
    assert!(store.live_session("aaaa").await.unwrap().is_none());
    assert!(store.live_session("bbbb").await.unwrap().is_some());
    assert_eq!(store.list_sessions(ann.id).await.unwrap().len(), 1);
    store.revoke_session("bbbb").await.unwrap();
    assert!(store.live_session("bbbb").await.unwrap().is_none());
}

async fn stats_count_statuses_and_response_times(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let admin = user(&store, "root@example.com", Role::Admin).await;
    let a = open(&store, &ann, "a").await;
    let b = open(&store, &ann, "b").await;
    let _c = open(&store, &ann, "c").await;
    store
        .update_conversation(
            b,
            &ConversationPatch {
                priority: Some(Priority::Urgent),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    store
        .send_message(text(a, &admin, "on it", None))
        .await
        .unwrap();
    store
        .update_conversation(
            a,
            &ConversationPatch {
                status: Some(ConversationStatus::Closed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let s = store.stats().await.unwrap();
    assert_eq!(s.total, 3);
    assert_eq!(s.by_status["open"], 2);
    assert_eq!(s.by_status["closed"], 1);
    assert_eq!(s.by_status["transferred"], 0);
    assert_eq!(s.urgent_open, 1);
    assert_eq!(s.unassigned, 2);
    assert_eq!(s.messages_today, 4);
    assert!(s.avg_first_response_ms.is_some_and(|v| v >= 0.0));
    assert_eq!(
        s.median_first_response_ms, s.avg_first_response_ms,
        "one answered conversation"
    );
    assert!(s.avg_resolution_ms.is_some());
}

async fn default_flags_exist_and_can_be_switched(store: Store) {
    store.ensure_default_flags(true).await.unwrap();
    store.ensure_default_flags(false).await.unwrap(); // existing flags are left alone
    let flags = store.list_flags().await.unwrap();
    let chat = flags.iter().find(|f| f.key == "support_chat").unwrap();
    assert!(chat.enabled);
    let f = store
        .update_flag(
            "support_chat",
            &FlagUpdate {
                enabled: false,
                rollout_percent: Some(50),
                roles: Some(Some(vec![Role::Admin])),
            },
        )
        .await
        .unwrap();
    assert!(!f.enabled);
    assert_eq!(f.rollout_percent, 50);
    assert_eq!(f.roles, Some(vec![Role::Admin]));
    let err = store
        .update_flag(
            "nope",
            &FlagUpdate {
                enabled: true,
                rollout_percent: None,
                roles: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound));
}

async fn closing_records_resolution_and_a_user_message_reopens(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let c = open(&store, &ann, "x").await;
    store
        .update_conversation(
            c,
            &ConversationPatch {
                status: Some(ConversationStatus::Closed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let closed = store.conversation(c, ann.id, false).await.unwrap().unwrap();
    assert_eq!(closed.status, ConversationStatus::Closed);
    assert!(closed.closed_at.is_some());
    store
        .send_message(text(c, &ann, "actually, one more thing", None))
        .await
        .unwrap();
    let reopened = store.conversation(c, ann.id, false).await.unwrap().unwrap();
    assert_eq!(reopened.status, ConversationStatus::Open);
    assert!(reopened.closed_at.is_none());
    let sys = store
        .post_system_message(c, ann.id, "Conversation reopened".into())
        .await
        .unwrap();
    assert_eq!(sys.message.sender_type, SenderType::System);
    assert_eq!(sys.message.sender_name, "System");
    let (msgs, _) = store.messages_page(c, None, 10).await.unwrap();
    assert_eq!(msgs.last().unwrap().sender_name, "System");
}

async fn sso_users_are_created_once_and_linked_by_external_id(store: Store) {
    let a = store
        .upsert_sso_user("ext-1", "ann@example.com", "Ann")
        .await
        .unwrap();
    let b = store
        .upsert_sso_user("ext-1", "ann@new.example.com", "Ann B")
        .await
        .unwrap();
    assert_eq!(a.id, b.id);
    assert_eq!(b.email, "ann@new.example.com");
    assert_eq!(b.external_id.as_deref(), Some("ext-1"));
    assert_eq!(b.role, Role::User);
    // A local account (here an admin) with the same email is never taken over.
    user(&store, "cat@example.com", Role::Admin).await;
    let err = store
        .upsert_sso_user("ext-2", "cat@example.com", "Cat")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

#[tokio::test]
async fn an_unknown_database_scheme_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("mysql://{}/x", dir.path().display());
    let err = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("unsupported database URL scheme 'mysql'"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

async fn concurrent_sends_across_many_conversations_all_land(store: Store) {
    let mut people = Vec::new();
    let mut conversations = Vec::new();
    for i in 0..100 {
        let u = user(&store, &format!("u{i}@example.com"), Role::User).await;
        conversations.push(open(&store, &u, &format!("c{i}")).await);
        people.push(u);
    }
    let mut tasks = Vec::new();
    for k in 0..2000 {
        let store = store.clone();
        let (who, c) = (people[k % 100].clone(), conversations[k % 100]);
        let cmid = format!("{:08x}-0000-4000-8000-{:012x}", k, k);
        tasks.push(tokio::spawn(async move {
            store
                .send_message(text(c, &who, &format!("m{k}"), Some(&cmid)))
                .await
        }));
    }
    for t in tasks {
        let sent = t.await.unwrap().expect("every send lands");
        assert!(sent.created);
    }
    for c in conversations {
        let (messages, _) = store.messages_page(c, None, 100).await.unwrap();
        let seqs: Vec<i64> = messages.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=21).collect::<Vec<_>>(), "conversation {c}");
    }
}

async fn batched_touches_slide_live_sessions_and_stamp_tokens(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let soon = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    for id in ["live", "revoked"] {
        store
            .create_session(id, ann.id, "csrf", soon, None, None)
            .await
            .unwrap();
    }
    store.revoke_session("revoked").await.unwrap();
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(30);
    store
        .touch_sessions(&["live".into(), "revoked".into()], later)
        .await
        .unwrap();
    let (live, _) = store.live_session("live").await.unwrap().unwrap();
    assert!(
        live.expires_at > soon + time::Duration::days(29),
        "the live session slid"
    );
    assert!(
        store.live_session("revoked").await.unwrap().is_none(),
        "a revoked one stays revoked"
    );
    store
        .create_api_token("t1", ann.id, "ci", "hash1")
        .await
        .unwrap();
    assert!(
        store.list_api_tokens(ann.id).await.unwrap()[0]
            .last_used_at
            .is_none()
    );
    store.touch_api_tokens(&["t1".into()]).await.unwrap();
    assert!(
        store.list_api_tokens(ann.id).await.unwrap()[0]
            .last_used_at
            .is_some()
    );
}

/// The background batches over credentials (touches, the socket sweep) work in chunks of 500,
/// on SQLite in the order the rows are stored: 1,200 sessions and tokens, stored in an order
/// unlike their ids' and asked for shuffled, with unknown ids among them.
async fn background_batches_cover_every_credential_past_a_chunk(store: Store) {
    let ann = user(&store, "ann@example.com", Role::User).await;
    let bo = user(&store, "bo@example.com", Role::Admin).await;
    const N: usize = 1200;
    // Stored in the order 0, 1199, 1, 1198, …; asked for in a scattered order.
    let stored: Vec<usize> = (0..N / 2).flat_map(|i| [i, N - 1 - i]).collect();
    let asked: Vec<usize> = (0..N).map(|i| (i * 7919) % N).collect();
    assert_eq!(
        asked.iter().collect::<HashSet<_>>().len(),
        N,
        "a permutation"
    );
    let session = |i: usize| format!("session-{i:04}");
    let token = |i: usize| format!("token-{i:04}");
    let owner = |i: usize| if i.is_multiple_of(3) { &bo } else { &ann };
    let soon = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    for &i in &stored {
        store
            .create_session(&session(i), owner(i).id, "csrf", soon, None, None)
            .await
            .unwrap();
        store
            .create_api_token(&token(i), owner(i).id, "ci", &format!("hash-{i}"))
            .await
            .unwrap();
    }
    let revoked = |i: usize| i % 10 == 7;
    for i in (0..N).filter(|&i| revoked(i)) {
        store.revoke_session(&session(i)).await.unwrap();
        assert!(
            store
                .revoke_api_token(owner(i).id, &token(i))
                .await
                .unwrap()
        );
    }
    let unknown = ["session-none".to_owned(), "token-none".to_owned()];
    let sessions: Vec<String> = asked
        .iter()
        .map(|&i| session(i))
        .chain(unknown.clone())
        .collect();
    let tokens: Vec<String> = asked.iter().map(|&i| token(i)).chain(unknown).collect();

    let later = time::OffsetDateTime::now_utc() + time::Duration::days(30);
    store.touch_sessions(&sessions, later).await.unwrap();
    store.touch_api_tokens(&tokens).await.unwrap();
    for i in 0..N {
        let live = store.live_session(&session(i)).await.unwrap();
        if revoked(i) {
            assert!(live.is_none(), "revoked session {i} stays revoked");
        } else {
            let (s, u) = live.unwrap_or_else(|| panic!("session {i} is live"));
            assert!(
                s.expires_at > soon + time::Duration::days(29),
                "session {i} slid"
            );
            assert_eq!(u.id, owner(i).id);
        }
    }
    let mut used = HashSet::new();
    for u in [&ann, &bo] {
        for t in store.list_api_tokens(u.id).await.unwrap() {
            if t.last_used_at.is_some() {
                used.insert(t.id);
            }
        }
    }
    for i in (0..N).filter(|&i| !revoked(i)) {
        assert!(used.contains(&token(i)), "token {i} was stamped");
    }

    let (live_sessions, live_tokens) = store.live_credentials(&sessions, &tokens).await.unwrap();
    let want = (0..N).filter(|&i| !revoked(i)).count();
    assert_eq!((live_sessions.len(), live_tokens.len()), (want, want));
    for i in 0..N {
        let role = if i.is_multiple_of(3) {
            Role::Admin
        } else {
            Role::User
        };
        let expect = (!revoked(i)).then_some(role);
        assert_eq!(
            live_sessions.get(&session(i)).copied(),
            expect,
            "session {i}"
        );
        assert_eq!(live_tokens.get(&token(i)).copied(), expect, "token {i}");
    }
}

/// The write-ahead log beside a SQLite database file.
fn wal_file(db: &std::path::Path) -> std::path::PathBuf {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

/// The write-ahead log's salts, which SQLite changes each time the log starts over.
fn wal_salts(db: &std::path::Path) -> Option<[u8; 8]> {
    let head = std::fs::read(wal_file(db)).ok()?;
    head.get(16..24)?.try_into().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_steady_sends_the_sqlite_log_starts_over_and_stays_near_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wal.db");
    let limit = 256 * 1024;
    let store = Store::connect(
        &format!("sqlite://{}", path.display()),
        &StoreOptions {
            sqlite_wal_target_bytes: limit,
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap();
    let owner = user(&store, "steady@example.com", Role::User).await;
    let c = open(&store, &owner, "steady").await;
    // Eight senders keep the writer busy, so the background checkpoints never find the log
    // idle (without the writer's catch-up the log only grows).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut senders = Vec::new();
    for s in 0..8 {
        let (store, owner, stop) = (store.clone(), owner.clone(), stop.clone());
        senders.push(tokio::spawn(async move {
            let mut sent = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let cmid = uuid::Uuid::new_v4().to_string();
                store
                    .send_message(text(c, &owner, &format!("s{s} #{sent}"), Some(&cmid)))
                    .await
                    .expect("send");
                sent += 1;
            }
            sent
        }));
    }
    let first = loop {
        if let Some(s) = wal_salts(&path) {
            break s;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    let wal = wal_file(&path);
    let (mut restarts, mut last) = (0, first);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while restarts < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        if let Some(s) = wal_salts(&path)
            && s != last
        {
            restarts += 1;
            last = s;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for s in senders {
        total += s.await.unwrap();
    }
    assert!(
        restarts >= 3,
        "the log started over {restarts} times while {total} messages were sent"
    );
    // Once quiet, the next write starts the log over and cuts the file back to its limit: twice
    // the target, so that in steady use the file is reused rather than cut and regrown.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let before = std::fs::metadata(&wal).unwrap().len();
    store
        .send_message(text(c, &owner, "after the rush", None))
        .await
        .unwrap();
    let after = std::fs::metadata(&wal).unwrap().len();
    assert!(
        after <= 2 * limit,
        "the log file is {after} bytes (was {before}) against a limit of {}",
        2 * limit
    );
    let (messages, _) = store.messages_page(c, None, 1).await.unwrap();
    assert_eq!(
        messages.last().map(|m| m.seq),
        Some(total as i64 + 2),
        "every message is stored"
    );
}
