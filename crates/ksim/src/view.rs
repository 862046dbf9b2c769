//! Plain-data snapshots of the simulation for the page and the CLI's `ksim status`.
//!
//! Everything here is owned data with no behaviour, so the UI can diff and render it
//! without borrowing the live `World`.

/// Whole-cluster snapshot at one simulated instant.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ClusterView {
    /// Simulated time since the simulation began, in milliseconds.
    pub now_ms: u64,
    /// The simulated wall clock, e.g. `2024-06-25 14:06:00.000`.
    pub wall_clock: String,
    /// Events processed so far (the position in history).
    pub events_processed: u64,
    /// Kafka server processes (`kafka-server-start.sh`), sorted by node id.
    pub nodes: Vec<NodeView>,
    /// Client processes (producers, consumers, admin clients), in start order.
    pub clients: Vec<ClientView>,
    /// Topics known to the metadata image of the active controller, sorted by name.
    pub topics: Vec<TopicView>,
    /// Messages on the wire, oldest first.
    pub in_flight: Vec<MessageView>,
    /// Consumer groups, as their (running) coordinators know them, sorted by group id.
    pub groups: Vec<GroupView>,
    /// Network cuts (`ksim partition`): directed `(from, to)` node id pairs whose messages
    /// are dropped, sorted.
    pub cuts: Vec<(u32, u32)>,
    /// Kafka Connect connectors of the running standalone workers, in creation order.
    pub connectors: Vec<ConnectorView>,
    /// Kafka Streams application instances (ksqlDB's persistent queries among them), in
    /// start order: their topologies with record counts, tasks and tables (`Session::view`
    /// fills it; `view_recent`, drawn every frame, leaves it empty for `streams_view`).
    pub streams: Vec<crate::StreamsAppView>,
}

/// A connector of a Kafka Connect worker (`connect-standalone.sh`) and its one task.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ConnectorView {
    pub name: String,
    /// `source` or `sink`.
    pub kind: String,
    /// `connector.class` as configured (`FileStreamSource`).
    pub class: String,
    /// The worker's id, `127.0.1.1:8083`.
    pub worker_id: String,
    /// The connector's state: `RUNNING`, `PAUSED` or `STOPPED`.
    pub state: String,
    /// The task's state: `RUNNING`, `PAUSED` or `FAILED`; None once stopped.
    pub task_state: Option<String>,
    /// The topic a source writes to or a sink reads.
    pub topic: String,
    /// A source's offset (a file's byte position, a device source's readings).
    pub source_offset: Option<u64>,
    /// A sink's consumer group (`connect-NAME`); its lag is in `ClusterView::groups`.
    pub group: Option<String>,
    /// Records a source sent or a sink wrote since the task started.
    pub records: u64,
    /// A table sink's table.
    pub table: Option<TableView>,
}

/// The rows a table sink keeps (the playground's stand-in for a JDBC sink's table).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TableView {
    pub name: String,
    /// Column names, from the first row's fields.
    pub columns: Vec<String>,
    /// Rows by primary key, sorted by key: (key, the values of `columns`).
    pub rows: Vec<(String, Vec<String>)>,
}

/// A consumer group (classic protocol).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GroupView {
    pub group_id: String,
    /// `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable` or `Dead`; a KIP-848
    /// consumer group (`group.protocol=consumer`): `Empty`, `Assigning`, `Reconciling`, `Stable`.
    pub state: String,
    /// The generation; a consumer group's group epoch.
    pub generation_id: i32,
    /// The assignor chosen for the generation (`range`, `cooperative-sticky`…), if any.
    pub protocol: Option<String>,
    /// The broker coordinating the group (leader of its `__consumer_offsets` partition).
    pub coordinator: u32,
    /// Its `__consumer_offsets` partition.
    pub offsets_partition: u32,
    pub members: Vec<GroupMemberView>,
    /// Every partition assigned or committed, sorted by topic and partition.
    pub partitions: Vec<GroupPartitionView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMemberView {
    pub member_id: String,
    pub client_id: String,
    /// The client process of the page (`ClientView::id`), when it is still known.
    pub client: Option<u32>,
    pub is_leader: bool,
    /// `topic-partition` names, in assignment order.
    pub assignment: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupPartitionView {
    pub topic: String,
    pub partition: u32,
    /// The member that owns it in the current generation.
    pub owner: Option<String>,
    /// The owner's position: the next offset it will fetch.
    pub position: Option<u64>,
    /// The group's committed offset (where it resumes after a rebalance or a restart).
    pub committed: Option<u64>,
    /// The partition's high watermark, as `kafka-consumer-groups.sh` shows LOG-END-OFFSET.
    pub log_end_offset: u64,
    /// LOG-END-OFFSET minus the committed offset (None without a commit).
    pub lag: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessState {
    /// The process is starting (loading the log, registering).
    Starting,
    /// Up and serving.
    Running,
    /// Registered but fenced by the controller (no heartbeat within the session timeout).
    Fenced,
    /// Crashed or killed; its log survives on disk.
    Stopped,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Kafka's `node.id`.
    pub node_id: u32,
    pub is_broker: bool,
    pub is_controller: bool,
    pub state: ProcessState,
    /// Listeners as configured, e.g. `PLAINTEXT://:9092`.
    pub listeners: Vec<String>,
    /// The controller's Raft view, when this node is a controller.
    pub raft: Option<RaftView>,
    /// Partition replicas hosted by this broker, as `topic-partition`.
    pub replicas: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaftView {
    /// `Unattached`, `Prospective`, `Candidate`, `Leader`, `Follower`, `Resigned`.
    pub state: String,
    pub leader_epoch: u32,
    pub leader_id: Option<u32>,
    pub voted_for: Option<u32>,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    /// The next Raft deadline and what it is for (`election timeout`, `fetch timeout`,
    /// `check quorum`), in simulated ms; the page counts it down.
    pub deadline: Option<(String, u64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    Producer,
    Consumer,
    Admin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientView {
    /// Stable id of the simulated process (used for links and message endpoints).
    pub id: u32,
    pub kind: ClientKind,
    /// Kafka's `client.id`, e.g. `console-producer`.
    pub client_id: String,
    /// False once the client has closed.
    pub alive: bool,
    /// A producer's accumulator and requests in flight.
    pub producer: Option<ProducerView>,
}

/// What a producer holds: its producer id and epoch (idempotence), the accumulator's
/// batches and the produce requests awaiting an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerView {
    pub idempotent: bool,
    /// `(producer id, producer epoch)` once InitProducerId answered.
    pub producer_id: Option<(u64, u16)>,
    /// Batches waiting in the accumulator, by partition, oldest first (retries included).
    pub batches: Vec<ProducerBatchView>,
    /// Batches sent and not yet answered, in send order.
    pub in_flight: Vec<ProducerBatchView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerBatchView {
    pub topic: String,
    pub partition: u32,
    pub records: usize,
    /// Key and value bytes.
    pub bytes: usize,
    /// Since the batch was created, in simulated ms.
    pub age_ms: u64,
    /// Idempotence: its base sequence, once first sent.
    pub base_sequence: Option<u32>,
    /// Retries so far.
    pub attempts: u32,
    /// In flight: the broker it was sent to.
    pub broker: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicView {
    pub name: String,
    /// Kafka's 22-character base64 topic id.
    pub topic_id: String,
    pub partitions: Vec<PartitionView>,
    /// The topic's configs that differ from the broker defaults (`kafka-configs.sh
    /// --describe`), sorted by name.
    pub configs: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionView {
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    pub log_start_offset: u64,
    pub high_watermark: u64,
    pub log_end_offset: u64,
    /// The leader's copy of the log, oldest first (only the newest ones when the view was
    /// asked for a bounded number, see `Session::view_recent`).
    pub records: Vec<RecordView>,
    /// Records of the leader's log older than the first of `records` that were left out.
    pub earlier_records: u64,
    /// Every replica's copy, in replica order: how far each has got.
    pub replica_states: Vec<ReplicaStateView>,
    /// The leader's segments, oldest first; the last is the active one.
    pub segments: Vec<SegmentView>,
}

/// One segment file of a partition's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentView {
    pub base_offset: u64,
    pub size_bytes: u64,
}

/// One broker's copy of a partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaStateView {
    pub broker: u32,
    pub is_leader: bool,
    pub in_isr: bool,
    /// False while the broker is stopped (its copy on disk is shown as last known).
    pub online: bool,
    pub log_start_offset: u64,
    pub high_watermark: u64,
    pub log_end_offset: u64,
}

/// A window of a partition's log (the leader's copy), for a page that shows a long log a
/// screenful at a time (`Session::log_window`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogWindow {
    /// Records in the log before the first of `records`.
    pub earlier: u64,
    /// Records in the log after the last of `records`.
    pub later: u64,
    pub records: Vec<RecordView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordView {
    pub offset: u64,
    /// CreateTime in milliseconds since the Unix epoch (simulated wall clock).
    pub timestamp_ms: u64,
    pub key: Option<String>,
    pub value: Option<String>,
}

/// What a message in flight is, for colouring and the legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MessageKind {
    Produce,
    Fetch,
    Metadata,
    Admin,
    Vote,
    Heartbeat,
    /// The group protocol: FindCoordinator, JoinGroup, SyncGroup, group heartbeats, commits.
    Group,
}

/// An endpoint of a message: a server node or a client process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EndpointView {
    Node(u32),
    Client(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    pub id: u64,
    pub from: EndpointView,
    pub to: EndpointView,
    pub kind: MessageKind,
    /// Kafka's API name plus a short summary, e.g. `ProduceRequest heart-rate-measures-0 (1 record)`.
    pub label: String,
    pub sent_at_ms: u64,
    pub arrives_at_ms: u64,
}
