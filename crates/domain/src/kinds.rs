//! The closed sets of values: roles, statuses, priorities, sender and message types.
//! Each is stored as its snake_case name in both databases.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The error for a stored or sent value that is not one of an enum's names.
#[derive(Debug, Clone, thiserror::Error)]
#[error("'{value}' is not one of: {}", allowed.trim_end())]
pub struct UnknownVariant {
    pub value: String,
    pub allowed: &'static str,
}

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownVariant {
                        value: s.chars().take(40).collect(),
                        allowed: concat!($($text, " "),+),
                    }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownVariant;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}

string_enum!(
    /// What a signed-in person may do: `user` sees only their own conversations.
    Role { User => "user", Admin => "admin" }
);
string_enum!(
    /// Where a conversation is in its life.
    ConversationStatus {
        Open => "open",
        InProgress => "in_progress",
        Closed => "closed",
        Transferred => "transferred",
    }
);
string_enum!(
    /// How soon a conversation needs an answer.
    Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" }
);
string_enum!(
    /// Who wrote a message.
    SenderType { User => "user", Admin => "admin", System => "system" }
);
string_enum!(
    /// What a message is.
    MessageType { Text => "text", System => "system", Handoff => "handoff", File => "file" }
);
string_enum!(
    /// How a conversation started: directly, or handed over by the AI assistant.
    ConversationType { Support => "support", AiHandoff => "ai_handoff" }
);

impl Role {
    /// The sender type of messages this role writes.
    pub fn sender_type(self) -> SenderType {
        match self {
            Role::User => SenderType::User,
            Role::Admin => SenderType::Admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_through_its_stored_name() {
        for s in ConversationStatus::ALL {
            assert_eq!(s.as_str().parse::<ConversationStatus>().unwrap(), *s);
        }
        assert_eq!(ConversationStatus::InProgress.as_str(), "in_progress");
    }

    #[test]
    fn an_unknown_priority_names_the_allowed_values() {
        let err = "asap".parse::<Priority>().unwrap_err();
        assert!(err.to_string().contains("low normal high urgent"), "{err}");
    }
}
