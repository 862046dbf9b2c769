//! The consumer: finds its partitions, then long-polls their leaders with Fetch.
//!
//! Two ways to get partitions, as in Kafka: `assign()` (a given partition, or all of a
//! topic's, no group) and `subscribe()` through a consumer group. A subscribed consumer
//! finds its group coordinator, joins (JoinGroup, MEMBER_ID_REQUIRED, JoinGroup again),
//! and, if it is the group leader, computes every member's assignment with the assignor
//! the group chose; SyncGroup hands each member its partitions. It heartbeats every
//! `heartbeat.interval.ms`, starts from the committed offsets (OffsetFetch, else
//! `auto.offset.reset`), commits its positions every `auto.commit.interval.ms` when
//! `enable.auto.commit` is on, and on close commits and leaves the group.
//!
//! With `group.protocol=consumer` (KIP-848) the consumer instead heartbeats with
//! ConsumerGroupHeartbeat ([`super::consumer_membership`]): the coordinator assigns, and
//! the consumer reconciles each new assignment by committing (auto-commit) and dropping
//! the partitions it loses, acknowledging, and fetching the ones it gains from their
//! committed offsets.
//!
//! Simplifications: one topic per consumer; eager assignors revoke everything before
//! rejoining and cooperative ones keep what they own (no separate revocation callback);
//! the poll loop never stalls by itself, so `max.poll.interval.ms` is only exceeded when
//! a test or `ksim` pauses the application (`Consumer::pause_application`).

use super::consumer_membership::{ConsumerMembership, HeartbeatOutcome, MemberState};
use super::Bootstrap;
use crate::assignor::{Assignor, MemberSubscription};
use crate::error::KafkaError;
use crate::ids::{Addr, NodeId};
use crate::node::{ClientEvent, Ctx, Input, Level, Target, Timer};
use crate::protocol::{FetchPartition, GroupSubscription, Msg, OffsetSpec};
use crate::time::SimTime;
use crate::vec_map::VecMap;

/// Where a partition's position starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StartOffset {
    Earliest,
    Latest,
    At(u64),
    /// `auto.offset.reset=none`: no committed offset is an error.
    None,
}

/// The group settings of a subscribed consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupConfig {
    pub(crate) session_timeout_ms: u64,
    pub(crate) heartbeat_interval_ms: u64,
    pub(crate) max_poll_interval_ms: u64,
    pub(crate) enable_auto_commit: bool,
    pub(crate) auto_commit_interval_ms: u64,
    /// `partition.assignment.strategy`, most preferred first.
    pub(crate) assignors: Vec<Assignor>,
    /// `group.protocol`.
    pub(crate) protocol: GroupProtocol,
    /// `group.remote.assignor` (consumer protocol only).
    pub(crate) remote_assignor: Option<String>,
    /// Partition counts of the other topics the group's members subscribe to, for the
    /// leader's assignor: a Streams instance runs one consumer per topic (Kafka's leader
    /// would fetch those topics' metadata itself).
    pub(crate) group_topic_partitions: VecMap<String, u32>,
}

/// `group.protocol`: the classic protocol or KIP-848's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GroupProtocol {
    Classic,
    Consumer,
}

impl Default for GroupConfig {
    fn default() -> GroupConfig {
        GroupConfig {
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3000,
            max_poll_interval_ms: 300_000,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5000,
            assignors: crate::assignor::DEFAULT_ASSIGNORS.to_vec(),
            protocol: GroupProtocol::Classic,
            remote_assignor: None,
            group_topic_partitions: VecMap::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConsumerConfig {
    pub(crate) bootstrap_servers: Vec<String>,
    pub(crate) client_id: String,
    pub(crate) group_id: String,
    pub(crate) topic: String,
    /// `--partition`: read only this one (assign) instead of all.
    pub(crate) partition: Option<u32>,
    pub(crate) start: StartOffset,
    /// `fetch.max.wait.ms`.
    pub(crate) fetch_max_wait_ms: u64,
    /// `--timeout-ms`: stop when no record arrived for this long.
    pub(crate) idle_timeout_ms: Option<u64>,
    pub(crate) retry_backoff_ms: u64,
    /// Some: subscribe through the group; None: assign the partitions itself.
    pub(crate) group: Option<GroupConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConsumedRecord {
    pub(crate) topic: String,
    pub(crate) partition: u32,
    pub(crate) offset: u64,
    pub(crate) timestamp_ms: u64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ConsumerEvent {
    Records(Vec<ConsumedRecord>),
    /// No record within `--timeout-ms`.
    TimedOut,
    /// `auto.offset.reset=none` and a partition without a committed offset.
    NoOffset(Vec<(String, u32)>),
    /// The group gave the consumer its partitions (onPartitionsAssigned).
    Assigned(Vec<(String, u32)>),
    /// The group coordinator refused the member for good (poll() throws it).
    Fatal(crate::error::ApiError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Metadata,
    FindCoordinator,
    Joining,
    Syncing,
    OffsetFetch,
    ListOffsets,
    Fetching,
    /// Closing: the final commit is out; LeaveGroup follows its answer.
    Closing,
}

/// The consumer's place in its group, for the page.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Membership {
    pub(crate) member_id: String,
    pub(crate) generation_id: i32,
    pub(crate) is_leader: bool,
    pub(crate) protocol: Option<String>,
}

impl Membership {
    /// Not in the group: no member id, generation -1.
    fn none() -> Membership {
        Membership { generation_id: -1, ..Membership::default() }
    }
}

#[derive(Clone)]
pub(crate) struct Consumer {
    config: ConsumerConfig,
    bootstrap: Bootstrap,
    phase: Phase,
    leaders: VecMap<u32, NodeId>,
    /// Partitions of the topic, from the last metadata answer (the leader's assignor input).
    partition_count: u32,
    pub(crate) positions: VecMap<u32, u64>,
    /// Whether the first positions were set (`--offset`/`--from-beginning`); later
    /// resets, after an out-of-range fetch, follow `auto.offset.reset`.
    started: bool,
    /// Leaders with a fetch outstanding.
    fetching: Vec<NodeId>,
    last_progress: SimTime,
    /// The idle timer starts once the consumer has partitions to read.
    idle_clock_started: bool,
    next_correlation_id: u32,
    coordinator: Option<NodeId>,
    /// The coordinator's `host:port`, for log lines.
    coordinator_address: String,
    pub(crate) membership: Membership,
    /// Partitions assigned by the group (subscribe) or taken (assign).
    pub(crate) assignment: Vec<u32>,
    /// A heartbeat is out; when the next one is due.
    heartbeat_in_flight: bool,
    next_heartbeat: Option<SimTime>,
    next_auto_commit: Option<SimTime>,
    /// Positions at the last successful commit, so an idle consumer does not commit again.
    committed: VecMap<u32, u64>,
    /// The positions of the commit under way.
    commit_in_flight: VecMap<u32, u64>,
    /// When the pending retry fires (one at a time).
    retry_at: Option<SimTime>,
    /// The application's last poll; past `max.poll.interval.ms` the member leaves.
    last_poll: SimTime,
    /// The application stops polling until then (a slow record handler).
    paused_until: Option<SimTime>,
    /// `group.protocol=consumer`: the KIP-848 membership.
    kip848: Option<ConsumerMembership>,
    /// A reconciliation waiting for its auto-commit before it drops revoked partitions.
    reconcile_after_commit: Option<Vec<u32>>,
}

impl Consumer {
    pub(crate) fn new(config: ConsumerConfig) -> Consumer {
        let tag = format!("[Consumer clientId={}, groupId={}]", config.client_id, config.group_id);
        let bootstrap = Bootstrap::new(config.bootstrap_servers.clone(), tag);
        let kip848 =
            config.group.as_ref().filter(|g| g.protocol == GroupProtocol::Consumer).map(|g| {
                ConsumerMembership::new(config.topic.clone(), g.max_poll_interval_ms, g.remote_assignor.clone())
            });
        Consumer {
            config,
            bootstrap,
            phase: Phase::Metadata,
            leaders: VecMap::new(),
            partition_count: 0,
            positions: VecMap::new(),
            started: false,
            fetching: Vec::new(),
            last_progress: SimTime::ZERO,
            idle_clock_started: false,
            next_correlation_id: 0,
            coordinator: None,
            coordinator_address: String::new(),
            membership: Membership::none(),
            assignment: Vec::new(),
            heartbeat_in_flight: false,
            next_heartbeat: None,
            next_auto_commit: None,
            committed: VecMap::new(),
            commit_in_flight: VecMap::new(),
            retry_at: None,
            last_poll: SimTime::ZERO,
            paused_until: None,
            kip848,
            reconcile_after_commit: None,
        }
    }

    pub(crate) fn bootstrap_servers(&self) -> Vec<String> {
        self.config.bootstrap_servers.clone()
    }

    pub(crate) fn topic(&self) -> &str {
        &self.config.topic
    }

    fn tag(&self) -> String {
        format!("[Consumer clientId={}, groupId={}]", self.config.client_id, self.config.group_id)
    }

    fn send(&mut self, to: Target, msg: Msg, ctx: &mut Ctx) -> u32 {
        self.next_correlation_id += 1;
        ctx.send_to(to, self.next_correlation_id, msg);
        self.next_correlation_id
    }

    fn send_to_coordinator(&mut self, msg: Msg, ctx: &mut Ctx) {
        match self.coordinator {
            Some(c) => {
                self.send(Target::Addr(Addr::Node(c)), msg, ctx);
            }
            None => self.find_coordinator(ctx),
        }
    }

    /// The application stops calling poll() for `ms` (a slow record handler): past
    /// `max.poll.interval.ms` the consumer leaves its group, as Kafka's heartbeat thread does.
    pub(crate) fn pause_application(&mut self, ms: u64, ctx: &mut Ctx) {
        self.paused_until = Some(ctx.now.plus_ms(ms));
        self.retry_after(ms, ctx);
        if let Some(g) = &self.config.group {
            ctx.timer(g.max_poll_interval_ms, Timer::GroupHeartbeat);
        }
    }

    /// Arms the one retry timer (several failures at once must not multiply retries).
    fn retry_after(&mut self, ms: u64, ctx: &mut Ctx) {
        let at = ctx.now.plus_ms(ms);
        if self.retry_at.is_none_or(|t| at < t) {
            self.retry_at = Some(at);
            ctx.timer(ms, Timer::ClientRetry);
        }
    }

    fn polling(&self, now: SimTime) -> bool {
        self.paused_until.is_none_or(|t| now >= t)
    }

    /// Returns false once the consumer has closed.
    pub(crate) fn handle(&mut self, input: Input, ctx: &mut Ctx) -> bool {
        match input {
            Input::Start => {
                self.last_progress = ctx.now;
                self.last_poll = ctx.now;
                if let Some(m) = self.kip848.as_mut() {
                    // KIP-1082: the member makes up its id (`Uuid.randomUuid()`).
                    m.member_id = crate::ids::Uuid::random(ctx.rng).to_string();
                }
                self.request_metadata(ctx);
            }
            Input::Disconnected { node } => {
                // The leader died: its fetch is lost; find the partitions' new leaders.
                self.fetching.retain(|n| *n != node);
                if self.coordinator == Some(node) {
                    self.coordinator_unknown(ctx);
                }
                self.retry_after(self.config.retry_backoff_ms, ctx);
            }
            Input::ConnectionRefused { target } => {
                let backoff = self.bootstrap.refused(&target, ctx);
                self.retry_after(backoff, ctx);
            }
            Input::Timer(Timer::ClientRetry) => {
                if self.retry_at.is_some_and(|t| ctx.now >= t) {
                    self.retry_at = None;
                    self.retry(ctx);
                }
            }
            Input::Timer(Timer::Deadline) => {
                if let Some(timeout) = self.config.idle_timeout_ms {
                    if self.idle_clock_started && ctx.now.0 >= self.last_progress.0 + timeout {
                        ctx.notify(ClientEvent::Consumer(ConsumerEvent::TimedOut));
                        return self.close(ctx);
                    }
                }
            }
            Input::Timer(Timer::GroupHeartbeat) => self.on_heartbeat_timer(ctx),
            Input::Timer(Timer::AutoCommit) => self.on_auto_commit_timer(ctx),
            Input::Timer(_) => {}
            Input::Message { from, correlation_id, msg } => return self.on_response(from, correlation_id, msg, ctx),
        }
        true
    }

    /// After a backoff: carry on from wherever the consumer got stuck.
    fn retry(&mut self, ctx: &mut Ctx) {
        // A topic not created yet (a Connect sink starting before its source wrote):
        // ask for metadata again before joining, or the leader assigns no partitions.
        if self.phase == Phase::Metadata && self.partition_count == 0 && self.membership.generation_id < 0 {
            self.request_metadata(ctx);
            return;
        }
        // One request at a time through the bootstrap list: find the coordinator first
        // (its answer resumes the rest).
        if self.config.group.is_some() && self.coordinator.is_none() && self.phase != Phase::Closing {
            self.find_coordinator(ctx);
            return;
        }
        match self.phase {
            Phase::FindCoordinator => self.find_coordinator(ctx),
            Phase::Joining if self.coordinator.is_some() => self.join(ctx),
            Phase::Joining => self.find_coordinator(ctx),
            Phase::Closing => {}
            Phase::Fetching if !self.polling(ctx.now) => {
                let resume = self.paused_until.map_or(0, |t| t.0.saturating_sub(ctx.now.0));
                self.retry_after(resume, ctx);
            }
            _ => self.request_metadata(ctx),
        }
    }

    fn arm_idle_timer(&mut self, ctx: &mut Ctx) {
        if let Some(timeout) = self.config.idle_timeout_ms {
            if !self.idle_clock_started {
                self.idle_clock_started = true;
                self.last_progress = ctx.now;
            }
            ctx.timer(timeout, Timer::Deadline);
        }
    }

    fn request_metadata(&mut self, ctx: &mut Ctx) {
        if self.phase != Phase::Closing {
            self.phase = Phase::Metadata;
        }
        let target = Target::HostPort(self.bootstrap.current());
        let msg =
            Msg::MetadataRequest { topics: Some(vec![self.config.topic.clone()]), allow_auto_topic_creation: true };
        self.send(target, msg, ctx);
    }

    fn find_coordinator(&mut self, ctx: &mut Ctx) {
        // A member that lost its coordinator keeps fetching while it looks for it.
        if self.membership.generation_id < 0 {
            self.phase = Phase::FindCoordinator;
        }
        let target = Target::HostPort(self.bootstrap.current());
        self.send(target, Msg::FindCoordinatorRequest { key: self.config.group_id.clone() }, ctx);
    }

    fn coordinator_unknown(&mut self, ctx: &mut Ctx) {
        if let Some(c) = self.coordinator.take() {
            // The coordinator's connection id is Integer.MAX_VALUE - node id, as Kafka logs it.
            ctx.log(Level::Info, format!("{} Group coordinator {} (id: {} rack: null) is unavailable or invalid due to cause: coordinator unavailable. isDisconnected: true. Rediscovery will be attempted. (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), self.coordinator_address, i64::from(i32::MAX) - i64::from(c.0)));
        }
        self.heartbeat_in_flight = false;
        if let Some(m) = self.kip848.as_mut() {
            m.in_flight = false;
        }
    }

    fn join(&mut self, ctx: &mut Ctx) {
        if self.kip848.is_some() {
            return self.kip848_join(ctx);
        }
        let Some(group) = self.config.group.clone() else { return };
        self.phase = Phase::Joining;
        self.next_heartbeat = None;
        let cooperative = group.assignors.iter().all(|a| a.supports_cooperative());
        if !cooperative {
            // Eager protocol: give everything up before rejoining (onPartitionsRevoked).
            self.assignment.clear();
            self.leaders.clear();
        }
        let owned: Vec<(String, u32)> = self.assignment.iter().map(|p| (self.config.topic.clone(), *p)).collect();
        let subscription = GroupSubscription {
            topics: vec![self.config.topic.clone()],
            owned_partitions: owned,
            generation_id: self.membership.generation_id,
        };
        let protocols = group.assignors.iter().map(|a| (a.name().to_string(), subscription.clone())).collect();
        let msg = Msg::JoinGroupRequest {
            group_id: self.config.group_id.clone(),
            member_id: self.membership.member_id.clone(),
            client_id: self.config.client_id.clone(),
            session_timeout_ms: group.session_timeout_ms,
            rebalance_timeout_ms: group.max_poll_interval_ms,
            protocols,
        };
        ctx.log(
            Level::Info,
            format!(
                "{} (Re-)joining group (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)",
                self.tag()
            ),
        );
        self.send_to_coordinator(msg, ctx);
    }

    fn on_response(&mut self, from: Addr, correlation_id: u32, msg: Msg, ctx: &mut Ctx) -> bool {
        self.bootstrap.connected();
        match msg {
            Msg::MetadataResponse { topics, .. } if self.phase == Phase::Metadata => {
                let Some(t) = topics.into_iter().find(|t| t.name == self.config.topic) else {
                    return true;
                };
                if let Some(e) = &t.error {
                    ctx.log(Level::Warn, format!("{} The metadata response from the cluster reported a recoverable issue with correlation id {correlation_id} : {{{}={}}} (org.apache.kafka.clients.NetworkClient)", self.tag(), t.name, e.error.name()));
                    self.retry_after(self.config.retry_backoff_ms, ctx);
                    return true;
                }
                self.partition_count = t.partitions.len() as u32;
                let all: VecMap<u32, Option<NodeId>> = t.partitions.iter().map(|p| (p.partition, p.leader)).collect();
                if self.config.group.is_some() && self.membership.generation_id < 0 {
                    // Subscribed and not yet in the group: join first.
                    self.find_coordinator(ctx);
                    return true;
                }
                if self.config.group.is_none() {
                    self.assignment =
                        all.keys().copied().filter(|p| self.config.partition.is_none_or(|only| only == *p)).collect();
                }
                self.leaders = self.assignment.iter().filter_map(|p| Some((*p, (*all.get(p)?)?))).collect();
                if self.leaders.len() < self.assignment.len()
                    || (self.assignment.is_empty() && self.config.group.is_none())
                {
                    self.retry_after(self.config.retry_backoff_ms, ctx);
                    return true;
                }
                if self.config.group.is_some() && !self.started {
                    self.fetch_committed(ctx);
                } else {
                    self.reset_positions(ctx);
                }
            }
            Msg::FindCoordinatorResponse { error, coordinator } => match (error, coordinator) {
                (None, Some(c)) => {
                    ctx.log(Level::Info, format!("{} Discovered group coordinator {}:{} (id: {} rack: null) (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), c.host, c.port, i64::from(i32::MAX) - i64::from(c.node_id.0)));
                    self.coordinator = Some(c.node_id);
                    self.coordinator_address = format!("{}:{}", c.host, c.port);
                    if self.membership.generation_id < 0 {
                        self.join(ctx);
                    } else if self.kip848.is_some() {
                        self.send_heartbeat(ctx);
                    } else if self.phase != Phase::Fetching {
                        self.request_metadata(ctx);
                    }
                }
                _ => {
                    self.retry_after(self.config.retry_backoff_ms, ctx);
                }
            },
            Msg::JoinGroupResponse { error, generation_id, protocol_name, leader, member_id, members } => {
                self.on_join_response(
                    error.map(|e| e.error),
                    generation_id,
                    protocol_name,
                    leader,
                    member_id,
                    members,
                    ctx,
                );
            }
            Msg::SyncGroupResponse { error, assignment } => match error.map(|e| e.error) {
                None => {
                    let mine: Vec<u32> =
                        assignment.iter().filter(|(t, _)| *t == self.config.topic).map(|(_, p)| *p).collect();
                    let parts: Vec<String> = assignment.iter().map(|(t, p)| format!("{t}-{p}")).collect();
                    ctx.log(Level::Info, format!("{} Successfully synced group in generation Generation{{generationId={}, memberId='{}', protocol='{}'}} (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), self.membership.generation_id, self.membership.member_id, self.membership.protocol.clone().unwrap_or_default()));
                    ctx.log(Level::Info, format!("{} Notifying assignor about the new Assignment(partitions=[{}]) (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), parts.join(", ")));
                    ctx.notify(ClientEvent::Consumer(ConsumerEvent::Assigned(assignment.clone())));
                    self.positions.retain(|p, _| mine.contains(p));
                    self.committed.retain(|p, _| mine.contains(p));
                    self.assignment = mine;
                    self.started = false;
                    self.schedule_heartbeat(ctx);
                    if let Some(g) = &self.config.group {
                        if g.enable_auto_commit && self.next_auto_commit.is_none() {
                            self.next_auto_commit = Some(ctx.now.plus_ms(g.auto_commit_interval_ms));
                            ctx.timer(g.auto_commit_interval_ms, Timer::AutoCommit);
                        }
                    }
                    self.request_metadata(ctx);
                }
                Some(e) => self.on_group_error(e, "SYNC_GROUP", ctx),
            },
            Msg::ConsumerGroupHeartbeatResponse { error, member_epoch, heartbeat_interval_ms, assignment, .. } => {
                self.kip848_on_response(error, member_epoch, heartbeat_interval_ms, assignment, ctx);
            }
            Msg::HeartbeatResponse { error } => {
                self.heartbeat_in_flight = false;
                if let Some(e) = error.map(|e| e.error) {
                    if matches!(self.phase, Phase::Fetching | Phase::OffsetFetch | Phase::ListOffsets | Phase::Metadata)
                    {
                        if e == KafkaError::RebalanceInProgress {
                            ctx.log(Level::Info, format!("{} Request joining group due to: group is already rebalancing (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag()));
                        }
                        self.on_group_error(e, "HEARTBEAT", ctx);
                    }
                }
            }
            Msg::OffsetFetchResponse { offsets, error, .. } if self.phase == Phase::OffsetFetch => {
                if let Some(e) = error {
                    self.on_group_error(e.error, "OFFSET_FETCH", ctx);
                    return true;
                }
                for ((t, p), offset) in offsets {
                    // KIP-848 reconciliations keep the positions of partitions kept.
                    let kept = self.kip848.is_some() && self.positions.contains_key(&p);
                    if t == self.config.topic && self.assignment.contains(&p) && !kept {
                        self.positions.insert(p, offset);
                        self.committed.insert(p, offset);
                    }
                }
                self.reset_positions(ctx);
            }
            Msg::OffsetCommitResponse { results, .. } => {
                // Only what the coordinator accepted counts; the rest goes again next time.
                for ((_, p), e) in &results {
                    if let (None, Some(o)) = (e, self.commit_in_flight.get(p)) {
                        self.committed.insert(*p, *o);
                    }
                }
                if let Some(e) = results.iter().find_map(|(_, e)| e.clone()) {
                    ctx.log(Level::Warn, format!("{} Asynchronous auto-commit of offsets failed: {} (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), e.message));
                }
                if self.phase == Phase::Closing {
                    return self.leave(ctx);
                }
                if let Some(target) = self.reconcile_after_commit.take() {
                    self.finish_reconcile(target, ctx);
                }
            }
            Msg::ListOffsetsResponse { offsets, .. } => {
                for (p, result) in offsets {
                    if let Ok(offset) = result {
                        self.positions.insert(p, offset);
                    }
                }
                if self.leaders.keys().all(|p| self.positions.contains_key(p)) && self.phase == Phase::ListOffsets {
                    self.start_fetching(ctx);
                }
            }
            Msg::FetchResponse { partitions } => {
                if let Addr::Node(id) = from {
                    self.fetching.retain(|n| *n != id);
                }
                if self.phase != Phase::Fetching {
                    return true;
                }
                let mut records = Vec::new();
                for p in partitions {
                    if !self.assignment.contains(&p.partition) {
                        continue;
                    }
                    if let Some(e) = &p.error {
                        if e.error == KafkaError::OffsetOutOfRange {
                            // Retention or delete-records removed the position's records.
                            self.positions.remove(&p.partition);
                        }
                        self.request_metadata(ctx);
                        return true;
                    }
                    // Whole batches come back: skip the records before the position, as
                    // Kafka's `CompletedFetch` does.
                    let position = self.positions.get(&p.partition).copied().unwrap_or(0);
                    let fresh = p.batches.iter().flat_map(|b| b.records_from(position));
                    let before = records.len();
                    records.extend(fresh.map(|r| ConsumedRecord {
                        topic: p.topic.clone(),
                        partition: p.partition,
                        offset: r.offset,
                        timestamp_ms: r.timestamp_ms,
                        key: r.key().map(<[u8]>::to_vec),
                        value: r.value().map(<[u8]>::to_vec),
                    }));
                    if let Some(last) = records.get(before..).and_then(<[ConsumedRecord]>::last) {
                        self.positions.insert(p.partition, last.offset + 1);
                    }
                }
                if !records.is_empty() {
                    self.last_progress = ctx.now;
                    self.arm_idle_timer(ctx);
                    ctx.notify(ClientEvent::Consumer(ConsumerEvent::Records(records)));
                }
                self.fetch_all(ctx);
            }
            _ => {}
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn on_join_response(
        &mut self,
        error: Option<KafkaError>,
        generation_id: i32,
        protocol: Option<String>,
        leader: String,
        member_id: String,
        members: Vec<(String, GroupSubscription)>,
        ctx: &mut Ctx,
    ) {
        match error {
            Some(KafkaError::MemberIdRequired) => {
                self.membership.member_id = member_id;
                self.join(ctx);
                return;
            }
            Some(e) => return self.on_group_error(e, "JOIN_GROUP", ctx),
            None => {}
        }
        self.membership =
            Membership { is_leader: leader == member_id, member_id, generation_id, protocol: protocol.clone() };
        ctx.log(Level::Info, format!("{} Successfully joined group with generation Generation{{generationId={generation_id}, memberId='{}', protocol='{}'}} (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), self.membership.member_id, protocol.clone().unwrap_or_default()));
        self.phase = Phase::Syncing;
        let mut assignments = Vec::new();
        if self.membership.is_leader {
            let assignor = protocol.as_deref().and_then(Assignor::from_name).unwrap_or(Assignor::Range);
            let subscriptions: Vec<MemberSubscription> = members
                .iter()
                .map(|(id, s)| MemberSubscription {
                    member_id: id.clone(),
                    group_instance_id: None,
                    topics: s.topics.clone(),
                    owned: s.owned_partitions.clone(),
                    generation: (s.generation_id >= 0).then_some(s.generation_id),
                })
                .collect();
            let mut partitions_per_topic =
                self.config.group.as_ref().map(|g| g.group_topic_partitions.clone()).unwrap_or_default();
            partitions_per_topic.insert(self.config.topic.clone(), self.partition_count);
            let result = assignor.assign(&partitions_per_topic, &subscriptions);
            ctx.log(Level::Info, format!("{} Finished assignment for group at generation {generation_id}: {} (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), describe_assignment(&result)));
            assignments = result.into_iter().collect();
        }
        let msg = Msg::SyncGroupRequest {
            group_id: self.config.group_id.clone(),
            generation_id,
            member_id: self.membership.member_id.clone(),
            assignments,
        };
        self.send_to_coordinator(msg, ctx);
    }

    /// What a group error means for the member (`AbstractCoordinator`'s handlers).
    fn on_group_error(&mut self, error: KafkaError, request: &str, ctx: &mut Ctx) {
        match error {
            KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable => {
                self.coordinator_unknown(ctx);
                if self.membership.generation_id < 0 {
                    self.phase = Phase::FindCoordinator;
                }
                self.retry_after(self.config.retry_backoff_ms, ctx);
            }
            KafkaError::UnknownMemberId | KafkaError::IllegalGeneration => {
                ctx.log(Level::Info, format!("{} Resetting generation and member id due to: encountered {} from {request} response (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), error.name()));
                self.forget_membership();
                self.join(ctx);
            }
            KafkaError::RebalanceInProgress => self.rejoin(ctx),
            _ => {
                self.retry_after(self.config.retry_backoff_ms, ctx);
            }
        }
    }

    /// A rebalance started: commit what was consumed (eager assignors give up their
    /// partitions next) and join again.
    fn rejoin(&mut self, ctx: &mut Ctx) {
        // A JoinGroup already out will be answered with the new generation.
        if matches!(self.phase, Phase::Joining | Phase::Closing) {
            return;
        }
        self.commit_positions(ctx);
        self.join(ctx);
    }

    fn schedule_heartbeat(&mut self, ctx: &mut Ctx) {
        let Some(g) = &self.config.group else { return };
        let interval = g.heartbeat_interval_ms;
        self.next_heartbeat = Some(ctx.now.plus_ms(interval));
        ctx.timer(interval, Timer::GroupHeartbeat);
    }

    fn on_heartbeat_timer(&mut self, ctx: &mut Ctx) {
        if self.kip848.is_some() {
            return self.kip848_heartbeat_timer(ctx);
        }
        let Some(g) = self.config.group.clone() else { return };
        if self.phase != Phase::Closing
            && !self.membership.member_id.is_empty()
            && ctx.now.0 >= self.last_poll.0 + g.max_poll_interval_ms
            && !self.polling(ctx.now)
        {
            ctx.log(Level::Warn, format!("{} consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing messages. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records. (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag()));
            self.send_leave(ctx);
            self.forget_membership();
            self.next_heartbeat = None;
            self.phase = Phase::Joining;
            return;
        }
        let Some(due) = self.next_heartbeat else { return };
        if ctx.now < due {
            return;
        }
        if !self.heartbeat_in_flight && self.coordinator.is_some() {
            self.heartbeat_in_flight = true;
            let msg = Msg::HeartbeatRequest {
                group_id: self.config.group_id.clone(),
                generation_id: self.membership.generation_id,
                member_id: self.membership.member_id.clone(),
            };
            self.send_to_coordinator(msg, ctx);
        }
        self.schedule_heartbeat(ctx);
    }

    fn on_auto_commit_timer(&mut self, ctx: &mut Ctx) {
        let Some(g) = self.config.group.clone() else { return };
        let Some(due) = self.next_auto_commit else { return };
        if ctx.now < due {
            return;
        }
        if self.phase == Phase::Fetching && self.polling(ctx.now) {
            self.commit_positions(ctx);
        }
        self.next_auto_commit = Some(ctx.now.plus_ms(g.auto_commit_interval_ms));
        ctx.timer(g.auto_commit_interval_ms, Timer::AutoCommit);
    }

    /// Commits positions that moved since the last commit (auto-commit only). True if sent.
    fn commit_positions(&mut self, ctx: &mut Ctx) -> bool {
        let Some(g) = &self.config.group else { return false };
        if !g.enable_auto_commit || self.membership.generation_id < 0 {
            return false;
        }
        let offsets: Vec<((String, u32), u64)> = self
            .positions
            .iter()
            .filter(|(p, o)| self.assignment.contains(p) && self.committed.get(p) != Some(o))
            .map(|(p, o)| ((self.config.topic.clone(), *p), *o))
            .collect();
        if offsets.is_empty() {
            return false;
        }
        self.commit_in_flight = offsets.iter().map(|((_, p), o)| (*p, *o)).collect();
        let msg = Msg::OffsetCommitRequest {
            group_id: self.config.group_id.clone(),
            generation_id: self.membership.generation_id,
            member_id: self.membership.member_id.clone(),
            offsets,
        };
        self.send_to_coordinator(msg, ctx);
        true
    }

    /// `close()`: commit (auto-commit), then leave the group; false when done at once.
    pub(crate) fn close(&mut self, ctx: &mut Ctx) -> bool {
        if self.config.group.is_none() || self.membership.member_id.is_empty() || self.coordinator.is_none() {
            return false;
        }
        if self.phase == Phase::Fetching && self.commit_positions(ctx) {
            self.phase = Phase::Closing;
            return true;
        }
        self.leave(ctx)
    }

    /// `close()` with auto-commit off (a failed Connect sink task): leave the group
    /// without committing what was delivered but not written.
    pub(crate) fn close_without_commit(&mut self, ctx: &mut Ctx) -> bool {
        if self.config.group.is_none() || self.membership.member_id.is_empty() || self.coordinator.is_none() {
            return false;
        }
        self.leave(ctx)
    }

    fn send_leave(&mut self, ctx: &mut Ctx) {
        if self.kip848.is_some() {
            return self.kip848_leave(ctx);
        }
        ctx.log(Level::Info, format!("{} Member {} sending LeaveGroup request to coordinator due to the consumer is being closed (org.apache.kafka.clients.consumer.internals.ConsumerCoordinator)", self.tag(), self.membership.member_id));
        let msg = Msg::LeaveGroupRequest {
            group_id: self.config.group_id.clone(),
            member_id: self.membership.member_id.clone(),
        };
        self.send_to_coordinator(msg, ctx);
    }

    fn leave(&mut self, ctx: &mut Ctx) -> bool {
        self.send_leave(ctx);
        false
    }

    /// Committed offsets first (a subscribed consumer resumes where its group left off).
    fn fetch_committed(&mut self, ctx: &mut Ctx) {
        self.phase = Phase::OffsetFetch;
        let partitions = self.assignment.iter().map(|p| (self.config.topic.clone(), *p)).collect();
        let msg = Msg::OffsetFetchRequest { group_id: self.config.group_id.clone(), partitions: Some(partitions) };
        self.send_to_coordinator(msg, ctx);
    }

    /// Positions for partitions without one (a metadata refresh keeps the others):
    /// explicit offsets need no request; earliest/latest ask each leader (ListOffsets).
    fn reset_positions(&mut self, ctx: &mut Ctx) {
        self.positions.retain(|p, _| self.leaders.contains_key(p));
        let start = match (self.started, self.config.start) {
            (false, start) => start,
            // The console consumer's `auto.offset.reset`: earliest with --from-beginning.
            (true, StartOffset::Earliest) => StartOffset::Earliest,
            (true, StartOffset::None) => StartOffset::None,
            (true, _) => StartOffset::Latest,
        };
        self.started = true;
        let missing: Vec<u32> = self.leaders.keys().filter(|p| !self.positions.contains_key(p)).copied().collect();
        let spec = match start {
            _ if missing.is_empty() => None,
            StartOffset::At(offset) => {
                self.positions.extend(missing.iter().map(|p| (*p, offset)));
                None
            }
            StartOffset::Earliest => Some(OffsetSpec::Earliest),
            StartOffset::Latest => Some(OffsetSpec::Latest),
            StartOffset::None => {
                let tps = missing.iter().map(|p| (self.config.topic.clone(), *p)).collect();
                ctx.notify(ClientEvent::Consumer(ConsumerEvent::NoOffset(tps)));
                return;
            }
        };
        let Some(spec) = spec else {
            self.start_fetching(ctx);
            return;
        };
        self.phase = Phase::ListOffsets;
        let mut by_leader: VecMap<NodeId, Vec<u32>> = VecMap::new();
        for p in missing {
            if let Some(leader) = self.leaders.get(&p) {
                by_leader.entry(*leader).or_default().push(p);
            }
        }
        for (leader, partitions) in by_leader {
            let msg = Msg::ListOffsetsRequest { topic: self.config.topic.clone(), partitions, spec };
            self.send(Target::Addr(Addr::Node(leader)), msg, ctx);
        }
    }

    fn start_fetching(&mut self, ctx: &mut Ctx) {
        if self.phase != Phase::Fetching {
            self.phase = Phase::Fetching;
            self.arm_idle_timer(ctx);
        }
        self.fetch_all(ctx);
    }

    fn fetch_all(&mut self, ctx: &mut Ctx) {
        if !self.polling(ctx.now) {
            return;
        }
        self.last_poll = ctx.now;
        let mut by_leader: VecMap<NodeId, Vec<FetchPartition>> = VecMap::new();
        for (p, leader) in &self.leaders {
            if self.fetching.contains(leader) {
                continue;
            }
            let fetch_offset = self.positions.get(p).copied().unwrap_or(0);
            by_leader.entry(*leader).or_default().push(FetchPartition {
                topic: self.config.topic.clone(),
                partition: *p,
                fetch_offset,
                last_fetched_epoch: None,
                current_leader_epoch: None,
            });
        }
        for (leader, partitions) in by_leader {
            self.fetching.push(leader);
            let msg = Msg::FetchRequest { replica_id: None, max_wait_ms: self.config.fetch_max_wait_ms, partitions };
            self.send(Target::Addr(Addr::Node(leader)), msg, ctx);
        }
    }
}

/// KIP-848 (`group.protocol=consumer`): joining, heartbeating, reconciling, leaving.
impl Consumer {
    fn kip848_join(&mut self, ctx: &mut Ctx) {
        let tag = self.tag();
        let Some(m) = self.kip848.as_mut() else { return };
        if m.state == MemberState::Fatal {
            return;
        }
        self.phase = Phase::Joining;
        m.join(&tag, ctx);
        self.send_heartbeat(ctx);
    }

    /// A ConsumerGroupHeartbeat now, unless one is out (then after its answer).
    fn send_heartbeat(&mut self, ctx: &mut Ctx) {
        if self.coordinator.is_none() {
            return self.find_coordinator(ctx);
        }
        let Some(m) = self.kip848.as_mut() else { return };
        if m.in_flight {
            return;
        }
        let msg = m.request(&self.config.group_id, &self.config.client_id, &self.assignment);
        self.send_to_coordinator(msg, ctx);
    }

    fn schedule_kip848_heartbeat(&mut self, after_ms: u64, ctx: &mut Ctx) {
        if let Some(m) = self.kip848.as_mut() {
            m.next_heartbeat = Some(ctx.now.plus_ms(after_ms));
            ctx.timer(after_ms, Timer::GroupHeartbeat);
        }
    }

    /// The page's view of the membership: the member epoch stands for the generation.
    fn sync_kip848_membership(&mut self) {
        if let Some(m) = &self.kip848 {
            self.membership = Membership {
                member_id: m.member_id.clone(),
                generation_id: if m.in_group() { m.member_epoch } else { -1 },
                is_leader: false,
                protocol: None,
            };
        }
    }

    fn kip848_heartbeat_timer(&mut self, ctx: &mut Ctx) {
        let Some(g) = self.config.group.clone() else { return };
        let in_group = self.kip848.as_ref().is_some_and(ConsumerMembership::in_group);
        if self.phase != Phase::Closing
            && in_group
            && ctx.now.0 >= self.last_poll.0 + g.max_poll_interval_ms
            && !self.polling(ctx.now)
        {
            ctx.log(Level::Warn, format!("{} consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing messages. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records. (org.apache.kafka.clients.consumer.internals.AbstractHeartbeatRequestManager)", self.tag()));
            self.kip848_leave(ctx);
            self.drop_partitions();
            self.membership.generation_id = -1;
            // The next poll() rejoins (retry() in Phase::Joining).
            self.phase = Phase::Joining;
            return;
        }
        let Some(m) = self.kip848.as_mut() else { return };
        let Some(due) = m.next_heartbeat else { return };
        if ctx.now < due || matches!(m.state, MemberState::Leaving | MemberState::Fatal | MemberState::Unsubscribed) {
            return;
        }
        m.next_heartbeat = None;
        self.send_heartbeat(ctx);
    }

    /// Out of the group: no member id, generation or partitions (a rejoin starts over).
    fn forget_membership(&mut self) {
        self.membership = Membership::none();
        self.assignment.clear();
        self.leaders.clear();
    }

    /// Gives every partition up without committing (onPartitionsLost).
    fn drop_partitions(&mut self) {
        self.assignment.clear();
        self.positions.clear();
        self.committed.clear();
        self.leaders.clear();
        self.reconcile_after_commit = None;
    }

    fn kip848_on_response(
        &mut self,
        error: Option<crate::error::ApiError>,
        member_epoch: i32,
        heartbeat_interval_ms: u64,
        assignment: Option<Vec<(String, u32)>>,
        ctx: &mut Ctx,
    ) {
        let tag = self.tag();
        let Some(m) = self.kip848.as_mut() else { return };
        let leaving = m.state == MemberState::Leaving;
        let outcome = m.on_response(error, member_epoch, heartbeat_interval_ms, assignment, &tag, ctx);
        let interval = m.heartbeat_interval_ms;
        let ack_pending = m.ack_pending;
        if leaving {
            return;
        }
        match outcome {
            HeartbeatOutcome::Nothing => {
                self.sync_kip848_membership();
                self.schedule_kip848_heartbeat(interval, ctx);
                if ack_pending {
                    self.send_heartbeat(ctx);
                }
            }
            HeartbeatOutcome::Reconcile(target) => {
                self.sync_kip848_membership();
                self.schedule_kip848_heartbeat(interval, ctx);
                self.reconcile(target, ctx);
            }
            HeartbeatOutcome::Rejoin => {
                self.drop_partitions();
                self.membership.generation_id = -1;
                self.kip848_join(ctx);
            }
            HeartbeatOutcome::CoordinatorLost => {
                self.coordinator_unknown(ctx);
                self.schedule_kip848_heartbeat(self.config.retry_backoff_ms, ctx);
            }
            HeartbeatOutcome::Fatal(e) => {
                self.drop_partitions();
                self.membership.generation_id = -1;
                ctx.notify(ClientEvent::Consumer(ConsumerEvent::Fatal(e)));
            }
        }
    }

    /// A new assignment: commit what was consumed if partitions go (auto-commit), then
    /// revoke and assign (`AbstractMembershipManager.maybeReconcile`).
    fn reconcile(&mut self, target: Vec<u32>, ctx: &mut Ctx) {
        let revoked: Vec<u32> = self.assignment.iter().filter(|p| !target.contains(p)).copied().collect();
        let added: Vec<u32> = target.iter().filter(|p| !self.assignment.contains(p)).copied().collect();
        let tag = self.tag();
        if revoked.is_empty() && added.is_empty() && self.phase != Phase::Joining {
            if let Some(m) = self.kip848.as_mut() {
                m.transition(MemberState::Stable, &tag, ctx);
            }
            return;
        }
        let list = |ps: &[u32]| {
            let parts: Vec<String> = ps.iter().map(|p| format!("{}-{p}", self.config.topic)).collect();
            format!("[{}]", parts.join(", "))
        };
        let epoch = self.kip848.as_ref().map_or(0, |m| m.member_epoch);
        ctx.log(Level::Info, format!("{tag} Reconciling assignment with local epoch {epoch}\n\tMember:                                    {}\n\tAssigned partitions:                       {}\n\tCurrent owned partitions:                  {}\n\tAdded partitions (assigned - owned):       {}\n\tRevoked partitions (owned - assigned):     {}\n (org.apache.kafka.clients.consumer.internals.ConsumerMembershipManager)", self.membership.member_id, list(&target), list(&self.assignment), list(&added), list(&revoked)));
        if !revoked.is_empty() && self.commit_positions(ctx) {
            self.reconcile_after_commit = Some(target);
            return;
        }
        self.finish_reconcile(target, ctx);
    }

    fn finish_reconcile(&mut self, mut target: Vec<u32>, ctx: &mut Ctx) {
        target.sort_unstable();
        let tag = self.tag();
        let revoked: Vec<u32> = self.assignment.iter().filter(|p| !target.contains(p)).copied().collect();
        let added: Vec<u32> = target.iter().filter(|p| !self.assignment.contains(p)).copied().collect();
        let list = |ps: &[u32]| {
            let parts: Vec<String> = ps.iter().map(|p| format!("{}-{p}", self.config.topic)).collect();
            parts.join(", ")
        };
        if !revoked.is_empty() {
            ctx.log(Level::Info, format!("{tag} Revoking previously assigned partitions {} (org.apache.kafka.clients.consumer.internals.ConsumerMembershipManager)", list(&revoked)));
        }
        if !added.is_empty() {
            ctx.log(Level::Info, format!("{tag} Adding newly assigned partitions: {} (org.apache.kafka.clients.consumer.internals.ConsumerRebalanceListenerInvoker)", list(&added)));
        }
        self.positions.retain(|p, _| target.contains(p));
        self.committed.retain(|p, _| target.contains(p));
        self.leaders.retain(|p, _| target.contains(p));
        self.assignment = target;
        let assigned: Vec<(String, u32)> = self.assignment.iter().map(|p| (self.config.topic.clone(), *p)).collect();
        ctx.notify(ClientEvent::Consumer(ConsumerEvent::Assigned(assigned)));
        if let Some(g) = &self.config.group {
            if g.enable_auto_commit && self.next_auto_commit.is_none() {
                self.next_auto_commit = Some(ctx.now.plus_ms(g.auto_commit_interval_ms));
                ctx.timer(g.auto_commit_interval_ms, Timer::AutoCommit);
            }
        }
        if !added.is_empty() || self.phase == Phase::Joining {
            // New partitions start from the group's committed offsets (OffsetFetch).
            self.started = false;
            self.request_metadata(ctx);
        }
        // Acknowledge at once: the coordinator hands revoked partitions on only then.
        if let Some(m) = self.kip848.as_mut() {
            m.transition(MemberState::Acknowledging, &tag, ctx);
            m.ack_pending = true;
        }
        self.send_heartbeat(ctx);
    }

    fn kip848_leave(&mut self, ctx: &mut Ctx) {
        let tag = self.tag();
        let Some(m) = self.kip848.as_mut() else { return };
        if m.member_epoch <= 0 || matches!(m.state, MemberState::Leaving | MemberState::Fatal) {
            return;
        }
        let msg = m.leave_request(&self.config.group_id, &self.config.client_id, &tag, ctx);
        self.send_to_coordinator(msg, ctx);
    }
}

/// `Finished assignment for group at generation N: {member=Assignment(partitions=[t-0])}`.
fn describe_assignment(result: &VecMap<String, Vec<(String, u32)>>) -> String {
    let parts: Vec<String> = result
        .iter()
        .map(|(m, tps)| {
            let list: Vec<String> = tps.iter().map(|(t, p)| format!("{t}-{p}")).collect();
            format!("{m}=Assignment(partitions=[{}])", list.join(", "))
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}
