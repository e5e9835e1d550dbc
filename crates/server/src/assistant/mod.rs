//! The AI assistant inside the server: the knowledge-base index it answers from (rebuilt when
//! articles change, here or on another node) and the starter articles of a fresh install.
//! The decision logic and retrieval themselves live in `support-chat-assistant` (no I/O); the
//! optional language model client is [`llm`].

pub mod llm;

use std::sync::{Arc, RwLock};
use std::time::Duration;
use support_chat_assistant::KnowledgeIndex;
use support_chat_domain::parse_markdown_article;
use support_chat_store::{KbFingerprint, Store};
use tokio::sync::Notify;

/// How often a node checks whether another node changed the knowledge base.
const RECHECK_EVERY: Duration = Duration::from_secs(15);

/// The starter articles a fresh install gets once: `(slug, Markdown)`.
const STARTER_ARTICLES: &[(&str, &str)] = &[
    (
        "how-to-contact-support",
        include_str!("../../starter-kb/contact-support.md"),
    ),
    (
        "using-the-assistant",
        include_str!("../../starter-kb/using-the-assistant.md"),
    ),
    (
        "conversation-statuses",
        include_str!("../../starter-kb/conversation-status.md"),
    ),
    (
        "notifications-and-unread-messages",
        include_str!("../../starter-kb/notifications.md"),
    ),
    (
        "keeping-your-account-safe",
        include_str!("../../starter-kb/account-security.md"),
    ),
];

/// Adds the starter articles the first time this database is used (never again, even if an
/// admin deletes them).
pub async fn seed_starter_articles(store: &Store) -> Result<bool, support_chat_store::StoreError> {
    let articles: Vec<_> = STARTER_ARTICLES
        .iter()
        .map(|(slug, text)| {
            parse_markdown_article(slug, text)
                .unwrap_or_else(|e| panic!("starter article {slug} is invalid: {e}"))
        })
        .collect();
    store
        .seed_articles_once("starter_articles_v1", &articles)
        .await
}

pub struct Assistant {
    store: Store,
    index: RwLock<Arc<KnowledgeIndex>>,
    /// Held while rebuilding, so an older build never replaces a newer one.
    rebuilding: tokio::sync::Mutex<Option<KbFingerprint>>,
    changed: Arc<Notify>,
    /// The configured language model, if any.
    llm: Option<llm::Llm>,
}

impl Assistant {
    /// Starts with an empty index and a task that fills it and keeps it fresh. With an LLM
    /// configuration the assistant answers through that model (falling back to the built-in
    /// answerer when it fails); a configuration that does not hold is logged and ignored.
    pub fn start(store: Store, llm: Option<llm::LlmConfig>) -> Arc<Self> {
        let llm = llm.and_then(|c| match llm::Llm::new(c) {
            Ok(l) => {
                tracing::info!(model = %l.config().model, "the assistant answers with a language model");
                Some(l)
            }
            Err(e) => {
                tracing::error!(error = %e, "the LLM settings are invalid; answering offline");
                None
            }
        });
        let me = Arc::new(Self {
            llm,
            store: store.clone(),
            rebuilding: tokio::sync::Mutex::new(None),
            index: RwLock::new(Arc::new(KnowledgeIndex::new(Vec::new()))),
            changed: Arc::new(Notify::new()),
        });
        let weak = Arc::downgrade(&me);
        let changed = me.changed.clone();
        tokio::spawn(async move {
            loop {
                let Some(me) = weak.upgrade() else { return };
                if let Err(e) = me.refresh(false).await {
                    tracing::warn!(error = %e, "refreshing the knowledge index failed");
                }
                drop(me);
                let _ = tokio::time::timeout(RECHECK_EVERY, changed.notified()).await;
            }
        });
        me
    }

    /// The language model, when one is configured.
    pub fn llm(&self) -> Option<&llm::Llm> {
        self.llm.as_ref()
    }

    /// The current index (cheap: a shared pointer).
    pub fn index(&self) -> Arc<KnowledgeIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// An article was written here: rebuild before answering, so the next question sees it.
    /// A failed rebuild is logged and retried by the background check.
    pub async fn knowledge_changed(&self) {
        if let Err(e) = self.refresh(true).await {
            tracing::warn!(error = %e, "rebuilding the knowledge index failed");
            self.changed.notify_one();
        }
    }

    /// Rebuilds the index when the knowledge base changed since the last build (or always,
    /// with `force`).
    async fn refresh(&self, force: bool) -> Result<(), support_chat_store::StoreError> {
        let mut built = self.rebuilding.lock().await;
        let now = self.store.kb_fingerprint().await?;
        if !force && *built == Some(now) {
            return Ok(());
        }
        let index = rebuild(&self.store).await?;
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(index);
        *built = Some(now);
        Ok(())
    }
}

async fn rebuild(store: &Store) -> Result<KnowledgeIndex, support_chat_store::StoreError> {
    let articles = store.published_articles().await?;
    let started = std::time::Instant::now();
    let index = tokio::task::spawn_blocking(move || {
        KnowledgeIndex::new(
            articles
                .into_iter()
                .map(|a| support_chat_assistant::Article {
                    id: a.id.0,
                    slug: a.slug,
                    title: a.title,
                    body: a.body,
                    tags: a.tags,
                }),
        )
    })
    .await
    .map_err(|e| support_chat_store::StoreError::Other(format!("index build panicked: {e}")))?;
    tracing::debug!(
        articles = index.article_count(),
        passages = index.passage_count(),
        ms = started.elapsed().as_millis() as u64,
        "knowledge index rebuilt"
    );
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_articles_parse_and_answer_their_own_questions() {
        let articles: Vec<_> = STARTER_ARTICLES
            .iter()
            .enumerate()
            .map(|(i, (slug, text))| {
                let a = parse_markdown_article(slug, text)
                    .unwrap_or_else(|e| panic!("starter article {slug}: {e}"));
                support_chat_assistant::Article {
                    id: i as i64,
                    slug: a.slug,
                    title: a.title,
                    body: a.body,
                    tags: a.tags,
                }
            })
            .collect();
        let index = KnowledgeIndex::new(articles);
        let answer = index
            .answer("How do I contact support?")
            .expect("a confident answer");
        assert_eq!(answer.article_title, "How to contact support");
        let answer = index
            .answer("What does the closed status mean?")
            .expect("a confident answer");
        assert_eq!(answer.article_title, "What the conversation statuses mean");
    }
}
