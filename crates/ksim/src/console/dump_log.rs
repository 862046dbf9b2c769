//! `kafka-dump-log.sh --cluster-metadata-decoder --files …/__cluster_metadata-0/00000000000000000000.log`:
//! the KRaft metadata log, one batch line and one record line per entry, in
//! `DumpLogSegments`' format. Byte-level batch fields (position, size, crc) are not
//! simulated and are left out, which the output says once.

use super::{Console, Outcome};
use crate::metadata::{MetadataEntry, MetadataRecord};
use crate::world::World;

/// The metadata log's only segment in the playground.
pub(crate) const SEGMENT: &str = "__cluster_metadata-0/00000000000000000000.log";

pub(crate) fn run(con: &mut Console, world: &World, args: &[String]) -> Outcome {
    let mut files = Vec::new();
    let mut decoder = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--files" => match iter.next() {
                Some(v) => files.extend(v.split(',').map(str::to_string)),
                None => return usage(con, "Option ['files'] requires an argument"),
            },
            "--cluster-metadata-decoder" => decoder = true,
            "--print-data-log" | "--deep-iteration" | "--verify-index-only" => {}
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
            con.err(format!("kafka-dump-log.sh: {file}: only the metadata log ({SEGMENT}) is simulated so far."));
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
