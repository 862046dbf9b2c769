//! A broker's partition replicas: the leader's side (produce with acks and
//! `min.insync.replicas`, fetches from consumers and followers, the high watermark over
//! the ISR, ISR shrink and expand through AlterPartition) and the follower's side (the
//! replica fetcher, with KIP-101/279 truncation of a diverged tail). An idempotent
//! producer's batch is checked against the partition's producer state first: a retried
//! duplicate is answered with its original offsets, a sequence gap is refused.

use crate::error::{ApiError, KafkaError};
use crate::ids::{Addr, NodeId, Uuid};
use crate::log_manager::{self, LogConfig, LOG_CLEANER_BACKOFF_MS};
use crate::metadata::PartitionImage;
use crate::node::{Ctx, Timer};
use crate::partition_log::{NewRecord, PartitionLog};
use crate::producer_state::{increment_sequence, ProducerBatch, ProducerCheck};
use crate::protocol::{FetchPartition, FetchedPartition, Msg};
use crate::time::SimTime;
use crate::vec_map::VecMap;

/// `replica.lag.time.max.ms`: a follower not caught up for this long leaves the ISR.
pub(crate) const REPLICA_LAG_TIME_MAX_MS: u64 = 30_000;
/// How often the leader looks for lagging followers (half the lag time, as Kafka does).
const ISR_CHECK_INTERVAL_MS: u64 = REPLICA_LAG_TIME_MAX_MS / 2;
/// `replica.fetch.wait.max.ms`.
const REPLICA_FETCH_WAIT_MS: u64 = 500;
/// A fetch or AlterPartition without an answer this long is sent again.
const REQUEST_TIMEOUT_MS: u64 = 2_000;
/// Backoff after a failed replica fetch (`replica.fetch.backoff.ms`).
const REPLICA_FETCH_BACKOFF_MS: u64 = 1_000;
/// Records per fetch response (whole batches, at least one), so catching up takes visible steps.
const FETCH_RECORDS_MAX: usize = 500;

/// What the leader knows of one follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FollowerState {
    pub(crate) log_end_offset: u64,
    pub(crate) last_fetch: SimTime,
    pub(crate) last_caught_up: SimTime,
}

#[derive(Clone)]
pub(crate) struct HostedPartition {
    pub(crate) topic_id: Uuid,
    pub(crate) log: PartitionLog,
    pub(crate) leader: Option<NodeId>,
    pub(crate) is_leader: bool,
    pub(crate) leader_epoch: u32,
    pub(crate) partition_epoch: u32,
    pub(crate) replicas: Vec<NodeId>,
    pub(crate) isr: Vec<NodeId>,
    /// `min(min.insync.replicas, replication factor)`.
    pub(crate) min_isr: usize,
    /// The topic's effective configs: segment roll, retention, compaction.
    pub(crate) config: LogConfig,
    /// Leader only.
    pub(crate) followers: VecMap<NodeId, FollowerState>,
    /// Leader only: where this leader epoch's records begin.
    epoch_start_offset: u64,
    /// Leader only: an AlterPartition under way, with the ISR it asks for.
    pending_isr: Option<(Vec<NodeId>, SimTime)>,
}

impl HostedPartition {
    fn restored(mut log: PartitionLog) -> HostedPartition {
        // Producer state is derived data: a broker loading its logs rebuilds it.
        log.rebuild_producer_state();
        HostedPartition {
            topic_id: Uuid([0; 16]),
            log,
            leader: None,
            is_leader: false,
            leader_epoch: 0,
            partition_epoch: 0,
            replicas: Vec::new(),
            isr: Vec::new(),
            min_isr: 1,
            config: LogConfig::default(),
            followers: VecMap::new(),
            epoch_start_offset: 0,
            pending_isr: None,
        }
    }

    /// The ISR counting additions still being committed ("maximal ISR").
    fn maximal_isr(&self) -> Vec<NodeId> {
        let mut isr = self.isr.clone();
        if let Some((pending, _)) = &self.pending_isr {
            isr.extend(pending.iter().filter(|r| !self.isr.contains(r)));
        }
        isr
    }
}

#[derive(Clone)]
struct ParkedFetch {
    from: Addr,
    correlation_id: u32,
    replica_id: Option<NodeId>,
    partitions: Vec<FetchPartition>,
    deadline: SimTime,
}

/// An acks=all produce waiting for the high watermark to pass its records.
#[derive(Clone)]
struct PendingProduce {
    from: Addr,
    correlation_id: u32,
    key: (String, u32),
    base_offset: u64,
    end_offset: u64,
    deadline: SimTime,
    /// The group coordinator's answer to send instead of a ProduceResponse (its writes to
    /// `__consumer_offsets`); None for a producer's request.
    internal_reply: Option<Msg>,
}

impl PendingProduce {
    /// Answers the request: the producer's ProduceResponse, or the coordinator's reply with
    /// the write's error mapped as `GroupMetadataManager` does (a commit that did not reach
    /// the ISR is COORDINATOR_NOT_AVAILABLE, a lost leadership NOT_COORDINATOR).
    fn respond(self, error: Option<KafkaError>, ctx: &mut Ctx) {
        let reply = match self.internal_reply {
            None => Msg::ProduceResponse {
                topic: self.key.0,
                partition: self.key.1,
                error: error.map(ApiError::default_for),
                base_offset: self.base_offset,
            },
            Some(Msg::OffsetCommitResponse { group_id, results }) => {
                let mapped = error.map(|e| match e {
                    KafkaError::NotLeaderOrFollower => KafkaError::NotCoordinator,
                    _ => KafkaError::CoordinatorNotAvailable,
                });
                let results =
                    results.into_iter().map(|(tp, e)| (tp, mapped.map(ApiError::default_for).or(e))).collect();
                Msg::OffsetCommitResponse { group_id, results }
            }
            Some(other) => other,
        };
        ctx.send(self.from, self.correlation_id, reply);
    }
}

#[derive(Clone)]
pub(crate) struct ReplicaManager {
    node_id: NodeId,
    pub(crate) partitions: VecMap<(String, u32), HostedPartition>,
    parked: Vec<ParkedFetch>,
    pending_produce: Vec<PendingProduce>,
    /// Follower side: the fetch under way to each leader, by when it was sent.
    fetching: VecMap<NodeId, SimTime>,
    /// Follower side: leaders not to fetch from before this time (after an error).
    backoff_until: VecMap<NodeId, SimTime>,
    /// The earliest replica timer scheduled, so moving deadlines cost no extra events.
    timer_armed: Option<SimTime>,
    isr_check_armed: bool,
    cleaner_armed: bool,
    /// AlterPartition requests for the broker to send to the active controller.
    outbox: Vec<Msg>,
    next_correlation_id: u32,
}

impl ReplicaManager {
    pub(crate) fn new(node_id: NodeId, logs: VecMap<(String, u32), PartitionLog>) -> ReplicaManager {
        ReplicaManager {
            node_id,
            partitions: logs.into_iter().map(|(k, log)| (k, HostedPartition::restored(log))).collect(),
            parked: Vec::new(),
            pending_produce: Vec::new(),
            fetching: VecMap::new(),
            backoff_until: VecMap::new(),
            timer_armed: None,
            isr_check_armed: false,
            cleaner_armed: false,
            outbox: Vec::new(),
            // Apart from the broker's own ids, for readability of traces only.
            next_correlation_id: 1 << 20,
        }
    }

    pub(crate) fn into_logs(self) -> VecMap<(String, u32), PartitionLog> {
        self.partitions.into_iter().map(|(k, h)| (k, h.log)).collect()
    }

    pub(crate) fn take_outbox(&mut self) -> Vec<Msg> {
        std::mem::take(&mut self.outbox)
    }

    fn correlation_id(&mut self) -> u32 {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    fn arm(&mut self, at: SimTime, ctx: &mut Ctx) {
        if self.timer_armed.is_none_or(|a| a > at || a < ctx.now) {
            self.timer_armed = Some(at);
            ctx.timer(at.0.saturating_sub(ctx.now.0), Timer::Replica);
        }
    }

    /// Makes a hosted replica match the committed metadata. Returns whether it exists now.
    pub(crate) fn sync(
        &mut self,
        topic: &str,
        topic_id: Uuid,
        partition: u32,
        p: &PartitionImage,
        config: &LogConfig,
        ctx: &mut Ctx,
    ) {
        let key = (topic.to_string(), partition);
        if !p.replicas.contains(&self.node_id) {
            // Reassigned away (`stopReplicas` with delete): stop following and drop the log.
            if self.partitions.get(&key).is_some_and(|h| !h.replicas.is_empty()) {
                self.abort_leader_waits(&key, ctx);
                self.partitions.remove(&key);
                ctx.trace(format!("deleted the log of {topic}-{partition}: no longer one of its replicas"));
            }
            return;
        }
        let me = self.node_id;
        let existed = self.partitions.get(&key).is_some_and(|h| !h.replicas.is_empty());
        let h =
            self.partitions.entry(key.clone()).or_insert_with(|| HostedPartition::restored(PartitionLog::default()));
        let was_leader = h.is_leader;
        let new_epoch = !existed || h.leader_epoch != p.leader_epoch;
        h.topic_id = topic_id;
        h.leader = p.leader;
        h.is_leader = p.leader == Some(me);
        h.leader_epoch = p.leader_epoch;
        h.partition_epoch = p.partition_epoch;
        h.replicas = p.replicas.clone();
        h.isr = p.isr.clone();
        h.min_isr = config.min_insync_replicas.min(p.replicas.len()).max(1);
        h.config = config.clone();
        if h.pending_isr.as_ref().is_some_and(|(want, _)| *want == h.isr) {
            h.pending_isr = None;
        }
        if new_epoch {
            let role = if h.is_leader { "leader" } else { "follower" };
            let epoch = p.leader_epoch;
            if existed {
                ctx.trace(format!("became the {role} of {topic}-{partition} (leader epoch {epoch})"));
            } else {
                ctx.trace(format!(
                    "created the log of {topic}-{partition} and became its {role} (leader epoch {epoch})"
                ));
            }
            if h.is_leader {
                // A new leader starts its epoch at its log end and gives every follower a
                // fresh lag window, as `Partition.makeLeader` does.
                h.epoch_start_offset = h.log.log_end_offset();
                h.followers = h
                    .replicas
                    .iter()
                    .filter(|r| **r != me)
                    .map(|r| (*r, FollowerState { log_end_offset: 0, last_fetch: ctx.now, last_caught_up: ctx.now }))
                    .collect();
                h.pending_isr = None;
            } else {
                h.followers.clear();
            }
        }
        if was_leader && !h.is_leader {
            self.abort_leader_waits(&key, ctx);
        }
        if self.partitions.get(&key).is_some_and(|h| h.is_leader) {
            self.maybe_increment_high_watermark(&key, ctx);
            if !self.isr_check_armed {
                self.isr_check_armed = true;
                ctx.timer(ISR_CHECK_INTERVAL_MS, Timer::IsrCheck);
            }
        }
        self.arm_cleaner(ctx);
        self.fetch_from_leaders(ctx);
    }

    pub(crate) fn remove_missing(&mut self, exists: impl Fn(&str) -> bool, ctx: &mut Ctx) {
        let removed: Vec<(String, u32)> = self.partitions.keys().filter(|(t, _)| !exists(t)).cloned().collect();
        for key in removed {
            self.abort_leader_waits(&key, ctx);
            self.partitions.remove(&key);
            ctx.trace(format!("deleted the log of {}-{}", key.0, key.1));
        }
    }

    /// A replica that stops leading answers what waited on it with NOT_LEADER_OR_FOLLOWER.
    fn abort_leader_waits(&mut self, key: &(String, u32), ctx: &mut Ctx) {
        let (gone, keep): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.pending_produce).into_iter().partition(|p| p.key == *key);
        self.pending_produce = keep;
        for p in gone {
            p.respond(Some(KafkaError::NotLeaderOrFollower), ctx);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn produce(
        &mut self,
        from: Addr,
        correlation_id: u32,
        acks: i16,
        timeout_ms: u64,
        key: (String, u32),
        records: Vec<NewRecord>,
        producer: Option<ProducerBatch>,
        ctx: &mut Ctx,
    ) {
        self.append_as_leader(from, correlation_id, acks, timeout_ms, key, records, producer, None, ctx);
    }

    /// The group coordinator's write to its `__consumer_offsets` partition (acks=all, as
    /// Kafka's coordinator writes): `reply` goes out once the ISR has the records.
    pub(crate) fn append_internal(
        &mut self,
        reply_to: Option<(Addr, u32, Msg)>,
        timeout_ms: u64,
        key: (String, u32),
        records: Vec<NewRecord>,
        ctx: &mut Ctx,
    ) {
        match reply_to {
            Some((from, correlation_id, reply)) => {
                self.append_as_leader(from, correlation_id, -1, timeout_ms, key, records, None, Some(reply), ctx)
            }
            // Nobody waits for the answer (group metadata, tombstones).
            None => self.append_as_leader(Addr::Node(self.node_id), 0, 0, timeout_ms, key, records, None, None, ctx),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn append_as_leader(
        &mut self,
        from: Addr,
        correlation_id: u32,
        acks: i16,
        timeout_ms: u64,
        key: (String, u32),
        records: Vec<NewRecord>,
        producer: Option<ProducerBatch>,
        internal_reply: Option<Msg>,
        ctx: &mut Ctx,
    ) {
        let reply = |ctx: &mut Ctx, error: Option<KafkaError>, base_offset: u64| {
            if acks != 0 {
                let pending = PendingProduce {
                    from,
                    correlation_id,
                    key: key.clone(),
                    base_offset,
                    end_offset: base_offset,
                    deadline: ctx.now,
                    internal_reply: internal_reply.clone(),
                };
                pending.respond(error, ctx);
            }
        };
        let Some(h) = self.partitions.get_mut(&key) else {
            return reply(ctx, Some(KafkaError::UnknownTopicOrPartition), 0);
        };
        if !h.is_leader {
            return reply(ctx, Some(KafkaError::NotLeaderOrFollower), 0);
        }
        if acks == -1 && h.isr.len() < h.min_isr {
            ctx.trace(format!(
                "rejected a produce to {}-{} with NOT_ENOUGH_REPLICAS: the ISR [{}] is smaller than min.insync.replicas={}",
                key.0,
                key.1,
                ids(&h.isr),
                h.min_isr
            ));
            return reply(ctx, Some(KafkaError::NotEnoughReplicas), 0);
        }
        let count = records.len() as u64;
        if h.config.compact && records.iter().any(|r| r.key.is_none()) {
            ctx.trace(format!(
                "rejected a produce to {}-{} with INVALID_RECORD: compacted topic cannot accept message without key",
                key.0, key.1
            ));
            return reply(ctx, Some(KafkaError::InvalidRecord), 0);
        }
        if let Some(batch) = producer {
            let partition = format!("{}-{}", key.0, key.1);
            let last_sequence = increment_sequence(batch.base_sequence, (count as u32).saturating_sub(1));
            match h.log.producer_state().check(batch, count as u32, h.log.log_end_offset(), &partition) {
                ProducerCheck::Append => {}
                ProducerCheck::Duplicate(original) => {
                    ctx.trace(format!(
                        "ignored a duplicate batch from producer {} (sequence {}..{last_sequence}) on {partition}: already at offset {}",
                        batch.producer_id, batch.base_sequence, original.first_offset
                    ));
                    // Kafka answers a duplicate like the original append: at once for acks=1,
                    // once the HW covers it for acks=all.
                    return self.await_replication(
                        from,
                        correlation_id,
                        acks,
                        timeout_ms,
                        key,
                        original.first_offset,
                        original.last_offset + 1,
                        None,
                        ctx,
                    );
                }
                ProducerCheck::Rejected(error, message) => {
                    ctx.trace(format!("rejected a produce to {partition} with {}: {message}", error.name()));
                    return reply(ctx, Some(error), 0);
                }
            }
        }
        let base_offset = h.log.append(records, producer, h.leader_epoch, h.config.roll, ctx.now);
        let end_offset = base_offset + count;
        ctx.trace(format!(
            "appended {count} record(s) to {}-{} at offsets {base_offset}..{} (LEO {end_offset})",
            key.0,
            key.1,
            end_offset - 1
        ));
        self.await_replication(
            from,
            correlation_id,
            acks,
            timeout_ms,
            key.clone(),
            base_offset,
            end_offset,
            internal_reply,
            ctx,
        );
        // New records: wake fetches parked at the log end (followers read up to the LEO).
        self.complete_parked(ctx, false);
    }

    /// Answers a produce whose records sit at `base_offset..end_offset`: at once for
    /// acks=1, once the HW passes `end_offset` (or the timeout) for acks=all.
    #[allow(clippy::too_many_arguments)]
    fn await_replication(
        &mut self,
        from: Addr,
        correlation_id: u32,
        acks: i16,
        timeout_ms: u64,
        key: (String, u32),
        base_offset: u64,
        end_offset: u64,
        internal_reply: Option<Msg>,
        ctx: &mut Ctx,
    ) {
        match acks {
            0 => {}
            1 => {
                let deadline = ctx.now;
                let key = key.clone();
                PendingProduce { from, correlation_id, key, base_offset, end_offset, deadline, internal_reply }
                    .respond(None, ctx);
            }
            _ => {
                let deadline = ctx.now.plus_ms(timeout_ms);
                self.pending_produce.push(PendingProduce {
                    from,
                    correlation_id,
                    key: key.clone(),
                    base_offset,
                    end_offset,
                    deadline,
                    internal_reply,
                });
                self.arm(deadline, ctx);
                // A duplicate's records may already be below the HW.
                self.complete_produces(ctx);
            }
        }
        self.maybe_increment_high_watermark(&key, ctx);
    }

    /// HW = min LEO over the (maximal) ISR, frozen while the ISR is below min ISR
    /// (KAFKA-15583); it never goes back.
    fn maybe_increment_high_watermark(&mut self, key: &(String, u32), ctx: &mut Ctx) {
        let Some(h) = self.partitions.get_mut(key) else { return };
        if !h.is_leader {
            return;
        }
        let isr = h.maximal_isr();
        if h.isr.len() < h.min_isr {
            return;
        }
        let me = self.node_id;
        let hw = isr
            .iter()
            .map(|r| if *r == me { h.log.log_end_offset() } else { h.followers.get(r).map_or(0, |f| f.log_end_offset) })
            .min()
            .unwrap_or(0);
        let before = h.log.high_watermark();
        if hw > before {
            h.log.advance_high_watermark(hw);
            ctx.trace(format!(
                "advanced the high watermark of {}-{} from {before} to {hw}: every ISR member ({}) has the records",
                key.0,
                key.1,
                ids(&isr)
            ));
            self.complete_produces(ctx);
            self.complete_parked(ctx, false);
        }
    }

    fn complete_produces(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        let partitions = &self.partitions;
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_produce).into_iter().partition(|p| {
            now >= p.deadline || partitions.get(&p.key).is_some_and(|h| h.log.high_watermark() >= p.end_offset)
        });
        self.pending_produce = waiting;
        for p in done {
            let error = match self.partitions.get(&p.key) {
                Some(h) if h.log.high_watermark() >= p.end_offset => {
                    (h.isr.len() < h.min_isr).then_some(KafkaError::NotEnoughReplicasAfterAppend)
                }
                _ => {
                    ctx.trace(format!(
                        "timed out an acks=all produce to {}-{}: the ISR did not catch up in time",
                        p.key.0, p.key.1
                    ));
                    Some(KafkaError::RequestTimedOut)
                }
            };
            p.respond(error, ctx);
        }
    }

    /// Serves a Fetch: consumers read below the HW, followers up to the LEO.
    pub(crate) fn fetch(
        &mut self,
        from: Addr,
        correlation_id: u32,
        replica_id: Option<NodeId>,
        max_wait_ms: u64,
        partitions: Vec<FetchPartition>,
        ctx: &mut Ctx,
    ) {
        if let Some(follower) = replica_id {
            self.record_follower_fetch(follower, &partitions, ctx);
        }
        let response = self.read(replica_id, &partitions);
        let has_news = response.iter().any(|p| !p.batches.is_empty() || p.error.is_some() || p.diverging.is_some());
        if has_news || max_wait_ms == 0 {
            ctx.send(from, correlation_id, Msg::FetchResponse { partitions: response });
        } else {
            let deadline = ctx.now.plus_ms(max_wait_ms);
            self.parked.push(ParkedFetch { from, correlation_id, replica_id, partitions, deadline });
            self.arm(deadline, ctx);
        }
    }

    /// The leader learns each follower's log end from its fetch offset, and widens the
    /// ISR for a follower that caught up.
    fn record_follower_fetch(&mut self, follower: NodeId, partitions: &[FetchPartition], ctx: &mut Ctx) {
        let now = ctx.now;
        for fp in partitions {
            let key = (fp.topic.clone(), fp.partition);
            let Some(h) = self.partitions.get_mut(&key) else { continue };
            if !h.is_leader || fp.current_leader_epoch != Some(h.leader_epoch) || !h.replicas.contains(&follower) {
                continue;
            }
            let leo = h.log.log_end_offset();
            let state = h.followers.entry(follower).or_insert(FollowerState {
                log_end_offset: 0,
                last_fetch: now,
                last_caught_up: now,
            });
            state.log_end_offset = fp.fetch_offset.min(leo);
            state.last_fetch = now;
            if fp.fetch_offset >= leo {
                state.last_caught_up = now;
            }
            let caught_up =
                state.log_end_offset >= h.log.high_watermark() && state.log_end_offset >= h.epoch_start_offset;
            if caught_up && !h.isr.contains(&follower) && h.pending_isr.is_none() {
                let mut new_isr = h.isr.clone();
                new_isr.push(follower);
                ctx.trace(format!(
                    "asks the controller to add broker {} back to the ISR of {}-{}: it caught up to the HW",
                    follower.0, key.0, key.1
                ));
                self.request_isr(&key, new_isr, ctx);
            }
            self.maybe_increment_high_watermark(&key, ctx);
        }
    }

    fn request_isr(&mut self, key: &(String, u32), new_isr: Vec<NodeId>, ctx: &mut Ctx) {
        let Some(h) = self.partitions.get_mut(key) else { return };
        h.pending_isr = Some((new_isr.clone(), ctx.now));
        self.outbox.push(Msg::AlterPartitionRequest {
            broker_id: self.node_id,
            topic_id: h.topic_id,
            partition: key.1,
            leader_epoch: h.leader_epoch,
            partition_epoch: h.partition_epoch,
            new_isr,
        });
    }

    /// The controller refused or lost an ISR change: forget it, the next check retries.
    pub(crate) fn on_alter_partition_response(
        &mut self,
        topic_id: Uuid,
        partition: u32,
        error: Option<ApiError>,
        ctx: &mut Ctx,
    ) {
        if let Some(e) = error {
            if let Some((key, h)) = self.partitions.iter_mut().find(|(k, h)| h.topic_id == topic_id && k.1 == partition)
            {
                h.pending_isr = None;
                ctx.trace(format!("AlterPartition for {}-{} failed with {}", key.0, key.1, e.error.name()));
            }
        }
    }

    fn read(&self, replica_id: Option<NodeId>, partitions: &[FetchPartition]) -> Vec<FetchedPartition> {
        partitions
            .iter()
            .map(|fp| {
                let mut out = FetchedPartition {
                    topic: fp.topic.clone(),
                    partition: fp.partition,
                    error: None,
                    high_watermark: 0,
                    log_start_offset: 0,
                    batches: Vec::new(),
                    diverging: None,
                };
                let error = |e: KafkaError| Some(ApiError::default_for(e));
                match self.partitions.get(&(fp.topic.clone(), fp.partition)) {
                    None => out.error = error(KafkaError::UnknownTopicOrPartition),
                    Some(h) if !h.is_leader => out.error = error(KafkaError::NotLeaderOrFollower),
                    Some(h) => {
                        out.high_watermark = h.log.high_watermark();
                        out.log_start_offset = h.log.log_start_offset();
                        let out_of_range =
                            fp.fetch_offset < h.log.log_start_offset() || fp.fetch_offset > h.log.log_end_offset();
                        match (replica_id, fp.current_leader_epoch) {
                            (Some(_), Some(e)) if e < h.leader_epoch => {
                                out.error = error(KafkaError::FencedLeaderEpoch)
                            }
                            (Some(_), Some(e)) if e > h.leader_epoch => {
                                out.error = error(KafkaError::UnknownLeaderEpoch)
                            }
                            (Some(_), _) => {
                                let diverged = fp
                                    .last_fetched_epoch
                                    .filter(|_| fp.fetch_offset > h.log.log_start_offset())
                                    .and_then(|last| {
                                        let (epoch, end) = h.log.end_offset_for_epoch(last);
                                        (epoch != last || fp.fetch_offset > end).then_some((epoch, end))
                                    });
                                match diverged {
                                    Some(d) => out.diverging = Some(d),
                                    None if out_of_range => out.error = error(KafkaError::OffsetOutOfRange),
                                    None => {
                                        out.batches =
                                            h.log.read(fp.fetch_offset, h.log.log_end_offset(), FETCH_RECORDS_MAX)
                                    }
                                }
                            }
                            (None, _) if out_of_range => out.error = error(KafkaError::OffsetOutOfRange),
                            (None, _) => {
                                out.batches = h.log.read(fp.fetch_offset, h.log.high_watermark(), FETCH_RECORDS_MAX)
                            }
                        }
                    }
                }
                out
            })
            .collect()
    }

    /// Answers parked fetches that now have news, or (on the timer) whose wait ended.
    fn complete_parked(&mut self, ctx: &mut Ctx, expire: bool) {
        let now = ctx.now;
        let mut waiting = Vec::new();
        for p in std::mem::take(&mut self.parked) {
            let response = self.read(p.replica_id, &p.partitions);
            let has_news = response.iter().any(|r| !r.batches.is_empty() || r.error.is_some() || r.diverging.is_some());
            if has_news || (expire && p.deadline <= now) {
                ctx.send(p.from, p.correlation_id, Msg::FetchResponse { partitions: response });
            } else {
                waiting.push(p);
            }
        }
        self.parked = waiting;
    }

    /// Follower side: one fetch under way per leader, for every partition it follows there.
    pub(crate) fn fetch_from_leaders(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        let mut by_leader: VecMap<NodeId, Vec<FetchPartition>> = VecMap::new();
        for ((topic, partition), h) in &self.partitions {
            let Some(leader) = h.leader.filter(|l| *l != self.node_id && !h.is_leader) else { continue };
            by_leader.entry(leader).or_default().push(FetchPartition {
                topic: topic.clone(),
                partition: *partition,
                fetch_offset: h.log.log_end_offset(),
                last_fetched_epoch: Some(h.log.last_epoch()),
                current_leader_epoch: Some(h.leader_epoch),
            });
        }
        self.fetching.retain(|leader, sent| by_leader.contains_key(leader) && now.0 < sent.0 + REQUEST_TIMEOUT_MS);
        for (leader, partitions) in by_leader {
            if self.fetching.contains_key(&leader) || self.backoff_until.get(&leader).is_some_and(|t| now < *t) {
                continue;
            }
            self.fetching.insert(leader, now);
            let correlation_id = self.correlation_id();
            let msg =
                Msg::FetchRequest { replica_id: Some(self.node_id), max_wait_ms: REPLICA_FETCH_WAIT_MS, partitions };
            ctx.send(Addr::Node(leader), correlation_id, msg);
            self.arm(now.plus_ms(REQUEST_TIMEOUT_MS), ctx);
        }
        if let Some(until) = self.backoff_until.values().copied().filter(|t| *t > now).min() {
            self.arm(until, ctx);
        }
    }

    /// Follower side: appends what the leader sent, truncates a diverged tail, follows the HW.
    pub(crate) fn on_fetch_response(&mut self, from: Addr, partitions: Vec<FetchedPartition>, ctx: &mut Ctx) {
        let Addr::Node(leader) = from else { return };
        self.fetching.remove(&leader);
        let mut failed = false;
        for fp in partitions {
            let key = (fp.topic.clone(), fp.partition);
            let Some(h) = self.partitions.get_mut(&key) else { continue };
            if h.is_leader || h.leader != Some(leader) {
                continue;
            }
            if fp.error.as_ref().is_some_and(|e| e.error == KafkaError::OffsetOutOfRange)
                && h.log.log_end_offset() < fp.log_start_offset
            {
                // `handleOffsetOutOfRange`: the leader deleted what this follower still
                // needs (retention or delete-records); start again at the leader's log start.
                ctx.trace(format!(
                    "{}-{}: offset {} is below leader {}'s log start {}; truncated fully and restarted there",
                    key.0,
                    key.1,
                    h.log.log_end_offset(),
                    leader.0,
                    fp.log_start_offset
                ));
                h.log.truncate_fully_and_start_at(fp.log_start_offset);
                continue;
            }
            if fp.error.is_some() {
                failed = true;
                continue;
            }
            if let Some((epoch, leader_end)) = fp.diverging {
                let end = h.log.end_offset_for_epoch(epoch).1.min(leader_end);
                if end < h.log.log_end_offset() {
                    ctx.trace(format!(
                        "truncated {}-{} from {} to {end}: records the new leader {} never had (leader epoch truncation, KIP-101)",
                        key.0,
                        key.1,
                        h.log.log_end_offset(),
                        leader.0
                    ));
                    h.log.truncate(end);
                }
                continue;
            }
            if !fp.batches.is_empty() {
                let before = h.log.log_end_offset();
                h.log.append_replicated(&fp.batches, h.config.roll, ctx.now);
                ctx.trace(format!(
                    "replicated {}-{} offsets {before}..{} from leader {}",
                    key.0,
                    key.1,
                    h.log.log_end_offset() - 1,
                    leader.0
                ));
            }
            h.log.follow_high_watermark(fp.high_watermark);
            h.log.follow_log_start_offset(fp.log_start_offset);
        }
        if failed {
            self.backoff_until.insert(leader, ctx.now.plus_ms(REPLICA_FETCH_BACKOFF_MS));
        }
        self.fetch_from_leaders(ctx);
    }

    /// `DeleteRecords` on the leader: the log start moves up to `offset` (-1 means the HW)
    /// and followers follow on their next fetch. Kafka also waits for every replica to
    /// get there before answering; here the leader answers at once.
    pub(crate) fn delete_records(&mut self, key: &(String, u32), offset: i64, ctx: &mut Ctx) -> Result<u64, ApiError> {
        let Some(h) = self.partitions.get_mut(key) else {
            return Err(ApiError::default_for(KafkaError::UnknownTopicOrPartition));
        };
        if !h.is_leader {
            return Err(ApiError::default_for(KafkaError::NotLeaderOrFollower));
        }
        let hw = h.log.high_watermark();
        let to = match offset {
            -1 => hw,
            o if o < 0 || o as u64 > hw => return Err(ApiError::default_for(KafkaError::OffsetOutOfRange)),
            o => o as u64,
        };
        if to > h.log.log_start_offset() {
            let before = h.log.log_start_offset();
            h.log.increment_log_start_offset(to);
            ctx.trace(format!(
                "{}-{}: deleted records below offset {to}: log start offset {before} -> {to}",
                key.0, key.1
            ));
        }
        Ok(h.log.log_start_offset())
    }

    /// Retention on every hosted log, leader or follower (each replica deletes its own segments).
    pub(crate) fn on_log_retention(&mut self, ctx: &mut Ctx) {
        for ((topic, partition), h) in &mut self.partitions {
            if let Some(what) = log_manager::apply_retention(&mut h.log, &h.config, ctx.now) {
                ctx.trace(format!("{topic}-{partition}: {what}"));
            }
        }
        // A leader's new log start may answer a follower's out-of-range fetch.
        self.complete_parked(ctx, false);
    }

    /// One cleaner pass over every compacted log (Kafka's cleaner thread takes them one at
    /// a time; the order changes nothing here). The timer runs only while one is hosted.
    pub(crate) fn on_log_cleaner(&mut self, ctx: &mut Ctx) {
        self.cleaner_armed = false;
        for ((topic, partition), h) in &mut self.partitions {
            if let Some(what) = log_manager::clean(&mut h.log, &h.config, ctx.now) {
                ctx.trace(format!("{topic}-{partition}: {what}"));
            }
        }
        self.arm_cleaner(ctx);
    }

    fn arm_cleaner(&mut self, ctx: &mut Ctx) {
        if !self.cleaner_armed && self.partitions.values().any(|h| h.config.compact) {
            self.cleaner_armed = true;
            ctx.timer(LOG_CLEANER_BACKOFF_MS, Timer::LogCleaner);
        }
    }

    /// The replica timer: expired delayed produces and fetches, timed-out or backed-off fetches.
    pub(crate) fn on_timer(&mut self, ctx: &mut Ctx) {
        if self.timer_armed.is_some_and(|a| a <= ctx.now) {
            self.timer_armed = None;
        }
        self.complete_produces(ctx);
        self.complete_parked(ctx, true);
        self.fetch_from_leaders(ctx);
        let next = [
            self.pending_produce.iter().map(|p| p.deadline).min(),
            self.parked.iter().map(|p| p.deadline).min(),
            self.fetching.values().map(|t| t.plus_ms(REQUEST_TIMEOUT_MS)).min(),
        ]
        .into_iter()
        .flatten()
        .min();
        if let Some(at) = next {
            self.arm(at, ctx);
        }
    }

    /// Every `replica.lag.time.max.ms / 2`: followers not caught up within the lag time
    /// leave the ISR (`Partition.maybeShrinkIsr`).
    pub(crate) fn on_isr_check(&mut self, ctx: &mut Ctx) {
        let now = ctx.now;
        let me = self.node_id;
        let mut shrinks = Vec::new();
        for (key, h) in &mut self.partitions {
            if !h.is_leader {
                continue;
            }
            if h.pending_isr.as_ref().is_some_and(|(_, sent)| now.0 >= sent.0 + REQUEST_TIMEOUT_MS) {
                h.pending_isr = None;
            }
            let lagging: Vec<NodeId> = h
                .isr
                .iter()
                .copied()
                .filter(|r| {
                    *r != me && h.followers.get(r).is_none_or(|f| now.0 > f.last_caught_up.0 + REPLICA_LAG_TIME_MAX_MS)
                })
                .collect();
            if !lagging.is_empty() && h.pending_isr.is_none() {
                let new_isr: Vec<NodeId> = h.isr.iter().copied().filter(|r| !lagging.contains(r)).collect();
                ctx.trace(format!(
                    "shrinks the ISR of {}-{} from {} to {}: broker(s) {} not caught up for {REPLICA_LAG_TIME_MAX_MS} ms",
                    key.0,
                    key.1,
                    ids(&h.isr),
                    ids(&new_isr),
                    ids(&lagging)
                ));
                shrinks.push((key.clone(), new_isr));
            }
        }
        for (key, isr) in shrinks {
            self.request_isr(&key, isr, ctx);
        }
        self.isr_check_armed = self.partitions.values().any(|h| h.is_leader);
        if self.isr_check_armed {
            ctx.timer(ISR_CHECK_INTERVAL_MS, Timer::IsrCheck);
        }
    }
}

fn ids(list: &[NodeId]) -> String {
    list.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(",")
}
