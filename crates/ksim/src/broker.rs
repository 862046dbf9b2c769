//! A KRaft broker: registers with the active controller and heartbeats, follows the
//! metadata log (as a Raft observer, or through the co-located controller in combined
//! mode, as Kafka's shared RaftManager does), hosts partition replicas, and serves
//! clients' produce, fetch, metadata and admin requests, and InitProducerId.
//!
//! Producer ids: Kafka's brokers take blocks of 1000 from the active controller
//! (AllocateProducerIds, ProducerIdsRecord in the metadata log); here each broker counts
//! its own block on disk (`allocate_producer_id`), and the trace says so.
//!
//! Simplification until the replication issue lands: followers do not fetch yet, so the
//! high watermark of a partition advances only when its ISR is the leader alone.

use crate::broker_config::{BrokerConfigSources, ConfigResource};
use crate::config::Timing;
use crate::error::{ApiError, KafkaError};
use crate::group_coordinator::{CoordinatorSettings, GroupCoordinator, OFFSETS_TOPIC};
use crate::ids::{Addr, NodeId, Uuid};
use crate::log_manager::{LogConfig, LOG_RETENTION_CHECK_INTERVAL_MS};
use crate::metadata::{Endpoint, MetadataEntry, MetadataImage, MetadataRecord};
use crate::node::{Ctx, Level, Timer};
use crate::partition_log::PartitionLog;
use crate::protocol::{
    BrokerMetadata, CreatableTopic, CreatableTopicResult, LogDirDescription, Msg, OffsetSpec, PartitionMetadata,
    ReplicaInfo, TopicMetadata,
};
use crate::raft::{Raft, RaftDisk};
use crate::replica_manager::ReplicaManager;
use crate::time::SimTime;
use crate::vec_map::{VecMap, VecSet};

/// Kafka's `BrokerState` as the lifecycle manager logs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BrokerState {
    Starting,
    Recovery,
    Running,
}

/// While starting, the lifecycle manager heartbeats again almost at once.
const STARTING_HEARTBEAT_MS: u64 = 10;
/// A lifecycle request without an answer this long is sent again.
const LIFECYCLE_REQUEST_TIMEOUT_MS: u64 = 2000;
/// How often a broker that is not yet running looks for the controller.
const STARTING_RETRY_MS: u64 = 500;

/// A request this broker forwarded to the controller on a client's behalf.
#[derive(Clone)]
struct Forwarded {
    client: Addr,
    correlation_id: u32,
}

/// Broker settings for the logs it hosts: what topics inherit, and where logs live.
#[derive(Clone)]
pub(crate) struct TopicDefaults {
    /// The first of `log.dirs` (the simulation keeps every log in one directory).
    pub(crate) log_dir: String,
    /// This broker's `server.properties`, for dynamic-config fallbacks and synonyms.
    pub(crate) static_props: Vec<(String, String)>,
    pub(crate) num_partitions: i32,
    pub(crate) default_replication_factor: i16,
    pub(crate) auto_create_topics_enable: bool,
    pub(crate) timing: Timing,
}

/// What a broker keeps on disk: its partition logs and (broker-only) its metadata log.
#[derive(Default)]
pub(crate) struct BrokerDisk {
    pub(crate) partitions: VecMap<(String, u32), PartitionLog>,
    pub(crate) metadata: RaftDisk,
    /// How many producer ids this broker has handed out (kept so a restart never reuses one).
    pub(crate) producer_ids_issued: u64,
}

#[derive(Clone)]
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
    pub(crate) replicas: ReplicaManager,
    forwarded: VecMap<u32, Forwarded>,
    /// Topics this broker asked the controller to auto-create and has not seen yet.
    auto_creating: VecSet<String>,
    next_correlation_id: u32,
    defaults: TopicDefaults,
    pub(crate) groups: GroupCoordinator,
    /// When the group coordinator's timer is next due, so moving deadlines cost no events.
    group_timer: Option<SimTime>,
    producer_ids_issued: u64,
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
            .map(|bootstrap| Raft::observer(node_id, directory_id, bootstrap, defaults.timing.raft, disk.metadata));
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
            replicas: ReplicaManager::new(node_id, disk.partitions),
            forwarded: VecMap::new(),
            auto_creating: VecSet::new(),
            next_correlation_id: 0,
            defaults,
            groups: GroupCoordinator::default(),
            group_timer: None,
            producer_ids_issued: disk.producer_ids_issued,
        }
    }

    /// What survives a crash.
    pub(crate) fn into_disk(self) -> BrokerDisk {
        BrokerDisk {
            partitions: self.replicas.into_logs(),
            metadata: self.observer.map(|o| o.disk).unwrap_or_default(),
            producer_ids_issued: self.producer_ids_issued,
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
        ctx.timer(LOG_RETENTION_CHECK_INTERVAL_MS, Timer::LogRetention);
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
        let next = if self.state == BrokerState::Running {
            self.defaults.timing.broker_heartbeat_interval_ms
        } else {
            STARTING_RETRY_MS
        };
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
            Timer::Replica => {
                self.replicas.on_timer(ctx);
                self.send_replica_requests(ctx);
            }
            Timer::LogRetention => {
                self.replicas.on_log_retention(ctx);
                ctx.timer(LOG_RETENTION_CHECK_INTERVAL_MS, Timer::LogRetention);
            }
            Timer::LogCleaner => self.replicas.on_log_cleaner(ctx),
            Timer::GroupCoordinator => {
                self.group_timer = None;
                let settings = self.coordinator_settings();
                self.groups.on_timer(&settings, ctx);
                self.after_groups(ctx);
            }
            Timer::IsrCheck => {
                self.replicas.on_isr_check(ctx);
                self.send_replica_requests(ctx);
            }
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
            | Msg::DescribeQuorumResponse { .. }
            | Msg::AlterConfigsResponse { .. }
            | Msg::CreatePartitionsResponse { .. }
            | Msg::ElectLeadersResponse { .. }
            | Msg::AlterPartitionReassignmentsResponse { .. }
            | Msg::ListPartitionReassignmentsResponse { .. } => {
                if let Some(f) = self.forwarded.remove(&correlation_id) {
                    ctx.send(f.client, f.correlation_id, msg);
                }
            }
            Msg::CreateTopicsRequest { .. }
            | Msg::DeleteTopicsRequest { .. }
            | Msg::DescribeQuorumRequest
            | Msg::AlterConfigsRequest { .. }
            | Msg::CreatePartitionsRequest { .. }
            | Msg::ElectLeadersRequest { .. }
            | Msg::AlterPartitionReassignmentsRequest { .. }
            | Msg::ListPartitionReassignmentsRequest => {
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
                            Msg::AlterConfigsRequest { .. } => Msg::AlterConfigsResponse { error: error.clone() },
                            Msg::ElectLeadersRequest { .. } => {
                                Msg::ElectLeadersResponse { error: error.clone(), results: Vec::new() }
                            }
                            Msg::CreatePartitionsRequest { .. } => {
                                Msg::CreatePartitionsResponse { error: error.clone() }
                            }
                            Msg::AlterPartitionReassignmentsRequest { .. } => {
                                Msg::AlterPartitionReassignmentsResponse { error: error.clone(), results: Vec::new() }
                            }
                            Msg::ListPartitionReassignmentsRequest => Msg::ListPartitionReassignmentsResponse {
                                error: error.clone(),
                                reassignments: Vec::new(),
                            },
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
            Msg::FindCoordinatorRequest { key } => {
                let reply = self.find_coordinator(&key, ctx);
                ctx.send(from, correlation_id, reply);
            }
            Msg::JoinGroupRequest { .. }
            | Msg::SyncGroupRequest { .. }
            | Msg::HeartbeatRequest { .. }
            | Msg::LeaveGroupRequest { .. }
            | Msg::OffsetCommitRequest { .. }
            | Msg::OffsetFetchRequest { .. }
            | Msg::ConsumerGroupHeartbeatRequest { .. }
            | Msg::ListGroupsRequest
            | Msg::DescribeGroupsRequest { .. }
            | Msg::DeleteGroupsRequest { .. } => {
                let settings = self.coordinator_settings();
                self.groups.handle(from, correlation_id, msg, &settings, ctx);
                self.after_groups(ctx);
            }
            Msg::MetadataRequest { topics, allow_auto_topic_creation } => {
                let response = self.metadata_response(topics, allow_auto_topic_creation, ctx);
                ctx.send(from, correlation_id, response);
            }
            Msg::ProduceRequest { acks, timeout_ms, topic, partition, records, producer } => {
                let key = (topic, partition);
                self.replicas.produce(from, correlation_id, acks, timeout_ms, key, records, producer, ctx);
                self.send_replica_requests(ctx);
            }
            Msg::InitProducerIdRequest => {
                let (producer_id, producer_epoch) = (self.allocate_producer_id(), 0);
                ctx.trace(format!(
                    "handed out producer id {producer_id} (epoch {producer_epoch}) from its own id block (the simulator's stand-in for AllocateProducerIds)"
                ));
                ctx.send(
                    from,
                    correlation_id,
                    Msg::InitProducerIdResponse { error: None, producer_id, producer_epoch },
                );
            }
            Msg::FetchRequest { replica_id, max_wait_ms, partitions } => {
                self.replicas.fetch(from, correlation_id, replica_id, max_wait_ms, partitions, ctx);
                self.send_replica_requests(ctx);
            }
            Msg::FetchResponse { partitions } => {
                self.replicas.on_fetch_response(from, partitions, ctx);
                self.send_replica_requests(ctx);
            }
            Msg::AlterPartitionResponse { topic_id, partition, error } => {
                self.replicas.on_alter_partition_response(topic_id, partition, error, ctx);
            }
            Msg::ListOffsetsRequest { topic, partitions, spec } => {
                let offsets = partitions
                    .into_iter()
                    .map(|p| {
                        let result = match self.replicas.partitions.get(&(topic.clone(), p)) {
                            Some(h) if h.is_leader => Ok(match spec {
                                OffsetSpec::Earliest => h.log.log_start_offset(),
                                OffsetSpec::Latest => h.log.high_watermark(),
                                OffsetSpec::Timestamp(ms) => h
                                    .log
                                    .records()
                                    .find(|r| r.offset < h.log.high_watermark() && r.timestamp_ms >= ms)
                                    .map_or(u64::MAX, |r| r.offset),
                            }),
                            Some(_) => Err(ApiError::default_for(KafkaError::NotLeaderOrFollower)),
                            None => Err(ApiError::default_for(KafkaError::UnknownTopicOrPartition)),
                        };
                        (p, result)
                    })
                    .collect();
                ctx.send(from, correlation_id, Msg::ListOffsetsResponse { topic, offsets });
            }
            Msg::DescribeConfigsRequest => {
                // Kafka's admin sends DescribeConfigs for broker N to broker N itself; the
                // simulated tool asks one broker, which answers for every broker from its
                // metadata image (dynamic configs are cluster metadata) with its own
                // server.properties as the static ones.
                let configs = crate::protocol::BrokerConfigsDescription {
                    broker_id: self.node_id.0,
                    dynamic: self.image.broker_configs.clone(),
                    static_props: self.defaults.static_props.clone(),
                };
                ctx.send(from, correlation_id, Msg::DescribeConfigsResponse { configs });
            }
            Msg::DescribeLogDirsRequest => {
                let replicas = self
                    .replicas
                    .partitions
                    .iter()
                    .map(|((topic, partition), h)| ReplicaInfo {
                        topic: topic.clone(),
                        partition: *partition,
                        size_bytes: h.log.size_bytes(),
                        offset_lag: h.log.high_watermark().saturating_sub(h.log.log_end_offset()),
                    })
                    .collect();
                let log_dirs = vec![LogDirDescription { path: self.defaults.log_dir.clone(), replicas }];
                ctx.send(from, correlation_id, Msg::DescribeLogDirsResponse { log_dirs });
            }
            Msg::DeleteRecordsRequest { topic, partitions } => {
                let results = partitions
                    .into_iter()
                    .map(|(p, offset)| (p, self.replicas.delete_records(&(topic.clone(), p), offset, ctx)))
                    .collect();
                ctx.send(from, correlation_id, Msg::DeleteRecordsResponse { topic, results });
            }
            _ => {}
        }
    }

    /// Kafka's brokers take blocks of 1000 producer ids from the controller
    /// (AllocateProducerIds, recorded as ProducerIdsRecord). Here broker n owns the blocks
    /// `n*1000 + k*1_000_000` (ids unique while node ids stay below 1000) and counts on disk.
    fn allocate_producer_id(&mut self) -> u64 {
        const BLOCK: u64 = 1000;
        let k = self.producer_ids_issued;
        self.producer_ids_issued += 1;
        (k / BLOCK) * BLOCK * BLOCK + u64::from(self.node_id.0) * BLOCK + k % BLOCK
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
                let Some(topic) = self.image.topic_name(*topic_id).map(str::to_string) else { return };
                let Some(t) = self.image.topics.get(&topic) else { return };
                let Some(p) = t.partitions.get(partition_id).cloned() else { return };
                let config = self.log_config(&topic);
                self.auto_creating.remove(&topic);
                self.replicas.sync(&topic, *topic_id, *partition_id, &p, &config, ctx);
                self.send_replica_requests(ctx);
                if topic == OFFSETS_TOPIC {
                    self.sync_coordinator(*partition_id, ctx);
                }
            }
            MetadataRecord::Config { resource: ConfigResource::Topic(topic), .. } => {
                // min.insync.replicas, retention or compaction may have changed for every
                // partition of the topic.
                let Some(t) = self.image.topics.get(topic).cloned() else { return };
                let config = self.log_config(topic);
                for (p, pi) in &t.partitions {
                    self.replicas.sync(topic, t.topic_id, *p, pi, &config, ctx);
                }
            }
            MetadataRecord::Config { resource: ConfigResource::Broker(name), .. }
                if name.is_empty() || *name == self.node_id.0.to_string() =>
            {
                // A dynamic broker setting that is a topic-config synonym changes every
                // topic that does not set the config itself.
                let topics: Vec<(String, crate::metadata::TopicImage)> =
                    self.image.topics.iter().map(|(n, t)| (n.clone(), t.clone())).collect();
                for (topic, t) in topics {
                    let config = self.log_config(&topic);
                    for (p, pi) in &t.partitions {
                        self.replicas.sync(&topic, t.topic_id, *p, pi, &config, ctx);
                    }
                }
            }
            MetadataRecord::RemoveTopic { .. } => {
                let image = &self.image;
                self.replicas.remove_missing(|t| image.topics.contains_key(t), ctx);
                for partition in self.groups.loaded.clone() {
                    self.sync_coordinator(partition, ctx);
                }
            }
            _ => {}
        }
    }

    /// Where this broker's settings come from: dynamic (per-broker, cluster default) and static.
    fn config_sources(&self) -> BrokerConfigSources<'_> {
        BrokerConfigSources {
            broker_id: self.node_id.0,
            dynamic: &self.image.broker_configs,
            static_props: &self.defaults.static_props,
        }
    }

    /// A topic config's value when not Kafka's default: the topic's own, else its broker
    /// synonym's (per-broker dynamic, cluster-default dynamic, static).
    fn topic_config_value(&self, topic: &str, name: &str) -> Option<String> {
        self.image.topics.get(topic).and_then(|t| t.configs.get(name).cloned()).or_else(|| {
            let broker_key = crate::broker_config::broker_key_for(name)?;
            self.config_sources().configured(broker_key)
        })
    }

    /// The topic's effective configs: `topic_config_value`, else Kafka's defaults.
    fn log_config(&self, topic: &str) -> LogConfig {
        LogConfig::resolve(|name| self.topic_config_value(topic, name))
    }

    /// `kafka-configs.sh --describe` of a topic: its own configs with their synonyms
    /// (`ConfigHelper.createTopicConfigEntry`: the topic's value, then its broker synonym's).
    fn described_topic_configs(&self, configs: &VecMap<String, String>) -> Vec<(String, String, String)> {
        let sources = self.config_sources();
        configs
            .iter()
            .map(|(k, v)| {
                let mut synonyms = vec![("DYNAMIC_TOPIC_CONFIG", k.clone(), v.clone())];
                if let Some(broker_key) = crate::broker_config::broker_key_for(k) {
                    synonyms.extend(sources.synonyms(broker_key));
                }
                let rendered: Vec<String> = synonyms.iter().map(|(s, n, v)| format!("{s}:{n}={v}")).collect();
                (k.clone(), v.clone(), rendered.join(", "))
            })
            .collect()
    }

    /// Sends the AlterPartition requests the replica manager queued to the active controller.
    fn send_replica_requests(&mut self, ctx: &mut Ctx) {
        for msg in self.replicas.take_outbox() {
            // Without a known active controller the request is dropped; the next ISR
            // check (or fetch) asks again.
            let _ = self.send_to_controller(msg, ctx);
        }
    }

    fn coordinator_settings(&self) -> CoordinatorSettings {
        let sources = self.config_sources();
        let number = |key: &str, default: u64| sources.configured(key).and_then(|v| v.parse().ok()).unwrap_or(default);
        CoordinatorSettings {
            offsets_partitions: number("offsets.topic.num.partitions", 50) as u32,
            initial_rebalance_delay_ms: number(
                "group.initial.rebalance.delay.ms",
                crate::group_coordinator::INITIAL_REBALANCE_DELAY_MS_DEFAULT,
            ),
            consumer_session_timeout_ms: number(
                "group.consumer.session.timeout.ms",
                crate::consumer_group::SESSION_TIMEOUT_MS_DEFAULT,
            ),
            consumer_heartbeat_interval_ms: number(
                "group.consumer.heartbeat.interval.ms",
                crate::consumer_group::HEARTBEAT_INTERVAL_MS_DEFAULT,
            ),
            // Names or class names; Kafka refuses to start on an unknown one, we skip it.
            consumer_assignors: sources.configured("group.consumer.assignors").map_or_else(
                || crate::assignor::DEFAULT_SERVER_ASSIGNORS.to_vec(),
                |v| {
                    v.split(',')
                        .map(str::trim)
                        .filter_map(|a| {
                            crate::assignor::ServerAssignor::ALL
                                .into_iter()
                                .find(|s| s.name() == a || s.class_name() == a)
                        })
                        .collect()
                },
            ),
            topics: self.image.topics.iter().map(|(name, t)| (name.clone(), t.partitions.len() as u32)).collect(),
        }
    }

    /// Loads or unloads the groups of an `__consumer_offsets` partition as this broker
    /// gains or loses its leadership.
    fn sync_coordinator(&mut self, partition: u32, ctx: &mut Ctx) {
        let key = (OFFSETS_TOPIC.to_string(), partition);
        match self.replicas.partitions.get(&key) {
            Some(h) if h.is_leader => {
                self.groups.load(partition, h.log.records(), ctx);
            }
            _ => self.groups.unload(partition, ctx),
        }
        self.after_groups(ctx);
    }

    /// Appends what the coordinator wrote and keeps its timer armed.
    fn after_groups(&mut self, ctx: &mut Ctx) {
        for write in std::mem::take(&mut self.groups.writes) {
            let key = (OFFSETS_TOPIC.to_string(), write.partition);
            let timeout = crate::group_coordinator::OFFSETS_COMMIT_TIMEOUT_MS;
            self.replicas.append_internal(write.reply, timeout, key, write.records, ctx);
        }
        self.send_replica_requests(ctx);
        if let Some(deadline) = self.groups.next_deadline() {
            if self.group_timer.is_none_or(|t| deadline < t) {
                self.group_timer = Some(deadline);
                ctx.timer(deadline.0.saturating_sub(ctx.now.0), Timer::GroupCoordinator);
            }
        }
    }

    /// FindCoordinator: the leader of the group's `__consumer_offsets` partition. The
    /// first request creates the topic (`offsets.topic.num.partitions`,
    /// `offsets.topic.replication.factor`), as Kafka's broker does.
    fn find_coordinator(&mut self, group_id: &str, ctx: &mut Ctx) -> Msg {
        let settings = self.coordinator_settings();
        let not_available = Msg::FindCoordinatorResponse {
            error: Some(ApiError::default_for(KafkaError::CoordinatorNotAvailable)),
            coordinator: None,
        };
        let Some(topic) = self.image.topics.get(OFFSETS_TOPIC) else {
            if self.auto_creating.insert(OFFSETS_TOPIC.to_string()) {
                let sources = self.config_sources();
                let replication_factor =
                    sources.configured("offsets.topic.replication.factor").and_then(|v| v.parse().ok()).unwrap_or(3);
                ctx.trace(format!(
                    "creating the internal topic {OFFSETS_TOPIC} ({} partitions, replication factor {replication_factor}) for the first group coordinator lookup",
                    settings.offsets_partitions
                ));
                let topic = CreatableTopic {
                    name: OFFSETS_TOPIC.to_string(),
                    num_partitions: settings.offsets_partitions as i32,
                    replication_factor,
                    configs: vec![
                        ("cleanup.policy".to_string(), "compact".to_string()),
                        ("compression.type".to_string(), "producer".to_string()),
                        ("segment.bytes".to_string(), "104857600".to_string()),
                    ],
                };
                if self.send_to_controller(Msg::CreateTopicsRequest { topics: vec![topic] }, ctx).is_none() {
                    self.auto_creating.remove(OFFSETS_TOPIC);
                }
            }
            return not_available;
        };
        let partition = crate::group_coordinator::partition_for(group_id, settings.offsets_partitions);
        let leader = topic.partitions.get(&partition).and_then(|p| p.leader);
        let coordinator = leader.and_then(|id| self.live_broker(id));
        match coordinator {
            Some(c) => Msg::FindCoordinatorResponse { error: None, coordinator: Some(c) },
            None => not_available,
        }
    }

    /// A registered, unfenced broker's client endpoint, as Metadata and FindCoordinator
    /// answers name it.
    fn live_broker(&self, id: NodeId) -> Option<BrokerMetadata> {
        let b = self.image.brokers.get(&id).filter(|b| !b.fenced)?;
        let e = b.endpoints.iter().find(|e| e.name != "CONTROLLER")?;
        Some(BrokerMetadata { node_id: id, host: e.host.clone(), port: e.port })
    }

    fn metadata_response(
        &mut self,
        topics: Option<Vec<String>>,
        allow_auto_topic_creation: bool,
        ctx: &mut Ctx,
    ) -> Msg {
        let brokers = self.image.brokers.keys().filter_map(|id| self.live_broker(*id)).collect();
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
                            adding: pi.adding.clone(),
                            removing: pi.removing.clone(),
                        })
                        .collect(),
                    // Every config not at Kafka's default: the topic's own, else a dynamic or
                    // static broker synonym.
                    configs: crate::config::TOPIC_CONFIG_DEFAULTS
                        .iter()
                        .filter_map(|(k, _)| Some((k.to_string(), self.topic_config_value(&name, k)?)))
                        .collect(),
                    dynamic_configs: self.described_topic_configs(&t.configs),
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
                        dynamic_configs: Vec::new(),
                    });
                }
            }
        }
        Msg::MetadataResponse { brokers, controller_id: self.controller, topics: result }
    }
}
