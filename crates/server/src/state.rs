//! The application state handed to every handler: cheap to clone, built once at start-up.

use crate::cache::{AuthCache, OwnerCache};
use crate::config::ServerConfig;
use crate::flags::FlagCache;
use crate::limits::Limits;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use support_chat_store::Store;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: ServerConfig,
    pub flags: FlagCache,
    pub limits: Limits,
    pub metrics: PrometheusHandle,
    pub auth_cache: AuthCache,
    pub owners: OwnerCache,
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

    pub fn new(store: Store, config: ServerConfig) -> Self {
        let limits = Limits::new(&config);
        let flags = FlagCache::new(store.clone());
        AppState(Arc::new(Inner {
            store,
            config,
            flags,
            limits,
            metrics: crate::metrics::handle(),
            auth_cache: AuthCache::default(),
            owners: OwnerCache::default(),
        }))
    }
}
