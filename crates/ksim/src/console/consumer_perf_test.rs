//! `kafka-consumer-perf-test.sh` (`ConsumerPerformance`): reads `--messages` records from
//! the earliest offset (or the latest with `--from-latest`) and prints one line of
//! throughput figures measured in simulated time, or one line per `--reporting-interval`
//! with `--show-detailed-stats`.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec};
use super::producer_perf_test::java_fixed;
use super::{Console, Outcome};
use crate::client::consumer::{Consumer, ConsumerConfig, ConsumerEvent, GroupConfig, StartOffset};
use crate::client::{Client, ClientRole};
use crate::ids::ClientId;
use crate::node::ClientEvent;
use crate::time::fields;
use crate::world::World;

const ABOUT: &str = "This tool is used to verify the consumer performance.";

const SPECS: &[OptSpec] = &[
    OptSpec { name: "bootstrap-server", arg: Some("String: server to connect to"), help: "REQUIRED: The server(s) to connect to." },
    OptSpec { name: "consumer.config", arg: Some("String: config file"), help: "Consumer config properties file." },
    OptSpec { name: "date-format", arg: Some("String: date format"), help: "The date format to use for formatting the time field. See java.text.SimpleDateFormat for options. (default: yyyy-MM-dd HH:mm:ss:SSS)" },
    OptSpec { name: "fetch-size", arg: Some("Integer: size"), help: "The amount of data to fetch in a single request. (default: 1048576)" },
    OptSpec { name: "from-latest", arg: None, help: "If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message." },
    OptSpec { name: "group", arg: Some("String: gid"), help: "The group id to consume on. (default: perf-consumer-<random>)" },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "hide-header", arg: None, help: "If set, skips printing the header for the stats" },
    OptSpec { name: "messages", arg: Some("Long: count"), help: "REQUIRED: The number of messages to send or consume" },
    OptSpec { name: "print-metrics", arg: None, help: "Print out the metrics." },
    OptSpec { name: "reporting-interval", arg: Some("Long: interval_ms"), help: "Interval in milliseconds at which to print progress info. (default: 5000)" },
    OptSpec { name: "show-detailed-stats", arg: None, help: "If set, stats are reported for each reporting interval as configured by reporting-interval" },
    OptSpec { name: "socket-buffer-size", arg: Some("Integer: size"), help: "The size of the tcp RECV size. (default: 2097152)" },
    OptSpec { name: "timeout", arg: Some("Long: milliseconds"), help: "The maximum allowed time in milliseconds between returned records. (default: 10000)" },
    OptSpec { name: "topic", arg: Some("String: topic"), help: "REQUIRED: The topic to consume from." },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

const MB: f64 = 1024.0 * 1024.0;

/// One piece of a `SimpleDateFormat` pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum DatePart {
    Literal(String),
    /// A pattern letter repeated `count` times.
    Field(char, usize),
}

/// The subset of `java.text.SimpleDateFormat` a student is likely to type, in UTC (the
/// simulated machine's zone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateFormat(Vec<DatePart>);

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"];

impl DateFormat {
    /// `new SimpleDateFormat(pattern)`: its `IllegalArgumentException` messages.
    pub(crate) fn new(pattern: &str) -> Result<DateFormat, String> {
        let mut parts = Vec::new();
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                let mut text = String::new();
                i += 1;
                if chars.get(i) == Some(&'\'') {
                    parts.push(DatePart::Literal("'".to_string()));
                    i += 1;
                    continue;
                }
                loop {
                    match chars.get(i) {
                        None => return Err("Unterminated quote".to_string()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            text.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            text.push(*ch);
                            i += 1;
                        }
                    }
                }
                parts.push(DatePart::Literal(text));
            } else if c.is_ascii_alphabetic() {
                if !"yMdHhmsSaEzZXkK".contains(c) {
                    return Err(format!("Illegal pattern character '{c}'"));
                }
                let mut count = 1;
                while chars.get(i + count) == Some(&c) {
                    count += 1;
                }
                parts.push(DatePart::Field(c, count));
                i += count;
            } else {
                parts.push(DatePart::Literal(c.to_string()));
                i += 1;
            }
        }
        Ok(DateFormat(parts))
    }

    pub(crate) fn format(&self, epoch_ms: u64) -> String {
        let (y, mo, d, h, mi, s, ms) = fields(epoch_ms);
        let weekday = DAYS[(epoch_ms / 86_400_000 % 7) as usize];
        let number = |n: u64, count: usize| format!("{n:0count$}");
        let mut out = String::new();
        for part in &self.0 {
            match part {
                DatePart::Literal(text) => out.push_str(text),
                DatePart::Field(c, n) => out.push_str(&match c {
                    'y' if *n == 2 => number(y.rem_euclid(100) as u64, 2),
                    'y' => number(y.max(0) as u64, *n),
                    'M' if *n >= 4 => MONTHS[mo as usize - 1].to_string(),
                    'M' if *n == 3 => MONTHS[mo as usize - 1][..3].to_string(),
                    'M' => number(u64::from(mo), *n),
                    'd' => number(u64::from(d), *n),
                    'H' => number(h, *n),
                    'k' => number(if h == 0 { 24 } else { h }, *n),
                    'K' => number(h % 12, *n),
                    'h' => number(if h % 12 == 0 { 12 } else { h % 12 }, *n),
                    'm' => number(mi, *n),
                    's' => number(s, *n),
                    'S' => number(ms, *n),
                    'a' => if h < 12 { "AM" } else { "PM" }.to_string(),
                    'E' if *n >= 4 => weekday.to_string(),
                    'E' => weekday[..3].to_string(),
                    'z' if *n >= 4 => "Coordinated Universal Time".to_string(),
                    'z' => "UTC".to_string(),
                    'Z' => "+0000".to_string(),
                    _ => "Z".to_string(),
                }),
            }
        }
        out
    }
}

#[derive(Clone)]
pub(crate) struct ConsumerPerfJob {
    pub(crate) client: ClientId,
    messages: u64,
    timeout_ms: u64,
    reporting_interval_ms: u64,
    show_detailed_stats: bool,
    date_format: DateFormat,
    start_ms: u64,
    messages_read: u64,
    bytes_read: u64,
    last_messages_read: u64,
    last_bytes_read: u64,
    last_report_ms: u64,
    /// Time spent joining the group (`rebalance.time.ms`), set on the first assignment.
    join_time_ms: Option<u64>,
}

fn header(show_detailed_stats: bool) -> String {
    let new_fields = ", rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
    if show_detailed_stats {
        format!("time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec{new_fields}")
    } else {
        format!("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec{new_fields}")
    }
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let p = match options::parse(SPECS, args) {
        Ok(p) => p,
        Err(e) => return options::print_usage(con, SPECS, &e.message),
    };
    if p.has("help") || args.is_empty() {
        // `printUsageAndExit`: with no arguments the help is a failure.
        let shown = options::print_help(con, SPECS, Some(ABOUT));
        return if args.is_empty() { Outcome::Done(1) } else { shown };
    }
    if p.has("version") {
        con.out("4.0.0");
        return Outcome::Done(0);
    }
    let Some(topic) = p.value("topic") else {
        return options::print_usage(con, SPECS, "Missing required argument \"[topic]\"");
    };
    if !p.has("messages") {
        return options::print_usage(con, SPECS, "Missing required argument \"[messages]\"");
    }
    let long = |key: &str, default: u64| -> Result<u64, String> {
        p.value(key).map_or(Ok(default), |v| {
            v.parse::<u64>().map_err(|_| format!("Cannot parse argument '{v}' of option {key}"))
        })
    };
    let parsed =
        (|| Ok::<_, String>((long("messages", 0)?, long("timeout", 10_000)?, long("reporting-interval", 5000)?)))();
    let (messages, timeout_ms, reporting_interval_ms) = match parsed {
        Ok(v) => v,
        Err(m) => return options::print_usage(con, SPECS, &m),
    };
    for key in ["fetch-size", "socket-buffer-size"] {
        if let Some(v) = p.value(key).filter(|v| v.parse::<i32>().is_err()) {
            return options::print_usage(con, SPECS, &format!("Cannot parse argument '{v}' of option {key}"));
        }
    }
    if p.has("print-metrics") {
        con.err("kafka-consumer-perf-test.sh --print-metrics: consumer metrics are not simulated in Kafka Playground; run without it.");
        return Outcome::Done(1);
    }
    // `RND.nextInt(100_000)` runs as the options are declared, group given or not.
    let default_group = format!("perf-consumer-{}", con.rng.below(100_000));
    let show_detailed_stats = p.has("show-detailed-stats");
    if !p.has("hide-header") {
        con.out(header(show_detailed_stats));
    }
    // What `new KafkaConsumer<>(options.props())` and `consume()` check, in that order,
    // after the header is out.
    let mut client_id = "perf-consumer-client".to_string();
    if let Some(file) = p.value("consumer.config") {
        let path = con.vfs.resolve(file);
        match con.vfs.read(&path) {
            Ok(text) => {
                if let Some((_, v)) =
                    super::vfs::parse_properties(text).into_iter().rev().find(|(k, _)| k == "client.id")
                {
                    client_id = v;
                }
            }
            Err(_) => return con.exception("java.nio.file.NoSuchFileException", file),
        }
    }
    let Some(bootstrap) = p.value("bootstrap-server") else {
        // `Properties.put(BOOTSTRAP_SERVERS_CONFIG, null)`.
        con.err("null");
        con.err("java.lang.NullPointerException");
        return Outcome::Done(1);
    };
    if reporting_interval_ms == 0 {
        return con.exception("java.lang.IllegalArgumentException", "Reporting interval must be greater than 0.");
    }
    let date_format = match DateFormat::new(p.value("date-format").unwrap_or("yyyy-MM-dd HH:mm:ss:SSS")) {
        Ok(f) => f,
        Err(m) => return con.exception("java.lang.IllegalArgumentException", &m),
    };
    let config = ConsumerConfig {
        bootstrap_servers: bootstrap.split(',').map(|s| s.trim().to_string()).collect(),
        client_id: client_id.clone(),
        group_id: p.value("group").map_or(default_group, str::to_string),
        topic: topic.to_string(),
        partition: None,
        start: if p.has("from-latest") { StartOffset::Latest } else { StartOffset::Earliest },
        fetch_max_wait_ms: 500,
        idle_timeout_ms: Some(timeout_ms),
        retry_backoff_ms: 100,
        // ConsumerPerformance subscribes: it joins its group (auto-commit on, Kafka's default).
        group: Some(GroupConfig::default()),
    };
    let client = world.start_client(|_| Client {
        client_id,
        role: ClientRole::Consumer(Box::new(Consumer::new(config))),
        alive: true,
    });
    let now_ms = world.now().wall_ms();
    Outcome::Job(JobKind::ConsumerPerf(ConsumerPerfJob {
        client,
        messages,
        timeout_ms,
        reporting_interval_ms,
        show_detailed_stats,
        date_format,
        start_ms: now_ms,
        messages_read: 0,
        bytes_read: 0,
        last_messages_read: 0,
        last_bytes_read: 0,
        last_report_ms: now_ms,
        join_time_ms: None,
    }))
}

impl ConsumerPerfJob {
    /// `printConsumerProgress` for the interval that just ended. The rebalance share of
    /// the interval is 0 until consumers join their group.
    fn progress_line(&self, now_ms: u64) -> String {
        let elapsed_ms = now_ms.saturating_sub(self.last_report_ms) as f64;
        let total_mb = self.bytes_read as f64 / MB;
        let interval_mb = (self.bytes_read - self.last_bytes_read) as f64 / MB;
        let interval_messages = self.messages_read - self.last_messages_read;
        let fetch_time_ms = now_ms.saturating_sub(self.last_report_ms);
        let (fetch_mb_per_sec, fetch_messages_per_sec) = if fetch_time_ms == 0 {
            (0.0, 0.0)
        } else {
            (1000.0 * interval_mb / fetch_time_ms as f64, 1000.0 * interval_messages as f64 / fetch_time_ms as f64)
        };
        format!(
            "{}, 0, {}, {}, {}, {}, 0, {fetch_time_ms}, {}, {}",
            self.date_format.format(now_ms),
            java_fixed(total_mb, 4),
            java_fixed(1000.0 * interval_mb / elapsed_ms, 4),
            self.messages_read,
            java_fixed(interval_messages as f64 / elapsed_ms * 1000.0, 4),
            java_fixed(fetch_mb_per_sec, 4),
            java_fixed(fetch_messages_per_sec, 4),
        )
    }

    /// The end of `main`: the warning if records are missing, then the totals.
    fn finish(&mut self, now_ms: u64, emit: &mut Emit) {
        if self.messages_read < self.messages {
            emit.out(format!("WARNING: Exiting before consuming the expected number of messages: timeout ({} ms) exceeded. You can use the --timeout option to increase the timeout.", self.timeout_ms));
        }
        if !self.show_detailed_stats {
            let elapsed_sec = now_ms.saturating_sub(self.start_ms) as f64 / 1000.0;
            // rebalance.time.ms: how long joining the group took (the rebalance listener's
            // onPartitionsAssigned in Kafka); the rest of the run was fetching.
            let join_time_ms = self.join_time_ms.unwrap_or(0);
            let fetch_time_ms = now_ms.saturating_sub(self.start_ms).saturating_sub(join_time_ms);
            let total_mb = self.bytes_read as f64 / MB;
            let messages = self.messages_read as f64;
            emit.out(format!(
                "{}, {}, {}, {}, {}, {}, {join_time_ms}, {fetch_time_ms}, {}, {}",
                self.date_format.format(self.start_ms),
                self.date_format.format(now_ms),
                java_fixed(total_mb, 4),
                java_fixed(total_mb / elapsed_sec, 4),
                self.messages_read,
                java_fixed(messages / elapsed_sec, 4),
                java_fixed(total_mb / (fetch_time_ms as f64 / 1000.0), 4),
                java_fixed(messages / (fetch_time_ms as f64 / 1000.0), 4),
            ));
        }
        emit.exit(0);
    }

    /// Ctrl-C: the JVM dies; nothing more is printed.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        world.poke_client(self.client, |client, _| client.alive = false);
        emit.exit(130);
    }

    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Consumer(event) = event else {
            return;
        };
        let now_ms = emit.now_wall_ms;
        match event {
            ConsumerEvent::Records(records) => {
                // Every record of a poll counts, even past --messages, as in Kafka's loop.
                for r in &records {
                    self.messages_read += 1;
                    self.bytes_read += r.key.as_ref().map_or(0, Vec::len) as u64;
                    self.bytes_read += r.value.as_ref().map_or(0, Vec::len) as u64;
                    if now_ms - self.last_report_ms >= self.reporting_interval_ms {
                        if self.show_detailed_stats {
                            let line = self.progress_line(now_ms);
                            emit.out(line);
                        }
                        self.last_report_ms = now_ms;
                        self.last_messages_read = self.messages_read;
                        self.last_bytes_read = self.bytes_read;
                    }
                }
                if self.messages_read >= self.messages {
                    self.finish(now_ms, emit);
                }
            }
            ConsumerEvent::Assigned(_) => {
                self.join_time_ms.get_or_insert(now_ms.saturating_sub(self.start_ms));
            }
            ConsumerEvent::TimedOut | ConsumerEvent::NoOffset(_) | ConsumerEvent::Fatal(_) => self.finish(now_ms, emit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::WALL_CLOCK_START_MS;

    #[test]
    fn default_date_format_is_kafkas() {
        let f = DateFormat::new("yyyy-MM-dd HH:mm:ss:SSS").unwrap();
        assert_eq!(f.format(WALL_CLOCK_START_MS + 1234), "2024-06-25 14:06:01:234");
    }

    #[test]
    fn simple_date_format_letters_and_quotes() {
        let f = DateFormat::new("EEE, d MMM yy h:mm a 'at' ''Z''").unwrap();
        assert_eq!(f.format(WALL_CLOCK_START_MS), "Tue, 25 Jun 24 2:06 PM at '+0000'");
        assert_eq!(DateFormat::new("yyyy-qq").unwrap_err(), "Illegal pattern character 'q'");
        assert_eq!(DateFormat::new("'open").unwrap_err(), "Unterminated quote");
    }

    #[test]
    fn header_names_kafkas_columns() {
        assert_eq!(header(false), "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
        assert!(header(true).starts_with("time, threadId, "));
    }
}
