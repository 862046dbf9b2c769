//! The consumer: finds the partitions, resets positions (`auto.offset.reset` or an
//! explicit offset), then long-polls the leaders with Fetch.
//!
//! Simplification until the consumer-groups issue lands: the console consumer assigns
//! itself every partition of its topic (or the one given) instead of joining its group
//! through the group coordinator, and commits no offsets.

use super::Bootstrap;
use crate::error::KafkaError;
use crate::ids::{Addr, NodeId};
use crate::node::{ClientEvent, Ctx, Input, Level, Target, Timer};
use crate::protocol::{FetchPartition, Msg, OffsetSpec};
use crate::time::SimTime;
use std::collections::BTreeMap;

/// Where a partition's position starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StartOffset {
    Earliest,
    Latest,
    At(u64),
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Metadata,
    ListOffsets,
    Fetching,
}

pub(crate) struct Consumer {
    config: ConsumerConfig,
    bootstrap: Bootstrap,
    phase: Phase,
    leaders: BTreeMap<u32, NodeId>,
    positions: BTreeMap<u32, u64>,
    /// Whether the first positions were set (`--offset`/`--from-beginning`); later
    /// resets, after an out-of-range fetch, follow `auto.offset.reset`.
    started: bool,
    /// Leaders with a fetch outstanding.
    fetching: Vec<NodeId>,
    last_progress: SimTime,
    next_correlation_id: u32,
}

impl Consumer {
    pub(crate) fn new(config: ConsumerConfig) -> Consumer {
        let tag = format!("[Consumer clientId={}, groupId={}]", config.client_id, config.group_id);
        let bootstrap = Bootstrap::new(config.bootstrap_servers.clone(), tag);
        Consumer {
            config,
            bootstrap,
            phase: Phase::Metadata,
            leaders: BTreeMap::new(),
            positions: BTreeMap::new(),
            started: false,
            fetching: Vec::new(),
            last_progress: SimTime::ZERO,
            next_correlation_id: 0,
        }
    }

    pub(crate) fn bootstrap_servers(&self) -> Vec<String> {
        self.config.bootstrap_servers.clone()
    }

    fn tag(&self) -> String {
        format!("[Consumer clientId={}, groupId={}]", self.config.client_id, self.config.group_id)
    }

    fn send(&mut self, to: Target, msg: Msg, ctx: &mut Ctx) -> u32 {
        self.next_correlation_id += 1;
        ctx.send_to(to, self.next_correlation_id, msg);
        self.next_correlation_id
    }

    pub(crate) fn handle(&mut self, input: Input, ctx: &mut Ctx) -> bool {
        match input {
            Input::Start => {
                self.last_progress = ctx.now;
                self.arm_idle_timer(ctx);
                self.request_metadata(ctx);
            }
            Input::Disconnected { node } => {
                // The leader died: its fetch is lost; find the partitions' new leaders.
                self.fetching.retain(|n| *n != node);
                ctx.timer(self.config.retry_backoff_ms, Timer::ClientRetry);
            }
            Input::ConnectionRefused { target } => {
                let backoff = self.bootstrap.refused(&target, ctx);
                ctx.timer(backoff, Timer::ClientRetry);
            }
            Input::Timer(Timer::ClientRetry) => self.request_metadata(ctx),
            Input::Timer(Timer::Deadline) => {
                if let Some(timeout) = self.config.idle_timeout_ms {
                    if ctx.now.0 >= self.last_progress.0 + timeout {
                        ctx.notify(ClientEvent::Consumer(ConsumerEvent::TimedOut));
                        return false;
                    }
                }
            }
            Input::Timer(_) => {}
            Input::Message { from, correlation_id, msg } => self.on_response(from, correlation_id, msg, ctx),
        }
        true
    }

    fn arm_idle_timer(&self, ctx: &mut Ctx) {
        if let Some(timeout) = self.config.idle_timeout_ms {
            ctx.timer(timeout, Timer::Deadline);
        }
    }

    fn request_metadata(&mut self, ctx: &mut Ctx) {
        self.phase = Phase::Metadata;
        let target = Target::HostPort(self.bootstrap.current());
        let msg =
            Msg::MetadataRequest { topics: Some(vec![self.config.topic.clone()]), allow_auto_topic_creation: true };
        self.send(target, msg, ctx);
    }

    fn on_response(&mut self, from: Addr, correlation_id: u32, msg: Msg, ctx: &mut Ctx) {
        self.bootstrap.connected();
        match msg {
            Msg::MetadataResponse { topics, .. } if self.phase == Phase::Metadata => {
                let Some(t) = topics.into_iter().find(|t| t.name == self.config.topic) else {
                    return;
                };
                if let Some(e) = &t.error {
                    ctx.log(Level::Warn, format!("{} The metadata response from the cluster reported a recoverable issue with correlation id {correlation_id} : {{{}={}}} (org.apache.kafka.clients.NetworkClient)", self.tag(), t.name, e.error.name()));
                    ctx.timer(self.config.retry_backoff_ms, Timer::ClientRetry);
                    return;
                }
                self.leaders = t
                    .partitions
                    .iter()
                    .filter(|p| self.config.partition.is_none_or(|only| only == p.partition))
                    .filter_map(|p| Some((p.partition, p.leader?)))
                    .collect();
                if self.leaders.is_empty() {
                    ctx.timer(self.config.retry_backoff_ms, Timer::ClientRetry);
                    return;
                }
                self.reset_positions(ctx);
            }
            Msg::ListOffsetsResponse { offsets, .. } => {
                for (p, result) in offsets {
                    if let Ok(offset) = result {
                        self.positions.insert(p, offset);
                    }
                }
                if self.positions.len() == self.leaders.len() {
                    self.phase = Phase::Fetching;
                    self.fetch_all(ctx);
                }
            }
            Msg::FetchResponse { partitions } => {
                if let Addr::Node(id) = from {
                    self.fetching.retain(|n| *n != id);
                }
                let mut records = Vec::new();
                for p in partitions {
                    if let Some(e) = &p.error {
                        if e.error == KafkaError::OffsetOutOfRange {
                            // Retention or delete-records removed the position's records.
                            self.positions.remove(&p.partition);
                        }
                        self.request_metadata(ctx);
                        return;
                    }
                    if let Some(last) = p.records.last() {
                        self.positions.insert(p.partition, last.offset + 1);
                    }
                    records.extend(p.records.into_iter().map(|r| ConsumedRecord {
                        topic: p.topic.clone(),
                        partition: p.partition,
                        offset: r.offset,
                        timestamp_ms: r.timestamp_ms,
                        key: r.key,
                        value: r.value,
                    }));
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
    }

    /// Positions for partitions without one (a metadata refresh keeps the others):
    /// explicit offsets need no request; earliest/latest ask each leader (ListOffsets).
    fn reset_positions(&mut self, ctx: &mut Ctx) {
        self.positions.retain(|p, _| self.leaders.contains_key(p));
        let start = match (self.started, self.config.start) {
            (false, start) => start,
            // The console consumer's `auto.offset.reset`: earliest with --from-beginning.
            (true, StartOffset::Earliest) => StartOffset::Earliest,
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
        };
        let Some(spec) = spec else {
            self.phase = Phase::Fetching;
            self.fetch_all(ctx);
            return;
        };
        self.phase = Phase::ListOffsets;
        let mut by_leader: BTreeMap<NodeId, Vec<u32>> = BTreeMap::new();
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

    fn fetch_all(&mut self, ctx: &mut Ctx) {
        let mut by_leader: BTreeMap<NodeId, Vec<FetchPartition>> = BTreeMap::new();
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
