//! Kafka Streams in the simulator: the DSL, topologies, the processing semantics of its
//! operators (windows, joins, tables), state stores with changelogs, and applications
//! that run against the simulated cluster through a consumer group.
//!
//! # API (for the ksqlDB layer and the console)
//!
//! Build a topology as in Java, with closures over [`Datum`]s:
//!
//! ```text
//! let builder = StreamsBuilder::new();                       // dsl.rs
//! let views = builder.stream("pageviews", Consumed::with(Serde::String, Serde::Json));
//! let counts = views
//!     .filter(|_k, v| v.field("USERID").is_some())           // KSTREAM-FILTER-0000000001
//!     .group_by(|_k, v| v.field("USERID").cloned().unwrap_or(Datum::Null), Grouped::as_("by-user"))
//!     .count(Materialized::as_store("counts"));                // queryable store "counts"
//! counts.to_stream().to("counts-topic", Produced::with(Serde::String, Serde::Long));
//! let topology = builder.build();                            // topology.rs, plain data
//! topology.describe();                                       // Kafka's exact text
//! ```
//!
//! - Naming: `stream.named("X")`/`table.named("X")`/`grouped.named("X")` name the next
//!   operation (`Named.as`); [`Grouped::as_`] names the repartition topic; [`Materialized::as_store`]
//!   names (and makes queryable) a store; `Consumed::with_name`, `Produced::with_name`.
//! - KStream: `filter`, `filter_not`, `map`, `map_values`, `transform_values`,
//!   `transform_values_or_drop` (ksqlDB's decoding step), `select_key`, `flat_map`,
//!   `flat_map_values`, `peek`, `merge`, `split()` → `branch`/`default_branch`, `to`,
//!   `collect` (a `KSTREAM-FOREACH` whose records the app keeps: push queries),
//!   `group_by_key`, `group_by`, `join_table(table, joiner, JoinKind, Joined)`,
//!   `join_stream(other, joiner, JoinWindows, JoinKind, Joined)`, `to_table`.
//! - KTable: `filter`, `filter_not`, `map_values` (each with an optional `Materialized`),
//!   `to_stream`, `join(other, joiner, JoinKind, Option<Materialized>)`, `group_by`,
//!   `suppress_until_window_closes`, `to_windowed_topic`, `queryable_store_name`.
//! - Grouped: `count`, `reduce`, `aggregate`; `windowed_by_time(TimeWindows)`,
//!   `windowed_by_sliding(SlidingWindows)`, `windowed_by_session(SessionWindows)` then
//!   `count`/`reduce`/`aggregate` (window.rs). KGroupedTable: `count`, `reduce`, `aggregate`
//!   with subtractors.
//! - Joiners get `(key, this value, other value)`; a missing side is `Datum::Null`.
//!
//! Run it without a cluster with [`TopologyTestDriver`] (test_driver.rs: `pipe`,
//! `pipe_datum`, `read_output`, `store_rows`, `take_logs`, `take_collected`), or on the
//! simulated cluster (runtime.rs):
//!
//! ```text
//! let app = world.start_streams(topology, StreamsConfig::new("my-app", vec!["localhost:9092".into()]));
//! world.streams(app).map(|a| a.state());                   // CREATED, REBALANCING, RUNNING, …
//! world.streams(app).map(|a| a.rows("counts"));             // a table's rows (pull queries)
//! world.streams(app).map(|a| a.get("counts", &key));        // one key's rows
//! world.take_streams_output(app);                           // log lines and collected records
//! world.close_streams(app);                                 // commit, leave the group
//! world.forget_streams(app);                                // a closed app leaves the view
//! ```
//!
//! The application runs inside the world: its consumer and producer clients are
//! ordinary client processes whose events the world hands to the app (not to the
//! console), so records are processed the moment they arrive, whichever job is in
//! the foreground. view.rs gives the page's data (`StreamsAppView`).

pub(crate) mod datum;
pub(crate) mod dsl;
pub(crate) mod runtime;
pub(crate) mod serde;
pub(crate) mod store;
pub(crate) mod task;
pub(crate) mod test_driver;
pub(crate) mod topology;
pub(crate) mod view;
pub(crate) mod window;

pub(crate) use datum::Datum;
pub(crate) use dsl::{Consumed, Grouped, Materialized, Produced, StreamsBuilder};
pub(crate) use serde::Serde;
pub(crate) use topology::Topology;
// Entry points used by the ksqlDB layer by their full path, or only by tests.
#[allow(unused_imports)]
pub(crate) use {dsl::Joined, serde::DeserializationHandler, test_driver::TopologyTestDriver, topology::JoinKind};

#[cfg(test)]
mod runtime_tests;
#[cfg(test)]
mod tests;
