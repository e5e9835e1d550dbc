//! Extractive summaries and the hand-off context an admin sees.

use crate::signals::analyse_message;
use crate::text::{content_terms, sentences, term_similarity, truncate_words};
use crate::types::{Category, ChatRole, ChatTurn, Decision, Reason, Urgency};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 400;
/// Longest `userIntent`, in characters.
const MAX_INTENT_CHARS: usize = 160;

/// What an admin receives when the assistant hands a chat over (the plan's Chunk 5.1
/// `HandoffContext`, plus the reasons so the admin sees why it was created).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandoffContext {
    /// The whole assistant chat, in order.
    pub ai_chat_history: Vec<ChatTurn>,
    /// What the user wants: the intent and the user's key sentence.
    pub user_intent: String,
    /// How soon to answer.
    pub urgency: Urgency,
    /// What it is about.
    pub category: Category,
    /// The user's key sentences (extractive, at most [`MAX_SUMMARY_CHARS`]).
    pub summary: String,
    /// Why the hand-off was recommended.
    #[serde(default)]
    pub reasons: Vec<Reason>,
}

impl HandoffContext {
    /// Builds the context from the chat and the decision made on it.
    pub fn new(history: &[ChatTurn], decision: &Decision) -> Self {
        let key = key_sentences(history);
        let top = key
            .iter()
            .max_by(|a, b| a.score.total_cmp(&b.score).then(b.order.cmp(&a.order)))
            .map(|k| k.text.clone());
        let user_intent = match top {
            Some(t) => truncate_words(
                &format!("{}: {}", decision.intent.describe(), t),
                MAX_INTENT_CHARS,
            ),
            None => decision.intent.describe().to_owned(),
        };
        HandoffContext {
            ai_chat_history: history.to_vec(),
            user_intent,
            urgency: decision.urgency,
            category: decision.category,
            summary: summarize(history),
            reasons: decision.reasons.clone(),
        }
    }
}

struct Key {
    order: usize,
    text: String,
    terms: Vec<String>,
    score: f64,
}

/// The user's sentences worth keeping, scored: topic words, signs of a problem, numbers and
/// error codes, and the first and the latest substantive sentence.
fn key_sentences(history: &[ChatTurn]) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    for turn in history.iter().filter(|t| t.role == ChatRole::User) {
        for s in sentences(&turn.content) {
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            let m = analyse_message(&s);
            let terms = content_terms(&s);
            let has_digit = s.chars().any(|c| c.is_ascii_digit());
            if m.greeting_only || (m.closing && !m.problem()) || m.affirm || m.dismiss {
                continue;
            }
            if terms.len() < 2 && !has_digit && !m.problem() {
                continue;
            }
            if keys
                .iter()
                .any(|k| term_similarity(&k.terms, &terms) >= 0.7)
            {
                continue;
            }
            let mut score = terms.len().min(8) as f64;
            if m.problem() {
                score += 4.0;
            }
            if m.frustration.frustrated {
                score += 1.0;
            }
            if has_digit {
                score += 1.0;
            }
            if m.explicit == Some(true) && terms.len() <= 3 {
                // "I want a human" says nothing about the problem.
                score -= 3.0;
            }
            keys.push(Key {
                order: keys.len(),
                text: s,
                terms,
                score,
            });
        }
    }
    if let Some(first) = keys.first_mut() {
        first.score += 2.0;
    }
    if keys.len() > 1
        && let Some(last) = keys.last_mut()
    {
        last.score += 1.0;
    }
    keys
}

/// An extractive summary of what the user said: their most telling sentences in the order
/// they were written, at most [`MAX_SUMMARY_CHARS`] characters. "No details given." when the
/// user said nothing of substance.
pub fn summarize(history: &[ChatTurn]) -> String {
    let mut keys = key_sentences(history);
    if keys.is_empty() {
        return "No details given.".into();
    }
    keys.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.order.cmp(&b.order)));
    let mut chosen: Vec<&Key> = Vec::new();
    let mut used = 0;
    for k in &keys {
        let len = k.text.chars().count() + 1;
        if chosen.is_empty() || used + len <= MAX_SUMMARY_CHARS {
            chosen.push(k);
            used += len;
        }
        if chosen.len() == 4 {
            break;
        }
    }
    chosen.sort_by_key(|k| k.order);
    let joined = chosen
        .iter()
        .map(|k| {
            let t = k.text.trim();
            if t.ends_with(['.', '!', '?']) {
                t.to_owned()
            } else {
                format!("{t}.")
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    truncate_words(&joined, MAX_SUMMARY_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{AnalyzeOptions, Intent};

    fn chat() -> Vec<ChatTurn> {
        vec![
            ChatTurn::user("Hi there!"),
            ChatTurn::assistant("Hello! How can I help?"),
            ChatTurn::user(
                "When I export my conversations to CSV the file is missing half the rows. \
                 It started after Tuesday's update.",
            ),
            ChatTurn::assistant("Try exporting a shorter date range."),
            ChatTurn::user("Tried that, still missing rows. I need a person please."),
            ChatTurn::user("ok"),
        ]
    }

    #[test]
    fn the_summary_keeps_the_users_problem_and_drops_small_talk() {
        let s = summarize(&chat());
        assert!(s.contains("missing half the rows"), "{s}");
        assert!(!s.contains("Hi there"), "{s}");
        assert!(
            !s.contains("shorter date range"),
            "assistant text is not the user's: {s}"
        );
        assert!(s.chars().count() <= MAX_SUMMARY_CHARS);
    }

    #[test]
    fn the_summary_is_bounded_for_long_chats() {
        let long: Vec<ChatTurn> = (0..50)
            .map(|i| {
                ChatTurn::user(format!(
                    "Widget number {i} crashes when opening report {i} in Safari."
                ))
            })
            .collect();
        assert!(summarize(&long).chars().count() <= MAX_SUMMARY_CHARS);
        assert_eq!(summarize(&[ChatTurn::user("hi")]), "No details given.");
    }

    #[test]
    fn the_context_carries_the_decision_and_the_whole_history() {
        let history = chat();
        let d = crate::analyze(&history, &AnalyzeOptions::default());
        let c = HandoffContext::new(&history, &d);
        assert_eq!(c.ai_chat_history.len(), history.len());
        assert_eq!(c.category, Category::Bug);
        assert!(
            c.user_intent.starts_with(d.intent.describe()),
            "{}",
            c.user_intent
        );
        assert!(c.user_intent.contains("missing"), "{}", c.user_intent);
        assert!(!c.reasons.is_empty());
        let v = serde_json::to_value(&c).unwrap();
        assert!(v.get("aiChatHistory").is_some() && v.get("userIntent").is_some());
        assert_ne!(d.intent, Intent::Other);
    }
}
