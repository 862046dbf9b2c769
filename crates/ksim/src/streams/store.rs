//! State stores (`KeyValueStore`, `WindowStore`, `SessionStore`) as ordered maps, with
//! the records their changelog topics hold and restoration from them.
//!
//! Changelog layout as Kafka's change-logging stores write it: a key-value store logs the
//! key's bytes; a window store logs `key + window start (8 bytes) + sequence number (4
//! bytes)` (`WindowKeySchema.toStoreKeyBinary`); a session store logs `key + end + start`
//! (`SessionKeySchema`). The value is the value's bytes, null for a delete (a tombstone,
//! which compaction eventually removes).

use super::datum::Datum;
use super::serde::SerdeError;
use super::topology::{StoreKind, StoreSpec};
use super::window::Window;
use std::collections::BTreeMap;

/// Kafka's smallest segment interval of window and session stores (60 s).
const SEGMENT_INTERVAL_MIN_MS: i64 = 60_000;

/// A store entry's key: the record key, the window (window and session stores) and, in
/// join buffers that keep duplicates, a sequence number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StoreKey {
    pub(crate) key: Datum,
    pub(crate) window: Option<Window>,
    pub(crate) seq: u32,
}

impl StoreKey {
    pub(crate) fn plain(key: Datum) -> StoreKey {
        StoreKey { key, window: None, seq: 0 }
    }

    pub(crate) fn windowed(key: Datum, window: Window) -> StoreKey {
        StoreKey { key, window: Some(window), seq: 0 }
    }
}

/// A value with the timestamp of the record that wrote it (`ValueAndTimestamp`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoreValue {
    pub(crate) value: Datum,
    pub(crate) timestamp_ms: i64,
}

/// One record for a store's changelog topic (the task's partition).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChangelogRecord {
    pub(crate) store: String,
    pub(crate) key: Vec<u8>,
    pub(crate) value: Option<Vec<u8>>,
    pub(crate) timestamp_ms: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct StateStore {
    pub(crate) spec: StoreSpec,
    entries: BTreeMap<StoreKey, StoreValue>,
    /// The next sequence number of a store that keeps duplicates.
    next_seq: u32,
}

impl StateStore {
    pub(crate) fn new(spec: StoreSpec) -> StateStore {
        StateStore { spec, entries: BTreeMap::new(), next_seq: 0 }
    }

    pub(crate) fn get(&self, key: &StoreKey) -> Option<&StoreValue> {
        self.entries.get(key)
    }

    /// Every entry, in key order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&StoreKey, &StoreValue)> {
        self.entries.iter()
    }

    /// Entries of one record key (every window of it), in window order.
    pub(crate) fn entries_for<'a>(&'a self, key: &'a Datum) -> impl Iterator<Item = (&'a StoreKey, &'a StoreValue)> {
        self.entries.iter().filter(move |(k, _)| &k.key == key)
    }

    /// Writes (or, with a null value, deletes) an entry and returns its changelog record
    /// when logging is on. A store that keeps duplicates gives each put a new sequence.
    pub(crate) fn put(&mut self, mut key: StoreKey, value: Datum, timestamp_ms: i64) -> Option<ChangelogRecord> {
        if matches!(self.spec.kind, StoreKind::Window { retain_duplicates: true, .. }) && !value.is_null() {
            self.next_seq = self.next_seq.wrapping_add(1);
            key.seq = self.next_seq;
        }
        let record = self.changelog_record(&key, &value, timestamp_ms);
        if value.is_null() {
            self.entries.remove(&key);
        } else {
            self.entries.insert(key, StoreValue { value, timestamp_ms });
        }
        record
    }

    /// Drops what a RocksDB segmented store would have dropped by now: segments of
    /// `max(retention / 2, 60 s)` (by window start; by session end) wholly older than
    /// stream time minus retention. Not logged: the changelog's own retention and
    /// compaction remove those records.
    pub(crate) fn expire(&mut self, stream_time_ms: i64) {
        let (retention, by_end) = match self.spec.kind {
            StoreKind::KeyValue => return,
            StoreKind::Window { retention_ms, .. } => (retention_ms, false),
            StoreKind::Session { retention_ms } => (retention_ms, true),
        };
        let interval = (retention / 2).max(SEGMENT_INTERVAL_MIN_MS);
        let oldest_live = stream_time_ms - retention;
        if oldest_live < 0 {
            return;
        }
        let min_live_segment = oldest_live / interval;
        self.entries.retain(|k, _| {
            k.window.is_none_or(|w| (if by_end { w.end_ms } else { w.start_ms }).max(0) / interval >= min_live_segment)
        });
    }

    /// The changelog record of an entry's current value (None when logging is off).
    pub(crate) fn changelog_record(&self, key: &StoreKey, value: &Datum, timestamp_ms: i64) -> Option<ChangelogRecord> {
        if !self.spec.logging {
            return None;
        }
        let mut key_bytes = self.spec.key_serde.serialize(&key.key).ok()?.unwrap_or_default();
        match (self.spec.kind, key.window) {
            (StoreKind::Window { .. }, Some(w)) => {
                key_bytes.extend_from_slice(&w.start_ms.to_be_bytes());
                key_bytes.extend_from_slice(&key.seq.to_be_bytes());
            }
            (StoreKind::Session { .. }, Some(w)) => {
                key_bytes.extend_from_slice(&w.end_ms.to_be_bytes());
                key_bytes.extend_from_slice(&w.start_ms.to_be_bytes());
            }
            _ => {}
        }
        let value_bytes = self.spec.value_serde.serialize(value).ok()?;
        Some(ChangelogRecord { store: self.spec.name.clone(), key: key_bytes, value: value_bytes, timestamp_ms })
    }

    /// Applies one changelog record (restoration after a task moved here).
    pub(crate) fn restore(&mut self, key: &[u8], value: Option<&[u8]>, timestamp_ms: i64) -> Result<(), SerdeError> {
        let long = |b: &[u8]| -> i64 {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            i64::from_be_bytes(a)
        };
        let short = SerdeError { message: format!("Changelog key of store {} is too short", self.spec.name) };
        let store_key = match self.spec.kind {
            StoreKind::KeyValue => StoreKey::plain(self.spec.key_serde.deserialize(Some(key))?),
            StoreKind::Window { size_ms, .. } => {
                let split = key.len().checked_sub(12).ok_or(short)?;
                let start = long(&key[split..split + 8]);
                let mut seq = [0u8; 4];
                seq.copy_from_slice(&key[split + 8..]);
                StoreKey {
                    key: self.spec.key_serde.deserialize(Some(&key[..split]))?,
                    window: Some(Window { start_ms: start, end_ms: start.saturating_add(size_ms) }),
                    seq: u32::from_be_bytes(seq),
                }
            }
            StoreKind::Session { .. } => {
                let split = key.len().checked_sub(16).ok_or(short)?;
                let end = long(&key[split..split + 8]);
                let start = long(&key[split + 8..]);
                StoreKey {
                    key: self.spec.key_serde.deserialize(Some(&key[..split]))?,
                    window: Some(Window { start_ms: start, end_ms: end }),
                    seq: 0,
                }
            }
        };
        self.next_seq = self.next_seq.max(store_key.seq);
        match value {
            None => {
                self.entries.remove(&store_key);
            }
            Some(v) => {
                let value = self.spec.value_serde.deserialize(Some(v))?;
                self.entries.insert(store_key, StoreValue { value, timestamp_ms });
            }
        }
        Ok(())
    }
}
