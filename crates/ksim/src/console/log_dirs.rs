//! `kafka-log-dirs.sh --describe` (`LogDirsCommand`): every queried broker's log directory
//! with the size of each replica it holds, as the tool's one line of JSON.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::protocol::{LogDirDescription, ReplicaInfo};
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "bootstrap-server", arg: Some("String: The server(s) to use for bootstrapping"), help: "REQUIRED: the server(s) to use for bootstrapping" },
    OptSpec { name: "broker-list", arg: Some("String: Broker list"), help: "The list of brokers to be queried in the form \"0,1,2\". All brokers in the cluster will be queried if no broker list is specified (default: )" },
    OptSpec { name: "command-config", arg: Some("String: Admin client property file"), help: "Property file containing configs to be passed to Admin Client." },
    OptSpec { name: "describe", arg: None, help: "Describe the specified log directories on the specified brokers." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "topic-list", arg: Some("String: Topic list"), help: "The list of topics to be queried in the form \"topic1,topic2,topic3\". All topics will be queried if no topic list is specified (default: )" },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

const ABOUT: &str = "This tool helps to query log directory usage on the specified brokers.";

#[derive(Clone)]
pub(crate) struct LogDirsJob {
    pub(crate) client: ClientId,
    topics: Vec<String>,
}

fn usage(con: &mut Console, message: &str) -> Outcome {
    options::print_usage(con, SPECS, message)
}

fn split(value: Option<&str>) -> Vec<String> {
    value.unwrap_or_default().split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return usage(con, &e.message),
    };
    if args.is_empty() {
        return usage(con, ABOUT);
    }
    if p.has("help") {
        return options::print_help(con, SPECS, Some(ABOUT));
    }
    for required in ["bootstrap-server", "describe"] {
        if !p.has(required) {
            return usage(con, &format!("Missing required argument \"[{required}]\""));
        }
    }
    let mut brokers = Vec::new();
    for b in split(p.value("broker-list")) {
        match b.parse::<u32>() {
            Ok(id) => brokers.push(id),
            Err(_) => {
                return con.exception("java.lang.NumberFormatException", &format!("For input string: \"{b}\""));
            }
        }
    }
    let servers = split(p.value("bootstrap-server"));
    let client = con.start_admin(world, servers, AdminCall::DescribeLogDirs { brokers });
    Outcome::Job(JobKind::LogDirs(LogDirsJob { client, topics: split(p.value("topic-list")) }))
}

/// A JSON string as Jackson writes it.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Java's `String.hashCode`.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// The order a `java.util.HashMap` keyed by `TopicPartition` iterates in: by bucket of the
/// spread hash in a table sized for the entries (the tool collects into one).
fn hash_map_order(replicas: &mut [&ReplicaInfo]) {
    let mut capacity = 16usize;
    while replicas.len() * 4 > capacity * 3 {
        capacity *= 2;
    }
    let bucket = |r: &ReplicaInfo| {
        let h = 31i32.wrapping_mul(31i32.wrapping_add(r.partition as i32)).wrapping_add(java_string_hash(&r.topic));
        let spread = (h ^ ((h as u32) >> 16) as i32) as u32;
        spread as usize & (capacity - 1)
    };
    replicas
        .sort_by(|a, b| bucket(a).cmp(&bucket(b)).then_with(|| (&a.topic, a.partition).cmp(&(&b.topic, b.partition))));
}

fn log_dir_json(dir: &LogDirDescription, topics: &[String]) -> String {
    let mut replicas: Vec<&ReplicaInfo> =
        dir.replicas.iter().filter(|r| topics.is_empty() || topics.contains(&r.topic)).collect();
    hash_map_order(&mut replicas);
    let partitions: Vec<String> = replicas
        .iter()
        .map(|r| {
            format!(
                "{{\"partition\":{},\"size\":{},\"offsetLag\":{},\"isFuture\":false}}",
                quoted(&format!("{}-{}", r.topic, r.partition)),
                r.size_bytes,
                r.offset_lag
            )
        })
        .collect();
    format!("{{\"partitions\":[{}],\"error\":null,\"logDir\":{}}}", partitions.join(","), quoted(&dir.path))
}

impl LogDirsJob {
    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else { return };
        let ids = |list: &[u32]| list.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        match outcome {
            AdminOutcome::NoSuchBrokers(missing, cluster) => {
                emit.err(format!(
                    "ERROR: The given brokers do not exist from --broker-list: {}. Current existent brokers: {}",
                    ids(&missing),
                    ids(&cluster)
                ));
                emit.exit(1);
            }
            AdminOutcome::LogDirs(by_broker) => {
                emit.out("Querying brokers for log directories information");
                let queried: Vec<u32> = by_broker.iter().map(|(b, _)| *b).collect();
                emit.out(format!("Received log directory information from brokers {}", ids(&queried)));
                let brokers: Vec<String> = by_broker
                    .iter()
                    .map(|(broker, dirs)| {
                        let dirs: Vec<String> = dirs.iter().map(|d| log_dir_json(d, &self.topics)).collect();
                        format!("{{\"broker\":{broker},\"logDirs\":[{}]}}", dirs.join(","))
                    })
                    .collect();
                emit.out(format!("{{\"brokers\":[{}],\"version\":1}}", brokers.join(",")));
                emit.exit(0);
            }
            AdminOutcome::TimedOut(message) => {
                emit.err(format!("org.apache.kafka.common.errors.TimeoutException: {message}"));
                emit.exit(1);
            }
            _ => emit.exit(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hashes_match_the_jvm() {
        // Values from `"...".hashCode()` on a JVM.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("test"), 3556498);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    }
}
