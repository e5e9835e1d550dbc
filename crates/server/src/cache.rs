//! Small in-process caches for the hot path: who a credential belongs to (briefly) and who owns
//! a conversation (forever: ownership never changes). Both are bounded.

use crate::auth::CurrentUser;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use support_chat_domain::{ConversationId, UserId};

/// Entries kept at most; past that a cache starts over (cheap, and rare).
const MAX_ENTRIES: usize = 100_000;

/// Resolved sessions and API tokens, kept for [`AUTH_TTL`]. A revocation on this node removes
/// the user's entries at once; another node's revocation is seen within the TTL.
pub const AUTH_TTL: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct AuthCache {
    map: Mutex<HashMap<String, (Instant, CurrentUser)>>,
}

impl AuthCache {
    pub fn get(&self, key: &str) -> Option<CurrentUser> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < AUTH_TTL)
            .map(|(_, u)| u.clone())
    }

    pub fn put(&self, key: String, user: CurrentUser) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (at, _)| at.elapsed() < AUTH_TTL);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), user));
    }

    /// Drops expired entries (called periodically, so the map holds about one TTL's worth).
    pub fn prune(&self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (at, _)| at.elapsed() < AUTH_TTL);
    }

    /// Forgets every credential of `user` (sign-out, password change, token revoked).
    pub fn invalidate_user(&self, user: UserId) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, u)| u.user.id != user);
    }
}

/// Conversation → the user who opened it.
#[derive(Default)]
pub struct OwnerCache {
    map: Mutex<HashMap<ConversationId, UserId>>,
}

impl OwnerCache {
    pub fn get(&self, c: ConversationId) -> Option<UserId> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&c)
            .copied()
    }

    pub fn put(&self, c: ConversationId, owner: UserId) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(c, owner);
    }
}

/// Sessions and API tokens used lately, written to the database in one statement each every
/// few seconds instead of one write per sign-in check (a burst of WebSocket connects would
/// otherwise queue thousands of single-row writes).
#[derive(Default)]
pub struct Touches {
    inner: Mutex<(
        std::collections::HashSet<String>,
        std::collections::HashSet<String>,
    )>,
}

impl Touches {
    pub fn session(&self, id_hash: &str) {
        let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if t.0.len() < MAX_ENTRIES {
            t.0.insert(id_hash.to_owned());
        }
    }

    pub fn token(&self, token_id: &str) {
        let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if t.1.len() < MAX_ENTRIES {
            t.1.insert(token_id.to_owned());
        }
    }

    /// Everything recorded since the last call: session hashes and token ids. They come back
    /// for the next call unless [`Taken::written`] is called: a flush cancelled half-way (the
    /// periodic one is aborted at shutdown, before the last one) loses nothing.
    pub fn take(&self) -> Taken<'_> {
        let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (s, k) = std::mem::take(&mut *t);
        Taken {
            from: self,
            sessions: s.into_iter().collect(),
            tokens: k.into_iter().collect(),
            written: false,
        }
    }
}

/// Touches taken for writing (see [`Touches::take`]).
pub struct Taken<'a> {
    from: &'a Touches,
    pub sessions: Vec<String>,
    pub tokens: Vec<String>,
    written: bool,
}

impl Taken<'_> {
    /// They were written (or writing them failed for good): do not put them back.
    pub fn written(mut self) {
        self.written = true;
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        if self.written {
            return;
        }
        let mut t = self.from.inner.lock().unwrap_or_else(|e| e.into_inner());
        for s in self.sessions.drain(..) {
            if t.0.len() >= MAX_ENTRIES {
                break;
            }
            t.0.insert(s);
        }
        for k in self.tokens.drain(..) {
            if t.1.len() >= MAX_ENTRIES {
                break;
            }
            t.1.insert(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Touches;

    #[test]
    fn touches_not_written_come_back_for_the_next_flush() {
        let touches = Touches::default();
        touches.session("s1");
        touches.token("t1");
        let taken = touches.take();
        assert_eq!(
            (taken.sessions.clone(), taken.tokens.clone()),
            (vec!["s1".to_owned()], vec!["t1".to_owned()])
        );
        touches.session("s2");
        drop(taken); // cancelled half-way
        let mut again = touches.take();
        again.sessions.sort();
        assert_eq!(again.sessions, ["s1", "s2"]);
        assert_eq!(again.tokens, ["t1"]);
        again.written();
        let empty = touches.take();
        assert!(
            empty.sessions.is_empty() && empty.tokens.is_empty(),
            "written ones are gone"
        );
    }
}
