//! A KRaft broker: registers with the controller, follows the metadata log, hosts
//! partition replicas, and serves clients' produce, fetch, metadata and admin requests.
//!
//! Simplification until the replication issue lands: followers do not fetch yet, so the
//! high watermark of a partition advances only when its ISR is the leader alone.

use crate::error::{ApiError, KafkaError};
use crate::ids::{Addr, NodeId, Uuid};
use crate::metadata::{Endpoint, MetadataEntry, MetadataImage, MetadataRecord};
use crate::node::{Ctx, Level, Target, Timer};
use crate::partition_log::PartitionLog;
use crate::protocol::{
    BrokerMetadata, CreatableTopic, FetchPartition, FetchedPartition, Msg, OffsetSpec,
    PartitionMetadata, TopicMetadata,
};
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
/// `fetch.max.wait.ms` of the broker's metadata fetcher (a long poll).
const METADATA_FETCH_WAIT_MS: u64 = 500;
/// `max.poll.records`-sized responses keep each fetch small enough to follow.
const FETCH_RECORDS_MAX: usize = 500;
/// Backoff before re-sending to an unreachable controller.
const CONTROLLER_RETRY_MS: u64 = 100;

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

pub(crate) struct Broker {
    node_id: NodeId,
    incarnation_id: Uuid,
    endpoints: Vec<Endpoint>,
    controller_address: String,
    controller: Option<NodeId>,
    pub(crate) state: BrokerState,
    broker_epoch: Option<u64>,
    pub(crate) image: MetadataImage,
    last_fetched_epoch: u32,
    pub(crate) partitions: BTreeMap<(String, u32), HostedPartition>,
    parked: Vec<ParkedFetch>,
    pending_produce: Vec<PendingProduce>,
    forwarded: BTreeMap<u32, Forwarded>,
    /// Topics this broker asked the controller to auto-create and has not seen yet.
    auto_creating: BTreeSet<String>,
    next_correlation_id: u32,
    /// Topic configs set by this broker's static config (shown as non-default).
    static_topic_configs: Vec<(String, String)>,
    num_partitions: i32,
    default_replication_factor: i16,
    auto_create_topics_enable: bool,
}

/// Broker settings that topics inherit.
pub(crate) struct TopicDefaults {
    pub(crate) static_topic_configs: Vec<(String, String)>,
    pub(crate) num_partitions: i32,
    pub(crate) default_replication_factor: i16,
    pub(crate) auto_create_topics_enable: bool,
}

impl Broker {
    pub(crate) fn new(
        node_id: NodeId,
        incarnation_id: Uuid,
        endpoints: Vec<Endpoint>,
        controller_address: String,
        defaults: TopicDefaults,
    ) -> Broker {
        Broker {
            node_id,
            incarnation_id,
            endpoints,
            controller_address,
            controller: None,
            state: BrokerState::Starting,
            broker_epoch: None,
            image: MetadataImage::default(),
            last_fetched_epoch: 0,
            partitions: BTreeMap::new(),
            parked: Vec::new(),
            pending_produce: Vec::new(),
            forwarded: BTreeMap::new(),
            auto_creating: BTreeSet::new(),
            next_correlation_id: 0,
            static_topic_configs: defaults.static_topic_configs,
            num_partitions: defaults.num_partitions,
            default_replication_factor: defaults.default_replication_factor,
            auto_create_topics_enable: defaults.auto_create_topics_enable,
        }
    }

    fn correlation_id(&mut self) -> u32 {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    fn tag(&self) -> String {
        format!("[BrokerLifecycleManager id={}]", self.node_id.0)
    }

    /// Sends to the active controller once known, else to the configured bootstrap address.
    fn send_to_controller(&mut self, msg: Msg, ctx: &mut Ctx) -> u32 {
        let correlation_id = self.correlation_id();
        let target = match self.controller {
            Some(id) => Target::Addr(Addr::Node(id)),
            None => Target::HostPort(self.controller_address.clone()),
        };
        ctx.send_to(target, correlation_id, msg);
        correlation_id
    }

    pub(crate) fn start(&mut self, ctx: &mut Ctx) {
        ctx.log(Level::Info, format!("[BrokerServer id={}] Transition from SHUTDOWN to STARTING (kafka.server.BrokerServer)", self.node_id.0));
        ctx.trace("started: fetching the metadata log and registering with the controller");
        self.fetch_metadata(ctx);
        self.register(ctx);
    }

    fn register(&mut self, ctx: &mut Ctx) {
        let msg = Msg::BrokerRegistrationRequest {
            broker_id: self.node_id,
            incarnation_id: self.incarnation_id,
            endpoints: self.endpoints.clone(),
        };
        self.send_to_controller(msg, ctx);
    }

    fn fetch_metadata(&mut self, ctx: &mut Ctx) {
        let fetch_offset = self.image.applied_offset.map_or(0, |o| o + 1);
        let msg = Msg::MetadataFetchRequest {
            replica_id: self.node_id,
            fetch_offset,
            last_fetched_epoch: self.last_fetched_epoch,
            max_wait_ms: METADATA_FETCH_WAIT_MS,
        };
        self.send_to_controller(msg, ctx);
    }

    fn heartbeat(&mut self, ctx: &mut Ctx) {
        let Some(broker_epoch) = self.broker_epoch else {
            return;
        };
        let msg = Msg::BrokerHeartbeatRequest {
            broker_id: self.node_id,
            broker_epoch,
            current_metadata_offset: self.image.applied_offset,
            want_fence: self.state == BrokerState::Starting,
        };
        self.send_to_controller(msg, ctx);
    }

    /// The controller could not be reached: try again after a short backoff.
    pub(crate) fn on_connection_refused(&mut self, ctx: &mut Ctx) {
        ctx.log(Level::Warn, format!("[RaftManager id={}] Connection to node -1 ({}) could not be established. Node may not be available. (org.apache.kafka.clients.NetworkClient)", self.node_id.0, self.controller_address));
        ctx.timer(CONTROLLER_RETRY_MS, Timer::ClientRetry);
    }

    pub(crate) fn on_timer(&mut self, timer: Timer, ctx: &mut Ctx) {
        match timer {
            Timer::BrokerHeartbeat => self.heartbeat(ctx),
            Timer::MetadataFetch => self.fetch_metadata(ctx),
            Timer::DelayedFetch => self.complete_parked(ctx, true),
            Timer::ClientRetry => {
                self.fetch_metadata(ctx);
                if self.broker_epoch.is_none() {
                    self.register(ctx);
                }
            }
            _ => {}
        }
    }

    pub(crate) fn handle_message(
        &mut self,
        from: Addr,
        correlation_id: u32,
        msg: Msg,
        ctx: &mut Ctx,
    ) {
        match msg {
            Msg::BrokerRegistrationResponse {
                error: None,
                broker_epoch,
            } => {
                if let Addr::Node(id) = from {
                    self.controller = Some(id);
                }
                self.broker_epoch = Some(broker_epoch);
                ctx.log(Level::Info, format!("{} Successfully registered broker {} with broker epoch {broker_epoch} (kafka.server.BrokerLifecycleManager)", self.tag(), self.node_id.0));
                self.heartbeat(ctx);
            }
            Msg::BrokerHeartbeatResponse {
                error: None,
                is_caught_up,
                is_fenced,
            } => self.on_heartbeat_response(is_caught_up, is_fenced, ctx),
            Msg::BrokerRegistrationResponse { error: Some(_), .. }
            | Msg::BrokerHeartbeatResponse { error: Some(_), .. } => {
                ctx.timer(CONTROLLER_RETRY_MS, Timer::ClientRetry);
            }
            Msg::MetadataFetchResponse {
                leader_id,
                leader_epoch,
                entries,
                ..
            } => {
                self.controller = Some(leader_id);
                self.last_fetched_epoch = leader_epoch;
                let more = !entries.is_empty();
                for entry in &entries {
                    self.apply_metadata(entry, ctx);
                }
                if more {
                    self.fetch_metadata(ctx);
                } else {
                    ctx.timer(0, Timer::MetadataFetch);
                }
            }
            Msg::CreateTopicsResponse { .. } | Msg::DeleteTopicsResponse { .. } => {
                if let Some(f) = self.forwarded.remove(&correlation_id) {
                    ctx.send(f.client, f.correlation_id, msg);
                }
            }
            Msg::CreateTopicsRequest { .. } | Msg::DeleteTopicsRequest { .. } => {
                let forwarded_id = self.send_to_controller(msg, ctx);
                self.forwarded.insert(
                    forwarded_id,
                    Forwarded {
                        client: from,
                        correlation_id,
                    },
                );
            }
            Msg::MetadataRequest {
                topics,
                allow_auto_topic_creation,
            } => {
                let response = self.metadata_response(topics, allow_auto_topic_creation, ctx);
                ctx.send(from, correlation_id, response);
            }
            Msg::ProduceRequest {
                acks,
                topic,
                partition,
                records,
            } => self.produce(from, correlation_id, acks, topic, partition, records, ctx),
            Msg::FetchRequest {
                max_wait_ms,
                partitions,
            } => {
                let response = self.read(&partitions);
                let has_data = response
                    .iter()
                    .any(|p| !p.records.is_empty() || p.error.is_some());
                if has_data || max_wait_ms == 0 {
                    ctx.send(
                        from,
                        correlation_id,
                        Msg::FetchResponse {
                            partitions: response,
                        },
                    );
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
            Msg::ListOffsetsRequest {
                topic,
                partitions,
                spec,
            } => {
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
                ctx.send(
                    from,
                    correlation_id,
                    Msg::ListOffsetsResponse { topic, offsets },
                );
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
            BrokerState::Starting => ctx.timer(STARTING_HEARTBEAT_MS, Timer::BrokerHeartbeat),
            BrokerState::Recovery if !is_fenced => {
                self.state = BrokerState::Running;
                let id = self.node_id.0;
                ctx.log(Level::Info, format!("{tag} The broker has been unfenced. Transitioning from RECOVERY to RUNNING. (kafka.server.BrokerLifecycleManager)"));
                ctx.log(Level::Info, format!("[BrokerServer id={id}] Transition from STARTING to STARTED (kafka.server.BrokerServer)"));
                ctx.log(
                    Level::Info,
                    "Kafka version: 4.0.0 (org.apache.kafka.common.utils.AppInfoParser)",
                );
                ctx.log(Level::Info, format!("[KafkaRaftServer nodeId={id}] Kafka Server started (kafka.server.KafkaRaftServer)"));
                ctx.trace("unfenced by the controller: RECOVERY → RUNNING, now accepting client connections on its PLAINTEXT listener");
                ctx.timer(HEARTBEAT_INTERVAL_MS, Timer::BrokerHeartbeat);
            }
            BrokerState::Recovery => ctx.timer(STARTING_HEARTBEAT_MS, Timer::BrokerHeartbeat),
            BrokerState::Running => ctx.timer(HEARTBEAT_INTERVAL_MS, Timer::BrokerHeartbeat),
        }
    }

    /// Applies one committed metadata record and publishes what it means for this broker.
    fn apply_metadata(&mut self, entry: &MetadataEntry, ctx: &mut Ctx) {
        self.image.apply(entry);
        match &entry.record {
            MetadataRecord::Partition {
                partition_id,
                topic_id,
                replicas,
                isr,
                leader,
                leader_epoch,
                ..
            } => {
                if !replicas.contains(&self.node_id) {
                    return;
                }
                let Some(topic) = self.image.topic_name(*topic_id).map(str::to_string) else {
                    return;
                };
                self.auto_creating.remove(&topic);
                let is_leader = *leader == Some(self.node_id);
                let hosted = self
                    .partitions
                    .entry((topic.clone(), *partition_id))
                    .or_insert_with(|| HostedPartition {
                        log: PartitionLog::default(),
                        leader_epoch: *leader_epoch,
                        is_leader,
                        isr: isr.clone(),
                    });
                hosted.is_leader = is_leader;
                hosted.leader_epoch = *leader_epoch;
                hosted.isr = isr.clone();
                let role = if is_leader { "leader" } else { "follower" };
                ctx.trace(format!("created the log of {topic}-{partition_id} and became its {role} (leader epoch {leader_epoch})"));
            }
            MetadataRecord::RemoveTopic { .. } => {
                let image = &self.image;
                let removed: Vec<(String, u32)> = self
                    .partitions
                    .keys()
                    .filter(|(t, _)| !image.topics.contains_key(t))
                    .cloned()
                    .collect();
                for key in removed {
                    self.partitions.remove(&key);
                    ctx.trace(format!("deleted the log of {}-{}", key.0, key.1));
                }
            }
            _ => {}
        }
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
                Some(BrokerMetadata {
                    node_id: *id,
                    host: e.host.clone(),
                    port: e.port,
                })
            })
            .collect();
        let names: Vec<String> =
            topics.unwrap_or_else(|| self.image.topics.keys().cloned().collect());
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
                            self.static_topic_configs.iter().cloned().collect();
                        merged.extend(t.configs.iter().map(|(k, v)| (k.clone(), v.clone())));
                        merged.into_iter().collect()
                    },
                }),
                None => {
                    if allow_auto_topic_creation
                        && self.auto_create_topics_enable
                        && crate::topic_name::validate(&name).is_ok()
                        && self.auto_creating.insert(name.clone())
                    {
                        ctx.trace(format!(
                            "auto-creating topic {name} (auto.create.topics.enable=true)"
                        ));
                        let topic = CreatableTopic {
                            name: name.clone(),
                            num_partitions: self.num_partitions,
                            replication_factor: self.default_replication_factor,
                            configs: Vec::new(),
                        };
                        self.send_to_controller(
                            Msg::CreateTopicsRequest {
                                topics: vec![topic],
                            },
                            ctx,
                        );
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
        Msg::MetadataResponse {
            brokers,
            controller_id: self.controller,
            topics: result,
        }
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
        ctx.trace(format!("appended {count} record(s) to {topic}-{partition} at offsets {base_offset}..{} (LEO {end_offset})", end_offset - 1));
        self.maybe_increment_high_watermark(&key, ctx);
        match acks {
            0 => {}
            1 => ctx.send(
                from,
                correlation_id,
                Msg::ProduceResponse {
                    topic,
                    partition,
                    error: None,
                    base_offset,
                },
            ),
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
            ctx.trace(format!("advanced the high watermark of {}-{} from {before} to {leo}: every ISR member has the records", key.0, key.1));
            self.complete_parked(ctx, false);
        }
    }

    fn complete_produces(&mut self, ctx: &mut Ctx) {
        let partitions = &self.partitions;
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_produce)
            .into_iter()
            .partition(|p| {
                partitions
                    .get(&(p.topic.clone(), p.partition))
                    .is_some_and(|h| h.log.high_watermark() >= p.end_offset)
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
                let (error, high_watermark, records) =
                    match self.partitions.get(&(p.topic.clone(), p.partition)) {
                        Some(h) if h.is_leader => {
                            let hw = h.log.high_watermark();
                            (
                                None,
                                hw,
                                h.log.read(p.fetch_offset, hw, FETCH_RECORDS_MAX).to_vec(),
                            )
                        }
                        Some(_) => (
                            Some(ApiError::default_for(KafkaError::NotLeaderOrFollower)),
                            0,
                            Vec::new(),
                        ),
                        None => (
                            Some(ApiError::default_for(KafkaError::UnknownTopicOrPartition)),
                            0,
                            Vec::new(),
                        ),
                    };
                FetchedPartition {
                    topic: p.topic.clone(),
                    partition: p.partition,
                    error,
                    high_watermark,
                    records,
                }
            })
            .collect()
    }

    /// Answers parked fetches that now have records, or (on the timer) whose wait expired.
    fn complete_parked(&mut self, ctx: &mut Ctx, expire: bool) {
        let now = ctx.now;
        let mut waiting = Vec::new();
        for p in std::mem::take(&mut self.parked) {
            let response = self.read(&p.partitions);
            let has_data = response
                .iter()
                .any(|r| !r.records.is_empty() || r.error.is_some());
            if has_data || (expire && p.deadline <= now) {
                ctx.send(
                    p.from,
                    p.correlation_id,
                    Msg::FetchResponse {
                        partitions: response,
                    },
                );
            } else {
                waiting.push(p);
            }
        }
        self.parked = waiting;
    }
}
