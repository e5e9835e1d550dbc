#![forbid(unsafe_code)]
//! Domain types of support-chat: ids, enums, validated input values and limits.
//! Nothing here does I/O; the store and the server build on these types.

pub mod ids;
pub mod input;
pub mod kinds;
pub mod knowledge;

pub use ids::{ArticleId, AssistantSessionId, ConversationId, MessageId, UserId};
pub use input::{ClientMessageId, Email, FieldErrors, MessageBody, Password, PersonName, Subject};
pub use kinds::{ConversationStatus, ConversationType, MessageType, Priority, Role, SenderType};
pub use knowledge::{ArticleInput, parse_markdown_article};

/// Longest message content accepted, in characters after trimming.
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// Longest subject accepted, in characters after trimming.
pub const MAX_SUBJECT_CHARS: usize = 255;
