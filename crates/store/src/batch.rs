//! Storing many messages with a handful of statements, whatever their number: the group-commit
//! writer hands a whole batch here, and a new conversation its first message.
//!
//! Per batch: one `SELECT` for repeated `clientMessageId`s, one `UPDATE … FROM (VALUES …)` that
//! bumps each conversation's sequence (and locks its row, so on PostgreSQL ids grow in commit
//! order within a conversation), one multi-row `INSERT`, and one multi-row read-mark upsert.
//! [`Plan`] is the pure part (grouping, sequence numbers, results); [`insert_batch!`] runs the
//! statements on either backend.

use crate::{Audience, Message, NewMessage, SentMessage, StoreError};
use std::collections::HashMap;
use support_chat_domain::{MessageId, SenderType, UserId};
use time::OffsetDateTime;

/// A bumped conversation: id, new last sequence, created, first response, owner, assignee,
/// priority.
pub(crate) type Bumped = (
    i64,
    i64,
    OffsetDateTime,
    Option<OffsetDateTime>,
    i64,
    Option<i64>,
    String,
);

/// One conversation's share of a batch.
pub(crate) struct Group {
    pub conversation: i64,
    pub count: i64,
    /// Preview of the newest message.
    pub preview: String,
    pub has_admin: bool,
    pub has_user: bool,
    /// Item indexes in queue order.
    items: Vec<usize>,
    /// Who the stored messages concern (read back with the bump).
    audience: Option<Audience>,
}

enum Slot {
    /// Not decided yet.
    Pending,
    /// Stored before (same sender and clientMessageId).
    Existing(Message),
    /// Same clientMessageId as an earlier item of this batch.
    SameAs(usize),
    /// Given this sequence number; the id arrives with the insert.
    Planned {
        seq: i64,
        id: Option<i64>,
    },
    Failed(StoreError),
}

fn reused_elsewhere() -> StoreError {
    StoreError::Conflict(
        "clientMessageId was already used for a message in another conversation".into(),
    )
}

pub(crate) struct Plan<'a> {
    items: &'a [NewMessage],
    slots: Vec<Slot>,
    /// Who the stored messages concern, when known per message (PostgreSQL's writer).
    audiences: HashMap<i64, Audience>,
    pub cmids: Vec<String>,
    pub groups: Vec<Group>,
}

impl<'a> Plan<'a> {
    pub fn new(items: &'a [NewMessage]) -> Self {
        let mut slots: Vec<Slot> = items.iter().map(|_| Slot::Pending).collect();
        let mut first_of: HashMap<(i64, &str), usize> = HashMap::new();
        let mut cmids = Vec::new();
        for (i, m) in items.iter().enumerate() {
            if let Some(c) = m.client_message_id.as_deref() {
                match first_of.get(&(m.sender_id.0, c)) {
                    Some(&j) if items[j].conversation_id == m.conversation_id => {
                        slots[i] = Slot::SameAs(j)
                    }
                    Some(_) => slots[i] = Slot::Failed(reused_elsewhere()),
                    None => {
                        first_of.insert((m.sender_id.0, c), i);
                        cmids.push(c.to_owned());
                    }
                }
            }
        }
        Plan {
            items,
            slots,
            audiences: HashMap::new(),
            cmids,
            groups: Vec::new(),
        }
    }

    /// Items still to store (not repeating an earlier item's `clientMessageId`), in queue order.
    pub fn firsts(&self) -> Vec<usize> {
        (0..self.items.len())
            .filter(|&i| matches!(self.slots[i], Slot::Pending))
            .collect()
    }

    /// Item `i` was stored with this sequence number and id.
    pub fn stored(&mut self, i: usize, seq: i64, id: i64, audience: Audience) {
        self.slots[i] = Slot::Planned { seq, id: Some(id) };
        self.audiences
            .insert(self.items[i].conversation_id.0, audience);
    }

    /// Item `i` failed on its own.
    pub fn fail(&mut self, i: usize, e: StoreError) {
        self.slots[i] = Slot::Failed(e);
    }

    pub fn existing_sql(n: usize) -> String {
        format!(
            "SELECT {} FROM support_messages m JOIN users u ON u.id = m.sender_id \
             WHERE m.client_message_id IN ({})",
            crate::messages::MESSAGE_COLS,
            placeholders(1, n)
        )
    }

    /// Records messages stored earlier, then groups what is left by conversation.
    pub fn with_existing(mut self, found: Vec<Message>) -> Self {
        for msg in found {
            let hit = self.items.iter().position(|m| {
                m.sender_id == msg.sender_id && m.client_message_id == msg.client_message_id
            });
            if let Some(i) = hit
                && matches!(self.slots[i], Slot::Pending)
            {
                self.slots[i] = if msg.conversation_id == self.items[i].conversation_id {
                    Slot::Existing(msg)
                } else {
                    Slot::Failed(reused_elsewhere())
                };
            }
        }
        let mut index: HashMap<i64, usize> = HashMap::new();
        for (i, m) in self.items.iter().enumerate() {
            if !matches!(self.slots[i], Slot::Pending) {
                continue;
            }
            let g = *index.entry(m.conversation_id.0).or_insert_with(|| {
                self.groups.push(Group {
                    conversation: m.conversation_id.0,
                    count: 0,
                    preview: String::new(),
                    has_admin: false,
                    has_user: false,
                    items: Vec::new(),
                    audience: None,
                });
                self.groups.len() - 1
            });
            let group = &mut self.groups[g];
            group.count += 1;
            group.preview = m.content.chars().take(200).collect();
            group.has_admin |= m.sender_type == SenderType::Admin;
            group.has_user |= m.sender_type == SenderType::User;
            group.items.push(i);
        }
        self
    }

    pub fn bump_sql(n: usize) -> String {
        let t = n * 5 + 1;
        let values: Vec<String> = (0..n)
            .map(|g| format!("({})", placeholders(g * 5 + 1, 5)))
            .collect();
        format!(
            "UPDATE conversations SET
                last_seq = conversations.last_seq + v.column2,
                last_message_preview = v.column3,
                last_message_at = ${t}, last_activity_at = ${t}, updated_at = ${t},
                first_response_at = CASE WHEN v.column4 AND conversations.first_response_at IS NULL
                    THEN ${t} ELSE conversations.first_response_at END,
                status = CASE WHEN v.column5 AND conversations.status = 'closed'
                    THEN 'open' ELSE conversations.status END,
                closed_at = CASE WHEN v.column5 AND conversations.status = 'closed'
                    THEN NULL ELSE conversations.closed_at END,
                resolution_ms = CASE WHEN v.column5 AND conversations.status = 'closed'
                    THEN NULL ELSE conversations.resolution_ms END
             FROM (VALUES {}) AS v
             WHERE conversations.id = v.column1
             RETURNING conversations.id, conversations.last_seq, conversations.created_at,
                       conversations.first_response_at, conversations.user_id, conversations.admin_id,
                       conversations.priority",
            values.join(", ")
        )
    }

    /// Hands out sequence numbers from the bumped counters. Returns the conversations whose first
    /// admin reply this batch is, with the milliseconds it took.
    pub fn apply_bumps(&mut self, bumped: Vec<Bumped>, t: OffsetDateTime) -> Vec<(i64, i64)> {
        let mut first_responses = Vec::new();
        let by_id: HashMap<i64, Bumped> = bumped.into_iter().map(|b| (b.0, b)).collect();
        for g in &mut self.groups {
            match by_id.get(&g.conversation) {
                Some(&(_, last_seq, created, first, owner, assignee, ref priority)) => {
                    g.audience = Some(Audience {
                        owner: UserId(owner),
                        assignee: assignee.map(UserId),
                        urgent: priority == "urgent",
                    });
                    let start = last_seq - g.count + 1;
                    for (k, &i) in g.items.iter().enumerate() {
                        self.slots[i] = Slot::Planned {
                            seq: start + k as i64,
                            id: None,
                        };
                    }
                    if g.has_admin && first == Some(t) {
                        first_responses.push((
                            g.conversation,
                            (t - created).whole_milliseconds().max(0) as i64,
                        ));
                    }
                }
                None => {
                    for &i in &g.items {
                        self.slots[i] = Slot::Failed(StoreError::NotFound);
                    }
                }
            }
        }
        first_responses
    }

    /// Items to insert, with their sequence numbers, in queue order.
    pub fn insertable(&self) -> Vec<(usize, i64)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                Slot::Planned { seq, id: None } => Some((i, *seq)),
                _ => None,
            })
            .collect()
    }

    pub fn items(&self) -> &'a [NewMessage] {
        self.items
    }

    pub fn insert_sql(rows: usize) -> String {
        let values: Vec<String> = (0..rows)
            .map(|r| format!("({})", placeholders(r * 9 + 1, 9)))
            .collect();
        // Padding rows have conversation 0 and are filtered out. (On SQLite the WHERE also
        // keeps ON CONFLICT from being read as part of the SELECT.)
        format!(
            "INSERT INTO support_messages (conversation_id, seq, sender_id, sender_type, content,
                    message_type, created_at, metadata_json, client_message_id)
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7,
                    v.column8, v.column9
             FROM (VALUES {}) AS v
             WHERE v.column1 > 0
             ON CONFLICT (sender_id, client_message_id) DO NOTHING
             RETURNING id, conversation_id, seq",
            values.join(", ")
        )
    }

    pub fn apply_inserts(&mut self, inserted: Vec<(i64, i64, i64)>) {
        let by_key: HashMap<(i64, i64), i64> = inserted
            .into_iter()
            .map(|(id, conversation, seq)| ((conversation, seq), id))
            .collect();
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Slot::Planned { seq, id } = slot {
                *id = by_key
                    .get(&(self.items[i].conversation_id.0, *seq))
                    .copied();
            }
        }
    }

    /// Items whose insert hit a `clientMessageId` stored meanwhile by another writer.
    pub fn lost_races(&self) -> Vec<usize> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, Slot::Planned { id: None, .. }))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn resolve_race(&mut self, i: usize, msg: Message) {
        self.slots[i] = if msg.conversation_id == self.items[i].conversation_id {
            Slot::Existing(msg)
        } else {
            Slot::Failed(reused_elsewhere())
        };
    }

    /// `(conversation, user, role, newest id)` for each sender's read mark.
    pub fn read_marks(&self) -> Vec<(i64, i64, &'static str, i64)> {
        let mut marks: HashMap<(i64, i64), (&'static str, i64)> = HashMap::new();
        for (i, s) in self.slots.iter().enumerate() {
            let m = &self.items[i];
            if let Slot::Planned { id: Some(id), .. } = s
                && m.sender_type != SenderType::System
            {
                let role = if m.sender_type == SenderType::Admin {
                    "admin"
                } else {
                    "user"
                };
                let e = marks
                    .entry((m.conversation_id.0, m.sender_id.0))
                    .or_insert((role, *id));
                e.1 = e.1.max(*id);
            }
        }
        let mut out: Vec<_> = marks
            .into_iter()
            .map(|((c, u), (r, id))| (c, u, r, id))
            .collect();
        out.sort_unstable();
        out
    }

    pub fn read_marks_sql(rows: usize) -> String {
        let values: Vec<String> = (0..rows)
            .map(|r| format!("({})", placeholders(r * 6 + 1, 6)))
            .collect();
        format!(
            "INSERT INTO conversation_participants
                (conversation_id, user_id, role, joined_at, last_read_at, last_read_message_id)
             SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6
             FROM (VALUES {}) AS v
             WHERE v.column1 > 0
             ON CONFLICT (conversation_id, user_id) DO UPDATE SET
                last_read_at = excluded.last_read_at,
                last_read_message_id = CASE
                    WHEN excluded.last_read_message_id > conversation_participants.last_read_message_id
                    THEN excluded.last_read_message_id
                    ELSE conversation_participants.last_read_message_id END",
            values.join(", ")
        )
    }

    /// Every item's outcome, in queue order.
    pub fn finish(self, t: OffsetDateTime) -> Vec<Result<SentMessage, StoreError>> {
        let mut audience = self.audiences;
        for g in &self.groups {
            if let Some(a) = g.audience {
                audience.insert(g.conversation, a);
            }
        }
        let mut out: Vec<Result<SentMessage, StoreError>> = Vec::with_capacity(self.items.len());
        for (i, slot) in self.slots.into_iter().enumerate() {
            let m = &self.items[i];
            let r = match slot {
                Slot::Existing(message) => Ok(SentMessage {
                    message,
                    created: false,
                    audience: None,
                }),
                Slot::SameAs(j) => match &out[j] {
                    Ok(first) => Ok(SentMessage {
                        message: first.message.clone(),
                        created: false,
                        audience: None,
                    }),
                    Err(e) => Err(e.clone()),
                },
                Slot::Planned { seq, id: Some(id) } => Ok(SentMessage {
                    message: Message {
                        id: MessageId(id),
                        conversation_id: m.conversation_id,
                        seq,
                        sender_id: m.sender_id,
                        sender_type: m.sender_type,
                        sender_name: m.sender_name.clone(),
                        content: m.content.clone(),
                        message_type: m.message_type,
                        created_at: t,
                        read_at: None,
                        client_message_id: m.client_message_id.clone(),
                        deleted_at: None,
                        metadata: m.metadata.clone(),
                    },
                    created: true,
                    audience: audience.get(&m.conversation_id.0).copied(),
                }),
                Slot::Failed(e) => Err(e),
                Slot::Pending | Slot::Planned { id: None, .. } => Err(StoreError::Other(
                    "message left unresolved by its batch".into(),
                )),
            };
            out.push(r);
        }
        out
    }
}

/// Splits `0..n` into runs of at most `max` (rounded down to a power of two), each with the size
/// it is padded up to (a power of two up to 16, then a multiple of 16), so every statement comes
/// in one of a few sizes and stays in the prepared-statement cache, and a batch of 7 is one
/// statement of 8 rather than three of 4, 2 and 1 (each statement is a round trip to the
/// database's thread or server). Padding rows match nothing: see the `*_sql` functions.
pub(crate) fn chunks(n: usize, max: usize) -> Vec<(std::ops::Range<usize>, usize)> {
    let cap = 1usize << (usize::BITS - 1 - max.clamp(1, 1 << 16).leading_zeros());
    (0..n)
        .step_by(cap)
        .map(|start| {
            let end = (start + cap).min(n);
            let len = end - start;
            // Past 16 rows, multiples of 16: padding a batch of 130 to 256 doubled PostgreSQL's
            // work at saturation. Neither exceeds `cap`, a power of two no smaller than `len`.
            let padded = if len <= 16 {
                len.next_power_of_two()
            } else {
                len.div_ceil(16) * 16
            };
            (start..end, padded)
        })
        .collect()
}

/// Rows per statement for statements with `per_row` parameters. SQLite looks parameter names
/// up by a linear scan (`sqlite3_bind_parameter_name`), so binding costs grow with the square
/// of a statement's parameters there: its statements stay near 160 parameters. PostgreSQL has
/// no such cost and takes a whole batch at once.
pub(crate) fn rows_per_statement(sqlite: bool, per_row: usize) -> usize {
    if sqlite {
        (160 / per_row).max(1)
    } else {
        usize::MAX
    }
}

/// `$from, $from+1, …` (`n` of them).
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores a batch inside an open transaction (`$conn`: a `&mut` connection), evaluating to
/// `Result<Vec<Result<SentMessage, StoreError>>, sqlx::Error>`: the outer error is a failed
/// statement (the transaction is lost), the inner ones each message's own outcome (unknown
/// conversation, `clientMessageId` reused elsewhere). Expanded once per backend.
macro_rules! insert_batch {
    ($conn:expr, $items:expr, $t:expr, $sqlite:expr) => {{
        let sqlite: bool = $sqlite;
        let t: ::time::OffsetDateTime = $t;
        let outcome: ::std::result::Result<
            ::std::vec::Vec<::std::result::Result<$crate::SentMessage, $crate::StoreError>>,
            ::sqlx::Error,
        > = async {
            let plan = $crate::batch::Plan::new($items);
            let mut found = ::std::vec::Vec::new();
            for (part, padded) in $crate::batch::chunks(
                plan.cmids.len(),
                $crate::batch::rows_per_statement(sqlite, 1),
            ) {
                let sql = ::sqlx::AssertSqlSafe($crate::batch::Plan::existing_sql(padded));
                let mut q = ::sqlx::query_as::<_, $crate::messages::MessageRow>(sql);
                let ids = &plan.cmids[part];
                // Padding repeats an id: `IN` finds it once.
                for k in 0..padded {
                    q = q.bind(ids[k.min(ids.len() - 1)].as_str());
                }
                found.extend(
                    q.fetch_all(&mut *$conn)
                        .await?
                        .into_iter()
                        .map($crate::Message::from),
                );
            }
            let mut plan = plan.with_existing(found);
            let mut bumped = ::std::vec::Vec::new();
            for (part, padded) in $crate::batch::chunks(
                plan.groups.len(),
                $crate::batch::rows_per_statement(sqlite, 5),
            ) {
                let sql = ::sqlx::AssertSqlSafe($crate::batch::Plan::bump_sql(padded));
                let mut q = ::sqlx::query_as::<_, $crate::batch::Bumped>(sql);
                let n = part.len();
                for g in &plan.groups[part] {
                    q = q
                        .bind(g.conversation)
                        .bind(g.count)
                        .bind(g.preview.as_str())
                        .bind(g.has_admin)
                        .bind(g.has_user);
                }
                // Padding names conversation 0, which does not exist.
                for _ in n..padded {
                    q = q.bind(0_i64).bind(0_i64).bind("").bind(false).bind(false);
                }
                bumped.extend(q.bind(t).fetch_all(&mut *$conn).await?);
            }
            for (conversation, ms) in plan.apply_bumps(bumped, t) {
                ::sqlx::query("UPDATE conversations SET first_response_ms = $2 WHERE id = $1")
                    .bind(conversation)
                    .bind(ms)
                    .execute(&mut *$conn)
                    .await?;
            }
            let rows = plan.insertable();
            let mut inserted = ::std::vec::Vec::new();
            for (part, padded) in
                $crate::batch::chunks(rows.len(), $crate::batch::rows_per_statement(sqlite, 9))
            {
                let sql = ::sqlx::AssertSqlSafe($crate::batch::Plan::insert_sql(padded));
                let mut q = ::sqlx::query_as::<_, (i64, i64, i64)>(sql);
                let n = part.len();
                for &(i, seq) in &rows[part] {
                    let m = &plan.items()[i];
                    q = q
                        .bind(m.conversation_id.0)
                        .bind(seq)
                        .bind(m.sender_id.0)
                        .bind(m.sender_type.as_str())
                        .bind(m.content.as_str())
                        .bind(m.message_type.as_str())
                        .bind(t)
                        .bind(m.metadata.clone().map(::sqlx::types::Json))
                        .bind(m.client_message_id.as_deref());
                }
                for _ in n..padded {
                    q = q
                        .bind(0_i64)
                        .bind(0_i64)
                        .bind(0_i64)
                        .bind("")
                        .bind("")
                        .bind("")
                        .bind(t)
                        .bind(None::<::sqlx::types::Json<::serde_json::Value>>)
                        .bind(None::<&str>);
                }
                inserted.extend(q.fetch_all(&mut *$conn).await?);
            }
            plan.apply_inserts(inserted);
            for i in plan.lost_races() {
                // Another writer stored the same clientMessageId between our check and insert.
                let m = &plan.items()[i];
                let sql = ::sqlx::AssertSqlSafe($crate::messages::by_client_id_sql());
                let row = ::sqlx::query_as::<_, $crate::messages::MessageRow>(sql)
                    .bind(m.sender_id.0)
                    .bind(m.client_message_id.as_deref())
                    .fetch_one(&mut *$conn)
                    .await?;
                plan.resolve_race(i, row.into());
            }
            let marks = plan.read_marks();
            for (part, padded) in
                $crate::batch::chunks(marks.len(), $crate::batch::rows_per_statement(sqlite, 6))
            {
                let sql = ::sqlx::AssertSqlSafe($crate::batch::Plan::read_marks_sql(padded));
                let mut q = ::sqlx::query(sql);
                let n = part.len();
                for &(conversation, user, role, id) in &marks[part] {
                    q = q
                        .bind(conversation)
                        .bind(user)
                        .bind(role)
                        .bind(t)
                        .bind(t)
                        .bind(id);
                }
                for _ in n..padded {
                    q = q
                        .bind(0_i64)
                        .bind(0_i64)
                        .bind("")
                        .bind(t)
                        .bind(t)
                        .bind(0_i64);
                }
                q.execute(&mut *$conn).await?;
            }
            Ok(plan.finish(t))
        }
        .await;
        outcome
    }};
}
pub(crate) use insert_batch;

#[cfg(test)]
mod tests {
    use super::*;
    use support_chat_domain::{ConversationId, MessageType, UserId};

    fn msg(conversation: i64, sender: i64, kind: SenderType, cmid: Option<&str>) -> NewMessage {
        NewMessage {
            conversation_id: ConversationId(conversation),
            sender_id: UserId(sender),
            sender_type: kind,
            sender_name: "n".into(),
            content: format!("to {conversation}"),
            message_type: MessageType::Text,
            client_message_id: cmid.map(str::to_owned),
            metadata: None,
        }
    }

    #[test]
    fn sequences_follow_queue_order_within_each_conversation() {
        let items = [
            msg(1, 10, SenderType::User, None),
            msg(2, 11, SenderType::User, None),
            msg(1, 12, SenderType::Admin, None),
        ];
        let t = OffsetDateTime::now_utc();
        let mut plan = Plan::new(&items).with_existing(vec![]);
        assert_eq!(plan.groups.len(), 2);
        assert_eq!((plan.groups[0].count, plan.groups[0].has_admin), (2, true));
        // Conversation 1 had 5 messages, 2 had 9.
        plan.apply_bumps(
            vec![
                (1, 7, t, None, 5, None, "normal".into()),
                (2, 10, t, None, 6, Some(9), "urgent".into()),
            ],
            t,
        );
        assert_eq!(plan.insertable(), vec![(0, 6), (1, 10), (2, 7)]);
    }

    #[test]
    fn a_repeated_client_id_in_one_batch_is_stored_once() {
        let items = [
            msg(1, 10, SenderType::User, Some("a")),
            msg(1, 10, SenderType::User, Some("a")),
            msg(1, 11, SenderType::User, Some("a")), // another sender may use the same id
        ];
        let t = OffsetDateTime::now_utc();
        let mut plan = Plan::new(&items).with_existing(vec![]);
        assert_eq!(plan.cmids, ["a", "a"], "looked up once per sender");
        plan.apply_bumps(vec![(1, 2, t, None, 5, None, "normal".into())], t);
        assert_eq!(plan.insertable(), vec![(0, 1), (2, 2)]);
        plan.apply_inserts(vec![(100, 1, 1), (101, 1, 2)]);
        let out = plan.finish(t);
        let a = out[0].as_ref().unwrap();
        let b = out[1].as_ref().unwrap();
        assert!(a.created && !b.created);
        assert_eq!(a.message.id, b.message.id);
        assert_eq!(out[2].as_ref().unwrap().message.id, MessageId(101));
    }

    #[test]
    fn a_client_id_reused_for_another_conversation_in_one_batch_is_a_conflict() {
        let items = [
            msg(1, 10, SenderType::User, Some("a")),
            msg(2, 10, SenderType::User, Some("a")),
        ];
        let t = OffsetDateTime::now_utc();
        let mut plan = Plan::new(&items).with_existing(vec![]);
        assert_eq!(
            plan.firsts(),
            vec![0],
            "only the first goes to the database"
        );
        plan.apply_bumps(vec![(1, 1, t, None, 5, None, "normal".into())], t);
        plan.apply_inserts(vec![(100, 1, 1)]);
        let out = plan.finish(t);
        assert_eq!(out[0].as_ref().unwrap().message.id, MessageId(100));
        assert!(
            matches!(&out[1], Err(StoreError::Conflict(m)) if m.contains("another conversation")),
            "{:?}",
            out[1].as_ref().map(|s| s.message.id)
        );
    }

    #[test]
    fn unknown_conversations_fail_alone() {
        let items = [
            msg(1, 10, SenderType::User, None),
            msg(404, 10, SenderType::User, None),
        ];
        let t = OffsetDateTime::now_utc();
        let mut plan = Plan::new(&items).with_existing(vec![]);
        plan.apply_bumps(vec![(1, 1, t, None, 5, None, "normal".into())], t);
        plan.apply_inserts(vec![(5, 1, 1)]);
        let out = plan.finish(t);
        assert!(out[0].is_ok());
        assert!(matches!(out[1], Err(StoreError::NotFound)));
    }

    #[test]
    fn chunks_cover_everything_padded_to_powers_of_two() {
        assert_eq!(chunks(0, 256), vec![]);
        assert_eq!(chunks(1, 256), vec![(0..1, 1)]);
        assert_eq!(chunks(7, 256), vec![(0..7, 8)]);
        assert_eq!(chunks(37, 256), vec![(0..37, 48)]);
        assert_eq!(chunks(130, 256), vec![(0..130, 144)]);
        assert_eq!(chunks(256, 256), vec![(0..256, 256)]);
        assert_eq!(chunks(40, 17), vec![(0..16, 16), (16..32, 16), (32..40, 8)]);
        assert_eq!(chunks(3, usize::MAX), vec![(0..3, 4)]);
        assert_eq!(rows_per_statement(true, 9), 17);
    }

    #[test]
    fn placeholders_number_from_the_given_start() {
        assert_eq!(placeholders(4, 3), "$4, $5, $6");
    }
}
