//! `kafka-topics.sh` (`TopicCommand`): create, list, describe and delete through the
//! Admin client, with the tool's option checks, output formats and error texts.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec, Parsed};
use super::pattern::TopicPattern;
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::protocol::{CreatableTopic, TopicMetadata};
use crate::time::format_log_timestamp;
use crate::topic_name;
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "alter", arg: None, help: "Alter the number of partitions and replica assignment." },
    OptSpec { name: "at-min-isr-partitions", arg: None, help: "If set when describing topics, only show partitions whose isr count is equal to the configured minimum." },
    OptSpec { name: "bootstrap-server", arg: Some("String: server to connect to"), help: "REQUIRED: The Kafka server to connect to." },
    OptSpec { name: "command-config", arg: Some("String: command config property file"), help: "Property file containing configs to be passed to Admin Client." },
    OptSpec { name: "config", arg: Some("String: name=value"), help: "A topic configuration override for the topic being created." },
    OptSpec { name: "create", arg: None, help: "Create a new topic." },
    OptSpec { name: "delete", arg: None, help: "Delete a topic." },
    OptSpec { name: "describe", arg: None, help: "List details for the given topics." },
    OptSpec { name: "exclude-internal", arg: None, help: "Exclude internal topics when listing or describing topics." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "if-exists", arg: None, help: "If set when altering or deleting or describing topics, the action will only execute if the topic exists." },
    OptSpec { name: "if-not-exists", arg: None, help: "If set when creating topics, the action will only execute if the topic does not already exist." },
    OptSpec { name: "list", arg: None, help: "List all available topics." },
    OptSpec { name: "partitions", arg: Some("Integer: # of partitions"), help: "The number of partitions for the topic being created or altered. If not supplied with --create, the topic uses the cluster default." },
    OptSpec { name: "replica-assignment", arg: Some("String: broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , ..."), help: "A list of manual partition-to-broker assignments for the topic being created or altered." },
    OptSpec { name: "replication-factor", arg: Some("Integer: replication factor"), help: "The replication factor for each partition in the topic being created. If not supplied, the topic uses the cluster default." },
    OptSpec { name: "topic", arg: Some("String: topic"), help: "The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option." },
    OptSpec { name: "topic-id", arg: Some("String: topic-id"), help: "The topic-id to describe." },
    OptSpec { name: "topics-with-overrides", arg: None, help: "If set when describing topics, only show topics that have overridden configs." },
    OptSpec { name: "unavailable-partitions", arg: None, help: "If set when describing topics, only show partitions whose leader is not available." },
    OptSpec { name: "under-min-isr-partitions", arg: None, help: "If set when describing topics, only show partitions whose isr count is less than the configured minimum." },
    OptSpec { name: "under-replicated-partitions", arg: None, help: "If set when describing topics, only show under-replicated partitions." },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

#[derive(Clone)]
enum Action {
    Create { name: String, if_not_exists: bool },
    List { pattern: Option<String>, exclude_internal: bool },
    Describe { pattern: Option<String>, if_exists: bool, only: Filter },
    Delete { pattern: String, if_exists: bool, deleting: bool },
    Alter { pattern: String, if_exists: bool, total: u32, altering: bool },
}

/// `--describe` report filters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    UnderReplicated,
    UnderMinIsr,
    AtMinIsr,
    Unavailable,
}

#[derive(Clone)]
pub(crate) struct TopicsJob {
    pub(crate) client: ClientId,
    action: Action,
}

fn usage(con: &mut Console, message: &str) -> Outcome {
    options::print_usage(con, SPECS, message)
}

/// Errors thrown before the tool runs: message and stack trace on stderr.
fn thrown(con: &mut Console, exception: &str, message: &str) -> Outcome {
    con.err(message.to_string());
    con.err(format!("{exception}: {message}"));
    Outcome::Done(1)
}

fn exit_status(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Done(status) => status,
        Outcome::Job(_) => 0,
    }
}

fn count_actions(p: &Parsed) -> usize {
    ["create", "list", "alter", "describe", "delete"].iter().filter(|a| p.has(a)).count()
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    if args.is_empty() {
        return usage(con, "Create, delete, describe, or change a topic.");
    }
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return thrown(con, e.exception, &e.message),
    };
    if p.has("help") {
        return options::print_help(
            con,
            SPECS,
            Some("This tool helps to create, delete, describe, or change a topic."),
        );
    }
    if p.has("version") {
        con.out("4.0.0");
        return Outcome::Done(0);
    }
    if count_actions(&p) != 1 {
        return usage(
            con,
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete",
        );
    }
    let Some(bootstrap) = p.value("bootstrap-server") else {
        return thrown(con, "java.lang.IllegalArgumentException", "--bootstrap-server must be specified");
    };
    if !p.has("list") && !p.has("describe") && !p.has("topic") {
        return usage(con, "Missing required argument \"[topic]\"");
    }
    if p.has("alter") {
        if p.has("config") {
            return usage(con, "Option combination \"[bootstrap-server],[config]\" can't be used with option \"[alter]\". To alter topic configs, use kafka-configs.sh.");
        }
        if !p.has("partitions") {
            return usage(con, "Missing required argument \"[partitions]\"");
        }
        if p.has("replica-assignment") {
            con.err("kafka-topics.sh --alter --replica-assignment: not simulated yet in Kafka Playground.");
            return Outcome::Done(1);
        }
    }
    for (opt, allowed) in [
        ("config", &["create", "alter"][..]),
        ("partitions", &["create", "alter"]),
        ("replication-factor", &["create"]),
        ("if-not-exists", &["create"]),
        ("if-exists", &["alter", "delete", "describe"]),
        ("exclude-internal", &["list", "describe"]),
    ] {
        if p.has(opt) {
            if let Some(action) =
                ["create", "list", "describe", "delete"].iter().find(|a| p.has(a) && !allowed.contains(a))
            {
                return usage(con, &format!("Option \"[{opt}]\" can't be used with option \"[{action}]\""));
            }
        }
    }
    let bootstrap_servers: Vec<String> =
        bootstrap.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if let Some(bad) =
        bootstrap_servers.iter().find(|s| s.rsplit_once(':').is_none_or(|(_, port)| port.parse::<u16>().is_err()))
    {
        let message = format!("Invalid url in bootstrap.servers: {bad}");
        con.out(format!("Error while executing topic command : {message}"));
        log_error(con, world, "org.apache.kafka.common.config.ConfigException", &message);
        return Outcome::Done(1);
    }
    let topic = p.value("topic").map(str::to_string);
    if let Some(t) = &topic {
        if !p.has("create") {
            if let Err(e) = TopicPattern::new(t).map(|_| ()) {
                return thrown(con, "java.util.regex.PatternSyntaxException", &e);
            }
        }
    }
    let (action, call) = if p.has("create") {
        match create_request(con, world, &p) {
            Ok(request) => {
                let name = request.name.clone();
                (Action::Create { name, if_not_exists: p.has("if-not-exists") }, AdminCall::CreateTopics(vec![request]))
            }
            Err(status) => return Outcome::Done(status),
        }
    } else if p.has("alter") {
        let total = match p.value("partitions").map(str::parse::<i64>) {
            Some(Ok(n)) if n >= 1 => n as u32,
            Some(Ok(_)) => {
                con.out("Error while executing topic command : The partitions must be greater than 0");
                log_error(con, world, "java.lang.IllegalArgumentException", "The partitions must be greater than 0");
                return Outcome::Done(1);
            }
            _ => {
                return thrown(
                    con,
                    "joptsimple.OptionArgumentConversionException",
                    &format!(
                        "Cannot parse argument '{}' of option partitions",
                        p.value("partitions").unwrap_or_default()
                    ),
                )
            }
        };
        let pattern = topic.unwrap_or_default();
        (
            Action::Alter { pattern, if_exists: p.has("if-exists"), total, altering: false },
            AdminCall::Metadata { call: "listTopics" },
        )
    } else if p.has("list") {
        (
            Action::List { pattern: topic, exclude_internal: p.has("exclude-internal") },
            AdminCall::Metadata { call: "listTopics" },
        )
    } else if p.has("describe") {
        let only = if p.has("under-replicated-partitions") {
            Filter::UnderReplicated
        } else if p.has("under-min-isr-partitions") {
            Filter::UnderMinIsr
        } else if p.has("at-min-isr-partitions") {
            Filter::AtMinIsr
        } else if p.has("unavailable-partitions") {
            Filter::Unavailable
        } else {
            Filter::All
        };
        (
            Action::Describe { pattern: topic, if_exists: p.has("if-exists"), only },
            AdminCall::Metadata { call: "describeTopics" },
        )
    } else {
        let pattern = topic.unwrap_or_default();
        (
            Action::Delete { pattern, if_exists: p.has("if-exists"), deleting: false },
            AdminCall::Metadata { call: "listTopics" },
        )
    };
    let client = con.start_admin(world, bootstrap_servers, call);
    Outcome::Job(JobKind::Topics(TopicsJob { client, action }))
}

/// The CreateTopics request, or the exit status after printing why there is none.
fn create_request(con: &mut Console, world: &World, p: &Parsed) -> Result<CreatableTopic, i32> {
    let name = p.value("topic").unwrap_or_default().to_string();
    let fail = |con: &mut Console, message: &str| {
        con.out(format!("Error while executing topic command : {message}"));
        log_error(con, world, "java.lang.IllegalArgumentException", message);
        1
    };
    let int = |key: &str| -> Result<Option<i64>, String> {
        match p.value(key) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| format!("Cannot parse argument '{v}' of option {key}")),
        }
    };
    let (partitions, replication_factor) = match (int("partitions"), int("replication-factor")) {
        (Ok(p), Ok(r)) => (p, r),
        (Err(m), _) | (_, Err(m)) => {
            return Err(exit_status(thrown(con, "joptsimple.OptionArgumentConversionException", &m)))
        }
    };
    if replication_factor.is_some_and(|rf| !(1..=i64::from(i16::MAX)).contains(&rf)) {
        return Err(fail(con, "The replication factor must be between 1 and 32767 inclusive"));
    }
    if partitions.is_some_and(|n| n < 1) {
        return Err(fail(con, "The partitions must be greater than 0"));
    }
    if p.has("replica-assignment") {
        return Err(fail(
            con,
            "--replica-assignment is not simulated yet in Kafka Playground (it comes with the replication issue)",
        ));
    }
    let mut configs = Vec::new();
    for entry in p.values("config") {
        match entry.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => configs.push((k.trim().to_string(), v.trim().to_string())),
            _ => {
                return Err(fail(
                    con,
                    &format!(
                        "Invalid topic config: all configs to be added must be in the format \"key=val\" ({entry})"
                    ),
                ))
            }
        }
    }
    if topic_name::has_collision_chars(&name) {
        con.out("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.");
    }
    Ok(CreatableTopic {
        name,
        num_partitions: partitions.map_or(-1, |n| i32::try_from(n).unwrap_or(i32::MAX)),
        replication_factor: replication_factor.map_or(-1, |n| n as i16),
        configs,
    })
}

/// `LOG.error(stackTrace)` in the tools' log4j layout (stack frames left out).
fn log_error(con: &mut Console, world: &World, exception: &str, message: &str) {
    let ts = format_log_timestamp(world.now().wall_ms());
    con.err(format!("{ts} ERROR {exception}: {message} (org.apache.kafka.tools.TopicCommand)"));
}

fn error_lines(emit: &mut Emit, exception: &str, message: &str, at_ms: u64) {
    emit.out(format!("Error while executing topic command : {message}"));
    emit.err(format!(
        "{} ERROR {exception}: {message} (org.apache.kafka.tools.TopicCommand)",
        format_log_timestamp(at_ms)
    ));
    emit.exit(1);
}

fn join_ids(ids: &[crate::ids::NodeId]) -> String {
    ids.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(",")
}

impl TopicsJob {
    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else {
            return;
        };
        let at_ms = emit.now_wall_ms;
        match (&mut self.action, outcome) {
            (_, AdminOutcome::TimedOut(message)) => {
                error_lines(emit, "org.apache.kafka.common.errors.TimeoutException", &message, at_ms)
            }
            (Action::Create { name, if_not_exists }, AdminOutcome::Created(results)) => {
                match results.into_iter().next().and_then(|r| r.error) {
                    None => {
                        emit.out(format!("Created topic {name}."));
                        emit.exit(0);
                    }
                    Some(e) if *if_not_exists && e.error == crate::error::KafkaError::TopicAlreadyExists => {
                        emit.exit(0)
                    }
                    Some(e) => error_lines(emit, e.error.exception(), &e.message, at_ms),
                }
            }
            (Action::List { pattern, exclude_internal }, AdminOutcome::Metadata { topics, .. }) => {
                let names = matching(&topics, pattern.as_deref(), *exclude_internal);
                emit.out(names.join("\n"));
                emit.exit(0);
            }
            (Action::Describe { pattern, if_exists, only }, AdminOutcome::Metadata { topics, .. }) => {
                let names = matching(&topics, pattern.as_deref(), false);
                if names.is_empty() && pattern.is_some() && !*if_exists {
                    let message =
                        format!("Topic 'Optional[{}]' does not exist as expected", pattern.clone().unwrap_or_default());
                    return error_lines(emit, "java.lang.IllegalArgumentException", &message, at_ms);
                }
                for name in names {
                    if let Some(t) = topics.iter().find(|t| t.name == name) {
                        describe(t, *only, emit);
                    }
                }
                emit.exit(0);
            }
            (Action::Delete { pattern, if_exists, deleting }, AdminOutcome::Metadata { topics, .. }) if !*deleting => {
                let names = matching(&topics, Some(pattern), false);
                if names.is_empty() {
                    if *if_exists {
                        return emit.exit(0);
                    }
                    let message = format!("Topic 'Optional[{pattern}]' does not exist as expected");
                    return error_lines(emit, "java.lang.IllegalArgumentException", &message, at_ms);
                }
                *deleting = true;
                emit.start_admin = Some(AdminCall::DeleteTopics(names));
            }
            (Action::Alter { pattern, if_exists, total, altering }, AdminOutcome::Metadata { topics, .. })
                if !*altering =>
            {
                let names = matching(&topics, Some(pattern), false);
                let Some(name) = names.into_iter().next() else {
                    if *if_exists {
                        return emit.exit(0);
                    }
                    let message = format!("Topic 'Optional[{pattern}]' does not exist as expected");
                    return error_lines(emit, "java.lang.IllegalArgumentException", &message, at_ms);
                };
                *altering = true;
                emit.start_admin = Some(AdminCall::CreatePartitions { topic: name, total: *total });
            }
            (Action::Alter { .. }, AdminOutcome::PartitionsCreated(error)) => match error {
                None => emit.exit(0),
                Some(e) => error_lines(emit, e.error.exception(), &e.message, at_ms),
            },
            (Action::Delete { .. }, AdminOutcome::Deleted(results)) => {
                match results.into_iter().find_map(|r| r.error) {
                    None => emit.exit(0),
                    Some(e) => error_lines(emit, e.error.exception(), &e.message, at_ms),
                }
            }
            _ => emit.exit(1),
        }
    }
}

fn matching(topics: &[TopicMetadata], pattern: Option<&str>, exclude_internal: bool) -> Vec<String> {
    let compiled = pattern.and_then(|p| TopicPattern::new(p).ok());
    let mut names: Vec<String> = topics
        .iter()
        .filter(|t| t.error.is_none())
        .filter(|t| !(exclude_internal && t.name.starts_with("__")))
        .filter(|t| compiled.as_ref().is_none_or(|c| c.matches(&t.name)))
        .map(|t| t.name.clone())
        .collect();
    crate::sort::sort(&mut names);
    names
}

/// `TopicCommand.describeTopic`: a topic line, then one tab-indented line per partition.
fn describe(t: &TopicMetadata, only: Filter, emit: &mut Emit) {
    let min_isr: usize =
        t.configs.iter().find(|(k, _)| k == "min.insync.replicas").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
    let partitions: Vec<_> = t
        .partitions
        .iter()
        .filter(|p| match only {
            Filter::All => true,
            // `getReplicationFactor`: a reassignment's adding replicas do not count yet.
            Filter::UnderReplicated => p.isr.len() < p.replicas.len() - p.adding.len(),
            Filter::UnderMinIsr => p.leader.is_none() || p.isr.len() < min_isr,
            Filter::AtMinIsr => p.isr.len() == min_isr,
            Filter::Unavailable => p.leader.is_none(),
        })
        .collect();
    if only == Filter::All {
        let rf = t.partitions.first().map_or(0, |p| p.replicas.len() - p.adding.len());
        let configs: Vec<String> = t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let id = t.topic_id.map(|u| u.to_string()).unwrap_or_default();
        emit.out(format!(
            "Topic: {}\tTopicId: {id}\tPartitionCount: {}\tReplicationFactor: {rf}\tConfigs: {}",
            t.name,
            t.partitions.len(),
            configs.join(",")
        ));
    }
    for p in partitions {
        let leader = p.leader.map_or("none".to_string(), |l| l.0.to_string());
        // TopicCommand prints these only for a partition under reassignment.
        let reassignment = if p.adding.is_empty() && p.removing.is_empty() {
            String::new()
        } else {
            format!("\tAdding Replicas: {}\tRemoving Replicas: {}", join_ids(&p.adding), join_ids(&p.removing))
        };
        emit.out(format!(
            "\tTopic: {}\tPartition: {}\tLeader: {leader}\tReplicas: {}\tIsr: {}{reassignment}\tElr: \tLastKnownElr: ",
            t.name,
            p.partition,
            join_ids(&p.replicas),
            join_ids(&p.isr)
        ));
    }
}
