//! Requests and responses that travel the simulated network, named after Kafka's APIs.
//!
//! Bodies carry only what the simulation needs; the names are Kafka's so the page and the
//! narration speak the protocol students will meet in broker logs.

use crate::error::ApiError;
use crate::ids::{NodeId, Uuid};
use crate::metadata::{Endpoint, MetadataEntry};
use crate::partition_log::{Batch, NewRecord};
use crate::producer_state::ProducerBatch;
use crate::view::MessageKind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TopicMetadata {
    pub(crate) name: String,
    pub(crate) topic_id: Option<Uuid>,
    pub(crate) error: Option<ApiError>,
    pub(crate) partitions: Vec<PartitionMetadata>,
    /// Non-default topic configs (Kafka gets these through DescribeConfigs; folded in here).
    pub(crate) configs: Vec<(String, String)>,
    /// The topic's own (dynamic) configs, for `kafka-configs.sh --describe`: name, value
    /// and the rendered synonyms (`SOURCE:name=value, …`).
    pub(crate) dynamic_configs: Vec<(String, String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PartitionMetadata {
    pub(crate) partition: u32,
    pub(crate) leader: Option<NodeId>,
    pub(crate) leader_epoch: u32,
    pub(crate) replicas: Vec<NodeId>,
    pub(crate) isr: Vec<NodeId>,
    /// An ongoing reassignment's adding and removing replicas. Kafka's tools get them from
    /// ListPartitionReassignments; carrying them here saves `kafka-topics.sh` a round trip.
    pub(crate) adding: Vec<NodeId>,
    pub(crate) removing: Vec<NodeId>,
}

/// A partition and its target replicas in AlterPartitionReassignments (None cancels).
pub(crate) type ReassignTarget = ((String, u32), Option<Vec<NodeId>>);

/// One partition of a ListPartitionReassignments answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OngoingReassignment {
    pub(crate) topic: String,
    pub(crate) partition: u32,
    pub(crate) replicas: Vec<NodeId>,
    pub(crate) adding: Vec<NodeId>,
    pub(crate) removing: Vec<NodeId>,
}

/// What a broker answers DescribeConfigs for BROKER resources with: the cluster's dynamic
/// broker configs (from its metadata image) and its own `server.properties`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BrokerConfigsDescription {
    pub(crate) broker_id: u32,
    pub(crate) dynamic: crate::broker_config::DynamicBrokerConfigs,
    pub(crate) static_props: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BrokerMetadata {
    pub(crate) node_id: NodeId,
    pub(crate) host: String,
    pub(crate) port: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CreatableTopic {
    pub(crate) name: String,
    /// -1 asks the controller for `num.partitions`.
    pub(crate) num_partitions: i32,
    /// -1 asks the controller for `default.replication.factor`.
    pub(crate) replication_factor: i16,
    pub(crate) configs: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CreatableTopicResult {
    pub(crate) name: String,
    pub(crate) error: Option<ApiError>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FetchPartition {
    pub(crate) topic: String,
    pub(crate) partition: u32,
    pub(crate) fetch_offset: u64,
    /// Followers only: the epoch of their last record and the leader epoch they believe in.
    pub(crate) last_fetched_epoch: Option<u32>,
    pub(crate) current_leader_epoch: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FetchedPartition {
    pub(crate) topic: String,
    pub(crate) partition: u32,
    pub(crate) error: Option<ApiError>,
    pub(crate) high_watermark: u64,
    /// The leader's log start: followers follow it, and a fetch below it is out of range.
    pub(crate) log_start_offset: u64,
    /// Whole batches, shared with the leader's log, not copied; the first may begin
    /// before the fetch offset (the reader skips those records).
    pub(crate) batches: Vec<std::sync::Arc<Batch>>,
    /// `(epoch, end offset)` for a follower whose log diverged: truncate there (KIP-279).
    pub(crate) diverging: Option<(u32, u64)>,
}

/// `ListOffsets` timestamps: -2 earliest, -1 latest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OffsetSpec {
    Earliest,
    Latest,
    /// The first offset (below the HW) whose record's timestamp is at or after this many ms
    /// since the epoch; `u64::MAX` when there is none (Kafka's UNKNOWN_OFFSET, -1).
    Timestamp(u64),
}

/// `kafka-leader-election.sh --election-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ElectionType {
    Preferred,
    Unclean,
}

impl ElectionType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ElectionType::Preferred => "PREFERRED",
            ElectionType::Unclean => "UNCLEAN",
        }
    }
}

/// Errors of the Raft RPCs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RaftError {
    NotLeaderOrFollower,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
}

impl RaftError {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RaftError::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            RaftError::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            RaftError::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Msg {
    MetadataRequest {
        topics: Option<Vec<String>>,
        allow_auto_topic_creation: bool,
    },
    MetadataResponse {
        brokers: Vec<BrokerMetadata>,
        controller_id: Option<NodeId>,
        topics: Vec<TopicMetadata>,
    },
    CreateTopicsRequest {
        topics: Vec<CreatableTopic>,
    },
    CreateTopicsResponse {
        results: Vec<CreatableTopicResult>,
    },
    DeleteTopicsRequest {
        names: Vec<String>,
    },
    DeleteTopicsResponse {
        results: Vec<CreatableTopicResult>,
    },
    ProduceRequest {
        acks: i16,
        /// How long an acks=all request may wait for the ISR (`request.timeout.ms`).
        timeout_ms: u64,
        topic: String,
        partition: u32,
        records: Vec<NewRecord>,
        /// An idempotent producer's id, epoch and base sequence (None: producer id -1).
        producer: Option<ProducerBatch>,
    },
    ProduceResponse {
        topic: String,
        partition: u32,
        error: Option<ApiError>,
        base_offset: u64,
    },
    /// InitProducerId (API 22) without a `transactional.id`: any broker hands out an id.
    InitProducerIdRequest,
    InitProducerIdResponse {
        error: Option<ApiError>,
        producer_id: u64,
        producer_epoch: u16,
    },
    FetchRequest {
        /// A follower broker's id; None for consumers.
        replica_id: Option<NodeId>,
        max_wait_ms: u64,
        partitions: Vec<FetchPartition>,
    },
    FetchResponse {
        partitions: Vec<FetchedPartition>,
    },
    ListOffsetsRequest {
        topic: String,
        partitions: Vec<u32>,
        spec: OffsetSpec,
    },
    ListOffsetsResponse {
        topic: String,
        offsets: Vec<(u32, Result<u64, ApiError>)>,
    },
    DescribeLogDirsRequest,
    DescribeLogDirsResponse {
        log_dirs: Vec<LogDirDescription>,
    },
    /// Moves each partition's log start up to the offset (-1: the high watermark).
    DeleteRecordsRequest {
        topic: String,
        partitions: Vec<(u32, i64)>,
    },
    /// Each partition's new low watermark (log start offset), or its error.
    DeleteRecordsResponse {
        topic: String,
        results: Vec<(u32, Result<u64, ApiError>)>,
    },
    BrokerRegistrationRequest {
        broker_id: NodeId,
        incarnation_id: Uuid,
        endpoints: Vec<Endpoint>,
    },
    BrokerRegistrationResponse {
        error: Option<ApiError>,
        broker_epoch: u64,
    },
    BrokerHeartbeatRequest {
        broker_id: NodeId,
        broker_epoch: u64,
        current_metadata_offset: Option<u64>,
        want_fence: bool,
    },
    BrokerHeartbeatResponse {
        error: Option<ApiError>,
        is_caught_up: bool,
        is_fenced: bool,
    },
    /// Raft `Fetch` of `__cluster_metadata-0`, sent by followers and observers (brokers).
    MetadataFetchRequest {
        replica_id: NodeId,
        replica_directory_id: Uuid,
        fetch_offset: u64,
        last_fetched_epoch: u32,
        max_wait_ms: u64,
        current_leader_epoch: u32,
    },
    /// `diverging` is `(epoch, end offset)`: truncate there and fetch again.
    MetadataFetchResponse {
        leader_id: Option<NodeId>,
        leader_epoch: u32,
        high_watermark: u64,
        entries: Vec<MetadataEntry>,
        diverging: Option<(u32, u64)>,
        error: Option<RaftError>,
    },
    /// Raft `Vote` (KIP-595); `pre_vote` marks KIP-996's pre-vote, which changes no state.
    VoteRequest {
        candidate_id: NodeId,
        candidate_epoch: u32,
        last_epoch: u32,
        last_end_offset: u64,
        pre_vote: bool,
    },
    VoteResponse {
        leader_epoch: u32,
        leader_id: Option<NodeId>,
        vote_granted: bool,
        pre_vote: bool,
    },
    BeginQuorumEpochRequest {
        leader_id: NodeId,
        leader_epoch: u32,
    },
    BeginQuorumEpochResponse {
        leader_epoch: u32,
    },
    EndQuorumEpochRequest {
        leader_id: NodeId,
        leader_epoch: u32,
        preferred_successors: Vec<NodeId>,
    },
    EndQuorumEpochResponse {
        leader_epoch: u32,
    },
    DescribeQuorumRequest,
    /// AlterPartitionReassignments: each partition's target replicas, None to cancel.
    AlterPartitionReassignmentsRequest {
        partitions: Vec<ReassignTarget>,
    },
    AlterPartitionReassignmentsResponse {
        /// A top-level error (no active controller): nothing was tried.
        error: Option<ApiError>,
        results: Vec<((String, u32), Option<ApiError>)>,
    },
    /// ListPartitionReassignments of every partition.
    ListPartitionReassignmentsRequest,
    ListPartitionReassignmentsResponse {
        error: Option<ApiError>,
        reassignments: Vec<OngoingReassignment>,
    },
    /// ElectLeaders for the given partitions, or all of them when None.
    ElectLeadersRequest {
        election: ElectionType,
        partitions: Option<Vec<(String, u32)>>,
    },
    ElectLeadersResponse {
        /// A top-level error (no active controller): nothing was tried.
        error: Option<ApiError>,
        results: Vec<((String, u32), Option<ApiError>)>,
    },
    /// CreatePartitions: grow `topic` to `total` partitions.
    CreatePartitionsRequest {
        topic: String,
        total: u32,
    },
    CreatePartitionsResponse {
        error: Option<ApiError>,
    },
    /// IncrementalAlterConfigs on one topic, or (legacy) AlterConfigs on a broker or the
    /// cluster default: configs to set and to delete.
    AlterConfigsRequest {
        resource: crate::broker_config::ConfigResource,
        set: Vec<(String, String)>,
        delete: Vec<String>,
    },
    AlterConfigsResponse {
        error: Option<ApiError>,
    },
    /// DescribeConfigs for BROKER resources.
    DescribeConfigsRequest,
    DescribeConfigsResponse {
        configs: BrokerConfigsDescription,
    },
    /// A partition leader asks the controller to change the ISR (AlterPartition, KIP-497).
    AlterPartitionRequest {
        broker_id: NodeId,
        topic_id: Uuid,
        partition: u32,
        leader_epoch: u32,
        partition_epoch: u32,
        new_isr: Vec<NodeId>,
    },
    AlterPartitionResponse {
        topic_id: Uuid,
        partition: u32,
        error: Option<ApiError>,
    },
    /// A non-leader answers with `error` and the leader it knows, if any.
    DescribeQuorumResponse {
        error: Option<RaftError>,
        quorum: Option<QuorumDescription>,
        leader_hint: Option<NodeId>,
    },
    /// FindCoordinator (key type GROUP): which broker coordinates the group.
    FindCoordinatorRequest {
        key: String,
    },
    FindCoordinatorResponse {
        error: Option<ApiError>,
        coordinator: Option<BrokerMetadata>,
    },
    /// JoinGroup (classic protocol). An empty `member_id` asks for one (MEMBER_ID_REQUIRED).
    JoinGroupRequest {
        group_id: String,
        member_id: String,
        client_id: String,
        session_timeout_ms: u64,
        rebalance_timeout_ms: u64,
        /// The assignors the member supports, most preferred first, each with its subscription.
        protocols: Vec<(String, GroupSubscription)>,
    },
    JoinGroupResponse {
        error: Option<ApiError>,
        generation_id: i32,
        protocol_name: Option<String>,
        leader: String,
        member_id: String,
        /// Every member's subscription, for the leader only (empty for followers).
        members: Vec<(String, GroupSubscription)>,
    },
    /// SyncGroup: the leader brings every member's assignment, followers bring none.
    SyncGroupRequest {
        group_id: String,
        generation_id: i32,
        member_id: String,
        assignments: Vec<(String, Vec<(String, u32)>)>,
    },
    SyncGroupResponse {
        error: Option<ApiError>,
        assignment: Vec<(String, u32)>,
    },
    HeartbeatRequest {
        group_id: String,
        generation_id: i32,
        member_id: String,
    },
    HeartbeatResponse {
        error: Option<ApiError>,
    },
    LeaveGroupRequest {
        group_id: String,
        member_id: String,
    },
    LeaveGroupResponse {
        error: Option<ApiError>,
    },
    /// OffsetCommit: a member commits with its generation; the admin client (generation -1,
    /// no member id) may commit for a group without members.
    OffsetCommitRequest {
        group_id: String,
        generation_id: i32,
        member_id: String,
        offsets: Vec<((String, u32), u64)>,
    },
    OffsetCommitResponse {
        group_id: String,
        results: Vec<((String, u32), Option<ApiError>)>,
    },
    /// OffsetFetch of the given partitions, or of every partition the group committed.
    OffsetFetchRequest {
        group_id: String,
        partitions: Option<Vec<(String, u32)>>,
    },
    OffsetFetchResponse {
        group_id: String,
        error: Option<ApiError>,
        offsets: Vec<((String, u32), u64)>,
    },
    /// ConsumerGroupHeartbeat (KIP-848, `group.protocol=consumer`): joins (member epoch 0),
    /// heartbeats and reconciles (the current epoch, with the owned partitions when they
    /// changed) or leaves (epoch -1). `None` fields are unchanged since the last request.
    ConsumerGroupHeartbeatRequest {
        group_id: String,
        member_id: String,
        member_epoch: i32,
        client_id: String,
        rebalance_timeout_ms: u64,
        subscribed_topic_names: Option<Vec<String>>,
        server_assignor: Option<String>,
        owned_partitions: Option<Vec<(String, u32)>>,
    },
    /// `assignment` is the member's whole assignment, sent when it changed (or the request
    /// was a full one).
    ConsumerGroupHeartbeatResponse {
        error: Option<ApiError>,
        member_id: String,
        member_epoch: i32,
        heartbeat_interval_ms: u64,
        assignment: Option<Vec<(String, u32)>>,
    },
    ListGroupsRequest,
    ListGroupsResponse {
        groups: Vec<ListedGroup>,
    },
    DescribeGroupsRequest {
        group_ids: Vec<String>,
    },
    DescribeGroupsResponse {
        groups: Vec<GroupDescription>,
    },
    DeleteGroupsRequest {
        group_ids: Vec<String>,
    },
    DeleteGroupsResponse {
        results: Vec<(String, Option<ApiError>)>,
    },
}

/// A consumer's subscription as its assignor protocol metadata carries it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct GroupSubscription {
    pub(crate) topics: Vec<String>,
    /// The partitions the member owns now (the sticky assignors keep them where they can).
    pub(crate) owned_partitions: Vec<(String, u32)>,
    /// The generation those partitions were assigned in (-1: none).
    pub(crate) generation_id: i32,
}

/// One group of a ListGroups answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListedGroup {
    pub(crate) group_id: String,
    pub(crate) protocol_type: String,
    pub(crate) state: String,
}

/// DescribeGroups: a group's state and members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupDescription {
    pub(crate) group_id: String,
    pub(crate) error: Option<ApiError>,
    /// `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable`, `Dead`; a KIP-848
    /// consumer group: `Empty`, `Assigning`, `Reconciling`, `Stable`.
    pub(crate) state: String,
    pub(crate) protocol_type: String,
    /// The assignor chosen for the current generation ("" when none).
    pub(crate) protocol: String,
    pub(crate) coordinator: Option<BrokerMetadata>,
    pub(crate) members: Vec<GroupMemberDescription>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupMemberDescription {
    pub(crate) member_id: String,
    pub(crate) client_id: String,
    pub(crate) client_host: String,
    pub(crate) assignment: Vec<(String, u32)>,
}

/// One log directory of a broker, as `DescribeLogDirs` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LogDirDescription {
    pub(crate) path: String,
    pub(crate) replicas: Vec<ReplicaInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReplicaInfo {
    pub(crate) topic: String,
    pub(crate) partition: u32,
    pub(crate) size_bytes: u64,
    /// How far the log end is behind the high watermark (0 for a current log).
    pub(crate) offset_lag: u64,
}

/// `DescribeQuorumResponse`'s partition data, plus the cluster id the tool prints (Kafka
/// gets that from a separate DescribeCluster call).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QuorumDescription {
    pub(crate) cluster_id: String,
    pub(crate) leader_id: NodeId,
    pub(crate) leader_epoch: u32,
    pub(crate) high_watermark: u64,
    pub(crate) voters: Vec<ReplicaDescription>,
    pub(crate) observers: Vec<ReplicaDescription>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReplicaDescription {
    pub(crate) replica_id: NodeId,
    pub(crate) directory_id: Uuid,
    pub(crate) endpoints: Vec<String>,
    pub(crate) log_end_offset: u64,
    /// Wall-clock ms, -1 when unknown.
    pub(crate) last_fetch_timestamp: i64,
    pub(crate) last_caught_up_timestamp: i64,
}

impl Msg {
    /// Kafka's message name, as broker request logs print it.
    pub(crate) fn api_name(&self) -> &'static str {
        match self {
            Msg::MetadataRequest { .. } => "MetadataRequest",
            Msg::MetadataResponse { .. } => "MetadataResponse",
            Msg::CreateTopicsRequest { .. } => "CreateTopicsRequest",
            Msg::CreateTopicsResponse { .. } => "CreateTopicsResponse",
            Msg::DeleteTopicsRequest { .. } => "DeleteTopicsRequest",
            Msg::DeleteTopicsResponse { .. } => "DeleteTopicsResponse",
            Msg::ProduceRequest { .. } => "ProduceRequest",
            Msg::ProduceResponse { .. } => "ProduceResponse",
            Msg::InitProducerIdRequest => "InitProducerIdRequest",
            Msg::InitProducerIdResponse { .. } => "InitProducerIdResponse",
            Msg::FetchRequest { .. } | Msg::MetadataFetchRequest { .. } => "FetchRequest",
            Msg::FetchResponse { .. } | Msg::MetadataFetchResponse { .. } => "FetchResponse",
            Msg::ListOffsetsRequest { .. } => "ListOffsetsRequest",
            Msg::ListOffsetsResponse { .. } => "ListOffsetsResponse",
            Msg::DescribeLogDirsRequest => "DescribeLogDirsRequest",
            Msg::DescribeLogDirsResponse { .. } => "DescribeLogDirsResponse",
            Msg::DeleteRecordsRequest { .. } => "DeleteRecordsRequest",
            Msg::DeleteRecordsResponse { .. } => "DeleteRecordsResponse",
            Msg::BrokerRegistrationRequest { .. } => "BrokerRegistrationRequest",
            Msg::BrokerRegistrationResponse { .. } => "BrokerRegistrationResponse",
            Msg::BrokerHeartbeatRequest { .. } => "BrokerHeartbeatRequest",
            Msg::BrokerHeartbeatResponse { .. } => "BrokerHeartbeatResponse",
            Msg::VoteRequest { pre_vote: true, .. } => "VoteRequest (pre-vote)",
            Msg::VoteRequest { .. } => "VoteRequest",
            Msg::VoteResponse { pre_vote: true, .. } => "VoteResponse (pre-vote)",
            Msg::VoteResponse { .. } => "VoteResponse",
            Msg::BeginQuorumEpochRequest { .. } => "BeginQuorumEpochRequest",
            Msg::BeginQuorumEpochResponse { .. } => "BeginQuorumEpochResponse",
            Msg::EndQuorumEpochRequest { .. } => "EndQuorumEpochRequest",
            Msg::EndQuorumEpochResponse { .. } => "EndQuorumEpochResponse",
            Msg::DescribeQuorumRequest => "DescribeQuorumRequest",
            Msg::DescribeQuorumResponse { .. } => "DescribeQuorumResponse",
            Msg::AlterPartitionRequest { .. } => "AlterPartitionRequest",
            Msg::AlterPartitionResponse { .. } => "AlterPartitionResponse",
            // kafka-configs.sh alters brokers with the legacy AlterConfigs (whole config).
            Msg::AlterConfigsRequest { resource: crate::broker_config::ConfigResource::Broker(_), .. } => {
                "AlterConfigsRequest"
            }
            Msg::AlterConfigsRequest { .. } => "IncrementalAlterConfigsRequest",
            Msg::DescribeConfigsRequest => "DescribeConfigsRequest",
            Msg::DescribeConfigsResponse { .. } => "DescribeConfigsResponse",
            Msg::AlterConfigsResponse { .. } => "IncrementalAlterConfigsResponse",
            Msg::CreatePartitionsRequest { .. } => "CreatePartitionsRequest",
            Msg::CreatePartitionsResponse { .. } => "CreatePartitionsResponse",
            Msg::ElectLeadersRequest { .. } => "ElectLeadersRequest",
            Msg::AlterPartitionReassignmentsRequest { .. } => "AlterPartitionReassignmentsRequest",
            Msg::AlterPartitionReassignmentsResponse { .. } => "AlterPartitionReassignmentsResponse",
            Msg::ListPartitionReassignmentsRequest => "ListPartitionReassignmentsRequest",
            Msg::ListPartitionReassignmentsResponse { .. } => "ListPartitionReassignmentsResponse",
            Msg::ElectLeadersResponse { .. } => "ElectLeadersResponse",
            Msg::FindCoordinatorRequest { .. } => "FindCoordinatorRequest",
            Msg::FindCoordinatorResponse { .. } => "FindCoordinatorResponse",
            Msg::JoinGroupRequest { .. } => "JoinGroupRequest",
            Msg::JoinGroupResponse { .. } => "JoinGroupResponse",
            Msg::SyncGroupRequest { .. } => "SyncGroupRequest",
            Msg::SyncGroupResponse { .. } => "SyncGroupResponse",
            Msg::HeartbeatRequest { .. } => "HeartbeatRequest",
            Msg::HeartbeatResponse { .. } => "HeartbeatResponse",
            Msg::LeaveGroupRequest { .. } => "LeaveGroupRequest",
            Msg::LeaveGroupResponse { .. } => "LeaveGroupResponse",
            Msg::OffsetCommitRequest { .. } => "OffsetCommitRequest",
            Msg::OffsetCommitResponse { .. } => "OffsetCommitResponse",
            Msg::OffsetFetchRequest { .. } => "OffsetFetchRequest",
            Msg::OffsetFetchResponse { .. } => "OffsetFetchResponse",
            Msg::ConsumerGroupHeartbeatRequest { .. } => "ConsumerGroupHeartbeatRequest",
            Msg::ConsumerGroupHeartbeatResponse { .. } => "ConsumerGroupHeartbeatResponse",
            Msg::ListGroupsRequest => "ListGroupsRequest",
            Msg::ListGroupsResponse { .. } => "ListGroupsResponse",
            Msg::DescribeGroupsRequest { .. } => "DescribeGroupsRequest",
            Msg::DescribeGroupsResponse { .. } => "DescribeGroupsResponse",
            Msg::DeleteGroupsRequest { .. } => "DeleteGroupsRequest",
            Msg::DeleteGroupsResponse { .. } => "DeleteGroupsResponse",
        }
    }

    pub(crate) fn kind(&self) -> MessageKind {
        match self {
            Msg::ProduceRequest { .. }
            | Msg::ProduceResponse { .. }
            | Msg::InitProducerIdRequest
            | Msg::InitProducerIdResponse { .. } => MessageKind::Produce,
            Msg::FetchRequest { .. }
            | Msg::FetchResponse { .. }
            | Msg::ListOffsetsRequest { .. }
            | Msg::ListOffsetsResponse { .. } => MessageKind::Fetch,
            Msg::MetadataRequest { .. }
            | Msg::MetadataResponse { .. }
            | Msg::MetadataFetchRequest { .. }
            | Msg::MetadataFetchResponse { .. } => MessageKind::Metadata,
            Msg::CreateTopicsRequest { .. }
            | Msg::CreateTopicsResponse { .. }
            | Msg::DeleteTopicsRequest { .. }
            | Msg::DeleteTopicsResponse { .. }
            | Msg::DescribeQuorumRequest
            | Msg::DescribeQuorumResponse { .. }
            | Msg::AlterPartitionRequest { .. }
            | Msg::AlterPartitionResponse { .. }
            | Msg::AlterConfigsRequest { .. }
            | Msg::AlterConfigsResponse { .. }
            | Msg::DescribeConfigsRequest
            | Msg::DescribeConfigsResponse { .. }
            | Msg::CreatePartitionsRequest { .. }
            | Msg::CreatePartitionsResponse { .. }
            | Msg::ElectLeadersRequest { .. }
            | Msg::ElectLeadersResponse { .. }
            | Msg::AlterPartitionReassignmentsRequest { .. }
            | Msg::AlterPartitionReassignmentsResponse { .. }
            | Msg::ListPartitionReassignmentsRequest
            | Msg::ListPartitionReassignmentsResponse { .. }
            | Msg::DeleteRecordsRequest { .. }
            | Msg::DeleteRecordsResponse { .. }
            | Msg::DescribeLogDirsRequest
            | Msg::DescribeLogDirsResponse { .. }
            | Msg::BrokerRegistrationRequest { .. }
            | Msg::BrokerRegistrationResponse { .. } => MessageKind::Admin,
            Msg::BrokerHeartbeatRequest { .. } | Msg::BrokerHeartbeatResponse { .. } => MessageKind::Heartbeat,
            Msg::FindCoordinatorRequest { .. }
            | Msg::FindCoordinatorResponse { .. }
            | Msg::JoinGroupRequest { .. }
            | Msg::JoinGroupResponse { .. }
            | Msg::SyncGroupRequest { .. }
            | Msg::SyncGroupResponse { .. }
            | Msg::HeartbeatRequest { .. }
            | Msg::HeartbeatResponse { .. }
            | Msg::LeaveGroupRequest { .. }
            | Msg::LeaveGroupResponse { .. }
            | Msg::OffsetCommitRequest { .. }
            | Msg::OffsetCommitResponse { .. }
            | Msg::OffsetFetchRequest { .. }
            | Msg::OffsetFetchResponse { .. }
            | Msg::ConsumerGroupHeartbeatRequest { .. }
            | Msg::ConsumerGroupHeartbeatResponse { .. }
            | Msg::ListGroupsRequest
            | Msg::ListGroupsResponse { .. }
            | Msg::DescribeGroupsRequest { .. }
            | Msg::DescribeGroupsResponse { .. }
            | Msg::DeleteGroupsRequest { .. }
            | Msg::DeleteGroupsResponse { .. } => MessageKind::Group,
            Msg::VoteRequest { .. }
            | Msg::VoteResponse { .. }
            | Msg::BeginQuorumEpochRequest { .. }
            | Msg::BeginQuorumEpochResponse { .. }
            | Msg::EndQuorumEpochRequest { .. }
            | Msg::EndQuorumEpochResponse { .. } => MessageKind::Vote,
        }
    }

    /// A one-line summary for the page, e.g. `ProduceRequest heart-rate-measures-0 (2 records)`.
    pub(crate) fn label(&self) -> String {
        let name = self.api_name();
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        match self {
            Msg::ProduceRequest { topic, partition, records, acks, producer, .. } => {
                let sequence = producer
                    .map_or(String::new(), |p| format!(", producer {} sequence {}", p.producer_id, p.base_sequence));
                format!(
                    "{name} {topic}-{partition} ({}, acks={}{sequence})",
                    plural(records.len(), "record"),
                    if *acks == -1 { "all".to_string() } else { acks.to_string() }
                )
            }
            Msg::InitProducerIdResponse { error: None, producer_id, producer_epoch } => {
                format!("{name} producer id {producer_id} epoch {producer_epoch}")
            }
            Msg::ProduceResponse { topic, partition, error: None, base_offset } => {
                format!("{name} {topic}-{partition} base offset {base_offset}")
            }
            Msg::FetchRequest { partitions, .. } => {
                let parts: Vec<String> =
                    partitions.iter().map(|p| format!("{}-{}@{}", p.topic, p.partition, p.fetch_offset)).collect();
                format!("{name} {}", parts.join(", "))
            }
            Msg::FetchResponse { partitions } => {
                let n: usize = partitions.iter().flat_map(|p| &p.batches).map(|b| b.record_count()).sum();
                format!("{name} ({})", plural(n, "record"))
            }
            Msg::MetadataFetchRequest { fetch_offset, .. } => {
                format!("{name} __cluster_metadata-0@{fetch_offset}")
            }
            Msg::MetadataFetchResponse { entries, high_watermark, diverging: None, error: None, .. } => {
                format!("{name} __cluster_metadata-0 ({}, HW {high_watermark})", plural(entries.len(), "record"))
            }
            Msg::MetadataFetchResponse { diverging: Some((epoch, end)), .. } => {
                format!("{name} __cluster_metadata-0 diverging: truncate to {end} (epoch {epoch})")
            }
            Msg::MetadataFetchResponse { error: Some(e), leader_id, .. } => {
                let leader = leader_id.map_or("unknown".to_string(), |l| l.0.to_string());
                format!("{name} __cluster_metadata-0 {} (leader {leader})", e.name())
            }
            Msg::VoteRequest { candidate_id, candidate_epoch, .. } => {
                format!("{name} from {} for epoch {candidate_epoch}", candidate_id.0)
            }
            Msg::VoteResponse { vote_granted, leader_epoch, .. } => {
                let verdict = if *vote_granted { "granted" } else { "rejected" };
                format!("{name} {verdict} (epoch {leader_epoch})")
            }
            Msg::BeginQuorumEpochRequest { leader_id, leader_epoch } => {
                format!("{name}: {} leads epoch {leader_epoch}", leader_id.0)
            }
            Msg::CreateTopicsRequest { topics } => {
                let names: Vec<&str> = topics.iter().map(|t| t.name.as_str()).collect();
                format!("{name} {}", names.join(", "))
            }
            _ => name.to_string(),
        }
    }
}
