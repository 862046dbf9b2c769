//! The groups panel's model: per consumer group its state, generation, assignor and
//! coordinator, its members with their partitions, one row per partition with the owner's
//! position, the committed offset and the lag, and a short history of the group's total
//! lag for a sparkline.

use ksim::vec_map::VecMap;
use std::collections::VecDeque;

use ksim::{GroupMemberView, GroupPartitionView, GroupView};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupModel {
    pub group_id: String,
    /// Kafka's state name, shown as a badge.
    pub state: String,
    /// CSS class of the badge: `stable`, `rebalancing`, `empty` or `dead`.
    pub state_class: &'static str,
    /// The state in one sentence.
    pub state_tooltip: &'static str,
    /// `generation 3`.
    pub generation: String,
    /// `assignor range`, or `no assignor yet` before the first generation.
    pub assignor: String,
    /// `coordinator: broker 2`.
    pub coordinator: String,
    pub coordinator_tooltip: String,
    pub members: Vec<MemberModel>,
    pub partitions: Vec<GroupPartitionRow>,
    /// Members and partition rows left out (a big group in the groups panel), counted.
    pub more_members: usize,
    pub more_partitions: usize,
    /// Sum of the partitions' lag (partitions without a commit count as 0).
    pub total_lag: u64,
}

/// Members and partition rows the groups panel lists per group: a hundred consumers on a
/// thousand partitions would otherwise redraw thousands of rows every frame (the Kafka UI's
/// group page lists them all).
pub const GROUP_ROWS_SHOWN_MAX: usize = 12;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberModel {
    pub client_id: String,
    /// The first 8 characters of the id's UUID part: enough to tell members apart.
    pub short_id: String,
    /// The full member id, for the tooltip.
    pub member_id: String,
    /// The group leader computes the assignment for everyone (classic protocol).
    pub leader: bool,
    /// `topic-partition` names.
    pub partitions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupPartitionRow {
    /// `vitals-0`.
    pub name: String,
    /// The owner's short id, or `—` while nobody owns it (no member or a rebalance).
    pub owner: String,
    pub owner_tooltip: String,
    pub position: String,
    pub committed: String,
    pub log_end: String,
    pub lag: String,
    /// Lag above zero: the group is behind on this partition.
    pub lagging: bool,
}

pub const LEADER_TOOLTIP: &str = super::glossary::GROUP_LEADER.sentence;

const NONE: &str = "—";

/// The state's badge class and its one-sentence explanation.
pub fn state_help(state: &str) -> (&'static str, &'static str) {
    match state {
        "Empty" => (
            "empty",
            "No member is in the group: its committed offsets are kept so consumers resume from them when they join.",
        ),
        "PreparingRebalance" => (
            "rebalancing",
            "A rebalance started: the coordinator waits for every member to rejoin (JoinGroup) before it forms a new generation.",
        ),
        "CompletingRebalance" => (
            "rebalancing",
            "A new generation is formed: the coordinator waits for the leader's assignment (SyncGroup) to hand it to every member.",
        ),
        "Stable" => (
            "stable",
            "Every member has its partitions for this generation and consumes them, heartbeating to the coordinator.",
        ),
        "Dead" => ("dead", "The group has no members and no offsets left: the coordinator is removing it."),
        _ => ("empty", "A group state this page does not know."),
    }
}

/// Every group, listing at most `rows_max` members and partitions each.
pub fn groups(groups: &[GroupView], rows_max: usize) -> Vec<GroupModel> {
    groups.iter().map(|g| group(g, rows_max)).collect()
}

fn group(g: &GroupView, rows_max: usize) -> GroupModel {
    let (state_class, state_tooltip) = state_help(&g.state);
    GroupModel {
        group_id: g.group_id.clone(),
        state: g.state.clone(),
        state_class,
        state_tooltip,
        generation: format!("generation {}", g.generation_id),
        assignor: match &g.protocol {
            Some(p) => format!("assignor {p}"),
            None => "no assignor yet".to_owned(),
        },
        coordinator: format!("coordinator: broker {}", g.coordinator),
        coordinator_tooltip: format!(
            "Broker {} leads __consumer_offsets-{}, the partition this group's id hashes to, so it coordinates the group and stores its commits",
            g.coordinator, g.offsets_partition
        ),
        members: g.members.iter().take(rows_max).map(member).collect(),
        partitions: g.partitions.iter().take(rows_max).map(|p| partition_row(p, &g.members)).collect(),
        more_members: g.members.len().saturating_sub(rows_max),
        more_partitions: g.partitions.len().saturating_sub(rows_max),
        total_lag: total_lag(g),
    }
}

pub fn total_lag(g: &GroupView) -> u64 {
    g.partitions.iter().filter_map(|p| p.lag).sum()
}

/// `console-consumer-1b2c3d4e-…` → `1b2c3d4e`: the UUID part's first 8 characters.
pub fn short_member_id(member_id: &str, client_id: &str) -> String {
    let rest = member_id.strip_prefix(client_id).and_then(|r| r.strip_prefix('-')).unwrap_or(member_id);
    rest.chars().take(8).collect()
}

fn member(m: &GroupMemberView) -> MemberModel {
    MemberModel {
        client_id: m.client_id.clone(),
        short_id: short_member_id(&m.member_id, &m.client_id),
        member_id: m.member_id.clone(),
        leader: m.is_leader,
        partitions: m.assignment.clone(),
    }
}

fn offset(o: Option<u64>) -> String {
    o.map_or_else(|| NONE.to_owned(), |o| o.to_string())
}

fn partition_row(p: &GroupPartitionView, members: &[GroupMemberView]) -> GroupPartitionRow {
    let owner = p.owner.as_ref().map(|id| {
        let client_id = members.iter().find(|m| &m.member_id == id).map_or("", |m| m.client_id.as_str());
        (short_member_id(id, client_id), format!("Owned by {id} ({client_id})"))
    });
    let (owner, owner_tooltip) =
        owner.unwrap_or_else(|| (NONE.to_owned(), "No member owns it in the current generation".to_owned()));
    GroupPartitionRow {
        name: format!("{}-{}", p.topic, p.partition),
        owner,
        owner_tooltip,
        position: offset(p.position),
        committed: offset(p.committed),
        log_end: p.log_end_offset.to_string(),
        lag: offset(p.lag),
        lagging: p.lag.is_some_and(|l| l > 0),
    }
}

/// Where one group stands on one partition, drawn on the partition's log strip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerMark {
    pub group_id: String,
    pub committed: Option<u64>,
    /// The owner's position, with the owner's client id.
    pub position: Option<(u64, String)>,
}

/// Per `topic-partition` name, each group's committed offset and owner position, groups in
/// id order.
pub fn consumer_marks(groups: &[GroupView]) -> VecMap<String, Vec<ConsumerMark>> {
    let mut marks: VecMap<String, Vec<ConsumerMark>> = VecMap::new();
    for g in groups {
        for p in &g.partitions {
            let owner = p.owner.as_ref().and_then(|id| g.members.iter().find(|m| &m.member_id == id));
            let position = p.position.zip(owner.map(|m| m.client_id.clone()));
            if p.committed.is_none() && position.is_none() {
                continue;
            }
            marks.entry(format!("{}-{}", p.topic, p.partition)).or_default().push(ConsumerMark {
                group_id: g.group_id.clone(),
                committed: p.committed,
                position,
            });
        }
    }
    marks
}

/// Samples kept per group: the sparkline's width.
pub const LAG_SAMPLES_MAX: usize = 60;
/// Simulated time between two samples, so the line spans half a minute whatever the speed.
pub const LAG_SAMPLE_MS: u64 = 500;

/// Each group's total lag over the last `LAG_SAMPLES_MAX` samples, kept by the panel as
/// time passes. Going back in time starts over: the samples would be from another future.
#[derive(Debug, Default)]
pub struct LagHistory {
    last_sample_ms: Option<u64>,
    last_now_ms: u64,
    series: VecMap<String, VecDeque<u64>>,
}

impl LagHistory {
    /// Takes a sample at `now_ms` if `LAG_SAMPLE_MS` passed since the last one.
    pub fn record(&mut self, now_ms: u64, lags: &[(String, u64)]) {
        if now_ms < self.last_now_ms {
            *self = LagHistory::default();
        }
        self.last_now_ms = now_ms;
        if self.last_sample_ms.is_some_and(|last| now_ms < last + LAG_SAMPLE_MS) {
            return;
        }
        self.last_sample_ms = Some(now_ms);
        self.series.retain(|id, _| lags.iter().any(|(g, _)| g == id));
        for (group_id, lag) in lags {
            let samples = self.series.entry(group_id.clone()).or_default();
            if samples.len() == LAG_SAMPLES_MAX {
                samples.pop_front();
            }
            samples.push_back(*lag);
        }
    }

    pub fn samples(&self, group_id: &str) -> Vec<u64> {
        self.series.get(group_id).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }
}

/// SVG polyline points for `samples` in a `width`×`height` box, newest at the right edge,
/// scaled to the largest sample (a flat line at the bottom when all are 0).
pub fn sparkline_points(samples: &[u64], width: u32, height: u32) -> String {
    let max = samples.iter().copied().max().unwrap_or(0).max(1);
    let step = f64::from(width) / (LAG_SAMPLES_MAX - 1) as f64;
    let start = LAG_SAMPLES_MAX.saturating_sub(samples.len());
    let bottom = f64::from(height) - 1.0;
    samples
        .iter()
        .enumerate()
        .map(|(i, &lag)| {
            let x = (start + i) as f64 * step;
            let y = bottom - (lag as f64 / max as f64) * (bottom - 1.0);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBER_A: &str = "console-consumer-1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d";
    const MEMBER_B: &str = "console-consumer-9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";

    fn monitors() -> GroupView {
        let row = |partition, owner: &str, position, committed, log_end_offset| GroupPartitionView {
            topic: "vitals".to_owned(),
            partition,
            owner: Some(owner.to_owned()),
            position: Some(position),
            committed,
            log_end_offset,
            lag: committed.map(|c| log_end_offset - c),
        };
        GroupView {
            group_id: "monitors".to_owned(),
            state: "Stable".to_owned(),
            generation_id: 2,
            protocol: Some("range".to_owned()),
            coordinator: 2,
            offsets_partition: 31,
            members: vec![
                GroupMemberView {
                    member_id: MEMBER_A.to_owned(),
                    client_id: "console-consumer".to_owned(),
                    client: Some(4),
                    is_leader: true,
                    assignment: vec!["vitals-0".to_owned(), "vitals-1".to_owned()],
                },
                GroupMemberView {
                    member_id: MEMBER_B.to_owned(),
                    client_id: "console-consumer".to_owned(),
                    client: Some(5),
                    is_leader: false,
                    assignment: vec!["vitals-2".to_owned(), "vitals-3".to_owned()],
                },
            ],
            partitions: vec![
                row(0, MEMBER_A, 1, Some(1), 1),
                row(1, MEMBER_A, 0, None, 0),
                row(2, MEMBER_B, 1, Some(0), 1),
                row(3, MEMBER_B, 2, Some(2), 2),
            ],
        }
    }

    #[test]
    fn a_stable_group_in_words() {
        let model = groups(&[monitors()], GROUP_ROWS_SHOWN_MAX);
        let g = &model[0];
        assert_eq!(
            (g.state.as_str(), g.state_class, g.generation.as_str(), g.assignor.as_str(), g.coordinator.as_str()),
            ("Stable", "stable", "generation 2", "assignor range", "coordinator: broker 2")
        );
        assert!(g.coordinator_tooltip.contains("__consumer_offsets-31"), "{}", g.coordinator_tooltip);
        let members: Vec<_> =
            g.members.iter().map(|m| (m.short_id.as_str(), m.leader, m.partitions.join(","))).collect();
        assert_eq!(
            members,
            [("1b2c3d4e", true, "vitals-0,vitals-1".to_owned()), ("9a8b7c6d", false, "vitals-2,vitals-3".to_owned())]
        );
        let rows: Vec<_> = g
            .partitions
            .iter()
            .map(|r| {
                format!("{} {} {} {} {} {} {}", r.name, r.owner, r.position, r.committed, r.log_end, r.lag, r.lagging)
            })
            .collect();
        assert_eq!(
            rows,
            [
                "vitals-0 1b2c3d4e 1 1 1 0 false",
                "vitals-1 1b2c3d4e 0 — 0 — false",
                "vitals-2 9a8b7c6d 1 0 1 1 true",
                "vitals-3 9a8b7c6d 2 2 2 0 false",
            ]
        );
        assert_eq!(g.total_lag, 1);
        assert_eq!(g.partitions[0].owner_tooltip, format!("Owned by {MEMBER_A} (console-consumer)"));
        assert_eq!((g.more_members, g.more_partitions), (0, 0));
    }

    #[test]
    fn a_big_group_lists_a_few_rows_and_counts_the_rest() {
        let g = &groups(&[monitors()], 1)[0];
        let rows: Vec<_> = g.partitions.iter().map(|r| r.name.as_str()).collect();
        assert_eq!((rows, g.members.len(), g.more_members, g.more_partitions), (vec!["vitals-0"], 1, 1, 3));
        assert_eq!(g.total_lag, 1, "the total counts every partition");
    }

    #[test]
    fn every_state_has_a_sentence() {
        for state in ["Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"] {
            let (class, sentence) = state_help(state);
            assert!(sentence.ends_with('.') && !class.is_empty(), "{state}");
        }
        assert_eq!(state_help("PreparingRebalance").0, "rebalancing");
        let mut empty = monitors();
        empty.state = "Empty".to_owned();
        empty.protocol = None;
        empty.members.clear();
        empty.partitions.iter_mut().for_each(|p| p.owner = None);
        let g = &groups(&[empty], GROUP_ROWS_SHOWN_MAX)[0];
        assert_eq!((g.assignor.as_str(), g.partitions[0].owner.as_str()), ("no assignor yet", "—"));
    }

    #[test]
    fn marks_pair_commits_with_the_owner() {
        let mut g = monitors();
        g.partitions[0].owner = None;
        g.partitions[1].position = None;
        let marks = consumer_marks(&[g]);
        assert_eq!(marks.keys().collect::<Vec<_>>(), ["vitals-0", "vitals-2", "vitals-3"], "vitals-1 has neither");
        assert_eq!(
            marks["vitals-0"],
            [ConsumerMark { group_id: "monitors".to_owned(), committed: Some(1), position: None }]
        );
        assert_eq!(marks["vitals-2"][0].position, Some((1, "console-consumer".to_owned())));
    }

    #[test]
    fn lag_history_samples_every_half_second_and_forgets_on_step_back() {
        let mut h = LagHistory::default();
        let lags = |n| vec![("monitors".to_owned(), n)];
        h.record(0, &lags(3));
        h.record(100, &lags(9));
        h.record(500, &lags(2));
        assert_eq!(h.samples("monitors"), [3, 2]);
        for i in 0..100 {
            h.record(1000 + i * LAG_SAMPLE_MS, &lags(i));
        }
        assert_eq!(h.samples("monitors").len(), LAG_SAMPLES_MAX);
        assert_eq!(h.samples("monitors").last(), Some(&99));
        h.record(700, &lags(5));
        assert_eq!(h.samples("monitors"), [5]);
        h.record(1300, &[]);
        assert_eq!(h.samples("monitors"), Vec::<u64>::new(), "a group that is gone is forgotten");
    }

    #[test]
    fn sparkline_ends_at_the_right_edge() {
        assert_eq!(sparkline_points(&[0, 2, 1], 118, 21), "114.0,20.0 116.0,1.0 118.0,10.5");
        assert_eq!(sparkline_points(&[], 118, 21), "");
    }
}
