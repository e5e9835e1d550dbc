-- Per-person notification preferences, SQLite dialect (booleans are 0/1 integers).
-- The PostgreSQL twin is ../postgres/0002_notification_preferences.sql: keep the two side by side.
-- Someone without a row has the defaults: browser on, sound on, email for urgent off.

CREATE TABLE notification_preferences (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    browser INTEGER NOT NULL,
    sound INTEGER NOT NULL,
    email_urgent INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
