//! Per-person notification preferences.

use crate::{NotificationPreferences, Store, StoreError, now, on_db};
use support_chat_domain::UserId;

/// A change to someone's preferences; `None` leaves that setting as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotificationPreferencesPatch {
    pub browser: Option<bool>,
    pub sound: Option<bool>,
    pub email_urgent: Option<bool>,
}

impl Store {
    /// The person's preferences, or the defaults when they never saved any.
    pub async fn notification_preferences(
        &self,
        user: UserId,
    ) -> Result<NotificationPreferences, StoreError> {
        let row = on_db!(self, pool => sqlx::query_as::<_, (bool, bool, bool)>(
            "SELECT browser, sound, email_urgent FROM notification_preferences WHERE user_id = $1")
            .bind(user.0).fetch_optional(pool).await)?;
        Ok(row.map_or_else(NotificationPreferences::default, from_row))
    }

    /// Applies `patch` to the person's preferences (starting from the defaults the first time)
    /// in one statement, so two saves at once never lose each other's settings; returns the
    /// result.
    pub async fn update_notification_preferences(
        &self,
        user: UserId,
        patch: NotificationPreferencesPatch,
    ) -> Result<NotificationPreferences, StoreError> {
        let d = NotificationPreferences::default();
        let row = on_db!(self, pool => sqlx::query_as::<_, (bool, bool, bool)>(
            "INSERT INTO notification_preferences (user_id, browser, sound, email_urgent, updated_at)
             VALUES ($1, COALESCE($2, $5), COALESCE($3, $6), COALESCE($4, $7), $8)
             ON CONFLICT (user_id) DO UPDATE SET
                 browser = COALESCE($2, notification_preferences.browser),
                 sound = COALESCE($3, notification_preferences.sound),
                 email_urgent = COALESCE($4, notification_preferences.email_urgent),
                 updated_at = $8
             RETURNING browser, sound, email_urgent")
            .bind(user.0).bind(patch.browser).bind(patch.sound).bind(patch.email_urgent)
            .bind(d.browser).bind(d.sound).bind(d.email_urgent).bind(now())
            .fetch_one(pool).await)?;
        Ok(from_row(row))
    }
}

fn from_row((browser, sound, email_urgent): (bool, bool, bool)) -> NotificationPreferences {
    NotificationPreferences {
        browser,
        sound,
        email_urgent,
    }
}
