//! Feature flags.

use crate::{FeatureFlag, Store, StoreError, now, on_db};
use sqlx::types::Json;
use support_chat_domain::Role;

/// The flags a fresh install has: `(key, display name, description, on by default)`.
/// Flags of features that are not built yet start off.
pub const DEFAULT_FLAGS: &[(&str, &str, &str, bool)] = &[
    (
        "support_chat",
        "Support Chat",
        "Direct messaging with administrators",
        true,
    ),
    (
        "ai_handoff",
        "AI hand-off",
        "The AI assistant can hand a conversation to a human",
        true,
    ),
    (
        "file_uploads",
        "File uploads",
        "Attach files to support messages",
        false,
    ),
];

/// A change to one flag.
#[derive(Debug, Clone)]
pub struct FlagUpdate {
    pub enabled: bool,
    pub rollout_percent: Option<i64>,
    /// `Some(None)` clears the role limit; `None` leaves it unchanged.
    pub roles: Option<Option<Vec<Role>>>,
}

type FlagRow = (
    String,
    String,
    String,
    bool,
    bool,
    i64,
    Option<Json<Vec<String>>>,
);

fn flag_from_row(r: FlagRow) -> FeatureFlag {
    let (key, display_name, description, enabled, default_enabled, rollout_percent, roles) = r;
    FeatureFlag {
        key,
        display_name,
        description,
        enabled,
        default_enabled,
        rollout_percent,
        roles: roles.map(|Json(v)| v.iter().filter_map(|s| s.parse().ok()).collect()),
    }
}

const FLAG_COLS: &str =
    "feature_key, display_name, description, enabled, default_enabled, rollout_percent, roles";

impl Store {
    /// Adds any missing default flag, on when `default_on` and the flag's feature is on by
    /// default; existing flags are left alone.
    pub async fn ensure_default_flags(&self, default_on: bool) -> Result<(), StoreError> {
        let t = now();
        for (key, name, description, on) in DEFAULT_FLAGS {
            on_db!(self, pool => sqlx::query(
                "INSERT INTO feature_flags (feature_key, display_name, description, enabled, default_enabled, rollout_percent, updated_at)
                 VALUES ($1, $2, $3, $4, $4, 100, $5) ON CONFLICT (feature_key) DO NOTHING")
                .bind(*key).bind(*name).bind(*description).bind(default_on && *on).bind(t)
                .execute(pool).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    pub async fn list_flags(&self) -> Result<Vec<FeatureFlag>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {FLAG_COLS} FROM feature_flags ORDER BY feature_key"
        ));
        let rows = on_db!(self, pool => sqlx::query_as::<_, FlagRow>(sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(flag_from_row).collect())
    }

    /// Updates a flag; `NotFound` for an unknown key.
    pub async fn update_flag(&self, key: &str, u: &FlagUpdate) -> Result<FeatureFlag, StoreError> {
        let roles_set = u.roles.is_some();
        let roles: Option<Json<Vec<String>>> = u
            .roles
            .clone()
            .flatten()
            .map(|r| Json(r.iter().map(|r| r.as_str().to_owned()).collect()));
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE feature_flags SET enabled = $2, rollout_percent = COALESCE($3, rollout_percent),
                    roles = CASE WHEN $4 THEN $5 ELSE roles END, updated_at = $6
             WHERE feature_key = $1 RETURNING {FLAG_COLS}"
        ));
        let row = on_db!(self, pool => sqlx::query_as::<_, FlagRow>(sql)
            .bind(key).bind(u.enabled).bind(u.rollout_percent).bind(roles_set).bind(roles).bind(now())
            .fetch_optional(pool).await)?;
        row.map(flag_from_row).ok_or(StoreError::NotFound)
    }
}
