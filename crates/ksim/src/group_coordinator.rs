//! The group coordinator of the classic consumer-group protocol (KIP-345-free, eager and
//! cooperative rebalances alike): JoinGroup, SyncGroup, Heartbeat, LeaveGroup, committed
//! offsets, and the admin calls on groups.
//!
//! Every broker runs one. It coordinates the groups whose `__consumer_offsets` partition
//! it leads (`abs(groupId.hashCode()) % offsets.topic.num.partitions`): commits and group
//! metadata are written to that partition as records, and a broker that becomes its
//! leader rebuilds the groups by reading the log from the start.
//!
//! Simplifications, said in the docs and the trace: commits are applied when written to
//! the leader's log (Kafka waits until the ISR has them, which is when we answer); a
//! coordinator that takes over a group restores its committed offsets and generation but
//! not its members, who find out on their next heartbeat (UNKNOWN_MEMBER_ID) and rejoin;
//! no static membership (`group.instance.id`); the records' keys and values are JSON
//! text in the shape Kafka's `OffsetsMessageFormatter` prints, not Kafka's binary schema.
//!
//! A group id names either a classic group or a KIP-848 consumer group
//! ([`crate::consumer_group`], `Group::consumer`); both keep their committed offsets here.

use crate::assignor::ServerAssignor;
use crate::consumer_group::{ConsumerGroup, ConsumerGroupSettings, Heartbeat, MemberSummary};
use crate::error::{ApiError, KafkaError};
use crate::ids::Addr;
use crate::json::{self, quote, Json};
use crate::node::Ctx;
use crate::partition_log::NewRecord;
use crate::protocol::{GroupDescription, GroupMemberDescription, GroupSubscription, ListedGroup, Msg};
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::vec_map::{VecMap, VecSet};

pub(crate) const OFFSETS_TOPIC: &str = "__consumer_offsets";
/// `offsets.commit.timeout.ms`: how long a commit may wait for the ISR.
pub(crate) const OFFSETS_COMMIT_TIMEOUT_MS: u64 = 5000;
/// `group.initial.rebalance.delay.ms`'s default (the sample server.properties sets 0).
pub(crate) const INITIAL_REBALANCE_DELAY_MS_DEFAULT: u64 = 3000;

/// The group's partition of `__consumer_offsets`: `Utils.abs(groupId.hashCode()) % n`.
pub(crate) fn partition_for(group_id: &str, partitions: u32) -> u32 {
    let hash = crate::java::string_hash(group_id);
    // Utils.abs maps Integer.MIN_VALUE to 0 rather than overflowing.
    let abs = if hash == i32::MIN { 0 } else { hash.unsigned_abs() };
    abs % partitions.max(1)
}

/// A `java.util.UUID.randomUUID().toString()`, as member ids carry.
fn java_uuid(rng: &mut SimRng) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// `ClassicGroupState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

#[derive(Clone, Debug)]
struct Member {
    client_id: String,
    client_host: String,
    session_timeout_ms: u64,
    rebalance_timeout_ms: u64,
    protocols: Vec<(String, GroupSubscription)>,
    assignment: Vec<(String, u32)>,
    /// A JoinGroup parked until the rebalance's join phase ends.
    awaiting_join: Option<(Addr, u32)>,
    /// A SyncGroup parked until the leader brings the assignment.
    awaiting_sync: Option<(Addr, u32)>,
    /// No heartbeat (or join, sync, commit) by then: the session expired.
    session_deadline: SimTime,
}

#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub(crate) state: GroupState,
    pub(crate) generation_id: i32,
    protocol_type: Option<String>,
    protocol: Option<String>,
    leader: Option<String>,
    members: VecMap<String, Member>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, by when they must join with it.
    pending: VecMap<String, SimTime>,
    /// When the join phase of the current rebalance ends at the latest.
    join_deadline: Option<SimTime>,
    /// Committed offsets by topic-partition.
    pub(crate) offsets: VecMap<(String, u32), u64>,
    /// Its `__consumer_offsets` partition.
    partition: u32,
    /// Some: a KIP-848 consumer group (`group.protocol=consumer`), whose members live there.
    pub(crate) consumer: Option<ConsumerGroup>,
}

impl Group {
    fn new(partition: u32) -> Group {
        Group {
            state: GroupState::Empty,
            generation_id: 0,
            protocol_type: None,
            protocol: None,
            leader: None,
            members: VecMap::new(),
            pending: VecMap::new(),
            join_deadline: None,
            offsets: VecMap::new(),
            partition,
            consumer: None,
        }
    }

    /// A KIP-848 consumer group.
    fn new_consumer(partition: u32, consumer: ConsumerGroup) -> Group {
        let mut g = Group::new(partition);
        g.protocol_type = Some("consumer".to_string());
        g.consumer = Some(consumer);
        g
    }

    /// `Empty`, `Stable`… of whichever protocol the group speaks.
    fn state_name(&self) -> &'static str {
        match &self.consumer {
            Some(c) => c.state().name(),
            None => self.state.name(),
        }
    }

    /// The assignors every member supports, in the first member's order of preference.
    fn candidate_protocols(&self) -> Vec<String> {
        let mut members = self.members.values();
        let Some(first) = members.next() else { return Vec::new() };
        let mut candidates: Vec<String> = first.protocols.iter().map(|(n, _)| n.clone()).collect();
        for m in members {
            candidates.retain(|c| m.protocols.iter().any(|(n, _)| n == c));
        }
        candidates
    }

    /// `ClassicGroup.selectProtocol`: each member votes for its most preferred candidate;
    /// the most votes wins (ties to the earlier candidate).
    fn select_protocol(&self) -> Option<String> {
        let candidates = self.candidate_protocols();
        let mut votes: Vec<(String, usize)> = candidates.iter().map(|c| (c.clone(), 0)).collect();
        for m in self.members.values() {
            if let Some((name, _)) = m.protocols.iter().find(|(n, _)| candidates.contains(n)) {
                if let Some(v) = votes.iter_mut().find(|(c, _)| c == name) {
                    v.1 += 1;
                }
            }
        }
        let best = votes.iter().map(|(_, n)| *n).max()?;
        votes.into_iter().find(|(_, n)| *n == best).map(|(c, _)| c)
    }

    fn all_joined(&self) -> bool {
        self.pending.is_empty() && self.members.values().all(|m| m.awaiting_join.is_some())
    }

    pub(crate) fn description(&self, group_id: &str) -> GroupDescription {
        if let Some(c) = &self.consumer {
            return GroupDescription {
                group_id: group_id.to_string(),
                error: None,
                state: c.state().name().to_string(),
                protocol_type: "consumer".to_string(),
                protocol: c.assignor.clone().unwrap_or_default(),
                coordinator: None,
                members: c
                    .members()
                    .map(|m| GroupMemberDescription {
                        member_id: m.member_id.to_string(),
                        client_id: m.client_id.to_string(),
                        client_host: "/127.0.0.1".to_string(),
                        assignment: m.assignment,
                    })
                    .collect(),
            };
        }
        GroupDescription {
            group_id: group_id.to_string(),
            error: None,
            state: self.state.name().to_string(),
            protocol_type: self.protocol_type.clone().unwrap_or_default(),
            protocol: if self.state == GroupState::Stable {
                self.protocol.clone().unwrap_or_default()
            } else {
                String::new()
            },
            coordinator: None,
            members: self
                .members
                .iter()
                .map(|(id, m)| GroupMemberDescription {
                    member_id: id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    assignment: if self.state == GroupState::Stable { m.assignment.clone() } else { Vec::new() },
                })
                .collect(),
        }
    }
}

/// A record the coordinator wants in its `__consumer_offsets` partition, and the answer to
/// send once the ISR has it.
#[derive(Clone)]
pub(crate) struct OffsetsWrite {
    pub(crate) partition: u32,
    pub(crate) records: Vec<NewRecord>,
    pub(crate) reply: Option<(Addr, u32, Msg)>,
}

/// What the broker tells the coordinator about itself on every call.
pub(crate) struct CoordinatorSettings {
    pub(crate) offsets_partitions: u32,
    pub(crate) initial_rebalance_delay_ms: u64,
    /// `group.consumer.session.timeout.ms`, `group.consumer.heartbeat.interval.ms`.
    pub(crate) consumer_session_timeout_ms: u64,
    pub(crate) consumer_heartbeat_interval_ms: u64,
    /// `group.consumer.assignors`.
    pub(crate) consumer_assignors: Vec<ServerAssignor>,
    /// Partition counts of the topics in the broker's metadata image.
    pub(crate) topics: VecMap<String, u32>,
}

impl CoordinatorSettings {
    fn consumer_group(&self) -> ConsumerGroupSettings<'_> {
        ConsumerGroupSettings {
            session_timeout_ms: self.consumer_session_timeout_ms,
            heartbeat_interval_ms: self.consumer_heartbeat_interval_ms,
            assignors: &self.consumer_assignors,
            topics: &self.topics,
        }
    }
}

#[derive(Clone, Default)]
pub(crate) struct GroupCoordinator {
    pub(crate) groups: VecMap<String, Group>,
    /// The `__consumer_offsets` partitions this broker leads, whose groups it serves.
    pub(crate) loaded: VecSet<u32>,
    /// Writes for the broker to append (drained after every call).
    pub(crate) writes: Vec<OffsetsWrite>,
}

fn err(e: KafkaError) -> Option<ApiError> {
    Some(ApiError::default_for(e))
}

fn join_error(e: KafkaError, member_id: &str) -> Msg {
    Msg::JoinGroupResponse {
        error: err(e),
        generation_id: -1,
        protocol_name: None,
        leader: String::new(),
        member_id: member_id.to_string(),
        members: Vec::new(),
    }
}

fn heartbeat_error(e: ApiError) -> Msg {
    Msg::ConsumerGroupHeartbeatResponse {
        error: Some(e),
        member_id: String::new(),
        member_epoch: 0,
        heartbeat_interval_ms: 0,
        assignment: None,
    }
}

fn commit_key(group: &str, topic: &str, partition: u32) -> String {
    format!("{{\"group\":{},\"topic\":{},\"partition\":{partition}}}", quote(group), quote(topic))
}

fn group_key(group: &str) -> String {
    format!("{{\"group\":{}}}", quote(group))
}

impl GroupCoordinator {
    /// Serves the group's requests only if its partition is loaded here.
    fn owns(&self, group_id: &str, settings: &CoordinatorSettings) -> bool {
        self.loaded.contains(&partition_for(group_id, settings.offsets_partitions))
    }

    /// The broker became the leader of `partition`: rebuild its groups from the log.
    pub(crate) fn load<'a>(
        &mut self,
        partition: u32,
        records: impl Iterator<Item = crate::partition_log::Record<'a>>,
        ctx: &mut Ctx,
    ) {
        if !self.loaded.insert(partition) {
            return;
        }
        let mut groups: VecMap<String, Group> = VecMap::new();
        for r in records {
            let Some(key) = r.key().and_then(|k| std::str::from_utf8(k).ok()).and_then(json::parse) else {
                continue;
            };
            let Some(group_id) = key.get("group").and_then(Json::as_str).map(str::to_string) else { continue };
            let value = r.value().and_then(|v| std::str::from_utf8(v).ok()).and_then(json::parse);
            let topic = key.get("topic").and_then(Json::as_str);
            let p = key.get("partition").and_then(Json::as_i64).and_then(|p| u32::try_from(p).ok());
            match (topic, p, value) {
                (Some(t), Some(p), Some(v)) => {
                    if let Some(offset) = v.get("offset").and_then(Json::as_i64).and_then(|o| u64::try_from(o).ok()) {
                        groups
                            .entry(group_id)
                            .or_insert_with(|| Group::new(partition))
                            .offsets
                            .insert((t.to_string(), p), offset);
                    }
                }
                (Some(t), Some(p), None) => {
                    if let Some(g) = groups.get_mut(&group_id) {
                        g.offsets.remove(&(t.to_string(), p));
                    }
                }
                (None, _, Some(v)) if v.get("groupEpoch").is_some() => {
                    // A consumer group (KIP-848): its epoch survives, its members rejoin.
                    let epoch =
                        v.get("groupEpoch").and_then(Json::as_i64).and_then(|n| i32::try_from(n).ok()).unwrap_or(0);
                    let assignor = v.get("assignor").and_then(Json::as_str).map(str::to_string);
                    let restored = ConsumerGroup::restored(epoch, assignor);
                    let g = groups.entry(group_id).or_insert_with(|| Group::new(partition));
                    g.protocol_type = Some("consumer".to_string());
                    g.generation_id = epoch;
                    g.consumer = Some(restored);
                }
                (None, _, Some(v)) => {
                    let g = groups.entry(group_id).or_insert_with(|| Group::new(partition));
                    g.consumer = None;
                    g.generation_id =
                        v.get("generation").and_then(Json::as_i64).and_then(|n| i32::try_from(n).ok()).unwrap_or(0);
                    g.protocol_type = v.get("protocolType").and_then(Json::as_str).map(str::to_string);
                    g.protocol = v.get("protocol").and_then(Json::as_str).map(str::to_string);
                }
                (None, _, None) => {
                    groups.remove(&group_id);
                }
                _ => {}
            }
        }
        if !groups.is_empty() {
            let names: Vec<&str> = groups.keys().map(String::as_str).collect();
            ctx.trace(format!(
                "became the group coordinator for {OFFSETS_TOPIC}-{partition}: loaded group(s) {} from the log",
                names.join(", ")
            ));
        }
        self.groups.extend(groups);
    }

    /// The broker no longer leads `partition`: its groups move to the new leader.
    pub(crate) fn unload(&mut self, partition: u32, ctx: &mut Ctx) {
        if !self.loaded.remove(&partition) {
            return;
        }
        let moving: Vec<String> =
            self.groups.iter().filter(|(_, g)| g.partition == partition).map(|(n, _)| n.clone()).collect();
        for name in moving {
            if let Some(g) = self.groups.remove(&name) {
                for m in g.members.values() {
                    if let Some((to, c)) = m.awaiting_join {
                        ctx.send(to, c, join_error(KafkaError::NotCoordinator, ""));
                    }
                    if let Some((to, c)) = m.awaiting_sync {
                        ctx.send(
                            to,
                            c,
                            Msg::SyncGroupResponse { error: err(KafkaError::NotCoordinator), assignment: Vec::new() },
                        );
                    }
                }
            }
        }
    }

    /// The page's view of the groups this broker coordinates (positions, log ends and lag
    /// are filled in by the session, which sees clients and logs).
    pub(crate) fn views(&self, coordinator: u32) -> Vec<crate::view::GroupView> {
        use crate::view::{GroupMemberView, GroupPartitionView, GroupView};
        self.groups
            .iter()
            .map(|(id, g)| {
                let mut partitions: VecMap<(String, u32), GroupPartitionView> = VecMap::new();
                let mut entry = |tp: &(String, u32)| {
                    partitions.entry(tp.clone()).or_insert_with(|| GroupPartitionView {
                        topic: tp.0.clone(),
                        partition: tp.1,
                        owner: None,
                        position: None,
                        committed: None,
                        log_end_offset: 0,
                        lag: None,
                    });
                };
                for tp in g.offsets.keys() {
                    entry(tp);
                }
                if let Some(c) = &g.consumer {
                    // Each member owns its current assignment, reconciled or not.
                    let members: Vec<MemberSummary> = c.members().collect();
                    for m in &members {
                        for tp in &m.assignment {
                            entry(tp);
                        }
                    }
                    // Owners looked up once: a big group owns thousands of partitions.
                    let mut owners: VecMap<&(String, u32), &str> = VecMap::new();
                    for m in &members {
                        for tp in &m.assignment {
                            owners.entry(tp).or_insert(m.member_id);
                        }
                    }
                    for (tp, view) in partitions.iter_mut() {
                        view.committed = g.offsets.get(tp).copied();
                        view.owner = owners.get(tp).map(|id| id.to_string());
                    }
                    return GroupView {
                        group_id: id.clone(),
                        state: c.state().name().to_string(),
                        generation_id: c.group_epoch,
                        protocol: c.assignor.clone(),
                        coordinator,
                        offsets_partition: g.partition,
                        members: members
                            .iter()
                            .map(|m| GroupMemberView {
                                member_id: m.member_id.to_string(),
                                client_id: m.client_id.to_string(),
                                client: None,
                                is_leader: false,
                                assignment: m.assignment.iter().map(|(t, p)| format!("{t}-{p}")).collect(),
                            })
                            .collect(),
                        partitions: partitions.into_values().collect(),
                    };
                }
                let stable = g.state == GroupState::Stable;
                for m in g.members.values().filter(|_| stable) {
                    for tp in &m.assignment {
                        entry(tp);
                    }
                }
                let mut owners: VecMap<&(String, u32), &String> = VecMap::new();
                for (member_id, m) in g.members.iter().filter(|_| stable) {
                    for tp in &m.assignment {
                        owners.entry(tp).or_insert(member_id);
                    }
                }
                for (tp, view) in partitions.iter_mut() {
                    view.committed = g.offsets.get(tp).copied();
                    view.owner = owners.get(tp).map(|id| (*id).clone());
                }
                GroupView {
                    group_id: id.clone(),
                    state: g.state.name().to_string(),
                    generation_id: g.generation_id,
                    protocol: g.protocol.clone(),
                    coordinator,
                    offsets_partition: g.partition,
                    members: g
                        .members
                        .iter()
                        .map(|(member_id, m)| GroupMemberView {
                            member_id: member_id.clone(),
                            client_id: m.client_id.clone(),
                            client: None,
                            is_leader: g.leader.as_deref() == Some(member_id.as_str()),
                            assignment: if stable {
                                m.assignment.iter().map(|(t, p)| format!("{t}-{p}")).collect()
                            } else {
                                Vec::new()
                            },
                        })
                        .collect(),
                    partitions: partitions.into_values().collect(),
                }
            })
            .collect()
    }

    /// The earliest group deadline (sessions, join phases), for the broker's timer.
    pub(crate) fn next_deadline(&self) -> Option<SimTime> {
        self.groups
            .values()
            .flat_map(|g| {
                g.members
                    .values()
                    .filter(|m| m.awaiting_join.is_none())
                    .map(|m| m.session_deadline)
                    .chain(g.pending.values().copied())
                    .chain(g.join_deadline)
                    .chain(g.consumer.as_ref().and_then(ConsumerGroup::next_deadline))
            })
            .min()
    }

    /// Handles a group request; returns false if it is not one.
    pub(crate) fn handle(
        &mut self,
        from: Addr,
        correlation_id: u32,
        msg: Msg,
        settings: &CoordinatorSettings,
        ctx: &mut Ctx,
    ) -> bool {
        let group_id = match &msg {
            Msg::JoinGroupRequest { group_id, .. }
            | Msg::SyncGroupRequest { group_id, .. }
            | Msg::HeartbeatRequest { group_id, .. }
            | Msg::LeaveGroupRequest { group_id, .. }
            | Msg::OffsetCommitRequest { group_id, .. }
            | Msg::OffsetFetchRequest { group_id, .. }
            | Msg::ConsumerGroupHeartbeatRequest { group_id, .. } => group_id.clone(),
            Msg::ListGroupsRequest => {
                let groups = self
                    .groups
                    .iter()
                    .filter(|(_, g)| g.state != GroupState::Dead)
                    .map(|(id, g)| ListedGroup {
                        group_id: id.clone(),
                        protocol_type: g.protocol_type.clone().unwrap_or_default(),
                        state: g.state_name().to_string(),
                    })
                    .collect();
                ctx.send(from, correlation_id, Msg::ListGroupsResponse { groups });
                return true;
            }
            Msg::DescribeGroupsRequest { group_ids } => {
                let groups = group_ids
                    .iter()
                    .map(|id| match self.groups.get(id) {
                        _ if !self.owns(id, settings) => GroupDescription {
                            group_id: id.clone(),
                            error: err(KafkaError::NotCoordinator),
                            state: String::new(),
                            protocol_type: String::new(),
                            protocol: String::new(),
                            coordinator: None,
                            members: Vec::new(),
                        },
                        Some(g) => g.description(id),
                        None => {
                            let mut d = Group::new(0).description(id);
                            d.state = GroupState::Dead.name().to_string();
                            d
                        }
                    })
                    .collect();
                ctx.send(from, correlation_id, Msg::DescribeGroupsResponse { groups });
                return true;
            }
            Msg::DeleteGroupsRequest { group_ids } => {
                let results = group_ids.iter().map(|id| (id.clone(), self.delete_group(id, settings, ctx))).collect();
                ctx.send(from, correlation_id, Msg::DeleteGroupsResponse { results });
                return true;
            }
            _ => return false,
        };
        if !self.owns(&group_id, settings) {
            let e = KafkaError::NotCoordinator;
            let reply = match msg {
                Msg::JoinGroupRequest { member_id, .. } => join_error(e, &member_id),
                Msg::SyncGroupRequest { .. } => Msg::SyncGroupResponse { error: err(e), assignment: Vec::new() },
                Msg::HeartbeatRequest { .. } => Msg::HeartbeatResponse { error: err(e) },
                Msg::LeaveGroupRequest { .. } => Msg::LeaveGroupResponse { error: err(e) },
                Msg::OffsetCommitRequest { group_id, offsets, .. } => Msg::OffsetCommitResponse {
                    group_id,
                    results: offsets.into_iter().map(|(tp, _)| (tp, err(e))).collect(),
                },
                Msg::OffsetFetchRequest { group_id, .. } => {
                    Msg::OffsetFetchResponse { group_id, error: err(e), offsets: Vec::new() }
                }
                Msg::ConsumerGroupHeartbeatRequest { .. } => heartbeat_error(ApiError::default_for(e)),
                _ => return true,
            };
            ctx.send(from, correlation_id, reply);
            return true;
        }
        match msg {
            Msg::JoinGroupRequest {
                group_id,
                member_id,
                client_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
            } => {
                let join = Join { client_id, session_timeout_ms, rebalance_timeout_ms, protocols };
                self.join(from, correlation_id, &group_id, member_id, join, settings, ctx);
            }
            Msg::SyncGroupRequest { group_id, generation_id, member_id, assignments } => {
                self.sync(from, correlation_id, &group_id, generation_id, &member_id, assignments, ctx);
            }
            Msg::HeartbeatRequest { group_id, generation_id, member_id } => {
                let error = self.heartbeat(&group_id, generation_id, &member_id, ctx);
                ctx.send(from, correlation_id, Msg::HeartbeatResponse { error: error.and_then(err) });
            }
            Msg::LeaveGroupRequest { group_id, member_id } => {
                let error = match self.groups.get_mut(&group_id) {
                    Some(g) if g.members.contains_key(&member_id) => {
                        ctx.trace(format!("member {member_id} left group {group_id}"));
                        self.remove_member(
                            &group_id,
                            &member_id,
                            "the member left the group (LeaveGroup)",
                            settings,
                            ctx,
                        );
                        None
                    }
                    _ => err(KafkaError::UnknownMemberId),
                };
                ctx.send(from, correlation_id, Msg::LeaveGroupResponse { error });
            }
            Msg::ConsumerGroupHeartbeatRequest {
                group_id,
                member_id,
                member_epoch,
                client_id,
                rebalance_timeout_ms,
                subscribed_topic_names,
                server_assignor,
                owned_partitions,
            } => {
                let hb = Heartbeat {
                    member_id,
                    member_epoch,
                    client_id,
                    rebalance_timeout_ms,
                    subscribed_topic_names,
                    server_assignor,
                    owned_partitions,
                };
                let reply = self.consumer_group_heartbeat(&group_id, hb, settings, ctx);
                ctx.send(from, correlation_id, reply);
            }
            Msg::OffsetCommitRequest { group_id, generation_id, member_id, offsets } => {
                self.commit(from, correlation_id, &group_id, generation_id, &member_id, offsets, settings, ctx);
            }
            Msg::OffsetFetchRequest { group_id, partitions } => {
                let committed = self.groups.get(&group_id).map(|g| &g.offsets);
                let offsets = match (committed, partitions) {
                    (None, _) => Vec::new(),
                    (Some(c), None) => c.iter().map(|(tp, o)| (tp.clone(), *o)).collect(),
                    (Some(c), Some(wanted)) => {
                        wanted.into_iter().filter_map(|tp| Some((tp.clone(), *c.get(&tp)?))).collect()
                    }
                };
                ctx.send(from, correlation_id, Msg::OffsetFetchResponse { group_id, error: None, offsets });
            }
            _ => {}
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn join(
        &mut self,
        from: Addr,
        correlation_id: u32,
        group_id: &str,
        member_id: String,
        join: Join,
        settings: &CoordinatorSettings,
        ctx: &mut Ctx,
    ) {
        if join.protocols.is_empty() {
            return ctx.send(from, correlation_id, join_error(KafkaError::InconsistentGroupProtocol, &member_id));
        }
        let partition = partition_for(group_id, settings.offsets_partitions);
        let group = self.groups.entry(group_id.to_string()).or_insert_with(|| Group::new(partition));
        if group.consumer.is_some() {
            // Kafka 4.0 can run classic members inside a consumer group; not simulated.
            ctx.trace(format!("a classic JoinGroup for consumer group {group_id} is refused (INCONSISTENT_GROUP_PROTOCOL): classic members in consumer groups are not simulated"));
            return ctx.send(from, correlation_id, join_error(KafkaError::InconsistentGroupProtocol, &member_id));
        }
        if group.state == GroupState::Dead {
            return ctx.send(from, correlation_id, join_error(KafkaError::CoordinatorNotAvailable, &member_id));
        }
        // A newcomer must support one of the assignors the members agree on.
        let supported = group.members.is_empty()
            || group.candidate_protocols().iter().any(|c| join.protocols.iter().any(|(n, _)| n == c));
        if !supported && !group.members.contains_key(&member_id) {
            return ctx.send(from, correlation_id, join_error(KafkaError::InconsistentGroupProtocol, &member_id));
        }
        if member_id.is_empty() {
            // KIP-394: hand out an id and make the member join again with it.
            let id = format!("{}-{}", join.client_id, java_uuid(ctx.rng));
            group.pending.insert(id.clone(), ctx.now.plus_ms(join.session_timeout_ms));
            return ctx.send(from, correlation_id, join_error(KafkaError::MemberIdRequired, &id));
        }
        let known = group.members.contains_key(&member_id);
        if !known && group.pending.remove(&member_id).is_none() {
            return ctx.send(from, correlation_id, join_error(KafkaError::UnknownMemberId, &member_id));
        }
        let session_deadline = ctx.now.plus_ms(join.session_timeout_ms);
        if known {
            let (is_leader, same) = {
                let m = &group.members[&member_id];
                (group.leader.as_deref() == Some(member_id.as_str()), m.protocols == join.protocols)
            };
            match group.state {
                GroupState::CompletingRebalance | GroupState::Stable
                    if same && !(is_leader && group.state == GroupState::Stable) =>
                {
                    // A member that missed its JoinGroup answer (or a follower rejoining with
                    // nothing new) gets the current generation again.
                    let reply = self.join_response(group_id, &member_id);
                    return ctx.send(from, correlation_id, reply);
                }
                _ => {}
            }
        }
        let group = self.groups.get_mut(group_id).expect("the group was created above");
        if group.protocol_type.is_none() {
            group.protocol_type = Some("consumer".to_string());
        }
        if group.leader.is_none() {
            group.leader = Some(member_id.clone());
        }
        group.members.insert(
            member_id.clone(),
            Member {
                client_id: join.client_id.clone(),
                client_host: "/127.0.0.1".to_string(),
                session_timeout_ms: join.session_timeout_ms,
                rebalance_timeout_ms: join.rebalance_timeout_ms,
                protocols: join.protocols,
                assignment: group.members.get(&member_id).map(|m| m.assignment.clone()).unwrap_or_default(),
                awaiting_join: Some((from, correlation_id)),
                awaiting_sync: None,
                session_deadline,
            },
        );
        if !known {
            ctx.trace(format!("member {member_id} ({}) joined group {group_id}", join.client_id));
        }
        let reason = if known { format!("member {member_id} rejoined") } else { format!("member {member_id} joined") };
        self.prepare_rebalance(group_id, &reason, settings, ctx);
        self.maybe_complete_join(group_id, ctx);
    }

    /// Moves a group to PreparingRebalance (if not already there): members must rejoin
    /// within the rebalance timeout (their `max.poll.interval.ms`).
    fn prepare_rebalance(&mut self, group_id: &str, reason: &str, settings: &CoordinatorSettings, ctx: &mut Ctx) {
        let Some(g) = self.groups.get_mut(group_id) else { return };
        if g.state == GroupState::PreparingRebalance {
            return;
        }
        // Followers waiting for an assignment learn that a new rebalance started.
        for m in g.members.values_mut() {
            if let Some((to, c)) = m.awaiting_sync.take() {
                ctx.send(
                    to,
                    c,
                    Msg::SyncGroupResponse { error: err(KafkaError::RebalanceInProgress), assignment: Vec::new() },
                );
            }
        }
        let timeout = g.members.values().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0);
        // An empty group's first rebalance waits a little for more members to arrive.
        let delay =
            if g.state == GroupState::Empty { settings.initial_rebalance_delay_ms.min(timeout) } else { timeout };
        g.join_deadline = Some(ctx.now.plus_ms(delay));
        let from_empty = g.state == GroupState::Empty;
        g.state = GroupState::PreparingRebalance;
        ctx.trace(format!(
            "group {group_id} is rebalancing ({reason}): PreparingRebalance, waiting up to {delay} ms for its members to rejoin{}",
            if from_empty && delay > 0 { " (group.initial.rebalance.delay.ms)" } else { "" }
        ));
    }

    /// Ends the join phase once every member rejoined (an empty group's first rebalance
    /// waits for its initial delay).
    fn maybe_complete_join(&mut self, group_id: &str, ctx: &mut Ctx) {
        let Some(g) = self.groups.get(group_id) else { return };
        if g.state != GroupState::PreparingRebalance || !g.all_joined() {
            return;
        }
        if g.generation_id == 0 && g.join_deadline.is_some_and(|d| ctx.now < d) {
            return;
        }
        self.complete_join(group_id, ctx);
    }

    fn complete_join(&mut self, group_id: &str, ctx: &mut Ctx) {
        let Some(g) = self.groups.get_mut(group_id) else { return };
        // Members that did not rejoin in time are out.
        let gone: Vec<String> =
            g.members.iter().filter(|(_, m)| m.awaiting_join.is_none()).map(|(id, _)| id.clone()).collect();
        for id in &gone {
            g.members.remove(id);
            ctx.trace(format!(
                "removed member {id} from group {group_id}: it did not rejoin within the rebalance timeout"
            ));
        }
        g.join_deadline = None;
        g.generation_id += 1;
        if g.leader.as_ref().is_some_and(|l| !g.members.contains_key(l)) {
            g.leader = g.members.keys().next().cloned();
        }
        if g.members.is_empty() {
            g.state = GroupState::Empty;
            g.protocol = None;
            g.leader = None;
            ctx.trace(format!("group {group_id} has no members left: Empty, generation {}", g.generation_id));
        } else {
            g.protocol = g.select_protocol();
            g.state = GroupState::CompletingRebalance;
            let leader = g.leader.clone().unwrap_or_default();
            ctx.trace(format!(
                "group {group_id} formed generation {} with {} member(s), assignor {}, leader {leader}: CompletingRebalance, waiting for the leader's assignment",
                g.generation_id,
                g.members.len(),
                g.protocol.clone().unwrap_or_default()
            ));
        }
        let now = ctx.now;
        let ids: Vec<String> = g.members.keys().cloned().collect();
        for id in ids {
            let reply = self.join_response(group_id, &id);
            let Some(m) = self.groups.get_mut(group_id).and_then(|g| g.members.get_mut(&id)) else { continue };
            m.session_deadline = now.plus_ms(m.session_timeout_ms);
            if let Some((to, c)) = m.awaiting_join.take() {
                ctx.send(to, c, reply);
            }
        }
        if self.groups.get(group_id).is_some_and(|g| g.state == GroupState::Empty) {
            self.write_group_metadata(group_id);
        }
    }

    fn join_response(&self, group_id: &str, member_id: &str) -> Msg {
        let Some(g) = self.groups.get(group_id) else { return join_error(KafkaError::UnknownMemberId, member_id) };
        let protocol = g.protocol.clone();
        let leader = g.leader.clone().unwrap_or_default();
        let members = if leader == member_id {
            g.members
                .iter()
                .map(|(id, m)| {
                    let sub = m.protocols.iter().find(|(n, _)| Some(n) == protocol.as_ref()).map(|(_, s)| s.clone());
                    (id.clone(), sub.unwrap_or_default())
                })
                .collect()
        } else {
            Vec::new()
        };
        Msg::JoinGroupResponse {
            error: None,
            generation_id: g.generation_id,
            protocol_name: protocol,
            leader,
            member_id: member_id.to_string(),
            members,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sync(
        &mut self,
        from: Addr,
        correlation_id: u32,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        assignments: Vec<(String, Vec<(String, u32)>)>,
        ctx: &mut Ctx,
    ) {
        let reply = |ctx: &mut Ctx, e: KafkaError| {
            ctx.send(from, correlation_id, Msg::SyncGroupResponse { error: err(e), assignment: Vec::new() });
        };
        let Some(g) = self.groups.get_mut(group_id) else { return reply(ctx, KafkaError::UnknownMemberId) };
        let now = ctx.now;
        let Some(m) = g.members.get_mut(member_id) else { return reply(ctx, KafkaError::UnknownMemberId) };
        if generation_id != g.generation_id {
            return reply(ctx, KafkaError::IllegalGeneration);
        }
        m.session_deadline = now.plus_ms(m.session_timeout_ms);
        match g.state {
            GroupState::Empty | GroupState::Dead => reply(ctx, KafkaError::UnknownMemberId),
            GroupState::PreparingRebalance => reply(ctx, KafkaError::RebalanceInProgress),
            GroupState::Stable => {
                let assignment = m.assignment.clone();
                ctx.send(from, correlation_id, Msg::SyncGroupResponse { error: None, assignment });
            }
            GroupState::CompletingRebalance => {
                m.awaiting_sync = Some((from, correlation_id));
                if g.leader.as_deref() != Some(member_id) {
                    return;
                }
                let mut given: VecMap<String, Vec<(String, u32)>> = assignments.into_iter().collect();
                let mut summary = Vec::new();
                for (id, m) in g.members.iter_mut() {
                    m.assignment = given.remove(id).unwrap_or_default();
                    let parts: Vec<String> = m.assignment.iter().map(|(t, p)| format!("{t}-{p}")).collect();
                    summary.push(format!("{id}: [{}]", parts.join(", ")));
                    if let Some((to, c)) = m.awaiting_sync.take() {
                        ctx.send(to, c, Msg::SyncGroupResponse { error: None, assignment: m.assignment.clone() });
                    }
                }
                g.state = GroupState::Stable;
                ctx.trace(format!(
                    "group {group_id} is Stable in generation {}: the leader assigned {}",
                    g.generation_id,
                    summary.join("; ")
                ));
                self.write_group_metadata(group_id);
            }
        }
    }

    /// The error a heartbeat gets, if any.
    fn heartbeat(&mut self, group_id: &str, generation_id: i32, member_id: &str, ctx: &mut Ctx) -> Option<KafkaError> {
        let Some(g) = self.groups.get_mut(group_id) else { return Some(KafkaError::UnknownMemberId) };
        let state = g.state;
        let current = g.generation_id;
        let Some(m) = g.members.get_mut(member_id) else { return Some(KafkaError::UnknownMemberId) };
        if generation_id != current {
            return Some(KafkaError::IllegalGeneration);
        }
        m.session_deadline = ctx.now.plus_ms(m.session_timeout_ms);
        match state {
            GroupState::PreparingRebalance => Some(KafkaError::RebalanceInProgress),
            GroupState::Empty | GroupState::Dead => Some(KafkaError::UnknownMemberId),
            GroupState::CompletingRebalance | GroupState::Stable => None,
        }
    }

    fn remove_member(
        &mut self,
        group_id: &str,
        member_id: &str,
        reason: &str,
        settings: &CoordinatorSettings,
        ctx: &mut Ctx,
    ) {
        let Some(g) = self.groups.get_mut(group_id) else { return };
        g.members.remove(member_id);
        match g.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                if g.members.is_empty() {
                    // Kafka still goes through a (short) rebalance to reach Empty.
                    g.state = GroupState::PreparingRebalance;
                    g.join_deadline = Some(ctx.now);
                    self.complete_join(group_id, ctx);
                } else {
                    self.prepare_rebalance(group_id, reason, settings, ctx);
                }
            }
            GroupState::PreparingRebalance => self.maybe_complete_join(group_id, ctx),
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn commit(
        &mut self,
        from: Addr,
        correlation_id: u32,
        group_id: &str,
        generation_id: i32,
        member_id: &str,
        offsets: Vec<((String, u32), u64)>,
        settings: &CoordinatorSettings,
        ctx: &mut Ctx,
    ) {
        let partition = partition_for(group_id, settings.offsets_partitions);
        let now = ctx.now;
        let error = match self.groups.get_mut(group_id) {
            // The admin client commits for a group nobody is in.
            _ if generation_id < 0 && member_id.is_empty() => match self.groups.get(group_id) {
                Some(g) if !g.members.is_empty() => Some(KafkaError::UnknownMemberId),
                _ => None,
            },
            None => Some(KafkaError::IllegalGeneration),
            // `ConsumerGroup.validateOffsetCommit`: the member commits with its member epoch.
            Some(Group { consumer: Some(c), .. }) => match c.member_epoch(member_id) {
                _ if generation_id < 0 && c.is_empty() => None,
                None => Some(KafkaError::UnknownMemberId),
                Some(epoch) if epoch != generation_id => Some(KafkaError::StaleMemberEpoch),
                Some(_) => None,
            },
            Some(g) => match g.members.get_mut(member_id) {
                None => Some(KafkaError::UnknownMemberId),
                Some(_) if generation_id != g.generation_id => Some(KafkaError::IllegalGeneration),
                Some(_) if g.state != GroupState::Stable => Some(KafkaError::RebalanceInProgress),
                Some(m) => {
                    m.session_deadline = now.plus_ms(m.session_timeout_ms);
                    None
                }
            },
        };
        if let Some(e) = error {
            let results = offsets.into_iter().map(|(tp, _)| (tp, err(e))).collect();
            return ctx.send(
                from,
                correlation_id,
                Msg::OffsetCommitResponse { group_id: group_id.to_string(), results },
            );
        }
        let g = self.groups.entry(group_id.to_string()).or_insert_with(|| Group::new(partition));
        let wall = ctx.wall_ms();
        let mut records = Vec::new();
        for ((topic, p), offset) in &offsets {
            g.offsets.insert((topic.clone(), *p), *offset);
            records.push(NewRecord {
                timestamp_ms: wall,
                key: Some(commit_key(group_id, topic, *p).into_bytes()),
                value: Some(
                    format!("{{\"offset\":{offset},\"leaderEpoch\":-1,\"metadata\":\"\",\"commitTimestamp\":{wall}}}")
                        .into_bytes(),
                ),
            });
        }
        let results = offsets.into_iter().map(|(tp, _)| (tp, None)).collect();
        let reply = Msg::OffsetCommitResponse { group_id: group_id.to_string(), results };
        self.writes.push(OffsetsWrite { partition, records, reply: Some((from, correlation_id, reply)) });
    }

    fn delete_group(&mut self, group_id: &str, settings: &CoordinatorSettings, ctx: &mut Ctx) -> Option<ApiError> {
        if !self.owns(group_id, settings) {
            return err(KafkaError::NotCoordinator);
        }
        let Some(g) = self.groups.get(group_id) else { return err(KafkaError::GroupIdNotFound) };
        if !g.members.is_empty() || g.consumer.as_ref().is_some_and(|c| !c.is_empty()) {
            return err(KafkaError::NonEmptyGroup);
        }
        let wall = ctx.wall_ms();
        let mut records: Vec<NewRecord> = g
            .offsets
            .keys()
            .map(|(t, p)| NewRecord {
                timestamp_ms: wall,
                key: Some(commit_key(group_id, t, *p).into_bytes()),
                value: None,
            })
            .collect();
        records.push(NewRecord { timestamp_ms: wall, key: Some(group_key(group_id).into_bytes()), value: None });
        let partition = g.partition;
        self.groups.remove(group_id);
        ctx.trace(format!(
            "deleted group {group_id}: wrote tombstones for its offsets and metadata to {OFFSETS_TOPIC}-{partition}"
        ));
        self.writes.push(OffsetsWrite { partition, records, reply: None });
        None
    }

    /// ConsumerGroupHeartbeat (KIP-848). An empty classic group gives way to a consumer
    /// group (`maybeDeleteEmptyClassicGroup`); a classic group with members does not.
    fn consumer_group_heartbeat(
        &mut self,
        group_id: &str,
        hb: Heartbeat,
        settings: &CoordinatorSettings,
        ctx: &mut Ctx,
    ) -> Msg {
        let partition = partition_for(group_id, settings.offsets_partitions);
        let joining = hb.member_epoch == 0;
        match self.groups.get_mut(group_id) {
            None if joining => {
                self.groups.insert(group_id.to_string(), Group::new_consumer(partition, ConsumerGroup::default()));
            }
            None => {
                let e = ApiError::new(KafkaError::GroupIdNotFound, format!("Consumer group {group_id} not found."));
                return heartbeat_error(e);
            }
            Some(g) if g.consumer.is_none() && joining && g.members.is_empty() && g.state == GroupState::Empty => {
                ctx.trace(format!(
                    "the empty classic group {group_id} becomes a consumer group (group.protocol=consumer)"
                ));
                let offsets = std::mem::take(&mut g.offsets);
                *g = Group::new_consumer(partition, ConsumerGroup::default());
                g.offsets = offsets;
            }
            Some(g) if g.consumer.is_none() => {
                // Kafka 4.0 may convert a classic group whose members all use the consumer
                // embedded protocol (online upgrade); not simulated.
                let e = ApiError::new(KafkaError::GroupIdNotFound, format!("Group {group_id} is not a consumer group"));
                return heartbeat_error(e);
            }
            Some(_) => {}
        }
        let Some(c) = self.groups.get_mut(group_id).and_then(|g| g.consumer.as_mut()) else {
            return heartbeat_error(ApiError::default_for(KafkaError::GroupIdNotFound));
        };
        let result = c.heartbeat(group_id, hb, &settings.consumer_group(), ctx);
        self.write_consumer_group(group_id);
        match result {
            Ok(a) => Msg::ConsumerGroupHeartbeatResponse {
                error: None,
                member_id: a.member_id,
                member_epoch: a.member_epoch,
                heartbeat_interval_ms: a.heartbeat_interval_ms,
                assignment: a.assignment,
            },
            Err(e) => heartbeat_error(e),
        }
    }

    /// A consumer group's record, after a change (epochs, members, assignments).
    fn write_consumer_group(&mut self, group_id: &str) {
        let Some(g) = self.groups.get_mut(group_id) else { return };
        let Some(c) = g.consumer.as_mut().filter(|c| c.dirty) else { return };
        c.dirty = false;
        g.generation_id = c.group_epoch;
        let value = c.record_value();
        let record =
            NewRecord { timestamp_ms: 0, key: Some(group_key(group_id).into_bytes()), value: Some(value.into_bytes()) };
        self.writes.push(OffsetsWrite { partition: g.partition, records: vec![record], reply: None });
    }

    /// The group's metadata record (generation, assignor, leader, members).
    fn write_group_metadata(&mut self, group_id: &str) {
        let Some(g) = self.groups.get(group_id) else { return };
        let members: Vec<String> = g.members.keys().map(|m| quote(m)).collect();
        let value = format!(
            "{{\"protocolType\":{},\"generation\":{},\"protocol\":{},\"leader\":{},\"members\":[{}]}}",
            quote(g.protocol_type.as_deref().unwrap_or("consumer")),
            g.generation_id,
            g.protocol.as_deref().map_or("null".to_string(), quote),
            g.leader.as_deref().map_or("null".to_string(), quote),
            members.join(",")
        );
        let record =
            NewRecord { timestamp_ms: 0, key: Some(group_key(group_id).into_bytes()), value: Some(value.into_bytes()) };
        self.writes.push(OffsetsWrite { partition: g.partition, records: vec![record], reply: None });
    }

    /// Sessions that expired and join phases that ended.
    pub(crate) fn on_timer(&mut self, settings: &CoordinatorSettings, ctx: &mut Ctx) {
        let now = ctx.now;
        let ids: Vec<String> = self.groups.keys().cloned().collect();
        for group_id in ids {
            let Some(g) = self.groups.get_mut(&group_id) else { continue };
            if let Some(c) = g.consumer.as_mut() {
                c.on_timer(&group_id, &settings.consumer_group(), ctx);
                self.write_consumer_group(&group_id);
                continue;
            }
            g.pending.retain(|_, deadline| *deadline > now);
            let expired: Vec<(String, u64)> = g
                .members
                .iter()
                .filter(|(_, m)| m.awaiting_join.is_none() && m.session_deadline <= now)
                .map(|(id, m)| (id.clone(), m.session_timeout_ms))
                .collect();
            for (member_id, timeout) in expired {
                ctx.trace(format!(
                    "member {member_id} of group {group_id} sent no heartbeat for {timeout} ms (session.timeout.ms): removed"
                ));
                self.remove_member(&group_id, &member_id, "a member's session expired", settings, ctx);
            }
            let Some(g) = self.groups.get(&group_id) else { continue };
            if g.state == GroupState::PreparingRebalance && g.join_deadline.is_some_and(|d| d <= now) {
                self.complete_join(&group_id, ctx);
            } else {
                self.maybe_complete_join(&group_id, ctx);
            }
        }
    }
}

/// The parts of a JoinGroup request that describe the member.
struct Join {
    client_id: String,
    session_timeout_ms: u64,
    rebalance_timeout_ms: u64,
    protocols: Vec<(String, GroupSubscription)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_for_matches_java_string_hash_code() {
        // Expected values computed outside Rust, with Java's String.hashCode semantics
        // (31 * h + UTF-16 unit, 32-bit wrap-around): "my-group" hashes to -1906497762.
        assert_eq!(partition_for("my-group", 50), 12);
        assert_eq!(partition_for("test-consumer-group", 50), 31);
        assert_eq!(partition_for("dispatch-service", 50), 2);
        // A surrogate pair counts as two UTF-16 units.
        assert_eq!(partition_for("é💓", 50), 47);
        assert_eq!(partition_for("", 50), 0);
    }
}
