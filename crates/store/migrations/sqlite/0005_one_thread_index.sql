-- (conversation_id, id) duplicated the unique (conversation_id, seq) index: within a
-- conversation ids and sequence numbers rise together, so every read of a thread (paging,
-- catching up, unread counts, the newest message) is served by seq, a cursor given as a
-- message id being turned into a seq bound. Every stored message had to update both; on
-- SQLite this one index was about a third of the write-ahead log written per message.
DROP INDEX idx_support_messages_conversation;
