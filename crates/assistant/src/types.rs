//! The wire types of the assistant: chat turns in, the hand-off decision out.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// Who wrote a turn of the assistant chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    /// The person asking.
    User,
    /// The assistant (retrieval answerer or LLM).
    Assistant,
}

/// One message of the assistant chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatTurn {
    /// Who wrote it.
    pub role: ChatRole,
    /// What was written, as plain text or Markdown.
    pub content: String,
}

impl ChatTurn {
    /// A turn written by the user.
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: ChatRole::User,
            content: content.into(),
        }
    }

    /// A turn written by the assistant.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: ChatRole::Assistant,
            content: content.into(),
        }
    }
}

/// The error for a name that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not one of: {allowed}")]
pub struct UnknownName {
    /// What was given (cut to 40 characters).
    pub value: String,
    /// The accepted names, separated by `|`.
    pub allowed: &'static str,
}

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
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
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        value: s.chars().take(40).collect(),
                        allowed: concat!($($text, "|"),+).trim_end_matches('|'),
                    }),
                }
            }
        }
    };
}

named_enum!(
    /// What a conversation is about; decides which queue it lands in.
    Category {
        /// Using, configuring or integrating the product; signing in and account security.
        Technical => "technical",
        /// Money: plans, prices, invoices, payments, refunds, subscriptions.
        Billing => "billing",
        /// Asking for something the product does not do.
        Feature => "feature",
        /// Something that should work is broken: errors, crashes, missing data.
        Bug => "bug",
        /// Anything else: greetings, thanks, the company, a bare request for a person.
        Other => "other",
    }
);

named_enum!(
    /// How soon a person should answer; becomes the conversation's priority.
    Urgency {
        /// Questions and requests with no problem behind them.
        Low => "low",
        /// A problem or a request for a person, with no sign of severity.
        Normal => "normal",
        /// Money taken wrongly, locked out, a whole team blocked, or a very upset user.
        High => "high",
        /// An account compromise, an outage, lost data, or a problem called urgent.
        Urgent => "urgent",
    }
);

impl From<Urgency> for support_chat_domain::Priority {
    fn from(u: Urgency) -> Self {
        match u {
            Urgency::Low => Self::Low,
            Urgency::Normal => Self::Normal,
            Urgency::High => Self::High,
            Urgency::Urgent => Self::Urgent,
        }
    }
}

named_enum!(
    /// The sign of the sentiment compound (VADER's usual ±0.05 cut-offs).
    SentimentLabel {
        /// Compound ≤ −0.05.
        Negative => "negative",
        /// Between the two.
        Neutral => "neutral",
        /// Compound ≥ 0.05.
        Positive => "positive",
    }
);

/// The tone of the user's latest message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sentiment {
    /// VADER compound score, −1 (very negative) to 1 (very positive). English lexicon; other
    /// languages mostly score near 0.
    pub compound: f64,
    /// The compound's sign.
    pub label: SentimentLabel,
}

named_enum!(
    /// Why the analyzer recommends a hand-off. Stable codes: clients may switch on them.
    ReasonCode {
        /// The user asked for a person (not negated), or accepted the assistant's offer of one.
        ExplicitRequest => "explicit_request",
        /// The user is frustrated or angry.
        Frustration => "frustration",
        /// A billing problem (wrong or duplicate charge, refund, failed payment), not a
        /// billing question.
        BillingProblem => "billing_problem",
        /// The account is compromised or the user is locked out of it.
        AccountSecurity => "account_security",
        /// Something is broken and the assistant cannot fix it.
        Malfunction => "malfunction",
        /// The assistant had no confident answer.
        NoConfidentAnswer => "no_confident_answer",
        /// The user asked the same question again after an answer.
        RepeatedQuestion => "repeated_question",
        /// The user said the answer did not help.
        NotHelpful => "not_helpful",
        /// The LLM decided to hand off through its tool call.
        LlmDecision => "llm_decision",
    }
);

/// One reason for a hand-off: a stable code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// Stable snake_case code.
    pub code: ReasonCode,
    /// What was noticed, for admins and logs.
    pub message: String,
}

named_enum!(
    /// What the user wants, in one word; the first that applies, in this order.
    Intent {
        /// Wants a person.
        RequestHuman => "request_human",
        /// Account compromised or locked out.
        AccountSecurity => "account_security",
        /// Something went wrong with money.
        BillingProblem => "billing_problem",
        /// Reports something broken.
        ReportProblem => "report_problem",
        /// Complains or vents.
        Complaint => "complaint",
        /// Asks for a new feature.
        FeatureRequest => "feature_request",
        /// Asks about plans, prices, invoices or payments.
        BillingQuestion => "billing_question",
        /// Asks how to do something.
        HowTo => "how_to",
        /// Says hello.
        Greeting => "greeting",
        /// Thanks, or says the matter is settled.
        Thanks => "thanks",
        /// None of the above.
        Other => "other",
    }
);

impl Intent {
    /// A short phrase for people ("Reports a problem").
    pub fn describe(self) -> &'static str {
        match self {
            Intent::RequestHuman => "Asks for a person",
            Intent::AccountSecurity => "Account security or access problem",
            Intent::BillingProblem => "Billing problem",
            Intent::ReportProblem => "Reports a problem",
            Intent::Complaint => "Complaint",
            Intent::FeatureRequest => "Feature request",
            Intent::BillingQuestion => "Billing question",
            Intent::HowTo => "How-to question",
            Intent::Greeting => "Greeting",
            Intent::Thanks => "Thanks",
            Intent::Other => "Other",
        }
    }
}

/// The hand-off decision for a chat, as `POST /api/assistant/analyze` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// True when a person should take over (offer or start the hand-off).
    pub handoff: bool,
    /// Every signal that fired, strongest first; empty when `handoff` is false.
    pub reasons: Vec<Reason>,
    /// What the chat is about.
    pub category: Category,
    /// How soon a person should answer (`low` when no hand-off).
    pub urgency: Urgency,
    /// Tone of the user's latest message.
    pub sentiment: Sentiment,
    /// What the user wants.
    pub intent: Intent,
}

impl Decision {
    /// True when a reason with this code was given.
    pub fn has_reason(&self, code: ReasonCode) -> bool {
        self.reasons.iter().any(|r| r.code == code)
    }
}

/// The LLM's own verdict, from its hand-off tool call, when an LLM is configured.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LlmDecision {
    /// True when the model called its hand-off tool.
    pub handoff: bool,
    /// The model's stated reason, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What the server knows beyond the transcript.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalyzeOptions {
    /// Retrieval confidence (0..1, see [`crate::KnowledgeIndex::answer`]) of the assistant's
    /// answer to the latest user message; `None` when unknown. Below
    /// [`crate::MIN_CONFIDENCE`] counts as "no confident answer" for a substantive message.
    pub answer_confidence: Option<f32>,
    /// The LLM's tool decision, when an LLM is configured. `handoff: true` adds a reason;
    /// `false` never cancels the other signals.
    pub llm: Option<LlmDecision>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_serialise_in_camel_case_with_snake_case_codes() {
        let d = Decision {
            handoff: true,
            reasons: vec![Reason {
                code: ReasonCode::NoConfidentAnswer,
                message: "x".into(),
            }],
            category: Category::Bug,
            urgency: Urgency::High,
            sentiment: Sentiment {
                compound: -0.5,
                label: SentimentLabel::Negative,
            },
            intent: Intent::ReportProblem,
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["reasons"][0]["code"], "no_confident_answer");
        assert_eq!(v["category"], "bug");
        assert_eq!(v["intent"], "report_problem");
        assert_eq!(v["sentiment"]["label"], "negative");
    }

    #[test]
    fn unknown_names_list_the_allowed_ones() {
        let e = "urgentest".parse::<Urgency>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "'urgentest' is not one of: low|normal|high|urgent"
        );
    }
}
