//! ksim: a deterministic discrete-event simulator of Apache Kafka, sans-IO.
//!
//! Architecture Invariant: nothing here reads a clock, a file, the network or an OS
//! random source; the same seed and inputs give the same events on every platform.

mod assignor;
pub mod bench;
mod broker;
mod broker_config;
mod chunk_list;
mod client;
mod config;
mod console;
mod consumer_group;
mod controller;
mod error;
mod exercise;
mod group_coordinator;
mod ids;
mod invariants;
mod java;
mod json;
mod kafka_script;
mod ksql;
mod log_manager;
mod metadata;
mod net;
mod node;
mod partition_log;
mod partitioner;
mod producer_state;
mod protocol;
mod raft;
mod replica_manager;
mod replication_check;
mod rng;
mod server;
mod session;
mod share;
pub mod sort;
// The ksqlDB layer and the bundled demos use only part of the Streams DSL; the rest
// (branches, sliding windows, stream–stream joins, …) is exercised by its tests.
#[allow(dead_code)]
mod streams;
mod sweep;
mod time;
mod topic_name;
mod trace;
pub mod vec_map;
mod view;
mod world;

pub use chunk_list::ChunkList;
pub use exercise::{
    builtin_exercises, load_exercise, Baseline, Check, CheckResult, Exercise, ExerciseCheck, ExerciseStep, LoadError,
    NodeStateWanted, BUILTIN_EXERCISE_FILES, EXERCISE_FILE_BYTES_MAX,
};
pub use session::{run_script, run_script_with_trace, ConsoleLine, Session, Stream, TRACE_BYTES_MAX};
pub use share::{ImportError, Replay, ShareError, SESSION_FILE_BYTES_MAX, SHARE_PAYLOAD_BYTES_MAX};
pub use streams::view::{
    StreamsAppView, StreamsEdgeView, StreamsNodeView, StreamsRowView, StreamsTableView, StreamsTaskView,
};
pub use sweep::{sweep_seed, Scenario, SeedReport, SweepConfig};
pub use trace::{Trace, TraceEntry};
pub use view::*;
