//! The exercise loader never panics, never hangs and refuses oversized input before parsing
//! it: seeded mutations of the real exercise files, random bytes and deep nesting.
//!
//! Deterministic: `KSIM_SEED` picks the seed (default 1), `KSIM_FUZZ_CASES` the number of
//! mutants per file (default 200). Any mutant that loads has its checks evaluated too.

use std::time::{Duration, Instant};

mod common;

use common::{env_number, mutate, Rng};

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u",
    "\\ud800",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e309",
    "1.5",
    "4294967296",
    "18446744073709551616",
    "\"kind\"",
    "\"leader_chnaged\"",
    "\"records\"",
    "\"checks\"",
    "\"steps\"",
    "\"values\"",
    "\"keys_in_same_partition\"",
    "\"partition\"",
    "\"state\"",
    "\"stopped\"",
    "\u{0}",
    "é",
    "🫀",
    "\n",
    "\"ksim advance 1s\"",
    "\"description\"",
];

/// Loads `text` and, when it loads, evaluates its checks against a bare session; each
/// must finish quickly.
fn load_bounded(label: &str, text: &str, session: &ksim::Session) {
    let started = Instant::now();
    if let Ok(exercise) = ksim::load_exercise("fuzz.json", text) {
        let baseline = ksim::Baseline::capture(session);
        let results = exercise.evaluate(session, &baseline);
        assert_eq!(results.len(), exercise.steps.iter().map(|s| s.checks.len()).sum::<usize>());
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "{label}: took {took:?}");
}

#[test]
fn mutated_exercise_files_never_panic_or_hang() {
    let seed = env_number("KSIM_SEED", 1);
    let cases = env_number("KSIM_FUZZ_CASES", 200);
    let mut rng = Rng(seed);
    let session = ksim::Session::new(1);
    let mut loaded = 0;
    for (file, text) in ksim::BUILTIN_EXERCISE_FILES {
        let mut current = text.to_string();
        for case in 0..cases {
            // Mutations accumulate for a while, then start again from the real file.
            if case % 8 == 0 {
                current = text.to_string();
            }
            current = mutate(&mut rng, &current, TOKENS);
            if current.len() > ksim::EXERCISE_FILE_BYTES_MAX {
                current = text.to_string();
            }
            let label = format!("{file} case {case} (rerun: KSIM_SEED={seed} cargo test -p ksim --test exercise_fuzz)");
            load_bounded(&label, &current, &session);
            loaded += usize::from(ksim::load_exercise(file, &current).is_ok());
        }
    }
    // Some mutants (a changed hint, a digit) are still valid: the checks ran on them.
    assert!(loaded > 0, "no mutant loaded, so evaluation was never exercised");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(env_number("KSIM_SEED", 1));
    let session = ksim::Session::new(1);
    for case in 0..500 {
        let len = rng.below(400);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        load_bounded(&format!("random bytes case {case}"), &text, &session);
        assert!(ksim::load_exercise("random.json", &text).is_err());
    }
}

#[test]
fn deep_nesting_and_huge_inputs_are_refused_quickly() {
    let session = ksim::Session::new(1);
    let max = ksim::EXERCISE_FILE_BYTES_MAX;
    let inputs = [
        ("deep arrays", "[".repeat(max)),
        ("deep objects", "{\"a\":".repeat(max / 5)),
        ("deep arrays, closed", format!("{}{}", "[".repeat(5000), "]".repeat(5000))),
        ("deep steps", format!("{{\"steps\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000))),
        ("a long string", format!("{{\"id\": \"{}\"}}", "a".repeat(max - 20))),
        ("too large", " ".repeat(max + 1)),
        ("far too large", "[".repeat(16 * max)),
        (
            "many checks",
            format!(
                "{{\"steps\": [{{\"goal\": \"g\", \"checks\": [{}]}}]}}",
                vec!["{\"kind\": \"controller_leader_changed\"}"; 5000].join(",")
            ),
        ),
    ];
    for (label, text) in inputs {
        let started = Instant::now();
        let result = ksim::load_exercise("deep.json", &text);
        assert!(result.is_err(), "{label} loaded");
        assert!(started.elapsed() < Duration::from_secs(2), "{label}: took {:?}", started.elapsed());
        load_bounded(label, &text, &session);
    }
}
