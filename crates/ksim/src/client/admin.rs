//! The Admin client as the CLI tools use it: one call (create, delete, list, describe,
//! describe the metadata quorum), bootstrapped through any server, with
//! `default.api.timeout.ms` as its deadline.

use super::Bootstrap;
use crate::broker_config::ConfigResource;
use crate::ids::{Addr, NodeId};
use crate::node::{ClientEvent, Ctx, Input, Target, Timer};
use crate::protocol::{
    BrokerConfigsDescription, BrokerMetadata, CreatableTopic, CreatableTopicResult, ElectionType, GroupDescription,
    ListedGroup, LogDirDescription, Msg, OffsetSpec, OngoingReassignment, QuorumDescription, TopicMetadata,
};
use crate::vec_map::VecMap;

/// A group's committed offsets by topic-partition.
type CommittedOffsets = Vec<((String, u32), u64)>;

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
    /// listOffsets: asks each partition's leader (from a fresh metadata request).
    ListOffsets {
        partitions: Vec<(String, u32)>,
        spec: OffsetSpec,
    },
    /// deleteRecords: asks each partition's leader to move its log start up to the offset.
    DeleteRecords {
        partitions: Vec<((String, u32), i64)>,
    },
    /// describeLogDirs on the given brokers (every broker in the cluster when empty).
    DescribeLogDirs {
        brokers: Vec<u32>,
    },
    /// createPartitions: grow a topic to `total` partitions.
    CreatePartitions {
        topic: String,
        total: u32,
    },
    /// electLeaders on the given partitions (all when None).
    ElectLeaders {
        election: ElectionType,
        partitions: Option<Vec<(String, u32)>>,
    },
    /// describeConfigs of brokers: waits (as Kafka's admin waits for a node assignment)
    /// until `broker`, if given, is in the cluster.
    DescribeBrokerConfigs {
        broker: Option<u32>,
    },
    /// listPartitionReassignments, with the cluster's brokers and topics (describeCluster
    /// and describeTopics, which the reassignment tool asks for too).
    ListReassignments,
    /// alterPartitionReassignments: each partition's target replicas, None to cancel.
    AlterReassignments {
        partitions: Vec<crate::protocol::ReassignTarget>,
    },
    /// incrementalAlterConfigs on one topic; for a broker (or the cluster default, "")
    /// ConfigCommand describes it first and sends the legacy alterConfigs.
    AlterConfigs {
        resource: ConfigResource,
        set: Vec<(String, String)>,
        delete: Vec<String>,
    },
    /// listConsumerGroups: every broker's groups.
    ListGroups,
    /// describeConsumerGroups and listConsumerGroupOffsets of one group, with the log-end
    /// offsets (the high watermarks) of its partitions.
    DescribeGroup {
        group_id: String,
    },
    /// deleteConsumerGroups of one group.
    DeleteGroup {
        group_id: String,
    },
    /// alterConsumerGroupOffsets: commits for a group without members.
    AlterGroupOffsets {
        group_id: String,
        offsets: Vec<((String, u32), u64)>,
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
            AdminCall::AlterConfigs { resource: ConfigResource::Broker(_), .. } => "alterConfigs",
            AdminCall::AlterConfigs { .. } => "incrementalAlterConfigs",
            AdminCall::DescribeBrokerConfigs { .. } => "describeConfigs",
            AdminCall::ListOffsets { .. } => "listOffsets",
            AdminCall::DeleteRecords { .. } => "deleteRecords",
            AdminCall::DescribeLogDirs { .. } => "describeLogDirs",
            AdminCall::ElectLeaders { .. } => "electLeaders",
            AdminCall::CreatePartitions { .. } => "createPartitions",
            AdminCall::ListReassignments => "listPartitionReassignments",
            AdminCall::AlterReassignments { .. } => "alterPartitionReassignments",
            AdminCall::ListGroups => "listConsumerGroups",
            AdminCall::DescribeGroup { .. } => "describeConsumerGroups",
            AdminCall::DeleteGroup { .. } => "deleteConsumerGroups",
            AdminCall::AlterGroupOffsets { .. } => "alterConsumerGroupOffsets",
        }
    }

    /// The group a group call is about (its coordinator answers it).
    fn group_id(&self) -> Option<&str> {
        match self {
            AdminCall::DescribeGroup { group_id }
            | AdminCall::DeleteGroup { group_id }
            | AdminCall::AlterGroupOffsets { group_id, .. } => Some(group_id),
            _ => None,
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
    /// describeConfigs of brokers: each asked broker's answer, by broker id (one answer,
    /// from any broker, when only the cluster default was asked for).
    BrokerConfigs(Vec<BrokerConfigsDescription>),
    /// `kafka-configs.sh` refuses to delete configs the topic does not set.
    DeleteMissing(Vec<String>),
    /// listOffsets offsets, or deleteRecords low watermarks.
    Offsets(Vec<((String, u32), Result<u64, crate::error::ApiError>)>),
    PartitionsCreated(Option<crate::error::ApiError>),
    Elected(Vec<((String, u32), Option<crate::error::ApiError>)>),
    /// listPartitionReassignments, with the metadata read before it.
    Reassignments {
        brokers: Vec<BrokerMetadata>,
        topics: Vec<TopicMetadata>,
        ongoing: Vec<OngoingReassignment>,
    },
    /// alterPartitionReassignments: each partition's error, if any.
    ReassignmentsAltered(Vec<((String, u32), Option<crate::error::ApiError>)>),
    /// describeLogDirs: each queried broker's directories, by broker id.
    LogDirs(Vec<(u32, Vec<LogDirDescription>)>),
    /// `--broker-list` named brokers the cluster does not have: (missing, the cluster's).
    NoSuchBrokers(Vec<u32>, Vec<u32>),
    /// listConsumerGroups, sorted by group id.
    Groups(Vec<ListedGroup>),
    /// describeConsumerGroups with the group's committed offsets and, for every partition
    /// assigned or committed, its log-end offset (high watermark).
    GroupDescribed {
        description: GroupDescription,
        committed: Vec<((String, u32), u64)>,
        log_end: Vec<((String, u32), Result<u64, crate::error::ApiError>)>,
    },
    /// deleteConsumerGroups: the group's error, if any.
    GroupDeleted(Option<crate::error::ApiError>),
    /// alterConsumerGroupOffsets: each partition's error, if any.
    GroupOffsetsAltered(Vec<((String, u32), Option<crate::error::ApiError>)>),
    /// No server answered within the API timeout: `Timed out waiting for a node assignment. Call: createTopics`.
    TimedOut(String),
}

#[derive(Clone)]
pub(crate) struct Admin {
    bootstrap: Bootstrap,
    call: AdminCall,
    next_correlation_id: u32,
    /// listOffsets: answers gathered so far, and how many requests are still out.
    offsets: Vec<((String, u32), Result<u64, crate::error::ApiError>)>,
    offsets_pending: usize,
    /// describeLogDirs: answers gathered so far, and the brokers still to answer.
    log_dirs: Vec<(u32, Vec<LogDirDescription>)>,
    log_dirs_pending: Vec<u32>,
    /// listPartitionReassignments: the metadata read first.
    metadata: (Vec<BrokerMetadata>, Vec<TopicMetadata>),
    /// describeConfigs of brokers: answers gathered so far, and the brokers still to answer.
    broker_configs: Vec<BrokerConfigsDescription>,
    broker_configs_pending: usize,
    /// listConsumerGroups: answers gathered so far, and how many brokers are still to answer.
    groups: Vec<ListedGroup>,
    groups_pending: usize,
    /// Group calls: the coordinator found, and (describe) what it said so far.
    coordinator: Option<BrokerMetadata>,
    described: Option<(GroupDescription, CommittedOffsets)>,
}

impl Admin {
    pub(crate) fn new(bootstrap_servers: Vec<String>, client_id: &str, call: AdminCall) -> Admin {
        let bootstrap = Bootstrap::new(bootstrap_servers, format!("[AdminClient clientId={client_id}]"));
        Admin {
            bootstrap,
            call,
            next_correlation_id: 0,
            offsets: Vec::new(),
            offsets_pending: 0,
            log_dirs: Vec::new(),
            log_dirs_pending: Vec::new(),
            metadata: (Vec::new(), Vec::new()),
            broker_configs: Vec::new(),
            broker_configs_pending: 0,
            groups: Vec::new(),
            groups_pending: 0,
            coordinator: None,
            described: None,
        }
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

    /// One request per leader and topic (ListOffsets, DeleteRecords); a partition without
    /// a leader answers LEADER_NOT_AVAILABLE at once.
    fn per_leader(
        &mut self,
        topics: &[TopicMetadata],
        partitions: Vec<(String, u32)>,
        request: impl Fn(String, Vec<u32>) -> Msg,
        ctx: &mut Ctx,
    ) -> bool {
        let mut by_leader: VecMap<(NodeId, String), Vec<u32>> = VecMap::new();
        self.offsets.clear();
        for (topic, p) in partitions {
            let known =
                topics.iter().find(|t| t.name == topic).and_then(|t| t.partitions.iter().find(|x| x.partition == p));
            let missing = match known.map(|x| x.leader) {
                Some(Some(l)) => {
                    by_leader.entry((l, topic)).or_default().push(p);
                    continue;
                }
                Some(None) => crate::error::KafkaError::LeaderNotAvailable,
                None => crate::error::KafkaError::UnknownTopicOrPartition,
            };
            self.offsets.push(((topic, p), Err(crate::error::ApiError::default_for(missing))));
        }
        self.offsets_pending = by_leader.len();
        if self.offsets_pending == 0 {
            return self.finish_offsets(ctx);
        }
        for ((leader, topic), partitions) in by_leader {
            self.send(Target::Addr(Addr::Node(leader)), request(topic, partitions), ctx);
        }
        true
    }

    /// DescribeConfigs of brokers. `wanted`: None asks every broker (ConfigCommand
    /// describes each, then the default); Some(Some(id)) asks broker `id` itself, as Kafka's
    /// admin routes a BROKER resource, waiting (as for a node assignment) until it is in the
    /// cluster; Some(None) (the cluster default) asks the broker that answered `from`.
    fn describe_brokers(
        &mut self,
        from: Addr,
        brokers: Vec<BrokerMetadata>,
        wanted: Option<Option<u32>>,
        ctx: &mut Ctx,
    ) -> bool {
        let targets: Vec<Addr> = match wanted {
            None => brokers.iter().map(|b| Addr::Node(b.node_id)).collect(),
            Some(Some(id)) if brokers.iter().any(|b| b.node_id.0 == id) => vec![Addr::Node(NodeId(id))],
            Some(Some(_)) => return Self::retry_later(ctx),
            Some(None) => vec![from],
        };
        self.broker_configs.clear();
        self.broker_configs_pending = targets.len();
        for target in targets {
            self.send(Target::Addr(target), Msg::DescribeConfigsRequest, ctx);
        }
        true
    }

    /// listOffsets answers: the call's outcome, or the last part of describing a group.
    fn finish_offsets(&mut self, ctx: &mut Ctx) -> bool {
        let mut offsets = std::mem::take(&mut self.offsets);
        match self.described.take() {
            Some((description, committed)) => {
                crate::sort::sort_by(&mut offsets, |a, b| a.0.cmp(&b.0));
                Self::finish(AdminOutcome::GroupDescribed { description, committed, log_end: offsets }, ctx)
            }
            None => Self::finish(AdminOutcome::Offsets(offsets), ctx),
        }
    }

    /// Sends a group call's request to the group's coordinator.
    fn send_group_request(&mut self, ctx: &mut Ctx) {
        let Some(c) = self.coordinator.clone() else { return };
        let msg = match self.call.clone() {
            AdminCall::DescribeGroup { group_id } => Msg::DescribeGroupsRequest { group_ids: vec![group_id] },
            AdminCall::DeleteGroup { group_id } => Msg::DeleteGroupsRequest { group_ids: vec![group_id] },
            AdminCall::AlterGroupOffsets { group_id, offsets } => {
                Msg::OffsetCommitRequest { group_id, generation_id: -1, member_id: String::new(), offsets }
            }
            _ => return,
        };
        self.send(Target::Addr(Addr::Node(c.node_id)), msg, ctx);
    }

    /// A coordinator that moved or is not ready: find it again after a backoff.
    fn coordinator_lost(&mut self, ctx: &mut Ctx) -> bool {
        self.coordinator = None;
        self.described = None;
        Self::retry_later(ctx)
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
        let coordinator_error = |e: &Option<crate::error::ApiError>| {
            e.as_ref().is_some_and(|e| {
                matches!(
                    e.error,
                    crate::error::KafkaError::NotCoordinator | crate::error::KafkaError::CoordinatorNotAvailable
                )
            })
        };
        match msg {
            Msg::MetadataResponse { topics, .. } if self.call.group_id().is_some() => {
                self.metadata.1 = topics;
                let key = self.call.group_id().unwrap_or_default().to_string();
                self.send(Target::Addr(from), Msg::FindCoordinatorRequest { key }, ctx);
                true
            }
            Msg::MetadataResponse { brokers, .. } if self.call == AdminCall::ListGroups => {
                self.groups.clear();
                self.groups_pending = brokers.len();
                if brokers.is_empty() {
                    return Self::finish(AdminOutcome::Groups(Vec::new()), ctx);
                }
                for b in brokers {
                    self.send(Target::Addr(Addr::Node(b.node_id)), Msg::ListGroupsRequest, ctx);
                }
                true
            }
            Msg::ListGroupsResponse { groups } => {
                self.groups.extend(groups);
                self.groups_pending = self.groups_pending.saturating_sub(1);
                if self.groups_pending > 0 {
                    return true;
                }
                let mut all = std::mem::take(&mut self.groups);
                crate::sort::sort_by(&mut all, |a, b| a.group_id.cmp(&b.group_id));
                Self::finish(AdminOutcome::Groups(all), ctx)
            }
            Msg::FindCoordinatorResponse { error: None, coordinator: Some(c) } => {
                self.coordinator = Some(c);
                self.send_group_request(ctx);
                true
            }
            Msg::FindCoordinatorResponse { .. } => Self::retry_later(ctx),
            Msg::DescribeGroupsResponse { groups } => {
                let Some(mut description) = groups.into_iter().next() else { return Self::retry_later(ctx) };
                if coordinator_error(&description.error) {
                    return self.coordinator_lost(ctx);
                }
                description.coordinator = self.coordinator.clone();
                let group_id = description.group_id.clone();
                self.described = Some((description, Vec::new()));
                if let Some(c) = self.coordinator.clone() {
                    let msg = Msg::OffsetFetchRequest { group_id, partitions: None };
                    self.send(Target::Addr(Addr::Node(c.node_id)), msg, ctx);
                }
                true
            }
            Msg::OffsetFetchResponse { error, offsets, .. } => {
                if coordinator_error(&error) {
                    return self.coordinator_lost(ctx);
                }
                let Some((description, _)) = self.described.take() else { return true };
                // Log-end offsets of every partition assigned or committed.
                let mut partitions: Vec<(String, u32)> = offsets.iter().map(|(tp, _)| tp.clone()).collect();
                partitions.extend(description.members.iter().flat_map(|m| m.assignment.iter().cloned()));
                crate::sort::sort(&mut partitions);
                partitions.dedup();
                self.described = Some((description, offsets));
                let topics = std::mem::take(&mut self.metadata.1);
                let request =
                    |topic, partitions| Msg::ListOffsetsRequest { topic, partitions, spec: OffsetSpec::Latest };
                self.per_leader(&topics, partitions, request, ctx)
            }
            Msg::DeleteGroupsResponse { results } => {
                let error = results.into_iter().next().and_then(|(_, e)| e);
                if coordinator_error(&error) {
                    return self.coordinator_lost(ctx);
                }
                Self::finish(AdminOutcome::GroupDeleted(error), ctx)
            }
            Msg::OffsetCommitResponse { results, .. } => {
                if results.iter().any(|(_, e)| coordinator_error(e)) {
                    return self.coordinator_lost(ctx);
                }
                Self::finish(AdminOutcome::GroupOffsetsAltered(results), ctx)
            }
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
                AdminCall::ListOffsets { partitions, spec } => {
                    let request = |topic, partitions| Msg::ListOffsetsRequest { topic, partitions, spec };
                    self.per_leader(&topics, partitions, request, ctx)
                }
                AdminCall::DescribeLogDirs { brokers: wanted } => {
                    let mut cluster: Vec<u32> = brokers.iter().map(|b| b.node_id.0).collect();
                    cluster.sort_unstable();
                    let missing: Vec<u32> = wanted.iter().copied().filter(|b| !cluster.contains(b)).collect();
                    if !missing.is_empty() {
                        return Self::finish(AdminOutcome::NoSuchBrokers(missing, cluster), ctx);
                    }
                    self.log_dirs.clear();
                    self.log_dirs_pending = if wanted.is_empty() { cluster } else { wanted };
                    for b in self.log_dirs_pending.clone() {
                        self.send(Target::Addr(Addr::Node(NodeId(b))), Msg::DescribeLogDirsRequest, ctx);
                    }
                    true
                }
                AdminCall::DeleteRecords { partitions } => {
                    let wanted: Vec<(String, u32)> = partitions.iter().map(|(tp, _)| tp.clone()).collect();
                    let request = |topic: String, ids: Vec<u32>| {
                        let offset = |p: u32| {
                            partitions.iter().find(|((t, q), _)| *t == topic && *q == p).map_or(-1, |(_, o)| *o)
                        };
                        Msg::DeleteRecordsRequest {
                            partitions: ids.into_iter().map(|p| (p, offset(p))).collect(),
                            topic,
                        }
                    };
                    self.per_leader(&topics, wanted, request, ctx)
                }
                AdminCall::ElectLeaders { election, partitions } => {
                    self.send(Target::Addr(from), Msg::ElectLeadersRequest { election, partitions }, ctx);
                    true
                }
                AdminCall::ListReassignments => {
                    self.metadata = (brokers, topics);
                    self.send(Target::Addr(from), Msg::ListPartitionReassignmentsRequest, ctx);
                    true
                }
                AdminCall::AlterReassignments { partitions } => {
                    self.send(Target::Addr(from), Msg::AlterPartitionReassignmentsRequest { partitions }, ctx);
                    true
                }
                AdminCall::CreatePartitions { topic, total } => {
                    self.send(Target::Addr(from), Msg::CreatePartitionsRequest { topic, total }, ctx);
                    true
                }
                AdminCall::AlterConfigs { resource: ConfigResource::Topic(topic), set, delete } => {
                    let current: Vec<String> = topics
                        .iter()
                        .filter(|t| t.name == topic)
                        .flat_map(|t| t.dynamic_configs.iter().map(|(k, _, _)| k.clone()))
                        .collect();
                    let missing: Vec<String> = delete.iter().filter(|k| !current.contains(k)).cloned().collect();
                    if !missing.is_empty() && topics.iter().any(|t| t.name == topic && t.error.is_none()) {
                        return Self::finish(AdminOutcome::DeleteMissing(missing), ctx);
                    }
                    let resource = ConfigResource::Topic(topic);
                    self.send(Target::Addr(from), Msg::AlterConfigsRequest { resource, set, delete }, ctx);
                    true
                }
                AdminCall::AlterConfigs { resource: ConfigResource::Broker(name), .. } => {
                    self.describe_brokers(from, brokers, Some(name.parse::<u32>().ok()), ctx)
                }
                AdminCall::DescribeBrokerConfigs { broker: Some(id) } => {
                    self.describe_brokers(from, brokers, Some(Some(id)), ctx)
                }
                AdminCall::DescribeBrokerConfigs { broker: None } => self.describe_brokers(from, brokers, None, ctx),
                // Answered by the guarded arms above.
                AdminCall::ListGroups
                | AdminCall::DescribeGroup { .. }
                | AdminCall::DeleteGroup { .. }
                | AdminCall::AlterGroupOffsets { .. } => true,
            },
            // No active controller right now (an election is on): ask again shortly.
            Msg::CreateTopicsResponse { results } | Msg::DeleteTopicsResponse { results } if retriable(&results) => {
                Self::retry_later(ctx)
            }
            Msg::CreateTopicsResponse { results } => Self::finish(AdminOutcome::Created(results), ctx),
            Msg::DeleteTopicsResponse { results } => Self::finish(AdminOutcome::Deleted(results), ctx),
            Msg::DescribeQuorumResponse { quorum: Some(q), .. } => Self::finish(AdminOutcome::Quorum(q), ctx),
            Msg::ListOffsetsResponse { topic, offsets } | Msg::DeleteRecordsResponse { topic, results: offsets } => {
                self.offsets.extend(offsets.into_iter().map(|(p, r)| ((topic.clone(), p), r)));
                self.offsets_pending = self.offsets_pending.saturating_sub(1);
                if self.offsets_pending == 0 {
                    return self.finish_offsets(ctx);
                }
                true
            }
            Msg::DescribeLogDirsResponse { log_dirs } => {
                let Addr::Node(NodeId(broker)) = from else { return true };
                self.log_dirs_pending.retain(|b| *b != broker);
                self.log_dirs.push((broker, log_dirs));
                if self.log_dirs_pending.is_empty() {
                    crate::sort::sort_by_key(&mut self.log_dirs, |(b, _)| *b);
                    return Self::finish(AdminOutcome::LogDirs(std::mem::take(&mut self.log_dirs)), ctx);
                }
                true
            }
            Msg::ElectLeadersResponse { error: Some(_), .. } => Self::retry_later(ctx),
            Msg::AlterPartitionReassignmentsResponse { error: Some(_), .. } => Self::retry_later(ctx),
            Msg::AlterPartitionReassignmentsResponse { results, .. } => {
                Self::finish(AdminOutcome::ReassignmentsAltered(results), ctx)
            }
            Msg::ListPartitionReassignmentsResponse { error: Some(_), .. } => Self::retry_later(ctx),
            Msg::ListPartitionReassignmentsResponse { reassignments, .. } => {
                let (brokers, topics) = std::mem::take(&mut self.metadata);
                Self::finish(AdminOutcome::Reassignments { brokers, topics, ongoing: reassignments }, ctx)
            }
            Msg::ElectLeadersResponse { results, .. } => Self::finish(AdminOutcome::Elected(results), ctx),
            Msg::CreatePartitionsResponse { error: Some(e) } if e.error.is_retriable() => Self::retry_later(ctx),
            Msg::CreatePartitionsResponse { error } => Self::finish(AdminOutcome::PartitionsCreated(error), ctx),
            Msg::DescribeConfigsResponse { configs } => match self.call.clone() {
                AdminCall::AlterConfigs { resource: resource @ ConfigResource::Broker(_), set, delete } => {
                    // ConfigCommand refuses to delete what the broker does not set, then
                    // sends the rest.
                    let current = configs.dynamic.get(resource.name());
                    let missing: Vec<String> =
                        delete.iter().filter(|k| !current.is_some_and(|c| c.contains_key(*k))).cloned().collect();
                    if !missing.is_empty() {
                        return Self::finish(AdminOutcome::DeleteMissing(missing), ctx);
                    }
                    self.send(Target::Addr(from), Msg::AlterConfigsRequest { resource, set, delete }, ctx);
                    true
                }
                _ => {
                    self.broker_configs.push(configs);
                    self.broker_configs_pending = self.broker_configs_pending.saturating_sub(1);
                    if self.broker_configs_pending > 0 {
                        return true;
                    }
                    let mut answers = std::mem::take(&mut self.broker_configs);
                    crate::sort::sort_by_key(&mut answers, |c| c.broker_id);
                    Self::finish(AdminOutcome::BrokerConfigs(answers), ctx)
                }
            },
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
