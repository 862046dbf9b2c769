//! One replica's copy of a partition's log: its segments, its record batches, log start
//! offset, log end offset (LEO) and high watermark (HW). The log holds Kafka's unit, the
//! batch (`RecordBatch`, v2): a base offset and header fields (partition leader epoch,
//! producer id/epoch/base sequence, delete horizon) with its records inline. The leader's
//! log, its followers' logs, fetch responses and the session's checkpoints share every
//! batch (`Arc<Batch>`): a follower appends the fetched batch as it is (`appendAsFollower`).
//! Offsets can have gaps once compaction has run, and the log keeps the idempotent producer
//! state derived from the batches (`UnifiedLog.producerStateManager`).

use crate::chunk_list::{self, ChunkList};
use crate::producer_state::{ProducerBatch, ProducerStateManager};
use crate::time::SimTime;
use std::sync::Arc;

/// One record inside a batch (Kafka's `DefaultRecord`): its deltas from the batch's base
/// offset and base timestamp and its field lengths; its bytes live in the batch's payload.
/// Every retained record costs this once (plus its bytes), so it stays small.
#[derive(Clone, Debug, PartialEq, Eq)]
struct BatchRecord {
    timestamp_delta: i64,
    offset_delta: u32,
    /// The key's length, or `NULL_LEN` for a null key.
    key_len: u32,
    /// The value's length, or `NULL_LEN` for a tombstone ("delete this key" in a
    /// compacted topic).
    value_len: u32,
    /// Where the key's bytes begin in the batch's payload (the value's follow them), so a
    /// read can start at any record; it fits in the padding the other fields leave.
    payload_at: u32,
}

/// `key_len`/`value_len` of a null key or value.
const NULL_LEN: u32 = u32::MAX;

/// A field's length in a `BatchRecord` (`NULL_LEN` for null). Kafka's lengths are `int32`s,
/// so anything a log holds fits; a longer field is cut rather than wrapped.
fn field_len(field: Option<&[u8]>) -> u32 {
    field.map_or(NULL_LEN, |b| u32::try_from(b.len()).unwrap_or(NULL_LEN - 1).min(NULL_LEN - 1))
}

/// Bytes a field takes in the payload (none for null).
fn stored_len(len: u32) -> usize {
    if len == NULL_LEN {
        0
    } else {
        len as usize
    }
}

/// A record batch as the log stores it (Kafka's `DefaultRecordBatch`). Never changed once
/// appended: the cleaner writes a new batch in place of the one it compacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Batch {
    base_offset: u64,
    /// `baseTimestamp`: the first record's CreateTime, ms since the Unix epoch.
    base_timestamp_ms: u64,
    /// `lastOffsetDelta`: kept when compaction removes the batch's last records, so the
    /// batch still ends where it did (and a producer's last sequence stays known).
    last_offset_delta: u32,
    partition_leader_epoch: u32,
    /// Bytes on disk: the 61-byte header and the records.
    size_bytes: u32,
    /// The idempotence fields (None: producer id -1).
    producer: Option<ProducerBatch>,
    /// KIP-534: when the batch's tombstones may go, set the first time the cleaner keeps one.
    delete_horizon_ms: Option<u64>,
    records: Box<[BatchRecord]>,
    /// Every record's key bytes, then its value bytes, in record order.
    payload: Box<[u8]>,
}

impl Batch {
    /// A batch of `records` starting at `base_offset` (the first record sets the base
    /// timestamp), written by the leader of `partition_leader_epoch`.
    fn new(
        base_offset: u64,
        records: Vec<NewRecord>,
        partition_leader_epoch: u32,
        producer: Option<ProducerBatch>,
    ) -> Batch {
        let base_timestamp_ms = records.first().map_or(0, |r| r.timestamp_ms);
        let mut payload = Vec::with_capacity(
            records.iter().map(|r| r.key.as_ref().map_or(0, Vec::len) + r.value.as_ref().map_or(0, Vec::len)).sum(),
        );
        let mut fields = Vec::with_capacity(records.len());
        for (i, r) in records.into_iter().enumerate() {
            let (key_len, value_len) = (field_len(r.key.as_deref()), field_len(r.value.as_deref()));
            let payload_at = u32::try_from(payload.len()).unwrap_or(u32::MAX);
            payload.extend_from_slice(r.key.as_deref().map_or(&[][..], |k| &k[..stored_len(key_len)]));
            payload.extend_from_slice(r.value.as_deref().map_or(&[][..], |v| &v[..stored_len(value_len)]));
            fields.push(BatchRecord {
                timestamp_delta: r.timestamp_ms as i64 - base_timestamp_ms as i64,
                offset_delta: u32::try_from(i).unwrap_or(u32::MAX),
                key_len,
                value_len,
                payload_at,
            });
        }
        Batch {
            base_offset,
            base_timestamp_ms,
            last_offset_delta: u32::try_from(fields.len().saturating_sub(1)).unwrap_or(u32::MAX),
            partition_leader_epoch,
            size_bytes: 0,
            producer,
            delete_horizon_ms: None,
            records: fields.into_boxed_slice(),
            payload: payload.into_boxed_slice(),
        }
        .sized()
    }

    /// This batch with its size computed as Kafka's `DefaultRecordBatch.sizeInBytes`.
    fn sized(mut self) -> Batch {
        let records_bytes: u64 = self
            .records
            .iter()
            .zip(self.records())
            .map(|(f, r)| record_bytes(u64::from(f.offset_delta), f.timestamp_delta, r.key(), r.value()))
            .sum();
        self.size_bytes = u32::try_from(BATCH_OVERHEAD_BYTES + records_bytes).unwrap_or(u32::MAX);
        self
    }

    pub(crate) fn base_offset(&self) -> u64 {
        self.base_offset
    }

    pub(crate) fn partition_leader_epoch(&self) -> u32 {
        self.partition_leader_epoch
    }

    /// `lastOffset`: where the batch ends, even when compaction removed its last records.
    pub(crate) fn last_offset(&self) -> u64 {
        self.base_offset + u64::from(self.last_offset_delta)
    }

    pub(crate) fn size_bytes(&self) -> u64 {
        u64::from(self.size_bytes)
    }

    /// `maxTimestamp`: the newest record's timestamp (the base timestamp when empty).
    pub(crate) fn max_timestamp_ms(&self) -> u64 {
        let newest = self.records.iter().map(|f| f.timestamp_delta).max().unwrap_or(0);
        self.base_timestamp_ms.wrapping_add_signed(newest)
    }

    pub(crate) fn producer(&self) -> Option<ProducerBatch> {
        self.producer
    }

    pub(crate) fn delete_horizon_ms(&self) -> Option<u64> {
        self.delete_horizon_ms
    }

    /// How many records the batch holds now (fewer than it was written with once compacted).
    pub(crate) fn record_count(&self) -> usize {
        self.records.len()
    }

    /// The batch's records, in offset order.
    pub(crate) fn records(&self) -> BatchRecords<'_> {
        BatchRecords { batch: self, next: 0 }
    }

    /// The records at or after `offset` (a fetch from the middle of the batch skips the
    /// ones before its position, as Kafka's consumer does).
    pub(crate) fn records_from(&self, offset: u64) -> BatchRecords<'_> {
        BatchRecords { batch: self, next: self.index_of(offset) }
    }

    /// How many of the batch's records come before `offset`.
    fn index_of(&self, offset: u64) -> usize {
        self.records.partition_point(|f| self.base_offset + u64::from(f.offset_delta) < offset)
    }

    /// The producer state entry this batch makes (`ProducerAppendInfo`): its sequences span
    /// the offsets it was written with, compacted or not.
    fn update_producer_state(&self, state: &mut ProducerStateManager) {
        if let Some(p) = self.producer {
            state.update(p, self.last_offset_delta + 1, self.base_offset);
        }
    }

    /// The cleaner's rewrite (`MemoryRecords.filterTo`): the records `keep` accepts, with the
    /// base offset, producer fields and last offset delta kept; `delete_horizon_ms` stamped
    /// when the batch gets one. The batch itself when nothing changes.
    pub(crate) fn filtered(
        self: &Arc<Batch>,
        keep: impl Fn(&Record) -> bool,
        delete_horizon_ms: Option<u64>,
    ) -> Arc<Batch> {
        let kept: Vec<bool> = self.records().map(|r| keep(&r)).collect();
        if kept.iter().all(|k| *k) && delete_horizon_ms == self.delete_horizon_ms {
            return Arc::clone(self);
        }
        let mut payload = Vec::new();
        let mut fields = Vec::new();
        // `MemoryRecordsBuilder`: a batch with a delete horizon carries it as its base
        // timestamp (KIP-534), others start at the first kept record's timestamp.
        let first_kept = self.records().zip(&kept).find(|(_, k)| **k).map(|(r, _)| r.timestamp_ms);
        let base_timestamp_ms = delete_horizon_ms.or(first_kept).unwrap_or(self.base_timestamp_ms);
        for ((r, f), _) in self.records().zip(self.records.iter()).zip(&kept).filter(|(_, k)| **k) {
            let payload_at = u32::try_from(payload.len()).unwrap_or(u32::MAX);
            payload.extend_from_slice(r.key().unwrap_or_default());
            payload.extend_from_slice(r.value().unwrap_or_default());
            let timestamp_delta = r.timestamp_ms as i64 - base_timestamp_ms as i64;
            fields.push(BatchRecord { timestamp_delta, payload_at, ..f.clone() });
        }
        let batch = Batch {
            base_offset: self.base_offset,
            base_timestamp_ms,
            last_offset_delta: self.last_offset_delta,
            partition_leader_epoch: self.partition_leader_epoch,
            size_bytes: 0,
            producer: self.producer,
            delete_horizon_ms,
            records: fields.into_boxed_slice(),
            payload: payload.into_boxed_slice(),
        };
        Arc::new(batch.sized())
    }
}

/// A record read from a batch: its offset and timestamp, and its key and value borrowed
/// from the batch's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    pub(crate) offset: u64,
    /// CreateTime, ms since the Unix epoch (simulated wall clock).
    pub(crate) timestamp_ms: u64,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
}

impl<'a> Record<'a> {
    pub(crate) fn key(&self) -> Option<&'a [u8]> {
        self.key
    }

    /// `None` for a tombstone.
    pub(crate) fn value(&self) -> Option<&'a [u8]> {
        self.value
    }
}

/// Iterates a batch's records.
#[derive(Clone, Debug)]
pub(crate) struct BatchRecords<'a> {
    batch: &'a Batch,
    next: usize,
}

impl<'a> Iterator for BatchRecords<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        let f = self.batch.records.get(self.next)?;
        self.next += 1;
        let key_at = f.payload_at as usize;
        let value_at = key_at + stored_len(f.key_len);
        let field = |at: usize, len: u32| {
            (len != NULL_LEN).then(|| self.batch.payload.get(at..at + len as usize).unwrap_or_default())
        };
        Some(Record {
            offset: self.batch.base_offset + u64::from(f.offset_delta),
            timestamp_ms: self.batch.base_timestamp_ms.wrapping_add_signed(f.timestamp_delta),
            key: field(key_at, f.key_len),
            value: field(value_at, f.value_len),
        })
    }

    /// Records sit at known places in the payload: skipping costs nothing.
    fn nth(&mut self, n: usize) -> Option<Record<'a>> {
        self.next = self.next.saturating_add(n);
        self.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.batch.records.len().saturating_sub(self.next);
        (left, Some(left))
    }
}

/// Iterates a log's records across its batches, knowing how many are left (so collecting
/// them allocates once).
#[derive(Clone, Debug)]
pub(crate) struct LogRecords<'a> {
    current: Option<BatchRecords<'a>>,
    rest: chunk_list::Iter<'a, Arc<Batch>>,
    left: usize,
}

impl<'a> Iterator for LogRecords<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        loop {
            if let Some(r) = self.current.as_mut().and_then(Iterator::next) {
                self.left = self.left.saturating_sub(1);
                return Some(r);
            }
            self.current = Some(self.rest.next()?.records());
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// A record before the leader assigns its offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewRecord {
    pub(crate) timestamp_ms: u64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
}

/// One `.log` file: batches from `base_offset` up to the next segment's base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) base_offset: u64,
    pub(crate) size_bytes: u64,
    /// When the segment received its first batch (the `segment.ms` roll clock).
    pub(crate) first_append_ms: Option<u64>,
    /// The largest record timestamp in it (the `retention.ms` clock).
    pub(crate) max_timestamp_ms: u64,
}

impl Segment {
    fn new(base_offset: u64) -> Segment {
        Segment { base_offset, size_bytes: 0, first_append_ms: None, max_timestamp_ms: 0 }
    }
}

/// The two settings that decide when the active segment rolls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RollConfig {
    /// `segment.bytes`
    pub(crate) segment_bytes: u64,
    /// `segment.ms`
    pub(crate) segment_ms: u64,
}

impl Default for RollConfig {
    fn default() -> RollConfig {
        RollConfig { segment_bytes: 1_073_741_824, segment_ms: 604_800_000 }
    }
}

/// `DefaultRecordBatch.RECORD_BATCH_OVERHEAD`: the v2 batch header.
const BATCH_OVERHEAD_BYTES: u64 = 61;

/// Bytes of a zig-zag varint, as Kafka's `ByteUtils.sizeOfVarlong`.
fn varint_bytes(v: i64) -> u64 {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    let mut n = 1;
    while z >= 0x80 {
        z >>= 7;
        n += 1;
    }
    n
}

/// `DefaultRecord.sizeInBytes` for a record without headers.
fn record_bytes(offset_delta: u64, timestamp_delta: i64, key: Option<&[u8]>, value: Option<&[u8]>) -> u64 {
    let field = |f: Option<&[u8]>| f.map_or(1, |b| varint_bytes(b.len() as i64) + b.len() as u64);
    let body = 1 + varint_bytes(timestamp_delta) + varint_bytes(offset_delta as i64) + field(key) + field(value) + 1;
    varint_bytes(body as i64) + body
}

#[derive(Clone, Debug)]
pub(crate) struct PartitionLog {
    /// In offset order; gaps where compaction removed records. Batches below the log start
    /// stay until their segment goes, as in Kafka, but nobody reads them. Chunked, so a
    /// checkpoint (a clone) copies a pointer per 256 batches rather than one per batch.
    batches: ChunkList<Arc<Batch>>,
    /// In base offset order; the last one is the active segment.
    segments: Vec<Segment>,
    log_start_offset: u64,
    log_end_offset: u64,
    high_watermark: u64,
    /// The cleaner's checkpoint: records below it are clean (compacted at least once).
    pub(crate) cleaned_up_to: u64,
    /// Derived from the batches' producer fields; compaction and a moving log start
    /// leave it alone, truncation rebuilds it.
    producer_state: ProducerStateManager,
    /// How many records the log holds from its log start on, counted as batches come and
    /// go: the page asks for it on every draw.
    readable: usize,
}

impl Default for PartitionLog {
    fn default() -> PartitionLog {
        PartitionLog::starting_at(0)
    }
}

impl PartitionLog {
    fn starting_at(offset: u64) -> PartitionLog {
        PartitionLog {
            batches: ChunkList::default(),
            segments: vec![Segment::new(offset)],
            log_start_offset: offset,
            log_end_offset: offset,
            high_watermark: offset,
            cleaned_up_to: offset,
            producer_state: ProducerStateManager::default(),
            readable: 0,
        }
    }

    pub(crate) fn producer_state(&self) -> &ProducerStateManager {
        &self.producer_state
    }

    /// Rebuilds the producer state from the batches in the log (after truncation, and
    /// when a broker loads its logs on restart).
    pub(crate) fn rebuild_producer_state(&mut self) {
        let mut state = ProducerStateManager::default();
        for b in self.batches.iter() {
            b.update_producer_state(&mut state);
        }
        self.producer_state = state;
    }

    pub(crate) fn log_end_offset(&self) -> u64 {
        self.log_end_offset
    }

    pub(crate) fn log_start_offset(&self) -> u64 {
        self.log_start_offset
    }

    pub(crate) fn high_watermark(&self) -> u64 {
        self.high_watermark
    }

    /// The batches the log holds, in offset order (the first may begin below the log start).
    pub(crate) fn batches(&self) -> &ChunkList<Arc<Batch>> {
        &self.batches
    }

    /// Every record from the log start on, in offset order.
    pub(crate) fn records(&self) -> LogRecords<'_> {
        self.records_skipping(0)
    }

    /// The records from the log start on, skipping the first `skip` of them. The page asks
    /// for the newest ones, so the batches are counted from whichever end is nearer.
    pub(crate) fn records_skipping(&self, skip: usize) -> LogRecords<'_> {
        let first = self.batch_index(self.log_start_offset);
        let (from, left) = if skip >= self.readable / 2 {
            let mut wanted = self.readable.saturating_sub(skip);
            let mut at = (self.batches.len(), 0);
            for (i, b) in self.batches.since(first).enumerate().map(|(i, b)| (first + i, b)).rev() {
                if wanted == 0 {
                    break;
                }
                let here = self.readable_in(b);
                at = (i, here.saturating_sub(wanted));
                wanted = wanted.saturating_sub(here);
            }
            at
        } else {
            let mut left = skip;
            let mut from = first;
            while let Some(here) = self.batches.get(from).map(|b| self.readable_in(b)).filter(|here| left >= *here) {
                left -= here;
                from += 1;
            }
            (from, left)
        };
        // Only the batch holding the log start has records to hide.
        let mut current = self.batches.get(from).map(|b| b.records_from(self.log_start_offset));
        if let Some(c) = current.as_mut() {
            c.next += left;
        }
        LogRecords { current, rest: self.batches.since(from + 1), left: self.readable.saturating_sub(skip) }
    }

    /// How many records the log holds from its log start on.
    pub(crate) fn record_count(&self) -> usize {
        self.readable
    }

    /// Counts the records from the log start on again (after batches or the log start moved).
    fn recount(&mut self) {
        let first = self.batch_index(self.log_start_offset);
        self.readable = self.batches.since(first).map(|b| self.readable_in(b)).sum();
    }

    /// How many records below `offset` the log holds from its log start on.
    pub(crate) fn records_before(&self, offset: u64) -> usize {
        let start = self.batch_index(self.log_start_offset);
        let holding = self.batch_index(offset);
        let whole: usize = self.batches.range(start.min(holding)..holding).map(|b| self.readable_in(b)).sum();
        let partial = self
            .batches
            .get(holding)
            .map_or(0, |b| b.records_from(self.log_start_offset).take_while(|r| r.offset < offset).count());
        whole + partial
    }

    /// The records of `batch` at or after the log start.
    fn readable_in(&self, batch: &Batch) -> usize {
        batch.record_count() - batch.index_of(self.log_start_offset)
    }

    /// The batches of the segment starting at `base` (none if there is no such segment).
    pub(crate) fn segment_batches(&self, base: u64) -> chunk_list::Iter<'_, Arc<Batch>> {
        let Some(i) = self.segments.iter().position(|s| s.base_offset == base) else { return self.batches.range(0..0) };
        let upper = self.segments.get(i + 1).map_or(u64::MAX, |n| n.base_offset);
        let lo = self.batches.partition_point(|b| b.base_offset < base);
        let hi = self.batches.partition_point(|b| b.base_offset < upper);
        self.batches.range(lo..hi)
    }

    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub(crate) fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }

    /// The first batch that ends at or after `offset` (the one holding it, if any).
    fn batch_index(&self, offset: u64) -> usize {
        self.batches.partition_point(|b| b.last_offset() < offset)
    }

    /// Rolls a new active segment when the current one is full or old (`LogSegment.shouldRoll`).
    fn maybe_roll(&mut self, incoming_bytes: u64, roll: RollConfig, now: SimTime) {
        let Some(active) = self.segments.last() else { return };
        let full = active.size_bytes > 0 && active.size_bytes + incoming_bytes > roll.segment_bytes;
        let old = active.first_append_ms.is_some_and(|t| now.0.saturating_sub(t) >= roll.segment_ms);
        if full || old {
            self.segments.push(Segment::new(self.log_end_offset));
        }
    }

    /// Adds a batch at the end, into the active segment.
    fn push(&mut self, batch: Arc<Batch>, now: SimTime) {
        self.log_end_offset = batch.last_offset() + 1;
        if let Some(active) = self.segments.last_mut() {
            active.size_bytes += batch.size_bytes();
            active.first_append_ms.get_or_insert(now.0);
            active.max_timestamp_ms = active.max_timestamp_ms.max(batch.max_timestamp_ms());
        }
        self.readable += self.readable_in(&batch);
        self.batches.push(batch);
    }

    /// Leader append: one batch at the next offsets; returns its base offset. The caller
    /// has checked an idempotent batch against `producer_state` first.
    pub(crate) fn append(
        &mut self,
        records: Vec<NewRecord>,
        producer: Option<ProducerBatch>,
        leader_epoch: u32,
        roll: RollConfig,
        now: SimTime,
    ) -> u64 {
        let base = self.log_end_offset;
        if records.is_empty() {
            return base;
        }
        let batch = Batch::new(base, records, leader_epoch, producer);
        batch.update_producer_state(&mut self.producer_state);
        self.maybe_roll(batch.size_bytes(), roll, now);
        self.push(Arc::new(batch), now);
        base
    }

    /// Moves the HW forward; it never goes back and never passes the LEO.
    pub(crate) fn advance_high_watermark(&mut self, to: u64) {
        assert!(to <= self.log_end_offset(), "HW {to} beyond LEO {}", self.log_end_offset());
        if to > self.high_watermark {
            self.high_watermark = to;
        }
    }

    /// Follower append of the leader's batches as they are (`appendAsFollower`), keeping
    /// their offsets, epochs and sizes (a compacted leader sends offsets with gaps). Batches
    /// this log already has are skipped.
    pub(crate) fn append_replicated(&mut self, batches: &[Arc<Batch>], roll: RollConfig, now: SimTime) {
        let fresh: Vec<&Arc<Batch>> = batches.iter().filter(|b| b.last_offset() >= self.log_end_offset).collect();
        let Some(first) = fresh.first() else { return };
        if first.base_offset < self.log_end_offset {
            // The leader's log start is inside this batch (`DeleteRecords` mid-batch) and this
            // replica starts there: Kafka's `Partition.appendRecordsToFollowerOrFutureReplica`
            // restarts the log at the batch's base, keeping the log start. A log that holds
            // batches already never gets here: it fetches from a batch boundary.
            if !self.batches.is_empty() {
                return;
            }
            let log_start = self.log_start_offset;
            *self = PartitionLog::starting_at(first.base_offset);
            self.log_start_offset = log_start;
            self.high_watermark = log_start;
            self.cleaned_up_to = log_start;
        }
        self.maybe_roll(fresh.iter().map(|b| b.size_bytes()).sum(), roll, now);
        for b in fresh {
            // `ProducerAppendInfo` with origin REPLICATION: followers take the leader's
            // batches as they are and only record them.
            b.update_producer_state(&mut self.producer_state);
            self.push(Arc::clone(b), now);
        }
    }

    /// The leader epoch of the last batch (0 for an empty log).
    pub(crate) fn last_epoch(&self) -> u32 {
        self.batches.last().map_or(0, |b| b.partition_leader_epoch)
    }

    /// `endOffsetForEpoch` (KIP-101): the largest epoch ≤ `epoch` in this log and the offset
    /// where it ends (the start of the next epoch, or the LEO).
    pub(crate) fn end_offset_for_epoch(&self, epoch: u32) -> (u32, u64) {
        // Every follower fetch asks this: epochs never decrease along the log, so the
        // usual answer (the last epoch) is found at once and the others by bisection.
        if self.last_epoch() <= epoch {
            return (self.last_epoch(), self.log_end_offset());
        }
        let i = self.batches.partition_point(|b| b.partition_leader_epoch <= epoch);
        match (i.checked_sub(1).and_then(|before| self.batches.get(before)), self.batches.get(i)) {
            (Some(before), Some(next)) => (before.partition_leader_epoch, next.base_offset),
            // The last epoch is above `epoch`, so a batch follows; none before: the log start.
            _ => (0, self.log_start_offset),
        }
    }

    /// Cuts the log back to `end` (a follower dropping a tail its new leader never had).
    /// As Kafka's `LogSegment.truncateTo`, the batch holding `end` goes whole: truncation
    /// points are batch boundaries (where a leader epoch ends).
    pub(crate) fn truncate(&mut self, end: u64) {
        if end < self.log_start_offset {
            return self.truncate_fully_and_start_at(end);
        }
        let keep = self.batch_index(end);
        self.batches.truncate(keep);
        self.log_end_offset = end.min(self.log_end_offset);
        self.segments.retain(|s| s.base_offset < end || s.base_offset == self.log_start_offset);
        let from = self.segments.last().map_or(0, |s| s.base_offset);
        let tail: u64 =
            self.batches.since(self.batches.partition_point(|b| b.base_offset < from)).map(|b| b.size_bytes()).sum();
        if let Some(active) = self.segments.last_mut() {
            active.size_bytes = tail;
        }
        self.high_watermark = self.high_watermark.min(self.log_end_offset);
        self.cleaned_up_to = self.cleaned_up_to.min(self.log_end_offset);
        self.rebuild_producer_state();
        self.recount();
    }

    /// `UnifiedLog.truncateFullyAndStartAt`: a follower too far behind the leader's log
    /// start drops everything and starts again there.
    pub(crate) fn truncate_fully_and_start_at(&mut self, offset: u64) {
        *self = PartitionLog::starting_at(offset);
    }

    /// A follower's HW follows the leader's, never past its own LEO, never backwards.
    pub(crate) fn follow_high_watermark(&mut self, leader_high_watermark: u64) {
        let to = leader_high_watermark.min(self.log_end_offset());
        if to > self.high_watermark {
            self.high_watermark = to;
        }
    }

    /// A follower's log start follows the leader's (after retention or delete-records
    /// there), never past its own HW.
    pub(crate) fn follow_log_start_offset(&mut self, leader_log_start: u64) {
        let to = leader_log_start.min(self.high_watermark);
        if to > self.log_start_offset {
            self.increment_log_start_offset(to);
        }
    }

    /// A fetch from `offset`: the whole batches from the one holding it, each ending below
    /// `limit` (the HW for consumers), as many as fit in `max` records. The first batch goes
    /// whatever its size, as Kafka's `minOneMessage` (`fetch.max.bytes` is a soft limit).
    /// The reader skips the records before its position.
    pub(crate) fn read(&self, offset: u64, limit: u64, max: usize) -> Vec<Arc<Batch>> {
        let end = limit.min(self.log_end_offset());
        if offset < self.log_start_offset || offset >= end {
            return Vec::new();
        }
        let from = self.batch_index(offset);
        let below = self.batch_index(end);
        let mut held = 0;
        let mut read = Vec::new();
        for b in self.batches.range(from..below) {
            if !read.is_empty() && held + b.record_count() > max {
                break;
            }
            held += b.record_count();
            read.push(Arc::clone(b));
        }
        read
    }

    /// Moves the log start forward (`DeleteRecords`, or retention deleting segments): every
    /// segment that ends at or before it goes with its batches; a batch the log start falls
    /// inside stays, its records below it unreadable (Kafka's `maybeIncrementLogStartOffset`).
    pub(crate) fn increment_log_start_offset(&mut self, to: u64) {
        if to <= self.log_start_offset || to > self.high_watermark {
            return;
        }
        self.log_start_offset = to;
        let keep_from = self.segments.iter().rposition(|s| s.base_offset <= to).unwrap_or(0);
        self.segments.drain(..keep_from);
        let first_base = self.segments.first().map_or(to, |s| s.base_offset);
        let drop = self.batches.partition_point(|b| b.base_offset < first_base);
        self.batches.drop_front(drop);
        self.cleaned_up_to = self.cleaned_up_to.max(to);
        self.recount();
    }

    /// Deletes the oldest `count` closed segments, moving the log start to the next
    /// segment's base. Only segments wholly below the HW may go (`UnifiedLog.deletableSegments`).
    pub(crate) fn delete_oldest_segments(&mut self, count: usize) -> usize {
        let deletable = self.deletable_segments().min(count);
        if deletable > 0 {
            let next_base = self.segments[deletable].base_offset;
            self.increment_log_start_offset(next_base);
        }
        deletable
    }

    /// How many leading segments are closed and wholly below the HW.
    pub(crate) fn deletable_segments(&self) -> usize {
        self.segments.windows(2).take_while(|w| w[1].base_offset <= self.high_watermark).count()
    }

    /// The first offset the cleaner may not touch: the active segment's base, or the HW.
    pub(crate) fn first_uncleanable_offset(&self) -> u64 {
        self.segments.last().map_or(0, |s| s.base_offset).min(self.high_watermark)
    }

    /// Replaces the batches ending below `end` with `kept` (the cleaner's output, in offset
    /// order), recomputing segment sizes and merging segments the cleaning emptied.
    pub(crate) fn replace_cleaned(&mut self, end: u64, kept: Vec<Arc<Batch>>) {
        let split = self.batch_index(end);
        // The cleaner rewrote the head: the log is rebuilt, sharing no chunk with its
        // checkpoints (compacted logs are the small ones; a cleaning is rare).
        let tail = self.batches.since(split).cloned().collect::<Vec<_>>();
        self.batches = kept.into_iter().chain(tail).collect();
        let active = self.segments.len().saturating_sub(1);
        let mut merged: Vec<Segment> = Vec::new();
        for (i, seg) in self.segments.iter().enumerate() {
            let upper = self.segments.get(i + 1).map_or(u64::MAX, |n| n.base_offset);
            let lo = self.batches.partition_point(|b| b.base_offset < seg.base_offset);
            let hi = self.batches.partition_point(|b| b.base_offset < upper);
            let mut seg = seg.clone();
            seg.size_bytes = self.batches.range(lo..hi).map(|b| b.size_bytes()).sum();
            // An emptied closed segment folds into the one before it (`groupSegmentsBySize`).
            if i < active && lo == hi && !merged.is_empty() {
                continue;
            }
            merged.push(seg);
        }
        self.segments = merged;
        self.cleaned_up_to = self.cleaned_up_to.max(end);
        self.recount();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(v: &str) -> NewRecord {
        NewRecord { timestamp_ms: 1, key: None, value: Some(v.as_bytes().to_vec()) }
    }

    fn offsets<'a>(records: impl Iterator<Item = Record<'a>>) -> Vec<u64> {
        records.map(|r| r.offset).collect()
    }

    /// The offsets in fetched batches, from `offset` on (what a consumer keeps).
    fn fetched(batches: &[Arc<Batch>], offset: u64) -> Vec<u64> {
        offsets(batches.iter().flat_map(|b| b.records_from(offset)))
    }

    /// The counted records agree with the records read, and skipping from either end
    /// lands where `skip` does.
    fn assert_counts_agree(log: &PartitionLog) {
        let all = offsets(log.records());
        assert_eq!(log.record_count(), all.len());
        for n in 0..=all.len() + 1 {
            let expected: Vec<u64> = all.iter().skip(n).copied().collect();
            assert_eq!(log.records_skipping(n).size_hint(), (expected.len(), Some(expected.len())));
            assert_eq!(offsets(log.records_skipping(n)), expected, "skip {n}");
            let before = all.iter().filter(|o| **o < n as u64).count();
            assert_eq!(log.records_before(n as u64), before, "records before {n}");
        }
    }

    #[test]
    fn offsets_are_consecutive_and_reads_stop_at_the_high_watermark() {
        let mut log = PartitionLog::default();
        assert_eq!(log.append(vec![rec("82 bpm"), rec("110 bpm")], None, 0, RollConfig::default(), SimTime(5)), 0);
        assert_eq!(log.append(vec![rec("95 bpm")], None, 0, RollConfig::default(), SimTime(6)), 2);
        assert_eq!(log.log_end_offset(), 3);
        assert!(log.read(0, log.high_watermark(), 10).is_empty());
        log.advance_high_watermark(2);
        assert_eq!(fetched(&log.read(0, log.high_watermark(), 10), 0), vec![0, 1]);
        log.advance_high_watermark(1);
        assert_eq!(log.high_watermark(), 2, "the HW never goes back");
    }

    #[test]
    fn a_fetch_from_the_middle_of_a_batch_gets_the_whole_batch() {
        let mut log = PartitionLog::default();
        log.append(vec![rec("a"), rec("b"), rec("c")], None, 0, RollConfig::default(), SimTime(1));
        log.append(vec![rec("d"), rec("e")], None, 0, RollConfig::default(), SimTime(1));
        log.advance_high_watermark(5);
        let read = log.read(1, 5, 1);
        assert_eq!(read.len(), 1, "at least one batch, whole, whatever the maximum");
        assert_eq!(read[0].base_offset(), 0);
        assert_eq!(fetched(&read, 1), vec![1, 2], "the reader skips the records before its position");
        assert_eq!(fetched(&log.read(1, 5, 10), 1), vec![1, 2, 3, 4]);
        assert!(log.read(1, 4, 10).len() == 1, "a batch reaching past the limit is not sent");
        assert_eq!(offsets(log.records_skipping(4)), vec![4]);
    }

    #[test]
    fn epochs_end_where_the_next_begins_and_truncation_drops_the_tail() {
        let mut log = PartitionLog::default();
        log.append(vec![rec("a"), rec("b")], None, 0, RollConfig::default(), SimTime(1));
        log.append(vec![rec("c")], None, 2, RollConfig::default(), SimTime(2));
        assert_eq!(log.end_offset_for_epoch(0), (0, 2));
        assert_eq!(log.end_offset_for_epoch(1), (0, 2), "epoch 1 is absent: epoch 0 ends at 2");
        assert_eq!(log.end_offset_for_epoch(2), (2, 3));
        log.advance_high_watermark(3);
        log.truncate(2);
        assert_eq!((log.log_end_offset(), log.high_watermark()), (2, 2));
        assert_eq!(log.last_epoch(), 0);
        assert_eq!(offsets(log.records()), vec![0, 1]);
        assert_counts_agree(&log);
    }

    #[test]
    fn sizes_follow_kafkas_record_format() {
        // A one-record batch: 61-byte header, then length(1) attributes(1) timestampDelta(1)
        // offsetDelta(1) key(-1: 1) value(len 6: 1 + 6) headers(1) = 13 bytes.
        let mut log = PartitionLog::default();
        log.append(vec![rec("82 bpm")], None, 0, RollConfig::default(), SimTime(1));
        assert_eq!(log.size_bytes(), 61 + 13);
        // Two records, one header: the second is 13 bytes too (offset delta 1 is one byte).
        log.append(vec![rec("82 bpm"), rec("95 bpm")], None, 0, RollConfig::default(), SimTime(1));
        assert_eq!(log.size_bytes(), 61 + 13 + 61 + 2 * 13);
    }

    #[test]
    fn a_full_segment_rolls_and_deleting_it_moves_the_log_start() {
        let roll = RollConfig { segment_bytes: 150, segment_ms: u64::MAX };
        let mut log = PartitionLog::default();
        for v in ["a", "b", "c", "d"] {
            log.append(vec![rec(v)], None, 0, roll, SimTime(1));
        }
        let bases: Vec<u64> = log.segments().iter().map(|s| s.base_offset).collect();
        assert_eq!(bases, vec![0, 2], "two 69-byte batches fill a 150-byte segment");
        assert_eq!(log.deletable_segments(), 0, "nothing below the HW yet");
        log.advance_high_watermark(4);
        assert_eq!(log.delete_oldest_segments(5), 1, "the active segment never goes");
        assert_eq!(log.log_start_offset(), 2);
        assert!(log.read(0, 4, 10).is_empty(), "offsets below the log start are gone");
        assert_eq!(fetched(&log.read(2, 4, 10), 2), vec![2, 3]);
        assert_eq!(log.batches().len(), 2, "the deleted segment's batches went with it");
        assert_counts_agree(&log);
    }

    #[test]
    fn a_log_start_inside_a_batch_hides_its_first_records_and_keeps_the_batch() {
        let mut log = PartitionLog::default();
        log.append(vec![rec("a"), rec("b"), rec("c")], None, 0, RollConfig::default(), SimTime(1));
        log.append(vec![rec("d")], None, 0, RollConfig::default(), SimTime(1));
        log.advance_high_watermark(4);
        let size = log.size_bytes();
        log.increment_log_start_offset(1);
        assert_eq!(log.batches().len(), 2, "the batch stays until its segment goes");
        assert_eq!(log.size_bytes(), size);
        assert_eq!(offsets(log.records()), vec![1, 2, 3]);
        assert_eq!((log.record_count(), log.records_before(3)), (3, 2));
        assert_eq!(offsets(log.records_skipping(1)), vec![2, 3]);
        log.append(vec![rec("e"), rec("f"), rec("g")], None, 0, RollConfig::default(), SimTime(1));
        assert_counts_agree(&log);
        assert!(log.read(0, 4, 10).is_empty(), "offset 0 is below the log start");
        let read = log.read(1, 4, 10);
        assert_eq!(read[0].base_offset(), 0, "a fetch at the log start gets the batch holding it");

        // A new follower starts at the leader's log start and takes the batch as it is.
        let mut follower = PartitionLog::starting_at(1);
        follower.append_replicated(&read, RollConfig::default(), SimTime(2));
        assert_eq!(follower.log_start_offset(), 1, "the log start stays");
        assert_eq!(follower.segments()[0].base_offset, 0, "the log now begins at the batch's base");
        assert_eq!(follower.log_end_offset(), 4);
        follower.follow_high_watermark(4);
        assert_eq!(offsets(follower.records()), vec![1, 2, 3]);
        assert_counts_agree(&follower);
    }

    #[test]
    fn an_old_segment_rolls_on_the_next_append() {
        let roll = RollConfig { segment_bytes: u64::MAX, segment_ms: 1000 };
        let mut log = PartitionLog::default();
        log.append(vec![rec("a")], None, 0, roll, SimTime(0));
        log.append(vec![rec("b")], None, 0, roll, SimTime(999));
        log.append(vec![rec("c")], None, 0, roll, SimTime(1000));
        assert_eq!(log.segments().iter().map(|s| s.base_offset).collect::<Vec<_>>(), vec![0, 2]);
    }

    #[test]
    fn reads_skip_the_gaps_compaction_leaves() {
        let roll = RollConfig { segment_bytes: 1, segment_ms: u64::MAX };
        let mut log = PartitionLog::default();
        for v in ["a", "b", "c"] {
            log.append(vec![rec(v)], None, 0, roll, SimTime(1));
        }
        log.advance_high_watermark(3);
        let kept: Vec<Arc<Batch>> = log.batches().iter().filter(|b| b.base_offset == 0).cloned().collect();
        log.replace_cleaned(2, kept);
        assert_eq!(fetched(&log.read(1, 3, 10), 1), vec![2], "offset 1 is gone");
        assert_eq!(log.segments().len(), 2, "the emptied segment folded into the one before");
        assert_eq!(log.log_end_offset(), 3);
        assert_counts_agree(&log);
    }

    #[test]
    fn a_filtered_batch_keeps_its_base_end_and_producer_fields() {
        let p = ProducerBatch { producer_id: 1000, producer_epoch: 0, base_sequence: 7 };
        let mut log = PartitionLog::default();
        let keyed = |k: &str, v: Option<&str>, t: u64| NewRecord {
            timestamp_ms: t,
            key: Some(k.as_bytes().to_vec()),
            value: v.map(|v| v.as_bytes().to_vec()),
        };
        let batch = vec![keyed("bed-1", Some("82"), 10), keyed("bed-2", None, 11), keyed("bed-3", Some("95"), 12)];
        log.append(batch, Some(p), 3, RollConfig::default(), SimTime(1));
        let original = Arc::clone(log.batches().get(0).expect("one batch"));
        assert!(Arc::ptr_eq(&original.filtered(|_| true, None), &original), "nothing removed: the same batch");
        let cleaned = original.filtered(|r| r.offset != 2, Some(5_000));
        assert_eq!((cleaned.base_offset(), cleaned.last_offset(), cleaned.record_count()), (0, 2, 2));
        assert_eq!((cleaned.producer(), cleaned.partition_leader_epoch()), (Some(p), 3));
        assert_eq!(cleaned.delete_horizon_ms(), Some(5_000));
        let read: Vec<(u64, u64, Option<&[u8]>)> =
            cleaned.records().map(|r| (r.offset, r.timestamp_ms, r.value())).collect();
        assert_eq!(read, vec![(0, 10, Some(&b"82"[..])), (1, 11, None)]);
        assert!(cleaned.size_bytes() < original.size_bytes());
        let empty = original.filtered(|_| false, None);
        assert_eq!((empty.record_count(), empty.last_offset(), empty.size_bytes()), (0, 2, 61));
    }

    #[test]
    fn followers_and_truncation_derive_producer_state_from_the_batches() {
        let p = |base_sequence| ProducerBatch { producer_id: 1000, producer_epoch: 0, base_sequence };
        let mut leader = PartitionLog::default();
        leader.append(vec![rec("a"), rec("b")], Some(p(0)), 0, RollConfig::default(), SimTime(1));
        leader.append(vec![rec("c")], None, 0, RollConfig::default(), SimTime(1));
        leader.append(vec![rec("d"), rec("e")], Some(p(2)), 0, RollConfig::default(), SimTime(1));
        let mut follower = PartitionLog::default();
        let leaders: Vec<Arc<Batch>> = leader.batches().iter().cloned().collect();
        follower.append_replicated(&leaders[..2], RollConfig::default(), SimTime(2));
        follower.append_replicated(&leaders, RollConfig::default(), SimTime(2));
        assert_eq!(follower.producer_state(), leader.producer_state(), "replicated batches, same state");
        assert!(
            Arc::ptr_eq(follower.batches().get(2).expect("a third batch"), &leaders[2]),
            "followers share the leader's batches"
        );
        let mut rebuilt = follower.clone();
        rebuilt.rebuild_producer_state();
        assert_eq!(rebuilt.producer_state(), leader.producer_state(), "the log holds everything the state says");
        let dup = |log: &PartitionLog| {
            matches!(log.producer_state().check(p(2), 2, 5, "t-0"), crate::producer_state::ProducerCheck::Duplicate(_))
        };
        assert!(dup(&follower));
        follower.truncate(3);
        assert!(!dup(&follower), "the truncated batch is forgotten");
        assert_eq!(follower.producer_state().check(p(2), 2, 3, "t-0"), crate::producer_state::ProducerCheck::Append);
    }

    #[test]
    fn key_and_value_read_back_from_one_payload_nulls_included() {
        let cases: [(Option<&str>, Option<&str>); 5] = [
            (None, None),
            (Some("bed-7"), None),
            (None, Some("82 bpm")),
            (Some("bed-7"), Some("82 bpm")),
            (Some(""), Some("")),
        ];
        let mut log = PartitionLog::default();
        let batch = cases
            .iter()
            .map(|(key, value)| NewRecord {
                timestamp_ms: 1,
                key: key.map(|k| k.as_bytes().to_vec()),
                value: value.map(|v| v.as_bytes().to_vec()),
            })
            .collect();
        log.append(batch, None, 0, RollConfig::default(), SimTime(1));
        assert_eq!(log.batches().len(), 1, "one batch holds them all");
        type Fields<'a> = Vec<(Option<&'a [u8]>, Option<&'a [u8]>)>;
        let read: Fields = log.records().map(|r| (r.key(), r.value())).collect();
        let expected: Fields = cases.iter().map(|(k, v)| (k.map(str::as_bytes), v.map(str::as_bytes))).collect();
        assert_eq!(read, expected);
    }

    #[test]
    fn a_checkpoint_of_a_long_log_copies_a_pointer_per_chunk_not_per_batch() {
        let roll = RollConfig { segment_bytes: 700, segment_ms: u64::MAX };
        let mut log = PartitionLog::default();
        for i in 0..1000 {
            log.append(vec![rec(&format!("{i} bpm"))], None, 0, roll, SimTime(1));
        }
        // A pointer per chunk of 256 and the open chunk's pointers (232 here): a quarter of
        // a pointer per batch.
        let pointer = std::mem::size_of::<usize>();
        assert!(log.batches().clone_bytes() < 1000 * pointer / 4, "{} bytes", log.batches().clone_bytes());
        let checkpoint = log.clone();
        log.advance_high_watermark(1000);
        log.truncate(990);
        log.increment_log_start_offset(300);
        log.append(vec![rec("new")], None, 1, roll, SimTime(2));
        assert!(log.batches().len() < 700, "retention dropped the segments below the log start");
        assert_eq!(offsets(checkpoint.records()), (0..1000).collect::<Vec<u64>>(), "the checkpoint is untouched");
        assert_eq!(offsets(log.records()), (300..991).collect::<Vec<u64>>());
        assert_counts_agree(&log);
    }

    #[test]
    fn a_record_costs_its_bytes_and_a_few_fields_inline() {
        // A retained record costs this once (plus its payload): keep it from growing back.
        let size = std::mem::size_of::<BatchRecord>();
        assert!(size <= 24, "BatchRecord is {size} bytes");
    }

    #[test]
    #[should_panic(expected = "beyond LEO")]
    fn the_high_watermark_cannot_pass_the_log_end() {
        let mut log = PartitionLog::default();
        log.advance_high_watermark(1);
    }
}
