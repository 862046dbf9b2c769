//! One replica's copy of a partition's log: offsets, records, log start, log end offset
//! (LEO) and high watermark (HW).

use crate::time::SimTime;

/// A record as stored in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) offset: u64,
    /// CreateTime, ms since the Unix epoch (simulated wall clock).
    pub(crate) timestamp_ms: u64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    pub(crate) leader_epoch: u32,
}

/// A record before the leader assigns its offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewRecord {
    pub(crate) timestamp_ms: u64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct PartitionLog {
    records: Vec<Record>,
    log_start_offset: u64,
    high_watermark: u64,
    /// When the last append happened (for narration and retention later).
    last_append: Option<SimTime>,
}

impl PartitionLog {
    pub(crate) fn log_end_offset(&self) -> u64 {
        self.log_start_offset + self.records.len() as u64
    }

    pub(crate) fn log_start_offset(&self) -> u64 {
        self.log_start_offset
    }

    pub(crate) fn high_watermark(&self) -> u64 {
        self.high_watermark
    }

    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }

    /// Leader append: assigns consecutive offsets and returns the base offset.
    pub(crate) fn append(&mut self, batch: Vec<NewRecord>, leader_epoch: u32, now: SimTime) -> u64 {
        let base = self.log_end_offset();
        for (i, r) in batch.into_iter().enumerate() {
            self.records.push(Record {
                offset: base + i as u64,
                timestamp_ms: r.timestamp_ms,
                key: r.key,
                value: r.value,
                leader_epoch,
            });
        }
        self.last_append = Some(now);
        base
    }

    /// Moves the HW forward; it never goes back and never passes the LEO.
    pub(crate) fn advance_high_watermark(&mut self, to: u64) {
        assert!(to <= self.log_end_offset(), "HW {to} beyond LEO {}", self.log_end_offset());
        if to > self.high_watermark {
            self.high_watermark = to;
        }
    }

    /// Follower append of the leader's records, keeping their offsets and epochs.
    pub(crate) fn append_replicated(&mut self, records: &[Record], now: SimTime) {
        for r in records {
            if r.offset == self.log_end_offset() {
                self.records.push(r.clone());
                self.last_append = Some(now);
            }
        }
    }

    /// The leader epoch of the last record (0 for an empty log).
    pub(crate) fn last_epoch(&self) -> u32 {
        self.records.last().map_or(0, |r| r.leader_epoch)
    }

    /// `endOffsetForEpoch` (KIP-101): the largest epoch ≤ `epoch` in this log and the offset
    /// where it ends (the start of the next epoch, or the LEO).
    pub(crate) fn end_offset_for_epoch(&self, epoch: u32) -> (u32, u64) {
        match self.records.iter().position(|r| r.leader_epoch > epoch) {
            Some(0) => (0, self.log_start_offset),
            Some(i) => (self.records[i - 1].leader_epoch, self.records[i].offset),
            None => (self.last_epoch(), self.log_end_offset()),
        }
    }

    /// Cuts the log back to `end` (a follower dropping a tail its new leader never had).
    pub(crate) fn truncate(&mut self, end: u64) {
        let keep = end.saturating_sub(self.log_start_offset) as usize;
        self.records.truncate(keep);
        self.high_watermark = self.high_watermark.min(self.log_end_offset());
    }

    /// A follower's HW follows the leader's, never past its own LEO, never backwards.
    pub(crate) fn follow_high_watermark(&mut self, leader_high_watermark: u64) {
        let to = leader_high_watermark.min(self.log_end_offset());
        if to > self.high_watermark {
            self.high_watermark = to;
        }
    }

    /// Records from `offset` below `limit` (the HW for consumers), at most `max` of them.
    pub(crate) fn read(&self, offset: u64, limit: u64, max: usize) -> &[Record] {
        let end = limit.min(self.log_end_offset());
        if offset < self.log_start_offset || offset >= end {
            return &[];
        }
        let from = (offset - self.log_start_offset) as usize;
        let to = ((end - self.log_start_offset) as usize).min(from + max);
        &self.records[from..to]
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
        assert_eq!(log.append(vec![rec("82 bpm"), rec("110 bpm")], 0, SimTime(5)), 0);
        assert_eq!(log.append(vec![rec("95 bpm")], 0, SimTime(6)), 2);
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
        log.append(vec![rec("a"), rec("b")], 0, SimTime(1));
        log.append(vec![rec("c")], 2, SimTime(2));
        assert_eq!(log.end_offset_for_epoch(0), (0, 2));
        assert_eq!(log.end_offset_for_epoch(1), (0, 2), "epoch 1 is absent: epoch 0 ends at 2");
        assert_eq!(log.end_offset_for_epoch(2), (2, 3));
        log.advance_high_watermark(3);
        log.truncate(2);
        assert_eq!((log.log_end_offset(), log.high_watermark()), (2, 2));
        assert_eq!(log.last_epoch(), 0);
    }

    #[test]
    #[should_panic(expected = "beyond LEO")]
    fn the_high_watermark_cannot_pass_the_log_end() {
        let mut log = PartitionLog::default();
        log.advance_high_watermark(1);
    }
}
