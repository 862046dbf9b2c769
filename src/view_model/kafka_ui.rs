//! The Kafka UI view's model: the cluster as the web consoles Kafka users know (AKHQ,
//! Kafbat/Provectus Kafka UI, Redpanda Console) show it: brokers, topics and consumer
//! groups as tables, a topic's partitions, messages, consumers and settings.

use ksim::vec_map::VecSet;

use ksim::{ClusterView, GroupView, ProcessState, TopicView};

use super::groups::{groups, state_help, total_lag, GroupModel};
use super::time_format::utc_timestamp;

/// One row of the Brokers tab (every server process, controllers too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerRow {
    pub node_id: u32,
    /// `broker`, `controller` or `broker, controller`.
    pub roles: &'static str,
    /// `Running`, `Starting`, `Fenced`, `Stopped`.
    pub state: &'static str,
    /// CSS class: the state in lower case.
    pub state_class: &'static str,
    /// Partition replicas it hosts.
    pub partitions: usize,
    /// Partitions it leads.
    pub leaders: usize,
    /// Partitions it hosts with fewer replicas in the ISR than assigned.
    pub under_replicated: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokersModel {
    pub rows: Vec<BrokerRow>,
    /// `Active controller 1 · epoch 3 · 3 voters`, or why there is none.
    pub quorum: String,
}

pub fn brokers(view: &ClusterView) -> BrokersModel {
    let partitions = || view.topics.iter().flat_map(|t| &t.partitions);
    let rows = view
        .nodes
        .iter()
        .map(|n| {
            let (state, state_class) = match n.state {
                ProcessState::Starting => ("Starting", "starting"),
                ProcessState::Running => ("Running", "running"),
                ProcessState::Fenced => ("Fenced", "fenced"),
                ProcessState::Stopped => ("Stopped", "stopped"),
            };
            let hosted = || partitions().filter(|p| p.replicas.contains(&n.node_id));
            BrokerRow {
                node_id: n.node_id,
                roles: match (n.is_broker, n.is_controller) {
                    (true, true) => "broker, controller",
                    (false, true) => "controller",
                    _ => "broker",
                },
                state,
                state_class,
                partitions: if n.is_broker { hosted().count() } else { 0 },
                leaders: partitions().filter(|p| p.leader == Some(n.node_id)).count(),
                under_replicated: if n.is_broker {
                    hosted().filter(|p| p.isr.len() < p.replicas.len()).count()
                } else {
                    0
                },
            }
        })
        .collect();
    BrokersModel { rows, quorum: quorum(view) }
}

fn quorum(view: &ClusterView) -> String {
    let voters = view.nodes.iter().filter(|n| n.is_controller).count();
    if voters == 0 {
        return "No controllers yet: start a cluster to form a KRaft quorum.".to_owned();
    }
    let active = view
        .nodes
        .iter()
        .filter(|n| n.state == ProcessState::Running)
        .filter_map(|n| n.raft.as_ref().filter(|r| r.state == "Leader").map(|r| (r.leader_epoch, n.node_id)))
        .max();
    let voters = if voters == 1 { "1 voter".to_owned() } else { format!("{voters} voters") };
    match active {
        Some((epoch, id)) => format!("Active controller {id} · epoch {epoch} · {voters}"),
        None => format!("No active controller (election in progress?) · {voters}"),
    }
}

/// Kafka's own topics (`__consumer_offsets`), hidden unless asked for.
pub fn is_internal(topic: &str) -> bool {
    topic.starts_with("__")
}

/// One row of the Topics tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicRow {
    pub name: String,
    pub internal: bool,
    pub partitions: usize,
    pub replication_factor: usize,
    /// `5 of 6 in sync`: ISR members over replicas, summed over the partitions.
    pub in_sync: String,
    pub under_replicated: bool,
    /// Sum over partitions of high watermark minus log start: what a consumer can read.
    pub messages: u64,
    /// The leaders' segments, `1.2 KB`.
    pub size: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicsModel {
    /// Sorted by name.
    pub rows: Vec<TopicRow>,
    /// Internal topics left out.
    pub internal_hidden: usize,
}

pub fn topic_rows(view: &ClusterView, show_internal: bool) -> TopicsModel {
    let mut rows: Vec<TopicRow> =
        view.topics.iter().filter(|t| show_internal || !is_internal(&t.name)).map(topic_row).collect();
    ksim::sort::sort_by(&mut rows, |a, b| a.name.cmp(&b.name));
    let internal_hidden = if show_internal { 0 } else { view.topics.iter().filter(|t| is_internal(&t.name)).count() };
    TopicsModel { rows, internal_hidden }
}

fn topic_row(t: &TopicView) -> TopicRow {
    let replicas: usize = t.partitions.iter().map(|p| p.replicas.len()).sum();
    let in_sync: usize = t.partitions.iter().map(|p| p.isr.len()).sum();
    TopicRow {
        name: t.name.clone(),
        internal: is_internal(&t.name),
        partitions: t.partitions.len(),
        replication_factor: t.partitions.iter().map(|p| p.replicas.len()).max().unwrap_or(0),
        in_sync: format!("{in_sync} of {replicas} in sync"),
        under_replicated: in_sync < replicas,
        messages: t.partitions.iter().map(|p| p.high_watermark.saturating_sub(p.log_start_offset)).sum(),
        size: size_text(t.partitions.iter().flat_map(|p| &p.segments).map(|s| s.size_bytes).sum()),
    }
}

/// `0 B`, `512 B`, `1.2 KB`, `3.4 MB` (powers of 1024, as Kafka UIs show sizes).
pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1024;
    match bytes {
        b if b < KB => format!("{b} B"),
        b if b < KB * KB => format!("{:.1} KB", b as f64 / KB as f64),
        b if b < KB * KB * KB => format!("{:.1} MB", b as f64 / (KB * KB) as f64),
        b => format!("{:.1} GB", b as f64 / (KB * KB * KB) as f64),
    }
}

/// One partition in a topic's Overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionRow {
    pub partition: u32,
    /// The leader's id, or `none` while offline.
    pub leader: String,
    /// `1, 2, 3`.
    pub replicas: String,
    pub isr: String,
    pub log_start: u64,
    pub high_watermark: u64,
    pub log_end: u64,
    pub under_replicated: bool,
}

fn ids(ids: &[u32]) -> String {
    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

pub fn overview(t: &TopicView) -> Vec<PartitionRow> {
    t.partitions
        .iter()
        .map(|p| PartitionRow {
            partition: p.partition,
            leader: p.leader.map_or_else(|| "none".to_owned(), |l| l.to_string()),
            replicas: ids(&p.replicas),
            isr: ids(&p.isr),
            log_start: p.log_start_offset,
            high_watermark: p.high_watermark,
            log_end: p.log_end_offset,
            under_replicated: p.isr.len() < p.replicas.len(),
        })
        .collect()
}

/// The message browser's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Only this partition; `None` for all.
    pub partition: Option<u32>,
    /// A case-insensitive substring of the key or the value; empty for all.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRow {
    pub offset: u64,
    pub partition: u32,
    /// `2024-06-25 14:06:00.123`, the simulated wall clock.
    pub timestamp: String,
    /// The key, or `null` without one (as Kafka UIs print it).
    pub key: String,
    pub value: String,
    pub null_key: bool,
    pub null_value: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessagesModel {
    /// Newest first.
    pub rows: Vec<MessageRow>,
    /// `Showing the newest 200 of 1000 messages`, when earlier ones were left out.
    pub note: Option<String>,
}

const NULL: &str = "null";

pub fn messages(t: &TopicView, filter: &MessageFilter) -> MessagesModel {
    let needle = filter.text.trim().to_lowercase();
    let matches = |s: &Option<String>| s.as_ref().is_some_and(|s| s.to_lowercase().contains(&needle));
    let partitions: Vec<_> =
        t.partitions.iter().filter(|p| filter.partition.is_none_or(|only| p.partition == only)).collect();
    let mut rows: Vec<(u64, MessageRow)> = partitions
        .iter()
        .flat_map(|p| p.records.iter().map(move |r| (p.partition, r)))
        .filter(|(_, r)| needle.is_empty() || matches(&r.key) || matches(&r.value))
        .map(|(partition, r)| {
            let row = MessageRow {
                offset: r.offset,
                partition,
                timestamp: utc_timestamp(r.timestamp_ms),
                key: r.key.clone().unwrap_or_else(|| NULL.to_owned()),
                value: r.value.clone().unwrap_or_else(|| NULL.to_owned()),
                null_key: r.key.is_none(),
                null_value: r.value.is_none(),
            };
            (r.timestamp_ms, row)
        })
        .collect();
    // Newest first: by timestamp, then offset; partitions in order for equal times.
    ksim::sort::sort_by(&mut rows, |(ta, a), (tb, b)| {
        tb.cmp(ta).then(b.offset.cmp(&a.offset)).then(a.partition.cmp(&b.partition))
    });
    let held: u64 = partitions.iter().map(|p| p.records.len() as u64).sum();
    let earlier: u64 = partitions.iter().map(|p| p.earlier_records).sum();
    let note = (earlier > 0).then(|| format!("Showing the newest {held} of {} messages", held + earlier));
    MessagesModel { rows: rows.into_iter().map(|(_, r)| r).collect(), note }
}

/// The groups that have (assigned or committed) partitions of `topic`, with only those
/// partitions, as the groups panel draws them.
pub fn topic_consumers(view: &ClusterView, topic: &str) -> Vec<GroupModel> {
    let only: Vec<GroupView> = view
        .groups
        .iter()
        .filter(|g| g.partitions.iter().any(|p| p.topic == topic))
        .map(|g| GroupView {
            partitions: g.partitions.iter().filter(|p| p.topic == topic).cloned().collect(),
            ..g.clone()
        })
        .collect();
    groups(&only, usize::MAX)
}

/// One row of the Consumers tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRow {
    pub group_id: String,
    pub state: String,
    pub state_class: &'static str,
    pub state_tooltip: &'static str,
    pub members: usize,
    /// The topics it consumes, `vitals, alerts`.
    pub topics: String,
    pub total_lag: u64,
}

pub fn group_rows(view: &ClusterView) -> Vec<GroupRow> {
    let mut rows: Vec<GroupRow> = view
        .groups
        .iter()
        .map(|g| {
            let (state_class, state_tooltip) = state_help(&g.state);
            let topics: VecSet<&str> = g.partitions.iter().map(|p| p.topic.as_str()).collect();
            GroupRow {
                group_id: g.group_id.clone(),
                state: g.state.clone(),
                state_class,
                state_tooltip,
                members: g.members.len(),
                topics: topics.into_iter().collect::<Vec<_>>().join(", "),
                total_lag: total_lag(g),
            }
        })
        .collect();
    ksim::sort::sort_by(&mut rows, |a, b| a.group_id.cmp(&b.group_id));
    rows
}

/// One group as the groups panel draws it, or `None` once it is gone.
pub fn group_detail(view: &ClusterView, group_id: &str) -> Option<GroupModel> {
    let g = view.groups.iter().find(|g| g.group_id == group_id)?;
    groups(std::slice::from_ref(g), usize::MAX).pop()
}

#[cfg(test)]
mod tests {
    use ksim::{GroupMemberView, GroupPartitionView, NodeView, PartitionView, RaftView, RecordView, SegmentView};

    use super::*;

    fn node(node_id: u32, is_broker: bool, is_controller: bool, state: ProcessState) -> NodeView {
        NodeView {
            node_id,
            is_broker,
            is_controller,
            state,
            listeners: Vec::new(),
            raft: is_controller.then(|| RaftView {
                state: if node_id == 1 { "Leader" } else { "Follower" }.to_owned(),
                leader_epoch: 4,
                leader_id: Some(1),
                voted_for: Some(1),
                log_end_offset: 10,
                high_watermark: 10,
                deadline: None,
            }),
            replicas: Vec::new(),
        }
    }

    fn record(offset: u64, timestamp_ms: u64, key: Option<&str>, value: &str) -> RecordView {
        RecordView { offset, timestamp_ms, key: key.map(str::to_owned), value: Some(value.to_owned()) }
    }

    fn partition(
        partition: u32,
        leader: u32,
        replicas: &[u32],
        isr: &[u32],
        records: Vec<RecordView>,
    ) -> PartitionView {
        let end = records.last().map_or(0, |r| r.offset + 1);
        PartitionView {
            partition,
            leader: Some(leader),
            leader_epoch: 0,
            replicas: replicas.to_vec(),
            isr: isr.to_vec(),
            log_start_offset: 0,
            high_watermark: end,
            log_end_offset: end,
            records,
            earlier_records: 0,
            replica_states: Vec::new(),
            segments: vec![SegmentView { base_offset: 0, size_bytes: 1536 }],
        }
    }

    fn topic(name: &str, partitions: Vec<PartitionView>) -> TopicView {
        TopicView {
            name: name.to_owned(),
            topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            partitions,
            configs: Vec::new(),
        }
    }

    /// 3 combined nodes (1 leads the quorum), broker 3 out of vitals-1's ISR.
    fn cluster() -> ClusterView {
        let t0 = 1_719_324_360_000; // 2024-06-25 14:06:00.000
        ClusterView {
            nodes: vec![
                node(1, true, true, ProcessState::Running),
                node(2, true, true, ProcessState::Running),
                node(3, true, false, ProcessState::Stopped),
            ],
            topics: vec![
                topic(
                    "vitals",
                    vec![
                        partition(
                            0,
                            1,
                            &[1, 2, 3],
                            &[1, 2, 3],
                            vec![record(0, t0, Some("bed-1"), "82 bpm"), record(1, t0 + 2000, Some("bed-1"), "90 bpm")],
                        ),
                        partition(1, 2, &[2, 3, 1], &[2, 1], vec![record(0, t0 + 1000, Some("bed-2"), "110 bpm")]),
                    ],
                ),
                topic("__consumer_offsets", vec![partition(0, 1, &[1], &[1], Vec::new())]),
                topic("alerts", vec![partition(0, 2, &[2], &[2], vec![record(0, t0, None, "check bed 2")])]),
            ],
            groups: vec![GroupView {
                group_id: "monitors".to_owned(),
                state: "Stable".to_owned(),
                generation_id: 1,
                protocol: Some("range".to_owned()),
                coordinator: 1,
                offsets_partition: 0,
                members: vec![GroupMemberView {
                    member_id: "console-consumer-1b2c3d4e-5f60".to_owned(),
                    client_id: "console-consumer".to_owned(),
                    client: Some(7),
                    is_leader: true,
                    assignment: vec!["vitals-0".to_owned(), "vitals-1".to_owned()],
                }],
                partitions: [(0, Some(2), 2), (1, Some(0), 1)]
                    .into_iter()
                    .map(|(partition, committed, end)| GroupPartitionView {
                        topic: "vitals".to_owned(),
                        partition,
                        owner: Some("console-consumer-1b2c3d4e-5f60".to_owned()),
                        position: committed,
                        committed,
                        log_end_offset: end,
                        lag: committed.map(|c| end - c),
                    })
                    .collect(),
            }],
            ..ClusterView::default()
        }
    }

    #[test]
    fn brokers_count_replicas_leaders_and_under_replicated_partitions() {
        let b = brokers(&cluster());
        let rows: Vec<_> =
            b.rows.iter().map(|r| (r.node_id, r.roles, r.state, r.partitions, r.leaders, r.under_replicated)).collect();
        assert_eq!(
            rows,
            vec![
                (1, "broker, controller", "Running", 3, 2, 1),
                (2, "broker, controller", "Running", 3, 2, 1),
                (3, "broker", "Stopped", 2, 0, 1),
            ]
        );
        assert_eq!(b.quorum, "Active controller 1 · epoch 4 · 2 voters");
    }

    #[test]
    fn quorum_without_a_leader_says_so() {
        let mut view = cluster();
        view.nodes[0].state = ProcessState::Stopped;
        assert_eq!(brokers(&view).quorum, "No active controller (election in progress?) · 2 voters");
        assert!(brokers(&ClusterView::default()).quorum.starts_with("No controllers yet"));
    }

    #[test]
    fn topics_are_sorted_with_internal_ones_hidden_unless_asked() {
        let view = cluster();
        let hidden = topic_rows(&view, false);
        assert_eq!(hidden.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["alerts", "vitals"]);
        assert_eq!(hidden.internal_hidden, 1);
        let all = topic_rows(&view, true);
        assert_eq!(
            all.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["__consumer_offsets", "alerts", "vitals"]
        );
        assert_eq!(all.internal_hidden, 0);
        assert!(all.rows[0].internal);
    }

    #[test]
    fn a_topic_row_counts_in_sync_replicas_messages_and_size() {
        let vitals = topic_rows(&cluster(), false).rows.pop().unwrap();
        assert_eq!(vitals.partitions, 2);
        assert_eq!(vitals.replication_factor, 3);
        assert_eq!(vitals.in_sync, "5 of 6 in sync");
        assert!(vitals.under_replicated);
        assert_eq!(vitals.messages, 3);
        assert_eq!(vitals.size, "3.0 KB");
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(3 * 1024 * 1024), "3.0 MB");
    }

    #[test]
    fn overview_lists_partitions_with_under_replicated_marked() {
        let view = cluster();
        let rows = overview(&view.topics[0]);
        assert_eq!(rows[1].replicas, "2, 3, 1");
        assert_eq!(rows[1].isr, "2, 1");
        assert_eq!(rows[1].leader, "2");
        assert!(!rows[0].under_replicated);
        assert!(rows[1].under_replicated);
        assert_eq!((rows[0].log_start, rows[0].high_watermark, rows[0].log_end), (0, 2, 2));
    }

    #[test]
    fn messages_come_newest_first_across_partitions() {
        let view = cluster();
        let m = messages(&view.topics[0], &MessageFilter::default());
        let seen: Vec<_> = m.rows.iter().map(|r| (r.partition, r.offset, r.value.as_str())).collect();
        assert_eq!(seen, [(0, 1, "90 bpm"), (1, 0, "110 bpm"), (0, 0, "82 bpm")]);
        assert_eq!(m.rows[0].timestamp, "2024-06-25 14:06:02.000");
        assert_eq!(m.rows[0].key, "bed-1");
        assert_eq!(m.note, None);
        let alerts = messages(&view.topics[2], &MessageFilter::default());
        assert_eq!(alerts.rows[0].key, "null");
        assert!(alerts.rows[0].null_key);
    }

    #[test]
    fn messages_filter_by_partition_and_text() {
        let view = cluster();
        let one = MessageFilter { partition: Some(1), text: String::new() };
        assert_eq!(messages(&view.topics[0], &one).rows.len(), 1);
        let text = MessageFilter { partition: None, text: " BED-1 ".to_owned() };
        let rows = messages(&view.topics[0], &text).rows;
        assert_eq!(rows.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(), ["90 bpm", "82 bpm"]);
        let value = MessageFilter { partition: None, text: "110".to_owned() };
        assert_eq!(messages(&view.topics[0], &value).rows[0].key, "bed-2");
        let both = MessageFilter { partition: Some(0), text: "110".to_owned() };
        assert!(messages(&view.topics[0], &both).rows.is_empty());
    }

    #[test]
    fn messages_say_when_earlier_ones_were_left_out() {
        let mut view = cluster();
        view.topics[0].partitions[0].earlier_records = 98;
        let all = messages(&view.topics[0], &MessageFilter::default());
        assert_eq!(all.note.as_deref(), Some("Showing the newest 3 of 101 messages"));
        let other = MessageFilter { partition: Some(1), text: String::new() };
        assert_eq!(messages(&view.topics[0], &other).note, None);
    }

    #[test]
    fn topic_consumers_keep_only_that_topics_partitions() {
        let view = cluster();
        let vitals = topic_consumers(&view, "vitals");
        assert_eq!(vitals.len(), 1);
        assert_eq!(vitals[0].partitions.iter().map(|p| p.lag.as_str()).collect::<Vec<_>>(), ["0", "1"]);
        assert!(topic_consumers(&view, "alerts").is_empty());
    }

    #[test]
    fn group_rows_sum_lag_and_name_topics() {
        let view = cluster();
        let rows = group_rows(&view);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].members, rows[0].topics.as_str(), rows[0].total_lag), (1, "vitals", 1));
        assert_eq!(rows[0].state_class, "stable");
        assert_eq!(group_detail(&view, "monitors").map(|g| g.members.len()), Some(1));
        assert_eq!(group_detail(&view, "gone"), None);
    }
}
