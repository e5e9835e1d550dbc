//! Feature flags: a short-lived in-memory copy of the table, so gating a route costs no query.
//! A change made on this node is seen at once; other nodes see it within [`TTL`].

use crate::error::ApiError;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support_chat_domain::{Role, UserId};
use support_chat_store::{FeatureFlag, Store};
use tokio::sync::RwLock;

pub const TTL: Duration = Duration::from_secs(2);

pub struct FlagCache {
    store: Store,
    cached: RwLock<Option<(Instant, Vec<FeatureFlag>)>>,
}

/// Whether `flag` is on for this user: enabled, the user's role allowed, and the user inside
/// the rollout percentage (a stable bucket per user and flag).
pub fn is_on_for(flag: &FeatureFlag, user: UserId, role: Role) -> bool {
    if !flag.enabled {
        return false;
    }
    if let Some(roles) = &flag.roles
        && !roles.contains(&role)
    {
        return false;
    }
    if flag.rollout_percent >= 100 {
        return true;
    }
    use std::hash::Hasher;
    let mut h = fnv::FnvHasher::default();
    h.write(flag.key.as_bytes());
    h.write_i64(user.0);
    (h.finish() % 100) < flag.rollout_percent.max(0) as u64
}

impl FlagCache {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            cached: RwLock::new(None),
        }
    }

    pub async fn all(&self) -> Result<Vec<FeatureFlag>, ApiError> {
        if let Some((at, flags)) = &*self.cached.read().await
            && at.elapsed() < TTL
        {
            return Ok(flags.clone());
        }
        let flags = self.store.list_flags().await?;
        *self.cached.write().await = Some((Instant::now(), flags.clone()));
        Ok(flags)
    }

    pub async fn invalidate(&self) {
        *self.cached.write().await = None;
    }

    /// Every flag's state for this user.
    pub async fn for_user(
        &self,
        user: UserId,
        role: Role,
    ) -> Result<BTreeMap<String, bool>, ApiError> {
        Ok(self
            .all()
            .await?
            .iter()
            .map(|f| (f.key.clone(), is_on_for(f, user, role)))
            .collect())
    }

    /// `403 feature_disabled` unless `key` is on for this user.
    pub async fn require(&self, key: &str, user: UserId, role: Role) -> Result<(), ApiError> {
        let on = self
            .all()
            .await?
            .iter()
            .any(|f| f.key == key && is_on_for(f, user, role));
        if on {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "feature_disabled",
                format!("The feature '{key}' is turned off."),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(enabled: bool, pct: i64, roles: Option<Vec<Role>>) -> FeatureFlag {
        FeatureFlag {
            key: "support_chat".into(),
            display_name: String::new(),
            description: String::new(),
            enabled,
            default_enabled: true,
            rollout_percent: pct,
            roles,
        }
    }

    #[test]
    fn a_disabled_flag_is_off_for_everyone() {
        assert!(!is_on_for(&flag(false, 100, None), UserId(1), Role::Admin));
    }

    #[test]
    fn roles_limit_who_gets_a_flag() {
        let f = flag(true, 100, Some(vec![Role::Admin]));
        assert!(is_on_for(&f, UserId(1), Role::Admin));
        assert!(!is_on_for(&f, UserId(1), Role::User));
    }

    #[test]
    fn rollout_takes_a_stable_share_of_users() {
        let f = flag(true, 30, None);
        let on = (0..10_000)
            .filter(|&i| is_on_for(&f, UserId(i), Role::User))
            .count();
        assert!((2_500..3_500).contains(&on), "{on} of 10000");
        assert_eq!(
            is_on_for(&f, UserId(42), Role::User),
            is_on_for(&f, UserId(42), Role::User)
        );
        assert_eq!(
            (0..100)
                .filter(|&i| is_on_for(&flag(true, 0, None), UserId(i), Role::User))
                .count(),
            0
        );
    }
}
