//! ksqlDB's persistent queries run on the Kafka Streams engine: the page's Streams tab
//! (built from `ClusterView::streams`) shows each query's application, its topology and
//! its table, and TERMINATE closes it.

use ksim::{Session, Stream};

fn heart_rate_session() -> Session {
    let mut s = Session::new(7);
    set_up(&mut s);
    s
}

fn set_up(s: &mut Session) {
    for line in [
        "ksim start-cluster --brokers 1 --controllers 1",
        "kafka-topics.sh --create --topic heart-rate-measures --partitions 2 --bootstrap-server localhost:9092",
        "kafka-console-producer.sh --topic heart-rate-measures --bootstrap-server localhost:9092 --property parse.key=true --property key.separator=:",
        "> p1:{\"patient\":\"p1\",\"bpm\":82}",
        "> p2:{\"patient\":\"p2\",\"bpm\":131}",
        "> p1:{\"patient\":\"p1\",\"bpm\":125}",
        "ksql http://localhost:8088",
        "SET 'auto.offset.reset'='earliest';",
        "CREATE STREAM heart_rate (patient VARCHAR KEY, bpm INT) WITH (kafka_topic='heart-rate-measures', value_format='JSON');",
        "CREATE TABLE readings_per_patient AS SELECT patient, COUNT(*) AS readings FROM heart_rate GROUP BY patient EMIT CHANGES;",
    ] {
        s.input(line);
    }
    s.advance(10_000);
}

#[test]
fn a_ctas_runs_as_a_streams_application_the_page_shows() {
    let s = heart_rate_session();
    let view = s.view();
    let app = view
        .streams
        .iter()
        .find(|a| a.application_id == "_confluent-ksql-default_query_CTAS_READINGS_PER_PATIENT_1")
        .unwrap_or_else(|| {
            panic!("no app for the query: {:?}", view.streams.iter().map(|a| &a.application_id).collect::<Vec<_>>())
        });
    assert_eq!(app.state, "RUNNING");
    let names: Vec<&str> = app.nodes.iter().map(|n| n.name.as_str()).collect();
    for expected in ["KSTREAM-SOURCE-0000000000", "Aggregate-GroupBy", "Aggregate-Project"] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let table = app.tables.iter().find(|t| t.store == "Aggregate-Aggregate-Materialize");
    let rows: Vec<(String, String)> =
        table.map(|t| t.rows.iter().map(|r| (r.key.clone(), r.value.clone())).collect()).unwrap_or_default();
    let p1 = rows.iter().find(|(k, _)| k == "p1").map(|(_, v)| v.as_str());
    assert_eq!(p1, Some("Struct{KSQL_AGG_VARIABLE_0=2}"), "the store as the page shows it: {rows:?}");
    assert_eq!(rows.len(), 2, "two patients counted: {rows:?}");
}

#[test]
fn a_pull_query_reads_the_engines_store() {
    let mut s = heart_rate_session();
    s.input("SELECT * FROM readings_per_patient WHERE patient='p1';");
    let out: Vec<String> = s.output().iter().filter(|l| l.stream == Stream::Stdout).map(|l| l.text.clone()).collect();
    let row = out.iter().rev().find(|l| l.starts_with("|p1")).cloned().unwrap_or_default();
    let cells: Vec<&str> = row.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(cells, vec!["p1", "2"], "{out:?}");
}

#[test]
fn terminate_closes_the_querys_application() {
    let mut s = heart_rate_session();
    s.input("TERMINATE CTAS_READINGS_PER_PATIENT_1;");
    s.advance(2_000);
    let view = s.view();
    let states: Vec<&str> = view.streams.iter().map(|a| a.state.as_str()).collect();
    assert_eq!(states, vec!["NOT_RUNNING"]);
}

#[test]
fn travelling_through_checkpoints_with_running_queries_equals_a_full_replay() {
    let mut fast = Session::new(7);
    let mut full = Session::new(7);
    full.disable_checkpoints();
    for s in [&mut fast, &mut full] {
        set_up(s);
        s.input("CREATE STREAM hr_alerts AS SELECT * FROM heart_rate WHERE bpm > 120 EMIT CHANGES;");
        for round in 0..400 {
            s.advance(250);
            if round % 20 == 3 {
                s.input(&format!(
                    "INSERT INTO heart_rate (patient, bpm) VALUES ('p{}', {});",
                    round % 3,
                    100 + round % 50
                ));
            }
        }
    }
    let same = |a: &Session, b: &Session, context: &str| {
        assert_eq!(a.events_processed(), b.events_processed(), "{context}");
        assert_eq!(a.transcript(), b.transcript(), "{context}");
        assert_eq!(a.view().streams, b.view().streams, "{context}");
    };
    same(&fast, &full, "live");
    let present = fast.events_processed();
    assert!(present > 3 * 1024, "enough events for several checkpoints: {present}");
    for k in [present / 3, present / 2, present * 4 / 5, present] {
        fast.travel_to(k);
        full.travel_to(k);
        same(&fast, &full, &format!("travel_to({k}) of {present}"));
    }
}

#[test]
fn a_push_query_runs_as_a_transient_application_that_is_gone_once_it_ends() {
    let mut s = heart_rate_session();
    s.input("SELECT patient, bpm FROM heart_rate EMIT CHANGES LIMIT 2;");
    s.advance(10_000);
    let out: Vec<String> = s.output().iter().filter(|l| l.stream == Stream::Stdout).map(|l| l.text.clone()).collect();
    let rows: Vec<&String> = out.iter().filter(|l| l.starts_with("|p")).collect();
    assert_eq!(rows.len(), 2, "{out:?}");
    assert!(out.iter().any(|l| l == "Limit Reached"), "{out:?}");
    let ids: Vec<String> = s.view().streams.iter().map(|a| a.application_id.clone()).collect();
    assert_eq!(ids, vec!["_confluent-ksql-default_query_CTAS_READINGS_PER_PATIENT_1".to_string()]);
}
