//! `bench_engine`: the engine benchmark (`ksim::bench::run`) timed inside the browser, so
//! `cargo xtask bench` can put the wasm figure next to the native one. It is a
//! `#[wasm_bindgen]` export reached from JS (Trunk's `window.wasmBindings`); the page itself
//! never calls it and it has no UI. The wall clock is read here, never in `crates/ksim`.

use ksim::bench::{Acks, BenchConfig};
use wasm_bindgen::prelude::wasm_bindgen;

/// Runs `ksim bench --records <records>` (12 partitions, 3 brokers, RF=3, acks=all) and
/// answers JSON: `{"records":…,"events":…,"complete":…,"ms":…}`, or `{"error":"…"}`.
#[wasm_bindgen]
pub fn bench_engine(records: u32) -> String {
    let cfg = BenchConfig { records: u64::from(records), partitions: 12, replication_factor: 3, acks: Acks::All };
    let started = now_ms();
    match ksim::bench::run_retaining(&cfg, 1) {
        Ok((report, machine)) => {
            let ms = now_ms() - started;
            // Freeing the simulated machine is teardown, not the run (as in `ksim bench`).
            drop(machine);
            format!(
                r#"{{"records":{},"events":{},"complete":{},"ms":{ms}}}"#,
                report.records,
                report.events,
                report.complete()
            )
        }
        Err(e) => format!(r#"{{"error":{e:?}}}"#),
    }
}

/// The wasm linear memory's size in bytes, for `cargo xtask bench`'s memory figure (the JS
/// heap does not include it). It only grows: a flat figure means nothing new was needed.
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    let pages = core::arch::wasm32::memory_size(0);
    #[cfg(not(target_arch = "wasm32"))]
    let pages = 0;
    pages as f64 * 65_536.0
}

/// `performance.now()`, or `Date.now()` where there is no `performance`.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or_else(js_sys::Date::now, |p| p.now())
}
