//! One partition's log as a strip of cells: a window of its records (the newest, or any
//! stretch the student scrolled to), with the high watermark (what consumers may read) and
//! the log end offset (what the leader has written) marked where they fall between records,
//! where each new segment file begins, and where each consumer group stands (its committed
//! offset and its owner's position). Only the window is drawn, so a log of 100 000 records
//! costs what a log of 100 does; `StripScroll` is where the window stands in the log.

use ksim::{LogWindow, PartitionView, RecordView};

use super::glossary;
use super::groups::ConsumerMark;
use super::time_format::utc_timestamp;

/// Records shown per partition: enough to watch a lesson, few enough to keep the DOM small.
pub const RECORDS_SHOWN_MAX: usize = 100;

/// Records per frame the page's snapshot may copy over all partitions; a cluster with more
/// partitions than this allows at `RECORDS_SHOWN_MAX` each gets fewer per partition, and the
/// strips on screen read their own windows (`Session::log_window`).
const SNAPSHOT_RECORDS_MAX: usize = 6_000;

/// Records per partition in the page's snapshot for `partitions` partitions.
pub fn records_per_partition(partitions: usize) -> usize {
    (SNAPSHOT_RECORDS_MAX / partitions.max(1)).clamp(1, RECORDS_SHOWN_MAX)
}

/// Longest value printed inside a cell; the full value is in the tooltip.
const CELL_TEXT_CHARS_MAX: usize = 12;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strip {
    /// Records in the log older than the first one shown.
    pub earlier: u64,
    pub items: Vec<StripItem>,
    pub scroll: StripScroll,
}

/// Where the window stands in the log, for the strip's scroll bar (a range input whose
/// value is the first offset shown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripScroll {
    /// The log start offset: the range's start.
    pub min: u64,
    /// The first offset of the newest window: the range's end (there the strip follows the
    /// newest records).
    pub max: u64,
    /// The first offset shown (`min` for an empty log).
    pub first: u64,
    /// The window shows the newest records and moves with them.
    pub following: bool,
    /// `offsets 200–299 of 0–99 999` (or `no records`).
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StripItem {
    Record(RecordCell),
    Marker(Marker),
    /// A segment boundary: records from here on are in a newer segment file.
    Segment(SegmentMark),
    /// Offsets the log no longer has between two records (or before the first): the log
    /// cleaner removed them.
    Compacted(u64),
    /// A consumer group's committed offset or its owner's position (one mark when equal).
    Consumer(ConsumerMarker),
    /// Records newer than the window (the strip was scrolled back).
    Newer(u64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerMarker {
    pub group_id: String,
    pub offset: u64,
    /// `committed`, `position` or `committed position` (CSS classes too).
    pub kind: &'static str,
    /// `commit`, `pos` or `commit=pos`: the kind, short enough for the mark.
    pub label: &'static str,
    pub tooltip: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentMark {
    pub base_offset: u64,
    /// The segment file's name, as in the partition's directory.
    pub file: String,
    pub tooltip: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordCell {
    pub offset: u64,
    /// The value, shortened to fit the cell.
    pub text: String,
    /// Offset, key, value and timestamp, one per line.
    pub tooltip: String,
    /// Below the high watermark: replicated to the whole ISR and visible to consumers.
    pub committed: bool,
    /// A null value (a delete marker for compaction).
    pub tombstone: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// `HW`, `LEO`, or `HW = LEO` when they coincide.
    pub name: &'static str,
    pub offset: u64,
    /// CSS class: `hw`, `leo` or `hw leo`.
    pub class: &'static str,
    pub tooltip: &'static str,
}

const HW_TOOLTIP: &str = glossary::HIGH_WATERMARK.sentence;
const LEO_TOOLTIP: &str = glossary::LOG_END_OFFSET.sentence;
const BOTH_TOOLTIP: &str = glossary::HW_EQUALS_LEO.sentence;

/// The last `max` records of the leader's log with HW and LEO markers and each group's
/// committed offset and position in offset order (at one offset, HW and LEO first).
pub fn log_strip(p: &PartitionView, max: usize, consumers: &[ConsumerMark]) -> Strip {
    let shown_from = p.records.len().saturating_sub(max);
    // Records the view left out, plus those before the window.
    let earlier = p.earlier_records + shown_from as u64;
    strip_of(p, &p.records[shown_from..], earlier, 0, max, consumers)
}

/// A window the strip was scrolled to (`Session::log_window`), marked the same way.
pub fn window_strip(p: &PartitionView, window: &LogWindow, max: usize, consumers: &[ConsumerMark]) -> Strip {
    strip_of(p, &window.records, window.earlier, window.later, max, consumers)
}

fn strip_of(
    p: &PartitionView,
    shown: &[RecordView],
    earlier: u64,
    later: u64,
    max: usize,
    consumers: &[ConsumerMark],
) -> Strip {
    let mut markers = markers(p.high_watermark, p.log_end_offset)
        .into_iter()
        .map(StripItem::Marker)
        .chain(consumer_markers(consumers).into_iter().map(StripItem::Consumer))
        .collect::<Vec<_>>();
    // Stable: at one offset HW and LEO come first, then groups in id order.
    ksim::sort::sort_by_key(&mut markers, marker_offset);
    let mut markers = markers.into_iter().peekable();
    // Only boundaries inside the window are drawn (the first segment's start is the log start).
    let window_start = shown.first().map_or(p.log_end_offset, |r| r.offset);
    let mut segments = segment_marks(p).into_iter().filter(|s| s.base_offset > window_start).peekable();
    let mut items = Vec::with_capacity(shown.len() + 2);
    let mut expected = shown.first().filter(|_| earlier > 0).map_or(p.log_start_offset, |r| r.offset);
    for record in shown {
        if record.offset > expected {
            items.push(StripItem::Compacted(record.offset - expected));
        }
        expected = record.offset + 1;
        while let Some(segment) = segments.next_if(|s| s.base_offset <= record.offset) {
            items.push(StripItem::Segment(segment));
        }
        while let Some(marker) = markers.next_if(|m| marker_offset(m) <= record.offset) {
            items.push(marker);
        }
        items.push(StripItem::Record(cell(record, p.high_watermark)));
    }
    if later > 0 {
        // Boundaries past the window are hidden with its records; marks past it stand after
        // the count of what is hidden, so HW and LEO stay in sight.
        items.push(StripItem::Newer(later));
    } else {
        items.extend(segments.map(StripItem::Segment));
    }
    items.extend(markers);
    let scroll = scroll(p, shown, later, max);
    Strip { earlier, items, scroll }
}

fn scroll(p: &PartitionView, shown: &[RecordView], later: u64, max: usize) -> StripScroll {
    let min = p.log_start_offset;
    let newest_first = p.log_end_offset.saturating_sub(max as u64).max(min);
    let (first, label) = match (shown.first(), shown.last()) {
        (Some(a), Some(b)) => (
            a.offset,
            format!(
                "offsets {}–{} of {}–{}",
                thousands(a.offset),
                thousands(b.offset),
                thousands(min),
                thousands(p.log_end_offset.saturating_sub(1))
            ),
        ),
        _ => (min, "no records".to_owned()),
    };
    StripScroll { min, max: newest_first.max(first), first, following: later == 0, label }
}

/// `99 999`: thousands apart, so long offsets read at a glance (and fit a fixed width).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

fn marker_offset(item: &StripItem) -> u64 {
    match item {
        StripItem::Marker(m) => m.offset,
        StripItem::Consumer(c) => c.offset,
        _ => unreachable!("only markers are sorted"),
    }
}

/// One mark per group and offset: the committed offset and the position merge when equal.
fn consumer_markers(consumers: &[ConsumerMark]) -> Vec<ConsumerMarker> {
    let mut out = Vec::with_capacity(consumers.len() * 2);
    for c in consumers {
        let group_id = c.group_id.clone();
        match (c.committed, &c.position) {
            (Some(committed), Some((position, client))) if committed == *position => out.push(ConsumerMarker {
                group_id: group_id.clone(),
                offset: committed,
                kind: "committed position",
                label: "commit=pos",
                tooltip: format!(
                    "group {group_id} committed {committed}\n{client} (its owner) will fetch from {position} next: it is caught up with its commit\n{}",
                    glossary::COMMITTED_OFFSET.sentence
                ),
            }),
            (committed, position) => {
                if let Some(committed) = committed {
                    out.push(ConsumerMarker {
                        group_id: group_id.clone(),
                        offset: committed,
                        kind: "committed",
                        label: "commit",
                        tooltip: format!("group {group_id} committed {committed}\n{}", glossary::COMMITTED_OFFSET.sentence),
                    });
                }
                if let Some((position, client)) = position {
                    out.push(ConsumerMarker {
                        group_id: group_id.clone(),
                        offset: *position,
                        kind: "position",
                        label: "pos",
                        tooltip: format!(
                            "group {group_id}: {client} (its owner) will fetch from {position} next\n{}",
                            glossary::POSITION.sentence
                        ),
                    });
                }
            }
        }
    }
    out
}

/// Every segment after the first, named as Kafka names its files (base offset, 20 digits).
fn segment_marks(p: &PartitionView) -> Vec<SegmentMark> {
    p.segments
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, s)| {
            let file = format!("{:020}.log", s.base_offset);
            let role = if i + 2 == p.segments.len() { "the active segment: new records go here" } else { "closed" };
            let tooltip = format!(
                "New segment {file} from offset {} ({} bytes, {role})\n{}",
                s.base_offset,
                s.size_bytes,
                glossary::SEGMENT.sentence
            );
            SegmentMark { base_offset: s.base_offset, file, tooltip }
        })
        .collect()
}

fn markers(high_watermark: u64, log_end_offset: u64) -> Vec<Marker> {
    let hw = Marker { name: "HW", offset: high_watermark, class: "hw", tooltip: HW_TOOLTIP };
    let leo = Marker { name: "LEO", offset: log_end_offset, class: "leo", tooltip: LEO_TOOLTIP };
    if high_watermark == log_end_offset {
        vec![Marker { name: "HW = LEO", class: "hw leo", tooltip: BOTH_TOOLTIP, ..hw }]
    } else {
        // HW ≤ LEO is a core invariant; sorting keeps the strip readable even if it broke.
        let mut both = vec![hw, leo];
        ksim::sort::sort_by_key(&mut both, |m| m.offset);
        both
    }
}

fn cell(r: &RecordView, high_watermark: u64) -> RecordCell {
    let text = match &r.value {
        Some(value) => shorten(value),
        None => "null".to_owned(),
    };
    let key = r.key.as_deref().unwrap_or("null");
    let value = r.value.as_deref().unwrap_or("null");
    let committed = r.offset < high_watermark;
    let status = if committed { glossary::COMMITTED_RECORD.sentence } else { glossary::UNCOMMITTED_RECORD.sentence };
    let mut tooltip = format!(
        "offset {}\nkey: {key}\nvalue: {value}\ntimestamp: {} ({})\n{status}",
        r.offset,
        utc_timestamp(r.timestamp_ms),
        r.timestamp_ms
    );
    if r.value.is_none() {
        tooltip = format!("{tooltip}\n{}", glossary::TOMBSTONE.sentence);
    }
    RecordCell { offset: r.offset, text, tooltip, committed, tombstone: r.value.is_none() }
}

fn shorten(value: &str) -> String {
    if value.chars().count() <= CELL_TEXT_CHARS_MAX {
        value.to_owned()
    } else {
        let head: String = value.chars().take(CELL_TEXT_CHARS_MAX - 1).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksim::SegmentView;

    fn partition(values: &[&str], high_watermark: u64) -> PartitionView {
        PartitionView {
            replica_states: Vec::new(),
            segments: Vec::new(),
            earlier_records: 0,
            partition: 0,
            leader: Some(1),
            leader_epoch: 0,
            replicas: vec![1, 2],
            isr: vec![1, 2],
            log_start_offset: 0,
            high_watermark,
            log_end_offset: values.len() as u64,
            records: values
                .iter()
                .enumerate()
                .map(|(i, v)| RecordView {
                    offset: i as u64,
                    timestamp_ms: 1_719_324_360_000 + i as u64,
                    key: None,
                    value: Some((*v).to_owned()),
                })
                .collect(),
        }
    }

    /// The strip as one line: `[offset:value]` for committed records, `(offset:value)` for
    /// uncommitted ones, `|NAME offset|` for markers.
    fn render(strip: &Strip) -> String {
        let mut out = format!("earlier={}", strip.earlier);
        for item in &strip.items {
            out.push(' ');
            out.push_str(&match item {
                StripItem::Record(c) if c.committed => format!("[{}:{}]", c.offset, c.text),
                StripItem::Record(c) => format!("({}:{})", c.offset, c.text),
                StripItem::Marker(m) => format!("|{} {}|", m.name, m.offset),
                StripItem::Segment(s) => format!("/seg {}/", s.base_offset),
                StripItem::Compacted(n) => format!("~{n}~"),
                StripItem::Consumer(c) => format!("<{} {} {}>", c.group_id, c.label, c.offset),
                StripItem::Newer(n) => format!("+{n} newer"),
            });
        }
        out
    }

    #[test]
    fn markers_fall_between_records() {
        let p = partition(&["82 bpm", "110 bpm", "95 bpm"], 1);
        assert_eq!(render(&log_strip(&p, 10, &[])), "earlier=0 [0:82 bpm] |HW 1| (1:110 bpm) (2:95 bpm) |LEO 3|");
    }

    #[test]
    fn segment_boundaries_stand_before_their_first_record() {
        let mut p = partition(&["a", "b", "c", "d"], 4);
        p.segments = [0, 2, 3].iter().map(|&base_offset| SegmentView { base_offset, size_bytes: 69 }).collect();
        assert_eq!(render(&log_strip(&p, 10, &[])), "earlier=0 [0:a] [1:b] /seg 2/ [2:c] /seg 3/ [3:d] |HW = LEO 4|");
        // A boundary at or before the window's first record is not drawn.
        assert_eq!(render(&log_strip(&p, 2, &[])), "earlier=2 [2:c] /seg 3/ [3:d] |HW = LEO 4|");
        let StripItem::Segment(active) = &log_strip(&p, 2, &[]).items[1] else { panic!() };
        assert_eq!(active.file, "00000000000000000003.log");
        assert!(active.tooltip.contains("the active segment"), "{}", active.tooltip);
        // A new, still empty active segment shows at the log end.
        p.segments.push(SegmentView { base_offset: 4, size_bytes: 0 });
        assert_eq!(render(&log_strip(&p, 1, &[])), "earlier=3 [3:d] /seg 4/ |HW = LEO 4|");
    }

    #[test]
    fn records_the_view_left_out_count_as_earlier() {
        let mut p = partition(&["c", "d"], 2);
        p.records.iter_mut().for_each(|r| r.offset += 2);
        p.log_end_offset = 4;
        p.high_watermark = 4;
        p.earlier_records = 2;
        assert_eq!(render(&log_strip(&p, 10, &[])), "earlier=2 [2:c] [3:d] |HW = LEO 4|");
    }

    #[test]
    fn offsets_compaction_removed_are_shown_as_gaps() {
        let mut p = partition(&["a", "b", "c", "d", "e"], 5);
        p.records.retain(|r| r.offset != 0 && r.offset != 2 && r.offset != 3);
        assert_eq!(render(&log_strip(&p, 10, &[])), "earlier=0 ~1~ [1:b] ~2~ [4:e] |HW = LEO 5|");
        assert_eq!(render(&log_strip(&p, 1, &[])), "earlier=1 [4:e] |HW = LEO 5|", "no gap before the window");
        // Below the log start nothing is missing: deleted records are not compacted ones.
        p.log_start_offset = 1;
        assert_eq!(render(&log_strip(&p, 10, &[])), "earlier=0 [1:b] ~2~ [4:e] |HW = LEO 5|");
    }

    #[test]
    fn consumer_groups_mark_their_commit_and_position() {
        let p = partition(&["a", "b", "c", "d"], 4);
        let mark = |group: &str, committed, position: Option<u64>| ConsumerMark {
            group_id: group.to_owned(),
            committed,
            position: position.map(|o| (o, "console-consumer".to_owned())),
        };
        let marks =
            [mark("alerts", Some(1), Some(3)), mark("monitors", Some(4), Some(4)), mark("audit", None, Some(0))];
        assert_eq!(
            render(&log_strip(&p, 10, &marks)),
            "earlier=0 <audit pos 0> [0:a] <alerts commit 1> [1:b] [2:c] <alerts pos 3> [3:d] \
             |HW = LEO 4| <monitors commit=pos 4>"
        );
        let strip = log_strip(&p, 10, &marks);
        let StripItem::Consumer(alerts) = &strip.items[2] else { panic!("{strip:?}") };
        assert!(alerts.tooltip.starts_with("group alerts committed 1\n"), "{}", alerts.tooltip);
        // Marks behind the window are drawn at its start, in offset order.
        assert_eq!(
            render(&log_strip(&p, 1, &marks)),
            "earlier=3 <audit pos 0> <alerts commit 1> <alerts pos 3> [3:d] |HW = LEO 4| <monitors commit=pos 4>"
        );
    }

    #[test]
    fn a_window_back_in_the_log_keeps_every_mark_in_sight() {
        let mut p = partition(&["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], 8);
        p.segments = [0, 3, 6].iter().map(|&base_offset| SegmentView { base_offset, size_bytes: 69 }).collect();
        let window = LogWindow { earlier: 2, later: 5, records: p.records[2..5].to_vec() };
        let marks = [ConsumerMark {
            group_id: "monitors".to_owned(),
            committed: Some(1),
            position: Some((9, "console-consumer".to_owned())),
        }];
        let strip = window_strip(&p, &window, 3, &marks);
        assert_eq!(
            render(&strip),
            "earlier=2 <monitors commit 1> [2:c] /seg 3/ [3:d] [4:e] +5 newer |HW 8| <monitors pos 9> |LEO 10|"
        );
        assert_eq!(
            strip.scroll,
            StripScroll { min: 0, max: 7, first: 2, following: false, label: "offsets 2–4 of 0–9".to_owned() }
        );
        // The newest window follows the log.
        let newest = log_strip(&p, 3, &[]);
        assert_eq!((newest.scroll.first, newest.scroll.max, newest.scroll.following), (7, 7, true));
        // An empty log has nothing to scroll.
        let empty = log_strip(&partition(&[], 0), 3, &[]);
        assert_eq!(
            empty.scroll,
            StripScroll { min: 0, max: 0, first: 0, following: true, label: "no records".to_owned() }
        );
    }

    #[test]
    fn big_clusters_copy_fewer_records_per_partition() {
        assert_eq!(records_per_partition(0), RECORDS_SHOWN_MAX);
        assert_eq!(records_per_partition(12), RECORDS_SHOWN_MAX);
        assert_eq!(records_per_partition(1050), 5);
        assert_eq!(records_per_partition(1_000_000), 1);
    }

    #[test]
    fn long_offsets_are_grouped_in_thousands() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(99_999), "99\u{202f}999");
        assert_eq!(thousands(1_234_567), "1\u{202f}234\u{202f}567");
    }

    #[test]
    fn fully_replicated_log_has_one_marker() {
        let p = partition(&["82 bpm"], 1);
        assert_eq!(render(&log_strip(&p, 10, &[])), "earlier=0 [0:82 bpm] |HW = LEO 1|");
        assert_eq!(render(&log_strip(&partition(&[], 0), 10, &[])), "earlier=0 |HW = LEO 0|");
    }

    #[test]
    fn long_logs_show_the_newest_records() {
        let p = partition(&["a", "b", "c", "d", "e"], 5);
        assert_eq!(render(&log_strip(&p, 2, &[])), "earlier=3 [3:d] [4:e] |HW = LEO 5|");
        // A high watermark behind the window is drawn at its start.
        let p = partition(&["a", "b", "c", "d", "e"], 1);
        assert_eq!(render(&log_strip(&p, 2, &[])), "earlier=3 |HW 1| (3:d) (4:e) |LEO 5|");
    }

    #[test]
    fn cells_shorten_values_and_show_everything_on_hover() {
        let mut p = partition(&["{\"patient\":7,\"bpm\":82}"], 1);
        p.records[0].key = Some("patient-7".to_owned());
        p.records.push(RecordView { offset: 1, timestamp_ms: 0, key: None, value: None });
        p.log_end_offset = 2;
        let strip = log_strip(&p, 10, &[]);
        let StripItem::Record(first) = &strip.items[0] else { panic!("{strip:?}") };
        assert_eq!(first.text, "{\"patient\":…");
        assert_eq!(
            first.tooltip,
            "offset 0\nkey: patient-7\nvalue: {\"patient\":7,\"bpm\":82}\n\
             timestamp: 2024-06-25 14:06:00.000 (1719324360000)\n\
             A committed record is below the high watermark: on every in-sync replica, so it survives a leader failure."
        );
        let StripItem::Record(tombstone) = &strip.items[2] else { panic!("{strip:?}") };
        assert!(tombstone.tombstone);
        assert_eq!(tombstone.text, "null");
    }
}
