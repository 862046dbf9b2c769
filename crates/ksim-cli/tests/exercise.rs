//! `ksim exercise`: list, check a solution file, verify every built-in exercise.

use std::process::Command;

fn ksim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ksim")).args(args).output().expect("ksim runs")
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ksim-exercise-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

#[test]
fn list_shows_each_exercise_with_its_concepts() {
    let out = ksim(&["exercise", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() >= 14, "{text}");
    let replication = text.lines().find(|l| l.starts_with("replication ")).expect("replication listed");
    assert!(
        replication.contains("Replication and the ISR [replication, ISR, broker, fault tolerance]"),
        "{replication}"
    );
}

#[test]
fn check_marks_each_check_and_exits_zero_only_when_all_pass() {
    let solution = temp_file(
        "topics.ksim",
        "bin/kafka-topics.sh --create --topic ambulance-requests --bootstrap-server localhost:9092\n\
         bin/kafka-topics.sh --create --topic traffic-monitoring --bootstrap-server localhost:9092\n\
         bin/kafka-topics.sh --list --bootstrap-server localhost:9092\n",
    );
    let out = ksim(&["exercise", "check", "topics", "--solution", solution.to_str().expect("utf-8")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("✓ topic ambulance-requests exists"), "{text}");
    assert!(text.contains("✓ you listed the topics (kafka-topics.sh --list)"), "{text}");
    assert!(text.contains("✗ you described a topic (kafka-topics.sh --describe) (no such command was run)"), "{text}");
    assert!(text.ends_with("3 of 4 checks pass\n"), "{text}");

    let mut full = std::fs::read_to_string(&solution).expect("read back");
    full.push_str("bin/kafka-topics.sh --describe --topic ambulance-requests --bootstrap-server localhost:9092\n");
    let solution = temp_file("topics-full.ksim", &full);
    let out = ksim(&["exercise", "check", "topics", "--solution", solution.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn check_reports_unknown_exercises_and_bad_files() {
    let out = ksim(&["exercise", "check", "no-such-exercise", "--solution", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown exercise 'no-such-exercise'"));
    let bad = temp_file("bad.json", r#"{"id": "x", "titel": "typo"}"#);
    let out = ksim(&["exercise", "check", bad.to_str().expect("utf-8"), "--solution", "/dev/null"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json: titel: unknown field \"titel\""));
    let out = ksim(&["exercise", "check", "topics"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn verify_all_runs_every_reference_solution_and_an_empty_attempt() {
    let out = ksim(&["exercise", "verify-all"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let n = ksim::BUILTIN_EXERCISE_FILES.len();
    assert!(
        text.ends_with(&format!(
            "{n} exercises: {n} solved by their reference solution, 0 solved by an empty attempt\n"
        )),
        "{text}"
    );
}
