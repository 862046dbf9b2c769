//! Yew function components, one per file. They map view models to `html!` and turn
//! gestures into `Action`s; the logic lives in `view_model` and `playground`.

pub mod app;
pub mod banner;
pub mod classroom_bar;
pub mod client_box;
pub mod cluster_diagram;
pub mod connect_panel;
pub mod console;
pub mod exercise_panel;
pub mod groups_panel;
pub mod help_overlay;
pub mod kafka_ui;
pub mod kafka_ui_streams;
pub mod kafka_ui_topics;
pub mod legend;
pub mod message_inspector;
pub mod narration_panel;
pub mod network_tool;
pub mod node_inspector;
pub mod panel_toggle;
pub mod partition_strip;
pub mod server_box;
pub mod theme_picker;
pub mod time_controls;
pub mod timeline;
pub mod top_bar;
pub mod topic_panel;
pub mod welcome;
