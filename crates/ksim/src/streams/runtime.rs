//! A Kafka Streams application (`KafkaStreams`) running against the simulated cluster.
//!
//! application.id is the consumer group; the instance creates its internal topics at
//! start-up (repartition topics, and changelogs with `cleanup.policy=compact`, as many
//! partitions as the sub-topology's source topics), consumes its source and repartition
//! topics through the group, runs one task per sub-topology and partition it owns,
//! produces to sinks, repartition and changelog topics with its producer, commits every
//! `commit.interval.ms`, and restores a task's stores from their changelogs when the task
//! moves to it after a rebalance.

use super::serde::DeserializationHandler;
use super::task::{CollectedRecord, Task, TaskId};
use super::topology::Topology;
use super::view::StoreRow;
use super::Datum;
use crate::ids::ClientId;
use crate::node::{ClientEvent, LogLine};
use crate::world::World;
use std::collections::BTreeMap;

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
}

impl StreamsConfig {
    pub(crate) fn new(application_id: &str, bootstrap_servers: Vec<String>) -> StreamsConfig {
        StreamsConfig {
            application_id: application_id.to_string(),
            bootstrap_servers,
            commit_interval_ms: 30_000,
            deserialization_handler: DeserializationHandler::LogAndFail,
            replication_factor: -1,
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

#[derive(Clone, Debug)]
pub(crate) struct StreamsApp {
    pub(crate) id: AppId,
    pub(crate) config: StreamsConfig,
    pub(crate) topology: Topology,
    pub(crate) state: StreamsState,
    pub(crate) tasks: BTreeMap<TaskId, Task>,
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
    pub(crate) fn node_counts(&self) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for task in self.tasks.values() {
            for (node, n) in &task.processed {
                if let Some(name) = self.topology.nodes.get(*node).map(|n| n.name.clone()) {
                    *counts.entry(name).or_default() += n;
                }
            }
        }
        counts
    }
}

/// The world's Streams applications and which client processes belong to them.
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamsApps {
    pub(crate) apps: BTreeMap<AppId, StreamsApp>,
    /// Client process → its application (their events go to it, not to the console).
    pub(crate) owners: BTreeMap<ClientId, AppId>,
    /// Events of owned clients not yet handled.
    pub(crate) inbox: Vec<(ClientId, ClientEvent)>,
    next_id: u32,
}

impl StreamsApps {
    pub(crate) fn owns(&self, client: ClientId) -> bool {
        self.owners.contains_key(&client)
    }
}

impl World {
    /// `new KafkaStreams(topology, config).start()`.
    pub(crate) fn start_streams(&mut self, topology: Topology, config: StreamsConfig) -> AppId {
        self.streams.next_id += 1;
        let id = AppId(self.streams.next_id);
        let app = StreamsApp {
            id,
            config,
            topology,
            state: StreamsState::Created,
            tasks: BTreeMap::new(),
            output: StreamsOutput::default(),
        };
        self.streams.apps.insert(id, app);
        id
    }

    /// `KafkaStreams.close()`: commits, leaves the group, flushes the producer.
    pub(crate) fn close_streams(&mut self, id: AppId) {
        if let Some(app) = self.streams.apps.get_mut(&id) {
            app.state = StreamsState::NotRunning;
        }
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
}
