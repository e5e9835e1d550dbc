//! The hand-off decision: reads every turn, combines the signals, and explains itself.

use crate::MIN_CONFIDENCE;
use crate::signals::{MessageSignals, analyse_message, assistant_turn};
use crate::text::{content_terms, sentences, term_similarity, truncate_words};
use crate::types::{
    AnalyzeOptions, Category, ChatRole, ChatTurn, Decision, Intent, Reason, ReasonCode, Sentiment,
    SentimentLabel, Urgency,
};

/// Two questions at least this similar (Jaccard over stems) count as the same question.
const REPEAT_SIMILARITY: f64 = 0.7;

/// Decides whether a person should take over the chat, and why.
///
/// Reads the whole transcript: the latest user message for requests, frustration and
/// replies to the assistant; every user message for the problem behind the chat (unless the
/// latest one closes it: "thanks, that worked"); the assistant's turns for failures and
/// offers of a person. Pure and fast (a few regex passes per message); the first call loads
/// the VADER lexicon once for the process.
pub fn analyze(turns: &[ChatTurn], options: &AnalyzeOptions) -> Decision {
    let users: Vec<(usize, MessageSignals)> = turns
        .iter()
        .enumerate()
        .filter(|(_, t)| t.role == ChatRole::User)
        .map(|(i, t)| (i, analyse_message(&t.content)))
        .collect();
    let Some((latest_idx, latest)) = users.last() else {
        return Decision {
            handoff: options.llm.as_ref().is_some_and(|l| l.handoff),
            reasons: llm_reason(options).into_iter().collect(),
            category: Category::Other,
            urgency: Urgency::Low,
            sentiment: sentiment(0.0),
            intent: Intent::Other,
        };
    };
    let latest_idx = *latest_idx;
    let latest_text = &turns[latest_idx].content;
    let assistant: Vec<(usize, crate::signals::AssistantTurn)> = turns
        .iter()
        .enumerate()
        .filter(|(_, t)| t.role == ChatRole::Assistant)
        .map(|(i, t)| (i, assistant_turn(&t.content)))
        .collect();
    // The assistant turn the latest user message replies to.
    let replied_to = assistant
        .iter()
        .rev()
        .find(|(i, _)| *i < latest_idx)
        .filter(|(i, _)| {
            turns[*i + 1..latest_idx]
                .iter()
                .all(|t| t.role == ChatRole::Assistant)
        });
    let after_latest: Vec<&crate::signals::AssistantTurn> = assistant
        .iter()
        .filter(|(i, _)| *i > latest_idx)
        .map(|(_, a)| a)
        .collect();
    let closed = latest.closing && !latest.problem() && latest.explicit != Some(true);

    let mut reasons: Vec<Reason> = Vec::new();
    let mut add = |code: ReasonCode, message: String| {
        if !reasons.iter().any(|r| r.code == code) {
            reasons.push(Reason { code, message });
        }
    };

    // 1. Asking for a person, or saying yes to the assistant's offer of one.
    let accepted_offer =
        replied_to.is_some_and(|(_, a)| a.offered_person) && latest.affirm && !latest.dismiss;
    if latest.explicit == Some(true) {
        add(
            ReasonCode::ExplicitRequest,
            format!("Asked for a person: \u{201c}{}\u{201d}", quote(latest_text)),
        );
    } else if accepted_offer {
        add(
            ReasonCode::ExplicitRequest,
            "Accepted the assistant's offer to talk to a person".into(),
        );
    }

    // 2. Frustration in the latest message.
    if latest.frustration.frustrated {
        add(
            ReasonCode::Frustration,
            format!(
                "Frustrated ({}; score {:.1}, sentiment {:.2})",
                latest.frustration.cues.join(", "),
                latest.frustration.score,
                latest.compound
            ),
        );
    }

    // 3. The problem behind the chat, from every user message unless the latest closes it.
    if !closed {
        for (i, m) in &users {
            let text = &turns[*i].content;
            if m.compromise || m.access {
                add(
                    ReasonCode::AccountSecurity,
                    format!(
                        "{}: \u{201c}{}\u{201d}",
                        if m.compromise {
                            "Account may be compromised"
                        } else {
                            "Cannot get into the account"
                        },
                        quote(text)
                    ),
                );
            }
            if m.billing_problem {
                add(
                    ReasonCode::BillingProblem,
                    format!("Billing problem: \u{201c}{}\u{201d}", quote(text)),
                );
            }
            if m.malfunction && (m.outage || !m.billing_problem) {
                add(
                    ReasonCode::Malfunction,
                    format!("Reports something broken: \u{201c}{}\u{201d}", quote(text)),
                );
            }
        }
    }

    // 4. The assistant is not helping.
    let failures = assistant.iter().filter(|(_, a)| a.failed).count();
    let declined = latest.dismiss || latest.explicit == Some(false);
    let unanswered_ack =
        replied_to.is_some_and(|(_, a)| a.failed) && !latest.substantive && !closed && !declined;
    if after_latest.iter().any(|a| a.failed) {
        add(
            ReasonCode::NoConfidentAnswer,
            "The assistant had no answer to the latest question".into(),
        );
    } else if unanswered_ack {
        // "ok" after "I couldn't find an answer": the question is still open.
        add(
            ReasonCode::NoConfidentAnswer,
            "The assistant had no answer to the user's question".into(),
        );
    } else if let Some(c) = options.answer_confidence
        && c < MIN_CONFIDENCE
        && latest.substantive
        && !closed
        && !declined
        && !latest.affirm
    {
        add(
            ReasonCode::NoConfidentAnswer,
            format!("No confident answer in the knowledge base (confidence {c:.2})"),
        );
    } else if failures >= 2 && !closed && !declined {
        add(
            ReasonCode::NoConfidentAnswer,
            format!("The assistant could not answer {failures} times"),
        );
    }
    if replied_to.is_some() && latest.not_helpful && !closed {
        add(
            ReasonCode::NotHelpful,
            format!(
                "Said the answer did not help: \u{201c}{}\u{201d}",
                quote(latest_text)
            ),
        );
    }
    if let Some(prev) = repeated_question(turns, latest_idx) {
        add(
            ReasonCode::RepeatedQuestion,
            format!(
                "Asked the same question again: \u{201c}{}\u{201d}",
                quote(prev)
            ),
        );
    }

    // 5. The LLM's own decision.
    if let Some(r) = llm_reason(options) {
        add(r.code, r.message);
    }

    let handoff = !reasons.is_empty();
    let considered: Vec<&MessageSignals> = if closed {
        vec![latest]
    } else {
        users.iter().map(|(_, m)| m).collect()
    };
    let category = category(&users, latest);
    let urgency = if handoff {
        urgency(&considered, latest)
    } else {
        Urgency::Low
    };
    let intent = intent(&considered, latest, accepted_offer);
    Decision {
        handoff,
        reasons,
        category,
        urgency,
        sentiment: sentiment(latest.compound),
        intent,
    }
}

fn llm_reason(options: &AnalyzeOptions) -> Option<Reason> {
    let l = options.llm.as_ref().filter(|l| l.handoff)?;
    Some(Reason {
        code: ReasonCode::LlmDecision,
        message: match l.reason.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => format!("The language model handed off: {}", quote(r)),
            _ => "The language model handed off".into(),
        },
    })
}

fn quote(s: &str) -> String {
    truncate_words(
        s.split_whitespace().collect::<Vec<_>>().join(" ").as_str(),
        120,
    )
}

fn sentiment(compound: f64) -> Sentiment {
    let label = if compound >= 0.05 {
        SentimentLabel::Positive
    } else if compound <= -0.05 {
        SentimentLabel::Negative
    } else {
        SentimentLabel::Neutral
    };
    Sentiment { compound, label }
}

/// The earlier user message that the latest one repeats, when an assistant turn came between.
fn repeated_question(turns: &[ChatTurn], latest_idx: usize) -> Option<&str> {
    let latest: Vec<Vec<String>> = sentences(&turns[latest_idx].content)
        .into_iter()
        .map(content_terms)
        .filter(|t| t.len() >= 2)
        .collect();
    if latest.is_empty() {
        return None;
    }
    let last_assistant = turns[..latest_idx]
        .iter()
        .rposition(|t| t.role == ChatRole::Assistant)?;
    turns[..last_assistant]
        .iter()
        .filter(|t| t.role == ChatRole::User)
        .find(|t| {
            let earlier: Vec<Vec<String>> = std::iter::once(content_terms(&t.content))
                .chain(sentences(&t.content).into_iter().map(content_terms))
                .filter(|e| e.len() >= 2)
                .collect();
            latest.iter().any(|l| {
                earlier
                    .iter()
                    .any(|e| term_similarity(l, e) >= REPEAT_SIMILARITY)
            })
        })
        .map(|t| t.content.as_str())
}

/// The category of one message, and whether it is decided (not `other`).
fn message_category(m: &MessageSignals) -> Category {
    if m.greeting_only {
        return Category::Other;
    }
    if m.billing_problem || (m.billing_topic > 0 && !m.malfunction) {
        Category::Billing
    } else if m.compromise {
        // "messages I never sent" is a stranger in the account, not a bug.
        Category::Technical
    } else if m.malfunction {
        Category::Bug
    } else if m.feature {
        Category::Feature
    } else if m.compromise || m.access {
        Category::Technical
    } else if m.about_company && m.tech_terms == 0 {
        Category::Other
    } else if m.tech_terms > 0
        || (m.how_to && m.explicit != Some(true))
        // In a product's support chat, an unplaced question is most likely about the product.
        || (m.question
            && m.substantive
            && m.explicit != Some(true)
            && !m.about_company
            && !m.frustration.frustrated)
    {
        Category::Technical
    } else {
        Category::Other
    }
}

/// The chat's category: the first substantive message sets the topic; a later billing or
/// account-security problem overrides it (it changes which team must answer).
fn category(users: &[(usize, MessageSignals)], latest: &MessageSignals) -> Category {
    if latest.billing_problem {
        return Category::Billing;
    }
    if latest.compromise || latest.access {
        return message_category(latest);
    }
    let decided: Vec<Category> = users
        .iter()
        .map(|(_, m)| message_category(m))
        .filter(|c| *c != Category::Other)
        .collect();
    decided.first().copied().unwrap_or(Category::Other)
}

fn urgency(considered: &[&MessageSignals], latest: &MessageSignals) -> Urgency {
    let problem = |m: &&&MessageSignals| m.problem() || m.frustration.frustrated;
    if considered
        .iter()
        .any(|m| m.compromise || m.outage || m.data_loss || (m.urgent_word && problem(&m)))
    {
        Urgency::Urgent
    } else if latest.frustration.frustrated
        || considered
            .iter()
            .any(|m| m.billing_money || m.access || (m.blocking && m.malfunction))
    {
        Urgency::High
    } else {
        Urgency::Normal
    }
}

fn message_intent(m: &MessageSignals) -> Intent {
    if m.explicit == Some(true) {
        Intent::RequestHuman
    } else if m.compromise || m.access {
        Intent::AccountSecurity
    } else if m.billing_problem {
        Intent::BillingProblem
    } else if m.malfunction {
        Intent::ReportProblem
    } else if m.frustration.frustrated {
        Intent::Complaint
    } else if m.feature {
        Intent::FeatureRequest
    } else if m.billing_topic > 0 && m.substantive {
        Intent::BillingQuestion
    } else if m.greeting_only {
        Intent::Greeting
    } else if m.closing {
        Intent::Thanks
    } else if m.question || m.tech_terms > 0 {
        Intent::HowTo
    } else {
        Intent::Other
    }
}

/// The chat's intent. A request for a person in the latest message wins; then a problem still
/// open anywhere in the chat (the one the hand-off is about, as for the category: "I was
/// charged twice … also, how do I download the invoice?" is a billing problem, not a how-to);
/// then the latest message's own intent, or for a bare reply the one the chat started with.
fn intent(considered: &[&MessageSignals], latest: &MessageSignals, accepted: bool) -> Intent {
    if accepted {
        return Intent::RequestHuman;
    }
    let own = message_intent(latest);
    let is_problem = |i: &Intent| {
        matches!(
            i,
            Intent::AccountSecurity | Intent::BillingProblem | Intent::ReportProblem
        )
    };
    if !matches!(own, Intent::RequestHuman) && !is_problem(&own) {
        let rank = |i: &Intent| match i {
            Intent::AccountSecurity => 0,
            Intent::BillingProblem => 1,
            _ => 2,
        };
        if let Some(problem) = considered
            .iter()
            .map(|m| message_intent(m))
            .filter(is_problem)
            .min_by_key(rank)
        {
            return problem;
        }
    }
    if matches!(own, Intent::Other) {
        // "yes", "that didn't help": the intent is the one the chat started with.
        if let Some(first) = considered
            .iter()
            .map(|m| message_intent(m))
            .find(|i| !matches!(i, Intent::Other | Intent::Greeting | Intent::Thanks))
        {
            return first;
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::LlmDecision;

    fn one(s: &str) -> Decision {
        analyze(&[ChatTurn::user(s)], &AnalyzeOptions::default())
    }

    #[test]
    fn an_explicit_request_hands_off_and_a_negated_one_does_not() {
        let d = one("Can I talk to a real person?");
        assert!(d.handoff);
        assert!(d.has_reason(ReasonCode::ExplicitRequest));
        assert_eq!(d.intent, Intent::RequestHuman);
        let d = one("I don't need a human, just tell me how to change my password.");
        assert!(!d.handoff, "{:?}", d.reasons);
        assert_eq!(d.category, Category::Technical);
        assert_eq!(d.urgency, Urgency::Low);
    }

    #[test]
    fn a_billing_problem_hands_off_but_a_billing_question_does_not() {
        let d = one("I was charged twice for my subscription this month.");
        assert!(d.handoff);
        assert!(d.has_reason(ReasonCode::BillingProblem));
        assert_eq!(d.category, Category::Billing);
        assert_eq!(d.urgency, Urgency::High);
        let d = one("How do I update the credit card you charge?");
        assert!(!d.handoff, "{:?}", d.reasons);
        assert_eq!(d.category, Category::Billing);
        assert_eq!(d.intent, Intent::BillingQuestion);
        let d = one("Can I get a refund if I cancel within the first week?");
        assert!(!d.handoff, "{:?}", d.reasons);
    }

    #[test]
    fn a_bug_report_hands_off_but_a_how_to_with_the_same_words_does_not() {
        let d = one("When I click Export I get a 500 error.");
        assert!(d.handoff);
        assert_eq!(d.category, Category::Bug);
        let d = one("How do I fix a 'file too large' error when uploading?");
        assert!(!d.handoff, "{:?}", d.reasons);
        assert_eq!(d.category, Category::Technical);
    }

    #[test]
    fn someone_in_charge_is_a_person_not_a_charge() {
        let d = one("I demand to speak to someone in charge");
        assert!(d.has_reason(ReasonCode::ExplicitRequest));
        assert!(!d.has_reason(ReasonCode::BillingProblem));
        assert_eq!(d.category, Category::Other);
    }

    #[test]
    fn symptoms_without_the_word_broken_are_malfunctions() {
        for s in [
            "Links in messages are not clickable anymore.",
            "Emojis display as question marks.",
            "The notification sound plays twice for every message.",
            "the unread badge says 3 but there are no unread messages",
        ] {
            let d = one(s);
            assert!(
                d.has_reason(ReasonCode::Malfunction),
                "{s}: {:?}",
                d.reasons
            );
            assert_eq!(d.category, Category::Bug, "{s}");
        }
    }

    #[test]
    fn a_compromised_account_is_urgent() {
        let d = one("I think my account has been hacked, someone changed my email address.");
        assert!(d.has_reason(ReasonCode::AccountSecurity));
        assert_eq!(d.urgency, Urgency::Urgent);
        assert_eq!(d.category, Category::Technical);
    }

    #[test]
    fn frustration_hands_off_with_high_urgency_but_emphatic_praise_does_not() {
        let d = one("This is absolutely ridiculous. Nothing you say makes sense!!!");
        assert!(d.has_reason(ReasonCode::Frustration));
        assert_eq!(d.urgency, Urgency::High);
        assert_eq!(d.sentiment.label, SentimentLabel::Negative);
        let d = one("LOVE the new update, great job!!!");
        assert!(!d.handoff, "{:?}", d.reasons);
        assert_eq!(d.sentiment.label, SentimentLabel::Positive);
    }

    #[test]
    fn asking_the_same_question_again_hands_off() {
        let turns = [
            ChatTurn::user("How can I set business hours?"),
            ChatTurn::assistant("Business hours decide when you show as available."),
            ChatTurn::user("ok but how do I set the business hours"),
        ];
        let d = analyze(&turns, &AnalyzeOptions::default());
        assert!(
            d.has_reason(ReasonCode::RepeatedQuestion),
            "{:?}",
            d.reasons
        );
        assert_eq!(d.category, Category::Technical);
        assert_eq!(d.intent, Intent::HowTo);
    }

    #[test]
    fn a_follow_up_question_is_not_a_repeat() {
        let turns = [
            ChatTurn::user("How can I add a teammate?"),
            ChatTurn::assistant("Go to Team, then Invite."),
            ChatTurn::user("And how do I remove one later?"),
        ];
        assert!(!analyze(&turns, &AnalyzeOptions::default()).handoff);
    }

    #[test]
    fn saying_an_answer_did_not_help_hands_off_and_thanks_closes_the_problem() {
        let turns = [
            ChatTurn::user("The sync keeps failing."),
            ChatTurn::assistant("Try signing out and in again."),
            ChatTurn::user("Tried that, no change."),
        ];
        let d = analyze(&turns, &AnalyzeOptions::default());
        assert!(d.has_reason(ReasonCode::NotHelpful));
        assert_eq!(d.category, Category::Bug);
        let turns = [
            ChatTurn::user("The sync keeps failing."),
            ChatTurn::assistant("Try signing out and in again."),
            ChatTurn::user("That worked, thanks!"),
        ];
        assert!(!analyze(&turns, &AnalyzeOptions::default()).handoff);
    }

    #[test]
    fn yes_to_the_offer_of_a_person_hands_off_and_no_does_not() {
        let q = ChatTurn::user("How do I change the widget colour?");
        let a = ChatTurn::assistant(crate::NO_ANSWER_TEXT);
        let d = analyze(
            &[q.clone(), a.clone(), ChatTurn::user("yes please")],
            &AnalyzeOptions::default(),
        );
        assert!(d.has_reason(ReasonCode::ExplicitRequest));
        assert_eq!(d.category, Category::Technical);
        let d = analyze(
            &[q.clone(), a.clone(), ChatTurn::user("no thanks")],
            &AnalyzeOptions::default(),
        );
        assert!(!d.handoff, "{:?}", d.reasons);
        // Unanswered so far: the assistant's "I don't know" is the last word.
        let d = analyze(&[q, a], &AnalyzeOptions::default());
        assert!(d.has_reason(ReasonCode::NoConfidentAnswer));
    }

    #[test]
    fn low_retrieval_confidence_hands_off_a_real_question_but_not_a_greeting() {
        let opts = AnalyzeOptions {
            answer_confidence: Some(0.1),
            llm: None,
        };
        let d = analyze(
            &[ChatTurn::user("How do I set up a custom SMTP relay?")],
            &opts,
        );
        assert!(d.has_reason(ReasonCode::NoConfidentAnswer));
        let d = analyze(&[ChatTurn::user("hi")], &opts);
        assert!(!d.handoff);
        let confident = AnalyzeOptions {
            answer_confidence: Some(0.9),
            llm: None,
        };
        let d = analyze(
            &[ChatTurn::user("How do I set up a custom SMTP relay?")],
            &confident,
        );
        assert!(!d.handoff);
    }

    #[test]
    fn the_llm_decision_adds_a_reason_and_its_refusal_cancels_nothing() {
        let opts = AnalyzeOptions {
            answer_confidence: None,
            llm: Some(LlmDecision {
                handoff: true,
                reason: Some("needs a contract change".into()),
            }),
        };
        let d = analyze(&[ChatTurn::user("How do I export?")], &opts);
        assert!(d.has_reason(ReasonCode::LlmDecision));
        assert!(d.reasons[0].message.contains("contract change"));
        let opts = AnalyzeOptions {
            answer_confidence: None,
            llm: Some(LlmDecision::default()),
        };
        assert!(analyze(&[ChatTurn::user("I want a human")], &opts).handoff);
    }

    #[test]
    fn an_open_problem_earlier_in_the_chat_is_the_intent_not_a_later_how_to() {
        let turns = [
            ChatTurn::user("I was charged twice this month."),
            ChatTurn::assistant("I'm sorry about that. A person can look at the charge."),
            ChatTurn::user("Also, how do I export my conversations?"),
        ];
        let d = analyze(&turns, &AnalyzeOptions::default());
        assert!(d.has_reason(ReasonCode::BillingProblem));
        assert_eq!(d.category, Category::Billing);
        assert_eq!(d.intent, Intent::BillingProblem);
        let c = crate::HandoffContext::new(&turns, &d);
        assert!(
            c.user_intent.starts_with("Billing problem:"),
            "{}",
            c.user_intent
        );
        // Once the latest message closes the matter, the earlier problem no longer counts.
        let closed = [
            ChatTurn::user("I was charged twice this month."),
            ChatTurn::assistant("The second charge is a pre-authorisation; it disappears."),
            ChatTurn::user("ok thanks, that explains it"),
        ];
        let d = analyze(&closed, &AnalyzeOptions::default());
        assert!(!d.handoff, "{:?}", d.reasons);
        assert_ne!(d.intent, Intent::BillingProblem);
    }

    #[test]
    fn a_plain_acknowledgement_of_a_failed_answer_leaves_the_question_open() {
        let q = ChatTurn::user("How do I merge two contacts?");
        let a = ChatTurn::assistant("I'm sorry, I couldn't find an answer to that.");
        let d = analyze(
            &[q.clone(), a.clone(), ChatTurn::user("ok")],
            &AnalyzeOptions::default(),
        );
        assert!(
            d.has_reason(ReasonCode::NoConfidentAnswer),
            "{:?}",
            d.reasons
        );
        let d = analyze(
            &[q, a, ChatTurn::user("ok thanks anyway")],
            &AnalyzeOptions::default(),
        );
        assert!(!d.handoff, "{:?}", d.reasons);
    }

    #[test]
    fn breakage_is_read_from_the_shape_of_the_sentence_not_a_fixed_verb_list() {
        for s in [
            "The save button doesn't do anything when I click it",
            "Replies from the widget never show up in the inbox",
            "the reports page is blank since this morning",
            "Our booking widget is down",
            "we keep getting 503s from the API",
            "The counter says 7 but there's nothing in the queue",
            "Le calendrier ne se charge plus",
            "Der Kalender lädt nicht mehr",
        ] {
            let d = one(s);
            assert!(
                d.has_reason(ReasonCode::Malfunction),
                "{s}: {:?}",
                d.reasons
            );
            assert_eq!(d.category, Category::Bug, "{s}");
        }
        assert_eq!(one("Our booking widget is down").urgency, Urgency::Urgent);
        // Numbers that are not status codes, imperatives and user mistakes are not breakage.
        for s in [
            "We have 450 agents, which plan fits us?",
            "Please call me on 555-0100.",
            "Please don't send me the newsletter.",
            "never mind, I was using the wrong email",
            "Our ticket volume was down 20% last month, how do I export that report?",
        ] {
            assert!(!one(s).has_reason(ReasonCode::Malfunction), "{s}");
        }
    }

    #[test]
    fn an_access_failure_is_technical_but_a_broken_login_page_is_a_bug() {
        let d = one("The verification code never arrives so I can't sign in.");
        assert!(d.has_reason(ReasonCode::AccountSecurity));
        assert_eq!(d.category, Category::Technical);
        let d = one("I can't log in, the login page throws a 500 error.");
        assert_eq!(d.category, Category::Bug);
    }

    #[test]
    fn an_empty_chat_is_no_handoff() {
        let d = analyze(&[], &AnalyzeOptions::default());
        assert!(!d.handoff);
        assert_eq!(d.category, Category::Other);
    }
}
