//! Rate limits kept in this process (per node). Keys are never client-chosen beyond what they
//! identify: a user id, an account email, or the client address.

use crate::config::ServerConfig;
use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use support_chat_domain::{Role, UserId};

pub struct Limits {
    user_sends: DefaultKeyedRateLimiter<UserId>,
    admin_sends: DefaultKeyedRateLimiter<UserId>,
    login_account: DefaultKeyedRateLimiter<String>,
    login_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

fn per_minute(rate: u32, burst: u32) -> Quota {
    Quota::per_minute(nz(rate)).allow_burst(nz(burst))
}

/// Messages per minute and burst for one sender of `role` (admins get five times as many).
pub fn send_quota(c: &ServerConfig, role: Role) -> (u32, u32) {
    let (rate, burst) = (c.message_rate_per_minute, c.message_burst.max(1));
    match role {
        Role::Admin => (rate.saturating_mul(5), burst.saturating_mul(5)),
        Role::User => (rate, burst),
    }
}

impl Limits {
    pub fn new(c: &ServerConfig) -> Self {
        let quota = |role| {
            let (rate, burst) = send_quota(c, role);
            per_minute(rate, burst)
        };
        Limits {
            user_sends: RateLimiter::keyed(quota(Role::User)),
            admin_sends: RateLimiter::keyed(quota(Role::Admin)),
            login_account: RateLimiter::keyed(per_minute(
                c.login_attempts_per_minute,
                c.login_attempts_per_minute,
            )),
            login_ip: RateLimiter::keyed(per_minute(
                c.login_attempts_per_minute.saturating_mul(4),
                c.login_attempts_per_minute.saturating_mul(4),
            )),
            clock: DefaultClock::default(),
        }
    }

    fn verdict<K: std::hash::Hash + Eq + Clone>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), ApiError> {
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            ApiError::RateLimited {
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
            }
        })
    }

    /// One message send by `user`.
    pub fn message_send(&self, user: UserId, role: Role) -> Result<(), ApiError> {
        match role {
            Role::Admin => self.verdict(&self.admin_sends, &user),
            Role::User => self.verdict(&self.user_sends, &user),
        }
    }

    /// One sign-in attempt for `email` from `ip`.
    pub fn login_attempt(&self, email: &str, ip: Option<IpAddr>) -> Result<(), ApiError> {
        if let Some(ip) = ip {
            self.verdict(&self.login_ip, &ip)?;
        }
        self.verdict(&self.login_account, &email.to_owned())
    }

    /// One registration from `ip` (shares the per-address sign-in budget).
    pub fn register_attempt(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.verdict(&self.login_ip, &ip)
    }

    /// Forgets idle keys so the maps do not grow without bound.
    pub fn prune(&self) {
        self.user_sends.retain_recent();
        self.admin_sends.retain_recent();
        self.login_account.retain_recent();
        self.login_ip.retain_recent();
    }
}
