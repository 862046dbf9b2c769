//! `kafka-consumer-groups.sh` (`ConsumerGroupCommand`, `ConsumerGroupCommandOptions`):
//! lists, describes (offsets and lag, members, state), deletes consumer groups and resets
//! their committed offsets, with Kafka's checks, messages and table layouts.
//!
//! Kafka collects partitions into `HashMap`s before printing them, so its rows come in
//! Java's hash order, not sorted; `java::hash_map_order` reproduces that order.

use super::job::{Emit, JobKind};
use super::options::{self, OptSpec, Parsed};
use super::{Console, Outcome};
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::error::ApiError;
use crate::ids::ClientId;
use crate::java;
use crate::node::ClientEvent;
use crate::protocol::{GroupDescription, OffsetSpec};
use crate::vec_map::{VecMap, VecSet};
use crate::world::World;

const SPECS: &[OptSpec] = &[
    OptSpec { name: "all-groups", arg: None, help: "Apply to all consumer groups." },
    OptSpec { name: "all-topics", arg: None, help: "Consider all topics assigned to a group in the `reset-offsets` process." },
    OptSpec { name: "bootstrap-server", arg: Some("String: server to connect to"), help: "REQUIRED: The server(s) to connect to." },
    OptSpec { name: "by-duration", arg: Some("String: duration"), help: "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'" },
    OptSpec { name: "command-config", arg: Some("String: command config property file"), help: "Property file containing configs to be passed to Admin Client and Consumer." },
    OptSpec { name: "delete", arg: None, help: "Pass in groups to delete topic partition offsets and ownership information over the entire consumer group. For instance --group g1 --group g2" },
    OptSpec { name: "delete-offsets", arg: None, help: "Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics." },
    OptSpec { name: "describe", arg: None, help: "Describe consumer group and list offset lag (number of messages not yet processed) related to given group." },
    OptSpec { name: "dry-run", arg: None, help: "Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets." },
    OptSpec { name: "execute", arg: None, help: "Execute operation. Supported operations: reset-offsets." },
    OptSpec { name: "export", arg: None, help: "Export operation execution to a CSV file. Supported operations: reset-offsets." },
    OptSpec { name: "from-file", arg: Some("String: path to CSV file"), help: "Reset offsets to values defined in CSV file." },
    OptSpec { name: "group", arg: Some("String: consumer group"), help: "The consumer group we wish to act on." },
    OptSpec { name: "help", arg: None, help: "Print usage information." },
    OptSpec { name: "list", arg: None, help: "List all consumer groups." },
    OptSpec { name: "members", arg: None, help: "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server' options only. Example: --bootstrap-server localhost:9092 --describe --group group1 --members" },
    OptSpec { name: "offsets", arg: None, help: "Describe the group and list all topic partitions in the group along with their offset lag. This is the default sub-action of and may be used with '--describe' and '--bootstrap-server' options only. Example: --bootstrap-server localhost:9092 --describe --group group1 --offsets" },
    OptSpec { name: "reset-offsets", arg: None, help: "Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive Has 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update the offsets. Additionally, the --export option is used to export the results to a CSV format. You must choose one of the following reset specifications: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, --to-offset. To define the scope use --all-topics or --topic. One scope must be specified unless you use '--from-file'." },
    OptSpec { name: "shift-by", arg: Some("Long: number-of-offsets"), help: "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative." },
    OptSpec { name: "state", arg: None, help: "When specified with '--describe', includes the state of the group. Example: --bootstrap-server localhost:9092 --describe --group group1 --state When specified with '--list', it displays the state of all groups. It can also be used to list groups with specific states. Example: --bootstrap-server localhost:9092 --list --state stable,empty This option may be used with '--describe', '--list' and '--bootstrap-server' options only." },
    OptSpec { name: "timeout", arg: Some("Long: timeout (ms)"), help: "The timeout that can be set for some use cases. For example, it can be used when describing the group to specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the group is just created, or is going through some changes). (default: 5000)" },
    OptSpec { name: "to-current", arg: None, help: "Reset offsets to current offset." },
    OptSpec { name: "to-datetime", arg: Some("String: datetime"), help: "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'" },
    OptSpec { name: "to-earliest", arg: None, help: "Reset offsets to earliest offset." },
    OptSpec { name: "to-latest", arg: None, help: "Reset offsets to latest offset." },
    OptSpec { name: "to-offset", arg: Some("Long: offset"), help: "Reset offsets to a specific offset." },
    OptSpec { name: "topic", arg: Some("String: topic"), help: "The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process. In `reset-offsets` case, partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets also supports multiple topic inputs." },
    OptSpec { name: "type", arg: None, help: "When specified with '--list', it displays the types of all the groups. It can also be used to list groups with specific types. Example: --bootstrap-server localhost:9092 --list --type classic,consumer This option may be used with the '--list' option only." },
    OptSpec { name: "verbose", arg: None, help: "Provide additional information, if any, when describing the group. This option may be used with '--offsets'/'--members'/'--state' and '--bootstrap-server' options only. Example: --bootstrap-server localhost:9092 --describe --group group1 --members --verbose" },
    OptSpec { name: "version", arg: None, help: "Display Kafka version." },
];

const ABOUT: &str = "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.";

/// `MISSING_COLUMN_VALUE`.
const MISSING: &str = "-";

/// The reset scenarios (`allResetOffsetScenarioOpts`).
const SCENARIOS: &[&str] =
    &["to-offset", "shift-by", "to-datetime", "by-duration", "to-earliest", "to-latest", "to-current", "from-file"];

/// The consumer group states Kafka accepts in `--state` (`ConsumerGroupState` but Unknown).
const STATES: &[&str] =
    &["PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty", "Assigning", "Reconciling"];

const TYPES: &[&str] = &["Consumer", "Classic", "Share"];

/// jopt-simple's help, with the two options that take an optional argument shown so.
fn help_lines() -> Vec<String> {
    options::help(SPECS)
        .into_iter()
        .map(|line| {
            for name in ["--state", "--type"] {
                if line.starts_with(&format!("{name} ")) && line.len() > 41 {
                    return format!("{:<41}{}", format!("{name} [String]"), &line[41..]);
                }
            }
            line
        })
        .collect()
}

/// `CommandLineUtils.printUsageAndExit`: the message, then the help, on stderr; status 1.
fn usage(con: &mut Console, message: &str) -> Outcome {
    con.err(message.to_string());
    for line in help_lines() {
        con.err(line);
    }
    Outcome::Done(1)
}

fn usage_in_job(emit: &mut Emit, message: &str) {
    emit.err(message.to_string());
    for line in help_lines() {
        emit.err(line);
    }
    emit.exit(1);
}

/// An exception thrown out of `main` (jopt-simple's, while the options are parsed).
fn uncaught(con: &mut Console, class: &str, message: &str) -> Outcome {
    con.err(format!("Exception in thread \"main\" {class}: {message}"));
    Outcome::Done(1)
}

fn tp_order<T>(items: Vec<((String, u32), T)>) -> Vec<((String, u32), T)> {
    java::hash_map_order(items, |((t, p), _)| java::topic_partition_hash(t, *p))
}

/// An `OptionSpec` set's iteration order (a `HashSet` of specs hashes their name lists).
fn option_set_order(names: &[&'static str]) -> Vec<&'static str> {
    java::hash_map_order(names.to_vec(), |n| 31i32.wrapping_add(java::string_hash(n)))
}

/// `[a], [b]` as Kafka joins option specs.
fn joined(names: &[&str]) -> String {
    names.iter().map(|n| format!("[{n}]")).collect::<Vec<_>>().join(", ")
}

/// Partitions `topic:0,1` names, and whole topics to look up.
type TopicArgs = (Vec<(String, u32)>, Vec<String>);

/// Each group's new offsets (none for a group that is still active).
type ResetResults = Vec<(String, Vec<((String, u32), i64)>)>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Describe {
    Offsets,
    Members { verbose: bool },
    State,
}

#[derive(Clone, PartialEq, Eq)]
enum Scenario {
    ToOffset(i64),
    ShiftBy(i64),
    Earliest,
    Latest,
    Current,
    /// `--to-datetime`: the epoch ms, or why it does not parse.
    Datetime(Result<u64, String>),
    /// `--by-duration`: how far back from now, in ms, or why it does not parse.
    Duration(Result<u64, String>),
}

#[derive(Clone)]
struct Reset {
    /// `None`: `--all-topics`; else the partitions named and the topics to look up.
    partitions: Option<TopicArgs>,
    scenario: Scenario,
    /// A usage error Kafka reports once the group turned out inactive.
    deferred: Option<String>,
    execute: bool,
    export: bool,
    single_group: bool,
}

#[derive(Clone)]
enum Action {
    List { with_type: bool, with_state: bool, states: Vec<String>, types: Vec<String> },
    Describe(Describe),
    Delete,
    Reset(Reset),
}

/// One group's describe answer.
#[derive(Clone)]
struct Described {
    description: GroupDescription,
    committed: Vec<((String, u32), u64)>,
    log_end: VecMap<(String, u32), u64>,
}

/// Where a reset of one group has got to.
#[derive(Clone, Default)]
struct ResetProgress {
    committed: Vec<((String, u32), u64)>,
    partitions: Vec<(String, u32)>,
    earliest: VecMap<(String, u32), u64>,
    latest: VecMap<(String, u32), u64>,
    by_time: VecMap<(String, u32), u64>,
    /// The call awaited now.
    step: ResetStep,
    prepared: Vec<((String, u32), i64)>,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum ResetStep {
    #[default]
    Describe,
    Topics,
    Earliest,
    Latest,
    Timestamp,
    Alter,
}

#[derive(Clone)]
pub(crate) struct GroupsJob {
    pub(crate) client: ClientId,
    action: Action,
    /// `--all-groups`: the group list is asked for first.
    listing: bool,
    /// Groups still to act on, the first being worked on now.
    pending: Vec<String>,
    described: VecMap<String, Described>,
    deleted: Vec<(String, Option<ApiError>)>,
    progress: ResetProgress,
    reset_results: ResetResults,
}

/// Takes `--state [value]` / `--type [value]` (optional arguments, which the shared parser
/// does not know) out of the command line.
fn take_optional_args(args: &[String]) -> (Vec<String>, Option<String>, Option<String>) {
    let mut rest = Vec::new();
    let (mut state, mut kind) = (None, None);
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        if name == "--state" || name == "--type" {
            let value = inline.or_else(|| iter.next_if(|next| !next.starts_with('-')).cloned());
            if name == "--state" {
                state = value.or(state);
            } else {
                kind = value.or(kind);
            }
            rest.push(name.to_string());
        } else {
            rest.push(arg.clone());
        }
    }
    (rest, state, kind)
}

/// `Option "[a]" can't be used with option "[b]"` for the first of `invalid` given.
fn check_invalid(p: &Parsed, used: &str, invalid: &[&'static str]) -> Option<String> {
    if !p.has(used) {
        return None;
    }
    invalid.iter().find(|o| p.has(o)).map(|o| format!("Option \"[{used}]\" can't be used with option \"[{o}]\""))
}

fn parse_long(p: &Parsed, name: &str) -> Result<Option<i64>, String> {
    match p.value(name) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| format!("Cannot parse argument '{v}' of option {name}")),
    }
}

/// `consumerGroupStatesFromString` / `consumerGroupTypesFromString`: canonical names.
fn parse_names(input: &str, valid: &[&str], what: &str) -> Result<Vec<String>, String> {
    input
        .split(',')
        .map(|s| {
            valid.iter().find(|v| v.eq_ignore_ascii_case(s.trim())).map(|v| v.to_string()).ok_or_else(|| {
                let (noun, input) =
                    if what == "state" { ("states", input.to_string()) } else { ("types", input.to_lowercase()) };
                let list = if what == "state" { "state list" } else { "types list" };
                format!("Invalid {list} '{input}'. Valid {noun} are: {}", valid.join(", "))
            })
        })
        .collect()
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `Utils.getDateTime`: `yyyy-MM-dd'T'HH:mm:ss.SSS` with an optional `Z`, `±hh`,
/// `±hhmm` or `±hh:mm` zone (UTC without one); errors as `RuntimeException` words them.
fn parse_datetime(text: &str) -> Result<u64, String> {
    let unparseable = || format!("java.text.ParseException: Unparseable date: \"{text}\"");
    if !text.is_ascii() {
        return Err(unparseable());
    }
    let Some((date, time)) = text.split_once('T') else {
        return Err(
            "java.text.ParseException: Error parsing timestamp. It does not contain a 'T' according to ISO8601 format"
                .to_string(),
        );
    };
    let number = |s: &str, len: usize| -> Result<i64, String> {
        if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<i64>().map_err(|_| unparseable())
        } else {
            Err(unparseable())
        }
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, mo, da] = d.as_slice() else { return Err(unparseable()) };
    let (y, mo, da) = (number(y, 4)?, number(mo, 2)?, number(da, 2)?);
    if time.len() < 12 {
        return Err(unparseable());
    }
    let (clock, zone) = time.split_at(12);
    let (h, mi, s, ms) =
        (number(&clock[0..2], 2)?, number(&clock[3..5], 2)?, number(&clock[6..8], 2)?, number(&clock[9..12], 3)?);
    if &clock[2..3] != ":" || &clock[5..6] != ":" || &clock[8..9] != "." {
        return Err(unparseable());
    }
    let offset_minutes = match zone {
        "" | "Z" => 0,
        _ => {
            let sign = match &zone[..1] {
                "+" => 1,
                "-" => -1,
                _ => return Err(unparseable()),
            };
            let digits = zone[1..].replace(':', "");
            let (zh, zm) = match digits.len() {
                2 => (number(&digits, 2)?, 0),
                4 => (number(&digits[..2], 2)?, number(&digits[2..], 2)?),
                _ => return Err(unparseable()),
            };
            sign * (zh * 60 + zm)
        }
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let valid = (1..=12).contains(&mo) && da >= 1 && da <= month_days[(mo - 1) as usize] && h < 24 && mi < 60 && s < 60;
    if !valid {
        return Err(unparseable());
    }
    let days = days_from_civil(y, mo as u32, da as u32);
    let ms = (((days * 24 + h) * 60 + mi - offset_minutes) * 60 + s) * 1000 + ms;
    Ok(ms.max(0) as u64)
}

/// `java.time.Duration.parse` (`PnDTnHnMn.nS`, optionally signed), in ms.
fn parse_iso_duration(text: &str) -> Result<u64, String> {
    let invalid = || "Text cannot be parsed to a Duration".to_string();
    let upper = text.to_ascii_uppercase();
    let (negative, rest) = match upper.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, upper.strip_prefix('+').unwrap_or(&upper)),
    };
    let rest = rest.strip_prefix('P').ok_or_else(invalid)?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, t),
        Some(_) => return Err(invalid()),
        None => (rest, ""),
    };
    let mut total: f64 = 0.0;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Result<(), String> {
        let mut number = String::new();
        let mut next_unit = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == '-' || c == '+' {
                number.push(c);
                continue;
            }
            let at = units[next_unit..].iter().position(|(u, _)| *u == c).ok_or_else(invalid)? + next_unit;
            let value: f64 = number.parse().map_err(|_| invalid())?;
            if number.contains('.') && c != 'S' {
                return Err(invalid());
            }
            total += value * units[at].1;
            any = true;
            number.clear();
            next_unit = at + 1;
        }
        if number.is_empty() {
            Ok(())
        } else {
            Err(invalid())
        }
    };
    take(days, &[('D', 86_400_000.0)])?;
    take(time, &[('H', 3_600_000.0), ('M', 60_000.0), ('S', 1000.0)])?;
    if !any {
        return Err(invalid());
    }
    let ms = if negative { -total } else { total };
    // `now.minus(duration)`: a negative duration reaches into the future.
    Ok(if ms < 0.0 { 0 } else { ms as u64 })
}

/// `topic:0,1` arguments of `--topic` (`parseTopicsWithPartitions`).
fn parse_topic_args(topics: &[String]) -> Result<TopicArgs, String> {
    let mut named = Vec::new();
    let mut whole = Vec::new();
    for arg in topics {
        if !arg.contains(':') {
            whole.push(arg.clone());
            continue;
        }
        // Java's `split` drops trailing empty strings.
        let mut parts: Vec<&str> = arg.split(':').collect();
        while parts.last() == Some(&"") {
            parts.pop();
        }
        let [topic, partitions] = parts.as_slice() else {
            return Err(format!("Invalid topic arg '{arg}', expected topic name and partitions"));
        };
        for p in partitions.split(',') {
            let p = p.parse::<u32>().map_err(|_| format!("Invalid partition '{p}' specified in topic arg '{arg}''"))?;
            named.push((topic.to_string(), p));
        }
    }
    Ok((named, whole))
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let (args, state_value, type_value) = take_optional_args(args);
    let p = match options::parse(SPECS, &args) {
        Ok(p) => p,
        Err(e) => return uncaught(con, e.exception, &e.message),
    };
    // jopt-simple's `availableIf`.
    for (opt, needs) in [
        ("members", &["describe"][..]),
        ("verbose", &["describe"][..]),
        ("offsets", &["describe"][..]),
        ("state", &["describe", "list"][..]),
        ("type", &["list"][..]),
    ] {
        if p.has(opt) && !needs.iter().any(|n| p.has(n)) {
            return uncaught(
                con,
                "joptsimple.UnavailableOptionException",
                &format!("Option(s) [{opt}] are unavailable given other options on the command line"),
            );
        }
    }
    if args.is_empty() {
        return usage(con, ABOUT);
    }
    if p.has("help") {
        con.out(ABOUT);
        for line in help_lines() {
            con.out(line);
        }
        return Outcome::Done(0);
    }
    if p.has("version") {
        con.out("4.0.0");
        return Outcome::Done(0);
    }
    let Some(bootstrap) = p.value("bootstrap-server") else {
        return usage(con, "Missing required argument \"[bootstrap-server]\"");
    };
    let scope = joined(&option_set_order(&["group", "all-groups"]));
    let selects_groups = p.has("group") || p.has("all-groups");
    if p.has("describe") {
        if !selects_groups {
            return usage(con, &format!("Option [describe] takes one of these options: {scope}"));
        }
        if ["members", "offsets", "state"].iter().filter(|o| p.has(o)).count() > 1 {
            return usage(con, "Option [describe] takes at most one of these options: [members], [offsets], [state]");
        }
        if p.has("state") && state_value.is_some() {
            return usage(con, "Option [describe] does not take a value for [state]");
        }
    }
    if p.has("delete") {
        if !selects_groups {
            return usage(con, &format!("Option [delete] takes one of these options: {scope}"));
        }
        if p.has("topic") {
            return usage(con, "The consumer does not support topic-specific offset deletion from a consumer group.");
        }
    }
    if p.has("delete-offsets") && (!p.has("group") || !p.has("topic")) {
        let opts = joined(&option_set_order(&["group", "topic"]));
        return usage(con, &format!("Option [delete-offsets] takes the following options: {opts}"));
    }
    let scenario_order = option_set_order(SCENARIOS);
    if p.has("reset-offsets") {
        if p.has("dry-run") && p.has("execute") {
            return usage(con, "Option [reset-offsets] only accepts one of [execute] and [dry-run]");
        }
        if !p.has("dry-run") && !p.has("execute") {
            con.err("WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.");
        }
        if !selects_groups {
            return usage(con, &format!("Option [reset-offsets] takes one of these options: {scope}"));
        }
        for used in [
            "to-offset",
            "to-datetime",
            "by-duration",
            "to-earliest",
            "to-latest",
            "to-current",
            "shift-by",
            "from-file",
        ] {
            let others: Vec<&'static str> = scenario_order.iter().copied().filter(|s| *s != used).collect();
            if let Some(message) = check_invalid(&p, used, &others) {
                return usage(con, &message);
            }
        }
    }
    let levels = option_set_order(&["list", "describe", "delete", "reset-offsets"]);
    let checks: [(&str, Vec<&'static str>); 3] = [
        ("group", vec!["all-groups"]),
        ("group", levels.iter().copied().filter(|l| *l == "list").collect()),
        ("topic", levels.iter().copied().filter(|l| *l == "list" || *l == "describe").collect()),
    ];
    for (used, invalid) in checks {
        if let Some(message) = check_invalid(&p, used, &invalid) {
            return usage(con, &message);
        }
    }
    let actions = ["list", "describe", "delete", "reset-offsets", "delete-offsets"];
    if actions.iter().filter(|a| p.has(a)).count() != 1 {
        return usage(
            con,
            "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets",
        );
    }
    if let Err(message) = parse_long(&p, "timeout") {
        return usage(con, &message);
    }
    let groups: Vec<String> = p.values("group").to_vec();
    let action = if p.has("list") {
        let states = match state_value.as_deref().filter(|s| !s.is_empty()).map(|s| parse_names(s, STATES, "state")) {
            Some(Err(message)) => return usage(con, &message),
            Some(Ok(states)) => states,
            None => Vec::new(),
        };
        let types = match type_value.as_deref().filter(|s| !s.is_empty()).map(|s| parse_names(s, TYPES, "type")) {
            Some(Err(message)) => return usage(con, &message),
            Some(Ok(types)) => types,
            None => Vec::new(),
        };
        Action::List { with_type: p.has("type"), with_state: p.has("state"), states, types }
    } else if p.has("describe") {
        Action::Describe(if p.has("members") {
            Describe::Members { verbose: p.has("verbose") }
        } else if p.has("state") && !p.has("offsets") {
            Describe::State
        } else {
            Describe::Offsets
        })
    } else if p.has("delete") {
        Action::Delete
    } else if p.has("delete-offsets") {
        con.err("kafka-consumer-groups.sh --delete-offsets: not simulated yet in Kafka Playground (the admin call OffsetDelete is missing); reset the offsets with --reset-offsets instead.");
        return Outcome::Done(1);
    } else {
        // Kafka finds a missing scope or scenario only once the group is known inactive.
        let mut deferred = None;
        let scenario = if p.has("to-offset") {
            match parse_long(&p, "to-offset") {
                Ok(n) => Scenario::ToOffset(n.unwrap_or_default()),
                Err(message) => return usage(con, &message),
            }
        } else if p.has("shift-by") {
            match parse_long(&p, "shift-by") {
                Ok(n) => Scenario::ShiftBy(n.unwrap_or_default()),
                Err(message) => return usage(con, &message),
            }
        } else if p.has("to-earliest") {
            Scenario::Earliest
        } else if p.has("to-latest") {
            Scenario::Latest
        } else if p.has("to-current") {
            Scenario::Current
        } else if let Some(text) = p.value("to-datetime") {
            Scenario::Datetime(parse_datetime(text))
        } else if let Some(text) = p.value("by-duration") {
            Scenario::Duration(parse_iso_duration(text))
        } else if p.has("from-file") {
            con.err("kafka-consumer-groups.sh --reset-offsets --from-file: not simulated yet in Kafka Playground; use --to-offset, --shift-by, --to-datetime, --by-duration, --to-earliest, --to-latest or --to-current.");
            return Outcome::Done(1);
        } else {
            let all: Vec<String> = scenario_order.iter().map(|s| format!("[{s}]")).collect();
            deferred =
                Some(format!("Option '[reset-offsets]' requires one of the following scenarios: [{}]", all.join(", ")));
            Scenario::Earliest
        };
        let partitions = if p.has("all-topics") {
            None
        } else if p.has("topic") {
            match parse_topic_args(p.values("topic")) {
                Ok(parsed) => Some(parsed),
                Err(message) => {
                    deferred = Some(message);
                    None
                }
            }
        } else {
            deferred = Some("One of the reset scopes should be defined: --all-topics, --topic.".to_string());
            None
        };
        Action::Reset(Reset {
            partitions,
            scenario,
            deferred,
            execute: p.has("execute"),
            export: p.has("export"),
            single_group: groups.len() == 1,
        })
    };
    let listing = p.has("all-groups") || matches!(action, Action::List { .. });
    let mut pending = groups;
    // `valuesOf` keeps repeats; the admin asks about each group once.
    let mut seen = VecSet::new();
    pending.retain(|g| seen.insert(g.clone()));
    let first = if listing {
        AdminCall::ListGroups
    } else {
        match &action {
            Action::Delete => AdminCall::DeleteGroup { group_id: pending[0].clone() },
            _ => AdminCall::DescribeGroup { group_id: pending[0].clone() },
        }
    };
    let servers: Vec<String> = bootstrap.split(',').map(|s| s.trim().to_string()).collect();
    let client = con.start_admin(world, servers, first);
    Outcome::Job(JobKind::ConsumerGroups(Box::new(GroupsJob {
        client,
        action,
        listing,
        pending,
        described: VecMap::new(),
        deleted: Vec::new(),
        progress: ResetProgress::default(),
        reset_results: Vec::new(),
    })))
}

/// Java's `System.out` for one job: `printf` pieces joined, printed line by line.
struct JavaOut<'a> {
    emit: &'a mut Emit,
    buf: String,
}

impl JavaOut<'_> {
    fn print(&mut self, text: &str) {
        self.buf.push_str(text);
        while let Some(i) = self.buf.find('\n') {
            let line: String = self.buf.drain(..=i).collect();
            self.emit.out(line.trim_end_matches('\n').to_string());
        }
    }

    fn println(&mut self, text: &str) {
        self.print(&format!("{text}\n"));
    }

    /// `System.err.println`.
    fn err_println(&mut self, text: &str) {
        for line in text.split('\n') {
            self.emit.err(line.to_string());
        }
    }

    /// `printError`: `\nError: msg` on stdout.
    fn error(&mut self, message: &str) {
        self.println(&format!("\nError: {message}"));
    }

    fn finish(self) {
        if !self.buf.is_empty() {
            self.emit.out(self.buf);
        }
    }
}

/// `shouldPrintMemberState`: the notes about a group's state; whether rows follow.
fn should_print(out: &mut JavaOut, group: &str, state: &str, rows: usize) -> bool {
    match state {
        "Dead" => out.error(&format!("Consumer group '{group}' does not exist.")),
        "Empty" => out.err_println(&format!("\nConsumer group '{group}' has no active members.")),
        "PreparingRebalance" | "CompletingRebalance" | "Assigning" | "Reconciling" => {
            out.err_println(&format!("\nWarning: Consumer group '{group}' is rebalancing."))
        }
        _ => {}
    }
    state != "Dead" && rows > 0
}

/// One row of `--describe --offsets`.
struct OffsetRow {
    group: String,
    topic: String,
    partition: u32,
    offset: Option<u64>,
    log_end: Option<u64>,
    consumer_id: String,
    host: String,
    client_id: String,
}

fn offset_rows(group: &str, d: &Described) -> Vec<OffsetRow> {
    let committed: VecMap<&(String, u32), u64> = d.committed.iter().map(|(tp, o)| (tp, *o)).collect();
    let mut members: Vec<_> = d.description.members.iter().filter(|m| !m.assignment.is_empty()).collect();
    crate::sort::sort_by_key(&mut members, |m| std::cmp::Reverse(m.assignment.len()));
    let mut rows = Vec::new();
    let mut assigned: Vec<&(String, u32)> = Vec::new();
    let push = |partitions: Vec<(String, u32)>, ids: (&str, &str, &str), rows: &mut Vec<OffsetRow>| {
        let mut sorted = partitions;
        crate::sort::sort_by_key(&mut sorted, |(_, p)| *p);
        let keyed: Vec<((String, u32), ())> = sorted.into_iter().map(|tp| (tp, ())).collect();
        for ((topic, partition), ()) in tp_order(keyed) {
            let key = (topic.clone(), partition);
            rows.push(OffsetRow {
                group: group.to_string(),
                offset: committed.get(&key).copied(),
                log_end: d.log_end.get(&key).copied(),
                topic,
                partition,
                consumer_id: ids.0.to_string(),
                host: ids.1.to_string(),
                client_id: ids.2.to_string(),
            });
        }
    };
    for m in members {
        assigned.extend(m.assignment.iter());
        push(m.assignment.clone(), (&m.member_id, &m.client_host, &m.client_id), &mut rows);
    }
    let unassigned: Vec<(String, u32)> =
        d.committed.iter().map(|(tp, _)| tp.clone()).filter(|tp| !assigned.contains(&tp)).collect();
    // The committed offsets come out of a HashMap too.
    let keyed: Vec<((String, u32), ())> = unassigned.into_iter().map(|tp| (tp, ())).collect();
    let unassigned: Vec<(String, u32)> = tp_order(keyed).into_iter().map(|(tp, ())| tp).collect();
    if !unassigned.is_empty() {
        push(unassigned, (MISSING, MISSING, MISSING), &mut rows);
    }
    rows
}

fn print_offsets(out: &mut JavaOut, group: &str, d: &Described) {
    let rows = offset_rows(group, d);
    if !should_print(out, group, &d.description.state, rows.len()) {
        return;
    }
    let width = |f: &dyn Fn(&OffsetRow) -> usize| rows.iter().map(f).fold(15, usize::max);
    let (g, t, c, h) = (
        width(&|r| r.group.len()),
        width(&|r| r.topic.len()),
        width(&|r| r.consumer_id.len()),
        width(&|r| r.host.len()),
    );
    let line = |cols: [&str; 9]| {
        format!(
            "\n{:<g$} {:<t$} {:<10} {:<15} {:<15} {:<15} {:<c$} {:<h$} {}",
            cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8]
        )
    };
    out.print(&line([
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]));
    let show = |v: Option<u64>| v.map_or(MISSING.to_string(), |v| v.to_string());
    for r in &rows {
        let lag = match (r.offset, r.log_end) {
            (Some(o), Some(e)) => (e as i64 - o as i64).to_string(),
            _ => MISSING.to_string(),
        };
        out.print(&line([
            &r.group,
            &r.topic,
            &r.partition.to_string(),
            &show(r.offset),
            &show(r.log_end),
            &lag,
            &r.consumer_id,
            &r.host,
            &r.client_id,
        ]));
    }
    out.println("");
}

fn print_members(out: &mut JavaOut, group: &str, d: &Described, verbose: bool) {
    let members = &d.description.members;
    let (mut g, mut c, mut h, mut l) = (15, 15, 15, 15);
    if should_print(out, group, &d.description.state, members.len()) {
        for m in members {
            g = g.max(group.len());
            c = c.max(m.member_id.len());
            h = h.max(m.client_host.len());
            l = l.max(m.client_id.len());
        }
    }
    let row =
        |cols: [&str; 5]| format!("{:<g$} {:<c$} {:<h$} {:<l$} {:<15} ", cols[0], cols[1], cols[2], cols[3], cols[4]);
    out.print(&format!("\n{}", row(["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS"])));
    if verbose {
        out.print("ASSIGNMENT");
    }
    out.println("");
    for m in members {
        out.print(&row([group, &m.member_id, &m.client_host, &m.client_id, &m.assignment.len().to_string()]));
        if verbose {
            let mut by_topic: VecMap<&str, Vec<String>> = VecMap::new();
            for (t, p) in &m.assignment {
                by_topic.entry(t).or_default().push(p.to_string());
            }
            let mut lists: Vec<String> = by_topic
                .into_values()
                .map(|mut ps| {
                    crate::sort::sort(&mut ps);
                    format!("({})", ps.join(","))
                })
                .collect();
            crate::sort::sort(&mut lists);
            out.print(&if lists.is_empty() { MISSING.to_string() } else { lists.join(", ") });
        }
        out.println("");
    }
}

fn print_state(out: &mut JavaOut, group: &str, d: &Described) {
    let desc = &d.description;
    if !should_print(out, group, &desc.state, 1) {
        return;
    }
    let coordinator =
        desc.coordinator.as_ref().map_or(MISSING.to_string(), |c| format!("{}:{}  ({})", c.host, c.port, c.node_id.0));
    let w = coordinator.len().max(25);
    let line =
        |cols: [&str; 5]| format!("\n{:<w$} {:<25} {:<20} {:<15} {}", cols[0], cols[1], cols[2], cols[3], cols[4]);
    out.print(&line(["GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS"]));
    out.print(&line([group, &coordinator, &desc.protocol, &desc.state, &desc.members.len().to_string()]));
    out.println("");
}

/// A failed admin future as `Executing consumer group command failed due to …` reports it.
fn command_failed(emit: &mut Emit, cause: &str) {
    let mut out = JavaOut { emit, buf: String::new() };
    out.error(&format!("Executing consumer group command failed due to {cause}"));
    out.err_println(&format!("java.lang.RuntimeException: {cause}"));
    out.finish();
    emit.exit(0);
}

fn execution_exception(e: &ApiError) -> String {
    format!("java.util.concurrent.ExecutionException: {}: {}", e.error.exception(), e.message)
}

impl GroupsJob {
    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Admin(outcome) = event else { return };
        match outcome {
            AdminOutcome::TimedOut(message) => {
                command_failed(emit, &format!("org.apache.kafka.common.errors.TimeoutException: {message}"))
            }
            AdminOutcome::Groups(groups) if self.listing => {
                self.listing = false;
                // listConsumerGroups: the groups of the consumer protocol (or none yet).
                let groups: Vec<_> = groups
                    .into_iter()
                    .filter(|g| g.protocol_type == "consumer" || g.protocol_type.is_empty())
                    .collect();
                if let Action::List { with_type, with_state, states, types } = &self.action {
                    return list(emit, &groups, *with_type, *with_state, states, types);
                }
                self.pending = groups.into_iter().map(|g| g.group_id).collect();
                self.next_group(emit);
            }
            AdminOutcome::GroupDescribed { description, committed, log_end } => {
                let Some(group) = self.pending.first().cloned() else { return emit.exit(1) };
                let log_end = log_end.into_iter().filter_map(|(tp, r)| r.ok().map(|o| (tp, o))).collect();
                let d = Described { description, committed, log_end };
                if matches!(self.action, Action::Reset(_)) {
                    return self.reset_described(group, d, emit);
                }
                self.described.insert(group, d);
                self.pending.remove(0);
                self.next_group(emit);
            }
            AdminOutcome::GroupDeleted(error) => {
                if !self.pending.is_empty() {
                    let group = self.pending.remove(0);
                    self.deleted.push((group, error));
                }
                self.next_group(emit);
            }
            AdminOutcome::Metadata { topics, .. } => {
                let Action::Reset(reset) = &self.action else { return emit.exit(1) };
                let wanted = reset.partitions.as_ref().map(|(_, whole)| whole.clone()).unwrap_or_default();
                for name in &wanted {
                    match topics.iter().find(|t| &t.name == name && t.error.is_none()) {
                        Some(t) => {
                            let mut ps: Vec<u32> = t.partitions.iter().map(|p| p.partition).collect();
                            ps.sort_unstable();
                            self.progress.partitions.extend(ps.into_iter().map(|p| (name.clone(), p)));
                        }
                        None => {
                            let e = ApiError::default_for(crate::error::KafkaError::UnknownTopicOrPartition);
                            return command_failed(emit, &execution_exception(&e));
                        }
                    }
                }
                self.ask_offsets(OffsetSpec::Earliest, emit);
            }
            AdminOutcome::Offsets(results) => {
                let mut found = VecMap::new();
                for (tp, r) in results {
                    match r {
                        Ok(o) => {
                            found.insert(tp, o);
                        }
                        Err(e) => return command_failed(emit, &execution_exception(&e)),
                    }
                }
                match self.progress.step {
                    ResetStep::Earliest => {
                        self.progress.earliest = found;
                        self.ask_offsets(OffsetSpec::Latest, emit);
                    }
                    ResetStep::Latest => {
                        self.progress.latest = found;
                        self.ask_by_time(emit);
                    }
                    _ => {
                        self.progress.by_time = found;
                        self.prepare(emit);
                    }
                }
            }
            AdminOutcome::GroupOffsetsAltered(results) => {
                if let Some(e) = results.iter().find_map(|(_, e)| e.as_ref()) {
                    return command_failed(emit, &execution_exception(e));
                }
                self.group_reset_done(emit);
            }
            _ => emit.exit(1),
        }
    }

    /// Asks about the next group, or prints everything once none is left.
    fn next_group(&mut self, emit: &mut Emit) {
        if let Some(group) = self.pending.first().cloned() {
            emit.start_admin = Some(match self.action {
                Action::Delete => AdminCall::DeleteGroup { group_id: group },
                _ => AdminCall::DescribeGroup { group_id: group },
            });
            return;
        }
        let mut out = JavaOut { emit, buf: String::new() };
        match &self.action {
            Action::Describe(mode) => {
                for (group, d) in &self.described {
                    match mode {
                        Describe::Offsets => print_offsets(&mut out, group, d),
                        Describe::Members { verbose } => print_members(&mut out, group, d, *verbose),
                        Describe::State => print_state(&mut out, group, d),
                    }
                }
            }
            Action::Delete => print_deleted(&mut out, &self.deleted),
            Action::Reset(reset) => print_reset(&mut out, reset, &self.reset_results),
            Action::List { .. } => {}
        }
        out.finish();
        emit.exit(0);
    }

    fn reset_described(&mut self, group: String, d: Described, emit: &mut Emit) {
        let Action::Reset(reset) = &self.action else { return };
        let state = d.description.state.clone();
        if state != "Empty" && state != "Dead" {
            let mut out = JavaOut { emit, buf: String::new() };
            out.error(&format!(
                "Assignments can only be reset if the group '{group}' is inactive, but the current state is {state}."
            ));
            out.finish();
            self.reset_results.push((group, Vec::new()));
            self.pending.remove(0);
            return self.next_group(emit);
        }
        if let Some(message) = &reset.deferred {
            return usage_in_job(emit, message);
        }
        self.progress = ResetProgress { committed: d.committed, ..ResetProgress::default() };
        match &reset.partitions {
            None => self.progress.partitions = self.progress.committed.iter().map(|(tp, _)| tp.clone()).collect(),
            Some((named, whole)) => {
                self.progress.partitions = named.clone();
                if !whole.is_empty() {
                    self.progress.step = ResetStep::Topics;
                    emit.start_admin = Some(AdminCall::Metadata { call: "describeTopics" });
                    return;
                }
            }
        }
        self.ask_offsets(OffsetSpec::Earliest, emit);
    }

    /// `--to-datetime` / `--by-duration`: the offsets for the timestamp (`getLogTimestampOffsets`).
    fn ask_by_time(&mut self, emit: &mut Emit) {
        let Action::Reset(reset) = &self.action else { return };
        let timestamp = match &reset.scenario {
            Scenario::Datetime(t) => t.clone(),
            Scenario::Duration(d) => d.clone().map(|d| emit.now_wall_ms.saturating_sub(d)),
            _ => return self.prepare(emit),
        };
        match timestamp {
            Ok(ms) => self.ask_offsets(OffsetSpec::Timestamp(ms), emit),
            Err(cause) => command_failed(emit, &cause),
        }
    }

    fn ask_offsets(&mut self, spec: OffsetSpec, emit: &mut Emit) {
        if self.progress.partitions.is_empty() {
            return self.prepare(emit);
        }
        self.progress.step = match spec {
            OffsetSpec::Earliest => ResetStep::Earliest,
            OffsetSpec::Latest => ResetStep::Latest,
            OffsetSpec::Timestamp(_) => ResetStep::Timestamp,
        };
        emit.start_admin = Some(AdminCall::ListOffsets { partitions: self.progress.partitions.clone(), spec });
    }

    /// `prepareOffsetsToReset` and `checkOffsetsRange`.
    fn prepare(&mut self, emit: &mut Emit) {
        let Action::Reset(reset) = &self.action else { return };
        let pr = &self.progress;
        let committed: VecMap<&(String, u32), u64> = pr.committed.iter().map(|(tp, o)| (tp, *o)).collect();
        let mut partitions = pr.partitions.clone();
        partitions.dedup();
        let mut requested: Vec<((String, u32), i64)> = Vec::new();
        let mut check_range = false;
        let mut empty = Vec::new();
        for tp in partitions {
            let earliest = pr.earliest.get(&tp).map(|o| *o as i64);
            let latest = pr.latest.get(&tp).map(|o| *o as i64);
            let target = match &reset.scenario {
                Scenario::ToOffset(n) => {
                    check_range = true;
                    Some(*n)
                }
                Scenario::Earliest => earliest,
                Scenario::Latest => latest,
                Scenario::ShiftBy(n) => {
                    check_range = true;
                    match committed.get(&tp) {
                        Some(c) => Some(*c as i64 + n),
                        None => {
                            return usage_in_job(
                                emit,
                                &format!(
                                "Cannot shift offset for partition {}-{} since there is no current committed offset",
                                tp.0, tp.1
                            ),
                            )
                        }
                    }
                }
                Scenario::Current => committed.get(&tp).map(|c| *c as i64).or(latest),
                Scenario::Datetime(_) | Scenario::Duration(_) => match pr.by_time.get(&tp) {
                    Some(&o) if o != u64::MAX => Some(o as i64),
                    Some(_) => {
                        empty.push((tp.clone(), ()));
                        latest
                    }
                    None => None,
                },
            };
            let Some(target) = target else {
                let what = match reset.scenario {
                    Scenario::Earliest => "starting",
                    Scenario::Datetime(_) | Scenario::Duration(_) => "by timestamp",
                    _ => "ending",
                };
                if what == "by timestamp" {
                    let message = format!("Error getting offset by timestamp of topic partition: {}-{}", tp.0, tp.1);
                    return usage_in_job(emit, &message);
                }
                return usage_in_job(
                    emit,
                    &format!("Error getting {what} offset of topic partition: {}-{}", tp.0, tp.1),
                );
            };
            requested.push((tp, target));
        }
        for ((topic, p), ()) in tp_order(empty) {
            emit.out("");
            emit.out(format!("Warn: Partition {p} from topic {topic} is empty. Falling back to latest known offset."));
        }
        let mut prepared = Vec::new();
        for ((topic, p), offset) in tp_order(requested) {
            let tp = (topic.clone(), p);
            let mut value = offset;
            if check_range {
                let warn = |emit: &mut Emit, text: String| {
                    emit.err(format!(
                        "{} WARN {text} (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)",
                        crate::time::format_log_timestamp(emit.now_wall_ms)
                    ))
                };
                match (pr.earliest.get(&tp), pr.latest.get(&tp)) {
                    (_, Some(&end)) if offset > end as i64 => {
                        warn(emit, format!("New offset ({offset}) is higher than latest offset for topic partition {topic}-{p}. Value will be set to {end}"));
                        value = end as i64;
                    }
                    (Some(&start), _) if offset < start as i64 => {
                        warn(emit, format!("New offset ({offset}) is lower than earliest offset for topic partition {topic}-{p}. Value will be set to {start}"));
                        value = start as i64;
                    }
                    _ => {}
                }
            }
            prepared.push((tp, value));
        }
        self.progress.prepared = prepared;
        let offsets: Vec<((String, u32), u64)> =
            self.progress.prepared.iter().map(|(tp, o)| (tp.clone(), (*o).max(0) as u64)).collect();
        if reset.execute && !offsets.is_empty() {
            let group_id = self.pending.first().cloned().unwrap_or_default();
            self.progress.step = ResetStep::Alter;
            emit.start_admin = Some(AdminCall::AlterGroupOffsets { group_id, offsets });
            return;
        }
        self.group_reset_done(emit);
    }

    fn group_reset_done(&mut self, emit: &mut Emit) {
        let group = if self.pending.is_empty() { String::new() } else { self.pending.remove(0) };
        let prepared = std::mem::take(&mut self.progress.prepared);
        self.reset_results.push((group, prepared));
        self.next_group(emit);
    }
}

fn list(
    emit: &mut Emit,
    groups: &[crate::protocol::ListedGroup],
    with_type: bool,
    with_state: bool,
    states: &[String],
    types: &[String],
) {
    if !with_type && !with_state {
        for g in groups {
            emit.out(g.group_id.clone());
        }
        return emit.exit(0);
    }
    // Every simulated group uses the classic protocol.
    let selected: Vec<_> = groups
        .iter()
        .filter(|g| states.is_empty() || states.contains(&g.state))
        .filter(|_| types.is_empty() || types.iter().any(|t| t == "Classic"))
        .collect();
    let width = selected.iter().map(|g| g.group_id.len().max(15)).max().unwrap_or(15) + 10;
    let line = |id: &str, kind: &str, state: &str| {
        let mut s = format!("{id:<width$}");
        if with_type {
            s.push_str(&format!(" {kind:<20}"));
        }
        if with_state {
            s.push_str(&format!(" {state:<20}"));
        }
        s
    };
    emit.out(line("GROUP", "TYPE", "STATE"));
    for g in selected {
        emit.out(line(&g.group_id, "Classic", &g.state));
    }
    emit.exit(0);
}

fn print_deleted(out: &mut JavaOut, deleted: &[(String, Option<ApiError>)]) {
    fn order(names: Vec<&(String, Option<ApiError>)>) -> Vec<&(String, Option<ApiError>)> {
        java::hash_map_order(names, |(g, _)| java::string_hash(g))
    }
    let success = order(deleted.iter().filter(|(_, e)| e.is_none()).collect());
    let failed = order(deleted.iter().filter(|(_, e)| e.is_some()).collect());
    let names = |list: &[&(String, Option<ApiError>)], sep: &str| {
        list.iter().map(|(g, _)| g.as_str()).collect::<Vec<_>>().join(sep)
    };
    if failed.is_empty() {
        out.println(&format!("Deletion of requested consumer groups ('{}') was successful.", names(&success, ", ")));
        return;
    }
    out.error("Deletion of some consumer groups failed:");
    for (group, error) in &failed {
        if let Some(e) = error {
            out.println(&format!("* Group '{group}' could not be deleted due to: {}", execution_exception(e)));
        }
    }
    if !success.is_empty() {
        out.println(&format!("\nThese consumer groups were deleted successfully: '{}', '", names(&success, "'")));
    }
}

fn print_reset(out: &mut JavaOut, reset: &Reset, results: &ResetResults) {
    let groups = java::hash_map_order(results.iter().collect(), |(g, _)| java::string_hash(g));
    if reset.export {
        let mut csv = String::new();
        for (group, offsets) in &groups {
            for ((topic, p), offset) in offsets {
                if reset.single_group {
                    csv.push_str(&format!("{topic},{p},{offset}\n"));
                } else {
                    csv.push_str(&format!("{group},{topic},{p},{offset}\n"));
                }
            }
        }
        out.println(&csv);
        return;
    }
    let line = |cols: [&str; 4]| format!("\n{:<30} {:<30} {:<10} {:<15}", cols[0], cols[1], cols[2], cols[3]);
    if !groups.is_empty() {
        out.print(&line(["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"]));
    }
    for (group, offsets) in &groups {
        for ((topic, p), offset) in offsets {
            out.print(&line([group, topic, &p.to_string(), &offset.to_string()]));
        }
    }
    out.println("");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_map_order_follows_buckets() {
        // "vitals" partitions land in buckets 1, 14, 15, 12.
        let order: Vec<u32> = tp_order((0..4).map(|p| (("vitals".to_string(), p), ())).collect())
            .into_iter()
            .map(|((_, p), ())| p)
            .collect();
        assert_eq!(order, [0, 3, 1, 2]);
    }

    #[test]
    fn optional_arguments_are_taken_out() {
        let args: Vec<String> = ["--list", "--state", "stable", "--bootstrap-server", "x"].map(String::from).to_vec();
        let (rest, state, kind) = take_optional_args(&args);
        assert_eq!(rest, ["--list", "--state", "--bootstrap-server", "x"]);
        assert_eq!(state.as_deref(), Some("stable"));
        assert_eq!(kind, None);
        let (_, state, _) = take_optional_args(&["--state".to_string(), "--list".to_string()]);
        assert_eq!(state, None);
    }

    #[test]
    fn datetimes_and_durations() {
        assert_eq!(parse_datetime("2024-06-25T14:06:00.000"), Ok(1_719_324_360_000));
        assert_eq!(parse_datetime("2024-06-25T14:06:00.000Z"), Ok(1_719_324_360_000));
        assert_eq!(parse_datetime("2024-06-25T16:06:00.000+02:00"), Ok(1_719_324_360_000));
        assert_eq!(parse_datetime("1970-01-01T00:00:00.001"), Ok(1));
        assert!(parse_datetime("2024-06-25").unwrap_err().contains("does not contain a 'T'"));
        assert!(parse_datetime("2024-02-30T00:00:00.000").unwrap_err().contains("Unparseable date"));
        assert!(parse_datetime("2024-06-25T14:06:00.00\u{e9}").is_err());
        assert!(parse_datetime("2024-06-25T\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}").is_err());
        assert_eq!(parse_iso_duration("PT1H"), Ok(3_600_000));
        assert_eq!(parse_iso_duration("P1DT2M3.5S"), Ok(86_400_000 + 120_000 + 3_500));
        assert_eq!(parse_iso_duration("pt5s"), Ok(5_000));
        for bad in ["", "P", "PT", "1H", "PT1X", "PTH", "PT1S2M"] {
            assert!(parse_iso_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn topic_arguments() {
        let (named, whole) = parse_topic_args(&["t:0,2".to_string(), "u".to_string()]).unwrap();
        assert_eq!(named, [("t".to_string(), 0), ("t".to_string(), 2)]);
        assert_eq!(whole, ["u"]);
        assert!(parse_topic_args(&["t:x".to_string()]).unwrap_err().contains("Invalid partition 'x'"));
        assert!(parse_topic_args(&["t:1:2".to_string()]).is_err());
        assert!(parse_topic_args(&["t:".to_string()]).unwrap_err().contains("Invalid topic arg 't:'"));
        assert!(parse_topic_args(&[":".to_string()]).unwrap_err().contains("Invalid topic arg ':'"));
    }
}
