//! ksim: a deterministic discrete-event simulator of Apache Kafka, sans-IO.
//!
//! Architecture Invariant: nothing here reads a clock, a file, the network or an OS
//! random source; the same seed and inputs give the same events on every platform.

mod assignor;
pub mod bench;
mod broker;
mod broker_config;
mod client;
mod config;
mod console;
mod consumer_group;
mod controller;
mod error;
mod group_coordinator;
mod ids;
mod invariants;
mod json;
mod log_manager;
mod metadata;
mod net;
mod node;
mod partition_log;
mod partitioner;
mod protocol;
mod raft;
mod replica_manager;
mod replication_check;
mod rng;
mod server;
mod session;
mod sweep;
mod time;
mod topic_name;
mod view;
mod world;

pub use session::{run_script, run_script_with_trace, ConsoleLine, Session, Stream, TraceEntry};
pub use sweep::{sweep_seed, Scenario, SeedReport, SweepConfig};
pub use view::*;
