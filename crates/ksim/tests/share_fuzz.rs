//! The share-link decoder and the session importer never panic, never hang and refuse
//! oversized input before decoding it: seeded mutations of a real session's share code and
//! JSON file, random bytes, and huge inputs. A mutant that still decodes is replayed too.
//!
//! Deterministic: `KSIM_SEED` picks the seed (default 1), `KSIM_FUZZ_CASES` the number of
//! mutants of each form (default 200).

use std::time::{Duration, Instant};

use ksim::{Replay, Session};

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
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e309",
    "1.5",
    "4294967296",
    "18446744073709551616",
    "\"line\"",
    "\"advance_ms\"",
    "\"cap\"",
    "\"at_event\"",
    "\"step\"",
    "\"interrupt\"",
    "\"position\"",
    "\"ksim advance 1s\"",
    "\"ksim kill 1\"",
    "é",
    "🫀",
    "\n",
    "A",
    "_",
    "-",
    ".",
    "v1.",
    "v2.",
];

fn small_session() -> Session {
    let mut s = Session::new(1);
    for line in [
        "ksim start-cluster --brokers 1 --controllers 1",
        "kafka-topics.sh --create --topic vitals --bootstrap-server localhost:9092",
        "kafka-console-producer.sh --topic vitals --bootstrap-server localhost:9092",
        "> 82 bpm",
        "> 110 bpm",
    ] {
        s.input(line);
        s.advance(500);
    }
    s.end_of_input();
    s
}

/// Decodes (and, when it decodes, replays) within a time bound.
fn bounded<E>(label: &str, decode: impl FnOnce() -> Result<Replay, E>) -> bool {
    let started = Instant::now();
    let ok = match decode() {
        Ok(replay) => {
            let _ = Session::from_replay(&replay).view();
            true
        }
        Err(_) => false,
    };
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{label}: took {took:?}");
    ok
}

#[test]
fn mutated_share_codes_and_files_never_panic_or_hang() {
    let seed = env_number("KSIM_SEED", 1);
    let cases = env_number("KSIM_FUZZ_CASES", 200);
    let mut rng = Rng(seed);
    let replay = small_session().export_replay();
    let code = replay.to_share_code();
    let json = replay.to_json();
    let mut decoded = 0;
    for case in 0..cases {
        let rerun = format!("(rerun: KSIM_SEED={seed} cargo test -p ksim --test share_fuzz)");
        let mutant = mutate(&mut rng, &code, TOKENS);
        decoded += usize::from(bounded(&format!("code case {case} {rerun}"), || Replay::from_share_code(&mutant)));
        let mutant = mutate(&mut rng, &json, TOKENS);
        decoded += usize::from(bounded(&format!("json case {case} {rerun}"), || Replay::from_json(&mutant)));
    }
    // Some JSON mutants (a digit, a line's text) still import, so replays ran too.
    assert!(decoded > 0, "no mutant decoded");
}

#[test]
fn random_input_never_panics() {
    let mut rng = Rng(env_number("KSIM_SEED", 1));
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for case in 0..2000 {
        let len = rng.below(300);
        let body: String = (0..len).map(|_| ALPHABET[rng.below(64)] as char).collect();
        assert!(Replay::from_share_code(&format!("v1.{body}")).is_err(), "case {case}");
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        assert!(Replay::from_share_code(&text).is_err());
        assert!(Replay::from_json(&text).is_err());
    }
}

#[test]
fn huge_inputs_are_refused_quickly() {
    let inputs = [
        format!("v1.{}", "A".repeat(1 << 20)),
        format!("v1.{}", "_".repeat(1000)),
        " ".repeat(ksim::SESSION_FILE_BYTES_MAX + 1),
        "[".repeat(ksim::SESSION_FILE_BYTES_MAX),
        format!(
            "{{\"format\":\"kafka-playground-session\",\"version\":1,\"seed\":1,\"scripted_inputs\":0,\"present_events\":0,\"position\":0,\"inputs\":[{}]}}",
            vec!["{\"at_event\":0,\"step\":true}"; 30_000].join(",")
        ),
    ];
    for text in inputs {
        let started = Instant::now();
        assert!(Replay::from_share_code(&text).is_err());
        assert!(Replay::from_json(&text).is_err());
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    }
}

/// Sizes for the README: the lesson typed in the page, with 1.6 s of frames between lines.
#[test]
fn a_lesson_session_fits_in_a_short_link() {
    let mut s = Session::new(1);
    for line in include_str!("../../../tests/scripts/lesson-workflow.ksim").lines() {
        s.input(line);
        for _ in 0..100 {
            s.advance(16);
        }
    }
    let replay = s.export_replay();
    let code = replay.to_share_code();
    let json = replay.to_json();
    eprintln!("lesson: {} inputs, JSON {} bytes, share code {} characters", replay.len(), json.len(), code.len());
    assert!(code.len() < 800, "{}", code.len());
}
