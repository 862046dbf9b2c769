//! The closed set of exercise checks: each is a question about the simulation (its view,
//! console output, trace and metadata image), some compared with the state after setup.

use crate::vec_map::{VecMap, VecSet};

use super::{field, ExerciseCheck, LoadError, Loader};
use crate::json::Json;
use crate::session::{Session, Stream};
use crate::view::{ClusterView, PartitionView, ProcessState, RecordView};

/// Every check kind with its required and optional fields (besides `kind` and `description`).
const KINDS: &[(&str, &[&str], &[&str])] = &[
    ("topic_exists", &["topic"], &["partitions", "replication_factor"]),
    ("topic_absent", &["topic"], &[]),
    ("records", &["topic"], &["count", "min_count", "values", "keys", "keys_in_same_partition"]),
    ("key_order", &["topic", "key", "values"], &[]),
    ("group_state", &["group"], &["state", "members"]),
    ("group_lag", &["group", "lag"], &[]),
    ("group_rebalanced", &["group"], &[]),
    ("leader_changed", &["topic", "partition"], &[]),
    ("isr_size", &["topic", "partition", "size"], &[]),
    ("node_state", &["node", "state"], &[]),
    ("output_contains", &["text"], &[]),
    ("command_used", &["command"], &[]),
    ("config", &["topic", "name", "value"], &[]),
    ("record_survived", &["topic", "value"], &[]),
    ("controller_leader_changed", &[], &[]),
    ("ksql_table_row", &["table", "key", "column", "value"], &[]),
    ("file_contains", &["path", "text"], &[]),
];

/// A question about the simulation. Counts and values are about committed records (below
/// the high watermark of the partition's leader), which is what consumers can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// The topic exists, with that many partitions and replicas per partition if given.
    TopicExists {
        topic: String,
        partitions: Option<u32>,
        replication_factor: Option<u32>,
    },
    TopicAbsent {
        topic: String,
    },
    /// Committed records of a topic: exactly `count`, at least `min_count`, and at least these
    /// values and keys (multisets); with `keys_in_same_partition`, each key in one partition.
    Records {
        topic: String,
        count: Option<u64>,
        min_count: Option<u64>,
        values: Vec<String>,
        keys: Vec<String>,
        keys_in_same_partition: bool,
    },
    /// The committed values of `key` contain `values` in this order (a subsequence).
    KeyOrder {
        topic: String,
        key: String,
        values: Vec<String>,
    },
    /// The group exists, in that state and with that many members if given.
    GroupState {
        group: String,
        state: Option<String>,
        members: Option<u32>,
    },
    /// Every non-empty partition of the group has a committed offset and their lags add up
    /// to `lag`.
    GroupLag {
        group: String,
        lag: u64,
    },
    /// The group's generation grew since setup and it is `Stable` again.
    GroupRebalanced {
        group: String,
    },
    /// The partition's leader differs from its leader after setup.
    LeaderChanged {
        topic: String,
        partition: u32,
    },
    IsrSize {
        topic: String,
        partition: u32,
        size: u32,
    },
    NodeState {
        node: u32,
        state: NodeStateWanted,
    },
    /// A Kafka tool printed this text (standard output or error) since setup; what `echo`
    /// and `cat` print does not count.
    OutputContains {
        text: String,
    },
    /// A file of the console's machine contains this text (a Kafka Connect sink's output;
    /// relative paths are from Kafka's install directory).
    FileContains {
        path: String,
        text: String,
    },
    /// The student ran a command with all these words (`kafka-topics.sh --describe`).
    CommandUsed {
        command: String,
    },
    /// A topic config set in the cluster's metadata.
    Config {
        topic: String,
        name: String,
        value: String,
    },
    /// A committed record with this value whose partition had a replica on a broker killed
    /// since setup.
    RecordSurvived {
        topic: String,
        value: String,
    },
    /// A different controller leads the KRaft quorum, in a higher epoch than after setup.
    ControllerLeaderChanged,
    /// The ksqlDB table (written by a persistent query) has a row for `key` whose `column`
    /// shows `value`, as a pull query would print it (the newest window's row).
    KsqlTableRow {
        table: String,
        key: String,
        column: String,
        value: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeStateWanted {
    Running,
    Stopped,
    Fenced,
}

impl NodeStateWanted {
    fn name(self) -> &'static str {
        match self {
            NodeStateWanted::Running => "running",
            NodeStateWanted::Stopped => "stopped",
            NodeStateWanted::Fenced => "fenced",
        }
    }
}

const GROUP_STATES: &[&str] =
    &["Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Assigning", "Reconciling"];

/// Parses one check object at `path` (`steps[1].checks[0]`).
pub(super) fn parse(at: &Loader, path: &str, v: &Json) -> Result<ExerciseCheck, LoadError> {
    let kind_path = format!("{path}.kind");
    let kind = match v.get("kind") {
        Some(Json::Text(k)) => k.as_str(),
        Some(_) => return Err(at.err(&kind_path, "expected a string".to_string())),
        None if matches!(v, Json::Object(_)) => return Err(at.err(path, "missing field \"kind\"".to_string())),
        None => return Err(at.err(path, "expected an object".to_string())),
    };
    let Some((_, required, optional)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
        let names: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).collect();
        return Err(at.err(&kind_path, format!("unknown check \"{kind}\" (expected one of: {})", names.join(", "))));
    };
    let mut allowed = vec!["kind", "description"];
    allowed.extend_from_slice(required);
    allowed.extend_from_slice(optional);
    let f = at.object(path, v, &allowed)?;
    for name in *required {
        if field(f, name).is_none() {
            return Err(
                at.err(path, format!("missing field \"{name}\" (a {kind} check needs: {})", required.join(", ")))
            );
        }
    }
    let text = |name: &str| at.text(f, path, name);
    let opt_number = |name: &str, max: u64| -> Result<Option<u64>, LoadError> {
        field(f, name).map(|v| at.number(v, &format!("{path}.{name}"), max)).transpose()
    };
    let number = |name: &str, max: u64| -> Result<u64, LoadError> { Ok(opt_number(name, max)?.unwrap_or_default()) };
    let small = u64::from(u32::MAX);
    let texts = |name: &str| match field(f, name) {
        None => Ok(Vec::new()),
        Some(_) => at.texts(f, path, name),
    };
    let check = match kind {
        "topic_exists" => Check::TopicExists {
            topic: text("topic")?,
            partitions: opt_number("partitions", small)?.map(|n| n as u32),
            replication_factor: opt_number("replication_factor", small)?.map(|n| n as u32),
        },
        "topic_absent" => Check::TopicAbsent { topic: text("topic")? },
        "records" => {
            let keys_in_same_partition = match field(f, "keys_in_same_partition") {
                None => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => {
                    return Err(at.err(&format!("{path}.keys_in_same_partition"), "expected true or false".to_string()))
                }
            };
            Check::Records {
                topic: text("topic")?,
                count: opt_number("count", u64::MAX)?,
                min_count: opt_number("min_count", u64::MAX)?,
                values: texts("values")?,
                keys: texts("keys")?,
                keys_in_same_partition,
            }
        }
        "key_order" => {
            Check::KeyOrder { topic: text("topic")?, key: text("key")?, values: at.texts(f, path, "values")? }
        }
        "group_state" => {
            let state = at.opt_text(f, path, "state")?;
            if let Some(s) = &state {
                if !GROUP_STATES.contains(&s.as_str()) {
                    return Err(at.err(
                        &format!("{path}.state"),
                        format!("unknown group state \"{s}\" (expected one of: {})", GROUP_STATES.join(", ")),
                    ));
                }
            }
            Check::GroupState { group: text("group")?, state, members: opt_number("members", small)?.map(|n| n as u32) }
        }
        "group_lag" => Check::GroupLag { group: text("group")?, lag: number("lag", u64::MAX)? },
        "group_rebalanced" => Check::GroupRebalanced { group: text("group")? },
        "leader_changed" => {
            Check::LeaderChanged { topic: text("topic")?, partition: number("partition", small)? as u32 }
        }
        "isr_size" => Check::IsrSize {
            topic: text("topic")?,
            partition: number("partition", small)? as u32,
            size: number("size", small)? as u32,
        },
        "node_state" => {
            let state = match text("state")?.as_str() {
                "running" => NodeStateWanted::Running,
                "stopped" => NodeStateWanted::Stopped,
                "fenced" => NodeStateWanted::Fenced,
                other => {
                    return Err(at.err(
                        &format!("{path}.state"),
                        format!("unknown node state \"{other}\" (expected one of: running, stopped, fenced)"),
                    ))
                }
            };
            Check::NodeState { node: number("node", small)? as u32, state }
        }
        "output_contains" => Check::OutputContains { text: text("text")? },
        "file_contains" => Check::FileContains { path: text("path")?, text: text("text")? },
        "command_used" => {
            let command = text("command")?;
            if command.split_whitespace().next().is_none() {
                return Err(at.err(&format!("{path}.command"), "expected at least one word".to_string()));
            }
            Check::CommandUsed { command }
        }
        "config" => Check::Config { topic: text("topic")?, name: text("name")?, value: text("value")? },
        "record_survived" => Check::RecordSurvived { topic: text("topic")?, value: text("value")? },
        "ksql_table_row" => Check::KsqlTableRow {
            table: text("table")?,
            key: text("key")?,
            column: text("column")?,
            value: text("value")?,
        },
        _ => Check::ControllerLeaderChanged,
    };
    let description = match at.opt_text(f, path, "description")? {
        Some(d) => d,
        None => check.describe(),
    };
    Ok(ExerciseCheck { check, description })
}

/// The state after setup that some checks compare with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    output_len: usize,
    /// Each server's incarnation (restarts so far) and whether it runs: `ksim kill` is the
    /// only way a server stops, so one killed since has a later incarnation or stopped.
    /// (Read from the world, not the trace, whose oldest entries a long session drops.)
    processes: VecMap<u32, (u32, bool)>,
    leaders: VecMap<(String, u32), Option<u32>>,
    generations: VecMap<String, i32>,
    controller: Option<(u32, u32)>,
}

impl Baseline {
    pub fn capture(session: &Session) -> Baseline {
        let view = session.view_recent(0);
        let leaders = view
            .topics
            .iter()
            .flat_map(|t| t.partitions.iter().map(|p| ((t.name.clone(), p.partition), p.leader)))
            .collect();
        let generations = view.groups.iter().map(|g| (g.group_id.clone(), g.generation_id)).collect();
        Baseline {
            output_len: session.output().len(),
            processes: processes(session),
            leaders,
            generations,
            controller: active_controller(&view),
        }
    }
}

fn processes(session: &Session) -> VecMap<u32, (u32, bool)> {
    session.world().servers.iter().map(|(id, s)| (id.0, (s.incarnation, s.running))).collect()
}

/// The leader of the highest epoch among running controllers: `(node, epoch)`.
fn active_controller(view: &ClusterView) -> Option<(u32, u32)> {
    view.nodes
        .iter()
        .filter(|n| n.state != ProcessState::Stopped)
        .filter_map(|n| n.raft.as_ref().filter(|r| r.state == "Leader").map(|r| (n.node_id, r.leader_epoch)))
        .max_by_key(|(_, epoch)| *epoch)
}

fn committed(p: &PartitionView) -> impl Iterator<Item = &RecordView> {
    p.records.iter().filter(move |r| r.offset < p.high_watermark)
}

/// Is every item of `wanted` in `found`, counting repeats?
fn missing_from(wanted: &[String], found: &[String]) -> Vec<String> {
    let mut left: VecMap<&str, usize> = VecMap::new();
    for f in found {
        *left.entry(f.as_str()).or_default() += 1;
    }
    let mut missing = Vec::new();
    for w in wanted {
        match left.get_mut(w.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => missing.push(format!("\"{w}\"")),
        }
    }
    missing
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A command typed since setup, with its continuation lines joined.
fn commands_since(session: &Session, from: usize) -> Vec<String> {
    let mut commands: Vec<String> = Vec::new();
    for line in session.output().since(from).filter(|l| l.stream == Stream::Command) {
        let text = line.text.trim_end_matches('\\');
        match text.strip_prefix("$ ") {
            Some(rest) => commands.push(rest.to_string()),
            None => {
                if let Some(last) = commands.last_mut() {
                    last.push(' ');
                    last.push_str(text.strip_prefix('>').unwrap_or(text));
                }
            }
        }
    }
    commands
}

impl Check {
    /// A sentence saying what the check wants, for a file that gives no `description`.
    pub fn describe(&self) -> String {
        match self {
            Check::TopicExists { topic, partitions, replication_factor } => {
                let mut d = format!("topic {topic} exists");
                match (partitions, replication_factor) {
                    (Some(p), Some(r)) => {
                        d += &format!(
                            " with {} and replication factor {r}",
                            plural((*p).into(), "partition", "partitions")
                        )
                    }
                    (Some(p), None) => d += &format!(" with {}", plural((*p).into(), "partition", "partitions")),
                    (None, Some(r)) => d += &format!(" with replication factor {r}"),
                    (None, None) => {}
                }
                d
            }
            Check::TopicAbsent { topic } => format!("topic {topic} does not exist"),
            Check::Records { topic, count, min_count, values, keys, keys_in_same_partition } => {
                let mut parts = Vec::new();
                if let Some(c) = count {
                    parts.push(format!("exactly {}", plural(*c, "committed record", "committed records")));
                }
                if let Some(c) = min_count {
                    parts.push(format!("at least {}", plural(*c, "committed record", "committed records")));
                }
                if !values.is_empty() {
                    parts.push(format!("the values {}", quoted(values)));
                }
                if !keys.is_empty() {
                    parts.push(format!("the keys {}", quoted(keys)));
                }
                let mut d = if parts.is_empty() {
                    format!("topic {topic} holds committed records")
                } else {
                    format!("topic {topic} holds {}", parts.join(", "))
                };
                if *keys_in_same_partition {
                    d += "; all records with the same key are in the same partition";
                }
                d
            }
            Check::KeyOrder { topic, key, values } => {
                format!("in topic {topic}, the records with key {key} are {} in this order", quoted(values))
            }
            Check::GroupState { group, state, members } => {
                let mut d = format!("consumer group {group} exists");
                if let Some(s) = state {
                    d += &format!(", {s}");
                }
                if let Some(m) = members {
                    d += &format!(", with {}", plural((*m).into(), "member", "members"));
                }
                d
            }
            Check::GroupLag { group, lag } => {
                format!("consumer group {group} has committed offsets with a total lag of {lag}")
            }
            Check::GroupRebalanced { group } => {
                format!("consumer group {group} rebalanced (a new generation) and is Stable again")
            }
            Check::LeaderChanged { topic, partition } => {
                format!("partition {topic}-{partition} has a new leader")
            }
            Check::IsrSize { topic, partition, size } => {
                format!("the ISR of {topic}-{partition} has {}", plural((*size).into(), "replica", "replicas"))
            }
            Check::NodeState { node, state } => format!("node {node} is {}", state.name()),
            Check::OutputContains { text } => format!("the output shows \"{text}\""),
            Check::FileContains { path, text } => format!("file {path} contains \"{text}\""),
            Check::CommandUsed { command } => format!("you ran {command}"),
            Check::Config { topic, name, value } => format!("topic {topic} has {name}={value}"),
            Check::RecordSurvived { topic, value } => {
                format!(
                    "the record \"{value}\" of topic {topic} is still committed after a broker holding it was killed"
                )
            }
            Check::ControllerLeaderChanged => {
                "another controller leads the KRaft quorum, in a higher epoch".to_string()
            }
            Check::KsqlTableRow { table, key, column, value } => {
                format!("ksqlDB table {table} has {column} = {value} for key {key}")
            }
        }
    }

    /// `Ok` when the simulation satisfies the check, else what it shows instead.
    pub fn evaluate(&self, session: &Session, baseline: &Baseline) -> Result<(), String> {
        self.evaluate_in(&session.view(), session, baseline)
    }

    /// As `evaluate`, with the session's full view (every record) already taken, so that
    /// a step's checks share one snapshot.
    pub(crate) fn evaluate_in(&self, view: &ClusterView, session: &Session, baseline: &Baseline) -> Result<(), String> {
        let topic_of =
            |name: &str| view.topics.iter().find(|t| t.name == name).ok_or_else(|| format!("there is no topic {name}"));
        let partition_of = |name: &str, partition: u32| {
            topic_of(name)?
                .partitions
                .iter()
                .find(|p| p.partition == partition)
                .ok_or_else(|| format!("topic {name} has no partition {partition}"))
        };
        let group_of = |name: &str| {
            view.groups.iter().find(|g| g.group_id == name).ok_or_else(|| format!("there is no consumer group {name}"))
        };
        match self {
            Check::TopicExists { topic, partitions, replication_factor } => {
                let t = topic_of(topic)?;
                if let Some(p) = partitions {
                    if t.partitions.len() != *p as usize {
                        return Err(format!("it has {}", plural(t.partitions.len() as u64, "partition", "partitions")));
                    }
                }
                if let Some(r) = replication_factor {
                    let found = t.partitions.first().map_or(0, |p| p.replicas.len());
                    if found != *r as usize {
                        return Err(format!("its replication factor is {found}"));
                    }
                }
                Ok(())
            }
            Check::TopicAbsent { topic } => match topic_of(topic) {
                Ok(_) => Err(format!("topic {topic} exists")),
                Err(_) => Ok(()),
            },
            Check::Records { topic, count, min_count, values, keys, keys_in_same_partition } => {
                let t = topic_of(topic)?;
                let records: Vec<(u32, &RecordView)> =
                    t.partitions.iter().flat_map(|p| committed(p).map(move |r| (p.partition, r))).collect();
                let n = records.len() as u64;
                if count.is_some_and(|c| c != n) || min_count.is_some_and(|c| n < c) {
                    return Err(format!("it holds {}", plural(n, "committed record", "committed records")));
                }
                let found_values: Vec<String> = records.iter().filter_map(|(_, r)| r.value.clone()).collect();
                let missing = missing_from(values, &found_values);
                if !missing.is_empty() {
                    return Err(format!("no committed record has the value {}", missing.join(", ")));
                }
                let found_keys: Vec<String> = records.iter().filter_map(|(_, r)| r.key.clone()).collect();
                let missing = missing_from(keys, &found_keys);
                if !missing.is_empty() {
                    return Err(format!("no committed record has the key {}", missing.join(", ")));
                }
                if *keys_in_same_partition {
                    if found_keys.is_empty() {
                        return Err("no committed record has a key".to_string());
                    }
                    let mut partitions: VecMap<&str, VecSet<u32>> = VecMap::new();
                    for (p, r) in &records {
                        if let Some(k) = &r.key {
                            partitions.entry(k.as_str()).or_default().insert(*p);
                        }
                    }
                    if let Some((k, ps)) = partitions.iter().find(|(_, ps)| ps.len() > 1) {
                        return Err(format!("records with key {k} are in partitions {ps:?}"));
                    }
                }
                Ok(())
            }
            Check::KeyOrder { topic, key, values } => {
                let t = topic_of(topic)?;
                let with_key: Vec<(u32, &RecordView)> = t
                    .partitions
                    .iter()
                    .flat_map(|p| committed(p).map(move |r| (p.partition, r)))
                    .filter(|(_, r)| r.key.as_deref() == Some(key.as_str()))
                    .collect();
                let partitions: VecSet<u32> = with_key.iter().map(|(p, _)| *p).collect();
                if partitions.len() > 1 {
                    return Err(format!("records with key {key} are in partitions {partitions:?}"));
                }
                let found: Vec<&str> = with_key.iter().filter_map(|(_, r)| r.value.as_deref()).collect();
                let mut wanted = values.iter().peekable();
                for v in &found {
                    if wanted.peek().is_some_and(|w| w.as_str() == *v) {
                        wanted.next();
                    }
                }
                if wanted.peek().is_some() {
                    return Err(format!("the committed values with key {key} are {}", quoted(&found)));
                }
                Ok(())
            }
            Check::GroupState { group, state, members } => {
                let g = group_of(group)?;
                if state.as_ref().is_some_and(|s| *s != g.state) {
                    return Err(format!("it is {}", g.state));
                }
                if members.is_some_and(|m| g.members.len() != m as usize) {
                    return Err(format!("it has {}", plural(g.members.len() as u64, "member", "members")));
                }
                Ok(())
            }
            Check::GroupLag { group, lag } => {
                let g = group_of(group)?;
                if g.partitions.is_empty() {
                    return Err(format!("consumer group {group} has no partitions"));
                }
                // An empty partition has nothing to lag behind, committed or not.
                let unknown = g.partitions.iter().find(|p| p.lag.is_none() && p.log_end_offset > 0);
                if let Some(p) = unknown {
                    return Err(format!("nothing is committed for {}-{}", p.topic, p.partition));
                }
                if g.partitions.iter().all(|p| p.committed.is_none()) {
                    return Err(format!("consumer group {group} has committed no offsets"));
                }
                let total: u64 = g.partitions.iter().filter_map(|p| p.lag).sum();
                if total != *lag {
                    return Err(format!("its total lag is {total}"));
                }
                Ok(())
            }
            Check::GroupRebalanced { group } => {
                let g = group_of(group)?;
                let before = baseline.generations.get(group).copied().unwrap_or(0);
                if g.generation_id <= before {
                    return Err(format!("it is still in generation {}", g.generation_id));
                }
                if g.state != "Stable" {
                    return Err(format!("it is {}", g.state));
                }
                Ok(())
            }
            Check::LeaderChanged { topic, partition } => {
                let p = partition_of(topic, *partition)?;
                let before = baseline
                    .leaders
                    .get(&(topic.clone(), *partition))
                    .copied()
                    .flatten()
                    .ok_or_else(|| format!("{topic}-{partition} had no leader after setup"))?;
                match p.leader {
                    None => Err(format!("{topic}-{partition} has no leader")),
                    Some(l) if l == before => Err(format!("its leader is still broker {l}")),
                    Some(_) => Ok(()),
                }
            }
            Check::IsrSize { topic, partition, size } => {
                let p = partition_of(topic, *partition)?;
                if p.isr.len() != *size as usize {
                    return Err(format!("the ISR is {:?}", p.isr));
                }
                Ok(())
            }
            Check::NodeState { node, state } => {
                let n =
                    view.nodes.iter().find(|n| n.node_id == *node).ok_or_else(|| format!("there is no node {node}"))?;
                let ok = matches!(
                    (state, n.state),
                    (NodeStateWanted::Running, ProcessState::Running)
                        | (NodeStateWanted::Stopped, ProcessState::Stopped)
                        | (NodeStateWanted::Fenced, ProcessState::Fenced)
                );
                if ok {
                    Ok(())
                } else {
                    Err(format!("node {node} is {:?}", n.state).to_lowercase())
                }
            }
            Check::OutputContains { text } => {
                // What `echo` or `cat` prints was typed by the student, not said by Kafka: a command
                // line using them does not count.
                let mut typed = false;
                let mut found = false;
                for l in session.output().since(baseline.output_len) {
                    match l.stream {
                        Stream::Command => {
                            if let Some(command) = l.text.strip_prefix("$ ") {
                                typed = command
                                    .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | '`'))
                                    .any(|w| matches!(w, "echo" | "cat" | "printf" | "head" | "tail"));
                            }
                        }
                        Stream::Stdout | Stream::Stderr => found |= !typed && l.text.contains(text.as_str()),
                        Stream::Input | Stream::Hint => {}
                    }
                }
                if found {
                    Ok(())
                } else {
                    Err("no tool printed it".to_string())
                }
            }
            Check::FileContains { path, text } => match session.file(path) {
                Some(contents) if contents.contains(text.as_str()) => Ok(()),
                Some(_) => Err(format!("{path} does not contain it")),
                None => Err(format!("there is no file {path}")),
            },
            Check::CommandUsed { command } => {
                let wanted: Vec<&str> = command.split_whitespace().collect();
                let used = commands_since(session, baseline.output_len).iter().any(|c| {
                    let words: Vec<&str> = c.split_whitespace().collect();
                    wanted.iter().all(|w| words.iter().any(|t| t == w || t.rsplit('/').next() == Some(w)))
                });
                if used {
                    Ok(())
                } else {
                    Err("no such command was run".to_string())
                }
            }
            Check::Config { topic, name, value } => {
                let world = session.world();
                let image = world.freshest_image().ok_or("no controller is running")?;
                let t = image.topics.get(topic).ok_or_else(|| format!("there is no topic {topic}"))?;
                match t.configs.get(name) {
                    Some(v) if v == value => Ok(()),
                    Some(v) => Err(format!("{name} is {v}")),
                    None => Err(format!("{name} is not set on the topic")),
                }
            }
            Check::RecordSurvived { topic, value } => {
                let t = topic_of(topic)?;
                let p = t
                    .partitions
                    .iter()
                    .find(|p| committed(p).any(|r| r.value.as_deref() == Some(value.as_str())))
                    .ok_or_else(|| format!("no committed record of {topic} has the value \"{value}\""))?;
                let killed: VecSet<u32> = processes(session)
                    .into_iter()
                    .filter(|(id, now)| {
                        let then = baseline.processes.get(id).copied().unwrap_or((0, true));
                        now.0 > then.0 || (then.1 && !now.1)
                    })
                    .map(|(id, _)| id)
                    .collect();
                if p.replicas.iter().any(|r| killed.contains(r)) {
                    Ok(())
                } else {
                    Err(format!("no broker holding {topic}-{} was killed", p.partition))
                }
            }
            Check::KsqlTableRow { table, key, column, value } => {
                let shown = session.ksql_table_value(table, key, column)?;
                if shown == *value {
                    Ok(())
                } else {
                    Err(format!("{column} is {shown} for key {key}"))
                }
            }
            Check::ControllerLeaderChanged => {
                let (before, epoch) = baseline.controller.ok_or("no controller led the quorum after setup")?;
                match active_controller(view) {
                    None => Err("no controller leads the quorum".to_string()),
                    Some((now, _)) if now == before => Err(format!("controller {now} still leads the quorum")),
                    Some((now, e)) if e <= epoch => Err(format!("controller {now} leads in epoch {e}")),
                    Some(_) => Ok(()),
                }
            }
        }
    }
}

fn quoted<S: AsRef<str>>(items: &[S]) -> String {
    items.iter().map(|s| format!("\"{}\"", s.as_ref())).collect::<Vec<_>>().join(", ")
}
