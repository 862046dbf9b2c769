//! Plain-data views of Streams applications: a store's rows (for pull queries) and what
//! the page draws — each application's topology (nodes, edges with record counts), its
//! tasks and their owners, and each table's current rows.

use super::datum::Datum;
use super::store::{StoreKey, StoreValue};
use super::window::Window;

/// One row of a state store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoreRow {
    pub(crate) key: Datum,
    pub(crate) window: Option<Window>,
    pub(crate) value: Datum,
    pub(crate) timestamp_ms: i64,
}

impl StoreRow {
    pub(crate) fn from_entry(k: &StoreKey, v: &StoreValue) -> StoreRow {
        StoreRow { key: k.key.clone(), window: k.window, value: v.value.clone(), timestamp_ms: v.timestamp_ms }
    }
}

/// A Streams application instance, for the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsAppView {
    pub application_id: String,
    /// The instance's client id prefix (`<application.id>-<n>`).
    pub client_id: String,
    /// `KafkaStreams.State`: `CREATED`, `REBALANCING`, `RUNNING`, `PENDING_SHUTDOWN`,
    /// `NOT_RUNNING`, `PENDING_ERROR`, `ERROR`.
    pub state: String,
    pub nodes: Vec<StreamsNodeView>,
    /// Parent → child, with how many records went along the edge.
    pub edges: Vec<StreamsEdgeView>,
    pub tasks: Vec<StreamsTaskView>,
    pub tables: Vec<StreamsTableView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsNodeView {
    pub name: String,
    /// `Source`, `Processor` or `Sink`.
    pub kind: String,
    pub subtopology: u32,
    /// Source topics or the sink topic (full names).
    pub topics: Vec<String>,
    pub stores: Vec<String>,
    /// Records the node processed on this instance.
    pub records: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsEdgeView {
    pub from: String,
    pub to: String,
    pub records: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsTaskView {
    /// `0_1`.
    pub id: String,
    /// `RESTORING` or `RUNNING`.
    pub state: String,
    pub stream_time_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsTableView {
    pub store: String,
    pub changelog_topic: Option<String>,
    /// The first rows in key order (all of them, or as many as the view was asked for).
    pub rows: Vec<StreamsRowView>,
    /// Rows in the store, shown or not.
    pub rows_total: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsRowView {
    pub key: String,
    /// `[start, end)` of a windowed row.
    pub window: Option<(i64, i64)>,
    pub value: String,
}

impl super::runtime::StreamsApp {
    /// The page's view of this instance, with at most `rows_max` rows of each store.
    pub(crate) fn view(&self, rows_max: usize) -> StreamsAppView {
        use super::topology::{NodeKind, Topology};
        let app_id = &self.config.application_id;
        let groups = self.topology.node_groups();
        let counts = self.node_counts();
        let count = |name: &str| counts.get(name).copied().unwrap_or(0);
        let nodes = self
            .topology
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let (kind, topics) = match &n.kind {
                    NodeKind::Source { topics, internal, .. } => {
                        ("Source", topics.iter().map(|t| Topology::runtime_topic(app_id, t, *internal)).collect())
                    }
                    NodeKind::Sink { topic, internal, .. } => {
                        ("Sink", vec![Topology::runtime_topic(app_id, topic, *internal)])
                    }
                    _ => ("Processor", Vec::new()),
                };
                StreamsNodeView {
                    name: n.name.clone(),
                    kind: kind.to_string(),
                    subtopology: groups.get(i).copied().unwrap_or(0),
                    topics,
                    stores: n.stores.clone(),
                    records: count(&n.name),
                }
            })
            .collect();
        let edge_counts = self.edge_counts();
        let edges = self
            .topology
            .nodes
            .iter()
            .flat_map(|n| {
                n.successors.iter().filter_map(|c| self.topology.nodes.get(*c)).map(|child| {
                    let records = edge_counts.get(&(n.name.clone(), child.name.clone())).copied().unwrap_or(0);
                    StreamsEdgeView { from: n.name.clone(), to: child.name.clone(), records }
                })
            })
            .collect();
        let tasks = self
            .tasks
            .values()
            .map(|t| StreamsTaskView {
                id: t.id.to_string(),
                state: "RUNNING".to_string(),
                stream_time_ms: t.stream_time_ms,
            })
            .collect();
        let tables = self
            .topology
            .stores
            .iter()
            .map(|s| {
                let rows = self.rows(&s.name);
                StreamsTableView {
                    store: s.name.clone(),
                    changelog_topic: s.logging.then(|| s.changelog_topic(app_id)),
                    rows_total: rows.len(),
                    rows: rows
                        .into_iter()
                        .take(rows_max)
                        .map(|r| StreamsRowView {
                            key: r.key.to_string(),
                            window: r.window.map(|w| (w.start_ms, w.end_ms)),
                            value: r.value.to_string(),
                        })
                        .collect(),
                }
            })
            .collect();
        StreamsAppView {
            application_id: app_id.clone(),
            client_id: self.client_id.clone(),
            state: self.state.to_string(),
            nodes,
            edges,
            tasks,
            tables,
        }
    }
}
