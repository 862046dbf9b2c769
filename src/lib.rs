//! Kafka Playground's web page: Yew components over the `ksim` simulator.
//!
//! Architecture Invariant: this crate holds no Kafka behaviour. It turns gestures into
//! `Action`s on one `ksim::Session` and the session's plain-data views into SVG and text;
//! the only clock it reads is the animation frame time in `hooks::play_loop` (plus
//! `bench::bench_engine`'s wall clock, an export for `cargo xtask bench` the page never calls).

pub mod bench;
mod classroom;
pub mod components;
mod history;
mod hooks;
mod keys;
mod play_clock;
mod playground;
mod seed;
mod theme;
mod view_model;

use components::app::{App, AppProps};

/// Renders the page into `root` with a given seed (tests mount into a fresh div).
pub fn mount(root: web_sys::Element, seed: u64) -> yew::AppHandle<App> {
    yew::Renderer::<App>::with_root_and_props(root, AppProps { seed }).render()
}

/// Renders the page into `<body>`, seeded from the address (`?seed=42`).
pub fn start() {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let seed = seed::seed_from_query(&query).unwrap_or(seed::SEED_DEFAULT);
    yew::Renderer::<App>::with_props(AppProps { seed }).render();
}
