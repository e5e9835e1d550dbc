#![forbid(unsafe_code)]
//! The pure core of support-chat's AI assistant (no I/O, no database):
//!
//! - [`analyze`]: should a person take over this chat, and why? Returns a [`Decision`] with
//!   stable [`ReasonCode`]s, a [`Category`], an [`Urgency`], the [`Sentiment`] and an
//!   [`Intent`]. Signals: explicit requests for a person (negation-aware, in English,
//!   Spanish, French, German, Portuguese, and basic Italian and Dutch), frustration (VADER
//!   plus capitals, punctuation, repetition and a frustration lexicon), billing and account
//!   security problems (not billing or account how-to questions), malfunction reports,
//!   assistant failures across turns, and the LLM's tool decision.
//! - [`KnowledgeIndex`]: the offline answerer, BM25 over knowledge-base passages with a
//!   confidence and a threshold ([`MIN_CONFIDENCE`]) below which it does not answer.
//! - [`summarize`] and [`HandoffContext`]: what an admin sees after a hand-off.
//! - [`eval`]: scoring the decision on a labelled JSON Lines set.
//!
//! Typical server flow for one user message:
//!
//! ```
//! use support_chat_assistant::*;
//!
//! let kb = KnowledgeIndex::new([Article {
//!     id: 7,
//!     slug: "exporting-data".into(),
//!     title: "Exporting data".into(),
//!     body: "Open Settings → Data and choose Export to download a CSV.".into(),
//!     tags: vec![],
//! }]);
//! let mut chat = vec![ChatTurn::user("How do I export my data as CSV?")];
//! let answer = kb.answer(&chat[0].content);
//! let decision = analyze(
//!     &chat,
//!     &AnalyzeOptions { answer_confidence: Some(answer.as_ref().map_or(0.0, |a| a.confidence)), llm: None },
//! );
//! assert!(!decision.handoff);
//! chat.push(ChatTurn::assistant(answer.map_or(NO_ANSWER_TEXT.to_owned(), |a| a.passage)));
//!
//! chat.push(ChatTurn::user("That didn't help, the export button is greyed out."));
//! let decision = analyze(&chat, &AnalyzeOptions::default());
//! assert!(decision.handoff);
//! assert!(decision.has_reason(ReasonCode::NotHelpful));
//! let context = HandoffContext::new(&chat, &decision);
//! assert_eq!(context.category, Category::Technical);
//! ```

mod analyze;
pub mod eval;
mod retrieval;
mod signals;
mod summary;
mod text;
mod types;

pub use analyze::analyze;
pub use retrieval::{Answer, Article, KnowledgeIndex, MIN_CONFIDENCE};
pub use summary::{HandoffContext, MAX_SUMMARY_CHARS, summarize};
pub use types::{
    AnalyzeOptions, Category, ChatRole, ChatTurn, Decision, Intent, LlmDecision, Reason,
    ReasonCode, Sentiment, SentimentLabel, UnknownName, Urgency,
};

/// What the offline assistant says when no passage reaches [`MIN_CONFIDENCE`]. The analyzer
/// recognises it (and any "I couldn't find / I don't know" reply) as a failed answer, and
/// "yes" after it as accepting a person.
pub const NO_ANSWER_TEXT: &str = "I'm sorry, I couldn't find an answer to that in our help \
    articles. Would you like to talk to a person from our team?";
