//! KRaft scenarios through the console, as a student would run them: elections, a killed
//! leader, a leader isolated in a minority, a fenced broker losing its leaderships, and a
//! modest seeded fault sweep.

use ksim::{ClusterView, NodeView, ProcessState, Session};

fn cluster(seed: u64, brokers: u32, controllers: u32) -> Session {
    let mut s = Session::new(seed);
    s.input(&format!("ksim start-cluster --brokers {brokers} --controllers {controllers}"));
    s
}

fn controllers(v: &ClusterView) -> Vec<&NodeView> {
    v.nodes.iter().filter(|n| n.is_controller).collect()
}

fn leader(v: &ClusterView) -> Option<(u32, u32)> {
    controllers(v)
        .into_iter()
        .filter(|n| n.state != ProcessState::Stopped)
        .find_map(|n| n.raft.as_ref().filter(|r| r.state == "Leader").map(|r| (n.node_id, r.leader_epoch)))
}

fn said(s: &Session, text: &str) -> bool {
    s.output().iter().any(|l| l.text.contains(text))
}

#[test]
fn a_killed_leader_is_replaced_in_a_higher_epoch_and_rejoins_as_follower() {
    let mut s = cluster(1, 3, 3);
    let (old, epoch) = leader(&s.view()).expect("the quorum elected a leader");
    s.input(&format!("ksim kill {old}"));
    s.advance(6_000);
    let (new, new_epoch) = leader(&s.view()).expect("the survivors elected a leader");
    assert_ne!(new, old);
    assert!(new_epoch > epoch);
    s.input(&format!("ksim restart {old}"));
    s.advance(6_000);
    let v = s.view();
    let old_node = v.nodes.iter().find(|n| n.node_id == old).expect("old leader");
    let raft = old_node.raft.as_ref().expect("a controller");
    assert_eq!(raft.state, "Follower");
    assert_eq!(raft.leader_epoch, new_epoch);
    assert_eq!(raft.leader_id, Some(new));
    s.input("ksim check");
    assert!(said(&s, "All invariants hold"));
}

#[test]
fn a_leader_isolated_in_a_minority_steps_down_and_the_majority_elects() {
    let mut s = cluster(2, 1, 3);
    let (old, epoch) = leader(&s.view()).expect("a leader");
    let others: Vec<String> = [1, 2, 3].iter().filter(|n| **n != old).map(u32::to_string).collect();
    s.input(&format!("ksim partition {old} | {}", others.join(",")));
    s.advance(8_000);
    let v = s.view();
    let (new, new_epoch) = leader(&v).expect("the majority side elected a leader");
    assert_ne!(new, old);
    assert!(new_epoch > epoch);
    let isolated = v.nodes.iter().find(|n| n.node_id == old).and_then(|n| n.raft.clone()).expect("isolated node");
    assert_ne!(isolated.state, "Leader", "check quorum made the isolated leader resign");
    assert!(s.trace().iter().any(|t| t.text.contains("resigned leadership")));
    s.input("ksim heal");
    s.advance(6_000);
    let healed = s.view().nodes.iter().find(|n| n.node_id == old).and_then(|n| n.raft.clone()).expect("node");
    assert_eq!(healed.state, "Follower");
    s.input("ksim check");
    assert!(said(&s, "All invariants hold"));
}

#[test]
fn a_fenced_broker_loses_the_leadership_of_its_partitions() {
    let mut s = cluster(3, 3, 1);
    s.input("kafka-topics.sh --create --topic ambulance-requests --partitions 3 --replication-factor 3 --bootstrap-server localhost:9092");
    assert!(said(&s, "Created topic ambulance-requests."));
    let before = s.view();
    let p0 = &before.topics[0].partitions[0];
    let victim = p0.leader.expect("partition 0 has a leader");
    s.input(&format!("ksim kill {victim}"));
    s.advance(12_000);
    let after = s.view();
    let p0_after = &after.topics[0].partitions[0];
    assert_ne!(p0_after.leader, Some(victim));
    assert!(p0_after.leader.is_some(), "another ISR member leads");
    assert_eq!(p0_after.leader_epoch, p0.leader_epoch + 1);
    assert!(!p0_after.isr.contains(&victim));
    assert!(s.trace().iter().any(|t| t.text.contains(&format!("fences broker {victim}: no heartbeat for 9000 ms"))));
    let describe = "kafka-topics.sh --describe --topic ambulance-requests --under-replicated-partitions --bootstrap-server localhost:9092,localhost:9094,localhost:9096";
    s.input(describe);
    assert!(s.output().iter().filter(|l| l.text.starts_with("\tTopic: ambulance-requests\tPartition:")).count() >= 1);
}

#[test]
fn describe_quorum_reports_the_leader_and_every_replica() {
    let mut s = cluster(4, 2, 3);
    s.input("kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status");
    let (leader_id, epoch) = leader(&s.view()).expect("a leader");
    assert!(said(&s, &format!("LeaderId:               {leader_id}")));
    assert!(said(&s, &format!("LeaderEpoch:            {epoch}")));
    s.input("kafka-metadata-quorum.sh --bootstrap-controller localhost:9093 describe --replication --human-readable");
    let rows: Vec<&str> = s
        .output()
        .iter()
        .map(|l| l.text.as_str())
        .filter(|t| t.ends_with("\t") && (t.contains("Leader") || t.contains("Follower") || t.contains("Observer")))
        .collect();
    assert_eq!(rows.len(), 5, "3 voters and 2 observers: {rows:?}");
    assert!(rows.iter().all(|r| r.contains(" ms ago")));
    s.input("kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe");
    assert!(said(&s, "One of --status or --replication must be specified with describe sub-command"));
}

#[test]
fn a_modest_fault_sweep_finds_no_violation_and_loses_nothing() {
    let cfg = ksim::SweepConfig { faults: true, ..ksim::SweepConfig::default() };
    let mut acknowledged = 0;
    for seed in 1..=25 {
        let report = ksim::sweep_seed(seed, &cfg);
        assert!(
            report.violations.is_empty(),
            "seed {seed}: {:?}\nrerun: {}",
            report.violations,
            report.rerun_command(&cfg)
        );
        assert!(report.lost.is_empty(), "seed {seed} lost {:?}", report.lost);
        assert!(report.recovered, "seed {seed} did not recover: {:#?}", report.final_status);
        acknowledged += report.acknowledged;
    }
    assert!(acknowledged > 50, "the sweep wrote something: {acknowledged}");
}

#[test]
fn sweeps_are_deterministic() {
    let cfg = ksim::SweepConfig { faults: true, chaos_ms: 20_000, ..ksim::SweepConfig::default() };
    assert_eq!(ksim::sweep_seed(11, &cfg), ksim::sweep_seed(11, &cfg));
}

/// A producer that starts before its broker has the new topic's metadata asks again every
/// `retry.backoff.ms` (100 ms), as Kafka's does: a handful of warnings, not a flood.
#[test]
fn a_producer_waiting_for_metadata_backs_off_between_requests() {
    let mut s = cluster(1, 3, 3);
    s.input("kafka-topics.sh --create --topic icu-vitals --partitions 3 --replication-factor 3 --bootstrap-server localhost:9092");
    s.input("kafka-console-producer.sh --topic icu-vitals --bootstrap-server localhost:9092");
    s.input("> 82 bpm");
    s.end_of_input();
    let warnings = s.output().iter().filter(|l| l.text.contains("reported a recoverable issue")).count();
    assert!(warnings <= 20, "{warnings} metadata warnings: the producer is not backing off");
}

/// A partition leader that has not applied the new topic yet answers
/// UNKNOWN_TOPIC_OR_PARTITION; the producer's retries back off exponentially (KIP-580:
/// 100, 200, 400 ms …), which outlasts the brokers' metadata lag, so the records land.
#[test]
fn producing_right_after_creating_a_topic_survives_metadata_lag() {
    let mut s = cluster(1, 3, 3);
    s.input("ksim kill 5");
    s.input("ksim advance 12s");
    s.input("ksim restart 5");
    s.input("kafka-topics.sh --create --topic icu-vitals --partitions 3 --replication-factor 3 --bootstrap-server localhost:9092");
    s.input("kafka-console-producer.sh --topic icu-vitals --bootstrap-server localhost:9092");
    s.input("> 82 bpm");
    s.input("> 110 bpm");
    s.end_of_input();
    assert!(!said(&s, "Error when sending message"), "a record was dropped");
    s.advance(2_000);
    let written: u64 = s.view().topics[0].partitions.iter().map(|p| p.log_end_offset).sum();
    assert_eq!(written, 2);
}
