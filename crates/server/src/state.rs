//! The application state handed to every handler: cheap to clone, built once at start-up.

use crate::cache::{AuthCache, OwnerCache};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::flags::FlagCache;
use crate::limits::Limits;
use crate::realtime::broker::Redis;
use crate::realtime::protocol::{
    ConversationChange, ConversationCreatedData, ReadReceiptEvent, ServerFrame,
};
use crate::realtime::{CloseTarget, Event, Hub};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use support_chat_domain::{ConversationId, MessageId, Role, UserId};
use support_chat_store::{Conversation, Message, Store};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    /// The AI assistant's knowledge index, kept fresh.
    pub assistant: Arc<crate::assistant::Assistant>,
    pub config: ServerConfig,
    pub flags: Arc<FlagCache>,
    pub hub: Arc<Hub>,
    pub limits: Limits,
    pub metrics: PrometheusHandle,
    pub auth_cache: AuthCache,
    pub owners: OwnerCache,
    pub touches: crate::cache::Touches,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Who opened a conversation (cached: ownership never changes); `None` if it does not exist.
    pub async fn conversation_owner(
        &self,
        id: support_chat_domain::ConversationId,
    ) -> Result<Option<support_chat_domain::UserId>, support_chat_store::StoreError> {
        if let Some(owner) = self.owners.get(id) {
            return Ok(Some(owner));
        }
        let owner = self.store.conversation_owner(id).await?;
        if let Some(o) = owner {
            self.owners.put(id, o);
        }
        Ok(owner)
    }

    /// State with in-process real-time fan-out (one node).
    pub fn new(store: Store, config: ServerConfig) -> Self {
        Self::with_redis(store, config, None)
    }

    /// State whose real-time events also travel through Redis to the other nodes, which share
    /// send rate limits and admin presence with this one.
    pub fn with_redis(store: Store, config: ServerConfig, redis: Option<Redis>) -> Self {
        let limits = Limits::new(&config);
        let flags = Arc::new(FlagCache::new(store.clone()));
        let hub = Hub::new(config.realtime.clone(), store.clone(), flags.clone(), redis);
        // Committed messages are handed to one dispatcher task, in commit order, so encoding
        // and fan-out stay off the writer's path. Should the dispatcher fall far behind, the
        // writer delivers inline rather than drop anything.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<support_chat_store::SentMessage>(8_192);
        let weak = Arc::downgrade(&hub);
        tokio::spawn(async move {
            while let Some(sent) = rx.recv().await {
                match weak.upgrade() {
                    Some(hub) => hub.message_stored(&sent),
                    None => return,
                }
            }
        });
        let weak = Arc::downgrade(&hub);
        store.set_message_listener(Some(Arc::new(move |sent| {
            if sent.audience.is_none() {
                return; // a repeat: nothing new to tell anyone
            }
            if let Err(tokio::sync::mpsc::error::TrySendError::Full(sent)) =
                tx.try_send(sent.clone())
                && let Some(hub) = weak.upgrade()
            {
                metrics::counter!("ws_dispatch_inline_total").increment(1);
                hub.message_stored(&sent);
            }
        })));
        AppState(Arc::new(Inner {
            assistant: crate::assistant::Assistant::start(store.clone(), config.llm.clone()),
            store,
            config,
            flags,
            hub,
            limits,
            metrics: crate::metrics::handle(),
            auth_cache: AuthCache::default(),
            owners: OwnerCache::default(),
            touches: crate::cache::Touches::default(),
        }))
    }

    /// Writes the sessions and tokens used since the last call (last use, sliding expiry).
    pub async fn flush_touches(&self) {
        let taken = self.touches.take();
        if !taken.sessions.is_empty() {
            let expires = time::OffsetDateTime::now_utc() + self.config.session_ttl;
            if let Err(e) = self.store.touch_sessions(&taken.sessions, expires).await {
                tracing::warn!(error = %e, "recording session use failed");
            }
        }
        if !taken.tokens.is_empty()
            && let Err(e) = self.store.touch_api_tokens(&taken.tokens).await
        {
            tracing::warn!(error = %e, "recording token use failed");
        }
        taken.written();
    }

    /// One message send by `user`: shared by every node through Redis when there is Redis,
    /// this node's own count otherwise (and while Redis does not answer).
    pub async fn check_send_limit(&self, user: UserId, role: Role) -> Result<(), ApiError> {
        if let Some(redis) = self.hub.redis() {
            let (rate, burst) = crate::limits::send_quota(&self.config, role);
            match redis.allow(&format!("send:{}", user.0), rate, burst).await {
                Some(Ok(())) => return Ok(()),
                Some(Err(retry_after_secs)) => {
                    return Err(ApiError::RateLimited { retry_after_secs });
                }
                None => {}
            }
        }
        self.limits.message_send(user, role)
    }

    /// Tells the conversation's room that `user` has read up to `message`.
    pub fn publish_read(&self, conversation: ConversationId, user: UserId, message: MessageId) {
        let frame = ServerFrame::ReadReceipt {
            conversation_id: conversation,
            data: ReadReceiptEvent {
                user_id: user,
                message_id: message,
            },
        };
        self.hub.publish(Event::Room {
            conversation,
            except: None,
            frame: frame.encode().to_string(),
        });
    }

    /// Tells the room, the owner and every admin what changed in a conversation.
    pub fn publish_change(
        &self,
        conversation: ConversationId,
        owner: Option<UserId>,
        change: ConversationChange,
    ) {
        let frame = ServerFrame::ConversationUpdated {
            conversation_id: conversation,
            data: change,
        };
        self.hub.publish(Event::Updated {
            conversation,
            owner,
            frame: frame.encode().to_string(),
        });
    }

    /// Tells every admin about a new conversation.
    pub fn publish_created(&self, conversation: &Conversation, message: &Message) {
        let frame = ServerFrame::ConversationCreated {
            conversation_id: conversation.id,
            data: Box::new(ConversationCreatedData {
                conversation: conversation.clone(),
                message: message.clone(),
            }),
        };
        self.hub.publish(Event::Admins {
            frame: frame.encode().to_string(),
        });
    }

    /// Closes sockets on every node (sign-out, revoked credentials).
    pub fn close_sockets(&self, target: CloseTarget) {
        self.hub.publish(Event::Close { target });
    }
}
