//! The application state handed to every handler: cheap to clone, built once at start-up.

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
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> Self {
        let limits = Limits::new(&config);
        let flags = FlagCache::new(store.clone());
        AppState(Arc::new(Inner {
            store,
            config,
            flags,
            limits,
            metrics: crate::metrics::handle(),
        }))
    }
}
