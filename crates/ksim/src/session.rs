//! A playground session: the simulated world plus the console a student types into.
//!
//! The session is a pure function of its seed and the inputs it was given, which is what
//! makes step back (replay to an earlier event) and share links possible.

use crate::vec_map::VecMap;

use crate::broker::BrokerState;
use crate::chunk_list::ChunkList;
use crate::client::ClientRole;
use crate::console::{Console, Waiting};
use crate::ids::Addr;
use crate::time::format_wall_clock;
use crate::trace::Trace;
use crate::view::{
    ClientView, ClusterView, EndpointView, GroupView, LogWindow, MessageView, NodeView, PartitionView, ProcessState,
    RaftView, RecordView, ReplicaStateView, SegmentView, TopicView,
};
use crate::world::World;

/// Which stream a console line belongs to, so the page can style it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// A command as typed, shown after the `$ ` prompt (continuation lines after `> `).
    Command,
    /// Input typed into an interactive tool, shown after its prompt (the producer's `>`).
    Input,
    /// The tool's standard output.
    Stdout,
    /// The tool's standard error (logs, errors).
    Stderr,
    /// A note from the playground itself, not from Kafka (hints, simplifications).
    Hint,
}

/// One line of console output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleLine {
    pub stream: Stream,
    pub text: String,
}

/// What the user did, in order: the session is a function of its seed and these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Line(String),
    Interrupt,
    EndOfInput,
    Step,
    Advance(u64),
    Control(String),
    /// The page's `Drop message`: the envelope with this id leaves the wire.
    DropMessage(u64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Logged {
    pub(crate) input: Action,
    /// Events processed when the input arrived.
    pub(crate) at_event: u64,
    /// After a fork from the past, the input may not process events past this count.
    pub(crate) cap: Option<u64>,
}

/// The whole machine as it was just before input `log_index` arrived, so a replay to any
/// later moment can start here instead of at the beginning of time.
///
/// A checkpoint sits between inputs, never inside one: replaying to event `e` applies
/// every input that arrived before `e` with the limit `e`, and the inputs before a
/// checkpoint with fewer than `e` events never reached that limit, so they ran exactly as
/// they did live.
#[derive(Clone)]
struct Checkpoint {
    log_index: usize,
    /// Events processed at the checkpoint (the `at_event` of input `log_index`).
    events: u64,
    /// A rough size, for the memory bound.
    bytes: usize,
    world: World,
    console: Console,
}

/// Checkpoints kept at most, and their rough total size at most: when either is passed,
/// every other checkpoint goes and the spacing doubles, so a long history keeps a bounded
/// number of evenly spread checkpoints (and a replay never runs more than two spacings).
///
/// The byte bound weighs memory against step back's time, both measured by
/// `cargo run --release -p ksim --example bench history` (figures in README.md's
/// Performance): in the example's million-event history step back takes about 2 ms; on the
/// page's heavier load, ten simulated minutes at 16× keep 64 checkpoints (122 MB) and a
/// replay runs up to 16 384 events (about 30–65 ms natively). Halving the bound halves both
/// the memory and the checkpoints, doubling the replay. The logs share their batches in
/// chunks (`ChunkList`), so a checkpoint copies little more than the event queue and the
/// wire; as checkpoints get cheaper, the same bound keeps more of them.
const CHECKPOINTS_MAX: usize = 128;
const CHECKPOINT_BYTES_MAX: usize = 128 << 20;
/// Events between checkpoints while history is short.
const CHECKPOINT_SPACING_MIN: u64 = 1024;

/// The trace's budget: past `TRACE_BYTES_MAX` its oldest entries go, down to
/// `TRACE_BYTES_KEPT` (so the cut happens once in a while, not on every input).
pub const TRACE_BYTES_MAX: usize = 16_000_000;
const TRACE_BYTES_KEPT: usize = 12_000_000;

#[derive(Clone)]
struct Checkpoints {
    enabled: bool,
    /// `CHECKPOINTS_MAX` and `CHECKPOINT_BYTES_MAX` unless a test or the benchmark chose.
    count_max: usize,
    bytes_max: usize,
    /// In event order.
    list: Vec<Checkpoint>,
    spacing: u64,
}

impl Checkpoints {
    fn new() -> Checkpoints {
        Checkpoints {
            enabled: true,
            count_max: CHECKPOINTS_MAX,
            bytes_max: CHECKPOINT_BYTES_MAX,
            list: Vec::new(),
            spacing: CHECKPOINT_SPACING_MIN,
        }
    }

    fn due(&self, events: u64) -> bool {
        self.enabled && events >= self.list.last().map_or(0, |c| c.events) + self.spacing
    }

    fn push(&mut self, checkpoint: Checkpoint) {
        assert!(self.list.last().is_none_or(|c| c.events < checkpoint.events && c.log_index < checkpoint.log_index));
        self.list.push(checkpoint);
        while self.list.len() > 1
            && (self.list.len() > self.count_max || self.list.iter().map(|c| c.bytes).sum::<usize>() > self.bytes_max)
        {
            let mut index = 0;
            self.list.retain(|_| {
                index += 1;
                index % 2 == 0
            });
            self.spacing *= 2;
        }
    }

    /// The newest checkpoint strictly before `events`: one at exactly `events` may have
    /// run its last input past a limit the replay has to respect.
    fn before(&self, events: u64) -> Option<&Checkpoint> {
        self.list.iter().rev().find(|c| c.events < events)
    }

    /// A fork at `events`: what lies at or beyond it belonged to the dropped future.
    fn fork_at(&mut self, events: u64) {
        self.list.retain(|c| c.events < events);
    }
}

/// A simulated Kafka machine with its console: the unit the page and `ksim` drive.
pub struct Session {
    seed: u64,
    scripted: bool,
    world: World,
    console: Console,
    log: Vec<Logged>,
    /// Events processed at the newest point of history.
    present_events: u64,
    /// The first this many inputs ran as a script (an exercise's setup), the rest as typed.
    scripted_inputs: usize,
    checkpoints: Checkpoints,
    /// Trace entries before this index are dropped, in the world and in every checkpoint, to
    /// keep the trace within `TRACE_BYTES_MAX` (a replay from the beginning drops them again).
    trace_cut: usize,
    /// `(TRACE_BYTES_MAX, TRACE_BYTES_KEPT)` unless a test chose.
    trace_budget: (usize, usize),
}

impl Session {
    /// A fresh machine with Kafka installed at `/opt/kafka` and nothing running.
    pub fn new(seed: u64) -> Session {
        Session::with_mode(seed, false)
    }

    fn with_mode(seed: u64, scripted: bool) -> Session {
        Session {
            seed,
            scripted,
            world: World::new(seed),
            console: Console::new(seed, scripted),
            log: Vec::new(),
            present_events: 0,
            scripted_inputs: 0,
            checkpoints: Checkpoints::new(),
            trace_cut: 0,
            trace_budget: (TRACE_BYTES_MAX, TRACE_BYTES_KEPT),
        }
    }

    /// Turns checkpoints off (every replay then starts from the beginning of time), so
    /// tests can hold the checkpointed replay against the full one.
    #[doc(hidden)]
    pub fn disable_checkpoints(&mut self) {
        self.checkpoints.enabled = false;
        self.checkpoints.list.clear();
    }

    /// Chooses the checkpoints' bounds (count and rough bytes), so tests can reach them
    /// quickly and the benchmark can weigh memory against step back's time.
    #[doc(hidden)]
    pub fn set_checkpoint_budget(&mut self, count_max: usize, bytes_max: usize) {
        self.checkpoints.count_max = count_max;
        self.checkpoints.bytes_max = bytes_max;
    }

    /// Chooses the trace's budget (bytes past which its oldest entries go, and down to how
    /// many), so tests reach it quickly.
    #[doc(hidden)]
    pub fn set_trace_budget(&mut self, bytes_max: usize, bytes_kept: usize) {
        self.trace_budget = (bytes_max, bytes_kept);
    }

    /// Bytes the trace's kept entries take (for tests and the benchmark).
    #[doc(hidden)]
    pub fn trace_bytes(&self) -> usize {
        self.world.trace.bytes()
    }

    /// Checkpoints held now (for the benchmark's figures).
    #[doc(hidden)]
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.list.len()
    }

    /// Forgets the trace (for the benchmark's split of the session's memory).
    #[doc(hidden)]
    pub fn clear_trace(&mut self) {
        self.world.trace = Trace::default();
    }

    pub fn seed(&self) -> u64 {
        self.world.seed()
    }

    /// True while stepped back into the past.
    fn in_past(&self) -> bool {
        self.world.event_limit.is_some_and(|l| l < self.present_events)
    }

    /// Makes the moment shown the present: inputs after it are forgotten and those that
    /// ran past it are capped there, so a replay stops where the fork happened.
    fn fork(&mut self) {
        if self.in_past() {
            let at = self.world.events_processed();
            self.log.retain(|l| l.at_event <= at);
            for l in &mut self.log {
                l.cap = Some(l.cap.map_or(at, |c| c.min(at)));
            }
            self.checkpoints.fork_at(at);
            // The new timeline's entries may fall below the old cut: from now on replays
            // drop only what this moment's trace has already dropped.
            self.trace_cut = self.world.trace.first();
        }
        self.world.event_limit = None;
        self.present_events = self.world.events_processed();
    }

    /// Applies one input live: if stepped back, the old future is dropped first (a fork).
    fn live(&mut self, input: Action) {
        self.fork();
        let at_event = self.world.events_processed();
        let checkpoint_due = self.checkpoints.due(at_event);
        // The page's clock advances 60 times a second: consecutive advances replay the
        // same as one, so the log keeps one entry for them (and starts a new one where a
        // checkpoint is due, since checkpoints sit between inputs).
        match (self.log.last_mut(), &input) {
            (Some(Logged { input: Action::Advance(total), cap: None, .. }), Action::Advance(ms)) if !checkpoint_due => {
                *total += ms
            }
            _ => {
                if checkpoint_due {
                    self.checkpoint();
                }
                self.log.push(Logged { input: input.clone(), at_event, cap: None });
            }
        }
        self.apply(&input);
        self.present_events = self.world.events_processed();
        self.bound_trace();
    }

    /// Past `TRACE_BYTES_MAX`, drops the oldest trace chunks down to `TRACE_BYTES_KEPT`, in
    /// the world and in the checkpoints that share them: step back still reaches every
    /// moment, only the narration of the oldest ones is gone (the page says so).
    fn bound_trace(&mut self) {
        let (max, kept) = self.trace_budget;
        if self.world.trace.bytes() <= max {
            return;
        }
        self.trace_cut = self.trace_cut.max(self.world.trace.cut_for(kept));
        self.world.trace.drop_before(self.trace_cut);
        for c in &mut self.checkpoints.list {
            c.world.trace.drop_before(self.trace_cut);
        }
    }

    fn apply(&mut self, input: &Action) {
        match input {
            Action::Line(line) => {
                self.console.input(&mut self.world, line);
                if let Some(seed) = self.console.reseed.take() {
                    // `ksim seed N` before anything ran: start over with that seed.
                    let output = std::mem::take(&mut self.console.output);
                    self.world = World::new(seed);
                    self.console = Console::new(seed, self.scripted);
                    self.console.output = output;
                }
            }
            Action::Interrupt => self.console.interrupt(&mut self.world),
            Action::EndOfInput => self.console.end_of_input(&mut self.world),
            Action::Step => {
                if self.world.step() {
                    self.console.pump(&mut self.world);
                }
            }
            Action::Advance(ms) => self.console.advance(&mut self.world, *ms),
            Action::Control(line) => self.console.control(&mut self.world, line),
            Action::DropMessage(id) => {
                self.world.drop_message(*id);
            }
        }
    }

    /// Keeps the machine as it is now, before the next input is logged.
    fn checkpoint(&mut self) {
        // Before the clone: the console counts the files it does not share yet.
        let bytes = self.world.approx_bytes() + self.console.approx_bytes();
        let (world, console) = (self.world.clone(), self.console.clone());
        let events = world.events_processed();
        self.checkpoints.push(Checkpoint { log_index: self.log.len(), events, bytes, world, console });
    }

    /// Rebuilds the session as it was after `events` events: from the nearest checkpoint
    /// before that moment (or the beginning of time), replaying the inputs since.
    fn replay_to(&mut self, events: u64) {
        let log = std::mem::take(&mut self.log);
        let checkpoints = std::mem::replace(&mut self.checkpoints, Checkpoints::new());
        let present = self.present_events;
        let mut fresh = Session::with_mode(self.seed, self.scripted);
        // Back at the present, the inputs run as they did live (only forks' caps apply), so
        // the clock also ends where it was, after the last idle stretch.
        let at_present = events >= present;
        let mut first = 0;
        if let Some(c) = checkpoints.before(events) {
            assert_eq!(log[c.log_index].at_event, c.events, "a checkpoint sits just before its input");
            fresh.world = c.world.clone();
            fresh.console = c.console.clone();
            first = c.log_index;
        }
        for (i, l) in log.iter().enumerate().skip(first) {
            if l.at_event > events {
                break;
            }
            fresh.console.scripted = self.scripted || i < self.scripted_inputs;
            fresh.world.event_limit = if at_present { l.cap } else { Some(l.cap.map_or(events, |c| c.min(events))) };
            fresh.apply(&l.input);
        }
        fresh.console.scripted = self.scripted;
        fresh.world.event_limit = (!at_present).then_some(events);
        fresh.log = log;
        fresh.checkpoints = checkpoints;
        fresh.world.trace.drop_before(self.trace_cut);
        fresh.trace_cut = self.trace_cut;
        fresh.trace_budget = self.trace_budget;
        fresh.present_events = present;
        fresh.scripted_inputs = self.scripted_inputs;
        *self = fresh;
    }

    /// One line typed at the console and submitted with Enter (no trailing newline).
    pub fn input(&mut self, line: &str) {
        self.live(Action::Line(line.to_string()));
    }

    /// A playground control command (`ksim kill 2`, `ksim latency 200ms`, …) run beside
    /// whatever holds the console, as from a second terminal: the page's buttons use it.
    pub fn control(&mut self, line: &str) {
        self.live(Action::Control(line.to_string()));
    }

    /// Ctrl-C: stops the foreground tool (or discards a half-typed continuation).
    pub fn interrupt(&mut self) {
        self.live(Action::Interrupt);
    }

    /// Ctrl-D: end of input for the foreground tool (closes the console producer).
    pub fn end_of_input(&mut self) {
        self.live(Action::EndOfInput);
    }

    /// Processes the next event; false when nothing is scheduled. In the past, moves one
    /// event forward along the recorded history.
    pub fn step(&mut self) -> bool {
        if self.in_past() {
            let next = self.world.events_processed() + 1;
            self.replay_to(next);
            if next >= self.present_events {
                self.world.event_limit = None;
            }
            return true;
        }
        let before = self.world.events_processed();
        self.live(Action::Step);
        self.world.events_processed() > before
    }

    /// Returns to the state just after the previous event; false at the beginning of time.
    pub fn step_back(&mut self) -> bool {
        let events = self.world.events_processed();
        if events == 0 {
            return false;
        }
        self.replay_to(events - 1);
        true
    }

    /// Goes to the state just after `events` events (a narration line's `event`): back by
    /// replay, or forward along the recorded history; never past the present.
    pub fn travel_to(&mut self, events: u64) {
        let events = events.min(self.present_events.max(self.world.events_processed()));
        if events != self.world.events_processed() {
            self.replay_to(events);
        }
        if events >= self.present_events {
            self.world.event_limit = None;
        }
    }

    /// Events processed at the newest point of history: the end of the page's timeline.
    pub fn present_events(&self) -> u64 {
        self.present_events.max(self.world.events_processed())
    }

    /// True while stepped back (or travelled) before the present.
    pub fn in_the_past(&self) -> bool {
        self.in_past()
    }

    /// The page's `Fork from here`: the moment shown becomes the present and the recorded
    /// future is dropped, exactly as typing a command in the past does. Replay (step back,
    /// `travel_to`) afterwards never goes past this point.
    pub fn fork_here(&mut self) {
        self.fork();
    }

    /// Takes the message `id` off the wire, so it never arrives (the page's `Drop message`).
    /// A logged input like a typed line, so replay drops it again; false, and nothing
    /// logged, when no such message is in flight.
    pub fn drop_message(&mut self, id: u64) -> bool {
        if !self.world.in_flight().any(|e| e.id == id) {
            return false;
        }
        self.live(Action::DropMessage(id));
        true
    }

    /// Lets `ms` of simulated time pass, processing every event due meanwhile.
    pub fn advance(&mut self, ms: u64) {
        self.live(Action::Advance(ms));
    }

    /// Simulated milliseconds since the session began.
    pub fn now_ms(&self) -> u64 {
        self.world.now().0
    }

    /// The simulated wall clock, `YYYY-MM-DD HH:MM:SS.mmm` (UTC).
    pub fn wall_clock(&self) -> String {
        format_wall_clock(self.world.now().wall_ms())
    }

    /// What the console shows before the input: `$ `, `> ` (continuation), `>` (producer),
    /// or `` while a foreground tool runs without reading input (a consumer).
    pub fn prompt(&self) -> &'static str {
        self.console.prompt()
    }

    /// Everything printed so far, oldest first. Each line's text is exactly what a
    /// terminal shows, prompts included (`$ `, `> `, `>`).
    pub fn output(&self) -> &ChunkList<ConsoleLine> {
        &self.console.output
    }

    /// Explained state changes so far, oldest first.
    pub fn trace(&self) -> &Trace {
        &self.world.trace
    }

    /// A plain-data snapshot, with every record of every partition and every Streams row.
    pub fn view(&self) -> ClusterView {
        let mut view = view_of(&self.world, usize::MAX);
        view.streams = self.streams_view(usize::MAX);
        view.connectors = self.console.connector_views();
        view
    }

    /// The snapshot the page draws each frame: at most the newest `records_max` records per
    /// partition, so its cost does not grow with the log (a log strip shows only those), and
    /// no Streams applications (`streams_view` builds them while the Kafka UI shows them).
    pub fn view_recent(&self, records_max: usize) -> ClusterView {
        let mut view = view_of(&self.world, records_max);
        view.connectors = self.console.connector_views();
        view
    }

    /// Each Kafka Streams application (ksqlDB's persistent queries too) with the first
    /// `rows_max` rows of each state store and their total: the Kafka UI's Streams tab.
    pub fn streams_view(&self, rows_max: usize) -> Vec<crate::StreamsAppView> {
        self.world.streams_apps().map(|a| a.view(rows_max)).collect()
    }

    /// A file of the console's machine (relative paths from Kafka's install directory).
    pub(crate) fn file(&self, path: &str) -> Option<&str> {
        self.console.file(path)
    }

    /// At most `max` records of the leader's log of `topic`-`partition`: from the first at or
    /// after offset `from`, or the newest ones without `from` (moved back so a window near
    /// the end is still full). `None` while the partition has no leader copy to read.
    pub fn log_window(&self, topic: &str, partition: u32, from: Option<u64>, max: usize) -> Option<LogWindow> {
        let image = self.world.freshest_image()?;
        let leader = image.topics.get(topic)?.partitions.get(&partition)?.leader?;
        let log = &self
            .world
            .servers
            .get(&leader)?
            .broker
            .as_ref()?
            .replicas
            .partitions
            .get(&(topic.to_string(), partition))?
            .log;
        let total = log.record_count();
        let newest = total.saturating_sub(max);
        let start = from.map_or(newest, |offset| log.records_before(offset).min(newest));
        let end = (start + max).min(total);
        Some(LogWindow {
            earlier: start as u64,
            later: (total - end) as u64,
            records: log.records_skipping(start).take(end - start).map(record_view).collect(),
        })
    }

    /// Events processed so far: a cheap way to notice that something happened.
    pub fn events_processed(&self) -> u64 {
        self.world.events_processed()
    }

    /// True when step back can go further back.
    pub fn can_step_back(&self) -> bool {
        self.world.events_processed() > 0
    }

    /// The transcript so far: every console line, as a terminal shows it.
    pub fn transcript(&self) -> String {
        let mut text = String::new();
        for line in self.console.output.iter() {
            text.push_str(&line.text);
            text.push('\n');
        }
        text
    }

    /// Ends whatever still runs in the foreground at the end of a script.
    fn finish_script(&mut self) {
        if self.console.waiting() == Waiting::Job {
            self.end_of_input();
        }
        if self.console.waiting() == Waiting::Job {
            self.interrupt();
        }
    }
}

fn record_view(r: crate::partition_log::Record) -> RecordView {
    RecordView {
        offset: r.offset,
        timestamp_ms: r.timestamp_ms,
        key: r.key().map(|k| String::from_utf8_lossy(k).into_owned()),
        value: r.value().map(|v| String::from_utf8_lossy(v).into_owned()),
    }
}

/// Builds the page's snapshot of a world, with the newest `records_max` records per partition
/// (and no Streams applications: `Session::streams_view` builds those).
pub(crate) fn view_of(world: &World, records_max: usize) -> ClusterView {
    let image = world.freshest_image();
    let mut nodes = Vec::new();
    for s in world.servers.values() {
        let fenced = image.and_then(|i| i.brokers.get(&s.node_id())).is_some_and(|b| b.fenced);
        let state = if !s.running {
            ProcessState::Stopped
        } else {
            match &s.broker {
                Some(b) if b.state == BrokerState::Running && fenced => ProcessState::Fenced,
                Some(b) if b.state == BrokerState::Running => ProcessState::Running,
                Some(_) => ProcessState::Starting,
                None if s.controller.as_ref().is_some_and(|c| c.raft.leader_id.is_some()) => ProcessState::Running,
                None => ProcessState::Starting,
            }
        };
        let raft = s.controller.as_ref().map(|c| RaftView {
            state: c.raft.state.name().to_string(),
            leader_epoch: c.raft.epoch(),
            leader_id: c.raft.leader_id.map(|n| n.0),
            voted_for: c.raft.disk.voted_for.map(|n| n.0),
            log_end_offset: c.raft.log_end_offset(),
            high_watermark: c.raft.high_watermark,
            deadline: c.raft.next_deadline().filter(|_| s.running).map(|(what, at)| (what.to_string(), at.0)),
        });
        let replicas = s
            .broker
            .as_ref()
            .map_or(Vec::new(), |b| b.replicas.partitions.keys().map(|(t, p)| format!("{t}-{p}")).collect());
        nodes.push(NodeView {
            node_id: s.node_id().0,
            is_broker: s.broker.is_some(),
            is_controller: s.controller.is_some(),
            state,
            listeners: s.config.listeners.iter().map(|l| format!("{}://:{}", l.name, l.port)).collect(),
            raft,
            replicas,
        });
    }
    let mut topics = Vec::new();
    if let Some(image) = image {
        for (name, t) in &image.topics {
            let partitions = t
                .partitions
                .iter()
                .map(|(p, pi)| {
                    let leader_log = pi
                        .leader
                        .and_then(|l| world.servers.get(&l))
                        .and_then(|s| s.broker.as_ref())
                        .and_then(|b| b.replicas.partitions.get(&(name.clone(), *p)))
                        .map(|h| &h.log);
                    PartitionView {
                        partition: *p,
                        leader: pi.leader.map(|n| n.0),
                        leader_epoch: pi.leader_epoch,
                        replicas: pi.replicas.iter().map(|n| n.0).collect(),
                        isr: pi.isr.iter().map(|n| n.0).collect(),
                        log_start_offset: leader_log.map_or(0, |l| l.log_start_offset()),
                        high_watermark: leader_log.map_or(0, |l| l.high_watermark()),
                        log_end_offset: leader_log.map_or(0, |l| l.log_end_offset()),
                        earlier_records: leader_log.map_or(0, |l| l.record_count().saturating_sub(records_max) as u64),
                        records: leader_log.map_or(Vec::new(), |l| {
                            l.records_skipping(l.record_count().saturating_sub(records_max)).map(record_view).collect()
                        }),
                        segments: leader_log.map_or(Vec::new(), |l| {
                            l.segments()
                                .iter()
                                .map(|s| SegmentView { base_offset: s.base_offset, size_bytes: s.size_bytes })
                                .collect()
                        }),
                        replica_states: pi
                            .replicas
                            .iter()
                            .filter_map(|r| {
                                let server = world.servers.get(r)?;
                                let h = server.broker.as_ref()?.replicas.partitions.get(&(name.clone(), *p))?;
                                Some(ReplicaStateView {
                                    broker: r.0,
                                    is_leader: pi.leader == Some(*r),
                                    in_isr: pi.isr.contains(r),
                                    online: server.running,
                                    log_start_offset: h.log.log_start_offset(),
                                    high_watermark: h.log.high_watermark(),
                                    log_end_offset: h.log.log_end_offset(),
                                })
                            })
                            .collect(),
                    }
                })
                .collect();
            // A BTreeMap: already sorted by name.
            let configs = t.configs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            topics.push(TopicView { name: name.clone(), topic_id: t.topic_id.to_string(), partitions, configs });
        }
    }
    let clients = world
        .clients
        .iter()
        .map(|(id, c)| ClientView {
            id: id.0,
            kind: c.kind(),
            client_id: c.client_id.clone(),
            alive: c.alive,
            producer: match &c.role {
                ClientRole::Producer(p) => Some(p.view(world.now())),
                _ => None,
            },
        })
        .collect();
    let endpoint = |a: Addr| match a {
        Addr::Node(n) => EndpointView::Node(n.0),
        Addr::Client(c) => EndpointView::Client(c.0),
    };
    let in_flight = world
        .in_flight()
        .map(|e| MessageView {
            id: e.id,
            from: endpoint(e.from),
            to: endpoint(e.to),
            kind: e.msg.kind(),
            label: e.msg.label(),
            sent_at_ms: e.sent_at.0,
            arrives_at_ms: e.arrives_at.0,
        })
        .collect();
    let groups = groups_of(world, &topics);
    ClusterView {
        now_ms: world.now().0,
        wall_clock: format_wall_clock(world.now().wall_ms()),
        events_processed: world.events_processed(),
        nodes,
        clients,
        topics,
        in_flight,
        groups,
        cuts: world.net().cuts().map(|(a, b)| (a.0, b.0)).collect(),
        connectors: Vec::new(),
        streams: Vec::new(),
    }
}

/// Consumer groups from the running coordinators, with each owner's position (from its
/// consumer client) and each partition's log end and lag (from the topic views).
fn groups_of(world: &World, topics: &[TopicView]) -> Vec<GroupView> {
    let mut groups: Vec<GroupView> = world
        .servers
        .values()
        .filter(|s| s.running)
        .filter_map(|s| Some(s.broker.as_ref()?.groups.views(s.node_id().0)))
        .flatten()
        .collect();
    crate::sort::sort_by(&mut groups, |a, b| a.group_id.cmp(&b.group_id));
    let members: Vec<(u32, &crate::client::consumer::Consumer)> = world
        .clients
        .iter()
        .filter(|(_, c)| c.alive)
        .filter_map(|(id, c)| match &c.role {
            ClientRole::Consumer(consumer) => Some((id.0, consumer.as_ref())),
            _ => None,
        })
        .collect();
    // Looked up once per group partition: a big cluster has thousands of them.
    let by_member: VecMap<&str, (u32, &crate::client::consumer::Consumer)> =
        members.iter().map(|&(id, c)| (c.membership.member_id.as_str(), (id, c))).collect();
    let high_watermarks: VecMap<(&str, u32), u64> = topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(move |p| ((t.name.as_str(), p.partition), p.high_watermark)))
        .collect();
    for g in &mut groups {
        for m in &mut g.members {
            m.client = by_member.get(m.member_id.as_str()).map(|(id, _)| *id);
        }
        for p in &mut g.partitions {
            p.log_end_offset = high_watermarks.get(&(p.topic.as_str(), p.partition)).copied().unwrap_or(0);
            p.lag = p.committed.map(|c| p.log_end_offset.saturating_sub(c));
            p.position = p.owner.as_ref().and_then(|owner| {
                let (_, c) = by_member.get(owner.as_str())?;
                (c.topic() == p.topic).then(|| c.positions.get(&p.partition).copied()).flatten()
            });
        }
    }
    groups
}

/// Runs a console script (the text a student would type) and returns its transcript:
/// each command after `$ `, then its output, as the browser console shows it.
///
/// A first line `ksim seed N` chooses the seed; blank lines are skipped.
pub fn run_script(script: &str, seed: u64) -> String {
    run_script_with_trace(script, seed).0
}

/// As [`run_script`], also returning the trace (what `ksim run --trace` prints).
pub fn run_script_with_trace(script: &str, seed: u64) -> (String, Trace) {
    let mut session = Session::with_mode(seed, true);
    for line in script.lines() {
        if line.trim().is_empty() && session.console.waiting() != Waiting::Continuation {
            continue;
        }
        session.input(line);
    }
    session.finish_script();
    (session.transcript(), session.world.trace.clone())
}

/// What exercises need: a scripted session fed as `ksim run` feeds it, and read access to
/// the world for checks the view does not show (topic configs).
impl Session {
    pub(crate) fn scripted(seed: u64) -> Session {
        Session::with_mode(seed, true)
    }

    /// Runs `script` as `ksim run` does, then ends whatever still holds the console.
    pub(crate) fn run_lines(&mut self, script: &str) {
        for line in script.lines() {
            if line.trim().is_empty() && self.console.waiting() != Waiting::Continuation {
                continue;
            }
            self.input(line);
        }
        self.finish_script();
    }

    pub(crate) fn world(&self) -> &World {
        &self.world
    }

    /// A column of a ksqlDB table's row (`ksql_table_row` checks).
    pub(crate) fn ksql_table_value(&self, table: &str, key: &str, column: &str) -> Result<String, String> {
        self.console.ksql_server.table_value(&self.world, table, key, column)
    }
}

/// What share links, session files and the page's exercises need (`share.rs`).
impl Session {
    /// The input log, the newest point of history, and how many inputs ran as a script.
    pub(crate) fn history(&self) -> (&[Logged], u64, usize) {
        (&self.log, self.present_events, self.scripted_inputs)
    }

    /// The seed the session began with (`ksim seed N` is an input, replayed as such).
    pub(crate) fn first_seed(&self) -> u64 {
        self.seed
    }

    /// Replays `log` into a fresh session as it happened live: each input with the cap a
    /// fork gave it, else unlimited (a replay to a limit would stop the clock at the last
    /// event instead of where `advance` left it).
    pub(crate) fn restore_history(&mut self, log: Vec<Logged>, scripted_inputs: usize) {
        for (i, l) in log.iter().enumerate() {
            self.console.scripted = self.scripted || i < scripted_inputs;
            self.world.event_limit = l.cap;
            self.apply(&l.input);
        }
        self.console.scripted = self.scripted;
        self.world.event_limit = None;
        self.log = log;
        self.scripted_inputs = scripted_inputs;
        self.present_events = self.world.events_processed();
    }

    /// After an exercise's setup ran as a script: later inputs run as typed in the page
    /// (consumers wait for Ctrl-C), and replays keep running the setup as a script.
    pub(crate) fn continue_interactively(&mut self) {
        self.scripted_inputs = self.log.len();
        self.scripted = false;
        self.console.scripted = false;
    }
}
