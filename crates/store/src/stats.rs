//! Numbers for the admin dashboard.

use crate::{Store, StoreError, on_db};
use serde::Serialize;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Support queue figures.
#[derive(Debug, Clone, Serialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub total: i64,
    /// Conversations per status (every status is present, zero included).
    pub by_status: BTreeMap<String, i64>,
    /// Open or in-progress conversations per priority (every priority present).
    pub by_priority: BTreeMap<String, i64>,
    /// Open or in-progress conversations nobody is assigned to.
    pub unassigned: i64,
    /// Open or in-progress urgent conversations.
    pub urgent_open: i64,
    pub avg_first_response_ms: Option<f64>,
    pub median_first_response_ms: Option<f64>,
    pub avg_resolution_ms: Option<f64>,
    /// Messages stored since midnight UTC.
    pub messages_today: i64,
}

impl Store {
    pub async fn stats(&self) -> Result<Stats, StoreError> {
        let midnight = OffsetDateTime::now_utc().replace_time(time::Time::MIDNIGHT);
        let mut s = Stats::default();
        for st in support_chat_domain::ConversationStatus::ALL {
            s.by_status.insert(st.as_str().into(), 0);
        }
        for p in support_chat_domain::Priority::ALL {
            s.by_priority.insert(p.as_str().into(), 0);
        }
        let (groups, avgs, n_first, today) = on_db!(self, pool => {
            let groups = sqlx::query_as::<_, (String, String, bool, i64)>(
                "SELECT status, priority, admin_id IS NULL AS unassigned, COUNT(*) FROM conversations
                 GROUP BY status, priority, admin_id IS NULL")
                .fetch_all(pool).await?;
            let avgs = sqlx::query_as::<_, (Option<f64>, Option<f64>)>(
                "SELECT CAST(AVG(first_response_ms) AS DOUBLE PRECISION),
                        CAST(AVG(resolution_ms) AS DOUBLE PRECISION) FROM conversations")
                .fetch_one(pool).await?;
            let n_first = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM conversations WHERE first_response_ms IS NOT NULL")
                .fetch_one(pool).await?;
            let today = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM support_messages WHERE created_at >= $1")
                .bind(midnight).fetch_one(pool).await?;
            (groups, avgs, n_first, today)
        });
        for (status, priority, unassigned, n) in groups {
            s.total += n;
            *s.by_status.entry(status.clone()).or_default() += n;
            let live = status == "open" || status == "in_progress";
            if live {
                *s.by_priority.entry(priority.clone()).or_default() += n;
                if unassigned {
                    s.unassigned += n;
                }
                if priority == "urgent" {
                    s.urgent_open += n;
                }
            }
        }
        s.avg_first_response_ms = avgs.0;
        s.avg_resolution_ms = avgs.1;
        s.messages_today = today;
        if n_first > 0 {
            // The middle one (odd count) or the two middle ones (even count).
            let take = 2 - (n_first % 2);
            let skip = (n_first - 1) / 2;
            let mids = on_db!(self, pool => sqlx::query_scalar::<_, i64>(
                "SELECT first_response_ms FROM conversations WHERE first_response_ms IS NOT NULL
                 ORDER BY first_response_ms LIMIT $1 OFFSET $2")
                .bind(take).bind(skip).fetch_all(pool).await?);
            if !mids.is_empty() {
                s.median_first_response_ms =
                    Some(mids.iter().map(|&v| v as f64).sum::<f64>() / mids.len() as f64);
            }
        }
        Ok(s)
    }
}
