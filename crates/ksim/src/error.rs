//! Kafka's protocol error codes with their default messages (clients `Errors.java`).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KafkaError {
    UnknownTopicOrPartition,
    LeaderNotAvailable,
    NotLeaderOrFollower,
    RequestTimedOut,
    InvalidTopicException,
    InvalidPartitions,
    InvalidReplicationFactor,
    TopicAlreadyExists,
    NotController,
    InvalidRequest,
    InvalidConfig,
    BrokerIdNotRegistered,
    StaleBrokerEpoch,
}

impl KafkaError {
    /// The wire code, as Kafka numbers it.
    pub(crate) fn code(self) -> i16 {
        match self {
            KafkaError::UnknownTopicOrPartition => 3,
            KafkaError::LeaderNotAvailable => 5,
            KafkaError::NotLeaderOrFollower => 6,
            KafkaError::RequestTimedOut => 7,
            KafkaError::InvalidTopicException => 17,
            KafkaError::TopicAlreadyExists => 36,
            KafkaError::InvalidPartitions => 37,
            KafkaError::InvalidReplicationFactor => 38,
            KafkaError::NotController => 41,
            KafkaError::InvalidRequest => 42,
            KafkaError::InvalidConfig => 40,
            KafkaError::StaleBrokerEpoch => 77,
            KafkaError::BrokerIdNotRegistered => 102,
        }
    }

    /// The enum name Kafka logs, e.g. `UNKNOWN_TOPIC_OR_PARTITION`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            KafkaError::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            KafkaError::LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            KafkaError::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            KafkaError::RequestTimedOut => "REQUEST_TIMED_OUT",
            KafkaError::InvalidTopicException => "INVALID_TOPIC_EXCEPTION",
            KafkaError::TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            KafkaError::InvalidPartitions => "INVALID_PARTITIONS",
            KafkaError::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            KafkaError::NotController => "NOT_CONTROLLER",
            KafkaError::InvalidRequest => "INVALID_REQUEST",
            KafkaError::InvalidConfig => "INVALID_CONFIG",
            KafkaError::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            KafkaError::BrokerIdNotRegistered => "BROKER_ID_NOT_REGISTERED",
        }
    }

    /// The Java exception class the client raises for this code.
    pub(crate) fn exception(self) -> &'static str {
        match self {
            KafkaError::UnknownTopicOrPartition => {
                "org.apache.kafka.common.errors.UnknownTopicOrPartitionException"
            }
            KafkaError::LeaderNotAvailable => {
                "org.apache.kafka.common.errors.LeaderNotAvailableException"
            }
            KafkaError::NotLeaderOrFollower => {
                "org.apache.kafka.common.errors.NotLeaderOrFollowerException"
            }
            KafkaError::RequestTimedOut => "org.apache.kafka.common.errors.TimeoutException",
            KafkaError::InvalidTopicException => {
                "org.apache.kafka.common.errors.InvalidTopicException"
            }
            KafkaError::TopicAlreadyExists => "org.apache.kafka.common.errors.TopicExistsException",
            KafkaError::InvalidPartitions => {
                "org.apache.kafka.common.errors.InvalidPartitionsException"
            }
            KafkaError::InvalidReplicationFactor => {
                "org.apache.kafka.common.errors.InvalidReplicationFactorException"
            }
            KafkaError::NotController => "org.apache.kafka.common.errors.NotControllerException",
            KafkaError::InvalidRequest => "org.apache.kafka.common.errors.InvalidRequestException",
            KafkaError::InvalidConfig => {
                "org.apache.kafka.common.errors.InvalidConfigurationException"
            }
            KafkaError::StaleBrokerEpoch => {
                "org.apache.kafka.common.errors.StaleBrokerEpochException"
            }
            KafkaError::BrokerIdNotRegistered => {
                "org.apache.kafka.common.errors.BrokerIdNotRegisteredException"
            }
        }
    }

    /// Retriable errors make clients refresh metadata and try again.
    pub(crate) fn is_retriable(self) -> bool {
        matches!(
            self,
            KafkaError::UnknownTopicOrPartition
                | KafkaError::LeaderNotAvailable
                | KafkaError::NotLeaderOrFollower
                | KafkaError::RequestTimedOut
                | KafkaError::NotController
        )
    }

    /// The default message of `Errors.java`.
    pub(crate) fn default_message(self) -> &'static str {
        match self {
            KafkaError::UnknownTopicOrPartition => "This server does not host this topic-partition.",
            KafkaError::LeaderNotAvailable => {
                "There is no leader for this topic-partition as we are in the middle of a leadership election."
            }
            KafkaError::NotLeaderOrFollower => {
                "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition."
            }
            KafkaError::RequestTimedOut => "The request timed out.",
            KafkaError::InvalidTopicException => {
                "The request attempted to perform an operation on an invalid topic."
            }
            KafkaError::TopicAlreadyExists => "Topic with this name already exists.",
            KafkaError::InvalidPartitions => "Number of partitions is below 1.",
            KafkaError::InvalidReplicationFactor => {
                "Replication factor is below 1 or larger than the number of available brokers."
            }
            KafkaError::NotController => "This is not the correct controller for this cluster.",
            KafkaError::InvalidRequest => {
                "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details."
            }
            KafkaError::InvalidConfig => "Configuration is invalid.",
            KafkaError::StaleBrokerEpoch => "Broker epoch has changed.",
            KafkaError::BrokerIdNotRegistered => "The given broker ID was not registered.",
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
        ApiError {
            error,
            message: message.into(),
        }
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
