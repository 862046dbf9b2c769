//! Consumer-group partition assignment, computed the way Apache Kafka 4.x computes it.
//!
//! Two families:
//!
//! * [`Assignor`]: the client-side assignors of the classic protocol, run by the group
//!   leader (`partition.assignment.strategy`): `range`, `roundrobin`, `sticky` and
//!   `cooperative-sticky`, ported from `clients/.../consumer/RangeAssignor.java`,
//!   `RoundRobinAssignor.java`, `internals/AbstractStickyAssignor.java` and
//!   `CooperativeStickyAssignor.java`.
//! * [`ServerAssignor`]: the broker-side assignors of KIP-848 (`group.protocol=consumer`),
//!   `uniform` and `range`, ported from `group-coordinator/.../group/assignor/`.
//!
//! What is simplified:
//!
//! * No racks: the rack-aware paths of every assignor are left out (they only run when
//!   consumers set `client.rack`).
//! * Where Java iterates a `HashMap<String, _>` (member ids; topic names in the range
//!   assignor) and the order shows in the result, we iterate in the same order
//!   ([`java_hash_map_order`]: Java's bucket order; keys sharing a bucket, which Java
//!   keeps in insertion order, by name). Where Java iterates a `HashSet` of topic ids or
//!   of partitions, we take topic names / partitions in order; each place says so.
//! * Claimed partitions whose index no longer exists (a topic deleted and re-created
//!   smaller) are dropped; Java would keep the stale claim.
//! * The general sticky path (members subscribe to different topics) is ported step by
//!   step, with two departures: when undoing an earlier move it takes the smallest
//!   candidate partition where Java takes the first of a `HashSet`, and it only hands a
//!   partition back to its previous-generation owner if that member still subscribes to
//!   the topic (Java would assign it regardless).
//!
//! Kept from Kafka on purpose: a member with an empty subscription listed first does not
//! make the sticky assignors see "different subscriptions" (Java fills its reference set
//! from the first non-empty one), and `partition.assignment.strategy` errors carry the
//! `KafkaException` text of `ConsumerPartitionAssignor.getAssignorInstances`. Ported from
//! the apache/kafka sources of late 2024 (the 4.0 line).

use crate::java;
use crate::vec_map::{VecMap, VecSet};
use std::cmp::Ordering;

/// A topic partition: topic name and partition index.
pub(crate) type Tp = (String, u32);

/// Member id → the partitions assigned to it, every member present (possibly empty).
pub(crate) type GroupAssignment = VecMap<String, Vec<Tp>>;

/// What one group member tells the assignor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MemberSubscription {
    pub(crate) member_id: String,
    pub(crate) group_instance_id: Option<String>,
    pub(crate) topics: Vec<String>,
    /// Partitions the member says it owns (sticky assignors: from its last assignment;
    /// server-side assignors: its current target assignment).
    pub(crate) owned: Vec<Tp>,
    /// The generation those were owned in (sticky assignors drop claims from older
    /// generations). `None` is Kafka's "no generation" (-1).
    pub(crate) generation: Option<i32>,
}

/// Kafka's `AbstractStickyAssignor.DEFAULT_GENERATION`.
const DEFAULT_GENERATION: i32 = -1;

/// A client-side (classic protocol) partition assignor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Assignor {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

/// Kafka's default `partition.assignment.strategy`: `[RangeAssignor, CooperativeStickyAssignor]`.
pub(crate) const DEFAULT_ASSIGNORS: [Assignor; 2] = [Assignor::Range, Assignor::CooperativeSticky];

impl Assignor {
    pub(crate) const ALL: [Assignor; 4] =
        [Assignor::Range, Assignor::RoundRobin, Assignor::Sticky, Assignor::CooperativeSticky];

    /// The protocol name sent in JoinGroup (`ConsumerPartitionAssignor.name()`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::RoundRobin => "roundrobin",
            Assignor::Sticky => "sticky",
            Assignor::CooperativeSticky => "cooperative-sticky",
        }
    }

    pub(crate) fn class_name(self) -> &'static str {
        match self {
            Assignor::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
            Assignor::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            Assignor::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
            Assignor::CooperativeSticky => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        }
    }

    /// Only `cooperative-sticky` supports the COOPERATIVE rebalance protocol; the group
    /// uses it when every configured assignor does.
    pub(crate) fn supports_cooperative(self) -> bool {
        self == Assignor::CooperativeSticky
    }

    /// The assignor with this protocol name, as the leader looks it up from JoinGroup.
    pub(crate) fn from_name(name: &str) -> Option<Assignor> {
        Assignor::ALL.into_iter().find(|a| a.name() == name)
    }

    /// One element of `partition.assignment.strategy`. Kafka accepts only class names
    /// here; the simulator also accepts the protocol names as a shorthand. Unknown names
    /// fail with the message of the `KafkaException` thrown by
    /// `ConsumerPartitionAssignor.getAssignorInstances`.
    pub(crate) fn parse(value: &str) -> Result<Assignor, String> {
        Assignor::ALL
            .into_iter()
            .find(|a| a.class_name() == value || a.name() == value)
            .ok_or_else(|| format!("{value} ClassNotFoundException exception occurred"))
    }

    /// The whole `partition.assignment.strategy` value: a comma-separated list (Kafka's
    /// `ConfigDef` LIST parsing trims and splits on commas with surrounding whitespace).
    pub(crate) fn parse_list(value: &str) -> Result<Vec<Assignor>, String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Ok(Vec::new());
        }
        let mut assignors: Vec<Assignor> = Vec::new();
        for element in trimmed.split(',').map(str::trim) {
            let assignor = Assignor::parse(element)?;
            if assignors.contains(&assignor) {
                return Err(format!(
                    "The assignor name: '{}' is used in more than one assignor: {}, {}",
                    assignor.name(),
                    assignor.class_name(),
                    assignor.class_name()
                ));
            }
            assignors.push(assignor);
        }
        Ok(assignors)
    }

    /// The assignment the group leader computes. `partitions_per_topic` is the leader's
    /// metadata; topics nobody subscribes to and topics with no partitions are ignored, as
    /// `AbstractPartitionAssignor.assign(Cluster, ...)` does.
    pub(crate) fn assign(
        self,
        partitions_per_topic: &VecMap<String, u32>,
        members: &[MemberSubscription],
    ) -> GroupAssignment {
        let topics = subscribed_topics_with_partitions(partitions_per_topic, members);
        match self {
            Assignor::Range => assign_range(&topics, members),
            Assignor::RoundRobin => assign_round_robin(&topics, members),
            Assignor::Sticky => assign_sticky(&topics, members).assignment,
            Assignor::CooperativeSticky => assign_cooperative_sticky(&topics, members),
        }
    }
}

/// `partitionsPerTopic` as `AbstractPartitionAssignor` builds it: subscribed topics the
/// metadata knows, with at least one partition.
fn subscribed_topics_with_partitions(
    partitions_per_topic: &VecMap<String, u32>,
    members: &[MemberSubscription],
) -> VecMap<String, u32> {
    members
        .iter()
        .flat_map(|m| m.topics.iter())
        .filter_map(|t| match partitions_per_topic.get(t).copied() {
            Some(count) if count > 0 => Some((t.clone(), count)),
            _ => None,
        })
        .collect()
}

fn empty_assignment(members: &[MemberSubscription]) -> GroupAssignment {
    members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect()
}

/// `AbstractPartitionAssignor.MemberInfo.compareTo`: static members (with a
/// `group.instance.id`) first, by instance id; then dynamic members by member id.
fn member_info_cmp(a: &MemberSubscription, b: &MemberSubscription) -> Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.member_id.cmp(&b.member_id),
    }
}

fn sorted_members(members: &[MemberSubscription]) -> Vec<&MemberSubscription> {
    let mut sorted: Vec<&MemberSubscription> = members.iter().collect();
    // Stable sort, like Java's Collections.sort.
    crate::sort::sort_by(&mut sorted, |a, b| member_info_cmp(a, b));
    sorted
}

/// The iteration order of a default-constructed `java.util.HashMap<String, _>` holding
/// `keys`: by bucket (`(h ^ h >>> 16) & (capacity - 1)`, capacity doubling from 16 while
/// the size exceeds 3/4 of it). Java orders keys sharing a bucket by insertion; we break
/// those ties by name (the insertion order itself came from another hash set).
fn java_hash_map_order<'a>(keys: impl IntoIterator<Item = &'a String>) -> Vec<&'a String> {
    let mut keys: Vec<&String> = keys.into_iter().collect();
    crate::sort::sort(&mut keys);
    java::hash_map_order(keys, |s| java::string_hash(s))
}

/// Members in the iteration order of a Java `HashMap` keyed by member id.
fn java_member_order(members: &[MemberSubscription]) -> Vec<&MemberSubscription> {
    let by_id: VecMap<&String, &MemberSubscription> = members.iter().map(|m| (&m.member_id, m)).collect();
    java_hash_map_order(by_id.keys().copied()).into_iter().map(|id| by_id[id]).collect()
}

/// `RangeAssignor` without racks: per topic, the subscribers in `MemberInfo` order each
/// take a consecutive range; the first `P % k` take one extra. A member's list is in
/// topic order of Java's `HashMap` iteration, partitions ascending within a topic.
fn assign_range(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> GroupAssignment {
    let mut assignment = empty_assignment(members);
    let sorted = sorted_members(members);
    for topic in java_hash_map_order(topics.keys()) {
        let count = topics[topic];
        // Java's consumersPerTopic appends a member once per subscription entry; a
        // member id is then a LinkedHashMap key, so duplicates collapse.
        let mut consumers: Vec<&str> = Vec::new();
        for m in sorted.iter().filter(|m| m.topics.contains(topic)) {
            if !consumers.contains(&m.member_id.as_str()) {
                consumers.push(&m.member_id);
            }
        }
        if consumers.is_empty() {
            continue;
        }
        let k = consumers.len() as u32;
        let (quota, extra) = (count / k, count % k);
        let mut next = 0;
        for (i, consumer) in consumers.iter().enumerate() {
            let take = quota + u32::from((i as u32) < extra);
            if let Some(list) = assignment.get_mut(*consumer) {
                list.extend((next..next + take).map(|p| (topic.clone(), p)));
            }
            next += take;
        }
    }
    assignment
}

/// `RoundRobinAssignor`: every partition (topics by name, partitions ascending) goes to
/// the next member of the circular `MemberInfo`-sorted list, skipping members that do
/// not subscribe to its topic.
fn assign_round_robin(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> GroupAssignment {
    let mut assignment = empty_assignment(members);
    let sorted = sorted_members(members);
    if sorted.is_empty() {
        return assignment;
    }
    let mut cursor = 0usize;
    for (topic, &count) in topics {
        for partition in 0..count {
            // Some member subscribes to every topic in `topics`, so this terminates.
            while !sorted[cursor % sorted.len()].topics.contains(topic) {
                cursor += 1;
            }
            let member = &sorted[cursor % sorted.len()].member_id;
            cursor += 1;
            if let Some(list) = assignment.get_mut(member) {
                list.push((topic.clone(), partition));
            }
        }
    }
    assignment
}

/// The result of the sticky algorithm, before the cooperative adjustment.
struct StickyResult {
    assignment: GroupAssignment,
    /// `partitionsTransferringOwnership` of the constrained path; `None` on the general
    /// path, where the cooperative assignor computes it from owned vs assigned.
    transferring: Option<VecMap<Tp, String>>,
}

/// The owned partitions `allSubscriptionsEqual` keeps for each member, and whether all
/// subscriptions are equal.
struct OwnedClaims {
    all_subscriptions_equal: bool,
    /// Each member's still-valid claims, in the order the member listed them.
    owned: VecMap<String, Vec<Tp>>,
    /// Partitions two members claimed in the same generation: nobody keeps them.
    multiply_claimed: VecSet<Tp>,
    max_generation: i32,
}

/// `AbstractStickyAssignor.allSubscriptionsEqual`: a claim survives only from the highest
/// generation claiming it; two claims at the same generation void both. `members` come
/// in Java's `HashMap` order.
fn owned_claims(topics: &VecMap<String, u32>, members: &[&MemberSubscription]) -> OwnedClaims {
    let mut all_subscriptions_equal = true;
    let mut subscribed: VecSet<&String> = VecSet::new();
    let mut previous_owner: VecMap<Tp, &MemberSubscription> = VecMap::new();
    let mut owned: VecMap<String, Vec<Tp>> = VecMap::new();
    let mut multiply_claimed = VecSet::new();
    let mut max_generation = DEFAULT_GENERATION;
    for member in members {
        let topics_of_member: VecSet<&String> = member.topics.iter().collect();
        // Java initialises the reference set from the first non-empty subscription, so a
        // leading member with no topics does not make the subscriptions unequal.
        if subscribed.is_empty() {
            subscribed = topics_of_member;
        } else if all_subscriptions_equal && topics_of_member != subscribed {
            all_subscriptions_equal = false;
        }
        let generation = member.generation.unwrap_or(DEFAULT_GENERATION);
        max_generation = max_generation.max(generation);
        owned.insert(member.member_id.clone(), Vec::new());
        for tp in &member.owned {
            let exists = topics.get(&tp.0).is_some_and(|&count| tp.1 < count);
            if !exists {
                continue;
            }
            match previous_owner.get(tp) {
                None => {
                    push_owned(&mut owned, &member.member_id, tp);
                    previous_owner.insert(tp.clone(), member);
                }
                Some(other) => {
                    let other_generation = other.generation.unwrap_or(DEFAULT_GENERATION);
                    let other_id = other.member_id.clone();
                    if generation == other_generation {
                        multiply_claimed.insert(tp.clone());
                        remove_owned(&mut owned, &other_id, tp);
                        previous_owner.insert(tp.clone(), member);
                    } else if generation > other_generation {
                        push_owned(&mut owned, &member.member_id, tp);
                        remove_owned(&mut owned, &other_id, tp);
                        previous_owner.insert(tp.clone(), member);
                    }
                }
            }
        }
    }
    OwnedClaims { all_subscriptions_equal, owned, multiply_claimed, max_generation }
}

fn push_owned(owned: &mut VecMap<String, Vec<Tp>>, member: &str, tp: &Tp) {
    if let Some(list) = owned.get_mut(member) {
        list.push(tp.clone());
    }
}

/// `List.remove(Object)`: the first occurrence only.
fn remove_owned(owned: &mut VecMap<String, Vec<Tp>>, member: &str, tp: &Tp) {
    if let Some(list) = owned.get_mut(member) {
        remove_first(list, tp);
    }
}

fn remove_first(list: &mut Vec<Tp>, tp: &Tp) {
    if let Some(i) = list.iter().position(|x| x == tp) {
        list.remove(i);
    }
}

/// `AbstractStickyAssignor.assignPartitions`.
fn assign_sticky(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> StickyResult {
    // Java walks the leader's `HashMap<String, Subscription>`, and which member comes
    // first decides who keeps a maxQuota share; follow that order.
    let by_id = java_member_order(members);
    if by_id.is_empty() {
        return StickyResult { assignment: VecMap::new(), transferring: Some(VecMap::new()) };
    }
    let claims = owned_claims(topics, &by_id);
    if claims.all_subscriptions_equal {
        let (assignment, transferring) = constrained_assign(topics, claims);
        StickyResult { assignment, transferring: Some(transferring) }
    } else {
        let assignment = GeneralBuilder::new(topics, &by_id, claims).build();
        StickyResult { assignment, transferring: None }
    }
}

/// `CooperativeStickyAssignor.assignPartitions`: a partition moving from one owner to
/// another is left out of the new owner's assignment this round; the old owner revokes
/// it, and the follow-up rebalance hands it over.
fn assign_cooperative_sticky(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> GroupAssignment {
    let StickyResult { mut assignment, transferring } = assign_sticky(topics, members);
    let transferring = transferring.unwrap_or_else(|| {
        // computePartitionsTransferringOwnership: added to someone and revoked from
        // someone, using the raw owned lists (not filtered by generation).
        let mut added: VecMap<Tp, String> = VecMap::new();
        let mut revoked: VecSet<Tp> = VecSet::new();
        for member in members {
            let Some(assigned) = assignment.get(&member.member_id) else { continue };
            for tp in assigned {
                if !member.owned.contains(tp) {
                    added.insert(tp.clone(), member.member_id.clone());
                }
            }
            for tp in &member.owned {
                if !assigned.contains(tp) {
                    revoked.insert(tp.clone());
                }
            }
        }
        added.retain(|tp, _| revoked.contains(tp));
        added
    });
    for (tp, member) in &transferring {
        if let Some(list) = assignment.get_mut(member) {
            remove_first(list, tp);
        }
    }
    assignment
}

/// `AbstractStickyAssignor.ConstrainedAssignmentBuilder` (all subscriptions equal), without
/// racks. Returns the assignment and the partitions transferring ownership.
fn constrained_assign(topics: &VecMap<String, u32>, claims: OwnedClaims) -> (GroupAssignment, VecMap<Tp, String>) {
    let OwnedClaims { owned, multiply_claimed, .. } = claims;
    let total: usize = topics.values().map(|&c| c as usize).sum();
    let consumers = owned.len();
    let min_quota = total / consumers;
    let max_quota = total.div_ceil(consumers);
    let expected_over_min = total % consumers;
    let mut current_over_min = 0usize;

    let mut assignment: GroupAssignment = owned.keys().map(|m| (m.clone(), Vec::new())).collect();
    let mut maybe_revoked: VecMap<Tp, String> = VecMap::new();
    let mut assigned: VecSet<Tp> = VecSet::new();
    let mut under_min: Vec<String> = Vec::new();
    let mut exactly_min: Vec<String> = Vec::new();

    // assignOwnedPartitions, in Java's HashMap order of the members.
    for consumer in java_hash_map_order(owned.keys()) {
        let claimed = &owned[consumer];
        let mut claimed: Vec<Tp> = claimed.iter().filter(|tp| !multiply_claimed.contains(*tp)).cloned().collect();
        // Sorted by partition, then topic, so a member keeps one of each topic's low partitions.
        crate::sort::sort_by(&mut claimed, |a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let list = assignment.entry(consumer.clone()).or_default();
        if claimed.len() < min_quota {
            assigned.extend(claimed.iter().cloned());
            list.extend(claimed);
            under_min.push(consumer.clone());
        } else if claimed.len() >= max_quota && current_over_min < expected_over_min {
            current_over_min += 1;
            if current_over_min == expected_over_min {
                exactly_min.clear();
            }
            for tp in claimed.drain(max_quota..) {
                maybe_revoked.insert(tp, consumer.clone());
            }
            assigned.extend(claimed.iter().cloned());
            list.extend(claimed);
        } else {
            for tp in claimed.drain(min_quota..) {
                maybe_revoked.insert(tp, consumer.clone());
            }
            assigned.extend(claimed.iter().cloned());
            list.extend(claimed);
            if current_over_min < expected_over_min {
                exactly_min.push(consumer.clone());
            }
        }
    }

    let unassigned: Vec<Tp> = topics
        .iter()
        .flat_map(|(t, &c)| (0..c).map(move |p| (t.clone(), p)))
        .filter(|tp| !assigned.contains(tp))
        .collect();
    crate::sort::sort(&mut under_min);
    crate::sort::sort(&mut exactly_min);

    // assignRoundRobin. `cursor` plays Java's iterator over the under-minQuota LinkedList.
    let mut transferring: VecMap<Tp, String> = VecMap::new();
    let mut cursor = 0usize;
    for tp in unassigned {
        let (consumer, from_under) = if cursor < under_min.len() {
            cursor += 1;
            (under_min[cursor - 1].clone(), true)
        } else if under_min.is_empty() {
            if exactly_min.is_empty() {
                // Java throws IllegalStateException; the quotas make this unreachable.
                break;
            }
            (exactly_min.remove(0), false)
        } else {
            cursor = 1;
            (under_min[0].clone(), true)
        };
        let list = assignment.entry(consumer.clone()).or_default();
        list.push(tp.clone());
        let count = list.len();
        if maybe_revoked.get(&tp).is_some_and(|owner| *owner != consumer) || multiply_claimed.contains(&tp) {
            transferring.insert(tp, consumer.clone());
        }
        // Java also counts members reaching maxQuota here, but only to log a bug check.
        if count == min_quota {
            if from_under {
                cursor -= 1;
                under_min.remove(cursor);
            }
            exactly_min.push(consumer);
        }
    }
    (assignment, transferring)
}

/// `PartitionMovements` of the general sticky path: which partitions moved between which
/// members during this assignment, so a move back undoes a move instead of adding one.
#[derive(Default)]
struct PartitionMovements {
    by_topic: VecMap<String, VecMap<(String, String), VecSet<Tp>>>,
    movements: VecMap<Tp, (String, String)>,
}

impl PartitionMovements {
    fn remove_record(&mut self, tp: &Tp) -> Option<(String, String)> {
        let pair = self.movements.remove(tp)?;
        if let Some(for_topic) = self.by_topic.get_mut(&tp.0) {
            if let Some(set) = for_topic.get_mut(&pair) {
                set.remove(tp);
                if set.is_empty() {
                    for_topic.remove(&pair);
                }
            }
            if for_topic.is_empty() {
                self.by_topic.remove(&tp.0);
            }
        }
        Some(pair)
    }

    fn add_record(&mut self, tp: &Tp, pair: (String, String)) {
        self.movements.insert(tp.clone(), pair.clone());
        self.by_topic.entry(tp.0.clone()).or_default().entry(pair).or_default().insert(tp.clone());
    }

    fn move_partition(&mut self, tp: &Tp, old: &str, new: &str) {
        match self.remove_record(tp) {
            Some((src, _)) => {
                if src != new {
                    self.add_record(tp, (src, new.to_owned()));
                }
            }
            None => self.add_record(tp, (old.to_owned(), new.to_owned())),
        }
    }

    /// `getTheActualPartitionToBeMoved`. Java takes the first element of a
    /// `HashSet<TopicPartition>`; we take the smallest.
    fn actual_partition_to_move(&self, tp: &Tp, old: &str, new: &str) -> Tp {
        let Some(for_topic) = self.by_topic.get(&tp.0) else { return tp.clone() };
        let old = match self.movements.get(tp) {
            Some((src, _)) => src.as_str(),
            None => old,
        };
        match for_topic.get(&(new.to_owned(), old.to_owned())).and_then(|s| s.iter().next()) {
            Some(reverse) => reverse.clone(),
            None => tp.clone(),
        }
    }
}

/// `AbstractStickyAssignor.GeneralAssignmentBuilder` (subscriptions differ), without racks.
/// Java's `sortedCurrentSubscriptions` TreeSet (by assignment size, then member id) is
/// recomputed on demand: Java re-inserts a member whenever its size changes, so the two
/// agree everywhere the set is read.
struct GeneralBuilder<'a> {
    topics: &'a VecMap<String, u32>,
    members: VecMap<String, &'a MemberSubscription>,
    topic_consumers: VecMap<String, Vec<String>>,
    consumer_topics: VecMap<String, Vec<String>>,
    current: VecMap<String, Vec<Tp>>,
    partition_consumer: VecMap<Tp, String>,
    sorted_all_partitions: Vec<Tp>,
    revocation_required: bool,
    movements: PartitionMovements,
    max_generation: i32,
}

impl<'a> GeneralBuilder<'a> {
    fn new(topics: &'a VecMap<String, u32>, by_id: &[&'a MemberSubscription], claims: OwnedClaims) -> Self {
        let mut topic_consumers: VecMap<String, Vec<String>> = topics.keys().map(|t| (t.clone(), Vec::new())).collect();
        let mut consumer_topics = VecMap::new();
        for member in by_id {
            let mut subscribed = Vec::new();
            for topic in &member.topics {
                if let Some(list) = topic_consumers.get_mut(topic) {
                    subscribed.push(topic.clone());
                    list.push(member.member_id.clone());
                }
            }
            consumer_topics.insert(member.member_id.clone(), subscribed);
        }
        let current = claims.owned;
        let mut partition_consumer = VecMap::new();
        for (consumer, list) in &current {
            for tp in list {
                partition_consumer.insert(tp.clone(), consumer.clone());
            }
        }
        // Topics with fewer potential consumers first (TopicComparator), then by name.
        let mut sorted_topics: Vec<&String> = topics.keys().collect();
        crate::sort::sort_by_key(&mut sorted_topics, |t| (topic_consumers[*t].len(), *t));
        let sorted_all_partitions =
            sorted_topics.into_iter().flat_map(|t| (0..topics[t]).map(move |p| (t.clone(), p))).collect();
        GeneralBuilder {
            topics,
            members: by_id.iter().map(|m| (m.member_id.clone(), *m)).collect(),
            topic_consumers,
            consumer_topics,
            current,
            partition_consumer,
            sorted_all_partitions,
            revocation_required: false,
            movements: PartitionMovements::default(),
            max_generation: claims.max_generation,
        }
    }

    fn size(&self, consumer: &str) -> usize {
        self.current.get(consumer).map_or(0, Vec::len)
    }

    /// `sortedCurrentSubscriptions` in iteration order.
    fn sorted_subscriptions(&self) -> Vec<String> {
        let mut sorted: Vec<String> = self.current.keys().cloned().collect();
        crate::sort::sort_by(&mut sorted, |a, b| self.size(a).cmp(&self.size(b)).then_with(|| a.cmp(b)));
        sorted
    }

    fn subscribes(&self, consumer: &str, topic: &str) -> bool {
        self.consumer_topics.get(consumer).is_some_and(|ts| ts.iter().any(|t| t == topic))
    }

    fn build(mut self) -> GroupAssignment {
        // prepopulateCurrentAssignments: the claims of members from older generations,
        // keeping the newest generation per partition (first claimant on ties).
        let mut prev: VecMap<Tp, (String, i32)> = VecMap::new();
        for id in java_hash_map_order(self.members.keys()) {
            let member = self.members[id];
            let generation = match member.generation {
                Some(g) if g < self.max_generation => g,
                None if self.max_generation > DEFAULT_GENERATION => DEFAULT_GENERATION,
                _ => continue,
            };
            for tp in &member.owned {
                if prev.get(tp).is_none_or(|(_, g)| generation > *g) {
                    prev.insert(tp.clone(), (member.member_id.clone(), generation));
                }
            }
        }

        // assignOwnedPartitions: drop claims on topics the claimant no longer subscribes to.
        let mut assigned: VecSet<Tp> = VecSet::new();
        let consumers: Vec<String> = self.current.keys().cloned().collect();
        for consumer in consumers {
            let claimed = self.current.get(&consumer).cloned().unwrap_or_default();
            let mut kept = Vec::new();
            for tp in claimed {
                if self.subscribes(&consumer, &tp.0) {
                    assigned.insert(tp.clone());
                    kept.push(tp);
                } else {
                    self.revocation_required = true;
                }
            }
            self.current.insert(consumer, kept);
        }
        let unassigned: Vec<Tp> =
            self.sorted_all_partitions.iter().filter(|tp| !assigned.contains(*tp)).cloned().collect();
        self.balance(&prev, unassigned);
        let mut result = self.current;
        for member in self.members.keys() {
            result.entry(member.clone()).or_default();
        }
        result
    }

    fn balance(&mut self, prev: &VecMap<Tp, (String, i32)>, mut unassigned: Vec<Tp>) {
        let initializing = self.current.values().all(Vec::is_empty);

        // maybeAssign: each unassigned partition to the least-loaded subscriber.
        for tp in &unassigned {
            let target = self.sorted_subscriptions().into_iter().find(|c| self.subscribes(c, &tp.0));
            if let Some(consumer) = target {
                self.current.entry(consumer.clone()).or_default().push(tp.clone());
                self.partition_consumer.insert(tp.clone(), consumer);
            }
        }

        // Topics with a single subscriber cannot move.
        let fixed_topics: VecSet<String> =
            self.topic_consumers.iter().filter(|(_, cs)| cs.len() < 2).map(|(t, _)| t.clone()).collect();
        self.sorted_all_partitions.retain(|tp| !fixed_topics.contains(&tp.0));
        unassigned.retain(|tp| !fixed_topics.contains(&tp.0));

        // Members that cannot take part in reassignment are set aside.
        let mut fixed_assignments: Vec<(String, Vec<Tp>)> = Vec::new();
        let consumers: Vec<String> = self.consumer_topics.keys().cloned().collect();
        for consumer in consumers {
            if !self.can_consumer_participate(&consumer) {
                if let Some(list) = self.current.remove(&consumer) {
                    fixed_assignments.push((consumer, list));
                }
            }
        }

        let pre_balance = self.current.clone();
        let pre_balance_partition_consumer = self.partition_consumer.clone();
        if !self.revocation_required {
            self.perform_reassignments(&unassigned, prev);
        }
        let all = self.sorted_all_partitions.clone();
        let reassigned = self.perform_reassignments(&all, prev);
        if !initializing && reassigned && balance_score(&self.current) >= balance_score(&pre_balance) {
            self.current = pre_balance;
            self.partition_consumer = pre_balance_partition_consumer;
        }
        for (consumer, list) in fixed_assignments {
            self.current.insert(consumer, list);
        }
    }

    fn max_assignment_size(&self, consumer: &str) -> usize {
        self.consumer_topics
            .get(consumer)
            .map_or(0, |ts| ts.iter().map(|t| self.topics.get(t).map_or(0, |&c| c as usize)).sum())
    }

    fn can_consumer_participate(&self, consumer: &str) -> bool {
        if self.size(consumer) < self.max_assignment_size(consumer) {
            return true;
        }
        self.current
            .get(consumer)
            .is_some_and(|list| list.iter().any(|tp| self.topic_consumers.get(&tp.0).is_some_and(|cs| cs.len() >= 2)))
    }

    fn is_balanced(&self) -> bool {
        let sizes = self.current.values().map(Vec::len);
        let (min, max) = (sizes.clone().min().unwrap_or(0), sizes.max().unwrap_or(0));
        if min + 1 >= max {
            return true;
        }
        for consumer in self.sorted_subscriptions() {
            let count = self.size(&consumer);
            if count == self.max_assignment_size(&consumer) {
                continue;
            }
            let Some(topics) = self.consumer_topics.get(&consumer) else { continue };
            for topic in topics {
                for p in 0..self.topics.get(topic).copied().unwrap_or(0) {
                    let tp = (topic.clone(), p);
                    if self.current.get(&consumer).is_some_and(|l| l.contains(&tp)) {
                        continue;
                    }
                    let Some(other) = self.owner_in_current(&tp) else { continue };
                    if count + 1 < self.size(other) {
                        return false;
                    }
                }
            }
        }
        true
    }

    fn owner_in_current(&self, tp: &Tp) -> Option<&String> {
        self.partition_consumer.get(tp).filter(|c| self.current.contains_key(*c))
    }

    fn perform_reassignments(&mut self, partitions: &[Tp], prev: &VecMap<Tp, (String, i32)>) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(consumer) = self.owner_in_current(tp).cloned() else { continue };
                if let Some((prev_consumer, _)) = prev.get(tp) {
                    // Java moves the partition back even to a member that no longer
                    // subscribes to it; we require the member to be able to take it.
                    if self.current.contains_key(prev_consumer)
                        && self.subscribes(prev_consumer, &tp.0)
                        && self.size(&consumer) > self.size(prev_consumer) + 1
                    {
                        self.reassign_to(tp, prev_consumer.clone());
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                let others = self.topic_consumers.get(&tp.0).cloned().unwrap_or_default();
                if others.iter().any(|o| self.current.contains_key(o) && self.size(&consumer) > self.size(o) + 1) {
                    let target = self.sorted_subscriptions().into_iter().find(|c| self.subscribes(c, &tp.0));
                    if let Some(target) = target {
                        self.reassign_to(tp, target);
                        performed = true;
                        modified = true;
                    }
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    fn reassign_to(&mut self, tp: &Tp, new_consumer: String) {
        let Some(consumer) = self.partition_consumer.get(tp).cloned() else { return };
        let to_move = self.movements.actual_partition_to_move(tp, &consumer, &new_consumer);
        let Some(old_consumer) = self.partition_consumer.get(&to_move).cloned() else { return };
        self.movements.move_partition(&to_move, &old_consumer, &new_consumer);
        if let Some(list) = self.current.get_mut(&old_consumer) {
            remove_first(list, &to_move);
        }
        self.current.entry(new_consumer.clone()).or_default().push(to_move.clone());
        self.partition_consumer.insert(to_move, new_consumer);
    }
}

/// Sum over member pairs of the difference in assignment sizes (0 = perfectly balanced).
fn balance_score(assignment: &VecMap<String, Vec<Tp>>) -> usize {
    let sizes: Vec<usize> = assignment.values().map(Vec::len).collect();
    let mut score = 0;
    for (i, a) in sizes.iter().enumerate() {
        for b in &sizes[i + 1..] {
            score += a.abs_diff(*b);
        }
    }
    score
}

/// A broker-side (KIP-848, `group.protocol=consumer`) partition assignor: the group
/// coordinator computes the target assignment itself (`group.consumer.assignors`, chosen
/// per member with `group.remote.assignor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ServerAssignor {
    Uniform,
    Range,
}

/// Kafka's default `group.consumer.assignors`: `[uniform, range]`, the first being the default.
pub(crate) const DEFAULT_SERVER_ASSIGNORS: [ServerAssignor; 2] = [ServerAssignor::Uniform, ServerAssignor::Range];

impl ServerAssignor {
    pub(crate) const ALL: [ServerAssignor; 2] = [ServerAssignor::Uniform, ServerAssignor::Range];

    pub(crate) fn name(self) -> &'static str {
        match self {
            ServerAssignor::Uniform => "uniform",
            ServerAssignor::Range => "range",
        }
    }

    pub(crate) fn class_name(self) -> &'static str {
        match self {
            ServerAssignor::Uniform => "org.apache.kafka.coordinator.group.assignor.UniformAssignor",
            ServerAssignor::Range => "org.apache.kafka.coordinator.group.assignor.RangeAssignor",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<ServerAssignor> {
        ServerAssignor::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The new target assignment. Each member's `owned` is its current target assignment
    /// (`generation` is unused). Subscribed topics missing from `partitions_per_topic` are
    /// ignored, as the coordinator only resolves existing topic names to ids. Java returns
    /// sets of partitions; each member's list here is sorted by topic, then partition.
    pub(crate) fn assign(
        self,
        partitions_per_topic: &VecMap<String, u32>,
        members: &[MemberSubscription],
    ) -> GroupAssignment {
        // The subscriptions as the coordinator sees them: existing topics only.
        let resolved: Vec<MemberSubscription> = members
            .iter()
            .map(|m| {
                let mut m = m.clone();
                let topics: VecSet<String> =
                    m.topics.iter().filter(|t| partitions_per_topic.contains_key(*t)).cloned().collect();
                m.topics = topics.into_iter().collect();
                m.owned.retain(|tp| partitions_per_topic.get(&tp.0).is_some_and(|&c| tp.1 < c));
                m
            })
            .collect();
        let mut assignment = match self {
            ServerAssignor::Uniform => {
                // Like the coordinator's SubscriptionType: compared on the subscribed
                // names, existing or not.
                let sets: Vec<VecSet<&String>> = members.iter().map(|m| m.topics.iter().collect()).collect();
                let homogeneous = sets.windows(2).all(|w| w[0] == w[1]);
                if homogeneous {
                    uniform_homogeneous(partitions_per_topic, &resolved)
                } else {
                    uniform_heterogeneous(partitions_per_topic, &resolved)
                }
            }
            ServerAssignor::Range => server_range(partitions_per_topic, &resolved),
        };
        for list in assignment.values_mut() {
            crate::sort::sort(list);
        }
        assignment
    }
}

/// `UniformHomogeneousAssignmentBuilder`. Java walks `groupSpec.memberIds()` in
/// `HashMap` order (followed here: the first members get the extra partitions) and the
/// topics in `HashSet<Uuid>` order (random topic ids: we take topic names in order).
fn uniform_homogeneous(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> GroupAssignment {
    let by_id = java_member_order(members);
    let mut assignment = empty_assignment(members);
    let Some(first) = by_id.first() else { return assignment };
    let subscribed: &Vec<String> = &first.topics;
    if subscribed.is_empty() {
        return assignment;
    }
    let currently_assigned: VecSet<&Tp> = by_id.iter().flat_map(|m| m.owned.iter()).collect();
    let mut unassigned: Vec<Tp> = Vec::new();
    let mut total = 0usize;
    for topic in subscribed {
        let count = topics.get(topic).copied().unwrap_or(0);
        for p in 0..count {
            let tp = (topic.clone(), p);
            if !currently_assigned.contains(&tp) {
                unassigned.push(tp);
            }
        }
        total += count as usize;
    }
    let min_quota = total / by_id.len();
    let mut remaining_extra = total % by_id.len();

    // maybeRevokePartitions: keep what fits the member's quota.
    let mut unfilled: Vec<(String, usize)> = Vec::new();
    for member in &by_id {
        let mut quota = min_quota;
        if remaining_extra > 0 {
            quota += 1;
            remaining_extra -= 1;
        }
        let mut by_topic: VecMap<&String, VecSet<u32>> = VecMap::new();
        for (t, p) in &member.owned {
            by_topic.entry(t).or_default().insert(*p);
        }
        let mut kept = Vec::new();
        for (topic, partitions) in by_topic {
            if !subscribed.contains(topic) {
                continue;
            }
            if partitions.len() <= quota {
                quota -= partitions.len();
                kept.extend(partitions.into_iter().map(|p| (topic.clone(), p)));
            } else {
                for p in partitions {
                    if quota > 0 {
                        quota -= 1;
                        kept.push((topic.clone(), p));
                    } else {
                        unassigned.push((topic.clone(), p));
                    }
                }
            }
        }
        if quota > 0 {
            unfilled.push((member.member_id.clone(), quota));
        }
        assignment.insert(member.member_id.clone(), kept);
    }

    // assignRemainingPartitions: fill the unfilled members in order.
    let mut next = unassigned.into_iter();
    for (member, quota) in unfilled {
        if let Some(list) = assignment.get_mut(&member) {
            list.extend(next.by_ref().take(quota));
        }
    }
    assignment
}

/// `UniformHeterogeneousAssignmentBuilder`: keep every current partition the member still
/// subscribes to, give the unassigned ones to the least-loaded subscribers (topics with
/// the most partitions per subscriber first), then move partitions from the most- to the
/// least-loaded subscribers topic by topic until balanced (at most 16 passes). Members are
/// indexed in Java's `HashMap` order; ties between topics, which Java breaks by topic id,
/// are broken by name.
fn uniform_heterogeneous(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> GroupAssignment {
    let mut assignment = empty_assignment(members);
    let order = java_member_order(members);
    let mut subscribers: VecMap<&String, Vec<usize>> = VecMap::new();
    for (index, member) in order.iter().enumerate() {
        for topic in &member.topics {
            let list = subscribers.entry(topic).or_default();
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
    }
    if subscribers.is_empty() {
        return assignment;
    }
    let mut state = Heterogeneous {
        sizes: vec![0; order.len()],
        owners: subscribers.keys().map(|t| ((*t).clone(), vec![None; topics[*t] as usize])).collect(),
    };

    // maybeRevokePartitions: drop topics the member no longer subscribes to, keep the rest.
    for (index, member) in order.iter().enumerate() {
        for (topic, p) in &member.owned {
            if !member.topics.contains(topic) {
                continue;
            }
            let Some(slot) = state.owners.get_mut(topic).and_then(|o| o.get_mut(*p as usize)) else { continue };
            // A partition in two target assignments (invalid input) stays with the first.
            if slot.is_none() {
                *slot = Some(index);
                state.sizes[index] += 1;
            }
        }
    }

    // Topics by partitions per subscriber (descending), subscriber count, then name.
    let sort_topics = |list: &mut Vec<&String>| {
        crate::sort::sort_by(list, |a, b| {
            let (pa, sa) = (u64::from(topics[*a]), subscribers[a].len() as u64);
            let (pb, sb) = (u64::from(topics[*b]), subscribers[b].len() as u64);
            (pb * sa).cmp(&(pa * sb)).then(sa.cmp(&sb)).then(a.cmp(b))
        })
    };

    // assignRemainingPartitions
    let mut with_unassigned: Vec<&String> =
        subscribers.keys().copied().filter(|t| state.owners[*t].iter().any(Option::is_none)).collect();
    sort_topics(&mut with_unassigned);
    let mut balancer = Balancer::default();
    for topic in with_unassigned {
        balancer.initialize(&subscribers[topic], &state.sizes);
        for p in 0..topics[topic] as usize {
            if state.owners[topic][p].is_none() {
                let member = balancer.next_least_loaded(&state.sizes);
                state.assign(topic, p, member);
            }
        }
    }

    // balance / balanceTopics: only topics with two or more subscribers can move.
    let mut movable: Vec<&String> = subscribers.iter().filter(|(_, s)| s.len() >= 2).map(|(t, _)| *t).collect();
    sort_topics(&mut movable);
    let mut last_rebalanced: Option<usize> = None;
    'passes: for _ in 0..16 {
        for (index, topic) in movable.iter().enumerate() {
            if last_rebalanced == Some(index) {
                break 'passes;
            }
            let moved = state.balance_topic(topic, &subscribers[*topic], &mut balancer);
            if moved > 0 || last_rebalanced.is_none() {
                last_rebalanced = Some(index);
            }
        }
    }

    for (topic, owners) in &state.owners {
        for (p, owner) in owners.iter().enumerate() {
            if let Some(list) = owner.and_then(|i| assignment.get_mut(&order[i].member_id)) {
                list.push((topic.clone(), p as u32));
            }
        }
    }
    assignment
}

/// The heterogeneous uniform builder's state: partition owners (member indexes) per
/// topic and each member's assignment size.
struct Heterogeneous {
    sizes: Vec<i64>,
    owners: VecMap<String, Vec<Option<usize>>>,
}

impl Heterogeneous {
    fn assign(&mut self, topic: &str, partition: usize, member: usize) {
        let Some(slot) = self.owners.get_mut(topic).and_then(|o| o.get_mut(partition)) else { return };
        if let Some(old) = slot.replace(member) {
            self.sizes[old] -= 1;
        }
        self.sizes[member] += 1;
    }

    /// `balanceTopic`: move this topic's partitions from its most-loaded subscribers to
    /// its least-loaded ones, highest partition first. Returns how many moved.
    fn balance_topic(&mut self, topic: &str, subscribers: &[usize], balancer: &mut Balancer) -> usize {
        let imbalance = balancer.initialize(subscribers, &self.sizes);
        if imbalance <= 1 {
            return 0;
        }
        let owners = self.owners.get(topic).cloned().unwrap_or_default();
        let mut partitions: Vec<usize> = (0..owners.len()).collect();
        // Grouped by owner (unowned first, as Java's -1), ascending within an owner.
        crate::sort::sort_by_key(&mut partitions, |&p| (owners[p], p));
        let mut start: VecMap<Option<usize>, usize> = VecMap::new();
        let mut end: VecMap<Option<usize>, usize> = VecMap::new();
        for (i, &p) in partitions.iter().enumerate() {
            start.entry(owners[p]).or_insert(i);
            end.insert(owners[p], i + 1);
        }
        let mut moved = 0;
        while !balancer.is_balanced() {
            let mut most_loaded = None;
            while let Some(member) = balancer.next_most_loaded(&self.sizes) {
                let key = Some(member);
                if end.get(&key).is_some_and(|&e| e > start.get(&key).copied().unwrap_or(e)) {
                    most_loaded = Some(member);
                    break;
                }
                balancer.exclude_most_loaded();
            }
            let Some(member) = most_loaded else { break };
            let Some(e) = end.get_mut(&Some(member)) else { break };
            *e -= 1;
            let partition = partitions[*e];
            let least_loaded = balancer.next_least_loaded(&self.sizes);
            if balancer.is_balanced() {
                break;
            }
            self.assign(topic, partition, least_loaded);
            moved += 1;
        }
        moved
    }
}

/// `MemberAssignmentBalancer`: walks one topic's subscribers sorted by assignment size,
/// handing out least-loaded members round-robin within the lowest size band and
/// most-loaded members within the highest band, tracking both band sizes.
#[derive(Default)]
struct Balancer {
    sorted: Vec<usize>,
    least_end: usize,
    least_count: i64,
    next_least: usize,
    most_start: usize,
    most_end: usize,
    most_count: i64,
    /// May reach -1, as in Java.
    next_most: i64,
}

impl Balancer {
    /// Returns the spread between the most- and least-loaded subscriber.
    fn initialize(&mut self, members: &[usize], sizes: &[i64]) -> i64 {
        self.sorted = members.to_vec();
        crate::sort::sort_by_key(&mut self.sorted, |&m| (sizes[m], m));
        let n = self.sorted.len();
        let (Some(&first), Some(&last)) = (self.sorted.first(), self.sorted.last()) else { return 0 };
        self.least_end = 0;
        self.least_count = sizes[first] - 1;
        self.next_least = 0;
        self.most_start = n;
        self.most_end = n;
        self.most_count = sizes[last] + 1;
        self.next_most = n as i64 - 1;
        sizes[last] - sizes[first]
    }

    fn next_least_loaded(&mut self, sizes: &[i64]) -> usize {
        if self.next_least >= self.least_end {
            self.least_count += 1;
            while self.least_end < self.sorted.len() && sizes[self.sorted[self.least_end]] == self.least_count {
                self.least_end += 1;
            }
            self.next_least = 0;
        }
        let member = self.sorted[self.next_least];
        self.next_least += 1;
        member
    }

    fn next_most_loaded(&mut self, sizes: &[i64]) -> Option<usize> {
        if self.next_most < self.most_start as i64 {
            if self.most_end <= self.most_start && self.most_start > 0 {
                self.most_count = sizes[self.sorted[self.most_start - 1]];
            } else {
                self.most_count -= 1;
            }
            while self.most_start > 0 && sizes[self.sorted[self.most_start - 1]] == self.most_count {
                self.most_start -= 1;
            }
            self.next_most = self.most_end as i64 - 1;
        }
        let index = usize::try_from(self.next_most).ok()?;
        self.next_most -= 1;
        Some(self.sorted[index])
    }

    /// Swaps the member last returned by `next_most_loaded` out of the most-loaded band.
    fn exclude_most_loaded(&mut self) {
        let Ok(index) = usize::try_from(self.next_most + 1) else { return };
        if self.most_end == 0 || index >= self.sorted.len() {
            return;
        }
        self.sorted.swap(index, self.most_end - 1);
        self.most_end -= 1;
    }

    fn is_balanced(&self) -> bool {
        self.most_count - self.least_count <= 1
    }
}

/// The group coordinator's `RangeAssignor`: per topic, subscribers in `MemberInfo` order
/// (static members first) take consecutive ranges, the first `P % k` one extra. It does
/// not look at the current assignment.
fn server_range(topics: &VecMap<String, u32>, members: &[MemberSubscription]) -> GroupAssignment {
    let mut assignment = empty_assignment(members);
    for (topic, &count) in topics {
        let subscribers: Vec<&MemberSubscription> =
            sorted_members(members).into_iter().filter(|m| m.topics.contains(topic)).collect();
        if subscribers.is_empty() {
            continue;
        }
        let k = subscribers.len() as u32;
        let (quota, mut extra) = (count / k, count % k);
        let mut next = 0;
        for m in subscribers {
            let mut take = quota;
            if extra > 0 {
                take += 1;
                extra -= 1;
            }
            let end = (next + take).min(count);
            if let Some(list) = assignment.get_mut(&m.member_id) {
                list.extend((next..end).map(|p| (topic.clone(), p)));
            }
            next = end;
        }
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    fn member(id: &str, topics: &[&str]) -> MemberSubscription {
        MemberSubscription {
            member_id: id.to_owned(),
            topics: topics.iter().map(|t| (*t).to_owned()).collect(),
            ..MemberSubscription::default()
        }
    }

    fn owning(mut m: MemberSubscription, owned: &[(&str, u32)], generation: i32) -> MemberSubscription {
        m.owned = owned.iter().map(|(t, p)| ((*t).to_owned(), *p)).collect();
        m.generation = Some(generation);
        m
    }

    fn topics(list: &[(&str, u32)]) -> VecMap<String, u32> {
        list.iter().map(|(t, c)| ((*t).to_owned(), *c)).collect()
    }

    fn tps(list: &[(&str, u32)]) -> Vec<Tp> {
        list.iter().map(|(t, p)| ((*t).to_owned(), *p)).collect()
    }

    fn sorted(mut list: Vec<Tp>) -> Vec<Tp> {
        list.sort();
        list
    }

    #[test]
    fn range_worked_example() {
        let t = topics(&[("t0", 3), ("t1", 3)]);
        let members = [member("C0", &["t0", "t1"]), member("C1", &["t0", "t1"])];
        let a = Assignor::Range.assign(&t, &members);
        assert_eq!(a["C0"], tps(&[("t0", 0), ("t0", 1), ("t1", 0), ("t1", 1)]));
        assert_eq!(a["C1"], tps(&[("t0", 2), ("t1", 2)]));
    }

    #[test]
    fn roundrobin_worked_example() {
        let t = topics(&[("t0", 3), ("t1", 3)]);
        let members = [member("C0", &["t0", "t1"]), member("C1", &["t0", "t1"])];
        let a = Assignor::RoundRobin.assign(&t, &members);
        assert_eq!(a["C0"], tps(&[("t0", 0), ("t0", 2), ("t1", 1)]));
        assert_eq!(a["C1"], tps(&[("t0", 1), ("t1", 0), ("t1", 2)]));
    }

    fn sticky(t: &VecMap<String, u32>, members: &[MemberSubscription]) -> StickyResult {
        assign_sticky(&subscribed_topics_with_partitions(t, members), members)
    }

    #[test]
    fn range_kafka_cases() {
        // RangeAssignorTest.testMultipleConsumersMixedTopics
        let t = topics(&[("topic1", 3), ("topic2", 2)]);
        let members = [
            member("consumer1", &["topic1"]),
            member("consumer2", &["topic1", "topic2"]),
            member("consumer3", &["topic1"]),
        ];
        let a = Assignor::Range.assign(&t, &members);
        assert_eq!(a["consumer1"], tps(&[("topic1", 0)]));
        assert_eq!(a["consumer2"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 1)]));
        assert_eq!(a["consumer3"], tps(&[("topic1", 2)]));

        // testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions: the static
        // member sorts first although its member id is larger.
        let t = topics(&[("topic1", 3), ("topic2", 3)]);
        let mut low = member("consumer-b", &["topic1", "topic2"]);
        low.group_instance_id = Some("instance1".to_owned());
        let members = [low, member("consumer-a", &["topic1", "topic2"])];
        let a = Assignor::Range.assign(&t, &members);
        assert_eq!(a["consumer-b"], tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)]));
        assert_eq!(a["consumer-a"], tps(&[("topic1", 2), ("topic2", 2)]));

        // testStaticMemberRangeAssignmentPersistent
        let t = topics(&[("topic1", 5), ("topic2", 4)]);
        let mut members: Vec<MemberSubscription> = (1..=3)
            .map(|i| {
                let mut m = member(&format!("consumer{i}"), &["topic1", "topic2"]);
                m.group_instance_id = Some(format!("instance{i}"));
                m
            })
            .collect();
        members.push(member("consumer4", &["topic1", "topic2"]));
        let a = Assignor::Range.assign(&t, &members);
        assert_eq!(a["consumer1"], tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0)]));
        assert_eq!(a["consumer2"], tps(&[("topic1", 2), ("topic2", 1)]));
        assert_eq!(a["consumer3"], tps(&[("topic1", 3), ("topic2", 2)]));
        assert_eq!(a["consumer4"], tps(&[("topic1", 4), ("topic2", 3)]));

        // testOneConsumerNonexistentTopic / testOnlyAssignsPartitionsFromSubscribedTopics
        let a = Assignor::Range.assign(&topics(&[("other", 3)]), &[member("consumer", &["topic"])]);
        assert_eq!(a["consumer"], Vec::<Tp>::new());
    }

    #[test]
    fn range_lists_topics_in_java_hash_map_order() {
        // Buckets of a 16-slot table: "a1" = 3056 -> 0, "q" = 113 -> 1, "b" = 98 -> 2,
        // "c" = 99 -> 3.
        assert_eq!(crate::java::string_hash("a1"), 3056);
        let t = topics(&[("b", 1), ("a1", 1), ("c", 1), ("q", 1)]);
        let a = Assignor::Range.assign(&t, &[member("m", &["b", "a1", "c", "q"])]);
        assert_eq!(a["m"], tps(&[("a1", 0), ("q", 0), ("b", 0), ("c", 0)]));
        // "consumer1".."consumer3" hash to consecutive values, but the spread
        // (h ^ h >>> 16) puts them out of order.
        let ids: Vec<String> = (1..=3).map(|i| format!("consumer{i}")).collect();
        let order: Vec<&String> = java_hash_map_order(&ids);
        assert_eq!(order.len(), 3);
    }

    #[test]
    fn roundrobin_kafka_cases() {
        // RoundRobinAssignorTest.testMultipleConsumersMixedTopics
        let t = topics(&[("topic1", 3), ("topic2", 2)]);
        let members = [
            member("consumer1", &["topic1"]),
            member("consumer2", &["topic1", "topic2"]),
            member("consumer3", &["topic1"]),
        ];
        let a = Assignor::RoundRobin.assign(&t, &members);
        assert_eq!(a["consumer1"], tps(&[("topic1", 0)]));
        assert_eq!(a["consumer2"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 1)]));
        assert_eq!(a["consumer3"], tps(&[("topic1", 2)]));
    }

    #[test]
    fn sticky_worked_example_adding_a_member() {
        let t = topics(&[("t0", 3), ("t1", 3)]);
        let first = [member("C0", &["t0", "t1"]), member("C1", &["t0", "t1"])];
        let a1 = Assignor::Sticky.assign(&t, &first);
        assert_eq!(a1, Assignor::RoundRobin.assign(&t, &first));
        let second = [
            owning(member("C0", &["t0", "t1"]), &[("t0", 0), ("t0", 2), ("t1", 1)], 1),
            owning(member("C1", &["t0", "t1"]), &[("t0", 1), ("t1", 0), ("t1", 2)], 1),
            member("C2", &["t0", "t1"]),
        ];
        let a2 = Assignor::Sticky.assign(&t, &second);
        // Kept partitions come first, sorted by partition then topic.
        assert_eq!(a2["C0"], tps(&[("t0", 0), ("t1", 1)]));
        assert_eq!(a2["C1"], tps(&[("t1", 0), ("t0", 1)]));
        assert_eq!(a2["C2"], tps(&[("t0", 2), ("t1", 2)]));
        // Cooperative: C0 and C1 revoke first, C2 waits for the follow-up rebalance.
        let c2 = Assignor::CooperativeSticky.assign(&t, &second);
        assert_eq!(c2["C0"], tps(&[("t0", 0), ("t1", 1)]));
        assert_eq!(c2["C1"], tps(&[("t1", 0), ("t0", 1)]));
        assert_eq!(c2["C2"], Vec::<Tp>::new());
        let third = [
            owning(member("C0", &["t0", "t1"]), &[("t0", 0), ("t1", 1)], 2),
            owning(member("C1", &["t0", "t1"]), &[("t1", 0), ("t0", 1)], 2),
            owning(member("C2", &["t0", "t1"]), &[], 2),
        ];
        assert_eq!(Assignor::CooperativeSticky.assign(&t, &third), a2);
    }

    #[test]
    fn sticky_kafka_constrained_cases() {
        let both = ["topic1", "topic2"];
        // AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions
        let t = topics(&[("topic1", 3), ("topic2", 3)]);
        let r = sticky(&t, &[member("consumer1", &both), member("consumer2", &both)]);
        assert_eq!(r.assignment["consumer1"], tps(&[("topic1", 0), ("topic1", 2), ("topic2", 1)]));
        assert_eq!(r.assignment["consumer2"], tps(&[("topic1", 1), ("topic2", 0), ("topic2", 2)]));
        assert_eq!(r.transferring, Some(VecMap::new()));

        // testConsumerOwningMinQuotaExpectedMaxQuota
        let t = topics(&[("topic1", 2), ("topic2", 3)]);
        let r = sticky(
            &t,
            &[
                owning(member("consumer1", &both), &[("topic1", 0), ("topic2", 1)], 1),
                owning(member("consumer2", &both), &[("topic1", 1), ("topic2", 2)], 1),
            ],
        );
        assert_eq!(r.assignment["consumer1"], tps(&[("topic1", 0), ("topic2", 1), ("topic2", 0)]));
        assert_eq!(r.assignment["consumer2"], tps(&[("topic1", 1), ("topic2", 2)]));

        // testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers
        let t = topics(&[("topic1", 2), ("topic2", 2)]);
        let members = [
            owning(member("consumer1", &both), &[("topic1", 0), ("topic2", 0)], 1),
            owning(member("consumer2", &both), &[("topic1", 1), ("topic2", 1)], 1),
            owning(member("consumer3", &both), &[], 1),
        ];
        let r = sticky(&t, &members);
        assert_eq!(r.transferring, Some(VecMap::from([(("topic2".to_owned(), 0), "consumer3".to_owned())])));
        assert_eq!(r.assignment["consumer1"], tps(&[("topic1", 0)]));
        assert_eq!(r.assignment["consumer2"], tps(&[("topic1", 1), ("topic2", 1)]));
        assert_eq!(r.assignment["consumer3"], tps(&[("topic2", 0)]));
        assert_eq!(Assignor::CooperativeSticky.assign(&t, &members)["consumer3"], Vec::<Tp>::new());

        // testAllConsumersAreUnderMinQuota
        let t = topics(&[("topic1", 2), ("topic2", 3)]);
        let r = sticky(
            &t,
            &[
                owning(member("consumer1", &both), &[("topic1", 0)], 1),
                owning(member("consumer2", &both), &[("topic1", 1)], 1),
                owning(member("consumer3", &both), &[], 1),
            ],
        );
        assert_eq!(r.assignment["consumer1"], tps(&[("topic1", 0), ("topic2", 1)]));
        assert_eq!(r.assignment["consumer2"], tps(&[("topic1", 1), ("topic2", 2)]));
        assert_eq!(r.assignment["consumer3"], tps(&[("topic2", 0)]));
        assert_eq!(r.transferring, Some(VecMap::new()));

        // testAllConsumersReachExpectedQuotaAndAreConsideredFilled
        let t = topics(&[("topic", 4)]);
        let r = sticky(
            &t,
            &[
                owning(member("consumer1", &["topic"]), &[("topic", 0), ("topic", 1)], 1),
                owning(member("consumer2", &["topic"]), &[("topic", 2)], 1),
                owning(member("consumer3", &["topic"]), &[], 1),
            ],
        );
        assert_eq!(r.assignment["consumer1"], tps(&[("topic", 0), ("topic", 1)]));
        assert_eq!(r.assignment["consumer2"], tps(&[("topic", 2)]));
        assert_eq!(r.assignment["consumer3"], tps(&[("topic", 3)]));
    }

    #[test]
    fn sticky_generations_and_double_claims() {
        // testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration
        let t = topics(&[("topic", 3)]);
        let members = [
            owning(member("consumer1", &["topic"]), &[("topic", 0), ("topic", 1)], 1),
            owning(member("consumer2", &["topic"]), &[("topic", 0), ("topic", 2)], 1),
            owning(member("consumer3", &["topic"]), &[], 1),
        ];
        let r = sticky(&t, &members);
        assert_eq!(r.transferring, Some(VecMap::from([(("topic".to_owned(), 0), "consumer3".to_owned())])));
        assert_eq!(r.assignment["consumer1"], tps(&[("topic", 1)]));
        assert_eq!(r.assignment["consumer2"], tps(&[("topic", 2)]));
        assert_eq!(r.assignment["consumer3"], tps(&[("topic", 0)]));
        // CooperativeStickyAssignorTest: ...SameGenerationWithEqualPartitionsPerConsumer
        assert_eq!(Assignor::CooperativeSticky.assign(&t, &members)["consumer3"], Vec::<Tp>::new());

        // ...WithUnequalPartitionsPerConsumer
        let t = topics(&[("topic", 4)]);
        let a = Assignor::CooperativeSticky.assign(&t, &members);
        assert_eq!(a["consumer1"], tps(&[("topic", 1), ("topic", 3)]));
        assert_eq!(a["consumer2"], tps(&[("topic", 2)]));
        assert_eq!(a["consumer3"], Vec::<Tp>::new());

        // testEnsurePartitionsAssignedToHighestGeneration
        let all = ["topic", "topic2", "topic3"];
        let t = topics(&[("topic", 3), ("topic2", 3), ("topic3", 3)]);
        let r = sticky(
            &t,
            &[
                owning(member("consumer1", &all), &[("topic", 0), ("topic2", 0), ("topic3", 0)], 10),
                owning(member("consumer2", &all), &[("topic", 1), ("topic2", 1), ("topic3", 1)], 9),
                owning(member("consumer3", &all), &[("topic2", 1), ("topic3", 0), ("topic3", 2)], 8),
            ],
        );
        assert_eq!(sorted(r.assignment["consumer1"].clone()), tps(&[("topic", 0), ("topic2", 0), ("topic3", 0)]));
        assert_eq!(sorted(r.assignment["consumer2"].clone()), tps(&[("topic", 1), ("topic2", 1), ("topic3", 1)]));
        assert_eq!(sorted(r.assignment["consumer3"].clone()), tps(&[("topic", 2), ("topic2", 2), ("topic3", 2)]));
        assert_eq!(r.transferring, Some(VecMap::new()));

        // testNoReassignmentOnCurrentMembers
        let all = ["topic", "topic2", "topic3", "topic1"];
        let t = topics(&[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)]);
        let mut no_generation = member("consumer1", &all);
        no_generation.generation = Some(DEFAULT_GENERATION);
        let r = sticky(
            &t,
            &[
                no_generation,
                owning(member("consumer2", &all), &[("topic", 0), ("topic2", 0), ("topic1", 0)], 9),
                owning(member("consumer3", &all), &[("topic3", 2), ("topic2", 2), ("topic1", 1)], 8),
                owning(member("consumer4", &all), &[("topic3", 1), ("topic", 1), ("topic", 2)], 7),
            ],
        );
        assert_eq!(sorted(r.assignment["consumer1"].clone()), tps(&[("topic1", 2), ("topic2", 1), ("topic3", 0)]));
        assert_eq!(r.transferring, Some(VecMap::new()));

        // testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration
        let both = ["topic", "topic2"];
        let t = topics(&[("topic", 3), ("topic2", 3)]);
        let claim = [("topic", 0), ("topic", 2), ("topic2", 1)];
        let r = sticky(
            &t,
            &[owning(member("consumer1", &both), &claim, 10), owning(member("consumer2", &both), &claim, 9)],
        );
        assert_eq!(sorted(r.assignment["consumer1"].clone()), tps(&[("topic", 0), ("topic", 2), ("topic2", 1)]));
        assert_eq!(sorted(r.assignment["consumer2"].clone()), tps(&[("topic", 1), ("topic2", 0), ("topic2", 2)]));
    }

    #[test]
    fn sticky_kafka_general_cases() {
        // AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions
        let t = topics(&[("topic1", 3), ("topic2", 2)]);
        let r = sticky(
            &t,
            &[
                member("consumer1", &["topic1"]),
                member("consumer2", &["topic1", "topic2"]),
                member("consumer3", &["topic1"]),
            ],
        );
        assert_eq!(r.assignment["consumer1"], tps(&[("topic1", 0), ("topic1", 2)]));
        assert_eq!(r.assignment["consumer2"], tps(&[("topic2", 0), ("topic2", 1)]));
        assert_eq!(r.assignment["consumer3"], tps(&[("topic1", 1)]));
        assert_eq!(r.transferring, None);

        // StickyAssignorTest.testAssignmentWithMultipleGenerations1, both variants.
        for all_equal in [true, false] {
            let all = ["topic", "topic2"];
            let sub2: &[&str] = if all_equal { &all } else { &["topic"] };
            let t = topics(&[("topic", 6), ("topic2", 6)]);
            let claim = |id: &str, subs: &[&str], owned: &[Tp], g: i32| MemberSubscription {
                owned: owned.to_vec(),
                generation: Some(g),
                ..member(id, subs)
            };
            let r1 = sticky(&t, &[member("consumer1", &all), member("consumer2", sub2), member("consumer3", &all)])
                .assignment;
            assert!(r1.values().all(|l| l.len() == 4), "{r1:?}");
            let r2 = sticky(
                &t,
                &[claim("consumer1", &all, &r1["consumer1"], 1), claim("consumer2", sub2, &r1["consumer2"], 1)],
            )
            .assignment;
            assert!(r2.values().all(|l| l.len() == 6), "{r2:?}");
            if all_equal {
                assert!(r1["consumer1"].iter().all(|tp| r2["consumer1"].contains(tp)));
            }
            assert!(r1["consumer2"].iter().all(|tp| r2["consumer2"].contains(tp)));
            assert!(r1["consumer3"].iter().any(|tp| r2["consumer2"].contains(tp)));
            let r3 = sticky(
                &t,
                &[claim("consumer2", sub2, &r2["consumer2"], 2), claim("consumer3", &all, &r1["consumer3"], 1)],
            )
            .assignment;
            assert!(r3.values().all(|l| l.len() == 6), "{r3:?}");
            assert!(r3["consumer2"].iter().all(|tp| !r3["consumer3"].contains(tp)));
        }
    }

    #[test]
    fn sticky_kafka_topic_changes() {
        // AbstractStickyAssignorTest.testAddRemoveTopicTwoConsumers
        let mut t = topics(&[("topic", 3)]);
        let one = ["topic"];
        let r1 = sticky(&t, &[member("consumer1", &one), member("consumer2", &one)]).assignment;
        assert_eq!(r1["consumer1"].len() + r1["consumer2"].len(), 3);
        assert_eq!(r1["consumer1"].len().abs_diff(r1["consumer2"].len()), 1);
        t.insert("topic2".to_owned(), 3);
        let two = ["topic", "topic2"];
        let r2 = sticky(
            &t,
            &[owning(member("consumer1", &two), &[], 1), owning(member("consumer2", &two), &[], 1)]
                .map(|m| MemberSubscription { owned: r1[&m.member_id].clone(), ..m }),
        );
        assert_eq!(r2.transferring, Some(VecMap::new()));
        for id in ["consumer1", "consumer2"] {
            assert_eq!(r2.assignment[id].len(), 3);
            assert!(r1[id].iter().all(|tp| r2.assignment[id].contains(tp)));
        }
        t.remove("topic");
        let r3 = sticky(
            &t,
            &[owning(member("consumer1", &["topic2"]), &[], 1), owning(member("consumer2", &["topic2"]), &[], 1)]
                .map(|m| MemberSubscription { owned: r2.assignment[&m.member_id].clone(), ..m }),
        )
        .assignment;
        for id in ["consumer1", "consumer2"] {
            assert!(r3[id].iter().all(|tp| r2.assignment[id].contains(tp)), "{r3:?}");
        }
        assert_eq!(r3["consumer1"].len().abs_diff(r3["consumer2"].len()), 1);

        // testMoveExistingAssignments: six one-partition topics, overlapping subscriptions.
        let t: VecMap<String, u32> = (1..=6).map(|i| (format!("topic{i}"), 1)).collect();
        let case = Case {
            topics: t.clone(),
            members: vec![
                owning(member("consumer1", &["topic1", "topic2"]), &[("topic1", 0)], 1),
                owning(
                    member("consumer2", &["topic1", "topic2", "topic3", "topic4"]),
                    &[("topic2", 0), ("topic3", 0)],
                    1,
                ),
                owning(
                    member("consumer3", &["topic2", "topic3", "topic4", "topic5", "topic6"]),
                    &[("topic4", 0), ("topic5", 0), ("topic6", 0)],
                    1,
                ),
            ],
        };
        let r = sticky(&t, &case.members);
        assert_eq!(r.transferring, None);
        check_valid(&case, &r.assignment, true);
        check_kafka_balance(&case, &r.assignment);
    }

    #[test]
    fn server_uniform_kafka_cases() {
        let both = ["topic1", "topic2"];
        let t = topics(&[("topic1", 3), ("topic2", 3)]);
        // OptimizedUniformAssignmentBuilderTest.testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics
        let members = [
            owning(member("A", &both), &[("topic1", 0), ("topic1", 2), ("topic2", 0)], 0),
            owning(member("B", &both), &[("topic1", 1), ("topic2", 1), ("topic2", 2)], 0),
            member("C", &both),
        ];
        let a = ServerAssignor::Uniform.assign(&t, &members);
        assert_eq!(a["A"], tps(&[("topic1", 0), ("topic1", 2)]));
        assert_eq!(a["B"], tps(&[("topic1", 1), ("topic2", 1)]));
        assert_eq!(a["C"], tps(&[("topic2", 0), ("topic2", 2)]));

        // ...OneMemberRemovedAfterInitialAssignmentWithThreeMembersTwoTopics. Kafka's
        // expectation (A gets topic2-2) follows its HashSet order of the topic ids; we
        // take topic names in order, so A gets topic1-2.
        let members = [
            owning(member("A", &both), &[("topic1", 0), ("topic2", 0)], 0),
            owning(member("B", &both), &[("topic1", 1), ("topic2", 1)], 0),
        ];
        let a = ServerAssignor::Uniform.assign(&t, &members);
        assert_eq!(a["A"], tps(&[("topic1", 0), ("topic1", 2), ("topic2", 0)]));
        assert_eq!(a["B"], tps(&[("topic1", 1), ("topic2", 1), ("topic2", 2)]));

        // No members, no topics, nonexistent topic.
        assert!(ServerAssignor::Uniform.assign(&t, &[]).is_empty());
        let a = ServerAssignor::Uniform.assign(&t, &[member("A", &["missing"])]);
        assert_eq!(a["A"], Vec::<Tp>::new());
        assert_eq!(DEFAULT_SERVER_ASSIGNORS[0].name(), "uniform");
        assert_eq!(ServerAssignor::from_name("range"), Some(ServerAssignor::Range));
    }

    #[test]
    fn server_uniform_heterogeneous_kafka_cases() {
        let (one, two, three) = (["topic1"], ["topic1", "topic2"], ["topic1", "topic2", "topic3"]);
        // UniformHeterogeneousAssignmentBuilderTest.testReassignmentWhenOneMemberAddedAndPartitionsAddedTwoMembersTwoTopics
        let t = topics(&[("topic1", 6), ("topic2", 7)]);
        let members = [
            owning(member("A", &one), &[("topic1", 0), ("topic1", 2), ("topic2", 0)], 0),
            owning(member("B", &two), &[("topic1", 1), ("topic2", 1), ("topic2", 2)], 0),
            member("C", &two),
        ];
        let a = ServerAssignor::Uniform.assign(&t, &members);
        assert_eq!(a["A"], tps(&[("topic1", 0), ("topic1", 2), ("topic1", 3), ("topic1", 4), ("topic1", 5)]));
        assert_eq!(a["B"], tps(&[("topic1", 1), ("topic2", 1), ("topic2", 2), ("topic2", 6)]));
        assert_eq!(a["C"], tps(&[("topic2", 0), ("topic2", 3), ("topic2", 4), ("topic2", 5)]));

        // testReassignmentForTwoMembersThreeTopicsGivenUnbalancedPrevAssignment
        let t = topics(&[("topic1", 6), ("topic2", 4), ("topic3", 4)]);
        let members = [
            owning(member("A", &one), &[("topic1", 0), ("topic1", 1), ("topic1", 2)], 0),
            owning(member("B", &two), &[("topic1", 3), ("topic2", 0)], 0),
            owning(
                member("C", &three),
                &[
                    ("topic1", 4),
                    ("topic1", 5),
                    ("topic2", 1),
                    ("topic2", 2),
                    ("topic2", 3),
                    ("topic3", 0),
                    ("topic3", 1),
                    ("topic3", 2),
                    ("topic3", 3),
                ],
                0,
            ),
        ];
        let a = ServerAssignor::Uniform.assign(&t, &members);
        assert_eq!(a["A"], tps(&[("topic1", 0), ("topic1", 1), ("topic1", 2), ("topic1", 5)]));
        assert_eq!(a["B"], tps(&[("topic1", 3), ("topic2", 0), ("topic2", 1), ("topic2", 2), ("topic2", 3)]));
        assert_eq!(a["C"], tps(&[("topic1", 4), ("topic3", 0), ("topic3", 1), ("topic3", 2), ("topic3", 3)]));

        // testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersThreeTopics
        let t = topics(&[("topic1", 3), ("topic2", 8), ("topic3", 3)]);
        let members = [
            owning(
                member("A", &["topic1", "topic3"]),
                &[("topic1", 0), ("topic1", 1), ("topic1", 2), ("topic3", 0), ("topic3", 1)],
                0,
            ),
            owning(member("B", &["topic2"]), &[("topic2", 3), ("topic2", 4), ("topic2", 5), ("topic2", 6)], 0),
        ];
        let a = ServerAssignor::Uniform.assign(&t, &members);
        assert_eq!(
            a["A"],
            tps(&[("topic1", 0), ("topic1", 1), ("topic1", 2), ("topic3", 0), ("topic3", 1), ("topic3", 2)])
        );
        assert_eq!(a["B"], (0..8).map(|p| ("topic2".to_owned(), p)).collect::<Vec<Tp>>());
    }

    #[test]
    fn server_range_kafka_cases() {
        // group-coordinator RangeAssignorTest.testFirstAssignmentThreeMembersThreeTopicsDifferentSubscriptions
        let t = topics(&[("topic1", 3), ("topic2", 3), ("topic3", 2)]);
        let members =
            [member("A", &["topic1", "topic2"]), member("B", &["topic3"]), member("C", &["topic2", "topic3"])];
        let a = ServerAssignor::Range.assign(&t, &members);
        assert_eq!(a["A"], tps(&[("topic1", 0), ("topic1", 1), ("topic1", 2), ("topic2", 0), ("topic2", 1)]));
        assert_eq!(a["B"], tps(&[("topic3", 0)]));
        assert_eq!(a["C"], tps(&[("topic2", 2), ("topic3", 1)]));
        // More members than partitions: the first members by instance id, then member id.
        let mut s = member("Z", &["topic3"]);
        s.group_instance_id = Some("i".to_owned());
        let a = ServerAssignor::Range.assign(&t, &[member("A", &["topic3"]), s, member("B", &["topic3"])]);
        assert_eq!(a["Z"], tps(&[("topic3", 0)]));
        assert_eq!(a["A"], tps(&[("topic3", 1)]));
        assert_eq!(a["B"], Vec::<Tp>::new());
    }

    // ---- properties over random groups ----

    struct Case {
        topics: VecMap<String, u32>,
        members: Vec<MemberSubscription>,
    }

    fn random_case(rng: &mut SimRng, identical: bool) -> Case {
        let topic_count = 1 + rng.below(4) as usize;
        let topics: VecMap<String, u32> = (0..topic_count).map(|i| (format!("t{i}"), rng.below(20) as u32)).collect();
        let names: Vec<String> = topics.keys().cloned().collect();
        let pick = |rng: &mut SimRng| -> Vec<String> {
            let mut chosen: Vec<String> = names.iter().filter(|_| rng.below(2) == 0).cloned().collect();
            if chosen.is_empty() {
                chosen.push(names[rng.below(names.len() as u64) as usize].clone());
            }
            chosen
        };
        let shared = pick(rng);
        let member_count = 1 + rng.below(7) as usize;
        let members = (0..member_count)
            .map(|i| MemberSubscription {
                member_id: format!("m{}", rng.below(1000) * 10 + i as u64),
                group_instance_id: (rng.below(3) == 0).then(|| format!("i{}", rng.below(100))),
                topics: if identical { shared.clone() } else { pick(rng) },
                ..MemberSubscription::default()
            })
            .collect();
        Case { topics, members }
    }

    fn owner_counts(a: &GroupAssignment) -> VecMap<&Tp, usize> {
        let mut counts = VecMap::new();
        for tp in a.values().flatten() {
            *counts.entry(tp).or_insert(0) += 1;
        }
        counts
    }

    /// Every member present, nobody holds an unsubscribed topic, nobody holds a partition
    /// twice, and each subscribed partition has exactly one owner (or at most one).
    fn check_valid(case: &Case, a: &GroupAssignment, exactly_once: bool) {
        assert_eq!(a.len(), case.members.len());
        for m in &case.members {
            for tp in &a[&m.member_id] {
                assert!(m.topics.contains(&tp.0), "{} got {tp:?}: {a:?}", m.member_id);
            }
        }
        let counts = owner_counts(a);
        for (topic, &count) in &case.topics {
            let subscribed = case.members.iter().any(|m| m.topics.contains(topic));
            for p in 0..count {
                let n = counts.get(&(topic.clone(), p)).copied().unwrap_or(0);
                if subscribed && exactly_once {
                    assert_eq!(n, 1, "{topic}-{p}: {a:?}");
                } else {
                    assert!(n <= usize::from(subscribed), "{topic}-{p}: {a:?}");
                }
            }
        }
    }

    fn spread(a: &GroupAssignment) -> usize {
        let sizes = a.values().map(Vec::len);
        sizes.clone().max().unwrap_or(0) - sizes.min().unwrap_or(0)
    }

    /// Kafka's verifyValidityAndBalance: a member holding two more than another holds
    /// nothing the other could take.
    fn check_kafka_balance(case: &Case, a: &GroupAssignment) {
        for m in &case.members {
            for o in &case.members {
                if a[&m.member_id].len() > a[&o.member_id].len() + 1 {
                    assert!(
                        a[&m.member_id].iter().all(|tp| !o.topics.contains(&tp.0)),
                        "{} could take from {}: {a:?}",
                        o.member_id,
                        m.member_id
                    );
                }
            }
        }
    }

    fn with_owned(case: &Case, a: &GroupAssignment, generation: i32) -> Vec<MemberSubscription> {
        case.members
            .iter()
            .map(|m| MemberSubscription { owned: a[&m.member_id].clone(), generation: Some(generation), ..m.clone() })
            .collect()
    }

    /// CooperativeStickyAssignorTest.verifyValidityAndBalance: no partition is given to a
    /// new owner in the round its old owner revokes it; rebalance again (with the new
    /// ownership) while anything is revoked, at most 4 times; the final assignment is
    /// complete.
    fn cooperative_until_stable(case: &Case, first: GroupAssignment, generation: i32) -> GroupAssignment {
        let mut members = case.members.clone();
        let mut assignment = first;
        for rebalances in 0.. {
            let mut revoked = false;
            for m in &members {
                let assigned = &assignment[&m.member_id];
                revoked |= m.owned.iter().any(|tp| !assigned.contains(tp));
                for tp in assigned.iter().filter(|tp| !m.owned.contains(tp)) {
                    let still_owned =
                        members.iter().any(|o| o.owned.contains(tp) && !assignment[&o.member_id].contains(tp));
                    assert!(!still_owned, "{tp:?} added to {} while being revoked", m.member_id);
                }
            }
            if !revoked {
                break;
            }
            assert!(rebalances < 4, "no convergence: {assignment:?}");
            let now = Case { topics: case.topics.clone(), members };
            members = with_owned(&now, &assignment, generation + rebalances);
            assignment = Assignor::CooperativeSticky.assign(&case.topics, &members);
        }
        let last = Case { topics: case.topics.clone(), members };
        check_valid(&last, &assignment, true);
        assignment
    }

    #[test]
    fn client_assignors_are_valid_and_balanced_on_random_groups() {
        let mut rng = SimRng::for_stream(2024, 6);
        for _ in 0..300 {
            let identical = rng.below(2) == 0;
            let case = random_case(&mut rng, identical);
            for assignor in Assignor::ALL {
                let a = assignor.assign(&case.topics, &case.members);
                check_valid(&case, &a, true);
                match assignor {
                    Assignor::Range => {
                        for topic in case.topics.keys() {
                            let sizes: Vec<usize> = case
                                .members
                                .iter()
                                .filter(|m| m.topics.contains(topic))
                                .map(|m| a[&m.member_id].iter().filter(|tp| &tp.0 == topic).count())
                                .collect();
                            let (min, max) = (sizes.iter().min(), sizes.iter().max());
                            assert!(max.unwrap_or(&0) - min.unwrap_or(&0) <= 1, "{topic}: {a:?}");
                        }
                    }
                    _ if identical => assert!(spread(&a) <= 1, "{assignor:?}: {a:?}"),
                    Assignor::Sticky | Assignor::CooperativeSticky => check_kafka_balance(&case, &a),
                    _ => {}
                }
                // A second round with everyone keeping what they own changes nothing.
                if matches!(assignor, Assignor::Sticky | Assignor::CooperativeSticky) {
                    let again = assignor.assign(&case.topics, &with_owned(&case, &a, 1));
                    let same = |x: &GroupAssignment| -> Vec<Vec<Tp>> { x.values().cloned().map(sorted).collect() };
                    if identical {
                        assert_eq!(same(&again), same(&a), "{assignor:?}");
                    }
                    check_valid(&case, &again, true);
                }
            }
        }
    }

    #[test]
    fn sticky_assignors_keep_what_the_quota_allows_when_members_come_and_go() {
        let mut rng = SimRng::for_stream(7, 6);
        for round in 0..300 {
            let case = random_case(&mut rng, true);
            for assignor in [Assignor::Sticky, Assignor::CooperativeSticky] {
                let first = assignor.assign(&case.topics, &case.members);
                let mut members = with_owned(&case, &first, 1);
                if round % 2 == 0 || members.len() == 1 {
                    let mut newcomer = case.members[0].clone();
                    newcomer.member_id = format!("new{round}");
                    newcomer.group_instance_id = None;
                    members.push(newcomer);
                } else {
                    members.remove(rng.below(members.len() as u64) as usize);
                }
                let next = Case { topics: case.topics.clone(), members };
                let second: GroupAssignment = assignor.assign(&next.topics, &next.members);
                let total: usize = next
                    .topics
                    .iter()
                    .filter(|(t, _)| next.members[0].topics.contains(t))
                    .map(|(_, &c)| c as usize)
                    .sum();
                let min_quota = total / next.members.len();
                let mut moved = 0;
                let mut forced = 0;
                for m in &next.members {
                    let kept = second[&m.member_id].iter().filter(|tp| m.owned.contains(tp)).count();
                    assert!(kept >= m.owned.len().min(min_quota), "{assignor:?} {}: {second:?}", m.member_id);
                    moved += m.owned.len() - kept;
                    forced += m.owned.len().saturating_sub(min_quota);
                }
                assert!(moved <= forced, "{assignor:?}: moved {moved} > {forced}");
                if assignor == Assignor::Sticky {
                    check_valid(&next, &second, true);
                    assert!(spread(&second) <= 1);
                    continue;
                }
                // Cooperative: nothing is handed to a new owner while its old owner
                // still holds it, and with identical subscriptions the single follow-up
                // round completes the assignment.
                check_valid(&next, &second, false);
                for m in &next.members {
                    for tp in &second[&m.member_id] {
                        let other_owner =
                            next.members.iter().any(|o| o.member_id != m.member_id && o.owned.contains(tp));
                        assert!(!other_owner, "{tp:?} given to {} while owned", m.member_id);
                    }
                }
                let follow_up = Case { topics: next.topics.clone(), members: with_owned(&next, &second, 2) };
                let third = assignor.assign(&follow_up.topics, &follow_up.members);
                check_valid(&follow_up, &third, true);
                assert!(spread(&third) <= 1, "{third:?}");
                assert_eq!(cooperative_until_stable(&follow_up, third.clone(), 3), third);
            }
        }
    }

    #[test]
    fn cooperative_converges_with_different_subscriptions() {
        let mut rng = SimRng::for_stream(11, 6);
        for _ in 0..200 {
            let case = random_case(&mut rng, false);
            let first = Assignor::CooperativeSticky.assign(&case.topics, &case.members);
            // Everyone resubscribes at random, keeping what it owns.
            let mut changed = random_case(&mut rng, false);
            changed.topics = case.topics.clone();
            let names: Vec<String> = case.topics.keys().cloned().collect();
            let members: Vec<MemberSubscription> = case
                .members
                .iter()
                .map(|m| {
                    let mut topics: Vec<String> = names.iter().filter(|_| rng.below(2) == 0).cloned().collect();
                    if topics.is_empty() {
                        topics.push(names[0].clone());
                    }
                    MemberSubscription { topics, owned: first[&m.member_id].clone(), generation: Some(1), ..m.clone() }
                })
                .collect();
            let next = Case { topics: case.topics.clone(), members };
            let second = Assignor::CooperativeSticky.assign(&next.topics, &next.members);
            check_valid(&next, &second, false);
            // Unlike the identical-subscription case, the general path may move
            // partitions again in the follow-up round, so this can take several rounds.
            let last = cooperative_until_stable(&next, second, 2);
            let last_case = Case { topics: next.topics.clone(), members: with_owned(&next, &last, 9) };
            check_kafka_balance(&last_case, &last);
        }
    }

    #[test]
    fn server_assignors_are_valid_balanced_and_sticky_on_random_groups() {
        let mut rng = SimRng::for_stream(99, 6);
        for _ in 0..300 {
            let identical = rng.below(2) == 0;
            let case = random_case(&mut rng, identical);
            for assignor in ServerAssignor::ALL {
                let a = assignor.assign(&case.topics, &case.members);
                check_valid(&case, &a, true);
                if assignor == ServerAssignor::Uniform {
                    if identical {
                        assert!(spread(&a) <= 1, "{a:?}");
                    } else {
                        check_kafka_balance(&case, &a);
                    }
                    // Drop a member: the others keep what their quota allows.
                    let mut members = with_owned(&case, &a, 0);
                    if members.len() > 1 {
                        members.remove(0);
                    }
                    let next = Case { topics: case.topics.clone(), members };
                    let b = assignor.assign(&next.topics, &next.members);
                    check_valid(&next, &b, true);
                    if identical {
                        assert!(spread(&b) <= 1);
                        let total: usize = b.values().map(Vec::len).sum();
                        let min_quota = total / next.members.len();
                        for m in &next.members {
                            let kept = b[&m.member_id].iter().filter(|tp| m.owned.contains(tp)).count();
                            assert!(kept >= m.owned.len().min(min_quota));
                        }
                    } else {
                        check_kafka_balance(&next, &b);
                    }
                }
            }
        }
    }

    #[test]
    fn parsing_follows_kafka() {
        assert_eq!(DEFAULT_ASSIGNORS, [Assignor::Range, Assignor::CooperativeSticky]);
        assert_eq!(
            Assignor::parse_list(
                "org.apache.kafka.clients.consumer.RangeAssignor, org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
            ),
            Ok(DEFAULT_ASSIGNORS.to_vec())
        );
        assert_eq!(Assignor::parse("roundrobin"), Ok(Assignor::RoundRobin));
        assert_eq!(
            Assignor::parse("com.example.Nope"),
            Err("com.example.Nope ClassNotFoundException exception occurred".to_owned())
        );
        assert_eq!(
            Assignor::parse_list("range,org.apache.kafka.clients.consumer.RangeAssignor"),
            Err("The assignor name: 'range' is used in more than one assignor: \
                 org.apache.kafka.clients.consumer.RangeAssignor, org.apache.kafka.clients.consumer.RangeAssignor"
                .to_owned())
        );
        assert_eq!(Assignor::ALL.map(Assignor::supports_cooperative), [false, false, false, true]);
        for a in ServerAssignor::ALL {
            assert!(a.class_name().ends_with(if a == ServerAssignor::Uniform {
                "UniformAssignor"
            } else {
                "RangeAssignor"
            }));
        }
        for a in Assignor::ALL {
            assert_eq!(Assignor::from_name(a.name()), Some(a));
            assert_eq!(Assignor::parse(a.class_name()), Ok(a));
        }
    }
}
