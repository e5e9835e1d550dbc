//! `support-chat assistant eval`: figures on the shipped dev set, and clear failures on bad input.

use std::process::{Command, Output};

fn eval(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_support-chat"))
        .args(["assistant", "eval"])
        .args(args)
        .output()
        .expect("run support-chat")
}

fn dev_set() -> String {
    format!(
        "{}/../assistant/data/handoff-dev.jsonl",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn eval_prints_the_figures_for_the_dev_set() {
    let out = eval(&[&dev_set(), "--errors"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for label in [
        "examples:",
        "precision:",
        "recall:",
        "F1:",
        "category accuracy:",
        "urgency accuracy:",
        "category confusion:",
        "urgency confusion:",
        "mistakes (",
    ] {
        assert!(stdout.contains(label), "missing {label} in:\n{stdout}");
    }
    let f1: f64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("F1:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("an F1 figure");
    assert!(f1 >= 0.9, "F1 {f1}");
}

#[test]
fn eval_fails_on_a_missing_file_and_names_a_bad_line() {
    let out = eval(&["/nonexistent/set.jsonl"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading /nonexistent/set.jsonl"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.jsonl");
    std::fs::write(
        &path,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"handoff\":false,\"category\":\"other\",\"urgency\":\"low\"}\n\
         {\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"handoff\":false,\"category\":\"sales\",\"urgency\":\"low\"}\n",
    )
    .unwrap();
    let out = eval(&[path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("line 2:") && stderr.contains("unknown variant `sales`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no figures for a bad file");
}
