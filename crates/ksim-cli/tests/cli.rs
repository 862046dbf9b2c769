//! The `ksim` binary prints the same transcripts as the core (the golden files), and
//! reports bad invocations without panicking.

use std::path::Path;
use std::process::Command;

fn scripts() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scripts")
}

fn ksim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ksim")).args(args).output().expect("ksim runs")
}

#[test]
fn run_prints_the_golden_transcript() {
    let script = scripts().join("lesson-workflow.ksim");
    let out = ksim(&["run", script.to_str().expect("utf-8 path")]);
    assert!(out.status.success());
    let expected = std::fs::read_to_string(scripts().join("lesson-workflow.out")).expect("golden file");
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[test]
fn trace_follows_the_transcript() {
    let script = scripts().join("lesson-workflow.ksim");
    let out = ksim(&["run", script.to_str().expect("utf-8 path"), "--trace", "--seed", "1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Controller 1: won the election for epoch 1"));
    assert!(text.contains("Broker 1: appended 2 record(s) to heart-rate-measures-0"));
}

#[test]
fn bad_invocations_are_reported() {
    let out = ksim(&["run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ksim run needs a script file"));
    let out = ksim(&["run", "/no/such/file.ksim"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /no/such/file.ksim"));
    let out = ksim(&["run", "x.ksim", "--seed", "minus-one"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid seed 'minus-one'"));
    let out = ksim(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_interactive_console_reads_stdin() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ksim"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ksim starts");
    child.stdin.take().expect("stdin").write_all(b"echo hello from ksim\nksim seed\n").expect("write");
    let out = child.wait_with_output().expect("ksim exits at end of input");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("hello from ksim"));
    assert!(text.contains("seed 1"));
}

#[test]
fn bench_ends_with_the_throughput_line() {
    let out = ksim(&["bench", "--records", "2000", "--partitions", "3", "--replication-factor", "2", "--acks", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().expect("a summary line");
    assert!(last.starts_with("2000 records in "), "{last}");
    assert!(last.ends_with(" records/s produced, replicated and consumed"), "{last}");
    assert!(text.starts_with("3 brokers + 1 controller, topic with 3 partitions, replication factor 2, acks=1"));
}

#[test]
fn bench_refuses_bad_flags_clearly() {
    for (args, message) in [
        (&["bench", "--acks", "2"][..], "ksim: invalid --acks '2': expected all, -1, 1 or 0"),
        (&["bench", "--partitions", "0"][..], "ksim: --partitions must be between 1 and 1000, not 0"),
        (&["bench", "--records"][..], "ksim: --records needs a value"),
        (
            &["bench", "--replication-factor", "x"][..],
            "ksim: invalid --replication-factor 'x': expected a non-negative integer",
        ),
        (&["bench", "--fast"][..], "ksim: unknown option '--fast'"),
    ] {
        let out = ksim(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().next(), Some(message), "{args:?}");
    }
}
