//! Kafka Connect in standalone mode: `connect-standalone.sh worker.properties
//! connector.properties…` (`ConnectStandalone`, `AbstractConnectCli`, `Connect`).
//!
//! The worker is a console job: it owns a producer client per source task and a consumer
//! client per sink task in the world, and bridges them to the console's files. Its
//! start-up prints Connect's main log lines; once its connectors have copied what there
//! was to copy, the prompt comes back and the worker keeps running in the background (as
//! servers do in the playground; `kill %N` stops it), logging to `logs/connect.log`.
//! Its REST API (port 8083) answers the console's `curl` (`rest`).

pub(crate) mod config;
pub(crate) mod converter;
pub(crate) mod rest;
pub(crate) mod tasks;
pub(crate) mod worker;

use super::job::{Emit, Job, JobKind};
use super::vfs::parse_properties;
use super::{Console, Outcome};
use crate::ids::ClientId;
use crate::json::{self, Json};
use crate::node::{ClientEvent, Level};
use crate::rng::SimRng;
use crate::time::format_log_timestamp;
use crate::world::World;
use config::{ConnectorConfig, WorkerConfig};
use worker::{WorkerJob, CONNECT_LOG, WORKER_HOST};

const USAGE: &str = "ConnectStandalone worker.properties [connector1.properties connector2.json ...]";

/// A log4j line printed (and kept in `connect.log`) before the worker job exists.
fn log(con: &mut Console, world: &World, level: &str, text: &str) {
    let line = format!("{} {level} {text}", format_log_timestamp(world.now().wall_ms()));
    let _ = con.vfs.append(CONNECT_LOG, &format!("{line}\n"));
    if level == "INFO" {
        con.out(line);
    } else {
        con.err(line);
    }
}

/// `AbstractConnectCli.run` catching an error: `Stopping due to error`, exit 2.
fn stopping_due_to_error(con: &mut Console, world: &World, exception: &str) -> Outcome {
    log(con, world, "ERROR", "Stopping due to error (org.apache.kafka.connect.cli.ConnectStandalone)");
    con.err(exception.to_string());
    Outcome::Done(2)
}

/// A connector file as `parseConnectorConfigurationFile` reads it: a JSON map of strings,
/// a `{"name":…,"config":{…}}` request, or a properties file.
fn read_connector_file(text: &str, path: &str) -> Result<Vec<(String, String)>, String> {
    let missing_name = || {
        format!("org.apache.kafka.connect.errors.ConnectException: Connector configuration at '{path}' is missing the mandatory 'name' configuration")
    };
    if let Some(Json::Object(fields)) = json::parse(text) {
        let strings = |fields: &[(String, Json)]| -> Option<Vec<(String, String)>> {
            fields.iter().map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect()
        };
        if let Some(map) = strings(&fields) {
            return if map.iter().any(|(k, _)| k == "name") { Ok(map) } else { Err(missing_name()) };
        }
        if let (Some(Json::Text(name)), Some(Json::Object(config))) = (
            fields.iter().find(|(k, _)| k == "name").map(|(_, v)| v),
            fields.iter().find(|(k, _)| k == "config").map(|(_, v)| v),
        ) {
            let mut map = strings(config).unwrap_or_default();
            match map.iter().find(|(k, _)| k == "name") {
                Some((_, n)) if n != name => return Err(format!("org.apache.kafka.connect.errors.ConnectException: Connector name configuration in 'config' doesn't match the one specified in 'name' at '{path}'")),
                Some(_) => {}
                None => map.push(("name".to_string(), name.clone())),
            }
            return Ok(map);
        }
    }
    let props = parse_properties(text);
    if props.iter().any(|(k, _)| k == "name") {
        Ok(props)
    } else {
        Err(missing_name())
    }
}

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let args: Vec<&String> = args.iter().filter(|a| *a != "-daemon").collect();
    let Some(worker_path) = args.first() else {
        log(con, world, "INFO", &format!("Usage: {USAGE} (org.apache.kafka.connect.cli.ConnectStandalone)"));
        return Outcome::Done(1);
    };
    if args.iter().any(|a| *a == "--help") {
        log(con, world, "INFO", &format!("Usage: {USAGE} (org.apache.kafka.connect.cli.ConnectStandalone)"));
        return Outcome::Done(1);
    }
    let worker_file = con.vfs.resolve(worker_path);
    let Ok(text) = con.vfs.read(&worker_file).map(str::to_string) else {
        return stopping_due_to_error(con, world, &format!("java.nio.file.NoSuchFileException: {worker_path}"));
    };
    log(con, world, "INFO", "Kafka Connect worker initializing ... (org.apache.kafka.connect.cli.ConnectStandalone)");
    log(
        con,
        world,
        "INFO",
        "Scanning for plugin classes. This might take a moment ... (org.apache.kafka.connect.cli.ConnectStandalone)",
    );
    let config = match WorkerConfig::from_properties(&parse_properties(&text)) {
        Ok(c) => c,
        Err(message) => {
            return stopping_due_to_error(
                con,
                world,
                &format!("org.apache.kafka.common.config.ConfigException: {message}"),
            )
        }
    };
    let port = config.rest_port;
    if con.connect_workers().any(|w| w.config.rest_port == port) || world_port_taken(world, port) {
        return stopping_due_to_error(con, world, &format!("org.apache.kafka.connect.errors.ConnectException: Unable to initialize REST server\njava.io.IOException: Failed to bind to 0.0.0.0/0.0.0.0:{port}\njava.net.BindException: Address already in use"));
    }
    log(con, world, "INFO", &format!("REST server listening at http://{WORKER_HOST}:{port}/, advertising URL http://{WORKER_HOST}:{port}/ (org.apache.kafka.connect.runtime.rest.RestServer)"));
    log(
        con,
        world,
        "INFO",
        "Kafka Connect worker initialization took 0ms (org.apache.kafka.connect.cli.ConnectStandalone)",
    );
    let cwd = con.vfs.cwd().to_string();
    let offsets_file = con.vfs.resolve(&tasks::resolve(&cwd, &config.offset_storage_file_filename));
    let stored = con.vfs.read(&offsets_file).map(str::to_string).unwrap_or_default();
    let rng = SimRng::for_stream(con.rng.next_u64(), 0);
    let mut worker = WorkerJob::new(config, &cwd, &stored, rng, world.now());
    log(con, world, "INFO", "Kafka Connect started (org.apache.kafka.connect.runtime.Connect)");
    let mut emit = Emit::new(world.now().wall_ms());
    let mut failed = None;
    for path in args.iter().skip(1) {
        let file = con.vfs.resolve(path);
        let props = match con.vfs.read(&file) {
            Ok(text) => read_connector_file(text, path),
            Err(_) => Err(format!("java.nio.file.NoSuchFileException: {path}")),
        };
        let props = match props {
            Ok(p) => p,
            Err(e) => {
                failed = Some(e);
                break;
            }
        };
        let name = props.iter().rev().find(|(k, _)| k == "name").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        if worker.find(&name).is_some() {
            worker.log(
                &mut emit,
                "ERROR",
                &format!("Failed to create connector for {path} (org.apache.kafka.connect.cli.ConnectStandalone)"),
            );
            failed = Some(format!("java.util.concurrent.ExecutionException: org.apache.kafka.connect.errors.AlreadyExistsException: Connector {name} already exists"));
            break;
        }
        match ConnectorConfig::validate(&worker.config, props) {
            Ok(connector) => {
                worker.create(world, connector, &mut emit);
                worker.log(
                    &mut emit,
                    "INFO",
                    &format!("Created connector {name} (org.apache.kafka.connect.cli.ConnectStandalone)"),
                );
            }
            Err(e) => {
                worker.log(
                    &mut emit,
                    "ERROR",
                    &format!("Failed to create connector for {path} (org.apache.kafka.connect.cli.ConnectStandalone)"),
                );
                failed = Some(format!("java.util.concurrent.ExecutionException: {}: {}", e.exception, e.message));
                break;
            }
        }
    }
    if let Some(exception) = failed {
        worker.log(
            &mut emit,
            "ERROR",
            "Stopping after connector error (org.apache.kafka.connect.cli.ConnectStandalone)",
        );
        for line in exception.lines() {
            emit.err(line.to_string());
        }
        worker.stop(world, &mut emit);
        con.emit(emit, None);
        return Outcome::Done(3);
    }
    con.emit(emit, None);
    Outcome::Job(JobKind::Connect(Box::new(worker)))
}

/// Whether a server of the world listens on `port` (Connect cannot bind it then).
fn world_port_taken(world: &World, port: u16) -> bool {
    world.servers.values().any(|s| s.running && s.config.listeners.iter().any(|l| l.port == port))
}

impl Console {
    /// Every running worker, for the `ksim status` line and the page.
    pub(crate) fn connect_workers(&self) -> impl Iterator<Item = &WorkerJob> {
        self.foreground.iter().chain(self.background.iter()).filter_map(|j| match &j.kind {
            JobKind::Connect(w) => Some(w.as_ref()),
            _ => None,
        })
    }

    /// Lets each worker's tasks act (sources poll, sinks put, offsets flush), prints what
    /// they log, and gives the prompt back once a starting worker has settled.
    pub(crate) fn tick_workers(&mut self, world: &mut World) {
        let now_wall_ms = world.now().wall_ms();
        let mut emits = Vec::new();
        for job in self.foreground.iter_mut().chain(self.background.iter_mut()) {
            if let JobKind::Connect(w) = &mut job.kind {
                let mut emit = Emit::new(now_wall_ms);
                w.tick(world, &self.vfs, &mut emit);
                emits.push((emit, job.stdout_file.clone()));
            }
        }
        for (emit, file) in emits {
            self.emit(emit, file);
        }
        let settled = matches!(&self.foreground, Some(Job { kind: JobKind::Connect(w), .. }) if w.settled(world.now()));
        if settled {
            if let Some(mut job) = self.foreground.take() {
                if let JobKind::Connect(w) = &mut job.kind {
                    w.detached = true;
                }
                self.hint(format!(
                    "(connect-standalone.sh goes on running in the background as job [{}], as Kafka's servers do in the playground: its log continues in logs/connect.log; its REST API answers curl on port {}; kill %{} stops it)",
                    job.number,
                    self.connect_port(&job),
                    job.number
                ));
                self.background.push(job);
                self.job_finished(world, 0);
            }
        }
    }

    /// Hands a worker's client event to its worker; other clients' events come back.
    pub(crate) fn worker_event(
        &mut self,
        world: &mut World,
        client: ClientId,
        event: ClientEvent,
    ) -> Option<ClientEvent> {
        let owner = self
            .foreground
            .iter_mut()
            .chain(self.background.iter_mut())
            .find(|j| matches!(&j.kind, JobKind::Connect(w) if w.owns(client)));
        let Some(job) = owner else {
            return Some(event);
        };
        let JobKind::Connect(w) = &mut job.kind else {
            return Some(event);
        };
        let mut emit = Emit::new(world.now().wall_ms());
        match event {
            ClientEvent::Log(line) => match line.level {
                Level::Info => {}
                Level::Warn => w.log(&mut emit, "WARN", &line.text),
                Level::Error => w.log(&mut emit, "ERROR", &line.text),
            },
            other => w.on_client_event(world, client, other, &mut emit),
        }
        let file = job.stdout_file.clone();
        self.emit(emit, file);
        None
    }

    /// Sends a request to the worker whose REST server listens on `port`; None when no
    /// worker does.
    pub(crate) fn connect_rest(&mut self, world: &mut World, port: u16, req: &rest::Request) -> Option<rest::Response> {
        let vfs = &self.vfs;
        let worker = self.foreground.iter_mut().chain(self.background.iter_mut()).find_map(|j| match &mut j.kind {
            JobKind::Connect(w) if w.config.rest_port == port => Some(w.as_mut()),
            _ => None,
        })?;
        let mut emit = Emit::new(world.now().wall_ms());
        let response = rest::handle(worker, world, vfs, req, &mut emit);
        self.emit(emit, None);
        Some(response)
    }

    fn connect_port(&self, job: &Job) -> u16 {
        match &job.kind {
            JobKind::Connect(w) => w.config.rest_port,
            _ => 0,
        }
    }
}

impl Console {
    /// The page's view of every running worker's connectors.
    pub(crate) fn connector_views(&self) -> Vec<crate::view::ConnectorView> {
        self.connect_workers().flat_map(WorkerJob::views).collect()
    }

    /// A file's text, a relative path taken from Kafka's install directory (exercise checks).
    pub(crate) fn file(&self, path: &str) -> Option<&str> {
        let path = if path.starts_with('/') { path.to_string() } else { format!("{}/{path}", super::KAFKA_HOME) };
        self.vfs.read(&path).ok()
    }
}

/// `ksim status`'s lines for the running workers.
pub(crate) fn status_lines(workers: Vec<&WorkerJob>) -> Vec<String> {
    let mut lines = Vec::new();
    for w in workers {
        for c in &w.connectors {
            let offset = w.source_offset(c).map_or(String::new(), |o| format!(", source offset {o}"));
            lines.push(format!(
                "Connect {}:{}: {} ({}) {} task {}{offset}",
                WORKER_HOST,
                w.config.rest_port,
                c.name(),
                c.config.plugin.kind(),
                c.target.name(),
                c.task_state.name()
            ));
            if let Some((table, rows)) = WorkerJob::table(c) {
                lines.push(format!("  table {table}: {} row(s)", rows.len()));
                for (key, columns) in rows {
                    let columns: Vec<String> = columns.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    lines.push(format!("    {key}: {}", columns.join(", ")));
                }
            }
        }
    }
    lines
}
