//! A Kafka Streams application (`KafkaStreams`) running against the simulated cluster.
//!
//! application.id is the consumer group; the instance creates its internal topics at
//! start-up (repartition topics, and changelogs with `cleanup.policy=compact`, as many
//! partitions as the sub-topology's source topics), consumes its source and repartition
//! topics through the group, runs one task per sub-topology and partition it owns,
//! produces to sinks, repartition and changelog topics with its producer, commits every
//! `commit.interval.ms`, and restores a task's stores from their changelogs when the task
//! moves to it after a rebalance.
//!
//! Simplifications: one group consumer per source topic (Kafka's single consumer
//! subscribes to them all; the range assignor keeps co-partitioned topics on one instance
//! since member ids start with the instance's process id); offsets are committed by the
//! consumers' auto-commit every `commit.interval.ms`; processing and restoration take no
//! simulated time (restoration reads the changelog partitions' committed records from
//! their leaders at assignment); no standby tasks.

use super::serde::DeserializationHandler;
use super::task::{CollectedRecord, InputRecord, Task, TaskId, TaskOutput};
use super::topology::{NodeKind, Topology};
use super::view::StoreRow;
use super::Datum;
use crate::client::admin::{Admin, AdminCall, AdminOutcome};
use crate::client::consumer::{Consumer, ConsumerConfig, ConsumerEvent, GroupConfig, StartOffset};
use crate::client::producer::{idempotence_enabled, Producer, ProducerConfig, ProducerEvent};
use crate::client::{Client, ClientRole};
use crate::error::KafkaError;
use crate::ids::{Addr, ClientId};
use crate::node::{ClientEvent, Level, LogLine};
use crate::protocol::CreatableTopic;
use crate::vec_map::{VecMap, VecSet};
use crate::world::World;

/// One application instance started in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct AppId(pub(crate) u32);

/// `StreamsConfig`: the settings the simulator honours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StreamsConfig {
    /// `application.id`: the group id and the internal topics' prefix.
    pub(crate) application_id: String,
    pub(crate) bootstrap_servers: Vec<String>,
    /// `commit.interval.ms` (30000 with `at_least_once`).
    pub(crate) commit_interval_ms: u64,
    /// `default.deserialization.exception.handler`.
    pub(crate) deserialization_handler: DeserializationHandler,
    /// `replication.factor` of internal topics (-1: the broker's default).
    pub(crate) replication_factor: i16,
    /// `statestore.cache.max.bytes`: with a cache, a table's updates of one key collapse
    /// into one per commit. The simulator's default is 0 (one update per input, as the
    /// Streams examples and `TopologyTestDriver` show); Kafka's is 10485760.
    pub(crate) statestore_cache_max_bytes: u64,
    /// `auto.offset.reset` of the source topics (Kafka Streams' default: earliest;
    /// ksqlDB's: latest). Internal topics are always read from the earliest offset.
    pub(crate) auto_offset_reset: StartOffset,
}

impl StreamsConfig {
    pub(crate) fn new(application_id: &str, bootstrap_servers: Vec<String>) -> StreamsConfig {
        StreamsConfig {
            application_id: application_id.to_string(),
            bootstrap_servers,
            commit_interval_ms: 30_000,
            deserialization_handler: DeserializationHandler::LogAndFail,
            replication_factor: -1,
            statestore_cache_max_bytes: 0,
            auto_offset_reset: StartOffset::Earliest,
        }
    }
}

/// `KafkaStreams.State`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamsState {
    Created,
    Rebalancing,
    Running,
    PendingShutdown,
    NotRunning,
    PendingError,
    Error,
}

impl std::fmt::Display for StreamsState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StreamsState::Created => "CREATED",
            StreamsState::Rebalancing => "REBALANCING",
            StreamsState::Running => "RUNNING",
            StreamsState::PendingShutdown => "PENDING_SHUTDOWN",
            StreamsState::NotRunning => "NOT_RUNNING",
            StreamsState::PendingError => "PENDING_ERROR",
            StreamsState::Error => "ERROR",
        })
    }
}

/// What an application reported since the last take: its log and collected records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct StreamsOutput {
    pub(crate) logs: Vec<LogLine>,
    pub(crate) collected: Vec<CollectedRecord>,
}

/// One of the instance's consumers: the topic it subscribes to, and the partitions the
/// group gave it (None before the first assignment).
#[derive(Clone, Debug)]
struct ConsumerSlot {
    topic: String,
    assigned: Option<Vec<u32>>,
}

#[derive(Clone, Debug)]
pub(crate) struct StreamsApp {
    pub(crate) id: AppId,
    pub(crate) config: StreamsConfig,
    pub(crate) topology: Topology,
    pub(crate) state: StreamsState,
    /// `client.id`: `<application.id>-<process UUID>`, the prefix of its clients' ids.
    pub(crate) client_id: String,
    pub(crate) tasks: VecMap<TaskId, Task>,
    admin: Option<ClientId>,
    producer: Option<ClientId>,
    consumers: VecMap<ClientId, ConsumerSlot>,
    /// Partition counts of the source and internal topics, as at start-up (copied into the
    /// consumer's `group_topic_partitions`).
    partitions: VecMap<String, u32>,
    /// When the record caches are flushed next (only with a cache).
    next_commit: Option<crate::time::SimTime>,
    output: StreamsOutput,
}

impl StreamsApp {
    pub(crate) fn state(&self) -> StreamsState {
        self.state
    }

    pub(crate) fn topology(&self) -> &Topology {
        &self.topology
    }

    pub(crate) fn config(&self) -> &StreamsConfig {
        &self.config
    }

    /// The tasks this instance runs.
    pub(crate) fn task_ids(&self) -> Vec<TaskId> {
        self.tasks.keys().copied().collect()
    }

    /// The partitions the group gave this instance, by topic.
    pub(crate) fn assigned_partitions(&self) -> VecMap<String, Vec<u32>> {
        self.consumers.values().map(|s| (s.topic.clone(), s.assigned.clone().unwrap_or_default())).collect()
    }

    /// The instance's client processes (admin, producer, consumers).
    pub(crate) fn clients(&self) -> Vec<ClientId> {
        self.admin.iter().chain(self.producer.iter()).chain(self.consumers.keys()).copied().collect()
    }

    /// Every row of a store across this instance's tasks (a pull query without a key).
    pub(crate) fn rows(&self, store: &str) -> Vec<StoreRow> {
        let mut rows: Vec<StoreRow> = self
            .tasks
            .values()
            .filter_map(|t| t.stores.get(store))
            .flat_map(|s| s.entries().map(|(k, v)| StoreRow::from_entry(k, v)))
            .collect();
        rows.sort_by(|a, b| (&a.key, a.window).cmp(&(&b.key, b.window)));
        rows
    }

    /// One key's rows (every window of it in a windowed store).
    pub(crate) fn get(&self, store: &str, key: &Datum) -> Vec<StoreRow> {
        self.rows(store).into_iter().filter(|r| &r.key == key).collect()
    }

    /// Records processed per node name on this instance.
    pub(crate) fn node_counts(&self) -> VecMap<String, u64> {
        let mut counts = VecMap::new();
        for task in self.tasks.values() {
            for (node, n) in &task.processed {
                if let Some(name) = self.topology.nodes.get(*node).map(|n| n.name.clone()) {
                    *counts.entry(name).or_default() += n;
                }
            }
        }
        counts
    }

    /// Records forwarded along each edge (parent name, child name) on this instance.
    pub(crate) fn edge_counts(&self) -> VecMap<(String, String), u64> {
        let mut counts = VecMap::new();
        let name = |i: &usize| self.topology.nodes.get(*i).map(|n| n.name.clone()).unwrap_or_default();
        for task in self.tasks.values() {
            for ((from, to), n) in &task.edges {
                *counts.entry((name(from), name(to))).or_default() += n;
            }
        }
        counts
    }

    fn thread(&self) -> String {
        format!("{}-StreamThread-1", self.client_id)
    }

    fn log(&mut self, world: &World, level: Level, text: String) {
        self.output.logs.push(LogLine { at: world.now(), level, text });
    }

    /// `KafkaStreams.setState`, logged as Kafka logs it.
    fn transition(&mut self, world: &World, to: StreamsState) {
        if self.state == to {
            return;
        }
        let text = format!(
            "stream-client [{}] State transition from {} to {} (org.apache.kafka.streams.KafkaStreams)",
            self.client_id, self.state, to
        );
        self.state = to;
        self.log(world, Level::Info, text);
    }

    /// The topology's name of a consumed topic (internal ones without the prefix).
    fn topology_topic(&self, topic: &str) -> (String, bool) {
        let prefix = format!("{}-", self.config.application_id);
        if let Some(rest) = topic.strip_prefix(&prefix) {
            let internal = self.topology.nodes.iter().any(|n| {
                matches!(&n.kind, NodeKind::Source { topics, internal: true, .. } if topics.iter().any(|t| t == rest))
            });
            if internal {
                return (rest.to_string(), true);
            }
        }
        (topic.to_string(), false)
    }

    /// The sub-topology reading a (runtime) topic.
    fn subtopology_of(&self, topic: &str) -> Option<u32> {
        let (name, _) = self.topology_topic(topic);
        let groups = self.topology.node_groups();
        self.topology.nodes.iter().enumerate().find_map(|(i, n)| match &n.kind {
            NodeKind::Source { topics, .. } if topics.contains(&name) => groups.get(i).copied(),
            _ => None,
        })
    }

    fn on_event(&mut self, world: &mut World, client: ClientId, event: ClientEvent) {
        match event {
            ClientEvent::Log(line) => self.output.logs.push(line),
            ClientEvent::Admin(AdminOutcome::Created(results)) if Some(client) == self.admin => {
                let failed: Vec<String> = results
                    .iter()
                    .filter(|r| r.error.as_ref().is_some_and(|e| e.error != KafkaError::TopicAlreadyExists))
                    .map(|r| format!("{}: {}", r.name, r.error.as_ref().map(|e| e.message.clone()).unwrap_or_default()))
                    .collect();
                if failed.is_empty() {
                    self.start_clients(world);
                } else {
                    let text = format!("stream-thread [{}] Could not create internal topics: {} (org.apache.kafka.streams.processor.internals.InternalTopicManager)", self.thread(), failed.join(", "));
                    self.log(world, Level::Error, text);
                    self.fail(world);
                }
            }
            ClientEvent::Admin(_) => {}
            ClientEvent::Consumer(ConsumerEvent::Assigned(partitions)) => {
                if let Some(slot) = self.consumers.get_mut(&client) {
                    let topic = slot.topic.clone();
                    slot.assigned = Some(partitions.iter().filter(|(t, _)| *t == topic).map(|(_, p)| *p).collect());
                }
                self.assign_tasks(world);
            }
            ClientEvent::Consumer(ConsumerEvent::Records(records)) => {
                for r in records {
                    if self.state == StreamsState::Error || self.state == StreamsState::PendingError {
                        return;
                    }
                    self.process(world, r);
                }
            }
            ClientEvent::Consumer(ConsumerEvent::Fatal(e)) => {
                let text = format!("stream-thread [{}] Encountered the following exception during processing and the thread is going to shut down: {}: {} (org.apache.kafka.streams.processor.internals.StreamThread)", self.thread(), e.error.exception(), e.message);
                self.log(world, Level::Error, text);
                self.fail(world);
            }
            ClientEvent::Consumer(_) => {}
            ClientEvent::Producer(ProducerEvent::Failed { topic, error, .. }) => {
                let text = format!("stream-thread [{}] Error encountered sending record to topic {topic} due to: {error} (org.apache.kafka.streams.processor.internals.RecordCollectorImpl)", self.thread());
                self.log(world, Level::Error, text);
            }
            ClientEvent::Producer(_) => {}
        }
    }

    /// After the internal topics exist: the producer, then one consumer per source topic.
    fn start_clients(&mut self, world: &mut World) {
        let thread = self.thread();
        let bootstrap = self.config.bootstrap_servers.clone();
        let retries = i32::MAX as u32;
        let producer_config = ProducerConfig {
            bootstrap_servers: bootstrap.clone(),
            client_id: format!("{thread}-producer"),
            acks: -1,
            // StreamsConfig's producer default override.
            linger_ms: 100,
            batch_size: 16_384,
            retries,
            retry_backoff_ms: 100,
            request_timeout_ms: 30_000,
            max_block_ms: 60_000,
            enable_idempotence: idempotence_enabled(None, -1, retries, 5).unwrap_or(false),
            max_in_flight_requests_per_connection: 5,
            delivery_timeout_ms: 120_000,
        };
        let producer = world.start_client(|_| Client {
            client_id: producer_config.client_id.clone(),
            role: ClientRole::Producer(Box::new(Producer::new(producer_config))),
            alive: true,
        });
        world.streams.owners.insert(producer, self.id);
        self.producer = Some(producer);
        let mut topics: Vec<String> = Vec::new();
        for node in &self.topology.nodes {
            if let NodeKind::Source { topics: ts, internal, .. } = &node.kind {
                for t in ts {
                    let name = Topology::runtime_topic(&self.config.application_id, t, *internal);
                    if !topics.contains(&name) {
                        topics.push(name);
                    }
                }
            }
        }
        for (n, topic) in topics.into_iter().enumerate() {
            let client_id = if n == 0 { format!("{thread}-consumer") } else { format!("{thread}-consumer-{}", n + 1) };
            let group = GroupConfig {
                enable_auto_commit: true,
                auto_commit_interval_ms: self.config.commit_interval_ms,
                group_topic_partitions: self.partitions.clone(),
                ..GroupConfig::default()
            };
            let config = ConsumerConfig {
                bootstrap_servers: bootstrap.clone(),
                client_id: client_id.clone(),
                group_id: self.config.application_id.clone(),
                topic: topic.clone(),
                partition: None,
                start: if topic.starts_with(&format!("{}-", self.config.application_id)) {
                    StartOffset::Earliest
                } else {
                    self.config.auto_offset_reset
                },
                fetch_max_wait_ms: 500,
                idle_timeout_ms: None,
                retry_backoff_ms: 100,
                group: Some(group),
            };
            let id = world.start_client(|_| Client {
                client_id,
                role: ClientRole::Consumer(Box::new(Consumer::new(config))),
                alive: true,
            });
            world.streams.owners.insert(id, self.id);
            self.consumers.insert(id, ConsumerSlot { topic, assigned: None });
        }
    }

    /// The tasks of the partitions the group gave this instance's consumers: new ones
    /// restore their stores from the changelogs, lost ones are dropped.
    fn assign_tasks(&mut self, world: &mut World) {
        let mut wanted: VecSet<TaskId> = VecSet::new();
        for slot in self.consumers.values() {
            let Some(sub) = self.subtopology_of(&slot.topic) else { continue };
            for p in slot.assigned.iter().flatten() {
                wanted.insert(TaskId { subtopology: sub, partition: *p });
            }
        }
        let lost: Vec<TaskId> = self.tasks.keys().filter(|t| !wanted.contains(t)).copied().collect();
        let added: Vec<TaskId> = wanted.iter().filter(|t| !self.tasks.contains_key(t)).copied().collect();
        if !lost.is_empty() || !added.is_empty() {
            let list = |ts: &[TaskId]| ts.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let all: Vec<TaskId> = wanted.iter().copied().collect();
            let text = format!(
                "stream-thread [{}] Handle new assignment with:\n\tNew active tasks: [{}]\n\tExisting active tasks: [{}]\n\tNew standby tasks: []\n\tExisting standby tasks: [] (org.apache.kafka.streams.processor.internals.TaskManager)",
                self.thread(),
                list(&added),
                list(&all.iter().filter(|t| !added.contains(t)).copied().collect::<Vec<_>>())
            );
            self.log(world, Level::Info, text);
        }
        for t in lost {
            // A revoked task commits first: its cached updates are flushed.
            if let Some(mut task) = self.tasks.remove(&t) {
                let mut out = Vec::new();
                task.flush(&self.topology, &mut out);
                for o in out {
                    self.apply(world, t, o);
                }
            }
        }
        for id in added {
            let mut task = Task::new(id, &self.topology);
            task.cache_max_bytes = usize::try_from(self.config.statestore_cache_max_bytes).unwrap_or(usize::MAX);
            let stores: Vec<(String, String)> = task
                .stores
                .values()
                .filter(|s| s.spec.logging)
                .map(|s| (s.spec.name.clone(), s.spec.changelog_topic(&self.config.application_id)))
                .collect();
            for (store, changelog) in stores {
                let records = read_committed_log(world, &changelog, id.partition);
                for r in &records {
                    task.restore(&store, r.key().unwrap_or_default(), r.value(), r.timestamp_ms as i64);
                }
                if !records.is_empty() {
                    let text = format!("stream-thread [{}] Finished restoring changelog {changelog}-{} to store {store} with a total number of {} records (org.apache.kafka.streams.processor.internals.StoreChangelogReader)", self.thread(), id.partition, records.len());
                    self.log(world, Level::Info, text);
                }
            }
            self.tasks.insert(id, task);
        }
        let everyone_assigned = self.consumers.values().all(|s| s.assigned.is_some());
        if everyone_assigned && self.state == StreamsState::Rebalancing {
            self.transition(world, StreamsState::Running);
        }
        if self.config.statestore_cache_max_bytes > 0 && self.next_commit.is_none() {
            self.next_commit = Some(world.now().plus_ms(self.config.commit_interval_ms));
        }
    }

    fn process(&mut self, world: &mut World, r: crate::client::consumer::ConsumedRecord) {
        let Some(sub) = self.subtopology_of(&r.topic) else { return };
        let id = TaskId { subtopology: sub, partition: r.partition };
        let (topic, _) = self.topology_topic(&r.topic);
        let input = InputRecord {
            topic,
            partition: r.partition,
            offset: r.offset,
            timestamp_ms: r.timestamp_ms as i64,
            key: r.key,
            value: r.value,
        };
        let mut out = Vec::new();
        let result = match self.tasks.get_mut(&id) {
            Some(task) => task.process(&self.topology, &input, self.config.deserialization_handler, &mut out),
            None => return,
        };
        for o in out {
            self.apply(world, id, o);
        }
        if let Err(e) = result {
            let text = format!("stream-thread [{}] Encountered the following exception during processing and the thread is going to shut down: org.apache.kafka.streams.errors.StreamsException: {} (org.apache.kafka.streams.processor.internals.StreamThread)", self.thread(), e.message);
            self.log(world, Level::Error, text);
            self.fail(world);
        }
    }

    fn apply(&mut self, world: &mut World, task: TaskId, output: TaskOutput) {
        match output {
            TaskOutput::Produce(p) => {
                let topic = Topology::runtime_topic(&self.config.application_id, &p.topic, p.internal);
                self.send(world, topic, p.key, p.value, p.timestamp_ms, None, p.partition_key);
            }
            TaskOutput::Changelog(c) => {
                let Some(spec) = self.topology.store(&c.store) else { return };
                let topic = spec.changelog_topic(&self.config.application_id);
                self.send(world, topic, Some(c.key), c.value, c.timestamp_ms, Some(task.partition), None);
            }
            TaskOutput::Log(level, text) => self.log(world, level, text),
            TaskOutput::Collected(c) => self.output.collected.push(c),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn send(
        &mut self,
        world: &mut World,
        topic: String,
        key: Option<Vec<u8>>,
        value: Option<Vec<u8>>,
        timestamp_ms: i64,
        partition: Option<u32>,
        partition_key: Option<Vec<u8>>,
    ) {
        let Some(producer) = self.producer else { return };
        let timestamp = u64::try_from(timestamp_ms).unwrap_or(0);
        world.poke_client(producer, |c, ctx| {
            if let ClientRole::Producer(p) = &mut c.role {
                p.send_streams_record(topic, key, value, timestamp, partition, partition_key, ctx);
            }
        });
    }

    /// `commit()`: every task's record cache goes to the changelogs and downstream.
    fn commit(&mut self, world: &mut World) {
        let ids: Vec<TaskId> = self.tasks.keys().copied().collect();
        for id in ids {
            let mut out = Vec::new();
            if let Some(task) = self.tasks.get_mut(&id) {
                task.flush(&self.topology, &mut out);
            }
            for o in out {
                self.apply(world, id, o);
            }
        }
    }

    /// The stream thread died: PENDING_ERROR, its clients close, ERROR.
    fn fail(&mut self, world: &mut World) {
        self.transition(world, StreamsState::PendingError);
        self.close_clients(world);
        self.transition(world, StreamsState::Error);
    }

    fn close_clients(&mut self, world: &mut World) {
        for c in self.clients() {
            world.poke_client(c, |client, ctx| client.close(ctx));
        }
    }
}

/// The committed records of a partition (below the high watermark), read from its
/// leader: the restore consumer's `poll()` loop up to the end offset, in zero time.
pub(crate) fn read_committed_log<'w>(
    world: &'w World,
    topic: &str,
    partition: u32,
) -> Vec<crate::partition_log::Record<'w>> {
    let Some(leader) = world.freshest_image().and_then(|i| i.topics.get(topic)?.partitions.get(&partition)?.leader)
    else {
        return Vec::new();
    };
    let Some(hosted) = world
        .servers
        .get(&leader)
        .filter(|s| s.running)
        .and_then(|s| s.broker.as_ref())
        .and_then(|b| b.replicas.partitions.get(&(topic.to_string(), partition)))
    else {
        return Vec::new();
    };
    let hw = hosted.log.high_watermark();
    hosted.log.records().take_while(|r| r.offset < hw).collect()
}

/// The world's Streams applications and which client processes belong to them.
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamsApps {
    apps: VecMap<AppId, StreamsApp>,
    /// Client process → its application (their events go to it, not to the console).
    owners: VecMap<ClientId, AppId>,
    /// Events of owned clients not yet handled.
    inbox: Vec<(ClientId, ClientEvent)>,
    next_id: u32,
    /// Handling is under way (a send inside it must not handle events re-entrantly).
    busy: bool,
}

impl StreamsApps {
    pub(crate) fn owns(&self, client: ClientId) -> bool {
        self.owners.contains_key(&client)
    }

    /// Keeps an owned client's event for its application.
    pub(crate) fn deliver(&mut self, client: ClientId, event: ClientEvent) {
        self.inbox.push((client, event));
    }

    pub(crate) fn has_pending(&self) -> bool {
        !self.inbox.is_empty() && !self.busy
    }

    /// Whether an application's commit (record cache flush) is due.
    pub(crate) fn commit_due(&self, now: crate::time::SimTime) -> bool {
        !self.busy && self.apps.values().any(|a| a.next_commit.is_some_and(|t| t <= now))
    }
}

/// Rounds of event handling per world step; each round's sends are answered later in
/// simulated time, so a handful suffices (the bound guards against a bug looping).
const HANDLING_ROUNDS_MAX: usize = 1_000;

impl World {
    /// `new KafkaStreams(topology, config).start()`: CREATED → REBALANCING; the internal
    /// topics are created first, then the clients start.
    pub(crate) fn start_streams(&mut self, topology: Topology, config: StreamsConfig) -> AppId {
        self.streams.next_id += 1;
        let id = AppId(self.streams.next_id);
        let mut partitions: VecMap<String, i32> = VecMap::new();
        if let Some(image) = self.freshest_image() {
            for (name, t) in &image.topics {
                partitions.insert(name.clone(), t.partitions.len() as i32);
            }
        }
        let mut creatable = Vec::new();
        for t in topology.internal_topics(&config.application_id) {
            let count = t.partitions_like.iter().filter_map(|s| partitions.get(s)).copied().max().unwrap_or(-1);
            partitions.insert(t.name.clone(), count);
            creatable.push(CreatableTopic {
                name: t.name,
                num_partitions: count,
                replication_factor: config.replication_factor,
                configs: t.configs,
            });
        }
        let admin_id = format!("{}-admin", config.application_id);
        let bootstrap = config.bootstrap_servers.clone();
        let admin = self.start_client(|_| Client {
            role: ClientRole::Admin(Box::new(Admin::new(bootstrap, &admin_id, AdminCall::CreateTopics(creatable)))),
            client_id: admin_id.clone(),
            alive: true,
        });
        // The process id (`UUID.randomUUID()`), drawn from the admin client's stream.
        let process_id = java_uuid(self.rng_for(Addr::Client(admin)));
        let client_id = format!("{}-{process_id}", config.application_id);
        let mut app = StreamsApp {
            id,
            config,
            topology,
            state: StreamsState::Created,
            client_id,
            tasks: VecMap::new(),
            admin: Some(admin),
            producer: None,
            consumers: VecMap::new(),
            partitions: partitions.iter().filter(|(_, n)| **n > 0).map(|(t, n)| (t.clone(), *n as u32)).collect(),
            next_commit: None,
            output: StreamsOutput::default(),
        };
        app.transition(self, StreamsState::Rebalancing);
        self.streams.owners.insert(admin, id);
        // Kafka Streams never creates its source topics: the first rebalance fails.
        let missing: Vec<String> = app
            .topology
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Source { topics, internal: false, .. } => Some(topics.clone()),
                _ => None,
            })
            .flatten()
            .filter(|t| !partitions.contains_key(t))
            .collect();
        if !missing.is_empty() {
            let text = format!("stream-thread [{}] Encountered the following exception during processing and the thread is going to shut down: org.apache.kafka.streams.errors.MissingSourceTopicException: One or more source topics were missing during rebalance (org.apache.kafka.streams.processor.internals.StreamThread)", app.thread());
            app.log(self, Level::Error, text);
            app.fail(self);
        }
        self.streams.apps.insert(id, app);
        id
    }

    /// `KafkaStreams.close()`: consumers commit and leave the group, the producer
    /// flushes; PENDING_SHUTDOWN then NOT_RUNNING.
    pub(crate) fn close_streams(&mut self, id: AppId) {
        let Some(mut app) = self.streams.apps.remove(&id) else { return };
        if !matches!(app.state, StreamsState::NotRunning | StreamsState::Error) {
            app.transition(self, StreamsState::PendingShutdown);
            app.commit(self);
            app.close_clients(self);
            app.tasks.clear();
            app.transition(self, StreamsState::NotRunning);
        }
        self.streams.apps.insert(id, app);
        self.run_streams();
    }

    /// Forgets a closed application (ksqlDB drops a transient query once it ends): it
    /// leaves the view; its clients' late events are ignored.
    pub(crate) fn forget_streams(&mut self, id: AppId) {
        self.streams.apps.remove(&id);
    }

    /// The instance's process dies (`kill -9`): no commit, no LeaveGroup; the group
    /// moves its tasks only once `session.timeout.ms` passed.
    pub(crate) fn crash_streams(&mut self, id: AppId) {
        let Some(mut app) = self.streams.apps.remove(&id) else { return };
        for c in app.clients() {
            self.poke_client(c, |client, _| client.alive = false);
        }
        app.tasks.clear();
        app.state = StreamsState::NotRunning;
        self.streams.apps.insert(id, app);
    }

    pub(crate) fn streams(&self, id: AppId) -> Option<&StreamsApp> {
        self.streams.apps.get(&id)
    }

    /// Every application instance, in start order.
    pub(crate) fn streams_apps(&self) -> impl Iterator<Item = &StreamsApp> {
        self.streams.apps.values()
    }

    /// Takes what the application logged and collected since the last call.
    pub(crate) fn take_streams_output(&mut self, id: AppId) -> StreamsOutput {
        self.streams.apps.get_mut(&id).map(|a| std::mem::take(&mut a.output)).unwrap_or_default()
    }

    /// Flushes the record caches of the applications whose `commit.interval.ms` passed.
    pub(crate) fn commit_streams(&mut self) {
        let now = self.now();
        let due: Vec<AppId> =
            self.streams.apps.values().filter(|a| a.next_commit.is_some_and(|t| t <= now)).map(|a| a.id).collect();
        for id in due {
            let Some(mut app) = self.streams.apps.remove(&id) else { continue };
            app.next_commit = Some(now.plus_ms(app.config.commit_interval_ms));
            if matches!(app.state, StreamsState::Running | StreamsState::Rebalancing) {
                app.commit(self);
            }
            self.streams.apps.insert(id, app);
        }
        self.run_streams();
    }

    /// Hands the events of the applications' clients to them (records are processed
    /// the moment they arrive: processing takes no simulated time).
    pub(crate) fn run_streams(&mut self) {
        if self.streams.busy {
            return;
        }
        self.streams.busy = true;
        for _ in 0..HANDLING_ROUNDS_MAX {
            let events = std::mem::take(&mut self.streams.inbox);
            if events.is_empty() {
                break;
            }
            for (client, event) in events {
                let Some(app_id) = self.streams.owners.get(&client).copied() else { continue };
                let Some(mut app) = self.streams.apps.remove(&app_id) else { continue };
                app.on_event(self, client, event);
                self.streams.apps.insert(app_id, app);
            }
        }
        self.streams.busy = false;
    }
}

/// `java.util.UUID.randomUUID().toString()`: version 4, variant 2, hex groups 8-4-4-4-12.
fn java_uuid(rng: &mut crate::rng::SimRng) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}
