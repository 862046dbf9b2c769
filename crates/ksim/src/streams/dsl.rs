//! The Streams DSL as data: `StreamsBuilder`, `KStream`, `KTable`, `KGroupedStream`,
//! `KGroupedTable`, windowed streams and `split()`, building a [`Topology`] with the node
//! and store names Kafka's builder gives (one global counter, 10 digits:
//! `KSTREAM-FILTER-0000000001`, `KSTREAM-AGGREGATE-STATE-STORE-0000000002`), including the
//! indexes Kafka burns for names it then does not use.
//!
//! Naming, as Kafka's `Named`/`Grouped.as`/`Materialized.as`: `stream.named("x")` names
//! the next operation; [`Grouped`] names a repartition topic (`<app>-x-repartition`);
//! [`Materialized::as_store`] names a store (and makes it queryable).
//!
//! The handles share the builder (`Rc<RefCell<…>>`) as Kafka's share their
//! `InternalStreamsBuilder`; only [`StreamsBuilder::build`]'s plain `Topology` goes into
//! the world.

use super::datum::Datum;
use super::serde::Serde;
use super::topology::{
    AggOp, Aggregator, FlatMapper, Initializer, JoinKind, KeySelector, KeyValueMapper, Merger, NodeKind, Predicate,
    ProcessorNode, Reducer, StoreKind, StoreSpec, TableAggOp, Topology, ValueJoiner, ValueMapper, ValuesFlatMapper,
};
use super::window::{JoinWindows, SessionWindows, SlidingWindows, TimeWindows, Window, WindowSpec};
use std::cell::RefCell;
use std::rc::Rc;

/// `Consumed`: serdes and the source node's name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Consumed {
    pub(crate) key_serde: Option<Serde>,
    pub(crate) value_serde: Option<Serde>,
    pub(crate) name: Option<String>,
}

impl Consumed {
    pub(crate) fn with(key_serde: Serde, value_serde: Serde) -> Consumed {
        Consumed { key_serde: Some(key_serde), value_serde: Some(value_serde), name: None }
    }

    pub(crate) fn with_name(mut self, name: &str) -> Consumed {
        self.name = Some(name.to_string());
        self
    }
}

/// `Produced`: serdes and the sink node's name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Produced {
    pub(crate) key_serde: Option<Serde>,
    pub(crate) value_serde: Option<Serde>,
    pub(crate) name: Option<String>,
}

impl Produced {
    pub(crate) fn with(key_serde: Serde, value_serde: Serde) -> Produced {
        Produced { key_serde: Some(key_serde), value_serde: Some(value_serde), name: None }
    }

    pub(crate) fn with_name(mut self, name: &str) -> Produced {
        self.name = Some(name.to_string());
        self
    }
}

/// `Grouped`: the repartition topic's name and serdes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Grouped {
    pub(crate) name: Option<String>,
    pub(crate) key_serde: Option<Serde>,
    pub(crate) value_serde: Option<Serde>,
}

impl Grouped {
    /// `Grouped.as(name)`.
    pub(crate) fn as_(name: &str) -> Grouped {
        Grouped { name: Some(name.to_string()), ..Grouped::default() }
    }

    /// `Grouped.with(keySerde, valueSerde)`.
    pub(crate) fn with(key_serde: Serde, value_serde: Serde) -> Grouped {
        Grouped { name: None, key_serde: Some(key_serde), value_serde: Some(value_serde) }
    }

    pub(crate) fn with_key_serde(mut self, serde: Serde) -> Grouped {
        self.key_serde = Some(serde);
        self
    }

    pub(crate) fn with_value_serde(mut self, serde: Serde) -> Grouped {
        self.value_serde = Some(serde);
        self
    }
}

/// `Materialized`: a store's name (queryable when given), serdes and change logging.
#[derive(Clone, Debug)]
pub(crate) struct Materialized {
    pub(crate) store_name: Option<String>,
    pub(crate) key_serde: Option<Serde>,
    pub(crate) value_serde: Option<Serde>,
    pub(crate) logging: bool,
    /// `withRetention` of window and session stores.
    pub(crate) retention_ms: Option<i64>,
}

impl Default for Materialized {
    fn default() -> Materialized {
        Materialized { store_name: None, key_serde: None, value_serde: None, logging: true, retention_ms: None }
    }
}

impl Materialized {
    /// `Materialized.as(storeName)`.
    pub(crate) fn as_store(name: &str) -> Materialized {
        Materialized { store_name: Some(name.to_string()), ..Materialized::default() }
    }

    /// `Materialized.with(keySerde, valueSerde)`: an anonymous store.
    pub(crate) fn with(key_serde: Serde, value_serde: Serde) -> Materialized {
        Materialized { key_serde: Some(key_serde), value_serde: Some(value_serde), ..Materialized::default() }
    }

    pub(crate) fn with_key_serde(mut self, serde: Serde) -> Materialized {
        self.key_serde = Some(serde);
        self
    }

    pub(crate) fn with_value_serde(mut self, serde: Serde) -> Materialized {
        self.value_serde = Some(serde);
        self
    }

    pub(crate) fn with_logging_disabled(mut self) -> Materialized {
        self.logging = false;
        self
    }

    pub(crate) fn with_retention(mut self, retention_ms: i64) -> Materialized {
        self.retention_ms = Some(retention_ms);
        self
    }
}

/// `Joined` (stream–table) and `StreamJoined` (stream–stream): the join's name and the
/// serdes of a repartition or of the join stores.
#[derive(Clone, Debug, Default)]
pub(crate) struct Joined {
    pub(crate) name: Option<String>,
    pub(crate) key_serde: Option<Serde>,
    pub(crate) value_serde: Option<Serde>,
    pub(crate) other_value_serde: Option<Serde>,
    /// `StreamJoined.withStoreName`: the join stores' base name.
    pub(crate) store_name: Option<String>,
}

impl Joined {
    pub(crate) fn as_(name: &str) -> Joined {
        Joined { name: Some(name.to_string()), ..Joined::default() }
    }

    pub(crate) fn with(key_serde: Serde, value_serde: Serde, other_value_serde: Serde) -> Joined {
        Joined {
            key_serde: Some(key_serde),
            value_serde: Some(value_serde),
            other_value_serde: Some(other_value_serde),
            ..Joined::default()
        }
    }
}

/// The builder's state: the topology so far and Kafka's name counter.
#[derive(Debug, Default)]
struct BuilderState {
    topology: Topology,
    index: u32,
    default_key_serde: Option<Serde>,
    default_value_serde: Option<Serde>,
}

type Shared = Rc<RefCell<BuilderState>>;

impl BuilderState {
    /// `InternalStreamsBuilder.newProcessorName`.
    fn new_processor_name(&mut self, prefix: &str) -> String {
        let name = format!("{prefix}{:010}", self.index);
        self.index += 1;
        name
    }

    /// `InternalStreamsBuilder.newStoreName`.
    fn new_store_name(&mut self, prefix: &str) -> String {
        let name = format!("{prefix}STATE-STORE-{:010}", self.index);
        self.index += 1;
        name
    }

    fn add_node(&mut self, name: String, kind: NodeKind, parents: &[usize], stores: Vec<String>) -> usize {
        let index = self.topology.nodes.len();
        for p in parents {
            if let Some(parent) = self.topology.nodes.get_mut(*p) {
                parent.successors.push(index);
            }
        }
        self.topology.nodes.push(ProcessorNode {
            name,
            kind,
            predecessors: parents.to_vec(),
            successors: Vec::new(),
            stores,
        });
        index
    }

    fn add_store(&mut self, spec: StoreSpec) {
        if self.topology.store(&spec.name).is_none() {
            self.topology.stores.push(spec);
        }
    }

    fn key_serde(&self, given: &Option<Serde>) -> Serde {
        given.clone().or_else(|| self.default_key_serde.clone()).unwrap_or(Serde::String)
    }

    fn value_serde(&self, given: &Option<Serde>) -> Serde {
        given.clone().or_else(|| self.default_value_serde.clone()).unwrap_or(Serde::String)
    }

    /// A KTable source whose store something downstream reads gets materialized
    /// (`KTableSource.materialize()`); returns the store to read.
    fn materialize(&mut self, table: &KTableInfo) -> Option<String> {
        if let Some(store) = &table.store {
            return Some(store.clone());
        }
        let source = table.source?;
        let node = self.topology.nodes.get_mut(source)?;
        if let NodeKind::TableSource { store, materialized } = &mut node.kind {
            *materialized = true;
            if !node.stores.contains(store) {
                node.stores.push(store.clone());
            }
            return Some(store.clone());
        }
        None
    }

    /// `createRepartitionedSource`: filter → sink → topic → source, burning three indexes
    /// and using the generated names only for a generated topic prefix.
    fn repartition(&mut self, parent: usize, prefix: &str, key_serde: Serde, value_serde: Serde) -> usize {
        let topic = if prefix.ends_with("-repartition") { prefix.to_string() } else { format!("{prefix}-repartition") };
        let gen_sink = self.new_processor_name("KSTREAM-SINK-");
        let gen_filter = self.new_processor_name("KSTREAM-FILTER-");
        let gen_source = self.new_processor_name("KSTREAM-SOURCE-");
        let (sink, filter, source) = if generated_name(prefix) {
            (gen_sink, gen_filter, gen_source)
        } else {
            (format!("{topic}-sink"), format!("{topic}-filter"), format!("{topic}-source"))
        };
        let pass_all: Predicate = Rc::new(|_, _| true);
        let f = self.add_node(filter, NodeKind::Filter { predicate: pass_all, negate: false }, &[parent], Vec::new());
        let sink_kind = NodeKind::Sink {
            topic: topic.clone(),
            key_serde: key_serde.clone(),
            value_serde: value_serde.clone(),
            internal: true,
            windowed: None,
        };
        self.add_node(sink, sink_kind, &[f], Vec::new());
        let source_kind = NodeKind::Source { topics: vec![topic], key_serde, value_serde, internal: true };
        self.add_node(source, source_kind, &[], Vec::new())
    }
}

/// Whether a name matches `KSTREAM.*-[0-9]{10}` (a generated one).
fn generated_name(name: &str) -> bool {
    let digits = name.len() >= 11
        && name.is_char_boundary(name.len() - 11)
        && name[name.len() - 11..].starts_with('-')
        && name[name.len() - 10..].bytes().all(|b| b.is_ascii_digit());
    name.starts_with("KSTREAM") && digits
}

/// `StreamsBuilder`.
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamsBuilder {
    state: Shared,
}

impl StreamsBuilder {
    pub(crate) fn new() -> StreamsBuilder {
        StreamsBuilder::default()
    }

    /// `default.key.serde` / `default.value.serde` for operations given none (String
    /// when unset).
    pub(crate) fn with_default_serdes(self, key_serde: Serde, value_serde: Serde) -> StreamsBuilder {
        {
            let mut s = self.state.borrow_mut();
            s.default_key_serde = Some(key_serde);
            s.default_value_serde = Some(value_serde);
        }
        self
    }

    /// `builder.stream(topic, consumed)`.
    pub(crate) fn stream(&self, topic: &str, consumed: Consumed) -> KStream {
        self.stream_from(&[topic], consumed)
    }

    /// `builder.stream(Collection<String> topics, consumed)`.
    pub(crate) fn stream_from(&self, topics: &[&str], consumed: Consumed) -> KStream {
        let mut s = self.state.borrow_mut();
        let name = consumed.name.clone().unwrap_or_else(|| s.new_processor_name("KSTREAM-SOURCE-"));
        let key_serde = s.key_serde(&consumed.key_serde);
        let value_serde = s.value_serde(&consumed.value_serde);
        let kind = NodeKind::Source {
            topics: topics.iter().map(|t| t.to_string()).collect(),
            key_serde: key_serde.clone(),
            value_serde: value_serde.clone(),
            internal: false,
        };
        let node = s.add_node(name, kind, &[], Vec::new());
        drop(s);
        KStream { state: self.state.clone(), node, repartition_required: false, key_serde, value_serde, name: None }
    }

    /// `builder.table(topic, consumed, materialized)`: a source and a `KTABLE-SOURCE`,
    /// its store named `<topic>-STATE-STORE-<n>` unless `materialized` names it (then
    /// it is queryable and always materialized).
    pub(crate) fn table(&self, topic: &str, consumed: Consumed, materialized: Materialized) -> KTable {
        let mut s = self.state.borrow_mut();
        let store = match &materialized.store_name {
            Some(n) => n.clone(),
            None => s.new_store_name(&format!("{topic}-")),
        };
        let key_serde = materialized.key_serde.clone().unwrap_or_else(|| s.key_serde(&consumed.key_serde));
        let value_serde = materialized.value_serde.clone().unwrap_or_else(|| s.value_serde(&consumed.value_serde));
        let source_name = consumed.name.clone().unwrap_or_else(|| s.new_processor_name("KSTREAM-SOURCE-"));
        let table_name = match &consumed.name {
            Some(n) => format!("{n}-table-source"),
            None => s.new_processor_name("KTABLE-SOURCE-"),
        };
        let kind = NodeKind::Source {
            topics: vec![topic.to_string()],
            key_serde: key_serde.clone(),
            value_serde: value_serde.clone(),
            internal: false,
        };
        let source = s.add_node(source_name, kind, &[], Vec::new());
        let queryable = materialized.store_name.is_some();
        let stores = if queryable { vec![store.clone()] } else { Vec::new() };
        let node = s.add_node(
            table_name,
            NodeKind::TableSource { store: store.clone(), materialized: queryable },
            &[source],
            stores,
        );
        s.add_store(StoreSpec {
            name: store.clone(),
            kind: StoreKind::KeyValue,
            key_serde: key_serde.clone(),
            value_serde: value_serde.clone(),
            logging: materialized.logging,
        });
        drop(s);
        let info = KTableInfo { store: queryable.then_some(store), source: Some(node) };
        KTable { state: self.state.clone(), node, info, key_serde, value_serde, windowed: None, name: None }
    }

    /// `builder.build()`.
    pub(crate) fn build(&self) -> Topology {
        self.state.borrow().topology.clone()
    }
}

/// `KStream<K, V>`.
#[derive(Clone, Debug)]
pub(crate) struct KStream {
    state: Shared,
    pub(crate) node: usize,
    /// A key-changing operation happened: grouping or joining repartitions first.
    pub(crate) repartition_required: bool,
    pub(crate) key_serde: Serde,
    pub(crate) value_serde: Serde,
    /// `Named`: the next operation's name.
    name: Option<String>,
}

impl KStream {
    /// Names the next operation (`Named.as(name)`).
    pub(crate) fn named(&self, name: &str) -> KStream {
        KStream { name: Some(name.to_string()), ..self.clone() }
    }

    /// The node's name (for `Topology` lookups, e.g. record counts).
    pub(crate) fn node_name(&self) -> String {
        self.state.borrow().topology.nodes.get(self.node).map(|n| n.name.clone()).unwrap_or_default()
    }

    fn child(&self, prefix: &str, kind: NodeKind, repartition: bool) -> KStream {
        let mut s = self.state.borrow_mut();
        let name = self.name.clone().unwrap_or_else(|| s.new_processor_name(prefix));
        let node = s.add_node(name, kind, &[self.node], Vec::new());
        KStream {
            state: self.state.clone(),
            node,
            repartition_required: self.repartition_required || repartition,
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            name: None,
        }
    }

    pub(crate) fn filter(&self, predicate: impl Fn(&Datum, &Datum) -> bool + 'static) -> KStream {
        self.child("KSTREAM-FILTER-", NodeKind::Filter { predicate: Rc::new(predicate), negate: false }, false)
    }

    pub(crate) fn filter_not(&self, predicate: impl Fn(&Datum, &Datum) -> bool + 'static) -> KStream {
        self.child("KSTREAM-FILTER-", NodeKind::Filter { predicate: Rc::new(predicate), negate: true }, false)
    }

    pub(crate) fn map(&self, mapper: impl Fn(&Datum, &Datum) -> (Datum, Datum) + 'static) -> KStream {
        let mapper: KeyValueMapper = Rc::new(mapper);
        self.child("KSTREAM-MAP-", NodeKind::Map(mapper), true)
    }

    /// `mapValues` (with a read-only key).
    pub(crate) fn map_values(&self, mapper: impl Fn(&Datum, &Datum) -> Datum + 'static) -> KStream {
        self.map_values_with_window(move |k, _, v| mapper(k, v))
    }

    /// `mapValues` that also sees a windowed record's window (after a windowed
    /// aggregation's `toStream()`).
    pub(crate) fn map_values_with_window(
        &self,
        mapper: impl Fn(&Datum, Option<Window>, &Datum) -> Datum + 'static,
    ) -> KStream {
        let mapper: ValueMapper = Rc::new(mapper);
        self.child("KSTREAM-MAPVALUES-", NodeKind::MapValues(mapper), false)
    }

    /// `transformValues` (what ksqlDB compiles its projections and expressions to): a
    /// value mapper named `KSTREAM-TRANSFORMVALUES-…`.
    pub(crate) fn transform_values(
        &self,
        mapper: impl Fn(&Datum, Option<Window>, &Datum) -> Datum + 'static,
    ) -> KStream {
        let mapper: ValueMapper = Rc::new(mapper);
        self.child("KSTREAM-TRANSFORMVALUES-", NodeKind::MapValues(mapper), false)
    }

    pub(crate) fn select_key(&self, selector: impl Fn(&Datum, &Datum) -> Datum + 'static) -> KStream {
        let selector: KeySelector = Rc::new(selector);
        self.child("KSTREAM-KEY-SELECT-", NodeKind::SelectKey(selector), true)
    }

    pub(crate) fn flat_map(&self, mapper: impl Fn(&Datum, &Datum) -> Vec<(Datum, Datum)> + 'static) -> KStream {
        let mapper: FlatMapper = Rc::new(mapper);
        self.child("KSTREAM-FLATMAP-", NodeKind::FlatMap(mapper), true)
    }

    pub(crate) fn flat_map_values(&self, mapper: impl Fn(&Datum, &Datum) -> Vec<Datum> + 'static) -> KStream {
        let mapper: ValuesFlatMapper = Rc::new(mapper);
        self.child("KSTREAM-FLATMAPVALUES-", NodeKind::FlatMapValues(mapper), false)
    }

    /// ksqlDB's first `transformValues` after a source, here also where its rows are
    /// decoded: a record the mapper cannot read (None) goes no further, as ksqlDB's
    /// deserializer drops it under log-and-continue (`KSTREAM-TRANSFORMVALUES-…`).
    pub(crate) fn transform_values_or_drop(
        &self,
        mapper: impl Fn(&Datum, &Datum) -> Option<Datum> + 'static,
    ) -> KStream {
        let mapper: ValuesFlatMapper = Rc::new(move |k, v| mapper(k, v).into_iter().collect());
        self.child("KSTREAM-TRANSFORMVALUES-", NodeKind::FlatMapValues(mapper), false)
    }

    pub(crate) fn peek(&self, action: impl Fn(&Datum, &Datum) + 'static) -> KStream {
        self.child("KSTREAM-PEEK-", NodeKind::Peek(Rc::new(action)), false)
    }

    /// `merge(other)`.
    pub(crate) fn merge(&self, other: &KStream) -> KStream {
        let mut s = self.state.borrow_mut();
        let name = self.name.clone().unwrap_or_else(|| s.new_processor_name("KSTREAM-MERGE-"));
        let node = s.add_node(name, NodeKind::Merge, &[self.node, other.node], Vec::new());
        KStream {
            state: self.state.clone(),
            node,
            repartition_required: self.repartition_required || other.repartition_required,
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            name: None,
        }
    }

    /// `split()`: add branches with [`BranchedKStream::branch`].
    pub(crate) fn split(&self) -> BranchedKStream {
        let mut s = self.state.borrow_mut();
        let name = self.name.clone().unwrap_or_else(|| s.new_processor_name("KSTREAM-BRANCH-"));
        let node = s.add_node(name.clone(), NodeKind::Branch { predicates: Vec::new() }, &[self.node], Vec::new());
        drop(s);
        BranchedKStream { parent: KStream { node, name: None, ..self.clone() }, splitter: name }
    }

    /// `foreach` whose records the application keeps for its reader (a push query).
    pub(crate) fn collect(&self) -> String {
        self.child("KSTREAM-FOREACH-", NodeKind::Collect, false).node_name()
    }

    /// `to(topic, produced)`.
    pub(crate) fn to(&self, topic: &str, produced: Produced) {
        let mut s = self.state.borrow_mut();
        let name = produced
            .name
            .clone()
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| s.new_processor_name("KSTREAM-SINK-"));
        let kind = NodeKind::Sink {
            topic: topic.to_string(),
            key_serde: produced.key_serde.clone().unwrap_or_else(|| self.key_serde.clone()),
            value_serde: produced.value_serde.clone().unwrap_or_else(|| self.value_serde.clone()),
            internal: false,
            windowed: None,
        };
        s.add_node(name, kind, &[self.node], Vec::new());
    }

    /// `groupByKey(grouped)`.
    pub(crate) fn group_by_key(&self, grouped: Grouped) -> KGroupedStream {
        KGroupedStream {
            stream: KStream {
                key_serde: grouped.key_serde.clone().unwrap_or_else(|| self.key_serde.clone()),
                value_serde: grouped.value_serde.clone().unwrap_or_else(|| self.value_serde.clone()),
                ..self.clone()
            },
            grouped,
        }
    }

    /// `groupBy(selector, grouped)`: a key selector (named after `grouped`), then
    /// always a repartition.
    pub(crate) fn group_by(
        &self,
        selector: impl Fn(&Datum, &Datum) -> Datum + 'static,
        grouped: Grouped,
    ) -> KGroupedStream {
        let named = match &grouped.name {
            Some(n) => self.named(n),
            None => self.clone(),
        };
        let selected = named.select_key(selector);
        selected.group_by_key(grouped)
    }

    /// Repartitions for a join when a key-changing operation came before (`repartitionForJoin`).
    fn repartitioned_for_join(&self, name: Option<&str>, joined: &Joined) -> KStream {
        if !self.repartition_required {
            return self.clone();
        }
        let base = name.map_or_else(|| self.node_name(), str::to_string);
        let mut s = self.state.borrow_mut();
        let key_serde = joined.key_serde.clone().unwrap_or_else(|| self.key_serde.clone());
        let value_serde = joined.value_serde.clone().unwrap_or_else(|| self.value_serde.clone());
        let node = s.repartition(self.node, &base, key_serde.clone(), value_serde.clone());
        KStream { state: self.state.clone(), node, repartition_required: false, key_serde, value_serde, name: None }
    }

    /// Stream–table `join` / `leftJoin`: each record looks its key up in the table.
    pub(crate) fn join_table(
        &self,
        table: &KTable,
        joiner: impl Fn(&Datum, &Datum, &Datum) -> Datum + 'static,
        kind: JoinKind,
        joined: Joined,
    ) -> KStream {
        let this = self.repartitioned_for_join(joined.name.as_deref(), &joined);
        let mut s = self.state.borrow_mut();
        let table_store = s.materialize(&table.info).unwrap_or_default();
        let prefix = if kind == JoinKind::Inner { "KSTREAM-JOIN-" } else { "KSTREAM-LEFTJOIN-" };
        let name = joined.name.clone().unwrap_or_else(|| s.new_processor_name(prefix));
        let joiner: ValueJoiner = Rc::new(joiner);
        let node_kind = NodeKind::StreamTableJoin { table_store: table_store.clone(), joiner, kind };
        let node = s.add_node(name, node_kind, &[this.node], vec![table_store]);
        KStream { state: self.state.clone(), node, repartition_required: false, name: None, ..this }
    }

    /// Stream–stream `join` / `leftJoin` / `outerJoin` within `windows`.
    pub(crate) fn join_stream(
        &self,
        other: &KStream,
        joiner: impl Fn(&Datum, &Datum, &Datum) -> Datum + 'static,
        windows: JoinWindows,
        kind: JoinKind,
        joined: Joined,
    ) -> KStream {
        let this = self.repartitioned_for_join(joined.name.as_deref(), &joined);
        let other = other.repartitioned_for_join(joined.name.as_deref(), &joined);
        let mut s = self.state.borrow_mut();
        let named = joined.name.clone();
        let suffixed = |s: &mut BuilderState, suffix: &str, prefix: &str| match &named {
            Some(n) => format!("{n}{suffix}"),
            None => s.new_processor_name(prefix),
        };
        let this_windowed = suffixed(&mut s, "-this-windowed", "KSTREAM-WINDOWED-");
        let other_windowed = suffixed(&mut s, "-other-windowed", "KSTREAM-WINDOWED-");
        let left_outer = kind != JoinKind::Inner;
        let right_outer = kind == JoinKind::Outer;
        let this_generated = s.new_processor_name(if right_outer { "KSTREAM-OUTERTHIS-" } else { "KSTREAM-JOINTHIS-" });
        let other_generated =
            s.new_processor_name(if left_outer { "KSTREAM-OUTEROTHER-" } else { "KSTREAM-JOINOTHER-" });
        let this_join = named.as_ref().map_or_else(|| this_generated.clone(), |n| format!("{n}-this-join"));
        let other_join = named.as_ref().map_or_else(|| other_generated.clone(), |n| format!("{n}-other-join"));
        let merge = suffixed(&mut s, "-merge", "KSTREAM-MERGE-");
        let (this_store, other_store) = match &joined.store_name {
            Some(base) => (
                format!("{base}-{}-store", if right_outer { "outer-this-join" } else { "this-join" }),
                format!("{base}-{}-store", if left_outer { "outer-other-join" } else { "other-join" }),
            ),
            None => (format!("{this_generated}-store"), format!("{other_generated}-store")),
        };
        let shared = left_outer.then(|| match &joined.store_name {
            Some(base) => format!("{base}-{}-shared-join-store", if right_outer { "outer" } else { "left" }),
            None => {
                let digits = &this_generated[this_generated.len().saturating_sub(10)..];
                format!("KSTREAM-OUTERSHARED-{digits}-store")
            }
        });
        let retention = windows.size_ms() + windows.grace_ms;
        let window_store = |name: &str, value_serde: Serde| StoreSpec {
            name: name.to_string(),
            kind: StoreKind::Window { size_ms: windows.size_ms(), retention_ms: retention, retain_duplicates: true },
            key_serde: this.key_serde.clone(),
            value_serde,
            logging: true,
        };
        s.add_store(window_store(&this_store, this.value_serde.clone()));
        s.add_store(window_store(&other_store, other.value_serde.clone()));
        if let Some(sh) = &shared {
            s.add_store(StoreSpec {
                name: sh.clone(),
                kind: StoreKind::KeyValue,
                key_serde: this.key_serde.clone(),
                value_serde: this.value_serde.clone(),
                logging: true,
            });
        }
        let tw = s.add_node(
            this_windowed,
            NodeKind::JoinWindowed { store: this_store.clone() },
            &[this.node],
            vec![this_store.clone()],
        );
        let ow = s.add_node(
            other_windowed,
            NodeKind::JoinWindowed { store: other_store.clone() },
            &[other.node],
            vec![other_store.clone()],
        );
        let joiner: ValueJoiner = Rc::new(joiner);
        let mut this_stores = vec![other_store.clone()];
        let mut other_stores = vec![this_store.clone()];
        if let Some(sh) = &shared {
            this_stores.push(sh.clone());
            other_stores.push(sh.clone());
        }
        let tj_kind = NodeKind::StreamStreamJoin {
            this_is_left: true,
            other_store: other_store.clone(),
            shared_store: shared.clone(),
            joiner: joiner.clone(),
            windows,
            kind,
        };
        let tj = s.add_node(this_join, tj_kind, &[tw], this_stores);
        let oj_kind = NodeKind::StreamStreamJoin {
            this_is_left: false,
            other_store: this_store,
            shared_store: shared,
            joiner,
            windows,
            kind,
        };
        let oj = s.add_node(other_join, oj_kind, &[ow], other_stores);
        let node = s.add_node(merge, NodeKind::Merge, &[tj, oj], Vec::new());
        KStream { state: self.state.clone(), node, repartition_required: false, name: None, ..this }
    }

    /// `toTable(materialized)`: a `KSTREAM-TOTABLE` node (name first, then its store's);
    /// after a key change a repartition named after the node comes first. The store is
    /// materialized only when queryable or read downstream.
    pub(crate) fn to_table(&self, materialized: Materialized) -> KTable {
        let mut s = self.state.borrow_mut();
        let name = self.name.clone().unwrap_or_else(|| s.new_processor_name("KSTREAM-TOTABLE-"));
        let store = materialized.store_name.clone().unwrap_or_else(|| s.new_store_name("KSTREAM-TOTABLE-"));
        let key_serde = materialized.key_serde.clone().unwrap_or_else(|| self.key_serde.clone());
        let value_serde = materialized.value_serde.clone().unwrap_or_else(|| self.value_serde.clone());
        let parent = if self.repartition_required {
            s.repartition(self.node, &name, key_serde.clone(), value_serde.clone())
        } else {
            self.node
        };
        s.add_store(StoreSpec {
            name: store.clone(),
            kind: StoreKind::KeyValue,
            key_serde: key_serde.clone(),
            value_serde: value_serde.clone(),
            logging: materialized.logging,
        });
        let queryable = materialized.store_name.is_some();
        let stores = if queryable { vec![store.clone()] } else { Vec::new() };
        let kind = NodeKind::TableSource { store: store.clone(), materialized: queryable };
        let node = s.add_node(name, kind, &[parent], stores);
        drop(s);
        KTable {
            state: self.state.clone(),
            node,
            info: KTableInfo { store: queryable.then_some(store), source: Some(node) },
            key_serde,
            value_serde,
            windowed: None,
            name: None,
        }
    }
}

/// `BranchedKStream`: `branch(predicate)` adds `<splitter><n>` (n from 1),
/// `default_branch()` adds `<splitter>0`.
#[derive(Clone, Debug)]
pub(crate) struct BranchedKStream {
    parent: KStream,
    splitter: String,
}

impl BranchedKStream {
    fn add_branch(&self, predicate: Option<Predicate>, name: Option<&str>) -> KStream {
        let mut s = self.parent.state.borrow_mut();
        let Some(ProcessorNode { kind: NodeKind::Branch { predicates }, .. }) =
            s.topology.nodes.get_mut(self.parent.node)
        else {
            return self.parent.clone();
        };
        let is_default = predicate.is_none();
        predicates.push(predicate);
        let index = if is_default { 0 } else { predicates.iter().filter(|p| p.is_some()).count() };
        let child = match name {
            Some(n) => format!("{}{n}", self.splitter),
            None => format!("{}{index}", self.splitter),
        };
        // Kafka burns an index for each branch child.
        s.new_processor_name(&child);
        let node = s.add_node(child, NodeKind::Merge, &[self.parent.node], Vec::new());
        KStream { state: self.parent.state.clone(), node, name: None, ..self.parent.clone() }
    }

    /// `branch(predicate[, Branched.as(name)])`: the branch's stream.
    pub(crate) fn branch(&self, predicate: impl Fn(&Datum, &Datum) -> bool + 'static, name: Option<&str>) -> KStream {
        self.add_branch(Some(Rc::new(predicate)), name)
    }

    /// `defaultBranch()`: what no predicate took.
    pub(crate) fn default_branch(&self, name: Option<&str>) -> KStream {
        self.add_branch(None, name)
    }
}

/// `KGroupedStream`.
#[derive(Clone, Debug)]
pub(crate) struct KGroupedStream {
    stream: KStream,
    grouped: Grouped,
}

impl KGroupedStream {
    /// Names the aggregation processor (`Named.as`).
    pub(crate) fn named(&self, name: &str) -> KGroupedStream {
        KGroupedStream { stream: self.stream.named(name), ..self.clone() }
    }

    pub(crate) fn count(&self, materialized: Materialized) -> KTable {
        let m = materialized.clone().with_value_serde(materialized.value_serde.clone().unwrap_or(Serde::Long));
        self.aggregate_with("KSTREAM-AGGREGATE-", AggOp::Count, m, None)
    }

    pub(crate) fn reduce(
        &self,
        reducer: impl Fn(&Datum, &Datum) -> Datum + 'static,
        materialized: Materialized,
    ) -> KTable {
        let r: Reducer = Rc::new(reducer);
        self.aggregate_with("KSTREAM-REDUCE-", AggOp::Reduce(r), materialized, None)
    }

    pub(crate) fn aggregate(
        &self,
        initializer: impl Fn() -> Datum + 'static,
        aggregator: impl Fn(&Datum, &Datum, &Datum) -> Datum + 'static,
        materialized: Materialized,
    ) -> KTable {
        let initializer: Initializer = Rc::new(initializer);
        let aggregator: Aggregator = Rc::new(aggregator);
        let op = AggOp::Aggregate { initializer, aggregator, merger: None };
        self.aggregate_with("KSTREAM-AGGREGATE-", op, materialized, None)
    }

    /// `windowedBy(TimeWindows)`.
    pub(crate) fn windowed_by_time(&self, windows: TimeWindows) -> WindowedKStream {
        WindowedKStream { grouped: self.clone(), windows: WindowSpec::Time(windows) }
    }

    /// `windowedBy(SlidingWindows)`.
    pub(crate) fn windowed_by_sliding(&self, windows: SlidingWindows) -> WindowedKStream {
        WindowedKStream { grouped: self.clone(), windows: WindowSpec::Sliding(windows) }
    }

    /// `windowedBy(SessionWindows)`.
    pub(crate) fn windowed_by_session(&self, windows: SessionWindows) -> WindowedKStream {
        WindowedKStream { grouped: self.clone(), windows: WindowSpec::Session(windows) }
    }

    /// The aggregation: store name, then processor name, then (after a key change)
    /// the repartition named after `Grouped` or the store.
    fn aggregate_with(
        &self,
        prefix: &str,
        op: AggOp,
        materialized: Materialized,
        window: Option<WindowSpec>,
    ) -> KTable {
        let mut s = self.stream.state.borrow_mut();
        let store = materialized.store_name.clone().unwrap_or_else(|| s.new_store_name(prefix));
        let name = self.stream.name.clone().unwrap_or_else(|| s.new_processor_name(prefix));
        let key_serde = materialized.key_serde.clone().unwrap_or_else(|| self.stream.key_serde.clone());
        let value_serde = materialized.value_serde.clone().unwrap_or_else(|| self.stream.value_serde.clone());
        let parent = if self.stream.repartition_required {
            let topic_prefix = self.grouped.name.clone().unwrap_or_else(|| store.clone());
            s.repartition(
                self.stream.node,
                &topic_prefix,
                self.stream.key_serde.clone(),
                self.stream.value_serde.clone(),
            )
        } else {
            self.stream.node
        };
        let kind = match window {
            None => StoreKind::KeyValue,
            Some(WindowSpec::Time(w)) => StoreKind::Window {
                size_ms: w.size_ms,
                retention_ms: materialized.retention_ms.unwrap_or(w.size_ms + w.grace_ms),
                retain_duplicates: false,
            },
            Some(WindowSpec::Sliding(w)) => StoreKind::Window {
                size_ms: w.time_difference_ms,
                retention_ms: materialized.retention_ms.unwrap_or(2 * w.time_difference_ms + w.grace_ms),
                retain_duplicates: false,
            },
            Some(WindowSpec::Session(w)) => {
                StoreKind::Session { retention_ms: materialized.retention_ms.unwrap_or(w.gap_ms + w.grace_ms) }
            }
        };
        s.add_store(StoreSpec {
            name: store.clone(),
            kind,
            key_serde: key_serde.clone(),
            value_serde: value_serde.clone(),
            logging: materialized.logging,
        });
        let node = s.add_node(
            name,
            NodeKind::StreamAggregate { store: store.clone(), op, window },
            &[parent],
            vec![store.clone()],
        );
        drop(s);
        KTable {
            state: self.stream.state.clone(),
            node,
            info: KTableInfo { store: Some(store), source: None },
            key_serde,
            value_serde,
            windowed: window,
            name: None,
        }
    }
}

/// `TimeWindowedKStream`, `SlidingWindowedKStream` (both time-windowed keys) and
/// `SessionWindowedKStream`.
#[derive(Clone, Debug)]
pub(crate) struct WindowedKStream {
    grouped: KGroupedStream,
    windows: WindowSpec,
}

impl WindowedKStream {
    pub(crate) fn count(&self, materialized: Materialized) -> KTable {
        let m = materialized.clone().with_value_serde(materialized.value_serde.clone().unwrap_or(Serde::Long));
        self.grouped.aggregate_with("KSTREAM-AGGREGATE-", AggOp::Count, m, Some(self.windows))
    }

    pub(crate) fn reduce(
        &self,
        reducer: impl Fn(&Datum, &Datum) -> Datum + 'static,
        materialized: Materialized,
    ) -> KTable {
        let r: Reducer = Rc::new(reducer);
        self.grouped.aggregate_with("KSTREAM-REDUCE-", AggOp::Reduce(r), materialized, Some(self.windows))
    }

    /// `aggregate(initializer, aggregator[, merger])`: session windows need the merger
    /// (without one, the later session's aggregate wins a merge).
    pub(crate) fn aggregate(
        &self,
        initializer: impl Fn() -> Datum + 'static,
        aggregator: impl Fn(&Datum, &Datum, &Datum) -> Datum + 'static,
        merger: Option<Merger>,
        materialized: Materialized,
    ) -> KTable {
        let initializer: Initializer = Rc::new(initializer);
        let aggregator: Aggregator = Rc::new(aggregator);
        let op = AggOp::Aggregate { initializer, aggregator, merger };
        self.grouped.aggregate_with("KSTREAM-AGGREGATE-", op, materialized, Some(self.windows))
    }
}

/// Where a table's current values can be read: its own store, or its source's store
/// once materialized on demand.
#[derive(Clone, Debug)]
struct KTableInfo {
    store: Option<String>,
    source: Option<usize>,
}

/// `KTable<K, V>`.
#[derive(Clone, Debug)]
pub(crate) struct KTable {
    state: Shared,
    pub(crate) node: usize,
    info: KTableInfo,
    pub(crate) key_serde: Serde,
    pub(crate) value_serde: Serde,
    /// The windowing of a windowed aggregation's result (its keys are windowed).
    pub(crate) windowed: Option<WindowSpec>,
    name: Option<String>,
}

impl KTable {
    /// Names the next operation (`Named.as(name)`).
    pub(crate) fn named(&self, name: &str) -> KTable {
        KTable { name: Some(name.to_string()), ..self.clone() }
    }

    /// The store holding the table's rows, if it is materialized (`queryableStoreName`).
    pub(crate) fn queryable_store_name(&self) -> Option<String> {
        self.info.store.clone()
    }

    /// The node's name.
    pub(crate) fn node_name(&self) -> String {
        self.state.borrow().topology.nodes.get(self.node).map(|n| n.name.clone()).unwrap_or_default()
    }

    /// A table operation: with `Materialized`, the store name comes first (generated
    /// ones burn an index but are not materialized: Kafka skips unqueryable stores).
    fn table_child(
        &self,
        prefix: &str,
        materialized: Option<Materialized>,
        make: impl FnOnce(Option<String>) -> NodeKind,
    ) -> KTable {
        let mut s = self.state.borrow_mut();
        let store_prefix = prefix;
        let store = match &materialized {
            Some(Materialized { store_name: Some(n), .. }) => Some(n.clone()),
            Some(_) => {
                s.new_store_name(store_prefix);
                None
            }
            None => None,
        };
        let name = self.name.clone().unwrap_or_else(|| s.new_processor_name(prefix));
        let key_serde =
            materialized.as_ref().and_then(|m| m.key_serde.clone()).unwrap_or_else(|| self.key_serde.clone());
        let value_serde =
            materialized.as_ref().and_then(|m| m.value_serde.clone()).unwrap_or_else(|| self.value_serde.clone());
        if let Some(st) = &store {
            s.add_store(StoreSpec {
                name: st.clone(),
                kind: StoreKind::KeyValue,
                key_serde: key_serde.clone(),
                value_serde: value_serde.clone(),
                logging: materialized.as_ref().is_none_or(|m| m.logging),
            });
        }
        let stores = store.iter().cloned().collect();
        let node = s.add_node(name, make(store.clone()), &[self.node], stores);
        drop(s);
        KTable {
            state: self.state.clone(),
            node,
            info: KTableInfo { store, source: None },
            key_serde,
            value_serde,
            windowed: self.windowed,
            name: None,
        }
    }

    pub(crate) fn filter(
        &self,
        predicate: impl Fn(&Datum, &Datum) -> bool + 'static,
        materialized: Option<Materialized>,
    ) -> KTable {
        let predicate: Predicate = Rc::new(predicate);
        self.table_child("KTABLE-FILTER-", materialized, |store| NodeKind::TableFilter {
            predicate,
            negate: false,
            store,
        })
    }

    pub(crate) fn filter_not(
        &self,
        predicate: impl Fn(&Datum, &Datum) -> bool + 'static,
        materialized: Option<Materialized>,
    ) -> KTable {
        let predicate: Predicate = Rc::new(predicate);
        self.table_child("KTABLE-FILTER-", materialized, |store| NodeKind::TableFilter {
            predicate,
            negate: true,
            store,
        })
    }

    pub(crate) fn map_values(
        &self,
        mapper: impl Fn(&Datum, &Datum) -> Datum + 'static,
        materialized: Option<Materialized>,
    ) -> KTable {
        self.map_values_with_window(move |k, _, v| mapper(k, v), materialized)
    }

    /// `mapValues` that also sees the window of a windowed table's rows.
    pub(crate) fn map_values_with_window(
        &self,
        mapper: impl Fn(&Datum, Option<Window>, &Datum) -> Datum + 'static,
        materialized: Option<Materialized>,
    ) -> KTable {
        let mapper: ValueMapper = Rc::new(mapper);
        self.table_child("KTABLE-MAPVALUES-", materialized, |store| NodeKind::TableMapValues { mapper, store })
    }

    /// `transformValues` on a table (`KTABLE-TRANSFORMVALUES-…`), as ksqlDB projects tables.
    pub(crate) fn transform_values(
        &self,
        mapper: impl Fn(&Datum, Option<Window>, &Datum) -> Datum + 'static,
        materialized: Option<Materialized>,
    ) -> KTable {
        let mapper: ValueMapper = Rc::new(mapper);
        self.table_child("KTABLE-TRANSFORMVALUES-", materialized, |store| NodeKind::TableMapValues { mapper, store })
    }

    /// `toStream()`.
    pub(crate) fn to_stream(&self) -> KStream {
        let mut s = self.state.borrow_mut();
        let name = self.name.clone().unwrap_or_else(|| s.new_processor_name("KTABLE-TOSTREAM-"));
        let node = s.add_node(name, NodeKind::TableToStream, &[self.node], Vec::new());
        KStream {
            state: self.state.clone(),
            node,
            repartition_required: false,
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            name: None,
        }
    }

    /// A windowed table's changes to a topic, keys serialized with their window
    /// (`toStream().to(topic, Produced.with(WindowedSerdes…))`).
    pub(crate) fn to_windowed_topic(&self, topic: &str, produced: Produced) {
        let stream = self.to_stream();
        let mut s = self.state.borrow_mut();
        let name = produced.name.clone().unwrap_or_else(|| s.new_processor_name("KSTREAM-SINK-"));
        let kind = NodeKind::Sink {
            topic: topic.to_string(),
            key_serde: produced.key_serde.clone().unwrap_or_else(|| self.key_serde.clone()),
            value_serde: produced.value_serde.clone().unwrap_or_else(|| self.value_serde.clone()),
            internal: false,
            windowed: self.windowed.map(|w| w.key_format()),
        };
        s.add_node(name, kind, &[stream.node], Vec::new());
    }

    /// `suppress(Suppressed.untilWindowCloses(unbounded()))` on a windowed table.
    pub(crate) fn suppress_until_window_closes(&self, name: Option<&str>) -> KTable {
        let mut s = self.state.borrow_mut();
        let node_name = name.map_or_else(|| s.new_processor_name("KTABLE-SUPPRESS-"), str::to_string);
        let store = name.map_or_else(|| s.new_store_name("KTABLE-SUPPRESS-"), |n| format!("{n}-store"));
        let grace_ms = self.windowed.map_or(0, |w| w.grace_ms());
        // The buffer keeps windowed keys; its changelog logs them as a window store does
        // (a session's end is read back as its start: sessions are not restored exactly).
        let size_ms = match self.windowed {
            Some(WindowSpec::Time(w)) => w.size_ms,
            Some(WindowSpec::Sliding(w)) => w.time_difference_ms,
            Some(WindowSpec::Session(_)) | None => 0,
        };
        s.add_store(StoreSpec {
            name: store.clone(),
            kind: StoreKind::Window { size_ms, retention_ms: size_ms + grace_ms, retain_duplicates: false },
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            logging: true,
        });
        let node =
            s.add_node(node_name, NodeKind::Suppress { store: store.clone(), grace_ms }, &[self.node], vec![store]);
        drop(s);
        KTable { node, info: KTableInfo { store: None, source: None }, name: None, ..self.clone() }
    }

    /// Table–table `join` / `leftJoin` / `outerJoin`: merge name first, then this side's
    /// and the other side's processors; both tables get materialized.
    pub(crate) fn join(
        &self,
        other: &KTable,
        joiner: impl Fn(&Datum, &Datum, &Datum) -> Datum + 'static,
        kind: JoinKind,
        materialized: Option<Materialized>,
    ) -> KTable {
        let mut s = self.state.borrow_mut();
        let merge_name = self.name.clone().unwrap_or_else(|| s.new_processor_name("KTABLE-MERGE-"));
        let this_store = s.materialize(&self.info).unwrap_or_default();
        let other_store = s.materialize(&other.info).unwrap_or_default();
        let store = match &materialized {
            Some(Materialized { store_name: Some(n), .. }) => Some(n.clone()),
            Some(_) => {
                s.new_store_name("KTABLE-MERGE-");
                None
            }
            None => None,
        };
        let this_name = match &self.name {
            Some(n) => format!("{n}-join-this"),
            None => s.new_processor_name("KTABLE-JOINTHIS-"),
        };
        let other_name = match &self.name {
            Some(n) => format!("{n}-join-other"),
            None => s.new_processor_name("KTABLE-JOINOTHER-"),
        };
        let joiner: ValueJoiner = Rc::new(joiner);
        let this_kind = NodeKind::TableTableJoin {
            this_is_left: true,
            other_store: other_store.clone(),
            joiner: joiner.clone(),
            kind,
        };
        let this_node = s.add_node(this_name, this_kind, &[self.node], vec![other_store.clone()]);
        let other_kind =
            NodeKind::TableTableJoin { this_is_left: false, other_store: this_store.clone(), joiner, kind };
        let other_node = s.add_node(other_name, other_kind, &[other.node], vec![this_store]);
        let value_serde =
            materialized.as_ref().and_then(|m| m.value_serde.clone()).unwrap_or_else(|| self.value_serde.clone());
        let merge_kind = match &store {
            Some(st) => {
                s.add_store(StoreSpec {
                    name: st.clone(),
                    kind: StoreKind::KeyValue,
                    key_serde: self.key_serde.clone(),
                    value_serde: value_serde.clone(),
                    logging: materialized.as_ref().is_none_or(|m| m.logging),
                });
                NodeKind::TableSource { store: st.clone(), materialized: true }
            }
            None => NodeKind::Merge,
        };
        let stores = store.iter().cloned().collect();
        let node = s.add_node(merge_name, merge_kind, &[this_node, other_node], stores);
        drop(s);
        KTable {
            state: self.state.clone(),
            node,
            info: KTableInfo { store, source: None },
            key_serde: self.key_serde.clone(),
            value_serde,
            windowed: None,
            name: None,
        }
    }

    /// `groupBy(selector, grouped)`: a `KTABLE-SELECT` (named after `grouped`); the
    /// table's source is materialized (its old values are needed to subtract).
    pub(crate) fn group_by(
        &self,
        selector: impl Fn(&Datum, &Datum) -> (Datum, Datum) + 'static,
        grouped: Grouped,
    ) -> KGroupedTable {
        let mut s = self.state.borrow_mut();
        s.materialize(&self.info);
        let name = grouped.name.clone().unwrap_or_else(|| s.new_processor_name("KTABLE-SELECT-"));
        let selector: KeyValueMapper = Rc::new(selector);
        let node = s.add_node(name, NodeKind::TableSelect(selector), &[self.node], Vec::new());
        let key_serde = grouped.key_serde.clone().unwrap_or_else(|| self.key_serde.clone());
        let value_serde = grouped.value_serde.clone().unwrap_or_else(|| self.value_serde.clone());
        drop(s);
        KGroupedTable { state: self.state.clone(), node, grouped, key_serde, value_serde, name: None }
    }
}

/// `KGroupedTable`.
#[derive(Clone, Debug)]
pub(crate) struct KGroupedTable {
    state: Shared,
    node: usize,
    grouped: Grouped,
    key_serde: Serde,
    value_serde: Serde,
    name: Option<String>,
}

impl KGroupedTable {
    /// Names the aggregation (`Named.as`): sink `<name>-sink`, source `<name>-source`.
    pub(crate) fn named(&self, name: &str) -> KGroupedTable {
        KGroupedTable { name: Some(name.to_string()), ..self.clone() }
    }

    pub(crate) fn count(&self, materialized: Materialized) -> KTable {
        let m = materialized.clone().with_value_serde(materialized.value_serde.clone().unwrap_or(Serde::Long));
        self.aggregate_with("KTABLE-AGGREGATE-", TableAggOp::Count, m)
    }

    pub(crate) fn reduce(
        &self,
        adder: impl Fn(&Datum, &Datum) -> Datum + 'static,
        subtractor: impl Fn(&Datum, &Datum) -> Datum + 'static,
        materialized: Materialized,
    ) -> KTable {
        let op = TableAggOp::Reduce { adder: Rc::new(adder), subtractor: Rc::new(subtractor) };
        self.aggregate_with("KTABLE-REDUCE-", op, materialized)
    }

    pub(crate) fn aggregate(
        &self,
        initializer: impl Fn() -> Datum + 'static,
        adder: impl Fn(&Datum, &Datum, &Datum) -> Datum + 'static,
        subtractor: impl Fn(&Datum, &Datum, &Datum) -> Datum + 'static,
        materialized: Materialized,
    ) -> KTable {
        let op = TableAggOp::Aggregate {
            initializer: Rc::new(initializer),
            adder: Rc::new(adder),
            subtractor: Rc::new(subtractor),
        };
        self.aggregate_with("KTABLE-AGGREGATE-", op, materialized)
    }

    /// `KGroupedTableImpl.doAggregate`: store, then sink, source and processor names.
    fn aggregate_with(&self, prefix: &str, op: TableAggOp, materialized: Materialized) -> KTable {
        let mut s = self.state.borrow_mut();
        let store = materialized.store_name.clone().unwrap_or_else(|| s.new_store_name(prefix));
        let sink = match &self.name {
            Some(n) => format!("{n}-sink"),
            None => s.new_processor_name("KSTREAM-SINK-"),
        };
        let source = match &self.name {
            Some(n) => format!("{n}-source"),
            None => s.new_processor_name("KSTREAM-SOURCE-"),
        };
        let func = self.name.clone().unwrap_or_else(|| s.new_processor_name(prefix));
        let topic = format!("{}-repartition", self.grouped.name.clone().unwrap_or_else(|| store.clone()));
        let sink_kind = NodeKind::Sink {
            topic: topic.clone(),
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            internal: true,
            windowed: None,
        };
        s.add_node(sink, sink_kind, &[self.node], Vec::new());
        let source_kind = NodeKind::Source {
            topics: vec![topic],
            key_serde: self.key_serde.clone(),
            value_serde: self.value_serde.clone(),
            internal: true,
        };
        let src = s.add_node(source, source_kind, &[], Vec::new());
        let key_serde = materialized.key_serde.clone().unwrap_or_else(|| self.key_serde.clone());
        let value_serde = materialized.value_serde.clone().unwrap_or_else(|| self.value_serde.clone());
        s.add_store(StoreSpec {
            name: store.clone(),
            kind: StoreKind::KeyValue,
            key_serde: key_serde.clone(),
            value_serde: value_serde.clone(),
            logging: materialized.logging,
        });
        let node = s.add_node(func, NodeKind::TableAggregate { store: store.clone(), op }, &[src], vec![store.clone()]);
        drop(s);
        KTable {
            state: self.state.clone(),
            node,
            info: KTableInfo { store: Some(store), source: None },
            key_serde,
            value_serde,
            windowed: None,
            name: None,
        }
    }
}
