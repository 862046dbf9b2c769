//! The interface between the world and the state machines it drives (servers, clients).
//!
//! A node never touches the world: it receives one `Input` with the current time and its
//! own random stream, and answers with `Output`s that the world schedules.

use crate::ids::Addr;
use crate::protocol::Msg;
use crate::rng::SimRng;
use crate::time::SimTime;

/// Timers a node can set; each node kind interprets its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// A Raft deadline (election, fetch, check quorum, parked fetches).
    Raft,
    /// The active controller's check for brokers past their session timeout.
    FenceCheck,
    /// The active controller's `leader.imbalance.check.interval.seconds` timer.
    LeaderRebalance,
    BrokerHeartbeat,
    /// The replica manager's deadlines: delayed produces and fetches, replica fetches.
    Replica,
    /// The partition leader's periodic check for followers that fell out of sync.
    IsrCheck,
    /// `log.retention.check.interval.ms`: deleting segments past retention.
    LogRetention,
    /// `log.cleaner.backoff.ms`: the log cleaner looking for a compacted log to clean.
    LogCleaner,
    /// The group coordinator's deadlines: member sessions and rebalance join phases.
    GroupCoordinator,
    /// A consumer's `heartbeat.interval.ms` (and its `max.poll.interval.ms` check).
    GroupHeartbeat,
    /// A consumer's `auto.commit.interval.ms`.
    AutoCommit,
    /// A client's retry or backoff.
    ClientRetry,
    /// The producer's `linger.ms`.
    Linger,
    /// A client-level deadline (request timeout, poll timeout).
    Deadline,
}

#[derive(Clone, Debug)]
pub(crate) enum Input {
    Start,
    Message {
        from: Addr,
        correlation_id: u32,
        msg: Msg,
    },
    /// Nobody listens at the address a client dialled.
    /// The connection to a server dropped (it crashed): requests sent on it are lost.
    Disconnected {
        node: crate::ids::NodeId,
    },
    ConnectionRefused {
        target: String,
    },
    Timer(Timer),
}

/// Where a node wants a message to go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Addr(Addr),
    /// A `host:port` from a bootstrap list, resolved by the world to whoever listens there.
    HostPort(String),
}

/// What a client tells its console tool (the console turns these into text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ClientEvent {
    Admin(crate::client::admin::AdminOutcome),
    Producer(crate::client::producer::ProducerEvent),
    Consumer(crate::client::consumer::ConsumerEvent),
    /// A line of the client's log (WARN and ERROR reach the terminal's stderr).
    Log(LogLine),
}

#[derive(Clone, Debug)]
pub(crate) enum Output {
    Send {
        to: Target,
        correlation_id: u32,
        msg: Msg,
    },
    SetTimer {
        after_ms: u64,
        timer: Timer,
    },
    /// A state change worth narrating, by the given role of the process.
    Trace(Role, String),
    /// A line for the process's log (servers: `server.log` and start-up output).
    Log(LogLine),
    Notify(ClientEvent),
}

/// Which part of a process a trace entry speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Process,
    Controller,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LogLine {
    pub(crate) at: SimTime,
    pub(crate) level: Level,
    pub(crate) text: String,
}

impl LogLine {
    /// Kafka's log4j layout `[%d] %p %m (%c)%n`; `text` already carries the `(%c)` part.
    pub(crate) fn render(&self) -> String {
        let level = match self.level {
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        };
        format!("{} {level} {}", crate::time::format_log_timestamp(self.at.wall_ms()), self.text)
    }
}

/// The handle a node writes its outputs into.
pub(crate) struct Ctx<'a> {
    pub(crate) now: SimTime,
    pub(crate) rng: &'a mut SimRng,
    pub(crate) out: Vec<Output>,
}

impl Ctx<'_> {
    pub(crate) fn send(&mut self, to: Addr, correlation_id: u32, msg: Msg) {
        self.out.push(Output::Send { to: Target::Addr(to), correlation_id, msg });
    }

    pub(crate) fn send_to(&mut self, to: Target, correlation_id: u32, msg: Msg) {
        self.out.push(Output::Send { to, correlation_id, msg });
    }

    pub(crate) fn timer(&mut self, after_ms: u64, timer: Timer) {
        self.out.push(Output::SetTimer { after_ms, timer });
    }

    /// Narrates as the process's main role (a combined server narrates as its broker).
    pub(crate) fn trace(&mut self, text: impl Into<String>) {
        self.out.push(Output::Trace(Role::Process, text.into()));
    }

    /// Narrates as the controller of a server process.
    pub(crate) fn trace_controller(&mut self, text: impl Into<String>) {
        self.out.push(Output::Trace(Role::Controller, text.into()));
    }

    pub(crate) fn log(&mut self, level: Level, text: impl Into<String>) {
        self.out.push(Output::Log(LogLine { at: self.now, level, text: text.into() }));
    }

    pub(crate) fn notify(&mut self, event: ClientEvent) {
        self.out.push(Output::Notify(event));
    }

    /// Simulated wall clock in ms since the Unix epoch (for CreateTime).
    pub(crate) fn wall_ms(&self) -> u64 {
        self.now.wall_ms()
    }
}

/// Stable random stream ids: servers by node id, clients offset so they never collide.
pub(crate) fn stream_for(addr: Addr) -> u64 {
    match addr {
        Addr::Node(id) => u64::from(id.0),
        Addr::Client(id) => (1 << 32) | u64::from(id.0),
    }
}
