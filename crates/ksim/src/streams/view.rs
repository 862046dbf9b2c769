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
    /// Parent → child, with how many records the child got from any parent.
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
    pub rows: Vec<StreamsRowView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsRowView {
    pub key: String,
    /// `[start, end)` of a windowed row.
    pub window: Option<(i64, i64)>,
    pub value: String,
}
