//! View models: pure functions from the core's plain-data views to what the components
//! draw (positions, labels, classes). No DOM here, so all of it is tested natively.

pub mod big_cluster;
pub mod connect;
pub mod console_lines;
pub mod diagram;
pub mod exercise;
pub mod glossary;
pub mod groups;
pub mod inspector;
pub mod kafka_ui;
pub mod log_strip;
pub mod message;
pub mod narration;
pub mod network;
pub mod replicas;
pub mod streams;
pub mod time_format;
pub mod timeline;
pub mod topics;
