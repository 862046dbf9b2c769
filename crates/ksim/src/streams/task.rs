//! A stream task (`StreamTask`): one sub-topology on one partition (`<subtopology>_<partition>`),
//! its state stores and its stream time, processing one input record at a time through
//! the operators, as Kafka Streams' processors do (`KStreamFilter`, `KTableSource`,
//! `KStreamAggregate`, `KStreamWindowAggregate`, `KStreamSlidingWindowAggregate`,
//! `KStreamSessionWindowAggregate`, `KTableAggregate`, `KStreamKTableJoin`,
//! `KStreamKStreamJoin`, `KTableKTable*Join`, `KTableSuppressProcessor`).
//!
//! Processing is pure: a record in, outputs (records to produce, changelog records,
//! log lines, collected records) out. Stream time is the largest timestamp the task has
//! seen; windows close on it, never on the clock.
//!
//! With `statestore.cache.max.bytes` above 0, a materialized table's updates stay in the
//! record cache until the commit (`flush`): one change per key, forwarded and logged then.
//!
//! Simplifications: each task has the whole cache size (Kafka shares it among a
//! thread's tasks) and flushes everything once it is full (Kafka evicts the least recently
//! used entries); the outer-join buffer of stream–stream left/outer joins logs JSON in its changelog
//! (Kafka's is a binary layout).

use super::datum::Datum;
use super::serde::{DeserializationHandler, Serde};
use super::store::{ChangelogRecord, StateStore, StoreKey};
use super::topology::{AggOp, JoinKind, NodeKind, Record, StoreKind, TableAggOp, Topology};
use super::window::{JoinWindows, Window, WindowSpec};
use crate::node::Level;
use crate::vec_map::VecMap;
use std::collections::BTreeMap;

/// `TaskId`: `<subtopology>_<partition>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TaskId {
    pub(crate) subtopology: u32,
    pub(crate) partition: u32,
}

impl std::fmt::Display for TaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.subtopology, self.partition)
    }
}

/// A consumed record as the task gets it (the topic as the topology names it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InputRecord {
    pub(crate) topic: String,
    pub(crate) partition: u32,
    pub(crate) offset: u64,
    pub(crate) timestamp_ms: i64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
}

/// A record for a sink topic (named as in the topology; `internal` ones get the
/// application id prefix at run time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProducedRecord {
    pub(crate) topic: String,
    pub(crate) internal: bool,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    pub(crate) timestamp_ms: i64,
    /// The bytes the partitioner hashes: the key, or a windowed key's inner key
    /// (`WindowedStreamPartitioner`); None for a null key.
    pub(crate) partition_key: Option<Vec<u8>>,
}

/// A record a `collect()` node kept (a push query's row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CollectedRecord {
    pub(crate) node: String,
    pub(crate) key: Datum,
    pub(crate) window: Option<Window>,
    pub(crate) value: Datum,
    pub(crate) timestamp_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TaskOutput {
    Produce(ProducedRecord),
    /// For the store's changelog, partition = the task's partition.
    Changelog(ChangelogRecord),
    /// A line for the application's log (`text` carries the `(logger)` part).
    Log(Level, String),
    Collected(CollectedRecord),
}

/// The task failed for good (`LogAndFailExceptionHandler`): the message Kafka logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TaskError {
    pub(crate) message: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Task {
    pub(crate) id: TaskId,
    pub(crate) stores: VecMap<String, StateStore>,
    /// The largest timestamp seen (`-1`, Kafka's `RecordQueue.UNKNOWN`, before any).
    pub(crate) stream_time_ms: i64,
    /// Each processor's observed stream time (windowed operators close on it).
    observed: VecMap<usize, i64>,
    /// Records each node received, and records per edge (parent, child), for the page.
    pub(crate) processed: VecMap<usize, u64>,
    pub(crate) edges: VecMap<(usize, usize), u64>,
    /// `statestore.cache.max.bytes` given to this task (0: no record cache).
    pub(crate) cache_max_bytes: usize,
    /// The record cache's dirty entries, oldest update first: the processor, its store,
    /// the key, and the update's timestamp.
    dirty: Vec<(usize, String, StoreKey, i64)>,
    /// The value each dirty entry had when it became dirty (what the flush forwards as old).
    first_old: BTreeMap<(String, StoreKey), Option<Datum>>,
    cache_bytes: usize,
}

/// The consumed record's coordinates (for log lines) and where processing writes.
struct Io<'a> {
    topology: &'a Topology,
    /// How deep the current forwarding chain is.
    depth: usize,
    topic: &'a str,
    partition: u32,
    offset: u64,
    out: &'a mut Vec<TaskOutput>,
}

/// An update of a materialized table: the entry, its new value, the value it replaces.
struct Update {
    key: StoreKey,
    value: Datum,
    old: Option<Datum>,
    timestamp_ms: i64,
}

/// One sliding-window aggregation step: the processor, its store and function, and the
/// times that decide whether a window is still open.
#[derive(Clone, Copy)]
struct SlidingStep<'a> {
    index: usize,
    store: &'a str,
    op: &'a AggOp,
    close: i64,
    stream_time: i64,
}

/// Nested forwarding stops here: a deeper chain means a cycle, which the builder never makes.
const FORWARD_DEPTH_MAX: usize = 256;

impl Task {
    /// A task with empty stores for its sub-topology.
    pub(crate) fn new(id: TaskId, topology: &Topology) -> Task {
        let stores = topology
            .subtopology_stores(id.subtopology)
            .into_iter()
            .filter_map(|name| topology.store(&name).cloned())
            .map(|spec| (spec.name.clone(), StateStore::new(spec)))
            .collect();
        Task {
            id,
            stores,
            stream_time_ms: -1,
            observed: VecMap::new(),
            processed: VecMap::new(),
            edges: VecMap::new(),
            cache_max_bytes: 0,
            dirty: Vec::new(),
            first_old: BTreeMap::new(),
            cache_bytes: 0,
        }
    }

    /// Processes one consumed record through the sources reading its topic.
    pub(crate) fn process(
        &mut self,
        topology: &Topology,
        input: &InputRecord,
        handler: DeserializationHandler,
        out: &mut Vec<TaskOutput>,
    ) -> Result<(), TaskError> {
        let groups = topology.node_groups();
        let mut io =
            Io { topology, depth: 0, topic: &input.topic, partition: input.partition, offset: input.offset, out };
        for (i, node) in topology.nodes.iter().enumerate() {
            let NodeKind::Source { topics, key_serde, value_serde, .. } = &node.kind else { continue };
            if groups.get(i) != Some(&self.id.subtopology) || !topics.contains(&input.topic) {
                continue;
            }
            let table_changes = node
                .successors
                .iter()
                .any(|s| matches!(topology.nodes.get(*s).map(|n| &n.kind), Some(NodeKind::TableAggregate { .. })));
            let decoded = key_serde.deserialize(input.key.as_deref()).and_then(|k| {
                if table_changes {
                    decode_change(value_serde, input.value.as_deref()).map(|(new, old)| (k, new, old))
                } else {
                    value_serde.deserialize(input.value.as_deref()).map(|v| (k, v, None))
                }
            });
            let (key, value, old) = match decoded {
                Ok(d) => d,
                Err(e) => match handler {
                    DeserializationHandler::LogAndContinue => {
                        io.out.push(TaskOutput::Log(Level::Warn, format!("Exception caught during Deserialization, taskId: {}, topic: {}, partition: {}, offset: {} (org.apache.kafka.streams.errors.LogAndContinueExceptionHandler)", self.id, input.topic, input.partition, input.offset)));
                        continue;
                    }
                    DeserializationHandler::LogAndFail => {
                        io.out.push(TaskOutput::Log(Level::Error, format!("Exception caught during Deserialization, taskId: {}, topic: {}, partition: {}, offset: {} (org.apache.kafka.streams.errors.LogAndFailExceptionHandler)", self.id, input.topic, input.partition, input.offset)));
                        return Err(TaskError {
                            message: format!("Deserialization exception handler is set to fail upon a deserialization error. If you would rather have the streaming pipeline continue after a deserialization error, please set the default.deserialization.exception.handler appropriately. ({})", e.message),
                        });
                    }
                },
            };
            self.stream_time_ms = self.stream_time_ms.max(input.timestamp_ms);
            *self.processed.entry(i).or_default() += 1;
            let record = Record { key, value, timestamp_ms: input.timestamp_ms, window: None, old_value: old };
            self.forward(i, record, &mut io);
        }
        Ok(())
    }

    /// Applies one changelog record to a store (restoration).
    pub(crate) fn restore(&mut self, store: &str, key: &[u8], value: Option<&[u8]>, timestamp_ms: i64) {
        if let Some(s) = self.stores.get_mut(store) {
            // A record the store cannot read is skipped, as a corrupted changelog entry
            // would be; restoration goes on.
            let _ = s.restore(key, value, timestamp_ms);
        }
    }

    fn forward(&mut self, from: usize, record: Record, io: &mut Io) {
        let Some(node) = io.topology.nodes.get(from) else { return };
        for child in node.successors.clone() {
            self.forward_to(from, child, record.clone(), io);
        }
    }

    fn forward_to(&mut self, from: usize, child: usize, record: Record, io: &mut Io) {
        *self.edges.entry((from, child)).or_default() += 1;
        io.depth += 1;
        self.process_node(child, record, io);
        io.depth -= 1;
    }

    fn observe(&mut self, node: usize, timestamp_ms: i64) -> i64 {
        let seen = self.observed.entry(node).or_insert(-1);
        *seen = (*seen).max(timestamp_ms);
        *seen
    }

    fn put(&mut self, store: &str, key: StoreKey, value: Datum, timestamp_ms: i64, out: &mut Vec<TaskOutput>) {
        if let Some(s) = self.stores.get_mut(store) {
            if let Some(record) = s.put(key, value, timestamp_ms) {
                out.push(TaskOutput::Changelog(record));
            }
        }
    }

    /// A materialized table's update: written and forwarded at once, or, with the record
    /// cache on, kept dirty until the next commit (`CachingKeyValueStore`): later updates
    /// of the key replace it, and the flush forwards one change per key, logging it too.
    fn update(&mut self, index: usize, store: &str, update: Update, io: &mut Io) {
        let Update { key, value, old, timestamp_ms: ts } = update;
        if self.cache_max_bytes == 0 {
            self.put(store, key.clone(), value.clone(), ts, io.out);
            let r = Record { key: key.key, value, timestamp_ms: ts, window: key.window, old_value: old };
            return self.forward(index, r, io);
        }
        if let Some(s) = self.stores.get_mut(store) {
            // The changelog record is written at the flush.
            let _logged_at_flush = s.put(key.clone(), value.clone(), ts);
        }
        self.cache_bytes += approx_bytes(&key.key) + approx_bytes(&value);
        self.first_old.entry((store.to_string(), key.clone())).or_insert(old);
        self.dirty.retain(|(_, s, k, _)| !(s == store && *k == key));
        self.dirty.push((index, store.to_string(), key, ts));
        if self.cache_bytes > self.cache_max_bytes {
            // Past the cache's size, the entries are evicted (flushed) at once.
            self.flush_dirty(io);
        }
    }

    /// Commit: the record cache's dirty entries go to the changelogs and downstream.
    pub(crate) fn flush(&mut self, topology: &Topology, out: &mut Vec<TaskOutput>) {
        let mut io = Io { topology, depth: 0, topic: "", partition: self.id.partition, offset: 0, out };
        self.flush_dirty(&mut io);
    }

    fn flush_dirty(&mut self, io: &mut Io) {
        // A flushed update may dirty a downstream table's cache; those go in the same flush.
        for _ in 0..FORWARD_DEPTH_MAX {
            let dirty = std::mem::take(&mut self.dirty);
            if dirty.is_empty() {
                break;
            }
            self.cache_bytes = 0;
            let cache = std::mem::replace(&mut self.cache_max_bytes, 0);
            for (index, store, key, ts) in dirty {
                let old = self.first_old.remove(&(store.clone(), key.clone())).flatten();
                let value = self.get(&store, &key).map_or(Datum::Null, |(v, _)| v);
                if let Some(record) = self.stores.get(&store).and_then(|s| s.changelog_record(&key, &value, ts)) {
                    io.out.push(TaskOutput::Changelog(record));
                }
                let r = Record { key: key.key, value, timestamp_ms: ts, window: key.window, old_value: old };
                self.forward(index, r, io);
            }
            self.cache_max_bytes = cache;
        }
    }

    fn get(&self, store: &str, key: &StoreKey) -> Option<(Datum, i64)> {
        self.stores.get(store)?.get(key).map(|v| (v.value.clone(), v.timestamp_ms))
    }

    fn process_node(&mut self, index: usize, rec: Record, io: &mut Io) {
        let t = io.topology;
        if io.depth > FORWARD_DEPTH_MAX {
            return;
        }
        let Some(node) = t.nodes.get(index) else { return };
        *self.processed.entry(index).or_default() += 1;
        match &node.kind {
            NodeKind::Source { .. } | NodeKind::Merge => self.forward(index, rec, io),
            NodeKind::Sink { topic, key_serde, value_serde, internal, windowed } => {
                let from_table_select = node
                    .predecessors
                    .iter()
                    .any(|p| matches!(t.nodes.get(*p).map(|n| &n.kind), Some(NodeKind::TableSelect(_))));
                let inner_key = key_serde.serialize(&rec.key).ok().flatten();
                let key = match (rec.window, windowed) {
                    (Some(w), Some(format)) => key_serde.serialize_windowed(&rec.key, w, *format).ok().flatten(),
                    _ => inner_key.clone(),
                };
                let value = if from_table_select {
                    encode_change(value_serde, &rec.value, rec.old_value.as_ref())
                } else {
                    value_serde.serialize(&rec.value).ok().flatten()
                };
                io.out.push(TaskOutput::Produce(ProducedRecord {
                    topic: topic.clone(),
                    internal: *internal,
                    key,
                    value,
                    timestamp_ms: rec.timestamp_ms,
                    partition_key: inner_key,
                }));
            }
            NodeKind::Filter { predicate, negate } => {
                if predicate(&rec.key, &rec.value) != *negate {
                    self.forward(index, rec, io);
                }
            }
            NodeKind::Map(mapper) => {
                let (key, value) = mapper(&rec.key, &rec.value);
                self.forward(index, Record { key, value, ..rec }, io);
            }
            NodeKind::MapValues(mapper) => {
                let value = mapper(&rec.key, rec.window, &rec.value);
                self.forward(index, Record { value, ..rec }, io);
            }
            NodeKind::SelectKey(selector) => {
                let key = selector(&rec.key, &rec.value);
                self.forward(index, Record { key, ..rec }, io);
            }
            NodeKind::FlatMap(mapper) => {
                for (key, value) in mapper(&rec.key, &rec.value) {
                    self.forward(index, Record { key, value, ..rec.clone() }, io);
                }
            }
            NodeKind::FlatMapValues(mapper) => {
                for value in mapper(&rec.key, &rec.value) {
                    self.forward(index, Record { value, ..rec.clone() }, io);
                }
            }
            NodeKind::Peek(action) => {
                action(&rec.key, &rec.value);
                self.forward(index, rec, io);
            }
            NodeKind::Branch { predicates } => {
                let chosen = predicates.iter().position(|p| p.as_ref().is_none_or(|p| p(&rec.key, &rec.value)));
                if let Some(child) = chosen.and_then(|c| node.successors.get(c)) {
                    self.forward_to(index, *child, rec, io);
                }
            }
            NodeKind::Collect => io.out.push(TaskOutput::Collected(CollectedRecord {
                node: node.name.clone(),
                key: rec.key,
                window: rec.window,
                value: rec.value,
                timestamp_ms: rec.timestamp_ms,
            })),
            NodeKind::TableSource { store, materialized } => {
                if rec.key.is_null() {
                    io.out.push(TaskOutput::Log(Level::Warn, format!("Skipping record due to null key. topic=[{}] partition=[{}] offset=[{}] (org.apache.kafka.streams.kstream.internals.KTableSource)", io.topic, io.partition, io.offset)));
                    return;
                }
                if *materialized {
                    let key = StoreKey { key: rec.key.clone(), window: rec.window, seq: 0 };
                    let old = self.get(store, &key).map(|(v, _)| v);
                    self.update(
                        index,
                        store,
                        Update { key, value: rec.value, old, timestamp_ms: rec.timestamp_ms },
                        io,
                    );
                } else {
                    self.forward(index, rec, io);
                }
            }
            NodeKind::TableFilter { predicate, negate, store } => {
                let keep = |v: &Datum| !v.is_null() && predicate(&rec.key, v) != *negate;
                let new = if keep(&rec.value) { rec.value.clone() } else { Datum::Null };
                let old = rec.old_value.as_ref().map(|o| if keep(o) { o.clone() } else { Datum::Null });
                if new.is_null() && old.as_ref().is_some_and(Datum::is_null) {
                    return;
                }
                match store {
                    Some(s) => {
                        let key = StoreKey { key: rec.key.clone(), window: rec.window, seq: 0 };
                        self.update(index, s, Update { key, value: new, old, timestamp_ms: rec.timestamp_ms }, io);
                    }
                    None => self.forward(index, Record { value: new, old_value: old, ..rec }, io),
                }
            }
            NodeKind::TableMapValues { mapper, store } => {
                let map = |v: &Datum| if v.is_null() { Datum::Null } else { mapper(&rec.key, rec.window, v) };
                let new = map(&rec.value);
                let old = rec.old_value.as_ref().map(map);
                match store {
                    Some(s) => {
                        let key = StoreKey { key: rec.key.clone(), window: rec.window, seq: 0 };
                        self.update(index, s, Update { key, value: new, old, timestamp_ms: rec.timestamp_ms }, io);
                    }
                    None => self.forward(index, Record { value: new, old_value: old, ..rec }, io),
                }
            }
            NodeKind::TableToStream => {
                self.forward(index, Record { old_value: None, ..rec }, io);
            }
            NodeKind::TableSelect(mapper) => {
                let pair = |v: &Datum| {
                    (!v.is_null()).then(|| mapper(&rec.key, v)).filter(|(k, v)| !k.is_null() && !v.is_null())
                };
                let new = pair(&rec.value);
                let old = rec.old_value.as_ref().and_then(pair);
                match (old, new) {
                    (Some((ok, ov)), Some((nk, nv))) if ok == nk => {
                        let r = Record { key: nk, value: nv, old_value: Some(ov), ..rec };
                        self.forward(index, r, io);
                    }
                    (old, new) => {
                        if let Some((k, v)) = old {
                            let r = Record { key: k, value: Datum::Null, old_value: Some(v), ..rec.clone() };
                            self.forward(index, r, io);
                        }
                        if let Some((k, v)) = new {
                            let r = Record { key: k, value: v, old_value: None, ..rec };
                            self.forward(index, r, io);
                        }
                    }
                }
            }
            NodeKind::StreamAggregate { store, op, window } => {
                let (store, op, window) = (store.clone(), op.clone(), *window);
                match window {
                    None => self.aggregate(index, &store, &op, rec, io),
                    Some(WindowSpec::Time(w)) => self.window_aggregate(index, &store, &op, w, rec, io),
                    Some(WindowSpec::Sliding(w)) => self.sliding_aggregate(index, &store, &op, w, rec, io),
                    Some(WindowSpec::Session(w)) => self.session_aggregate(index, &store, &op, w, rec, io),
                }
            }
            NodeKind::TableAggregate { store, op } => {
                let (store, op) = (store.clone(), op.clone());
                self.table_aggregate(index, &store, &op, rec, io);
            }
            NodeKind::StreamTableJoin { table_store, joiner, kind } => {
                if *kind == JoinKind::Inner && (rec.key.is_null() || rec.value.is_null()) {
                    io.out.push(TaskOutput::Log(Level::Warn, format!("Skipping record due to null join key or value. topic=[{}] partition=[{}] offset=[{}] (org.apache.kafka.streams.kstream.internals.KStreamKTableJoinProcessor)", io.topic, io.partition, io.offset)));
                    return;
                }
                let other = self.get(table_store, &StoreKey::plain(rec.key.clone())).map(|(v, _)| v);
                if *kind != JoinKind::Inner || other.is_some() {
                    let value = joiner(&rec.key, &rec.value, &other.unwrap_or(Datum::Null));
                    self.forward(index, Record { value, ..rec }, io);
                }
            }
            NodeKind::JoinWindowed { store } => {
                if !rec.key.is_null() && !rec.value.is_null() {
                    let size = match self.stores.get(store).map(|s| s.spec.kind) {
                        Some(StoreKind::Window { size_ms, .. }) => size_ms,
                        _ => 0,
                    };
                    let window = Window { start_ms: rec.timestamp_ms, end_ms: rec.timestamp_ms + size };
                    self.put(
                        store,
                        StoreKey::windowed(rec.key.clone(), window),
                        rec.value.clone(),
                        rec.timestamp_ms,
                        io.out,
                    );
                }
                self.forward(index, rec, io);
            }
            NodeKind::StreamStreamJoin { this_is_left, other_store, shared_store, joiner, windows, kind } => {
                let (this_is_left, other_store, shared_store, joiner, windows, kind) =
                    (*this_is_left, other_store.clone(), shared_store.clone(), joiner.clone(), *windows, *kind);
                if rec.key.is_null() || rec.value.is_null() {
                    io.out.push(TaskOutput::Log(Level::Warn, format!("Skipping record due to null key or value. topic=[{}] partition=[{}] offset=[{}] (org.apache.kafka.streams.kstream.internals.KStreamKStreamJoin)", io.topic, io.partition, io.offset)));
                    return;
                }
                let outer = if this_is_left { kind != JoinKind::Inner } else { kind == JoinKind::Outer };
                let (before, after) = if this_is_left {
                    (windows.before_ms, windows.after_ms)
                } else {
                    (windows.after_ms, windows.before_ms)
                };
                let join = |k: &Datum, this: &Datum, other: &Datum| {
                    if this_is_left {
                        joiner(k, this, other)
                    } else {
                        joiner(k, other, this)
                    }
                };
                let ts = rec.timestamp_ms;
                let (from, to) = ((ts - before).max(0), (ts + after).max(0));
                // Both sides share one stream time (`TimeTracker`), kept under the merge's key.
                let tracker = node.successors.first().copied().unwrap_or(index);
                let stream_time = self.observe(tracker, ts);
                if let Some(shared) = &shared_store {
                    if ts == stream_time {
                        self.emit_non_joined(index, shared, windows, stream_time, &joiner, io);
                    }
                }
                let matches: Vec<(StoreKey, Datum)> = self
                    .stores
                    .get(&other_store)
                    .map(|s| {
                        s.entries_for(&rec.key)
                            .filter(|(k, _)| k.window.is_some_and(|w| w.start_ms >= from && w.start_ms <= to))
                            .map(|(k, v)| (k.clone(), v.value.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                for (other_key, other_value) in &matches {
                    let other_ts = other_key.window.map_or(ts, |w| w.start_ms);
                    if let Some(shared) = &shared_store {
                        let waiting = shared_key(!this_is_left, &rec.key, other_ts);
                        if self.get(shared, &waiting).is_some() {
                            self.put(shared, waiting, Datum::Null, ts, io.out);
                        }
                    }
                    let value = join(&rec.key, &rec.value, other_value);
                    let r = Record { value, timestamp_ms: ts.max(other_ts), ..rec.clone() };
                    self.forward(index, r, io);
                }
                if matches.is_empty() && outer {
                    match &shared_store {
                        Some(shared) if to >= stream_time => {
                            let entry = Datum::Array(vec![Datum::Boolean(this_is_left), rec.value.clone()]);
                            self.put(shared, shared_key(this_is_left, &rec.key, ts), entry, ts, io.out);
                        }
                        _ => {
                            let value = join(&rec.key, &rec.value, &Datum::Null);
                            self.forward(index, Record { value, ..rec }, io);
                        }
                    }
                }
            }
            NodeKind::TableTableJoin { this_is_left, other_store, joiner, kind } => {
                if rec.key.is_null() {
                    return;
                }
                let other = self.get(other_store, &StoreKey::plain(rec.key.clone())).map(|(v, _)| v);
                let j = |this: &Datum, other: &Datum| {
                    if *this_is_left {
                        joiner(&rec.key, this, other)
                    } else {
                        joiner(&rec.key, other, this)
                    }
                };
                let new_present = !rec.value.is_null();
                let old_present = rec.old_value.as_ref().is_some_and(|o| !o.is_null());
                let other_present = other.is_some();
                let this_outer = match kind {
                    JoinKind::Inner => false,
                    JoinKind::Left => *this_is_left,
                    JoinKind::Outer => true,
                };
                if !other_present && !this_outer {
                    return;
                }
                if !other_present && !new_present && !old_present {
                    return;
                }
                let other_value = other.unwrap_or(Datum::Null);
                let other_outer = match kind {
                    JoinKind::Inner => false,
                    JoinKind::Left => !*this_is_left,
                    JoinKind::Outer => true,
                };
                // The other side keeps a row without this one only when it is the outer side.
                let compute = |present: bool, v: &Datum| {
                    if present || (other_outer && other_present) {
                        j(v, &other_value)
                    } else {
                        Datum::Null
                    }
                };
                let new = compute(new_present, &rec.value);
                let old = rec.old_value.as_ref().map(|o| compute(old_present, o));
                self.forward(index, Record { value: new, old_value: old, ..rec }, io);
            }
            NodeKind::Suppress { store, grace_ms } => {
                let (store, grace_ms) = (store.clone(), *grace_ms);
                let now = self.observe(index, rec.timestamp_ms);
                if let Some(w) = rec.window {
                    self.put(
                        &store,
                        StoreKey::windowed(rec.key.clone(), w),
                        rec.value.clone(),
                        rec.timestamp_ms,
                        io.out,
                    );
                }
                let expiry = now - grace_ms;
                let due: Vec<(StoreKey, Datum, i64)> = self
                    .stores
                    .get(&store)
                    .map(|s| {
                        let mut due: Vec<_> = s
                            .entries()
                            .filter(|(k, _)| k.window.is_some_and(|w| w.end_ms <= expiry))
                            .map(|(k, v)| (k.clone(), v.value.clone(), v.timestamp_ms))
                            .collect();
                        due.sort_by_key(|(k, _, ts)| (k.window.map(|w| w.end_ms), *ts));
                        due
                    })
                    .unwrap_or_default();
                for (key, value, ts) in due {
                    self.put(&store, key.clone(), Datum::Null, ts, io.out);
                    let r = Record { key: key.key, value, timestamp_ms: ts, window: key.window, old_value: None };
                    self.forward(index, r, io);
                }
            }
        }
    }

    fn skip_null(&self, what: &str, class: &str, io: &mut Io) {
        io.out.push(TaskOutput::Log(Level::Warn, format!("Skipping record due to {what}. topic=[{}] partition=[{}] offset=[{}] (org.apache.kafka.streams.kstream.internals.{class})", io.topic, io.partition, io.offset)));
    }

    fn skip_expired(&self, class: &str, ts: i64, expiry: i64, window: String, stream_time: i64, io: &mut Io) {
        io.out.push(TaskOutput::Log(Level::Warn, format!("Skipping record for expired window. topic=[{}] partition=[{}] offset=[{}] timestamp=[{ts}] window={window} expiration=[{expiry}] streamTime=[{stream_time}] (org.apache.kafka.streams.kstream.internals.{class})", io.topic, io.partition, io.offset)));
    }

    /// `KStreamAggregate` / `KStreamReduce`.
    fn aggregate(&mut self, index: usize, store: &str, op: &AggOp, rec: Record, io: &mut Io) {
        if rec.key.is_null() || rec.value.is_null() {
            let class = if matches!(op, AggOp::Reduce(_)) { "KStreamReduce" } else { "KStreamAggregate" };
            return self.skip_null("null key or value", class, io);
        }
        let key = StoreKey::plain(rec.key.clone());
        let old = self.get(store, &key);
        let new = apply_agg(op, &rec.key, &rec.value, old.as_ref().map(|(v, _)| v));
        let ts = old.as_ref().map_or(rec.timestamp_ms, |(_, t)| rec.timestamp_ms.max(*t));
        self.update(index, store, Update { key, value: new, old: old.map(|(v, _)| v), timestamp_ms: ts }, io);
    }

    /// `KStreamWindowAggregate`: every hopping/tumbling window the record falls in,
    /// unless the window already closed.
    fn window_aggregate(
        &mut self,
        index: usize,
        store: &str,
        op: &AggOp,
        w: super::window::TimeWindows,
        rec: Record,
        io: &mut Io,
    ) {
        if rec.key.is_null() {
            return self.skip_null("null key", "KStreamWindowAggregate", io);
        }
        let stream_time = self.observe(index, rec.timestamp_ms);
        let close = stream_time - w.grace_ms;
        for window in w.windows_for(rec.timestamp_ms) {
            if window.end_ms > close {
                let key = StoreKey::windowed(rec.key.clone(), window);
                let old = self.get(store, &key);
                let new = apply_agg(op, &rec.key, &rec.value, old.as_ref().map(|(v, _)| v));
                let ts = old.as_ref().map_or(rec.timestamp_ms, |(_, t)| rec.timestamp_ms.max(*t));
                self.update(index, store, Update { key, value: new, old: old.map(|(v, _)| v), timestamp_ms: ts }, io);
            } else {
                let text = format!("[{},{})", window.start_ms, window.end_ms);
                self.skip_expired("KStreamWindowAggregate", rec.timestamp_ms, close, text, stream_time, io);
            }
        }
        self.expire(store, stream_time);
    }

    fn expire(&mut self, store: &str, stream_time_ms: i64) {
        if let Some(s) = self.stores.get_mut(store) {
            s.expire(stream_time_ms);
        }
    }

    /// `KStreamSlidingWindowAggregate.processInOrder`.
    fn sliding_aggregate(
        &mut self,
        index: usize,
        store: &str,
        op: &AggOp,
        w: super::window::SlidingWindows,
        rec: Record,
        io: &mut Io,
    ) {
        if rec.key.is_null() || rec.value.is_null() {
            return self.skip_null("null key or value", "KStreamSlidingWindowAggregate", io);
        }
        let d = w.time_difference_ms;
        let ts = rec.timestamp_ms;
        let stream_time = self.observe(index, ts);
        let close = stream_time - w.grace_ms;
        if ts + d < close {
            let text = format!("[{ts},{}]", ts + d);
            return self.skip_expired("KStreamSlidingWindowAggregate", ts, close, text, stream_time, io);
        }
        let existing = self.windows_starting(store, &rec.key, (ts - 2 * d).max(0), ts + 1);
        if ts < d {
            let step = SlidingStep { index, store, op, close, stream_time };
            self.sliding_early(&step, d, existing, &rec, io);
            self.expire(store, stream_time);
            return;
        }
        let mut starts = Vec::new();
        let mut left_agg: Option<(Datum, i64)> = None;
        let mut right_agg: Option<(Datum, i64)> = None;
        let (mut left_created, mut right_created) = (false, false);
        let mut previous: Option<i64> = None;
        let mut updates: Vec<(Window, Option<(Datum, i64)>)> = Vec::new();
        for (win, value, max_ts) in existing {
            starts.push(win.start_ms);
            let end = win.start_ms + d;
            if end < ts {
                left_agg = Some((value, max_ts));
                previous = Some(max_ts);
            } else if end == ts {
                left_created = true;
                if max_ts < ts {
                    previous = Some(max_ts);
                }
                updates.push((win, Some((value, max_ts))));
            } else if win.start_ms <= ts {
                right_agg = Some((value.clone(), max_ts));
                updates.push((win, Some((value, max_ts))));
            } else if win.start_ms == ts + 1 {
                right_created = true;
            }
        }
        let step = SlidingStep { index, store, op, close, stream_time };
        for (win, current) in updates {
            self.update_sliding(&step, win, current, &rec, io);
        }
        if let Some(prev) = previous {
            let start = prev + 1;
            if !starts.contains(&start) && start + d >= ts {
                let win = Window { start_ms: start, end_ms: start + d };
                self.update_sliding(&step, win, None, &rec, io);
            }
        }
        if !left_created {
            let current = match (previous, left_agg) {
                (Some(prev), Some((v, _))) if ts - d <= prev => Some((v, ts)),
                _ => None,
            };
            let win = Window { start_ms: ts - d, end_ms: ts };
            self.update_sliding(&step, win, current, &rec, io);
        }
        if let (false, Some((value, max_ts))) = (right_created, right_agg) {
            if max_ts > ts {
                let win = Window { start_ms: ts + 1, end_ms: ts + 1 + d };
                let key = StoreKey::windowed(rec.key.clone(), win);
                self.update(index, store, Update { key, value, old: None, timestamp_ms: max_ts }, io);
            }
        }
        self.expire(store, stream_time);
    }

    /// A key's windows starting within `[from, to]`, by start (`windowStore.fetch`).
    fn windows_starting(&self, store: &str, key: &Datum, from: i64, to: i64) -> Vec<(Window, Datum, i64)> {
        self.stores
            .get(store)
            .map(|s| {
                s.entries_for(key)
                    .filter_map(|(k, v)| k.window.map(|win| (win, v.value.clone(), v.timestamp_ms)))
                    .filter(|(win, _, _)| win.start_ms >= from && win.start_ms <= to)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `processEarly`: a record before the time difference has passed since 0; the
    /// window `[0, d]` holds every early record instead of windows starting below 0.
    fn sliding_early(
        &mut self,
        step: &SlidingStep,
        d: i64,
        existing: Vec<(Window, Datum, i64)>,
        rec: &Record,
        io: &mut Io,
    ) {
        let ts = rec.timestamp_ms;
        let mut combined: Option<(Window, Datum, i64)> = None;
        let mut right_agg: Option<(Datum, i64)> = None;
        let mut right_created = false;
        let mut starts = Vec::new();
        let mut previous: Option<i64> = None;
        let mut updates = Vec::new();
        for (win, value, max_ts) in existing {
            starts.push(win.start_ms);
            if win.start_ms == 0 {
                if max_ts < ts {
                    previous = Some(max_ts);
                }
                combined = Some((win, value, max_ts));
            } else if win.start_ms <= ts {
                right_agg = Some((value.clone(), max_ts));
                updates.push((win, Some((value, max_ts))));
            } else if win.start_ms == ts + 1 {
                right_created = true;
            }
        }
        for (win, current) in updates {
            self.update_sliding(step, win, current, rec, io);
        }
        if right_agg.is_none() {
            right_agg = combined.as_ref().filter(|(_, _, t)| *t > ts).map(|(_, v, t)| (v.clone(), *t));
        }
        if let (false, Some((value, max_ts))) = (right_created, right_agg) {
            if max_ts > ts {
                let win = Window { start_ms: ts + 1, end_ms: ts + 1 + d };
                let key = StoreKey::windowed(rec.key.clone(), win);
                self.update(step.index, step.store, Update { key, value, old: None, timestamp_ms: max_ts }, io);
            }
        }
        if let Some(prev) = previous.filter(|p| !starts.contains(&(p + 1))) {
            let win = Window { start_ms: prev + 1, end_ms: prev + 1 + d };
            self.update_sliding(step, win, None, rec, io);
        }
        match combined {
            None => self.update_sliding(step, Window { start_ms: 0, end_ms: d }, None, rec, io),
            Some((win, value, max_ts)) => self.update_sliding(step, win, Some((value, max_ts)), rec, io),
        }
    }

    /// `updateWindowAndForward`: adds the record to one sliding window.
    fn update_sliding(
        &mut self,
        step: &SlidingStep,
        win: Window,
        current: Option<(Datum, i64)>,
        rec: &Record,
        io: &mut Io,
    ) {
        let SlidingStep { index, store, op, close, stream_time } = *step;
        if win.end_ms < close {
            let text = format!("[{},{}]", win.start_ms, win.end_ms);
            return self.skip_expired("KStreamSlidingWindowAggregate", rec.timestamp_ms, close, text, stream_time, io);
        }
        let new = apply_agg(op, &rec.key, &rec.value, current.as_ref().map(|(v, _)| v));
        let ts = current.as_ref().map_or(rec.timestamp_ms, |(_, t)| rec.timestamp_ms.max(*t));
        let key = StoreKey::windowed(rec.key.clone(), win);
        self.update(index, store, Update { key, value: new, old: current.map(|(v, _)| v), timestamp_ms: ts }, io);
    }

    /// `KStreamSessionWindowAggregate`: merges every session within the gap.
    fn session_aggregate(
        &mut self,
        index: usize,
        store: &str,
        op: &AggOp,
        w: super::window::SessionWindows,
        rec: Record,
        io: &mut Io,
    ) {
        if rec.key.is_null() {
            return self.skip_null("null key", "KStreamSessionWindowAggregate", io);
        }
        let ts = rec.timestamp_ms;
        let stream_time = self.observe(index, ts);
        // A session can still grow until the gap has passed too.
        let close = stream_time - w.grace_ms - w.gap_ms;
        let overlapping: Vec<(StoreKey, Datum, i64)> = self
            .stores
            .get(store)
            .map(|s| {
                s.entries_for(&rec.key)
                    .filter(|(k, _)| {
                        k.window.is_some_and(|win| win.end_ms >= ts - w.gap_ms && win.start_ms <= ts + w.gap_ms)
                    })
                    .map(|(k, v)| (k.clone(), v.value.clone(), v.timestamp_ms))
                    .collect()
            })
            .unwrap_or_default();
        let fresh = Window { start_ms: ts, end_ms: ts };
        let mut merged = fresh;
        let mut agg = initial(op);
        for (k, v, _) in &overlapping {
            agg = merge(op, &rec.key, &agg, v);
            if let Some(win) = k.window {
                merged = Window { start_ms: merged.start_ms.min(win.start_ms), end_ms: merged.end_ms.max(win.end_ms) };
            }
        }
        if merged.end_ms < close {
            let text = format!("[{},{}]", merged.start_ms, merged.end_ms);
            return self.skip_expired("KStreamSessionWindowAggregate", ts, close, text, stream_time, io);
        }
        if merged != fresh {
            for (k, v, session_ts) in overlapping {
                self.update(
                    index,
                    store,
                    Update { key: k, value: Datum::Null, old: Some(v), timestamp_ms: session_ts },
                    io,
                );
            }
        }
        let agg = add(op, &rec.key, &rec.value, agg);
        let key = StoreKey::windowed(rec.key.clone(), merged);
        self.update(index, store, Update { key, value: agg, old: None, timestamp_ms: merged.end_ms }, io);
        self.expire(store, stream_time);
    }

    /// `KTableAggregate` / `KTableReduce`: subtract the old value, add the new one.
    fn table_aggregate(&mut self, index: usize, store: &str, op: &TableAggOp, rec: Record, io: &mut Io) {
        if rec.key.is_null() {
            return;
        }
        let key = StoreKey::plain(rec.key.clone());
        let old = self.get(store, &key);
        let old_agg = old.as_ref().map(|(v, _)| v.clone());
        let mut ts = rec.timestamp_ms;
        let intermediate = match (&rec.old_value, &old_agg) {
            (Some(ov), Some(agg)) if !ov.is_null() => {
                ts = old.as_ref().map_or(ts, |(_, t)| ts.max(*t));
                Some(match op {
                    TableAggOp::Count => Datum::BigInt(agg.as_i64().unwrap_or(0) - 1),
                    TableAggOp::Reduce { subtractor, .. } => subtractor(agg, ov),
                    TableAggOp::Aggregate { subtractor, .. } => subtractor(&rec.key, ov, agg),
                })
            }
            _ => old_agg.clone(),
        };
        let new = if rec.value.is_null() {
            intermediate.unwrap_or(Datum::Null)
        } else {
            if let Some((_, t)) = &old {
                ts = ts.max(*t);
            }
            match op {
                TableAggOp::Count => Datum::BigInt(intermediate.and_then(|a| a.as_i64()).unwrap_or(0) + 1),
                TableAggOp::Reduce { adder, .. } => match intermediate {
                    Some(agg) => adder(&agg, &rec.value),
                    None => rec.value.clone(),
                },
                TableAggOp::Aggregate { initializer, adder, .. } => {
                    let base = intermediate.unwrap_or_else(|| initializer());
                    adder(&rec.key, &rec.value, &base)
                }
            }
        };
        self.update(index, store, Update { key, value: new, old: old_agg, timestamp_ms: ts }, io);
    }

    /// Emits the left/outer join's buffered records whose window closed with a null other side.
    fn emit_non_joined(
        &mut self,
        index: usize,
        shared: &str,
        windows: JoinWindows,
        stream_time: i64,
        joiner: &super::topology::ValueJoiner,
        io: &mut Io,
    ) {
        let due: Vec<(StoreKey, Datum, i64)> = self
            .stores
            .get(shared)
            .map(|s| {
                s.entries()
                    .filter(|(_, v)| {
                        v.timestamp_ms + windows.after_ms.max(windows.before_ms) + windows.grace_ms < stream_time
                    })
                    .map(|(k, v)| (k.clone(), v.value.clone(), v.timestamp_ms))
                    .collect()
            })
            .unwrap_or_default();
        for (key, entry, ts) in due {
            self.put(shared, key.clone(), Datum::Null, ts, io.out);
            let Datum::Array(parts) = &key.key else { continue };
            let Datum::Array(entry) = entry else { continue };
            let (Some(record_key), Some(Datum::Boolean(is_left)), Some(value)) =
                (parts.get(2), entry.first(), entry.get(1))
            else {
                continue;
            };
            let joined = if *is_left {
                joiner(record_key, value, &Datum::Null)
            } else {
                joiner(record_key, &Datum::Null, value)
            };
            let r = Record::new(record_key.clone(), joined, ts);
            self.forward(index, r, io);
        }
    }
}

/// The outer-join buffer's key: `(timestamp, side, key)` (`TimestampedKeyAndJoinSide`).
fn shared_key(is_left: bool, key: &Datum, ts: i64) -> StoreKey {
    StoreKey::plain(Datum::Array(vec![Datum::BigInt(ts), Datum::Boolean(is_left), key.clone()]))
}

/// The aggregate a new key starts from: 0 for count, none for reduce, the initializer's.
fn initial(op: &AggOp) -> Datum {
    match op {
        AggOp::Count => Datum::BigInt(0),
        AggOp::Reduce(_) => Datum::Null,
        AggOp::Aggregate { initializer, .. } => initializer(),
    }
}

/// Adds a value to an aggregate (a reduce's first value is the value itself).
fn add(op: &AggOp, key: &Datum, value: &Datum, agg: Datum) -> Datum {
    match op {
        AggOp::Count => Datum::BigInt(agg.as_i64().unwrap_or(0) + 1),
        AggOp::Reduce(_) if agg.is_null() => value.clone(),
        AggOp::Reduce(r) => r(&agg, value),
        AggOp::Aggregate { aggregator, .. } => aggregator(key, value, &agg),
    }
}

fn apply_agg(op: &AggOp, key: &Datum, value: &Datum, current: Option<&Datum>) -> Datum {
    let base = current.cloned().unwrap_or_else(|| initial(op));
    add(op, key, value, base)
}

/// Two sessions' aggregates merged (count adds; reduce reduces; aggregate uses the merger).
fn merge(op: &AggOp, key: &Datum, a: &Datum, b: &Datum) -> Datum {
    match op {
        AggOp::Count => Datum::BigInt(a.as_i64().unwrap_or(0) + b.as_i64().unwrap_or(0)),
        AggOp::Reduce(_) if a.is_null() => b.clone(),
        AggOp::Reduce(_) if b.is_null() => a.clone(),
        AggOp::Reduce(r) => r(a, b),
        AggOp::Aggregate { merger: Some(m), .. } => m(key, a, b),
        AggOp::Aggregate { merger: None, .. } => b.clone(),
    }
}

/// `ChangedSerializer`: `old + 0`, `new + 1`, or `varint(len(new)) + new + old + 2`.
fn encode_change(serde: &Serde, new: &Datum, old: Option<&Datum>) -> Option<Vec<u8>> {
    let new_bytes = serde.serialize(new).ok().flatten();
    let old_bytes = old.and_then(|o| serde.serialize(o).ok().flatten());
    let mut out = Vec::new();
    match (new_bytes, old_bytes) {
        (Some(n), Some(o)) => {
            let mut len = n.len() as u64;
            loop {
                let byte = (len & 0x7f) as u8;
                len >>= 7;
                if len == 0 {
                    out.push(byte);
                    break;
                }
                out.push(byte | 0x80);
            }
            out.extend_from_slice(&n);
            out.extend_from_slice(&o);
            out.push(2);
        }
        (Some(n), None) => {
            out.extend_from_slice(&n);
            out.push(1);
        }
        (None, Some(o)) => {
            out.extend_from_slice(&o);
            out.push(0);
        }
        (None, None) => return None,
    }
    Some(out)
}

/// Reads `ChangedSerializer`'s layout back: `(new, old)`.
fn decode_change(serde: &Serde, bytes: Option<&[u8]>) -> Result<(Datum, Option<Datum>), super::serde::SerdeError> {
    let err = || super::serde::SerdeError { message: "Invalid change record in repartition topic".to_string() };
    let Some((flag, body)) = bytes.and_then(<[u8]>::split_last) else {
        return Ok((Datum::Null, None));
    };
    match flag {
        0 => Ok((Datum::Null, Some(serde.deserialize(Some(body))?))),
        1 => Ok((serde.deserialize(Some(body))?, None)),
        2 => {
            let (mut len, mut shift, mut at) = (0u64, 0u32, 0usize);
            loop {
                let b = *body.get(at).ok_or_else(err)?;
                at += 1;
                len |= u64::from(b & 0x7f) << shift;
                if b & 0x80 == 0 {
                    break;
                }
                shift += 7;
                if shift > 63 {
                    return Err(err());
                }
            }
            let end = at
                .checked_add(usize::try_from(len).map_err(|_| err())?)
                .filter(|e| *e <= body.len())
                .ok_or_else(err)?;
            Ok((serde.deserialize(Some(&body[at..end]))?, Some(serde.deserialize(Some(&body[end..]))?)))
        }
        _ => Err(err()),
    }
}

/// A datum's rough size in bytes, for the record cache's bound.
fn approx_bytes(d: &Datum) -> usize {
    match d {
        Datum::String(s) => s.len(),
        Datum::Bytes(b) => b.len(),
        Datum::Struct(fields) => fields.iter().map(|(n, v)| n.len() + approx_bytes(v)).sum(),
        Datum::Array(items) => items.iter().map(approx_bytes).sum(),
        _ => 8,
    }
}
