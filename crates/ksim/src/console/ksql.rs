//! The ksqlDB CLI (`ksql http://localhost:8088`, CLI and server v0.29.0): the banner, the
//! `ksql> ` prompt, statements that end with `;` and may span lines, and each statement's
//! output as the CLI prints it (`Message` tables, listings, `DESCRIBE`, `EXPLAIN`, push
//! and pull query grids, `PRINT`), with ksqlDB's error texts. The server behind it is
//! `ksql_server.rs`; the language is `crate::ksql`.

use super::job::{Emit, JobKind};
use super::ksql_server::{self, start_consumer, PersistentQuery, BOOTSTRAP, SERVER_URL, SERVICE_PREFIX};
use super::{Console, Outcome};
use crate::broker::BrokerState;
use crate::client::admin::{AdminCall, AdminOutcome};
use crate::client::consumer::{ConsumerEvent, StartOffset};
use crate::client::ClientRole;
use crate::ids::ClientId;
use crate::ksql::ast::{KeyKind, ShowWhat, SourceKind, Statement};
use crate::ksql::compile::{collected_row, compile, Output};
use crate::ksql::expr::{eval, holds, show, Field, Scope};
use crate::ksql::metastore::{Column, DataSource};
use crate::ksql::output::{grid_header, grid_row, labelled, message, table};
use crate::ksql::parser::parse;
use crate::ksql::plan::{plan, Plan, WINDOWEND, WINDOWSTART};
use crate::ksql::query::ResultRow;
use crate::ksql::serde::{self, Format};
use crate::ksql::value::{SqlType, Value};
use crate::node::{ClientEvent, Level};
use crate::protocol::CreatableTopic;
use crate::session::Stream;
use crate::streams::runtime::{AppId, StreamsConfig, StreamsState};
use crate::streams::DeserializationHandler;
use crate::time::SimTime;
use crate::vec_map::VecMap;
use crate::world::World;

const VERSION: &str = "0.29.0";
/// How long a script's push query or PRINT waits for another record before it is stopped
/// (a terminal user would press Ctrl-C), as the console consumer does in scripts.
const SCRIPT_IDLE_TIMEOUT_MS: u64 = 1000;
/// How long the server waits for an Admin call (`ksql.streams.default.api.timeout.ms`).
const ADMIN_WAIT_MS: u64 = 70_000;

/// An open CLI session: the statement being typed and the session's properties.
#[derive(Clone, Default)]
pub(crate) struct KsqlCli {
    buffer: String,
    properties: VecMap<String, String>,
}

impl KsqlCli {
    pub(crate) fn continuing(&self) -> bool {
        !self.buffer.trim().is_empty()
    }

    /// The same session with nothing typed yet (after Ctrl-C).
    pub(crate) fn with_properties_of(cli: &KsqlCli) -> KsqlCli {
        KsqlCli { buffer: String::new(), properties: cli.properties.clone() }
    }
}

const USAGE: &str = "NAME
        ksql - KSQL CLI

SYNOPSIS
        ksql [ --config-file <configFile> ] [ {-e | --execute} <execute> ]
                [ {-f | --file} <scriptFile> ] [ {-h | --help} ]
                [ --output <outputFormat> ] [ {-p | --password} <password> ]
                [ {-q | --quiet} ] [ {-u | --user} <user> ] [--] <server>

OPTIONS
        -e <execute>, --execute <execute>
            Execute one or more SQL statements and quit.

        -h, --help
            Display help information

        <server>
            The address of the KSQL server to connect to (ex:
            http://confluent.io:9098)

            This option may occur a maximum of 1 times

Kafka Playground: the ksqlDB server is simulated at http://localhost:8088 and is ready
as soon as a Kafka broker runs on localhost:9092 (no ksql-server-start needed).";

/// `ksql [server] [-e statements] [--help]`.
pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let mut server = None;
    let mut execute = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                for l in USAGE.lines() {
                    con.out(l.to_string());
                }
                return Outcome::Done(0);
            }
            "-e" | "--execute" => match iter.next() {
                Some(s) => execute = Some(s.clone()),
                None => {
                    con.err("Required values for option 'execute' not provided");
                    return Outcome::Done(1);
                }
            },
            "-q" | "--quiet" | "--" => {}
            other if other.starts_with('-') => {
                con.err(format!("Found unexpected parameters: [{other}]"));
                return Outcome::Done(1);
            }
            other if server.is_none() => server = Some(other.to_string()),
            other => {
                con.err(format!("Found unexpected parameters: [{other}]"));
                return Outcome::Done(1);
            }
        }
    }
    let url = server.unwrap_or_else(|| SERVER_URL.to_string());
    if !url.starts_with("http://") && !url.starts_with("https://") {
        con.out("Server URL must begin with protocol (e.g., http:// or https://)");
        return Outcome::Done(1);
    }
    let ours = matches!(url.trim_end_matches('/'), "http://localhost:8088" | "http://127.0.0.1:8088");
    let reachable = ours && broker_running(world);
    if let Some(statements) = execute {
        if !reachable {
            connection_refused(con, &url);
            return Outcome::Done(1);
        }
        con.ksql_cli = Some(KsqlCli::default());
        submit(con, world, &statements);
        con.ksql_cli = None;
        return Outcome::Done(0);
    }
    banner(con, &url, reachable);
    if !ours {
        con.hint("(Kafka Playground simulates one ksqlDB server, at http://localhost:8088.)");
    } else if !reachable {
        con.hint("(The playground's ksqlDB server runs once a Kafka broker runs on localhost:9092: start one, then type exit and ksql again.)");
    }
    con.ksql_cli = Some(KsqlCli::default());
    Outcome::Done(0)
}

/// A broker to run against: the simulated server needs a running Kafka cluster.
fn broker_running(world: &World) -> bool {
    world.servers.values().any(|s| s.running && s.broker.as_ref().is_some_and(|b| b.state == BrokerState::Running))
}

fn banner(con: &mut Console, url: &str, reachable: bool) {
    const LOGO: &[&str] = &[
        "",
        "===========================================",
        "=       _              _ ____  ____       =",
        "=      | | _____  __ _| |  _ \\| __ )      =",
        "=      | |/ / __|/ _` | | | | |  _ \\      =",
        "=      |   <\\__ \\ (_| | | |_| | |_) |     =",
        "=      |_|\\_\\___/\\__, |_|____/|____/      =",
        "=                   |_|                   =",
        "=        The Database purpose-built       =",
        "=        for stream processing apps       =",
        "===========================================",
    ];
    // WelcomeMsgUtils centres the logo on the help line's width (66): 11 spaces.
    for line in LOGO {
        con.out(if line.is_empty() { String::new() } else { format!("{:11}{line}", "") });
    }
    con.out("");
    con.out("Copyright 2017-2022 Confluent Inc.");
    con.out("");
    let (version, status) = if reachable { (VERSION, "RUNNING") } else { ("<unknown>", "<unknown>") };
    con.out(format!("CLI v{VERSION}, Server v{version} located at {url}"));
    con.out(format!("Server Status: {status}"));
    con.out("");
    con.out("Having trouble? Type 'help' (case-insensitive) for a rundown of how things work!");
    con.out("");
    if !reachable {
        connection_refused(con, url);
    }
}

/// `RemoteServerSpecificCommand.validateClient` when nothing answers at the URL.
fn connection_refused(con: &mut Console, url: &str) {
    con.out("");
    con.out(format!("{:*^80}", "ERROR"));
    con.out(format!("Remote server at {url} does not appear to be a valid KSQL server. Please"));
    con.out("ensure that the URL provided is for an active KSQL server.");
    con.out("");
    con.out("The server responded with the following error: ");
    con.out("Error issuing GET to KSQL server. path:/info");
    con.out("Caused by: java.net.ConnectException: Connection refused");
    con.out("*".repeat(80));
    con.out("");
}

/// The prompt while the CLI is open.
pub(crate) fn prompt(cli: &KsqlCli) -> &'static str {
    if cli.continuing() {
        ">"
    } else {
        "ksql> "
    }
}

const HELP: &str = "
description:
  The KSQL CLI provides a terminal-based interactive shell for running queries. Each command
  should be on a separate line. For KSQL command syntax, see the documentation at
  https://github.com/confluentinc/ksql/docs/.

help:
  Show this message.

clear:
  Clear the current terminal.

exit:
  Exit the CLI.

version:
  Get the current KSQL version.

Default behavior:

    Lines are read one at a time and are sent to the server as KSQL unless one of the
    following is true:

    1. The line is empty or entirely whitespace. In this case, no request is made to the
       server.

    2. The line ends with backslash ('\\'). In this case, lines are continuously read and
       stripped of their trailing newline and '\\' until one is encountered that does not
       end with '\\'; then, the concatenation of all lines read during this time is sent to
       the server as KSQL.

Kafka Playground: statements supported here are CREATE STREAM/TABLE [AS SELECT], INSERT
INTO … VALUES|SELECT, SELECT (push with EMIT CHANGES, pull on tables), SHOW STREAMS|TABLES|
QUERIES|TOPICS|PROPERTIES, DESCRIBE [EXTENDED], EXPLAIN, DROP, TERMINATE, SET, UNSET,
PRINT. 'ksim advance 10s' (and other ksim commands) let simulated time pass.
Simplified: the server is always up while a broker runs; queries run as Kafka Streams
applications on the simulated cluster and emit one update per record (no cache); formats
JSON, DELIMITED and KAFKA; types BOOLEAN, INT, BIGINT, DOUBLE, VARCHAR; stream-table and
table-table joins.";

/// A line typed at the `ksql> ` prompt.
pub(crate) fn line(con: &mut Console, world: &mut World, text: &str) {
    let Some(cli) = &con.ksql_cli else { return };
    let echo = format!("{}{text}", prompt(cli));
    let continuing = cli.continuing();
    con.push(Stream::Command, echo);
    let trimmed = text.trim();
    if !continuing {
        let command = trimmed.trim_end_matches(';').to_ascii_lowercase();
        match command.as_str() {
            // Blank lines and whole-line comments send nothing to the server.
            "" => return,
            _ if trimmed.starts_with("--") => return,
            "exit" | "quit" => {
                con.out("Exiting ksqlDB.");
                con.ksql_cli = None;
                return;
            }
            "help" => {
                for l in HELP.lines() {
                    con.out(l.to_string());
                }
                return;
            }
            "version" => {
                con.out(format!("Version: {VERSION}"));
                return;
            }
            "clear" => {
                con.output.clear();
                return;
            }
            _ => {}
        }
        if trimmed.starts_with("ksim ") || trimmed == "ksim" {
            let args: Vec<String> = trimmed.split_whitespace().skip(1).map(str::to_string).collect();
            let _ = super::control::run(con, world, &args);
            return;
        }
    }
    let Some(cli) = &mut con.ksql_cli else { return };
    // A trailing backslash joins the next line, as the CLI's line reader does.
    let piece = text.strip_suffix('\\').unwrap_or(text);
    if !cli.buffer.is_empty() {
        cli.buffer.push('\n');
    }
    cli.buffer.push_str(piece);
    if text.ends_with('\\') || !complete(&cli.buffer) {
        return;
    }
    let statements = std::mem::take(&mut cli.buffer);
    submit(con, world, &statements);
}

/// Whether the text ends with a `;` outside quotes and comments.
fn complete(text: &str) -> bool {
    split_statements(text).1
}

/// Splits text into statements at `;` outside quotes and `--` comments; the flag says
/// whether the last one was ended.
fn split_statements(text: &str) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    let mut ended = false;
    while let Some(c) = chars.next() {
        current.push(c);
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '`' || c == '"' => quote = Some(c),
            None if c == '-' && chars.peek() == Some(&'-') => {
                // A `--` comment runs to the end of the line; it leaves the statement as
                // ended (or not) as it was.
                current.pop();
                for rest in chars.by_ref() {
                    if rest == '\n' {
                        break;
                    }
                }
                current.push('\n');
                continue;
            }
            None if c == ';' => {
                out.push(std::mem::take(&mut current));
                ended = true;
                continue;
            }
            None => {}
        }
        if !c.is_whitespace() {
            ended = false;
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
        ended = false;
    }
    (out, ended)
}

/// Sends statements to the server and prints what it answers, one statement at a time.
fn submit(con: &mut Console, world: &mut World, text: &str) {
    let (statements, _) = split_statements(text);
    for statement in statements {
        if statement.trim().trim_end_matches(';').trim().is_empty() {
            continue;
        }
        if !broker_running(world) {
            con.err("Error issuing POST to KSQL server. path:/ksql");
            con.err("Caused by: java.net.ConnectException: Connection refused");
            return;
        }
        let parsed = match parse(&statement) {
            Ok(mut s) if s.len() == 1 => s.remove(0),
            Ok(_) => continue,
            Err(e) => {
                for l in e.render().lines() {
                    con.err(l.to_string());
                }
                return;
            }
        };
        let single_line = statement.split_whitespace().collect::<Vec<_>>().join(" ");
        let result = execute(con, world, parsed, &single_line);
        if let Err(e) = result {
            for l in e.lines() {
                con.err(l.to_string());
            }
            return;
        }
        if con.foreground_is_running() {
            // A push query or PRINT owns the terminal; later statements wait (dropped here,
            // as the CLI reads the next line only after the query ends).
            return;
        }
    }
}

fn print_lines(con: &mut Console, lines: Vec<String>) {
    con.out("");
    for l in lines {
        con.out(l);
    }
}

/// The topic's partitions and replication factor, if it exists.
fn topic_shape(world: &World, topic: &str) -> Option<(u32, usize)> {
    let image = world.freshest_image()?;
    let t = image.topics.get(topic)?;
    let replicas = t.partitions.values().next().map_or(0, |p| p.replicas.len());
    Some((t.partitions.len() as u32, replicas))
}

/// Runs an Admin call for the server and waits for its answer.
fn admin(con: &mut Console, world: &mut World, call: AdminCall) -> Option<AdminOutcome> {
    let client = con.start_admin(world, vec![BOOTSTRAP.to_string()], call);
    con.ksql_server.admin.insert(client, None);
    let until = world.now().plus_ms(ADMIN_WAIT_MS);
    while con.ksql_server.admin.get(&client).is_some_and(Option::is_none) && world.step_until(until) {
        con.pump(world);
    }
    world.poke_client(client, |c, ctx| c.close(ctx));
    con.ksql_server.admin.remove(&client).flatten()
}

fn create_topic(
    con: &mut Console,
    world: &mut World,
    name: &str,
    partitions: i32,
    replicas: i16,
    compact: bool,
) -> Result<(), String> {
    let configs = if compact { vec![("cleanup.policy".to_string(), "compact".to_string())] } else { Vec::new() };
    let topic =
        CreatableTopic { name: name.to_string(), num_partitions: partitions, replication_factor: replicas, configs };
    match admin(con, world, AdminCall::CreateTopics(vec![topic])) {
        Some(AdminOutcome::Created(results)) => match results.into_iter().find_map(|r| r.error) {
            None => Ok(()),
            Some(e) => Err(format!("Failed to create topic {name}: {e}")),
        },
        Some(AdminOutcome::TimedOut(m)) => Err(format!("Could not create topic {name}: {m}")),
        _ => Err(format!("Could not create topic {name}")),
    }
}

fn prop<'a>(props: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    props.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn format_prop(props: &[(String, Value)], name: &str) -> Result<Option<Format>, String> {
    match prop(props, name).or_else(|| prop(props, "FORMAT")) {
        None => Ok(None),
        Some(v) => {
            Format::parse(&v.display()).map(Some).ok_or_else(|| match v.display().to_ascii_uppercase().as_str() {
                "AVRO" | "PROTOBUF" | "PROTOBUF_NOSR" | "JSON_SR" | "NONE" => {
                    format!(
                        "Format {} is not simulated in Kafka Playground; use JSON, DELIMITED or KAFKA.",
                        v.display().to_ascii_uppercase()
                    )
                }
                other => format!("Unknown format: {other}"),
            })
        }
    }
}

fn count_prop(props: &[(String, Value)], name: &str) -> Result<Option<i64>, String> {
    // Replication factors are 16-bit in Kafka's protocol; partition counts 32-bit.
    let max = if name == "REPLICAS" { i64::from(i16::MAX) } else { i64::from(i32::MAX) };
    match prop(props, name) {
        None => Ok(None),
        Some(Value::Bigint(n)) if *n >= 1 && *n <= max => Ok(Some(*n)),
        Some(v) => Err(format!("Invalid number of {}: {}", name.to_ascii_lowercase(), v.display())),
    }
}

const KNOWN_PROPS: &[&str] = &[
    "KAFKA_TOPIC",
    "VALUE_FORMAT",
    "KEY_FORMAT",
    "FORMAT",
    "PARTITIONS",
    "REPLICAS",
    "TIMESTAMP",
    "VALUE_DELIMITER",
    "RETENTION_MS",
];

fn check_props(props: &[(String, Value)]) -> Result<(), String> {
    let unknown: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).filter(|k| !KNOWN_PROPS.contains(k)).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!("Invalid config variable(s) in the WITH clause: {}", unknown.join(",")))
    }
}

fn single_field_check(format: Format, columns: &[(String, SqlType)], what: &str) -> Result<(), String> {
    if format == Format::Kafka && columns.len() > 1 {
        let got: Vec<String> = columns.iter().map(|(n, t)| format!("`{n}` {}", t.name())).collect();
        return Err(format!(
            "The '{}' format only supports a single field. Got: [{}] ({what})",
            format.name(),
            got.join(", ")
        ));
    }
    Ok(())
}

/// A CREATE naming a stream or table that exists: ksqlDB's error, or with `IF NOT EXISTS`
/// the same text as a message and true (nothing more to do).
fn name_taken(con: &mut Console, kind: SourceKind, name: &str, if_not_exists: bool) -> Result<bool, String> {
    let Some(existing) = con.ksql_server.metastore.get(name) else { return Ok(false) };
    let e =
        format!("Cannot add {} '{name}': A {} with the same name already exists", kind.lower(), existing.kind.lower());
    if !if_not_exists {
        return Err(e);
    }
    print_lines(con, message(&e));
    Ok(true)
}

fn execute(con: &mut Console, world: &mut World, statement: Statement, text: &str) -> Result<(), String> {
    match statement {
        Statement::CreateSource { kind, name, if_not_exists, columns, props } => {
            if name_taken(con, kind, &name, if_not_exists)? {
                return Ok(());
            }
            check_props(&props)?;
            let Some(topic) = prop(&props, "KAFKA_TOPIC").map(Value::display) else {
                return Err("Missing required property \"KAFKA_TOPIC\" which has no default value.".to_string());
            };
            let Some(value_format) = format_prop(&props, "VALUE_FORMAT")? else {
                return Err("Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either provide one or set a default via the 'ksql.persistence.default.format.value' config.".to_string());
            };
            // `FORMAT` sets both; without either, keys are `KAFKA`.
            let key_format = format_prop(&props, "KEY_FORMAT")?.unwrap_or(Format::Kafka);
            for c in &columns {
                match (kind, c.key) {
                    (SourceKind::Stream, KeyKind::PrimaryKey) => return Err(format!("Column `{}` is a 'PRIMARY KEY' column: please use 'KEY' for streams.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.", c.name)),
                    (SourceKind::Table, KeyKind::Key) => return Err(format!("Column `{}` is a 'KEY' column: please use 'PRIMARY KEY' for tables.\nTables have PRIMARY KEYs, which are unique and NON NULL.\nStreams have KEYs, which have no uniqueness or NON NULL constraints.", c.name)),
                    _ => {}
                }
            }
            let mut seen: Vec<&str> = Vec::new();
            for c in &columns {
                if seen.contains(&c.name.as_str()) {
                    return Err(format!("Duplicate column names: {}", c.name));
                }
                seen.push(&c.name);
            }
            if kind == SourceKind::Table && !columns.iter().any(|c| c.key == KeyKind::PrimaryKey) {
                return Err("Tables require a PRIMARY KEY. Please define the PRIMARY KEY.".to_string());
            }
            let mut schema: Vec<Column> = columns
                .iter()
                .filter(|c| c.key != KeyKind::Value)
                .map(|c| Column { name: c.name.clone(), ty: c.ty, key: true })
                .collect();
            schema.extend(columns.iter().filter(|c| c.key == KeyKind::Value).map(|c| Column {
                name: c.name.clone(),
                ty: c.ty,
                key: false,
            }));
            let source = DataSource {
                kind,
                name: name.clone(),
                topic: topic.clone(),
                key_format,
                value_format,
                columns: schema,
                window: None,
                statement: text.to_string(),
            };
            single_field_check(key_format, &source.key_columns(), "key")?;
            single_field_check(value_format, &source.value_columns(), "value")?;
            let partitions = count_prop(&props, "PARTITIONS")?;
            let replicas = count_prop(&props, "REPLICAS")?;
            if topic_shape(world, &topic).is_none() {
                let Some(partitions) = partitions else {
                    return Err(format!("Topic '{topic}' does not exist. If you want to create a new topic for the stream/table please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS'). For example: {}", example_with_partitions(text)));
                };
                create_topic(
                    con,
                    world,
                    &topic,
                    partitions as i32,
                    replicas.map_or(-1, |r| r as i16),
                    kind == SourceKind::Table,
                )?;
            }
            con.ksql_server.metastore.add(source);
            con.ksql_server.command_offset += 1;
            print_lines(
                con,
                message(match kind {
                    SourceKind::Stream => "Stream created",
                    SourceKind::Table => "Table created",
                }),
            );
            Ok(())
        }
        Statement::CreateAsSelect { kind, name, if_not_exists, props, query } => {
            if name_taken(con, kind, &name, if_not_exists)? {
                return Ok(());
            }
            check_props(&props)?;
            let plan = plan(&query, &con.ksql_server.metastore, Some(&name))?;
            let produces = if plan.result_is_table() { SourceKind::Table } else { SourceKind::Stream };
            if produces != kind {
                return Err(format!(
                    "Invalid result type. Your SELECT query produces a {}. Please use CREATE {} AS SELECT statement instead.",
                    produces.upper(),
                    produces.upper()
                ));
            }
            let left = &plan.left.source;
            let topic = prop(&props, "KAFKA_TOPIC").map_or(name.clone(), Value::display);
            let value_format = format_prop(&props, "VALUE_FORMAT")?.unwrap_or(left.value_format);
            let key_format = format_prop(&props, "KEY_FORMAT")?.unwrap_or(left.key_format);
            let (source_partitions, source_replicas) = topic_shape(world, &left.topic).unwrap_or((1, 1));
            let partitions = count_prop(&props, "PARTITIONS")?.unwrap_or(i64::from(source_partitions));
            let replicas = count_prop(&props, "REPLICAS")?.unwrap_or(source_replicas as i64);
            let mut columns: Vec<Column> = plan
                .columns
                .iter()
                .filter(|c| c.key)
                .map(|c| Column { name: c.name.clone(), ty: c.ty, key: true })
                .collect();
            columns.extend(
                plan.columns
                    .iter()
                    .filter(|c| !c.key && c.name != WINDOWSTART && c.name != WINDOWEND)
                    .map(|c| Column { name: c.name.clone(), ty: c.ty, key: false }),
            );
            let sink = DataSource {
                kind,
                name: name.clone(),
                topic: topic.clone(),
                key_format,
                value_format,
                columns,
                window: plan.window(),
                statement: text.to_string(),
            };
            single_field_check(key_format, &sink.key_columns(), "key")?;
            single_field_check(value_format, &sink.value_columns(), "value")?;
            if topic_shape(world, &topic).is_none() {
                create_topic(con, world, &topic, partitions as i32, replicas as i16, kind == SourceKind::Table)?;
            }
            let id = format!(
                "{}_{}_{}",
                ksql_server::query_prefix(kind),
                name.to_ascii_uppercase(),
                con.ksql_server.command_offset
            );
            con.ksql_server.command_offset += 1;
            let start = start_offset(con);
            let q = ksql_server::start_query(world, &id, &name, &topic, text, plan, start, (key_format, value_format));
            con.ksql_server.metastore.add(sink);
            con.ksql_server.queries.insert(id.clone(), q);
            print_lines(con, message(&format!("Created query with ID {id}")));
            Ok(())
        }
        Statement::InsertValues { target, columns, values } => insert_values(con, world, &target, columns, &values),
        Statement::InsertSelect { target, query } => insert_select(con, world, &target, &query, text),
        Statement::Select(query) => {
            let Some(source) = con.ksql_server.metastore.get(&query.from.name).cloned() else {
                return Err(format!("{} does not exist.", query.from.name));
            };
            if !query.emit_changes && source.kind == SourceKind::Table {
                return pull_query(con, world, &query, &source);
            }
            let plan = plan(&query, &con.ksql_server.metastore, None)?;
            // A pull query on a stream scans the topic from the start until its end.
            let start = if query.emit_changes { start_offset(con) } else { StartOffset::Earliest };
            let idle = (!query.emit_changes || con.scripted).then_some(SCRIPT_IDLE_TIMEOUT_MS);
            start_push(con, world, plan, start, idle)
        }
        Statement::Show(what) => {
            show_listing(con, world, what);
            Ok(())
        }
        Statement::Describe { name, extended } => describe(con, world, &name, extended),
        Statement::Drop { kind, name, if_exists, delete_topic } => {
            let Some(source) = con.ksql_server.metastore.get(&name).cloned() else {
                if if_exists {
                    print_lines(con, message(&format!("Source `{name}` does not exist.")));
                    return Ok(());
                }
                let mut capitalized = kind.lower().to_string();
                capitalized[..1].make_ascii_uppercase();
                return Err(format!("{capitalized} {name} does not exist."));
            };
            if source.kind != kind {
                return Err(format!(
                    "Incompatible data source type is {}, but statement was DROP {}",
                    source.kind.lower(),
                    kind.upper()
                ));
            }
            let (read, write) = con.ksql_server.readers_and_writers(&name);
            if !read.is_empty() || !write.is_empty() {
                let ids = |qs: &[&PersistentQuery]| qs.iter().map(|q| q.id.clone()).collect::<Vec<_>>().join(", ");
                return Err(format!("Cannot drop {name}.\nThe following queries read from this source: [{}].\nThe following queries write into this source: [{}].\nYou need to terminate them before dropping {name}.", ids(&read), ids(&write)));
            }
            if delete_topic {
                match admin(con, world, AdminCall::DeleteTopics(vec![source.topic.clone()])) {
                    Some(AdminOutcome::Deleted(results)) => {
                        if let Some(e) = results.into_iter().find_map(|r| r.error) {
                            return Err(format!(
                                "Could not delete the corresponding kafka topic: {}\n{e}",
                                source.topic
                            ));
                        }
                    }
                    _ => return Err(format!("Could not delete the corresponding kafka topic: {}", source.topic)),
                }
            }
            con.ksql_server.metastore.remove(&name);
            con.ksql_server.command_offset += 1;
            print_lines(con, message(&format!("Source `{name}` (topic: {}) was dropped.", source.topic)));
            Ok(())
        }
        Statement::Terminate(id) => {
            let ids: Vec<String> = match id {
                Some(id) => {
                    if !con.ksql_server.queries.contains_key(&id) {
                        return Err(format!("Unknown queryId: {id}"));
                    }
                    vec![id]
                }
                None => con.ksql_server.queries.keys().cloned().collect(),
            };
            for id in ids {
                con.ksql_server.terminate(world, &id);
            }
            con.ksql_server.command_offset += 1;
            print_lines(con, message("Query terminated."));
            Ok(())
        }
        Statement::Explain(id) => explain(con, world, &id),
        Statement::Set { name, value } => {
            if name == "auto.offset.reset" && !matches!(value.as_str(), "earliest" | "latest" | "none") {
                return Err(format!("Invalid value {value} for configuration auto.offset.reset: String must be one of: latest, earliest, none"));
            }
            let Some(cli) = &mut con.ksql_cli else { return Ok(()) };
            let prior = cli.properties.insert(name.clone(), value.clone());
            let text = match prior {
                Some(p) => format!("Successfully changed local property '{name}' from '{p}' to '{value}'."),
                None => format!("Successfully changed local property '{name}' to '{value}'. Use the UNSET command to revert your change."),
            };
            con.out(text);
            Ok(())
        }
        Statement::Unset(name) => {
            let Some(cli) = &mut con.ksql_cli else { return Ok(()) };
            match cli.properties.remove(&name) {
                Some(old) => {
                    con.out(format!("Successfully unset local property '{name}' (value was '{old}')."));
                    Ok(())
                }
                None => Err(format!("Cannot unset local property '{name}' which was never set in the first place")),
            }
        }
        Statement::Print { topic, from_beginning, limit } => {
            if topic_shape(world, &topic).is_none() {
                return Err(format!("Could not find topic '{topic}', or the KSQL user does not have permissions to list the topic. Topic names are case-sensitive."));
            }
            let start = if from_beginning { StartOffset::Earliest } else { StartOffset::Latest };
            let idle = con.scripted.then_some(SCRIPT_IDLE_TIMEOUT_MS);
            let group = format!("{SERVICE_PREFIX}transient_print_{}", con.rng.below(1_000_000_000));
            let client = start_consumer(world, "ksql-print", Some(&group), &topic, start, idle);
            con.start_foreground(
                world,
                "PRINT",
                JobKind::KsqlPrint(PrintJob { client, printed: 0, limit, formats_shown: false }),
            );
            Ok(())
        }
    }
}

/// The statement with `PARTITIONS=2` added, for the missing-topic error's example.
fn example_with_partitions(text: &str) -> String {
    let trimmed = text.trim().trim_end_matches(';');
    match trimmed.rfind(')') {
        Some(i) if trimmed[..i].to_ascii_uppercase().contains("WITH") => {
            format!("{}, PARTITIONS=2){};", &trimmed[..i], &trimmed[i + 1..])
        }
        _ => format!("{trimmed} WITH (PARTITIONS=2);"),
    }
}

fn start_offset(con: &Console) -> StartOffset {
    match con.ksql_cli.as_ref().and_then(|c| c.properties.get("auto.offset.reset")).map(String::as_str) {
        Some("earliest") => StartOffset::Earliest,
        Some("none") => StartOffset::None,
        _ => StartOffset::Latest,
    }
}

/// `INSERT INTO target SELECT …`: a persistent query `INSERTQUERY_N` writing the rows into
/// an existing stream, whose schema they must match.
fn insert_select(
    con: &mut Console,
    world: &mut World,
    target: &str,
    query: &crate::ksql::ast::Query,
    text: &str,
) -> Result<(), String> {
    let Some(sink) = con.ksql_server.metastore.get(target).cloned() else {
        return Err(format!("{target} does not exist."));
    };
    if sink.kind != SourceKind::Stream {
        return Err(format!("INSERT INTO can only be used to insert into a stream. {target} is a table."));
    }
    let plan = plan(query, &con.ksql_server.metastore, Some(target))?;
    if plan.result_is_table() {
        return Err(format!("INSERT INTO can only be used to insert into a stream. The query produces a table, not a stream like {target}."));
    }
    let mut result: Vec<(&str, SqlType, bool)> =
        plan.columns.iter().filter(|c| c.key).map(|c| (c.name.as_str(), c.ty, true)).collect();
    result.extend(plan.columns.iter().filter(|c| !c.key).map(|c| (c.name.as_str(), c.ty, false)));
    let expected: Vec<(&str, SqlType, bool)> = sink.columns.iter().map(|c| (c.name.as_str(), c.ty, c.key)).collect();
    if result != expected {
        let schema = |cols: &[(&str, SqlType, bool)]| {
            cols.iter()
                .map(|(n, t, k)| format!("`{n}` {}{}", t.name(), if *k { " KEY" } else { "" }))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "Incompatible schema between results and sink.\nResult schema is {}\nSink schema is {}",
            schema(&result),
            schema(&expected)
        ));
    }
    let id = format!("INSERTQUERY_{}", con.ksql_server.command_offset);
    con.ksql_server.command_offset += 1;
    let start = start_offset(con);
    let q = ksql_server::start_query(
        world,
        &id,
        target,
        &sink.topic,
        text,
        plan,
        start,
        (sink.key_format, sink.value_format),
    );
    con.ksql_server.queries.insert(id.clone(), q);
    print_lines(con, message(&format!("Created query with ID {id}")));
    Ok(())
}

fn insert_values(
    con: &mut Console,
    world: &mut World,
    target: &str,
    columns: Option<Vec<String>>,
    values: &[crate::ksql::ast::Expr],
) -> Result<(), String> {
    let Some(source) = con.ksql_server.metastore.get(target).cloned() else {
        return Err(format!("Cannot insert values into an unknown stream/table: {target}"));
    };
    if source.window.is_some() {
        return Err("Cannot insert values into windowed stream/table!".to_string());
    }
    let names: Vec<String> = columns.unwrap_or_else(|| source.columns.iter().map(|c| c.name.clone()).collect());
    if names.len() != values.len() {
        return Err(format!(
            "Expected a value for each column. Expected Columns: [{}]. Got [{}]",
            names.join(", "),
            values.iter().map(show).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut row: VecMap<&str, Value> = VecMap::new();
    for (name, expr) in names.iter().zip(values) {
        let Some(column) = source.columns.iter().find(|c| c.name == *name) else {
            return Err(format!("Column name {name} does not exist."));
        };
        let v = eval(expr, &Scope { fields: &[], aggregates: &[] });
        let typed = match (&v, column.ty) {
            (Value::String(_), ty) if ty != SqlType::String => {
                return Err(format!(
                    "Expected type {} for field {name} but got {}({})",
                    column.ty.name(),
                    v.display(),
                    v.type_name()
                ))
            }
            _ => v.cast(column.ty).map_err(|e| format!("Failed to insert values into '{target}'. {e}"))?,
        };
        row.insert(name, typed);
    }
    let pick = |key: bool| -> (Vec<serde::ColumnSpec>, Vec<Value>) {
        source
            .columns
            .iter()
            .filter(|c| c.key == key)
            .map(|c| ((c.name.clone(), c.ty), row.get(c.name.as_str()).cloned().unwrap_or(Value::Null)))
            .unzip()
    };
    let (key_columns, key_values) = pick(true);
    let (value_columns, value_values) = pick(false);
    if source.kind == SourceKind::Table && key_values.iter().any(Value::is_null) {
        return Err(format!(
            "Failed to insert values into '{target}'. Value for primary key column(s) {} is required for tables",
            key_columns.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>().join(", ")
        ));
    }
    let key = serde::serialize_key(source.key_format, &key_columns, &key_values);
    let value = serde::serialize(source.value_format, &value_columns, &value_values);
    let producer = con.ksql_server.insert_producer(world);
    let topic = source.topic.clone();
    world.poke_client(producer, |c, ctx| {
        if let ClientRole::Producer(p) = &mut c.role {
            p.send(topic, key, value, ctx);
        }
    });
    Ok(())
}

/// A pull query: the table's current rows as its materializing query holds them.
fn pull_query(
    con: &mut Console,
    world: &World,
    query: &crate::ksql::ast::Query,
    source: &DataSource,
) -> Result<(), String> {
    let Some(writer) = con.ksql_server.queries.values().find(|q| q.sink == source.name) else {
        let name = &source.name;
        return Err(format!("The `{name}` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_{name} AS SELECT * FROM {name}'. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query."));
    };
    if query.join.is_some() || !query.group_by.is_empty() || query.window.is_some() {
        return Err("Pull queries don't support JOIN, GROUP BY or WINDOW clauses. See https://cnfl.io/queries for more info.\nAdd EMIT CHANGES if you intended to issue a push query.".to_string());
    }
    let plan = plan(query, &con.ksql_server.metastore, None)?;
    if query.limit.is_some() {
        return Err("LIMIT clause in pull queries is currently disabled. You can enable them by setting ksql.query.pull.limit.clause.enabled=true.".to_string());
    }
    let qualifier = plan.left.qualifier.clone();
    let writer_plan = &writer.plan;
    let mut lines = grid_header(&plan.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
    for row in writer.rows(world) {
        let mut fields: Vec<Field> = writer_plan
            .columns
            .iter()
            .zip(&row.values)
            .map(|(c, v)| Field { qualifier: qualifier.clone(), name: c.name.clone(), value: v.clone() })
            .collect();
        if let Some((start, end)) = row.window {
            fields.push(Field {
                qualifier: qualifier.clone(),
                name: WINDOWSTART.to_string(),
                value: Value::Bigint(start as i64),
            });
            fields.push(Field {
                qualifier: qualifier.clone(),
                name: WINDOWEND.to_string(),
                value: Value::Bigint(end as i64),
            });
        }
        fields.push(Field {
            qualifier: qualifier.clone(),
            name: "ROWTIME".to_string(),
            value: Value::Bigint(row.timestamp_ms as i64),
        });
        let scope = Scope { fields: &fields, aggregates: &[] };
        if plan.filter.as_ref().is_some_and(|f| !holds(f, &scope)) {
            continue;
        }
        let values: Vec<String> = plan.columns.iter().map(|c| eval(&c.expr, &scope).display()).collect();
        lines.extend(grid_row(&values));
    }
    lines.push("Query terminated".to_string());
    for l in lines {
        con.out(l);
    }
    Ok(())
}

/// A transient push query (or a pull query scanning a stream) run in the foreground, as
/// ksqlDB runs it: a Kafka Streams application whose rows the CLI prints.
fn start_push(
    con: &mut Console,
    world: &mut World,
    plan: Plan,
    start: StartOffset,
    idle: Option<u64>,
) -> Result<(), String> {
    let source = plan.left.source.name.clone();
    let id =
        format!("transient_{source}_{}", con.rng.below(1_000_000_000) * 1_000_000_000 + con.rng.below(1_000_000_000));
    let application_id = format!("{SERVICE_PREFIX}transient_{id}_{}", world.now().wall_ms());
    let names: Vec<String> = plan.columns.iter().map(|c| c.name.clone()).collect();
    for l in grid_header(&names) {
        con.out(l);
    }
    let limit = plan.limit;
    let mut config = StreamsConfig::new(&application_id, vec![BOOTSTRAP.to_string()]);
    config.deserialization_handler = DeserializationHandler::LogAndContinue;
    config.commit_interval_ms = ksql_server::COMMIT_INTERVAL_MS;
    config.auto_offset_reset = start;
    let app = world.start_streams(compile(&plan, &Output::Collect), config);
    let from_latest = start == StartOffset::Latest;
    let job = PushJob { app, plan, printed: 0, limit, from_latest, idle, quiet_since: world.now() };
    con.start_foreground(world, "SELECT", JobKind::KsqlPush(Box::new(job)));
    Ok(())
}

#[derive(Clone)]
pub(crate) struct PushJob {
    app: AppId,
    plan: Plan,
    printed: u64,
    limit: Option<u64>,
    /// The query reads only records written after it started (`auto.offset.reset=latest`).
    from_latest: bool,
    /// A scan (or a scripted query) ends once no row came for this long while running.
    idle: Option<u64>,
    quiet_since: SimTime,
}

impl PushJob {
    /// The query ends by itself or by Ctrl-C: its application closes.
    fn finish(&mut self, world: &mut World, emit: &mut Emit) {
        world.close_streams(self.app);
        world.forget_streams(self.app);
        emit.out("Query terminated");
        if self.printed == 0 && self.from_latest {
            // The most common surprise with ksqlDB: records already in the topic are not read.
            emit.lines.push((
                Stream::Hint,
                "(No rows: the query read only records written after it started. SET 'auto.offset.reset'='earliest'; makes queries read topics from their start.)".to_string(),
            ));
        }
        emit.exit(0);
    }

    /// Ctrl-C.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        self.finish(world, emit);
    }

    /// Simulated time moved: print the rows the application collected.
    pub(crate) fn tick(&mut self, world: &mut World, emit: &mut Emit) {
        let state = world.streams(self.app).map(|a| a.state());
        let output = world.take_streams_output(self.app);
        if state != Some(StreamsState::Running) || !output.collected.is_empty() {
            self.quiet_since = world.now();
        }
        if matches!(state, None | Some(StreamsState::PendingError | StreamsState::Error)) {
            // The query's application died (e.g. its topic is gone): the CLI shows why.
            for line in output.logs.iter().filter(|l| l.level == Level::Error) {
                emit.err(line.text.clone());
            }
            // Not a question of offsets: no hint about them.
            self.from_latest = false;
            return self.finish(world, emit);
        }
        for record in output.collected {
            let Some((values, tombstone)) = collected_row(&self.plan, &record.key, &record.value) else { continue };
            let row = ResultRow { values, tombstone, window: None, timestamp_ms: 0 };
            for l in grid_row(&row_texts(&row)) {
                emit.out(l);
            }
            self.printed += 1;
            if self.limit.is_some_and(|l| self.printed >= l) {
                emit.out("Limit Reached");
                return self.finish(world, emit);
            }
        }
        if self.idle.is_some_and(|idle| world.now() >= self.quiet_since.plus_ms(idle)) {
            self.finish(world, emit);
        }
    }
}

/// A row's cells; a deleted key's values print as `<TOMBSTONE>`.
fn row_texts(row: &ResultRow) -> Vec<String> {
    row.values
        .iter()
        .map(|v| if row.tombstone && v.is_null() { "<TOMBSTONE>".to_string() } else { v.display() })
        .collect()
}

/// `PRINT 'topic'`: each record as `TopicStreamWriter` formats it.
#[derive(Clone)]
pub(crate) struct PrintJob {
    pub(crate) client: ClientId,
    printed: u64,
    limit: Option<u64>,
    formats_shown: bool,
}

impl PrintJob {
    /// Ctrl-C.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        world.poke_client(self.client, |c, ctx| c.close(ctx));
        self.finish(emit);
    }

    /// The console closes the consumer with the job.
    fn finish(&mut self, emit: &mut Emit) {
        emit.out("Topic printing ceased");
        emit.exit(0);
    }

    pub(crate) fn on_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        let ClientEvent::Consumer(event) = event else { return };
        match event {
            ConsumerEvent::Records(records) => {
                for r in records {
                    if self.limit.is_some_and(|l| self.printed >= l) {
                        break;
                    }
                    let text = |b: &Option<Vec<u8>>| {
                        b.as_ref().map_or("<null>".to_string(), |v| String::from_utf8_lossy(v).into_owned())
                    };
                    if !self.formats_shown {
                        let value = text(&r.value);
                        let json =
                            crate::json::parse(&value).is_some_and(|j| matches!(j, crate::json::Json::Object(_)));
                        emit.out(format!(
                            "Key format: {}",
                            if r.key.is_some() { "KAFKA_STRING" } else { "¯\\_(ツ)_/¯ - no data processed" }
                        ));
                        emit.out(format!(
                            "Value format: {}",
                            if json { "JSON or KAFKA_STRING" } else { "KAFKA_STRING" }
                        ));
                        self.formats_shown = true;
                    }
                    let when = crate::time::format_wall_clock(r.timestamp_ms).replacen('-', "/", 2);
                    emit.out(format!(
                        "rowtime: {when} Z, key: {}, value: {}, partition: {}",
                        text(&r.key),
                        text(&r.value),
                        r.partition
                    ));
                    self.printed += 1;
                }
                if self.limit.is_some_and(|l| self.printed >= l) {
                    self.finish(emit);
                }
            }
            ConsumerEvent::TimedOut | ConsumerEvent::Fatal(_) | ConsumerEvent::NoOffset(_) => self.finish(emit),
            ConsumerEvent::Assigned(_) => {}
        }
    }
}

fn show_listing(con: &mut Console, world: &World, what: ShowWhat) {
    let lines = match what {
        ShowWhat::Streams | ShowWhat::Tables => {
            let kind = if what == ShowWhat::Streams { SourceKind::Stream } else { SourceKind::Table };
            let rows: Vec<Vec<String>> = con.ksql_server.metastore.of_kind(kind).map(DataSource::listing_row).collect();
            let first = if kind == SourceKind::Stream { "Stream Name" } else { "Table Name" };
            table(&[first, "Kafka Topic", "Key Format", "Value Format", "Windowed"], &rows, &[])
        }
        ShowWhat::Queries => {
            let rows: Vec<Vec<String>> = con
                .ksql_server
                .queries
                .values()
                .map(|q| {
                    vec![
                        q.id.clone(),
                        "PERSISTENT".to_string(),
                        "RUNNING:1".to_string(),
                        q.sink.clone(),
                        q.sink_topic.clone(),
                        q.statement.clone(),
                    ]
                })
                .collect();
            table(
                &["Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String"],
                &rows,
                &["For detailed information on a Query run: EXPLAIN <Query ID>;"],
            )
        }
        ShowWhat::Topics => {
            let rows: Vec<Vec<String>> = world
                .freshest_image()
                .map(|image| {
                    image
                        .topics
                        .iter()
                        .filter(|(name, _)| !name.starts_with('_'))
                        .map(|(name, t)| {
                            let sizes: Vec<usize> = t.partitions.values().map(|p| p.replicas.len()).collect();
                            let replicas = match sizes.first() {
                                None => "0".to_string(),
                                Some(first) if sizes.iter().all(|s| s == first) => first.to_string(),
                                Some(_) => sizes.iter().map(usize::to_string).collect::<Vec<_>>().join(", "),
                            };
                            vec![name.clone(), t.partitions.len().to_string(), replicas]
                        })
                        .collect()
                })
                .unwrap_or_default();
            table(&["Kafka Topic", "Partitions", "Partition Replicas"], &rows, &[])
        }
        ShowWhat::Properties => {
            let reset = con.ksql_cli.as_ref().and_then(|c| c.properties.get("auto.offset.reset")).cloned();
            let mut rows = vec![
                vec!["ksql.service.id".into(), "KSQL".into(), "SERVER".into(), "default_".into()],
                vec![
                    "ksql.streams.auto.offset.reset".into(),
                    "KSQL".into(),
                    if reset.is_some() { "SESSION" } else { "SERVER" }.into(),
                    reset.unwrap_or_else(|| "latest".into()),
                ],
                vec!["ksql.streams.bootstrap.servers".into(), "KSQL".into(), "SERVER".into(), BOOTSTRAP.into()],
                vec!["ksql.streams.cache.max.bytes.buffering".into(), "KSQL".into(), "".into(), "0".into()],
                vec![
                    "ksql.streams.commit.interval.ms".into(),
                    "KSQL".into(),
                    "".into(),
                    ksql_server::COMMIT_INTERVAL_MS.to_string(),
                ],
                vec!["ksql.streams.processing.guarantee".into(), "KSQL".into(), "".into(), "at_least_once".into()],
                vec!["ksql.query.pull.table.scan.enabled".into(), "KSQL".into(), "".into(), "true".into()],
            ];
            crate::sort::sort(&mut rows);
            table(&["Property", "Scope", "Default override", "Effective Value"], &rows, &[])
        }
    };
    print_lines(con, lines);
}

/// `FieldInfo`'s type as `DESCRIBE` shows it: `VARCHAR(STRING)  (key)`.
fn field_type(column: &Column, kind: SourceKind, window: Option<&str>) -> String {
    let ty = match column.ty {
        SqlType::String => "VARCHAR(STRING)",
        other => other.name(),
    };
    if !column.key {
        return ty.to_string();
    }
    let key = if kind == SourceKind::Table { "(primary key)" } else { "(key)" };
    let window = window.map_or(String::new(), |w| format!(" (Window type: {w})"));
    format!("{ty:<16} {key}{window}")
}

fn schema_table(source: &DataSource) -> Vec<String> {
    let window = source.window.map(|w| w.type_name());
    let rows: Vec<Vec<String>> =
        source.columns.iter().map(|c| vec![c.name.clone(), field_type(c, source.kind, window)]).collect();
    table(&["Field", "Type"], &rows, &[])
}

fn describe(con: &mut Console, world: &World, name: &str, extended: bool) -> Result<(), String> {
    let Some(source) = con.ksql_server.metastore.get(name).cloned() else {
        return Err(format!("Could not find STREAM/TABLE '{name}' in the Metastore"));
    };
    let mut lines = vec![labelled("Name", &source.name)];
    if !extended {
        lines.extend(schema_table(&source));
        lines.push("For runtime statistics and query details run: DESCRIBE <Stream,Table> EXTENDED;".to_string());
        print_lines(con, lines);
        return Ok(());
    }
    lines.push(labelled("Type", source.kind.upper()));
    lines.push(labelled("Timestamp field", "Not set - using <ROWTIME>"));
    lines.push(labelled("Key format", source.key_format.name()));
    lines.push(labelled("Value format", source.value_format.name()));
    let topic = match topic_shape(world, &source.topic) {
        Some((partitions, replication)) => {
            format!("{} (partitions: {partitions}, replication: {replication})", source.topic)
        }
        None => source.topic.clone(),
    };
    lines.push(labelled("Kafka topic", &topic));
    lines.push(labelled("Statement", &source.statement));
    lines.push(String::new());
    lines.extend(schema_table(&source));
    let (read, write) = con.ksql_server.readers_and_writers(name);
    for (queries, operation) in [(read, "read"), (write, "write")] {
        if queries.is_empty() {
            continue;
        }
        lines.push(String::new());
        lines.push(format!("{:<20}", format!("Queries that {operation} from this {}", source.kind.upper())));
        lines.push("-----------------------------------".to_string());
        for q in queries {
            lines.push(format!("{} (RUNNING) : {}", q.id, q.statement));
        }
        lines.push(String::new());
        lines.push("For query topology and execution plan please run: EXPLAIN <QueryId>".to_string());
    }
    lines.push(String::new());
    lines.push("Local runtime statistics".to_string());
    lines.push("------------------------".to_string());
    let written: u64 = con.ksql_server.queries.values().filter(|q| q.sink == name).map(|q| q.written(world)).sum();
    let (read_total, failed) = con
        .ksql_server
        .queries
        .values()
        .filter(|q| q.plan.source_names().iter().any(|s| s == name))
        .map(|q| q.read_and_failed(world))
        .fold((0, 0), |(r, f), (r2, f2)| (r + r2, f + f2));
    lines.push(format!("consumer-total-messages: {read_total:>9}  total-messages: {written:>9}"));
    lines.push(format!("consumer-failed-messages: {failed:>8}"));
    lines.push(format!("(Statistics of the local KSQL server interaction with the Kafka topic {})", source.topic));
    print_lines(con, lines);
    Ok(())
}

fn explain(con: &mut Console, world: &World, id: &str) -> Result<(), String> {
    let Some(q) = con.ksql_server.queries.get(id).cloned() else {
        return Err(format!("Query with id:{id} does not exist, use SHOW QUERIES to view the full set of queries."));
    };
    let mut lines = vec![
        labelled("ID", &q.id),
        labelled("Query Type", "PERSISTENT"),
        labelled("SQL", &q.statement),
        labelled("Host Query Status", "{localhost:8088=RUNNING}"),
        String::new(),
    ];
    if let Some(sink) = con.ksql_server.metastore.get(&q.sink) {
        lines.extend(schema_table(sink));
    }
    lines.push(String::new());
    lines.push(format!("{:<20}", "Sources that this query reads from: "));
    lines.push("-----------------------------------".to_string());
    lines.extend(q.plan.source_names());
    lines.push(String::new());
    lines.push("For source description please run: DESCRIBE [EXTENDED] <SourceId>".to_string());
    lines.push(String::new());
    lines.push(format!("{:<20}", "Sinks that this query writes to: "));
    lines.push("-----------------------------------".to_string());
    lines.push(q.sink.clone());
    lines.push(String::new());
    lines.push("For sink description please run: DESCRIBE [EXTENDED] <SinkId>".to_string());
    lines.push(String::new());
    lines.push(format!("{:<20}", "Processing topology"));
    lines.push(format!("{:<20}", "-------------------"));
    let description = world.streams(q.app).map(|a| a.topology().describe()).unwrap_or_default();
    lines.extend(description.lines().map(str::to_string));
    print_lines(con, lines);
    Ok(())
}

/// Console hooks the CLI needs.
impl Console {
    fn foreground_is_running(&self) -> bool {
        self.foreground.is_some()
    }

    /// Hands an event to the foreground push query or PRINT it belongs to; any other
    /// event is given back.
    pub(super) fn ksql_job_event(
        &mut self,
        world: &mut World,
        client: ClientId,
        event: ClientEvent,
    ) -> Option<ClientEvent> {
        let Some(job) = &mut self.foreground else { return Some(event) };
        let mut emit = Emit::new(world.now().wall_ms());
        match &mut job.kind {
            JobKind::KsqlPrint(p) if p.client == client => p.on_event(event, &mut emit),
            _ => return Some(event),
        }
        self.finish_emit(world, emit, true);
        None
    }

    /// Runs a query job in the foreground; a script waits for it as for any tool.
    fn start_foreground(&mut self, world: &mut World, command: &str, kind: JobKind) {
        self.next_job_number += 1;
        self.foreground = Some(super::job::Job {
            number: self.next_job_number,
            command: command.to_string(),
            kind,
            stdout_file: None,
        });
        if self.scripted || !self.captures.is_empty() {
            self.run_to_completion(world);
            if self.foreground.is_some() {
                self.interrupt(world);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_at_semicolons_outside_quotes_and_comments() {
        let (parts, ended) = split_statements("SHOW STREAMS; SELECT ';' FROM s -- x;\n;");
        assert_eq!(parts.len(), 2);
        assert!(ended);
        assert!(!complete("CREATE STREAM s (a INT)"));
        assert!(complete("SELECT 1 FROM s; -- done"));
        assert!(!complete("SELECT ';"));
    }

    #[test]
    fn the_missing_topic_example_adds_partitions() {
        assert_eq!(
            example_with_partitions("CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');"),
            "CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=2);"
        );
    }
}
