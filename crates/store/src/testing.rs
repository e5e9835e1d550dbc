//! Throw-away databases for tests: a temporary SQLite file, or a fresh PostgreSQL database
//! created under `TEST_DATABASE_URL` and dropped afterwards.

use crate::{Store, StoreOptions};

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// A database that lives as long as this value.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

impl TestDb {
    /// Makes a fresh database, or `None` when PostgreSQL is asked for but `TEST_DATABASE_URL`
    /// is unset on a developer machine (a notice is printed). In CI (`CI` set) a missing
    /// PostgreSQL is a failure, never a skip.
    pub async fn new(backend: TestBackend) -> Option<TestDb> {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Some(TestDb {
                    url,
                    _dir: Some(dir),
                    pg_admin: None,
                })
            }
            TestBackend::Postgres => {
                let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
                    if std::env::var_os("CI").is_some() {
                        panic!(
                            "TEST_DATABASE_URL must be set in CI: the PostgreSQL suite is mandatory"
                        );
                    }
                    eprintln!("NOTICE: TEST_DATABASE_URL unset: skipping a PostgreSQL test");
                    return None;
                };
                let name = format!("sc_test_{}", uuid::Uuid::new_v4().simple());
                let admin = sqlx::PgPool::connect(&base)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach TEST_DATABASE_URL: {e}"));
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                let (prefix, _) = base
                    .rsplit_once('/')
                    .expect("TEST_DATABASE_URL has a database name");
                let url = format!("{prefix}/{name}");
                Some(TestDb {
                    url,
                    _dir: None,
                    pg_admin: Some((base, name)),
                })
            }
        }
    }

    /// Connects a store (running migrations).
    pub async fn store(&self) -> Store {
        Store::connect(&self.url, &StoreOptions::default())
            .await
            .expect("connect test store")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = self.pg_admin.take() {
            // Best effort, off the async runtime: drop the database once every connection is gone.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        if let Ok(admin) = sqlx::PgPool::connect(&base).await {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(&admin)
                            .await;
                        }
                    });
                }
            });
        }
    }
}

/// Generates one `#[tokio::test]` per backend for each named test function: a `sqlite` module
/// (always) and a `postgres` module (skipped with a notice without `TEST_DATABASE_URL`, a
/// failure in CI). Each test gets a fresh database; `setup` (an `async fn(&TestDb) -> T` in the
/// calling module) turns it into whatever the tests take.
#[macro_export]
macro_rules! on_every_backend {
    (setup = $setup:ident; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::testing::TestDb::new($crate::testing::TestBackend::Sqlite)
                        .await
                        .expect("a temporary SQLite database");
                    super::$name(super::$setup(&db).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::testing::TestDb::new($crate::testing::TestBackend::Postgres).await
                    else {
                        return;
                    };
                    super::$name(super::$setup(&db).await).await;
                }
            )*
        }
    };
}

impl crate::Store {
    /// Burns a sequence number of `conversation` the way a resend that lost a race between
    /// two writers does, so tests can show readers step over the hole.
    pub async fn burn_sequence_number(
        &self,
        conversation: support_chat_domain::ConversationId,
    ) -> Result<(), crate::StoreError> {
        crate::on_db!(self, pool => sqlx::query("UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1")
            .bind(conversation.0).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Revokes a user's sessions and tokens behind the server's back (no close event is
    /// published), as a change made while the broker was away would look.
    pub async fn revoke_everything_quietly(
        &self,
        user: support_chat_domain::UserId,
    ) -> Result<(), crate::StoreError> {
        let t = crate::now();
        crate::on_db!(self, pool => {
            sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1").bind(user.0).bind(t).execute(pool).await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1").bind(user.0).bind(t).execute(pool).await.map(|_| ())
        })?;
        Ok(())
    }
}
