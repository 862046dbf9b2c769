//! Tools that keep running after their command line was read: a server starting up, an
//! admin call in flight, the console producer reading records, the console consumer.
//!
//! A job reacts to what its process reports (client events, server log lines) with lines
//! to print and, once it ends, an exit status.

use super::configs::ConfigsJob;
use super::connect::worker::WorkerJob;
use super::console_consumer::ConsumerJob;
use super::console_producer::ProducerJob;
use super::consumer_groups::GroupsJob;
use super::consumer_perf_test::ConsumerPerfJob;
use super::delete_records::DeleteRecordsJob;
use super::get_offsets::OffsetsJob;
use super::ksql::{PrintJob, PushJob};
use super::leader_election::ElectionJob;
use super::log_dirs::LogDirsJob;
use super::metadata_quorum::QuorumJob;
use super::producer_perf_test::ProducerPerfJob;
use super::reassign_partitions::ReassignJob;
use super::streams_demo::StreamsJob;
use super::topics::TopicsJob;
use crate::client::admin::AdminCall;
use crate::ids::{ClientId, NodeId};
use crate::node::{ClientEvent, LogLine};
use crate::session::Stream;
use crate::world::World;

#[derive(Clone)]
pub(crate) enum JobKind {
    /// `kafka-server-start.sh`: prints start-up logs until the server has started.
    Server {
        node: NodeId,
    },
    Topics(TopicsJob),
    Quorum(QuorumJob),
    Configs(ConfigsJob),
    Offsets(OffsetsJob),
    Election(ElectionJob),
    DeleteRecords(DeleteRecordsJob),
    LogDirs(LogDirsJob),
    Reassign(ReassignJob),
    ConsumerGroups(Box<GroupsJob>),
    Producer(ProducerJob),
    Consumer(ConsumerJob),
    ProducerPerf(Box<ProducerPerfJob>),
    ConsumerPerf(ConsumerPerfJob),
    /// A ksqlDB push query (or a pull query scanning a stream) at the `ksql>` prompt.
    KsqlPush(Box<PushJob>),
    /// ksqlDB's `PRINT 'topic'`.
    KsqlPrint(PrintJob),
    /// A Kafka Streams example application (`kafka-run-class.sh`).
    Streams(StreamsJob),
    /// `connect-standalone.sh`: the worker, with a client per task.
    Connect(Box<WorkerJob>),
}

#[derive(Clone)]
pub(crate) struct Job {
    /// bash's job number, `[1]`.
    pub(crate) number: u32,
    /// The command as typed, for `jobs` and the `Done` line.
    pub(crate) command: String,
    pub(crate) kind: JobKind,
    /// Where the job's standard output goes (`> file` redirects it).
    pub(crate) stdout_file: Option<String>,
}

/// What a job wants printed, and whether it has ended.
pub(crate) struct Emit {
    pub(crate) lines: Vec<(Stream, String)>,
    pub(crate) exit: Option<i32>,
    /// A further Admin call the job needs (e.g. delete after listing).
    pub(crate) start_admin: Option<AdminCall>,
    /// The simulated wall clock, for log timestamps.
    pub(crate) now_wall_ms: u64,
    /// Files the job writes (a Connect worker's sink files, offsets and log), applied by
    /// the console: (path, text, append).
    pub(crate) writes: Vec<(String, String, bool)>,
}

impl Emit {
    pub(crate) fn new(now_wall_ms: u64) -> Emit {
        Emit { lines: Vec::new(), exit: None, start_admin: None, now_wall_ms, writes: Vec::new() }
    }

    pub(crate) fn out(&mut self, text: impl Into<String>) {
        self.lines.push((Stream::Stdout, text.into()));
    }

    pub(crate) fn err(&mut self, text: impl Into<String>) {
        self.lines.push((Stream::Stderr, text.into()));
    }

    /// A tool's `main` catching an exception once the job ran: as `Console::exception`.
    pub(crate) fn exception(&mut self, class: &str, message: &str) {
        self.err(message.to_string());
        self.err(format!("{class}: {message}"));
        self.exit(1);
    }

    pub(crate) fn exit(&mut self, status: i32) {
        self.exit = Some(status);
    }

    pub(crate) fn append_file(&mut self, path: &str, text: String) {
        self.writes.push((path.to_string(), text, true));
    }

    pub(crate) fn write_file(&mut self, path: &str, text: String) {
        self.writes.push((path.to_string(), text, false));
    }
}

impl Job {
    pub(crate) fn client(&self) -> Option<ClientId> {
        match &self.kind {
            JobKind::Server { .. } | JobKind::Connect(_) => None,
            JobKind::Topics(j) => Some(j.client),
            JobKind::Quorum(j) => Some(j.client),
            JobKind::Configs(j) => Some(j.client),
            JobKind::Offsets(j) => Some(j.client),
            JobKind::Election(j) => Some(j.client),
            JobKind::DeleteRecords(j) => Some(j.client),
            JobKind::LogDirs(j) => Some(j.client),
            JobKind::Reassign(j) => Some(j.client),
            JobKind::ConsumerGroups(j) => Some(j.client),
            JobKind::Producer(j) => Some(j.client),
            JobKind::Consumer(j) => Some(j.client),
            JobKind::ProducerPerf(j) => Some(j.client),
            JobKind::ConsumerPerf(j) => Some(j.client),
            JobKind::KsqlPush(_) => None,
            JobKind::KsqlPrint(j) => Some(j.client),
            JobKind::Streams(_) => None,
        }
    }

    /// Every client process the job owns (a Connect worker has one per task).
    pub(crate) fn clients(&self) -> Vec<ClientId> {
        match &self.kind {
            JobKind::Connect(w) => w.clients(),
            _ => self.client().into_iter().collect(),
        }
    }

    /// A signal (Ctrl-C, `kill %N`) reaches the tools with a shutdown hook: the console
    /// producer flushes, a consumer commits and leaves its group, a perf test stops. False
    /// for the others, which just die.
    pub(crate) fn signal(&mut self, world: &mut World, emit: &mut Emit) -> bool {
        match &mut self.kind {
            JobKind::Producer(p) => p.close(world, emit),
            JobKind::Consumer(c) => c.stop(world, emit),
            JobKind::ProducerPerf(j) => j.stop(world, emit),
            JobKind::ConsumerPerf(j) => j.stop(world, emit),
            JobKind::KsqlPush(j) => j.stop(world, emit),
            JobKind::KsqlPrint(j) => j.stop(world, emit),
            JobKind::Streams(j) => j.stop(world, emit),
            JobKind::Connect(w) => w.stop(world, emit),
            _ => return false,
        }
        true
    }

    /// A follow-up Admin call replaces the job's client.
    pub(crate) fn set_client(&mut self, client: ClientId) {
        match &mut self.kind {
            JobKind::Server { .. } | JobKind::Connect(_) => {}
            JobKind::Topics(j) => j.client = client,
            JobKind::Quorum(j) => j.client = client,
            JobKind::Configs(j) => j.client = client,
            JobKind::Offsets(j) => j.client = client,
            JobKind::Election(j) => j.client = client,
            JobKind::DeleteRecords(j) => j.client = client,
            JobKind::LogDirs(j) => j.client = client,
            JobKind::Reassign(j) => j.client = client,
            JobKind::ConsumerGroups(j) => j.client = client,
            JobKind::Producer(j) => j.client = client,
            JobKind::Consumer(j) => j.client = client,
            JobKind::ProducerPerf(j) => j.client = client,
            JobKind::ConsumerPerf(j) => j.client = client,
            // They never start an Admin call.
            JobKind::KsqlPush(_) | JobKind::KsqlPrint(_) => {}
            JobKind::Streams(_) => {}
        }
    }

    /// Whether the console waits for this job before reading the next command line even
    /// in the page (it would block a terminal only briefly).
    pub(crate) fn runs_to_completion(&self) -> bool {
        matches!(
            self.kind,
            JobKind::Server { .. }
                | JobKind::Topics(_)
                | JobKind::Quorum(_)
                | JobKind::Configs(_)
                | JobKind::Offsets(_)
                | JobKind::Election(_)
                | JobKind::DeleteRecords(_)
                | JobKind::LogDirs(_)
                | JobKind::Reassign(_)
                | JobKind::ConsumerGroups(_)
                | JobKind::Connect(_)
        )
    }

    pub(crate) fn on_client_event(&mut self, event: ClientEvent, emit: &mut Emit) {
        if let ClientEvent::Log(line) = &event {
            // WARN and above reach the terminal, as the tools' log4j config says.
            if line.level != crate::node::Level::Info {
                emit.err(line.render());
            }
            return;
        }
        match &mut self.kind {
            // Workers get their clients' events from `Console::worker_event`.
            JobKind::Server { .. } | JobKind::Connect(_) => {}
            JobKind::Topics(j) => j.on_event(event, emit),
            JobKind::Quorum(j) => j.on_event(event, emit),
            JobKind::Configs(j) => j.on_event(event, emit),
            JobKind::Offsets(j) => j.on_event(event, emit),
            JobKind::Election(j) => j.on_event(event, emit),
            JobKind::DeleteRecords(j) => j.on_event(event, emit),
            JobKind::LogDirs(j) => j.on_event(event, emit),
            JobKind::Reassign(j) => j.on_event(event, emit),
            JobKind::ConsumerGroups(j) => j.on_event(event, emit),
            JobKind::Producer(j) => j.on_event(event, emit),
            JobKind::Consumer(j) => j.on_event(event, emit),
            JobKind::ProducerPerf(j) => j.on_event(event, emit),
            JobKind::ConsumerPerf(j) => j.on_event(event, emit),
            // The console hands their events over with the world (`Console::ksql_job_event`).
            JobKind::KsqlPush(_) | JobKind::KsqlPrint(_) => {}
            // The application's clients report to the world's Streams runtime.
            JobKind::Streams(_) => {}
        }
    }

    /// Simulated time moved: a job that acts on its own schedule acts now, and a Streams
    /// application's log reaches the terminal.
    pub(crate) fn tick(&mut self, world: &mut World, emit: &mut Emit) {
        match &mut self.kind {
            JobKind::ProducerPerf(j) => j.tick(world),
            JobKind::Streams(j) => j.tick(world, emit),
            JobKind::KsqlPush(j) => j.tick(world, emit),
            _ => {}
        }
    }

    pub(crate) fn on_server_log(&mut self, node: NodeId, line: &LogLine, emit: &mut Emit) {
        if let JobKind::Server { node: mine } = self.kind {
            if mine == node {
                emit.out(line.render());
                if line.text.contains("Kafka Server started") {
                    emit.exit(0);
                }
            }
        }
    }
}
