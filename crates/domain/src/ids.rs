//! Newtype ids, so a conversation id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[schema(value_type = i64)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }
    };
}

id_type!(
    /// A user account (end user or admin).
    UserId
);
id_type!(
    /// A support conversation.
    ConversationId
);
id_type!(
    /// A message; ids grow in the order messages are stored within a conversation.
    MessageId
);
id_type!(
    /// A knowledge-base article.
    ArticleId
);
id_type!(
    /// A person's conversation with the AI assistant.
    AssistantSessionId
);
