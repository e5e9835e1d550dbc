//! Accounts, sessions and API tokens.

use crate::BeginWrite;
use crate::{ApiToken, SessionInfo, SessionRow, Store, StoreError, User, now, on_db};
use std::collections::HashMap;
use std::time::Instant;
use support_chat_domain::{Role, UserId};
use time::OffsetDateTime;

/// A session and its user, read in one query.
#[derive(sqlx::FromRow)]
struct SessionUserRow {
    session_id: String,
    csrf_token: String,
    session_created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    #[sqlx(flatten)]
    user: User,
}

/// An API token and its user, read in one query.
#[derive(sqlx::FromRow)]
struct TokenUserRow {
    token_id: String,
    last_used_at: Option<OffsetDateTime>,
    #[sqlx(flatten)]
    user: User,
}

/// Credentials per statement in the background batches (touches and checks).
const CREDENTIAL_CHUNK: usize = 500;

/// A background batch over credentials, a chunk at a time: after each chunk it waits twice as
/// long as the chunk took, with no connection held. Tens of thousands of them at once (every
/// socket reconnecting after a restart) then take at most about a third of a core, and a
/// connection, or SQLite's write lock, for one chunk at a time: the handshakes and messages of
/// that moment go first.
struct PacedChunks<'a> {
    chunks: std::slice::Chunks<'a, String>,
    started: Option<Instant>,
}

fn paced_chunks(ids: &[String]) -> PacedChunks<'_> {
    PacedChunks {
        chunks: ids.chunks(CREDENTIAL_CHUNK),
        started: None,
    }
}

impl<'a> PacedChunks<'a> {
    /// The next chunk, after the rest owed for the one before.
    async fn next(&mut self) -> Option<&'a [String]> {
        if let Some(started) = self.started.take() {
            tokio::time::sleep(started.elapsed() * 2).await;
        }
        let part = self.chunks.next()?;
        self.started = Some(Instant::now());
        Some(part)
    }
}

const USER_COLS: &str = "id, email, name, role, external_id, password_hash, created_at";

impl Store {
    /// Creates an account; a taken email is `Conflict`.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password_hash: Option<&str>,
    ) -> Result<User, StoreError> {
        let t = now();
        let user = on_db!(self, pool => sqlx::query_as::<_, User>(
            "INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)
             RETURNING id, email, name, role, external_id, password_hash, created_at")
            .bind(email).bind(name).bind(role.as_str()).bind(password_hash).bind(t)
            .fetch_one(pool).await)?;
        Ok(user)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE email = $1"));
        Ok(
            on_db!(self, pool => sqlx::query_as::<_, User>(sql).bind(email).fetch_optional(pool).await)?,
        )
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE id = $1"));
        Ok(
            on_db!(self, pool => sqlx::query_as::<_, User>(sql).bind(id.0).fetch_optional(pool).await)?,
        )
    }

    /// Every admin, by name (for assignment pickers).
    pub async fn list_admins(&self) -> Result<Vec<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLS} FROM users WHERE role = 'admin' ORDER BY name, id"
        ));
        Ok(on_db!(self, pool => sqlx::query_as::<_, User>(sql).fetch_all(pool).await)?)
    }

    pub async fn count_admins(&self) -> Result<i64, StoreError> {
        Ok(on_db!(self, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM users WHERE role = 'admin'").fetch_one(pool).await)?)
    }

    /// Finds the user linked to `external_id`, or creates (or links, by email) one.
    /// Name and email follow the host app on every sign-in.
    pub async fn upsert_sso_user(
        &self,
        external_id: &str,
        email: &str,
        name: &str,
    ) -> Result<User, StoreError> {
        let t = now();
        let id = on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let linked = sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE external_id = $1")
                .bind(external_id).fetch_optional(&mut *tx).await?;
            let id = match linked {
                Some(id) => {
                    sqlx::query("UPDATE users SET email = $2, name = $3, updated_at = $4 WHERE id = $1")
                        .bind(id).bind(email).bind(name).bind(t).execute(&mut *tx).await?;
                    id
                }
                None => {
                    let by_email = sqlx::query_as::<_, (i64, Option<String>)>(
                        "SELECT id, external_id FROM users WHERE email = $1")
                        .bind(email).fetch_optional(&mut *tx).await?;
                    match by_email {
                        Some((_, Some(_))) => {
                            return Err(StoreError::Conflict(
                                "email is already linked to another external account".into()));
                        }
                        Some((_, None)) => {
                            // Never take over a local account (it may be an admin) on the
                            // strength of an email claim.
                            return Err(StoreError::Conflict(
                                "email belongs to an existing account that is not linked to single sign-on"
                                    .into(),
                            ));
                        }
                        None => sqlx::query_scalar::<_, i64>(
                            "INSERT INTO users (email, name, role, external_id, created_at, updated_at)
                             VALUES ($1, $2, 'user', $3, $4, $4) RETURNING id")
                            .bind(email).bind(name).bind(external_id).bind(t)
                            .fetch_one(&mut *tx).await?,
                    }
                }
            };
            tx.commit().await?;
            id
        });
        self.user_by_id(UserId(id))
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Sets a new password hash and revokes every session of that user except `keep_session`.
    pub async fn set_password(
        &self,
        user: UserId,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let t = now();
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
                .bind(user.0).bind(password_hash).bind(t).execute(&mut *tx).await?;
            sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND id <> $3")
                .bind(user.0).bind(t).bind(keep_session.unwrap_or("")).execute(&mut *tx).await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Changes a user's role (admin action).
    pub async fn set_role(&self, user: UserId, role: Role) -> Result<(), StoreError> {
        let n = on_db!(self, pool => sqlx::query("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1")
            .bind(user.0).bind(role.as_str()).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Which of these sessions (by hash) and API tokens (by id) still work, with their user's
    /// current role: open sockets are checked against this now and then. A background batch
    /// (see [`PacedChunks`]).
    pub async fn live_credentials(
        &self,
        sessions: &[String],
        tokens: &[String],
    ) -> Result<(HashMap<String, Role>, HashMap<String, Role>), StoreError> {
        let t = now();
        let mut live_sessions = HashMap::new();
        let mut live_tokens = HashMap::new();
        let keep = |map: &mut HashMap<String, Role>, rows: Vec<(String, String)>| {
            for (id, role) in rows {
                if let Ok(role) = role.parse() {
                    map.insert(id, role);
                }
            }
        };
        let mut chunks = paced_chunks(sessions);
        while let Some(part) = chunks.next().await {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT s.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.revoked_at IS NULL AND s.expires_at > $1 AND s.id IN ({})",
                crate::batch::placeholders(2, part.len())
            ));
            let rows = on_db!(self, pool => {
                let mut q = sqlx::query_as::<_, (String, String)>(sql).persistent(false).bind(t);
                for id in part {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(pool).await?
            });
            keep(&mut live_sessions, rows);
        }
        let mut chunks = paced_chunks(tokens);
        while let Some(part) = chunks.next().await {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT t.id, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.revoked_at IS NULL AND t.id IN ({})",
                crate::batch::placeholders(1, part.len())
            ));
            let rows = on_db!(self, pool => {
                let mut q = sqlx::query_as::<_, (String, String)>(sql).persistent(false);
                for id in part {
                    q = q.bind(id.as_str());
                }
                q.fetch_all(pool).await?
            });
            keep(&mut live_tokens, rows);
        }
        Ok((live_sessions, live_tokens))
    }

    /// `ids` of rows of `table` (keyed by a text `id`) in the order the rows are stored, on
    /// SQLite (by rowid): an update of a chunk of them then rewrites a few neighbouring pages
    /// instead of about one page per row. The ids come in no useful order (from a hash set),
    /// and a session's id, a hash, says nothing about where its row lies. Measured on 14,000 of
    /// 19,000 tokens: the reads and updates together took a fifth of the time of the updates
    /// alone in random order. Ids without a row are left out. PostgreSQL writes a new version
    /// of each updated row wherever there is room, so there they are returned as they are.
    async fn in_storage_order(
        &self,
        table: &'static str,
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let crate::Db::Sqlite(pool) = &self.db else {
            return Ok(ids.to_vec());
        };
        let mut rows: Vec<(i64, String)> = Vec::with_capacity(ids.len());
        let mut chunks = paced_chunks(ids);
        while let Some(part) = chunks.next().await {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT rowid, id FROM {table} WHERE id IN ({})",
                crate::batch::placeholders(1, part.len())
            ));
            let mut q = sqlx::query_as::<_, (i64, String)>(sql).persistent(false);
            for id in part {
                q = q.bind(id.as_str());
            }
            rows.extend(q.fetch_all(pool).await?);
        }
        rows.sort_unstable();
        Ok(rows.into_iter().map(|(_, id)| id).collect())
    }

    // ---- sessions ----------------------------------------------------------------------------

    /// Stores a session keyed by the hash of its cookie token.
    pub async fn create_session(
        &self,
        id_hash: &str,
        user: UserId,
        csrf_token: &str,
        expires_at: OffsetDateTime,
        user_agent: Option<&str>,
        ip: Option<&str>,
    ) -> Result<(), StoreError> {
        let t = now();
        on_db!(self, pool => sqlx::query(
            "INSERT INTO sessions (id, user_id, csrf_token, created_at, last_seen_at, expires_at, user_agent, ip)
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7)")
            .bind(id_hash).bind(user.0).bind(csrf_token).bind(t).bind(expires_at)
            .bind(user_agent).bind(ip).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A live (not revoked, not expired) session and its user.
    pub async fn live_session(
        &self,
        id_hash: &str,
    ) -> Result<Option<(SessionRow, User)>, StoreError> {
        let row = on_db!(self, pool => sqlx::query_as::<_, SessionUserRow>(
            "SELECT s.id AS session_id, s.csrf_token, s.created_at AS session_created_at, s.last_seen_at,
                    s.expires_at, u.id, u.email, u.name, u.role, u.external_id, u.password_hash, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2")
            .bind(id_hash).bind(now()).fetch_optional(pool).await)?;
        Ok(row.map(|r| {
            let session = SessionRow {
                id: r.session_id,
                user_id: r.user.id,
                csrf_token: r.csrf_token,
                created_at: r.session_created_at,
                last_seen_at: r.last_seen_at,
                expires_at: r.expires_at,
                revoked_at: None,
            };
            (session, r.user)
        }))
    }

    pub async fn revoke_session(&self, id_hash: &str) -> Result<(), StoreError> {
        on_db!(self, pool => sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id_hash).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Revokes the session of `user` whose id starts with `handle`; false if there is none.
    pub async fn revoke_session_by_handle(
        &self,
        user: UserId,
        handle: &str,
    ) -> Result<bool, StoreError> {
        if handle.len() < 16 || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let pattern = format!("{handle}%");
        let n = on_db!(self, pool => sqlx::query(
            "UPDATE sessions SET revoked_at = $3 WHERE user_id = $1 AND id LIKE $2 AND revoked_at IS NULL")
            .bind(user.0).bind(&pattern).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    pub async fn list_sessions(&self, user: UserId) -> Result<Vec<SessionInfo>, StoreError> {
        let t = now();
        Ok(on_db!(self, pool => sqlx::query_as::<_, SessionInfo>(
            "SELECT substr(id, 1, 16) AS id, created_at, last_seen_at, user_agent, ip FROM sessions
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 100")
            .bind(user.0).bind(t).fetch_all(pool).await)?)
    }

    // ---- API tokens --------------------------------------------------------------------------

    pub async fn create_api_token(
        &self,
        id: &str,
        user: UserId,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken, StoreError> {
        Ok(on_db!(self, pool => sqlx::query_as::<_, ApiToken>(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id, name, created_at, last_used_at")
            .bind(id).bind(user.0).bind(name).bind(token_hash).bind(now()).fetch_one(pool).await)?)
    }

    /// The user owning a live token with this hash, the token id and when it was last used.
    pub async fn user_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(String, User, Option<OffsetDateTime>)>, StoreError> {
        let row = on_db!(self, pool => sqlx::query_as::<_, TokenUserRow>(
            "SELECT t.id AS token_id, t.last_used_at, u.id, u.email, u.name, u.role, u.external_id,
                    u.password_hash, u.created_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL")
            .bind(token_hash).fetch_optional(pool).await)?;
        Ok(row.map(|r| (r.token_id, r.user, r.last_used_at)))
    }

    /// Records the use of many API tokens at once (the server batches them). A background
    /// batch (see [`PacedChunks`]): each chunk is its own short write, so the message writer
    /// never waits behind the whole batch.
    pub async fn touch_api_tokens(&self, token_ids: &[String]) -> Result<(), StoreError> {
        let t = now();
        let ids = self.in_storage_order("api_tokens", token_ids).await?;
        let mut chunks = paced_chunks(&ids);
        while let Some(part) = chunks.next().await {
            let sql = sqlx::AssertSqlSafe(format!(
                "UPDATE api_tokens SET last_used_at = $1 WHERE id IN ({})",
                crate::batch::placeholders(2, part.len())
            ));
            on_db!(self, pool => {
                let mut q = sqlx::query(sql).persistent(false).bind(t);
                for id in part {
                    q = q.bind(id.as_str());
                }
                q.execute(pool).await?;
            });
        }
        Ok(())
    }

    /// Slides many sessions' expiry to `expires_at` at once (the server batches them), as
    /// [`Store::touch_api_tokens`] does.
    pub async fn touch_sessions(
        &self,
        id_hashes: &[String],
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let t = now();
        let ids = self.in_storage_order("sessions", id_hashes).await?;
        let mut chunks = paced_chunks(&ids);
        while let Some(part) = chunks.next().await {
            let sql = sqlx::AssertSqlSafe(format!(
                "UPDATE sessions SET last_seen_at = $1, expires_at = $2
                 WHERE revoked_at IS NULL AND expires_at > $1 AND id IN ({})",
                crate::batch::placeholders(3, part.len())
            ));
            on_db!(self, pool => {
                let mut q = sqlx::query(sql).persistent(false).bind(t).bind(expires_at);
                for id in part {
                    q = q.bind(id.as_str());
                }
                q.execute(pool).await?;
            });
        }
        Ok(())
    }

    pub async fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        Ok(on_db!(self, pool => sqlx::query_as::<_, ApiToken>(
            "SELECT id, name, created_at, last_used_at FROM api_tokens
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC")
            .bind(user.0).fetch_all(pool).await)?)
    }

    /// Revokes one of `user`'s tokens; false when they have no such token.
    pub async fn revoke_api_token(&self, user: UserId, token_id: &str) -> Result<bool, StoreError> {
        let n = on_db!(self, pool => sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind(token_id).bind(user.0).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }
}
