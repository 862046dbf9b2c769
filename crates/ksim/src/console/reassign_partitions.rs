//! `kafka-reassign-partitions.sh` (`ReassignPartitionsCommand`, KIP-455): moves partitions
//! to other brokers (`--execute`), follows the move (`--verify`, `--list`), undoes it
//! (`--cancel`) and proposes an assignment (`--generate`), with the tool's exact lines.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::{ClientId, NodeId};
use crate::json::{self, Json};
use crate::node::ClientEvent;
use crate::protocol::{BrokerMetadata, OngoingReassignment, TopicMetadata};
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "additional", arg: None, help: "Execute this reassignment in addition to any other ongoing ones. This option can also be used to change the throttle of an ongoing reassignment." },
    OptSpec { name: "bootstrap-controller", arg: Some("String: bootstrap controller to connect to"), help: "The controller to use for reassignment. By default, the tool will get the quorum controller. This option supports the actions --cancel and --list." },
    OptSpec { name: "bootstrap-server", arg: Some("String: Server(s) to use for bootstrapping"), help: "the server(s) to use for bootstrapping." },
    OptSpec { name: "broker-list", arg: Some("String: brokerlist"), help: "The list of brokers to which the partitions need to be reassigned in the form \"0,1,2\". This is required if --topics-to-move-json-file is used to generate reassignment configuration" },
    OptSpec { name: "cancel", arg: None, help: "Cancel an active reassignment." },
    OptSpec { name: "command-config", arg: Some("String: Admin client property file"), help: "Property file containing configs to be passed to Admin Client." },
    OptSpec { name: "disable-rack-aware", arg: None, help: "Disable rack aware replica assignment" },
    OptSpec { name: "execute", arg: None, help: "Kick off the reassignment as specified by the --reassignment-json-file option." },
    OptSpec { name: "generate", arg: None, help: "Generate a candidate partition reassignment configuration. Note that this only generates a candidate assignment, it does not execute it." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "list", arg: None, help: "List all active partition reassignments." },
    OptSpec { name: "preserve-throttles", arg: None, help: "Do not modify broker or topic throttles." },
    OptSpec { name: "reassignment-json-file", arg: Some("String: manual assignment json file path"), help: "The JSON file with the partition reassignment configurationThe format to use is - {\"partitions\": [{\"topic\": \"foo\", \"partition\": 1, \"replicas\": [1,2,3], \"log_dirs\": [\"dir1\",\"dir2\",\"dir3\"] }], \"version\":1 } Note that \"log_dirs\" is optional. When it is specified, its length must equal the length of the replicas list. The value in this list can be either \"any\" or the absolution path of the log directory on the broker. If absolute log directory path is specified, the replica will be moved to the specified log directory on the broker." },
    OptSpec { name: "replica-alter-log-dirs-throttle", arg: Some("Long: replicaAlterLogDirsThrottle"), help: "The movement of replicas between log directories on the same broker will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s. (default: -1)" },
    OptSpec { name: "throttle", arg: Some("Long: throttle"), help: "The movement of partitions between brokers will be throttled to this value (bytes/sec). This option can be included with --execute when a reassignment is started, and it can be altered by resubmitting the current reassignment along with the --additional flag. The throttle rate should be at least 1 KB/s. (default: -1)" },
    OptSpec { name: "timeout", arg: Some("Long: timeout"), help: "The maximum time in ms to wait for log directory replica assignment to begin. (default: 10000)" },
    OptSpec { name: "topics-to-move-json-file", arg: Some("String: topics to reassign json file path"), help: "Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers specified by the --broker-list option. The format to use is - {\"topics\": [{\"topic\": \"foo\"},{\"topic\": \"foo1\"}], \"version\":1 }" },
    OptSpec { name: "verify", arg: None, help: "Verify if the reassignment completed as specified by the --reassignment-json-file option. If there is a throttle engaged for the replicas specified, and the rebalance has completed, the throttle will be removed" },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

const HELP_TEXT: &str = "This tool helps to move topic partitions between replicas.";

const CANNOT_EXECUTE: &str = "Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.";

/// The actions, in the order Kafka lists them.
const ACTIONS: [&str; 5] = ["generate", "execute", "verify", "cancel", "list"];

/// A partition and its replicas, as the JSON files give them.
type Assignment = Vec<((String, u32), Vec<NodeId>)>;

/// A thrown exception: its message and the first line of its stack trace.
struct Failure {
    message: String,
    trace: String,
}

impl Failure {
    fn new(class: &str, message: impl Into<String>) -> Failure {
        let message = message.into();
        Failure { trace: format!("{class}: {message}"), message }
    }

    /// An admin future's failure: `ExecutionException` wrapping the cause.
    fn execution(class: &str, message: &str) -> Failure {
        let cause = format!("{class}: {message}");
        Failure { trace: format!("java.util.concurrent.ExecutionException: {cause}"), message: cause }
    }
}

const COMMAND_FAILED: &str = "org.apache.kafka.server.common.AdminCommandFailedException";
const OPERATION: &str = "org.apache.kafka.server.common.AdminOperationException";
const MAPPING: &str = "com.fasterxml.jackson.databind.JsonMappingException";

#[derive(Clone)]
enum Action {
    Execute { proposed: Assignment, additional: bool },
    Verify { targets: Assignment, preserve: bool },
    Cancel { targets: Assignment, preserve: bool },
    List,
    Generate { brokers: Vec<NodeId>, topics: Vec<String> },
}

#[derive(Clone)]
pub(crate) struct ReassignJob {
    pub(crate) client: ClientId,
    action: Action,
    /// Cancel: the cluster's brokers, read before cancelling, for the throttle lines.
    cluster: Vec<NodeId>,
    /// Cancel: the partitions being cancelled.
    cancelling: Vec<(String, u32)>,
}

/// `CommandLineUtils.printUsageAndExit`: the message and the options on stderr.
fn usage(con: &mut Console, message: &str) -> Outcome {
    options::print_usage(con, SPECS, message)
}

/// `main`'s catch: `Error: ` and the message, then the stack trace, on stdout.
fn fail(con: &mut Console, f: Failure) -> Outcome {
    con.out(format!("Error: {}", f.message));
    con.out(f.trace);
    Outcome::Done(1)
}

fn fail_job(emit: &mut Emit, f: Failure) {
    emit.out(format!("Error: {}", f.message));
    emit.out(f.trace);
    emit.exit(1);
}

fn tp(t: &str, p: u32) -> String {
    format!("{t}-{p}")
}

fn join(ids: &[NodeId]) -> String {
    ids.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(",")
}

/// `formatAsReassignmentJson`: Jackson's compact output, partitions sorted.
pub(crate) fn reassignment_json(parts: &[((String, u32), Vec<NodeId>)]) -> String {
    let mut sorted: Vec<&((String, u32), Vec<NodeId>)> = parts.iter().collect();
    crate::sort::sort_by(&mut sorted, |a, b| a.0.cmp(&b.0));
    let entries: Vec<String> = sorted
        .iter()
        .map(|((t, p), replicas)| {
            let dirs = vec!["\"any\""; replicas.len()].join(",");
            format!("{{\"topic\":\"{t}\",\"partition\":{p},\"replicas\":[{}],\"log_dirs\":[{dirs}]}}", join(replicas))
        })
        .collect();
    format!("{{\"version\":1,\"partitions\":[{}]}}", entries.join(","))
}

fn expect_int(v: &Json) -> Result<i64, Failure> {
    v.as_i64().filter(|n| i32::try_from(*n).is_ok()).ok_or_else(|| Failure::new(MAPPING, "Expected `int` value"))
}

/// `parsePartitionReassignmentData`: version 1 only; `log_dirs` must match `replicas`.
fn parse_reassignment(text: &str) -> Result<Assignment, Failure> {
    let doc = json::parse(text).ok_or_else(|| {
        let cause = "com.fasterxml.jackson.core.JsonParseException: Unexpected character in the JSON document";
        Failure { message: cause.to_string(), trace: format!("{OPERATION}: {cause}") }
    })?;
    if !matches!(doc, Json::Object(_)) {
        return Err(Failure::new(MAPPING, "Expected JSON object"));
    }
    let version = match doc.get("version") {
        Some(v) => expect_int(v)?,
        None => 1,
    };
    if version != 1 {
        return Err(Failure::new(OPERATION, format!("Not supported version field value {version}")));
    }
    let Some(partitions) = doc.get("partitions") else { return Ok(Vec::new()) };
    let Json::Array(partitions) = partitions else {
        return Err(Failure::new(MAPPING, "Expected JSON array"));
    };
    let mut out = Vec::new();
    for entry in partitions {
        let field = |name: &str| {
            entry.get(name).ok_or_else(|| Failure::new(MAPPING, format!("No such field exists: `{name}`")))
        };
        let topic = field("topic")?.as_str().ok_or_else(|| Failure::new(MAPPING, "Expected `String` value"))?;
        let partition = expect_int(field("partition")?)?;
        let Json::Array(list) = field("replicas")? else {
            return Err(Failure::new(MAPPING, "Expected `int` value"));
        };
        let replicas: Vec<i64> = list.iter().map(expect_int).collect::<Result<_, _>>()?;
        let log_dirs: Vec<String> = match entry.get("log_dirs") {
            None => vec!["any".to_string(); replicas.len()],
            Some(Json::Array(dirs)) => dirs
                .iter()
                .map(|d| d.as_str().map(str::to_string).ok_or_else(|| Failure::new(MAPPING, "Expected `String` value")))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(Failure::new(MAPPING, "Expected `String` value")),
        };
        let show_list = |l: &[String]| format!("[{}]", l.join(", "));
        if replicas.len() != log_dirs.len() {
            let r: Vec<String> = replicas.iter().map(i64::to_string).collect();
            return Err(Failure::new(
                COMMAND_FAILED,
                format!(
                    "Size of replicas list {} is different from size of log dirs list {} for partition {topic}-{partition}",
                    show_list(&r),
                    show_list(&log_dirs)
                ),
            ));
        }
        if log_dirs.iter().any(|d| d != "any") {
            return Err(Failure::new(
                COMMAND_FAILED,
                "log_dirs other than \"any\" (moving replicas between log directories) are not simulated yet in Kafka Playground",
            ));
        }
        // Negative ids or partitions cannot exist; the controller would refuse them too.
        let Ok(partition) = u32::try_from(partition) else {
            return Err(Failure::execution(
                "org.apache.kafka.common.errors.UnknownTopicOrPartitionException",
                &format!("Unable to find partition: {topic}-{partition}"),
            ));
        };
        if let Some(bad) = replicas.iter().find(|r| **r < 0) {
            return Err(Failure::new(COMMAND_FAILED, format!("Unknown broker id {bad}")));
        }
        let replicas = replicas.into_iter().filter_map(|r| u32::try_from(r).ok()).map(NodeId).collect();
        out.push(((topic.to_string(), partition), replicas));
    }
    Ok(out)
}

/// `parseExecuteAssignmentArgs`' checks.
fn check_execute(parts: &Assignment) -> Result<(), Failure> {
    if parts.is_empty() {
        return Err(Failure::new(COMMAND_FAILED, "Partition reassignment list cannot be empty"));
    }
    if parts.iter().any(|(_, r)| r.is_empty()) {
        return Err(Failure::new(COMMAND_FAILED, "Partition replica list cannot be empty"));
    }
    let mut dup_parts: Vec<String> = parts
        .iter()
        .filter(|(k, _)| parts.iter().filter(|(o, _)| o == k).count() > 1)
        .map(|((t, p), _)| tp(t, *p))
        .collect();
    dup_parts.dedup();
    if !dup_parts.is_empty() {
        return Err(Failure::new(
            COMMAND_FAILED,
            format!("Partition reassignment contains duplicate topic partitions: {}", dup_parts.join(",")),
        ));
    }
    let dup_replicas: Vec<String> = parts
        .iter()
        .filter_map(|((t, p), replicas)| {
            let mut dups: Vec<NodeId> =
                replicas.iter().copied().filter(|r| replicas.iter().filter(|x| *x == r).count() > 1).collect();
            crate::sort::sort(&mut dups);
            dups.dedup();
            (!dups.is_empty()).then(|| format!("{} contains multiple entries for {}", tp(t, *p), join(&dups)))
        })
        .collect();
    if !dup_replicas.is_empty() {
        return Err(Failure::new(
            COMMAND_FAILED,
            format!("Partition replica lists may not contain duplicate entries: {}", dup_replicas.join(". ")),
        ));
    }
    Ok(())
}

/// `parseTopicsData`: `{"topics":[{"topic":"foo"}],"version":1}`.
fn parse_topics(text: &str) -> Result<Vec<String>, Failure> {
    let doc = json::parse(text).ok_or_else(|| Failure::new(OPERATION, "The input string is not a valid JSON"))?;
    let version = match doc.get("version") {
        Some(v) => expect_int(v)?,
        None => 1,
    };
    if version != 1 {
        return Err(Failure::new(OPERATION, format!("Not supported version field value {version}")));
    }
    let Some(topics) = doc.get("topics") else { return Ok(Vec::new()) };
    let Json::Array(topics) = topics else { return Err(Failure::new(MAPPING, "Expected JSON array")) };
    topics
        .iter()
        .map(|t| {
            let name = t.get("topic").ok_or_else(|| Failure::new(MAPPING, "No such field exists: `topic`"))?;
            name.as_str().map(str::to_string).ok_or_else(|| Failure::new(MAPPING, "Expected `String` value"))
        })
        .collect()
}

fn read_file(con: &Console, path: &str) -> Result<String, Failure> {
    con.vfs
        .read(&con.vfs.resolve(path))
        .map(str::to_string)
        .map_err(|_| Failure::new("java.nio.file.NoSuchFileException", path))
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return usage(con, &e.message),
    };
    if args.is_empty() || p.has("help") {
        return usage(con, HELP_TEXT);
    }
    if p.has("version") {
        con.out("4.0.0");
        return Outcome::Done(0);
    }
    let actions: Vec<&str> = ACTIONS.iter().copied().filter(|a| p.has(a)).collect();
    if actions.len() != 1 {
        return usage(
            con,
            "Command must include exactly one action: --generate, --execute, --verify, --cancel, --list",
        );
    }
    let action = actions[0];
    match (p.has("bootstrap-server"), p.has("bootstrap-controller")) {
        (true, true) => return usage(con, "Please don't specify both --bootstrap-server and --bootstrap-controller"),
        (false, false) => return usage(con, "Please specify either --bootstrap-server or --bootstrap-controller"),
        _ => {}
    }
    let required: &[&str] = match action {
        "generate" => &["topics-to-move-json-file", "broker-list"],
        "list" => &[],
        _ => &["reassignment-json-file"],
    };
    if let Some(missing) = required.iter().find(|o| !p.has(o)) {
        return usage(con, &format!("Missing required argument \"[{missing}]\""));
    }
    let permitted: &[&str] = match action {
        "verify" => &["bootstrap-server", "command-config", "preserve-throttles"],
        "generate" => &["bootstrap-server", "broker-list", "command-config", "disable-rack-aware"],
        "execute" => &[
            "additional",
            "bootstrap-server",
            "command-config",
            "throttle",
            "replica-alter-log-dirs-throttle",
            "timeout",
        ],
        "cancel" => &["bootstrap-server", "bootstrap-controller", "command-config", "preserve-throttles", "timeout"],
        _ => &["bootstrap-server", "bootstrap-controller", "command-config"],
    };
    // The first offending option as typed, as joptsimple's `specs()` lists them.
    for arg in args.iter().filter_map(|a| a.strip_prefix("--")) {
        let name = arg.split('=').next().unwrap_or_default();
        let known = SPECS.iter().any(|s| s.name == name);
        if known && name != action && !required.contains(&name) && !permitted.contains(&name) {
            return usage(con, &format!("Option \"[{name}]\" can't be used with action \"[{action}]\""));
        }
    }
    if p.has("bootstrap-controller") {
        con.err("kafka-reassign-partitions.sh --bootstrap-controller: not simulated yet in Kafka Playground; use --bootstrap-server.");
        return Outcome::Done(1);
    }
    if p.has("throttle") || p.has("replica-alter-log-dirs-throttle") {
        con.err("kafka-reassign-partitions.sh --throttle/--replica-alter-log-dirs-throttle: replication throttles are not simulated yet in Kafka Playground; run without them.");
        return Outcome::Done(1);
    }
    let json_file = |con: &Console, name: &str| read_file(con, p.value(name).unwrap_or_default());
    let action = match action {
        "execute" | "verify" | "cancel" => {
            let parts = match json_file(con, "reassignment-json-file").and_then(|t| parse_reassignment(&t)) {
                Ok(parts) => parts,
                Err(f) => return fail(con, f),
            };
            let preserve = p.has("preserve-throttles");
            match action {
                "execute" => {
                    if let Err(f) = check_execute(&parts) {
                        return fail(con, f);
                    }
                    Action::Execute { proposed: parts, additional: p.has("additional") }
                }
                "verify" => Action::Verify { targets: parts, preserve },
                _ => Action::Cancel { targets: parts, preserve },
            }
        }
        "generate" => {
            let list = p.value("broker-list").unwrap_or_default();
            let mut brokers = Vec::new();
            for item in list.split(',') {
                match item.parse::<i32>() {
                    Ok(b) if b >= 0 => brokers.push(NodeId(b as u32)),
                    Ok(_) => {}
                    Err(_) => {
                        let message = format!("For input string: \"{item}\"");
                        return fail(con, Failure::new("java.lang.NumberFormatException", message));
                    }
                }
            }
            let mut dups: Vec<NodeId> =
                brokers.iter().copied().filter(|b| brokers.iter().filter(|x| *x == b).count() > 1).collect();
            crate::sort::sort(&mut dups);
            dups.dedup();
            if !dups.is_empty() {
                let shown: Vec<String> = dups.iter().map(|b| b.0.to_string()).collect();
                let message = format!("Broker list contains duplicate entries: [{}]", shown.join(", "));
                return fail(con, Failure::new(COMMAND_FAILED, message));
            }
            let topics = match json_file(con, "topics-to-move-json-file").and_then(|t| parse_topics(&t)) {
                Ok(t) => t,
                Err(f) => return fail(con, f),
            };
            let mut dup_topics: Vec<&String> =
                topics.iter().filter(|t| topics.iter().filter(|x| x == t).count() > 1).collect();
            crate::sort::sort(&mut dup_topics);
            dup_topics.dedup();
            if !dup_topics.is_empty() {
                let shown: Vec<&str> = dup_topics.iter().map(|s| s.as_str()).collect();
                let message = format!("List of topics to reassign contains duplicate entries: [{}]", shown.join(", "));
                return fail(con, Failure::new(COMMAND_FAILED, message));
            }
            Action::Generate { brokers, topics }
        }
        _ => Action::List,
    };
    let servers: Vec<String> =
        p.value("bootstrap-server").unwrap_or_default().split(',').map(|s| s.trim().to_string()).collect();
    let client = con.start_admin(world, servers, AdminCall::ListReassignments);
    Outcome::Job(JobKind::Reassign(ReassignJob { client, action, cluster: Vec::new(), cancelling: Vec::new() }))
}

/// A partition's replicas in the metadata, if it exists.
fn replicas_of(topics: &[TopicMetadata], topic: &str, partition: u32) -> Option<Vec<NodeId>> {
    let t = topics.iter().find(|t| t.name == topic && t.error.is_none())?;
    t.partitions.iter().find(|p| p.partition == partition).map(|p| p.replicas.clone())
}

/// `clearAllThrottles`' two lines (there are no throttles to clear in the simulation).
fn clearing_throttles(cluster: &[NodeId], targets: &Assignment) -> (String, String) {
    let mut brokers: Vec<NodeId> = cluster.to_vec();
    brokers.extend(targets.iter().flat_map(|(_, r)| r.iter().copied()));
    crate::sort::sort(&mut brokers);
    brokers.dedup();
    // Kafka prints a HashSet: small broker ids come out ascending; topics are sorted here.
    let mut topics: Vec<&str> = targets.iter().map(|((t, _), _)| t.as_str()).collect();
    crate::sort::sort(&mut topics);
    topics.dedup();
    (
        format!(
            "Clearing broker-level throttles on broker{} {}",
            if brokers.len() == 1 { "" } else { "s" },
            join(&brokers)
        ),
        format!(
            "Clearing topic-level throttles on topic{} {}",
            if topics.len() == 1 { "" } else { "s" },
            topics.join(",")
        ),
    )
}

/// `AdminUtils.assignReplicasToBrokersRackUnaware`. Kafka draws the start index and the
/// replica shift at random; the simulation starts both at 0 so `--generate` is repeatable.
fn assign_rack_unaware(partitions: u32, rf: usize, brokers: &[NodeId]) -> Vec<Vec<NodeId>> {
    let n = brokers.len();
    let mut shift = 0usize;
    let mut out = Vec::new();
    for p in 0..partitions as usize {
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = p % n;
        let mut replicas = vec![brokers[first]];
        for j in 0..rf.saturating_sub(1) {
            let step = 1 + (shift + j) % (n - 1).max(1);
            replicas.push(brokers[(first + step) % n]);
        }
        out.push(replicas);
    }
    out
}

impl ReassignJob {
    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else { return };
        match outcome {
            AdminOutcome::Reassignments { brokers, topics, ongoing } => {
                self.on_listed(&brokers, &topics, &ongoing, emit)
            }
            AdminOutcome::ReassignmentsAltered(results) => self.on_altered(results, emit),
            AdminOutcome::TimedOut(message) => {
                fail_job(emit, Failure::execution("org.apache.kafka.common.errors.TimeoutException", &message))
            }
            _ => emit.exit(1),
        }
    }

    fn on_listed(
        &mut self,
        brokers: &[BrokerMetadata],
        topics: &[TopicMetadata],
        ongoing: &[OngoingReassignment],
        emit: &mut Emit,
    ) {
        let mut cluster: Vec<NodeId> = brokers.iter().map(|b| b.node_id).collect();
        crate::sort::sort(&mut cluster);
        self.cluster = cluster.clone();
        let is_ongoing = |t: &str, p: u32| ongoing.iter().find(|o| o.topic == t && o.partition == p);
        match &self.action {
            Action::List => {
                if ongoing.is_empty() {
                    emit.out("No partition reassignments found.");
                } else {
                    emit.out("Current partition reassignments:");
                    for o in ongoing {
                        let adding =
                            if o.adding.is_empty() { String::new() } else { format!(" adding: {}.", join(&o.adding)) };
                        let removing = if o.removing.is_empty() {
                            String::new()
                        } else {
                            format!(" removing: {}.", join(&o.removing))
                        };
                        emit.out(format!(
                            "{}: replicas: {}.{adding}{removing}",
                            tp(&o.topic, o.partition),
                            join(&o.replicas)
                        ));
                    }
                }
                emit.exit(0);
            }
            Action::Execute { proposed, additional } => {
                if !additional && !ongoing.is_empty() {
                    emit.out(CANNOT_EXECUTE);
                    return emit.exit(1);
                }
                let mut wanted: Vec<NodeId> = proposed.iter().flat_map(|(_, r)| r.iter().copied()).collect();
                crate::sort::sort(&mut wanted);
                if let Some(unknown) = wanted.iter().find(|b| !cluster.contains(b)) {
                    return fail_job(emit, Failure::new(COMMAND_FAILED, format!("Unknown broker id {}", unknown.0)));
                }
                let mut current = Vec::new();
                let mut missing = Vec::new();
                for ((t, p), _) in proposed {
                    match replicas_of(topics, t, *p) {
                        Some(r) => current.push(((t.clone(), *p), r)),
                        None => missing.push(tp(t, *p)),
                    }
                }
                if !missing.is_empty() {
                    let message = format!("Unable to find partition: {}", missing.join(", "));
                    let class = "org.apache.kafka.common.errors.UnknownTopicOrPartitionException";
                    return fail_job(emit, Failure::execution(class, &message));
                }
                emit.out("Current partition replica assignment");
                emit.out("");
                emit.out(reassignment_json(&current));
                emit.out("");
                emit.out("Save this to use as the --reassignment-json-file option during rollback");
                let partitions = proposed.iter().map(|(k, r)| (k.clone(), Some(r.clone()))).collect();
                emit.start_admin = Some(AdminCall::AlterReassignments { partitions });
            }
            Action::Verify { targets, preserve } => {
                let mut sorted: Vec<&((String, u32), Vec<NodeId>)> = targets.iter().collect();
                crate::sort::sort_by(&mut sorted, |a, b| a.0.cmp(&b.0));
                sorted.dedup_by(|a, b| a.0 == b.0);
                emit.out("Status of partition reassignment:");
                for ((t, p), target) in sorted {
                    if is_ongoing(t, *p).is_some() {
                        emit.out(format!("Reassignment of partition {} is still in progress.", tp(t, *p)));
                        continue;
                    }
                    let current = replicas_of(topics, t, *p).unwrap_or_default();
                    if current == *target {
                        emit.out(format!("Reassignment of partition {} is completed.", tp(t, *p)));
                    } else {
                        emit.out(format!(
                            "There is no active reassignment of partition {}, but replica set is {} rather than {}.",
                            tp(t, *p),
                            join(&current),
                            join(target)
                        ));
                    }
                }
                // The (empty) report of log directory moves.
                emit.out("");
                if ongoing.is_empty() && !preserve {
                    let (brokers, topics) = clearing_throttles(&cluster, targets);
                    emit.out(brokers);
                    emit.out(topics);
                }
                emit.exit(0);
            }
            Action::Cancel { targets, preserve } => {
                let mut cancelling: Vec<(String, u32)> =
                    targets.iter().filter_map(|((t, p), _)| is_ongoing(t, *p).map(|_| (t.clone(), *p))).collect();
                crate::sort::sort(&mut cancelling);
                cancelling.dedup();
                if cancelling.is_empty() {
                    emit.out("None of the specified partition reassignments are active.");
                    Self::cancel_tail(&cluster, targets, *preserve, emit);
                    return emit.exit(0);
                }
                let partitions = cancelling.iter().map(|k| (k.clone(), None)).collect();
                self.cancelling = cancelling;
                emit.start_admin = Some(AdminCall::AlterReassignments { partitions });
            }
            Action::Generate { brokers: wanted, topics: names } => {
                let mut current: Assignment = Vec::new();
                for name in names {
                    match topics.iter().find(|t| t.name == *name && t.error.is_none()) {
                        Some(t) => current
                            .extend(t.partitions.iter().map(|p| ((name.clone(), p.partition), p.replicas.clone()))),
                        None => {
                            let class = "org.apache.kafka.common.errors.UnknownTopicOrPartitionException";
                            return fail_job(emit, Failure::execution(class, &format!("Topic {name} not found.")));
                        }
                    }
                }
                let mut usable: Vec<NodeId> = cluster.iter().copied().filter(|b| wanted.contains(b)).collect();
                crate::sort::sort(&mut usable);
                let mut proposed: Assignment = Vec::new();
                let mut by_topic: Vec<&str> = names.iter().map(String::as_str).collect();
                crate::sort::sort(&mut by_topic);
                by_topic.dedup();
                for name in by_topic {
                    let parts: Vec<&((String, u32), Vec<NodeId>)> =
                        current.iter().filter(|((t, _), _)| t == name).collect();
                    let rf = parts.first().map_or(0, |(_, r)| r.len());
                    if rf > usable.len() {
                        let message =
                            format!("Replication factor: {rf} larger than available brokers: {}.", usable.len());
                        let class = "org.apache.kafka.common.errors.InvalidReplicationFactorException";
                        return fail_job(emit, Failure::new(class, message));
                    }
                    if usable.is_empty() {
                        continue;
                    }
                    for (p, replicas) in assign_rack_unaware(parts.len() as u32, rf, &usable).into_iter().enumerate() {
                        proposed.push(((name.to_string(), p as u32), replicas));
                    }
                }
                emit.out("Current partition replica assignment");
                emit.out(reassignment_json(&current));
                emit.out("");
                emit.out("Proposed partition reassignment configuration");
                emit.out(reassignment_json(&proposed));
                emit.exit(0);
            }
        }
    }

    /// After `--cancel`'s first line: there are never log directory moves to cancel, and
    /// Kafka prints that without a line break, so the throttle line follows on the same line.
    fn cancel_tail(cluster: &[NodeId], targets: &Assignment, preserve: bool, emit: &mut Emit) {
        let none = "None of the specified partition moves are active.";
        if preserve {
            emit.out(none);
        } else {
            let (brokers, topics) = clearing_throttles(cluster, targets);
            emit.out(format!("{none}{brokers}"));
            emit.out(topics);
        }
    }

    fn on_altered(&mut self, results: Vec<((String, u32), Option<crate::error::ApiError>)>, emit: &mut Emit) {
        let mut errors: Vec<(String, String)> =
            results.iter().filter_map(|((t, p), e)| e.as_ref().map(|e| (tp(t, *p), e.message.clone()))).collect();
        crate::sort::sort(&mut errors);
        match &self.action {
            Action::Execute { proposed, .. } => {
                if !errors.is_empty() {
                    emit.out("Error reassigning partition(s):");
                    for (part, message) in errors {
                        emit.out(format!("{part}: {message}"));
                    }
                    return emit.exit(1);
                }
                let mut parts: Vec<&(String, u32)> = proposed.iter().map(|(k, _)| k).collect();
                crate::sort::sort(&mut parts);
                let names: Vec<String> = parts.iter().map(|(t, p)| tp(t, *p)).collect();
                emit.out(format!(
                    "Successfully started partition reassignment{} for {}",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(",")
                ));
                emit.exit(0);
            }
            Action::Cancel { targets, preserve } => {
                if !errors.is_empty() {
                    emit.out(format!(
                        "Error cancelling partition reassignment{} for:",
                        if errors.len() == 1 { "" } else { "s" }
                    ));
                    for (part, message) in errors {
                        emit.out(format!("{part}: {message}"));
                    }
                    return emit.exit(1);
                }
                let names: Vec<String> = self.cancelling.iter().map(|(t, p)| tp(t, *p)).collect();
                emit.out(format!(
                    "Successfully cancelled partition reassignment{} for: {}",
                    if names.len() == 1 { "" } else { "s" },
                    names.join(",")
                ));
                Self::cancel_tail(&self.cluster, targets, *preserve, emit);
                emit.exit(0);
            }
            _ => emit.exit(1),
        }
    }
}
