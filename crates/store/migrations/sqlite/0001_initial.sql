-- support-chat schema, SQLite dialect. Times are RFC 3339 UTC text; ids are rowids.
-- The PostgreSQL twin is ../postgres/0001_initial.sql: keep the two side by side.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    password_hash TEXT,
    external_id TEXT UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,                 -- sha256 of the cookie token, never the token
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    user_agent TEXT,
    ip TEXT
);
CREATE INDEX idx_sessions_user ON sessions(user_id, created_at DESC);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX idx_api_tokens_user ON api_tokens(user_id, created_at DESC);

CREATE TABLE feature_flags (
    feature_key TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    default_enabled INTEGER NOT NULL,
    rollout_percent INTEGER NOT NULL DEFAULT 100 CHECK (rollout_percent BETWEEN 0 AND 100),
    roles TEXT,                          -- JSON array of roles, NULL = every role
    updated_at TEXT NOT NULL
);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    admin_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'in_progress', 'closed', 'transferred')),
    type TEXT NOT NULL DEFAULT 'support' CHECK (type IN ('support', 'ai_handoff')),
    subject TEXT NOT NULL,
    priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    context_json TEXT,
    transferred_from_conversation_id INTEGER REFERENCES conversations(id),
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_message_preview TEXT,
    last_message_at TEXT,
    last_activity_at TEXT NOT NULL,
    first_response_at TEXT,
    first_response_ms INTEGER,
    closed_at TEXT,
    resolution_ms INTEGER,
    archived_at TEXT
);
CREATE INDEX idx_conversations_user_id ON conversations(user_id, last_activity_at DESC, id DESC);
CREATE INDEX idx_conversations_admin_id ON conversations(admin_id, last_activity_at DESC);
CREATE INDEX idx_conversations_status ON conversations(status, last_activity_at DESC);
CREATE INDEX idx_conversations_priority ON conversations(priority, last_activity_at DESC);
CREATE INDEX idx_conversations_activity ON conversations(last_activity_at DESC, id DESC);
CREATE INDEX idx_conversations_created ON conversations(created_at);
CREATE INDEX idx_conversations_first_response ON conversations(first_response_ms);

CREATE TABLE conversation_tags (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX idx_conversation_tags_tag ON conversation_tags(tag, conversation_id);

CREATE TABLE support_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    sender_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sender_type TEXT NOT NULL CHECK (sender_type IN ('user', 'admin', 'system')),
    content TEXT NOT NULL,
    message_type TEXT NOT NULL DEFAULT 'text'
        CHECK (message_type IN ('text', 'system', 'handoff', 'file')),
    created_at TEXT NOT NULL,
    read_at TEXT,
    metadata_json TEXT,
    client_message_id TEXT,
    deleted_at TEXT,
    deleted_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX idx_support_messages_seq ON support_messages(conversation_id, seq);
-- client_message_id first: a batch looks many up with `client_message_id IN (...)`.
CREATE UNIQUE INDEX idx_support_messages_client_id ON support_messages(client_message_id, sender_id);
CREATE INDEX idx_support_messages_conversation ON support_messages(conversation_id, id);
CREATE INDEX idx_support_messages_created ON support_messages(created_at DESC);

CREATE TABLE conversation_participants (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'admin')),
    joined_at TEXT NOT NULL,
    last_read_at TEXT,
    last_read_message_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX idx_participants_user ON conversation_participants(user_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    details_json TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX idx_audit_target ON audit_log(target_type, target_id);
