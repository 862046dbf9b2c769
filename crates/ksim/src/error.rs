//! Kafka's protocol error codes with their default messages (clients `Errors.java`).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KafkaError {
    UnknownTopicOrPartition,
    NotLeaderOrFollower,
    InvalidTopicException,
    InvalidPartitions,
    InvalidReplicationFactor,
    TopicAlreadyExists,
    EligibleLeadersNotAvailable,
    PreferredLeaderNotAvailable,
    ElectionNotNeeded,
    LeaderNotAvailable,
    NetworkException,
    InvalidUpdateVersion,
    RequestTimedOut,
    UnknownLeaderEpoch,
    FencedLeaderEpoch,
    NotEnoughReplicasAfterAppend,
    NotEnoughReplicas,
    NotController,
    InvalidConfig,
    InvalidRequest,
    BrokerIdNotRegistered,
    StaleBrokerEpoch,
    OffsetOutOfRange,
    InvalidRecord,
    InvalidReplicaAssignment,
    NoReassignmentInProgress,
    CoordinatorNotAvailable,
    NotCoordinator,
    IllegalGeneration,
    InconsistentGroupProtocol,
    UnknownMemberId,
    RebalanceInProgress,
    NonEmptyGroup,
    GroupIdNotFound,
    MemberIdRequired,
    FencedMemberEpoch,
    UnsupportedAssignor,
    StaleMemberEpoch,
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
}

impl KafkaError {
    /// The enum name Kafka logs, e.g. `UNKNOWN_TOPIC_OR_PARTITION`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            KafkaError::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            KafkaError::InvalidReplicaAssignment => "INVALID_REPLICA_ASSIGNMENT",
            KafkaError::NoReassignmentInProgress => "NO_REASSIGNMENT_IN_PROGRESS",
            KafkaError::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            KafkaError::InvalidTopicException => "INVALID_TOPIC_EXCEPTION",
            KafkaError::TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            KafkaError::EligibleLeadersNotAvailable => "ELIGIBLE_LEADERS_NOT_AVAILABLE",
            KafkaError::PreferredLeaderNotAvailable => "PREFERRED_LEADER_NOT_AVAILABLE",
            KafkaError::ElectionNotNeeded => "ELECTION_NOT_NEEDED",
            KafkaError::LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            KafkaError::NetworkException => "NETWORK_EXCEPTION",
            KafkaError::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            KafkaError::RequestTimedOut => "REQUEST_TIMED_OUT",
            KafkaError::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            KafkaError::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            KafkaError::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            KafkaError::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            KafkaError::NotController => "NOT_CONTROLLER",
            KafkaError::InvalidPartitions => "INVALID_PARTITIONS",
            KafkaError::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            KafkaError::InvalidConfig => "INVALID_CONFIG",
            KafkaError::InvalidRequest => "INVALID_REQUEST",
            KafkaError::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            KafkaError::BrokerIdNotRegistered => "BROKER_ID_NOT_REGISTERED",
            KafkaError::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            KafkaError::InvalidRecord => "INVALID_RECORD",
            KafkaError::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            KafkaError::NotCoordinator => "NOT_COORDINATOR",
            KafkaError::IllegalGeneration => "ILLEGAL_GENERATION",
            KafkaError::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            KafkaError::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            KafkaError::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            KafkaError::NonEmptyGroup => "NON_EMPTY_GROUP",
            KafkaError::GroupIdNotFound => "GROUP_ID_NOT_FOUND",
            KafkaError::MemberIdRequired => "MEMBER_ID_REQUIRED",
            KafkaError::FencedMemberEpoch => "FENCED_MEMBER_EPOCH",
            KafkaError::UnsupportedAssignor => "UNSUPPORTED_ASSIGNOR",
            KafkaError::StaleMemberEpoch => "STALE_MEMBER_EPOCH",
            KafkaError::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            KafkaError::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
        }
    }

    /// The Java exception class the client raises for this code.
    pub(crate) fn exception(self) -> &'static str {
        match self {
            KafkaError::UnknownTopicOrPartition => "org.apache.kafka.common.errors.UnknownTopicOrPartitionException",
            KafkaError::InvalidReplicaAssignment => "org.apache.kafka.common.errors.InvalidReplicaAssignmentException",
            KafkaError::NoReassignmentInProgress => "org.apache.kafka.common.errors.NoReassignmentInProgressException",
            KafkaError::NotLeaderOrFollower => "org.apache.kafka.common.errors.NotLeaderOrFollowerException",
            KafkaError::InvalidTopicException => "org.apache.kafka.common.errors.InvalidTopicException",
            KafkaError::TopicAlreadyExists => "org.apache.kafka.common.errors.TopicExistsException",
            KafkaError::EligibleLeadersNotAvailable => {
                "org.apache.kafka.common.errors.EligibleLeadersNotAvailableException"
            }
            KafkaError::PreferredLeaderNotAvailable => {
                "org.apache.kafka.common.errors.PreferredLeaderNotAvailableException"
            }
            KafkaError::ElectionNotNeeded => "org.apache.kafka.common.errors.ElectionNotNeededException",
            KafkaError::LeaderNotAvailable => "org.apache.kafka.common.errors.LeaderNotAvailableException",
            KafkaError::NetworkException => "org.apache.kafka.common.errors.NetworkException",
            KafkaError::InvalidUpdateVersion => "org.apache.kafka.common.errors.InvalidUpdateVersionException",
            KafkaError::RequestTimedOut => "org.apache.kafka.common.errors.TimeoutException",
            KafkaError::UnknownLeaderEpoch => "org.apache.kafka.common.errors.UnknownLeaderEpochException",
            KafkaError::FencedLeaderEpoch => "org.apache.kafka.common.errors.FencedLeaderEpochException",
            KafkaError::NotEnoughReplicasAfterAppend => {
                "org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException"
            }
            KafkaError::NotEnoughReplicas => "org.apache.kafka.common.errors.NotEnoughReplicasException",
            KafkaError::NotController => "org.apache.kafka.common.errors.NotControllerException",
            KafkaError::InvalidPartitions => "org.apache.kafka.common.errors.InvalidPartitionsException",
            KafkaError::InvalidReplicationFactor => "org.apache.kafka.common.errors.InvalidReplicationFactorException",
            KafkaError::InvalidConfig => "org.apache.kafka.common.errors.InvalidConfigurationException",
            KafkaError::InvalidRequest => "org.apache.kafka.common.errors.InvalidRequestException",
            KafkaError::StaleBrokerEpoch => "org.apache.kafka.common.errors.StaleBrokerEpochException",
            KafkaError::BrokerIdNotRegistered => "org.apache.kafka.common.errors.BrokerIdNotRegisteredException",
            KafkaError::OffsetOutOfRange => "org.apache.kafka.common.errors.OffsetOutOfRangeException",
            KafkaError::InvalidRecord => "org.apache.kafka.common.errors.InvalidRecordException",
            KafkaError::CoordinatorNotAvailable => "org.apache.kafka.common.errors.CoordinatorNotAvailableException",
            KafkaError::NotCoordinator => "org.apache.kafka.common.errors.NotCoordinatorException",
            KafkaError::IllegalGeneration => "org.apache.kafka.common.errors.IllegalGenerationException",
            KafkaError::InconsistentGroupProtocol => {
                "org.apache.kafka.common.errors.InconsistentGroupProtocolException"
            }
            KafkaError::UnknownMemberId => "org.apache.kafka.common.errors.UnknownMemberIdException",
            KafkaError::RebalanceInProgress => "org.apache.kafka.common.errors.RebalanceInProgressException",
            KafkaError::NonEmptyGroup => "org.apache.kafka.common.errors.GroupNotEmptyException",
            KafkaError::GroupIdNotFound => "org.apache.kafka.common.errors.GroupIdNotFoundException",
            KafkaError::MemberIdRequired => "org.apache.kafka.common.errors.MemberIdRequiredException",
            KafkaError::FencedMemberEpoch => "org.apache.kafka.common.errors.FencedMemberEpochException",
            KafkaError::UnsupportedAssignor => "org.apache.kafka.common.errors.UnsupportedAssignorException",
            KafkaError::StaleMemberEpoch => "org.apache.kafka.common.errors.StaleMemberEpochException",
            KafkaError::OutOfOrderSequenceNumber => "org.apache.kafka.common.errors.OutOfOrderSequenceException",
            KafkaError::InvalidProducerEpoch => "org.apache.kafka.common.errors.InvalidProducerEpochException",
        }
    }

    /// Retriable errors make clients refresh metadata and try again.
    pub(crate) fn is_retriable(self) -> bool {
        matches!(
            self,
            KafkaError::UnknownTopicOrPartition
                | KafkaError::NotLeaderOrFollower
                | KafkaError::NotController
                | KafkaError::CoordinatorNotAvailable
                | KafkaError::NotCoordinator
        )
    }

    /// The default message of `Errors.java`.
    pub(crate) fn default_message(self) -> &'static str {
        match self {
            KafkaError::UnknownTopicOrPartition => "This server does not host this topic-partition.",
            KafkaError::InvalidReplicaAssignment => "Replica assignment is invalid.",
            KafkaError::NoReassignmentInProgress => "No partition reassignment is in progress.",
            KafkaError::NotLeaderOrFollower => {
                "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition."
            }
            KafkaError::InvalidTopicException => {
                "The request attempted to perform an operation on an invalid topic."
            }
            KafkaError::TopicAlreadyExists => "Topic with this name already exists.",
            KafkaError::EligibleLeadersNotAvailable => "Eligible topic partition leaders are not available.",
            KafkaError::PreferredLeaderNotAvailable => "The preferred leader was not available.",
            KafkaError::ElectionNotNeeded => "Leader election not needed for topic partition.",
            KafkaError::LeaderNotAvailable => "There is no leader for this topic-partition as we are in the middle of a leadership election.",
            KafkaError::NetworkException => "The server disconnected before a response was received.",
            KafkaError::InvalidUpdateVersion => "The given update version was invalid.",
            KafkaError::RequestTimedOut => "The request timed out.",
            KafkaError::UnknownLeaderEpoch => "The leader epoch in the request is newer than the epoch on the broker.",
            KafkaError::FencedLeaderEpoch => "The leader epoch in the request is older than the epoch on the broker.",
            KafkaError::NotEnoughReplicasAfterAppend => "Messages are written to the log, but to fewer in-sync replicas than required.",
            KafkaError::NotEnoughReplicas => "Messages are rejected since there are fewer in-sync replicas than required.",
            KafkaError::NotController => "This is not the correct controller for this cluster.",
            KafkaError::InvalidPartitions => "Number of partitions is below 1.",
            KafkaError::InvalidReplicationFactor => {
                "Replication factor is below 1 or larger than the number of available brokers."
            }
            KafkaError::InvalidConfig => "Configuration is invalid.",
            KafkaError::InvalidRequest => {
                "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details."
            }
            KafkaError::StaleBrokerEpoch => "Broker epoch has changed.",
            KafkaError::BrokerIdNotRegistered => "The given broker ID was not registered.",
            KafkaError::OffsetOutOfRange => {
                "The requested offset is not within the range of offsets maintained by the server."
            }
            KafkaError::InvalidRecord => "This record has failed the validation on broker and hence will be rejected.",
            KafkaError::CoordinatorNotAvailable => "The coordinator is not available.",
            KafkaError::NotCoordinator => "This is not the correct coordinator.",
            KafkaError::IllegalGeneration => "Specified group generation id is not valid.",
            KafkaError::InconsistentGroupProtocol => "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.",
            KafkaError::UnknownMemberId => "The coordinator is not aware of this member.",
            KafkaError::RebalanceInProgress => "The group is rebalancing, so a rejoin is needed.",
            KafkaError::NonEmptyGroup => "The group is not empty.",
            KafkaError::GroupIdNotFound => "The group id does not exist.",
            KafkaError::MemberIdRequired => "The group member needs to have a valid member id before actually entering a consumer group.",
            KafkaError::FencedMemberEpoch => "The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin.",
            KafkaError::UnsupportedAssignor => "The assignor or its version range is not supported by the consumer group.",
            KafkaError::StaleMemberEpoch => "The member epoch is stale. The member must retry after receiving its updated member epoch via the ConsumerGroupHeartbeat API.",
            KafkaError::OutOfOrderSequenceNumber => "The broker received an out of order sequence number.",
            KafkaError::InvalidProducerEpoch => "Producer attempted to produce with an old epoch.",
        }
    }
}

/// An error code with the message the server attached (or the default one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) error: KafkaError,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(error: KafkaError, message: impl Into<String>) -> ApiError {
        ApiError { error, message: message.into() }
    }

    pub(crate) fn default_for(error: KafkaError) -> ApiError {
        ApiError::new(error, error.default_message())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error.exception(), self.message)
    }
}
