//! Connect's tasks, the part of a connector that copies data: `FileStreamSourceTask`
//! (new lines of a file, one record each, the byte position as the source offset),
//! `FileStreamSinkTask` (each record's value as a line of a file), and the playground's
//! own `MedicalDeviceSource` (seeded bedside-monitor readings) and `TableSink` (a
//! JDBC-sink-like table kept in memory, rows by primary key).
//!
//! A source task owns a producer client and a sink task a consumer client in the world;
//! the task bridges them to the console's files, as `WorkerSourceTask` and
//! `WorkerSinkTask` bridge Kafka's clients to a connector's system.

use super::config::{ConnectorConfig, Plugin};
use super::converter::Value;
use crate::client::consumer::ConsumedRecord;
use crate::console::vfs::Vfs;
use crate::ids::ClientId;
use crate::rng::SimRng;
use crate::time::SimTime;
use std::collections::BTreeMap;

/// `FileStreamSourceTask` waits this long when the file has nothing new (`wait(1000)`).
pub(crate) const FILE_POLL_WAIT_MS: u64 = 1000;
/// `FileStreamSourceConnector`'s `batch.size` default.
const FILE_BATCH_SIZE_DEFAULT: usize = 2000;
/// `MedicalDeviceSource`'s `poll.interval.ms` default.
const MEDICAL_POLL_INTERVAL_DEFAULT_MS: u64 = 1000;

/// A task's state as the REST API reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TaskState {
    Running,
    Paused,
    /// The task died; the first line of its stack trace.
    Failed(String),
}

impl TaskState {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            TaskState::Running => "RUNNING",
            TaskState::Paused => "PAUSED",
            TaskState::Failed(_) => "FAILED",
        }
    }
}

/// One record a source task read, with the source offset it carries.
pub(crate) struct SourceRecord {
    pub(crate) key: Value,
    pub(crate) value: Value,
    pub(crate) offset: u64,
}

#[derive(Clone)]
pub(crate) enum SourceKind {
    File {
        /// The file as configured (the offset's partition names it so).
        filename: String,
        /// Where it resolves, from the worker's working directory.
        path: String,
        batch_size: usize,
        /// Bytes read so far; None until the file was opened.
        position: Option<u64>,
    },
    Medical {
        devices: Vec<String>,
        poll_interval_ms: u64,
        rng: SimRng,
        /// Readings taken so far (the source offset).
        readings: u64,
        /// Each device's last heart rate (bpm) and SpO2 (%).
        vitals: Vec<(i32, i32)>,
    },
}

#[derive(Clone)]
pub(crate) struct SourceTask {
    pub(crate) client: ClientId,
    pub(crate) topic: String,
    pub(crate) kind: SourceKind,
    pub(crate) next_poll: SimTime,
    /// The wake-up timer already set.
    pub(crate) armed: Option<SimTime>,
    /// Sends not yet acknowledged: send id → the source offset after that record.
    pub(crate) in_flight: BTreeMap<u64, u64>,
    pub(crate) sent: u64,
}

impl SourceTask {
    pub(crate) fn new(config: &ConnectorConfig, client: ClientId, cwd: &str, rng: SimRng, now: SimTime) -> SourceTask {
        let topic = config.get("topic").unwrap_or_default().trim().to_string();
        let kind = match config.plugin {
            Plugin::MedicalDeviceSource => {
                let devices: Vec<String> = config
                    .get("devices")
                    .unwrap_or("icu-bed-1")
                    .split(',')
                    .map(|d| d.trim().to_string())
                    .filter(|d| !d.is_empty())
                    .collect();
                SourceKind::Medical {
                    vitals: vec![(76, 97); devices.len()],
                    devices,
                    poll_interval_ms: config
                        .get("poll.interval.ms")
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(MEDICAL_POLL_INTERVAL_DEFAULT_MS),
                    rng,
                    readings: 0,
                }
            }
            _ => {
                let filename = config.get("file").unwrap_or_default().to_string();
                SourceKind::File {
                    path: resolve(cwd, &filename),
                    filename,
                    batch_size: config
                        .get("batch.size")
                        .and_then(|v| v.trim().parse().ok())
                        .filter(|n| *n > 0)
                        .unwrap_or(FILE_BATCH_SIZE_DEFAULT),
                    position: None,
                }
            }
        };
        SourceTask { client, topic, kind, next_poll: now, armed: None, in_flight: BTreeMap::new(), sent: 0 }
    }

    /// The source partition as the offset store keys it (`{"filename":"test.txt"}`).
    pub(crate) fn partition_json(&self) -> String {
        match &self.kind {
            SourceKind::File { filename, .. } => format!("{{\"filename\":{}}}", crate::json::quote(filename)),
            SourceKind::Medical { devices, .. } => {
                format!("{{\"devices\":{}}}", crate::json::quote(&devices.join(",")))
            }
        }
    }

    /// The source offset as the offset store keeps it (`{"position":8}`).
    pub(crate) fn offset_json(&self, offset: u64) -> String {
        match &self.kind {
            SourceKind::File { .. } => format!("{{\"position\":{offset}}}"),
            SourceKind::Medical { .. } => format!("{{\"readings\":{offset}}}"),
        }
    }

    /// `poll()`: the records ready now, and log lines (level, text) the task wrote.
    /// `stored` is the committed offset the task starts from when it opens its source.
    pub(crate) fn poll(
        &mut self,
        vfs: &Vfs,
        stored: Option<u64>,
        now: SimTime,
        log: &mut Vec<(bool, String)>,
    ) -> Vec<SourceRecord> {
        if now < self.next_poll {
            return Vec::new();
        }
        match &mut self.kind {
            SourceKind::File { filename, path, batch_size, position } => {
                let Ok(text) = vfs.read(path) else {
                    position.take();
                    log.push((true, format!("Couldn't find file {filename} for FileStreamSourceTask, sleeping to wait for it to be created (org.apache.kafka.connect.file.FileStreamSourceTask)")));
                    self.next_poll = now.plus_ms(FILE_POLL_WAIT_MS);
                    return Vec::new();
                };
                let start = *position.get_or_insert(stored.unwrap_or(0));
                let (lines, end) = read_lines(text, start, *batch_size);
                *position = Some(end);
                if lines.is_empty() {
                    self.next_poll = now.plus_ms(FILE_POLL_WAIT_MS);
                }
                lines
                    .into_iter()
                    .map(|(line, offset)| SourceRecord { key: Value::Null, value: Value::String(line), offset })
                    .collect()
            }
            SourceKind::Medical { devices, poll_interval_ms, rng, readings, vitals } => {
                if *readings == 0 {
                    *readings = stored.unwrap_or(0);
                }
                self.next_poll = now.plus_ms(*poll_interval_ms);
                let mut records = Vec::new();
                for (device, (heart_rate, spo2)) in devices.iter().zip(vitals.iter_mut()) {
                    *readings += 1;
                    // A bounded random walk: resting adult rates, the odd tachycardic drift.
                    *heart_rate = (*heart_rate + rng.below(9) as i32 - 4).clamp(48, 145);
                    *spo2 = (*spo2 + rng.below(3) as i32 - 1).clamp(88, 100);
                    records.push(SourceRecord {
                        key: Value::String(device.clone()),
                        value: Value::Struct {
                            name: "playground.connect.VitalSigns".to_string(),
                            fields: vec![
                                ("device_id".to_string(), Value::String(device.clone())),
                                ("heart_rate".to_string(), Value::Int32(*heart_rate)),
                                ("spo2".to_string(), Value::Int32(*spo2)),
                                ("measured_at".to_string(), Value::Int64(now.wall_ms() as i64)),
                            ],
                        },
                        offset: *readings,
                    });
                }
                records
            }
        }
    }
}

/// Complete lines after byte `start` (at most `max`), each with the position after it,
/// and where reading stopped. A line ends at `\n`, `\r\n` or `\r` (`extractLine`); a
/// last line without its end waits for more data.
fn read_lines(text: &str, start: u64, max: usize) -> (Vec<(String, u64)>, u64) {
    let bytes = text.as_bytes();
    let mut at = usize::try_from(start).unwrap_or(usize::MAX).min(bytes.len());
    let mut lines = Vec::new();
    while lines.len() < max {
        let Some(rel) = bytes.get(at..).and_then(|rest| rest.iter().position(|b| *b == b'\n' || *b == b'\r')) else {
            break;
        };
        let end = at + rel;
        let next = match bytes.get(end) {
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
            // A `\r` at the very end might be followed by `\n` later.
            Some(b'\r') if end + 1 == bytes.len() => break,
            _ => end + 1,
        };
        lines.push((String::from_utf8_lossy(&bytes[at..end]).into_owned(), next as u64));
        at = next;
    }
    (lines, at as u64)
}

/// A path from a connector's config, relative to the worker's working directory.
pub(crate) fn resolve(cwd: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", cwd.trim_end_matches('/'))
    }
}

/// A table's rows by primary key: each row's (column, value) pairs.
pub(crate) type Rows = BTreeMap<String, Vec<(String, String)>>;

#[derive(Clone)]
pub(crate) enum SinkKind {
    File {
        path: String,
    },
    Table {
        table: String,
        /// `pk.mode=record_key`: rows by the record's key; `none`: one row per record.
        pk_record_key: bool,
        /// `insert.mode=upsert`: a row with the same key is replaced.
        upsert: bool,
        rows: Rows,
        inserted: u64,
    },
}

#[derive(Clone)]
pub(crate) struct SinkTask {
    /// The consumer, None while the task is paused, stopped or failed.
    pub(crate) client: Option<ClientId>,
    pub(crate) topic: String,
    pub(crate) kind: SinkKind,
    /// Records delivered by the consumer and not yet put.
    pub(crate) pending: Vec<ConsumedRecord>,
    pub(crate) assigned: bool,
    pub(crate) written: u64,
}

/// What `put` did with the records it was handed.
pub(crate) enum Put {
    /// Lines to append to a file.
    Append(String, String),
    Nothing,
}

impl SinkTask {
    pub(crate) fn new(config: &ConnectorConfig, cwd: &str) -> SinkTask {
        let topic = config.get("topics").unwrap_or_default().split(',').next().unwrap_or_default().trim().to_string();
        let kind = match config.plugin {
            Plugin::TableSink => SinkKind::Table {
                table: config.get("table.name.format").unwrap_or("${topic}").replace("${topic}", &topic),
                pk_record_key: config.get("pk.mode").is_none_or(|m| m.trim() == "record_key"),
                upsert: config.get("insert.mode").is_none_or(|m| m.trim() == "upsert"),
                rows: BTreeMap::new(),
                inserted: 0,
            },
            _ => SinkKind::File { path: resolve(cwd, config.get("file").unwrap_or_default()) },
        };
        SinkTask { client: None, topic, kind, pending: Vec::new(), assigned: false, written: 0 }
    }

    /// `put(records)`: converts each pending record and writes it out; the converter's
    /// `DataException` (or a file that cannot be created) fails the task.
    pub(crate) fn put(&mut self, config: &ConnectorConfig, vfs: &Vfs) -> Result<Put, String> {
        let records = std::mem::take(&mut self.pending);
        if records.is_empty() {
            return Ok(Put::Nothing);
        }
        match &mut self.kind {
            SinkKind::File { path } => {
                let parent = path.rsplit_once('/').map_or("/", |(dir, _)| if dir.is_empty() { "/" } else { dir });
                if vfs.is_dir(path) || !vfs.is_dir(parent) {
                    return Err(format!("org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file '{}' for FileStreamSinkTask", config.get("file").unwrap_or_default()));
                }
                let mut text = String::new();
                for r in &records {
                    text.push_str(&config.value_converter.to_value(r.value.as_deref())?.java_string());
                    text.push('\n');
                }
                self.written += records.len() as u64;
                Ok(Put::Append(path.clone(), text))
            }
            SinkKind::Table { pk_record_key, upsert, rows, inserted, .. } => {
                for r in &records {
                    let value = config.value_converter.to_value(r.value.as_deref())?;
                    let key = config.key_converter.to_value(r.key.as_deref())?;
                    *inserted += 1;
                    let pk = if *pk_record_key {
                        if key == Value::Null {
                            return Err("org.apache.kafka.connect.errors.ConnectException: Sink records with pk.mode=record_key must have a non-null key".to_string());
                        }
                        key.java_string()
                    } else {
                        format!("{:09}", *inserted)
                    };
                    if value == Value::Null {
                        // A tombstone deletes the row, as JDBC sinks do with delete.enabled.
                        rows.remove(&pk);
                    } else if *upsert || !rows.contains_key(&pk) {
                        rows.insert(pk, value.columns());
                    } else {
                        return Err(format!(
                            "java.sql.SQLException: Duplicate entry '{pk}' for key 'PRIMARY' (insert.mode=insert)"
                        ));
                    }
                }
                self.written += records.len() as u64;
                Ok(Put::Nothing)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_newlines_and_a_partial_line_waits() {
        let (lines, end) = read_lines("foo\nbar\nba", 0, 10);
        assert_eq!(lines, vec![("foo".to_string(), 4), ("bar".to_string(), 8)]);
        assert_eq!(end, 8);
        let (lines, end) = read_lines("foo\nbar\nbaz\n", 8, 10);
        assert_eq!(lines, vec![("baz".to_string(), 12)]);
        assert_eq!(end, 12);
        let (lines, _) = read_lines("a\r\nb\rc\r", 0, 10);
        assert_eq!(lines, vec![("a".to_string(), 3), ("b".to_string(), 5)]);
        let (lines, end) = read_lines("a\nb\nc\n", 0, 2);
        assert_eq!((lines.len(), end), (2, 4));
        assert_eq!(read_lines("short", 99, 10), (Vec::new(), 5));
    }
}
