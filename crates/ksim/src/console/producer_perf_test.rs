//! `kafka-producer-perf-test.sh` (`ProducerPerformance`, `ThroughputThrottler`): sends
//! `--num-records` records of random uppercase letters (or payloads from a file) as fast
//! as `--throughput` allows, and reports send-to-ack latency in simulated time: a window
//! line every 5 s and a total with percentiles.
//!
//! Unlike the other tools it parses its command line with argparse4j, so its usage and
//! error texts (`producer-performance: error: argument --topic is required`) differ.

use super::job::Emit;
use super::job::JobKind;
use super::options;
use super::{Console, Outcome};
use crate::client::producer::{Producer, ProducerConfig, ProducerEvent};
use crate::client::{Client, ClientRole};
use crate::ids::ClientId;
use crate::node::{ClientEvent, Timer};
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::vec_map::VecMap;
use crate::world::World;
use std::collections::BTreeMap;

/// argparse4j's program name, shown in usage and error lines.
const PROG: &str = "producer-performance";
const DESCRIPTION: &str = "This tool is used to verify the producer performance. To enable transactions, you can specify a transaction id or set a transaction duration using --transaction-duration-ms. There are three ways to specify the transaction id: set transaction.id=<id> via --producer-props, set transaction.id=<id> in the config file via --producer.config, or use --transaction-id <id>.";
/// `Stats(numRecords, 5000)`: the window line's period.
const REPORTING_INTERVAL_MS: u64 = 5000;
/// `Stats` keeps at most this many latency samples.
const LATENCY_SAMPLES_MAX: u64 = 500_000;
/// `buffer.memory`: `send()` blocks while this many bytes wait for their acks.
const BUFFER_MEMORY_BYTES: u64 = 32 * 1024 * 1024;
/// The playground's bound on one run, so a typo cannot freeze the page.
const PAYLOAD_BYTES_MAX: u64 = 20 * 1000 * 1000;
const NUM_RECORDS_MAX: u64 = 200_000;

/// How an argument is given (argparse4j actions).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    /// `store()`: one value.
    Store,
    /// `nargs("+")`: one or more values.
    StoreList,
    /// `storeTrue()`: a flag.
    StoreTrue,
}

/// argparse4j's `ReflectArgumentType` conversions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueType {
    Text,
    Long,
    Integer,
    Double,
}

struct Arg {
    flag: &'static str,
    metavar: &'static str,
    action: Action,
    value_type: ValueType,
    required: bool,
    /// Member of the required group `--record-size | --payload-file | --payload-monotonic`.
    payload_group: bool,
    help: &'static str,
}

const fn arg(
    flag: &'static str,
    metavar: &'static str,
    action: Action,
    value_type: ValueType,
    help: &'static str,
) -> Arg {
    Arg { flag, metavar, action, value_type, required: false, payload_group: false, help }
}

const fn required(a: Arg) -> Arg {
    Arg { required: true, ..a }
}

const fn grouped(a: Arg) -> Arg {
    Arg { payload_group: true, ..a }
}

/// In the order `argParser()` adds them (argparse4j checks required ones in this order).
const ARGS: &[Arg] = &[
    required(arg("--topic", "TOPIC", Action::Store, ValueType::Text, "produce messages to this topic")),
    required(arg("--num-records", "NUM-RECORDS", Action::Store, ValueType::Long, "number of messages to produce")),
    grouped(arg("--record-size", "RECORD-SIZE", Action::Store, ValueType::Integer, "message size in bytes. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.")),
    grouped(arg("--payload-file", "PAYLOAD-FILE", Action::Store, ValueType::Text, "file to read the message payloads from. This works only for UTF-8 encoded text files. Payloads will be read from this file and a payload will be randomly selected when sending messages. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.")),
    grouped(arg("--payload-monotonic", "", Action::StoreTrue, ValueType::Text, "payload is monotonically increasing integer. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.")),
    arg("--payload-delimiter", "PAYLOAD-DELIMITER", Action::Store, ValueType::Text, "provides delimiter to be used when --payload-file is provided. Defaults to new line. Note that this parameter will be ignored if --payload-file is not provided. (default: \\n)"),
    required(arg("--throughput", "THROUGHPUT", Action::Store, ValueType::Double, "throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. Set this to -1 to disable throttling.")),
    arg("--producer-props", "PROP-NAME=PROP-VALUE", Action::StoreList, ValueType::Text, "kafka producer related configuration properties like bootstrap.servers,client.id etc. These configs take precedence over those passed via --producer.config."),
    arg("--producer.config", "CONFIG-FILE", Action::Store, ValueType::Text, "producer config properties file."),
    arg("--print-metrics", "", Action::StoreTrue, ValueType::Text, "print out metrics at the end of the test. (default: false)"),
    arg("--transactional-id", "TRANSACTIONAL-ID", Action::Store, ValueType::Text, "The transactional id to use. This config takes precedence over the transactional.id specified via --producer.config or --producer-props. Note that if the transactional id is not specified while --transaction-duration-ms is provided, the default value for the transactional id will be performance-producer- followed by a random uuid."),
    arg("--transaction-duration-ms", "TRANSACTION-DURATION", Action::Store, ValueType::Long, "The max age of each transaction. The commitTransaction will be called after this time has elapsed. The value should be greater than 0. If the transactional id is specified via --producer-props, --producer.config, or --transaction-id but --transaction-duration-ms is not specified, the default value will be 3000."),
];

/// What argparse4j made of the command line.
#[derive(Debug, Default)]
struct Namespace {
    values: VecMap<&'static str, Vec<String>>,
    help: bool,
}

impl Namespace {
    fn value(&self, flag: &str) -> Option<&str> {
        self.values.get(flag).and_then(|v| v.first()).map(String::as_str)
    }

    fn has(&self, flag: &str) -> bool {
        self.values.contains_key(flag)
    }
}

/// `-1`, `-2.5`: argparse4j reads these as values, not flags, when no flag looks like one.
fn is_negative_number(word: &str) -> bool {
    word.strip_prefix('-').is_some_and(|rest| !rest.is_empty() && rest.parse::<f64>().is_ok())
}

fn looks_like_flag(word: &str) -> bool {
    word.starts_with('-') && word.len() > 1 && !is_negative_number(word)
}

/// Exact flag, or a unique prefix of one (argparse4j abbreviations).
fn resolve(flag: &str) -> Result<Option<&'static Arg>, String> {
    if flag == "-h" || flag == "--help" {
        return Ok(None);
    }
    if let Some(a) = ARGS.iter().find(|a| a.flag == flag) {
        return Ok(Some(a));
    }
    let mut candidates: Vec<&'static str> = ARGS.iter().map(|a| a.flag).filter(|f| f.starts_with(flag)).collect();
    if "--help".starts_with(flag) && flag.len() > 2 {
        candidates.push("--help");
    }
    match candidates.as_slice() {
        ["--help"] => Ok(None),
        [one] if flag.len() > 2 => Ok(ARGS.iter().find(|a| a.flag == *one)),
        [] | [_] => Err(format!("unrecognized arguments: '{flag}'")),
        many => Err(format!("ambiguous option: {flag} could match {}", many.join(", "))),
    }
}

fn convert(a: &Arg, value: &str) -> Result<(), String> {
    let ok = match a.value_type {
        ValueType::Text => true,
        ValueType::Long => value.trim().parse::<i64>().is_ok(),
        ValueType::Integer => value.trim().parse::<i32>().is_ok(),
        ValueType::Double => value.trim().parse::<f64>().is_ok(),
    };
    let type_name = match a.value_type {
        ValueType::Text => "String",
        ValueType::Long => "Long",
        ValueType::Integer => "Integer",
        ValueType::Double => "Double",
    };
    if ok {
        Ok(())
    } else {
        Err(format!("argument {}: could not convert '{value}' to {type_name}", a.flag))
    }
}

/// `ArgumentParser.parseArgs` for this tool's arguments: argparse4j's messages.
fn parse_args(args: &[String]) -> Result<Namespace, String> {
    let mut ns = Namespace::default();
    let mut payload_choice: Option<&'static str> = None;
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        i += 1;
        if !looks_like_flag(word) {
            return Err(format!("unrecognized arguments: '{word}'"));
        }
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (word.as_str(), None),
        };
        let Some(a) = resolve(flag)? else {
            ns.help = true;
            return Ok(ns);
        };
        if a.payload_group {
            match payload_choice {
                Some(other) if other != a.flag => {
                    return Err(format!("argument {}: not allowed with argument {other}", a.flag));
                }
                _ => payload_choice = Some(a.flag),
            }
        }
        let values = match a.action {
            Action::StoreTrue => {
                if let Some(v) = inline {
                    return Err(format!("argument {}: ignored explicit argument '{v}'", a.flag));
                }
                vec!["true".to_string()]
            }
            Action::Store => {
                let value = match inline {
                    Some(v) => v,
                    None => match args.get(i) {
                        Some(v) if !looks_like_flag(v) => {
                            i += 1;
                            v.clone()
                        }
                        _ => return Err(format!("argument {}: expected one argument", a.flag)),
                    },
                };
                convert(a, &value)?;
                vec![value]
            }
            Action::StoreList => {
                let mut values: Vec<String> = inline.into_iter().collect();
                while let Some(v) = args.get(i).filter(|v| !looks_like_flag(v)) {
                    values.push(v.clone());
                    i += 1;
                }
                if values.is_empty() {
                    return Err(format!("argument {}: expected at least one argument", a.flag));
                }
                values
            }
        };
        ns.values.insert(a.flag, values);
    }
    if let Some(missing) = ARGS.iter().find(|a| a.required && !ns.has(a.flag)) {
        return Err(format!("argument {} is required", missing.flag));
    }
    if payload_choice.is_none() {
        return Err("one of the arguments --record-size --payload-file --payload-monotonic is required".to_string());
    }
    Ok(ns)
}

/// How an argument shows in the usage line.
fn short_syntax(a: &Arg) -> String {
    match a.action {
        Action::StoreTrue => a.flag.to_string(),
        Action::Store => format!("{} {}", a.flag, a.metavar),
        Action::StoreList => format!("{} {m} [{m} ...]", a.flag, m = a.metavar),
    }
}

/// argparse4j's format width.
const FORMAT_WIDTH: usize = 75;

/// `usage: producer-performance …`: ungrouped arguments first, then the mutex group,
/// wrapped at the format width under the program name.
fn usage() -> Vec<String> {
    let mut items = vec!["[-h]".to_string()];
    for a in ARGS.iter().filter(|a| !a.payload_group) {
        let s = short_syntax(a);
        items.push(if a.required { s } else { format!("[{s}]") });
    }
    let group: Vec<&Arg> = ARGS.iter().filter(|a| a.payload_group).collect();
    for (n, a) in group.iter().enumerate() {
        let mut s = short_syntax(a);
        if n == 0 {
            s.insert(0, '(');
        }
        s.push_str(if n + 1 == group.len() { ")" } else { " |" });
        items.push(s);
    }
    let head = format!("usage: {PROG} ");
    let indent = " ".repeat(head.len());
    let mut lines = Vec::new();
    let mut line = head.clone();
    for item in items {
        if line.len() > head.len() && line.len() + item.len() > FORMAT_WIDTH {
            lines.push(line.trim_end().to_string());
            line = indent.clone();
        }
        line.push_str(&item);
        line.push(' ');
    }
    lines.push(line.trim_end().to_string());
    lines
}

/// argparse4j's help screen: usage, description, then each argument with its help in a
/// column from 25.
fn help() -> Vec<String> {
    const COLUMN: usize = 25;
    let mut out = usage();
    out.push(String::new());
    out.extend(options::wrap(DESCRIPTION, FORMAT_WIDTH));
    out.push(String::new());
    out.push("named arguments:".to_string());
    let row = |out: &mut Vec<String>, left: String, help: &str| {
        let text = options::wrap(help, FORMAT_WIDTH - COLUMN);
        let mut rest = text.iter();
        if left.len() + 1 < COLUMN {
            out.push(format!("{left:<COLUMN$}{}", rest.next().map_or("", String::as_str)).trim_end().to_string());
        } else {
            out.push(left);
        }
        for l in rest {
            out.push(format!("{:COLUMN$}{l}", ""));
        }
    };
    row(&mut out, "  -h, --help".to_string(), "show this help message and exit");
    for a in ARGS.iter().filter(|a| !a.payload_group) {
        row(&mut out, format!("  {}", short_syntax(a)), a.help);
    }
    out.push(String::new());
    out.push("  either --record-size or --payload-file must be specified but not both.".to_string());
    out.push(String::new());
    for a in ARGS.iter().filter(|a| a.payload_group) {
        row(&mut out, format!("  {}", short_syntax(a)), a.help);
    }
    out
}

/// `parser.handleError(e)`: usage and `producer-performance: error: …` on stderr.
fn arg_error(con: &mut Console, message: &str) -> Outcome {
    for line in usage() {
        con.err(line);
    }
    con.err(format!("{PROG}: error: {message}"));
    Outcome::Done(1)
}

/// `ProducerPerformance.main` declares `throws Exception`: the JVM prints what escapes.
fn uncaught(con: &mut Console, class: &str, message: &str) -> Outcome {
    con.err(format!("Exception in thread \"main\" {class}: {message}"));
    Outcome::Done(1)
}

/// Where each record's bytes come from (`generateRandomPayload`).
#[derive(Clone)]
enum Payload {
    /// `--record-size`: that many random uppercase letters per record.
    Random(usize),
    /// `--payload-file`: one of the file's payloads, chosen at random per record.
    List(Vec<Vec<u8>>),
    /// `--payload-monotonic`: the record's index as text.
    Monotonic,
}

/// `ThroughputThrottler` in simulated milliseconds. Sends take no simulated time, so an
/// elapsed time of 0 counts as 1 ms (a real JVM has spent at least that much).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Throttler {
    target_per_sec: f64,
    sleep_time_ns: u64,
    sleep_deficit_ns: u64,
}

/// `MIN_SLEEP_NS`: deficits below 2 ms accumulate before the thread sleeps.
const MIN_SLEEP_NS: u64 = 2_000_000;

impl Throttler {
    pub(crate) fn new(target_per_sec: f64) -> Throttler {
        let sleep_time_ns = if target_per_sec > 0.0 { (1e9 / target_per_sec) as u64 } else { u64::MAX };
        Throttler { target_per_sec, sleep_time_ns, sleep_deficit_ns: 0 }
    }

    /// `shouldThrottle(amountSoFar, sendStartMs)`.
    pub(crate) fn should_throttle(&self, amount_so_far: u64, elapsed_ms: u64) -> bool {
        if self.target_per_sec < 0.0 {
            return false;
        }
        let elapsed_sec = elapsed_ms.max(1) as f64 / 1000.0;
        amount_so_far as f64 / elapsed_sec > self.target_per_sec
    }

    /// `throttle()`: how long the sending thread sleeps now, if at all; `u64::MAX` for a
    /// target of 0 (it waits forever).
    pub(crate) fn throttle(&mut self) -> Option<u64> {
        if self.target_per_sec == 0.0 {
            return Some(u64::MAX);
        }
        self.sleep_deficit_ns = self.sleep_deficit_ns.saturating_add(self.sleep_time_ns);
        if self.sleep_deficit_ns < MIN_SLEEP_NS {
            return None;
        }
        let sleep_ms = self.sleep_deficit_ns.div_ceil(1_000_000);
        self.sleep_deficit_ns = 0;
        Some(sleep_ms)
    }
}

/// `ProducerPerformance.Stats`: totals, the current 5 s window, and sampled latencies.
#[derive(Clone, Debug)]
pub(crate) struct Stats {
    start_ms: u64,
    latencies: Vec<u32>,
    sampling: u64,
    iteration: u64,
    count: u64,
    bytes: u64,
    max_latency: u32,
    total_latency: u64,
    window_count: u64,
    window_max_latency: u32,
    window_total_latency: u64,
    window_bytes: u64,
    window_start_ms: u64,
}

impl Stats {
    pub(crate) fn new(num_records: u64, now_ms: u64) -> Stats {
        let sampling = num_records / num_records.clamp(1, LATENCY_SAMPLES_MAX);
        Stats {
            start_ms: now_ms,
            latencies: Vec::new(),
            sampling: sampling.max(1),
            iteration: 0,
            count: 0,
            bytes: 0,
            max_latency: 0,
            total_latency: 0,
            window_count: 0,
            window_max_latency: 0,
            window_total_latency: 0,
            window_bytes: 0,
            window_start_ms: now_ms,
        }
    }

    /// `PerfCallback.onCompletion` for a successful send: `record`, then `iteration++`.
    /// Returns the window line when one is due.
    pub(crate) fn record(&mut self, latency: u32, bytes: u64, now_ms: u64) -> Option<String> {
        self.count += 1;
        self.bytes += bytes;
        self.total_latency += u64::from(latency);
        self.max_latency = self.max_latency.max(latency);
        self.window_count += 1;
        self.window_bytes += bytes;
        self.window_total_latency += u64::from(latency);
        self.window_max_latency = self.window_max_latency.max(latency);
        if self.iteration.is_multiple_of(self.sampling) {
            self.latencies.push(latency);
        }
        self.iteration += 1;
        if now_ms - self.window_start_ms >= REPORTING_INTERVAL_MS {
            let line = self.window_line(now_ms);
            self.window_start_ms = now_ms;
            self.window_count = 0;
            self.window_max_latency = 0;
            self.window_total_latency = 0;
            self.window_bytes = 0;
            return Some(line);
        }
        None
    }

    fn window_line(&self, now_ms: u64) -> String {
        let elapsed = (now_ms - self.window_start_ms) as f64;
        let records_per_sec = 1000.0 * self.window_count as f64 / elapsed;
        let mb_per_sec = 1000.0 * self.window_bytes as f64 / elapsed / (1024.0 * 1024.0);
        format!(
            "{} records sent, {} records/sec ({} MB/sec), {} ms avg latency, {} ms max latency.",
            self.window_count,
            java_fixed(records_per_sec, 1),
            java_fixed(mb_per_sec, 2),
            java_fixed(self.window_total_latency as f64 / self.window_count as f64, 1),
            java_fixed(f64::from(self.window_max_latency), 1),
        )
    }

    /// `printTotal`.
    pub(crate) fn total_line(&mut self, now_ms: u64) -> String {
        let elapsed = now_ms.saturating_sub(self.start_ms) as f64;
        let records_per_sec = 1000.0 * self.count as f64 / elapsed;
        let mb_per_sec = 1000.0 * self.bytes as f64 / elapsed / (1024.0 * 1024.0);
        let p = percentiles(&mut self.latencies, &[0.5, 0.95, 0.99, 0.999]);
        format!(
            "{} records sent, {} records/sec ({} MB/sec), {} ms avg latency, {} ms max latency, {} ms 50th, {} ms 95th, {} ms 99th, {} ms 99.9th.",
            self.count,
            java_fixed(records_per_sec, 1),
            java_fixed(mb_per_sec, 2),
            java_fixed(self.total_latency as f64 / self.count as f64, 2),
            java_fixed(f64::from(self.max_latency), 2),
            p[0],
            p[1],
            p[2],
            p[3],
        )
    }
}

/// `Stats.percentiles`: sorts the samples and takes index `(int) (p * size)`; with no
/// samples Java reads the array's first (zero) slot.
pub(crate) fn percentiles(latencies: &mut [u32], ps: &[f64]) -> Vec<u32> {
    latencies.sort_unstable();
    ps.iter()
        .map(|p| {
            let index = (p * latencies.len() as f64) as usize;
            latencies.get(index).copied().unwrap_or(0)
        })
        .collect()
}

/// Java's `%.Nf`: the shortest decimal that round-trips, rounded half-up (not Rust's
/// half-to-even on the exact binary value), `NaN` and `Infinity` spelled as Java does.
pub(crate) fn java_fixed(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let shortest = format!("{}", x.abs());
    let (int_part, frac_part) = shortest.split_once('.').unwrap_or((&shortest, ""));
    let mut digits: Vec<u8> =
        int_part.bytes().chain(frac_part.bytes().chain(std::iter::repeat(b'0')).take(decimals)).collect();
    let round_up = frac_part.as_bytes().get(decimals).is_some_and(|d| *d >= b'5');
    if round_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - decimals;
    let mut text = String::from_utf8_lossy(&digits[..split]).into_owned();
    if decimals > 0 {
        text.push('.');
        text.push_str(&String::from_utf8_lossy(&digits[split..]));
    }
    if x.is_sign_negative() {
        text.insert(0, '-');
    }
    text
}

/// `readProps`: `--producer.config` first, then `--producer-props` (`k=v`, split on `=`
/// as Java's `String.split` does, dropping trailing empty pieces).
fn read_props(con: &Console, ns: &Namespace) -> Result<Vec<(String, String)>, (&'static str, String)> {
    let mut props = Vec::new();
    if let Some(file) = ns.value("--producer.config") {
        let path = con.vfs.resolve(file);
        match con.vfs.read(&path) {
            Ok(text) => props.extend(super::vfs::parse_properties(text)),
            Err(_) => return Err(("java.nio.file.NoSuchFileException", file.to_string())),
        }
    }
    for prop in ns.values.get("--producer-props").map_or(&[][..], Vec::as_slice) {
        let mut pieces: Vec<&str> = prop.split('=').collect();
        while pieces.last().is_some_and(|p| p.is_empty()) {
            pieces.pop();
        }
        match pieces.as_slice() {
            [k, v] => props.push((k.to_string(), v.to_string())),
            _ => return Err(("java.lang.IllegalArgumentException", format!("Invalid property: {prop}"))),
        }
    }
    Ok(props)
}

fn config_error(message: String) -> (&'static str, String) {
    ("org.apache.kafka.common.config.ConfigException", message)
}

/// `new KafkaProducer<>(props)`: the settings the simulated producer models, with the
/// 4.0 defaults (`acks=all`, `linger.ms=5`, `retries=MAX_INT`).
fn producer_config(props: &[(String, String)]) -> Result<(ProducerConfig, u64), (&'static str, String)> {
    let get = |key: &str| props.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.trim());
    let number = |key: &str, default: u64, type_name: &str| -> Result<u64, (&'static str, String)> {
        get(key).map_or(Ok(default), |v| {
            v.parse::<u64>().map_err(|_| {
                config_error(format!("Invalid value {v} for configuration {key}: Not a number of type {type_name}"))
            })
        })
    };
    let servers: Vec<String> = get("bootstrap.servers")
        .ok_or_else(|| {
            config_error("Missing required configuration \"bootstrap.servers\" which has no default value.".to_string())
        })?
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if servers.is_empty() {
        return Err(config_error("No resolvable bootstrap urls given in bootstrap.servers".to_string()));
    }
    let acks = match get("acks").unwrap_or("all") {
        "all" | "-1" => -1,
        "0" => 0,
        "1" => 1,
        other => {
            return Err(config_error(format!(
                "Invalid value {other} for configuration acks: String must be one of: all, -1, 0, 1"
            )))
        }
    };
    let config = ProducerConfig {
        bootstrap_servers: servers,
        client_id: get("client.id").unwrap_or("perf-producer-client").to_string(),
        acks,
        linger_ms: number("linger.ms", 5, "LONG")?,
        batch_size: number("batch.size", 16384, "INT")? as usize,
        retries: number("retries", i32::MAX as u64, "INT")?.min(u64::from(u32::MAX)) as u32,
        retry_backoff_ms: number("retry.backoff.ms", 100, "LONG")?,
        request_timeout_ms: number("request.timeout.ms", 30_000, "INT")?,
        max_block_ms: number("max.block.ms", 60_000, "LONG")?,
        enable_idempotence: false,
        max_in_flight_requests_per_connection: number("max.in.flight.requests.per.connection", 5, "INT")? as u32,
        delivery_timeout_ms: number("delivery.timeout.ms", 120_000, "INT")?,
    };
    let explicit = match get("enable.idempotence") {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(v) => {
            return Err(config_error(format!(
                "Invalid value {v} for configuration enable.idempotence: Expected value to be either true or false"
            )))
        }
    };
    let mut config = config;
    // Idempotence is on by default (3.0+), dropped quietly by acks=1 unless asked for.
    config.enable_idempotence = crate::client::producer::idempotence_enabled(
        explicit,
        config.acks,
        config.retries,
        config.max_in_flight_requests_per_connection,
    )
    .map_err(|e| config_error(e.trim_start_matches("org.apache.kafka.common.config.ConfigException: ").to_string()))?;
    let buffer_memory = number("buffer.memory", BUFFER_MEMORY_BYTES, "LONG")?;
    Ok((config, buffer_memory))
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let ns = match parse_args(args) {
        // With no arguments at all the tool prints its help and exits 0.
        _ if args.is_empty() => Namespace { help: true, ..Namespace::default() },
        Ok(ns) => ns,
        Err(message) => return arg_error(con, &message),
    };
    if ns.help {
        for line in help() {
            con.out(line);
        }
        return Outcome::Done(0);
    }
    let long = |flag: &str| ns.value(flag).and_then(|v| v.trim().parse::<i64>().ok());
    let num_records = long("--num-records").unwrap_or(0);
    let record_size = ns.value("--record-size").and_then(|v| v.trim().parse::<i32>().ok());
    let throughput = ns.value("--throughput").and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(-1.0);
    if num_records <= 0 {
        return arg_error(con, "--num-records should be greater than zero");
    }
    if record_size.is_some_and(|s| s <= 0) {
        return arg_error(con, "--record-size should be greater than zero");
    }
    if !ns.has("--producer-props") && !ns.has("--producer.config") {
        return arg_error(con, "Either --producer-props or --producer.config must be specified.");
    }
    if long("--transaction-duration-ms").is_some_and(|d| d <= 0) {
        return arg_error(con, "--transaction-duration-ms should be greater than zero");
    }
    let payload = if let Some(file) = ns.value("--payload-file") {
        let delimiter = match ns.value("--payload-delimiter").unwrap_or("\\n") {
            "\\n" => "\n",
            other => other,
        };
        let path = con.vfs.resolve(file);
        con.out(format!("Reading payloads from: {path}"));
        let text = match con.vfs.read(&path) {
            Ok(text) if !text.is_empty() => text.to_string(),
            _ => {
                return uncaught(
                    con,
                    "java.lang.IllegalArgumentException",
                    "File does not exist or empty file provided.",
                )
            }
        };
        // Java's `split` drops trailing empty strings (a file's last newline).
        let mut pieces: Vec<&str> =
            if delimiter.is_empty() { vec![text.as_str()] } else { text.split(delimiter).collect() };
        while pieces.len() > 1 && pieces.last().is_some_and(|p| p.is_empty()) {
            pieces.pop();
        }
        con.out(format!("Number of messages read: {}", pieces.len()));
        Payload::List(pieces.iter().map(|p| p.as_bytes().to_vec()).collect())
    } else if let Some(size) = record_size {
        Payload::Random(size as usize)
    } else {
        Payload::Monotonic
    };
    let props = match read_props(con, &ns) {
        Ok(p) => p,
        Err((class, message)) => return uncaught(con, class, &message),
    };
    if ns.has("--transactional-id")
        || ns.has("--transaction-duration-ms")
        || props.iter().any(|(k, _)| k == "transactional.id")
    {
        con.err("kafka-producer-perf-test.sh: transactions (--transactional-id, --transaction-duration-ms, transactional.id) are not simulated in Kafka Playground yet.");
        return Outcome::Done(1);
    }
    if ns.has("--print-metrics") {
        con.err("kafka-producer-perf-test.sh --print-metrics: producer metrics are not simulated in Kafka Playground; run without it.");
        return Outcome::Done(1);
    }
    let num_records = num_records as u64;
    let record_bytes = match &payload {
        Payload::Random(size) => *size as u64,
        Payload::List(list) => list.iter().map(|p| p.len() as u64).max().unwrap_or(0),
        Payload::Monotonic => 20,
    };
    if num_records > NUM_RECORDS_MAX || num_records.saturating_mul(record_bytes) > PAYLOAD_BYTES_MAX {
        con.err(format!("kafka-producer-perf-test.sh: Kafka Playground simulates at most {NUM_RECORDS_MAX} records and {} MB per run; use smaller --num-records or --record-size.", PAYLOAD_BYTES_MAX / 1_000_000));
        return Outcome::Done(1);
    }
    let (config, buffer_memory) = match producer_config(&props) {
        Ok(c) => c,
        Err((class, message)) => return uncaught(con, class, &message),
    };
    // Kafka seeds its payload generator with a constant; the playground draws the seed
    // from the console's stream so runs differ between sessions but not between replays.
    let rng = SimRng::for_stream(con.rng.next_u64(), 0);
    let client_id = config.client_id.clone();
    let client = world.start_client(|_| Client {
        client_id,
        role: ClientRole::Producer(Box::new(Producer::new(config))),
        alive: true,
    });
    let now_ms = world.now().wall_ms();
    Outcome::Job(JobKind::ProducerPerf(Box::new(ProducerPerfJob {
        client,
        topic: ns.value("--topic").unwrap_or_default().to_string(),
        num_records,
        payload,
        rng,
        throttler: Throttler::new(throughput),
        start_ms: now_ms,
        next_record: 0,
        sleep_until: None,
        buffer_memory,
        buffered_bytes: 0,
        sent: BTreeMap::new(),
        stats: Stats::new(num_records, now_ms),
        closing: false,
    })))
}

#[derive(Clone)]
pub(crate) struct ProducerPerfJob {
    pub(crate) client: ClientId,
    topic: String,
    num_records: u64,
    payload: Payload,
    rng: SimRng,
    throttler: Throttler,
    start_ms: u64,
    /// Index of the next record the send loop produces.
    next_record: u64,
    /// The throttler's sleep: the loop resumes at this time.
    sleep_until: Option<SimTime>,
    buffer_memory: u64,
    /// Bytes sent but not yet acknowledged; `send()` blocks above `buffer.memory`.
    buffered_bytes: u64,
    /// Record id → (send time, payload bytes), for `PerfCallback`.
    sent: BTreeMap<u64, (u64, u64)>,
    stats: Stats,
    closing: bool,
}

impl ProducerPerfJob {
    fn next_payload(&mut self, index: u64) -> Vec<u8> {
        match &self.payload {
            Payload::Random(size) => (0..*size).map(|_| b'A' + self.rng.below(26) as u8).collect(),
            Payload::List(list) => {
                let pick = self.rng.below(list.len().max(1) as u64) as usize;
                list.get(pick).cloned().unwrap_or_default()
            }
            Payload::Monotonic => index.to_string().into_bytes(),
        }
    }

    /// The send loop, run whenever simulated time moved: sends until the throttler
    /// sleeps, the buffer is full, or every record went out (then `producer.close()`).
    pub(crate) fn tick(&mut self, world: &mut World) {
        let now = world.now();
        if self.closing || self.sleep_until.is_some_and(|at| now < at) {
            return;
        }
        self.sleep_until = None;
        let now_ms = now.wall_ms();
        let mut batch = Vec::new();
        let mut wake_after_ms = None;
        while self.next_record < self.num_records && self.buffered_bytes < self.buffer_memory {
            let index = self.next_record;
            self.next_record += 1;
            let payload = self.next_payload(index);
            self.buffered_bytes += payload.len() as u64;
            batch.push(payload);
            if self.throttler.should_throttle(index, now_ms - self.start_ms) {
                if let Some(sleep_ms) = self.throttler.throttle() {
                    self.sleep_until = Some(now.plus_ms(sleep_ms));
                    wake_after_ms = Some(sleep_ms);
                    break;
                }
            }
        }
        let finished = self.next_record == self.num_records && self.sleep_until.is_none();
        if batch.is_empty() && !finished {
            return;
        }
        let topic = self.topic.clone();
        let mut ids = Vec::new();
        world.poke_client(self.client, |client, ctx| {
            if let ClientRole::Producer(p) = &mut client.role {
                for value in batch {
                    let bytes = value.len() as u64;
                    ids.push((p.send(topic.clone(), None, Some(value), ctx), bytes));
                }
                if let Some(ms) = wake_after_ms.filter(|ms| *ms != u64::MAX) {
                    // Any event at the wake-up time lets the console tick this job again;
                    // a linger check is one the producer takes in its stride.
                    ctx.timer(ms, Timer::Linger);
                }
                if finished {
                    p.close(ctx);
                }
            }
        });
        for (id, bytes) in ids {
            self.sent.insert(id, (now_ms, bytes));
        }
        self.closing = finished;
    }

    /// Ctrl-C: the JVM dies; nothing more is printed.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        world.poke_client(self.client, |client, _| client.alive = false);
        emit.exit(130);
    }

    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Producer(event) = event else {
            return;
        };
        match event {
            ProducerEvent::Acked { id, .. } => {
                let Some((sent_ms, bytes)) = self.sent.remove(&id) else {
                    return;
                };
                self.buffered_bytes = self.buffered_bytes.saturating_sub(bytes);
                let latency = emit.now_wall_ms.saturating_sub(sent_ms).min(u64::from(u32::MAX)) as u32;
                if let Some(line) = self.stats.record(latency, bytes, emit.now_wall_ms) {
                    emit.out(line);
                }
            }
            ProducerEvent::Failed { id, error, .. } => {
                if let Some((_, bytes)) = self.sent.remove(&id) {
                    self.buffered_bytes = self.buffered_bytes.saturating_sub(bytes);
                }
                // `exception.printStackTrace()`.
                emit.err(error);
            }
            ProducerEvent::Closed => {
                let line = self.stats.total_line(emit.now_wall_ms);
                emit.out(line);
                emit.exit(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_kafka_style_arguments() {
        let ns = parse_args(&args(
            "--topic t --num-records 10 --record-size 100 --throughput -1 --producer-props bootstrap.servers=x:1 acks=1",
        ))
        .unwrap();
        assert_eq!(ns.value("--topic"), Some("t"));
        assert_eq!(ns.value("--throughput"), Some("-1"));
        assert_eq!(ns.values["--producer-props"], ["bootstrap.servers=x:1", "acks=1"]);
        let ns = parse_args(&args("--top=t --num 5 --payload-mono --thr 10 --producer.config p")).unwrap();
        assert_eq!(ns.value("--num-records"), Some("5"));
        assert!(ns.has("--payload-monotonic"));
    }

    #[test]
    fn argparse4j_error_texts() {
        let err = |text: &str| parse_args(&args(text)).unwrap_err();
        assert_eq!(err("--num-records 5 --record-size 1 --throughput 1"), "argument --topic is required");
        assert_eq!(err("--topic t --record-size 1 --throughput 1"), "argument --num-records is required");
        assert_eq!(
            err("--topic t --num-records 1 --throughput 1"),
            "one of the arguments --record-size --payload-file --payload-monotonic is required"
        );
        assert_eq!(err("--topic t --num-records x"), "argument --num-records: could not convert 'x' to Long");
        assert_eq!(err("--topic"), "argument --topic: expected one argument");
        assert_eq!(
            err("--record-size 1 --payload-file f"),
            "argument --payload-file: not allowed with argument --record-size"
        );
        assert_eq!(err("--bogus"), "unrecognized arguments: '--bogus'");
        assert!(err("--p x").starts_with("ambiguous option: --p could match --payload-file"));
        assert_eq!(err("--producer-props"), "argument --producer-props: expected at least one argument");
    }

    #[test]
    fn usage_wraps_under_the_program_name() {
        let u = usage();
        assert_eq!(u[0], "usage: producer-performance [-h] --topic TOPIC --num-records NUM-RECORDS");
        let indent = " ".repeat("usage: producer-performance ".len());
        assert!(u[1..].iter().all(|l| l.starts_with(&indent) && !l[indent.len()..].starts_with(' ')));
        assert_eq!(u[2], format!("{indent}--throughput THROUGHPUT"));
        assert!(u.last().unwrap().ends_with("--payload-monotonic)"));
    }

    #[test]
    fn throttler_paces_sends_to_the_target() {
        // 1000 records/s: after the first millisecond's burst, 2 records per 2 ms sleep.
        let mut t = Throttler::new(1000.0);
        let mut now_ms = 0;
        let mut sent_at = Vec::new();
        for i in 0..1000u64 {
            sent_at.push(now_ms);
            if t.should_throttle(i, now_ms) {
                if let Some(ms) = t.throttle() {
                    now_ms += ms;
                }
            }
        }
        let last = *sent_at.last().unwrap();
        assert!((995..=1001).contains(&last), "1000 records at 1000/s end near 1 s, not {last}");
        assert!(!Throttler::new(-1.0).should_throttle(1_000_000, 0));
        assert_eq!(Throttler::new(0.0).throttle(), Some(u64::MAX));
        // 3/s: each send sleeps a third of a second (333.33 ms, rounded up).
        let mut t = Throttler::new(3.0);
        assert!(t.should_throttle(1, 0));
        assert_eq!(t.throttle(), Some(334));
    }

    #[test]
    fn percentiles_take_javas_index() {
        let mut l: Vec<u32> = (1..=1000).rev().collect();
        assert_eq!(percentiles(&mut l, &[0.5, 0.95, 0.99, 0.999]), vec![501, 951, 991, 1000]);
        assert_eq!(percentiles(&mut [], &[0.5]), vec![0]);
        let mut one = [7];
        assert_eq!(percentiles(&mut one, &[0.5, 0.999]), vec![7, 7]);
    }

    #[test]
    fn stats_sample_and_print_like_java() {
        let mut s = Stats::new(4, 0);
        assert_eq!(s.record(10, 100, 1000), None);
        assert_eq!(s.record(30, 100, 2000), None);
        assert_eq!(
            s.record(20, 100, 5000).as_deref(),
            Some("3 records sent, 0.6 records/sec (0.00 MB/sec), 20.0 ms avg latency, 30.0 ms max latency.")
        );
        assert_eq!(
            s.total_line(5000),
            "3 records sent, 0.6 records/sec (0.00 MB/sec), 20.00 ms avg latency, 30.00 ms max latency, 20 ms 50th, 30 ms 95th, 30 ms 99th, 30 ms 99.9th."
        );
        // Over 500,000 records only every n-th latency is kept.
        let big = Stats::new(1_500_000, 0);
        assert_eq!(big.sampling, 3);
    }

    #[test]
    fn java_fixed_rounds_half_up_on_the_shortest_decimal() {
        assert_eq!(java_fixed(0.125, 2), "0.13");
        assert_eq!(java_fixed(1.005, 2), "1.01");
        assert_eq!(java_fixed(0.05, 1), "0.1");
        assert_eq!(java_fixed(9.96, 1), "10.0");
        assert_eq!(java_fixed(4.7683, 4), "4.7683");
        assert_eq!(java_fixed(2.0, 0), "2");
        assert_eq!(java_fixed(-0.001, 2), "-0.00");
        assert_eq!(java_fixed(f64::INFINITY, 1), "Infinity");
        assert_eq!(java_fixed(f64::NAN, 2), "NaN");
        assert_eq!(java_fixed(1234567.891, 1), "1234567.9");
    }

    #[test]
    fn producer_props_follow_java_split() {
        let (c, _) = producer_config(&[("bootstrap.servers".into(), "a:1,b:2".into())]).unwrap();
        assert_eq!(c.client_id, "perf-producer-client");
        assert_eq!((c.acks, c.linger_ms), (-1, 5));
        let err = producer_config(&[]).unwrap_err();
        assert_eq!(err.1, "Missing required configuration \"bootstrap.servers\" which has no default value.");
        let err =
            producer_config(&[("bootstrap.servers".into(), "a:1".into()), ("acks".into(), "2".into())]).unwrap_err();
        assert!(err.1.starts_with("Invalid value 2 for configuration acks"));
    }
}
