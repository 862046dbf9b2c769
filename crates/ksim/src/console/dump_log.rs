//! `kafka-dump-log.sh --files …`: a log segment in `DumpLogSegments`' format. The KRaft
//! metadata log (`--cluster-metadata-decoder --files …/__cluster_metadata-0/00000000000000000000.log`)
//! prints one batch line and one record line per entry, without the byte-level batch fields
//! (position, size, crc); a partition's segment (`<log dir>/<topic>-<partition>/<base offset>.log`)
//! prints its record batches as the broker's log holds them, with their positions and
//! sizes, and their records with `--deep-iteration` or `--print-data-log`. The crc is not
//! simulated and is left out; the output says so once.

use super::{Console, Outcome};
use crate::metadata::{MetadataEntry, MetadataRecord};
use crate::partition_log::{Batch, PartitionLog};
use crate::producer_state::increment_sequence;
use crate::world::World;
use std::sync::Arc;

/// The metadata log's only segment in the playground.
pub(crate) const SEGMENT: &str = "__cluster_metadata-0/00000000000000000000.log";

pub(crate) fn run(con: &mut Console, world: &World, args: &[String]) -> Outcome {
    let mut files = Vec::new();
    let mut decoder = false;
    let (mut deep, mut print_data) = (false, false);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--files" => match iter.next() {
                Some(v) => files.extend(v.split(',').map(str::to_string)),
                None => return usage(con, "Option ['files'] requires an argument"),
            },
            "--cluster-metadata-decoder" => decoder = true,
            "--print-data-log" => print_data = true,
            "--deep-iteration" => deep = true,
            "--verify-index-only" => {}
            "--help" => return usage(con, "This tool helps to parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment."),
            other => return usage(con, &format!("{} is not a recognized option", other.trim_start_matches('-'))),
        }
    }
    if files.is_empty() {
        return usage(con, "Missing required argument \"[files]\"");
    }
    for file in files {
        let path = con.vfs.resolve(&file);
        con.out(format!("Dumping {path}"));
        let Some(dir) = path.strip_suffix(&format!("/{SEGMENT}")) else {
            if [".index", ".timeindex", ".txnindex", ".snapshot"].iter().any(|x| path.ends_with(x)) {
                con.err(format!(
                    "kafka-dump-log.sh: {file}: only .log segments are simulated (no index or snapshot files)."
                ));
                continue;
            }
            if !path.ends_with(".log") {
                con.err(format!("Ignoring unknown file {path}"));
                continue;
            }
            let Some((log, base)) = data_segment(world, &path) else {
                con.err(format!("Exception in thread \"main\" java.nio.file.NoSuchFileException: {path}"));
                return Outcome::Done(1);
            };
            // `--print-data-log` (or a decoder) implies the deep iteration.
            let records = if deep || print_data || decoder { Some(print_data || decoder) } else { None };
            con.out(format!("Log starting offset: {base}"));
            con.hint("(Simulated log: the batches' crc is not modelled and is left out.)");
            for line in segment_lines(log.segment_batches(base), records) {
                con.out(line);
            }
            continue;
        };
        let Some(log) = metadata_log(world, dir) else {
            con.err(format!("Exception in thread \"main\" java.nio.file.NoSuchFileException: {path}"));
            return Outcome::Done(1);
        };
        if !decoder {
            con.hint(
                "(Without --cluster-metadata-decoder Kafka prints the records as raw bytes; add it to read them.)",
            );
        }
        con.out("Log starting offset: 0");
        con.hint("(Simulated log: batch position, size and crc are not modelled and are left out.)");
        for entry in &log {
            for line in entry_lines(entry, decoder) {
                con.out(line);
            }
        }
    }
    Outcome::Done(0)
}

fn usage(con: &mut Console, message: &str) -> Outcome {
    con.err(message.to_string());
    con.err("Usage: kafka-dump-log.sh --files <log files> [--cluster-metadata-decoder] [--print-data-log] [--deep-iteration]");
    Outcome::Done(1)
}

/// The metadata log held in directory `dir`: a controller's Raft log, or a broker-only
/// process's observer copy.
fn metadata_log(world: &World, dir: &str) -> Option<Vec<MetadataEntry>> {
    let server = world.servers.values().find(|s| s.config.log_dirs.first().is_some_and(|d| d == dir))?;
    match (&server.controller, &server.broker) {
        (Some(c), _) => Some(c.raft.disk.log.clone()),
        (None, Some(b)) => b.observer.as_ref().map(|o| o.disk.log.clone()),
        (None, None) => None,
    }
}

fn entry_lines(entry: &MetadataEntry, decoder: bool) -> Vec<String> {
    let control = matches!(entry.record, MetadataRecord::LeaderChange { .. });
    let (offset, ts) = (entry.offset, entry.appended_ms);
    let batch = format!(
        "baseOffset: {offset} lastOffset: {offset} count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: {} isTransactional: false isControl: {control} deleteHorizonMs: OptionalLong.empty CreateTime: {ts} magic: 2 compresscodec: none",
        entry.epoch
    );
    let mut record = format!("| offset: {offset} CreateTime: {ts} sequence: -1 headerKeys: []");
    if control {
        record.push_str(" controlType: LEADER_CHANGE(2)");
    } else if let Some(payload) = entry.record.json_payload().filter(|_| decoder) {
        record.push_str(&format!(" payload: {payload}"));
    }
    vec![batch, record]
}

/// The partition log and segment base named by `<log dir>/<topic>-<partition>/<base>.log`,
/// if a broker with that log directory hosts the partition and has that segment.
fn data_segment<'w>(world: &'w World, path: &str) -> Option<(&'w PartitionLog, u64)> {
    let (partition_dir, file) = path.rsplit_once('/')?;
    let base: u64 = file.strip_suffix(".log").filter(|b| b.bytes().all(|c| c.is_ascii_digit()))?.parse().ok()?;
    let (dir, topic_partition) = partition_dir.rsplit_once('/')?;
    let (topic, partition) = topic_partition.rsplit_once('-')?;
    let partition: u32 = partition.parse().ok()?;
    let server = world.servers.values().find(|s| s.config.log_dirs.first().is_some_and(|d| d == dir))?;
    let hosted = server.broker.as_ref()?.replicas.partitions.get(&(topic.to_string(), partition))?;
    hosted.log.segments().iter().any(|s| s.base_offset == base).then_some((&hosted.log, base))
}

/// `DumpLogSegments.dumpLog` over a segment's batches: a batch line each (`printBatchLevel`)
/// and, when `records` is set, a line per record, with its key and value when it is true.
fn segment_lines<'a>(batches: impl Iterator<Item = &'a Arc<Batch>>, records: Option<bool>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut position = 0;
    for batch in batches {
        let (producer_id, producer_epoch, base_sequence) = match batch.producer() {
            Some(p) => (i64::try_from(p.producer_id).unwrap_or(-1), i32::from(p.producer_epoch), Some(p.base_sequence)),
            None => (-1, -1, None),
        };
        let sequence = |offset: u64| {
            let delta = u32::try_from(offset - batch.base_offset()).unwrap_or(u32::MAX);
            base_sequence.map_or(-1, |s| i64::from(increment_sequence(s, delta)))
        };
        let horizon =
            batch.delete_horizon_ms().map_or("OptionalLong.empty".to_string(), |h| format!("OptionalLong[{h}]"));
        lines.push(format!(
            "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} producerId: {producer_id} producerEpoch: {producer_epoch} partitionLeaderEpoch: {} isTransactional: false isControl: false deleteHorizonMs: {horizon} position: {position} CreateTime: {} size: {} magic: 2 compresscodec: none isvalid: true",
            batch.base_offset(),
            batch.last_offset(),
            batch.record_count(),
            sequence(batch.base_offset()),
            sequence(batch.last_offset()),
            batch.partition_leader_epoch(),
            batch.max_timestamp_ms(),
            batch.size_bytes(),
        ));
        position += batch.size_bytes();
        let Some(contents) = records else { continue };
        for r in batch.records() {
            let size = |f: Option<&[u8]>| f.map_or(-1, |b| b.len() as i64);
            let mut line = format!(
                "| offset: {} CreateTime: {} keySize: {} valueSize: {} sequence: {} headerKeys: []",
                r.offset,
                r.timestamp_ms,
                size(r.key()),
                size(r.value()),
                sequence(r.offset)
            );
            if contents {
                if let Some(k) = r.key() {
                    line.push_str(&format!(" key: {}", String::from_utf8_lossy(k)));
                }
                if let Some(v) = r.value() {
                    line.push_str(&format!(" payload: {}", String::from_utf8_lossy(v)));
                }
            }
            lines.push(line);
        }
    }
    lines
}
