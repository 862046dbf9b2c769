//! The standalone worker (`StandaloneHerder` over a `Worker`): its connectors and their
//! one task each, the file-backed offset store (`FileOffsetBackingStore`, flushed every
//! `offset.flush.interval.ms` and when a task stops), target states (running, paused,
//! stopped), failures, and its log (`logs/connect.log`, and the terminal while
//! `connect-standalone.sh` is still starting).

use super::config::{ConnectorConfig, WorkerConfig};
use super::tasks::{Put, Rows, SinkKind, SinkTask, SourceKind, SourceTask, TaskState};
use crate::client::consumer::{Consumer, ConsumerConfig, ConsumerEvent, GroupConfig, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerEvent};
use crate::client::{Client, ClientRole};
use crate::console::job::Emit;
use crate::console::vfs::Vfs;
use crate::ids::ClientId;
use crate::node::{ClientEvent, Timer};
use crate::rng::SimRng;
use crate::time::{format_log_timestamp, SimTime};
use crate::vec_map::VecMap;
use crate::world::World;

/// Where the worker's log4j file appender writes.
pub(crate) const CONNECT_LOG: &str = "/opt/kafka/logs/connect.log";
/// `connect-standalone.sh` gives the prompt back once its connectors have copied what
/// there was to copy: nothing moved for this long.
/// Shorter than the sources' 1 s polls, so steady streams settle too.
pub(crate) const STARTUP_QUIET_MS: u64 = 500;
/// ... or after this long, whatever the connectors are doing.
pub(crate) const STARTUP_WAIT_MAX_MS: u64 = 30_000;
/// The REST server's advertised host (a Debian machine's hostname resolves to it).
pub(crate) const WORKER_HOST: &str = "127.0.1.1";

/// A connector's target state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TargetState {
    Running,
    Paused,
    Stopped,
}

impl TargetState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            TargetState::Running => "RUNNING",
            TargetState::Paused => "PAUSED",
            TargetState::Stopped => "STOPPED",
        }
    }
}

#[derive(Clone)]
pub(crate) enum Task {
    Source(SourceTask),
    Sink(SinkTask),
}

#[derive(Clone)]
pub(crate) struct ConnectorRun {
    pub(crate) config: ConnectorConfig,
    pub(crate) target: TargetState,
    /// The connector's one task (`tasks.max` is read but one task copies everything);
    /// None once stopped.
    pub(crate) task: Option<Task>,
    pub(crate) task_state: TaskState,
}

impl ConnectorRun {
    pub(crate) fn name(&self) -> &str {
        &self.config.name
    }

    /// `WorkerSourceTask{id=local-file-source-0}`, as the task's log lines start.
    fn task_tag(&self) -> String {
        let kind = if self.config.plugin.is_source() { "WorkerSourceTask" } else { "WorkerSinkTask" };
        format!("{kind}{{id={}-0}}", self.config.name)
    }

    fn clients(&self) -> Vec<ClientId> {
        match &self.task {
            Some(Task::Source(t)) => vec![t.client],
            Some(Task::Sink(t)) => t.client.into_iter().collect(),
            None => Vec::new(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct WorkerJob {
    pub(crate) config: WorkerConfig,
    /// The directory the worker was started in; relative file names resolve from it.
    cwd: String,
    /// Connectors in creation order.
    pub(crate) connectors: Vec<ConnectorRun>,
    /// The offset store: (connector, source partition JSON) → (offset JSON, offset).
    pub(crate) offsets: VecMap<(String, String), (String, u64)>,
    offsets_dirty: bool,
    offsets_path: String,
    next_flush: SimTime,
    started_at: SimTime,
    last_activity: SimTime,
    /// The start-up is over: the worker runs in the background and logs only to its file.
    pub(crate) detached: bool,
    /// Seeds each task's own stream (medical readings).
    rng: SimRng,
}

impl WorkerJob {
    pub(crate) fn new(config: WorkerConfig, cwd: &str, stored_offsets: &str, rng: SimRng, now: SimTime) -> WorkerJob {
        let offsets_path = super::tasks::resolve(cwd, &config.offset_storage_file_filename);
        WorkerJob {
            next_flush: now.plus_ms(config.offset_flush_interval_ms),
            config,
            cwd: cwd.to_string(),
            connectors: Vec::new(),
            offsets: parse_offsets(stored_offsets),
            offsets_dirty: false,
            offsets_path,
            started_at: now,
            last_activity: now,
            detached: false,
            rng,
        }
    }

    pub(crate) fn clients(&self) -> Vec<ClientId> {
        self.connectors.iter().flat_map(ConnectorRun::clients).collect()
    }

    pub(crate) fn owns(&self, client: ClientId) -> bool {
        self.connectors.iter().any(|c| c.clients().contains(&client))
    }

    pub(crate) fn find(&self, name: &str) -> Option<&ConnectorRun> {
        self.connectors.iter().find(|c| c.name() == name)
    }

    /// A log4j line: to `connect.log`, and to the terminal until the worker detached.
    pub(crate) fn log(&self, emit: &mut Emit, level: &str, text: &str) {
        let line = format!("{} {level} {text}", format_log_timestamp(emit.now_wall_ms));
        emit.append_file(CONNECT_LOG, format!("{line}\n"));
        if !self.detached {
            emit.out(line);
        }
    }

    /// `Worker.startConnector` and `startTask`: the connector comes up with its task.
    pub(crate) fn create(&mut self, world: &mut World, config: ConnectorConfig, emit: &mut Emit) {
        let name = config.name.clone();
        self.log(
            emit,
            "INFO",
            &format!("Instantiated connector {name} with version 4.0.0 of type class {} (org.apache.kafka.connect.runtime.Worker)", config.plugin.class()),
        );
        self.log(
            emit,
            "INFO",
            &format!("Finished creating connector {name} (org.apache.kafka.connect.runtime.Worker)"),
        );
        self.connectors.push(ConnectorRun {
            config,
            target: TargetState::Running,
            task: None,
            task_state: TaskState::Running,
        });
        let index = self.connectors.len() - 1;
        self.start_task(world, index, emit);
    }

    /// Starts connector `index`'s task with a fresh client.
    fn start_task(&mut self, world: &mut World, index: usize, emit: &mut Emit) {
        let now = world.now();
        let seed = self.rng.next_u64();
        let Some(run) = self.connectors.get(index) else {
            return;
        };
        let config = run.config.clone();
        let tag = run.task_tag();
        let task_id = format!("{}-0", config.name);
        self.log(emit, "INFO", &format!("Creating task {task_id} (org.apache.kafka.connect.runtime.Worker)"));
        self.log(
            emit,
            "INFO",
            &format!(
                "Instantiated task {task_id} with version 4.0.0 of type {} (org.apache.kafka.connect.runtime.Worker)",
                config.plugin.task_class()
            ),
        );
        let task = if config.plugin.is_source() {
            let client = start_producer(world, &self.config, &config.name);
            Task::Source(SourceTask::new(&config, client, &self.cwd, SimRng::for_stream(seed, 0), now))
        } else {
            let mut sink = SinkTask::new(&config, &self.cwd);
            sink.client = Some(start_consumer(world, &self.config, &config.name, &sink.topic));
            Task::Sink(sink)
        };
        let phase = if config.plugin.is_source() { "Source" } else { "Sink" };
        let class = if config.plugin.is_source() { "AbstractWorkerSourceTask" } else { "WorkerSinkTask" };
        self.log(
            emit,
            "INFO",
            &format!("{tag} {phase} task finished initialization and start (org.apache.kafka.connect.runtime.{class})"),
        );
        if let Some(run) = self.connectors.get_mut(index) {
            run.task = Some(task);
            run.task_state = TaskState::Running;
        }
        self.last_activity = now;
    }

    /// Stops connector `index`'s task: a source's acknowledged offsets are committed, a
    /// sink's consumer commits and leaves its group.
    fn stop_task(&mut self, world: &mut World, index: usize, emit: &mut Emit) {
        let Some(run) = self.connectors.get_mut(index) else {
            return;
        };
        match run.task.take() {
            Some(Task::Source(t)) => world.poke_client(t.client, |c, ctx| c.close(ctx)),
            Some(Task::Sink(t)) => {
                if let Some(client) = t.client {
                    world.poke_client(client, |c, ctx| c.close(ctx));
                }
            }
            None => {}
        }
        self.flush_offsets(emit);
    }

    /// A task died: its client goes (without committing), the REST API shows the trace.
    fn fail_task(&mut self, world: &mut World, index: usize, trace: String, emit: &mut Emit) {
        let Some(run) = self.connectors.get_mut(index) else {
            return;
        };
        for client in run.clients() {
            world.poke_client(client, |c, ctx| {
                c.alive = match &mut c.role {
                    ClientRole::Consumer(consumer) => consumer.close_without_commit(ctx),
                    _ => false,
                }
            });
        }
        if let Some(Task::Sink(t)) = &mut run.task {
            t.client = None;
        }
        run.task_state = TaskState::Failed(trace.clone());
        let tag = run.task_tag();
        self.log(emit, "ERROR", &format!("{tag} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted (org.apache.kafka.connect.runtime.WorkerTask)"));
        emit.append_file(CONNECT_LOG, format!("{}\n", trace.lines().next().unwrap_or_default()));
        if !self.detached {
            emit.err(trace.lines().next().unwrap_or_default().to_string());
        }
    }

    /// What a task's client reported.
    pub(crate) fn on_client_event(&mut self, world: &mut World, client: ClientId, event: ClientEvent, emit: &mut Emit) {
        let Some(index) = self.connectors.iter().position(|c| c.clients().contains(&client)) else {
            return;
        };
        let now = world.now();
        let mut failure = None;
        if let (Some(run), event) = (self.connectors.get_mut(index), event) {
            let name = run.config.name.clone();
            match (&mut run.task, event) {
                (Some(Task::Source(t)), ClientEvent::Producer(ProducerEvent::Acked { id, .. })) => {
                    if let Some(offset) = t.in_flight.remove(&id) {
                        let key = (name, t.partition_json());
                        let value = (t.offset_json(offset), offset);
                        if self.offsets.get(&key).is_none_or(|(_, o)| *o < offset) {
                            self.offsets.insert(key, value);
                            self.offsets_dirty = true;
                        }
                        self.last_activity = now;
                    }
                }
                (Some(Task::Source(_)), ClientEvent::Producer(ProducerEvent::Failed { error, .. })) => {
                    failure = Some(format!("org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer send callback\nCaused by: {error}"));
                }
                (Some(Task::Sink(t)), ClientEvent::Consumer(ConsumerEvent::Records(records))) => {
                    t.pending.extend(records);
                    self.last_activity = now;
                }
                (Some(Task::Sink(t)), ClientEvent::Consumer(ConsumerEvent::Assigned(_))) => {
                    t.assigned = true;
                    self.last_activity = now;
                }
                (Some(Task::Sink(_)), ClientEvent::Consumer(ConsumerEvent::Fatal(e))) => {
                    failure = Some(e.to_string());
                }
                _ => {}
            }
        }
        if let Some(trace) = failure {
            self.fail_task(world, index, trace, emit);
        }
    }

    /// Simulated time moved: sources poll, sinks put, offsets flush when due.
    pub(crate) fn tick(&mut self, world: &mut World, vfs: &Vfs, emit: &mut Emit) {
        let now = world.now();
        for index in 0..self.connectors.len() {
            let running = self
                .connectors
                .get(index)
                .is_some_and(|c| c.target == TargetState::Running && c.task_state == TaskState::Running);
            if running {
                self.tick_task(world, vfs, index, emit);
            }
        }
        if now >= self.next_flush {
            self.flush_offsets(emit);
            self.next_flush = now.plus_ms(self.config.offset_flush_interval_ms);
        }
    }

    fn tick_task(&mut self, world: &mut World, vfs: &Vfs, index: usize, emit: &mut Emit) {
        let now = world.now();
        let Some(run) = self.connectors.get_mut(index) else {
            return;
        };
        let name = run.config.name.clone();
        let mut failure = None;
        match &mut run.task {
            Some(Task::Source(t)) => {
                let stored = self.offsets.get(&(name, t.partition_json())).map(|(_, o)| *o);
                let mut log = Vec::new();
                let records = t.poll(vfs, stored, now, &mut log);
                // One wake-up per poll: every event ticks the worker, and a timer set on
                // each tick would multiply.
                let wake = (t.next_poll > now && t.armed != Some(t.next_poll)).then_some(t.next_poll);
                t.armed = wake.or(t.armed);
                let (client, topic) = (t.client, t.topic.clone());
                let mut sent = Vec::new();
                let key_converter = run.config.key_converter.clone();
                let value_converter = run.config.value_converter.clone();
                if records.is_empty() && wake.is_none() && log.is_empty() {
                    return;
                }
                world.poke_client(client, |c, ctx| {
                    if let ClientRole::Producer(p) = &mut c.role {
                        for r in &records {
                            let id = p.send(
                                topic.clone(),
                                key_converter.to_bytes(&r.key),
                                value_converter.to_bytes(&r.value),
                                ctx,
                            );
                            sent.push((id, r.offset));
                        }
                        if let Some(wake) = wake {
                            // Any event at the wake-up lets the console tick the worker again.
                            ctx.timer(wake.0 - now.0, Timer::Linger);
                        }
                    }
                });
                if !sent.is_empty() {
                    self.last_activity = now;
                }
                t.sent += sent.len() as u64;
                t.in_flight.extend(sent);
                for (warn, text) in log {
                    let level = if warn { "WARN" } else { "INFO" };
                    let line = format!("{} {level} {text}", format_log_timestamp(emit.now_wall_ms));
                    emit.append_file(CONNECT_LOG, format!("{line}\n"));
                    if !self.detached {
                        emit.out(line);
                    }
                }
            }
            Some(Task::Sink(t)) => match t.put(&run.config, vfs) {
                Ok(Put::Append(path, text)) => {
                    emit.append_file(&path, text);
                    self.last_activity = now;
                }
                Ok(Put::Nothing) => {}
                Err(e) if e.contains("DataException") => {
                    failure = Some(format!("org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler\nCaused by: {e}"));
                }
                Err(e) => failure = Some(e),
            },
            None => {}
        }
        if let Some(trace) = failure {
            self.fail_task(world, index, trace, emit);
        }
    }

    /// `FileOffsetBackingStore.save`: the whole store rewritten.
    fn flush_offsets(&mut self, emit: &mut Emit) {
        if !self.offsets_dirty {
            return;
        }
        self.offsets_dirty = false;
        let mut text = String::new();
        for ((connector, partition), (offset, _)) in &self.offsets {
            text.push_str(&format!("[{},{partition}]\t{offset}\n", crate::json::quote(connector)));
        }
        emit.write_file(&self.offsets_path, text);
    }

    /// Whether `connect-standalone.sh` can give the prompt back.
    pub(crate) fn settled(&self, now: SimTime) -> bool {
        let quiet = self.connectors.iter().all(|c| match &c.task {
            Some(Task::Source(t)) => t.in_flight.is_empty() && t.next_poll > now,
            Some(Task::Sink(t)) => t.assigned || c.task_state != TaskState::Running,
            None => true,
        });
        (quiet && now.0 >= self.last_activity.0 + STARTUP_QUIET_MS) || now.0 >= self.started_at.0 + STARTUP_WAIT_MAX_MS
    }

    /// Ctrl-C or `kill`: `Connect.stop()`.
    pub(crate) fn stop(&mut self, world: &mut World, emit: &mut Emit) {
        self.log(emit, "INFO", "Kafka Connect stopping (org.apache.kafka.connect.runtime.Connect)");
        self.log(emit, "INFO", "Stopping REST server (org.apache.kafka.connect.runtime.rest.RestServer)");
        for index in 0..self.connectors.len() {
            self.stop_task(world, index, emit);
        }
        self.flush_offsets(emit);
        self.log(emit, "INFO", "Kafka Connect stopped (org.apache.kafka.connect.runtime.Connect)");
        emit.exit(130);
    }

    /// `PUT /connectors/NAME/pause|resume|stop`.
    pub(crate) fn set_target(
        &mut self,
        world: &mut World,
        vfs: &Vfs,
        index: usize,
        target: TargetState,
        emit: &mut Emit,
    ) {
        let Some(run) = self.connectors.get(index) else {
            return;
        };
        let (from, name) = (run.target, run.config.name.clone());
        if from == target {
            return;
        }
        // Records delivered before the pause are written first: the consumer's commit
        // at close covers them.
        if run.task.is_some() && run.task_state == TaskState::Running {
            self.tick_task(world, vfs, index, emit);
        }
        let sink = self.connectors.get(index).is_some_and(|c| !c.config.plugin.is_source());
        let failed = self.connectors.get(index).is_some_and(|c| matches!(c.task_state, TaskState::Failed(_)));
        match target {
            TargetState::Stopped => self.stop_task(world, index, emit),
            TargetState::Paused if sink => {
                if let Some(Some(Task::Sink(t))) = self.connectors.get_mut(index).map(|c| &mut c.task) {
                    if let Some(client) = t.client.take() {
                        world.poke_client(client, |c, ctx| c.close(ctx));
                    }
                    t.assigned = false;
                }
            }
            TargetState::Paused => {}
            TargetState::Running => {
                let missing = self.connectors.get(index).is_some_and(|c| match &c.task {
                    None => true,
                    Some(Task::Sink(t)) => t.client.is_none(),
                    Some(Task::Source(_)) => false,
                });
                if missing && !failed {
                    self.start_task(world, index, emit);
                }
            }
        }
        if let Some(run) = self.connectors.get_mut(index) {
            run.target = target;
            if !matches!(run.task_state, TaskState::Failed(_)) {
                run.task_state = if target == TargetState::Paused { TaskState::Paused } else { TaskState::Running };
            }
        }
        // `TargetState` calls running STARTED.
        let state = if target == TargetState::Running { "STARTED" } else { target.name() };
        self.log(
            emit,
            "INFO",
            &format!("Setting connector {name} state to {state} (org.apache.kafka.connect.runtime.Worker)"),
        );
    }

    /// `POST /connectors/NAME/tasks/0/restart` (and a restart with `includeTasks`).
    pub(crate) fn restart_task(&mut self, world: &mut World, index: usize, emit: &mut Emit) {
        let target = self.connectors.get(index).map(|c| c.target);
        if target != Some(TargetState::Running) {
            return;
        }
        self.stop_task(world, index, emit);
        self.start_task(world, index, emit);
    }

    /// `DELETE /connectors/NAME`.
    pub(crate) fn delete(&mut self, world: &mut World, index: usize, emit: &mut Emit) {
        self.stop_task(world, index, emit);
        if index < self.connectors.len() {
            let run = self.connectors.remove(index);
            self.log(
                emit,
                "INFO",
                &format!("Stopping connector {} (org.apache.kafka.connect.runtime.Worker)", run.name()),
            );
        }
    }

    /// The position a connector's source task has read to, or its sink's records written.
    pub(crate) fn source_offset(&self, run: &ConnectorRun) -> Option<u64> {
        match &run.task {
            Some(Task::Source(t)) => match &t.kind {
                SourceKind::File { position, .. } => *position,
                SourceKind::Medical { readings, .. } => Some(*readings),
            },
            _ => None,
        }
    }

    /// The topics a connector has used (`GET /connectors/NAME/topics`): a source's once
    /// it wrote, a sink's once it was assigned.
    pub(crate) fn active_topics(&self, run: &ConnectorRun) -> Vec<String> {
        match &run.task {
            Some(Task::Source(t)) if t.sent > 0 => vec![t.topic.clone()],
            Some(Task::Sink(t)) if t.assigned || t.written > 0 => vec![t.topic.clone()],
            _ => Vec::new(),
        }
    }

    /// The page's view of the connectors.
    pub(crate) fn views(&self) -> Vec<crate::view::ConnectorView> {
        self.connectors
            .iter()
            .map(|c| {
                let (topic, records, group) = match &c.task {
                    Some(Task::Source(t)) => (t.topic.clone(), t.sent, None),
                    Some(Task::Sink(t)) => (t.topic.clone(), t.written, Some(format!("connect-{}", c.name()))),
                    None => (c.config.get("topic").or(c.config.get("topics")).unwrap_or_default().to_string(), 0, None),
                };
                let table = WorkerJob::table(c).map(|(name, rows)| {
                    let columns: Vec<String> =
                        rows.values().next().map(|r| r.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
                    crate::view::TableView {
                        name: name.to_string(),
                        rows: rows
                            .iter()
                            .map(|(key, fields)| {
                                let values = columns
                                    .iter()
                                    .map(|col| {
                                        fields
                                            .iter()
                                            .find(|(k, _)| k == col)
                                            .map(|(_, v)| v.clone())
                                            .unwrap_or_default()
                                    })
                                    .collect();
                                (key.clone(), values)
                            })
                            .collect(),
                        columns,
                    }
                });
                crate::view::ConnectorView {
                    name: c.name().to_string(),
                    kind: c.config.plugin.kind().to_string(),
                    class: c.config.get("connector.class").unwrap_or_default().to_string(),
                    worker_id: format!("{WORKER_HOST}:{}", self.config.rest_port),
                    state: c.target.name().to_string(),
                    task_state: c.task.as_ref().map(|_| c.task_state.name().to_string()),
                    topic,
                    source_offset: self.source_offset(c),
                    group,
                    records,
                    table,
                }
            })
            .collect()
    }

    /// A table sink's rows, for `ksim` and the page.
    pub(crate) fn table(run: &ConnectorRun) -> Option<(&str, &Rows)> {
        match &run.task {
            Some(Task::Sink(SinkTask { kind: SinkKind::Table { table, rows, .. }, .. })) => Some((table, rows)),
            _ => None,
        }
    }
}

/// Reads the offsets file the worker wrote: one `[connector,partition]\toffset` per line.
fn parse_offsets(text: &str) -> VecMap<(String, String), (String, u64)> {
    let mut offsets = VecMap::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once('\t') else {
            continue;
        };
        let (Some(crate::json::Json::Array(parts)), Some(offset)) =
            (crate::json::parse(key), crate::json::parse(value))
        else {
            continue;
        };
        let (Some(connector), Some(_)) = (parts.first().and_then(|c| c.as_str()), parts.get(1)) else {
            continue;
        };
        let Some(partition) = key.split_once(',').map(|(_, rest)| rest.trim_end_matches(']').to_string()) else {
            continue;
        };
        let number = match &offset {
            crate::json::Json::Object(fields) => fields.first().and_then(|(_, v)| v.as_i64()),
            _ => None,
        };
        if let Some(n) = number.and_then(|n| u64::try_from(n).ok()) {
            offsets.insert((connector.to_string(), partition), (value.to_string(), n));
        }
    }
    offsets
}

/// A source task's producer, with the settings Connect forces on it (acks=all, one
/// request in flight, idempotence, no linger).
fn start_producer(world: &mut World, worker: &WorkerConfig, connector: &str) -> ClientId {
    let client_id = format!("connector-producer-{connector}-0");
    let config = ProducerConfig {
        bootstrap_servers: worker.bootstrap_servers.clone(),
        client_id: client_id.clone(),
        acks: -1,
        linger_ms: 0,
        batch_size: 16_384,
        retries: i32::MAX as u32,
        retry_backoff_ms: 100,
        request_timeout_ms: 30_000,
        // Connect's `max.block.ms` is Long.MAX_VALUE; a day is as good as forever here.
        max_block_ms: 24 * 3600 * 1000,
        enable_idempotence: true,
        max_in_flight_requests_per_connection: 1,
        delivery_timeout_ms: i32::MAX as u64,
    };
    world.start_client(|_| Client {
        client_id,
        role: ClientRole::Producer(Box::new(Producer::new(config))),
        alive: true,
    })
}

/// A sink task's consumer in group `connect-NAME`, from the earliest offset.
fn start_consumer(world: &mut World, worker: &WorkerConfig, connector: &str, topic: &str) -> ClientId {
    let client_id = format!("connector-consumer-{connector}-0");
    let config = ConsumerConfig {
        bootstrap_servers: worker.bootstrap_servers.clone(),
        client_id: client_id.clone(),
        group_id: format!("connect-{connector}"),
        topic: topic.to_string(),
        partition: None,
        start: StartOffset::Earliest,
        fetch_max_wait_ms: 500,
        idle_timeout_ms: None,
        retry_backoff_ms: 100,
        // The worker commits what its task wrote every offset.flush.interval.ms; here the
        // consumer's auto-commit at that interval does it (records are written as they arrive).
        group: Some(GroupConfig {
            enable_auto_commit: true,
            auto_commit_interval_ms: worker.offset_flush_interval_ms,
            ..GroupConfig::default()
        }),
    };
    world.start_client(|_| Client {
        client_id,
        role: ClientRole::Consumer(Box::new(Consumer::new(config))),
        alive: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offsets_file_reads_back_what_flush_writes() {
        let text = "[\"local-file-source\",{\"filename\":\"test.txt\"}]\t{\"position\":8}\nnot a line\n";
        let offsets = parse_offsets(text);
        assert_eq!(
            offsets.get(&("local-file-source".to_string(), "{\"filename\":\"test.txt\"}".to_string())),
            Some(&("{\"position\":8}".to_string(), 8))
        );
        assert_eq!(offsets.len(), 1);
    }
}
