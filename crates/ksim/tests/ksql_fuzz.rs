//! The ksqlDB CLI never panics and never hangs on bad input: seeded mutations of real
//! statements and random bytes typed at `ksql>` in a session with a running cluster,
//! streams, tables and persistent queries (the lexer, parser, planner, and the server's
//! statement handling all see the damage).
//!
//! Deterministic: `KSIM_SEED` picks the seed (default 1), `KSIM_FUZZ_CASES` the number of
//! mutants (default 300).

use std::time::{Duration, Instant};

mod common;

use common::{env_number, mutate, Rng};

const SETUP: &[&str] = &[
    "ksim start-cluster --brokers 1 --controllers 1",
    "ksql",
    "SET 'auto.offset.reset'='earliest';",
    "CREATE STREAM hr (patient VARCHAR KEY, bpm INT, note VARCHAR) WITH (kafka_topic='hr', value_format='JSON', partitions=2);",
    "CREATE TABLE zones (zone VARCHAR PRIMARY KEY, level INT) WITH (kafka_topic='zones', value_format='JSON', partitions=2);",
    "INSERT INTO hr (patient, bpm, note) VALUES ('p1', 130, 'x');",
    "CREATE TABLE counts AS SELECT patient, COUNT(*) AS n FROM hr GROUP BY patient EMIT CHANGES;",
];

const STATEMENTS: &[&str] = &[
    "CREATE STREAM alerts AS SELECT * FROM hr WHERE bpm > 120 EMIT CHANGES;",
    "CREATE TABLE per_min AS SELECT patient, COUNT(*) AS n, AVG(bpm) AS a FROM hr WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY patient EMIT CHANGES;",
    "CREATE TABLE hops AS SELECT patient, MAX(bpm) FROM hr WINDOW HOPPING (SIZE 2 MINUTES, ADVANCE BY 30 SECONDS) GROUP BY patient EMIT CHANGES;",
    "CREATE TABLE sessions AS SELECT patient, LATEST_BY_OFFSET(note) AS last FROM hr WINDOW SESSION (5 MINUTES) GROUP BY patient EMIT CHANGES;",
    "CREATE STREAM joined AS SELECT h.patient, z.level FROM hr h LEFT JOIN zones z ON h.note = z.zone EMIT CHANGES;",
    "SELECT patient, CASE WHEN bpm BETWEEN 60 AND 100 THEN 'ok' ELSE UCASE(note) END AS s, CAST(bpm AS DOUBLE) / 3 FROM hr WHERE note LIKE 'x%' OR bpm IS NULL EMIT CHANGES LIMIT 1;",
    "SELECT * FROM counts WHERE patient = 'p1';",
    "INSERT INTO zones (zone, level) VALUES ('x', -3);",
    "DESCRIBE counts EXTENDED;",
    "EXPLAIN CTAS_COUNTS_2;",
    "SHOW QUERIES;",
    "PRINT 'hr' FROM BEGINNING LIMIT 1;",
    "TERMINATE CSAS_ALERTS_3;",
    "DROP STREAM IF EXISTS alerts DELETE TOPIC;",
    "SELECT CONCAT(patient, '-', LEN(note)), bpm % 7, -bpm FROM hr WHERE bpm IN (1, 2, 130) AND NOT (bpm <> 3) EMIT CHANGES;",
];

const TOKENS: &[&str] = &[
    "(",
    ")",
    ",",
    ";",
    "'",
    "`",
    "\"",
    "--",
    "*",
    "=",
    "<>",
    ".",
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "EMIT CHANGES",
    "WINDOW",
    "TUMBLING",
    "(SIZE 0 SECONDS)",
    "JOIN",
    "ON",
    "AS",
    "COUNT(*)",
    "NULL",
    "CASE",
    "END",
    "CAST(",
    "2147483648",
    "99999999999999999999",
    "-",
    "1.5",
    "hr",
    "counts",
    "zones",
    "KEY",
    "PRIMARY KEY",
    "\u{0}",
    "é",
    "🫀",
    "\\",
    "LIMIT",
];

/// Types `line` and brings the CLI back to its prompt, within a bounded wall time.
fn type_line(session: &mut ksim::Session, line: &str, label: &str) {
    let started = Instant::now();
    session.input(line);
    // A statement left open is ended, a running query stopped, a closed CLI reopened.
    if session.prompt() == ">" {
        session.input(";");
    }
    if session.prompt() != "ksql> " {
        session.interrupt();
    }
    if session.prompt() == "$ " {
        session.input("ksql");
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{label}: {line:?} took {took:?}");
    assert_eq!(session.prompt(), "ksql> ", "{label}: {line:?} left the prompt at {:?}", session.prompt());
}

#[test]
fn mutated_statements_and_random_bytes_never_panic_or_hang() {
    let seed = env_number("KSIM_SEED", 1);
    let cases = env_number("KSIM_FUZZ_CASES", 300);
    let mut rng = Rng(seed);
    let mut session = ksim::Session::new(1);
    session.disable_checkpoints();
    for line in SETUP {
        session.input(line);
    }
    session.advance(5000);
    assert_eq!(session.prompt(), "ksql> ");
    let mut answered = 0;
    for case in 0..cases {
        let before = session.output().len();
        let label = format!("seed {seed} case {case}");
        let base = STATEMENTS[rng.below(STATEMENTS.len())];
        let text = if case % 10 == 9 {
            // Random printable and control characters.
            (0..rng.below(120)).map(|_| char::from_u32(rng.below(0x80) as u32).unwrap_or(' ')).collect()
        } else {
            mutate(&mut rng, base, TOKENS)
        };
        // The console reads lines; a mutant with line breaks is typed line by line.
        for line in text.split('\n') {
            type_line(&mut session, line, &label);
        }
        if case % 50 == 0 {
            session.advance(2000);
        }
        // Mutants the parser accepts reach the planner and the server.
        if !session.output().since(before).any(|l| l.text.contains("Syntax Error")) {
            answered += 1;
        }
    }
    assert!(
        answered * 20 >= cases,
        "only {answered} of {cases} mutants got past the parser: the fuzz is not reaching the server"
    );
}

#[test]
fn every_real_statement_runs_without_an_error_message() {
    let mut session = ksim::Session::new(1);
    session.disable_checkpoints();
    for line in SETUP {
        session.input(line);
    }
    session.advance(5000);
    for statement in STATEMENTS {
        let before = session.output().len();
        type_line(&mut session, statement, "real");
        let printed: Vec<&str> = session.output().since(before).map(|l| l.text.as_str()).collect();
        assert!(
            !printed.iter().any(|l| l.contains("Syntax Error")
                || l.contains("does not exist")
                || l.contains("cannot")
                || l.contains("Cannot")
                || l.contains("refused")),
            "{statement}: {printed:#?}"
        );
    }
}
