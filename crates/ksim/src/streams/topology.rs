//! A Kafka Streams `Topology`: processor nodes (sources, processors, sinks) with Kafka's
//! generated names, the state stores they use, the sub-topologies they split into at
//! repartition topics, and `describe()` in `TopologyDescription#toString`'s exact format.
//!
//! Nodes are kept in the order they were added (Kafka's `nodeFactories`), which decides
//! the sub-topology ids; within a sub-topology `describe()` orders nodes as Kafka's
//! `NodeComparator` does: larger sub-tree first (the number of paths from the node), then
//! by name. A processor's stores print in `java.util.HashSet` order.

use super::datum::Datum;
use super::serde::{Serde, WindowedKeyFormat};
use super::window::{JoinWindows, Window, WindowSpec};
use crate::vec_map::VecMap;
use std::rc::Rc;

/// `Predicate<K, V>`.
pub(crate) type Predicate = Rc<dyn Fn(&Datum, &Datum) -> bool>;
/// `KeyValueMapper<K, V, KeyValue<K1, V1>>` (`map`, `KTable.groupBy`).
pub(crate) type KeyValueMapper = Rc<dyn Fn(&Datum, &Datum) -> (Datum, Datum)>;
/// `ValueMapperWithKey<K, V, V1>`: the key is read-only; a windowed record's window comes
/// with it (ksqlDB's `WINDOWSTART`/`WINDOWEND`), `None` otherwise.
pub(crate) type ValueMapper = Rc<dyn Fn(&Datum, Option<Window>, &Datum) -> Datum>;
/// `KeyValueMapper<K, V, K1>` as `selectKey` and `groupBy` take it.
pub(crate) type KeySelector = Rc<dyn Fn(&Datum, &Datum) -> Datum>;
/// `flatMap`'s mapper: any number of new key-value pairs.
pub(crate) type FlatMapper = Rc<dyn Fn(&Datum, &Datum) -> Vec<(Datum, Datum)>>;
/// `flatMapValues`' mapper (`ValueMapperWithKey<K, V, Iterable<V1>>`).
pub(crate) type ValuesFlatMapper = Rc<dyn Fn(&Datum, &Datum) -> Vec<Datum>>;
/// `ForeachAction<K, V>` of `peek`.
pub(crate) type PeekAction = Rc<dyn Fn(&Datum, &Datum)>;
/// `Initializer<VA>`.
pub(crate) type Initializer = Rc<dyn Fn() -> Datum>;
/// `Aggregator<K, V, VA>`: `(key, value, aggregate) -> new aggregate`.
pub(crate) type Aggregator = Rc<dyn Fn(&Datum, &Datum, &Datum) -> Datum>;
/// `Reducer<V>`: `(aggregate, value) -> new aggregate`.
pub(crate) type Reducer = Rc<dyn Fn(&Datum, &Datum) -> Datum>;
/// `Merger<K, VA>` of session windows: `(key, aggregate1, aggregate2) -> merged`.
pub(crate) type Merger = Rc<dyn Fn(&Datum, &Datum, &Datum) -> Datum>;
/// `ValueJoinerWithKey<K, V1, V2, VR>`: `(key, this value, other value)`; the missing
/// side of a left or outer join is [`Datum::Null`].
pub(crate) type ValueJoiner = Rc<dyn Fn(&Datum, &Datum, &Datum) -> Datum>;

/// What a grouped stream computes per key (and window).
#[derive(Clone)]
pub(crate) enum AggOp {
    /// `count()`: a `Long`.
    Count,
    Reduce(Reducer),
    /// `aggregate(initializer, aggregator)`; session windows also need the merger.
    Aggregate {
        initializer: Initializer,
        aggregator: Aggregator,
        merger: Option<Merger>,
    },
}

/// What a grouped table computes: adders run for the new value, subtractors for the old.
#[derive(Clone)]
pub(crate) enum TableAggOp {
    Count,
    Reduce { adder: Reducer, subtractor: Reducer },
    Aggregate { initializer: Initializer, adder: Aggregator, subtractor: Aggregator },
}

/// Inner, left or outer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JoinKind {
    Inner,
    Left,
    Outer,
}

/// The processing a node does. User functions are shared closures, so a topology is
/// cheap to clone (a world checkpoint copies it).
#[derive(Clone)]
pub(crate) enum NodeKind {
    /// `KSTREAM-SOURCE`: reads its topics (`internal`: a repartition topic, named
    /// `<application.id>-<topic>` at run time).
    Source {
        topics: Vec<String>,
        key_serde: Serde,
        value_serde: Serde,
        internal: bool,
    },
    /// `KSTREAM-SINK`: writes to a topic; windowed keys in their serialized layout.
    Sink {
        topic: String,
        key_serde: Serde,
        value_serde: Serde,
        internal: bool,
        windowed: Option<WindowedKeyFormat>,
    },
    /// `KSTREAM-FILTER` (`filterNot` negates), also the pass-all filter in front of a
    /// repartition sink.
    Filter {
        predicate: Predicate,
        negate: bool,
    },
    Map(KeyValueMapper),
    MapValues(ValueMapper),
    SelectKey(KeySelector),
    FlatMap(FlatMapper),
    FlatMapValues(ValuesFlatMapper),
    /// `peek`: the action sees each record; records pass unchanged.
    Peek(PeekAction),
    /// `KSTREAM-MERGE` and `KTABLE-MERGE`: forwards what any parent sends.
    Merge,
    /// `split()`: each record goes to the first branch whose predicate holds (`None` is
    /// the default branch); the branches are the node's successors, in order.
    Branch {
        predicates: Vec<Option<Predicate>>,
    },
    /// `KSTREAM-FOREACH`: the records are kept for the application's reader (ksqlDB's
    /// push queries, the page).
    Collect,
    /// `KTABLE-SOURCE`: upserts into its store when materialized; forwards changes.
    TableSource {
        store: String,
        materialized: bool,
    },
    TableFilter {
        predicate: Predicate,
        negate: bool,
        store: Option<String>,
    },
    TableMapValues {
        mapper: ValueMapper,
        store: Option<String>,
    },
    /// `KTABLE-TOSTREAM`: each change becomes an event (a delete: a null value).
    TableToStream,
    /// `KTABLE-SELECT` of `KTable.groupBy`: a change becomes a subtraction for the old
    /// key and an addition for the new one.
    TableSelect(KeyValueMapper),
    /// `KSTREAM-AGGREGATE` / `KSTREAM-REDUCE`, windowed or not.
    StreamAggregate {
        store: String,
        op: AggOp,
        window: Option<WindowSpec>,
    },
    /// `KTABLE-AGGREGATE` / `KTABLE-REDUCE`.
    TableAggregate {
        store: String,
        op: TableAggOp,
    },
    /// `KSTREAM-JOIN` / `KSTREAM-LEFTJOIN`: looks the key up in the table's store.
    StreamTableJoin {
        table_store: String,
        joiner: ValueJoiner,
        kind: JoinKind,
    },
    /// `KSTREAM-WINDOWED`: keeps this side's records in its window store.
    JoinWindowed {
        store: String,
    },
    /// `KSTREAM-JOINTHIS`/`JOINOTHER`/`OUTERTHIS`/`OUTEROTHER`: joins with the other side's
    /// records in the window.
    StreamStreamJoin {
        this_is_left: bool,
        other_store: String,
        shared_store: Option<String>,
        joiner: ValueJoiner,
        windows: JoinWindows,
        kind: JoinKind,
    },
    /// `KTABLE-JOINTHIS` / `KTABLE-JOINOTHER`: looks the key up in the other table.
    TableTableJoin {
        this_is_left: bool,
        other_store: String,
        joiner: ValueJoiner,
        kind: JoinKind,
    },
    /// `KTABLE-SUPPRESS` with `untilWindowCloses`: one final result per window once
    /// stream time passes its end plus grace.
    Suppress {
        store: String,
        grace_ms: i64,
    },
}

impl NodeKind {
    /// The store this node upserts into, if any (what its output table reads from).
    pub(crate) fn own_store(&self) -> Option<&str> {
        match self {
            NodeKind::TableSource { store, materialized: true } => Some(store),
            NodeKind::TableFilter { store: Some(s), .. } | NodeKind::TableMapValues { store: Some(s), .. } => Some(s),
            NodeKind::StreamAggregate { store, .. } | NodeKind::TableAggregate { store, .. } => Some(store),
            _ => None,
        }
    }
}

impl std::fmt::Debug for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // User functions have no useful Debug; the variant is what a reader needs.
        let name = match self {
            NodeKind::Source { .. } => "Source",
            NodeKind::Sink { .. } => "Sink",
            NodeKind::Filter { .. } => "Filter",
            NodeKind::Map(_) => "Map",
            NodeKind::MapValues(_) => "MapValues",
            NodeKind::SelectKey(_) => "SelectKey",
            NodeKind::FlatMap(_) => "FlatMap",
            NodeKind::FlatMapValues(_) => "FlatMapValues",
            NodeKind::Peek(_) => "Peek",
            NodeKind::Merge => "Merge",
            NodeKind::Branch { .. } => "Branch",
            NodeKind::Collect => "Collect",
            NodeKind::TableSource { .. } => "TableSource",
            NodeKind::TableFilter { .. } => "TableFilter",
            NodeKind::TableMapValues { .. } => "TableMapValues",
            NodeKind::TableToStream => "TableToStream",
            NodeKind::TableSelect(_) => "TableSelect",
            NodeKind::StreamAggregate { .. } => "StreamAggregate",
            NodeKind::TableAggregate { .. } => "TableAggregate",
            NodeKind::StreamTableJoin { .. } => "StreamTableJoin",
            NodeKind::JoinWindowed { .. } => "JoinWindowed",
            NodeKind::StreamStreamJoin { .. } => "StreamStreamJoin",
            NodeKind::TableTableJoin { .. } => "TableTableJoin",
            NodeKind::Suppress { .. } => "Suppress",
        };
        f.write_str(name)
    }
}

/// One node of the topology.
#[derive(Clone, Debug)]
pub(crate) struct ProcessorNode {
    pub(crate) name: String,
    pub(crate) kind: NodeKind,
    /// Parents, in the order they were connected.
    pub(crate) predecessors: Vec<usize>,
    /// Children, in the order records are forwarded to them.
    pub(crate) successors: Vec<usize>,
    /// The state stores the node reads or writes (`connectProcessorAndStateStores`).
    pub(crate) stores: Vec<String>,
}

/// A state store's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StoreKind {
    /// `KeyValueStore`: one value per key.
    KeyValue,
    /// `WindowStore`: one value per key and window start (`retain_duplicates` for join
    /// buffers, which keep every record).
    Window { size_ms: i64, retention_ms: i64, retain_duplicates: bool },
    /// `SessionStore`: one value per key and session.
    Session { retention_ms: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoreSpec {
    pub(crate) name: String,
    pub(crate) kind: StoreKind,
    pub(crate) key_serde: Serde,
    pub(crate) value_serde: Serde,
    /// Change logging (`Materialized.withLoggingDisabled()` turns it off).
    pub(crate) logging: bool,
}

impl StoreSpec {
    /// `<application.id>-<store>-changelog` (`ProcessorStateManager.storeChangelogTopic`).
    pub(crate) fn changelog_topic(&self, application_id: &str) -> String {
        format!("{application_id}-{}-changelog", self.name)
    }
}

/// An internal topic the application creates at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InternalTopic {
    /// The full name, `<application.id>-…`.
    pub(crate) name: String,
    /// Its sub-topology's source topic it takes its partition count from.
    pub(crate) partitions_like: Vec<String>,
    /// The topic configs Kafka Streams sets (`RepartitionTopicConfig`,
    /// `UnwindowedUnversionedChangelogTopicConfig`, `WindowedChangelogTopicConfig`).
    pub(crate) configs: Vec<(String, String)>,
}

/// `windowstore.changelog.additional.retention.ms`: a windowed changelog keeps a day more.
const WINDOWED_CHANGELOG_ADDITIONAL_RETENTION_MS: i64 = 86_400_000;

fn topic_configs(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Topology {
    pub(crate) nodes: Vec<ProcessorNode>,
    pub(crate) stores: Vec<StoreSpec>,
}

impl Topology {
    pub(crate) fn node_index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    pub(crate) fn store(&self, name: &str) -> Option<&StoreSpec> {
        self.stores.iter().find(|s| s.name == name)
    }

    /// The sub-topology of every node: nodes joined by an edge or a shared store belong
    /// together; ids follow the order of each group's first node (`makeNodeGroups`).
    pub(crate) fn node_groups(&self) -> Vec<u32> {
        let n = self.nodes.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let unite = |parent: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (root(parent, a), root(parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        };
        for (i, node) in self.nodes.iter().enumerate() {
            for p in &node.predecessors {
                unite(&mut parent, i, *p);
            }
        }
        let mut store_user: VecMap<&str, usize> = VecMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            for s in &node.stores {
                match store_user.get(s.as_str()) {
                    Some(first) => unite(&mut parent, i, *first),
                    None => {
                        store_user.insert(s, i);
                    }
                }
            }
        }
        let mut ids: VecMap<usize, u32> = VecMap::new();
        let mut groups = Vec::with_capacity(n);
        for i in 0..n {
            let r = root(&mut parent, i);
            let next = ids.len() as u32;
            groups.push(*ids.entry(r).or_insert(next));
        }
        groups
    }

    /// How many sub-topologies there are.
    pub(crate) fn subtopology_count(&self) -> u32 {
        self.node_groups().into_iter().max().map_or(0, |m| m + 1)
    }

    /// The source topics of a sub-topology (internal ones as named in the topology).
    pub(crate) fn source_topics(&self, subtopology: u32) -> Vec<(String, bool)> {
        let groups = self.node_groups();
        let mut topics = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if let (true, NodeKind::Source { topics: ts, internal, .. }) = (groups[i] == subtopology, &node.kind) {
                topics.extend(ts.iter().map(|t| (t.clone(), *internal)));
            }
        }
        topics
    }

    /// The stores of a sub-topology.
    pub(crate) fn subtopology_stores(&self, subtopology: u32) -> Vec<String> {
        let groups = self.node_groups();
        let mut stores: Vec<String> = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if groups[i] == subtopology {
                for s in &node.stores {
                    if !stores.contains(s) {
                        stores.push(s.clone());
                    }
                }
            }
        }
        stores
    }

    /// The topic name at run time: internal topics get the `<application.id>-` prefix.
    pub(crate) fn runtime_topic(application_id: &str, topic: &str, internal: bool) -> String {
        if internal {
            format!("{application_id}-{topic}")
        } else {
            topic.to_string()
        }
    }

    /// Repartition and changelog topics, as `InternalTopicManager` creates them.
    pub(crate) fn internal_topics(&self, application_id: &str) -> Vec<InternalTopic> {
        let mut out = Vec::new();
        let groups = self.node_groups();
        // A repartition topic has as many partitions as the writing sub-topology's sources.
        for (i, node) in self.nodes.iter().enumerate() {
            if let NodeKind::Sink { topic, internal: true, .. } = &node.kind {
                let like = self.source_topics(groups[i]);
                let like = like.into_iter().map(|(t, int)| Self::runtime_topic(application_id, &t, int)).collect();
                let name = Self::runtime_topic(application_id, topic, true);
                if !out.iter().any(|t: &InternalTopic| t.name == name) {
                    let configs = topic_configs(&[
                        ("cleanup.policy", "delete".to_string()),
                        ("message.timestamp.type", "CreateTime".to_string()),
                        ("retention.ms", "-1".to_string()),
                        ("segment.bytes", "52428800".to_string()),
                    ]);
                    out.push(InternalTopic { name, partitions_like: like, configs });
                }
            }
        }
        for store in self.stores.iter().filter(|s| s.logging) {
            let Some(user) = self.nodes.iter().position(|n| n.stores.contains(&store.name)) else { continue };
            let like = self.source_topics(groups[user]);
            let like = like.into_iter().map(|(t, int)| Self::runtime_topic(application_id, &t, int)).collect();
            let configs = match store.kind {
                StoreKind::KeyValue => topic_configs(&[
                    ("cleanup.policy", "compact".to_string()),
                    ("message.timestamp.type", "CreateTime".to_string()),
                ]),
                StoreKind::Window { retention_ms, .. } | StoreKind::Session { retention_ms } => topic_configs(&[
                    ("cleanup.policy", "compact,delete".to_string()),
                    ("message.timestamp.type", "CreateTime".to_string()),
                    ("retention.ms", (retention_ms + WINDOWED_CHANGELOG_ADDITIONAL_RETENTION_MS).to_string()),
                ]),
            };
            out.push(InternalTopic { name: store.changelog_topic(application_id), partitions_like: like, configs });
        }
        out
    }

    /// `Topology.describe().toString()`, byte for byte.
    pub(crate) fn describe(&self) -> String {
        let groups = self.node_groups();
        let count = groups.iter().copied().max().map_or(0, |m| m + 1);
        let mut out = String::from("Topologies:\n ");
        for g in 0..count {
            out.push_str("  ");
            out.push_str(&format!("Sub-topology: {g}\n"));
            let members: Vec<usize> = (0..self.nodes.len()).filter(|i| groups[*i] == g).collect();
            for line in self.describe_subtopology(&members) {
                out.push_str("    ");
                out.push_str(&line);
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }

    /// `describeSubtopology`: nodes are connected in `java.util.HashMap` order of their
    /// names, each edge inserting into `TreeSet`s ordered by the sub-tree sizes known at
    /// that moment (larger first, then by name) and adding the child's size to every
    /// ancestor; the nodes are listed by their final sizes.
    fn describe_subtopology(&self, members: &[usize]) -> Vec<String> {
        let mut size: VecMap<usize, u64> = members.iter().map(|m| (*m, 1)).collect();
        let mut preds: VecMap<usize, Vec<usize>> = VecMap::new();
        let mut succs: VecMap<usize, Vec<usize>> = VecMap::new();
        let order = crate::java::hash_map_order(members.to_vec(), |i| crate::java::string_hash(&self.nodes[*i].name));
        for node in order {
            for pred in self.nodes[node].predecessors.clone() {
                self.tree_set_insert(preds.entry(node).or_default(), pred, &size);
                self.tree_set_insert(succs.entry(pred).or_default(), node, &size);
                let delta = size.get(&node).copied().unwrap_or(1);
                // updateSize: the predecessor and, through the edges made so far, its ancestors.
                let mut stack = vec![pred];
                let mut steps = 0;
                while let Some(n) = stack.pop() {
                    steps += 1;
                    if steps > 100_000 {
                        break;
                    }
                    *size.entry(n).or_insert(1) += delta;
                    stack.extend(preds.get(&n).into_iter().flatten().copied());
                }
            }
        }
        let mut listed = members.to_vec();
        crate::sort::sort_by(&mut listed, |a, b| self.compare_nodes(*a, *b, &size));
        let names = |list: Option<&Vec<usize>>| match list {
            Some(l) if !l.is_empty() => l.iter().map(|i| self.nodes[*i].name.as_str()).collect::<Vec<_>>().join(", "),
            _ => "none".to_string(),
        };
        listed
            .into_iter()
            .map(|i| {
                let node = &self.nodes[i];
                let succ = names(succs.get(&i));
                let pred = names(preds.get(&i));
                match &node.kind {
                    NodeKind::Source { topics, .. } => {
                        format!("Source: {} (topics: [{}])\n      --> {succ}", node.name, topics.join(", "))
                    }
                    NodeKind::Sink { topic, .. } => format!("Sink: {} (topic: {topic})\n      <-- {pred}", node.name),
                    _ => {
                        let stores = crate::java::hash_map_order(node.stores.clone(), |s| crate::java::string_hash(s));
                        format!(
                            "Processor: {} (stores: [{}])\n      --> {succ}\n      <-- {pred}",
                            node.name,
                            stores.join(", ")
                        )
                    }
                }
            })
            .collect()
    }

    /// `NODE_COMPARATOR`: larger sub-tree first, then by name.
    fn compare_nodes(&self, a: usize, b: usize, size: &VecMap<usize, u64>) -> std::cmp::Ordering {
        let (sa, sb) = (size.get(&a).copied().unwrap_or(1), size.get(&b).copied().unwrap_or(1));
        sb.cmp(&sa).then_with(|| self.nodes[a].name.cmp(&self.nodes[b].name))
    }

    /// A `TreeSet` insertion: before the first element the new one sorts before, by the
    /// sizes of now (a set ordered earlier keeps its order).
    fn tree_set_insert(&self, set: &mut Vec<usize>, item: usize, size: &VecMap<usize, u64>) {
        if set.contains(&item) {
            return;
        }
        let at = set.iter().position(|e| self.compare_nodes(item, *e, size) == std::cmp::Ordering::Less);
        set.insert(at.unwrap_or(set.len()), item);
    }
}

/// A record inside the engine: key and value as datums, the record's timestamp, the
/// window of a windowed key, and (on a table's changes) the value it replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) key: Datum,
    pub(crate) value: Datum,
    pub(crate) timestamp_ms: i64,
    pub(crate) window: Option<Window>,
    /// A KTable change's old value (`Change.oldValue`), when it is known.
    pub(crate) old_value: Option<Datum>,
}

impl Record {
    pub(crate) fn new(key: Datum, value: Datum, timestamp_ms: i64) -> Record {
        Record { key, value, timestamp_ms, window: None, old_value: None }
    }
}
