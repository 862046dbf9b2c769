//! Kafka Connect end to end: what a stopped and restarted worker copies, and that the
//! medical-device source's readings come from the seed.

/// The lines a command printed in a transcript (up to the next prompt).
fn printed_by<'a>(transcript: &'a str, command: &str) -> Vec<Vec<&'a str>> {
    let mut runs = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in transcript.lines() {
        if line.starts_with("$ ") {
            if let Some(done) = current.take() {
                runs.push(done);
            }
            if line == format!("$ {command}") {
                current = Some(Vec::new());
            }
        } else if let Some(lines) = current.as_mut() {
            lines.push(line);
        }
    }
    runs.extend(current);
    runs
}

const QUICKSTART: &str = "ksim start-cluster --brokers 1 --controllers 1 --combined
echo \"plugin.path=libs/connect-file-4.0.0.jar\" >> config/connect-standalone.properties
echo -e \"foo\\nbar\" > test.txt
bin/connect-standalone.sh config/connect-standalone.properties config/connect-file-source.properties config/connect-file-sink.properties
";

#[test]
fn a_restarted_worker_continues_from_its_stored_offsets() {
    let script = format!(
        "{QUICKSTART}kill %1
echo baz >> test.txt
bin/connect-standalone.sh config/connect-standalone.properties config/connect-file-source.properties config/connect-file-sink.properties
ksim advance 3s
cat test.sink.txt
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic connect-test --from-beginning --property print.value=false --property print.offset=true
kill %2
cat /tmp/connect.offsets
"
    );
    let out = ksim::run_script(&script, 7);
    let sink = printed_by(&out, "cat test.sink.txt");
    assert_eq!(sink, vec![vec!["foo", "bar", "baz"]], "{out}");
    let topic = printed_by(
        &out,
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic connect-test --from-beginning --property print.value=false --property print.offset=true",
    );
    assert_eq!(topic, vec![vec!["Offset:0", "Offset:1", "Offset:2", "Processed a total of 3 messages"]], "{out}");
    let offsets = printed_by(&out, "cat /tmp/connect.offsets");
    assert_eq!(offsets, vec![vec!["[\"local-file-source\",{\"filename\":\"test.txt\"}]\t{\"position\":12}"]], "{out}");
}

#[test]
fn a_crashed_worker_without_a_flush_reads_the_file_again() {
    // `ksim crash` kills the worker before it stored its offsets: the source starts over,
    // which is why Connect promises at-least-once delivery.
    let script = format!(
        "{QUICKSTART}ksim crash %1
bin/connect-standalone.sh config/connect-standalone.properties config/connect-file-source.properties
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic connect-test --from-beginning --property print.value=false --property print.offset=true
"
    );
    let out = ksim::run_script(&script, 7);
    let topic = printed_by(
        &out,
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic connect-test --from-beginning --property print.value=false --property print.offset=true",
    );
    assert_eq!(topic.len(), 1, "{out}");
    assert_eq!(topic[0].last(), Some(&"Processed a total of 4 messages"), "{out}");
}

#[test]
fn medical_readings_follow_the_seed() {
    let script = "ksim start-cluster --brokers 1 --controllers 1 --combined
bin/connect-standalone.sh config/connect-standalone.properties config/connect-medical-device-source.properties
kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic heart-rate-measures --from-beginning --max-messages 6
";
    let readings = |seed| {
        let out = ksim::run_script(script, seed);
        let printed = printed_by(&out, "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic heart-rate-measures --from-beginning --max-messages 6");
        printed.into_iter().flatten().map(str::to_string).collect::<Vec<_>>()
    };
    let first = readings(3);
    assert_eq!(first.len(), 7, "{first:?}");
    assert!(first.iter().take(6).all(|r| r.contains("\"heart_rate\":")), "{first:?}");
    assert_eq!(first, readings(3));
    assert_ne!(first, readings(4));
}

#[test]
fn exported_kafka_commands_background_the_worker_and_keep_curl() {
    let mut session = ksim::Session::new(1);
    for line in QUICKSTART.lines().chain(["curl -s localhost:8083/connectors"]) {
        session.input(line);
    }
    let script = session.export_kafka_commands();
    assert!(
        script.contains("bin/connect-standalone.sh config/connect-standalone.properties config/connect-file-source.properties config/connect-file-sink.properties &\nsleep 10\n"),
        "{script}"
    );
    assert!(script.contains("\ncurl -s localhost:8083/connectors\n"), "{script}");
}

#[test]
fn the_page_sees_the_connectors_and_gets_its_prompt_back() {
    let mut session = ksim::Session::new(1);
    for line in QUICKSTART.lines() {
        session.input(line);
    }
    assert_eq!(session.prompt(), "$ ");
    session.advance(2000);
    let view = session.view();
    let summary: Vec<(String, String, Option<String>, u64)> =
        view.connectors.iter().map(|c| (c.name.clone(), c.kind.clone(), c.task_state.clone(), c.records)).collect();
    assert_eq!(
        summary,
        vec![
            ("local-file-source".to_string(), "source".to_string(), Some("RUNNING".to_string()), 2),
            ("local-file-sink".to_string(), "sink".to_string(), Some("RUNNING".to_string()), 2),
        ]
    );
    assert_eq!(view.connectors[0].source_offset, Some(8));
    assert_eq!(view.connectors[1].group.as_deref(), Some("connect-local-file-sink"));
    session.input("curl -s -X PUT localhost:8083/connectors/local-file-sink/pause");
    assert_eq!(session.view().connectors[1].state, "PAUSED");
}
