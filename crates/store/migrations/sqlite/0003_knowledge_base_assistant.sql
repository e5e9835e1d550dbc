-- Knowledge base and AI assistant sessions, SQLite dialect.
-- The PostgreSQL twin is ../postgres/0003_knowledge_base_assistant.sql: keep the two side by side.

CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,           -- stable key: `kb import` updates by it
    title TEXT NOT NULL,
    body TEXT NOT NULL,                  -- Markdown
    tags TEXT NOT NULL DEFAULT '[]',     -- JSON array of lower-case tags
    published INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_kb_articles_updated ON kb_articles(updated_at DESC, id DESC);

-- One-time facts about this database (e.g. that the starter articles were added once).
CREATE TABLE app_meta (
    meta_key TEXT PRIMARY KEY,
    meta_value TEXT NOT NULL
);

CREATE TABLE assistant_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    handoff_conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_assistant_sessions_user ON assistant_sessions(user_id, updated_at DESC, id DESC);
-- Deleting a conversation clears the link (ON DELETE SET NULL) by this index.
CREATE INDEX idx_assistant_sessions_handoff ON assistant_sessions(handoff_conversation_id);

CREATE TABLE assistant_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES assistant_sessions(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    sources TEXT,                        -- JSON array of {articleId, slug, title}
    confidence REAL,
    answered_by TEXT CHECK (answered_by IN ('offline', 'llm', 'fallback')),
    created_at TEXT NOT NULL
);
CREATE INDEX idx_assistant_messages_session ON assistant_messages(session_id, id);
