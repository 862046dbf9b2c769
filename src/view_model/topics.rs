//! The topic panel's model: per topic, per partition, who leads, the log strip, and each
//! replica's copy (see `replicas`).

use ksim::{ClusterView, PartitionView};

use super::log_strip::{log_strip, Strip};
use super::replicas::{replica_rows, ReplicaRow};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicModel {
    pub name: String,
    pub topic_id: String,
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

pub const UNDER_REPLICATED_TOOLTIP: &str = "Under-replicated: some replicas are not in the ISR";

pub fn topics(view: &ClusterView, records_max: usize) -> Vec<TopicModel> {
    view.topics
        .iter()
        .map(|t| TopicModel {
            name: t.name.clone(),
            topic_id: t.topic_id.clone(),
            partitions: t.partitions.iter().map(|p| partition(&t.name, p, records_max)).collect(),
        })
        .collect()
}

fn partition(topic: &str, p: &PartitionView, records_max: usize) -> PartitionModel {
    let leader = match p.leader {
        Some(id) => format!("Leader {id} · leader epoch {}", p.leader_epoch),
        None => "No leader (offline)".to_owned(),
    };
    let replicas = replica_rows(p);
    PartitionModel {
        name: format!("{topic}-{}", p.partition),
        leader,
        in_sync: format!("{} of {} in sync", p.isr.len(), p.replicas.len()),
        under_replicated: p.isr.len() < p.replicas.len(),
        replicas,
        offsets: format!("log start {} · HW {} · LEO {}", p.log_start_offset, p.high_watermark, p.log_end_offset),
        strip: log_strip(p, records_max),
    }
}

#[cfg(test)]
mod tests {
    use ksim::{ReplicaStateView, TopicView};

    use super::*;

    #[test]
    fn replicas_say_their_role_in_words() {
        let view = ClusterView {
            topics: vec![TopicView {
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
        let model = partition("vitals", &p, 10);
        assert_eq!(model.leader, "No leader (offline)");
        assert_eq!((model.in_sync.as_str(), model.under_replicated), ("0 of 1 in sync", true));
        assert_eq!(model.replicas[0].label, "Broker 1 · no copy yet");
    }
}
