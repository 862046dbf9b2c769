//! The console a student types into: a small shell (parsing in `shell`, files in `vfs`,
//! coreutils in `builtins`) that runs Kafka's command-line tools against the world.
//!
//! The same console serves `ksim run` and the page, so both print the same bytes.

mod builtins;
mod cluster;
mod configs;
mod connect;
mod console_consumer;
mod console_producer;
mod consumer_groups;
mod consumer_perf_test;
mod control;
mod curl;
mod delete_records;
mod dump_log;
mod get_offsets;
mod job;
mod ksql;
mod ksql_server;
mod leader_election;
mod log_dirs;
mod metadata_quorum;
mod options;
mod pattern;
mod producer_perf_test;
mod reassign_partitions;
mod server_start;
mod shell;
mod storage;
mod streams_demo;
mod topics;
mod vfs;

use crate::chunk_list::ChunkList;
use crate::client::admin::{Admin, AdminCall};
use crate::client::{Client, ClientRole};
use crate::ids::ClientId;
use crate::rng::SimRng;
use crate::session::{ConsoleLine, Stream};
use crate::vec_map::VecMap;
use crate::world::World;
use job::{Emit, Job, JobKind};
use shell::{Connector, ListItem, Script, ShellError, ShellHost};
use vfs::Vfs;

/// Where Kafka is installed in the simulated machine; `bin/` scripts live below it.
const KAFKA_HOME: &str = "/opt/kafka";
/// Server logs are appended here, as log4j's file appender would.
const SERVER_LOG: &str = "/opt/kafka/logs/server.log";
/// A job that waits longer than this for its process stops being waited for, so a
/// wrong command can never freeze the page.
const RUN_TO_COMPLETION_MAX_MS: u64 = 10 * 60 * 1000;
/// Nesting bound for `$(...)` that runs tools.
const CAPTURE_DEPTH_MAX: usize = 8;

/// What a tool invocation led to.
pub(crate) enum Outcome {
    /// Finished at once with this exit status.
    Done(i32),
    /// Started something that keeps running.
    Job(JobKind),
}

/// The result of handing a line to the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Waiting {
    /// The shell prompt is back.
    Prompt,
    /// A continuation line is needed (`\`, open quote).
    Continuation,
    /// A foreground tool owns the terminal.
    Job,
}

#[derive(Clone)]
pub(crate) struct Console {
    pub(crate) vfs: Vfs,
    vars: VecMap<String, String>,
    last_status: i32,
    pub(crate) output: ChunkList<ConsoleLine>,
    continuation: Option<String>,
    foreground: Option<Job>,
    background: Vec<Job>,
    /// The rest of a command list, run when the foreground job ends.
    deferred: Option<(Connector, Vec<ListItem>)>,
    /// Buffers of `$(...)` being captured, innermost last.
    captures: Vec<String>,
    /// Standard output redirected to a file for the command running now.
    stdout_file: Option<String>,
    /// While a job's lines are written: how many of its standard output's lines could not
    /// be written to its file. A JVM's `PrintStream` only sets a flag (`checkError()`), and
    /// bash says nothing.
    job_stdout_failed: Option<usize>,
    pub(crate) rng: SimRng,
    /// Scripts (`ksim run`) read records and stop consumers themselves; the page waits.
    pub(crate) scripted: bool,
    /// The command being started ends with `&` (a background job never waits for input).
    pub(crate) launching_background: bool,
    next_job_number: u32,
    /// Set by `ksim seed N` before anything ran: the session restarts with that seed.
    pub(crate) reseed: Option<u64>,
    /// The `ksql` CLI, while it is open: lines go to it instead of the shell.
    pub(crate) ksql_cli: Option<ksql::KsqlCli>,
    /// The simulated ksqlDB server: its streams, tables and persistent queries outlive
    /// the CLI sessions.
    pub(crate) ksql_server: ksql_server::KsqlServer,
}

impl Console {
    pub(crate) fn new(seed: u64, scripted: bool) -> Console {
        let mut vars = VecMap::new();
        vars.insert("HOME".to_string(), "/root".to_string());
        vars.insert("PATH".to_string(), format!("{KAFKA_HOME}/bin:/usr/local/bin:/usr/bin:/bin"));
        vars.insert("KAFKA_HOME".to_string(), KAFKA_HOME.to_string());
        vars.insert("USER".to_string(), "student".to_string());
        let mut vfs = Vfs::with_kafka_install();
        // Kafka's scripts create the logs directory on first start.
        let _ = vfs.create_dir_all(&format!("{KAFKA_HOME}/logs"));
        Console {
            vfs,
            vars,
            last_status: 0,
            output: ChunkList::default(),
            continuation: None,
            foreground: None,
            background: Vec::new(),
            deferred: None,
            captures: Vec::new(),
            stdout_file: None,
            job_stdout_failed: None,
            // The console's own stream: cluster ids and console group ids.
            rng: SimRng::for_stream(seed, u64::MAX - 1),
            scripted,
            launching_background: false,
            next_job_number: 0,
            reseed: None,
            ksql_cli: None,
            ksql_server: ksql_server::KsqlServer::default(),
        }
    }

    pub(crate) fn waiting(&self) -> Waiting {
        if self.continuation.is_some() {
            Waiting::Continuation
        } else if self.foreground.is_some() {
            Waiting::Job
        } else if self.ksql_cli.as_ref().is_some_and(ksql::KsqlCli::continuing) {
            Waiting::Continuation
        } else {
            Waiting::Prompt
        }
    }

    /// The prompt the terminal shows now.
    pub(crate) fn prompt(&self) -> &'static str {
        match (&self.continuation, &self.foreground) {
            (Some(_), _) => "> ",
            (None, Some(Job { kind: JobKind::Producer(_), .. })) => ">",
            (None, Some(_)) => "",
            (None, None) => self.ksql_cli.as_ref().map_or("$ ", ksql::prompt),
        }
    }

    fn push(&mut self, stream: Stream, text: impl Into<String>) {
        self.output.push(ConsoleLine { stream, text: text.into() });
    }

    pub(crate) fn hint(&mut self, text: impl Into<String>) {
        self.push(Stream::Hint, text);
    }

    /// Standard output of the command running now: the innermost `$(...)` capture, a
    /// redirected file, or the terminal.
    pub(crate) fn out(&mut self, text: impl Into<String>) {
        let text = text.into();
        if let Some(buffer) = self.captures.last_mut() {
            buffer.push_str(&text);
            buffer.push('\n');
        } else if let Some(path) = self.stdout_file.clone() {
            let path = self.vfs.resolve(&path);
            if let Err(e) = self.vfs.append(&path, &format!("{text}\n")) {
                match &mut self.job_stdout_failed {
                    Some(failed) => *failed += 1,
                    None => self.push(Stream::Stderr, format!("bash: {path}: {}", e.kind.reason())),
                }
            }
        } else {
            self.push(Stream::Stdout, text);
        }
    }

    /// Standard error always reaches the terminal (`$(...)` captures only stdout).
    pub(crate) fn err(&mut self, text: impl Into<String>) {
        self.push(Stream::Stderr, text);
    }

    /// A tool's `main` catching an exception: its message, then its stack trace (abridged
    /// to the first line), on stderr; status 1.
    pub(crate) fn exception(&mut self, class: &str, message: &str) -> Outcome {
        self.err(message.to_string());
        self.err(format!("{class}: {message}"));
        Outcome::Done(1)
    }

    /// Writes a job's lines; how many of its standard output's could not be written.
    fn emit(&mut self, emit: Emit, stdout_file: Option<String>) -> usize {
        for (path, text, append) in emit.writes {
            let result = if append { self.vfs.append(&path, &text) } else { self.vfs.write(&path, &text) };
            if let Err(e) = result {
                self.push(Stream::Stderr, format!("{path}: {}", e.kind.reason()));
            }
        }
        let saved = std::mem::replace(&mut self.stdout_file, stdout_file);
        let saved_failed = self.job_stdout_failed.replace(0);
        for (stream, text) in emit.lines {
            match stream {
                Stream::Stdout => self.out(text),
                other => self.push(other, text),
            }
        }
        self.stdout_file = saved;
        std::mem::replace(&mut self.job_stdout_failed, saved_failed).unwrap_or_default()
    }

    /// A console consumer whose standard output failed (`unwritten` lines) stops, as
    /// `ConsoleConsumer.checkErr` makes it; other tools' lines are lost, as a
    /// `PrintStream`'s are. The exit status, when the job ended.
    fn stdout_failed(&mut self, world: &World, job: &mut Job, unwritten: usize) -> Option<i32> {
        let JobKind::Consumer(consumer) = &mut job.kind else { return None };
        let mut emit = Emit::new(world.now().wall_ms());
        consumer.stdout_closed(unwritten, &mut emit);
        let exit = emit.exit;
        self.emit(emit, job.stdout_file.clone());
        exit
    }

    /// One line typed at the terminal.
    pub(crate) fn input(&mut self, world: &mut World, line: &str) {
        if let Some(mut text) = self.continuation.take() {
            self.push(Stream::Command, format!("> {line}"));
            text.push('\n');
            text.push_str(line);
            return self.submit(world, text);
        }
        if let Some(job) = &self.foreground {
            match &job.kind {
                JobKind::Producer(_) => {
                    // Script lines `> value` feed the producer; any other line that looks
                    // like a command ends it first, as the lesson's scripts expect.
                    if let Some(record) = line.strip_prefix("> ").or((line == ">").then_some("")) {
                        return self.producer_line(world, record);
                    }
                    if !looks_like_command(line) {
                        return self.producer_line(world, line);
                    }
                    self.end_of_input(world);
                    if !self.scripted {
                        self.hint("(the console producer was closed because a new command was typed; press Ctrl-D to close it yourself)");
                    }
                }
                _ => {
                    if !looks_like_command(line) {
                        self.push(Stream::Input, line.to_string());
                        return;
                    }
                    self.interrupt(world);
                }
            }
        }
        if self.ksql_cli.is_some() {
            return ksql::line(self, world, line);
        }
        if line.starts_with("> ") {
            self.push(Stream::Command, format!("$ {line}"));
            self.err("bash: syntax error near unexpected token `newline'");
            self.hint(
                "Lines starting with \"> \" are records for a running kafka-console-producer.sh; start one first.",
            );
            self.last_status = 2;
            return;
        }
        self.push(Stream::Command, format!("$ {line}"));
        self.submit(world, line.to_string());
    }

    /// A complete (or still continued) command text.
    fn submit(&mut self, world: &mut World, text: String) {
        // `ksim partition 1,2 | 3` uses `|` and `->` as its own syntax, not the shell's.
        if let Some(spec) = text.trim().strip_prefix("ksim partition") {
            let args: Vec<String> =
                std::iter::once("partition".to_string()).chain(spec.split_whitespace().map(str::to_string)).collect();
            let outcome = control::run(self, world, &args);
            self.last_status = match outcome {
                Outcome::Done(status) => status,
                Outcome::Job(_) => 0,
            };
            return;
        }
        if shell::needs_more_input(&text) {
            self.continuation = Some(text);
            return;
        }
        match shell::parse(&text) {
            Ok(script) if script.is_empty() => {}
            Ok(script) => self.run_items(world, Connector::Sequence, script.items),
            Err(e) => {
                self.err(format!("bash: {}", e.message));
                self.last_status = 2;
            }
        }
    }

    fn producer_line(&mut self, world: &mut World, record: &str) {
        self.push(Stream::Input, format!(">{record}"));
        let Some(Job { kind: JobKind::Producer(p), .. }) = &mut self.foreground else {
            return;
        };
        let mut emit = Emit::new(world.now().wall_ms());
        p.line(world, record, &mut emit);
        self.finish_emit(world, emit, true);
    }

    /// A `ksim …` control line from outside the terminal (the page's buttons): it runs
    /// without disturbing the foreground tool.
    pub(crate) fn control(&mut self, world: &mut World, line: &str) {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        self.push(Stream::Command, format!("$ {line}"));
        match words.split_first() {
            Some((first, args)) if first == "ksim" => {
                let _ = control::run(self, world, args);
            }
            _ => self.err(format!(
                "ksim: only playground commands (ksim …) can run beside the foreground tool, not '{line}'"
            )),
        }
    }

    /// Ctrl-C.
    pub(crate) fn interrupt(&mut self, world: &mut World) {
        if self.continuation.take().is_some() {
            self.push(Stream::Input, "^C");
            return;
        }
        if self.foreground.is_none() {
            if let Some(cli) = &mut self.ksql_cli {
                // The CLI drops the statement being typed and prompts again.
                *cli = ksql::KsqlCli::with_properties_of(cli);
            }
        }
        let Some(mut job) = self.foreground.take() else {
            self.push(Stream::Input, "^C");
            return;
        };
        self.push(Stream::Input, "^C");
        let mut emit = Emit::new(world.now().wall_ms());
        if !job.signal(world, &mut emit) {
            // Servers starting up and admin tools just die of the signal.
            emit.exit(130);
        }
        let status = emit.exit.unwrap_or(130);
        self.emit(emit, job.stdout_file.clone());
        if matches!(job.kind, JobKind::Producer(_)) {
            // Closing flushes: let the producer's last batch reach the broker.
            self.foreground = Some(job);
            self.run_to_completion(world);
        } else {
            self.job_finished(world, status);
        }
    }

    /// Where background job `number` is in the list.
    fn background_position(&self, number: Option<u32>) -> Option<usize> {
        self.background.iter().position(|j| Some(j.number) == number)
    }

    /// The consumer client of background job `number`, if it is one.
    pub(crate) fn background_consumer(&self, number: u32) -> Option<ClientId> {
        self.background
            .iter()
            .find(|j| j.number == number && matches!(j.kind, JobKind::Consumer(_)))
            .and_then(Job::client)
    }

    /// `ksim crash %N`: background job N's process dies at once (kill -9): no final commit,
    /// no LeaveGroup; its group notices only when the session times out.
    pub(crate) fn crash_job(&mut self, world: &mut World, spec: &str) -> Outcome {
        let number = spec.strip_prefix('%').and_then(|n| n.parse::<u32>().ok());
        let Some(index) = self.background_position(number) else {
            self.err(format!("ksim: {spec}: no such job (see jobs)"));
            return Outcome::Done(1);
        };
        let job = self.background.remove(index);
        for client in job.clients() {
            world.poke_client(client, |c, _| c.alive = false);
        }
        if let JobKind::Streams(j) = &job.kind {
            world.crash_streams(j.app);
        }
        self.push(Stream::Stdout, format!("[{}]+  {:<24}{}", job.number, "Killed", job.command));
        Outcome::Done(0)
    }

    /// `kill %N`: stops background job N as a signal would (a consumer still commits and
    /// leaves its group, as its shutdown hook makes it).
    fn kill_job(&mut self, world: &mut World, args: &[String]) -> Outcome {
        let spec = args.first().map(String::as_str).unwrap_or_default();
        let number = spec.trim_start_matches('%').parse::<u32>().ok();
        let Some(index) = self.background_position(number) else {
            self.err(format!("bash: kill: {spec}: no such job"));
            return Outcome::Done(1);
        };
        let mut job = self.background.remove(index);
        let mut emit = Emit::new(world.now().wall_ms());
        if !job.signal(world, &mut emit) {
            end_client(world, &job);
        }
        self.emit(emit, job.stdout_file.clone());
        self.push(Stream::Stdout, format!("[{}]+  {:<24}{}", job.number, "Terminated", job.command));
        Outcome::Done(0)
    }

    /// Ctrl-D: end of input. Closes the console producer (after a flush).
    pub(crate) fn end_of_input(&mut self, world: &mut World) {
        let producer = matches!(self.foreground, Some(Job { kind: JobKind::Producer(_), .. }));
        match &mut self.foreground {
            Some(_) if producer => {
                self.push(Stream::Input, ">");
                let mut emit = Emit::new(world.now().wall_ms());
                if let Some(Job { kind: JobKind::Producer(p), .. }) = &mut self.foreground {
                    p.close(world, &mut emit);
                }
                self.finish_emit(world, emit, true);
                self.run_to_completion(world);
            }
            Some(_) => {}
            None if self.continuation.is_some() => {
                self.continuation = None;
                self.err("bash: syntax error: unexpected end of file");
            }
            None if self.ksql_cli.is_some() => {
                self.out("Exiting ksqlDB.");
                self.ksql_cli = None;
            }
            None => self.hint("(Ctrl-D would close a real terminal; this one stays open)"),
        }
    }

    /// Prints a job's lines, starts any follow-up Admin call, and ends the foreground job
    /// (and its client process) if it exited.
    fn finish_emit(&mut self, world: &mut World, mut emit: Emit, foreground: bool) {
        let mut exit = emit.exit;
        let follow_up = emit.start_admin.take();
        let file = self.foreground.as_ref().filter(|_| foreground).and_then(|j| j.stdout_file.clone());
        let unwritten = self.emit(emit, file);
        if !foreground {
            return;
        }
        if unwritten > 0 && exit.is_none() {
            if let Some(mut job) = self.foreground.take() {
                exit = self.stdout_failed(world, &mut job, unwritten);
                self.foreground = Some(job);
            }
        }
        if let (Some(call), Some(job)) = (follow_up, &mut self.foreground) {
            let bootstrap =
                job.client().and_then(|c| world.clients.get(&c)).map(|c| c.bootstrap_servers()).unwrap_or_default();
            job.set_client(start_admin_client(world, bootstrap, call));
        }
        if let Some(status) = exit {
            if let Some(job) = self.foreground.take() {
                end_client(world, &job);
            }
            self.job_finished(world, status);
        }
    }

    /// Starts an Admin client (`adminclient-1`: each tool run is a fresh JVM) for one call.
    pub(crate) fn start_admin(
        &mut self,
        world: &mut World,
        bootstrap_servers: Vec<String>,
        call: AdminCall,
    ) -> ClientId {
        start_admin_client(world, bootstrap_servers, call)
    }

    /// Runs the simulation, printing what jobs report, until `ready` holds or `until`.
    pub(crate) fn run_until(&mut self, world: &mut World, ready: impl Fn(&World) -> bool, until: crate::time::SimTime) {
        while !ready(world) && world.step_until(until) {
            self.pump(world);
        }
    }

    /// `ksim advance`: lets time pass while jobs keep printing.
    pub(crate) fn advance(&mut self, world: &mut World, ms: u64) {
        let until = world.now().plus_ms(ms);
        while world.step_until(until) {
            self.pump(world);
        }
        world.set_clock_at_least(until);
    }

    fn job_finished(&mut self, world: &mut World, status: i32) {
        self.last_status = status;
        if let Some((connector, rest)) = self.deferred.take() {
            self.run_items(world, connector, rest);
        }
    }

    /// Takes what the world reported since last time and hands it to the jobs.
    pub(crate) fn pump(&mut self, world: &mut World) {
        let logs = std::mem::take(&mut world.server_logs);
        for (node, line) in logs {
            let rendered = format!("{}\n", line.render());
            if self.vfs.append(SERVER_LOG, &rendered).is_err() {
                // Full: roll the file over, as log4j's rolling appender would.
                let _ = self.vfs.write(SERVER_LOG, &rendered);
            }
            self.dispatch(world, |job, emit| job.on_server_log(node, &line, emit));
        }
        let events = std::mem::take(&mut world.notifications);
        for (client, event) in events {
            if self.ksql_server.owns(client) {
                self.ksql_server.on_client_event(client, event);
                continue;
            }
            let Some(event) = self.ksql_job_event(world, client, event) else {
                continue;
            };
            let Some(event) = self.worker_event(world, client, event) else {
                continue;
            };
            let mut event = Some(event);
            self.dispatch_to_client(world, client, |job, emit| {
                if let Some(e) = event.take() {
                    job.on_client_event(e, emit);
                }
            });
        }
        // Perf tests send on their own schedule in simulated time; Streams apps log.
        if let Some(mut job) = self.foreground.take() {
            let mut emit = Emit::new(world.now().wall_ms());
            job.tick(world, &mut emit);
            self.foreground = Some(job);
            self.finish_emit(world, emit, true);
        }
        let mut jobs = std::mem::take(&mut self.background);
        for job in &mut jobs {
            let mut emit = Emit::new(world.now().wall_ms());
            job.tick(world, &mut emit);
            self.emit(emit, job.stdout_file.clone());
        }
        jobs.append(&mut self.background);
        self.background = jobs;
        self.tick_workers(world);
    }

    fn dispatch(&mut self, world: &mut World, mut f: impl FnMut(&mut Job, &mut Emit)) {
        if let Some(job) = &mut self.foreground {
            let mut emit = Emit::new(world.now().wall_ms());
            f(job, &mut emit);
            self.finish_emit(world, emit, true);
        }
        self.dispatch_background(world, |job, emit| f(job, emit));
    }

    fn dispatch_to_client(&mut self, world: &mut World, client: ClientId, mut f: impl FnMut(&mut Job, &mut Emit)) {
        if let Some(job) = self.foreground.as_mut().filter(|j| j.client() == Some(client)) {
            let mut emit = Emit::new(world.now().wall_ms());
            f(job, &mut emit);
            return self.finish_emit(world, emit, true);
        }
        self.dispatch_background(world, |job, emit| {
            if job.client() == Some(client) {
                f(job, emit);
            }
        });
    }

    fn dispatch_background(&mut self, world: &mut World, mut f: impl FnMut(&mut Job, &mut Emit)) {
        let mut jobs = std::mem::take(&mut self.background);
        let mut keep = Vec::new();
        let mut ended = Vec::new();
        let now_wall_ms = world.now().wall_ms();
        for mut job in jobs.drain(..) {
            let mut emit = Emit::new(now_wall_ms);
            f(&mut job, &mut emit);
            let mut exit = emit.exit;
            let unwritten = self.emit(emit, job.stdout_file.clone());
            if unwritten > 0 && exit.is_none() {
                exit = self.stdout_failed(world, &mut job, unwritten);
            }
            match exit {
                Some(status) => {
                    ended.push(job.client());
                    let state = if status == 0 { "Done".to_string() } else { format!("Exit {status}") };
                    self.push(Stream::Stdout, format!("[{}]+  {state:<24}{}", job.number, job.command));
                }
                None => keep.push(job),
            }
        }
        self.background = keep;
        for client in ended.into_iter().flatten() {
            world.poke_client(client, |c, ctx| c.close(ctx));
        }
    }

    /// Runs the simulation until the foreground job ends (bounded), as a terminal waits.
    fn run_to_completion(&mut self, world: &mut World) {
        let until = world.now().plus_ms(RUN_TO_COMPLETION_MAX_MS);
        while self.foreground.is_some() {
            if world.now() > until || !world.step_until(until) {
                break;
            }
            self.pump(world);
        }
    }

    fn run_items(&mut self, world: &mut World, mut previous: Connector, items: Vec<ListItem>) {
        let mut items = items.into_iter();
        while let Some(item) = items.next() {
            let skip = match previous {
                Connector::And => self.last_status != 0,
                Connector::Or => self.last_status == 0,
                Connector::Sequence | Connector::Background => false,
            };
            previous = item.connector;
            if skip {
                continue;
            }
            let background = item.connector == Connector::Background;
            if let Err(e) = self.run_command(world, &item, background) {
                self.err(format!("bash: {}", e.message));
                self.last_status = 1;
            }
            if self.foreground.is_some() {
                self.deferred = Some((previous, items.collect()));
                return;
            }
        }
    }

    fn run_command(&mut self, world: &mut World, item: &ListItem, background: bool) -> Result<(), ShellError> {
        let cmd = &item.command;
        let mut host = Host { console: self, world };
        let mut assignments = Vec::new();
        for (name, word) in &cmd.assignments {
            assignments.push((name.clone(), shell::expand_to_string(word, &mut host)?));
        }
        let argv = shell::expand_words(&cmd.words, &mut host)?;
        let mut stdout_file = None;
        let mut stdin = None;
        for r in &cmd.redirects {
            match (&r.kind, &r.target) {
                (shell::RedirectKind::Read, shell::RedirectTarget::File(w)) => {
                    let target = shell::expand_to_string(w, &mut Host { console: self, world })?;
                    let path = self.vfs.resolve(&target);
                    match self.vfs.read(&path) {
                        Ok(text) => stdin = Some(text.to_string()),
                        Err(e) => return Err(ShellError::new(format!("{path}: {}", e.kind.reason()))),
                    }
                }
                (kind, shell::RedirectTarget::File(w)) if r.fd == 1 => {
                    let target = shell::expand_to_string(w, &mut Host { console: self, world })?;
                    let path = self.vfs.resolve(&target);
                    let result = if *kind == shell::RedirectKind::Append && self.vfs.exists(&path) {
                        Ok(())
                    } else {
                        self.vfs.write(&path, "")
                    };
                    result.map_err(|e| ShellError::new(format!("{path}: {}", e.kind.reason())))?;
                    stdout_file = Some(path);
                }
                // Other descriptors (2>, 2>&1) keep going to the terminal here.
                _ => {}
            }
        }
        if argv.is_empty() {
            for (name, value) in assignments {
                self.vars.insert(name, value);
            }
            self.last_status = 0;
            return Ok(());
        }
        let saved = std::mem::replace(&mut self.stdout_file, stdout_file.clone());
        self.launching_background = background;
        let outcome = self.run_program(world, &argv, stdin.as_deref());
        self.launching_background = false;
        self.stdout_file = saved;
        match outcome {
            Outcome::Done(status) => self.last_status = status,
            Outcome::Job(kind) => {
                self.next_job_number += 1;
                let job = Job { number: self.next_job_number, command: argv.join(" "), kind, stdout_file };
                if background {
                    // bash prints the job number and a process id.
                    self.push(Stream::Stdout, format!("[{}] {}", job.number, 4200 + job.number));
                    self.background.push(job);
                    self.last_status = 0;
                } else {
                    let blocking = self.scripted || job.runs_to_completion() || !self.captures.is_empty();
                    self.foreground = Some(job);
                    if blocking && !matches!(self.foreground, Some(Job { kind: JobKind::Producer(_), .. })) {
                        self.run_to_completion(world);
                        if let Some(job) = self.foreground.take() {
                            // It did not finish in time: let it go on in the background.
                            self.hint(format!(
                                "({} is still running after {} s of simulated time; it goes on in the background)",
                                job.command,
                                RUN_TO_COMPLETION_MAX_MS / 1000
                            ));
                            self.background.push(job);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Finds what `argv[0]` names, as bash would, and runs it.
    fn run_program(&mut self, world: &mut World, argv: &[String], stdin: Option<&str>) -> Outcome {
        let name = argv[0].as_str();
        let args = &argv[1..];
        if name == "ksim" {
            return control::run(self, world, args);
        }
        if name == "ksql" {
            return ksql::run(self, world, args);
        }
        if name == "help" {
            self.print_help();
            return Outcome::Done(0);
        }
        if name == "kill" && args.first().is_some_and(|a| a.starts_with('%')) {
            return self.kill_job(world, args);
        }
        if name == "curl" {
            return curl::run(self, world, args);
        }
        if name == "jobs" {
            let lines: Vec<String> = self
                .background
                .iter()
                .map(|j| format!("[{}]   Running                 {} &", j.number, j.command))
                .collect();
            for l in lines {
                self.out(l);
            }
            return Outcome::Done(0);
        }
        if let Some(result) = builtins::run_builtin(name, args, stdin, &mut self.vfs, &mut self.vars) {
            if result.stdout.contains('\u{c}') {
                self.output.clear();
            } else {
                for line in result.stdout.lines() {
                    self.out(line.to_string());
                }
            }
            for line in result.stderr.lines() {
                self.err(line.to_string());
            }
            return Outcome::Done(result.status);
        }
        let Some(script) = self.locate_script(name) else {
            return Outcome::Done(127);
        };
        match script.as_str() {
            "kafka-storage.sh" => storage::run(self, world, args),
            "kafka-server-start.sh" => server_start::run(self, world, args),
            "kafka-topics.sh" => topics::run(self, world, args),
            "kafka-console-producer.sh" => console_producer::run(self, world, args),
            "kafka-console-consumer.sh" => console_consumer::run(self, world, args),
            "kafka-metadata-quorum.sh" => metadata_quorum::run(self, world, args),
            "kafka-dump-log.sh" => dump_log::run(self, world, args),
            "kafka-configs.sh" => configs::run(self, world, args),
            "kafka-get-offsets.sh" => get_offsets::run(self, world, args),
            "kafka-leader-election.sh" => leader_election::run(self, world, args),
            "kafka-delete-records.sh" => delete_records::run(self, world, args),
            "kafka-log-dirs.sh" => log_dirs::run(self, world, args),
            "kafka-reassign-partitions.sh" => reassign_partitions::run(self, world, args),
            "kafka-producer-perf-test.sh" => producer_perf_test::run(self, world, args),
            "kafka-consumer-perf-test.sh" => consumer_perf_test::run(self, world, args),
            "kafka-consumer-groups.sh" => consumer_groups::run(self, world, args),
            "kafka-run-class.sh" => streams_demo::run(self, world, args),
            "connect-standalone.sh" => connect::run(self, world, args),
            other => {
                self.err(format!("{other}: this tool is not simulated yet in Kafka Playground."));
                self.hint("Simulated so far: kafka-storage.sh, kafka-server-start.sh, kafka-topics.sh, kafka-console-producer.sh, kafka-console-consumer.sh, and ksim (type help).");
                Outcome::Done(1)
            }
        }
    }

    /// Resolves a command name to one of Kafka's scripts, printing bash's error if none.
    fn locate_script(&mut self, name: &str) -> Option<String> {
        let path = if name.contains('/') {
            let path = self.vfs.resolve(name);
            if !self.vfs.is_file(&path) {
                self.err(format!("bash: {name}: No such file or directory"));
                if name.starts_with("bin/") && self.vfs.cwd() != KAFKA_HOME {
                    self.hint(format!("Kafka's scripts are in {KAFKA_HOME}/bin; try: cd {KAFKA_HOME}"));
                }
                return None;
            }
            path
        } else {
            let dirs = self.vars.get("PATH").cloned().unwrap_or_default();
            let found = dirs.split(':').map(|d| format!("{d}/{name}")).find(|p| self.vfs.is_file(p));
            let Some(path) = found else {
                self.err(format!("bash: {name}: command not found"));
                if self.vfs.is_file(&format!("{KAFKA_HOME}/bin/{name}.sh")) {
                    self.hint(format!("Kafka's tools end in .sh: try {name}.sh"));
                }
                return None;
            };
            path
        };
        let base = path.rsplit('/').next().unwrap_or_default().to_string();
        if !path.starts_with(&format!("{KAFKA_HOME}/bin/")) {
            self.err(format!("bash: {name}: Permission denied"));
            return None;
        }
        Some(base)
    }

    fn print_help(&mut self) {
        for line in HELP.lines() {
            self.out(line.to_string());
        }
    }

    /// Runs `$(...)`: the command's stdout becomes the substitution's value.
    fn capture(&mut self, world: &mut World, script: &Script) -> Result<String, ShellError> {
        if self.captures.len() >= CAPTURE_DEPTH_MAX {
            return Err(ShellError::new("command substitution nested too deeply"));
        }
        self.captures.push(String::new());
        self.run_items(world, Connector::Sequence, script.items.clone());
        if self.foreground.is_some() {
            // An interactive tool inside $(...) would wait forever for input: stop it.
            self.interrupt(world);
        }
        Ok(self.captures.pop().unwrap_or_default())
    }
}

fn start_admin_client(world: &mut World, bootstrap_servers: Vec<String>, call: AdminCall) -> ClientId {
    let client_id = "adminclient-1".to_string();
    world.start_client(|_| Client {
        role: ClientRole::Admin(Box::new(Admin::new(bootstrap_servers, &client_id, call))),
        client_id,
        alive: true,
    })
}

/// A tool that exits takes its client processes with it.
fn end_client(world: &mut World, job: &Job) {
    for client in job.clients() {
        world.poke_client(client, |c, ctx| c.close(ctx));
    }
}

/// The console's view for expanding words: variables and command substitution.
struct Host<'a> {
    console: &'a mut Console,
    world: &'a mut World,
}

impl ShellHost for Host<'_> {
    fn var(&self, name: &str) -> Option<String> {
        if name == "?" {
            return Some(self.console.last_status.to_string());
        }
        self.console.vars.get(name).cloned()
    }

    fn capture(&mut self, script: &Script) -> Result<String, ShellError> {
        self.console.capture(self.world, script)
    }

    fn glob(&mut self, pattern: &str) -> Vec<String> {
        self.console.vfs.glob(pattern)
    }
}

/// Lines that start like a shell command (a Kafka script, `ksim`, a builtin) end an
/// interactive tool instead of being read as its input.
fn looks_like_command(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or_default();
    let base = first.rsplit('/').next().unwrap_or_default();
    (base.starts_with("kafka-") && base.ends_with(".sh"))
        || base == "connect-standalone.sh"
        || base == "curl"
        || base == "ksim"
        || base == "ksql"
        || first.contains('=')
            && first.starts_with(char::is_alphabetic)
            && first.split('=').next().is_some_and(shell::is_valid_name)
}

const HELP: &str = "Kafka Playground console: a simulated machine with Kafka 4.0 in /opt/kafka.

Kafka tools (run them as bin/NAME.sh from /opt/kafka, or by name; each takes --help):
  kafka-storage.sh random-uuid | format    kafka-server-start.sh CONFIG
  kafka-topics.sh                          kafka-configs.sh
  kafka-console-producer.sh                kafka-console-consumer.sh
  kafka-get-offsets.sh                     kafka-leader-election.sh
  kafka-reassign-partitions.sh             kafka-delete-records.sh
  kafka-log-dirs.sh                        kafka-metadata-quorum.sh
  kafka-producer-perf-test.sh              kafka-consumer-perf-test.sh
  kafka-consumer-groups.sh                 kafka-dump-log.sh --files SEGMENT
  connect-standalone.sh WORKER CONNECTOR...  Kafka Connect (then: curl localhost:8083/connectors)
  kafka-run-class.sh org.apache.kafka.streams.examples.wordcount.WordCountDemo  (Kafka Streams;
      also ….pipe.PipeDemo and ….linesplit.LineSplit: streams-plaintext-input → streams-*-output)

ksqlDB: ksql http://localhost:8088 opens the ksql> prompt (a simulated server, up while a
broker runs); statements end with ; and exit leaves.

Shell: VAR=value, $VAR, $(command), quotes, \\ line continuations, ; && || &,
> file redirections, and echo cat more ls cd pwd mkdir rm touch head tail wc env export clear
jobs kill curl.

Playground control (not Kafka):
  ksim start-cluster --brokers N --controllers M   a formatted, started KRaft cluster
  ksim kill NODE | ksim restart NODE               crash a server (its disk survives)
  ksim partition A,B | C | ksim partition A -> B   cut the network (-> one way); ksim heal
  ksim latency MS         slow every message down to watch it travel
  ksim advance DURATION   let simulated time pass (250ms, 10s, 2m)
  ksim status             servers, topics and clients at a glance
  ksim check              the safety invariants, checked after every event
  ksim seed               show this session's seed
  ksim stall %N 6m        background consumer N stops calling poll() (a slow handler)
  ksim crash %N           background job N dies at once: no commit, no LeaveGroup

Simplified here: one machine; a coordinator that takes over a group keeps its committed
offsets but not its members (they rejoin); no transactions; no Raft snapshots; Kafka
Connect runs standalone with one task per connector, in the background once started
(MedicalDeviceSource and TableSink are the playground's own connectors).

The lesson's workflow: KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid), then format,
start the server, create a topic, produce and consume.";

pub(crate) fn control_status(world: &World) -> Vec<String> {
    control::status_lines(&crate::session::view_of(world, 0))
}

impl Console {
    /// A rough size in bytes of what a clone holds on its own that grows with history (the
    /// files written since the last clone, the output's chunk pointers and open chunk; the
    /// full chunks and the other files are shared), for the session's bound on checkpoint
    /// memory. Read before cloning.
    pub(crate) fn approx_bytes(&self) -> usize {
        self.vfs.unshared_bytes() + self.output.clone_bytes()
    }
}
