//! `kafka-delete-records.sh` (`DeleteRecordsCommand`): moves partitions' log start offsets
//! up to the offsets a JSON file gives, and prints each partition's new low watermark.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::ClientId;
use crate::json::{self, Json};
use crate::node::ClientEvent;
use crate::vec_map::VecSet;
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "bootstrap-server", arg: Some("String: server(s) to use for bootstrapping"), help: "REQUIRED: The server to connect to." },
    OptSpec { name: "command-config", arg: Some("String: command config property file path"), help: "A property file containing configs to be passed to Admin Client." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "offset-json-file", arg: Some("String: Offset json file path"), help: "REQUIRED: The JSON file with offset per partition. The format to use is: {\"partitions\": [{\"topic\": \"foo\", \"partition\": 1, \"offset\": 1}], \"version\":1 }" },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

const ABOUT: &str = "This tool helps to delete records of the given partitions down to the specified offset.";

#[derive(Clone)]
pub(crate) struct DeleteRecordsJob {
    pub(crate) client: ClientId,
}

fn usage(con: &mut Console, message: Option<&str>) -> Outcome {
    options::print_usage(con, SPECS, message.unwrap_or(ABOUT))
}

/// An exception: its Java class and message.
type Failure = (&'static str, String);

/// The offset each partition's records are deleted below.
type DeleteOffsets = Vec<((String, u32), i64)>;

/// `parseOffsetJsonStringWithoutDedup` with Kafka's messages.
fn parse_offsets(text: &str) -> Result<DeleteOffsets, Failure> {
    let operation = "org.apache.kafka.server.common.AdminOperationException";
    let mapping = "com.fasterxml.jackson.databind.JsonMappingException";
    let doc = json::parse(text).ok_or((operation, "The input string is not a valid JSON".to_string()))?;
    match doc.get("version").map(Json::as_i64) {
        None | Some(Some(1)) => {}
        Some(Some(v)) => return Err((operation, format!("Not supported version field value {v}"))),
        Some(None) => return Err((mapping, "Expected `int` value".to_string())),
    }
    let Some(Json::Array(partitions)) = doc.get("partitions") else {
        return Err((operation, "Missing partitions field".to_string()));
    };
    partitions
        .iter()
        .map(|entry| {
            let field = |name: &str| entry.get(name).ok_or((mapping, format!("No such field exists: `{name}`")));
            let topic = field("topic")?.as_str().ok_or((mapping, "Expected `String` value".to_string()))?;
            let partition = field("partition")?
                .as_i64()
                .and_then(|p| u32::try_from(p).ok())
                .ok_or((mapping, "Expected `int` value".to_string()))?;
            let offset = field("offset")?.as_i64().ok_or((mapping, "Expected `long` value".to_string()))?;
            Ok(((topic.to_string(), partition), offset))
        })
        .collect()
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return usage(con, Some(&e.message)),
    };
    if args.is_empty() {
        return usage(con, None);
    }
    if p.has("help") {
        return options::print_help(con, SPECS, Some(ABOUT));
    }
    for required in ["bootstrap-server", "offset-json-file"] {
        if !p.has(required) {
            return usage(con, Some(&format!("Missing required argument \"[{required}]\"")));
        }
    }
    let path = p.value("offset-json-file").unwrap_or_default();
    let text = match con.vfs.read(&con.vfs.resolve(path)) {
        Ok(text) => text.to_string(),
        Err(_) => return con.exception("java.nio.file.NoSuchFileException", path),
    };
    let offsets = match parse_offsets(&text) {
        Ok(offsets) => offsets,
        Err((class, message)) => return con.exception(class, &message),
    };
    // Each repeated partition once (Kafka collects them into a set), in a stable order.
    let mut seen = VecSet::new();
    let duplicates: VecSet<String> =
        offsets.iter().filter(|(tp, _)| !seen.insert(tp)).map(|((t, p), _)| format!("{t}-{p}")).collect();
    if !duplicates.is_empty() {
        let listed: Vec<&str> = duplicates.iter().map(String::as_str).collect();
        let message = format!("Offset json file contains duplicate topic partitions: {}", listed.join(","));
        return con.exception("kafka.common.AdminCommandFailedException", &message);
    }
    con.out("Executing records delete operation");
    let servers: Vec<String> =
        p.value("bootstrap-server").unwrap_or_default().split(',').map(|s| s.trim().to_string()).collect();
    let client = con.start_admin(world, servers, AdminCall::DeleteRecords { partitions: offsets });
    Outcome::Job(JobKind::DeleteRecords(DeleteRecordsJob { client }))
}

impl DeleteRecordsJob {
    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else { return };
        match outcome {
            AdminOutcome::Offsets(mut results) => {
                // Kafka prints in hash-map order; sorted reads better and stays deterministic.
                crate::sort::sort_by(&mut results, |a, b| a.0.cmp(&b.0));
                emit.out("Records delete operation completed:");
                for ((topic, partition), result) in results {
                    match result {
                        Ok(low) => emit.out(format!("partition: {topic}-{partition}\tlow_watermark: {low}")),
                        Err(e) => emit.out(format!(
                            "partition: {topic}-{partition}\terror: {}: {}",
                            e.error.exception(),
                            e.message
                        )),
                    }
                }
                emit.exit(0);
            }
            AdminOutcome::TimedOut(message) => {
                emit.out("Records delete operation completed:");
                emit.err(format!("org.apache.kafka.common.errors.TimeoutException: {message}"));
                emit.exit(1);
            }
            _ => emit.exit(1),
        }
    }
}
