//! The log manager's background work on every replica: deleting old segments
//! (`retention.ms`, `retention.bytes`, `LogManager.cleanupLogs`) and compacting
//! (`cleanup.policy=compact`, the `LogCleaner`), each on its own timer.

use crate::config::TOPIC_CONFIG_DEFAULTS;
use crate::partition_log::{Batch, PartitionLog, Record, RollConfig};
use crate::time::SimTime;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `log.retention.check.interval.ms`.
pub(crate) const LOG_RETENTION_CHECK_INTERVAL_MS: u64 = 300_000;
/// `log.cleaner.backoff.ms`: how long the cleaner sleeps when no log needs cleaning.
pub(crate) const LOG_CLEANER_BACKOFF_MS: u64 = 15_000;

/// A partition's effective topic configs (Kafka's `LogConfig`): the topic's own value,
/// else the broker's static one, else Kafka's default.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LogConfig {
    pub(crate) min_insync_replicas: usize,
    pub(crate) roll: RollConfig,
    /// `retention.ms`; negative means forever.
    pub(crate) retention_ms: i64,
    /// `retention.bytes`; negative means no size limit.
    pub(crate) retention_bytes: i64,
    /// `cleanup.policy` contains `delete`.
    pub(crate) delete: bool,
    /// `cleanup.policy` contains `compact`.
    pub(crate) compact: bool,
    pub(crate) delete_retention_ms: u64,
    pub(crate) min_cleanable_dirty_ratio: f64,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig::resolve(|_| None)
    }
}

impl LogConfig {
    /// `lookup` gives the topic's or broker's value of a topic config; values were
    /// validated when set, and a value that does not parse falls back to Kafka's default.
    pub(crate) fn resolve(lookup: impl Fn(&str) -> Option<String>) -> LogConfig {
        let get = |name: &str| {
            lookup(name).or_else(|| TOPIC_CONFIG_DEFAULTS.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
        };
        let number =
            |name: &str, fallback: i64| get(name).and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(fallback);
        let policy = get("cleanup.policy").unwrap_or_default();
        LogConfig {
            min_insync_replicas: number("min.insync.replicas", 1).max(1) as usize,
            roll: RollConfig {
                segment_bytes: number("segment.bytes", 1_073_741_824).max(1) as u64,
                segment_ms: number("segment.ms", 604_800_000).max(1) as u64,
            },
            retention_ms: number("retention.ms", 604_800_000),
            retention_bytes: number("retention.bytes", -1),
            delete: policy.split(',').any(|p| p.trim() == "delete"),
            compact: policy.split(',').any(|p| p.trim() == "compact"),
            delete_retention_ms: number("delete.retention.ms", 86_400_000).max(0) as u64,
            min_cleanable_dirty_ratio: get("min.cleanable.dirty.ratio")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(0.5),
        }
    }
}

/// `UnifiedLog.deleteOldSegments`: segments past `retention.ms`, then beyond
/// `retention.bytes`, oldest first, never the active one and never above the HW.
/// Returns what happened, for the trace.
pub(crate) fn apply_retention(log: &mut PartitionLog, config: &LogConfig, now: SimTime) -> Option<String> {
    if !config.delete {
        return None;
    }
    let before = log.log_start_offset();
    let deletable = log.deletable_segments();
    let segments = log.segments();
    let by_time = match config.retention_ms {
        ms if ms < 0 => 0,
        ms => segments[..deletable]
            .iter()
            .take_while(|s| now.wall_ms().saturating_sub(s.max_timestamp_ms) > ms as u64)
            .count(),
    };
    let by_size = match config.retention_bytes {
        limit if limit < 0 => 0,
        limit => {
            let mut excess = log.size_bytes().saturating_sub(limit as u64);
            segments[..deletable]
                .iter()
                .take_while(|s| {
                    let fits = s.size_bytes <= excess;
                    excess = excess.saturating_sub(s.size_bytes);
                    fits
                })
                .count()
        }
    };
    let (count, why) = if by_time >= by_size {
        (by_time, format!("retention.ms={}", config.retention_ms))
    } else {
        (by_size, format!("retention.bytes={}", config.retention_bytes))
    };
    let deleted = log.delete_oldest_segments(count);
    (deleted > 0).then(|| {
        format!("deleted {deleted} segment(s) past {why}: log start offset {before} -> {}", log.log_start_offset())
    })
}

/// One `LogCleaner` pass over a compacted log, when its dirty ratio reaches
/// `min.cleanable.dirty.ratio` or a tombstone's delete horizon has passed: for every key
/// only the latest record stays; tombstones stay `delete.retention.ms` after their first
/// cleaning (KIP-534) so slow consumers still see the delete. Records without a key go.
/// The cleaner works on whole batches: it rewrites each with the records it keeps, keeping
/// the batch's base offset, last offset delta and producer fields (`MemoryRecords.filterTo`).
pub(crate) fn clean(log: &mut PartitionLog, config: &LogConfig, now: SimTime) -> Option<String> {
    if !config.compact {
        return None;
    }
    let end = log.first_uncleanable_offset();
    let start = log.log_start_offset();
    // Delete horizons are wall-clock times, as the batch header carries them.
    let now_ms = now.wall_ms();
    let range = log.read(start, end, usize::MAX);
    let total: u64 = range.iter().map(|b| b.size_bytes()).sum();
    let dirty: u64 = range.iter().filter(|b| b.last_offset() >= log.cleaned_up_to).map(|b| b.size_bytes()).sum();
    let tombstone_due = range.iter().any(|b| {
        b.delete_horizon_ms().is_some_and(|h| h <= now_ms) && b.records_from(start).any(|r| r.value().is_none())
    });
    let ratio = if total == 0 { 0.0 } else { dirty as f64 / total as f64 };
    let dirty_enough = dirty > 0 && ratio >= config.min_cleanable_dirty_ratio;
    if !dirty_enough && !tombstone_due {
        return None;
    }
    let mut latest: BTreeMap<&[u8], u64> = BTreeMap::new();
    for r in range.iter().flat_map(|b| b.records_from(start)) {
        if let Some(k) = r.key() {
            latest.insert(k, r.offset);
        }
    }
    let (mut kept_count, mut cleaned) = (0, 0);
    let mut kept: Vec<Arc<Batch>> = Vec::new();
    for b in &range {
        let past_horizon = b.delete_horizon_ms().is_some_and(|h| h <= now_ms);
        let keep = |r: &Record| {
            r.offset >= start
                && r.key().is_some_and(|k| latest.get(k) == Some(&r.offset))
                && (r.value().is_some() || !past_horizon)
        };
        // A batch keeping a tombstone gets its delete horizon the first time.
        let keeps_tombstone = b.records().any(|r| keep(&r) && r.value().is_none());
        let horizon = b.delete_horizon_ms().or(keeps_tombstone.then_some(now_ms + config.delete_retention_ms));
        let rewritten = b.filtered(keep, horizon);
        cleaned += b.records_from(start).count();
        kept_count += rewritten.record_count();
        // `BatchRetention.RETAIN_EMPTY`: a producer's last batch stays, emptied, so its
        // last sequence survives the cleaning.
        let last_of_producer =
            b.producer().is_some_and(|p| log.producer_state().last_offset(p.producer_id) == Some(b.last_offset()));
        if rewritten.record_count() > 0 || last_of_producer {
            kept.push(rewritten);
        }
    }
    log.replace_cleaned(end, kept);
    Some(format!(
        "log cleaner compacted offsets {start}..{end} (dirty ratio {ratio:.2}): kept {kept_count} of {cleaned} record(s)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition_log::NewRecord;

    fn compacted() -> LogConfig {
        LogConfig::resolve(|name| match name {
            "cleanup.policy" => Some("compact".into()),
            "segment.bytes" => Some("1".into()),
            "delete.retention.ms" => Some("1000".into()),
            _ => None,
        })
    }

    fn put(log: &mut PartitionLog, config: &LogConfig, key: &str, value: Option<&str>, at: u64) {
        let r = NewRecord { timestamp_ms: at, key: Some(key.into()), value: value.map(|v| v.as_bytes().to_vec()) };
        log.append(vec![r], None, 0, config.roll, SimTime(at));
        log.advance_high_watermark(log.log_end_offset());
    }

    fn live(log: &PartitionLog) -> Vec<(String, Option<String>)> {
        let text = |b: Option<&[u8]>| b.map(|b| String::from_utf8_lossy(b).into_owned());
        log.records().map(|r| (text(r.key()).unwrap_or_default(), text(r.value()))).collect()
    }

    #[test]
    fn compaction_keeps_the_latest_value_per_key() {
        let config = compacted();
        let mut log = PartitionLog::default();
        put(&mut log, &config, "patient-7", Some("admitted"), 1);
        put(&mut log, &config, "patient-9", Some("admitted"), 2);
        put(&mut log, &config, "patient-7", Some("icu"), 3);
        put(&mut log, &config, "patient-7", Some("discharged"), 4);
        put(&mut log, &config, "patient-3", Some("admitted"), 5);
        assert!(clean(&mut log, &config, SimTime(10)).is_some());
        // The active segment (offset 4) is never cleaned.
        assert_eq!(
            live(&log),
            vec![
                ("patient-9".into(), Some("admitted".into())),
                ("patient-7".into(), Some("discharged".into())),
                ("patient-3".into(), Some("admitted".into()))
            ]
        );
        let offsets: Vec<u64> = log.records().map(|r| r.offset).collect();
        assert_eq!(offsets, vec![1, 3, 4], "offsets never change: compaction leaves gaps");
        assert!(clean(&mut log, &config, SimTime(11)).is_none(), "nothing dirty: no second pass");
    }

    #[test]
    fn a_tombstone_outlives_its_key_by_delete_retention_ms() {
        let config = compacted();
        let mut log = PartitionLog::default();
        put(&mut log, &config, "patient-7", Some("icu"), 1);
        put(&mut log, &config, "patient-7", None, 2);
        put(&mut log, &config, "patient-9", Some("admitted"), 3);
        clean(&mut log, &config, SimTime(10));
        assert_eq!(live(&log), vec![("patient-7".into(), None), ("patient-9".into(), Some("admitted".into()))]);
        clean(&mut log, &config, SimTime(1009));
        assert_eq!(live(&log).len(), 2, "the tombstone stays until its horizon");
        assert!(clean(&mut log, &config, SimTime(1010)).is_some(), "a due tombstone makes the log cleanable");
        assert_eq!(live(&log), vec![("patient-9".into(), Some("admitted".into()))]);
    }

    #[test]
    fn the_cleaner_rewrites_batches_and_keeps_a_producers_last_one() {
        use crate::producer_state::{ProducerBatch, ProducerCheck};
        let config = compacted();
        let p = |base_sequence| ProducerBatch { producer_id: 1000, producer_epoch: 0, base_sequence };
        let r = |k: &str, v: &str| NewRecord { timestamp_ms: 1, key: Some(k.into()), value: Some(v.into()) };
        let mut log = PartitionLog::default();
        log.append(vec![r("bed-1", "82"), r("bed-2", "95")], Some(p(0)), 0, config.roll, SimTime(1));
        log.append(vec![r("bed-1", "84")], None, 0, config.roll, SimTime(2));
        log.append(vec![r("bed-2", "97")], Some(p(2)), 0, config.roll, SimTime(3));
        log.append(vec![r("bed-2", "99"), r("bed-3", "70")], None, 0, config.roll, SimTime(4));
        log.append(vec![r("bed-4", "60")], None, 0, config.roll, SimTime(5));
        log.advance_high_watermark(log.log_end_offset());
        let what = clean(&mut log, &config, SimTime(10)).expect("dirty enough");
        assert!(what.ends_with("kept 3 of 6 record(s)"), "{what}");
        let bases: Vec<(u64, u64, usize)> = log
            .batches()
            .iter()
            .map(|b| (b.records().next().map_or(u64::MAX, |r| r.offset), b.last_offset(), b.record_count()))
            .collect();
        assert_eq!(
            bases,
            vec![(2, 2, 1), (u64::MAX, 3, 0), (4, 5, 2), (6, 6, 1)],
            "the first batch went; the producer's last one stays, emptied"
        );
        assert_eq!(log.batches().get(1).and_then(|b| b.producer()), Some(p(2)));
        let mut rebuilt = log.clone();
        rebuilt.rebuild_producer_state();
        assert_eq!(rebuilt.producer_state().last_offset(1000), Some(3), "its sequence survives the cleaning");
        assert_eq!(rebuilt.producer_state().check(p(3), 1, 7, "t-0"), ProducerCheck::Append);
    }

    #[test]
    fn retention_deletes_old_segments_but_never_the_active_one() {
        let config = LogConfig::resolve(|name| match name {
            "retention.ms" => Some("60000".into()),
            "segment.bytes" => Some("1".into()),
            _ => None,
        });
        let mut log = PartitionLog::default();
        let wall = SimTime(0).wall_ms();
        for (i, v) in ["82 bpm", "110 bpm", "95 bpm"].iter().enumerate() {
            let r = NewRecord { timestamp_ms: wall + i as u64, key: None, value: Some(v.as_bytes().to_vec()) };
            log.append(vec![r], None, 0, config.roll, SimTime(i as u64));
        }
        log.advance_high_watermark(3);
        assert!(apply_retention(&mut log, &config, SimTime(60_000)).is_none(), "not old enough yet");
        let what = apply_retention(&mut log, &config, SimTime(60_002)).expect("segments deleted");
        assert_eq!(what, "deleted 2 segment(s) past retention.ms=60000: log start offset 0 -> 2");
        assert_eq!(log.log_start_offset(), 2);
        assert_eq!(log.segments().len(), 1, "the active segment stays, however old");
    }

    #[test]
    fn retention_bytes_keeps_the_log_under_its_limit() {
        let config = LogConfig::resolve(|name| match name {
            "retention.bytes" => Some("150".into()),
            "segment.bytes" => Some("1".into()),
            _ => None,
        });
        let mut log = PartitionLog::default();
        for v in ["a", "b", "c", "d"] {
            let r = NewRecord { timestamp_ms: SimTime(0).wall_ms(), key: None, value: Some(v.as_bytes().to_vec()) };
            log.append(vec![r], None, 0, config.roll, SimTime(0));
        }
        log.advance_high_watermark(4);
        apply_retention(&mut log, &config, SimTime(1));
        // 276 bytes, 126 over: one 69-byte segment goes; a second would take the log below
        // the limit, and Kafka deletes only whole segments that fit in the excess.
        assert_eq!(log.size_bytes(), 3 * 69);
        assert_eq!(log.log_start_offset(), 1);
    }
}
