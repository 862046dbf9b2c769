use super::*;
use crate::builtin_exercises;

const LESSON: &str = include_str!("../../../../tests/scripts/lesson-workflow.ksim");

/// The lesson as the page plays it: each line typed, then 1.6 s of 16 ms frames.
fn lesson_session() -> Session {
    let mut s = Session::new(1);
    for line in LESSON.lines() {
        s.input(line);
        for _ in 0..100 {
            s.advance(16);
        }
    }
    s.interrupt();
    s.control("ksim kill 1");
    s.step();
    s
}

fn assert_same(a: &Session, b: &Session) {
    assert_eq!(a.view(), b.view());
    assert_eq!(a.transcript(), b.transcript());
    assert_eq!(a.trace(), b.trace());
    assert_eq!(a.prompt(), b.prompt());
    assert_eq!(a.events_processed(), b.events_processed());
}

#[test]
fn a_share_code_replays_the_lesson() {
    let s = lesson_session();
    let code = s.export_replay().to_share_code();
    assert!(code.starts_with("v1."));
    assert!(code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'));
    let replay = Replay::from_share_code(&code).unwrap();
    assert_eq!(replay, s.export_replay());
    let restored = Session::from_replay(&replay);
    assert_same(&s, &restored);
    // The restored session goes on as the original would.
    let mut a = s;
    let mut b = restored;
    a.advance(5_000);
    b.advance(5_000);
    assert_same(&a, &b);
    assert!(code.len() < 1000, "{}", code.len());
}

#[test]
fn json_round_trips_and_keeps_a_stepped_back_position() {
    let mut s = lesson_session();
    s.step_back();
    s.step_back();
    let json = s.export_replay().to_json();
    let replay = Replay::from_json(&json).unwrap();
    assert_eq!(replay, s.export_replay());
    let mut restored = Session::from_replay(&replay);
    assert_same(&s, &restored);
    // Still in the past: stepping forward walks the recorded history.
    assert!(restored.step());
    assert!(s.step());
    assert_same(&s, &restored);
}

#[test]
fn an_exercise_session_replays_its_setup_as_a_script() {
    let exercise = builtin_exercises().unwrap().into_iter().find(|e| e.id == "lesson-workflow").unwrap();
    let (mut s, _) = exercise.start_interactive();
    s.input("kafka-topics.sh --list --bootstrap-server localhost:9092");
    s.advance(500);
    let restored = Session::from_replay(&Replay::from_share_code(&s.export_replay().to_share_code()).unwrap());
    assert_same(&s, &restored);
    let mut back = Session::from_replay(&s.export_replay());
    back.step_back();
    back.step();
    // Stepping forward to the present shows the last event's moment, not the clock after it.
    assert_eq!((back.events_processed(), back.transcript()), (s.events_processed(), s.transcript()));
}

#[test]
fn a_link_with_an_exercise_is_v2_and_reopens_it() {
    let exercise = builtin_exercises().unwrap().into_iter().find(|e| e.id == "lesson-workflow").unwrap();
    let (mut s, _) = exercise.start_interactive();
    s.input("kafka-topics.sh --list --bootstrap-server localhost:9092");
    s.advance(500);
    let replay = s.export_replay().with_exercise(Some("lesson-workflow"));
    let code = replay.to_share_code();
    assert!(code.starts_with("v2."), "{code}");
    let decoded = Replay::from_share_code(&code).unwrap();
    assert_eq!(decoded, replay);
    assert_eq!(decoded.exercise(), Some("lesson-workflow"));
    assert_same(&s, &Session::from_replay(&decoded));
    // The session file and autosave carry it too.
    let json = replay.to_json();
    assert!(json.contains("\n  \"exercise\": \"lesson-workflow\",\n  \"inputs\": ["), "{json}");
    assert_eq!(Replay::from_json(&json).unwrap(), replay);
    // Without an exercise the link is the v1 one older pages read, byte for byte.
    let plain = replay.clone().with_exercise(None);
    assert_eq!(plain.to_share_code(), s.export_replay().to_share_code());
    assert!(plain.to_share_code().starts_with("v1."));
    assert_eq!(Replay::from_share_code(&plain.to_share_code()).unwrap().exercise(), None);
    // Something that cannot be an exercise id is not written.
    assert_eq!(replay.clone().with_exercise(Some("Not An Id")).exercise(), None);
    assert_eq!(replay.with_exercise(Some("")).exercise(), None);
}

#[test]
fn a_v1_link_made_before_v2_still_opens() {
    // Made by the page before exercises were carried: seed 7, the lesson's first command
    // typed, then 100 ms of play.
    let code = "v1.C7ZsCEGAAQcAAAACAAAANEtBRktBX0NMVVNURVJfSUQ9JChiaW4va2Fma2Etc3RvcmFnZS5zaCByYW5kb20tdXVpZCkEAABk";
    let mut s = Session::new(7);
    s.input("KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)");
    s.advance(100);
    assert_eq!(s.export_replay().to_share_code(), code, "a session without an exercise still writes v1");
    let replay = Replay::from_share_code(code).unwrap();
    assert_eq!((replay.exercise(), replay.seed(), replay.len()), (None, 7, 2));
    assert_same(&s, &Session::from_replay(&replay));
}

#[test]
fn a_damaged_exercise_id_is_refused() {
    let replay = lesson_session().export_replay();
    let encode = |id: &[u8]| {
        let mut payload = Vec::new();
        put_varint(&mut payload, id.len() as u64);
        payload.extend_from_slice(id);
        payload.extend(replay.to_bytes());
        let mut bytes = fnv1a(&payload).to_le_bytes().to_vec();
        put_varint(&mut bytes, payload.len() as u64);
        bytes.extend(lz::compress(&payload));
        format!("v2.{}", base64::encode(&bytes))
    };
    let err = |id: &[u8]| Replay::from_share_code(&encode(id)).unwrap_err().to_string();
    assert_eq!(
        err(b"Bad Id"),
        "This share link is damaged: its exercise id \"Bad Id\" is not lowercase letters, digits and '-'"
    );
    assert_eq!(err(b""), "This share link is damaged: its exercise id has 0 bytes (1 to 64)");
    assert_eq!(err(&[0xff, 0xfe]), "This share link is damaged: its exercise id is not UTF-8");
    assert_eq!(Replay::from_share_code(&encode(b"replication")).unwrap().exercise(), Some("replication"));
}

#[test]
fn damaged_codes_say_what_is_wrong() {
    let code = lesson_session().export_replay().to_share_code();
    let err = |c: &str| Replay::from_share_code(c).unwrap_err().to_string();
    assert_eq!(err("hello"), "This share link is damaged: it does not start with \"v1.\" or \"v2.\"");
    assert_eq!(
        err("v3.AAAA"),
        "This share link is damaged: it was made by another version of the playground (v3); this one reads v1 and v2"
    );
    assert_eq!(err("v1.AA"), "This share link is damaged: it is cut short");
    assert!(err("v1.ab*c").contains("'*' at character 3"), "{}", err("v1.ab*c"));
    let cut = &code[..code.len() - 10];
    assert!(err(cut).starts_with("This share link is damaged: "), "{}", err(cut));
    // One character changed in the middle.
    let mut chars: Vec<char> = code.chars().collect();
    let mid = chars.len() / 2;
    chars[mid] = if chars[mid] == 'A' { 'B' } else { 'A' };
    let changed: String = chars.into_iter().collect();
    assert!(Replay::from_share_code(&changed).is_err());
}

#[test]
fn broken_session_files_say_what_is_wrong() {
    let err = |t: &str| Replay::from_json(t).unwrap_err().to_string();
    assert_eq!(err("garbage"), "This session file cannot be imported: it is not valid JSON");
    assert_eq!(
        err("{\"format\":\"x\"}"),
        "This session file cannot be imported: \"format\" is not \"kafka-playground-session\""
    );
    let head = "\"format\":\"kafka-playground-session\",\"version\":1,\"seed\":1,\"scripted_inputs\":0";
    assert_eq!(
        err(&format!("{{{head},\"present_events\":0,\"position\":0,\"inputs\":[{{\"at_event\":0,\"typed\":\"ls\"}}]}}")),
        "This session file cannot be imported: inputs[0]: unexpected field \"typed\" (expected one of: line, control, advance_ms, interrupt, end_of_input, step, at_event, cap)"
    );
    assert_eq!(
        err(&format!(
            "{{{head},\"present_events\":0,\"position\":0,\"inputs\":[{{\"at_event\":0,\"advance_ms\":90000000}}]}}"
        )),
        "This session file cannot be imported: it lets more than 24 h of simulated time pass"
    );
    assert_eq!(
        err(&format!("{{{head},\"present_events\":0,\"position\":5,\"inputs\":[]}}")),
        "This session file cannot be imported: position (5) is past present_events (0)"
    );
    assert_eq!(
        err("{\"format\":\"kafka-playground-session\",\"version\":2}"),
        "This session file cannot be imported: version 2 is not supported (this playground reads version 1)"
    );
}

#[test]
fn kafka_commands_keep_bin_lines_and_explain_ksim_ones() {
    let mut s = Session::new(1);
    for line in [
        "ksim start-cluster --brokers 1 --controllers 1",
        "kafka-topics.sh --create --topic vitals --bootstrap-server localhost:9092",
        "ls",
        "bin/kafka-console-producer.sh --topic vitals \\",
        "  --bootstrap-server localhost:9092",
        "82 bpm",
        "110 bpm",
    ] {
        s.input(line);
        s.advance(1_000);
    }
    s.end_of_input();
    s.control("ksim kill 1");
    s.input("ksim advance 12s");
    let script = s.export_kafka_commands();
    let body: Vec<&str> = script.lines().skip_while(|l| !l.starts_with("cd ")).skip(2).collect();
    assert_eq!(
        body,
        [
            "# ksim start-cluster --brokers 1 --controllers 1: format each node's storage (kafka-storage.sh format) and start each one (kafka-server-start.sh), one terminal per node",
            "bin/kafka-topics.sh --create --topic vitals --bootstrap-server localhost:9092",
            "# (typed in the playground) ls",
            "bin/kafka-console-producer.sh --topic vitals \\",
            "  --bootstrap-server localhost:9092 <<'EOF'",
            "82 bpm",
            "110 bpm",
            "EOF",
            "# ksim kill 1: stop node 1 (Ctrl-C its kafka-server-start.sh)",
            "# ksim advance 12s: let time pass",
            "sleep 12",
        ]
    );
}
