//! `kafka-console-consumer.sh` (`ConsoleConsumer`, `ConsoleConsumerOptions`,
//! `DefaultMessageFormatter`): option checks, where reading starts, the formatter's
//! fields in Kafka's order (keys and values through `key.deserializer`/`value.deserializer`),
//! and `Processed a total of N messages` on exit.

use super::console_producer::{properties, unescape};
use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::{Console, Outcome};
use crate::assignor::Assignor;
use crate::client::consumer::{
    ConsumedRecord, Consumer, ConsumerConfig, ConsumerEvent, GroupConfig, GroupProtocol, StartOffset,
};
use crate::client::{Client, ClientRole};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::streams::Serde;
use crate::time::format_log_timestamp;
use crate::vec_map::VecMap;
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "bootstrap-server", arg: Some("String: server to connect to"), help: "REQUIRED: The server(s) to connect to." },
    OptSpec { name: "consumer-property", arg: Some("String: consumer_prop"), help: "A mechanism to pass user-defined properties in the form key=value to the consumer." },
    OptSpec { name: "formatter", arg: Some("String: class"), help: "The name of a class to use for formatting kafka messages for display. (default: org.apache.kafka.tools.consumer.DefaultMessageFormatter)" },
    OptSpec { name: "from-beginning", arg: None, help: "If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message." },
    OptSpec { name: "group", arg: Some("String: consumer group id"), help: "The consumer group id of the consumer." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "include", arg: Some("String: Java regex (String)"), help: "Regular expression specifying list of topics to include for consumption." },
    OptSpec { name: "isolation-level", arg: Some("String"), help: "Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages. (default: read_uncommitted)" },
    OptSpec { name: "max-messages", arg: Some("Integer: num_messages"), help: "The maximum number of messages to consume before exiting. If not set, consumption is continual." },
    OptSpec { name: "offset", arg: Some("String: consume offset"), help: "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end (default: latest)" },
    OptSpec { name: "partition", arg: Some("Integer: partition"), help: "The partition to consume from. Consumption starts from the end of the partition unless '--offset' is specified." },
    OptSpec { name: "property", arg: Some("String: prop"), help: "The properties to initialize the message formatter: print.timestamp, print.key, print.offset, print.partition, print.headers, print.value, key.separator, line.separator, headers.separator, null.literal." },
    OptSpec { name: "skip-message-on-error", arg: None, help: "If there is an error when processing a message, skip it instead of halt." },
    OptSpec { name: "timeout-ms", arg: Some("Integer: timeout_ms"), help: "If specified, exit if no message is available for consumption for the specified interval." },
    OptSpec { name: "topic", arg: Some("String: topic"), help: "The topic to consume on." },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

/// How a script's foreground consumer decides the producer side is done: no record for
/// this long (a terminal user would press Ctrl-C).
const SCRIPT_IDLE_TIMEOUT_MS: u64 = 1000;

/// `DefaultMessageFormatter`'s settings.
#[derive(Clone)]
struct Formatter {
    print_timestamp: bool,
    print_partition: bool,
    print_offset: bool,
    print_headers: bool,
    print_key: bool,
    print_value: bool,
    key_separator: String,
    line_separator: String,
    null_literal: String,
    /// `key.deserializer` / `value.deserializer`: how the bytes become text (as UTF-8
    /// when unset, as `StringDeserializer`).
    key_deserializer: Option<Serde>,
    value_deserializer: Option<Serde>,
}

impl Formatter {
    /// Fields in Kafka's order: timestamp, partition, offset, headers, key, value.
    fn format(&self, r: &ConsumedRecord) -> String {
        let text = |b: &Option<Vec<u8>>, serde: &Option<Serde>| match (b, serde) {
            (None, _) => self.null_literal.clone(),
            (Some(v), Some(serde)) => match serde.deserialize(Some(v)) {
                Ok(d) => d.to_string(),
                Err(_) => String::from_utf8_lossy(v).into_owned(),
            },
            (Some(v), None) => String::from_utf8_lossy(v).into_owned(),
        };
        let mut fields = Vec::new();
        if self.print_timestamp {
            fields.push(format!("CreateTime:{}", r.timestamp_ms));
        }
        if self.print_partition {
            fields.push(format!("Partition:{}", r.partition));
        }
        if self.print_offset {
            fields.push(format!("Offset:{}", r.offset));
        }
        if self.print_headers {
            fields.push("NO_HEADERS".to_string());
        }
        if self.print_key {
            fields.push(text(&r.key, &self.key_deserializer));
        }
        if self.print_value {
            fields.push(text(&r.value, &self.value_deserializer));
        }
        let mut line = fields.join(&self.key_separator);
        line.push_str(&self.line_separator);
        line
    }
}

#[derive(Clone)]
pub(crate) struct ConsumerJob {
    pub(crate) client: ClientId,
    formatter: Formatter,
    count: u64,
    max_messages: Option<u64>,
    /// `--timeout-ms` was given: its expiry is logged as an error, as Kafka does.
    explicit_timeout: bool,
    /// Text printed without its line separator yet (custom `line.separator`).
    partial: String,
}

fn usage(con: &mut Console, message: &str) -> Outcome {
    options::print_usage(con, SPECS, message)
}

/// The KafkaConsumer constructor rejects a setting: the tool dies with the exception.
fn config_exception(con: &mut Console, message: &str) -> Outcome {
    con.err(format!("Exception in thread \"main\" org.apache.kafka.common.config.ConfigException: {message}"));
    Outcome::Done(1)
}

/// The group settings from `--consumer-property`, with Kafka's defaults and checks. The
/// console consumer turns auto-commit off for its generated group (`generated_group`).
fn group_config(props: &[(String, String)], generated_group: bool) -> Result<GroupConfig, String> {
    let prop = |key: &str| props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim());
    let int = |key: &str, default: u64| -> Result<u64, String> {
        match prop(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or_else(|| format!("Invalid value {v} for configuration {key}: Not a number of type INT")),
        }
    };
    let defaults = GroupConfig::default();
    let enable_auto_commit = match prop("enable.auto.commit") {
        None => !generated_group,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(format!(
                "Invalid value {v} for configuration enable.auto.commit: Expected value to be either true or false"
            ))
        }
    };
    let protocol = match prop("group.protocol") {
        None => GroupProtocol::Classic,
        Some(v) if v.eq_ignore_ascii_case("classic") => GroupProtocol::Classic,
        Some(v) if v.eq_ignore_ascii_case("consumer") => GroupProtocol::Consumer,
        Some(v) => return Err(format!("Invalid value {v} for configuration group.protocol: String must be one of (case insensitive): CLASSIC, CONSUMER")),
    };
    // `ConsumerConfig.checkUnsupportedConfigsPostProcess`: each protocol rejects the
    // other's settings (the console consumer always has a group id).
    let (unsupported, name): (&[&str], &str) = match protocol {
        GroupProtocol::Classic => (&["group.remote.assignor"], "CLASSIC"),
        GroupProtocol::Consumer => {
            (&["partition.assignment.strategy", "heartbeat.interval.ms", "session.timeout.ms"], "CONSUMER")
        }
    };
    let invalid: Vec<&str> =
        unsupported.iter().copied().filter(|key| prop(key).is_some_and(|v| !v.is_empty())).collect();
    if !invalid.is_empty() {
        return Err(format!("{} cannot be set when group.protocol={name}", invalid.join(", ")));
    }
    let assignors = match prop("partition.assignment.strategy") {
        None => defaults.assignors,
        Some(v) => Assignor::parse_list(v)?,
    };
    let config = GroupConfig {
        session_timeout_ms: int("session.timeout.ms", defaults.session_timeout_ms)?,
        heartbeat_interval_ms: int("heartbeat.interval.ms", defaults.heartbeat_interval_ms)?,
        max_poll_interval_ms: int("max.poll.interval.ms", defaults.max_poll_interval_ms)?,
        enable_auto_commit,
        auto_commit_interval_ms: int("auto.commit.interval.ms", defaults.auto_commit_interval_ms)?,
        assignors,
        protocol,
        remote_assignor: prop("group.remote.assignor").filter(|v| !v.is_empty()).map(str::to_string),
        group_topic_partitions: VecMap::new(),
    };
    if protocol == GroupProtocol::Classic && config.heartbeat_interval_ms >= config.session_timeout_ms {
        return Err("heartbeat.interval.ms must be lower than session.timeout.ms".to_string());
    }
    Ok(config)
}

/// The course notes write `-- from-beginning`. To Kafka, `--` ends the options, so the
/// consumer would reject every later option; the playground joins the two and says so.
fn join_spaced_option(con: &mut Console, args: &[String]) -> Vec<String> {
    let mut joined = Vec::with_capacity(args.len());
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        match iter.peek() {
            Some(next) if arg == "--" && SPECS.iter().any(|s| s.name == next.as_str()) => {
                con.hint(format!("Note: \"-- {next}\" has a space after the dashes. Real Kafka reads \"--\" as the end of the options; the playground treats it as --{next}."));
                joined.push(format!("--{next}"));
                iter.next();
            }
            _ => joined.push(arg.clone()),
        }
    }
    joined
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let args = join_spaced_option(con, args);
    let p = match options::parse(SPECS, &args) {
        Ok(p) => p,
        Err(e) => return usage(con, &e.message),
    };
    if p.has("help") {
        return options::print_help(con, SPECS, None);
    }
    if p.has("version") {
        con.out("4.0.0");
        return Outcome::Done(0);
    }
    let from_beginning = p.has("from-beginning");
    let Some(bootstrap) = p.value("bootstrap-server") else {
        return usage(con, "Missing required argument \"[bootstrap-server]\"");
    };
    if p.has("topic") == p.has("include") {
        return usage(con, "Exactly one of --include/--topic is required. ");
    }
    if p.has("include") {
        con.err("kafka-console-consumer.sh --include: not simulated yet in Kafka Playground; use --topic.");
        return Outcome::Done(1);
    }
    if from_beginning && p.has("offset") {
        return usage(con, "Options from-beginning and offset cannot be specified together.");
    }
    if p.has("offset") && !p.has("partition") {
        return usage(con, "The partition is required when offset is specified.");
    }
    if p.has("group") && p.has("partition") {
        return usage(con, "Options group and partition cannot be specified together.");
    }
    let number = |key: &str| -> Result<Option<u64>, String> {
        p.value(key)
            .map(|v| v.parse::<u64>().map_err(|_| format!("Cannot parse argument '{v}' of option {key}")))
            .transpose()
    };
    let (partition, max_messages, timeout_ms) =
        match (number("partition"), number("max-messages"), number("timeout-ms")) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(m), _, _) | (_, Err(m), _) | (_, _, Err(m)) => return usage(con, &m),
        };
    let consumer_props = match properties(p.values("consumer-property")) {
        Ok(v) => v,
        Err(m) => return usage(con, &m),
    };
    let fmt_props = match properties(p.values("property")) {
        Ok(v) => v,
        Err(m) => return usage(con, &m),
    };
    let consumer_prop = |key: &str| consumer_props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    // One group id, however it was given (`--group`, `--consumer-property group.id=`).
    let mut group_ids: Vec<&str> = p.value("group").into_iter().chain(consumer_prop("group.id")).collect();
    group_ids.dedup();
    if group_ids.len() > 1 {
        let detected: Vec<String> = group_ids.iter().map(|g| format!("'{g}'")).collect();
        return usage(con, &format!("The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: {}", detected.join(", ")));
    }
    if !group_ids.is_empty() && partition.is_some() {
        return usage(con, "Options group and partition cannot be specified together.");
    }
    let reset = consumer_prop("auto.offset.reset");
    if let Some(r) = reset.filter(|r| from_beginning && *r != "earliest") {
        con.err(format!(
            "Can't simultaneously specify --from-beginning and 'auto.offset.reset={r}', please remove one option"
        ));
        return Outcome::Done(1);
    }
    let start = match (p.value("offset"), partition) {
        (Some("earliest"), _) => StartOffset::Earliest,
        (Some("latest"), _) => StartOffset::Latest,
        (Some(n), _) => match n.parse::<u64>() {
            Ok(n) => StartOffset::At(n),
            Err(_) => return usage(con, &format!("The provided offset value '{n}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.")),
        },
        (None, _) if from_beginning => StartOffset::Earliest,
        (None, _) => match reset {
            Some("earliest") => StartOffset::Earliest,
            Some("latest") | None => StartOffset::Latest,
            Some("none") => StartOffset::None,
            Some(other) => return config_exception(con, &format!("Invalid value {other} for configuration auto.offset.reset: Invalid value `{other}` for configuration auto.offset.reset. The value must be either 'earliest', 'latest', 'none' or of the format 'by_duration:<PnDTnHnMn.nS.>'.")),
        },
    };
    let group = match group_config(&consumer_props, group_ids.is_empty()) {
        Ok(g) => g,
        Err(message) => return config_exception(con, &message),
    };
    let prop = |key: &str| fmt_props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let flag = |key: &str, default: bool| prop(key).map_or(default, |v| v.eq_ignore_ascii_case("true"));
    let formatter = Formatter {
        print_timestamp: flag("print.timestamp", false),
        print_partition: flag("print.partition", false),
        print_offset: flag("print.offset", false),
        print_headers: flag("print.headers", false),
        print_key: flag("print.key", false),
        print_value: flag("print.value", true),
        key_separator: prop("key.separator").map_or("\t".to_string(), unescape),
        line_separator: prop("line.separator").map_or("\n".to_string(), unescape),
        null_literal: prop("null.literal").unwrap_or("null").to_string(),
        key_deserializer: prop("key.deserializer").and_then(deserializer),
        value_deserializer: prop("value.deserializer").and_then(deserializer),
    };
    let group_id = match group_ids.first() {
        Some(g) => g.to_string(),
        None => format!("console-consumer-{}", con.rng.below(100_000)),
    };
    let client_id = consumer_prop("client.id").unwrap_or("console-consumer").to_string();
    let idle_timeout_ms = timeout_ms.or((con.scripted && !con.launching_background).then_some(SCRIPT_IDLE_TIMEOUT_MS));
    let config = ConsumerConfig {
        bootstrap_servers: bootstrap.split(',').map(|s| s.trim().to_string()).collect(),
        client_id: client_id.clone(),
        group_id,
        topic: p.value("topic").unwrap_or_default().to_string(),
        partition: partition.map(|n| n as u32),
        start,
        fetch_max_wait_ms: 500,
        idle_timeout_ms,
        retry_backoff_ms: 100,
        // --partition reads with assign(); otherwise the consumer subscribes through its group.
        group: partition.is_none().then_some(group),
    };
    let client = world.start_client(|_| Client {
        client_id,
        role: ClientRole::Consumer(Box::new(Consumer::new(config))),
        alive: true,
    });
    Outcome::Job(JobKind::Consumer(ConsumerJob {
        client,
        formatter,
        count: 0,
        max_messages,
        explicit_timeout: timeout_ms.is_some(),
        partial: String::new(),
    }))
}

impl ConsumerJob {
    /// Prints formatted text, one console line per line separator.
    fn print(&mut self, text: &str, emit: &mut Emit) {
        self.partial.push_str(text);
        while let Some(i) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=i).collect();
            emit.out(line.trim_end_matches('\n').to_string());
        }
    }

    fn finish(&mut self, emit: &mut Emit) {
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            emit.out(rest);
        }
        emit.err(format!("Processed a total of {} messages", self.count));
        emit.exit(0);
    }

    /// Its standard output could not be written (a full file): `checkErr` ends the loop
    /// after the first record it could not write, and the consumer closes as at the end of
    /// its messages. The records after that one were printed in the same fetch, so they
    /// come off the count (a record per line, as the default formatter prints).
    pub(crate) fn stdout_closed(&mut self, unwritten_lines: usize, emit: &mut Emit) {
        let after_first = u64::try_from(unwritten_lines.saturating_sub(1)).unwrap_or(u64::MAX);
        self.count = self.count.saturating_sub(after_first);
        emit.err("Unable to write to standard out, closing consumer.".to_string());
        self.finish(emit);
    }

    /// Ctrl-C: the shutdown hook wakes the consumer up and it closes.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        world.poke_client(self.client, |client, ctx| client.close(ctx));
        self.finish(emit);
    }

    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Consumer(event) = event else {
            return;
        };
        match event {
            ConsumerEvent::Records(records) => {
                for r in records {
                    if self.max_messages.is_some_and(|m| self.count >= m) {
                        break;
                    }
                    let text = self.formatter.format(&r);
                    self.print(&text, emit);
                    self.count += 1;
                }
                if self.max_messages.is_some_and(|m| self.count >= m) {
                    self.finish(emit);
                }
            }
            ConsumerEvent::Assigned(_) => {}
            ConsumerEvent::NoOffset(partitions) => {
                let list: Vec<String> = partitions.iter().map(|(t, p)| format!("{t}-{p}")).collect();
                emit.err(format!("{} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)", format_log_timestamp(emit.now_wall_ms)));
                emit.err(format!("org.apache.kafka.clients.consumer.NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [{}]", list.join(", ")));
                self.finish(emit);
            }
            ConsumerEvent::Fatal(e) => {
                emit.err(format!("{} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)", format_log_timestamp(emit.now_wall_ms)));
                emit.err(e.to_string());
                self.finish(emit);
            }
            ConsumerEvent::TimedOut => {
                if self.explicit_timeout {
                    emit.err(format!("{} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)", format_log_timestamp(emit.now_wall_ms)));
                    emit.err("org.apache.kafka.common.errors.TimeoutException");
                }
                self.finish(emit);
            }
        }
    }
}

/// The serde of a deserializer class given to the formatter (`LongDeserializer`, …);
/// None for the byte and string ones, whose bytes print as UTF-8 text.
fn deserializer(class: &str) -> Option<Serde> {
    match class.rsplit('.').next().unwrap_or(class) {
        "LongDeserializer" => Some(Serde::Long),
        "IntegerDeserializer" => Some(Serde::Integer),
        "DoubleDeserializer" => Some(Serde::Double),
        _ => None,
    }
}
