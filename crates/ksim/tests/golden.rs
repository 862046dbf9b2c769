//! Golden transcripts: every `tests/scripts/*.ksim` at the repository root runs through
//! `ksim::run_script` (seed 1) and must print exactly its `.out` file.
//! `UPDATE_EXPECT=1 cargo test --test golden` rewrites the `.out` files; review the diff.

use std::path::{Path, PathBuf};

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scripts")
}

#[test]
fn transcripts_match_their_golden_files() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(scripts_dir())
        .expect("tests/scripts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ksim"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 4, "expected the golden scripts, found {scripts:?}");
    let mut failures = Vec::new();
    for script in &scripts {
        let text = std::fs::read_to_string(script).expect("script readable");
        let actual = ksim::run_script(&text, 1);
        let golden = script.with_extension("out");
        if update {
            std::fs::write(&golden, &actual).expect("golden writable");
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if actual != expected {
            let first = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .unwrap_or(actual.lines().count().min(expected.lines().count()));
            failures.push(format!(
                "{}: transcript differs from {} at line {}\n  actual:   {:?}\n  expected: {:?}",
                script.display(),
                golden.display(),
                first + 1,
                actual.lines().nth(first),
                expected.lines().nth(first)
            ));
        }
    }
    assert!(failures.is_empty(), "{}\n(rerun with UPDATE_EXPECT=1 to accept the new output)", failures.join("\n"));
}

#[test]
fn the_lesson_consumer_prints_both_readings_in_order() {
    let text = std::fs::read_to_string(scripts_dir().join("lesson-workflow.ksim")).expect("lesson script");
    let transcript = ksim::run_script(&text, 1);
    let lines: Vec<&str> = transcript.lines().collect();
    let first = lines.iter().position(|l| *l == "82 bpm").expect("82 bpm printed");
    let second = lines.iter().position(|l| *l == "110 bpm").expect("110 bpm printed");
    assert!(first < second);
    assert!(lines.contains(&"Processed a total of 2 messages"));
    assert!(lines.contains(&"Created topic heart-rate-measures."));
}
