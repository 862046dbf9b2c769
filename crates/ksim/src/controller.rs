//! The KRaft quorum controller: a Raft member that owns `__cluster_metadata`, registers
//! brokers, and turns admin requests into metadata records.
//!
//! Simplification: this playground runs single-voter quorums so far (the lesson's
//! `--standalone` setup), so an election is the lone voter voting for itself and a record
//! is committed as soon as the leader appends it. Multi-voter elections and replication
//! belong to the KRaft issue.

use crate::error::{ApiError, KafkaError};
use crate::ids::{Addr, NodeId, Uuid};
use crate::metadata::{MetadataEntry, MetadataImage, MetadataRecord, METADATA_VERSION_LEVEL};
use crate::node::{Ctx, Level, Timer};
use crate::protocol::{CreatableTopic, CreatableTopicResult, Msg};
use crate::time::SimTime;
use crate::topic_name;

/// Raft states this controller passes through (KIP-595 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RaftState {
    Unattached,
    Candidate,
    Leader,
}

impl RaftState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RaftState::Unattached => "Unattached",
            RaftState::Candidate => "Candidate",
            RaftState::Leader => "Leader",
        }
    }
}

/// An observer's metadata fetch waiting for new committed records (long poll).
struct ParkedFetch {
    from: Addr,
    correlation_id: u32,
    fetch_offset: u64,
    deadline: SimTime,
}

/// Records per metadata fetch response, so a broker catching up sees several steps.
const FETCH_ENTRIES_MAX: usize = 50;

pub(crate) struct Controller {
    node_id: NodeId,
    voters: Vec<NodeId>,
    pub(crate) state: RaftState,
    pub(crate) epoch: u32,
    pub(crate) voted_for: Option<NodeId>,
    pub(crate) log: Vec<MetadataEntry>,
    /// Exclusive: entries below it are committed.
    pub(crate) high_watermark: u64,
    /// Committed metadata, applied in order.
    pub(crate) image: MetadataImage,
    parked: Vec<ParkedFetch>,
    num_partitions: i32,
    default_replication_factor: i16,
}

impl Controller {
    pub(crate) fn new(
        node_id: NodeId,
        voters: Vec<NodeId>,
        num_partitions: i32,
        default_replication_factor: i16,
    ) -> Controller {
        Controller {
            node_id,
            voters,
            state: RaftState::Unattached,
            epoch: 0,
            voted_for: None,
            log: Vec::new(),
            high_watermark: 0,
            image: MetadataImage::default(),
            parked: Vec::new(),
            num_partitions,
            default_replication_factor,
        }
    }

    fn tag(&self) -> String {
        format!("[RaftManager id={}]", self.node_id.0)
    }

    pub(crate) fn log_end_offset(&self) -> u64 {
        self.log.len() as u64
    }

    pub(crate) fn leader_id(&self) -> Option<NodeId> {
        (self.state == RaftState::Leader).then_some(self.node_id)
    }

    /// A voter alone in its quorum elects itself at once (`KafkaRaftClient` does the same
    /// instead of waiting for an election timeout).
    pub(crate) fn start(&mut self, ctx: &mut Ctx) {
        assert_eq!(
            self.voters,
            vec![self.node_id],
            "only single-voter quorums are simulated"
        );
        let tag = self.tag();
        self.state = RaftState::Candidate;
        self.epoch += 1;
        self.voted_for = Some(self.node_id);
        ctx.log(Level::Info, format!("{tag} Completed transition to CandidateState(localId={}, epoch={}, retries=1) from Unattached(epoch={}) (org.apache.kafka.raft.QuorumState)", self.node_id.0, self.epoch, self.epoch - 1));
        ctx.trace_controller(format!(
            "became a candidate for epoch {} and voted for itself (it is the only voter)",
            self.epoch
        ));
        self.state = RaftState::Leader;
        ctx.log(Level::Info, format!("{tag} Completed transition to Leader(localId={}, epoch={}, epochStartOffset={}) from CandidateState(localId={}, epoch={}) (org.apache.kafka.raft.QuorumState)", self.node_id.0, self.epoch, self.log_end_offset(), self.node_id.0, self.epoch));
        ctx.trace_controller(format!(
            "won the election for epoch {} with 1 of 1 votes: it is now the active controller",
            self.epoch
        ));
        let mut records = vec![MetadataRecord::LeaderChange {
            leader_id: self.node_id,
            voters: self.voters.clone(),
        }];
        if self.image.features.is_empty() && self.log.is_empty() {
            records.push(MetadataRecord::FeatureLevel {
                name: "metadata.version".to_string(),
                feature_level: METADATA_VERSION_LEVEL,
            });
        }
        self.append(records, ctx);
    }

    /// Appends as leader; with one voter the high watermark follows at once.
    fn append(&mut self, records: Vec<MetadataRecord>, ctx: &mut Ctx) -> u64 {
        assert_eq!(self.state, RaftState::Leader, "only the leader appends");
        let first = self.log_end_offset();
        for record in records {
            let offset = self.log_end_offset();
            self.log.push(MetadataEntry {
                offset,
                epoch: self.epoch,
                record,
            });
        }
        self.high_watermark = self.log_end_offset();
        for entry in &self.log[first as usize..] {
            self.image.apply(entry);
        }
        self.complete_parked(ctx, false);
        first
    }

    pub(crate) fn handle_request(
        &mut self,
        from: Addr,
        correlation_id: u32,
        msg: Msg,
        ctx: &mut Ctx,
    ) {
        if self.state != RaftState::Leader {
            // Not yet elected: the sender retries after its backoff.
            return;
        }
        match msg {
            Msg::BrokerRegistrationRequest {
                broker_id,
                incarnation_id,
                endpoints,
            } => {
                let broker_epoch = self.log_end_offset();
                self.append(
                    vec![MetadataRecord::RegisterBroker {
                        broker_id,
                        broker_epoch,
                        incarnation_id,
                        endpoints,
                        fenced: true,
                    }],
                    ctx,
                );
                ctx.trace_controller(format!("registered broker {} with broker epoch {broker_epoch} (fenced until it catches up)", broker_id.0));
                ctx.send(
                    from,
                    correlation_id,
                    Msg::BrokerRegistrationResponse {
                        error: None,
                        broker_epoch,
                    },
                );
            }
            Msg::BrokerHeartbeatRequest {
                broker_id,
                broker_epoch,
                current_metadata_offset,
                want_fence,
            } => {
                let response = self.heartbeat(
                    broker_id,
                    broker_epoch,
                    current_metadata_offset,
                    want_fence,
                    ctx,
                );
                ctx.send(from, correlation_id, response);
            }
            Msg::MetadataFetchRequest {
                fetch_offset,
                max_wait_ms,
                ..
            } => {
                if fetch_offset < self.high_watermark || max_wait_ms == 0 {
                    let response = self.fetch_response(fetch_offset);
                    ctx.send(from, correlation_id, response);
                } else {
                    let deadline = ctx.now.plus_ms(max_wait_ms);
                    self.parked.push(ParkedFetch {
                        from,
                        correlation_id,
                        fetch_offset,
                        deadline,
                    });
                    ctx.timer(max_wait_ms, Timer::DelayedFetch);
                }
            }
            Msg::CreateTopicsRequest { topics } => {
                let results = topics
                    .into_iter()
                    .map(|t| self.create_topic(t, ctx))
                    .collect();
                ctx.send(from, correlation_id, Msg::CreateTopicsResponse { results });
            }
            Msg::DeleteTopicsRequest { names } => {
                let results = names
                    .into_iter()
                    .map(|n| self.delete_topic(n, ctx))
                    .collect();
                ctx.send(from, correlation_id, Msg::DeleteTopicsResponse { results });
            }
            _ => {}
        }
    }

    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx) {
        self.complete_parked(ctx, true);
    }

    fn heartbeat(
        &mut self,
        broker_id: NodeId,
        broker_epoch: u64,
        current_metadata_offset: Option<u64>,
        want_fence: bool,
        ctx: &mut Ctx,
    ) -> Msg {
        let Some(registration) = self.image.brokers.get(&broker_id) else {
            let error = ApiError::default_for(KafkaError::BrokerIdNotRegistered);
            return Msg::BrokerHeartbeatResponse {
                error: Some(error),
                is_caught_up: false,
                is_fenced: true,
            };
        };
        if registration.broker_epoch != broker_epoch {
            let error = ApiError::default_for(KafkaError::StaleBrokerEpoch);
            return Msg::BrokerHeartbeatResponse {
                error: Some(error),
                is_caught_up: false,
                is_fenced: true,
            };
        }
        let is_caught_up = current_metadata_offset.is_some_and(|o| o >= broker_epoch);
        if registration.fenced && is_caught_up && !want_fence {
            self.append(
                vec![MetadataRecord::BrokerRegistrationChange {
                    broker_id,
                    broker_epoch,
                    fenced: false,
                }],
                ctx,
            );
            ctx.trace_controller(format!(
                "unfenced broker {}: it has caught up with the metadata log",
                broker_id.0
            ));
        }
        let is_fenced = self.image.brokers.get(&broker_id).is_none_or(|b| b.fenced);
        Msg::BrokerHeartbeatResponse {
            error: None,
            is_caught_up,
            is_fenced,
        }
    }

    fn fetch_response(&self, fetch_offset: u64) -> Msg {
        let from = (fetch_offset as usize).min(self.log.len());
        let to = (self.high_watermark as usize).min(from + FETCH_ENTRIES_MAX);
        Msg::MetadataFetchResponse {
            leader_id: self.node_id,
            leader_epoch: self.epoch,
            high_watermark: self.high_watermark,
            entries: self.log[from..to.max(from)].to_vec(),
        }
    }

    /// Answers parked fetches that now have data, or (on the timer) whose wait ran out.
    fn complete_parked(&mut self, ctx: &mut Ctx, expire: bool) {
        let now = ctx.now;
        let hw = self.high_watermark;
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.parked)
            .into_iter()
            .partition(|p| p.fetch_offset < hw || (expire && p.deadline <= now));
        self.parked = waiting;
        for p in ready {
            let response = self.fetch_response(p.fetch_offset);
            ctx.send(p.from, p.correlation_id, response);
        }
    }

    /// `ReplicationControlManager.createTopic`: validation, placement and records.
    fn create_topic(&mut self, topic: CreatableTopic, ctx: &mut Ctx) -> CreatableTopicResult {
        let name = topic.name.clone();
        let fail = |error: KafkaError, message: String| CreatableTopicResult {
            name: name.clone(),
            error: Some(ApiError::new(error, message)),
        };
        if let Err(why) = topic_name::validate(&topic.name) {
            return fail(KafkaError::InvalidTopicException, why);
        }
        if self.image.topics.contains_key(&topic.name) {
            return fail(
                KafkaError::TopicAlreadyExists,
                format!("Topic '{}' already exists.", topic.name),
            );
        }
        let unified = topic_name::unify_collision_chars(&topic.name);
        if let Some(existing) = self
            .image
            .topics
            .keys()
            .find(|t| topic_name::unify_collision_chars(t) == unified)
        {
            return fail(
                KafkaError::InvalidTopicException,
                format!(
                    "Topic '{}' collides with existing topic: {existing}",
                    topic.name
                ),
            );
        }
        let partitions = match topic.num_partitions {
            -1 => self.num_partitions,
            n if n <= 0 => {
                return fail(
                    KafkaError::InvalidPartitions,
                    "Number of partitions was set to an invalid non-positive value.".to_string(),
                )
            }
            n => n,
        };
        let replication_factor = match topic.replication_factor {
            -1 => self.default_replication_factor,
            n if n <= 0 => {
                return fail(
                    KafkaError::InvalidReplicationFactor,
                    "Replication factor must be larger than 0, or -1 to use the default value."
                        .to_string(),
                )
            }
            n => n,
        };
        for (key, _) in &topic.configs {
            if !crate::config::is_topic_config(key) {
                return fail(
                    KafkaError::InvalidConfig,
                    format!("Unknown topic config name: {key}"),
                );
            }
        }
        let registered = self.image.brokers.len();
        let unfenced = self.image.unfenced_brokers();
        let rf = replication_factor as usize;
        if rf > registered {
            return fail(KafkaError::InvalidReplicationFactor, format!("Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {registered} broker(s) are registered."));
        }
        if unfenced.is_empty() {
            return fail(KafkaError::InvalidReplicationFactor, format!("Unable to replicate the partition {rf} time(s): All brokers are currently fenced."));
        }
        let fenced: Vec<NodeId> = self
            .image
            .brokers
            .keys()
            .filter(|b| !unfenced.contains(b))
            .copied()
            .collect();
        let topic_id = Uuid::random(ctx.rng);
        let mut records = vec![MetadataRecord::Topic {
            name: topic.name.clone(),
            topic_id,
        }];
        let start = ctx.rng.below(unfenced.len() as u64) as usize;
        for p in 0..partitions as usize {
            // StripedReplicaPlacer with one rack: unfenced brokers striped from a random
            // start, then fenced ones if the replication factor needs them.
            let mut replicas: Vec<NodeId> = (0..unfenced.len())
                .map(|i| unfenced[(start + p + i) % unfenced.len()])
                .collect();
            replicas.extend(fenced.iter().copied());
            replicas.truncate(rf);
            let isr: Vec<NodeId> = replicas
                .iter()
                .filter(|r| unfenced.contains(r))
                .copied()
                .collect();
            let leader = isr.first().copied();
            records.push(MetadataRecord::Partition {
                partition_id: p as u32,
                topic_id,
                replicas,
                isr,
                leader,
                leader_epoch: 0,
                partition_epoch: 0,
            });
        }
        for (key, value) in topic.configs {
            records.push(MetadataRecord::Config {
                topic: topic.name.clone(),
                name: key,
                value,
            });
        }
        self.append(records, ctx);
        ctx.trace_controller(format!("created topic {} with {partitions} partition(s), replication factor {rf}: TopicRecord and {partitions} PartitionRecord(s) committed", topic.name));
        CreatableTopicResult { name, error: None }
    }

    fn delete_topic(&mut self, name: String, ctx: &mut Ctx) -> CreatableTopicResult {
        let Some(topic) = self.image.topics.get(&name) else {
            return CreatableTopicResult {
                name,
                error: Some(ApiError::default_for(KafkaError::UnknownTopicOrPartition)),
            };
        };
        let topic_id = topic.topic_id;
        self.append(vec![MetadataRecord::RemoveTopic { topic_id }], ctx);
        ctx.trace_controller(format!("deleted topic {name}: RemoveTopicRecord committed"));
        CreatableTopicResult { name, error: None }
    }
}
