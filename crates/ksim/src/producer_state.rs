//! Idempotent producer state on one replica of a partition (Kafka's `ProducerStateManager`,
//! `ProducerStateEntry`, `ProducerAppendInfo`): per producer id its epoch and the metadata
//! of its last five batches, so a leader can drop a retried duplicate (answering with the
//! original offsets) and refuse a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER.
//!
//! The state is derived from the log: every batch keeps its producer id, epoch and base
//! sequence, followers build the same state from what they replicate, and it is rebuilt
//! from the records after truncation and on restart. Simplified: no snapshots, no
//! transactions, and producers never expire (`producer.id.expiration.ms` is not modelled).

use crate::error::KafkaError;
use crate::vec_map::VecMap;
use std::collections::VecDeque;

/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`.
pub(crate) const NUM_BATCHES_TO_RETAIN: usize = 5;

/// The idempotence fields of a v2 batch header (`producerId`, `producerEpoch`, `baseSequence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ProducerBatch {
    pub(crate) producer_id: u64,
    pub(crate) producer_epoch: u16,
    pub(crate) base_sequence: u32,
}

/// `BatchMetadata`: the sequence and offset range of a batch a producer got appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BatchMetadata {
    pub(crate) first_seq: u32,
    pub(crate) last_seq: u32,
    pub(crate) first_offset: u64,
    pub(crate) last_offset: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ProducerStateEntry {
    pub(crate) producer_epoch: u16,
    /// Oldest first, at most `NUM_BATCHES_TO_RETAIN`.
    pub(crate) batches: VecDeque<BatchMetadata>,
}

/// What the leader does with an incoming idempotent batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ProducerCheck {
    Append,
    /// Already appended: answer with these offsets, append nothing.
    Duplicate(BatchMetadata),
    /// Refused, with the broker's log message.
    Rejected(KafkaError, String),
}

/// Sequences are non-negative `int32`s that wrap to 0 after `Integer.MAX_VALUE`.
pub(crate) fn increment_sequence(sequence: u32, by: u32) -> u32 {
    ((u64::from(sequence) + u64::from(by)) % (1u64 << 31)) as u32
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ProducerStateManager {
    producers: VecMap<u64, ProducerStateEntry>,
}

impl ProducerStateManager {
    #[cfg(test)]
    pub(crate) fn entry(&self, producer_id: u64) -> Option<&ProducerStateEntry> {
        self.producers.get(&producer_id)
    }

    /// Where the producer's last appended batch ends (the cleaner keeps that batch).
    pub(crate) fn last_offset(&self, producer_id: u64) -> Option<u64> {
        self.producers.get(&producer_id)?.batches.back().map(|b| b.last_offset)
    }

    /// `UnifiedLog.analyzeAndValidateProducerState` for a client batch of `record_count`
    /// records that would start at `offset`: `findDuplicateBatch`, then
    /// `ProducerAppendInfo.checkProducerEpoch` and `checkSequence`.
    pub(crate) fn check(&self, batch: ProducerBatch, record_count: u32, offset: u64, partition: &str) -> ProducerCheck {
        let pid = batch.producer_id;
        let epoch = batch.producer_epoch;
        let first_seq = batch.base_sequence;
        let last_seq = increment_sequence(first_seq, record_count.saturating_sub(1));
        // An unknown producer (new, or its records are gone) may start at any sequence.
        let Some(entry) = self.producers.get(&pid) else { return ProducerCheck::Append };
        if epoch == entry.producer_epoch {
            if let Some(dup) = entry.batches.iter().find(|b| b.first_seq == first_seq && b.last_seq == last_seq) {
                return ProducerCheck::Duplicate(*dup);
            }
        }
        if epoch < entry.producer_epoch {
            return ProducerCheck::Rejected(
                KafkaError::InvalidProducerEpoch,
                format!(
                    "Epoch of producer {pid} at offset {offset} in {partition} is {epoch}, which is smaller than the last seen epoch {}",
                    entry.producer_epoch
                ),
            );
        }
        if epoch != entry.producer_epoch {
            if first_seq != 0 {
                // Kafka's message lacks the space before "at".
                return ProducerCheck::Rejected(
                    KafkaError::OutOfOrderSequenceNumber,
                    format!(
                        "Invalid sequence number for new epoch of producer {pid}at offset {offset} in partition {partition}: {epoch} (request epoch), {first_seq} (seq. number), {} (current producer epoch)",
                        entry.producer_epoch
                    ),
                );
            }
            return ProducerCheck::Append;
        }
        let current_last = entry.batches.back().map_or(-1, |b| i64::from(b.last_seq));
        let in_sequence = match entry.batches.back() {
            Some(b) => first_seq == increment_sequence(b.last_seq, 1),
            None => first_seq == 0,
        };
        if !in_sequence {
            return ProducerCheck::Rejected(
                KafkaError::OutOfOrderSequenceNumber,
                format!(
                    "Out of order sequence number for producer {pid} at offset {offset} in partition {partition}: {first_seq} (incoming seq. number), {current_last} (current end sequence number)"
                ),
            );
        }
        ProducerCheck::Append
    }

    /// Records an appended batch (leader append, replication, or rebuilding from the log).
    /// A newer epoch starts the producer's batch history afresh.
    pub(crate) fn update(&mut self, batch: ProducerBatch, record_count: u32, first_offset: u64) {
        let meta = BatchMetadata {
            first_seq: batch.base_sequence,
            last_seq: increment_sequence(batch.base_sequence, record_count.saturating_sub(1)),
            first_offset,
            last_offset: first_offset + u64::from(record_count.saturating_sub(1)),
        };
        let entry = self
            .producers
            .entry(batch.producer_id)
            .or_insert(ProducerStateEntry { producer_epoch: batch.producer_epoch, batches: VecDeque::new() });
        if batch.producer_epoch != entry.producer_epoch {
            entry.producer_epoch = batch.producer_epoch;
            entry.batches.clear();
        }
        if entry.batches.len() == NUM_BATCHES_TO_RETAIN {
            entry.batches.pop_front();
        }
        entry.batches.push_back(meta);
        assert!(entry.batches.len() <= NUM_BATCHES_TO_RETAIN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PID: u64 = 1000;

    fn batch(epoch: u16, base_sequence: u32) -> ProducerBatch {
        ProducerBatch { producer_id: PID, producer_epoch: epoch, base_sequence }
    }

    /// Seven 5-record batches, sequences 0..34 at offsets 100..134.
    fn seven_batches() -> ProducerStateManager {
        let mut state = ProducerStateManager::default();
        for i in 0..7 {
            state.update(batch(0, i * 5), 5, 100 + u64::from(i) * 5);
        }
        state
    }

    #[test]
    fn an_unknown_producer_may_start_anywhere() {
        let state = ProducerStateManager::default();
        assert_eq!(state.check(batch(0, 42), 3, 0, "t-0"), ProducerCheck::Append);
    }

    #[test]
    fn a_duplicate_of_one_of_the_last_five_batches_gets_its_original_offsets() {
        let state = seven_batches();
        assert_eq!(state.entry(PID).map(|e| e.batches.len()), Some(NUM_BATCHES_TO_RETAIN));
        let ProducerCheck::Duplicate(meta) = state.check(batch(0, 10), 5, 135, "t-0") else { panic!("not a dup") };
        assert_eq!((meta.first_seq, meta.last_seq, meta.first_offset, meta.last_offset), (10, 14, 110, 114));
        assert!(matches!(state.check(batch(0, 30), 5, 135, "t-0"), ProducerCheck::Duplicate(_)));
    }

    #[test]
    fn an_older_duplicate_is_out_of_order_as_in_kafka() {
        let state = seven_batches();
        // Sequences 5..9 left the five-batch window: Kafka can only call it out of order.
        let check = state.check(batch(0, 5), 5, 135, "t-0");
        assert_eq!(
            check,
            ProducerCheck::Rejected(
                KafkaError::OutOfOrderSequenceNumber,
                "Out of order sequence number for producer 1000 at offset 135 in partition t-0: 5 (incoming seq. number), 34 (current end sequence number)".to_string()
            )
        );
        // Same first sequence, different length: not the same batch.
        assert!(matches!(state.check(batch(0, 30), 4, 135, "t-0"), ProducerCheck::Rejected(..)));
    }

    #[test]
    fn the_next_sequence_appends_and_a_gap_is_out_of_order() {
        let state = seven_batches();
        assert_eq!(state.check(batch(0, 35), 2, 135, "t-0"), ProducerCheck::Append);
        assert!(matches!(
            state.check(batch(0, 40), 2, 135, "t-0"),
            ProducerCheck::Rejected(KafkaError::OutOfOrderSequenceNumber, _)
        ));
    }

    #[test]
    fn a_new_epoch_starts_at_zero_and_an_old_one_is_refused() {
        let mut state = seven_batches();
        assert_eq!(state.check(batch(1, 0), 1, 135, "t-0"), ProducerCheck::Append);
        assert!(matches!(
            state.check(batch(1, 35), 1, 135, "t-0"),
            ProducerCheck::Rejected(KafkaError::OutOfOrderSequenceNumber, _)
        ));
        state.update(batch(1, 0), 1, 135);
        assert_eq!(state.entry(PID).map(|e| (e.producer_epoch, e.batches.len())), Some((1, 1)));
        assert!(matches!(
            state.check(batch(0, 35), 1, 136, "t-0"),
            ProducerCheck::Rejected(KafkaError::InvalidProducerEpoch, _)
        ));
    }

    #[test]
    fn sequences_wrap_after_int32_max() {
        assert_eq!(increment_sequence(i32::MAX as u32, 1), 0);
        let mut state = ProducerStateManager::default();
        state.update(batch(0, i32::MAX as u32 - 1), 2, 0);
        assert_eq!(state.check(batch(0, 0), 1, 2, "t-0"), ProducerCheck::Append);
    }
}
