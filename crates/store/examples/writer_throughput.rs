//! Group-commit writer throughput: `cargo run --release -p support-chat-store --example
//! writer_throughput -- [DATABASE_URL] [MESSAGES] [SENDERS]` (a temporary SQLite file by default).
//! Prints messages per second and the time per message.

use std::sync::Arc;
use std::time::Instant;
use support_chat_domain::{
    ConversationId, ConversationType, MessageType, Priority, Role, SenderType,
};
use support_chat_store::{NewConversation, NewMessage, Store, StoreOptions};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = tempfile::tempdir()?;
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let total: usize = args.next().map_or(Ok(50_000), |s| s.parse())?;
    let senders: usize = args.next().map_or(Ok(256), |s| s.parse())?;
    let store = Store::connect(&url, &StoreOptions::default()).await?;
    let user = store
        .create_user(
            &format!("w{}@example.com", std::process::id()),
            "W",
            Role::User,
            None,
        )
        .await?;
    let mut conversations = Vec::new();
    for i in 0..200 {
        let (c, _, _) = store
            .create_conversation(NewConversation {
                user_id: user.id,
                user_name: "W".into(),
                subject: format!("c{i}"),
                initial_message: "hi".into(),
                priority: Priority::Normal,
                kind: ConversationType::Support,
                context: None,
                client_message_id: None,
                first_message_type: support_chat_domain::MessageType::Text,
                from_assistant_session: None,
            })
            .await?;
        conversations.push(c.id);
    }
    let conversations: Arc<Vec<ConversationId>> = Arc::new(conversations);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for s in 0..senders {
        let store = store.clone();
        let conversations = conversations.clone();
        let per = total / senders;
        let uid = user.id;
        tasks.spawn(async move {
            for i in 0..per {
                let c = conversations[(s * 7 + i) % conversations.len()];
                store
                    .send_message(NewMessage {
                        conversation_id: c,
                        sender_id: uid,
                        sender_type: SenderType::User,
                        sender_name: "W".into(),
                        content: format!("message {i} from {s}"),
                        message_type: MessageType::Text,
                        client_message_id: Some(uuid::Uuid::new_v4().to_string()),
                        metadata: None,
                    })
                    .await
                    .expect("send");
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r?;
    }
    let secs = started.elapsed().as_secs_f64();
    let n = (total / senders) * senders;
    println!(
        "{n} messages in {secs:.2} s: {:.0}/s, {:.1} µs per message ({senders} concurrent senders)",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
    store.close().await;
    Ok(())
}
