//! The KRaft quorum controller: a Raft voter (`raft.rs`) whose active instance, the Raft
//! leader, registers brokers, fences silent ones, elects partition leaders and turns admin
//! requests into metadata records. Replies wait until their records are committed.

use crate::broker_config::ConfigResource;
use crate::config::Timing;
use crate::error::{ApiError, KafkaError};
use crate::ids::{Addr, NodeId, Uuid};
use crate::metadata::{LeaderChange, MetadataImage, MetadataRecord, ReplicaSets, METADATA_VERSION_LEVEL};
use crate::node::{Ctx, Timer};
use crate::protocol::{
    CreatableTopic, CreatableTopicResult, ElectionType, Msg, OngoingReassignment, QuorumDescription, ReplicaDescription,
};
use crate::raft::{Raft, RaftDisk, RaftEvent, RaftState};
use crate::time::SimTime;
use crate::topic_name;
use crate::vec_map::VecMap;

/// `leader.imbalance.check.interval.seconds` (300).
const LEADER_IMBALANCE_CHECK_INTERVAL_MS: u64 = 300_000;

/// A reply held until the records its request wrote are committed.
#[derive(Clone)]
struct PendingReply {
    /// The log end offset after the request's records: committed once HW reaches it.
    commit_at: u64,
    to: Addr,
    correlation_id: u32,
    msg: Msg,
}

/// What `kafka-storage.sh format` and the config tell a controller about its quorum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QuorumIdentity {
    pub(crate) cluster_id: String,
    pub(crate) directory_id: Uuid,
    /// Each voter and its controller endpoint, e.g. `CONTROLLER://localhost:9093`.
    pub(crate) voters: Vec<(NodeId, String)>,
}

#[derive(Clone)]
pub(crate) struct Controller {
    identity: QuorumIdentity,
    pub(crate) raft: Raft,
    /// Committed metadata, applied in log order.
    pub(crate) image: MetadataImage,
    /// Leader only: committed plus this leader's not yet committed records; requests are
    /// validated against it so two quick creates of one topic cannot both pass.
    latest: MetadataImage,
    pending: Vec<PendingReply>,
    /// Leader only: when each broker last sent a heartbeat.
    heartbeats: VecMap<NodeId, SimTime>,
    fence_check_at: Option<SimTime>,
    /// `broker.session.timeout.ms`.
    session_timeout_ms: u64,
    num_partitions: i32,
    default_replication_factor: i16,
}

impl Controller {
    pub(crate) fn new(
        node_id: NodeId,
        identity: QuorumIdentity,
        disk: RaftDisk,
        num_partitions: i32,
        default_replication_factor: i16,
        timing: Timing,
    ) -> Controller {
        let voters = identity.voters.iter().map(|(id, _)| *id).collect();
        Controller {
            raft: Raft::new(node_id, identity.directory_id, voters, timing.raft, disk),
            session_timeout_ms: timing.broker_session_timeout_ms,
            identity,
            image: MetadataImage::default(),
            latest: MetadataImage::default(),
            pending: Vec::new(),
            heartbeats: VecMap::new(),
            fence_check_at: None,
            num_partitions,
            default_replication_factor,
        }
    }

    pub(crate) fn is_active(&self) -> bool {
        self.raft.state == RaftState::Leader
    }

    pub(crate) fn start(&mut self, ctx: &mut Ctx) {
        let events = self.raft.start(ctx);
        self.after(events, ctx);
    }

    pub(crate) fn on_raft_timer(&mut self, ctx: &mut Ctx) {
        let events = self.raft.on_timer(ctx);
        self.after(events, ctx);
    }

    pub(crate) fn handle(&mut self, from: Addr, correlation_id: u32, msg: Msg, ctx: &mut Ctx) {
        match msg {
            Msg::VoteRequest { .. }
            | Msg::VoteResponse { .. }
            | Msg::BeginQuorumEpochRequest { .. }
            | Msg::BeginQuorumEpochResponse { .. }
            | Msg::EndQuorumEpochRequest { .. }
            | Msg::EndQuorumEpochResponse { .. }
            | Msg::MetadataFetchRequest { .. }
            | Msg::MetadataFetchResponse { .. } => {
                let events = self.raft.handle(from, correlation_id, msg, ctx);
                self.after(events, ctx);
            }
            Msg::DescribeQuorumRequest => {
                let reply = self.describe_quorum(ctx);
                ctx.send(from, correlation_id, reply);
            }
            request => self.handle_request(from, correlation_id, request, ctx),
        }
    }

    /// Reacts to Raft's news: leadership changes, and records that became committed.
    fn after(&mut self, events: Vec<RaftEvent>, ctx: &mut Ctx) {
        for event in events {
            match event {
                RaftEvent::BecameLeader => {
                    if self.raft.disk.log.iter().all(|e| !matches!(e.record, MetadataRecord::FeatureLevel { .. })) {
                        // A fresh cluster: write the bootstrap metadata of `kafka-storage.sh format`.
                        self.raft.append(
                            vec![MetadataRecord::FeatureLevel {
                                name: "metadata.version".to_string(),
                                feature_level: METADATA_VERSION_LEVEL,
                            }],
                            ctx,
                        );
                    }
                    self.latest = self.image.clone();
                    for entry in &self.raft.disk.log[self.applied() as usize..] {
                        self.latest.apply(entry);
                    }
                    // A new active controller gives every broker a full session to check in.
                    self.heartbeats = self.latest.brokers.keys().map(|b| (*b, ctx.now)).collect();
                    self.fence_check_at = None;
                    self.schedule_fence_check(ctx);
                    ctx.timer(LEADER_IMBALANCE_CHECK_INTERVAL_MS, Timer::LeaderRebalance);
                }
                RaftEvent::LostLeadership => {
                    for p in std::mem::take(&mut self.pending) {
                        ctx.send(p.to, p.correlation_id, not_controller_reply(&p.msg));
                    }
                    self.heartbeats.clear();
                }
                RaftEvent::Truncated(_) => {}
            }
        }
        self.apply_committed(ctx);
    }

    fn applied(&self) -> u64 {
        self.image.applied_offset.map_or(0, |o| o + 1)
    }

    /// Applies newly committed records and sends the replies that waited for them.
    fn apply_committed(&mut self, ctx: &mut Ctx) {
        while self.applied() < self.raft.high_watermark {
            let entry = &self.raft.disk.log[self.applied() as usize];
            self.image.apply(entry);
        }
        let hw = self.raft.high_watermark;
        let (ready, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.pending).into_iter().partition(|p| p.commit_at <= hw);
        self.pending = waiting;
        for p in ready {
            ctx.send(p.to, p.correlation_id, p.msg);
        }
    }

    /// Appends as the active controller and holds `reply` until the records commit.
    fn write(&mut self, records: Vec<MetadataRecord>, to: Addr, correlation_id: u32, reply: Msg, ctx: &mut Ctx) {
        if !records.is_empty() {
            let first = self.raft.append(records, ctx);
            for entry in &self.raft.disk.log[first as usize..] {
                self.latest.apply(entry);
            }
        }
        let commit_at = self.raft.log_end_offset();
        self.pending.push(PendingReply { commit_at, to, correlation_id, msg: reply });
        self.apply_committed(ctx);
    }

    fn handle_request(&mut self, from: Addr, correlation_id: u32, msg: Msg, ctx: &mut Ctx) {
        if !self.is_active() {
            ctx.send(from, correlation_id, not_controller_reply(&msg));
            return;
        }
        match msg {
            Msg::BrokerRegistrationRequest { broker_id, incarnation_id, endpoints } => {
                let existing = self
                    .latest
                    .brokers
                    .get(&broker_id)
                    .filter(|b| b.incarnation_id == incarnation_id)
                    .map(|b| b.broker_epoch);
                if let Some(broker_epoch) = existing {
                    // A retried registration from the same process: same answer.
                    return self.write(
                        Vec::new(),
                        from,
                        correlation_id,
                        Msg::BrokerRegistrationResponse { error: None, broker_epoch },
                        ctx,
                    );
                }
                let broker_epoch = self.raft.log_end_offset();
                self.heartbeats.insert(broker_id, ctx.now);
                ctx.trace_controller(format!(
                    "registers broker {} with broker epoch {broker_epoch} (fenced until it catches up)",
                    broker_id.0
                ));
                let record =
                    MetadataRecord::RegisterBroker { broker_id, broker_epoch, incarnation_id, endpoints, fenced: true };
                self.write(
                    vec![record],
                    from,
                    correlation_id,
                    Msg::BrokerRegistrationResponse { error: None, broker_epoch },
                    ctx,
                );
                self.schedule_fence_check(ctx);
            }
            Msg::BrokerHeartbeatRequest { broker_id, broker_epoch, current_metadata_offset, want_fence } => {
                self.heartbeat(from, correlation_id, broker_id, broker_epoch, current_metadata_offset, want_fence, ctx)
            }
            Msg::CreateTopicsRequest { topics } => {
                let mut records = Vec::new();
                let results = topics.into_iter().map(|t| self.create_topic(t, &mut records, ctx)).collect();
                self.write(records, from, correlation_id, Msg::CreateTopicsResponse { results }, ctx);
            }
            Msg::AlterConfigsRequest { resource, set, delete } => {
                let (error, records) = match resource {
                    ConfigResource::Topic(topic) => self.alter_configs(&topic, set, delete, ctx),
                    ConfigResource::Broker(broker) => self.alter_broker_configs(&broker, set, delete, ctx),
                };
                self.write(records, from, correlation_id, Msg::AlterConfigsResponse { error }, ctx);
            }
            Msg::CreatePartitionsRequest { topic, total } => {
                let (error, records) = self.create_partitions(&topic, total, ctx);
                self.write(records, from, correlation_id, Msg::CreatePartitionsResponse { error }, ctx);
            }
            Msg::ElectLeadersRequest { election, partitions } => {
                let (results, records) = self.elect_leaders(election, partitions, ctx);
                self.write(records, from, correlation_id, Msg::ElectLeadersResponse { error: None, results }, ctx);
            }
            Msg::AlterPartitionReassignmentsRequest { partitions } => {
                let (results, records) = self.alter_reassignments(partitions, ctx);
                let reply = Msg::AlterPartitionReassignmentsResponse { error: None, results };
                self.write(records, from, correlation_id, reply, ctx);
            }
            Msg::ListPartitionReassignmentsRequest => {
                let reassignments = self.list_reassignments();
                let reply = Msg::ListPartitionReassignmentsResponse { error: None, reassignments };
                self.write(Vec::new(), from, correlation_id, reply, ctx);
            }
            Msg::AlterPartitionRequest { broker_id, topic_id, partition, leader_epoch, partition_epoch, new_isr } => {
                let (error, records) =
                    self.alter_partition(broker_id, topic_id, partition, leader_epoch, partition_epoch, new_isr, ctx);
                let reply =
                    Msg::AlterPartitionResponse { topic_id, partition, error: error.map(ApiError::default_for) };
                self.write(records, from, correlation_id, reply, ctx);
            }
            Msg::DeleteTopicsRequest { names } => {
                let mut records = Vec::new();
                let mut results = Vec::new();
                for name in names {
                    match self.latest.topics.get(&name) {
                        Some(t) => {
                            records.push(MetadataRecord::RemoveTopic { topic_id: t.topic_id });
                            ctx.trace_controller(format!("deletes topic {name}: RemoveTopicRecord"));
                            results.push(CreatableTopicResult { name, error: None });
                        }
                        None => results.push(CreatableTopicResult {
                            name,
                            error: Some(ApiError::default_for(KafkaError::UnknownTopicOrPartition)),
                        }),
                    }
                }
                self.write(records, from, correlation_id, Msg::DeleteTopicsResponse { results }, ctx);
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn heartbeat(
        &mut self,
        from: Addr,
        correlation_id: u32,
        broker_id: NodeId,
        broker_epoch: u64,
        current_metadata_offset: Option<u64>,
        want_fence: bool,
        ctx: &mut Ctx,
    ) {
        let error = |e: KafkaError| Msg::BrokerHeartbeatResponse {
            error: Some(ApiError::default_for(e)),
            is_caught_up: false,
            is_fenced: true,
        };
        let Some(registration) = self.latest.brokers.get(&broker_id) else {
            return ctx.send(from, correlation_id, error(KafkaError::BrokerIdNotRegistered));
        };
        if registration.broker_epoch != broker_epoch {
            return ctx.send(from, correlation_id, error(KafkaError::StaleBrokerEpoch));
        }
        self.heartbeats.insert(broker_id, ctx.now);
        let is_caught_up = current_metadata_offset.is_some_and(|o| o >= broker_epoch);
        let mut records = Vec::new();
        if registration.fenced && is_caught_up && !want_fence {
            ctx.trace_controller(format!("unfences broker {}: it has caught up with the metadata log", broker_id.0));
            records.push(MetadataRecord::BrokerRegistrationChange { broker_id, broker_epoch, fenced: false });
            // Partitions left without a leader get this broker back if it is in their ISR.
            for (topic, t) in &self.latest.topics {
                for (p, pi) in &t.partitions {
                    if pi.leader.is_none() && pi.isr.contains(&broker_id) {
                        ctx.trace_controller(format!(
                            "elects broker {} leader of {topic}-{p} (it is in the ISR)",
                            broker_id.0
                        ));
                        records.push(MetadataRecord::PartitionChange {
                            topic_id: t.topic_id,
                            partition_id: *p,
                            isr: None,
                            leader: LeaderChange::Leader(broker_id),
                            replicas: None,
                        });
                    }
                }
            }
        }
        let is_fenced = registration.fenced && records.is_empty();
        self.schedule_fence_check(ctx);
        let reply = Msg::BrokerHeartbeatResponse { error: None, is_caught_up, is_fenced };
        self.write(records, from, correlation_id, reply, ctx);
    }

    /// `ConfigurationControlManager.incrementalAlterConfigs` for a topic, with
    /// `LogConfig`'s validation of names and numeric values.
    fn alter_configs(
        &self,
        topic: &str,
        set: Vec<(String, String)>,
        delete: Vec<String>,
        ctx: &mut Ctx,
    ) -> (Option<ApiError>, Vec<MetadataRecord>) {
        if !self.latest.topics.contains_key(topic) {
            let message = format!("The topic '{topic}' does not exist.");
            return (Some(ApiError::new(KafkaError::UnknownTopicOrPartition, message)), Vec::new());
        }
        for (key, value) in &set {
            if !crate::config::is_topic_config(key) {
                return (
                    Some(ApiError::new(KafkaError::InvalidConfig, format!("Unknown topic config name: {key}"))),
                    Vec::new(),
                );
            }
            if let Err(message) = crate::config::validate_topic_config(key, value) {
                return (Some(ApiError::new(KafkaError::InvalidConfig, message)), Vec::new());
            }
        }
        let mut records: Vec<MetadataRecord> = set
            .into_iter()
            .map(|(name, value)| MetadataRecord::Config {
                resource: ConfigResource::Topic(topic.to_string()),
                name,
                value: Some(value),
            })
            .collect();
        records.extend(delete.into_iter().map(|name| MetadataRecord::Config {
            resource: ConfigResource::Topic(topic.to_string()),
            name,
            value: None,
        }));
        ctx.trace_controller(format!("updates the configs of topic {topic}: {} ConfigRecord(s)", records.len()));
        (None, records)
    }

    /// `unclean.leader.election.enable` as `ConfigurationControlManager.getTopicConfig`
    /// resolves it: the topic's value, else the dynamic value for this controller's node,
    /// else the cluster-wide dynamic default (the controller's static value is not read).
    fn unclean_allowed(&self, topic_configs: &VecMap<String, String>) -> bool {
        const KEY: &str = "unclean.leader.election.enable";
        let dynamic = |resource: &str| self.latest.broker_configs.get(resource).and_then(|c| c.get(KEY));
        topic_configs
            .get(KEY)
            .or_else(|| dynamic(&self.raft.id().0.to_string()))
            .or_else(|| dynamic(""))
            .is_some_and(|v| v == "true")
    }

    /// AlterConfigs on a broker ("" = the cluster default). Kafka validates the values on
    /// the receiving broker (`ConfigAdminManager.preprocess`, whose failures are
    /// InvalidRequestException) before forwarding; the controller only checks the name
    /// (`ControllerConfigurationValidator`). Both checks are made here, with their texts.
    fn alter_broker_configs(
        &self,
        broker: &str,
        set: Vec<(String, String)>,
        delete: Vec<String>,
        ctx: &mut Ctx,
    ) -> (Option<ApiError>, Vec<MetadataRecord>) {
        let invalid =
            |message: &str| (Some(ApiError::new(KafkaError::InvalidRequest, message.to_string())), Vec::new());
        if !broker.is_empty() {
            match broker.parse::<i64>() {
                Err(_) => return invalid("Unable to parse broker name as a base 10 number."),
                Ok(id) if id < 0 => return invalid("Invalid negative broker ID."),
                Ok(_) => {}
            }
        }
        if let Err(message) = crate::broker_config::validate(&set) {
            return invalid(&message);
        }
        let resource = ConfigResource::Broker(broker.to_string());
        let mut records: Vec<MetadataRecord> = set
            .into_iter()
            .map(|(name, value)| MetadataRecord::Config { resource: resource.clone(), name, value: Some(value) })
            .collect();
        records.extend(delete.into_iter().map(|name| MetadataRecord::Config {
            resource: resource.clone(),
            name,
            value: None,
        }));
        let what =
            if broker.is_empty() { "the cluster-wide broker default".to_string() } else { format!("broker {broker}") };
        ctx.trace_controller(format!("updates the dynamic configs of {what}: {} ConfigRecord(s)", records.len()));
        (None, records)
    }

    /// `ReplicationControlManager.createPartitions`: more partitions, placed like a new
    /// topic's and with the same replication factor.
    fn create_partitions(&self, topic: &str, total: u32, ctx: &mut Ctx) -> (Option<ApiError>, Vec<MetadataRecord>) {
        let Some(t) = self.latest.topics.get(topic) else {
            return (Some(ApiError::default_for(KafkaError::UnknownTopicOrPartition)), Vec::new());
        };
        let current = t.partitions.len() as u32;
        if total == current {
            return (
                Some(ApiError::new(
                    KafkaError::InvalidPartitions,
                    format!("Topic already has {current} partition(s)."),
                )),
                Vec::new(),
            );
        }
        if total < current {
            let message =
                format!("The topic {topic} currently has {current} partition(s); {total} would not be an increase.");
            return (Some(ApiError::new(KafkaError::InvalidPartitions, message)), Vec::new());
        }
        let rf = t.partitions.values().next().map_or(1, |p| p.replicas.len());
        let unfenced = self.latest.unfenced_brokers();
        if unfenced.len() < rf {
            let message = format!("Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {} broker(s) are unfenced.", unfenced.len());
            return (Some(ApiError::new(KafkaError::InvalidReplicationFactor, message)), Vec::new());
        }
        let start = ctx.rng.below(unfenced.len() as u64) as usize;
        let records = (current..total)
            .map(|p| {
                let replicas: Vec<NodeId> =
                    (0..rf).map(|i| unfenced[(start + p as usize + i) % unfenced.len()]).collect();
                MetadataRecord::Partition {
                    partition_id: p,
                    topic_id: t.topic_id,
                    isr: replicas.clone(),
                    leader: replicas.first().copied(),
                    replicas,
                    leader_epoch: 0,
                    partition_epoch: 0,
                }
            })
            .collect();
        ctx.trace_controller(format!(
            "adds partitions {current}..{} to topic {topic}: {} PartitionRecord(s)",
            total - 1,
            total - current
        ));
        (None, records)
    }

    /// ElectLeaders: PREFERRED moves leadership to the first replica when it is in the
    /// ISR and unfenced; UNCLEAN gives a leaderless partition any live replica.
    #[allow(clippy::type_complexity)]
    fn elect_leaders(
        &self,
        election: ElectionType,
        partitions: Option<Vec<(String, u32)>>,
        ctx: &mut Ctx,
    ) -> (Vec<((String, u32), Option<ApiError>)>, Vec<MetadataRecord>) {
        // For "all partitions" Kafka leaves out those that already have the desired leader.
        let all = partitions.is_none();
        let wanted: Vec<(String, u32)> = partitions.unwrap_or_else(|| {
            self.latest.topics.iter().flat_map(|(t, ti)| ti.partitions.keys().map(move |p| (t.clone(), *p))).collect()
        });
        let unfenced = self.latest.unfenced_brokers();
        let mut results = Vec::new();
        let mut records = Vec::new();
        for (topic, partition) in wanted {
            let Some(t) = self.latest.topics.get(&topic) else {
                let message = format!("No such topic as {topic}");
                results.push(((topic, partition), Some(ApiError::new(KafkaError::UnknownTopicOrPartition, message))));
                continue;
            };
            let topic_id = t.topic_id;
            let Some(p) = t.partitions.get(&partition) else {
                let message = format!("No such partition as {topic}-{partition}");
                results.push(((topic, partition), Some(ApiError::new(KafkaError::UnknownTopicOrPartition, message))));
                continue;
            };
            let strategy = match election {
                ElectionType::Preferred => "PreferredElection",
                ElectionType::Unclean => "UncleanElection",
            };
            let failed = |e: KafkaError| {
                Some(ApiError::new(
                    e,
                    format!("Failed to elect leader for partition {topic}-{partition} under strategy {strategy}"),
                ))
            };
            let (error, change) = match election {
                ElectionType::Preferred => {
                    let preferred = p.replicas.first().copied();
                    if p.leader.is_some() && p.leader == preferred {
                        (Some(ApiError::default_for(KafkaError::ElectionNotNeeded)), None)
                    } else {
                        match preferred.filter(|r| p.isr.contains(r) && unfenced.contains(r)) {
                            Some(r) => (None, Some((LeaderChange::Leader(r), None))),
                            None => (failed(KafkaError::PreferredLeaderNotAvailable), None),
                        }
                    }
                }
                ElectionType::Unclean if p.leader.is_some() => {
                    (Some(ApiError::default_for(KafkaError::ElectionNotNeeded)), None)
                }
                ElectionType::Unclean => {
                    let clean = p.replicas.iter().find(|r| p.isr.contains(r) && unfenced.contains(r));
                    match clean.or_else(|| p.replicas.iter().find(|r| unfenced.contains(r))) {
                        Some(r) if clean.is_some() => (None, Some((LeaderChange::Leader(*r), None))),
                        Some(r) => (None, Some((LeaderChange::Leader(*r), Some(vec![*r])))),
                        None => (failed(KafkaError::EligibleLeadersNotAvailable), None),
                    }
                }
            };
            if let Some((leader, isr)) = change {
                if let LeaderChange::Leader(r) = leader {
                    ctx.trace_controller(format!(
                        "elects broker {} leader of {topic}-{partition} ({} election)",
                        r.0,
                        election.name()
                    ));
                }
                records.push(MetadataRecord::PartitionChange {
                    topic_id,
                    partition_id: partition,
                    isr,
                    leader,
                    replicas: None,
                });
            }
            if !(all && error.as_ref().is_some_and(|e| e.error == KafkaError::ElectionNotNeeded)) {
                results.push(((topic, partition), error));
            }
        }
        (results, records)
    }

    /// `auto.leader.rebalance.enable`: every `leader.imbalance.check.interval.seconds`
    /// (300 s) the active controller moves leadership back to preferred replicas.
    pub(crate) fn on_leader_rebalance(&mut self, ctx: &mut Ctx) {
        if !self.is_active() {
            return;
        }
        let (results, records) = self.elect_leaders(ElectionType::Preferred, None, ctx);
        if !records.is_empty() {
            let moved = results.iter().filter(|(_, e)| e.is_none()).count();
            ctx.trace_controller(format!(
                "auto leader rebalance: {moved} partition(s) led again by their preferred replica"
            ));
            let first = self.raft.append(records, ctx);
            for entry in &self.raft.disk.log[first as usize..] {
                self.latest.apply(entry);
            }
            self.apply_committed(ctx);
        }
        ctx.timer(LEADER_IMBALANCE_CHECK_INTERVAL_MS, Timer::LeaderRebalance);
    }

    /// `ReplicationControlManager.alterPartition`: a leader changing its ISR. Stale leader
    /// epochs and partition epochs are refused; added replicas must be unfenced.
    #[allow(clippy::too_many_arguments)]
    fn alter_partition(
        &self,
        broker: NodeId,
        topic_id: Uuid,
        partition: u32,
        leader_epoch: u32,
        partition_epoch: u32,
        new_isr: Vec<NodeId>,
        ctx: &mut Ctx,
    ) -> (Option<KafkaError>, Vec<MetadataRecord>) {
        let Some((name, p)) = self
            .latest
            .topics
            .iter()
            .find(|(_, t)| t.topic_id == topic_id)
            .and_then(|(n, t)| Some((n, t.partitions.get(&partition)?)))
        else {
            return (Some(KafkaError::UnknownTopicOrPartition), Vec::new());
        };
        if p.leader != Some(broker) || leader_epoch != p.leader_epoch {
            return (Some(KafkaError::FencedLeaderEpoch), Vec::new());
        }
        if partition_epoch != p.partition_epoch {
            return (Some(KafkaError::InvalidUpdateVersion), Vec::new());
        }
        let unfenced = self.latest.unfenced_brokers();
        let valid = new_isr.contains(&broker)
            && new_isr.iter().all(|r| p.replicas.contains(r))
            && new_isr.iter().filter(|r| !p.isr.contains(r)).all(|r| unfenced.contains(r));
        if !valid {
            return (Some(KafkaError::InvalidUpdateVersion), Vec::new());
        }
        if new_isr == p.isr {
            return (None, Vec::new());
        }
        let show = |l: &[NodeId]| l.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(",");
        ctx.trace_controller(format!(
            "changes the ISR of {name}-{partition} from [{}] to [{}] (AlterPartition from broker {})",
            show(&p.isr),
            show(&new_isr),
            broker.0
        ));
        // A reassignment completes in the same record once its new replicas are in sync.
        if let Some((isr, leader, sets)) = completed_reassignment(p, &new_isr, &unfenced) {
            ctx.trace_controller(format!(
                "completes the reassignment of {name}-{partition}: replicas [{}], ISR [{}]",
                show(&sets.replicas),
                show(&isr)
            ));
            let record = MetadataRecord::PartitionChange {
                topic_id,
                partition_id: partition,
                isr: Some(isr),
                leader,
                replicas: Some(sets),
            };
            return (None, vec![record]);
        }
        (
            None,
            vec![MetadataRecord::PartitionChange {
                topic_id,
                partition_id: partition,
                isr: Some(new_isr),
                leader: LeaderChange::Unchanged,
                replicas: None,
            }],
        )
    }

    /// `ReplicationControlManager.alterPartitionReassignments`: start (or replace) a
    /// reassignment toward each target, or cancel it when the target is None.
    #[allow(clippy::type_complexity)]
    fn alter_reassignments(
        &mut self,
        partitions: Vec<crate::protocol::ReassignTarget>,
        ctx: &mut Ctx,
    ) -> (Vec<((String, u32), Option<ApiError>)>, Vec<MetadataRecord>) {
        let mut results = Vec::new();
        let mut records = Vec::new();
        for ((topic, partition), target) in partitions {
            let outcome = self.alter_reassignment(&topic, partition, target, ctx);
            let error = match outcome {
                Ok(Some(record)) => {
                    // Later entries of the same request see this one's effect.
                    let first = self.raft.append(vec![record.clone()], ctx);
                    for entry in &self.raft.disk.log[first as usize..] {
                        self.latest.apply(entry);
                    }
                    records.push(record);
                    None
                }
                Ok(None) => None,
                Err(e) => Some(e),
            };
            results.push(((topic, partition), error));
        }
        // The records are already appended; `write` only has to wait for them.
        (results, Vec::new())
    }

    fn alter_reassignment(
        &self,
        topic: &str,
        partition: u32,
        target: Option<Vec<NodeId>>,
        ctx: &mut Ctx,
    ) -> Result<Option<MetadataRecord>, ApiError> {
        let unknown = |m: String| ApiError::new(KafkaError::UnknownTopicOrPartition, m);
        let t =
            self.latest.topics.get(topic).ok_or_else(|| unknown(format!("Unable to find a topic named {topic}.")))?;
        let p = t
            .partitions
            .get(&partition)
            .ok_or_else(|| unknown(format!("Unable to find partition {topic}:{partition}.")))?;
        let unfenced = self.latest.unfenced_brokers();
        let show = |l: &[NodeId]| l.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(",");
        let Some(target) = target else {
            // PartitionReassignmentRevert: back to the replicas before the reassignment.
            if !p.is_reassigning() {
                return Err(ApiError::default_for(KafkaError::NoReassignmentInProgress));
            }
            let replicas: Vec<NodeId> = p.replicas.iter().copied().filter(|r| !p.adding.contains(r)).collect();
            let isr: Vec<NodeId> = p.isr.iter().copied().filter(|r| !p.adding.contains(r)).collect();
            if isr.is_empty() {
                let message = format!(
                    "Unable to revert partition assignment for {topic}:{partition} because it would require an unclean leader election."
                );
                return Err(ApiError::new(KafkaError::InvalidReplicaAssignment, message));
            }
            let leader = pick_leader(p, &replicas, &isr, &unfenced);
            ctx.trace_controller(format!(
                "cancels the reassignment of {topic}-{partition}: replicas back to [{}]",
                show(&replicas)
            ));
            let sets = ReplicaSets { replicas, removing: Vec::new(), adding: Vec::new() };
            return Ok(Some(MetadataRecord::PartitionChange {
                topic_id: t.topic_id,
                partition_id: partition,
                isr: (isr != p.isr).then_some(isr),
                leader,
                replicas: Some(sets),
            }));
        };
        validate_manual_assignment(&target, &self.latest)?;
        // PartitionReassignmentReplicas: the target first, then the replicas leaving.
        let current = &p.replicas;
        let removing: Vec<NodeId> = current.iter().copied().filter(|r| !target.contains(r)).collect();
        let adding: Vec<NodeId> = target.iter().copied().filter(|r| !current.contains(r)).collect();
        let mut replicas = target.clone();
        replicas.extend(removing.iter().copied());
        // Some moves can complete at once (e.g. only reordering the replicas).
        let mut image = p.clone();
        image.replicas = replicas.clone();
        image.adding = adding.clone();
        image.removing = removing.clone();
        if let Some((isr, leader, sets)) = completed_reassignment(&image, &p.isr, &unfenced) {
            if sets.replicas == p.replicas && !p.is_reassigning() {
                return Ok(None);
            }
            ctx.trace_controller(format!(
                "reassigns {topic}-{partition} to [{}] at once: every target replica is already in the ISR",
                show(&sets.replicas)
            ));
            return Ok(Some(MetadataRecord::PartitionChange {
                topic_id: t.topic_id,
                partition_id: partition,
                isr: (isr != p.isr).then_some(isr),
                leader,
                replicas: Some(sets),
            }));
        }
        ctx.trace_controller(format!(
            "starts reassigning {topic}-{partition} to [{}]: replicas [{}], adding [{}], removing [{}]",
            show(&target),
            show(&replicas),
            show(&adding),
            show(&removing)
        ));
        Ok(Some(MetadataRecord::PartitionChange {
            topic_id: t.topic_id,
            partition_id: partition,
            isr: None,
            leader: LeaderChange::Unchanged,
            replicas: Some(ReplicaSets { replicas, removing, adding }),
        }))
    }

    /// `listPartitionReassignments` over every topic, in name and partition order.
    fn list_reassignments(&self) -> Vec<OngoingReassignment> {
        let mut out = Vec::new();
        for (topic, t) in &self.latest.topics {
            for (p, pi) in t.partitions.iter().filter(|(_, pi)| pi.is_reassigning()) {
                out.push(OngoingReassignment {
                    topic: topic.clone(),
                    partition: *p,
                    replicas: pi.replicas.clone(),
                    adding: pi.adding.clone(),
                    removing: pi.removing.clone(),
                });
            }
        }
        out
    }

    /// Schedules the next check for brokers whose session may have expired.    /// Schedules the next check for brokers whose session may have expired.
    fn schedule_fence_check(&mut self, ctx: &mut Ctx) {
        let unfenced: Vec<NodeId> = self.latest.unfenced_brokers();
        let Some(earliest) = self.heartbeats.iter().filter(|(b, _)| unfenced.contains(b)).map(|(_, t)| *t).min() else {
            return;
        };
        let at = earliest.plus_ms(self.session_timeout_ms);
        if self.fence_check_at.is_none_or(|t| t > at || t < ctx.now) {
            self.fence_check_at = Some(at);
            ctx.timer(at.0.saturating_sub(ctx.now.0), Timer::FenceCheck);
        }
    }

    /// Fences brokers silent for `broker.session.timeout.ms` and moves their leaderships.
    pub(crate) fn on_fence_check(&mut self, ctx: &mut Ctx) {
        if self.fence_check_at.is_some_and(|t| t <= ctx.now) {
            self.fence_check_at = None;
        }
        if !self.is_active() {
            return;
        }
        let expired: Vec<NodeId> = self
            .latest
            .unfenced_brokers()
            .into_iter()
            .filter(|b| self.heartbeats.get(b).is_some_and(|t| ctx.now.0 >= t.0 + self.session_timeout_ms))
            .collect();
        for broker in expired {
            let Some(broker_epoch) = self.latest.brokers.get(&broker).map(|b| b.broker_epoch) else {
                continue;
            };
            ctx.trace_controller(format!(
                "fences broker {}: no heartbeat for {} ms (broker.session.timeout.ms)",
                broker.0, self.session_timeout_ms
            ));
            let mut records =
                vec![MetadataRecord::BrokerRegistrationChange { broker_id: broker, broker_epoch, fenced: true }];
            let unfenced: Vec<NodeId> = self.latest.unfenced_brokers().into_iter().filter(|b| *b != broker).collect();
            for (topic, t) in &self.latest.topics {
                for (p, pi) in &t.partitions {
                    if !pi.isr.contains(&broker) {
                        continue;
                    }
                    // Without ELR the ISR never empties: its last member stays in it.
                    let isr: Vec<NodeId> = if pi.isr.len() > 1 {
                        pi.isr.iter().copied().filter(|b| *b != broker).collect()
                    } else {
                        pi.isr.clone()
                    };
                    let unclean_allowed = self.unclean_allowed(&t.configs);
                    let mut isr = isr;
                    let leader = if pi.leader == Some(broker) {
                        let clean = pi.replicas.iter().find(|r| isr.contains(r) && unfenced.contains(r));
                        let unclean = pi
                            .replicas
                            .iter()
                            .find(|r| unfenced.contains(r))
                            .filter(|_| clean.is_none() && unclean_allowed);
                        if let Some(next) = unclean {
                            // unclean.leader.election.enable=true: an out-of-sync replica
                            // leads, and whatever only the old ISR had is gone.
                            ctx.trace_controller(format!(
                                "elects out-of-sync broker {} leader of {topic}-{p} (UNCLEAN: unclean.leader.election.enable=true, records it never got are lost)",
                                next.0
                            ));
                            isr = vec![*next];
                        }
                        match clean.or(unclean) {
                            Some(next) => {
                                ctx.trace_controller(format!(
                                    "elects broker {} leader of {topic}-{p} (next in the ISR)",
                                    next.0
                                ));
                                LeaderChange::Leader(*next)
                            }
                            None => {
                                ctx.trace_controller(format!(
                                    "{topic}-{p} has no leader: no other ISR member is alive (Leader: none)"
                                ));
                                LeaderChange::NoLeader
                            }
                        }
                    } else {
                        LeaderChange::Unchanged
                    };
                    let isr_change = (isr != pi.isr).then_some(isr);
                    records.push(MetadataRecord::PartitionChange {
                        topic_id: t.topic_id,
                        partition_id: *p,
                        isr: isr_change,
                        leader,
                        replicas: None,
                    });
                }
            }
            let first = self.raft.append(records, ctx);
            for entry in &self.raft.disk.log[first as usize..] {
                self.latest.apply(entry);
            }
        }
        self.apply_committed(ctx);
        self.schedule_fence_check(ctx);
    }

    /// The leader's view of every replica of the metadata log (`DescribeQuorum`).
    fn describe_quorum(&self, ctx: &Ctx) -> Msg {
        if !self.is_active() {
            return Msg::DescribeQuorumResponse {
                error: Some(crate::protocol::RaftError::NotLeaderOrFollower),
                quorum: None,
                leader_hint: self.raft.leader_id,
            };
        }
        let wall = |t: Option<SimTime>| t.map_or(-1, |t| t.wall_ms() as i64);
        let describe = |id: NodeId, endpoints: Vec<String>| {
            let p = self.raft.progress.get(&id).copied().unwrap_or_default();
            let is_me = self.raft.leader_id == Some(id);
            ReplicaDescription {
                replica_id: id,
                directory_id: p.directory_id.unwrap_or(Uuid([0; 16])),
                endpoints,
                log_end_offset: if is_me { self.raft.log_end_offset() } else { p.end_offset },
                last_fetch_timestamp: if is_me { ctx.now.wall_ms() as i64 } else { wall(p.last_fetch) },
                last_caught_up_timestamp: if is_me { ctx.now.wall_ms() as i64 } else { wall(p.last_caught_up) },
            }
        };
        let voters = self.identity.voters.iter().map(|(id, endpoint)| describe(*id, vec![endpoint.clone()])).collect();
        let observers = self
            .raft
            .progress
            .keys()
            .filter(|id| !self.raft.voters.contains(id))
            .map(|id| describe(*id, Vec::new()))
            .collect();
        Msg::DescribeQuorumResponse {
            error: None,
            quorum: Some(QuorumDescription {
                cluster_id: self.identity.cluster_id.clone(),
                leader_id: self.raft.leader_id.unwrap_or(NodeId(0)),
                leader_epoch: self.raft.epoch(),
                high_watermark: self.raft.high_watermark,
                voters,
                observers,
            }),
            leader_hint: self.raft.leader_id,
        }
    }

    /// `ReplicationControlManager.createTopic`: validation, placement and records.
    fn create_topic(
        &mut self,
        topic: CreatableTopic,
        records: &mut Vec<MetadataRecord>,
        ctx: &mut Ctx,
    ) -> CreatableTopicResult {
        let name = topic.name.clone();
        let fail = |error: KafkaError, message: String| CreatableTopicResult {
            name: name.clone(),
            error: Some(ApiError::new(error, message)),
        };
        if let Err(why) = topic_name::validate(&topic.name) {
            return fail(KafkaError::InvalidTopicException, why);
        }
        let pending_names: Vec<&str> = records
            .iter()
            .filter_map(|r| if let MetadataRecord::Topic { name, .. } = r { Some(name.as_str()) } else { None })
            .collect();
        if self.latest.topics.contains_key(&topic.name) || pending_names.contains(&topic.name.as_str()) {
            return fail(KafkaError::TopicAlreadyExists, format!("Topic '{}' already exists.", topic.name));
        }
        let unified = topic_name::unify_collision_chars(&topic.name);
        if let Some(existing) = self.latest.topics.keys().find(|t| topic_name::unify_collision_chars(t) == unified) {
            return fail(
                KafkaError::InvalidTopicException,
                format!("Topic '{}' collides with existing topic: {existing}", topic.name),
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
                    "Replication factor must be larger than 0, or -1 to use the default value.".to_string(),
                )
            }
            n => n,
        };
        for (key, _) in &topic.configs {
            if !crate::config::is_topic_config(key) {
                return fail(KafkaError::InvalidConfig, format!("Unknown topic config name: {key}"));
            }
        }
        let registered = self.latest.brokers.len();
        let unfenced = self.latest.unfenced_brokers();
        let rf = replication_factor as usize;
        if rf > registered {
            return fail(KafkaError::InvalidReplicationFactor, format!("Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {registered} broker(s) are registered."));
        }
        if unfenced.is_empty() {
            return fail(
                KafkaError::InvalidReplicationFactor,
                format!("Unable to replicate the partition {rf} time(s): All brokers are currently fenced."),
            );
        }
        let fenced: Vec<NodeId> = self.latest.brokers.keys().filter(|b| !unfenced.contains(b)).copied().collect();
        let topic_id = Uuid::random(ctx.rng);
        records.push(MetadataRecord::Topic { name: topic.name.clone(), topic_id });
        let start = ctx.rng.below(unfenced.len() as u64) as usize;
        for p in 0..partitions as usize {
            // StripedReplicaPlacer with one rack: unfenced brokers striped from a random
            // start, then fenced ones if the replication factor needs them.
            let mut replicas: Vec<NodeId> =
                (0..unfenced.len()).map(|i| unfenced[(start + p + i) % unfenced.len()]).collect();
            replicas.extend(fenced.iter().copied());
            replicas.truncate(rf);
            let isr: Vec<NodeId> = replicas.iter().filter(|r| unfenced.contains(r)).copied().collect();
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
                resource: ConfigResource::Topic(topic.name.clone()),
                name: key,
                value: Some(value),
            });
        }
        ctx.trace_controller(format!("creates topic {} with {partitions} partition(s), replication factor {rf}: a TopicRecord and {partitions} PartitionRecord(s)", topic.name));
        CreatableTopicResult { name, error: None }
    }
}

/// `validateManualPartitionAssignment`, with Kafka's messages.
fn validate_manual_assignment(target: &[NodeId], image: &MetadataImage) -> Result<(), ApiError> {
    let invalid = |m: String| Err(ApiError::new(KafkaError::InvalidReplicaAssignment, m));
    if target.is_empty() {
        return invalid("The manual partition assignment includes an empty replica list.".to_string());
    }
    let mut sorted = target.to_vec();
    crate::sort::sort(&mut sorted);
    let mut previous = None;
    for b in sorted {
        if !image.brokers.contains_key(&b) {
            return invalid(format!(
                "The manual partition assignment includes broker {}, but no such broker is registered.",
                b.0
            ));
        }
        if previous == Some(b) {
            return invalid(format!("The manual partition assignment includes the broker {} more than once.", b.0));
        }
        previous = Some(b);
    }
    Ok(())
}

/// The leader after the replica set changes to `replicas` with `isr`: the current one
/// if it stays (named again when replicas leave, to bump the leader epoch as Kafka does),
/// else the first replica in the ISR and unfenced.
fn pick_leader(
    p: &crate::metadata::PartitionImage,
    replicas: &[NodeId],
    isr: &[NodeId],
    unfenced: &[NodeId],
) -> LeaderChange {
    match p.leader {
        Some(l) if replicas.contains(&l) && isr.contains(&l) => {
            if p.replicas.iter().all(|r| replicas.contains(r)) {
                LeaderChange::Unchanged
            } else {
                LeaderChange::Leader(l)
            }
        }
        _ => match replicas.iter().find(|r| isr.contains(r) && unfenced.contains(r)) {
            Some(r) => LeaderChange::Leader(*r),
            None => LeaderChange::NoLeader,
        },
    }
}

/// `PartitionChangeBuilder.completeReassignmentIfNeeded`: once every adding replica is
/// in `isr` (and some target replica is), the partition keeps only its target replicas.
fn completed_reassignment(
    p: &crate::metadata::PartitionImage,
    isr: &[NodeId],
    unfenced: &[NodeId],
) -> Option<(Vec<NodeId>, LeaderChange, ReplicaSets)> {
    if !p.is_reassigning() || !p.adding.iter().all(|r| isr.contains(r)) {
        return None;
    }
    let target = p.target_replicas();
    let new_isr: Vec<NodeId> = isr.iter().copied().filter(|r| target.contains(r)).collect();
    if new_isr.is_empty() {
        return None;
    }
    let leader = pick_leader(p, &target, &new_isr, unfenced);
    if leader == LeaderChange::NoLeader {
        return None;
    }
    Some((new_isr, leader, ReplicaSets { replicas: target, removing: Vec::new(), adding: Vec::new() }))
}

/// The reply a non-active controller gives: retry with the active one.
/// The same error for every named topic.
fn failed<'a>(names: impl Iterator<Item = &'a String>, error: &Option<ApiError>) -> Vec<CreatableTopicResult> {
    names.map(|name| CreatableTopicResult { name: name.clone(), error: error.clone() }).collect()
}

fn not_controller_reply(request: &Msg) -> Msg {
    let error = Some(ApiError::default_for(KafkaError::NotController));
    match request {
        Msg::BrokerRegistrationRequest { .. } | Msg::BrokerRegistrationResponse { .. } => {
            Msg::BrokerRegistrationResponse { error, broker_epoch: 0 }
        }
        Msg::BrokerHeartbeatRequest { .. } | Msg::BrokerHeartbeatResponse { .. } => {
            Msg::BrokerHeartbeatResponse { error, is_caught_up: false, is_fenced: true }
        }
        Msg::CreateTopicsRequest { topics } => {
            Msg::CreateTopicsResponse { results: failed(topics.iter().map(|t| &t.name), &error) }
        }
        Msg::CreateTopicsResponse { results } => {
            Msg::CreateTopicsResponse { results: failed(results.iter().map(|r| &r.name), &error) }
        }
        Msg::DeleteTopicsRequest { names } => Msg::DeleteTopicsResponse { results: failed(names.iter(), &error) },
        Msg::DeleteTopicsResponse { results } => {
            Msg::DeleteTopicsResponse { results: failed(results.iter().map(|r| &r.name), &error) }
        }
        Msg::AlterPartitionReassignmentsRequest { .. } | Msg::AlterPartitionReassignmentsResponse { .. } => {
            Msg::AlterPartitionReassignmentsResponse { error, results: Vec::new() }
        }
        Msg::ListPartitionReassignmentsRequest | Msg::ListPartitionReassignmentsResponse { .. } => {
            Msg::ListPartitionReassignmentsResponse { error, reassignments: Vec::new() }
        }
        other => other.clone(),
    }
}
