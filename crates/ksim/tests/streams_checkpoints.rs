//! A Kafka Streams application lives in the world like any process: stepping back to a
//! checkpoint and replaying gives exactly what a replay from the start gives, its
//! tables and record counts included.

use ksim::Session;

fn start(s: &mut Session) {
    s.input("ksim start-cluster --brokers 3 --controllers 1");
    s.input(
        "kafka-topics.sh --create --topic streams-plaintext-input --partitions 2 --bootstrap-server localhost:9092",
    );
    s.input("kafka-run-class.sh org.apache.kafka.streams.examples.wordcount.WordCountDemo &");
    s.advance(10_000);
    s.input("kafka-console-producer.sh --topic streams-plaintext-input --bootstrap-server localhost:9092");
}

fn play(s: &mut Session, round: u64) {
    s.advance(100);
    if round % 20 == 3 {
        s.input(&format!("> kafka streams round {round}"));
    }
    if round == 250 {
        s.control("ksim kill 3");
    }
}

fn assert_same(a: &Session, b: &Session, context: &str) {
    assert_eq!(a.events_processed(), b.events_processed(), "{context}");
    assert_eq!(a.transcript(), b.transcript(), "{context}");
    assert_eq!(a.view().streams, b.view().streams, "{context}");
}

#[test]
fn a_streams_application_replays_exactly_through_checkpoints() {
    let mut fast = Session::new(9);
    let mut full = Session::new(9);
    full.disable_checkpoints();
    for s in [&mut fast, &mut full] {
        start(s);
        for round in 0..400 {
            play(s, round);
        }
    }
    assert_same(&fast, &full, "live");
    let view = fast.view().streams;
    let counts = view.first().and_then(|a| a.tables.first()).map(|t| t.rows.clone()).unwrap_or_default();
    let kafka = counts.iter().find(|r| r.key == "kafka").map(|r| r.value.clone());
    assert_eq!(kafka.as_deref(), Some("20"), "every line was counted: {counts:?}");
    let present = fast.events_processed();
    for k in [present / 3, present / 2, present * 4 / 5, present] {
        fast.travel_to(k);
        full.travel_to(k);
        assert_same(&fast, &full, &format!("travel_to({k}) of {present}"));
    }
}
