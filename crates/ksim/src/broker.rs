//! A KRaft broker: registers with the active controller and heartbeats, follows the
//! metadata log (as a Raft observer, or through the co-located controller in combined
//! mode, as Kafka's shared RaftManager does), hosts partition replicas, and serves
//! clients' produce, fetch, metadata and admin requests.
//!
//! Simplification until the replication issue lands: followers do not fetch yet, so the
//! high watermark of a partition advances only when its ISR is the leader alone.

use crate::error::{ApiError, KafkaError};
use crate::ids::{Addr, NodeId, Uuid};
use crate::metadata::{Endpoint, MetadataEntry, MetadataImage, MetadataRecord};
use crate::node::{Ctx, Level, Timer};
use crate::partition_log::PartitionLog;
use crate::protocol::{
    BrokerMetadata, CreatableTopic, CreatableTopicResult, FetchPartition, FetchedPartition, Msg, OffsetSpec,
    PartitionMetadata, TopicMetadata,
};
use crate::raft::{Raft, RaftConfig, RaftDisk};
use crate::time::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// Kafka's `BrokerState` as the lifecycle manager logs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BrokerState {
    Starting,
    Recovery,
    Running,
}

/// `broker.heartbeat.interval.ms`.
const HEARTBEAT_INTERVAL_MS: u64 = 2000;
/// While starting, the lifecycle manager heartbeats again almost at once.
const STARTING_HEARTBEAT_MS: u64 = 10;
/// `max.poll.records`-sized responses keep each fetch small enough to follow.
const FETCH_RECORDS_MAX: usize = 500;
/// A lifecycle request without an answer this long is sent again.
const LIFECYCLE_REQUEST_TIMEOUT_MS: u64 = 2000;
/// How often a broker that is not yet running looks for the controller.
const STARTING_RETRY_MS: u64 = 500;

pub(crate) struct HostedPartition {
    pub(crate) log: PartitionLog,
    pub(crate) leader_epoch: u32,
    pub(crate) is_leader: bool,
    pub(crate) isr: Vec<NodeId>,
}

struct ParkedFetch {
    from: Addr,
    correlation_id: u32,
    partitions: Vec<FetchPartition>,
    deadline: SimTime,
}

/// An acks=all produce waiting for the high watermark to pass its records.
struct PendingProduce {
    from: Addr,
    correlation_id: u32,
    topic: String,
    partition: u32,
    base_offset: u64,
    end_offset: u64,
}

/// A request this broker forwarded to the controller on a client's behalf.
struct Forwarded {
    client: Addr,
    correlation_id: u32,
}

/// Broker settings that topics inherit.
pub(crate) struct TopicDefaults {
    pub(crate) static_topic_configs: Vec<(String, String)>,
    pub(crate) num_partitions: i32,
    pub(crate) default_replication_factor: i16,
    pub(crate) auto_create_topics_enable: bool,
}

/// What a broker keeps on disk: its partition logs and (broker-only) its metadata log.
#[derive(Default)]
pub(crate) struct BrokerDisk {
    pub(crate) partitions: BTreeMap<(String, u32), PartitionLog>,
    pub(crate) metadata: RaftDisk,
}

pub(crate) struct Broker {
    node_id: NodeId,
    incarnation_id: Uuid,
    endpoints: Vec<Endpoint>,
    /// A broker-only process follows the metadata log as a Raft observer; a combined one
    /// reads its co-located controller's log instead.
    pub(crate) observer: Option<Raft>,
    /// The active controller, as the metadata log's leader says.
    pub(crate) controller: Option<NodeId>,
    pub(crate) state: BrokerState,
    broker_epoch: Option<u64>,
    /// When the outstanding registration or heartbeat was sent.
    lifecycle_in_flight: Option<SimTime>,
    pub(crate) image: MetadataImage,
    pub(crate) partitions: BTreeMap<(String, u32), HostedPartition>,
    parked: Vec<ParkedFetch>,
    pending_produce: Vec<PendingProduce>,
    forwarded: BTreeMap<u32, Forwarded>,
    /// Topics this broker asked the controller to auto-create and has not seen yet.
    auto_creating: BTreeSet<String>,
    next_correlation_id: u32,
    defaults: TopicDefaults,
}

impl Broker {
    pub(crate) fn new(
        node_id: NodeId,
        directory_id: Uuid,
        incarnation_id: Uuid,
        endpoints: Vec<Endpoint>,
        controller_bootstrap: Option<Vec<String>>,
        disk: BrokerDisk,
        defaults: TopicDefaults,
    ) -> Broker {
        let observer = controller_bootstrap
            .map(|bootstrap| Raft::observer(node_id, directory_id, bootstrap, RaftConfig::default(), disk.metadata));
        let partitions = disk
            .partitions
            .into_iter()
            .map(|(k, log)| (k, HostedPartition { log, leader_epoch: 0, is_leader: false, isr: Vec::new() }))
            .collect();
        Broker {
            node_id,
            incarnation_id,
            endpoints,
            observer,
            controller: None,
            state: BrokerState::Starting,
            broker_epoch: None,
            lifecycle_in_flight: None,
            image: MetadataImage::default(),
            partitions,
            parked: Vec::new(),
            pending_produce: Vec::new(),
            forwarded: BTreeMap::new(),
            auto_creating: BTreeSet::new(),
            next_correlation_id: 0,
            defaults,
        }
    }

    /// What survives a crash.
    pub(crate) fn into_disk(self) -> BrokerDisk {
        BrokerDisk {
            partitions: self.partitions.into_iter().map(|(k, h)| (k, h.log)).collect(),
            metadata: self.observer.map(|o| o.disk).unwrap_or_default(),
        }
    }

    fn correlation_id(&mut self) -> u32 {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    fn tag(&self) -> String {
        format!("[BrokerLifecycleManager id={}]", self.node_id.0)
    }

    /// Sends to the active controller; None when none is known yet.
    fn send_to_controller(&mut self, msg: Msg, ctx: &mut Ctx) -> Option<u32> {
        let controller = self.controller?;
        let correlation_id = self.correlation_id();
        ctx.send(Addr::Node(controller), correlation_id, msg);
        Some(correlation_id)
    }

    pub(crate) fn start(&mut self, ctx: &mut Ctx) {
        ctx.log(
            Level::Info,
            format!(
                "[BrokerServer id={}] Transition from SHUTDOWN to STARTING (kafka.server.BrokerServer)",
                self.node_id.0
            ),
        );
        ctx.trace("started: follows the metadata log and registers with the active controller");
        if let Some(observer) = &mut self.observer {
            observer.start(ctx);
        }
        ctx.timer(0, Timer::BrokerHeartbeat);
    }

    /// Registration, then heartbeats: one request at a time, sent again when unanswered.
    fn lifecycle_tick(&mut self, ctx: &mut Ctx) {
        let waiting = self.lifecycle_in_flight.is_some_and(|t| ctx.now.0 < t.0 + LIFECYCLE_REQUEST_TIMEOUT_MS);
        if !waiting {
            let msg = match self.broker_epoch {
                None => Msg::BrokerRegistrationRequest {
                    broker_id: self.node_id,
                    incarnation_id: self.incarnation_id,
                    endpoints: self.endpoints.clone(),
                },
                Some(broker_epoch) => Msg::BrokerHeartbeatRequest {
                    broker_id: self.node_id,
                    broker_epoch,
                    current_metadata_offset: self.image.applied_offset,
                    want_fence: self.state == BrokerState::Starting,
                },
            };
            if self.send_to_controller(msg, ctx).is_some() {
                self.lifecycle_in_flight = Some(ctx.now);
            }
        }
        let next = if self.state == BrokerState::Running { HEARTBEAT_INTERVAL_MS } else { STARTING_RETRY_MS };
        ctx.timer(next, Timer::BrokerHeartbeat);
    }

    pub(crate) fn on_connection_refused(&mut self, ctx: &mut Ctx) {
        if let Some(observer) = &mut self.observer {
            observer.on_connection_refused(ctx);
        }
    }

    pub(crate) fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx) {
        match timer {
            Timer::BrokerHeartbeat => self.lifecycle_tick(ctx),
            Timer::DelayedFetch => self.complete_parked(ctx, true),
            Timer::Raft => {
                if let Some(observer) = &mut self.observer {
                    observer.on_timer(ctx);
                    self.after_observer(ctx);
                }
            }
            _ => {}
        }
    }

    /// Applies what the observer learned: the leader, and newly committed records.
    fn after_observer(&mut self, ctx: &mut Ctx) {
        let Some(observer) = &self.observer else {
            return;
        };
        self.controller = observer.leader_id;
        let end = (observer.high_watermark as usize).min(observer.disk.log.len());
        let start = self.applied() as usize;
        if start >= end {
            return;
        }
        let committed: Vec<MetadataEntry> = observer.disk.log[start..end].to_vec();
        for entry in &committed {
            self.apply_metadata(entry, ctx);
        }
    }

    fn applied(&self) -> u64 {
        self.image.applied_offset.map_or(0, |o| o + 1)
    }

    /// Combined mode: catches up from the co-located controller's committed log.
    pub(crate) fn follow_colocated(
        &mut self,
        log: &[MetadataEntry],
        high_watermark: u64,
        leader: Option<NodeId>,
        ctx: &mut Ctx,
    ) {
        self.controller = leader;
        let end = (high_watermark as usize).min(log.len());
        let start = self.applied() as usize;
        if start >= end {
            return;
        }
        for entry in &log[start..end] {
            self.apply_metadata(entry, ctx);
        }
    }

    pub(crate) fn handle_message(&mut self, from: Addr, correlation_id: u32, msg: Msg, ctx: &mut Ctx) {
        match msg {
            Msg::MetadataFetchResponse { .. } => {
                if let Some(observer) = &mut self.observer {
                    observer.handle(from, correlation_id, msg, ctx);
                    self.after_observer(ctx);
                }
            }
            Msg::BrokerRegistrationResponse { error, broker_epoch } => {
                self.lifecycle_in_flight = None;
                if error.is_none() {
                    self.broker_epoch = Some(broker_epoch);
                    ctx.log(Level::Info, format!("{} Successfully registered broker {} with broker epoch {broker_epoch} (kafka.server.BrokerLifecycleManager)", self.tag(), self.node_id.0));
                    ctx.timer(0, Timer::BrokerHeartbeat);
                }
            }
            Msg::BrokerHeartbeatResponse { error, is_caught_up, is_fenced } => {
                self.lifecycle_in_flight = None;
                match error.map(|e| e.error) {
                    None => self.on_heartbeat_response(is_caught_up, is_fenced, ctx),
                    // The controller does not know this registration (any more): register again.
                    Some(KafkaError::BrokerIdNotRegistered | KafkaError::StaleBrokerEpoch) => self.broker_epoch = None,
                    Some(_) => {}
                }
            }
            Msg::CreateTopicsResponse { .. }
            | Msg::DeleteTopicsResponse { .. }
            | Msg::DescribeQuorumResponse { .. } => {
                if let Some(f) = self.forwarded.remove(&correlation_id) {
                    ctx.send(f.client, f.correlation_id, msg);
                }
            }
            Msg::CreateTopicsRequest { .. } | Msg::DeleteTopicsRequest { .. } | Msg::DescribeQuorumRequest => {
                match self.send_to_controller(msg.clone(), ctx) {
                    Some(forwarded_id) => {
                        self.forwarded.insert(forwarded_id, Forwarded { client: from, correlation_id });
                    }
                    None => {
                        // No active controller known: the client retries (NOT_CONTROLLER is retriable).
                        let error = Some(ApiError::default_for(KafkaError::NotController));
                        let result = |name: &str| CreatableTopicResult { name: name.to_string(), error: error.clone() };
                        let reply = match &msg {
                            Msg::CreateTopicsRequest { topics } => {
                                Msg::CreateTopicsResponse { results: topics.iter().map(|t| result(&t.name)).collect() }
                            }
                            Msg::DeleteTopicsRequest { names } => {
                                Msg::DeleteTopicsResponse { results: names.iter().map(|n| result(n)).collect() }
                            }
                            Msg::DescribeQuorumRequest => Msg::DescribeQuorumResponse {
                                error: Some(crate::protocol::RaftError::NotLeaderOrFollower),
                                quorum: None,
                                leader_hint: None,
                            },
                            _ => return,
                        };
                        ctx.send(from, correlation_id, reply);
                    }
                }
            }
            Msg::MetadataRequest { topics, allow_auto_topic_creation } => {
                let response = self.metadata_response(topics, allow_auto_topic_creation, ctx);
                ctx.send(from, correlation_id, response);
            }
            Msg::ProduceRequest { acks, topic, partition, records } => {
                self.produce(from, correlation_id, acks, topic, partition, records, ctx)
            }
            Msg::FetchRequest { max_wait_ms, partitions } => {
                let response = self.read(&partitions);
                let has_data = response.iter().any(|p| !p.records.is_empty() || p.error.is_some());
                if has_data || max_wait_ms == 0 {
                    ctx.send(from, correlation_id, Msg::FetchResponse { partitions: response });
                } else {
                    self.parked.push(ParkedFetch {
                        from,
                        correlation_id,
                        partitions,
                        deadline: ctx.now.plus_ms(max_wait_ms),
                    });
                    ctx.timer(max_wait_ms, Timer::DelayedFetch);
                }
            }
            Msg::ListOffsetsRequest { topic, partitions, spec } => {
                let offsets = partitions
                    .into_iter()
                    .map(|p| {
                        let result = match self.partitions.get(&(topic.clone(), p)) {
                            Some(h) if h.is_leader => Ok(match spec {
                                OffsetSpec::Earliest => h.log.log_start_offset(),
                                OffsetSpec::Latest => h.log.high_watermark(),
                            }),
                            Some(_) => Err(ApiError::default_for(KafkaError::NotLeaderOrFollower)),
                            None => Err(ApiError::default_for(KafkaError::UnknownTopicOrPartition)),
                        };
                        (p, result)
                    })
                    .collect();
                ctx.send(from, correlation_id, Msg::ListOffsetsResponse { topic, offsets });
            }
            _ => {}
        }
    }

    fn on_heartbeat_response(&mut self, is_caught_up: bool, is_fenced: bool, ctx: &mut Ctx) {
        let tag = self.tag();
        match self.state {
            BrokerState::Starting if is_caught_up => {
                self.state = BrokerState::Recovery;
                ctx.log(Level::Info, format!("{tag} The broker has caught up. Transitioning from STARTING to RECOVERY. (kafka.server.BrokerLifecycleManager)"));
                ctx.trace("caught up with the metadata log: STARTING → RECOVERY");
                ctx.timer(STARTING_HEARTBEAT_MS, Timer::BrokerHeartbeat);
            }
            BrokerState::Recovery if !is_fenced => {
                self.state = BrokerState::Running;
                let id = self.node_id.0;
                ctx.log(Level::Info, format!("{tag} The broker has been unfenced. Transitioning from RECOVERY to RUNNING. (kafka.server.BrokerLifecycleManager)"));
                ctx.log(
                    Level::Info,
                    format!("[BrokerServer id={id}] Transition from STARTING to STARTED (kafka.server.BrokerServer)"),
                );
                ctx.log(Level::Info, "Kafka version: 4.0.0 (org.apache.kafka.common.utils.AppInfoParser)");
                ctx.log(
                    Level::Info,
                    format!("[KafkaRaftServer nodeId={id}] Kafka Server started (kafka.server.KafkaRaftServer)"),
                );
                ctx.trace("unfenced by the controller: RECOVERY → RUNNING, now accepting client connections on its PLAINTEXT listener");
            }
            BrokerState::Starting | BrokerState::Recovery => ctx.timer(STARTING_HEARTBEAT_MS, Timer::BrokerHeartbeat),
            BrokerState::Running => {}
        }
    }

    /// Applies one committed metadata record and publishes what it means for this broker.
    fn apply_metadata(&mut self, entry: &MetadataEntry, ctx: &mut Ctx) {
        self.image.apply(entry);
        match &entry.record {
            MetadataRecord::Partition { partition_id, topic_id, .. }
            | MetadataRecord::PartitionChange { partition_id, topic_id, .. } => {
                self.sync_partition(*topic_id, *partition_id, ctx);
            }
            MetadataRecord::RemoveTopic { .. } => {
                let image = &self.image;
                let removed: Vec<(String, u32)> =
                    self.partitions.keys().filter(|(t, _)| !image.topics.contains_key(t)).cloned().collect();
                for key in removed {
                    self.partitions.remove(&key);
                    ctx.trace(format!("deleted the log of {}-{}", key.0, key.1));
                }
            }
            _ => {}
        }
    }

    /// Makes the hosted replica match the image: created, leader or follower, ISR.
    fn sync_partition(&mut self, topic_id: Uuid, partition: u32, ctx: &mut Ctx) {
        let Some(topic) = self.image.topic_name(topic_id).map(str::to_string) else {
            return;
        };
        let Some(p) = self.image.topics.get(&topic).and_then(|t| t.partitions.get(&partition)).cloned() else {
            return;
        };
        if !p.replicas.contains(&self.node_id) {
            return;
        }
        self.auto_creating.remove(&topic);
        let is_leader = p.leader == Some(self.node_id);
        let key = (topic.clone(), partition);
        let existed = self.partitions.get(&key).is_some_and(|h| !h.isr.is_empty());
        let hosted = self.partitions.entry(key.clone()).or_insert_with(|| HostedPartition {
            log: PartitionLog::default(),
            leader_epoch: p.leader_epoch,
            is_leader,
            isr: Vec::new(),
        });
        let changed = !existed || hosted.is_leader != is_leader || hosted.leader_epoch != p.leader_epoch;
        hosted.is_leader = is_leader;
        hosted.leader_epoch = p.leader_epoch;
        hosted.isr = p.isr.clone();
        if changed {
            let role = if is_leader { "leader" } else { "follower" };
            let epoch = p.leader_epoch;
            if existed {
                ctx.trace(format!("became the {role} of {topic}-{partition} (leader epoch {epoch})"));
            } else {
                ctx.trace(format!(
                    "created the log of {topic}-{partition} and became its {role} (leader epoch {epoch})"
                ));
            }
        }
        self.maybe_increment_high_watermark(&key, ctx);
    }

    fn metadata_response(
        &mut self,
        topics: Option<Vec<String>>,
        allow_auto_topic_creation: bool,
        ctx: &mut Ctx,
    ) -> Msg {
        let brokers = self
            .image
            .brokers
            .iter()
            .filter(|(_, b)| !b.fenced)
            .filter_map(|(id, b)| {
                let e = b.endpoints.iter().find(|e| e.name != "CONTROLLER")?;
                Some(BrokerMetadata { node_id: *id, host: e.host.clone(), port: e.port })
            })
            .collect();
        let names: Vec<String> = topics.unwrap_or_else(|| self.image.topics.keys().cloned().collect());
        let mut result = Vec::new();
        for name in names {
            match self.image.topics.get(&name) {
                Some(t) => result.push(TopicMetadata {
                    name: name.clone(),
                    topic_id: Some(t.topic_id),
                    error: None,
                    partitions: t
                        .partitions
                        .iter()
                        .map(|(p, pi)| PartitionMetadata {
                            partition: *p,
                            leader: pi.leader,
                            leader_epoch: pi.leader_epoch,
                            replicas: pi.replicas.clone(),
                            isr: pi.isr.clone(),
                        })
                        .collect(),
                    configs: {
                        // Dynamic topic configs win over the broker's static ones.
                        let mut merged: std::collections::BTreeMap<String, String> =
                            self.defaults.static_topic_configs.iter().cloned().collect();
                        merged.extend(t.configs.iter().map(|(k, v)| (k.clone(), v.clone())));
                        merged.into_iter().collect()
                    },
                }),
                None => {
                    if allow_auto_topic_creation
                        && self.defaults.auto_create_topics_enable
                        && crate::topic_name::validate(&name).is_ok()
                        && self.auto_creating.insert(name.clone())
                    {
                        ctx.trace(format!("auto-creating topic {name} (auto.create.topics.enable=true)"));
                        let topic = CreatableTopic {
                            name: name.clone(),
                            num_partitions: self.defaults.num_partitions,
                            replication_factor: self.defaults.default_replication_factor,
                            configs: Vec::new(),
                        };
                        let sent = self.send_to_controller(Msg::CreateTopicsRequest { topics: vec![topic] }, ctx);
                        if sent.is_none() {
                            // No active controller yet: ask again on the next metadata request.
                            self.auto_creating.remove(&name);
                        }
                    }
                    result.push(TopicMetadata {
                        name,
                        topic_id: None,
                        error: Some(ApiError::default_for(KafkaError::UnknownTopicOrPartition)),
                        partitions: Vec::new(),
                        configs: Vec::new(),
                    });
                }
            }
        }
        Msg::MetadataResponse { brokers, controller_id: self.controller, topics: result }
    }

    #[allow(clippy::too_many_arguments)]
    fn produce(
        &mut self,
        from: Addr,
        correlation_id: u32,
        acks: i16,
        topic: String,
        partition: u32,
        records: Vec<crate::partition_log::NewRecord>,
        ctx: &mut Ctx,
    ) {
        let key = (topic.clone(), partition);
        let reply_error = |error: KafkaError, ctx: &mut Ctx| {
            if acks != 0 {
                ctx.send(
                    from,
                    correlation_id,
                    Msg::ProduceResponse {
                        topic: topic.clone(),
                        partition,
                        error: Some(ApiError::default_for(error)),
                        base_offset: 0,
                    },
                );
            }
        };
        let Some(hosted) = self.partitions.get_mut(&key) else {
            return reply_error(KafkaError::UnknownTopicOrPartition, ctx);
        };
        if !hosted.is_leader {
            return reply_error(KafkaError::NotLeaderOrFollower, ctx);
        }
        let count = records.len() as u64;
        let base_offset = hosted.log.append(records, hosted.leader_epoch, ctx.now);
        let end_offset = base_offset + count;
        ctx.trace(format!(
            "appended {count} record(s) to {topic}-{partition} at offsets {base_offset}..{} (LEO {end_offset})",
            end_offset - 1
        ));
        self.maybe_increment_high_watermark(&key, ctx);
        match acks {
            0 => {}
            1 => ctx.send(from, correlation_id, Msg::ProduceResponse { topic, partition, error: None, base_offset }),
            _ => {
                self.pending_produce.push(PendingProduce {
                    from,
                    correlation_id,
                    topic,
                    partition,
                    base_offset,
                    end_offset,
                });
                self.complete_produces(ctx);
            }
        }
    }

    /// HW = min LEO over the ISR (`Partition.maybeIncrementLeaderHW`). Followers do not
    /// fetch yet, so only a leader-only ISR can move it.
    fn maybe_increment_high_watermark(&mut self, key: &(String, u32), ctx: &mut Ctx) {
        let Some(hosted) = self.partitions.get_mut(key) else {
            return;
        };
        if hosted.isr != [self.node_id] {
            return;
        }
        let before = hosted.log.high_watermark();
        let leo = hosted.log.log_end_offset();
        hosted.log.advance_high_watermark(leo);
        if leo > before {
            ctx.trace(format!(
                "advanced the high watermark of {}-{} from {before} to {leo}: every ISR member has the records",
                key.0, key.1
            ));
            self.complete_parked(ctx, false);
        }
    }

    fn complete_produces(&mut self, ctx: &mut Ctx) {
        let partitions = &self.partitions;
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_produce).into_iter().partition(|p| {
            partitions.get(&(p.topic.clone(), p.partition)).is_some_and(|h| h.log.high_watermark() >= p.end_offset)
        });
        self.pending_produce = waiting;
        for p in done {
            ctx.send(
                p.from,
                p.correlation_id,
                Msg::ProduceResponse {
                    topic: p.topic,
                    partition: p.partition,
                    error: None,
                    base_offset: p.base_offset,
                },
            );
        }
    }

    fn read(&self, partitions: &[FetchPartition]) -> Vec<FetchedPartition> {
        partitions
            .iter()
            .map(|p| {
                let (error, high_watermark, records) = match self.partitions.get(&(p.topic.clone(), p.partition)) {
                    Some(h) if h.is_leader => {
                        let hw = h.log.high_watermark();
                        (None, hw, h.log.read(p.fetch_offset, hw, FETCH_RECORDS_MAX).to_vec())
                    }
                    Some(_) => (Some(ApiError::default_for(KafkaError::NotLeaderOrFollower)), 0, Vec::new()),
                    None => (Some(ApiError::default_for(KafkaError::UnknownTopicOrPartition)), 0, Vec::new()),
                };
                FetchedPartition { topic: p.topic.clone(), partition: p.partition, error, high_watermark, records }
            })
            .collect()
    }

    /// Answers parked fetches that now have records, or (on the timer) whose wait expired.
    fn complete_parked(&mut self, ctx: &mut Ctx, expire: bool) {
        let now = ctx.now;
        let mut waiting = Vec::new();
        for p in std::mem::take(&mut self.parked) {
            let response = self.read(&p.partitions);
            let has_data = response.iter().any(|r| !r.records.is_empty() || r.error.is_some());
            if has_data || (expire && p.deadline <= now) {
                ctx.send(p.from, p.correlation_id, Msg::FetchResponse { partitions: response });
            } else {
                waiting.push(p);
            }
        }
        self.parked = waiting;
    }
}
