-- The language model's call of its hand-off tool, kept with the answer it came with, so a later
-- hand-off carries the model's reason, category and urgency. PostgreSQL dialect; the SQLite twin
-- is ../sqlite/0004_assistant_llm_handoff.sql.
ALTER TABLE assistant_messages ADD COLUMN llm_handoff JSONB; -- {reason, category, urgency, summary}
