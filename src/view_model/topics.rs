//! The topic panel's model: per topic, per partition, who leads, the log strip, and each
//! replica's copy (see `replicas`), and where consumer groups stand in it. Internal topics
//! (`__consumer_offsets`, 50 partitions) come last and list only partitions with records.

use std::collections::BTreeMap;

use ksim::{ClusterView, PartitionView};

use super::groups::{consumer_marks, ConsumerMark};
use super::log_strip::{log_strip, Strip};
use super::replicas::{replica_rows, ReplicaRow};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicModel {
    pub name: String,
    pub topic_id: String,
    /// `3 partitions`, counting those not shown.
    pub partition_count: String,
    /// Kafka's own topics (`__consumer_offsets`): shown last, collapsed.
    pub internal: bool,
    /// Partitions left out because they have no records (internal topics only).
    pub empty_partitions: usize,
    pub partitions: Vec<PartitionModel>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionModel {
    /// `topic-partition`, as Kafka names a partition in logs and tools.
    pub name: String,
    /// `Leader 1 · leader epoch 0`, or `No leader` while the partition is offline.
    pub leader: String,
    /// `2 of 3 in sync`: the ISR's size next to the replica count.
    pub in_sync: String,
    /// Fewer replicas in the ISR than assigned: one more failure and acks=all stalls or
    /// data is at risk.
    pub under_replicated: bool,
    /// Every broker's copy, in replica order, with its role and ISR status in words.
    pub replicas: Vec<ReplicaRow>,
    /// `log start 0 · HW 5 · LEO 7`.
    pub offsets: String,
    pub strip: Strip,
}

pub const UNDER_REPLICATED_TOOLTIP: &str = super::glossary::UNDER_REPLICATED.sentence;

pub fn topics(view: &ClusterView, records_max: usize) -> Vec<TopicModel> {
    let marks = consumer_marks(&view.groups);
    let mut topics: Vec<TopicModel> = view
        .topics
        .iter()
        .map(|t| {
            let internal = t.name.starts_with("__");
            let shown: Vec<&PartitionView> =
                t.partitions.iter().filter(|p| !internal || p.log_end_offset > p.log_start_offset).collect();
            TopicModel {
                name: t.name.clone(),
                topic_id: t.topic_id.clone(),
                partition_count: partitions_text(t.partitions.len()),
                internal,
                empty_partitions: t.partitions.len() - shown.len(),
                partitions: shown.into_iter().map(|p| partition(&t.name, p, records_max, &marks)).collect(),
            }
        })
        .collect();
    // Stable: user topics keep the view's name order.
    topics.sort_by_key(|t| t.internal);
    topics
}

pub fn partitions_text(n: usize) -> String {
    if n == 1 {
        "1 partition".to_owned()
    } else {
        format!("{n} partitions")
    }
}

fn partition(
    topic: &str,
    p: &PartitionView,
    records_max: usize,
    marks: &BTreeMap<String, Vec<ConsumerMark>>,
) -> PartitionModel {
    let name = format!("{topic}-{}", p.partition);
    let leader = match p.leader {
        Some(id) => format!("Leader {id} · leader epoch {}", p.leader_epoch),
        None => "No leader (offline)".to_owned(),
    };
    let replicas = replica_rows(p);
    let strip = log_strip(p, records_max, marks.get(&name).map_or(&[], Vec::as_slice));
    PartitionModel {
        name,
        leader,
        in_sync: format!("{} of {} in sync", p.isr.len(), p.replicas.len()),
        under_replicated: p.isr.len() < p.replicas.len(),
        replicas,
        offsets: format!("log start {} · HW {} · LEO {}", p.log_start_offset, p.high_watermark, p.log_end_offset),
        strip,
    }
}

#[cfg(test)]
mod tests {
    use ksim::{ReplicaStateView, TopicView};

    use super::*;
    use crate::view_model::log_strip::StripItem;

    #[test]
    fn replicas_say_their_role_in_words() {
        let view = ClusterView {
            topics: vec![TopicView {
                configs: Vec::new(),
                name: "heart-rate-measures".to_owned(),
                topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
                partitions: vec![PartitionView {
                    segments: Vec::new(),
                    earlier_records: 0,
                    replica_states: [(1, false, 1), (2, true, 5), (3, true, 5)]
                        .into_iter()
                        .map(|(broker, in_isr, leo)| ReplicaStateView {
                            broker,
                            is_leader: broker == 2,
                            in_isr,
                            online: true,
                            log_start_offset: 0,
                            high_watermark: 3,
                            log_end_offset: leo,
                        })
                        .collect(),
                    partition: 2,
                    leader: Some(2),
                    leader_epoch: 4,
                    replicas: vec![1, 2, 3],
                    isr: vec![2, 3],
                    log_start_offset: 0,
                    high_watermark: 3,
                    log_end_offset: 5,
                    records: Vec::new(),
                }],
            }],
            ..ClusterView::default()
        };
        let model = topics(&view, 10);
        let p = &model[0].partitions[0];
        assert_eq!(p.name, "heart-rate-measures-2");
        assert_eq!(p.leader, "Leader 2 · leader epoch 4");
        assert_eq!((p.in_sync.as_str(), p.under_replicated), ("2 of 3 in sync", true));
        assert_eq!(p.offsets, "log start 0 · HW 3 · LEO 5");
        let rows: Vec<_> = p.replicas.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(rows, ["Broker 1 · follower · out of sync", "Broker 2 · leader", "Broker 3 · follower · in ISR"]);
    }

    #[test]
    fn offline_partition_says_so() {
        let p = PartitionView {
            replica_states: Vec::new(),
            segments: Vec::new(),
            earlier_records: 0,
            partition: 0,
            leader: None,
            leader_epoch: 1,
            replicas: vec![1],
            isr: vec![],
            log_start_offset: 0,
            high_watermark: 0,
            log_end_offset: 0,
            records: Vec::new(),
        };
        let model = partition("vitals", &p, 10, &BTreeMap::new());
        assert_eq!(model.leader, "No leader (offline)");
        assert_eq!((model.in_sync.as_str(), model.under_replicated), ("0 of 1 in sync", true));
        assert_eq!(model.replicas[0].label, "Broker 1 · no copy yet");
    }

    fn log(partition: u32, log_end_offset: u64) -> PartitionView {
        PartitionView {
            replica_states: Vec::new(),
            segments: Vec::new(),
            earlier_records: 0,
            partition,
            leader: Some(1),
            leader_epoch: 0,
            replicas: vec![1],
            isr: vec![1],
            log_start_offset: 0,
            high_watermark: log_end_offset,
            log_end_offset,
            records: (0..log_end_offset)
                .map(|offset| ksim::RecordView { offset, timestamp_ms: 0, key: None, value: Some("v".to_owned()) })
                .collect(),
        }
    }

    #[test]
    fn internal_topics_come_last_with_only_their_used_partitions() {
        let topic = |name: &str, partitions: Vec<PartitionView>| TopicView {
            configs: Vec::new(),
            name: name.to_owned(),
            topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            partitions,
        };
        let view = ClusterView {
            topics: vec![
                topic("__consumer_offsets", (0..50).map(|p| log(p, u64::from(p == 31) * 2)).collect()),
                topic("vitals", vec![log(0, 3)]),
            ],
            groups: vec![ksim::GroupView {
                group_id: "monitors".to_owned(),
                state: "Stable".to_owned(),
                members: vec![ksim::GroupMemberView {
                    member_id: "console-consumer-1b2c3d4e".to_owned(),
                    client_id: "console-consumer".to_owned(),
                    client: None,
                    is_leader: true,
                    assignment: vec!["vitals-0".to_owned()],
                }],
                partitions: vec![ksim::GroupPartitionView {
                    topic: "vitals".to_owned(),
                    partition: 0,
                    owner: Some("console-consumer-1b2c3d4e".to_owned()),
                    position: Some(3),
                    committed: Some(2),
                    log_end_offset: 3,
                    lag: Some(1),
                }],
                ..ksim::GroupView::default()
            }],
            ..ClusterView::default()
        };
        let model = topics(&view, 10);
        let shown: Vec<_> = model
            .iter()
            .map(|t| (t.name.as_str(), t.internal, t.partition_count.as_str(), t.empty_partitions, t.partitions.len()))
            .collect();
        assert_eq!(
            shown,
            [("vitals", false, "1 partition", 0, 1), ("__consumer_offsets", true, "50 partitions", 49, 1)]
        );
        assert_eq!(model[1].partitions[0].name, "__consumer_offsets-31");
        let marks: Vec<_> = model[0].partitions[0]
            .strip
            .items
            .iter()
            .filter_map(|i| match i {
                StripItem::Consumer(c) => Some(format!("{} {} {}", c.group_id, c.kind, c.offset)),
                _ => None,
            })
            .collect();
        assert_eq!(marks, ["monitors committed 2", "monitors position 3"]);
    }
}
