//! The ksqlDB server the `ksql` CLI talks to (simulated as always running once a broker
//! runs): its metastore, the command counter that numbers query ids
//! (`CSAS_HR_ALERTS_1`: the statement's offset in `_confluent-ksql-default__command_topic`),
//! and its persistent queries. Each query runs as ksqlDB runs it: compiled to a Kafka
//! Streams topology (`ksql/compile.rs`) and started on the simulated cluster as the
//! application `_confluent-ksql-default_query_<ID>` (`World::start_streams`).

use crate::client::admin::AdminOutcome;
use crate::client::consumer::{Consumer, ConsumerConfig, GroupConfig, StartOffset};
use crate::client::producer::{Producer, ProducerConfig};
use crate::client::{Client, ClientRole};
use crate::ids::ClientId;
use crate::ksql::ast::SourceKind;
use crate::ksql::compile::{aggregate_output, compile, Output, SinkFormats, AGGREGATE_STORE};
use crate::ksql::metastore::MetaStore;
use crate::ksql::plan::Plan;
use crate::ksql::query::ResultRow;
use crate::ksql::serde::Format;
use crate::node::ClientEvent;
use crate::streams::runtime::{AppId, StreamsConfig};
use crate::streams::topology::NodeKind;
use crate::streams::DeserializationHandler;
use crate::vec_map::VecMap;
use crate::world::World;

/// Where the simulated server listens.
pub(crate) const SERVER_URL: &str = "http://localhost:8088";
/// The Kafka cluster the server uses (`bootstrap.servers` in `ksql-server.properties`).
pub(crate) const BOOTSTRAP: &str = "localhost:9092";
/// `ksql.streams.commit.interval.ms`: how often queries commit their offsets.
pub(crate) const COMMIT_INTERVAL_MS: u64 = 2000;
/// `ksql.service.id`'s default, the prefix of internal names.
pub(crate) const SERVICE_PREFIX: &str = "_confluent-ksql-default_";

#[derive(Clone)]
pub(crate) struct PersistentQuery {
    pub(crate) id: String,
    pub(crate) sink: String,
    pub(crate) sink_topic: String,
    pub(crate) statement: String,
    pub(crate) plan: Plan,
    /// The Kafka Streams application that runs the query.
    pub(crate) app: AppId,
}

impl PersistentQuery {
    /// Records the query's sources delivered, and those of them it could not read
    /// (the processing log's deserialization errors): what a stream's decoding
    /// received minus what it passed on.
    pub(crate) fn read_and_failed(&self, world: &World) -> (u64, u64) {
        let Some(app) = world.streams(self.app) else { return (0, 0) };
        let counts = app.node_counts();
        let topology = app.topology();
        let count = |name: &str| counts.get(name).copied().unwrap_or(0);
        let mut read = 0;
        let mut failed = 0;
        for node in &topology.nodes {
            match node.kind {
                NodeKind::Source { internal: false, .. } => read += count(&node.name),
                // The decoding of a stream's records: what it received but did not pass on.
                NodeKind::FlatMapValues(_) => {
                    let passed: u64 =
                        node.successors.iter().filter_map(|s| topology.nodes.get(*s)).map(|n| count(&n.name)).sum();
                    failed += count(&node.name).saturating_sub(passed);
                }
                _ => {}
            }
        }
        (read, failed)
    }

    /// The query's result table as its store holds it (an aggregation's; other queries
    /// keep no table a pull query can read).
    pub(crate) fn rows(&self, world: &World) -> Vec<ResultRow> {
        let Some(app) = world.streams(self.app) else { return Vec::new() };
        if self.plan.aggregate.is_none() {
            return Vec::new();
        }
        app.rows(AGGREGATE_STORE)
            .iter()
            .filter_map(|r| {
                let values = aggregate_output(&self.plan, &r.key, r.window, &r.value)?;
                Some(ResultRow {
                    values,
                    tombstone: false,
                    window: r.window.map(|w| (w.start_ms.max(0) as u64, w.end_ms.max(0) as u64)),
                    timestamp_ms: r.timestamp_ms.max(0) as u64,
                })
            })
            .collect()
    }

    /// Records written to the sink topic.
    pub(crate) fn written(&self, world: &World) -> u64 {
        let Some(app) = world.streams(self.app) else { return 0 };
        let counts = app.node_counts();
        app.topology()
            .nodes
            .iter()
            .filter(|n| matches!(&n.kind, NodeKind::Sink { topic, .. } if *topic == self.sink_topic))
            .map(|n| counts.get(&n.name).copied().unwrap_or(0))
            .sum()
    }
}

/// `_confluent-ksql-default_query_CSAS_HR_ALERTS_1`: the group id and application.id.
pub(crate) fn application_id(query_id: &str) -> String {
    format!("{SERVICE_PREFIX}query_{query_id}")
}

#[derive(Clone, Default)]
pub(crate) struct KsqlServer {
    pub(crate) metastore: MetaStore,
    pub(crate) queries: VecMap<String, PersistentQuery>,
    /// The next offset in the command topic: every DDL and persistent query takes one.
    pub(crate) command_offset: u64,
    /// Admin calls in flight and their answers.
    pub(crate) admin: VecMap<ClientId, Option<AdminOutcome>>,
    /// The producer `INSERT INTO … VALUES` writes with, started on first use.
    pub(crate) insert_producer: Option<ClientId>,
}

impl KsqlServer {
    /// Whether a client process is one of the server's.
    pub(crate) fn owns(&self, client: ClientId) -> bool {
        self.admin.contains_key(&client) || self.insert_producer == Some(client)
    }

    /// A client event of one of the server's processes.
    pub(crate) fn on_client_event(&mut self, client: ClientId, event: ClientEvent) {
        // The insert producer's acknowledgements need no action.
        if let (Some(slot), ClientEvent::Admin(outcome)) = (self.admin.get_mut(&client), event) {
            *slot = Some(outcome);
        }
    }

    /// The producer for `INSERT INTO … VALUES`.
    pub(crate) fn insert_producer(&mut self, world: &mut World) -> ClientId {
        if let Some(p) = self.insert_producer {
            return p;
        }
        let id = start_producer(world, "ksql-insert-values-producer", 0);
        self.insert_producer = Some(id);
        id
    }

    /// Closes a query's application (TERMINATE): its consumers leave the group.
    pub(crate) fn terminate(&mut self, world: &mut World, id: &str) -> Option<PersistentQuery> {
        let q = self.queries.remove(id)?;
        world.close_streams(q.app);
        Some(q)
    }

    /// A column of the row for `key` in a table a persistent query aggregates into (its
    /// newest window's row for a windowed table), as a pull query prints it.
    pub(crate) fn table_value(&self, world: &World, table: &str, key: &str, column: &str) -> Result<String, String> {
        let query = self
            .queries
            .values()
            .find(|q| q.sink.eq_ignore_ascii_case(table))
            .ok_or_else(|| format!("no persistent query writes a table {table}"))?;
        let columns = &query.plan.columns;
        let wanted = columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(column))
            .ok_or_else(|| format!("table {table} has no column {column}"))?;
        let key_column =
            columns.iter().position(|c| c.key).ok_or_else(|| format!("table {table} has no key column"))?;
        let row = query
            .rows(world)
            .into_iter()
            .filter(|r| r.values.get(key_column).is_some_and(|v| v.display() == key))
            .max_by_key(|r| r.window.map_or(0, |w| w.0))
            .ok_or_else(|| format!("table {table} has no row for key {key}"))?;
        Ok(row.values.get(wanted).map(|v| v.display()).unwrap_or_default())
    }

    /// Queries reading from, and writing to, a source.
    pub(crate) fn readers_and_writers(&self, source: &str) -> (Vec<&PersistentQuery>, Vec<&PersistentQuery>) {
        let read = self.queries.values().filter(|q| q.plan.source_names().iter().any(|s| s == source)).collect();
        let write = self.queries.values().filter(|q| q.sink == source).collect();
        (read, write)
    }
}

/// A producer as Kafka Streams configures one (`linger.ms` 100, acks=all, idempotent).
pub(crate) fn start_producer(world: &mut World, client_id: &str, linger_ms: u64) -> ClientId {
    let config = ProducerConfig {
        bootstrap_servers: vec![BOOTSTRAP.to_string()],
        client_id: client_id.to_string(),
        acks: -1,
        linger_ms,
        batch_size: 16_384,
        retries: i32::MAX as u32,
        retry_backoff_ms: 100,
        request_timeout_ms: 30_000,
        max_block_ms: 60_000,
        enable_idempotence: true,
        max_in_flight_requests_per_connection: 5,
        delivery_timeout_ms: 120_000,
    };
    let client_id = client_id.to_string();
    world.start_client(|_| Client {
        client_id,
        role: ClientRole::Producer(Box::new(Producer::new(config))),
        alive: true,
    })
}

/// A consumer of one source topic: in `group` (None: every partition, assigned).
pub(crate) fn start_consumer(
    world: &mut World,
    client_id: &str,
    group: Option<&str>,
    topic: &str,
    start: StartOffset,
    idle_timeout_ms: Option<u64>,
) -> ClientId {
    let config = ConsumerConfig {
        bootstrap_servers: vec![BOOTSTRAP.to_string()],
        client_id: client_id.to_string(),
        group_id: group.unwrap_or_default().to_string(),
        topic: topic.to_string(),
        partition: None,
        start,
        fetch_max_wait_ms: 500,
        idle_timeout_ms,
        retry_backoff_ms: 100,
        // ksqlDB commits every `ksql.streams.commit.interval.ms` (2000).
        group: group.map(|_| GroupConfig { auto_commit_interval_ms: COMMIT_INTERVAL_MS, ..GroupConfig::default() }),
    };
    let client_id = client_id.to_string();
    world.start_client(|_| Client {
        client_id,
        role: ClientRole::Consumer(Box::new(Consumer::new(config))),
        alive: true,
    })
}

/// Compiles a persistent query to a Kafka Streams topology and starts it as the
/// application `_confluent-ksql-default_query_<ID>` (processing log-and-continue, the
/// commit interval ksqlDB sets); the caller registers it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn start_query(
    world: &mut World,
    id: &str,
    sink: &str,
    sink_topic: &str,
    statement: &str,
    plan: Plan,
    start: StartOffset,
    formats: (Format, Format),
) -> PersistentQuery {
    let output =
        Output::Topic { topic: sink_topic.to_string(), formats: SinkFormats { key: formats.0, value: formats.1 } };
    let topology = compile(&plan, &output);
    let mut config = StreamsConfig::new(&application_id(id), vec![BOOTSTRAP.to_string()]);
    config.deserialization_handler = DeserializationHandler::LogAndContinue;
    config.commit_interval_ms = COMMIT_INTERVAL_MS;
    config.auto_offset_reset = start;
    let app = world.start_streams(topology, config);
    PersistentQuery {
        id: id.to_string(),
        sink: sink.to_string(),
        sink_topic: sink_topic.to_string(),
        statement: statement.to_string(),
        plan,
        app,
    }
}

/// `CSAS` or `CTAS`, the prefix of a persistent query's id.
pub(crate) fn query_prefix(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Stream => "CSAS",
        SourceKind::Table => "CTAS",
    }
}
