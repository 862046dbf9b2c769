//! The ksqlDB CLI (`ksql http://localhost:8088`, CLI v0.29.0): options, the banner, the
//! `ksql> ` prompt, statements that end with `;` and may span lines, `exit`, and sending
//! each statement to the server (`ksql_statements.rs` answers them, `ksql_jobs.rs` runs
//! push queries and `PRINT`; the server's state is `ksql_server.rs`, the language
//! `crate::ksql`).

use super::job::{Emit, JobKind};
use super::ksql_server::SERVER_URL;
use super::{Console, Outcome};
use crate::broker::BrokerState;
use crate::ids::ClientId;
use crate::ksql::parser::parse;
use crate::node::ClientEvent;
use crate::session::Stream;
use crate::world::World;
use std::collections::BTreeMap;

const VERSION: &str = "0.29.0";

/// An open CLI session: the statement being typed and the session's properties.
#[derive(Clone, Default)]
pub(crate) struct KsqlCli {
    buffer: String,
    /// Set with `SET`: sent with every statement (`auto.offset.reset`).
    pub(super) properties: BTreeMap<String, String>,
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
pub(super) fn broker_running(world: &World) -> bool {
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
Simplified: the server is always up while a broker runs; queries emit one update per
record (no cache) and regroup without repartition topics; formats JSON, DELIMITED and
KAFKA; types BOOLEAN, INT, BIGINT, DOUBLE, VARCHAR; stream-table and table-table joins.";

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
        let result = super::ksql_statements::execute(con, world, parsed, &single_line);
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
            JobKind::KsqlPush(p) if p.owns(client) => p.on_event(world, client, event, &mut emit),
            JobKind::KsqlPrint(p) if p.client == client => p.on_event(event, &mut emit),
            _ => return Some(event),
        }
        self.finish_emit(world, emit, true);
        None
    }

    /// Runs a query job in the foreground; a script waits for it as for any tool.
    pub(super) fn start_foreground(&mut self, world: &mut World, command: &str, kind: JobKind) {
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
}
