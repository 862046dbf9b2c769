use super::*;

const MINIMAL: &str = r#"{
  "id": "replication",
  "title": "Replication",
  "concepts": ["replication", "ISR"],
  "introduction": "RF=3.",
  "setup": ["ksim start-cluster --brokers 3 --controllers 1"],
  "steps": [
    {"goal": "Create it.", "hints": ["kafka-topics.sh --create"], "checks": [{"kind": "topic_exists", "topic": "t"}]},
    {"goal": "Kill a leader.", "checks": [{"kind": "leader_changed", "topic": "t", "partition": 0}]}
  ],
  "solution": ["kafka-topics.sh --create --topic t --bootstrap-server localhost:9092"]
}"#;

/// Loads `MINIMAL` with `from` replaced by `to` and returns the error as printed.
fn error_after(from: &str, to: &str) -> String {
    assert!(MINIMAL.contains(from), "{from}");
    match load_exercise("exercises/replication.json", &MINIMAL.replacen(from, to, 1)) {
        Ok(_) => panic!("{from} -> {to} loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_minimal_file_loads_with_defaults_and_generated_descriptions() {
    let e = load_exercise("replication.json", MINIMAL).expect("valid");
    assert_eq!(e.id, "replication");
    assert_eq!(e.seed, 1);
    assert_eq!(e.steps.len(), 2);
    assert!(e.steps[1].hints.is_empty());
    assert_eq!(e.steps[0].checks[0].description, "topic t exists");
    assert_eq!(e.steps[1].checks[0].check, Check::LeaderChanged { topic: "t".into(), partition: 0 });
    assert_eq!(e.steps[1].checks[0].description, "partition t-0 has a new leader");
}

#[test]
fn an_unknown_check_names_its_path_and_the_known_kinds() {
    let msg = error_after("\"leader_changed\"", "\"leader_chnaged\"");
    assert!(
        msg.starts_with(
            "exercises/replication.json: steps[1].checks[0].kind: unknown check \"leader_chnaged\" (expected one of: topic_exists, topic_absent, records,"
        ),
        "{msg}"
    );
    assert!(msg.ends_with("controller_leader_changed, ksql_table_row, file_contains)"), "{msg}");
}

#[test]
fn each_error_kind_says_where_and_what_was_expected() {
    let cases = [
        ("\"id\": \"replication\"", "\"id\": \"Replication!\"", "id: invalid id \"Replication!\" (expected lowercase letters, digits and '-')"),
        ("\"title\": \"Replication\",", "", ": missing field \"title\""),
        ("\"title\": \"Replication\"", "\"title\": 3", "title: expected a string, found a number"),
        ("\"title\"", "\"titel\"", "titel: unknown field \"titel\" (expected one of: id, title, concepts, introduction, seed, setup, steps, solution)"),
        ("\"concepts\": [\"replication\", \"ISR\"]", "\"concepts\": []", "concepts: expected at least one concept"),
        ("\"concepts\": [\"replication\", \"ISR\"]", "\"concepts\": [\"replication\", 7]", "concepts[1]: expected a string, found a number"),
        ("\"concepts\": [\"replication\", \"ISR\"]", "\"concepts\": \"ISR\"", "concepts: expected an array of strings, found a string"),
        ("\"introduction\": \"RF=3.\",", "\"introduction\": \"RF=3.\", \"seed\": -1,", "seed: expected an integer from 0 to 18446744073709551615, found -1"),
        ("\"setup\": [\"ksim", "\"setup\": [\"a\\nb\", \"ksim", "setup[0]: expected one console line (no newline)"),
        ("\"setup\": [\"ksim", "\"setup\": [null, \"ksim", "setup[0]: expected a console line (a string), found null"),
        ("[\"kafka-topics.sh --create --topic t --bootstrap-server localhost:9092\"]", "{\"a\": 1}", "solution: expected an array of console lines, found an object"),
        ("{\"goal\": \"Create it.\", ", "{", "steps[0]: missing field \"goal\""),
        ("\"hints\": [", "\"hint\": [", "steps[0].hint: unknown field \"hint\" (expected one of: goal, hints, checks)"),
        ("\"checks\": [{\"kind\": \"topic_exists\", \"topic\": \"t\"}]", "\"checks\": []", "steps[0].checks: expected 1 to 32 checks, found 0"),
        ("\"topic\": \"t\"}", "\"topik\": \"t\"}", "steps[0].checks[0].topik: unknown field \"topik\" (expected one of: kind, description, topic, partitions, replication_factor)"),
        ("\"topic\": \"t\", \"partition\": 0", "\"topic\": \"t\"", "steps[1].checks[0]: missing field \"partition\" (a leader_changed check needs: topic, partition)"),
        ("\"partition\": 0", "\"partition\": 1.5", "steps[1].checks[0].partition: expected an integer from 0 to 4294967295, found 1.5"),
        ("\"partition\": 0", "\"partition\": \"0\"", "steps[1].checks[0].partition: expected an integer from 0 to 4294967295, found a string"),
        ("{\"kind\": \"topic_exists\"", "{\"type\": \"topic_exists\"", "steps[0].checks[0]: missing field \"kind\""),
        ("{\"kind\": \"topic_exists\", \"topic\": \"t\"}", "[]", "steps[0].checks[0]: expected an object"),
        ("\"kind\": \"topic_exists\"", "\"kind\": 1", "steps[0].checks[0].kind: expected a string"),
        ("\"topic\": \"t\"}]}", "\"topic\": \"t\", \"topic\": \"u\"}]}", "steps[0].checks[0].topic: duplicate field \"topic\""),
        ("\"steps\": [\n", "\"steps\": 3, \"solution\": [], \"setup\": [\n", "setup: duplicate field \"setup\""),
        ("\"solution\"", "\"solutions\"", "solutions: unknown field \"solutions\""),
        ("{\n  \"id\"", "[{\n  \"id\"", ": not valid JSON"),
    ];
    for (from, to, want) in cases {
        let msg = error_after(from, to);
        let want = format!("exercises/replication.json: {want}").replace("json: : ", "json: ");
        assert!(msg.starts_with(&want), "{from} -> {to}:\n got: {msg}\nwant: {want}");
    }
}

#[test]
fn check_values_are_validated() {
    let cases = [
        (
            r#"{"kind": "node_state", "node": 1, "state": "up"}"#,
            "unknown node state \"up\" (expected one of: running, stopped, fenced)",
        ),
        (r#"{"kind": "group_state", "group": "g", "state": "stable"}"#, "unknown group state \"stable\""),
        (
            r#"{"kind": "records", "topic": "t", "keys_in_same_partition": "yes"}"#,
            "keys_in_same_partition: expected true or false",
        ),
        (r#"{"kind": "command_used", "command": "  "}"#, "command: expected at least one word"),
        (
            r#"{"kind": "key_order", "topic": "t", "key": "k"}"#,
            "missing field \"values\" (a key_order check needs: topic, key, values)",
        ),
        (
            r#"{"kind": "controller_leader_changed", "description": 1}"#,
            "description: expected a string, found a number",
        ),
    ];
    for (check, want) in cases {
        let msg = error_after(r#"{"kind": "topic_exists", "topic": "t"}"#, check);
        assert!(msg.contains(want), "{check}:\n got: {msg}\nwant: {want}");
        assert!(msg.starts_with("exercises/replication.json: steps[0].checks[0]"), "{msg}");
    }
}

#[test]
fn oversized_files_and_too_many_steps_are_refused() {
    let big = format!("{MINIMAL}{}", " ".repeat(EXERCISE_FILE_BYTES_MAX));
    let e = load_exercise("big.json", &big).expect_err("too large");
    assert!(e.to_string().starts_with("big.json: file too large"), "{e}");
    let step = r#"{"goal": "g", "checks": [{"kind": "topic_exists", "topic": "t"}]}"#;
    let steps = vec![step; STEPS_MAX + 1].join(",");
    let doc = MINIMAL.replacen("\"steps\": [", &format!("\"steps\": [{steps},"), 1);
    let e = load_exercise("many.json", &doc).expect_err("too many steps");
    assert_eq!(e.to_string(), format!("many.json: steps: expected 1 to {STEPS_MAX} steps, found {}", STEPS_MAX + 3));
}

#[test]
fn the_builtin_exercises_load_with_unique_ids_matching_their_files() {
    let exercises = builtin_exercises().unwrap_or_else(|e| panic!("{e}"));
    assert!(exercises.len() >= 14);
    for (e, (file, _)) in exercises.iter().zip(BUILTIN_EXERCISE_FILES) {
        assert_eq!(format!("{}.json", e.id), *file);
        assert_eq!(exercises.iter().filter(|o| o.id == e.id).count(), 1, "{}", e.id);
    }
}

/// What `ksim exercise verify-all` checks: no exercise is impossible, none is solved by
/// doing nothing.
#[test]
fn every_reference_solution_passes_and_every_empty_attempt_fails() {
    for e in builtin_exercises().unwrap_or_else(|e| panic!("{e}")) {
        let failed: Vec<String> = e
            .check_attempt(&e.solution_script())
            .into_iter()
            .filter(|r| !r.passed)
            .map(|r| format!("{} ({})", r.description, r.detail))
            .collect();
        assert!(failed.is_empty(), "{}: the reference solution fails:\n{}", e.id, failed.join("\n"));
        assert!(e.check_attempt("").iter().any(|r| !r.passed), "{}: an empty attempt passes", e.id);
    }
}

#[test]
fn output_printed_by_echo_does_not_count() {
    let e = builtin_exercises().unwrap_or_else(|e| panic!("{e}")).into_iter().find(|e| e.id == "producers-and-acks");
    let e = e.expect("producers-and-acks");
    let results = e.check_attempt("echo NotEnoughReplicasException\n");
    assert!(!results[0].passed, "{results:?}");
}

#[test]
fn a_check_fails_with_what_the_simulation_shows() {
    let e = load_exercise("replication.json", MINIMAL).expect("valid");
    let results = e.check_attempt("");
    assert_eq!(results.len(), 2);
    assert_eq!((results[0].passed, results[0].detail.as_str()), (false, "there is no topic t"));
    let results = e.check_attempt(&e.solution_script());
    assert!(results[0].passed, "{results:?}");
    assert_eq!(results[1].detail, "t-0 had no leader after setup");
}

#[test]
fn a_ksql_table_row_check_reads_the_materialized_table() {
    let e = builtin_exercises().unwrap_or_else(|e| panic!("{e}")).into_iter().find(|e| e.id == "ksql-heart-rate");
    let e = e.expect("ksql-heart-rate");
    let row = |results: &[crate::CheckResult]| {
        results.iter().find(|r| r.description.contains("READINGS_PER_PATIENT")).cloned()
    };
    // Before any query has run, the table is not there.
    let results = e.check_attempt("ksql\nSET 'auto.offset.reset'='earliest';\nCREATE STREAM heart_rate (patient VARCHAR KEY, bpm INT) WITH (kafka_topic='heart-rate-measures', value_format='JSON');\n");
    let r = row(&results).expect("the table check");
    assert_eq!((r.passed, r.detail.as_str()), (false, "no persistent query writes a table READINGS_PER_PATIENT"));
    // A count of readings above 100 only: p1 has one such reading, not two.
    let attempt = "ksql\nSET 'auto.offset.reset'='earliest';\nCREATE STREAM heart_rate (patient VARCHAR KEY, bpm INT) WITH (kafka_topic='heart-rate-measures', value_format='JSON');\nCREATE TABLE readings_per_patient AS SELECT patient, COUNT(*) AS readings FROM heart_rate WHERE bpm > 100 GROUP BY patient EMIT CHANGES;\nksim advance 10s\n";
    let r = row(&e.check_attempt(attempt)).expect("the table check");
    assert_eq!((r.passed, r.detail.as_str()), (false, "READINGS is 1 for key p1"));
    let r = row(&e.check_attempt(&e.solution_script())).expect("the table check");
    assert!(r.passed, "{r:?}");
}

#[test]
fn steps_must_be_an_array() {
    let (start, end) = (MINIMAL.find("\"steps\"").expect("steps"), MINIMAL.find("\"solution\"").expect("solution"));
    let doc = format!("{}\"steps\": 3,\n  {}", &MINIMAL[..start], &MINIMAL[end..]);
    let e = load_exercise("x.json", &doc).expect_err("steps: 3");
    assert_eq!(e.to_string(), "x.json: steps: expected an array of steps, found a number");
}
