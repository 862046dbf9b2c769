//! `kafka-get-offsets.sh` (`GetOffsetShell`): the earliest or latest offset of every
//! matching partition, as `topic:partition:offset`, sorted by `topic-partition` text.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::pattern::TopicPattern;
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::protocol::OffsetSpec;
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "bootstrap-server", arg: Some("String: HOST1:PORT1,...,HOST3:PORT3"), help: "REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2." },
    OptSpec { name: "command-config", arg: Some("String: config file"), help: "Property file containing configs to be passed to Admin Client." },
    OptSpec { name: "exclude-internal-topics", arg: None, help: "By default, internal topics are included. If specified, internal topics are excluded." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "partitions", arg: Some("String: partition ids"), help: "Comma separated list of partition ids to get the offsets for. If not present, all partitions of the authorized topics are queried. Cannot be used if --topic-partitions is present." },
    OptSpec { name: "time", arg: Some("String: <timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp"), help: "timestamp of the offsets before that. (default: latest)" },
    OptSpec { name: "topic", arg: Some("String: topic"), help: "The topic to get the offsets for. It also accepts a regular expression. If not present, all authorized topics are queried. Cannot be used if --topic-partitions is present." },
    OptSpec { name: "topic-partitions", arg: Some("String: topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3"), help: "Comma separated list of topic-partition patterns to get the offsets for, with the format of '([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?'." },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

/// One `--topic-partitions` rule: a topic pattern and a partition range `[from, to)`.
type Rule = (TopicPattern, Option<u32>, Option<u32>);

/// Which partitions `--topic`/`--partitions` or `--topic-partitions` select.
#[derive(Clone)]
enum Filter {
    Topic {
        pattern: Option<TopicPattern>,
        partitions: Vec<u32>,
    },
    /// `topic:p`, `topic:a-b`, `topic:a-`, `topic:-b` or just `topic`, each part a pattern.
    Rules(Vec<Rule>),
}

impl Filter {
    fn matches(&self, topic: &str, partition: u32) -> bool {
        match self {
            Filter::Topic { pattern, partitions } => {
                pattern.as_ref().is_none_or(|p| p.matches(topic))
                    && (partitions.is_empty() || partitions.contains(&partition))
            }
            Filter::Rules(rules) => rules.iter().any(|(p, lo, hi)| {
                p.matches(topic) && lo.is_none_or(|l| partition >= l) && hi.is_none_or(|h| partition < h)
            }),
        }
    }
}

#[derive(Clone)]
pub(crate) struct OffsetsJob {
    pub(crate) client: ClientId,
    filter: Filter,
    exclude_internal: bool,
    spec: OffsetSpec,
    listing: bool,
}

/// `TerseException`: `Error occurred: <message>`.
fn terse(con: &mut Console, message: &str) -> Outcome {
    con.err(format!("Error occurred: {message}"));
    Outcome::Done(1)
}

fn parse_rules(text: &str) -> Result<Vec<Rule>, String> {
    text.split(',')
        .map(|rule| {
            let invalid = || format!("Invalid rule specification: {rule}");
            let (topic, range) = rule.split_once(':').map_or((rule, None), |(t, r)| (t, Some(r)));
            let pattern = TopicPattern::new(if topic.is_empty() { ".*" } else { topic }).map_err(|_| invalid())?;
            let number = |s: &str| -> Result<Option<u32>, String> {
                if s.is_empty() {
                    Ok(None)
                } else {
                    s.parse().map(Some).map_err(|_| invalid())
                }
            };
            let (lo, hi) = match range {
                None => (None, None),
                Some(r) => match r.split_once('-') {
                    Some((a, b)) => (number(a)?, number(b)?),
                    None => {
                        let p = number(r)?.ok_or_else(invalid)?;
                        (Some(p), Some(p + 1))
                    }
                },
            };
            Ok((pattern, lo, hi))
        })
        .collect()
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return terse(con, &e.message),
    };
    if p.has("help") || args.is_empty() {
        let shown = options::print_help(con, SPECS, Some("An interactive shell for getting topic-partition offsets."));
        // With no arguments at all the tool shows the same help but fails.
        return if args.is_empty() { Outcome::Done(1) } else { shown };
    }
    let Some(bootstrap) = p.value("bootstrap-server") else {
        return options::print_usage(con, SPECS, "Missing required argument \"[bootstrap-server]\"");
    };
    let spec = match p.value("time").unwrap_or("latest") {
        "latest" | "-1" => OffsetSpec::Latest,
        "earliest" | "-2" => OffsetSpec::Earliest,
        other if other == "max-timestamp" || other == "-3" || other.parse::<i64>().is_ok() => {
            con.err(format!("kafka-get-offsets.sh --time {other}: offsets by timestamp are not simulated yet in Kafka Playground (latest and earliest are)."));
            return Outcome::Done(1);
        }
        other => {
            return terse(con, &format!("Malformed time argument {other}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp"))
        }
    };
    let filter = if let Some(rules) = p.value("topic-partitions") {
        if p.has("topic") || p.has("partitions") {
            return terse(con, "--topic-partitions cannot be used with --topic or --partitions");
        }
        match parse_rules(rules) {
            Ok(r) => Filter::Rules(r),
            Err(message) => return terse(con, &message),
        }
    } else {
        let pattern = match p.value("topic").map(TopicPattern::new).transpose() {
            Ok(pattern) => pattern,
            Err(message) => return terse(con, &message),
        };
        let list = p.value("partitions").unwrap_or_default();
        let partitions: Result<Vec<u32>, _> =
            list.split(',').filter(|s| !s.is_empty()).map(|s| s.trim().parse::<u32>()).collect();
        match partitions {
            Ok(partitions) => Filter::Topic { pattern, partitions },
            Err(_) => {
                return terse(
                    con,
                    &format!(
                        "--partitions expects a comma separated list of numeric partition ids, but received: {list}"
                    ),
                )
            }
        }
    };
    let servers: Vec<String> = bootstrap.split(',').map(|s| s.trim().to_string()).collect();
    let client = con.start_admin(world, servers, AdminCall::Metadata { call: "listTopics" });
    Outcome::Job(JobKind::Offsets(OffsetsJob {
        client,
        filter,
        exclude_internal: p.has("exclude-internal-topics"),
        spec,
        listing: true,
    }))
}

impl OffsetsJob {
    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else { return };
        match outcome {
            AdminOutcome::Metadata { topics, .. } if self.listing => {
                let mut selected = Vec::new();
                for t in
                    topics.iter().filter(|t| t.error.is_none() && !(self.exclude_internal && t.name.starts_with("__")))
                {
                    for p in &t.partitions {
                        if self.filter.matches(&t.name, p.partition) {
                            selected.push((t.name.clone(), p.partition));
                        }
                    }
                }
                if selected.is_empty() {
                    emit.err("Error occurred: Could not match any topic-partitions with the specified filters");
                    return emit.exit(1);
                }
                self.listing = false;
                emit.start_admin = Some(AdminCall::ListOffsets { partitions: selected, spec: self.spec });
            }
            AdminOutcome::Offsets(results) => {
                let mut found: Vec<(String, u32, u64)> = Vec::new();
                for ((topic, partition), result) in results {
                    match result {
                        Ok(offset) => found.push((topic, partition, offset)),
                        Err(e) => emit.err(format!(
                            "Skip getting offsets for topic-partition {topic}-{partition} due to error: {}: {}",
                            e.error.exception(),
                            e.message
                        )),
                    }
                }
                // Java sorts by TopicPartition.toString(): `t-10` comes before `t-2`.
                crate::sort::sort_by(&mut found, |a, b| format!("{}-{}", a.0, a.1).cmp(&format!("{}-{}", b.0, b.1)));
                for (topic, partition, offset) in found {
                    emit.out(format!("{topic}:{partition}:{offset}"));
                }
                emit.exit(0);
            }
            AdminOutcome::TimedOut(message) => {
                emit.err(format!("Error occurred: org.apache.kafka.common.errors.TimeoutException: {message}"));
                emit.exit(1);
            }
            _ => emit.exit(1),
        }
    }
}
