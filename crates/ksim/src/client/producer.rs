//! The producer: partitioning (murmur2 for keys, uniform sticky otherwise), the record
//! accumulator with `batch.size` and `linger.ms`, acks, retries and close().
//!
//! Simplifications until the clients issue lands: no idempotence (producer ids and
//! sequence numbers), one in-flight request per partition, no request timeouts.

use super::Bootstrap;
use crate::error::{ApiError, KafkaError};
use crate::ids::{Addr, NodeId};
use crate::node::{ClientEvent, Ctx, Input, Level, Target, Timer};
use crate::partition_log::NewRecord;
use crate::partitioner::partition_for_key;
use crate::protocol::Msg;
use crate::time::SimTime;
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProducerConfig {
    pub(crate) bootstrap_servers: Vec<String>,
    pub(crate) client_id: String,
    /// -1 (all), 0 or 1.
    pub(crate) acks: i16,
    pub(crate) linger_ms: u64,
    pub(crate) batch_size: usize,
    pub(crate) retries: u32,
    pub(crate) retry_backoff_ms: u64,
    /// `request.timeout.ms`: how long the broker may hold an acks=all request.
    pub(crate) request_timeout_ms: u64,
    pub(crate) max_block_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ProducerEvent {
    Acked {
        id: u64,
        topic: String,
        partition: u32,
        offset: Option<u64>,
    },
    /// The send failed: `error` is `exception: message`.
    Failed {
        id: u64,
        topic: String,
        key_len: Option<usize>,
        value_len: Option<usize>,
        error: String,
    },
    Closed,
}

/// A record handed to `send()`, waiting for metadata or in a batch.
#[derive(Clone, Debug)]
struct Pending {
    id: u64,
    topic: String,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    timestamp_ms: u64,
    enqueued: SimTime,
}

impl Pending {
    fn size(&self) -> usize {
        self.key.as_ref().map_or(0, Vec::len) + self.value.as_ref().map_or(0, Vec::len)
    }
}

#[derive(Clone, Debug)]
struct Batch {
    records: Vec<Pending>,
    created: SimTime,
    bytes: usize,
    attempts: u32,
    /// A retried batch waits `retry.backoff.ms` before it is sent again.
    retry_at: Option<SimTime>,
}

#[derive(Clone)]
struct InFlight {
    key: (String, u32),
    batch: Batch,
    broker: NodeId,
    sent: SimTime,
}

#[derive(Clone)]
struct TopicInfo {
    /// Leader per partition, by partition id.
    leaders: Vec<Option<NodeId>>,
}

#[derive(Clone)]
pub(crate) struct Producer {
    config: ProducerConfig,
    bootstrap: Bootstrap,
    topics: BTreeMap<String, TopicInfo>,
    metadata_in_flight: bool,
    /// No metadata request before this time: after a response with an unknown topic or a
    /// partition without a leader, Kafka waits `retry.backoff.ms` before asking again.
    metadata_backoff_until: SimTime,
    /// Records whose topic has no metadata yet.
    waiting: VecDeque<Pending>,
    batches: BTreeMap<(String, u32), Batch>,
    /// Produce requests awaiting an answer: partition, batch, broker, and when sent.
    in_flight: BTreeMap<u32, InFlight>,
    /// The uniform sticky partitioner's current partition per topic and bytes sent to it.
    sticky: BTreeMap<String, (u32, usize)>,
    closing: bool,
    next_correlation_id: u32,
    next_record_id: u64,
}

impl Producer {
    pub(crate) fn new(config: ProducerConfig) -> Producer {
        let bootstrap =
            Bootstrap::new(config.bootstrap_servers.clone(), format!("[Producer clientId={}]", config.client_id));
        Producer {
            config,
            bootstrap,
            topics: BTreeMap::new(),
            metadata_in_flight: false,
            metadata_backoff_until: SimTime::ZERO,
            waiting: VecDeque::new(),
            batches: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            sticky: BTreeMap::new(),
            closing: false,
            next_correlation_id: 0,
            next_record_id: 0,
        }
    }

    pub(crate) fn bootstrap_servers(&self) -> Vec<String> {
        self.config.bootstrap_servers.clone()
    }

    fn tag(&self) -> String {
        format!("[Producer clientId={}]", self.config.client_id)
    }

    /// `KafkaProducer.send`: returns the id the outcome will carry.
    pub(crate) fn send(&mut self, topic: String, key: Option<Vec<u8>>, value: Option<Vec<u8>>, ctx: &mut Ctx) -> u64 {
        self.next_record_id += 1;
        let id = self.next_record_id;
        let pending = Pending { id, topic, key, value, timestamp_ms: ctx.wall_ms(), enqueued: ctx.now };
        self.waiting.push_back(pending);
        // Records queue behind earlier ones still waiting for metadata; scanning the whole
        // queue on every send would make a pasted burst quadratic.
        if self.waiting.len() == 1 {
            self.drain_waiting(ctx);
        } else {
            self.request_metadata(ctx);
        }
        id
    }

    /// `KafkaProducer.close`: sends whatever is batched now and finishes once answered.
    pub(crate) fn close(&mut self, ctx: &mut Ctx) -> bool {
        self.closing = true;
        self.send_ready(ctx);
        self.maybe_closed(ctx)
    }

    fn maybe_closed(&mut self, ctx: &mut Ctx) -> bool {
        if self.closing && self.waiting.is_empty() && self.batches.is_empty() && self.in_flight.is_empty() {
            ctx.notify(ClientEvent::Producer(ProducerEvent::Closed));
            return false;
        }
        true
    }

    pub(crate) fn handle(&mut self, input: Input, ctx: &mut Ctx) -> bool {
        match input {
            Input::Start => {}
            Input::Timer(Timer::Linger) => self.send_ready(ctx),
            Input::Timer(Timer::ClientRetry) => {
                self.metadata_in_flight = false;
                self.drain_waiting(ctx);
                self.send_ready(ctx);
            }
            Input::Timer(Timer::Deadline) => {
                // `request.timeout.ms`: a produce request nobody answered is retried.
                let timeout = self.config.request_timeout_ms;
                let expired: Vec<u32> =
                    self.in_flight.iter().filter(|(_, f)| ctx.now.0 >= f.sent.0 + timeout).map(|(c, _)| *c).collect();
                for correlation_id in expired {
                    self.retry_or_fail(correlation_id, ApiError::default_for(KafkaError::RequestTimedOut), ctx);
                }
                self.send_ready(ctx);
            }
            Input::Timer(_) => {}
            Input::Disconnected { node } => {
                let lost: Vec<u32> = self.in_flight.iter().filter(|(_, f)| f.broker == node).map(|(c, _)| *c).collect();
                for correlation_id in lost {
                    let error =
                        ApiError::new(KafkaError::NetworkException, format!("Disconnected from node {}", node.0));
                    self.retry_or_fail(correlation_id, error, ctx);
                }
                self.send_ready(ctx);
            }
            Input::ConnectionRefused { target } => {
                self.metadata_in_flight = false;
                let backoff = self.bootstrap.refused(&target, ctx);
                ctx.timer(backoff, Timer::ClientRetry);
            }
            Input::Message { from, correlation_id, msg } => self.on_response(from, correlation_id, msg, ctx),
        }
        self.maybe_closed(ctx)
    }

    fn request_metadata(&mut self, ctx: &mut Ctx) {
        // During a backoff the ClientRetry timer set with it asks again.
        if self.metadata_in_flight || ctx.now < self.metadata_backoff_until {
            return;
        }
        self.metadata_in_flight = true;
        let mut topics: Vec<String> = self.waiting.iter().map(|p| p.topic.clone()).collect();
        topics.extend(self.topics.keys().cloned());
        topics.sort();
        topics.dedup();
        self.next_correlation_id += 1;
        let target = Target::HostPort(self.bootstrap.current());
        ctx.send_to(
            target,
            self.next_correlation_id,
            Msg::MetadataRequest { topics: Some(topics), allow_auto_topic_creation: true },
        );
    }

    /// Moves records whose topic metadata is known into batches; fails those that waited
    /// longer than `max.block.ms`.
    fn drain_waiting(&mut self, ctx: &mut Ctx) {
        let mut still = VecDeque::new();
        while let Some(p) = self.waiting.pop_front() {
            let partition_count = self.topics.get(&p.topic).map_or(0, |t| t.leaders.len() as u32);
            if partition_count > 0 {
                let partition = self.choose_partition(&p, partition_count, ctx);
                self.append(p, partition, ctx);
            } else if ctx.now.0.saturating_sub(p.enqueued.0) >= self.config.max_block_ms {
                let error = format!(
                    "org.apache.kafka.common.errors.TimeoutException: Topic {} not present in metadata after {} ms.",
                    p.topic, self.config.max_block_ms
                );
                self.fail(&p, &error, ctx);
            } else {
                still.push_back(p);
            }
        }
        self.waiting = still;
        if !self.waiting.is_empty() {
            self.request_metadata(ctx);
        }
    }

    /// Keyed: murmur2. Unkeyed: stick to one partition until `batch.size` bytes went to
    /// it, then draw another (KIP-794's uniform sticky partitioner, without the adaptive
    /// weighting by queue size).
    fn choose_partition(&mut self, p: &Pending, partitions: u32, ctx: &mut Ctx) -> u32 {
        if let Some(key) = &p.key {
            return partition_for_key(key, partitions);
        }
        let batch_size = self.config.batch_size;
        let entry =
            self.sticky.entry(p.topic.clone()).or_insert_with(|| (ctx.rng.below(u64::from(partitions)) as u32, 0));
        if entry.1 >= batch_size || entry.0 >= partitions {
            *entry = (ctx.rng.below(u64::from(partitions)) as u32, 0);
        }
        entry.1 += p.size();
        entry.0
    }

    fn append(&mut self, p: Pending, partition: u32, ctx: &mut Ctx) {
        let key = (p.topic.clone(), partition);
        let size = p.size();
        let batch = self.batches.entry(key).or_insert_with(|| {
            ctx.timer(self.config.linger_ms, Timer::Linger);
            Batch { records: Vec::new(), created: ctx.now, bytes: 0, attempts: 0, retry_at: None }
        });
        batch.records.push(p);
        batch.bytes += size;
        if batch.bytes >= self.config.batch_size {
            self.send_ready(ctx);
        }
    }

    /// Sends batches that are full, past `linger.ms`, or all of them when closing.
    fn send_ready(&mut self, ctx: &mut Ctx) {
        let linger = self.config.linger_ms;
        let batch_size = self.config.batch_size;
        let closing = self.closing;
        let busy: Vec<(String, u32)> = self.in_flight.values().map(|f| f.key.clone()).collect();
        let ready: Vec<(String, u32)> = self
            .batches
            .iter()
            .filter(|(k, b)| {
                !busy.contains(k)
                    && b.retry_at.is_none_or(|at| ctx.now >= at)
                    && (closing || b.bytes >= batch_size || ctx.now.0 >= b.created.0 + linger)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for key in ready {
            let Some(batch) = self.batches.remove(&key) else {
                continue;
            };
            let leader = self.topics.get(&key.0).and_then(|t| t.leaders.get(key.1 as usize).copied().flatten());
            let Some(leader) = leader else {
                // No leader known: keep the batch and refresh metadata.
                self.batches.insert(key, batch);
                self.request_metadata(ctx);
                continue;
            };
            let records = batch
                .records
                .iter()
                .map(|p| NewRecord { timestamp_ms: p.timestamp_ms, key: p.key.clone(), value: p.value.clone() })
                .collect();
            self.next_correlation_id += 1;
            let msg = Msg::ProduceRequest {
                acks: self.config.acks,
                timeout_ms: self.config.request_timeout_ms,
                topic: key.0.clone(),
                partition: key.1,
                records,
            };
            ctx.send(Addr::Node(leader), self.next_correlation_id, msg);
            if self.config.acks == 0 {
                for p in &batch.records {
                    ctx.notify(ClientEvent::Producer(ProducerEvent::Acked {
                        id: p.id,
                        topic: key.0.clone(),
                        partition: key.1,
                        offset: None,
                    }));
                }
            } else {
                self.in_flight.insert(self.next_correlation_id, InFlight { key, batch, broker: leader, sent: ctx.now });
                ctx.timer(self.config.request_timeout_ms, Timer::Deadline);
            }
        }
    }

    /// A produce request failed: retriable errors send the batch again (after a metadata
    /// refresh) until `retries` runs out; others fail its records.
    fn retry_or_fail(&mut self, correlation_id: u32, e: ApiError, ctx: &mut Ctx) {
        let Some(InFlight { key, mut batch, .. }) = self.in_flight.remove(&correlation_id) else { return };
        if e.error.is_retriable() && batch.attempts < self.config.retries {
            batch.attempts += 1;
            let backoff = retry_backoff(self.config.retry_backoff_ms, batch.attempts, ctx);
            batch.retry_at = Some(ctx.now.plus_ms(backoff));
            let left = self.config.retries - batch.attempts + 1;
            ctx.log(Level::Warn, format!("{} Got error produce response with correlation id {correlation_id} on topic-partition {}-{}, retrying ({left} attempts left). Error: {} (org.apache.kafka.clients.producer.internals.Sender)", self.tag(), key.0, key.1, e.error.name()));
            self.batches.insert(key, batch);
            self.request_metadata(ctx);
            ctx.timer(backoff, Timer::ClientRetry);
        } else {
            for p in &batch.records {
                self.fail(p, &e.to_string(), ctx);
            }
        }
    }

    fn fail(&self, p: &Pending, error: &str, ctx: &mut Ctx) {
        ctx.notify(ClientEvent::Producer(ProducerEvent::Failed {
            id: p.id,
            topic: p.topic.clone(),
            key_len: p.key.as_ref().map(Vec::len),
            value_len: p.value.as_ref().map(Vec::len),
            error: error.to_string(),
        }));
    }

    fn on_response(&mut self, _from: Addr, correlation_id: u32, msg: Msg, ctx: &mut Ctx) {
        self.bootstrap.connected();
        match msg {
            Msg::MetadataResponse { topics, .. } => {
                self.metadata_in_flight = false;
                let mut problems = Vec::new();
                for t in topics {
                    match t.error {
                        Some(e) => problems.push(format!("{}={}", t.name, e.error.name())),
                        None => {
                            let count = t.partitions.iter().map(|p| p.partition + 1).max().unwrap_or(0) as usize;
                            let mut leaders = vec![None; count];
                            for p in &t.partitions {
                                leaders[p.partition as usize] = p.leader;
                            }
                            self.topics.insert(t.name, TopicInfo { leaders });
                        }
                    }
                }
                let leaderless = self.topics.values().any(|t| t.leaders.iter().any(Option::is_none));
                if !problems.is_empty() {
                    ctx.log(Level::Warn, format!("{} The metadata response from the cluster reported a recoverable issue with correlation id {correlation_id} : {{{}}} (org.apache.kafka.clients.NetworkClient)", self.tag(), problems.join(", ")));
                }
                if !problems.is_empty() || leaderless {
                    self.metadata_backoff_until = ctx.now.plus_ms(self.config.retry_backoff_ms);
                    ctx.timer(self.config.retry_backoff_ms, Timer::ClientRetry);
                }
                self.drain_waiting(ctx);
                self.send_ready(ctx);
            }
            Msg::ProduceResponse { topic, partition, error, base_offset } => {
                match error {
                    None => {
                        let Some(f) = self.in_flight.remove(&correlation_id) else { return };
                        for (i, p) in f.batch.records.iter().enumerate() {
                            ctx.notify(ClientEvent::Producer(ProducerEvent::Acked {
                                id: p.id,
                                topic: topic.clone(),
                                partition,
                                offset: Some(base_offset + i as u64),
                            }));
                        }
                    }
                    Some(e) => self.retry_or_fail(correlation_id, e, ctx),
                }
                self.send_ready(ctx);
            }
            _ => {}
        }
    }
}

/// `retry.backoff.max.ms`.
const RETRY_BACKOFF_MAX_MS: u64 = 1000;

/// KIP-580's exponential backoff: `retry.backoff.ms` doubling with each attempt up to
/// `retry.backoff.max.ms`, with ±20 % jitter (from the client's own seeded stream).
fn retry_backoff(base_ms: u64, attempt: u32, ctx: &mut Ctx) -> u64 {
    let exp = base_ms.saturating_mul(1 << attempt.saturating_sub(1).min(20)).min(RETRY_BACKOFF_MAX_MS.max(base_ms));
    let jitter = 80 + ctx.rng.below(41);
    exp * jitter / 100
}
