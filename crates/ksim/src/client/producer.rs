//! The producer: partitioning (murmur2 for keys, uniform sticky otherwise), the record
//! accumulator with `batch.size` and `linger.ms`, acks, retries with KIP-580 backoff,
//! `request.timeout.ms`, `delivery.timeout.ms`, `max.in.flight.requests.per.connection`,
//! the idempotent producer and close().
//!
//! Idempotence (on by default, `enable.idempotence`): an InitProducerId before the first
//! produce gives the producer id (epoch 0); each partition's batches carry consecutive
//! sequence numbers from 0, so the leader drops a retried duplicate. As in Kafka's
//! `Sender`/`TransactionManager`, a retried batch keeps its sequence and waits until no
//! batch before it is in flight, batches behind a failed one come back with
//! OUT_OF_ORDER_SEQUENCE_NUMBER and are retried in order, and a batch that fails for good
//! leaves its sequence unresolved: once nothing is in flight the producer either sees a
//! later batch acknowledged (resolved) or bumps its epoch locally and restarts every
//! partition's sequences at 0. Without idempotence a retry may overtake later batches.
//!
//! Simplified: one partition per ProduceRequest (Kafka puts every ready partition led by
//! a broker into one request), so `max.in.flight.requests.per.connection` counts
//! single-partition requests; as messages travel alone rather than on one ordered
//! connection, an idempotent producer also keeps at most 5 batches per partition sent
//! since the oldest unanswered one (the leader's window); no `buffer.memory`, compression
//! or `max.request.size`;
//! delivery timeouts are checked whenever the sender runs (on any response or timer),
//! and a batch in flight expires only through its request timeout.

use super::Bootstrap;
use crate::error::{ApiError, KafkaError};
use crate::ids::{Addr, NodeId};
use crate::node::{ClientEvent, Ctx, Input, Level, Target, Timer};
use crate::partition_log::NewRecord;
use crate::partitioner::partition_for_key;
use crate::producer_state::{increment_sequence, ProducerBatch, NUM_BATCHES_TO_RETAIN};
use crate::protocol::Msg;
use crate::time::SimTime;
use crate::vec_map::VecMap;
use crate::view::{ProducerBatchView, ProducerView};
use std::collections::VecDeque;
use std::sync::Arc;

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
    /// `enable.idempotence` after `ProducerConfig.postProcessAndValidateIdempotenceConfigs`.
    pub(crate) enable_idempotence: bool,
    /// `max.in.flight.requests.per.connection`.
    pub(crate) max_in_flight_requests_per_connection: u32,
    /// `delivery.timeout.ms`: how long a record may take from `send()` to its outcome.
    pub(crate) delivery_timeout_ms: u64,
}

/// `MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE`.
pub(crate) const MAX_IN_FLIGHT_FOR_IDEMPOTENCE: u32 = 5;

/// `ProducerConfig.postProcessAndValidateIdempotenceConfigs`: whether idempotence is on.
/// Left at its default it is silently dropped when `retries=0`, `acks` is not `all` or more
/// than 5 requests may be in flight; set explicitly, those are a `ConfigException`.
pub(crate) fn idempotence_enabled(
    explicit: Option<bool>,
    acks: i16,
    retries: u32,
    max_in_flight: u32,
) -> Result<bool, String> {
    if explicit == Some(false) {
        return Ok(false);
    }
    let user_configured = explicit.is_some();
    let problem = if retries == 0 {
        Some("Must set retries to non-zero when using the idempotent producer.")
    } else if acks != -1 {
        Some("Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.")
    } else if max_in_flight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE {
        Some("Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.")
    } else {
        None
    };
    match problem {
        Some(message) if user_configured => Err(format!("org.apache.kafka.common.config.ConfigException: {message}")),
        Some(_) => Ok(false),
        None => Ok(true),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ProducerEvent {
    Acked {
        id: u64,
        /// Shared by the batch's records: one name per batch, not per record.
        topic: Arc<str>,
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

/// A record handed to `send()`, waiting for metadata (with its topic) or in a batch (whose
/// key names the topic, so the record needs no copy of it).
#[derive(Clone, Debug)]
struct Pending {
    id: u64,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    timestamp_ms: u64,
    enqueued: SimTime,
    /// Kafka Streams' choice: an explicit partition (a changelog's is its task's), or the
    /// bytes to hash instead of the key (a windowed key's inner key).
    partition: Option<u32>,
    partition_key: Option<Vec<u8>>,
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
    /// Idempotence: the producer id, epoch and base sequence given when first drained.
    sequence: Option<ProducerBatch>,
}

impl Batch {
    fn last_sequence(&self) -> Option<u32> {
        self.sequence.map(|s| increment_sequence(s.base_sequence, self.records.len() as u32 - 1))
    }
}

/// Idempotence: one partition's sequence numbers (`TxnPartitionEntry`).
#[derive(Clone, Debug, Default)]
struct PartitionSequences {
    next_sequence: u32,
    last_acked_sequence: Option<u32>,
    /// The last sequence of a batch that failed for good without us knowing whether it
    /// was written (`hasUnresolvedSequence`).
    unresolved: Option<u32>,
    /// Base sequences of the batches sent since the oldest one still unanswered, and
    /// whether each is done: the leader's window of 5 must cover them all.
    window: VecDeque<(u32, bool)>,
}

impl PartitionSequences {
    /// A batch is acknowledged or failed for good: it no longer needs the leader's window.
    fn done(&mut self, base_sequence: u32) {
        for entry in self.window.iter_mut().filter(|(s, _)| *s == base_sequence) {
            entry.1 = true;
        }
        while self.window.front().is_some_and(|(_, done)| *done) {
            self.window.pop_front();
        }
    }
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
    topics: VecMap<String, TopicInfo>,
    metadata_in_flight: bool,
    /// No metadata request before this time: after a response with an unknown topic or a
    /// partition without a leader, Kafka waits `retry.backoff.ms` before asking again.
    metadata_backoff_until: SimTime,
    /// Records whose topic has no metadata yet, with their topic.
    waiting: VecDeque<(String, Pending)>,
    /// The accumulator: per partition, its batches oldest first (a retried batch goes
    /// back to the front, in sequence order).
    batches: VecMap<(String, u32), VecDeque<Batch>>,
    /// Produce requests awaiting an answer: partition, batch, broker, and when sent.
    in_flight: VecMap<u32, InFlight>,
    /// The uniform sticky partitioner's current partition per topic and bytes sent to it.
    sticky: VecMap<String, (u32, usize)>,
    closing: bool,
    next_correlation_id: u32,
    next_record_id: u64,
    /// Idempotence: the producer id and epoch, once InitProducerId answered.
    producer_id: Option<(u64, u16)>,
    /// Idempotence: the InitProducerId request under way and when it was sent.
    init_producer_id_sent: Option<(u32, SimTime)>,
    sequences: VecMap<(String, u32), PartitionSequences>,
    /// Idempotence: bump the epoch once nothing is in flight (`epochBumpRequired`).
    epoch_bump_required: bool,
}

impl Producer {
    pub(crate) fn new(config: ProducerConfig) -> Producer {
        let bootstrap =
            Bootstrap::new(config.bootstrap_servers.clone(), format!("[Producer clientId={}]", config.client_id));
        Producer {
            config,
            bootstrap,
            topics: VecMap::new(),
            metadata_in_flight: false,
            metadata_backoff_until: SimTime::ZERO,
            waiting: VecDeque::new(),
            batches: VecMap::new(),
            in_flight: VecMap::new(),
            sticky: VecMap::new(),
            closing: false,
            next_correlation_id: 0,
            next_record_id: 0,
            producer_id: None,
            init_producer_id_sent: None,
            sequences: VecMap::new(),
            epoch_bump_required: false,
        }
    }

    /// The page's view of the accumulator and the requests in flight.
    pub(crate) fn view(&self, now: SimTime) -> ProducerView {
        let batch = |key: &(String, u32), b: &Batch, broker: Option<NodeId>| ProducerBatchView {
            topic: key.0.clone(),
            partition: key.1,
            records: b.records.len(),
            bytes: b.bytes,
            age_ms: now.0.saturating_sub(b.created.0),
            base_sequence: b.sequence.map(|s| s.base_sequence),
            attempts: b.attempts,
            broker: broker.map(|n| n.0),
        };
        ProducerView {
            idempotent: self.config.enable_idempotence,
            producer_id: self.producer_id,
            batches: self.batches.iter().flat_map(|(k, d)| d.iter().map(move |b| batch(k, b, None))).collect(),
            in_flight: self.in_flight.values().map(|f| batch(&f.key, &f.batch, Some(f.broker))).collect(),
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
        let timestamp_ms = ctx.wall_ms();
        self.enqueue(topic, key, value, timestamp_ms, None, None, ctx)
    }

    /// A send as Kafka Streams' `RecordCollector` makes it: the record's own timestamp,
    /// and an explicit partition or the bytes its partitioner hashes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn send_streams_record(
        &mut self,
        topic: String,
        key: Option<Vec<u8>>,
        value: Option<Vec<u8>>,
        timestamp_ms: u64,
        partition: Option<u32>,
        partition_key: Option<Vec<u8>>,
        ctx: &mut Ctx,
    ) -> u64 {
        self.enqueue(topic, key, value, timestamp_ms, partition, partition_key, ctx)
    }

    #[allow(clippy::too_many_arguments)]
    fn enqueue(
        &mut self,
        topic: String,
        key: Option<Vec<u8>>,
        value: Option<Vec<u8>>,
        timestamp_ms: u64,
        partition: Option<u32>,
        partition_key: Option<Vec<u8>>,
        ctx: &mut Ctx,
    ) -> u64 {
        self.next_record_id += 1;
        let id = self.next_record_id;
        let pending = Pending { id, key, value, timestamp_ms, enqueued: ctx.now, partition, partition_key };
        self.waiting.push_back((topic, pending));
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
                if self.init_producer_id_sent.is_some_and(|(_, sent)| ctx.now.0 >= sent.0 + timeout) {
                    self.init_producer_id_sent = None;
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
                self.init_producer_id_sent = None;
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
        let mut topics: Vec<String> = self.waiting.iter().map(|(topic, _)| topic.clone()).collect();
        topics.extend(self.topics.keys().cloned());
        crate::sort::sort(&mut topics);
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
        while let Some((topic, p)) = self.waiting.pop_front() {
            let partition_count = self.topics.get(&topic).map_or(0, |t| t.leaders.len() as u32);
            if partition_count > 0 {
                let partition = self.choose_partition(&topic, &p, partition_count, ctx);
                self.append((topic, partition), p, ctx);
            } else if ctx.now.0.saturating_sub(p.enqueued.0) >= self.config.max_block_ms {
                let error = format!(
                    "org.apache.kafka.common.errors.TimeoutException: Topic {topic} not present in metadata after {} ms.",
                    self.config.max_block_ms
                );
                self.fail(&topic, &p, &error, ctx);
            } else {
                still.push_back((topic, p));
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
    fn choose_partition(&mut self, topic: &str, p: &Pending, partitions: u32, ctx: &mut Ctx) -> u32 {
        if let Some(partition) = p.partition.filter(|q| *q < partitions) {
            return partition;
        }
        if let Some(key) = p.partition_key.as_ref().or(p.key.as_ref()) {
            return partition_for_key(key, partitions);
        }
        let batch_size = self.config.batch_size;
        // Looked up before inserting: `entry` would copy the topic name for every record.
        if !self.sticky.contains_key(topic) {
            self.sticky.insert(topic.to_string(), (ctx.rng.below(u64::from(partitions)) as u32, 0));
        }
        let Some(entry) = self.sticky.get_mut(topic) else { return 0 };
        if entry.1 >= batch_size || entry.0 >= partitions {
            *entry = (ctx.rng.below(u64::from(partitions)) as u32, 0);
        }
        entry.1 += p.size();
        entry.0
    }

    /// `RecordAccumulator.append`: into the partition's last batch while it has room and
    /// was never sent, else into a new one.
    fn append(&mut self, key: (String, u32), p: Pending, ctx: &mut Ctx) {
        let size = p.size();
        let batch_size = self.config.batch_size;
        let deque = self.batches.entry(key).or_default();
        let open = deque.back().is_some_and(|b| b.attempts == 0 && b.sequence.is_none() && b.bytes < batch_size);
        if !open {
            ctx.timer(self.config.linger_ms, Timer::Linger);
            deque.push_back(Batch {
                records: Vec::new(),
                created: ctx.now,
                bytes: 0,
                attempts: 0,
                retry_at: None,
                sequence: None,
            });
        }
        let Some(batch) = deque.back_mut() else { return };
        batch.records.push(p);
        batch.bytes += size;
        if batch.bytes >= batch_size {
            self.send_ready(ctx);
        }
    }

    /// The sender loop: expires batches past `delivery.timeout.ms`, gets a producer id
    /// first when idempotent, then sends batches that are full, past `linger.ms`, retries
    /// whose backoff ended, or all of them when closing, while each broker has fewer than
    /// `max.in.flight.requests.per.connection` requests in flight.
    fn send_ready(&mut self, ctx: &mut Ctx) {
        self.expire_batches(ctx);
        if self.config.enable_idempotence {
            self.maybe_resolve_sequences(ctx);
            if self.producer_id.is_none() {
                self.init_producer_id(ctx);
                return;
            }
        }
        let linger = self.config.linger_ms;
        let batch_size = self.config.batch_size;
        let closing = self.closing;
        let keys: Vec<(String, u32)> = self.batches.keys().cloned().collect();
        for key in keys {
            // Bounded: each pass sends (removes) one batch or stops.
            while let Some(batch) = self.batches.get(&key).and_then(|d| d.front()) {
                let queued = self.batches.get(&key).map_or(0, VecDeque::len);
                let ready = batch.retry_at.is_none_or(|at| ctx.now >= at)
                    && (closing
                        || queued > 1
                        || batch.attempts > 0
                        || batch.bytes >= batch_size
                        || ctx.now.0 >= batch.created.0 + linger);
                if !ready || !self.may_drain(&key, batch) {
                    break;
                }
                let leader = self.topics.get(&key.0).and_then(|t| t.leaders.get(key.1 as usize).copied().flatten());
                let Some(leader) = leader else {
                    // No leader known: keep the batch and refresh metadata.
                    self.request_metadata(ctx);
                    break;
                };
                let in_flight_to_leader = self.in_flight.values().filter(|f| f.broker == leader).count();
                if in_flight_to_leader >= self.config.max_in_flight_requests_per_connection as usize {
                    break;
                }
                let Some(mut batch) = self.batches.get_mut(&key).and_then(VecDeque::pop_front) else { break };
                if self.batches.get(&key).is_some_and(VecDeque::is_empty) {
                    self.batches.remove(&key);
                }
                if let (None, Some((producer_id, producer_epoch))) = (batch.sequence, self.producer_id) {
                    let seq = self.sequences.entry(key.clone()).or_default();
                    batch.sequence =
                        Some(ProducerBatch { producer_id, producer_epoch, base_sequence: seq.next_sequence });
                    seq.window.push_back((seq.next_sequence, false));
                    seq.next_sequence = increment_sequence(seq.next_sequence, batch.records.len() as u32);
                }
                self.send_batch(key.clone(), batch, leader, ctx);
            }
        }
    }

    /// `RecordAccumulator.shouldStopDrainBatchesForPartition`: with idempotence, no new
    /// batch while a sequence is unresolved, and a retried batch only once no batch
    /// before it is in flight (so retries go one at a time, in order). Without it,
    /// `max.in.flight.requests.per.connection=1` keeps one batch per partition in flight.
    fn may_drain(&self, key: &(String, u32), batch: &Batch) -> bool {
        let mut in_flight = self.in_flight.values().filter(|f| f.key == *key);
        if !self.config.enable_idempotence {
            return self.config.max_in_flight_requests_per_connection > 1 || in_flight.next().is_none();
        }
        // An epoch bump waits for every request in flight to finish; nothing new goes.
        if self.epoch_bump_required {
            return false;
        }
        match batch.sequence {
            // The leader remembers 5 batches per producer: if 5 more were appended after
            // one still unanswered, its retry would fall out of that window. Kafka gets
            // this from at most 5 requests on one ordered connection; here messages
            // travel alone, so the producer counts.
            None => {
                self.sequences.get(key).is_none_or(|s| s.unresolved.is_none() && s.window.len() < NUM_BATCHES_TO_RETAIN)
            }
            Some(s) => !in_flight.any(|f| f.batch.sequence.is_some_and(|o| o.base_sequence < s.base_sequence)),
        }
    }

    fn send_batch(&mut self, key: (String, u32), batch: Batch, leader: NodeId, ctx: &mut Ctx) {
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
            producer: batch.sequence,
        };
        ctx.send(Addr::Node(leader), self.next_correlation_id, msg);
        if self.config.acks == 0 {
            let topic: Arc<str> = Arc::from(key.0.as_str());
            for p in &batch.records {
                ctx.notify(ClientEvent::Producer(ProducerEvent::Acked {
                    id: p.id,
                    topic: Arc::clone(&topic),
                    partition: key.1,
                    offset: None,
                }));
            }
        } else {
            self.in_flight.insert(self.next_correlation_id, InFlight { key, batch, broker: leader, sent: ctx.now });
            ctx.timer(self.config.request_timeout_ms, Timer::Deadline);
        }
    }

    /// InitProducerId to the bootstrap server in use (Kafka asks the least loaded node).
    fn init_producer_id(&mut self, ctx: &mut Ctx) {
        if self.init_producer_id_sent.is_some() {
            return;
        }
        self.next_correlation_id += 1;
        self.init_producer_id_sent = Some((self.next_correlation_id, ctx.now));
        let target = Target::HostPort(self.bootstrap.current());
        ctx.send_to(target, self.next_correlation_id, Msg::InitProducerIdRequest);
        ctx.timer(self.config.request_timeout_ms, Timer::Deadline);
    }

    /// `Sender.sendProducerData`'s expiry: a queued batch older than
    /// `delivery.timeout.ms` fails with Kafka's TimeoutException.
    fn expire_batches(&mut self, ctx: &mut Ctx) {
        let timeout = self.config.delivery_timeout_ms;
        let mut expired = Vec::new();
        for (key, deque) in &mut self.batches {
            let (gone, keep): (VecDeque<Batch>, VecDeque<Batch>) =
                std::mem::take(deque).into_iter().partition(|b| ctx.now.0.saturating_sub(b.created.0) >= timeout);
            *deque = keep;
            expired.extend(gone.into_iter().map(|b| (key.clone(), b)));
        }
        self.batches.retain(|_, d| !d.is_empty());
        for (key, batch) in expired {
            let error = format!(
                "org.apache.kafka.common.errors.TimeoutException: Expiring {} record(s) for {}-{}:{} ms has passed since batch creation",
                batch.records.len(),
                key.0,
                key.1,
                ctx.now.0 - batch.created.0
            );
            self.failed_for_good(&key, &batch, &error, ctx);
        }
    }

    /// A batch that will not be sent again: its records fail, and with idempotence its
    /// sequence is unresolved (it may or may not have been written).
    fn failed_for_good(&mut self, key: &(String, u32), batch: &Batch, error: &str, ctx: &mut Ctx) {
        for p in &batch.records {
            self.fail(&key.0, p, error, ctx);
        }
        if let (Some(sent), Some(last)) = (batch.sequence, batch.last_sequence()) {
            if self.producer_id.is_some_and(|(_, epoch)| epoch == sent.producer_epoch) {
                let seq = self.sequences.entry(key.clone()).or_default();
                seq.unresolved = Some(seq.unresolved.map_or(last, |u| u.max(last)));
                seq.done(sent.base_sequence);
            }
        }
    }

    /// `TransactionManager.maybeResolveSequences` and the idempotent epoch bump: once a
    /// partition with an unresolved sequence has nothing in flight or queued for retry,
    /// a later acknowledgement means the failed batch was written after all; otherwise the
    /// producer bumps its epoch and every partition's sequences start again at 0.
    fn maybe_resolve_sequences(&mut self, ctx: &mut Ctx) {
        let keys: Vec<(String, u32)> =
            self.sequences.iter().filter(|(_, s)| s.unresolved.is_some()).map(|(k, _)| k.clone()).collect();
        for key in keys {
            let busy = self.in_flight.values().any(|f| f.key == key)
                || self.batches.get(&key).is_some_and(|d| d.iter().any(|b| b.sequence.is_some()));
            let Some(seq) = self.sequences.get_mut(&key) else { continue };
            if seq.last_acked_sequence.zip(seq.unresolved).is_some_and(|(acked, u)| acked >= u) {
                seq.unresolved = None;
            } else if !busy {
                self.epoch_bump_required = true;
            }
        }
        if !self.epoch_bump_required || !self.in_flight.is_empty() {
            return;
        }
        let Some((producer_id, epoch)) = self.producer_id else { return };
        // Kafka's non-transactional producer bumps its own epoch (KIP-360).
        let epoch = epoch.wrapping_add(1);
        self.producer_id = Some((producer_id, epoch));
        self.epoch_bump_required = false;
        // As `startSequencesAtBeginning`, queued batches get new sequences, retries
        // included: one that was written but never acknowledged can be written again
        // (idempotence holds within one producer epoch).
        self.sequences.clear();
        for batch in self.batches.values_mut().flatten() {
            batch.sequence = None;
        }
        // Kafka logs this at INFO, below the tools' WARN threshold.
        ctx.trace(format!(
            "bumped its producer epoch to {epoch} (producer id {producer_id}): a failed batch left a sequence gap, so every partition's sequences start again at 0"
        ));
    }

    /// A batch was acknowledged: its partition's last acknowledged sequence moves up.
    fn acknowledged(&mut self, key: &(String, u32), batch: &Batch) {
        let (Some(sent), Some(last)) = (batch.sequence, batch.last_sequence()) else { return };
        if self.producer_id.is_some_and(|(_, epoch)| epoch == sent.producer_epoch) {
            let seq = self.sequences.entry(key.clone()).or_default();
            seq.last_acked_sequence = Some(seq.last_acked_sequence.map_or(last, |a| a.max(last)));
            seq.done(sent.base_sequence);
        }
    }

    /// `Sender.canRetry`: a retriable error within `retries` and `delivery.timeout.ms`.
    /// With idempotence, OUT_OF_ORDER_SEQUENCE_NUMBER is retried too: a batch that is not
    /// the next expected one waits for its predecessor; if it is the next, there is a real
    /// gap and the epoch is bumped first (`TransactionManager.canRetry`).
    fn can_retry(&mut self, key: &(String, u32), batch: &Batch, error: KafkaError, now: SimTime) -> bool {
        if batch.attempts >= self.config.retries
            || now.0.saturating_sub(batch.created.0) >= self.config.delivery_timeout_ms
        {
            return false;
        }
        if is_retriable(error) {
            return true;
        }
        let (Some(sent), true) = (batch.sequence, error == KafkaError::OutOfOrderSequenceNumber) else { return false };
        let seq = self.sequences.get(key).cloned().unwrap_or_default();
        let next_expected = seq.last_acked_sequence.map_or(0, |a| increment_sequence(a, 1));
        let after_unresolved = seq.unresolved.is_some_and(|u| increment_sequence(u, 1) == sent.base_sequence);
        if (seq.unresolved.is_none() && sent.base_sequence == next_expected) || after_unresolved {
            self.epoch_bump_required = true;
        }
        true
    }

    /// A produce request failed: retriable errors send the batch again (after a metadata
    /// refresh) until `retries` or `delivery.timeout.ms` runs out; others fail its records.
    fn retry_or_fail(&mut self, correlation_id: u32, e: ApiError, ctx: &mut Ctx) {
        let Some(InFlight { key, mut batch, .. }) = self.in_flight.remove(&correlation_id) else { return };
        if self.can_retry(&key, &batch, e.error, ctx.now) {
            batch.attempts += 1;
            let backoff = retry_backoff(self.config.retry_backoff_ms, batch.attempts, ctx);
            batch.retry_at = Some(ctx.now.plus_ms(backoff));
            let left = self.config.retries - batch.attempts + 1;
            ctx.log(Level::Warn, format!("{} Got error produce response with correlation id {correlation_id} on topic-partition {}-{}, retrying ({left} attempts left). Error: {} (org.apache.kafka.clients.producer.internals.Sender)", self.tag(), key.0, key.1, e.error.name()));
            // `RecordAccumulator.reenqueue`/`insertInSequenceOrder`: back to the front,
            // behind retried batches with lower sequences.
            let deque = self.batches.entry(key).or_default();
            let at = match batch.sequence {
                Some(s) => {
                    deque.iter().take_while(|b| b.sequence.is_some_and(|o| o.base_sequence < s.base_sequence)).count()
                }
                None => 0,
            };
            deque.insert(at, batch);
            self.request_metadata(ctx);
            ctx.timer(backoff, Timer::ClientRetry);
        } else {
            self.failed_for_good(&key, &batch, &e.to_string(), ctx);
        }
    }

    fn fail(&self, topic: &str, p: &Pending, error: &str, ctx: &mut Ctx) {
        ctx.notify(ClientEvent::Producer(ProducerEvent::Failed {
            id: p.id,
            topic: topic.to_string(),
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
            Msg::InitProducerIdResponse { error, producer_id, producer_epoch } => {
                if self.init_producer_id_sent.is_some_and(|(c, _)| c == correlation_id) {
                    self.init_producer_id_sent = None;
                    match error {
                        None => {
                            ctx.trace(format!(
                                "got producer id {producer_id} (epoch {producer_epoch}) for idempotent produce"
                            ));
                            self.producer_id = Some((producer_id, producer_epoch));
                        }
                        Some(_) => ctx.timer(self.config.retry_backoff_ms, Timer::ClientRetry),
                    }
                }
                self.send_ready(ctx);
            }
            Msg::ProduceResponse { topic, partition, error, base_offset } => {
                match error {
                    None => {
                        let Some(f) = self.in_flight.remove(&correlation_id) else { return };
                        self.acknowledged(&f.key, &f.batch);
                        let topic: Arc<str> = Arc::from(topic);
                        for (i, p) in f.batch.records.iter().enumerate() {
                            ctx.notify(ClientEvent::Producer(ProducerEvent::Acked {
                                id: p.id,
                                topic: Arc::clone(&topic),
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

/// The errors the producer retries: `RetriableException`s (clients `Errors.java`).
fn is_retriable(error: KafkaError) -> bool {
    error.is_retriable()
        || matches!(
            error,
            KafkaError::RequestTimedOut
                | KafkaError::NetworkException
                | KafkaError::NotEnoughReplicas
                | KafkaError::NotEnoughReplicasAfterAppend
                | KafkaError::LeaderNotAvailable
                | KafkaError::FencedLeaderEpoch
                | KafkaError::UnknownLeaderEpoch
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    const ACKS_TEXT: &str = "org.apache.kafka.common.config.ConfigException: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.";

    #[test]
    fn idempotence_is_on_by_default_and_silently_dropped_by_its_dependencies() {
        assert_eq!(idempotence_enabled(None, -1, 3, 5), Ok(true));
        assert_eq!(idempotence_enabled(None, 1, 3, 5), Ok(false), "acks=1 without enable.idempotence");
        assert_eq!(idempotence_enabled(None, 0, 3, 5), Ok(false));
        assert_eq!(idempotence_enabled(None, -1, 0, 5), Ok(false), "retries=0");
        assert_eq!(idempotence_enabled(None, -1, 3, 6), Ok(false), "more than 5 in flight");
        assert_eq!(idempotence_enabled(Some(false), -1, 3, 5), Ok(false));
    }

    #[test]
    fn explicit_idempotence_with_a_conflicting_setting_is_a_config_exception() {
        assert_eq!(idempotence_enabled(Some(true), 1, 3, 5), Err(ACKS_TEXT.to_string()));
        assert_eq!(idempotence_enabled(Some(true), 0, 3, 5), Err(ACKS_TEXT.to_string()));
        assert_eq!(
            idempotence_enabled(Some(true), -1, 0, 5),
            Err("org.apache.kafka.common.config.ConfigException: Must set retries to non-zero when using the idempotent producer.".to_string())
        );
        assert_eq!(
            idempotence_enabled(Some(true), -1, 3, 6),
            Err("org.apache.kafka.common.config.ConfigException: Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.".to_string())
        );
        assert_eq!(idempotence_enabled(Some(true), -1, 3, 5), Ok(true));
    }
}
