//! The consumer's side of the KIP-848 protocol (`group.protocol=consumer`):
//! `ConsumerMembershipManager` and `ConsumerHeartbeatRequestManager` of Kafka 4.0.
//!
//! The member makes up its own id (KIP-1082: `Uuid.randomUuid()`, 22 characters of
//! base64), joins by heartbeating with member epoch 0, then heartbeats every
//! `heartbeat_interval_ms` the coordinator hands back. Each answer may carry a new
//! assignment; the consumer reconciles it (revokes, then assigns) and acknowledges at once
//! with a heartbeat carrying the partitions it now owns. Requests after the first only
//! carry what changed (subscription, owned partitions), as `HeartbeatState` does. Leaving
//! is a heartbeat with epoch -1.
//!
//! This module holds the state and builds the requests; `consumer.rs` does the fetching,
//! committing and sending.

use crate::error::{ApiError, KafkaError};
use crate::node::{Ctx, Level};
use crate::protocol::Msg;
use crate::time::SimTime;

/// `MemberState` of the client (`PREPARE_LEAVING` and `STALE` are folded into the others).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MemberState {
    Unsubscribed,
    Joining,
    Reconciling,
    Acknowledging,
    Stable,
    Fenced,
    Leaving,
    Fatal,
}

impl MemberState {
    fn name(self) -> &'static str {
        match self {
            MemberState::Unsubscribed => "UNSUBSCRIBED",
            MemberState::Joining => "JOINING",
            MemberState::Reconciling => "RECONCILING",
            MemberState::Acknowledging => "ACKNOWLEDGING",
            MemberState::Stable => "STABLE",
            MemberState::Fenced => "FENCED",
            MemberState::Leaving => "LEAVING",
            MemberState::Fatal => "FATAL",
        }
    }
}

/// What a heartbeat answer asks of the consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HeartbeatOutcome {
    Nothing,
    /// A new assignment (partitions of the subscribed topic) to reconcile.
    Reconcile(Vec<u32>),
    /// Fenced or forgotten: drop every partition (no commit) and rejoin with epoch 0.
    Rejoin,
    /// The coordinator moved or is down: find it again.
    CoordinatorLost,
    /// An error the consumer cannot recover from (poll() would throw it).
    Fatal(ApiError),
}

const LOG_CLASS: &str = "(org.apache.kafka.clients.consumer.internals.ConsumerMembershipManager)";

#[derive(Clone, Debug)]
pub(crate) struct ConsumerMembership {
    pub(crate) member_id: String,
    pub(crate) member_epoch: i32,
    pub(crate) state: MemberState,
    /// As the coordinator sets it (`group.consumer.heartbeat.interval.ms`); 0 until it answers.
    pub(crate) heartbeat_interval_ms: u64,
    pub(crate) in_flight: bool,
    pub(crate) next_heartbeat: Option<SimTime>,
    /// A reconciliation finished while a heartbeat was out: acknowledge when it returns.
    pub(crate) ack_pending: bool,
    topic: String,
    rebalance_timeout_ms: u64,
    remote_assignor: Option<String>,
    /// What the coordinator already knows, so later requests leave it out.
    sent_subscription: bool,
    sent_owned: Option<Vec<u32>>,
}

impl ConsumerMembership {
    pub(crate) fn new(topic: String, rebalance_timeout_ms: u64, remote_assignor: Option<String>) -> ConsumerMembership {
        ConsumerMembership {
            member_id: String::new(),
            member_epoch: 0,
            state: MemberState::Unsubscribed,
            heartbeat_interval_ms: 0,
            in_flight: false,
            next_heartbeat: None,
            ack_pending: false,
            topic,
            rebalance_timeout_ms,
            remote_assignor,
            sent_subscription: false,
            sent_owned: None,
        }
    }

    /// In the group with an epoch the coordinator gave (commits may use it).
    pub(crate) fn in_group(&self) -> bool {
        self.member_epoch > 0
            && matches!(self.state, MemberState::Reconciling | MemberState::Acknowledging | MemberState::Stable)
    }

    pub(crate) fn transition(&mut self, next: MemberState, tag: &str, ctx: &mut Ctx) {
        if next != self.state {
            ctx.log(
                Level::Info,
                format!(
                    "{tag} Member {} with epoch {} transitioned from {} to {}. {LOG_CLASS}",
                    self.member_id,
                    self.member_epoch,
                    self.state.name(),
                    next.name()
                ),
            );
            self.state = next;
        }
    }

    /// (Re)joins: epoch 0 and a full request next.
    pub(crate) fn join(&mut self, tag: &str, ctx: &mut Ctx) {
        self.member_epoch = 0;
        self.sent_subscription = false;
        self.sent_owned = None;
        self.ack_pending = false;
        self.transition(MemberState::Joining, tag, ctx);
    }

    /// The next ConsumerGroupHeartbeat, with `owned` the partitions the consumer holds.
    pub(crate) fn request(&mut self, group_id: &str, client_id: &str, owned: &[u32]) -> Msg {
        self.in_flight = true;
        let full = self.member_epoch == 0 || !self.sent_subscription;
        let subscribed_topic_names = (!self.sent_subscription).then(|| vec![self.topic.clone()]);
        self.sent_subscription = true;
        let owned_partitions = (full || self.sent_owned.as_deref() != Some(owned)).then(|| {
            self.sent_owned = Some(owned.to_vec());
            owned.iter().map(|p| (self.topic.clone(), *p)).collect()
        });
        if self.state == MemberState::Acknowledging {
            self.ack_pending = false;
        }
        Msg::ConsumerGroupHeartbeatRequest {
            group_id: group_id.to_string(),
            member_id: self.member_id.clone(),
            member_epoch: self.member_epoch,
            client_id: client_id.to_string(),
            rebalance_timeout_ms: self.rebalance_timeout_ms,
            subscribed_topic_names,
            server_assignor: if full { self.remote_assignor.clone() } else { None },
            owned_partitions,
        }
    }

    /// The heartbeat that leaves the group (epoch -1).
    pub(crate) fn leave_request(&mut self, group_id: &str, client_id: &str, tag: &str, ctx: &mut Ctx) -> Msg {
        self.transition(MemberState::Leaving, tag, ctx);
        self.next_heartbeat = None;
        self.member_epoch = crate::consumer_group::LEAVE_GROUP_MEMBER_EPOCH;
        Msg::ConsumerGroupHeartbeatRequest {
            group_id: group_id.to_string(),
            member_id: self.member_id.clone(),
            member_epoch: self.member_epoch,
            client_id: client_id.to_string(),
            rebalance_timeout_ms: self.rebalance_timeout_ms,
            subscribed_topic_names: None,
            server_assignor: None,
            owned_partitions: None,
        }
    }

    /// A ConsumerGroupHeartbeat answer (`ConsumerHeartbeatRequestManager.onResponse`).
    pub(crate) fn on_response(
        &mut self,
        error: Option<ApiError>,
        member_epoch: i32,
        heartbeat_interval_ms: u64,
        assignment: Option<Vec<(String, u32)>>,
        tag: &str,
        ctx: &mut Ctx,
    ) -> HeartbeatOutcome {
        self.in_flight = false;
        if self.state == MemberState::Leaving {
            self.transition(MemberState::Unsubscribed, tag, ctx);
            return HeartbeatOutcome::Nothing;
        }
        if let Some(e) = error {
            return self.on_error(e, tag, ctx);
        }
        self.member_epoch = member_epoch;
        if heartbeat_interval_ms > 0 {
            self.heartbeat_interval_ms = heartbeat_interval_ms;
        }
        match assignment {
            Some(tps) => {
                self.transition(MemberState::Reconciling, tag, ctx);
                let mut mine: Vec<u32> = tps.into_iter().filter(|(t, _)| *t == self.topic).map(|(_, p)| p).collect();
                mine.sort_unstable();
                HeartbeatOutcome::Reconcile(mine)
            }
            None => {
                if matches!(self.state, MemberState::Acknowledging | MemberState::Joining) && !self.ack_pending {
                    self.transition(MemberState::Stable, tag, ctx);
                }
                HeartbeatOutcome::Nothing
            }
        }
    }

    fn on_error(&mut self, e: ApiError, tag: &str, ctx: &mut Ctx) -> HeartbeatOutcome {
        let class = "(org.apache.kafka.clients.consumer.internals.ConsumerHeartbeatRequestManager)";
        match e.error {
            KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable => {
                ctx.log(Level::Info, format!("{tag} {} while sending heartbeat: {}. Will attempt to find the coordinator again and retry {class}", e.error.name(), e.message));
                HeartbeatOutcome::CoordinatorLost
            }
            KafkaError::FencedMemberEpoch | KafkaError::UnknownMemberId => {
                ctx.log(Level::Info, format!("{tag} Member {} with epoch {} got fenced ({}). It will release its assignment and rejoin the group. {LOG_CLASS}", self.member_id, self.member_epoch, e.error.name()));
                self.transition(MemberState::Fenced, tag, ctx);
                HeartbeatOutcome::Rejoin
            }
            _ => {
                ctx.log(
                    Level::Error,
                    format!("{tag} {} received when sending heartbeat: {} {class}", e.error.name(), e.message),
                );
                self.transition(MemberState::Fatal, tag, ctx);
                HeartbeatOutcome::Fatal(e)
            }
        }
    }
}
