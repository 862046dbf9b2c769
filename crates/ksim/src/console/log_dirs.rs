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

fn log_dir_json(dir: &LogDirDescription, topics: &[String]) -> String {
    let mut replicas: Vec<&ReplicaInfo> =
        dir.replicas.iter().filter(|r| topics.is_empty() || topics.contains(&r.topic)).collect();
    // The tool collects the replicas into a HashMap keyed by TopicPartition.
    crate::sort::sort_by(&mut replicas, |a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    let replicas = crate::java::hash_map_order(replicas, |r| crate::java::topic_partition_hash(&r.topic, r.partition));
    let partitions: Vec<String> = replicas
        .iter()
        .map(|r| {
            format!(
                "{{\"partition\":{},\"size\":{},\"offsetLag\":{},\"isFuture\":false}}",
                crate::json::quote(&format!("{}-{}", r.topic, r.partition)),
                r.size_bytes,
                r.offset_lag
            )
        })
        .collect();
    format!("{{\"partitions\":[{}],\"error\":null,\"logDir\":{}}}", partitions.join(","), crate::json::quote(&dir.path))
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
