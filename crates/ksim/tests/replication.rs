//! Replication through the console: the high watermark waits for the ISR, acks=all is
//! refused below min ISR, a leader failure loses no acknowledged record, a returning
//! replica truncates the tail it alone had, and the replication sweep (with its checker).

use ksim::{PartitionView, Session};

/// 3 brokers (nodes 2, 3, 4) and one controller, and an RF=3 topic with min ISR 2.
fn cluster(seed: u64) -> Session {
    let mut s = Session::new(seed);
    s.input("ksim start-cluster --brokers 3 --controllers 1");
    s.input("kafka-topics.sh --create --topic icu-heart-rate --partitions 1 --replication-factor 3 --config min.insync.replicas=2 --bootstrap-server localhost:9092");
    s
}

fn partition(s: &Session) -> PartitionView {
    s.view().topics[0].partitions[0].clone()
}

fn produce(s: &mut Session, acks: &str, values: &[&str], bootstrap: &str) {
    s.input(&format!("kafka-console-producer.sh --topic icu-heart-rate --producer-property acks={acks} --bootstrap-server {bootstrap}"));
    for v in values {
        s.input(&format!("> {v}"));
    }
    s.end_of_input();
}

fn followers(p: &PartitionView) -> Vec<u32> {
    p.replicas.iter().copied().filter(|r| Some(*r) != p.leader).collect()
}

const ALL: &str = "localhost:9092,localhost:9094,localhost:9096";

#[test]
fn the_high_watermark_waits_for_the_isr() {
    let mut s = cluster(1);
    let p = partition(&s);
    let leader = p.leader.expect("a leader");
    let f = followers(&p);
    s.input(&format!("ksim partition {leader} | {},{}", f[0], f[1]));
    produce(&mut s, "1", &["82 bpm", "110 bpm"], ALL);
    let cut = partition(&s);
    assert_eq!(cut.log_end_offset, 2, "acks=1: the leader appended");
    assert_eq!(cut.high_watermark, 0, "the followers have not fetched: no record is committed");
    s.input("ksim heal");
    s.advance(2_000);
    assert_eq!(partition(&s).high_watermark, 2, "once the ISR fetched, the HW moves");
}

#[test]
fn acks_all_is_refused_below_min_isr_with_kafkas_error() {
    let mut s = cluster(2);
    let f = followers(&partition(&s));
    s.input(&format!("ksim kill {}", f[0]));
    s.input(&format!("ksim kill {}", f[1]));
    s.advance(40_000);
    assert_eq!(partition(&s).isr.len(), 1, "the lagging followers left the ISR");
    produce(&mut s, "all", &["130 bpm"], ALL);
    assert!(s.output().iter().any(|l| l.text == "org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required."));
    assert_eq!(partition(&s).log_end_offset, 0, "nothing was written");
}

#[test]
fn a_leader_crash_elects_an_isr_member_and_loses_no_acknowledged_record() {
    let mut s = cluster(3);
    produce(&mut s, "all", &["82 bpm", "110 bpm", "95 bpm"], ALL);
    let before = partition(&s);
    assert_eq!(before.high_watermark, 3);
    let leader = before.leader.expect("leader");
    s.input(&format!("ksim kill {leader}"));
    s.advance(12_000);
    let after = partition(&s);
    let new_leader = after.leader.expect("a new leader");
    assert!(before.isr.contains(&new_leader) && new_leader != leader);
    assert_eq!(after.leader_epoch, before.leader_epoch + 1);
    let values: Vec<String> = after.records.iter().filter_map(|r| r.value.clone()).collect();
    assert_eq!(values, ["82 bpm", "110 bpm", "95 bpm"]);
    assert_eq!(after.high_watermark, 3);
}

#[test]
fn a_returning_replica_truncates_the_tail_only_it_had() {
    let mut s = cluster(4);
    produce(&mut s, "all", &["82 bpm"], ALL);
    let p = partition(&s);
    let old = p.leader.expect("leader");
    let f = followers(&p);
    // The leader is cut off from its followers, takes acks=1 writes they never see, dies.
    s.input(&format!("ksim partition {old} | {},{}", f[0], f[1]));
    produce(&mut s, "1", &["lost 1", "lost 2"], ALL);
    assert_eq!(partition(&s).log_end_offset, 3);
    s.input(&format!("ksim kill {old}"));
    // Keep the cut until the new leader is elected: responses already on the wire would
    // otherwise still arrive.
    s.advance(12_000);
    s.input("ksim heal");
    let new = partition(&s);
    assert_ne!(new.leader, Some(old));
    produce(&mut s, "all", &["110 bpm"], ALL);
    s.input(&format!("ksim restart {old}"));
    s.advance(5_000);
    assert!(
        s.trace()
            .iter()
            .any(|t| t.actor == format!("Broker {old}") && t.text.contains("truncated icu-heart-rate-0 from 3 to 1")),
        "the old leader dropped its divergent tail: {:#?}",
        s.trace().iter().rev().take(15).collect::<Vec<_>>()
    );
    let values: Vec<String> = partition(&s).records.iter().filter_map(|r| r.value.clone()).collect();
    assert_eq!(values, ["82 bpm", "110 bpm"], "acks=1 writes on a failed leader are lost, as in Kafka");
    s.input("ksim check");
    assert!(s.output().iter().any(|l| l.text.starts_with("All invariants hold")));
}

#[test]
fn the_replication_sweep_loses_nothing_acknowledged_unless_unclean_election_is_on() {
    let clean =
        ksim::SweepConfig { scenario: ksim::Scenario::Replication, faults: true, ..ksim::SweepConfig::default() };
    let mut acknowledged = 0;
    let mut duplicated = 0;
    for seed in 1..=30 {
        let r = ksim::sweep_seed(seed, &clean);
        assert!(
            r.violations.is_empty() && r.lost.is_empty(),
            "seed {seed}: {:?} {:?}\nrerun: {}",
            r.violations,
            r.lost,
            r.rerun_command(&clean)
        );
        acknowledged += r.acknowledged;
        duplicated += r.duplicated + r.reordered;
    }
    assert!(acknowledged > 1_000, "the producer kept writing: {acknowledged}");
    assert_eq!(duplicated, 0, "the idempotent producer's retries land once and in order");
    // Proof the duplicate counter works: without idempotence retries land twice.
    let plain = ksim::SweepConfig { idempotence: false, ..clean };
    let duplicated: usize = (1..=5).map(|seed| ksim::sweep_seed(seed, &plain).duplicated).sum();
    assert!(duplicated > 0, "a producer without idempotence should write some retried batch twice");
    // Proof the checker can fail: unclean election loses acknowledged records somewhere.
    let unclean = ksim::SweepConfig { unclean: true, ..clean };
    let lost: usize = (1..=200).map(|seed| ksim::sweep_seed(seed, &unclean).lost.len()).sum();
    assert!(lost > 0, "unclean leader election should lose acknowledged records in some seed");
}

/// `auto.leader.rebalance.enable`: a partition led by a non-preferred replica after a
/// failure is led by its preferred replica again once the controller's 300 s check runs.
#[test]
fn auto_leader_rebalance_returns_leadership_to_the_preferred_replica() {
    let mut s = cluster(3);
    let preferred = partition(&s).replicas[0];
    assert_eq!(partition(&s).leader, Some(preferred), "a new partition is led by its preferred replica");
    s.input(&format!("ksim kill {preferred}"));
    s.advance(12_000);
    assert_ne!(partition(&s).leader, Some(preferred), "leadership moved away from the dead broker");
    s.input(&format!("ksim restart {preferred}"));
    s.advance(20_000);
    assert!(partition(&s).isr.contains(&preferred), "the restarted broker caught up");
    assert_ne!(partition(&s).leader, Some(preferred), "rejoining the ISR does not move leadership");
    s.advance(300_000);
    assert_eq!(partition(&s).leader, Some(preferred), "the periodic rebalance elected the preferred replica");
}

/// KIP-455 reassignment under load: [2,3,4] → [3,4,5] on a 4-broker cluster. Broker 5
/// catches up and joins the ISR, broker 2 (the leader) leaves, and every acknowledged
/// record is still there on the new replica set.
#[test]
fn a_reassignment_moves_the_replicas_and_keeps_every_acknowledged_record() {
    let all4 = "localhost:9092,localhost:9094,localhost:9096,localhost:9098";
    let mut s = Session::new(7);
    s.input("ksim start-cluster --brokers 4 --controllers 1");
    s.input("kafka-topics.sh --create --topic icu-heart-rate --partitions 1 --replication-factor 3 --config min.insync.replicas=2 --bootstrap-server localhost:9092");
    assert_eq!(partition(&s).replicas, [2, 3, 4]);
    produce(&mut s, "all", &["82 bpm", "110 bpm"], all4);
    s.input(r#"echo '{"version":1,"partitions":[{"topic":"icu-heart-rate","partition":0,"replicas":[3,4,5]}]}' > move.json"#);
    s.input(
        "kafka-reassign-partitions.sh --bootstrap-server localhost:9092 --reassignment-json-file move.json --execute",
    );
    assert!(s.output().iter().any(|l| l.text == "Successfully started partition reassignment for icu-heart-rate-0"));
    // Writes keep flowing while the move is under way.
    produce(&mut s, "all", &["95 bpm", "101 bpm"], all4);
    s.advance(5_000);
    produce(&mut s, "all", &["97 bpm"], all4);
    s.advance(2_000);
    let p = partition(&s);
    assert_eq!(p.replicas, [3, 4, 5]);
    let mut isr = p.isr.clone();
    isr.sort_unstable();
    assert_eq!(isr, [3, 4, 5]);
    assert_eq!(p.leader, Some(3), "the first target replica in the ISR leads once the old leader leaves");
    let values: Vec<String> = p.records.iter().filter_map(|r| r.value.clone()).collect();
    assert_eq!(values, ["82 bpm", "110 bpm", "95 bpm", "101 bpm", "97 bpm"]);
    assert!(p.replica_states.iter().all(|r| r.log_end_offset == 5), "{:?}", p.replica_states);
    assert!(
        s.trace().iter().any(|t| t.actor == "Broker 2" && t.text.contains("deleted the log of icu-heart-rate-0")),
        "the removed replica deleted its log"
    );
    s.input(
        "kafka-reassign-partitions.sh --bootstrap-server localhost:9094 --reassignment-json-file move.json --verify",
    );
    assert!(s.output().iter().any(|l| l.text == "Reassignment of partition icu-heart-rate-0 is completed."));
    s.input("ksim kill 2");
    s.input("kafka-console-consumer.sh --topic icu-heart-rate --from-beginning --timeout-ms 2000 --bootstrap-server localhost:9094");
    s.advance(15_000);
    assert!(s.output().iter().any(|l| l.text == "Processed a total of 5 messages"), "{}", s.transcript());
    s.input("ksim check");
    assert!(s.output().iter().any(|l| l.text.starts_with("All invariants hold")), "{}", s.transcript());
}

/// A partition whose only ISR member dies while its out-of-sync follower is back: the
/// controller elects the follower only if `unclean.leader.election.enable` is true, here
/// set as a cluster-wide dynamic broker config (the topic does not set it).
fn leader_after_losing_the_isr(cluster_default: Option<&str>) -> Option<u32> {
    let mut s = Session::new(7);
    s.input("ksim start-cluster --brokers 3 --controllers 1");
    s.input("kafka-topics.sh --create --topic vitals --partitions 1 --replication-factor 2 --bootstrap-server localhost:9092");
    if let Some(value) = cluster_default {
        s.input(&format!("kafka-configs.sh --bootstrap-server localhost:9092 --broker-defaults --alter --add-config unclean.leader.election.enable={value}"));
    }
    let p = s.view().topics[0].partitions[0].clone();
    let leader = p.leader.expect("a leader");
    let follower = followers(&p)[0];
    s.input(&format!("ksim kill {follower}"));
    s.advance(40_000);
    assert_eq!(s.view().topics[0].partitions[0].isr, vec![leader], "the dead follower left the ISR");
    s.input(&format!("ksim kill {leader}"));
    s.input(&format!("ksim restart {follower}"));
    s.advance(15_000);
    s.view().topics[0].partitions[0].leader
}

#[test]
fn a_cluster_wide_dynamic_config_allows_unclean_leader_election() {
    assert_eq!(leader_after_losing_the_isr(None), None, "by default the partition stays offline");
    assert_eq!(leader_after_losing_the_isr(Some("false")), None);
    assert!(leader_after_losing_the_isr(Some("true")).is_some(), "the out-of-sync follower is elected");
}
