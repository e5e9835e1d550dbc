-- Per-person notification preferences, PostgreSQL dialect.
-- The SQLite twin is ../sqlite/0002_notification_preferences.sql: keep the two side by side.
-- Someone without a row has the defaults: browser on, sound on, email for urgent off.

CREATE TABLE notification_preferences (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    browser BOOLEAN NOT NULL,
    sound BOOLEAN NOT NULL,
    email_urgent BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
