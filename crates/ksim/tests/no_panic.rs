//! Bad input never crashes: arbitrary console lines never panic, and a command Kafka's
//! option parser rejects leaves the simulation exactly as it was.

use proptest::prelude::*;

const TOOLS: &[&str] = &[
    "bin/kafka-topics.sh",
    "kafka-console-producer.sh",
    "kafka-console-consumer.sh",
    "bin/kafka-storage.sh",
    "kafka-server-start.sh",
    "ksim",
    "echo",
    "cat",
    "ls",
    "cd",
    "export",
    "kafka-configs.sh",
    "kafka-get-offsets.sh",
    "kafka-leader-election.sh",
    "kafka-metadata-quorum.sh",
    "kafka-dump-log.sh",
    "kafka-delete-records.sh",
    "kafka-log-dirs.sh",
    "kafka-reassign-partitions.sh",
    "kafka-producer-perf-test.sh",
    "kafka-consumer-perf-test.sh",
    "connect-standalone.sh",
    "curl",
    "more",
];
const WORDS: &[&str] = &[
    "--create",
    "--list",
    "--describe",
    "--delete",
    "--topic",
    "t",
    "heart-rate-measures",
    "--partitions",
    "3",
    "-1",
    "--replication-factor",
    "0",
    "--bootstrap-server",
    "localhost:9092",
    "localhost:1",
    "--from-beginning",
    "--",
    "from-beginning",
    "--property",
    "print.key=true",
    "parse.key=true",
    "--offset",
    "earliest",
    "--partition",
    "99",
    "--max-messages",
    "1",
    "--timeout-ms",
    "10",
    "format",
    "random-uuid",
    "-t",
    "-c",
    "config/server.properties",
    "--standalone",
    "advance",
    "1s",
    "status",
    "seed",
    "$X",
    "$(echo hi)",
    "\"",
    "'",
    "\\",
    "&",
    "&&",
    "||",
    ";",
    ">",
    "<",
    "|",
    "${X:-y}",
    "~",
    "*",
    "--config",
    "retention.ms=1",
    "a=b",
    "--election-type",
    "preferred",
    "unclean",
    "--all-topic-partitions",
    "--offset-json-file",
    "--broker-list",
    "--topic-list",
    "delete.json",
    "--alter",
    "--reassignment-json-file",
    "--topics-to-move-json-file",
    "--execute",
    "--verify",
    "--generate",
    "--cancel",
    "--additional",
    "--entity-type",
    "brokers",
    "--entity-name",
    "--entity-default",
    "--broker",
    "--broker-defaults",
    "--add-config",
    "--delete-config",
    "--all",
    "log.retention.ms=60000",
    "min.insync.replicas=2",
    "log.dirs=/x",
    "--preserve-throttles",
    "--throttle",
    "move.json",
    "--num-records",
    "--record-size",
    "--payload-file",
    "--payload-monotonic",
    "--throughput",
    "--producer-props",
    "bootstrap.servers=localhost:9092",
    "--messages",
    "--timeout",
    "--show-detailed-stats",
    "--reporting-interval",
    "--date-format",
    "config/connect-standalone.properties",
    "config/connect-file-source.properties",
    "config/connect-medical-device-source.properties",
    "config/connect-table-sink.properties",
    "-X",
    "PUT",
    "DELETE",
    "-H",
    "Content-Type: application/json",
    "-d",
    "{\"name\":\"c\",\"config\":{\"connector.class\":\"TableSink\",\"topics\":\"t\"}}",
    "-si",
    "localhost:8083/connectors",
    "localhost:8083/connectors/local-file-source/status",
    "http://localhost:8083/connectors/icu-monitors/pause",
    "localhost:8083/connectors?expand=status",
    "\u{1F600}",
    "",
];

fn line() -> impl Strategy<Value = String> {
    (prop::sample::select(TOOLS), prop::collection::vec(prop::sample::select(WORDS), 0..8))
        .prop_map(|(tool, words)| format!("{tool} {}", words.join(" ")))
}

fn started() -> ksim::Session {
    let mut s = ksim::Session::new(1);
    for l in [
        "KAFKA_CLUSTER_ID=$(kafka-storage.sh random-uuid)",
        "kafka-storage.sh format --standalone -t $KAFKA_CLUSTER_ID -c config/server.properties",
        "kafka-server-start.sh config/server.properties",
    ] {
        s.input(l);
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(lines in prop::collection::vec(".{0,120}", 1..6)) {
        let mut s = ksim::Session::new(1);
        for l in &lines {
            s.input(l);
        }
        s.interrupt();
        s.end_of_input();
        s.advance(10);
    }

    #[test]
    fn command_soup_never_panics(lines in prop::collection::vec(line(), 1..5)) {
        let mut s = started();
        for l in &lines {
            s.input(l);
        }
        s.interrupt();
        s.advance(50);
        prop_assert!(s.step_back() || s.view().events_processed == 0);
    }

    #[test]
    fn rejected_options_leave_the_simulation_untouched(tool in prop::sample::select(&["kafka-topics.sh", "kafka-console-producer.sh", "kafka-console-consumer.sh", "kafka-producer-perf-test.sh", "kafka-consumer-perf-test.sh"][..]), words in prop::collection::vec(prop::sample::select(WORDS), 0..5), bogus in "[a-z]{3,10}") {
        let mut s = started();
        let before = s.view();
        s.input(&format!("{tool} --bogus-{bogus} {}", words.join(" ").replace(['&', ';', '|', '>', '<', '"', '\'', '\\', '$'], "")));
        prop_assert_eq!(s.view(), before);
        prop_assert_eq!(s.prompt(), "$ ");
    }
}
