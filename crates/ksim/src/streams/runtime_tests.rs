//! Streams applications on a simulated 3-broker cluster: records in, output topic out,
//! a restart and a second instance restoring their counts from the changelog, and the
//! same seed giving the same bytes.

use super::datum::Datum;
use super::dsl::{Consumed, Grouped, Materialized, Produced, StreamsBuilder};
use super::runtime::{AppId, StreamsConfig, StreamsState};
use super::serde::Serde;
use super::topology::Topology;
use crate::console::Console;
use crate::world::World;

/// `ksim start-cluster --brokers 3` and the input topic.
fn cluster(seed: u64, partitions: u32) -> (World, Console) {
    let mut world = World::new(seed);
    let mut con = Console::new(seed, true);
    con.input(&mut world, "ksim start-cluster --brokers 3 --controllers 1");
    con.input(
        &mut world,
        &format!("kafka-topics.sh --create --topic vitals --partitions {partitions} --replication-factor 3 --bootstrap-server localhost:9092"),
    );
    assert!(con.output.iter().any(|l| l.text == "Created topic vitals."), "{:?}", con.output);
    (world, con)
}

/// Counts readings per patient (the record key) into `counts`, written to `counts-out`.
fn count_topology() -> Topology {
    let builder = StreamsBuilder::new();
    builder
        .stream("vitals", Consumed::with(Serde::String, Serde::String))
        .group_by_key(Grouped::default())
        .count(Materialized::as_store("counts"))
        .to_stream()
        .to("counts-out", Produced::with(Serde::String, Serde::Long));
    builder.build()
}

fn start(world: &mut World, con: &mut Console) -> AppId {
    let app =
        world.start_streams(count_topology(), StreamsConfig::new("vitals-counter", vec!["localhost:9092".to_string()]));
    con.advance(world, 10_000);
    app
}

/// Types `key:value` lines into the console producer and closes it.
fn produce(world: &mut World, con: &mut Console, lines: &[&str]) {
    con.input(world, "kafka-console-producer.sh --topic vitals --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092");
    for l in lines {
        con.input(world, &format!("> {l}"));
    }
    con.end_of_input(world);
    con.advance(world, 5_000);
}

/// Every committed record of a topic: `(key, value as a Long)`, partition by partition.
fn read_longs(world: &World, topic: &str) -> Vec<(String, i64)> {
    let partitions = world.freshest_image().and_then(|i| i.topics.get(topic)).map_or(0, |t| t.partitions.len() as u32);
    let mut out = Vec::new();
    for p in 0..partitions {
        for r in super::runtime::read_committed_log(world, topic, p) {
            let key = String::from_utf8(r.key().unwrap_or_default().to_vec()).unwrap_or_default();
            let value = Serde::Long.deserialize(r.value()).ok().and_then(|d| d.as_i64()).unwrap_or(-1);
            out.push((key, value));
        }
    }
    out
}

fn count_of(world: &World, app: AppId, patient: &str) -> Option<i64> {
    world.streams(app)?.get("counts", &Datum::str(patient)).first()?.value.as_i64()
}

#[test]
fn an_application_counts_records_into_its_output_topic() {
    let (mut world, mut con) = cluster(11, 3);
    let app = start(&mut world, &mut con);
    assert_eq!(world.streams(app).map(|a| a.state()), Some(StreamsState::Running));
    produce(&mut world, &mut con, &["p1:80", "p2:71", "p1:82", "p3:64", "p1:90"]);
    assert_eq!(count_of(&world, app, "p1"), Some(3));
    assert_eq!(count_of(&world, app, "p3"), Some(1));
    let mut out = read_longs(&world, "counts-out");
    out.sort();
    let want: Vec<(String, i64)> =
        [("p1", 1), ("p1", 2), ("p1", 3), ("p2", 1), ("p3", 1)].iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(out, want);
    // The changelog exists, compacted, with the sources' partition count.
    let image = world.freshest_image().expect("a metadata image");
    let changelog = image.topics.get("vitals-counter-counts-changelog").expect("the changelog topic");
    assert_eq!(changelog.partitions.len(), 3);
    assert_eq!(changelog.configs.get("cleanup.policy").map(String::as_str), Some("compact"));
    let logs = world.take_streams_output(app).logs;
    assert!(logs.iter().any(|l| l.text.contains("State transition from REBALANCING to RUNNING")));
}

#[test]
fn a_restarted_application_restores_its_counts_from_the_changelog() {
    let (mut world, mut con) = cluster(12, 3);
    let first = start(&mut world, &mut con);
    produce(&mut world, &mut con, &["p1:80", "p1:82", "p2:71"]);
    // Past commit.interval.ms, so the offsets are committed before the restart.
    con.advance(&mut world, 31_000);
    world.close_streams(first);
    con.advance(&mut world, 5_000);
    assert_eq!(world.streams(first).map(|a| a.state()), Some(StreamsState::NotRunning));
    let second = start(&mut world, &mut con);
    assert_eq!(count_of(&world, second, "p1"), Some(2), "restored before any new record");
    produce(&mut world, &mut con, &["p1:85", "p2:70"]);
    assert_eq!(count_of(&world, second, "p1"), Some(3));
    assert_eq!(count_of(&world, second, "p2"), Some(2));
    let logs = world.take_streams_output(second).logs;
    assert!(
        logs.iter().any(|l| l.text.contains("Finished restoring changelog vitals-counter-counts-changelog-")),
        "{logs:?}"
    );
}

#[test]
fn a_second_instance_takes_over_tasks_with_their_state() {
    let (mut world, mut con) = cluster(13, 3);
    let first = start(&mut world, &mut con);
    let patients = ["p1", "p2", "p3", "p4", "p5", "p6"];
    let lines: Vec<String> = patients.iter().map(|p| format!("{p}:1")).collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    produce(&mut world, &mut con, &refs);
    con.advance(&mut world, 31_000);
    let second = start(&mut world, &mut con);
    con.advance(&mut world, 10_000);
    let tasks = |w: &World, a| w.streams(a).map(|s| s.task_ids().len()).unwrap_or(0);
    assert_eq!(tasks(&world, first) + tasks(&world, second), 3);
    assert!(tasks(&world, second) >= 1, "the group gave the new instance a task");
    produce(&mut world, &mut con, &refs);
    for p in patients {
        let total: i64 = [first, second].iter().filter_map(|a| count_of(&world, *a, p)).max().unwrap_or(0);
        assert_eq!(total, 2, "{p} counted on");
    }
}

#[test]
fn the_same_seed_gives_the_same_output_bytes() {
    let run = |seed| {
        let (mut world, mut con) = cluster(seed, 3);
        start(&mut world, &mut con);
        produce(&mut world, &mut con, &["p1:80", "p2:71", "p1:82"]);
        (read_longs(&world, "counts-out"), world.events_processed())
    };
    assert_eq!(run(21), run(21));
}

#[test]
fn a_crashed_instances_tasks_move_after_the_session_timeout() {
    let (mut world, mut con) = cluster(14, 3);
    let first = start(&mut world, &mut con);
    let second = start(&mut world, &mut con);
    con.advance(&mut world, 10_000);
    produce(&mut world, &mut con, &["p1:1", "p2:1", "p3:1", "p4:1"]);
    con.advance(&mut world, 31_000);
    world.crash_streams(first);
    // Within session.timeout.ms (45 s) the group still counts the dead member.
    con.advance(&mut world, 20_000);
    assert!(world.streams(second).map_or(0, |a| a.task_ids().len()) < 3);
    con.advance(&mut world, 40_000);
    assert_eq!(world.streams(second).map(|a| a.task_ids().len()), Some(3));
    produce(&mut world, &mut con, &["p1:2", "p2:2", "p3:2", "p4:2"]);
    for p in ["p1", "p2", "p3", "p4"] {
        assert_eq!(count_of(&world, second, p), Some(2), "{p} restored and counted on");
    }
}

#[test]
fn the_page_sees_the_topology_with_counts_tasks_and_rows() {
    let (mut world, mut con) = cluster(15, 1);
    let app = start(&mut world, &mut con);
    produce(&mut world, &mut con, &["p1:80", "p1:82", "p2:70", "p3:75"]);
    let view = world.streams(app).map(|a| a.view(usize::MAX)).expect("the app");
    assert_eq!(view.state, "RUNNING");
    let source = view.nodes.iter().find(|n| n.kind == "Source").expect("a source");
    assert_eq!((source.topics.clone(), source.records), (vec!["vitals".to_string()], 4));
    assert!(view
        .edges
        .iter()
        .any(|e| e.from == "KSTREAM-SOURCE-0000000000" && e.to == "KSTREAM-AGGREGATE-0000000001" && e.records == 4));
    assert_eq!(view.tasks.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), vec!["0_0"]);
    let table = view.tables.iter().find(|t| t.store == "counts").expect("the counts table");
    assert_eq!(table.changelog_topic.as_deref(), Some("vitals-counter-counts-changelog"));
    let rows =
        |t: &crate::StreamsTableView| t.rows.iter().map(|r| (r.key.clone(), r.value.clone())).collect::<Vec<_>>();
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(rows(table), [pair("p1", "2"), pair("p2", "1"), pair("p3", "1")]);
    assert_eq!(table.rows_total, 3);
    // The Kafka UI asks for the first rows only, and shows the total.
    let capped = world.streams(app).map(|a| a.view(2)).expect("the app");
    let table = capped.tables.iter().find(|t| t.store == "counts").expect("the counts table");
    assert_eq!((rows(table), table.rows_total), (vec![pair("p1", "2"), pair("p2", "1")], 3));
}

#[test]
fn a_record_it_cannot_read_stops_the_application_with_log_and_fail() {
    let (mut world, mut con) = cluster(16, 1);
    let builder = StreamsBuilder::new();
    builder.stream("vitals", Consumed::with(Serde::String, Serde::Long)).to("out", Produced::default());
    let app = world.start_streams(builder.build(), StreamsConfig::new("reader", vec!["localhost:9092".to_string()]));
    con.advance(&mut world, 10_000);
    produce(&mut world, &mut con, &["p1:not-a-long"]);
    assert_eq!(world.streams(app).map(|a| a.state()), Some(StreamsState::Error));
    let logs = world.take_streams_output(app).logs;
    assert!(logs.iter().any(|l| l.text.contains("Size of data received by LongDeserializer is not 8")), "{logs:?}");
    assert!(logs.iter().any(|l| l.text.contains("State transition from PENDING_ERROR to ERROR")));
}

#[test]
fn a_missing_source_topic_fails_the_first_rebalance() {
    let (mut world, mut con) = cluster(17, 1);
    let builder = StreamsBuilder::new();
    builder.stream("no-such-topic", Consumed::default()).to("out", Produced::default());
    let app = world.start_streams(builder.build(), StreamsConfig::new("lost", vec!["localhost:9092".to_string()]));
    con.advance(&mut world, 5_000);
    assert_eq!(world.streams(app).map(|a| a.state()), Some(StreamsState::Error));
    let logs = world.take_streams_output(app).logs;
    assert!(logs.iter().any(|l| l
        .text
        .contains("MissingSourceTopicException: One or more source topics were missing during rebalance")));
}

#[test]
fn two_instances_keep_a_joins_partitions_together() {
    let (mut world, mut con) = cluster(18, 3);
    con.input(&mut world, "kafka-topics.sh --create --topic patients --partitions 3 --replication-factor 3 --bootstrap-server localhost:9092");
    let topology = || {
        let builder = StreamsBuilder::new();
        let patients = builder.table("patients", Consumed::with(Serde::String, Serde::String), Materialized::default());
        builder
            .stream("vitals", Consumed::with(Serde::String, Serde::String))
            .join_table(
                &patients,
                |_, v, p| Datum::str(&format!("{p}:{v}")),
                super::topology::JoinKind::Inner,
                super::dsl::Joined::default(),
            )
            .to("joined", Produced::default());
        builder.build()
    };
    let config = || StreamsConfig::new("enricher", vec!["localhost:9092".to_string()]);
    let first = world.start_streams(topology(), config());
    con.advance(&mut world, 10_000);
    let second = world.start_streams(topology(), config());
    con.advance(&mut world, 15_000);
    // Member ids start with the instance's process id on every topic, so the range
    // assignor gives each instance the same partition numbers of both topics.
    for app in [first, second] {
        let by_topic = world.streams(app).map(|a| a.assigned_partitions()).unwrap_or_default();
        assert_eq!(by_topic.get("vitals"), by_topic.get("patients"), "{by_topic:?}");
        assert!(by_topic.get("vitals").is_some_and(|ps| !ps.is_empty()), "both instances work: {by_topic:?}");
    }
    let patients: Vec<String> = (1..=6).map(|i| format!("p{i}:name{i}")).collect();
    con.input(&mut world, "kafka-console-producer.sh --topic patients --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092");
    for l in &patients {
        con.input(&mut world, &format!("> {l}"));
    }
    con.end_of_input(&mut world);
    con.advance(&mut world, 5_000);
    let vitals: Vec<String> = (1..=6).map(|i| format!("p{i}:{}", 60 + i)).collect();
    let refs: Vec<&str> = vitals.iter().map(String::as_str).collect();
    produce(&mut world, &mut con, &refs);
    let partitions =
        world.freshest_image().and_then(|i| i.topics.get("joined")).map_or(0, |t| t.partitions.len() as u32);
    let mut joined: Vec<String> = (0..partitions)
        .flat_map(|p| super::runtime::read_committed_log(&world, "joined", p))
        .map(|r| String::from_utf8(r.value().unwrap_or_default().to_vec()).unwrap_or_default())
        .collect();
    joined.sort();
    let want: Vec<String> = (1..=6).map(|i| format!("name{i}:{}", 60 + i)).collect();
    assert_eq!(joined, want);
}

#[test]
fn with_a_record_cache_updates_collapse_until_the_commit() {
    let (mut world, mut con) = cluster(19, 1);
    let mut config = StreamsConfig::new("cached-counter", vec!["localhost:9092".to_string()]);
    config.statestore_cache_max_bytes = 10_485_760;
    let app = world.start_streams(count_topology(), config);
    con.advance(&mut world, 10_000);
    produce(&mut world, &mut con, &["p1:80", "p1:82", "p2:71", "p1:90"]);
    // Interactive queries read through the cache; nothing was forwarded yet.
    assert_eq!(count_of(&world, app, "p1"), Some(3));
    assert!(read_longs(&world, "counts-out").is_empty());
    assert!(read_longs(&world, "cached-counter-counts-changelog").is_empty());
    con.advance(&mut world, 30_000);
    let mut out = read_longs(&world, "counts-out");
    out.sort();
    assert_eq!(out, vec![("p1".to_string(), 3), ("p2".to_string(), 1)]);
    assert_eq!(read_longs(&world, "cached-counter-counts-changelog").len(), 2);
}
