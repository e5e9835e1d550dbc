//! The hand-off decision on the labelled sets in `data/`, with no LLM and no retrieval
//! confidence: the acceptance bar is F1 ≥ 0.90 and category accuracy ≥ 0.85.
//!
//! `handoff-dev.jsonl` is the set the rules were tuned on; `handoff-check.jsonl` was written
//! separately, in different words, and never used for tuning. Both must pass the bar.

use support_chat_assistant::AnalyzeOptions;
use support_chat_assistant::eval::{Report, evaluate, parse_dataset};

fn run(name: &str) -> Report {
    let path = format!("{}/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let examples = parse_dataset(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let report = evaluate(&examples, &AnalyzeOptions::default());
    println!("== {name}\n{report}\n{}", report.mistakes_text());
    report
}

#[test]
fn the_dev_set_meets_the_bar() {
    let r = run("handoff-dev.jsonl");
    assert!(
        r.count >= 200,
        "the dev set must have at least 200 examples"
    );
    assert!(r.f1() >= 0.90, "F1 {:.3} < 0.90", r.f1());
    assert!(
        r.category_accuracy() >= 0.85,
        "category accuracy {:.3} < 0.85",
        r.category_accuracy()
    );
}

#[test]
fn the_check_set_written_apart_meets_the_bar() {
    let r = run("handoff-check.jsonl");
    assert!(
        r.count >= 80,
        "the check set must have at least 80 examples"
    );
    assert!(r.f1() >= 0.90, "F1 {:.3} < 0.90", r.f1());
    assert!(
        r.category_accuracy() >= 0.85,
        "category accuracy {:.3} < 0.85",
        r.category_accuracy()
    );
}
