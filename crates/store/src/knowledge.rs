//! Knowledge-base articles: what admins write and the AI assistant answers from.

use crate::{BeginWrite, Store, StoreError, now, on_db};
use serde::Serialize;
use sqlx::types::Json;
use support_chat_domain::{ArticleId, ArticleInput, UserId};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A knowledge-base article.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    #[sqlx(try_from = "i64")]
    pub id: ArticleId,
    /// Stable key (`kb import` updates the article with the same slug).
    pub slug: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    #[sqlx(json)]
    pub tags: Vec<String>,
    /// Unpublished articles are drafts: only admins see them and the assistant ignores them.
    pub published: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What `upsert_article` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

/// Changes between two reads of the knowledge base show up as a different fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KbFingerprint {
    pub count: i64,
    pub id_sum: i64,
    pub last_update: Option<OffsetDateTime>,
}

const ARTICLE_COLS: &str = "id, slug, title, body, tags, published, created_at, updated_at";

impl Store {
    /// One page of articles, newest change first; drafts included only when asked.
    pub async fn list_articles(
        &self,
        include_drafts: bool,
        page: i64,
        page_size: i64,
    ) -> Result<(Vec<Article>, i64), StoreError> {
        let filter = if include_drafts {
            ""
        } else {
            "WHERE published = TRUE"
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ARTICLE_COLS} FROM kb_articles {filter} ORDER BY updated_at DESC, id DESC LIMIT $1 OFFSET $2"
        ));
        let count_sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM kb_articles {filter}"));
        let offset = (page.max(1) - 1) * page_size;
        let rows = on_db!(self, pool => sqlx::query_as::<_, Article>(sql)
            .bind(page_size).bind(offset).fetch_all(pool).await)?;
        let total =
            on_db!(self, pool => sqlx::query_scalar::<_, i64>(count_sql).fetch_one(pool).await)?;
        Ok((rows, total))
    }

    /// Every published article (what the assistant's index is built from).
    pub async fn published_articles(&self) -> Result<Vec<Article>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ARTICLE_COLS} FROM kb_articles WHERE published = TRUE ORDER BY id"
        ));
        Ok(on_db!(self, pool => sqlx::query_as::<_, Article>(sql).fetch_all(pool).await)?)
    }

    /// A cheap summary that changes whenever an article is added, changed or removed.
    pub async fn kb_fingerprint(&self) -> Result<KbFingerprint, StoreError> {
        let (count, id_sum, last_update) = on_db!(self, pool => sqlx::query_as::<_, (i64, Option<i64>, Option<OffsetDateTime>)>(
            "SELECT COUNT(*), CAST(SUM(id) AS BIGINT), MAX(updated_at) FROM kb_articles")
            .fetch_one(pool).await)?;
        Ok(KbFingerprint {
            count,
            id_sum: id_sum.unwrap_or(0),
            last_update,
        })
    }

    pub async fn article(&self, id: ArticleId) -> Result<Option<Article>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ARTICLE_COLS} FROM kb_articles WHERE id = $1"
        ));
        Ok(
            on_db!(self, pool => sqlx::query_as::<_, Article>(sql).bind(id.0).fetch_optional(pool).await)?,
        )
    }

    /// Creates an article; a taken slug is `Conflict`.
    pub async fn create_article(
        &self,
        a: &ArticleInput,
        author: Option<UserId>,
    ) -> Result<Article, StoreError> {
        let t = now();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO kb_articles (slug, title, body, tags, published, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {ARTICLE_COLS}"
        ));
        on_db!(self, pool => sqlx::query_as::<_, Article>(sql)
            .bind(&a.slug).bind(&a.title).bind(&a.body).bind(Json(&a.tags)).bind(a.published)
            .bind(author.map(|u| u.0)).bind(t)
            .fetch_one(pool).await)
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("an article with slug \"{}\" exists", a.slug))
            }
            e => e,
        })
    }

    /// Replaces an article's fields; `NotFound` when it does not exist, `Conflict` when the
    /// new slug is another article's.
    pub async fn update_article(
        &self,
        id: ArticleId,
        a: &ArticleInput,
    ) -> Result<Article, StoreError> {
        let t = now();
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE kb_articles SET slug = $2, title = $3, body = $4, tags = $5, published = $6, updated_at = $7
             WHERE id = $1 RETURNING {ARTICLE_COLS}"
        ));
        on_db!(self, pool => sqlx::query_as::<_, Article>(sql)
            .bind(id.0).bind(&a.slug).bind(&a.title).bind(&a.body).bind(Json(&a.tags))
            .bind(a.published).bind(t)
            .fetch_optional(pool).await)
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("an article with slug \"{}\" exists", a.slug))
            }
            e => e,
        })?
        .ok_or(StoreError::NotFound)
    }

    /// Deletes an article; false when there was none.
    pub async fn delete_article(&self, id: ArticleId) -> Result<bool, StoreError> {
        let n = on_db!(self, pool => sqlx::query("DELETE FROM kb_articles WHERE id = $1")
            .bind(id.0).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Creates the article with this slug, or updates it when its content differs.
    pub async fn upsert_article(
        &self,
        a: &ArticleInput,
        author: Option<UserId>,
    ) -> Result<(Article, Upserted), StoreError> {
        self.upsert_articles(std::slice::from_ref(a), author)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// [`Store::upsert_article`] for many articles in one transaction: all are written or
    /// none is.
    pub async fn upsert_articles(
        &self,
        articles: &[ArticleInput],
        author: Option<UserId>,
    ) -> Result<Vec<(Article, Upserted)>, StoreError> {
        let t = now();
        let select = format!("SELECT {ARTICLE_COLS} FROM kb_articles WHERE slug = $1");
        let update = format!(
            "UPDATE kb_articles SET title = $2, body = $3, tags = $4, published = $5, updated_at = $6
             WHERE slug = $1 RETURNING {ARTICLE_COLS}"
        );
        let insert = format!(
            "INSERT INTO kb_articles (slug, title, body, tags, published, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {ARTICLE_COLS}"
        );
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut out = Vec::with_capacity(articles.len());
            for a in articles {
                let existing = sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(select.as_str()))
                    .bind(&a.slug).fetch_optional(&mut *tx).await?;
                out.push(match existing {
                    Some(e) if e.title == a.title && e.body == a.body && e.tags == a.tags
                        && e.published == a.published => (e, Upserted::Unchanged),
                    Some(_) => (sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(update.as_str()))
                        .bind(&a.slug).bind(&a.title).bind(&a.body).bind(Json(&a.tags))
                        .bind(a.published).bind(t)
                        .fetch_one(&mut *tx).await?, Upserted::Updated),
                    None => (sqlx::query_as::<_, Article>(sqlx::AssertSqlSafe(insert.as_str()))
                        .bind(&a.slug).bind(&a.title).bind(&a.body).bind(Json(&a.tags))
                        .bind(a.published).bind(author.map(|u| u.0)).bind(t)
                        .fetch_one(&mut *tx).await?, Upserted::Created),
                });
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    /// Adds `articles` once in this database's life (the starter articles of a fresh install):
    /// a second call, even after an admin deleted them, adds nothing. True when they were added.
    pub async fn seed_articles_once(
        &self,
        marker: &str,
        articles: &[ArticleInput],
    ) -> Result<bool, StoreError> {
        let t = now();
        on_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let inserted = sqlx::query(
                "INSERT INTO app_meta (meta_key, meta_value) VALUES ($1, $2) ON CONFLICT (meta_key) DO NOTHING")
                .bind(marker).bind(t.to_string()).execute(&mut *tx).await?.rows_affected();
            if inserted == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            for a in articles {
                sqlx::query(
                    "INSERT INTO kb_articles (slug, title, body, tags, published, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (slug) DO NOTHING")
                    .bind(&a.slug).bind(&a.title).bind(&a.body).bind(Json(&a.tags)).bind(a.published).bind(t)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }
}
