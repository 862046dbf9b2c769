//! Tests of the Streams engine: `describe()` against the texts of Kafka's own tests
//! (`TopologyTest`, `StreamsGraphTest`, `KStreamImplTest`), and each operator's and
//! window's semantics through the `TopologyTestDriver`, with kafka-reference §9's
//! examples.

use super::datum::Datum;
use super::dsl::{Consumed, Grouped, Joined, Materialized, Produced, StreamsBuilder};
use super::serde::{DeserializationHandler, Serde};
use super::test_driver::TopologyTestDriver;
use super::topology::JoinKind;
use super::window::{JoinWindows, SessionWindows, SlidingWindows, TimeWindows, Window};

fn strings() -> Consumed {
    Consumed::with(Serde::String, Serde::String)
}

fn s(text: &str) -> Datum {
    Datum::str(text)
}

#[test]
fn describe_group_by_key_count_as_kafka_topology_test() {
    let builder = StreamsBuilder::new();
    builder.stream("input-topic", Consumed::default()).group_by_key(Grouped::default()).count(Materialized::default());
    assert_eq!(
        builder.build().describe(),
        "Topologies:\n\
         \x20  Sub-topology: 0\n\
         \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n\
         \x20     --> KSTREAM-AGGREGATE-0000000002\n\
         \x20   Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n\
         \x20     --> none\n\
         \x20     <-- KSTREAM-SOURCE-0000000000\n\n"
    );
}

#[test]
fn describe_named_materialized_count() {
    let builder = StreamsBuilder::new();
    builder
        .stream("input-topic", Consumed::default())
        .group_by_key(Grouped::default())
        .count(Materialized::as_store("count-store"));
    assert_eq!(
        builder.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000001\n    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n"
    );
}

#[test]
fn describe_windowed_counts_like_unwindowed_ones() {
    let time = StreamsBuilder::new();
    time.stream("input-topic", Consumed::default())
        .group_by_key(Grouped::default())
        .windowed_by_time(TimeWindows::of_size_with_no_grace(1))
        .count(Materialized::default());
    let session = StreamsBuilder::new();
    session
        .stream("input-topic", Consumed::default())
        .group_by_key(Grouped::default())
        .windowed_by_session(SessionWindows::of_inactivity_gap_with_no_grace(1))
        .count(Materialized::default());
    let expected = "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n      --> KSTREAM-AGGREGATE-0000000002\n    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000\n\n";
    assert_eq!(time.build().describe(), expected);
    assert_eq!(session.build().describe(), expected);
}

#[test]
fn describe_table_group_by_count_splits_at_the_repartition_topic() {
    let builder = StreamsBuilder::new();
    builder
        .table("input-topic", Consumed::default(), Materialized::default())
        .group_by(|_, _| (Datum::Null, Datum::Null), Grouped::default())
        .count(Materialized::default());
    assert_eq!(
        builder.build().describe(),
        "Topologies:\n\
         \x20  Sub-topology: 0\n\
         \x20   Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n\
         \x20     --> KTABLE-SOURCE-0000000002\n\
         \x20   Processor: KTABLE-SOURCE-0000000002 (stores: [input-topic-STATE-STORE-0000000000])\n\
         \x20     --> KTABLE-SELECT-0000000003\n\
         \x20     <-- KSTREAM-SOURCE-0000000001\n\
         \x20   Processor: KTABLE-SELECT-0000000003 (stores: [])\n\
         \x20     --> KSTREAM-SINK-0000000005\n\
         \x20     <-- KTABLE-SOURCE-0000000002\n\
         \x20   Sink: KSTREAM-SINK-0000000005 (topic: KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition)\n\
         \x20     <-- KTABLE-SELECT-0000000003\n\
         \n\
         \x20 Sub-topology: 1\n\
         \x20   Source: KSTREAM-SOURCE-0000000006 (topics: [KTABLE-AGGREGATE-STATE-STORE-0000000004-repartition])\n\
         \x20     --> KTABLE-AGGREGATE-0000000007\n\
         \x20   Processor: KTABLE-AGGREGATE-0000000007 (stores: [KTABLE-AGGREGATE-STATE-STORE-0000000004])\n\
         \x20     --> none\n\
         \x20     <-- KSTREAM-SOURCE-0000000006\n\
         \n"
    );
}

#[test]
fn describe_table_map_values_materialization_burns_an_index() {
    let plain = StreamsBuilder::new();
    plain.table("input-topic", Consumed::default(), Materialized::default()).map_values(|_, _| Datum::Null, None);
    assert_eq!(
        plain.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-MAPVALUES-0000000003\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-MAPVALUES-0000000003 (stores: [])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n"
    );
    let anonymous = StreamsBuilder::new();
    anonymous
        .table("input-topic", Consumed::default(), Materialized::default())
        .map_values(|_, _| Datum::Null, Some(Materialized::default()));
    assert_eq!(
        anonymous.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-MAPVALUES-0000000004\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-MAPVALUES-0000000004 (stores: [])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n"
    );
    let named = StreamsBuilder::new();
    named
        .table("input-topic", Consumed::default(), Materialized::default())
        .map_values(|_, _| Datum::Null, Some(Materialized::as_store("store-name")));
    assert_eq!(
        named.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [])\n      --> KTABLE-MAPVALUES-0000000003\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KTABLE-MAPVALUES-0000000003 (stores: [store-name])\n      --> none\n      <-- KTABLE-SOURCE-0000000002\n\n"
    );
}

fn two_stream_join(kind: JoinKind) -> String {
    let builder = StreamsBuilder::new();
    let left = builder.stream("input-topic1", Consumed::default());
    let right = builder.stream("input-topic2", Consumed::default());
    left.join_stream(
        &right,
        |_, l, r| s(&format!("{l}+{r}")),
        JoinWindows::of_time_difference_with_no_grace(100),
        kind,
        Joined::default(),
    );
    builder.build().describe()
}

#[test]
fn describe_stream_stream_joins_as_kafka_topology_test() {
    assert_eq!(
        two_stream_join(JoinKind::Inner),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n      --> KSTREAM-JOINTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n      --> KSTREAM-JOINOTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005\n\n"
    );
    assert_eq!(
        two_stream_join(JoinKind::Left),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n      --> KSTREAM-JOINTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])\n      --> KSTREAM-OUTEROTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n"
    );
    assert_eq!(
        two_stream_join(JoinKind::Outer),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-OUTERTHIS-0000000004-store])\n      --> KSTREAM-OUTERTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])\n      --> KSTREAM-OUTEROTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-OUTERTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> none\n      <-- KSTREAM-OUTERTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005\n\n"
    );
}

#[test]
fn describe_join_then_filter_map_values_to_as_streams_graph_test() {
    let builder = StreamsBuilder::new();
    let left = builder.stream("topic", Consumed::default());
    let right = builder.stream("other-topic", Consumed::default());
    left.join_stream(
        &right,
        |_, l, r| s(&format!("{l}{r}")),
        JoinWindows::of_time_difference_with_no_grace(5000),
        JoinKind::Inner,
        Joined::default(),
    )
    .filter(|_, _| true)
    .map_values(|_, v| v.clone())
    .to("output-topic", Produced::default());
    assert_eq!(
        builder.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n      --> KSTREAM-WINDOWED-0000000002\n    Source: KSTREAM-SOURCE-0000000001 (topics: [other-topic])\n      --> KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n      --> KSTREAM-JOINTHIS-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n      --> KSTREAM-JOINOTHER-0000000005\n      <-- KSTREAM-SOURCE-0000000001\n    Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000003\n    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-WINDOWED-0000000002\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> KSTREAM-FILTER-0000000007\n      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005\n    Processor: KSTREAM-FILTER-0000000007 (stores: [])\n      --> KSTREAM-MAPVALUES-0000000008\n      <-- KSTREAM-MERGE-0000000006\n    Processor: KSTREAM-MAPVALUES-0000000008 (stores: [])\n      --> KSTREAM-SINK-0000000009\n      <-- KSTREAM-FILTER-0000000007\n    Sink: KSTREAM-SINK-0000000009 (topic: output-topic)\n      <-- KSTREAM-MAPVALUES-0000000008\n\n"
    );
}

#[test]
fn describe_merges_after_a_key_change_as_streams_graph_test() {
    let builder = StreamsBuilder::new();
    let parent =
        builder.stream("input_topic", Consumed::with(Serde::Integer, Serde::Integer)).select_key(|k, _| k.clone());
    let one = parent.map_values(|_, v| v.clone());
    let two = parent.map_values(|_, v| v.clone());
    let three = parent.map_values(|_, v| v.clone());
    one.merge(&two).merge(&three).to("output_topic", Produced::default());
    assert_eq!(
        builder.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input_topic])\n      --> KSTREAM-KEY-SELECT-0000000001\n    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n      --> KSTREAM-MAPVALUES-0000000002, KSTREAM-MAPVALUES-0000000003, KSTREAM-MAPVALUES-0000000004\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-MAPVALUES-0000000002 (stores: [])\n      --> KSTREAM-MERGE-0000000005\n      <-- KSTREAM-KEY-SELECT-0000000001\n    Processor: KSTREAM-MAPVALUES-0000000003 (stores: [])\n      --> KSTREAM-MERGE-0000000005\n      <-- KSTREAM-KEY-SELECT-0000000001\n    Processor: KSTREAM-MAPVALUES-0000000004 (stores: [])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-KEY-SELECT-0000000001\n    Processor: KSTREAM-MERGE-0000000005 (stores: [])\n      --> KSTREAM-MERGE-0000000006\n      <-- KSTREAM-MAPVALUES-0000000002, KSTREAM-MAPVALUES-0000000003\n    Processor: KSTREAM-MERGE-0000000006 (stores: [])\n      --> KSTREAM-SINK-0000000007\n      <-- KSTREAM-MERGE-0000000005, KSTREAM-MAPVALUES-0000000004\n    Sink: KSTREAM-SINK-0000000007 (topic: output_topic)\n      <-- KSTREAM-MERGE-0000000006\n\n"
    );
}

#[test]
fn describe_key_changing_to_table_repartitions_as_kstream_impl_test() {
    let builder = StreamsBuilder::new();
    builder
        .stream("input", strings())
        .map(|k, v| (k.clone(), v.clone()))
        .to_table(Materialized::with(Serde::Integer, Serde::String))
        .to_stream()
        .to("output", Produced::default());
    assert_eq!(
        builder.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n      --> KSTREAM-MAP-0000000001\n    Processor: KSTREAM-MAP-0000000001 (stores: [])\n      --> KSTREAM-FILTER-0000000005\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-FILTER-0000000005 (stores: [])\n      --> KSTREAM-SINK-0000000004\n      <-- KSTREAM-MAP-0000000001\n    Sink: KSTREAM-SINK-0000000004 (topic: KSTREAM-TOTABLE-0000000002-repartition)\n      <-- KSTREAM-FILTER-0000000005\n\n  Sub-topology: 1\n    Source: KSTREAM-SOURCE-0000000006 (topics: [KSTREAM-TOTABLE-0000000002-repartition])\n      --> KSTREAM-TOTABLE-0000000002\n    Processor: KSTREAM-TOTABLE-0000000002 (stores: [])\n      --> KTABLE-TOSTREAM-0000000007\n      <-- KSTREAM-SOURCE-0000000006\n    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])\n      --> KSTREAM-SINK-0000000008\n      <-- KSTREAM-TOTABLE-0000000002\n    Sink: KSTREAM-SINK-0000000008 (topic: output)\n      <-- KTABLE-TOSTREAM-0000000007\n\n"
    );
}

#[test]
fn describe_joins_of_tables_made_with_to_table_as_kstream_impl_test() {
    let tables = StreamsBuilder::new();
    let left = tables.stream("left", strings()).to_table(Materialized::default());
    let right = tables.stream("right", strings()).to_table(Materialized::default());
    left.join(&right, |_, l, r| s(&format!("{l}+{r}")), JoinKind::Inner, None)
        .to_stream()
        .to("output", Produced::default());
    assert_eq!(
        tables.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [left])\n      --> KSTREAM-TOTABLE-0000000001\n    Source: KSTREAM-SOURCE-0000000003 (topics: [right])\n      --> KSTREAM-TOTABLE-0000000004\n    Processor: KSTREAM-TOTABLE-0000000001 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])\n      --> KTABLE-JOINTHIS-0000000007\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: KSTREAM-TOTABLE-0000000004 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])\n      --> KTABLE-JOINOTHER-0000000008\n      <-- KSTREAM-SOURCE-0000000003\n    Processor: KTABLE-JOINOTHER-0000000008 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000002])\n      --> KTABLE-MERGE-0000000006\n      <-- KSTREAM-TOTABLE-0000000004\n    Processor: KTABLE-JOINTHIS-0000000007 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000005])\n      --> KTABLE-MERGE-0000000006\n      <-- KSTREAM-TOTABLE-0000000001\n    Processor: KTABLE-MERGE-0000000006 (stores: [])\n      --> KTABLE-TOSTREAM-0000000009\n      <-- KTABLE-JOINTHIS-0000000007, KTABLE-JOINOTHER-0000000008\n    Processor: KTABLE-TOSTREAM-0000000009 (stores: [])\n      --> KSTREAM-SINK-0000000010\n      <-- KTABLE-MERGE-0000000006\n    Sink: KSTREAM-SINK-0000000010 (topic: output)\n      <-- KTABLE-TOSTREAM-0000000009\n\n"
    );
    let stream_table = StreamsBuilder::new();
    let stream = stream_table.stream("streamTopic", strings());
    let table = stream_table.stream("tableTopic", strings()).to_table(Materialized::default());
    stream
        .join_table(&table, |_, l, r| s(&format!("{l}+{r}")), JoinKind::Inner, Joined::default())
        .to("output", Produced::default());
    assert_eq!(
        stream_table.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [streamTopic])\n      --> KSTREAM-JOIN-0000000004\n    Processor: KSTREAM-JOIN-0000000004 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000003])\n      --> KSTREAM-SINK-0000000005\n      <-- KSTREAM-SOURCE-0000000000\n    Source: KSTREAM-SOURCE-0000000001 (topics: [tableTopic])\n      --> KSTREAM-TOTABLE-0000000002\n    Sink: KSTREAM-SINK-0000000005 (topic: output)\n      <-- KSTREAM-JOIN-0000000004\n    Processor: KSTREAM-TOTABLE-0000000002 (stores: [KSTREAM-TOTABLE-STATE-STORE-0000000003])\n      --> none\n      <-- KSTREAM-SOURCE-0000000001\n\n"
    );
}

/// Builds `stream(input).groupByKey().windowedBy(w).count()` → counts per window.
fn windowed_counts(
    spec: impl FnOnce(super::dsl::KGroupedStream) -> super::dsl::KTable,
    times: &[i64],
) -> (Vec<(Window, i64)>, Vec<String>) {
    let builder = StreamsBuilder::new();
    let grouped = builder.stream("input", strings()).group_by_key(Grouped::default());
    let table = spec(grouped);
    let store = table.queryable_store_name().unwrap_or_default();
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    for t in times {
        driver.pipe_datum("input", &s("k"), &s("v"), *t);
    }
    let rows = driver.store_rows(&store).into_iter().filter_map(|r| Some((r.window?, r.value.as_i64()?))).collect();
    (rows, driver.take_logs())
}

#[test]
fn hopping_windows_start_at_the_aligned_formula() {
    let w = TimeWindows::of_size_with_no_grace(10_000).advance_by(3_000);
    let starts: Vec<i64> = w.windows_for(12_500).iter().map(|w| w.start_ms).collect();
    // max(0, 12500 - 10000 + 3000) / 3000 * 3000 = 3000, then every 3000 while <= 12500.
    assert_eq!(starts, vec![3_000, 6_000, 9_000, 12_000]);
    let tumbling: Vec<Window> = TimeWindows::of_size_with_no_grace(5_000).windows_for(12_500);
    assert_eq!(tumbling, vec![Window { start_ms: 10_000, end_ms: 15_000 }]);
    assert_eq!(TimeWindows::of_size_with_no_grace(10_000).advance_by(3_000).windows_for(1_000).len(), 1);
}

#[test]
fn tumbling_count_and_grace_drops_a_late_record() {
    let (rows, logs) = windowed_counts(
        |g| g.windowed_by_time(TimeWindows::of_size_and_grace(10_000, 2_000)).count(Materialized::as_store("c")),
        &[1_000, 5_000, 12_000, 11_000, 13_000, 9_000],
    );
    // 9000 arrives when stream time is 13000: [0,10000) closed at 10000 + 2000 <= 13000.
    assert_eq!(
        rows,
        vec![(Window { start_ms: 0, end_ms: 10_000 }, 2), (Window { start_ms: 10_000, end_ms: 20_000 }, 3)]
    );
    assert_eq!(logs.len(), 1);
    assert!(logs[0].starts_with("Skipping record for expired window. topic=[input] partition=[0] offset=[5] timestamp=[9000] window=[0,10000) expiration=[11000] streamTime=[13000]"), "{}", logs[0]);
}

#[test]
fn sliding_windows_match_the_reference_example() {
    let (rows, _) = windowed_counts(
        |g| {
            g.windowed_by_sliding(SlidingWindows::of_time_difference_with_no_grace(5_000))
                .count(Materialized::as_store("c"))
        },
        &[8_000, 9_200, 12_400],
    );
    let w = |a, b| Window { start_ms: a, end_ms: b };
    assert_eq!(
        rows,
        vec![
            (w(3_000, 8_000), 1),
            (w(4_200, 9_200), 2),
            (w(7_400, 12_400), 3),
            (w(8_001, 13_001), 2),
            (w(9_201, 14_201), 1)
        ]
    );
}

#[test]
fn early_sliding_records_share_the_window_starting_at_zero() {
    let (rows, _) = windowed_counts(
        |g| {
            g.windowed_by_sliding(SlidingWindows::of_time_difference_with_no_grace(5_000))
                .count(Materialized::as_store("c"))
        },
        &[1_000, 3_000],
    );
    let w = |a, b| Window { start_ms: a, end_ms: b };
    // processEarly: [0,5000] holds both; 1000's right window [1001,6001] holds 3000;
    // 3000's right window would be empty.
    assert_eq!(rows, vec![(w(0, 5_000), 2), (w(1_001, 6_001), 1)]);
}

#[test]
fn session_windows_merge_within_the_gap() {
    let (rows, _) = windowed_counts(
        |g| {
            g.windowed_by_session(SessionWindows::of_inactivity_gap_with_no_grace(5)).count(Materialized::as_store("c"))
        },
        &[10, 12, 20],
    );
    let w = |a, b| Window { start_ms: a, end_ms: b };
    assert_eq!(rows, vec![(w(10, 12), 2), (w(20, 20), 1)]);
    let (rows, _) = windowed_counts(
        |g| {
            g.windowed_by_session(SessionWindows::of_inactivity_gap_with_no_grace(5)).count(Materialized::as_store("c"))
        },
        &[10, 12, 20, 16],
    );
    assert_eq!(rows, vec![(w(10, 20), 4)]);
}

#[test]
fn stateless_operators_transform_each_record() {
    let builder = StreamsBuilder::new();
    let input = builder.stream("input", strings());
    let upper = input
        .filter(|_, v| v.as_str().is_some_and(|t| !t.is_empty()))
        .map_values(|_, v| s(&v.to_string().to_uppercase()));
    upper.filter_not(|_, v| v.as_str() == Some("SKIP")).to("upper", Produced::default());
    input
        .flat_map_values(|_, v| v.to_string().split(' ').map(Datum::str).collect())
        .select_key(|_, v| v.clone())
        .to("words", Produced::default());
    input.map(|k, v| (v.clone(), k.clone())).to("swapped", Produced::default());
    input
        .flat_map(|k, v| vec![(k.clone(), v.clone()), (v.clone(), k.clone())])
        .peek(|_, _| {})
        .to("both", Produced::default());
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    driver.pipe_datum("input", &s("a"), &s("hello world"), 1);
    driver.pipe_datum("input", &s("b"), &s("skip"), 2);
    driver.pipe_datum("input", &s("c"), &s(""), 3);
    let text = |r: &super::test_driver::OutputRecord| {
        let k = r.key.as_deref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
        let v = r.value.as_deref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
        format!("{k}:{v}@{}", r.timestamp_ms)
    };
    let read = |d: &mut TopologyTestDriver, t: &str| d.read_output(t).iter().map(text).collect::<Vec<_>>();
    assert_eq!(read(&mut driver, "upper"), vec!["a:HELLO WORLD@1"]);
    assert_eq!(read(&mut driver, "words"), vec!["hello:hello@1", "world:world@1", "skip:skip@2", ":@3"]);
    assert_eq!(read(&mut driver, "swapped"), vec!["hello world:a@1", "skip:b@2", ":c@3"]);
    assert_eq!(read(&mut driver, "both").len(), 6);
}

#[test]
fn split_sends_each_record_to_its_first_matching_branch() {
    let builder = StreamsBuilder::new();
    let split = builder.stream("input", strings()).split();
    split.branch(|_, v| v.as_str().is_some_and(|t| t.starts_with('a')), None).to("a", Produced::default());
    split.branch(|_, v| v.as_str().is_some_and(|t| t.len() > 3), None).to("long", Produced::default());
    split.default_branch(None).to("rest", Produced::default());
    let topology = builder.build();
    assert!(topology.describe().contains("Processor: KSTREAM-BRANCH-0000000001 (stores: [])\n      --> KSTREAM-BRANCH-00000000010, KSTREAM-BRANCH-00000000011, KSTREAM-BRANCH-00000000012"), "{}", topology.describe());
    let mut driver = TopologyTestDriver::new(topology, "app");
    for v in ["apple", "banana", "kiwi", "avocado", "fig"] {
        driver.pipe_datum("input", &Datum::Null, &s(v), 0);
    }
    let values = |d: &mut TopologyTestDriver, t: &str| {
        d.read_output(t)
            .into_iter()
            .map(|r| String::from_utf8(r.value.unwrap_or_default()).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&mut driver, "a"), vec!["apple", "avocado"]);
    assert_eq!(values(&mut driver, "long"), vec!["banana", "kiwi"]);
    assert_eq!(values(&mut driver, "rest"), vec!["fig"]);
}

#[test]
fn group_by_count_repartitions_and_logs_the_store_to_its_changelog() {
    let builder = StreamsBuilder::new();
    builder
        .stream("vitals", strings())
        .group_by(|_, v| v.clone(), Grouped::as_("by-value"))
        .count(Materialized::as_store("counts"))
        .to_stream()
        .to("counts-out", Produced::with(Serde::String, Serde::Long));
    let topology = builder.build();
    let internal: Vec<String> = topology.internal_topics("app").into_iter().map(|t| t.name).collect();
    assert_eq!(internal, vec!["app-by-value-repartition", "app-counts-changelog"]);
    let mut driver = TopologyTestDriver::new(topology, "app");
    for (k, v) in [("p1", "high"), ("p2", "low"), ("p3", "high")] {
        driver.pipe_datum("vitals", &s(k), &s(v), 5);
    }
    assert_eq!(driver.get("counts", &s("high")), Some(Datum::BigInt(2)));
    let out = driver.read_output("counts-out");
    let decoded: Vec<(String, i64)> = out
        .iter()
        .map(|r| {
            let k = String::from_utf8(r.key.clone().unwrap_or_default()).unwrap_or_default();
            let v = Serde::Long.deserialize(r.value.as_deref()).ok().and_then(|d| d.as_i64()).unwrap_or(-1);
            (k, v)
        })
        .collect();
    assert_eq!(decoded, vec![("high".to_string(), 1), ("low".to_string(), 1), ("high".to_string(), 2)]);
    // The repartition topic carries the new keys; the changelog one update per input.
    assert_eq!(driver.read_output("app-by-value-repartition").len(), 3);
    let changelog = driver.read_output("app-counts-changelog");
    assert_eq!(changelog.len(), 3);
    assert_eq!(changelog[2].value, Some(2i64.to_be_bytes().to_vec()));
}

#[test]
fn reduce_and_aggregate_fold_values_per_key() {
    let builder = StreamsBuilder::new();
    let grouped = builder.stream("bpm", Consumed::with(Serde::String, Serde::Long)).group_by_key(Grouped::default());
    grouped.reduce(|a, v| if v > a { v.clone() } else { a.clone() }, Materialized::as_store("max"));
    grouped.aggregate(
        || Datum::BigInt(0),
        |_, v, a| Datum::BigInt(a.as_i64().unwrap_or(0) + v.as_i64().unwrap_or(0)),
        Materialized::as_store("sum").with_value_serde(Serde::Long),
    );
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    for (k, v) in [("p1", 80), ("p1", 110), ("p2", 60), ("p1", 95)] {
        driver.pipe_datum("bpm", &s(k), &Datum::BigInt(v), 0);
    }
    assert_eq!(driver.get("max", &s("p1")), Some(Datum::BigInt(110)));
    assert_eq!(driver.get("sum", &s("p1")), Some(Datum::BigInt(285)));
    assert_eq!(driver.get("sum", &s("p2")), Some(Datum::BigInt(60)));
}

#[test]
fn table_updates_replace_and_tombstones_delete() {
    let builder = StreamsBuilder::new();
    let table = builder.table("status", strings(), Materialized::as_store("status-store"));
    table.filter(|_, v| v.as_str() != Some("ok"), None).to_stream().to("alerts", Produced::default());
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    driver.pipe("status", Some(b"p1"), Some(b"ok"), 1);
    driver.pipe("status", Some(b"p1"), Some(b"critical"), 2);
    driver.pipe("status", Some(b"p2"), Some(b"ok"), 3);
    driver.pipe("status", Some(b"p1"), None, 4);
    assert_eq!(driver.get("status-store", &s("p1")), None);
    assert_eq!(driver.get("status-store", &s("p2")), Some(s("ok")));
    let alerts: Vec<(Option<Vec<u8>>, i64)> =
        driver.read_output("alerts").into_iter().map(|r| (r.value, r.timestamp_ms)).collect();
    // Without old values downstream (`sendOldValues` off), a filtered-out update is
    // forwarded as a delete, as `KTableFilter` does.
    assert_eq!(alerts, vec![(None, 1), (Some(b"critical".to_vec()), 2), (None, 3), (None, 4)]);
    let changelog = driver.read_output("app-status-store-changelog");
    assert_eq!(changelog.last().map(|r| r.value.clone()), Some(None));
}

#[test]
fn table_group_by_count_subtracts_the_old_group() {
    let builder = StreamsBuilder::new();
    builder
        .table("patient-ward", strings(), Materialized::default())
        .group_by(|_, ward| (ward.clone(), ward.clone()), Grouped::default())
        .count(Materialized::as_store("per-ward"));
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    driver.pipe("patient-ward", Some(b"p1"), Some(b"icu"), 1);
    driver.pipe("patient-ward", Some(b"p2"), Some(b"icu"), 2);
    driver.pipe("patient-ward", Some(b"p1"), Some(b"cardio"), 3);
    assert_eq!(driver.get("per-ward", &s("icu")), Some(Datum::BigInt(1)));
    assert_eq!(driver.get("per-ward", &s("cardio")), Some(Datum::BigInt(1)));
    driver.pipe("patient-ward", Some(b"p2"), None, 4);
    assert_eq!(driver.get("per-ward", &s("icu")), Some(Datum::BigInt(0)));
}

#[test]
fn stream_table_joins_look_up_the_table_at_record_time() {
    let builder = StreamsBuilder::new();
    let patients = builder.table("patients", strings(), Materialized::default());
    let vitals = builder.stream("vitals", strings());
    let joiner = |_: &Datum, v: &Datum, p: &Datum| s(&format!("{v}/{p}"));
    vitals.join_table(&patients, joiner, JoinKind::Inner, Joined::default()).to("inner", Produced::default());
    vitals.join_table(&patients, joiner, JoinKind::Left, Joined::default()).to("left", Produced::default());
    let topology = builder.build();
    assert!(
        topology.describe().contains("Processor: KSTREAM-JOIN-0000000004 (stores: [patients-STATE-STORE-0000000000])"),
        "{}",
        topology.describe()
    );
    let mut driver = TopologyTestDriver::new(topology, "app");
    driver.pipe("vitals", Some(b"p1"), Some(b"80"), 1);
    driver.pipe("patients", Some(b"p1"), Some(b"Ada"), 2);
    driver.pipe("vitals", Some(b"p1"), Some(b"90"), 3);
    let values = |d: &mut TopologyTestDriver, t: &str| {
        d.read_output(t)
            .into_iter()
            .map(|r| String::from_utf8(r.value.unwrap_or_default()).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&mut driver, "inner"), vec!["90/Ada"]);
    assert_eq!(values(&mut driver, "left"), vec!["80/null", "90/Ada"]);
}

#[test]
fn table_table_joins_follow_kafkas_null_semantics() {
    let builder = StreamsBuilder::new();
    let a = builder.table("a", strings(), Materialized::default());
    let b = builder.table("b", strings(), Materialized::default());
    let joiner = |_: &Datum, l: &Datum, r: &Datum| s(&format!("{l}+{r}"));
    a.join(&b, joiner, JoinKind::Inner, None).to_stream().to("inner", Produced::default());
    a.join(&b, joiner, JoinKind::Left, None).to_stream().to("left", Produced::default());
    a.join(&b, joiner, JoinKind::Outer, None).to_stream().to("outer", Produced::default());
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    driver.pipe("a", Some(b"k"), Some(b"A1"), 1);
    driver.pipe("b", Some(b"k"), Some(b"B1"), 2);
    driver.pipe("a", Some(b"k"), None, 3);
    let values = |d: &mut TopologyTestDriver, t: &str| {
        d.read_output(t)
            .into_iter()
            .map(|r| r.value.map(|v| String::from_utf8(v).unwrap_or_default()).unwrap_or("<null>".into()))
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&mut driver, "inner"), vec!["A1+B1", "<null>"]);
    assert_eq!(values(&mut driver, "left"), vec!["A1+null", "A1+B1", "<null>"]);
    assert_eq!(values(&mut driver, "outer"), vec!["A1+null", "A1+B1", "null+B1"]);
}

#[test]
fn stream_stream_joins_pair_records_within_the_window() {
    let builder = StreamsBuilder::new();
    let left = builder.stream("left", strings());
    let right = builder.stream("right", strings());
    let joiner = |_: &Datum, l: &Datum, r: &Datum| s(&format!("{l}+{r}"));
    let w = JoinWindows::of_time_difference_with_no_grace(100);
    left.join_stream(&right, joiner, w, JoinKind::Inner, Joined::as_("inner")).to("inner", Produced::default());
    left.join_stream(&right, joiner, w, JoinKind::Left, Joined::as_("left")).to("left", Produced::default());
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    driver.pipe("left", Some(b"k"), Some(b"L1"), 1_000);
    driver.pipe("right", Some(b"k"), Some(b"R1"), 1_050);
    driver.pipe("left", Some(b"k"), Some(b"L2"), 1_500);
    // Stream time moves past 1500 + 100: L2's window closed without a match.
    driver.pipe("right", Some(b"x"), Some(b"late"), 1_700);
    let values = |d: &mut TopologyTestDriver, t: &str| {
        d.read_output(t)
            .into_iter()
            .map(|r| (String::from_utf8(r.value.unwrap_or_default()).unwrap_or_default(), r.timestamp_ms))
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&mut driver, "inner"), vec![("L1+R1".to_string(), 1_050)]);
    assert_eq!(values(&mut driver, "left"), vec![("L1+R1".to_string(), 1_050), ("L2+null".to_string(), 1_500)]);
}

#[test]
fn suppress_emits_one_final_result_when_the_window_closes() {
    let builder = StreamsBuilder::new();
    builder
        .stream("input", strings())
        .group_by_key(Grouped::default())
        .windowed_by_time(TimeWindows::of_size_with_no_grace(10))
        .count(Materialized::default())
        .suppress_until_window_closes(None)
        .to_windowed_topic("final", Produced::with(Serde::String, Serde::Long));
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    for t in [1, 3, 5] {
        driver.pipe_datum("input", &s("k"), &s("v"), t);
    }
    assert!(driver.read_output("final").is_empty());
    driver.pipe_datum("input", &s("k"), &s("v"), 12);
    let out = driver.read_output("final");
    assert_eq!(out.len(), 1);
    let (key, window) = Serde::String
        .deserialize_windowed(out[0].key.as_deref().unwrap_or_default(), super::serde::WindowedKeyFormat::Time, 10)
        .expect("a windowed key");
    assert_eq!((key, window), (s("k"), Window { start_ms: 0, end_ms: 10 }));
    assert_eq!(out[0].value, Some(3i64.to_be_bytes().to_vec()));
}

#[test]
fn windowed_rows_show_their_window_to_value_mappers() {
    let builder = StreamsBuilder::new();
    builder
        .stream("input", strings())
        .group_by_key(Grouped::default())
        .windowed_by_time(TimeWindows::of_size_with_no_grace(10))
        .count(Materialized::default())
        .to_stream()
        .map_values_with_window(|_, w, v| s(&format!("{v}@{}", w.map_or(-1, |w| w.start_ms))))
        .collect();
    let mut driver = TopologyTestDriver::new(builder.build(), "app");
    driver.pipe_datum("input", &s("k"), &s("v"), 12);
    let rows: Vec<(Option<Window>, Datum)> = driver.take_collected().into_iter().map(|c| (c.window, c.value)).collect();
    assert_eq!(rows, vec![(Some(Window { start_ms: 10, end_ms: 20 }), s("1@10"))]);
}

#[test]
fn named_operations_take_the_given_names_without_burning_indexes() {
    let builder = StreamsBuilder::new();
    builder
        .stream("pageviews", strings())
        .transform_values(|_, _, v| v.clone())
        .named("WhereFilter")
        .filter(|_, _| true)
        .named("Project")
        .transform_values(|_, _, v| v.clone())
        .to("PAGEVIEWS_FILTERED", Produced::default());
    assert_eq!(
        builder.build().describe(),
        "Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [pageviews])\n      --> KSTREAM-TRANSFORMVALUES-0000000001\n    Processor: KSTREAM-TRANSFORMVALUES-0000000001 (stores: [])\n      --> WhereFilter\n      <-- KSTREAM-SOURCE-0000000000\n    Processor: WhereFilter (stores: [])\n      --> Project\n      <-- KSTREAM-TRANSFORMVALUES-0000000001\n    Processor: Project (stores: [])\n      --> KSTREAM-SINK-0000000002\n      <-- WhereFilter\n    Sink: KSTREAM-SINK-0000000002 (topic: PAGEVIEWS_FILTERED)\n      <-- Project\n\n"
    );
}

#[test]
fn deserialization_errors_fail_or_skip_by_handler() {
    let build = || {
        let builder = StreamsBuilder::new();
        builder.stream("n", Consumed::with(Serde::String, Serde::Long)).to("out", Produced::default());
        builder.build()
    };
    let mut failing = TopologyTestDriver::new(build(), "app");
    failing.pipe("n", Some(b"k"), Some(b"abc"), 0);
    assert!(failing.failed().is_some_and(|e| e.message.contains("Size of data received by LongDeserializer is not 8")));
    let mut skipping = TopologyTestDriver::new(build(), "app").with_handler(DeserializationHandler::LogAndContinue);
    skipping.pipe("n", Some(b"k"), Some(b"abc"), 0);
    skipping.pipe("n", Some(b"k"), Some(&7i64.to_be_bytes()), 1);
    assert!(skipping.failed().is_none());
    assert_eq!(skipping.read_output("out").len(), 1);
    assert!(skipping.take_logs()[0]
        .contains("Exception caught during Deserialization, taskId: 0_0, topic: n, partition: 0, offset: 0"));
}

#[test]
fn serdes_round_trip_kafka_layouts() {
    assert_eq!(Serde::Long.serialize(&Datum::BigInt(2)).ok().flatten(), Some(vec![0, 0, 0, 0, 0, 0, 0, 2]));
    assert_eq!(Serde::Integer.deserialize(Some(&[0, 0, 1, 0])), Ok(Datum::Int(256)));
    let json = Serde::Json.deserialize(Some(br#"{"b":1,"a":[true,null],"c":2.5}"#)).expect("valid JSON");
    assert_eq!(super::serde::to_json(&json), r#"{"b":1,"a":[true,null],"c":2.5}"#);
    let windowed = Serde::String.serialize_windowed(
        &s("k"),
        Window { start_ms: 5, end_ms: 9 },
        super::serde::WindowedKeyFormat::Session,
    );
    assert_eq!(
        windowed.ok().flatten(),
        Some([b"k".to_vec(), 9i64.to_be_bytes().to_vec(), 5i64.to_be_bytes().to_vec()].concat())
    );
    let csv = Serde::Delimited { field_names: vec!["ID".into(), "NAME".into()] };
    assert_eq!(
        csv.deserialize(Some(b"1,\"Smith, J\"")),
        Ok(Datum::Struct(vec![("ID".into(), s("1")), ("NAME".into(), s("Smith, J"))]))
    );
    assert!(csv.deserialize(Some(b"1,2,3")).is_err());
    assert_eq!(Datum::Double(1e10).to_string(), "1.0E10");
    assert_eq!(Datum::Double(0.5).to_string(), "0.5");
}

#[test]
fn tasks_count_records_per_edge() {
    use super::task::{InputRecord, Task, TaskId};
    let builder = StreamsBuilder::new();
    let a = builder.stream("a", strings());
    let b = builder.stream("b", strings());
    a.merge(&b).filter(|_, v| v.as_str() != Some("drop")).to("out", Produced::default());
    let topology = builder.build();
    let mut task = Task::new(TaskId { subtopology: 0, partition: 0 }, &topology);
    let mut out = Vec::new();
    for (offset, (topic, value)) in [("a", "x"), ("a", "drop"), ("b", "y")].into_iter().enumerate() {
        let input = InputRecord {
            topic: topic.to_string(),
            partition: 0,
            offset: offset as u64,
            timestamp_ms: 1,
            key: None,
            value: Some(value.as_bytes().to_vec()),
        };
        assert!(task.process(&topology, &input, DeserializationHandler::LogAndFail, &mut out).is_ok());
    }
    let name = |i: usize| topology.nodes[i].name.clone();
    let edges: Vec<(String, String, u64)> = task.edges.iter().map(|((f, t), n)| (name(*f), name(*t), *n)).collect();
    assert_eq!(
        edges,
        vec![
            ("KSTREAM-SOURCE-0000000000".to_string(), "KSTREAM-MERGE-0000000002".to_string(), 2),
            ("KSTREAM-SOURCE-0000000001".to_string(), "KSTREAM-MERGE-0000000002".to_string(), 1),
            ("KSTREAM-MERGE-0000000002".to_string(), "KSTREAM-FILTER-0000000003".to_string(), 3),
            ("KSTREAM-FILTER-0000000003".to_string(), "KSTREAM-SINK-0000000004".to_string(), 2),
        ]
    );
}
