//! `TopologyTestDriver`: runs a topology without a cluster, as Kafka's test driver does.
//! Every topic has one partition (so one task per sub-topology); records written to a
//! repartition topic are processed at once by the sub-topology reading it, and records
//! for any topic are kept for `read_output`.

use super::datum::Datum;
use super::serde::DeserializationHandler;
use super::store::StoreKey;
use super::task::{CollectedRecord, InputRecord, Task, TaskError, TaskId, TaskOutput};
use super::topology::{NodeKind, Topology};
use super::view::StoreRow;
use crate::vec_map::VecMap;
use std::collections::VecDeque;

/// A record the topology wrote to a topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OutputRecord {
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    pub(crate) timestamp_ms: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct TopologyTestDriver {
    topology: Topology,
    application_id: String,
    handler: DeserializationHandler,
    tasks: VecMap<u32, Task>,
    /// Every record written, by topic (internal ones with their full name).
    outputs: VecMap<String, Vec<OutputRecord>>,
    /// Offsets for the next record of each topic.
    offsets: VecMap<String, u64>,
    logs: Vec<String>,
    collected: Vec<CollectedRecord>,
    /// The first fatal error (the driver stops processing, as a dead stream thread).
    failed: Option<TaskError>,
}

/// Repartition loops are bounded: a record may pass through at most this many topics.
const HOPS_MAX: usize = 64;

impl TopologyTestDriver {
    pub(crate) fn new(topology: Topology, application_id: &str) -> TopologyTestDriver {
        let tasks = (0..topology.subtopology_count())
            .map(|s| (s, Task::new(TaskId { subtopology: s, partition: 0 }, &topology)))
            .collect();
        TopologyTestDriver {
            topology,
            application_id: application_id.to_string(),
            handler: DeserializationHandler::LogAndFail,
            tasks,
            outputs: VecMap::new(),
            offsets: VecMap::new(),
            logs: Vec::new(),
            collected: Vec::new(),
            failed: None,
        }
    }

    /// `default.deserialization.exception.handler`.
    pub(crate) fn with_handler(mut self, handler: DeserializationHandler) -> TopologyTestDriver {
        self.handler = handler;
        self
    }

    /// Pipes a record with raw bytes into a source topic (`TestInputTopic.pipeInput`).
    pub(crate) fn pipe(&mut self, topic: &str, key: Option<&[u8]>, value: Option<&[u8]>, timestamp_ms: i64) {
        let mut queue =
            VecDeque::from([(topic.to_string(), key.map(<[u8]>::to_vec), value.map(<[u8]>::to_vec), timestamp_ms)]);
        let mut hops = 0;
        while let Some((topic, key, value, ts)) = queue.pop_front() {
            hops += 1;
            if hops > HOPS_MAX || self.failed.is_some() {
                break;
            }
            let offset = self.offsets.entry(topic.clone()).or_default();
            let input =
                InputRecord { topic: topic.clone(), partition: 0, offset: *offset, timestamp_ms: ts, key, value };
            *offset += 1;
            let mut out = Vec::new();
            for task in self.tasks.values_mut() {
                if let Err(e) = task.process(&self.topology, &input, self.handler, &mut out) {
                    self.failed = Some(e);
                }
            }
            for o in out {
                match o {
                    TaskOutput::Produce(p) => {
                        let name = Topology::runtime_topic(&self.application_id, &p.topic, p.internal);
                        let record =
                            OutputRecord { key: p.key.clone(), value: p.value.clone(), timestamp_ms: p.timestamp_ms };
                        self.outputs.entry(name).or_default().push(record);
                        if p.internal {
                            queue.push_back((p.topic, p.key, p.value, p.timestamp_ms));
                        }
                    }
                    TaskOutput::Changelog(c) => {
                        let Some(spec) = self.topology.store(&c.store) else { continue };
                        let name = spec.changelog_topic(&self.application_id);
                        let record = OutputRecord { key: Some(c.key), value: c.value, timestamp_ms: c.timestamp_ms };
                        self.outputs.entry(name).or_default().push(record);
                    }
                    TaskOutput::Log(_, text) => self.logs.push(text),
                    TaskOutput::Collected(c) => self.collected.push(c),
                }
            }
        }
    }

    /// Pipes datums, serialized with the serdes of the source reading `topic`.
    pub(crate) fn pipe_datum(&mut self, topic: &str, key: &Datum, value: &Datum, timestamp_ms: i64) {
        let serdes = self.topology.nodes.iter().find_map(|n| match &n.kind {
            NodeKind::Source { topics, key_serde, value_serde, .. } if topics.iter().any(|t| t == topic) => {
                Some((key_serde.clone(), value_serde.clone()))
            }
            _ => None,
        });
        let Some((ks, vs)) = serdes else { return };
        let k = ks.serialize(key).ok().flatten();
        let v = vs.serialize(value).ok().flatten();
        self.pipe(topic, k.as_deref(), v.as_deref(), timestamp_ms);
    }

    /// Takes the records written to a topic so far (`TestOutputTopic.readRecordsToList`).
    pub(crate) fn read_output(&mut self, topic: &str) -> Vec<OutputRecord> {
        self.outputs.remove(topic).unwrap_or_default()
    }

    /// A store's rows, in key (then window) order.
    pub(crate) fn store_rows(&self, store: &str) -> Vec<StoreRow> {
        self.tasks
            .values()
            .filter_map(|t| t.stores.get(store))
            .flat_map(|s| s.entries().map(|(k, v)| StoreRow::from_entry(k, v)))
            .collect()
    }

    /// One key's value in a key-value store.
    pub(crate) fn get(&self, store: &str, key: &Datum) -> Option<Datum> {
        self.tasks
            .values()
            .filter_map(|t| t.stores.get(store))
            .find_map(|s| s.get(&StoreKey::plain(key.clone())).map(|v| v.value.clone()))
    }

    pub(crate) fn take_logs(&mut self) -> Vec<String> {
        std::mem::take(&mut self.logs)
    }

    pub(crate) fn take_collected(&mut self) -> Vec<CollectedRecord> {
        std::mem::take(&mut self.collected)
    }

    /// The stream time of the task of a sub-topology.
    pub(crate) fn stream_time(&self, subtopology: u32) -> Option<i64> {
        self.tasks.get(&subtopology).map(|t| t.stream_time_ms)
    }

    pub(crate) fn failed(&self) -> Option<&TaskError> {
        self.failed.as_ref()
    }
}
