//! Consumer groups through the console: the range assignor's split, rebalances when a
//! member joins, leaves, crashes past `session.timeout.ms` or stalls past
//! `max.poll.interval.ms`, committed offsets and lag, and a coordinator failover.

use ksim::{GroupView, Session};

const LESSON_START: [&str; 3] = [
    "KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)",
    "bin/kafka-storage.sh format --standalone -t $KAFKA_CLUSTER_ID -c config/kraft/reconfig-server.properties",
    "bin/kafka-server-start.sh config/kraft/reconfig-server.properties",
];

const CONSUMER: &str =
    "bin/kafka-console-consumer.sh --topic vitals --group monitors --from-beginning --bootstrap-server localhost:9092 &";

/// One combined server, a 4-partition topic, and six keyed heart-rate readings.
fn single_broker(seed: u64) -> Session {
    let mut s = Session::new(seed);
    for line in LESSON_START {
        s.input(line);
    }
    s.input("bin/kafka-topics.sh --create --topic vitals --partitions 4 --bootstrap-server localhost:9092");
    produce(
        &mut s,
        &["patient-17:112", "patient-42:71", "patient-8:94", "patient-3:80", "patient-17:118", "patient-5:66"],
    );
    s
}

fn produce(s: &mut Session, lines: &[&str]) {
    s.input("bin/kafka-console-producer.sh --topic vitals --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092");
    for l in lines {
        s.input(&format!("> {l}"));
    }
    s.end_of_input();
}

fn group(s: &Session) -> GroupView {
    s.view().groups.into_iter().find(|g| g.group_id == "monitors").expect("group monitors exists")
}

/// Each member's partitions of `vitals`, members in member-id order.
fn assignment(g: &GroupView) -> Vec<Vec<u32>> {
    let mut members = g.members.clone();
    members.sort_by(|a, b| a.member_id.cmp(&b.member_id));
    members
        .iter()
        .map(|m| m.assignment.iter().filter_map(|tp| tp.strip_prefix("vitals-")?.parse().ok()).collect())
        .collect()
}

fn records_in_log(s: &Session) -> u64 {
    s.view().topics.iter().filter(|t| t.name == "vitals").flat_map(|t| &t.partitions).map(|p| p.high_watermark).sum()
}

#[test]
fn two_consumers_split_four_partitions_as_the_range_assignor_does() {
    let mut s = single_broker(1);
    s.input(CONSUMER);
    s.input(CONSUMER);
    s.advance(10_000);
    let g = group(&s);
    assert_eq!(g.state, "Stable");
    assert_eq!(g.protocol.as_deref(), Some("range"), "range is first in Kafka's default assignor list");
    // Range: members sorted by member id; the first takes partitions 0 and 1.
    assert_eq!(assignment(&g), vec![vec![0, 1], vec![2, 3]]);
    // Every record was read once between them.
    let printed = s.output().iter().filter(|l| l.text.starts_with(char::is_numeric)).count() as u64;
    assert_eq!(printed, records_in_log(&s));
}

#[test]
fn committed_offsets_and_lag_match_the_logs() {
    let mut s = single_broker(2);
    s.input(CONSUMER);
    // Auto-commit runs every 5 s.
    s.advance(12_000);
    let g = group(&s);
    assert_eq!(g.partitions.len(), 4);
    for p in &g.partitions {
        assert_eq!(p.committed, Some(p.log_end_offset), "{}-{} committed its position", p.topic, p.partition);
        assert_eq!(p.lag, Some(0));
        assert_eq!(p.position, Some(p.log_end_offset));
    }
    // Stall the application: new records are not read, so the lag grows.
    s.input("ksim stall %4 60s");
    produce(&mut s, &["patient-17:125", "patient-17:131"]);
    s.advance(6_000);
    let lag: u64 = group(&s).partitions.iter().filter_map(|p| p.lag).sum();
    assert_eq!(lag, 2, "two records wait for the stalled consumer");
}

#[test]
fn a_member_that_leaves_hands_its_partitions_over() {
    let mut s = single_broker(3);
    s.input(CONSUMER);
    s.input(CONSUMER);
    s.advance(10_000);
    let before = group(&s).generation_id;
    s.input("kill %4");
    s.advance(5_000);
    let g = group(&s);
    assert!(g.generation_id > before, "leaving starts a new generation");
    assert_eq!(g.state, "Stable");
    assert_eq!(assignment(&g), vec![vec![0, 1, 2, 3]]);
    assert!(s.trace().iter().any(|t| t.text.contains("left group monitors")));
}

#[test]
fn a_crashed_member_is_removed_after_the_session_timeout() {
    let mut s = single_broker(4);
    s.input(CONSUMER);
    s.input(CONSUMER);
    s.advance(10_000);
    s.input("ksim crash %5");
    // session.timeout.ms is 45 s: before it, the group still counts the dead member.
    s.advance(30_000);
    assert_eq!(group(&s).members.len(), 2);
    s.advance(20_000);
    let g = group(&s);
    assert_eq!(g.members.len(), 1, "the coordinator removed the silent member");
    assert_eq!(g.state, "Stable");
    assert_eq!(assignment(&g), vec![vec![0, 1, 2, 3]]);
    assert!(s.trace().iter().any(|t| t.text.contains("sent no heartbeat for 45000 ms (session.timeout.ms)")));
}

#[test]
fn a_consumer_stalled_past_max_poll_interval_leaves_and_rejoins() {
    let mut s = single_broker(5);
    s.input(CONSUMER);
    s.input(CONSUMER);
    s.advance(10_000);
    s.input("ksim stall %4 400s");
    // max.poll.interval.ms is 300 s: the stalled member leaves, the other takes over.
    s.advance(310_000);
    let g = group(&s);
    assert_eq!(g.members.len(), 1);
    assert_eq!(assignment(&g), vec![vec![0, 1, 2, 3]]);
    assert!(s.output().iter().any(|l| l.text.contains("consumer poll timeout has expired")));
    // Once it polls again it rejoins, and the range assignor splits the partitions again.
    s.advance(100_000);
    let g = group(&s);
    assert_eq!(g.members.len(), 2);
    assert_eq!(g.state, "Stable");
    let mut owned: Vec<u32> = assignment(&g).concat();
    owned.sort_unstable();
    assert_eq!(owned, vec![0, 1, 2, 3], "each partition has exactly one owner");
}

#[test]
fn a_restarted_group_resumes_from_its_committed_offsets() {
    let mut s = single_broker(6);
    s.input(CONSUMER);
    s.advance(10_000);
    s.input("kill %4");
    s.advance(2_000);
    assert_eq!(group(&s).state, "Empty");
    produce(&mut s, &["patient-9:101"]);
    let before = s.output().len();
    s.input(CONSUMER);
    s.advance(10_000);
    let printed: Vec<String> = s.output().since(before).map(|l| l.text.clone()).collect();
    assert!(printed.contains(&"101".to_string()), "the new record is read: {printed:?}");
    assert!(!printed.contains(&"112".to_string()), "committed records are not read again: {printed:?}");
}

#[test]
fn committed_offsets_survive_the_coordinators_failure() {
    let mut s = Session::new(7);
    s.input("ksim start-cluster --brokers 3 --controllers 1");
    s.input("kafka-topics.sh --create --topic vitals --partitions 4 --replication-factor 3 --bootstrap-server localhost:9092");
    produce(&mut s, &["patient-17:112", "patient-42:71", "patient-8:94", "patient-3:80"]);
    s.input("kafka-console-consumer.sh --topic vitals --group monitors --from-beginning --bootstrap-server localhost:9092,localhost:9094 &");
    s.advance(12_000);
    let g = group(&s);
    let committed: Vec<Option<u64>> = g.partitions.iter().map(|p| p.committed).collect();
    assert!(committed.iter().all(Option::is_some));
    s.input(&format!("ksim kill {}", g.coordinator));
    s.advance(30_000);
    let after = group(&s);
    assert_ne!(after.coordinator, g.coordinator, "the group moved with its __consumer_offsets partition");
    assert_eq!(after.partitions.iter().map(|p| p.committed).collect::<Vec<_>>(), committed);
    assert_eq!(after.state, "Stable", "the member found the new coordinator and rejoined");
}

#[test]
fn bad_consumer_properties_get_kafkas_errors() {
    let mut s = single_broker(8);
    s.input("bin/kafka-console-consumer.sh --topic vitals --group g --consumer-property session.timeout.ms=abc --bootstrap-server localhost:9092");
    assert!(s
        .output()
        .iter()
        .any(|l| l.text.ends_with("Invalid value abc for configuration session.timeout.ms: Not a number of type INT")));
    s.input("bin/kafka-console-consumer.sh --topic vitals --group g --consumer-property partition.assignment.strategy=fancy --bootstrap-server localhost:9092");
    assert!(s.output().iter().any(|l| l.text.contains("fancy ClassNotFoundException exception occurred")));
    s.input("bin/kafka-console-consumer.sh --topic vitals --group g --partition 1 --bootstrap-server localhost:9092");
    assert!(s.output().iter().any(|l| l.text == "Options group and partition cannot be specified together."));
    assert!(s.view().groups.iter().all(|g| g.group_id != "g"), "no consumer started");
}
