//! The topic panel's model: per topic, per partition, who leads, the log strip, and each
//! replica's copy (see `replicas`), and where consumer groups stand in it. Internal topics
//! (`__consumer_offsets`, 50 partitions) come last and list only partitions with records.
//! A topic with many partitions is shown a page at a time under a summary line, so a
//! 1000-partition topic draws what one page does.

use ksim::vec_map::VecMap;

use ksim::{ClusterView, LogWindow, PartitionView, TopicView};

use super::groups::{consumer_marks, ConsumerMark};
use super::log_strip::{log_strip, thousands, window_strip, Strip};
use super::replicas::{replica_rows, ReplicaRow};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicModel {
    pub name: String,
    pub topic_id: String,
    /// `3 partitions`, counting those not shown.
    pub partition_count: String,
    /// Kafka's own topics (`__consumer_offsets`): shown last, collapsed.
    pub internal: bool,
    /// Partitions left out because they have no records (internal topics only).
    pub empty_partitions: usize,
    /// The partitions shown: all of them, or one page.
    pub partitions: Vec<PartitionModel>,
    /// With more partitions than a page holds: which page is shown, and the summary.
    pub pages: Option<Pages>,
}

/// A topic's partitions a page at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pages {
    /// The page shown, from 0.
    pub index: usize,
    pub count: usize,
    /// `partitions 10–19 of 1000`.
    pub label: String,
    /// `1000 partitions · RF 3 · 3 under-replicated · 1 offline · 45 000 records`: the
    /// whole topic at a glance, problems first.
    pub summary: String,
}

/// Partitions per page in the topic view.
pub const PARTITIONS_PER_PAGE: usize = 10;

/// What the student moved in the topic view: strips scrolled back (partition name → the
/// window read from the session) and the page shown per topic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicScrolls {
    pub windows: VecMap<String, LogWindow>,
    pub pages: VecMap<String, usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionModel {
    /// `topic-partition`, as Kafka names a partition in logs and tools.
    pub name: String,
    /// `Leader 1 · leader epoch 0`, or `No leader` while the partition is offline.
    pub leader: String,
    /// `2 of 3 in sync`: the ISR's size next to the replica count.
    pub in_sync: String,
    /// Fewer replicas in the ISR than assigned: one more failure and acks=all stalls or
    /// data is at risk.
    pub under_replicated: bool,
    /// Every broker's copy, in replica order, with its role and ISR status in words.
    pub replicas: Vec<ReplicaRow>,
    /// `log start 0 · HW 5 · LEO 7`.
    pub offsets: String,
    pub strip: Strip,
}

pub const UNDER_REPLICATED_TOOLTIP: &str = super::glossary::UNDER_REPLICATED.sentence;

pub fn topics(view: &ClusterView, records_max: usize, scrolls: &TopicScrolls) -> Vec<TopicModel> {
    let marks = consumer_marks(&view.groups);
    let mut topics: Vec<TopicModel> = view
        .topics
        .iter()
        .map(|t| {
            let internal = t.name.starts_with("__");
            let page = page_of(t, &scrolls.pages);
            let empty_partitions = t.partitions.len() - page.used;
            let pages = (page.count > 1).then(|| Pages {
                index: page.index,
                count: page.count,
                label: format!(
                    "partitions {}–{} of {}",
                    page.index * PARTITIONS_PER_PAGE,
                    page.index * PARTITIONS_PER_PAGE + page.shown.len() - 1,
                    page.used
                ),
                summary: summary(&t.partitions),
            });
            let shown = page.shown;
            TopicModel {
                name: t.name.clone(),
                topic_id: t.topic_id.clone(),
                partition_count: partitions_text(t.partitions.len()),
                internal,
                empty_partitions,
                partitions: shown
                    .iter()
                    .map(|p| partition(&t.name, p, records_max, &marks, &scrolls.windows))
                    .collect(),
                pages,
            }
        })
        .collect();
    // Stable: user topics keep the view's name order.
    ksim::sort::sort_by_key(&mut topics, |t| t.internal);
    topics
}

pub fn partitions_text(n: usize) -> String {
    if n == 1 {
        "1 partition".to_owned()
    } else {
        format!("{n} partitions")
    }
}

/// The partitions of a topic the panel shows: those in use (an internal topic's with
/// records), one page of them.
struct Page<'a> {
    used: usize,
    index: usize,
    count: usize,
    shown: Vec<&'a PartitionView>,
}

fn page_of<'a>(t: &'a TopicView, pages: &VecMap<String, usize>) -> Page<'a> {
    let internal = t.name.starts_with("__");
    let used: Vec<&PartitionView> =
        t.partitions.iter().filter(|p| !internal || p.log_end_offset > p.log_start_offset).collect();
    let count = used.len().div_ceil(PARTITIONS_PER_PAGE).max(1);
    // A page past the end (the topic shrank, or a stale click) is the last one.
    let index = pages.get(&t.name).copied().unwrap_or(0).min(count - 1);
    let shown = used.iter().skip(index * PARTITIONS_PER_PAGE).take(PARTITIONS_PER_PAGE).copied().collect();
    Page { used: used.len(), index, count, shown }
}

/// `(topic, partition)` of every strip on screen, for the page to read their windows.
pub fn page_partitions(view: &ClusterView, pages: &VecMap<String, usize>) -> Vec<(String, u32)> {
    view.topics
        .iter()
        .flat_map(|t| page_of(t, pages).shown.into_iter().map(|p| (t.name.clone(), p.partition)))
        .collect()
}

/// A topic at a glance: its size, then what is wrong with it.
fn summary(partitions: &[PartitionView]) -> String {
    let mut parts = vec![partitions_text(partitions.len())];
    if let Some(rf) = partitions.first().map(|p| p.replicas.len()) {
        if partitions.iter().all(|p| p.replicas.len() == rf) {
            parts.push(format!("RF {rf}"));
        }
    }
    let under = partitions.iter().filter(|p| p.leader.is_some() && p.isr.len() < p.replicas.len()).count();
    if under > 0 {
        parts.push(format!("{under} under-replicated"));
    }
    let offline = partitions.iter().filter(|p| p.leader.is_none()).count();
    if offline > 0 {
        parts.push(format!("{offline} offline"));
    }
    let records: u64 = partitions.iter().map(|p| p.high_watermark.saturating_sub(p.log_start_offset)).sum();
    parts.push(if records == 1 { "1 record".to_owned() } else { format!("{} records", thousands(records)) });
    parts.join(" · ")
}

fn partition(
    topic: &str,
    p: &PartitionView,
    records_max: usize,
    marks: &VecMap<String, Vec<ConsumerMark>>,
    windows: &VecMap<String, LogWindow>,
) -> PartitionModel {
    let name = format!("{topic}-{}", p.partition);
    let leader = match p.leader {
        Some(id) => format!("Leader {id} · leader epoch {}", p.leader_epoch),
        None => "No leader (offline)".to_owned(),
    };
    let replicas = replica_rows(p);
    let consumers = marks.get(&name).map_or(&[][..], Vec::as_slice);
    let strip = match windows.get(&name) {
        Some(window) => window_strip(p, window, records_max, consumers),
        None => log_strip(p, records_max, consumers),
    };
    PartitionModel {
        name,
        leader,
        in_sync: format!("{} of {} in sync", p.isr.len(), p.replicas.len()),
        under_replicated: p.isr.len() < p.replicas.len(),
        replicas,
        offsets: format!("log start {} · HW {} · LEO {}", p.log_start_offset, p.high_watermark, p.log_end_offset),
        strip,
    }
}

#[cfg(test)]
mod tests {
    use ksim::{ReplicaStateView, TopicView};

    use super::*;
    use crate::view_model::log_strip::StripItem;

    #[test]
    fn replicas_say_their_role_in_words() {
        let view = ClusterView {
            topics: vec![TopicView {
                configs: Vec::new(),
                name: "heart-rate-measures".to_owned(),
                topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
                partitions: vec![PartitionView {
                    segments: Vec::new(),
                    earlier_records: 0,
                    replica_states: [(1, false, 1), (2, true, 5), (3, true, 5)]
                        .into_iter()
                        .map(|(broker, in_isr, leo)| ReplicaStateView {
                            broker,
                            is_leader: broker == 2,
                            in_isr,
                            online: true,
                            log_start_offset: 0,
                            high_watermark: 3,
                            log_end_offset: leo,
                        })
                        .collect(),
                    partition: 2,
                    leader: Some(2),
                    leader_epoch: 4,
                    replicas: vec![1, 2, 3],
                    isr: vec![2, 3],
                    log_start_offset: 0,
                    high_watermark: 3,
                    log_end_offset: 5,
                    records: Vec::new(),
                }],
            }],
            ..ClusterView::default()
        };
        let model = topics(&view, 10, &TopicScrolls::default());
        let p = &model[0].partitions[0];
        assert_eq!(p.name, "heart-rate-measures-2");
        assert_eq!(p.leader, "Leader 2 · leader epoch 4");
        assert_eq!((p.in_sync.as_str(), p.under_replicated), ("2 of 3 in sync", true));
        assert_eq!(p.offsets, "log start 0 · HW 3 · LEO 5");
        let rows: Vec<_> = p.replicas.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(rows, ["Broker 1 · follower · out of sync", "Broker 2 · leader", "Broker 3 · follower · in ISR"]);
    }

    #[test]
    fn offline_partition_says_so() {
        let p = PartitionView {
            replica_states: Vec::new(),
            segments: Vec::new(),
            earlier_records: 0,
            partition: 0,
            leader: None,
            leader_epoch: 1,
            replicas: vec![1],
            isr: vec![],
            log_start_offset: 0,
            high_watermark: 0,
            log_end_offset: 0,
            records: Vec::new(),
        };
        let model = partition("vitals", &p, 10, &VecMap::new(), &VecMap::new());
        assert_eq!(model.leader, "No leader (offline)");
        assert_eq!((model.in_sync.as_str(), model.under_replicated), ("0 of 1 in sync", true));
        assert_eq!(model.replicas[0].label, "Broker 1 · no copy yet");
    }

    fn log(partition: u32, log_end_offset: u64) -> PartitionView {
        PartitionView {
            replica_states: Vec::new(),
            segments: Vec::new(),
            earlier_records: 0,
            partition,
            leader: Some(1),
            leader_epoch: 0,
            replicas: vec![1],
            isr: vec![1],
            log_start_offset: 0,
            high_watermark: log_end_offset,
            log_end_offset,
            records: (0..log_end_offset)
                .map(|offset| ksim::RecordView { offset, timestamp_ms: 0, key: None, value: Some("v".to_owned()) })
                .collect(),
        }
    }

    #[test]
    fn many_partitions_are_shown_a_page_at_a_time_under_a_summary() {
        let mut partitions: Vec<PartitionView> = (0..25).map(|p| log(p, 2)).collect();
        for p in &mut partitions {
            p.replicas = vec![1, 2, 3];
            p.isr = vec![1, 2, 3];
        }
        partitions[3].isr = vec![1];
        partitions[17].isr = vec![2, 3];
        // Offline: the view has no leader copy to read offsets from.
        partitions[24].leader = None;
        partitions[24].isr = vec![];
        partitions[24].high_watermark = 0;
        let topic = TopicView {
            configs: Vec::new(),
            name: "vitals".to_owned(),
            topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            partitions,
        };
        let view = ClusterView { topics: vec![topic], ..ClusterView::default() };
        let first = &topics(&view, 10, &TopicScrolls::default())[0];
        let pages = first.pages.as_ref().expect("paged");
        assert_eq!(
            (pages.index, pages.count, pages.label.as_str(), pages.summary.as_str()),
            (0, 3, "partitions 0–9 of 25", "25 partitions · RF 3 · 2 under-replicated · 1 offline · 48 records")
        );
        let names: Vec<_> = first.partitions.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), PARTITIONS_PER_PAGE);
        assert_eq!(names[0], "vitals-0");
        let scrolls = TopicScrolls { pages: [("vitals".to_owned(), 7)].into(), ..TopicScrolls::default() };
        let last = &topics(&view, 10, &scrolls)[0];
        let names: Vec<_> = last.partitions.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["vitals-20", "vitals-21", "vitals-22", "vitals-23", "vitals-24"],
            "a page past the end is the last"
        );
        assert_eq!(last.pages.as_ref().map(|p| (p.index, p.label.as_str())), Some((2, "partitions 20–24 of 25")));
        // A topic that fits one page has no pages.
        let view = ClusterView {
            topics: vec![TopicView { partitions: (0..3).map(|p| log(p, 1)).collect(), ..view.topics[0].clone() }],
            ..ClusterView::default()
        };
        assert_eq!(topics(&view, 10, &TopicScrolls::default())[0].pages, None);
    }

    #[test]
    fn a_scrolled_strip_shows_its_window() {
        let view = ClusterView {
            topics: vec![TopicView {
                configs: Vec::new(),
                name: "vitals".to_owned(),
                topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
                partitions: vec![log(0, 50)],
            }],
            ..ClusterView::default()
        };
        let records = view.topics[0].partitions[0].records[10..13].to_vec();
        let scrolls = TopicScrolls {
            windows: [("vitals-0".to_owned(), LogWindow { earlier: 10, later: 37, records })].into(),
            ..TopicScrolls::default()
        };
        let strip = &topics(&view, 3, &scrolls)[0].partitions[0].strip;
        let offsets: Vec<_> = strip
            .items
            .iter()
            .filter_map(|i| match i {
                StripItem::Record(r) => Some(r.offset),
                _ => None,
            })
            .collect();
        assert_eq!((strip.earlier, offsets, strip.scroll.following), (10, vec![10, 11, 12], false));
        assert_eq!(strip.scroll.label, "offsets 10–12 of 0–49");
    }

    #[test]
    fn internal_topics_come_last_with_only_their_used_partitions() {
        let topic = |name: &str, partitions: Vec<PartitionView>| TopicView {
            configs: Vec::new(),
            name: name.to_owned(),
            topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            partitions,
        };
        let view = ClusterView {
            topics: vec![
                topic("__consumer_offsets", (0..50).map(|p| log(p, u64::from(p == 31) * 2)).collect()),
                topic("vitals", vec![log(0, 3)]),
            ],
            groups: vec![ksim::GroupView {
                group_id: "monitors".to_owned(),
                state: "Stable".to_owned(),
                members: vec![ksim::GroupMemberView {
                    member_id: "console-consumer-1b2c3d4e".to_owned(),
                    client_id: "console-consumer".to_owned(),
                    client: None,
                    is_leader: true,
                    assignment: vec!["vitals-0".to_owned()],
                }],
                partitions: vec![ksim::GroupPartitionView {
                    topic: "vitals".to_owned(),
                    partition: 0,
                    owner: Some("console-consumer-1b2c3d4e".to_owned()),
                    position: Some(3),
                    committed: Some(2),
                    log_end_offset: 3,
                    lag: Some(1),
                }],
                ..ksim::GroupView::default()
            }],
            ..ClusterView::default()
        };
        let model = topics(&view, 10, &TopicScrolls::default());
        let shown: Vec<_> = model
            .iter()
            .map(|t| (t.name.as_str(), t.internal, t.partition_count.as_str(), t.empty_partitions, t.partitions.len()))
            .collect();
        assert_eq!(
            shown,
            [("vitals", false, "1 partition", 0, 1), ("__consumer_offsets", true, "50 partitions", 49, 1)]
        );
        assert_eq!(model[1].partitions[0].name, "__consumer_offsets-31");
        let marks: Vec<_> = model[0].partitions[0]
            .strip
            .items
            .iter()
            .filter_map(|i| match i {
                StripItem::Consumer(c) => Some(format!("{} {} {}", c.group_id, c.kind, c.offset)),
                _ => None,
            })
            .collect();
        assert_eq!(marks, ["monitors committed 2", "monitors position 3"]);
    }
}
