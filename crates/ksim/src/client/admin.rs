//! The Admin client as the CLI tools use it: one call (create, delete, list, describe,
//! describe the metadata quorum), bootstrapped through any server, with
//! `default.api.timeout.ms` as its deadline.

use super::Bootstrap;
use crate::ids::{Addr, NodeId};
use crate::node::{ClientEvent, Ctx, Input, Target, Timer};
use crate::protocol::{BrokerMetadata, CreatableTopic, CreatableTopicResult, Msg, QuorumDescription, TopicMetadata};

/// `default.api.timeout.ms`.
pub(crate) const DEFAULT_API_TIMEOUT_MS: u64 = 60_000;
/// `retry.backoff.ms`.
const RETRY_BACKOFF_MS: u64 = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AdminCall {
    CreateTopics(Vec<CreatableTopic>),
    DeleteTopics(Vec<String>),
    /// listTopics / describeTopics: answered by a Metadata request; `call` names it.
    Metadata {
        call: &'static str,
    },
    /// describeMetadataQuorum: asks the bootstrap server directly (a broker forwards it,
    /// a controller that does not lead names the one that does).
    DescribeQuorum,
    /// incrementalAlterConfigs on one topic.
    AlterConfigs {
        topic: String,
        set: Vec<(String, String)>,
        delete: Vec<String>,
    },
}

impl AdminCall {
    /// The call's name in Kafka's timeout message (`Call: createTopics`).
    fn name(&self) -> &'static str {
        match self {
            AdminCall::CreateTopics(_) => "createTopics",
            AdminCall::DeleteTopics(_) => "deleteTopics",
            AdminCall::Metadata { call } => call,
            AdminCall::DescribeQuorum => "describeMetadataQuorum",
            AdminCall::AlterConfigs { .. } => "incrementalAlterConfigs",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AdminOutcome {
    Created(Vec<CreatableTopicResult>),
    Deleted(Vec<CreatableTopicResult>),
    Metadata {
        brokers: Vec<BrokerMetadata>,
        controller_id: Option<NodeId>,
        topics: Vec<TopicMetadata>,
    },
    Quorum(QuorumDescription),
    ConfigsAltered(Option<crate::error::ApiError>),
    /// `kafka-configs.sh` refuses to delete configs the topic does not set.
    DeleteMissing(Vec<String>),
    /// No server answered within the API timeout: `Timed out waiting for a node assignment. Call: createTopics`.
    TimedOut(String),
}

pub(crate) struct Admin {
    bootstrap: Bootstrap,
    call: AdminCall,
    next_correlation_id: u32,
}

impl Admin {
    pub(crate) fn new(bootstrap_servers: Vec<String>, client_id: &str, call: AdminCall) -> Admin {
        let bootstrap = Bootstrap::new(bootstrap_servers, format!("[AdminClient clientId={client_id}]"));
        Admin { bootstrap, call, next_correlation_id: 0 }
    }

    pub(crate) fn bootstrap_servers(&self) -> Vec<String> {
        self.bootstrap.servers.clone()
    }

    fn send(&mut self, to: Target, msg: Msg, ctx: &mut Ctx) {
        self.next_correlation_id += 1;
        ctx.send_to(to, self.next_correlation_id, msg);
    }

    fn finish(outcome: AdminOutcome, ctx: &mut Ctx) -> bool {
        ctx.notify(ClientEvent::Admin(outcome));
        false
    }

    /// Returns false once the call has finished.
    pub(crate) fn handle(&mut self, input: Input, ctx: &mut Ctx) -> bool {
        match input {
            Input::Start => {
                ctx.timer(DEFAULT_API_TIMEOUT_MS, Timer::Deadline);
                self.bootstrap_request(ctx);
                true
            }
            Input::Timer(Timer::ClientRetry) => {
                self.bootstrap_request(ctx);
                true
            }
            Input::Timer(Timer::Deadline) => {
                let message = format!("Timed out waiting for a node assignment. Call: {}", self.call.name());
                Self::finish(AdminOutcome::TimedOut(message), ctx)
            }
            Input::Disconnected { .. } => {
                // The server died with the request: start over from the bootstrap list.
                ctx.timer(RETRY_BACKOFF_MS, Timer::ClientRetry);
                true
            }
            Input::ConnectionRefused { target } => {
                let backoff = self.bootstrap.refused(&target, ctx);
                ctx.timer(backoff, Timer::ClientRetry);
                true
            }
            Input::Message { from, msg, .. } => self.on_response(from, msg, ctx),
            Input::Timer(_) => true,
        }
    }

    fn bootstrap_request(&mut self, ctx: &mut Ctx) {
        let target = Target::HostPort(self.bootstrap.current());
        let msg = match self.call {
            AdminCall::DescribeQuorum => Msg::DescribeQuorumRequest,
            _ => Msg::MetadataRequest { topics: None, allow_auto_topic_creation: false },
        };
        self.send(target, msg, ctx);
    }

    fn retry_later(ctx: &mut Ctx) -> bool {
        ctx.timer(RETRY_BACKOFF_MS, Timer::ClientRetry);
        true
    }

    fn on_response(&mut self, from: Addr, msg: Msg, ctx: &mut Ctx) -> bool {
        self.bootstrap.connected();
        let retriable = |results: &[CreatableTopicResult]| {
            results.iter().any(|r| r.error.as_ref().is_some_and(|e| e.error.is_retriable()))
        };
        match msg {
            Msg::MetadataResponse { brokers, controller_id, topics } => match self.call.clone() {
                AdminCall::Metadata { .. } => {
                    Self::finish(AdminOutcome::Metadata { brokers, controller_id, topics }, ctx)
                }
                AdminCall::CreateTopics(topics) => {
                    self.send(Target::Addr(from), Msg::CreateTopicsRequest { topics }, ctx);
                    true
                }
                AdminCall::DeleteTopics(names) => {
                    self.send(Target::Addr(from), Msg::DeleteTopicsRequest { names }, ctx);
                    true
                }
                AdminCall::DescribeQuorum => true,
                AdminCall::AlterConfigs { topic, set, delete } => {
                    let current: Vec<String> = topics
                        .iter()
                        .filter(|t| t.name == topic)
                        .flat_map(|t| t.dynamic_configs.iter().map(|(k, _)| k.clone()))
                        .collect();
                    let missing: Vec<String> = delete.iter().filter(|k| !current.contains(k)).cloned().collect();
                    if !missing.is_empty() && topics.iter().any(|t| t.name == topic && t.error.is_none()) {
                        return Self::finish(AdminOutcome::DeleteMissing(missing), ctx);
                    }
                    self.send(Target::Addr(from), Msg::AlterConfigsRequest { topic, set, delete }, ctx);
                    true
                }
            },
            // No active controller right now (an election is on): ask again shortly.
            Msg::CreateTopicsResponse { results } | Msg::DeleteTopicsResponse { results } if retriable(&results) => {
                Self::retry_later(ctx)
            }
            Msg::CreateTopicsResponse { results } => Self::finish(AdminOutcome::Created(results), ctx),
            Msg::DeleteTopicsResponse { results } => Self::finish(AdminOutcome::Deleted(results), ctx),
            Msg::DescribeQuorumResponse { quorum: Some(q), .. } => Self::finish(AdminOutcome::Quorum(q), ctx),
            Msg::AlterConfigsResponse { error: Some(e) } if e.error.is_retriable() => Self::retry_later(ctx),
            Msg::AlterConfigsResponse { error } => Self::finish(AdminOutcome::ConfigsAltered(error), ctx),
            Msg::DescribeQuorumResponse { leader_hint: Some(leader), .. } => {
                self.send(Target::Addr(Addr::Node(leader)), Msg::DescribeQuorumRequest, ctx);
                true
            }
            Msg::DescribeQuorumResponse { .. } => Self::retry_later(ctx),
            _ => true,
        }
    }
}
