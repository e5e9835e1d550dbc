//! Scoring the hand-off decision on a labelled set (JSON Lines), for
//! `support-chat assistant eval FILE.jsonl`.
//!
//! One example per line:
//! `{"messages":[{"role":"user","content":"…"},…],"handoff":true,"category":"billing","urgency":"high","note":"…"}`
//! (`note` optional; blank lines skipped).

use crate::analyze::analyze;
use crate::types::{AnalyzeOptions, Category, ChatRole, ChatTurn, Urgency};
use serde::Deserialize;
use std::fmt;

/// One labelled chat.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// 1-based line number in the file.
    pub line: usize,
    /// The chat.
    pub messages: Vec<ChatTurn>,
    /// Expected hand-off.
    pub handoff: bool,
    /// Expected category.
    pub category: Category,
    /// Expected urgency.
    pub urgency: Urgency,
    /// Free text about the example.
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    messages: Vec<ChatTurn>,
    handoff: bool,
    category: Category,
    urgency: Urgency,
    #[serde(default)]
    note: Option<String>,
}

/// A line that is not a valid example.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line number (0 when the file as a whole is wrong).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a JSON Lines data set. Fails on the first bad line, naming it.
pub fn parse_dataset(text: &str) -> Result<Vec<Example>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let err = |message: String| ParseError { line, message };
        let l: Line = serde_json::from_str(raw).map_err(|e| {
            let m = e.to_string();
            // serde_json reports "at line 1 column N" for the single line; keep the column.
            err(m.replace(" at line 1 column ", " at column "))
        })?;
        if l.messages.is_empty() {
            return Err(err("\"messages\" is empty".into()));
        }
        if !l.messages.iter().any(|m| m.role == ChatRole::User) {
            return Err(err("\"messages\" has no user message".into()));
        }
        if let Some(k) = l.messages.iter().position(|m| m.content.trim().is_empty()) {
            return Err(err(format!("message {} has empty content", k + 1)));
        }
        out.push(Example {
            line,
            messages: l.messages,
            handoff: l.handoff,
            category: l.category,
            urgency: l.urgency,
            note: l.note,
        });
    }
    if out.is_empty() {
        return Err(ParseError {
            line: 0,
            message: "the file has no examples".into(),
        });
    }
    Ok(out)
}

/// One example the analyzer got wrong in some way.
#[derive(Debug, Clone, PartialEq)]
pub struct Mistake {
    /// Line in the file.
    pub line: usize,
    /// The latest user message, shortened.
    pub text: String,
    /// Expected and predicted hand-off.
    pub handoff: (bool, bool),
    /// Expected and predicted category.
    pub category: (Category, Category),
    /// Expected and predicted urgency.
    pub urgency: (Urgency, Urgency),
    /// Reason codes given.
    pub reasons: Vec<String>,
}

/// The figures of one evaluation run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// Examples scored.
    pub count: usize,
    /// Hand-off expected and predicted.
    pub true_positives: usize,
    /// Predicted but not expected.
    pub false_positives: usize,
    /// Expected but not predicted.
    pub false_negatives: usize,
    /// Neither.
    pub true_negatives: usize,
    /// Examples whose category was right.
    pub category_correct: usize,
    /// Examples whose urgency was right.
    pub urgency_correct: usize,
    /// `[expected][predicted]` counts in [`Category::ALL`] order.
    pub category_confusion: Vec<Vec<usize>>,
    /// `[expected][predicted]` counts in [`Urgency::ALL`] order.
    pub urgency_confusion: Vec<Vec<usize>>,
    /// Every example with any wrong field.
    pub mistakes: Vec<Mistake>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Report {
    /// Of the predicted hand-offs, the share that was expected.
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
    /// Of the expected hand-offs, the share that was predicted.
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// Share of examples with the right category.
    pub fn category_accuracy(&self) -> f64 {
        ratio(self.category_correct, self.count)
    }
    /// Share of examples with the right urgency.
    pub fn urgency_accuracy(&self) -> f64 {
        ratio(self.urgency_correct, self.count)
    }

    /// The mistakes, one per line, for `--errors`.
    pub fn mistakes_text(&self) -> String {
        let mut s = String::new();
        for m in &self.mistakes {
            let mut what = Vec::new();
            if m.handoff.0 != m.handoff.1 {
                what.push(format!("handoff {}→{}", m.handoff.0, m.handoff.1));
            }
            if m.category.0 != m.category.1 {
                what.push(format!("category {}→{}", m.category.0, m.category.1));
            }
            if m.urgency.0 != m.urgency.1 {
                what.push(format!("urgency {}→{}", m.urgency.0, m.urgency.1));
            }
            s.push_str(&format!(
                "line {:>4}: {} [{}] {}\n",
                m.line,
                what.join(", "),
                m.reasons.join(","),
                m.text
            ));
        }
        s
    }
}

/// Runs [`analyze`] over every example with the same options and counts what it got right.
pub fn evaluate(examples: &[Example], options: &AnalyzeOptions) -> Report {
    let mut r = Report {
        category_confusion: vec![vec![0; Category::ALL.len()]; Category::ALL.len()],
        urgency_confusion: vec![vec![0; Urgency::ALL.len()]; Urgency::ALL.len()],
        ..Report::default()
    };
    for ex in examples {
        let d = analyze(&ex.messages, options);
        r.count += 1;
        match (ex.handoff, d.handoff) {
            (true, true) => r.true_positives += 1,
            (false, true) => r.false_positives += 1,
            (true, false) => r.false_negatives += 1,
            (false, false) => r.true_negatives += 1,
        }
        let ci = |c: Category| Category::ALL.iter().position(|x| *x == c).unwrap_or(0);
        let ui = |u: Urgency| Urgency::ALL.iter().position(|x| *x == u).unwrap_or(0);
        r.category_confusion[ci(ex.category)][ci(d.category)] += 1;
        r.urgency_confusion[ui(ex.urgency)][ui(d.urgency)] += 1;
        r.category_correct += usize::from(ex.category == d.category);
        r.urgency_correct += usize::from(ex.urgency == d.urgency);
        if ex.handoff != d.handoff || ex.category != d.category || ex.urgency != d.urgency {
            let last = ex
                .messages
                .iter()
                .rev()
                .find(|m| m.role == ChatRole::User)
                .map_or("", |m| m.content.as_str());
            r.mistakes.push(Mistake {
                line: ex.line,
                text: crate::text::truncate_words(last, 90),
                handoff: (ex.handoff, d.handoff),
                category: (ex.category, d.category),
                urgency: (ex.urgency, d.urgency),
                reasons: d.reasons.iter().map(|x| x.code.to_string()).collect(),
            });
        }
    }
    r
}

fn table<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    names: &[T],
    m: &[Vec<usize>],
) -> fmt::Result {
    write!(f, "  {:<16}", "expected \\ got")?;
    for n in names {
        write!(f, "{:>10}", n.to_string())?;
    }
    writeln!(f)?;
    for (i, row) in m.iter().enumerate() {
        write!(f, "  {:<16}", names[i].to_string())?;
        for v in row {
            write!(f, "{v:>10}")?;
        }
        writeln!(f)?;
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "examples:           {}", self.count)?;
        writeln!(
            f,
            "handoff:            {} expected, {} predicted",
            self.true_positives + self.false_negatives,
            self.true_positives + self.false_positives
        )?;
        writeln!(f, "precision:          {:.3}", self.precision())?;
        writeln!(f, "recall:             {:.3}", self.recall())?;
        writeln!(f, "F1:                 {:.3}", self.f1())?;
        writeln!(
            f,
            "category accuracy:  {:.3} ({}/{})",
            self.category_accuracy(),
            self.category_correct,
            self.count
        )?;
        writeln!(
            f,
            "urgency accuracy:   {:.3} ({}/{})",
            self.urgency_accuracy(),
            self.urgency_correct,
            self.count
        )?;
        writeln!(f)?;
        writeln!(f, "handoff confusion:")?;
        writeln!(
            f,
            "  true positives {}, false positives {}, false negatives {}, true negatives {}",
            self.true_positives, self.false_positives, self.false_negatives, self.true_negatives
        )?;
        writeln!(f, "category confusion:")?;
        table(f, Category::ALL, &self.category_confusion)?;
        writeln!(f, "urgency confusion:")?;
        table(f, Urgency::ALL, &self.urgency_confusion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_file_parses_skipping_blank_lines() {
        let text = "{\"messages\":[{\"role\":\"user\",\"content\":\"I want a human\"}],\"handoff\":true,\"category\":\"other\",\"urgency\":\"normal\"}\n\n\
                    {\"messages\":[{\"role\":\"user\",\"content\":\"How do I export?\"},{\"role\":\"assistant\",\"content\":\"Settings.\"}],\"handoff\":false,\"category\":\"technical\",\"urgency\":\"low\",\"note\":\"how-to\"}\n";
        let ex = parse_dataset(text).unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[1].line, 3);
        assert_eq!(ex[1].note.as_deref(), Some("how-to"));
        assert_eq!(ex[1].messages[1].role, ChatRole::Assistant);
    }

    #[test]
    fn bad_lines_are_named_with_their_number_and_problem() {
        let good = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"handoff\":false,\"category\":\"other\",\"urgency\":\"low\"}";
        let cases = [
            ("{not json", "key must be a string"),
            (
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"handoff\":true,\"category\":\"money\",\"urgency\":\"low\"}",
                "unknown variant `money`",
            ),
            (
                "{\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}],\"handoff\":true,\"category\":\"bug\",\"urgency\":\"low\"}",
                "unknown variant `bot`",
            ),
            (
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"category\":\"bug\",\"urgency\":\"low\"}",
                "missing field `handoff`",
            ),
            (
                "{\"messages\":[],\"handoff\":true,\"category\":\"bug\",\"urgency\":\"low\"}",
                "\"messages\" is empty",
            ),
            (
                "{\"messages\":[{\"role\":\"assistant\",\"content\":\"x\"}],\"handoff\":true,\"category\":\"bug\",\"urgency\":\"low\"}",
                "no user message",
            ),
            (
                "{\"messages\":[{\"role\":\"user\",\"content\":\"  \"}],\"handoff\":true,\"category\":\"bug\",\"urgency\":\"low\"}",
                "message 1 has empty content",
            ),
            (
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"handoff\":true,\"category\":\"bug\",\"urgency\":\"low\",\"lable\":1}",
                "unknown field `lable`",
            ),
        ];
        for (bad, problem) in cases {
            let text = format!("{good}\n{good}\n{bad}\n{good}\n");
            let e = parse_dataset(&text).unwrap_err();
            assert_eq!(e.line, 3, "{bad}");
            assert!(e.to_string().starts_with("line 3: "), "{e}");
            assert!(e.message.contains(problem), "{bad}: {e}");
        }
        assert_eq!(
            parse_dataset("\n\n").unwrap_err().message,
            "the file has no examples"
        );
    }

    #[test]
    fn the_figures_count_what_the_analyzer_got_right() {
        let ex = |line, text: &str, handoff, category, urgency| Example {
            line,
            messages: vec![ChatTurn::user(text)],
            handoff,
            category,
            urgency,
            note: None,
        };
        let examples = [
            ex(
                1,
                "I want to talk to a human",
                true,
                Category::Other,
                Urgency::Normal,
            ),
            ex(
                2,
                "How do I export my data?",
                false,
                Category::Technical,
                Urgency::Low,
            ),
            // Deliberately mislabelled: the analyzer will disagree on all three fields.
            ex(
                3,
                "How much does the Pro plan cost?",
                true,
                Category::Bug,
                Urgency::Urgent,
            ),
        ];
        let r = evaluate(&examples, &AnalyzeOptions::default());
        assert_eq!(r.count, 3);
        assert_eq!(
            (r.true_positives, r.false_negatives, r.true_negatives),
            (1, 1, 1)
        );
        assert!((r.precision() - 1.0).abs() < 1e-9);
        assert!((r.recall() - 0.5).abs() < 1e-9);
        assert!((r.f1() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.category_correct, 2);
        assert_eq!(r.mistakes.len(), 1);
        assert_eq!(r.mistakes[0].line, 3);
        assert_eq!(
            r.category_confusion[3][1], 1,
            "bug expected, billing predicted"
        );
        let text = r.to_string();
        assert!(text.contains("F1:                 0.667"), "{text}");
        assert!(
            r.mistakes_text()
                .contains("line    3: handoff true→false, category bug→billing")
        );
    }
}
