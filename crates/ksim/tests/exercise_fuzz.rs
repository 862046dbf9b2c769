//! The exercise loader never panics, never hangs and refuses oversized input before parsing
//! it: seeded mutations of the real exercise files, random bytes and deep nesting.
//!
//! Deterministic: `KSIM_SEED` picks the seed (default 1), `KSIM_FUZZ_CASES` the number of
//! mutants per file (default 200). Any mutant that loads has its checks evaluated too.

use std::time::{Duration, Instant};

/// SplitMix64: a tiny seeded generator, so the test needs no dependency and replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

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

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(7) {
            0 => {
                let end = (at + rng.below(40)).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let token: Vec<char> = TOKENS[rng.below(TOKENS.len())].chars().collect();
                chars.splice(at..at, token);
            }
            2 if at < chars.len() => chars[at] = char::from_u32(rng.below(0x80) as u32).unwrap_or('x'),
            3 => {
                let end = (at + rng.below(200)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, copy);
            }
            4 => chars.truncate(at),
            5 if at < chars.len() && chars[at].is_ascii_digit() => chars[at] = '9',
            _ => {
                // Swap two structural characters to unbalance the document.
                let other = rng.below(chars.len() + 1);
                if at < chars.len() && other < chars.len() {
                    chars.swap(at, other);
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

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
            current = mutate(&mut rng, &current);
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
