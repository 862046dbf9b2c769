//! The Kafka UI's Streams tab: each Kafka Streams application instance (ksqlDB's
//! persistent queries are ones too) with its state, its tasks, its topology laid out as a
//! graph — a column per step from the sources, one block per sub-topology, the record
//! count on every edge, a dashed link where a sink feeds another sub-topology's source
//! through a repartition topic — and every state store's rows as a table.

use ksim::{StreamsAppView, StreamsNodeView, StreamsTableView};

pub const NODE_WIDTH: u32 = 196;
pub const NODE_HEIGHT: u32 = 44;
const COLUMN_GAP: u32 = 56;
const ROW_GAP: u32 = 16;
const PAD: u32 = 12;
/// Room above each sub-topology's nodes for its label.
const BLOCK_HEAD: u32 = 22;
const BLOCK_GAP: u32 = 28;
/// A node's label is cut to this many characters (the whole in its title), which leaves
/// room for the record count beside it; the detail line below has the whole width.
const LABEL_CHARS_MAX: usize = 22;
const DETAIL_CHARS_MAX: usize = 26;
/// Rows shown per table; the rest are counted.
pub const TABLE_ROWS_MAX: usize = 50;

pub const SOURCE_TOOLTIP: &str = "A source node reads the records of its topics into the topology.";
pub const PROCESSOR_TOOLTIP: &str =
    "A processor node handles each record it gets (filter, map, aggregate, join…) and passes its results to the next nodes.";
pub const SINK_TOOLTIP: &str = "A sink node writes the records it gets to a topic.";
pub const TASK_TOOLTIP: &str =
    "A task runs one sub-topology for one partition of its source topics: task 1_0 is sub-topology 1, partition 0. Tasks are spread over the application's instances like a consumer group's partitions.";
pub const STORE_TOOLTIP: &str =
    "A state store is the table a stateful processor keeps (counts, aggregates, the latest value per key); its changelog topic lets another instance restore it after a rebalance.";
pub const REPARTITION_TOOLTIP: &str =
    "A repartition topic: records whose key changed are written to it and read back, so that every record with the same key reaches the same task.";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsAppModel {
    pub application_id: String,
    pub client_id: String,
    /// `KafkaStreams.State`, e.g. `RUNNING`.
    pub state: String,
    /// The badge's CSS class, shared with the groups panel's state badge: `stable`
    /// (running), `rebalancing`, `dead` (error) or `stopped`.
    pub state_class: &'static str,
    pub state_tooltip: &'static str,
    /// `0_0 RUNNING · stream time 14:06:10.596`.
    pub tasks: Vec<String>,
    pub graph: TopologyGraph,
    pub tables: Vec<TableModel>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopologyGraph {
    pub width: u32,
    pub height: u32,
    /// `Sub-topology: 0` and the box around its nodes.
    pub blocks: Vec<BlockBox>,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockBox {
    pub label: String,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphNode {
    pub x: u32,
    pub y: u32,
    /// `source`, `processor` or `sink`.
    pub class: &'static str,
    /// The name, shortened: `FLATMAPVALUES #1`, `WhereFilter`.
    pub label: String,
    /// The topic of a source or sink, or the store of a stateful processor.
    pub detail: String,
    /// The records the node processed: `3` (the unit is in the title).
    pub records: String,
    /// The full name, its topics and stores, and what the kind of node does.
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphEdge {
    /// An SVG path from the parent's right side to the child's left side.
    pub path: String,
    pub label_x: u32,
    pub label_y: u32,
    /// The records the child got: `11`.
    pub count: String,
    /// A sink feeding another sub-topology's source through a topic (drawn dashed).
    pub through_topic: bool,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableModel {
    pub store: String,
    /// `changelog: app-store-changelog`, or `no changelog`.
    pub changelog: String,
    pub windowed: bool,
    /// Key, window (`[start, end)` in ms, when windowed) and value.
    pub rows: Vec<(String, String, String)>,
    /// Rows past [`TABLE_ROWS_MAX`].
    pub more: usize,
}

pub fn streams_apps(apps: &[StreamsAppView]) -> Vec<StreamsAppModel> {
    apps.iter().map(app).collect()
}

fn app(a: &StreamsAppView) -> StreamsAppModel {
    let (state_class, state_tooltip) = state_badge(&a.state);
    StreamsAppModel {
        application_id: a.application_id.clone(),
        client_id: a.client_id.clone(),
        state: a.state.clone(),
        state_class,
        state_tooltip,
        tasks: a
            .tasks
            .iter()
            .map(|t| match t.stream_time_ms {
                ms if ms < 0 => format!("{} {}", t.id, t.state),
                ms => format!("{} {} · stream time {}", t.id, t.state, clock_of_day(ms)),
            })
            .collect(),
        graph: graph(&a.nodes, &a.edges),
        tables: a.tables.iter().map(table).collect(),
    }
}

/// `KafkaStreams.State` in one sentence, and the badge's class.
fn state_badge(state: &str) -> (&'static str, &'static str) {
    match state {
        "RUNNING" => ("stable", "RUNNING: every task is assigned and processing records."),
        "REBALANCING" => (
            "rebalancing",
            "REBALANCING: the application's consumer group is moving tasks between instances; processing waits.",
        ),
        "CREATED" => ("rebalancing", "CREATED: the application was built and is starting."),
        "ERROR" | "PENDING_ERROR" => {
            ("dead", "ERROR: a stream thread died (for example on a record it could not deserialize).")
        }
        _ => ("stopped", "The application is shutting down or has stopped; its state stores stay in their changelogs."),
    }
}

/// `14:06:10.596` from epoch milliseconds (the simulated clock is UTC).
fn clock_of_day(ms: i64) -> String {
    let day_ms = ms.rem_euclid(86_400_000);
    let (h, m, s, milli) = (day_ms / 3_600_000, day_ms / 60_000 % 60, day_ms / 1000 % 60, day_ms % 1000);
    format!("{h:02}:{m:02}:{s:02}.{milli:03}")
}

fn graph(nodes: &[StreamsNodeView], edges: &[ksim::StreamsEdgeView]) -> TopologyGraph {
    let index = |name: &str| nodes.iter().position(|n| n.name == name);
    let links: Vec<(usize, usize, u64)> =
        edges.iter().filter_map(|e| Some((index(&e.from)?, index(&e.to)?, e.records))).collect();
    // Depth = the longest path from a node without parents; bounded by the node count, as
    // a topology is acyclic.
    let mut depth = vec![0u32; nodes.len()];
    for _ in 0..nodes.len() {
        let mut changed = false;
        for &(from, to, _) in &links {
            if depth[to] < depth[from] + 1 {
                depth[to] = depth[from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut subtopologies: Vec<u32> = nodes.iter().map(|n| n.subtopology).collect();
    subtopologies.sort_unstable();
    subtopologies.dedup();

    let mut positions = vec![(0u32, 0u32); nodes.len()];
    let mut blocks = Vec::new();
    let mut y = PAD;
    let mut width = 0;
    for s in &subtopologies {
        let members: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].subtopology == *s).collect();
        let mut rows_in_column: Vec<u32> = Vec::new();
        for &i in &members {
            let column = depth[i] as usize;
            if rows_in_column.len() <= column {
                rows_in_column.resize(column + 1, 0);
            }
            let row = rows_in_column[column];
            rows_in_column[column] += 1;
            positions[i] =
                (PAD + column as u32 * (NODE_WIDTH + COLUMN_GAP), y + BLOCK_HEAD + row * (NODE_HEIGHT + ROW_GAP));
        }
        let columns = rows_in_column.len() as u32;
        let rows = rows_in_column.iter().copied().max().unwrap_or(0);
        let block_width = columns * NODE_WIDTH + columns.saturating_sub(1) * COLUMN_GAP + 16;
        let block_height = BLOCK_HEAD + rows * NODE_HEIGHT + rows.saturating_sub(1) * ROW_GAP + 10;
        blocks.push(BlockBox {
            label: format!("Sub-topology: {s}"),
            x: PAD - 8,
            y: y - 4,
            width: block_width,
            height: block_height,
        });
        width = width.max(PAD + block_width);
        y += block_height + BLOCK_GAP;
    }

    let mut graph_edges: Vec<GraphEdge> = links
        .iter()
        .map(|&(from, to, records)| {
            let (fx, fy) = positions[from];
            let (tx, ty) = positions[to];
            let (x1, y1, x2, y2) = (fx + NODE_WIDTH, fy + NODE_HEIGHT / 2, tx, ty + NODE_HEIGHT / 2);
            let mid = (x1 + x2) / 2;
            GraphEdge {
                path: format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"),
                label_x: mid,
                label_y: (y1 + y2) / 2 - 5,
                count: records.to_string(),
                through_topic: false,
                title: format!("{} → {}: {records} record(s)", nodes[from].name, nodes[to].name),
            }
        })
        .collect();
    // A sink and a source of another sub-topology sharing a topic: the repartition (or
    // any internal) topic that joins the two.
    for (si, sink) in nodes.iter().enumerate().filter(|(_, n)| n.kind == "Sink") {
        for (ti, source) in nodes.iter().enumerate().filter(|(_, n)| n.kind == "Source") {
            let Some(topic) = sink.topics.iter().find(|t| source.topics.contains(t)) else { continue };
            if source.subtopology == sink.subtopology {
                continue;
            }
            let (sx, sy) = positions[si];
            let (tx, ty) = positions[ti];
            let (x1, y1, x2, y2) = (sx + NODE_WIDTH / 2, sy + NODE_HEIGHT, tx + NODE_WIDTH / 2, ty);
            let bend = (y1 + y2) / 2;
            graph_edges.push(GraphEdge {
                path: format!("M{x1},{y1} C{x1},{bend} {x2},{bend} {x2},{y2}"),
                label_x: (x1 + x2) / 2,
                label_y: bend - 4,
                count: "via topic".to_owned(),
                through_topic: true,
                title: format!("{} writes {topic}; {} reads it. {REPARTITION_TOOLTIP}", sink.name, source.name),
            });
        }
    }

    let graph_nodes = nodes.iter().zip(&positions).map(|(n, &(x, y))| graph_node(n, x, y)).collect();
    TopologyGraph {
        width: width + PAD,
        height: y.saturating_sub(BLOCK_GAP) + PAD,
        blocks,
        nodes: graph_nodes,
        edges: graph_edges,
    }
}

fn graph_node(n: &StreamsNodeView, x: u32, y: u32) -> GraphNode {
    let (class, tooltip) = match n.kind.as_str() {
        "Source" => ("source", SOURCE_TOOLTIP),
        "Sink" => ("sink", SINK_TOOLTIP),
        _ => ("processor", PROCESSOR_TOOLTIP),
    };
    let detail = match (n.topics.first(), n.stores.first()) {
        (Some(topic), _) => topic.clone(),
        (None, Some(store)) => format!("store {store}"),
        (None, None) => String::new(),
    };
    let mut title = format!("{}: {} ({tooltip})", n.kind, n.name);
    if !n.topics.is_empty() {
        title.push_str(&format!("\ntopics: {}", n.topics.join(", ")));
    }
    if !n.stores.is_empty() {
        title.push_str(&format!("\nstores: {}", n.stores.join(", ")));
    }
    title.push_str(&format!("\n{} record(s) processed", n.records));
    GraphNode {
        x,
        y,
        class,
        label: cut(&short_name(&n.name), LABEL_CHARS_MAX),
        detail: cut(&detail, DETAIL_CHARS_MAX),
        records: n.records.to_string(),
        title,
    }
}

/// `KSTREAM-FLATMAPVALUES-0000000001` → `FLATMAPVALUES #1`; ksqlDB's own names
/// (`WhereFilter`, `Aggregate-GroupBy`) stay as they are.
fn short_name(name: &str) -> String {
    let Some((stem, digits)) = name.rsplit_once('-') else { return name.to_owned() };
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return name.to_owned();
    }
    let stem = stem.strip_prefix("KSTREAM-").unwrap_or(stem);
    let number = digits.trim_start_matches('0');
    format!("{stem} #{}", if number.is_empty() { "0" } else { number })
}

fn cut(text: &str, chars_max: usize) -> String {
    if text.chars().count() <= chars_max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(chars_max - 1).collect();
    short.push('…');
    short
}

fn table(t: &StreamsTableView) -> TableModel {
    let windowed = t.rows.iter().any(|r| r.window.is_some());
    TableModel {
        store: t.store.clone(),
        changelog: t.changelog_topic.as_ref().map_or("no changelog".to_owned(), |c| format!("changelog: {c}")),
        windowed,
        rows: t
            .rows
            .iter()
            .take(TABLE_ROWS_MAX)
            .map(|r| {
                let window =
                    r.window.map_or(String::new(), |(s, e)| format!("[{}, {})", clock_of_day(s), clock_of_day(e)));
                (r.key.clone(), window, r.value.clone())
            })
            .collect(),
        more: t.rows_total.saturating_sub(TABLE_ROWS_MAX.min(t.rows.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksim::{StreamsEdgeView, StreamsRowView, StreamsTaskView};

    fn node(
        name: &str,
        kind: &str,
        subtopology: u32,
        topics: &[&str],
        stores: &[&str],
        records: u64,
    ) -> StreamsNodeView {
        StreamsNodeView {
            name: name.to_owned(),
            kind: kind.to_owned(),
            subtopology,
            topics: topics.iter().map(|t| (*t).to_owned()).collect(),
            stores: stores.iter().map(|s| (*s).to_owned()).collect(),
            records,
        }
    }

    fn edge(from: &str, to: &str, records: u64) -> StreamsEdgeView {
        StreamsEdgeView { from: from.to_owned(), to: to.to_owned(), records }
    }

    /// WordCountDemo's topology as the core reports it.
    fn word_count() -> StreamsAppView {
        let repartition = "streams-wordcount-counts-store-repartition";
        StreamsAppView {
            application_id: "streams-wordcount".to_owned(),
            client_id: "streams-wordcount-1".to_owned(),
            state: "RUNNING".to_owned(),
            nodes: vec![
                node("KSTREAM-SOURCE-0000000000", "Source", 0, &["streams-plaintext-input"], &[], 3),
                node("KSTREAM-FLATMAPVALUES-0000000001", "Processor", 0, &[], &[], 3),
                node("KSTREAM-SINK-0000000005", "Sink", 0, &[repartition], &[], 11),
                node("KSTREAM-SOURCE-0000000007", "Source", 1, &[repartition], &[], 11),
                node("KSTREAM-AGGREGATE-0000000004", "Processor", 1, &[], &["counts-store"], 11),
            ],
            edges: vec![
                edge("KSTREAM-SOURCE-0000000000", "KSTREAM-FLATMAPVALUES-0000000001", 3),
                edge("KSTREAM-FLATMAPVALUES-0000000001", "KSTREAM-SINK-0000000005", 11),
                edge("KSTREAM-SOURCE-0000000007", "KSTREAM-AGGREGATE-0000000004", 11),
            ],
            tasks: vec![StreamsTaskView {
                id: "1_0".to_owned(),
                state: "RUNNING".to_owned(),
                stream_time_ms: 1_719_324_370_596,
            }],
            tables: vec![StreamsTableView {
                store: "counts-store".to_owned(),
                changelog_topic: Some("streams-wordcount-counts-store-changelog".to_owned()),
                rows: vec![StreamsRowView { key: "kafka".to_owned(), window: None, value: "3".to_owned() }],
                rows_total: 1,
            }],
        }
    }

    #[test]
    fn nodes_take_a_column_per_step_and_a_block_per_subtopology() {
        let model = &streams_apps(&[word_count()])[0];
        let g = &model.graph;
        let at = |label: &str| g.nodes.iter().find(|n| n.label == label).map(|n| (n.x, n.y));
        assert_eq!(at("SOURCE #0"), Some((PAD, PAD + BLOCK_HEAD)));
        assert_eq!(at("FLATMAPVALUES #1"), Some((PAD + NODE_WIDTH + COLUMN_GAP, PAD + BLOCK_HEAD)));
        assert_eq!(at("SINK #5"), Some((PAD + 2 * (NODE_WIDTH + COLUMN_GAP), PAD + BLOCK_HEAD)));
        // Sub-topology 1 starts below the first block, back in the first column.
        let second = &g.blocks[1];
        assert_eq!(second.label, "Sub-topology: 1");
        assert_eq!(at("SOURCE #7"), Some((PAD, second.y + 4 + BLOCK_HEAD)));
        assert!(g.height >= second.y + second.height, "the graph holds its last block");
        assert_eq!(g.width, PAD + 3 * NODE_WIDTH + 2 * COLUMN_GAP + 16 + PAD);
    }

    #[test]
    fn edges_carry_counts_and_the_repartition_topic_links_the_subtopologies() {
        let g = streams_apps(&[word_count()]).remove(0).graph;
        let counts: Vec<(&str, bool)> = g.edges.iter().map(|e| (e.count.as_str(), e.through_topic)).collect();
        assert_eq!(counts, [("3", false), ("11", false), ("11", false), ("via topic", true)]);
        let link = &g.edges[3];
        assert!(link.title.starts_with(
            "KSTREAM-SINK-0000000005 writes streams-wordcount-counts-store-repartition; KSTREAM-SOURCE-0000000007 reads it."
        ));
        assert!(link.path.starts_with(&format!(
            "M{},{} C",
            PAD + 2 * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH / 2,
            PAD + BLOCK_HEAD + NODE_HEIGHT
        )));
    }

    #[test]
    fn labels_are_short_and_titles_whole() {
        let g = streams_apps(&[word_count()]).remove(0).graph;
        let aggregate = g.nodes.iter().find(|n| n.label == "AGGREGATE #4").expect("the aggregate node");
        assert_eq!(
            (aggregate.class, aggregate.detail.as_str(), aggregate.records.as_str()),
            ("processor", "store counts-store", "11")
        );
        assert!(aggregate.title.contains("stores: counts-store"));
        let source = &g.nodes[0];
        assert_eq!((source.class, source.detail.as_str()), ("source", "streams-plaintext-input"));
        let sink = &g.nodes[2];
        assert_eq!(sink.detail, "streams-wordcount-counts-…", "cut to {DETAIL_CHARS_MAX} characters");
        assert_eq!(cut("KSTREAM-TRANSFORMVALUES #12", LABEL_CHARS_MAX), "KSTREAM-TRANSFORMVALU…");
        assert!(sink.title.contains("topics: streams-wordcount-counts-store-repartition"));
        assert_eq!(short_name("WhereFilter"), "WhereFilter");
        assert_eq!(short_name("Aggregate-GroupBy"), "Aggregate-GroupBy");
        assert_eq!(short_name("KTABLE-TOSTREAM-0000000008"), "KTABLE-TOSTREAM #8");
    }

    #[test]
    fn tasks_state_and_tables() {
        let mut view = word_count();
        view.tables[0].rows = (0..TABLE_ROWS_MAX + 3)
            .map(|i| StreamsRowView { key: format!("w{i}"), window: Some((60_000, 120_000)), value: i.to_string() })
            .collect();
        view.tables[0].rows_total = TABLE_ROWS_MAX + 3;
        let mut capped = view.clone();
        // The core sends the first rows only (`Session::streams_view`) with the total.
        capped.tables[0].rows.truncate(TABLE_ROWS_MAX);
        capped.tables[0].rows_total = 10_000;
        assert_eq!(streams_apps(&[capped]).remove(0).tables[0].more, 10_000 - TABLE_ROWS_MAX);
        let model = streams_apps(&[view]).remove(0);
        assert_eq!(model.tasks, ["1_0 RUNNING · stream time 14:06:10.596"]);
        assert_eq!(model.state_class, "stable");
        let table = &model.tables[0];
        assert_eq!(table.changelog, "changelog: streams-wordcount-counts-store-changelog");
        assert!(table.windowed);
        assert_eq!(table.rows.len(), TABLE_ROWS_MAX);
        assert_eq!(table.more, 3);
        assert_eq!(table.rows[1], ("w1".to_owned(), "[00:01:00.000, 00:02:00.000)".to_owned(), "1".to_owned()));
        assert_eq!(state_badge("REBALANCING").0, "rebalancing");
        assert_eq!(state_badge("NOT_RUNNING").0, "stopped");
    }
}
