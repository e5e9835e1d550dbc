//! Scores the hand-off decision on any labelled JSON Lines file, with no server build:
//! `cargo run -q -p support-chat-assistant --example eval_file -- FILE.jsonl [--errors]`
//! (or the path in `HANDOFF_EVAL_FILE`). The same figures as `support-chat assistant eval`.

use support_chat_assistant::AnalyzeOptions;
use support_chat_assistant::eval::{evaluate, parse_dataset};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut path = std::env::var("HANDOFF_EVAL_FILE").ok();
    let mut errors = false;
    for arg in args.by_ref() {
        if arg == "--errors" {
            errors = true;
        } else {
            path = Some(arg);
        }
    }
    let Some(path) = path else {
        eprintln!("usage: eval_file FILE.jsonl [--errors] (or HANDOFF_EVAL_FILE=FILE.jsonl)");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let examples = parse_dataset(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let report = evaluate(&examples, &AnalyzeOptions::default());
    println!("{report}");
    if errors {
        println!("{}", report.mistakes_text());
    }
}
