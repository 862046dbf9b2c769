//! KRaft's Raft (KIP-595, with KIP-996 pre-vote) replicating `__cluster_metadata-0`
//! among the controller voters; brokers fetch it as observers.
//!
//! States: Unattached (voted or not), Prospective (pre-vote, no epoch bump), Candidate,
//! Leader, Follower, Resigned. A leader commits an offset once a majority of voters have
//! it and it lies past the leader's epoch start; a follower whose log diverged truncates
//! to the end offset the leader reports for its last fetched epoch.

use crate::ids::{Addr, NodeId, Uuid};
use crate::metadata::{MetadataEntry, MetadataRecord};
use crate::node::{Ctx, Level, Target, Timer};
use crate::protocol::{Msg, RaftError};
use crate::time::SimTime;
use crate::vec_map::{VecMap, VecSet};

/// `controller.quorum.*` timing settings (Kafka's defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RaftConfig {
    pub(crate) election_timeout_ms: u64,
    pub(crate) fetch_timeout_ms: u64,
    pub(crate) election_backoff_max_ms: u64,
    pub(crate) request_timeout_ms: u64,
}

impl Default for RaftConfig {
    fn default() -> RaftConfig {
        RaftConfig {
            election_timeout_ms: 1000,
            fetch_timeout_ms: 2000,
            election_backoff_max_ms: 1000,
            request_timeout_ms: 2000,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RaftState {
    Unattached,
    Prospective,
    Candidate,
    Leader,
    Follower,
    Resigned,
}

impl RaftState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RaftState::Unattached => "Unattached",
            RaftState::Prospective => "Prospective",
            RaftState::Candidate => "Candidate",
            RaftState::Leader => "Leader",
            RaftState::Follower => "Follower",
            RaftState::Resigned => "Resigned",
        }
    }
}

/// What a controller keeps on disk: the `quorum-state` file and the log. Survives crashes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RaftDisk {
    pub(crate) epoch: u32,
    pub(crate) voted_for: Option<NodeId>,
    pub(crate) log: Vec<MetadataEntry>,
}

/// What the leader knows of one replica (voter or observer) for `DescribeQuorum`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ReplicaProgress {
    pub(crate) end_offset: u64,
    pub(crate) last_fetch: Option<SimTime>,
    /// The last time this replica's end offset reached the leader's.
    pub(crate) last_caught_up: Option<SimTime>,
    pub(crate) directory_id: Option<Uuid>,
}

/// What changed that the controller above must act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RaftEvent {
    BecameLeader,
    /// Leadership ended (a higher epoch, or resignation).
    LostLeadership,
    /// The log was cut back to this length (never below the high watermark).
    Truncated(u64),
}

/// A fetch the leader holds until it has news (new entries or a higher HW) or its wait ends.
#[derive(Clone)]
struct ParkedFetch {
    from: Addr,
    correlation_id: u32,
    fetch_offset: u64,
    high_watermark_seen: u64,
    deadline: SimTime,
}

/// Responses with more entries than this are split, so catching up takes visible steps.
const FETCH_ENTRIES_MAX: usize = 50;
/// How long a voter's fetch waits at the leader for news (`fetch.max.wait.ms` of Raft).
const FETCH_MAX_WAIT_MS: u64 = 500;
/// Base of the election backoff (`RaftUtil`): `100 × rand[0, 2^retries)`.
const BACKOFF_BASE_MS: u64 = 100;

#[derive(Clone)]
pub(crate) struct Raft {
    id: NodeId,
    /// This replica's metadata log directory (`directory.id` in meta.properties).
    pub(crate) directory_id: Uuid,
    pub(crate) voters: Vec<NodeId>,
    cfg: RaftConfig,
    pub(crate) disk: RaftDisk,
    pub(crate) state: RaftState,
    pub(crate) leader_id: Option<NodeId>,
    /// Exclusive: entries below it are committed.
    pub(crate) high_watermark: u64,
    epoch_start_offset: u64,
    /// Leader: each replica's acknowledged log end offset and fetch times.
    pub(crate) progress: VecMap<NodeId, ReplicaProgress>,
    /// Leader: voters that fetched since the last check-quorum deadline.
    fetched_since_check: VecSet<NodeId>,
    check_quorum_deadline: SimTime,
    /// Prospective/Candidate: votes.
    granted: VecSet<NodeId>,
    rejected: VecSet<NodeId>,
    pub(crate) election_deadline: SimTime,
    /// Follower: when the leader is considered gone without a successful fetch.
    pub(crate) fetch_deadline: SimTime,
    /// Follower: when the outstanding fetch was sent.
    fetch_sent: Option<SimTime>,
    /// The correlation id of the fetch under way, so a late answer to an older one is ignored.
    fetch_correlation: Option<u32>,
    retries: u32,
    parked: Vec<ParkedFetch>,
    next_correlation_id: u32,
    /// The earliest Raft timer already scheduled, so deadlines that move later cost no event.
    armed: Option<SimTime>,
    /// Observers (brokers) reach the quorum through these `host:port`s until they know the leader.
    bootstrap: Vec<String>,
    next_bootstrap: usize,
}

impl Raft {
    pub(crate) fn id(&self) -> NodeId {
        self.id
    }

    pub(crate) fn new(id: NodeId, directory_id: Uuid, voters: Vec<NodeId>, cfg: RaftConfig, disk: RaftDisk) -> Raft {
        Raft {
            id,
            directory_id,
            voters,
            cfg,
            disk,
            state: RaftState::Unattached,
            leader_id: None,
            high_watermark: 0,
            epoch_start_offset: 0,
            progress: VecMap::new(),
            fetched_since_check: VecSet::new(),
            check_quorum_deadline: SimTime::ZERO,
            granted: VecSet::new(),
            rejected: VecSet::new(),
            election_deadline: SimTime::ZERO,
            fetch_deadline: SimTime::ZERO,
            fetch_sent: None,
            fetch_correlation: None,
            retries: 0,
            parked: Vec::new(),
            next_correlation_id: 0,
            armed: None,
            bootstrap: Vec::new(),
            next_bootstrap: 0,
        }
    }

    /// A broker following the metadata log without voting.
    pub(crate) fn observer(
        id: NodeId,
        directory_id: Uuid,
        bootstrap: Vec<String>,
        cfg: RaftConfig,
        disk: RaftDisk,
    ) -> Raft {
        let mut raft = Raft::new(id, directory_id, Vec::new(), cfg, disk);
        raft.bootstrap = bootstrap;
        raft
    }

    fn is_observer(&self) -> bool {
        !self.voters.contains(&self.id)
    }

    pub(crate) fn epoch(&self) -> u32 {
        self.disk.epoch
    }

    pub(crate) fn log_end_offset(&self) -> u64 {
        self.disk.log.len() as u64
    }

    fn last_epoch(&self) -> u32 {
        self.disk.log.last().map_or(0, |e| e.epoch)
    }

    fn majority(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    fn is_voter(&self, id: NodeId) -> bool {
        self.voters.contains(&id)
    }

    fn tag(&self) -> String {
        format!("[RaftManager id={}]", self.id.0)
    }

    fn correlation_id(&mut self) -> u32 {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    fn randomized_election_timeout(&self, ctx: &mut Ctx) -> u64 {
        self.cfg.election_timeout_ms + ctx.rng.below(self.cfg.election_timeout_ms.max(1))
    }

    /// A new election deadline: `extra_ms` (a retry backoff) plus a fresh randomized
    /// election timeout from now.
    fn reset_election_deadline(&mut self, extra_ms: u64, ctx: &mut Ctx) {
        let timeout = extra_ms + self.randomized_election_timeout(ctx);
        self.election_deadline = ctx.now.plus_ms(timeout);
        self.arm(self.election_deadline, ctx);
    }

    fn backoff(&self, ctx: &mut Ctx) -> u64 {
        let span = 1u64 << self.retries.min(20);
        (BACKOFF_BASE_MS * ctx.rng.below(span)).min(self.cfg.election_backoff_max_ms)
    }

    fn arm(&mut self, at: SimTime, ctx: &mut Ctx) {
        if self.armed.is_none_or(|a| a > at || a < ctx.now) {
            self.armed = Some(at);
            ctx.timer(at.0.saturating_sub(ctx.now.0), Timer::Raft);
        }
    }

    /// Schedules the next deadline of the current state.
    fn rearm(&mut self, ctx: &mut Ctx) {
        let parked = self.parked.iter().map(|p| p.deadline).min();
        let next = match self.state {
            RaftState::Leader => Some(self.check_quorum_deadline),
            RaftState::Follower => Some(self.fetch_deadline),
            RaftState::Unattached if self.is_observer() => {
                self.fetch_sent.map(|t| t.plus_ms(self.cfg.request_timeout_ms))
            }
            _ => Some(self.election_deadline),
        };
        // Only a fetching replica has a request to re-send.
        let fetching = self.state == RaftState::Follower || self.is_observer();
        let retry = self.fetch_sent.filter(|_| fetching).map(|t| t.plus_ms(self.cfg.request_timeout_ms));
        if let Some(at) = [next, parked, retry].into_iter().flatten().min() {
            self.arm(at, ctx);
        }
    }

    /// `QuorumState`'s description of the current state (fields abridged).
    fn describe(&self, state: RaftState) -> String {
        let id = self.id.0;
        let epoch = self.epoch();
        match state {
            RaftState::Unattached => {
                let voted = self.disk.voted_for.map_or("Optional.empty".to_string(), |v| format!("Optional[{}]", v.0));
                format!("UnattachedState(epoch={epoch}, votedKey={voted})")
            }
            RaftState::Prospective => {
                format!("ProspectiveState(localId={id}, epoch={epoch}, retries={})", self.retries)
            }
            RaftState::Candidate => format!("CandidateState(localId={id}, epoch={epoch}, retries={})", self.retries),
            RaftState::Leader => {
                format!("LeaderState(localId={id}, epoch={epoch}, epochStartOffset={})", self.epoch_start_offset)
            }
            RaftState::Follower => {
                format!(
                    "FollowerState(fetchTimeoutMs={}, epoch={epoch}, leader={})",
                    self.cfg.fetch_timeout_ms,
                    self.leader_id.map_or(-1, |l| i64::from(l.0))
                )
            }
            RaftState::Resigned => format!("ResignedState(localId={id}, epoch={epoch})"),
        }
    }

    fn log_transition(&self, from_description: String, ctx: &mut Ctx) {
        let line = format!(
            "{} Completed transition to {} from {from_description} (org.apache.kafka.raft.QuorumState)",
            self.tag(),
            self.describe(self.state)
        );
        ctx.log(Level::Info, line);
    }

    /// Starts (or restarts) this voter from what its disk holds.
    pub(crate) fn start(&mut self, ctx: &mut Ctx) -> Vec<RaftEvent> {
        self.high_watermark = 0;
        if self.is_observer() {
            self.state = RaftState::Unattached;
            self.send_fetch(ctx);
            return Vec::new();
        }
        if self.voters == [self.id] {
            // The only voter elects itself without waiting (as KafkaRaftClient does).
            return self.become_candidate(ctx);
        }
        self.become_unattached(ctx);
        Vec::new()
    }

    fn become_unattached(&mut self, ctx: &mut Ctx) {
        let from = self.describe(self.state);
        self.state = RaftState::Unattached;
        self.fetch_sent = None;
        self.leader_id = None;
        self.reset_election_deadline(0, ctx);
        self.log_transition(from, ctx);
    }

    /// A higher epoch was seen: step into it, knowing its leader if given.
    fn observe_epoch(&mut self, epoch: u32, leader: Option<NodeId>, ctx: &mut Ctx) -> Vec<RaftEvent> {
        let was_leader = self.state == RaftState::Leader;
        self.disk.epoch = epoch;
        self.disk.voted_for = None;
        self.retries = 0;
        match leader {
            Some(l) if l != self.id => self.become_follower(l, ctx),
            _ if self.is_observer() => {
                self.state = RaftState::Unattached;
                self.leader_id = None;
            }
            _ => self.become_unattached(ctx),
        }
        if self.is_observer() {
            return Vec::new();
        }
        ctx.trace_controller(format!(
            "saw epoch {epoch}{}: steps down to {}",
            leader.map_or(String::new(), |l| format!(" led by controller {}", l.0)),
            self.state.name()
        ));
        if was_leader {
            vec![RaftEvent::LostLeadership]
        } else {
            Vec::new()
        }
    }

    fn become_follower(&mut self, leader: NodeId, ctx: &mut Ctx) {
        let from = self.describe(self.state);
        self.state = RaftState::Follower;
        self.leader_id = Some(leader);
        self.fetch_deadline = ctx.now.plus_ms(self.cfg.fetch_timeout_ms);
        self.fetch_sent = None;
        self.arm(self.fetch_deadline, ctx);
        if !self.is_observer() {
            self.log_transition(from, ctx);
        }
        self.send_fetch(ctx);
    }

    fn become_prospective(&mut self, ctx: &mut Ctx) {
        let from = self.describe(self.state);
        self.state = RaftState::Prospective;
        self.fetch_sent = None;
        // A former leader must not keep naming itself: voters would follow a ghost.
        if self.leader_id == Some(self.id) {
            self.leader_id = None;
        }
        self.granted = VecSet::from([self.id]);
        self.rejected.clear();
        self.reset_election_deadline(0, ctx);
        self.log_transition(from, ctx);
        ctx.trace_controller(format!(
            "election timeout: asks the other voters for a pre-vote (epoch stays {})",
            self.epoch()
        ));
        self.request_votes(true, ctx);
    }

    fn become_candidate(&mut self, ctx: &mut Ctx) -> Vec<RaftEvent> {
        let from = self.describe(self.state);
        self.state = RaftState::Candidate;
        self.fetch_sent = None;
        self.disk.epoch += 1;
        self.disk.voted_for = Some(self.id);
        self.leader_id = None;
        self.retries += 1;
        self.granted = VecSet::from([self.id]);
        self.rejected.clear();
        self.reset_election_deadline(0, ctx);
        self.log_transition(from, ctx);
        ctx.trace_controller(format!("became a candidate for epoch {} and voted for itself", self.epoch()));
        if self.granted.len() >= self.majority() {
            return self.become_leader(ctx);
        }
        self.request_votes(false, ctx);
        Vec::new()
    }

    fn request_votes(&mut self, pre_vote: bool, ctx: &mut Ctx) {
        let candidate_epoch = if pre_vote { self.epoch() + 1 } else { self.epoch() };
        let others: Vec<NodeId> = self.voters.iter().copied().filter(|v| *v != self.id).collect();
        for voter in others {
            let msg = Msg::VoteRequest {
                candidate_id: self.id,
                candidate_epoch,
                last_epoch: self.last_epoch(),
                last_end_offset: self.log_end_offset(),
                pre_vote,
            };
            let correlation_id = self.correlation_id();
            ctx.send(Addr::Node(voter), correlation_id, msg);
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx) -> Vec<RaftEvent> {
        let from = self.describe(self.state);
        self.state = RaftState::Leader;
        self.fetch_sent = None;
        self.leader_id = Some(self.id);
        self.retries = 0;
        self.epoch_start_offset = self.log_end_offset();
        self.progress = self.voters.iter().map(|v| (*v, ReplicaProgress::default())).collect();
        self.fetched_since_check.clear();
        self.check_quorum_deadline = ctx.now.plus_ms(self.cfg.fetch_timeout_ms * 3 / 2);
        self.arm(self.check_quorum_deadline, ctx);
        self.log_transition(from, ctx);
        ctx.trace_controller(format!(
            "won the election for epoch {} with {} of {} votes: it is now the active controller",
            self.epoch(),
            self.granted.len(),
            self.voters.len()
        ));
        self.append(vec![MetadataRecord::LeaderChange { leader_id: self.id, voters: self.voters.clone() }], ctx);
        let others: Vec<NodeId> = self.voters.iter().copied().filter(|v| *v != self.id).collect();
        for voter in others {
            let correlation_id = self.correlation_id();
            ctx.send(
                Addr::Node(voter),
                correlation_id,
                Msg::BeginQuorumEpochRequest { leader_id: self.id, leader_epoch: self.epoch() },
            );
        }
        vec![RaftEvent::BecameLeader]
    }

    fn resign(&mut self, ctx: &mut Ctx) -> Vec<RaftEvent> {
        let from = self.describe(self.state);
        self.state = RaftState::Resigned;
        self.parked.clear();
        self.reset_election_deadline(0, ctx);
        self.log_transition(from, ctx);
        ctx.trace_controller(format!(
            "resigned leadership of epoch {}: no fetch from a majority of voters within {} ms (check quorum)",
            self.epoch(),
            self.cfg.fetch_timeout_ms * 3 / 2
        ));
        let others: Vec<NodeId> = self.voters.iter().copied().filter(|v| *v != self.id).collect();
        for voter in others.clone() {
            let correlation_id = self.correlation_id();
            ctx.send(
                Addr::Node(voter),
                correlation_id,
                Msg::EndQuorumEpochRequest {
                    leader_id: self.id,
                    leader_epoch: self.epoch(),
                    preferred_successors: others.clone(),
                },
            );
        }
        vec![RaftEvent::LostLeadership]
    }

    /// Leader append; returns the first offset written.
    pub(crate) fn append(&mut self, records: Vec<MetadataRecord>, ctx: &mut Ctx) -> u64 {
        assert_eq!(self.state, RaftState::Leader, "only the leader appends");
        let first = self.log_end_offset();
        for record in records {
            let offset = self.log_end_offset();
            self.disk.log.push(MetadataEntry { offset, epoch: self.epoch(), appended_ms: ctx.wall_ms(), record });
        }
        let leo = self.log_end_offset();
        let directory_id = self.directory_id;
        let me = self.progress.entry(self.id).or_default();
        me.directory_id = Some(directory_id);
        me.end_offset = leo;
        me.last_fetch = Some(ctx.now);
        me.last_caught_up = Some(ctx.now);
        self.maybe_advance_high_watermark();
        self.complete_parked(ctx, false);
        first
    }

    /// HW = the largest offset a majority of voters hold, once past the epoch start.
    fn maybe_advance_high_watermark(&mut self) -> bool {
        let mut ends: Vec<u64> = self.voters.iter().map(|v| self.progress.get(v).map_or(0, |p| p.end_offset)).collect();
        ends.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = ends[self.voters.len() / 2];
        if candidate > self.epoch_start_offset && candidate > self.high_watermark {
            self.high_watermark = candidate;
            return true;
        }
        false
    }

    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx) -> Vec<RaftEvent> {
        if self.armed.is_some_and(|a| a <= ctx.now) {
            self.armed = None;
        }
        let events = self.on_deadlines(ctx);
        self.rearm(ctx);
        events
    }

    fn on_deadlines(&mut self, ctx: &mut Ctx) -> Vec<RaftEvent> {
        let now = ctx.now;
        self.complete_parked(ctx, true);
        if self.is_observer() {
            let timed_out = self.fetch_sent.is_some_and(|t| now.0 >= t.0 + self.cfg.request_timeout_ms);
            if self.state == RaftState::Follower && now >= self.fetch_deadline {
                // The leader went quiet: ask the bootstrap servers who leads now.
                self.state = RaftState::Unattached;
                self.leader_id = None;
                self.fetch_sent = None;
                self.send_fetch(ctx);
            } else if timed_out {
                self.fetch_sent = None;
                self.send_fetch(ctx);
            }
            return Vec::new();
        }
        match self.state {
            RaftState::Unattached | RaftState::Resigned if now >= self.election_deadline => {
                self.become_prospective(ctx);
                Vec::new()
            }
            RaftState::Prospective if now >= self.election_deadline => {
                // Not enough pre-votes in time: back off, then try again.
                self.retries += 1;
                let backoff = self.backoff(ctx);
                self.reset_election_deadline(backoff, ctx);
                self.granted = VecSet::from([self.id]);
                self.rejected.clear();
                self.request_votes(true, ctx);
                Vec::new()
            }
            RaftState::Candidate if now >= self.election_deadline => {
                ctx.trace_controller(format!("epoch {} election timed out without a majority", self.epoch()));
                self.become_prospective(ctx);
                Vec::new()
            }
            RaftState::Follower => {
                if now >= self.fetch_deadline {
                    ctx.trace_controller(format!(
                        "no successful fetch from leader {} for {} ms: the leader may be gone",
                        self.leader_id.map_or(0, |l| l.0),
                        self.cfg.fetch_timeout_ms
                    ));
                    self.become_prospective(ctx);
                } else if self.fetch_sent.is_some_and(|t| now.0 >= t.0 + self.cfg.request_timeout_ms) {
                    self.fetch_sent = None;
                    self.send_fetch(ctx);
                }
                Vec::new()
            }
            RaftState::Leader if now >= self.check_quorum_deadline => {
                let heard = self.fetched_since_check.len() + 1;
                if heard >= self.majority() {
                    self.fetched_since_check.clear();
                    self.check_quorum_deadline = now.plus_ms(self.cfg.fetch_timeout_ms * 3 / 2);
                    self.arm(self.check_quorum_deadline, ctx);
                    Vec::new()
                } else {
                    self.resign(ctx)
                }
            }
            _ => Vec::new(),
        }
    }

    fn send_fetch(&mut self, ctx: &mut Ctx) {
        if self.fetch_sent.is_some() {
            return;
        }
        let target = match self.leader_id {
            Some(leader) => Target::Addr(Addr::Node(leader)),
            None if self.is_observer() && !self.bootstrap.is_empty() => {
                self.next_bootstrap += 1;
                Target::HostPort(self.bootstrap[self.next_bootstrap % self.bootstrap.len()].clone())
            }
            None => return,
        };
        self.fetch_sent = Some(ctx.now);
        let msg = Msg::MetadataFetchRequest {
            replica_id: self.id,
            replica_directory_id: self.directory_id,
            fetch_offset: self.log_end_offset(),
            last_fetched_epoch: self.last_epoch(),
            max_wait_ms: FETCH_MAX_WAIT_MS,
            current_leader_epoch: self.epoch(),
        };
        let correlation_id = self.correlation_id();
        self.fetch_correlation = Some(correlation_id);
        ctx.send_to(target, correlation_id, msg);
        self.arm(ctx.now.plus_ms(self.cfg.request_timeout_ms), ctx);
    }

    /// After a state change, a follower or observer must always have a fetch under way
    /// or scheduled, or it would never hear from the quorum again.
    fn keep_fetching(&mut self, ctx: &mut Ctx) {
        if (self.state == RaftState::Follower || self.is_observer()) && self.fetch_sent.is_none() {
            match self.state {
                RaftState::Follower => self.send_fetch(ctx),
                _ => self.retry_fetch_in(BACKOFF_BASE_MS, ctx),
            }
        }
    }

    /// The deadline the current state is waiting on, for the page's countdown.
    pub(crate) fn next_deadline(&self) -> Option<(&'static str, SimTime)> {
        match self.state {
            RaftState::Leader => Some(("check quorum", self.check_quorum_deadline)),
            RaftState::Follower => Some(("fetch timeout", self.fetch_deadline)),
            RaftState::Unattached | RaftState::Prospective | RaftState::Candidate | RaftState::Resigned => {
                Some(("election timeout", self.election_deadline))
            }
        }
    }

    /// An observer's bootstrap address refused the connection: retry after a backoff.
    pub(crate) fn on_connection_refused(&mut self, ctx: &mut Ctx) {
        self.retry_fetch_in(BACKOFF_BASE_MS, ctx);
    }

    /// Counts the outstanding fetch as sent early enough that its request timeout, and so
    /// the resend, falls `ms` from now.
    fn retry_fetch_in(&mut self, ms: u64, ctx: &mut Ctx) {
        self.fetch_correlation = None;
        let resend_at = ctx.now.plus_ms(ms);
        self.fetch_sent = Some(SimTime(resend_at.0.saturating_sub(self.cfg.request_timeout_ms)));
        self.arm(resend_at, ctx);
    }

    /// Whether `(last_epoch, end_offset)` is at least as up to date as this log.
    fn log_is_behind(&self, last_epoch: u32, end_offset: u64) -> bool {
        (last_epoch, end_offset) < (self.last_epoch(), self.log_end_offset())
    }

    /// `endOffsetForEpoch`: the largest epoch ≤ `epoch` in this log and where it ends.
    fn end_offset_for_epoch(&self, epoch: u32) -> (u32, u64) {
        // Epochs never decrease along the log: the usual answer is at once, others bisect.
        if self.last_epoch() <= epoch {
            return (self.last_epoch(), self.log_end_offset());
        }
        match self.disk.log.partition_point(|e| e.epoch <= epoch) {
            0 => (0, 0),
            i => (self.disk.log[i - 1].epoch, i as u64),
        }
    }

    pub(crate) fn handle(&mut self, from: Addr, correlation_id: u32, msg: Msg, ctx: &mut Ctx) -> Vec<RaftEvent> {
        match msg {
            Msg::VoteRequest { candidate_id, candidate_epoch, last_epoch, last_end_offset, pre_vote } => self
                .on_vote_request(
                    from,
                    correlation_id,
                    candidate_id,
                    candidate_epoch,
                    last_epoch,
                    last_end_offset,
                    pre_vote,
                    ctx,
                ),
            Msg::VoteResponse { leader_epoch, leader_id, vote_granted, pre_vote } => {
                let Addr::Node(voter) = from else {
                    return Vec::new();
                };
                self.on_vote_response(voter, leader_epoch, leader_id, vote_granted, pre_vote, ctx)
            }
            Msg::BeginQuorumEpochRequest { leader_id, leader_epoch } => {
                let mut events = Vec::new();
                if leader_epoch > self.epoch()
                    || (leader_epoch == self.epoch()
                        && self.state != RaftState::Follower
                        && self.state != RaftState::Leader)
                {
                    if leader_epoch > self.epoch() {
                        events = self.observe_epoch(leader_epoch, Some(leader_id), ctx);
                    } else {
                        self.become_follower(leader_id, ctx);
                    }
                }
                ctx.send(from, correlation_id, Msg::BeginQuorumEpochResponse { leader_epoch: self.epoch() });
                events
            }
            Msg::EndQuorumEpochRequest { leader_id, leader_epoch, preferred_successors } => {
                ctx.send(from, correlation_id, Msg::EndQuorumEpochResponse { leader_epoch: self.epoch() });
                if leader_epoch == self.epoch()
                    && self.leader_id == Some(leader_id)
                    && self.state == RaftState::Follower
                {
                    // The preferred successors start their election at once, the others a
                    // little later, so the best-placed voter usually wins.
                    let position =
                        preferred_successors.iter().position(|s| *s == self.id).unwrap_or(preferred_successors.len())
                            as u64;
                    let from_state = self.describe(self.state);
                    self.state = RaftState::Unattached;
                    self.leader_id = None;
                    self.election_deadline = ctx.now.plus_ms(position * BACKOFF_BASE_MS);
                    self.arm(self.election_deadline, ctx);
                    self.log_transition(from_state, ctx);
                    ctx.trace_controller(format!("leader {} resigned epoch {leader_epoch}", leader_id.0));
                }
                Vec::new()
            }
            Msg::BeginQuorumEpochResponse { leader_epoch } | Msg::EndQuorumEpochResponse { leader_epoch } => {
                if leader_epoch > self.epoch() {
                    return self.observe_epoch(leader_epoch, None, ctx);
                }
                Vec::new()
            }
            Msg::MetadataFetchRequest {
                replica_id,
                replica_directory_id,
                fetch_offset,
                last_fetched_epoch,
                max_wait_ms,
                current_leader_epoch,
            } => {
                if let Some(p) = self.progress.get_mut(&replica_id) {
                    p.directory_id = Some(replica_directory_id);
                } else if self.state == RaftState::Leader {
                    self.progress.insert(
                        replica_id,
                        ReplicaProgress { directory_id: Some(replica_directory_id), ..ReplicaProgress::default() },
                    );
                }
                self.on_fetch_request(
                    from,
                    correlation_id,
                    replica_id,
                    fetch_offset,
                    last_fetched_epoch,
                    max_wait_ms,
                    current_leader_epoch,
                    ctx,
                )
            }
            // Only the answer to the fetch under way counts; late ones are stale.
            Msg::MetadataFetchResponse { .. } if self.fetch_correlation != Some(correlation_id) => Vec::new(),
            Msg::MetadataFetchResponse { leader_id, leader_epoch, high_watermark, entries, diverging, error } => {
                self.on_fetch_response(leader_id, leader_epoch, high_watermark, entries, diverging, error, ctx)
            }
            _ => Vec::new(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_vote_request(
        &mut self,
        from: Addr,
        correlation_id: u32,
        candidate: NodeId,
        candidate_epoch: u32,
        last_epoch: u32,
        last_end_offset: u64,
        pre_vote: bool,
        ctx: &mut Ctx,
    ) -> Vec<RaftEvent> {
        let mut events = Vec::new();
        let reply = |raft: &Raft, granted: bool, ctx: &mut Ctx| {
            ctx.send(
                from,
                correlation_id,
                Msg::VoteResponse {
                    leader_epoch: raft.epoch(),
                    leader_id: raft.leader_id,
                    vote_granted: granted,
                    pre_vote,
                },
            );
        };
        if candidate_epoch < self.epoch() || !self.is_voter(candidate) {
            reply(self, false, ctx);
            return events;
        }
        let up_to_date = !self.log_is_behind(last_epoch, last_end_offset);
        if pre_vote {
            // A voter that still hears from a leader refuses, so a partitioned node cannot
            // disrupt a healthy quorum (KIP-996).
            let has_leader = match self.state {
                RaftState::Leader => true,
                RaftState::Follower => ctx.now < self.fetch_deadline,
                _ => false,
            };
            reply(self, up_to_date && !has_leader, ctx);
            return events;
        }
        if candidate_epoch > self.epoch() {
            events = self.observe_epoch(candidate_epoch, None, ctx);
        }
        let granted = match self.disk.voted_for {
            Some(v) => v == candidate,
            None => self.leader_id.is_none() && up_to_date,
        };
        if granted && self.disk.voted_for.is_none() {
            self.disk.voted_for = Some(candidate);
            self.reset_election_deadline(0, ctx);
            ctx.trace_controller(format!("voted for controller {} in epoch {candidate_epoch}", candidate.0));
        }
        reply(self, granted, ctx);
        events
    }

    fn on_vote_response(
        &mut self,
        voter: NodeId,
        epoch: u32,
        leader: Option<NodeId>,
        granted: bool,
        pre_vote: bool,
        ctx: &mut Ctx,
    ) -> Vec<RaftEvent> {
        if epoch > self.epoch() {
            return self.observe_epoch(epoch, leader, ctx);
        }
        let counting = match self.state {
            RaftState::Prospective => pre_vote,
            RaftState::Candidate => !pre_vote && epoch == self.epoch(),
            _ => false,
        };
        if !counting {
            return Vec::new();
        }
        if granted {
            self.granted.insert(voter);
        } else {
            self.rejected.insert(voter);
        }
        if self.granted.len() >= self.majority() {
            return match self.state {
                RaftState::Prospective => {
                    ctx.trace_controller(format!(
                        "won the pre-vote with {} of {} voters",
                        self.granted.len(),
                        self.voters.len()
                    ));
                    self.become_candidate(ctx)
                }
                _ => self.become_leader(ctx),
            };
        }
        if self.rejected.len() > self.voters.len() - self.majority() && self.state == RaftState::Prospective {
            // Lost the pre-vote: follow the leader others know, or wait and retry.
            match leader {
                Some(l) if l != self.id => self.become_follower(l, ctx),
                _ => {
                    self.retries += 1;
                    let backoff = self.backoff(ctx);
                    self.reset_election_deadline(backoff, ctx);
                }
            }
        }
        Vec::new()
    }

    #[allow(clippy::too_many_arguments)]
    fn on_fetch_request(
        &mut self,
        from: Addr,
        correlation_id: u32,
        replica: NodeId,
        fetch_offset: u64,
        last_fetched_epoch: u32,
        max_wait_ms: u64,
        current_leader_epoch: u32,
        ctx: &mut Ctx,
    ) -> Vec<RaftEvent> {
        let error = if self.state != RaftState::Leader {
            Some(RaftError::NotLeaderOrFollower)
        } else if current_leader_epoch < self.epoch() {
            Some(RaftError::FencedLeaderEpoch)
        } else if current_leader_epoch > self.epoch() {
            Some(RaftError::UnknownLeaderEpoch)
        } else {
            None
        };
        if let Some(error) = error {
            let msg = Msg::MetadataFetchResponse {
                leader_id: self.leader_id,
                leader_epoch: self.epoch(),
                high_watermark: self.high_watermark,
                entries: Vec::new(),
                diverging: None,
                error: Some(error),
            };
            ctx.send(from, correlation_id, msg);
            return Vec::new();
        }
        if fetch_offset > 0 {
            let (epoch, end) = self.end_offset_for_epoch(last_fetched_epoch);
            if epoch != last_fetched_epoch || fetch_offset > end {
                let msg = Msg::MetadataFetchResponse {
                    leader_id: Some(self.id),
                    leader_epoch: self.epoch(),
                    high_watermark: self.high_watermark,
                    entries: Vec::new(),
                    diverging: Some((epoch, end)),
                    error: None,
                };
                ctx.send(from, correlation_id, msg);
                return Vec::new();
            }
        }
        let acked = fetch_offset.min(self.log_end_offset());
        let leo = self.log_end_offset();
        let entry = self.progress.entry(replica).or_default();
        entry.end_offset = entry.end_offset.max(acked);
        entry.last_fetch = Some(ctx.now);
        if acked == leo {
            entry.last_caught_up = Some(ctx.now);
        }
        if self.is_voter(replica) {
            self.fetched_since_check.insert(replica);
            if self.maybe_advance_high_watermark() {
                self.complete_parked(ctx, false);
            }
        }
        if fetch_offset < self.log_end_offset() || max_wait_ms == 0 {
            let msg = self.fetch_response(fetch_offset);
            ctx.send(from, correlation_id, msg);
        } else {
            let deadline = ctx.now.plus_ms(max_wait_ms);
            self.parked.push(ParkedFetch {
                from,
                correlation_id,
                fetch_offset,
                high_watermark_seen: self.high_watermark,
                deadline,
            });
            self.arm(deadline, ctx);
        }
        Vec::new()
    }

    fn fetch_response(&self, fetch_offset: u64) -> Msg {
        let from = (fetch_offset as usize).min(self.disk.log.len());
        let to = self.disk.log.len().min(from + FETCH_ENTRIES_MAX);
        Msg::MetadataFetchResponse {
            leader_id: Some(self.id),
            leader_epoch: self.epoch(),
            high_watermark: self.high_watermark,
            entries: self.disk.log[from..to].to_vec(),
            diverging: None,
            error: None,
        }
    }

    /// Answers parked fetches that have news, or (on a timer) whose wait ran out.
    fn complete_parked(&mut self, ctx: &mut Ctx, expire: bool) {
        let now = ctx.now;
        let leo = self.log_end_offset();
        let hw = self.high_watermark;
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.parked)
            .into_iter()
            .partition(|p| p.fetch_offset < leo || p.high_watermark_seen < hw || (expire && p.deadline <= now));
        self.parked = waiting;
        for p in ready {
            let msg = self.fetch_response(p.fetch_offset);
            ctx.send(p.from, p.correlation_id, msg);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_fetch_response(
        &mut self,
        leader: Option<NodeId>,
        epoch: u32,
        high_watermark: u64,
        entries: Vec<MetadataEntry>,
        diverging: Option<(u32, u64)>,
        error: Option<RaftError>,
        ctx: &mut Ctx,
    ) -> Vec<RaftEvent> {
        self.fetch_sent = None;
        if epoch > self.epoch() {
            let events = self.observe_epoch(epoch, leader.filter(|l| *l != self.id), ctx);
            self.keep_fetching(ctx);
            return events;
        }
        let stale = epoch < self.epoch() || error.is_some();
        if self.is_observer() && (self.state == RaftState::Unattached || stale) {
            // Follow whoever the answer names as leader; otherwise go back to the
            // bootstrap servers after a backoff (an election may be on).
            match leader.filter(|l| Some(*l) != self.leader_id || !stale) {
                Some(l) => self.become_follower(l, ctx),
                None => {
                    self.state = RaftState::Unattached;
                    self.leader_id = None;
                    self.retry_fetch_in(BACKOFF_BASE_MS, ctx);
                }
            }
            return Vec::new();
        }
        if self.state != RaftState::Follower {
            return Vec::new();
        }
        if stale {
            // A stale answer or a lost leader: keep the fetch timeout running, retry shortly.
            self.retry_fetch_in(BACKOFF_BASE_MS, ctx);
            return Vec::new();
        }
        let mut events = Vec::new();
        if let Some((epoch, leader_end)) = diverging {
            // `truncateToEndOffset`: where the leader's epoch ends in this log, and never
            // past where it ends in the leader's.
            let end = self.end_offset_for_epoch(epoch).1.min(leader_end);
            assert!(end >= self.high_watermark, "a committed entry would be truncated");
            if end < self.log_end_offset() {
                ctx.trace_controller(format!(
                    "truncated its metadata log from {} to {end}: it diverged from leader {}",
                    self.log_end_offset(),
                    leader.map_or(0, |l| l.0)
                ));
                self.disk.log.truncate(end as usize);
                events.push(RaftEvent::Truncated(end));
            }
        } else {
            for entry in entries {
                if entry.offset == self.log_end_offset() {
                    self.disk.log.push(entry);
                }
            }
            let hw = high_watermark.min(self.log_end_offset());
            if hw > self.high_watermark {
                self.high_watermark = hw;
            }
        }
        self.fetch_deadline = ctx.now.plus_ms(self.cfg.fetch_timeout_ms);
        self.arm(self.fetch_deadline, ctx);
        self.send_fetch(ctx);
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Output;
    use crate::rng::SimRng;

    fn voter(id: u32) -> Raft {
        Raft::new(
            NodeId(id),
            Uuid([id as u8; 16]),
            vec![NodeId(1), NodeId(2), NodeId(3)],
            RaftConfig::default(),
            RaftDisk::default(),
        )
    }

    fn entry(offset: u64, epoch: u32) -> MetadataEntry {
        MetadataEntry {
            offset,
            epoch,
            appended_ms: 0,
            record: MetadataRecord::FeatureLevel { name: "x".to_string(), feature_level: offset as u16 },
        }
    }

    /// Runs one handler and returns what it sent.
    fn run(
        raft: &mut Raft,
        now: u64,
        f: impl FnOnce(&mut Raft, &mut Ctx) -> Vec<RaftEvent>,
    ) -> (Vec<RaftEvent>, Vec<Msg>) {
        let mut rng = SimRng::for_stream(1, 1);
        let mut ctx = Ctx { now: SimTime(now), rng: &mut rng, out: Vec::new() };
        let events = f(raft, &mut ctx);
        let sent = ctx
            .out
            .into_iter()
            .filter_map(|o| if let Output::Send { msg, .. } = o { Some(msg) } else { None })
            .collect();
        (events, sent)
    }

    fn vote(raft: &mut Raft, candidate: u32, epoch: u32, last_epoch: u32, end: u64, pre_vote: bool) -> (bool, u32) {
        let msg = Msg::VoteRequest {
            candidate_id: NodeId(candidate),
            candidate_epoch: epoch,
            last_epoch,
            last_end_offset: end,
            pre_vote,
        };
        let (_, sent) = run(raft, 10, |r, ctx| r.handle(Addr::Node(NodeId(candidate)), 1, msg, ctx));
        match sent.as_slice() {
            [Msg::VoteResponse { vote_granted, leader_epoch, .. }] => (*vote_granted, *leader_epoch),
            other => panic!("expected one VoteResponse, got {other:?}"),
        }
    }

    #[test]
    fn a_vote_is_granted_once_per_epoch() {
        let mut r = voter(1);
        assert_eq!(vote(&mut r, 2, 1, 0, 0, false), (true, 1));
        assert_eq!(r.disk.voted_for, Some(NodeId(2)));
        assert_eq!(vote(&mut r, 3, 1, 0, 0, false), (false, 1), "already voted for 2 in epoch 1");
        assert_eq!(vote(&mut r, 2, 1, 0, 0, false), (true, 1), "the same candidate asking again");
    }

    #[test]
    fn stale_epochs_and_shorter_logs_are_refused() {
        let mut r = voter(1);
        r.disk.epoch = 3;
        r.disk.log = vec![entry(0, 1), entry(1, 3)];
        assert_eq!(vote(&mut r, 2, 2, 1, 1, false), (false, 3), "candidate epoch below ours");
        assert_eq!(vote(&mut r, 2, 4, 1, 5, false), (false, 4), "last epoch 1 < our 3, however long");
        assert_eq!(r.epoch(), 4, "a higher epoch is adopted even when the vote is refused");
        assert_eq!(vote(&mut r, 3, 4, 3, 2, false), (true, 4), "(3, 2) is as up to date as ours");
    }

    #[test]
    fn pre_votes_change_nothing_and_are_refused_while_a_leader_is_heard() {
        let mut r = voter(1);
        assert_eq!(vote(&mut r, 2, 1, 0, 0, true), (true, 0));
        assert_eq!((r.epoch(), r.disk.voted_for), (0, None), "a pre-vote bumps no epoch and records no vote");
        run(&mut r, 10, |r, ctx| {
            r.handle(
                Addr::Node(NodeId(3)),
                1,
                Msg::BeginQuorumEpochRequest { leader_id: NodeId(3), leader_epoch: 1 },
                ctx,
            )
        });
        assert_eq!(r.state, RaftState::Follower);
        assert!(!vote(&mut r, 2, 2, 0, 0, true).0, "still fetching from leader 3");
    }

    #[test]
    fn begin_quorum_epoch_makes_a_follower_that_fetches() {
        let mut r = voter(2);
        let (_, sent) = run(&mut r, 5, |r, ctx| {
            r.handle(
                Addr::Node(NodeId(1)),
                7,
                Msg::BeginQuorumEpochRequest { leader_id: NodeId(1), leader_epoch: 2 },
                ctx,
            )
        });
        assert_eq!((r.state, r.leader_id, r.epoch()), (RaftState::Follower, Some(NodeId(1)), 2));
        assert!(sent
            .iter()
            .any(|m| matches!(m, Msg::MetadataFetchRequest { fetch_offset: 0, current_leader_epoch: 2, .. })));
        assert!(sent.iter().any(|m| matches!(m, Msg::BeginQuorumEpochResponse { leader_epoch: 2 })));
    }

    fn leader_with(log: Vec<MetadataEntry>, epoch: u32) -> Raft {
        let mut r = voter(1);
        r.disk.log = log;
        r.disk.epoch = epoch - 1;
        run(&mut r, 0, |r, ctx| r.become_candidate(ctx));
        r.granted.insert(NodeId(2));
        run(&mut r, 0, |r, ctx| r.become_leader(ctx));
        assert_eq!(r.state, RaftState::Leader);
        r
    }

    fn fetch(r: &mut Raft, from: u32, offset: u64, last_epoch: u32, epoch: u32) -> Msg {
        let msg = Msg::MetadataFetchRequest {
            replica_id: NodeId(from),
            replica_directory_id: Uuid([0; 16]),
            fetch_offset: offset,
            last_fetched_epoch: last_epoch,
            max_wait_ms: 0,
            current_leader_epoch: epoch,
        };
        let (_, sent) = run(r, 20, |r, ctx| r.handle(Addr::Node(NodeId(from)), 1, msg, ctx));
        sent.into_iter().last().expect("a fetch response")
    }

    #[test]
    fn the_leader_commits_only_what_a_majority_holds_past_its_epoch_start() {
        let mut r = leader_with(vec![entry(0, 1), entry(1, 1)], 2);
        assert_eq!(r.log_end_offset(), 3, "the LeaderChange record starts epoch 2");
        fetch(&mut r, 2, 2, 1, 2);
        assert_eq!(r.high_watermark, 0, "offset 2 is not past the epoch start (2)");
        fetch(&mut r, 2, 3, 2, 2);
        assert_eq!(r.high_watermark, 3, "leader and voter 2 hold 3 entries: a majority of 3");
    }

    #[test]
    fn fetches_from_other_epochs_are_fenced_or_unknown() {
        let mut r = leader_with(Vec::new(), 3);
        assert!(matches!(
            fetch(&mut r, 2, 0, 0, 2),
            Msg::MetadataFetchResponse { error: Some(RaftError::FencedLeaderEpoch), .. }
        ));
        assert!(matches!(
            fetch(&mut r, 2, 0, 0, 4),
            Msg::MetadataFetchResponse { error: Some(RaftError::UnknownLeaderEpoch), .. }
        ));
    }

    #[test]
    fn a_divergent_follower_is_told_where_to_truncate() {
        // The leader's log: epochs 1,1,3 (then its LeaderChange in epoch 4).
        let mut r = leader_with(vec![entry(0, 1), entry(1, 1), entry(2, 3)], 4);
        // A follower with entries 0..=3 whose last is from epoch 2, which the leader never had.
        match fetch(&mut r, 2, 4, 2, 4) {
            Msg::MetadataFetchResponse { diverging: Some((1, 2)), .. } => {}
            other => panic!("expected diverging (epoch 1, end 2), got {other:?}"),
        }
        let mut f = voter(2);
        f.disk.epoch = 4;
        f.disk.log = vec![entry(0, 1), entry(1, 1), entry(2, 2), entry(3, 2)];
        run(&mut f, 0, |f, ctx| {
            f.become_follower(NodeId(1), ctx);
            Vec::new()
        });
        let correlation = f.fetch_correlation.expect("a fetch is under way");
        let response = Msg::MetadataFetchResponse {
            leader_id: Some(NodeId(1)),
            leader_epoch: 4,
            high_watermark: 0,
            entries: Vec::new(),
            diverging: Some((1, 2)),
            error: None,
        };
        let (events, _) = run(&mut f, 30, |f, ctx| f.handle(Addr::Node(NodeId(1)), correlation, response, ctx));
        assert_eq!(events, vec![RaftEvent::Truncated(2)]);
        assert_eq!(f.log_end_offset(), 2);
    }

    #[test]
    fn a_leader_that_hears_from_no_majority_resigns() {
        let mut r = leader_with(Vec::new(), 1);
        let check = r.check_quorum_deadline.0;
        let (events, sent) = run(&mut r, check, |r, ctx| r.on_timer(ctx));
        assert_eq!(events, vec![RaftEvent::LostLeadership]);
        assert_eq!(r.state, RaftState::Resigned);
        assert_eq!(sent.iter().filter(|m| matches!(m, Msg::EndQuorumEpochRequest { .. })).count(), 2);
    }
}
