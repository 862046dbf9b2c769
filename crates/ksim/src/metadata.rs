//! The KRaft metadata log's records (`metadata/.../common/metadata/*.json`) and the
//! metadata image every broker and controller builds by applying them in order.

use crate::broker_config::{ConfigResource, DynamicBrokerConfigs};
use crate::ids::{NodeId, Uuid};
use crate::vec_map::VecMap;

/// `metadata.version` written at format time (Kafka 4.0's latest production level).
pub(crate) const METADATA_VERSION: &str = "4.0-IV3";
/// The feature level of `METADATA_VERSION` in `FeatureLevelRecord`.
pub(crate) const METADATA_VERSION_LEVEL: u16 = 25;

/// A listener a broker registers, e.g. `PLAINTEXT://localhost:9092`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) name: String,
    pub(crate) host: String,
    pub(crate) port: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MetadataRecord {
    /// Raft's LeaderChangeMessage control record: a new leader starts its epoch with it.
    LeaderChange {
        leader_id: NodeId,
        voters: Vec<NodeId>,
    },
    FeatureLevel {
        name: String,
        feature_level: u16,
    },
    RegisterBroker {
        broker_id: NodeId,
        broker_epoch: u64,
        incarnation_id: Uuid,
        endpoints: Vec<Endpoint>,
        fenced: bool,
    },
    /// Since metadata version 3.3 fencing changes use this record instead of
    /// FenceBrokerRecord/UnfenceBrokerRecord.
    BrokerRegistrationChange {
        broker_id: NodeId,
        broker_epoch: u64,
        fenced: bool,
    },
    Topic {
        name: String,
        topic_id: Uuid,
    },
    Partition {
        partition_id: u32,
        topic_id: Uuid,
        replicas: Vec<NodeId>,
        isr: Vec<NodeId>,
        leader: Option<NodeId>,
        leader_epoch: u32,
        partition_epoch: u32,
    },
    /// Only the changed fields of a partition (`PartitionChangeRecord`).
    PartitionChange {
        topic_id: Uuid,
        partition_id: u32,
        isr: Option<Vec<NodeId>>,
        leader: LeaderChange,
        /// A reassignment starting, completing or cancelled: the new replica sets.
        replicas: Option<ReplicaSets>,
    },
    /// A topic or broker config set, or deleted when `value` is None (`ConfigRecord`).
    Config {
        resource: ConfigResource,
        name: String,
        value: Option<String>,
    },
    RemoveTopic {
        topic_id: Uuid,
    },
}

/// `PartitionChangeRecord`'s `replicas`, `removingReplicas` and `addingReplicas`, which
/// change together (KIP-455).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReplicaSets {
    pub(crate) replicas: Vec<NodeId>,
    pub(crate) removing: Vec<NodeId>,
    pub(crate) adding: Vec<NodeId>,
}

/// `PartitionChangeRecord.leader`: -2 unchanged, -1 none, or a broker id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LeaderChange {
    Unchanged,
    NoLeader,
    Leader(NodeId),
}

/// One entry of `__cluster_metadata-0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MetadataEntry {
    pub(crate) offset: u64,
    /// The Raft leader epoch the entry was appended in.
    pub(crate) epoch: u32,
    /// When the leader appended it (the batch's CreateTime), ms since the Unix epoch.
    pub(crate) appended_ms: u64,
    pub(crate) record: MetadataRecord,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BrokerRegistration {
    pub(crate) broker_epoch: u64,
    pub(crate) incarnation_id: Uuid,
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) fenced: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PartitionImage {
    pub(crate) replicas: Vec<NodeId>,
    pub(crate) isr: Vec<NodeId>,
    pub(crate) leader: Option<NodeId>,
    pub(crate) leader_epoch: u32,
    pub(crate) partition_epoch: u32,
    /// An ongoing reassignment (KIP-455): replicas joining, and replicas leaving once the
    /// joining ones are in the ISR. Both empty otherwise.
    pub(crate) adding: Vec<NodeId>,
    pub(crate) removing: Vec<NodeId>,
}

impl PartitionImage {
    pub(crate) fn is_reassigning(&self) -> bool {
        !self.adding.is_empty() || !self.removing.is_empty()
    }

    /// The replicas the partition will have once its reassignment completes.
    pub(crate) fn target_replicas(&self) -> Vec<NodeId> {
        self.replicas.iter().copied().filter(|r| !self.removing.contains(r)).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TopicImage {
    pub(crate) topic_id: Uuid,
    pub(crate) partitions: VecMap<u32, PartitionImage>,
    /// Topic configs that differ from the broker defaults.
    pub(crate) configs: VecMap<String, String>,
}

/// The cluster's metadata as of `applied_offset`, built only from committed records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MetadataImage {
    /// Offset of the last applied entry, if any.
    pub(crate) applied_offset: Option<u64>,
    pub(crate) features: VecMap<String, u16>,
    pub(crate) brokers: VecMap<NodeId, BrokerRegistration>,
    pub(crate) topics: VecMap<String, TopicImage>,
    /// Dynamic broker configs: by broker id, and "" for the cluster-wide default.
    pub(crate) broker_configs: DynamicBrokerConfigs,
}

impl MetadataImage {
    pub(crate) fn apply(&mut self, entry: &MetadataEntry) {
        assert!(
            self.applied_offset.is_none_or(|o| entry.offset == o + 1),
            "metadata applied out of order: {:?} then {}",
            self.applied_offset,
            entry.offset
        );
        self.applied_offset = Some(entry.offset);
        match &entry.record {
            MetadataRecord::LeaderChange { .. } => {}
            MetadataRecord::FeatureLevel { name, feature_level } => {
                self.features.insert(name.clone(), *feature_level);
            }
            MetadataRecord::RegisterBroker { broker_id, broker_epoch, incarnation_id, endpoints, fenced } => {
                self.brokers.insert(
                    *broker_id,
                    BrokerRegistration {
                        broker_epoch: *broker_epoch,
                        incarnation_id: *incarnation_id,
                        endpoints: endpoints.clone(),
                        fenced: *fenced,
                    },
                );
            }
            MetadataRecord::BrokerRegistrationChange { broker_id, fenced, .. } => {
                if let Some(b) = self.brokers.get_mut(broker_id) {
                    b.fenced = *fenced;
                }
            }
            MetadataRecord::Topic { name, topic_id } => {
                self.topics.insert(
                    name.clone(),
                    TopicImage { topic_id: *topic_id, partitions: VecMap::new(), configs: VecMap::new() },
                );
            }
            MetadataRecord::Partition {
                partition_id,
                topic_id,
                replicas,
                isr,
                leader,
                leader_epoch,
                partition_epoch,
            } => {
                if let Some(topic) = self.topics.values_mut().find(|t| t.topic_id == *topic_id) {
                    topic.partitions.insert(
                        *partition_id,
                        PartitionImage {
                            replicas: replicas.clone(),
                            isr: isr.clone(),
                            leader: *leader,
                            leader_epoch: *leader_epoch,
                            partition_epoch: *partition_epoch,
                            adding: Vec::new(),
                            removing: Vec::new(),
                        },
                    );
                }
            }
            MetadataRecord::PartitionChange { topic_id, partition_id, isr, leader, replicas } => {
                let Some(p) = self
                    .topics
                    .values_mut()
                    .find(|t| t.topic_id == *topic_id)
                    .and_then(|t| t.partitions.get_mut(partition_id))
                else {
                    return;
                };
                if let Some(isr) = isr {
                    p.isr = isr.clone();
                }
                if let Some(sets) = replicas {
                    p.replicas = sets.replicas.clone();
                    p.removing = sets.removing.clone();
                    p.adding = sets.adding.clone();
                }
                let new_leader = match leader {
                    LeaderChange::Unchanged => p.leader,
                    LeaderChange::NoLeader => None,
                    LeaderChange::Leader(id) => Some(*id),
                };
                if *leader != LeaderChange::Unchanged {
                    p.leader = new_leader;
                    p.leader_epoch += 1;
                }
                p.partition_epoch += 1;
            }
            MetadataRecord::Config { resource: ConfigResource::Topic(topic), name, value } => {
                if let Some(t) = self.topics.get_mut(topic) {
                    match value {
                        Some(v) => t.configs.insert(name.clone(), v.clone()),
                        None => t.configs.remove(name),
                    };
                }
            }
            MetadataRecord::Config { resource: ConfigResource::Broker(broker), name, value } => {
                let configs = self.broker_configs.entry(broker.clone()).or_default();
                match value {
                    Some(v) => configs.insert(name.clone(), v.clone()),
                    None => configs.remove(name),
                };
                if configs.is_empty() {
                    self.broker_configs.remove(broker);
                }
            }
            MetadataRecord::RemoveTopic { topic_id } => {
                self.topics.retain(|_, t| t.topic_id != *topic_id);
            }
        }
    }

    /// Brokers that are registered and not fenced, by id.
    pub(crate) fn unfenced_brokers(&self) -> Vec<NodeId> {
        self.brokers.iter().filter(|(_, b)| !b.fenced).map(|(id, _)| *id).collect()
    }

    pub(crate) fn topic_name(&self, topic_id: Uuid) -> Option<&str> {
        self.topics.iter().find(|(_, t)| t.topic_id == topic_id).map(|(n, _)| n.as_str())
    }
}

fn ids(list: &[NodeId]) -> String {
    format!("[{}]", list.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(","))
}

impl MetadataRecord {
    /// `kafka-dump-log.sh --cluster-metadata-decoder`'s payload: the record type and its
    /// fields as `MetadataJsonConverters` names them (fields the simulation does not
    /// model are left out). None for Raft control records.
    pub(crate) fn json_payload(&self) -> Option<String> {
        let (kind, data) = match self {
            MetadataRecord::LeaderChange { .. } => return None,
            MetadataRecord::FeatureLevel { name, feature_level } => {
                ("FEATURE_LEVEL_RECORD", format!("{{\"name\":\"{name}\",\"featureLevel\":{feature_level}}}"))
            }
            MetadataRecord::RegisterBroker { broker_id, broker_epoch, incarnation_id, endpoints, fenced } => {
                let eps: Vec<String> = endpoints
                    .iter()
                    .map(|e| format!("{{\"name\":\"{}\",\"host\":\"{}\",\"port\":{},\"securityProtocol\":0}}", e.name, e.host, e.port))
                    .collect();
                (
                    "REGISTER_BROKER_RECORD",
                    format!(
                        "{{\"brokerId\":{},\"incarnationId\":\"{incarnation_id}\",\"brokerEpoch\":{broker_epoch},\"endPoints\":[{}],\"rack\":null,\"fenced\":{fenced}}}",
                        broker_id.0,
                        eps.join(",")
                    ),
                )
            }
            MetadataRecord::BrokerRegistrationChange { broker_id, broker_epoch, fenced } => (
                "BROKER_REGISTRATION_CHANGE_RECORD",
                // `fenced` is a tri-state byte: 1 fence, -1 unfence, 0 no change.
                format!("{{\"brokerId\":{},\"brokerEpoch\":{broker_epoch},\"fenced\":{}}}", broker_id.0, if *fenced { 1 } else { -1 }),
            ),
            MetadataRecord::Topic { name, topic_id } => ("TOPIC_RECORD", format!("{{\"name\":\"{name}\",\"topicId\":\"{topic_id}\"}}")),
            MetadataRecord::Partition { partition_id, topic_id, replicas, isr, leader, leader_epoch, partition_epoch } => (
                "PARTITION_RECORD",
                format!(
                    "{{\"partitionId\":{partition_id},\"topicId\":\"{topic_id}\",\"replicas\":{},\"isr\":{},\"removingReplicas\":[],\"addingReplicas\":[],\"leader\":{},\"leaderEpoch\":{leader_epoch},\"partitionEpoch\":{partition_epoch}}}",
                    ids(replicas),
                    ids(isr),
                    leader.map_or(-1, |l| i64::from(l.0))
                ),
            ),
            MetadataRecord::PartitionChange { topic_id, partition_id, isr, leader, replicas } => {
                let mut fields = vec![format!("\"partitionId\":{partition_id}"), format!("\"topicId\":\"{topic_id}\"")];
                if let Some(isr) = isr {
                    fields.push(format!("\"isr\":{}", ids(isr)));
                }
                let leader = match leader {
                    LeaderChange::Unchanged => -2,
                    LeaderChange::NoLeader => -1,
                    LeaderChange::Leader(id) => i64::from(id.0),
                };
                fields.push(format!("\"leader\":{leader}"));
                // Optional fields, in the schema's order after `leader`.
                if let Some(sets) = replicas {
                    fields.push(format!("\"replicas\":{}", ids(&sets.replicas)));
                    fields.push(format!("\"removingReplicas\":{}", ids(&sets.removing)));
                    fields.push(format!("\"addingReplicas\":{}", ids(&sets.adding)));
                }
                ("PARTITION_CHANGE_RECORD", format!("{{{}}}", fields.join(",")))
            }
            MetadataRecord::Config { resource, name, value } => (
                "CONFIG_RECORD",
                // Resource type 2 is TOPIC, 4 is BROKER ("" naming the cluster default).
                format!(
                    "{{\"resourceType\":{},\"resourceName\":\"{}\",\"name\":\"{name}\",\"value\":{}}}",
                    resource.type_id(),
                    resource.name(),
                    value.as_ref().map_or("null".to_string(), |v| format!("\"{v}\""))
                ),
            ),
            MetadataRecord::RemoveTopic { topic_id } => ("REMOVE_TOPIC_RECORD", format!("{{\"topicId\":\"{topic_id}\"}}")),
        };
        Some(format!("{{\"type\":\"{kind}\",\"version\":0,\"data\":{data}}}"))
    }
}
