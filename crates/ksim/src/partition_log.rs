//! One replica's copy of a partition's log: its segments, records, log start offset, log end
//! offset (LEO) and high watermark (HW). Offsets can have gaps once compaction has run.
//! Batches keep their producer id, epoch and base sequence, and the log keeps the
//! idempotent producer state derived from them (`UnifiedLog.producerStateManager`).

use crate::producer_state::{ProducerBatch, ProducerStateManager};
use crate::time::SimTime;
use std::sync::Arc;

/// A record as stored in the log. Every retained record costs this struct once (replicas,
/// fetches and checkpoints share it as `Arc<Record>`), so it is kept lean: key and value in
/// one allocation, 32-bit lengths and sizes, and one pointer to what is rarely there (the
/// producer fields, shared by a batch's records; a tombstone's delete horizon).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) offset: u64,
    /// CreateTime, ms since the Unix epoch (simulated wall clock).
    pub(crate) timestamp_ms: u64,
    /// The key's bytes, then the value's.
    payload: Box<[u8]>,
    /// The key's length, or `NULL_LEN` for a null key.
    key_len: u32,
    /// The value's length, or `NULL_LEN` for a tombstone ("delete this key" in a
    /// compacted topic).
    value_len: u32,
    pub(crate) leader_epoch: u32,
    /// Bytes on disk: the record itself, plus the batch header for a batch's first record.
    size_bytes: u32,
    /// None for a record of a non-idempotent batch the cleaner never marked.
    extras: Option<Arc<Extras>>,
}

/// The fields most records lack, behind one shared pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Extras {
    /// The idempotence fields of the record's batch (None: producer id -1); every record
    /// of a batch points at the same `Extras`.
    producer: Option<BatchProducer>,
    /// KIP-534: when a tombstone may go, set the first time the cleaner keeps it.
    delete_horizon_ms: Option<u64>,
}

/// `key_len`/`value_len` of a null key or value.
const NULL_LEN: u32 = u32::MAX;

/// A field's length in a `Record` (`NULL_LEN` for null). Kafka's lengths are `int32`s, so
/// anything a log holds fits; a longer field is cut rather than wrapped.
fn field_len(field: Option<&Vec<u8>>) -> u32 {
    field.map_or(NULL_LEN, |b| u32::try_from(b.len()).unwrap_or(NULL_LEN - 1).min(NULL_LEN - 1))
}

impl Record {
    fn new(offset: u64, new: NewRecord, leader_epoch: u32, size_bytes: u64, extras: Option<Arc<Extras>>) -> Record {
        let (key_len, value_len) = (field_len(new.key.as_ref()), field_len(new.value.as_ref()));
        let payload = match (new.key, new.value) {
            (None, None) => Box::default(),
            (Some(only), None) | (None, Some(only)) => only.into_boxed_slice(),
            (Some(mut key), Some(value)) => {
                key.extend_from_slice(&value);
                key.into_boxed_slice()
            }
        };
        Record {
            offset,
            timestamp_ms: new.timestamp_ms,
            payload,
            key_len,
            value_len,
            leader_epoch,
            size_bytes: u32::try_from(size_bytes).unwrap_or(u32::MAX),
            extras,
        }
    }

    /// Where the value starts in `payload`.
    fn value_start(&self) -> usize {
        if self.key_len == NULL_LEN {
            0
        } else {
            self.key_len as usize
        }
    }

    pub(crate) fn key(&self) -> Option<&[u8]> {
        if self.key_len == NULL_LEN {
            return None;
        }
        self.payload.get(..self.key_len as usize)
    }

    /// `None` for a tombstone.
    pub(crate) fn value(&self) -> Option<&[u8]> {
        if self.value_len == NULL_LEN {
            return None;
        }
        self.payload.get(self.value_start()..)
    }

    pub(crate) fn size_bytes(&self) -> u64 {
        u64::from(self.size_bytes)
    }

    pub(crate) fn delete_horizon_ms(&self) -> Option<u64> {
        self.extras.as_ref().and_then(|e| e.delete_horizon_ms)
    }

    /// This record with its delete horizon set (the cleaner keeping a tombstone).
    pub(crate) fn with_delete_horizon(&self, at_ms: u64) -> Record {
        let extras = Extras { producer: self.producer(), delete_horizon_ms: Some(at_ms) };
        Record { extras: Some(Arc::new(extras)), ..self.clone() }
    }

    /// The batch's producer fields and offset range (None: producer id -1).
    pub(crate) fn producer(&self) -> Option<BatchProducer> {
        self.extras.as_ref().and_then(|e| e.producer)
    }
}

/// A batch's producer fields and offset range, shared by its records so producer state
/// can be rebuilt from the log (Kafka reads them from the batch header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BatchProducer {
    pub(crate) batch: ProducerBatch,
    pub(crate) base_offset: u64,
    pub(crate) record_count: u32,
}

/// A record before the leader assigns its offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewRecord {
    pub(crate) timestamp_ms: u64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
}

/// One `.log` file: records from `base_offset` up to the next segment's base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) base_offset: u64,
    pub(crate) size_bytes: u64,
    /// When the segment received its first record (the `segment.ms` roll clock).
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
    /// In offset order; gaps where compaction removed records. Shared, not copied, with
    /// followers' fetches, consumers' fetches and the session's checkpoints: a record never
    /// changes once appended (the cleaner replaces the ones it rewrites).
    records: Vec<Arc<Record>>,
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
}

impl Default for PartitionLog {
    fn default() -> PartitionLog {
        PartitionLog::starting_at(0)
    }
}

impl PartitionLog {
    fn starting_at(offset: u64) -> PartitionLog {
        PartitionLog {
            records: Vec::new(),
            segments: vec![Segment::new(offset)],
            log_start_offset: offset,
            log_end_offset: offset,
            high_watermark: offset,
            cleaned_up_to: offset,
            producer_state: ProducerStateManager::default(),
        }
    }

    pub(crate) fn producer_state(&self) -> &ProducerStateManager {
        &self.producer_state
    }

    /// Rebuilds the producer state from the batches in the log (after truncation, and
    /// when a broker loads its logs on restart).
    pub(crate) fn rebuild_producer_state(&mut self) {
        let mut state = ProducerStateManager::default();
        let mut last_batch = None;
        for p in self.records.iter().filter_map(|r| r.producer()) {
            if last_batch != Some(p.base_offset) {
                last_batch = Some(p.base_offset);
                state.update(p.batch, p.record_count, p.base_offset);
            }
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

    pub(crate) fn records(&self) -> &[Arc<Record>] {
        &self.records
    }

    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub(crate) fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }

    /// Where the records at or after `offset` begin in `records`.
    fn index_of(&self, offset: u64) -> usize {
        self.records.partition_point(|r| r.offset < offset)
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

    /// Adds a record at the end, into the active segment.
    fn push(&mut self, record: Record, now: SimTime) {
        self.push_shared(Arc::new(record), now);
    }

    fn push_shared(&mut self, record: Arc<Record>, now: SimTime) {
        self.log_end_offset = record.offset + 1;
        if let Some(active) = self.segments.last_mut() {
            active.size_bytes += record.size_bytes();
            active.first_append_ms.get_or_insert(now.0);
            active.max_timestamp_ms = active.max_timestamp_ms.max(record.timestamp_ms);
        }
        self.records.push(record);
    }

    /// Leader append: assigns consecutive offsets and returns the base offset. The caller
    /// has checked an idempotent batch against `producer_state` first.
    pub(crate) fn append(
        &mut self,
        batch: Vec<NewRecord>,
        producer: Option<ProducerBatch>,
        leader_epoch: u32,
        roll: RollConfig,
        now: SimTime,
    ) -> u64 {
        let base = self.log_end_offset;
        let record_count = batch.len() as u32;
        let producer = producer.map(|batch| BatchProducer { batch, base_offset: base, record_count });
        if let Some(p) = producer {
            self.producer_state.update(p.batch, record_count, base);
        }
        let extras = producer.map(|p| Arc::new(Extras { producer: Some(p), delete_horizon_ms: None }));
        let first_timestamp = batch.first().map_or(0, |r| r.timestamp_ms);
        let sizes: Vec<u64> = batch
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let delta = r.timestamp_ms as i64 - first_timestamp as i64;
                let header = if i == 0 { BATCH_OVERHEAD_BYTES } else { 0 };
                header + record_bytes(i as u64, delta, r.key.as_deref(), r.value.as_deref())
            })
            .collect();
        self.maybe_roll(sizes.iter().sum(), roll, now);
        for (i, (r, size_bytes)) in batch.into_iter().zip(sizes).enumerate() {
            let record = Record::new(base + i as u64, r, leader_epoch, size_bytes, extras.clone());
            self.push(record, now);
        }
        base
    }

    /// Moves the HW forward; it never goes back and never passes the LEO.
    pub(crate) fn advance_high_watermark(&mut self, to: u64) {
        assert!(to <= self.log_end_offset(), "HW {to} beyond LEO {}", self.log_end_offset());
        if to > self.high_watermark {
            self.high_watermark = to;
        }
    }

    /// Follower append of the leader's records, keeping their offsets, epochs and sizes
    /// (a compacted leader sends offsets with gaps).
    pub(crate) fn append_replicated(&mut self, records: &[Arc<Record>], roll: RollConfig, now: SimTime) {
        let fresh: Vec<&Arc<Record>> = records.iter().filter(|r| r.offset >= self.log_end_offset).collect();
        self.maybe_roll(fresh.iter().map(|r| r.size_bytes()).sum(), roll, now);
        let mut last_batch = self.records.last().and_then(|r| r.producer()).map(|p| p.base_offset);
        for r in fresh {
            // `ProducerAppendInfo` with origin REPLICATION: followers take the leader's
            // batches as they are and only record them.
            if let Some(p) = r.producer().filter(|p| last_batch != Some(p.base_offset)) {
                last_batch = Some(p.base_offset);
                self.producer_state.update(p.batch, p.record_count, p.base_offset);
            }
            self.push_shared(Arc::clone(r), now);
        }
    }

    /// The leader epoch of the last record (0 for an empty log).
    pub(crate) fn last_epoch(&self) -> u32 {
        self.records.last().map_or(0, |r| r.leader_epoch)
    }

    /// `endOffsetForEpoch` (KIP-101): the largest epoch ≤ `epoch` in this log and the offset
    /// where it ends (the start of the next epoch, or the LEO).
    pub(crate) fn end_offset_for_epoch(&self, epoch: u32) -> (u32, u64) {
        // Every follower fetch asks this: epochs never decrease along the log, so the
        // usual answer (the last epoch) is found at once and the others by bisection.
        if self.last_epoch() <= epoch {
            return (self.last_epoch(), self.log_end_offset());
        }
        match self.records.partition_point(|r| r.leader_epoch <= epoch) {
            0 => (0, self.log_start_offset),
            i => (self.records[i - 1].leader_epoch, self.records[i].offset),
        }
    }

    /// Cuts the log back to `end` (a follower dropping a tail its new leader never had).
    pub(crate) fn truncate(&mut self, end: u64) {
        if end < self.log_start_offset {
            return self.truncate_fully_and_start_at(end);
        }
        let keep = self.index_of(end);
        self.records.truncate(keep);
        self.log_end_offset = end.min(self.log_end_offset);
        self.segments.retain(|s| s.base_offset < end || s.base_offset == self.log_start_offset);
        let from = self.segments.last().map_or(0, |s| s.base_offset);
        let tail: u64 = self.records[self.index_of(from)..].iter().map(|r| r.size_bytes()).sum();
        if let Some(active) = self.segments.last_mut() {
            active.size_bytes = tail;
        }
        self.high_watermark = self.high_watermark.min(self.log_end_offset);
        self.cleaned_up_to = self.cleaned_up_to.min(self.log_end_offset);
        self.rebuild_producer_state();
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

    /// Records from `offset` below `limit` (the HW for consumers), at most `max` of them.
    pub(crate) fn read(&self, offset: u64, limit: u64, max: usize) -> &[Arc<Record>] {
        let end = limit.min(self.log_end_offset());
        if offset < self.log_start_offset || offset >= end {
            return &[];
        }
        let from = self.index_of(offset);
        let to = self.index_of(end).min(from + max);
        &self.records[from..to]
    }

    /// Moves the log start forward (`DeleteRecords`, or retention deleting segments): the
    /// records below it go, with every segment that ends at or before it.
    pub(crate) fn increment_log_start_offset(&mut self, to: u64) {
        if to <= self.log_start_offset || to > self.high_watermark {
            return;
        }
        self.log_start_offset = to;
        let drop = self.index_of(to);
        self.records.drain(..drop);
        let keep_from = self.segments.iter().rposition(|s| s.base_offset <= to).unwrap_or(0);
        self.segments.drain(..keep_from);
        self.cleaned_up_to = self.cleaned_up_to.max(to);
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

    /// Replaces the records below `end` with `kept` (the cleaner's output, in offset order),
    /// recomputing segment sizes and merging segments the cleaning emptied.
    pub(crate) fn replace_cleaned(&mut self, end: u64, kept: Vec<Arc<Record>>) {
        let split = self.index_of(end);
        let tail = self.records.split_off(split);
        self.records = kept;
        self.records.extend(tail);
        let active = self.segments.len().saturating_sub(1);
        let mut merged: Vec<Segment> = Vec::new();
        for (i, seg) in self.segments.iter().enumerate() {
            let upper = self.segments.get(i + 1).map_or(u64::MAX, |n| n.base_offset);
            let inside = &self.records[self.index_of(seg.base_offset)..self.index_of(upper)];
            let mut seg = seg.clone();
            seg.size_bytes = inside.iter().map(|r| r.size_bytes()).sum();
            // An emptied closed segment folds into the one before it (`groupSegmentsBySize`).
            if i < active && inside.is_empty() && !merged.is_empty() {
                continue;
            }
            merged.push(seg);
        }
        self.segments = merged;
        self.cleaned_up_to = self.cleaned_up_to.max(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(v: &str) -> NewRecord {
        NewRecord { timestamp_ms: 1, key: None, value: Some(v.as_bytes().to_vec()) }
    }

    #[test]
    fn offsets_are_consecutive_and_reads_stop_at_the_high_watermark() {
        let mut log = PartitionLog::default();
        assert_eq!(log.append(vec![rec("82 bpm"), rec("110 bpm")], None, 0, RollConfig::default(), SimTime(5)), 0);
        assert_eq!(log.append(vec![rec("95 bpm")], None, 0, RollConfig::default(), SimTime(6)), 2);
        assert_eq!(log.log_end_offset(), 3);
        assert!(log.read(0, log.high_watermark(), 10).is_empty());
        log.advance_high_watermark(2);
        let read: Vec<u64> = log.read(0, log.high_watermark(), 10).iter().map(|r| r.offset).collect();
        assert_eq!(read, vec![0, 1]);
        log.advance_high_watermark(1);
        assert_eq!(log.high_watermark(), 2, "the HW never goes back");
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
    }

    #[test]
    fn sizes_follow_kafkas_record_format() {
        // A one-record batch: 61-byte header, then length(1) attributes(1) timestampDelta(1)
        // offsetDelta(1) key(-1: 1) value(len 6: 1 + 6) headers(1) = 13 bytes.
        let mut log = PartitionLog::default();
        log.append(vec![rec("82 bpm")], None, 0, RollConfig::default(), SimTime(1));
        assert_eq!(log.size_bytes(), 61 + 13);
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
        assert_eq!(log.read(2, 4, 10).iter().map(|r| r.offset).collect::<Vec<_>>(), vec![2, 3]);
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
        let kept: Vec<Arc<Record>> = log.records().iter().filter(|r| r.offset == 0).cloned().collect();
        log.replace_cleaned(2, kept);
        assert_eq!(log.read(1, 3, 10).iter().map(|r| r.offset).collect::<Vec<_>>(), vec![2], "offset 1 is gone");
        assert_eq!(log.segments().len(), 2, "the emptied segment folded into the one before");
        assert_eq!(log.log_end_offset(), 3);
    }

    #[test]
    fn followers_and_truncation_derive_producer_state_from_the_batches() {
        let p = |base_sequence| ProducerBatch { producer_id: 1000, producer_epoch: 0, base_sequence };
        let mut leader = PartitionLog::default();
        leader.append(vec![rec("a"), rec("b")], Some(p(0)), 0, RollConfig::default(), SimTime(1));
        leader.append(vec![rec("c")], None, 0, RollConfig::default(), SimTime(1));
        leader.append(vec![rec("d"), rec("e")], Some(p(2)), 0, RollConfig::default(), SimTime(1));
        let mut follower = PartitionLog::default();
        follower.append_replicated(&leader.records()[..4], RollConfig::default(), SimTime(2));
        follower.append_replicated(leader.records(), RollConfig::default(), SimTime(2));
        assert_eq!(follower.producer_state(), leader.producer_state(), "replicated batches, same state");
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
        for (key, value) in cases {
            let new = NewRecord {
                timestamp_ms: 1,
                key: key.map(|k| k.as_bytes().to_vec()),
                value: value.map(|v| v.as_bytes().to_vec()),
            };
            log.append(vec![new], None, 0, RollConfig::default(), SimTime(1));
        }
        type Fields<'a> = Vec<(Option<&'a [u8]>, Option<&'a [u8]>)>;
        let read: Fields = log.records().iter().map(|r| (r.key(), r.value())).collect();
        let expected: Fields = cases.iter().map(|(k, v)| (k.map(str::as_bytes), v.map(str::as_bytes))).collect();
        assert_eq!(read, expected);
    }

    #[test]
    fn a_delete_horizon_keeps_the_batch_fields_and_records_stay_small() {
        let p = ProducerBatch { producer_id: 1000, producer_epoch: 0, base_sequence: 0 };
        let mut log = PartitionLog::default();
        log.append(vec![rec("a"), rec("b")], Some(p), 0, RollConfig::default(), SimTime(1));
        let first = &log.records()[0];
        assert_eq!(first.delete_horizon_ms(), None);
        let marked = first.with_delete_horizon(5_000);
        assert_eq!(marked.delete_horizon_ms(), Some(5_000));
        assert_eq!(marked.producer(), first.producer());
        assert_eq!(log.records()[1].producer().map(|b| (b.base_offset, b.record_count)), Some((0, 2)));
        // A retained record costs this once (plus its payload): keep it from growing back.
        assert!(std::mem::size_of::<Record>() <= 56, "Record is {} bytes", std::mem::size_of::<Record>());
    }

    #[test]
    #[should_panic(expected = "beyond LEO")]
    fn the_high_watermark_cannot_pass_the_log_end() {
        let mut log = PartitionLog::default();
        log.advance_high_watermark(1);
    }
}
