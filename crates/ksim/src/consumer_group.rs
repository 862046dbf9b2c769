//! The consumer group of the KIP-848 protocol (`group.protocol=consumer`), as the group
//! coordinator keeps it: members heartbeat (ConsumerGroupHeartbeat), the coordinator
//! computes the target assignment itself with a server-side assignor, and each member
//! reconciles towards it incrementally, with no group-wide barrier.
//!
//! Three epochs, as in Kafka (`GroupMetadataManager.consumerGroupHeartbeat`,
//! `modern/consumer/ConsumerGroup.java`, `CurrentAssignmentBuilder.java`): the **group
//! epoch** bumps when a member joins, leaves or changes its subscription, or a subscribed
//! topic's partition count changes; the **target assignment epoch** catches up with it
//! when the assignor runs; each **member epoch** catches up with the target once the
//! member has revoked the partitions it must give up. A member is never given a partition
//! that another member still owns: that one must first revoke it and say so in a
//! heartbeat (its owned partitions), and the newcomer gets it on its next heartbeat.
//!
//! Simplifications: no static membership, no regex subscriptions, no racks; the
//! subscription metadata is compared on every heartbeat (Kafka refreshes it every
//! `group.consumer.metadata.refresh.interval.ms` or on a metadata change); a member that
//! rejoins with epoch 0 under an id the group still knows starts over (its partitions
//! are released at once); the group's records are one JSON value per change, not Kafka's
//! seven record types.

use crate::assignor::{MemberSubscription, ServerAssignor, Tp};
use crate::error::{ApiError, KafkaError};
use crate::node::Ctx;
use crate::time::SimTime;
use crate::vec_map::{VecMap, VecSet};

/// `group.consumer.session.timeout.ms`'s default.
pub(crate) const SESSION_TIMEOUT_MS_DEFAULT: u64 = 45_000;
/// `group.consumer.heartbeat.interval.ms`'s default.
pub(crate) const HEARTBEAT_INTERVAL_MS_DEFAULT: u64 = 5000;
/// The member epoch that leaves the group (`LEAVE_GROUP_MEMBER_EPOCH`).
pub(crate) const LEAVE_GROUP_MEMBER_EPOCH: i32 = -1;

/// `ConsumerGroup.ConsumerGroupState`. Kafka's fifth state, `Dead`, is a deleted group's:
/// the coordinator forgets it here, and DescribeGroups answers `Dead` for unknown ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConsumerGroupState {
    Empty,
    /// The group epoch moved past the target assignment epoch: the assignor runs on the
    /// next heartbeat.
    Assigning,
    /// Some member has not reached the target assignment yet.
    Reconciling,
    Stable,
}

impl ConsumerGroupState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ConsumerGroupState::Empty => "Empty",
            ConsumerGroupState::Assigning => "Assigning",
            ConsumerGroupState::Reconciling => "Reconciling",
            ConsumerGroupState::Stable => "Stable",
        }
    }
}

/// A member's reconciliation state (`MemberState`, driven by `CurrentAssignmentBuilder`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MemberState {
    /// Its assignment matches the target of its epoch.
    Stable,
    /// It must revoke partitions (still in its owned set) before it moves to the next epoch.
    UnrevokedPartitions,
    /// It waits for partitions that other members have not released yet.
    UnreleasedPartitions,
}

impl MemberState {
    fn name(self) -> &'static str {
        match self {
            MemberState::Stable => "STABLE",
            MemberState::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            MemberState::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
        }
    }
}

#[derive(Clone, Debug)]
struct Member {
    client_id: String,
    member_epoch: i32,
    previous_member_epoch: i32,
    state: MemberState,
    rebalance_timeout_ms: u64,
    subscribed_topics: Vec<String>,
    server_assignor: Option<String>,
    /// The partitions the member may own in its epoch.
    assigned: VecSet<Tp>,
    /// Partitions it was told to revoke and has not yet acknowledged.
    pending_revocation: VecSet<Tp>,
    /// No heartbeat by then: the member is fenced.
    session_deadline: SimTime,
    /// While it must revoke partitions: fenced unless it does so by then (rebalance timeout).
    revocation_deadline: Option<SimTime>,
}

/// A member as DescribeGroups and the page show it.
pub(crate) struct MemberSummary<'a> {
    pub(crate) member_id: &'a str,
    pub(crate) client_id: &'a str,
    /// Its current assignment (what it may own in its epoch).
    pub(crate) assignment: Vec<Tp>,
}

/// What the broker tells the group about itself on every call.
pub(crate) struct ConsumerGroupSettings<'a> {
    /// `group.consumer.session.timeout.ms`.
    pub(crate) session_timeout_ms: u64,
    /// `group.consumer.heartbeat.interval.ms`.
    pub(crate) heartbeat_interval_ms: u64,
    /// `group.consumer.assignors`, the first being the default.
    pub(crate) assignors: &'a [ServerAssignor],
    /// Partition counts of the topics in the broker's metadata image.
    pub(crate) topics: &'a VecMap<String, u32>,
}

/// The parts of a ConsumerGroupHeartbeat request the group acts on.
#[derive(Clone, Debug, Default)]
pub(crate) struct Heartbeat {
    pub(crate) member_id: String,
    pub(crate) member_epoch: i32,
    pub(crate) client_id: String,
    pub(crate) rebalance_timeout_ms: u64,
    pub(crate) subscribed_topic_names: Option<Vec<String>>,
    pub(crate) server_assignor: Option<String>,
    pub(crate) owned_partitions: Option<Vec<Tp>>,
}

/// A successful ConsumerGroupHeartbeat answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeartbeatAnswer {
    pub(crate) member_id: String,
    pub(crate) member_epoch: i32,
    pub(crate) heartbeat_interval_ms: u64,
    /// The member's whole assignment, when it changed or the request was a full one.
    pub(crate) assignment: Option<Vec<Tp>>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct ConsumerGroup {
    pub(crate) group_epoch: i32,
    pub(crate) assignment_epoch: i32,
    members: VecMap<String, Member>,
    /// The target assignment of `assignment_epoch`, by member.
    target: VecMap<String, VecSet<Tp>>,
    /// Partition counts of the subscribed topics when the group epoch last moved.
    subscription_metadata: VecMap<String, u32>,
    /// The assignor that computed the target assignment.
    pub(crate) assignor: Option<String>,
    /// Something worth a record in `__consumer_offsets` changed (the coordinator writes it).
    pub(crate) dirty: bool,
}

fn err(e: KafkaError, message: String) -> ApiError {
    ApiError::new(e, message)
}

/// `[orders-0, orders-1]`.
pub(crate) fn partition_list<'a>(tps: impl IntoIterator<Item = &'a Tp>) -> String {
    let parts: Vec<String> = tps.into_iter().map(|(t, p)| format!("{t}-{p}")).collect();
    format!("[{}]", parts.join(", "))
}

impl ConsumerGroup {
    /// A group rebuilt from its record: its epoch survives, its members rejoin.
    pub(crate) fn restored(group_epoch: i32, assignor: Option<String>) -> ConsumerGroup {
        ConsumerGroup { group_epoch, assignment_epoch: group_epoch, assignor, ..ConsumerGroup::default() }
    }

    pub(crate) fn state(&self) -> ConsumerGroupState {
        if self.members.is_empty() {
            ConsumerGroupState::Empty
        } else if self.group_epoch > self.assignment_epoch {
            ConsumerGroupState::Assigning
        } else if self
            .members
            .values()
            .any(|m| m.state != MemberState::Stable || m.member_epoch != self.assignment_epoch)
        {
            ConsumerGroupState::Reconciling
        } else {
            ConsumerGroupState::Stable
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The members, by member id, with their current assignment.
    pub(crate) fn members(&self) -> impl Iterator<Item = MemberSummary<'_>> {
        self.members.iter().map(|(id, m)| MemberSummary {
            member_id: id,
            client_id: &m.client_id,
            assignment: m.assigned.iter().cloned().collect(),
        })
    }

    /// The member's epoch, for OffsetCommit (None: not a member).
    pub(crate) fn member_epoch(&self, member_id: &str) -> Option<i32> {
        self.members.get(member_id).map(|m| m.member_epoch)
    }

    /// The earliest session or revocation deadline.
    pub(crate) fn next_deadline(&self) -> Option<SimTime> {
        self.members.values().flat_map(|m| std::iter::once(m.session_deadline).chain(m.revocation_deadline)).min()
    }

    /// The group's record value (JSON), written to `__consumer_offsets` after a change.
    pub(crate) fn record_value(&self) -> String {
        let quote = crate::json::quote;
        let list = |tps: &VecSet<Tp>| {
            let parts: Vec<String> = tps.iter().map(|(t, p)| quote(&format!("{t}-{p}"))).collect();
            format!("[{}]", parts.join(","))
        };
        let members: Vec<String> = self
            .members
            .iter()
            .map(|(id, m)| {
                format!(
                    "{{\"memberId\":{},\"memberEpoch\":{},\"state\":{},\"assigned\":{},\"target\":{}}}",
                    quote(id),
                    m.member_epoch,
                    quote(m.state.name()),
                    list(&m.assigned),
                    list(self.target.get(id).unwrap_or(&VecSet::new()))
                )
            })
            .collect();
        format!(
            "{{\"protocolType\":\"consumer\",\"groupEpoch\":{},\"assignmentEpoch\":{},\"assignor\":{},\"members\":[{}]}}",
            self.group_epoch,
            self.assignment_epoch,
            self.assignor.as_deref().map_or("null".to_string(), quote),
            members.join(",")
        )
    }

    /// ConsumerGroupHeartbeat: join (epoch 0), heartbeat and reconcile, or leave (epoch -1).
    pub(crate) fn heartbeat(
        &mut self,
        group_id: &str,
        hb: Heartbeat,
        settings: &ConsumerGroupSettings,
        ctx: &mut Ctx,
    ) -> Result<HeartbeatAnswer, ApiError> {
        // throwIfConsumerGroupHeartbeatRequestIsInvalid.
        if hb.member_epoch != 0 && hb.member_id.is_empty() {
            return Err(err(KafkaError::InvalidRequest, "MemberId can't be empty.".to_string()));
        }
        if hb.member_epoch == 0 && hb.owned_partitions.as_ref().is_none_or(|o| !o.is_empty()) {
            return Err(err(
                KafkaError::InvalidRequest,
                "TopicPartitions must be empty when (re-)joining.".to_string(),
            ));
        }
        if hb.member_epoch == 0 && hb.subscribed_topic_names.as_ref().is_none_or(|t| t.is_empty()) {
            return Err(err(
                KafkaError::InvalidRequest,
                "SubscribedTopicNames must be set in first request.".to_string(),
            ));
        }
        if hb.member_epoch < LEAVE_GROUP_MEMBER_EPOCH {
            return Err(err(KafkaError::InvalidRequest, "MemberEpoch is invalid.".to_string()));
        }
        if let Some(a) = hb.server_assignor.as_deref() {
            if !ServerAssignor::from_name(a).is_some_and(|s| settings.assignors.contains(&s)) {
                let names: Vec<&str> = settings.assignors.iter().map(|s| s.name()).collect();
                return Err(err(
                    KafkaError::UnsupportedAssignor,
                    format!("ServerAssignor {a} is not supported. Supported assignors: {}.", names.join(", ")),
                ));
            }
        }
        if hb.member_epoch == LEAVE_GROUP_MEMBER_EPOCH {
            return self.leave(group_id, &hb.member_id, settings, ctx);
        }
        let member_id = hb.member_id.clone();
        let known = self.members.get(&member_id);
        let previous_assigned = known.map(|m| m.assigned.clone()).unwrap_or_default();
        match known {
            None if hb.member_epoch != 0 => {
                return Err(err(
                    KafkaError::UnknownMemberId,
                    format!("Member {member_id} is not a member of group {group_id}."),
                ));
            }
            Some(m) if hb.member_epoch > m.member_epoch => {
                return Err(err(KafkaError::FencedMemberEpoch, format!("The consumer group member has a greater member epoch ({}) than the one known by the group coordinator ({}). The member must abandon all its partitions and rejoin.", hb.member_epoch, m.member_epoch)));
            }
            Some(m)
                if hb.member_epoch > 0
                    && hb.member_epoch < m.member_epoch
                    && (hb.member_epoch != m.previous_member_epoch
                        || !hb
                            .owned_partitions
                            .as_ref()
                            .is_some_and(|o| o.iter().all(|tp| m.assigned.contains(tp)))) =>
            {
                return Err(err(KafkaError::FencedMemberEpoch, format!("The consumer group member has a smaller member epoch ({}) than the one known by the group coordinator ({}). The member must abandon all its partitions and rejoin.", hb.member_epoch, m.member_epoch)));
            }
            _ => {}
        }
        let now = ctx.now;
        let mut bump_reason: Option<String> = None;
        if hb.member_epoch == 0 {
            // A new member, or a known one starting over: it owns nothing.
            let rejoining = self.members.remove(&member_id).is_some();
            let topics = hb.subscribed_topic_names.clone().unwrap_or_default();
            ctx.trace(format!(
                "member {member_id} ({}) {} consumer group {group_id} (ConsumerGroupHeartbeat, epoch 0), subscribed to {}",
                hb.client_id,
                if rejoining { "rejoined" } else { "joined" },
                topics.join(", ")
            ));
            self.members.insert(
                member_id.clone(),
                Member {
                    client_id: hb.client_id.clone(),
                    member_epoch: 0,
                    previous_member_epoch: -1,
                    state: MemberState::Stable,
                    rebalance_timeout_ms: hb.rebalance_timeout_ms,
                    subscribed_topics: topics,
                    server_assignor: hb.server_assignor.clone(),
                    assigned: VecSet::new(),
                    pending_revocation: VecSet::new(),
                    session_deadline: now,
                    revocation_deadline: None,
                },
            );
            self.dirty = true;
            bump_reason = Some(format!("member {member_id} joined"));
        } else if let Some(m) = self.members.get_mut(&member_id) {
            if let Some(topics) = hb.subscribed_topic_names.clone() {
                if topics != m.subscribed_topics {
                    m.subscribed_topics = topics;
                    bump_reason = Some(format!("member {member_id} changed its subscription"));
                }
            }
            if hb.server_assignor.is_some() && hb.server_assignor != m.server_assignor {
                m.server_assignor = hb.server_assignor.clone();
                bump_reason = Some(format!("member {member_id} changed its assignor"));
            }
            m.rebalance_timeout_ms = hb.rebalance_timeout_ms;
        }
        // The subscription metadata: partition counts of the topics members subscribe to.
        let metadata = self.compute_subscription_metadata(settings.topics);
        if metadata != self.subscription_metadata {
            if bump_reason.is_none() {
                bump_reason = Some("the subscribed topics' metadata changed".to_string());
            }
            self.subscription_metadata = metadata;
        }
        if let Some(reason) = bump_reason {
            self.bump_group_epoch(group_id, &reason, ctx);
        }
        if self.group_epoch > self.assignment_epoch {
            self.compute_target_assignment(group_id, settings, ctx);
        }
        self.reconcile(group_id, &member_id, hb.owned_partitions.as_deref(), ctx);
        let Some(m) = self.members.get_mut(&member_id) else {
            return Err(err(
                KafkaError::UnknownMemberId,
                format!("Member {member_id} is not a member of group {group_id}."),
            ));
        };
        m.session_deadline = now.plus_ms(settings.session_timeout_ms);
        let full = hb.member_epoch == 0 || (hb.subscribed_topic_names.is_some() && hb.owned_partitions.is_some());
        let assignment = (full || m.assigned != previous_assigned).then(|| m.assigned.iter().cloned().collect());
        Ok(HeartbeatAnswer {
            member_id,
            member_epoch: m.member_epoch,
            heartbeat_interval_ms: settings.heartbeat_interval_ms,
            assignment,
        })
    }

    fn compute_subscription_metadata(&self, topics: &VecMap<String, u32>) -> VecMap<String, u32> {
        self.members
            .values()
            .flat_map(|m| m.subscribed_topics.iter())
            .filter_map(|t| Some((t.clone(), *topics.get(t)?)))
            .collect()
    }

    fn bump_group_epoch(&mut self, group_id: &str, reason: &str, ctx: &mut Ctx) {
        self.group_epoch += 1;
        self.dirty = true;
        ctx.trace(format!("consumer group {group_id} bumped its group epoch to {} ({reason})", self.group_epoch));
    }

    /// The assignor most members ask for (`group.remote.assignor`), else the first of
    /// `group.consumer.assignors`; a tie goes to the one listed first there.
    fn preferred_assignor(&self, assignors: &[ServerAssignor]) -> ServerAssignor {
        let default = assignors.first().copied().unwrap_or(ServerAssignor::Uniform);
        let mut best: Option<(ServerAssignor, usize)> = None;
        for a in assignors {
            let votes = self.members.values().filter(|m| m.server_assignor.as_deref() == Some(a.name())).count();
            if votes > 0 && best.is_none_or(|(_, n)| votes > n) {
                best = Some((*a, votes));
            }
        }
        best.map_or(default, |(a, _)| a)
    }

    /// `TargetAssignmentBuilder`: the assignor's answer becomes the target of the group epoch.
    fn compute_target_assignment(&mut self, group_id: &str, settings: &ConsumerGroupSettings, ctx: &mut Ctx) {
        let assignor = self.preferred_assignor(settings.assignors);
        let subscriptions: Vec<MemberSubscription> = self
            .members
            .iter()
            .map(|(id, m)| MemberSubscription {
                member_id: id.clone(),
                group_instance_id: None,
                topics: m.subscribed_topics.clone(),
                owned: self.target.get(id).map(|t| t.iter().cloned().collect()).unwrap_or_default(),
                generation: None,
            })
            .collect();
        let result = assignor.assign(&self.subscription_metadata, &subscriptions);
        self.target = result.into_iter().map(|(id, tps)| (id, tps.into_iter().collect())).collect();
        self.assignment_epoch = self.group_epoch;
        self.assignor = Some(assignor.name().to_string());
        self.dirty = true;
        let summary: Vec<String> =
            self.target.iter().map(|(id, tps)| format!("{id}: {}", partition_list(tps))).collect();
        ctx.trace(format!(
            "consumer group {group_id} computed the target assignment for epoch {} with the {} assignor: {}",
            self.assignment_epoch,
            assignor.name(),
            summary.join("; ")
        ));
    }

    /// Whether a member other than `except` owns the partition (assigned, or still to revoke).
    fn owned_by_other(&self, tp: &Tp, except: &str) -> bool {
        self.members
            .iter()
            .any(|(id, m)| id != except && (m.assigned.contains(tp) || m.pending_revocation.contains(tp)))
    }

    /// `CurrentAssignmentBuilder.build`: moves the member towards the target assignment.
    fn reconcile(&mut self, group_id: &str, member_id: &str, owned: Option<&[Tp]>, ctx: &mut Ctx) {
        let Some(m) = self.members.get(member_id) else { return };
        // A member that reports no owned partitions (unchanged since its last heartbeat)
        // still owns what it was asked to revoke.
        let owns_any = |set: &VecSet<Tp>| owned.is_none_or(|o| o.iter().any(|tp| set.contains(tp)));
        let next_epoch = match m.state {
            MemberState::Stable if m.member_epoch == self.assignment_epoch => return,
            MemberState::Stable | MemberState::UnreleasedPartitions => m.member_epoch,
            MemberState::UnrevokedPartitions => {
                if owns_any(&m.pending_revocation) {
                    return;
                }
                ctx.trace(format!(
                    "member {member_id} of consumer group {group_id} revoked {}",
                    partition_list(&m.pending_revocation)
                ));
                m.member_epoch + 1
            }
        };
        let empty = VecSet::new();
        let target = self.target.get(member_id).unwrap_or(&empty);
        let kept: VecSet<Tp> = m.assigned.intersection(target).cloned().collect();
        let revoke: VecSet<Tp> = m.assigned.difference(&kept).cloned().collect();
        let wanted: Vec<Tp> = target.difference(&kept).cloned().collect();
        let (free, unreleased): (Vec<Tp>, Vec<Tp>) =
            wanted.into_iter().partition(|tp| !self.owned_by_other(tp, member_id));
        let assignment_epoch = self.assignment_epoch;
        let Some(m) = self.members.get_mut(member_id) else { return };
        let before = (m.member_epoch, m.state, m.assigned.clone());
        m.previous_member_epoch = m.member_epoch;
        if !revoke.is_empty() && owns_any(&revoke) {
            // It keeps its epoch until it acknowledges the revocation.
            m.state = MemberState::UnrevokedPartitions;
            m.member_epoch = next_epoch;
            m.assigned = kept;
            m.pending_revocation = revoke;
        } else {
            let gets: VecSet<Tp> = free.iter().cloned().collect();
            m.assigned = kept.union(&gets).cloned().collect();
            m.pending_revocation.clear();
            m.member_epoch = assignment_epoch;
            m.state = if unreleased.is_empty() { MemberState::Stable } else { MemberState::UnreleasedPartitions };
        }
        let after = (m.member_epoch, m.state, m.assigned.clone());
        if after == before {
            return;
        }
        self.dirty = true;
        let m = &self.members[member_id];
        match m.state {
            MemberState::UnrevokedPartitions => {
                ctx.trace(format!(
                    "member {member_id} of consumer group {group_id} must revoke {} before it moves past epoch {}; it keeps {}",
                    partition_list(&m.pending_revocation),
                    m.member_epoch,
                    partition_list(&m.assigned)
                ));
            }
            _ => {
                let gained: Vec<&Tp> = m.assigned.difference(&before.2).collect();
                let mut text =
                    format!("member {member_id} of consumer group {group_id} is at epoch {}", m.member_epoch);
                if !gained.is_empty() {
                    text.push_str(&format!(", gets {}", partition_list(gained)));
                }
                text.push_str(&format!(", owns {}", partition_list(&m.assigned)));
                if !unreleased.is_empty() {
                    text.push_str(&format!("; waits for {} still owned by other members", partition_list(&unreleased)));
                }
                ctx.trace(text);
            }
        }
        let revocation_deadline =
            (m.state == MemberState::UnrevokedPartitions).then(|| ctx.now.plus_ms(m.rebalance_timeout_ms));
        if let Some(m) = self.members.get_mut(member_id) {
            // The rebalance timeout runs from the request to revoke, not from each heartbeat.
            if revocation_deadline.is_none() || m.revocation_deadline.is_none() {
                m.revocation_deadline = revocation_deadline;
            }
        }
    }

    /// The member leaves (epoch -1): its partitions are free and the group epoch bumps.
    fn leave(
        &mut self,
        group_id: &str,
        member_id: &str,
        settings: &ConsumerGroupSettings,
        ctx: &mut Ctx,
    ) -> Result<HeartbeatAnswer, ApiError> {
        if !self.members.contains_key(member_id) {
            return Err(err(
                KafkaError::UnknownMemberId,
                format!("Member {member_id} is not a member of group {group_id}."),
            ));
        }
        ctx.trace(format!("member {member_id} left consumer group {group_id} (ConsumerGroupHeartbeat, epoch -1)"));
        self.remove_member(group_id, member_id, &format!("member {member_id} left"), ctx);
        Ok(HeartbeatAnswer {
            member_id: member_id.to_string(),
            member_epoch: LEAVE_GROUP_MEMBER_EPOCH,
            heartbeat_interval_ms: settings.heartbeat_interval_ms,
            assignment: None,
        })
    }

    /// `consumerGroupFenceMember`: the member is gone, the group epoch bumps, and the
    /// next heartbeat of any member computes the new target assignment.
    fn remove_member(&mut self, group_id: &str, member_id: &str, reason: &str, ctx: &mut Ctx) {
        self.members.remove(member_id);
        self.target.remove(member_id);
        let subscribed: VecSet<&String> = self.members.values().flat_map(|m| m.subscribed_topics.iter()).collect();
        self.subscription_metadata.retain(|t, _| subscribed.contains(t));
        self.bump_group_epoch(group_id, reason, ctx);
        if self.members.is_empty() {
            // Nobody is left to heartbeat: the (empty) target is computed now.
            self.assignment_epoch = self.group_epoch;
            ctx.trace(format!(
                "consumer group {group_id} has no members left: Empty, group epoch {}",
                self.group_epoch
            ));
        }
    }

    /// Members whose session expired, or who did not revoke within their rebalance timeout.
    pub(crate) fn on_timer(&mut self, group_id: &str, settings: &ConsumerGroupSettings, ctx: &mut Ctx) {
        let now = ctx.now;
        let expired: Vec<String> =
            self.members.iter().filter(|(_, m)| m.session_deadline <= now).map(|(id, _)| id.clone()).collect();
        for member_id in expired {
            ctx.trace(format!(
                "member {member_id} of consumer group {group_id} was fenced: no heartbeat for {} ms (group.consumer.session.timeout.ms)",
                settings.session_timeout_ms
            ));
            self.remove_member(group_id, &member_id, &format!("member {member_id} was fenced"), ctx);
        }
        let stuck: Vec<(String, i32, u64)> = self
            .members
            .iter()
            .filter(|(_, m)| m.revocation_deadline.is_some_and(|d| d <= now))
            .map(|(id, m)| (id.clone(), m.member_epoch, m.rebalance_timeout_ms))
            .collect();
        for (member_id, epoch, timeout) in stuck {
            ctx.trace(format!(
                "member {member_id} of consumer group {group_id} was fenced: it did not revoke its partitions to leave epoch {epoch} within {timeout} ms (rebalance timeout)"
            ));
            self.remove_member(group_id, &member_id, &format!("member {member_id} was fenced"), ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Output;
    use crate::rng::SimRng;

    const GROUP: &str = "dispatch";

    struct Fixture {
        group: ConsumerGroup,
        topics: VecMap<String, u32>,
        rng: SimRng,
        trace: Vec<String>,
    }

    fn tps(list: &[u32]) -> Vec<Tp> {
        list.iter().map(|p| ("orders".to_string(), *p)).collect()
    }

    impl Fixture {
        fn new() -> Fixture {
            let topics = [("orders".to_string(), 4)].into_iter().collect();
            Fixture { group: ConsumerGroup::default(), topics, rng: SimRng::for_stream(1, 1), trace: Vec::new() }
        }

        fn with_ctx<T>(
            &mut self,
            now: u64,
            f: impl FnOnce(&mut ConsumerGroup, &ConsumerGroupSettings, &mut Ctx) -> T,
        ) -> T {
            let assignors = [ServerAssignor::Uniform, ServerAssignor::Range];
            let settings = ConsumerGroupSettings {
                session_timeout_ms: SESSION_TIMEOUT_MS_DEFAULT,
                heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS_DEFAULT,
                assignors: &assignors,
                topics: &self.topics,
            };
            let mut ctx = Ctx { now: SimTime(now), rng: &mut self.rng, out: Vec::new() };
            let result = f(&mut self.group, &settings, &mut ctx);
            for o in ctx.out {
                if let Output::Trace(_, text) = o {
                    self.trace.push(text);
                }
            }
            result
        }

        fn heartbeat(
            &mut self,
            now: u64,
            member_id: &str,
            member_epoch: i32,
            owned: Option<Vec<Tp>>,
        ) -> Result<HeartbeatAnswer, ApiError> {
            let hb = Heartbeat {
                member_id: member_id.to_string(),
                member_epoch,
                client_id: "console-consumer".to_string(),
                rebalance_timeout_ms: 300_000,
                subscribed_topic_names: (member_epoch == 0).then(|| vec!["orders".to_string()]),
                server_assignor: None,
                owned_partitions: if member_epoch == 0 { Some(Vec::new()) } else { owned },
            };
            self.with_ctx(now, |g, s, ctx| g.heartbeat(GROUP, hb, s, ctx))
        }

        fn ok(
            &mut self,
            now: u64,
            member_id: &str,
            member_epoch: i32,
            owned: Option<Vec<Tp>>,
        ) -> (i32, Option<Vec<Tp>>) {
            let a = self.heartbeat(now, member_id, member_epoch, owned).expect("heartbeat accepted");
            assert_eq!(a.member_id, member_id);
            assert_eq!(a.heartbeat_interval_ms, 5000);
            (a.member_epoch, a.assignment)
        }
    }

    #[test]
    fn first_member_gets_every_partition_in_epoch_1() {
        let mut f = Fixture::new();
        assert_eq!(f.ok(0, "A", 0, None), (1, Some(tps(&[0, 1, 2, 3]))));
        assert_eq!(f.group.group_epoch, 1);
        assert_eq!(f.group.assignment_epoch, 1);
        assert_eq!(f.group.state(), ConsumerGroupState::Stable);
        // Nothing changed: no assignment in the answer.
        assert_eq!(f.ok(5000, "A", 1, None), (1, None));
        assert_eq!(
            f.trace,
            [
                "member A (console-consumer) joined consumer group dispatch (ConsumerGroupHeartbeat, epoch 0), subscribed to orders",
                "consumer group dispatch bumped its group epoch to 1 (member A joined)",
                "consumer group dispatch computed the target assignment for epoch 1 with the uniform assignor: A: [orders-0, orders-1, orders-2, orders-3]",
                "member A of consumer group dispatch is at epoch 1, gets [orders-0, orders-1, orders-2, orders-3], owns [orders-0, orders-1, orders-2, orders-3]",
            ]
        );
    }

    #[test]
    fn second_member_waits_until_the_first_revokes() {
        let mut f = Fixture::new();
        f.ok(0, "A", 0, None);
        // B joins: epoch 2, the target splits, but A still owns everything.
        let (epoch_b, assigned_b) = f.ok(1000, "B", 0, None);
        assert_eq!(f.group.group_epoch, 2);
        assert_eq!(epoch_b, 2);
        assert_eq!(assigned_b, Some(Vec::new()));
        assert_eq!(f.group.state(), ConsumerGroupState::Reconciling);
        let target_b: Vec<Tp> = f.group.target["B"].iter().cloned().collect();
        let target_a: Vec<Tp> = f.group.target["A"].iter().cloned().collect();
        assert_eq!(target_a.len() + target_b.len(), 4);
        assert_eq!(target_b.len(), 2);
        // A is told to revoke B's partitions and stays at epoch 1.
        let (epoch_a, kept) = f.ok(2000, "A", 1, None);
        assert_eq!((epoch_a, kept.clone()), (1, Some(target_a.clone())));
        // B heartbeats before A acknowledged: still nothing.
        assert_eq!(f.ok(3000, "B", 2, Some(Vec::new())), (2, None));
        // A acknowledges (owns only what it kept): epoch 2, Stable.
        assert_eq!(f.ok(3500, "A", 1, kept), (2, None));
        // Now B gets its partitions.
        assert_eq!(f.ok(4000, "B", 2, None), (2, Some(target_b)));
        assert_eq!(f.group.state(), ConsumerGroupState::Stable);
        assert!(
            f.trace.iter().any(|t| t.starts_with("member A of consumer group dispatch must revoke")),
            "{:?}",
            f.trace
        );
        assert!(f.trace.iter().any(|t| t.contains("waits for")), "{:?}", f.trace);
    }

    #[test]
    fn leaving_member_frees_its_partitions() {
        let mut f = Fixture::new();
        f.ok(0, "A", 0, None);
        f.ok(1000, "B", 0, None);
        let (_, kept) = f.ok(2000, "A", 1, None);
        f.ok(2500, "A", 1, kept.clone());
        f.ok(3000, "B", 2, None);
        let left = f.heartbeat(4000, "B", -1, None).expect("leave accepted");
        assert_eq!(left.member_epoch, -1);
        assert_eq!(f.group.group_epoch, 3);
        assert_eq!(f.group.state(), ConsumerGroupState::Assigning);
        assert_eq!(f.ok(5000, "A", 2, None), (3, Some(tps(&[0, 1, 2, 3]))));
        assert_eq!(f.group.state(), ConsumerGroupState::Stable);
        // Leaving twice: unknown.
        assert_eq!(f.heartbeat(6000, "B", -1, None).map_err(|e| e.error), Err(KafkaError::UnknownMemberId));
    }

    #[test]
    fn session_expiry_fences_a_member() {
        let mut f = Fixture::new();
        f.ok(0, "A", 0, None);
        f.ok(1000, "B", 0, None);
        f.ok(2000, "A", 1, None);
        assert_eq!(f.group.next_deadline(), Some(SimTime(46_000)));
        // A heartbeats, B goes quiet.
        f.ok(40_000, "A", 1, Some(f.group.target["A"].iter().cloned().collect()));
        f.with_ctx(46_000, |g, s, ctx| g.on_timer(GROUP, s, ctx));
        assert_eq!(f.group.members().count(), 1);
        assert_eq!(f.group.group_epoch, 3);
        assert!(f.trace.iter().any(|t| t == "member B of consumer group dispatch was fenced: no heartbeat for 45000 ms (group.consumer.session.timeout.ms)"));
        assert_eq!(f.heartbeat(47_000, "B", 2, None).map_err(|e| e.error), Err(KafkaError::UnknownMemberId));
        assert_eq!(f.ok(47_000, "A", 2, None), (3, Some(tps(&[0, 1, 2, 3]))));
    }

    #[test]
    fn a_member_that_does_not_revoke_is_fenced_after_its_rebalance_timeout() {
        let mut f = Fixture::new();
        f.ok(0, "A", 0, None);
        f.ok(1000, "B", 0, None);
        f.ok(2000, "A", 1, None);
        // A keeps heartbeating without revoking.
        for now in (40_000..=280_000).step_by(40_000) {
            f.ok(now, "A", 1, None);
            f.ok(now, "B", 2, None);
        }
        f.with_ctx(301_000, |g, s, ctx| g.on_timer(GROUP, s, ctx));
        assert_eq!(f.group.member_epoch("A"), Some(1));
        f.with_ctx(302_000, |g, s, ctx| g.on_timer(GROUP, s, ctx));
        assert_eq!(f.group.member_epoch("A"), None);
        assert!(f
            .trace
            .iter()
            .any(|t| t.contains("member A of consumer group dispatch was fenced: it did not revoke")));
    }

    #[test]
    fn stale_and_future_epochs_are_fenced() {
        let mut f = Fixture::new();
        f.ok(0, "A", 0, None);
        f.ok(1000, "B", 0, None);
        let (_, kept) = f.ok(2000, "A", 1, None);
        f.ok(3000, "A", 1, kept);
        // A is at epoch 2 now (previous 1): epoch 1 with a subset of its partitions is
        // accepted (the answer may have been lost), epoch 1 with more is fenced, and so are
        // epochs it never had.
        assert_eq!(f.ok(3500, "A", 1, Some(f.group.target["A"].iter().cloned().collect())).0, 2);
        let fenced = f.heartbeat(4000, "A", 1, Some(tps(&[0, 1, 2, 3]))).map_err(|e| e.error);
        assert_eq!(fenced, Err(KafkaError::FencedMemberEpoch));
        let e = f.heartbeat(4000, "A", 7, None).expect_err("fenced");
        assert_eq!(e.error, KafkaError::FencedMemberEpoch);
        assert_eq!(e.message, "The consumer group member has a greater member epoch (7) than the one known by the group coordinator (2). The member must abandon all its partitions and rejoin.");
        assert_eq!(f.heartbeat(4000, "C", 3, None).map_err(|e| e.error), Err(KafkaError::UnknownMemberId));
    }

    #[test]
    fn unknown_assignor_is_rejected() {
        let mut f = Fixture::new();
        let hb = Heartbeat {
            member_id: "A".to_string(),
            member_epoch: 0,
            client_id: "c".to_string(),
            rebalance_timeout_ms: 300_000,
            subscribed_topic_names: Some(vec!["orders".to_string()]),
            server_assignor: Some("sticky".to_string()),
            owned_partitions: Some(Vec::new()),
        };
        let e = f.with_ctx(0, |g, s, ctx| g.heartbeat(GROUP, hb, s, ctx)).expect_err("unsupported");
        assert_eq!(e.error, KafkaError::UnsupportedAssignor);
        assert_eq!(e.message, "ServerAssignor sticky is not supported. Supported assignors: uniform, range.");
    }
}
