//! `cargo xtask bench`: prints the performance figures the issues ask for; it never fails
//! on a number (timings on a shared machine would make such a test flaky).
//!
//! The core's part runs `crates/ksim/examples/bench.rs` in release mode: event throughput of
//! the fault sweeps, and what one page step costs in the core (`Session::step` +
//! `Session::view_recent`) with 3 brokers, 12 partitions and 100 000 records; then one table
//! of engine figures with the machine's core count: `ksim bench`'s records/s on a million
//! records (3 brokers, RF=3, acks=all), events/s, step back and `travel_to` at the end of a
//! million-event history, and memory per million records retained (the example installs a
//! counting global allocator; the core never does). The browser's
//! part drives the release bundle in headless Chromium: a 3+3 cluster, a 12-partition topic
//! with records typed into the console producer, then the time from clicking `Step` to the
//! next painted frame.

use crate::browser::Browser;
use crate::e2e::{CONSOLE_INPUT, HEIGHT, WIDTH};
use crate::process::format_duration;
use crate::static_server::StaticServer;
use crate::webdriver::ENTER;
use crate::{paths, tools, trunk, Result};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Records typed into the page's console producer (typing is slow over WebDriver).
const BROWSER_RECORDS: usize = 2_000;
const LINES_PER_SEND: usize = 250;
const STEPS: usize = 100;
const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    core(root)?;
    browser(root)?;
    println!("xtask: bench: done in {}", format_duration(started.elapsed()));
    Ok(())
}

fn core(root: &Path) -> Result<()> {
    println!("xtask: bench: core (release build of crates/ksim/examples/bench.rs)");
    let status = Command::new("cargo")
        .args(["run", "--quiet", "--release", "-p", "ksim", "--example", "bench"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the core benchmark failed ({status})"))
    }
}

fn browser(root: &Path) -> Result<()> {
    let dist = paths::dist(root);
    if !dist.join("index.html").is_file() {
        trunk::dist(root)?;
    }
    tools::ensure_browser(root)?;
    let server = StaticServer::start(&dist)?;
    let browser = Browser::launch(WIDTH, HEIGHT, &paths::e2e_artifacts(root))?;
    let session = browser.session();
    session.navigate(&server.url())?;
    let input = session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.ok_or("the page did not show its console")?;
    for line in [
        "ksim start-cluster --brokers 3 --controllers 3",
        "kafka-topics.sh --create --topic icu-vitals --partitions 12 --replication-factor 3 --bootstrap-server localhost:9092",
        "kafka-console-producer.sh --topic icu-vitals --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092",
    ] {
        session.send_keys(&input, &format!("{line}{ENTER}"))?;
    }
    let typing = Instant::now();
    for chunk in (0..BROWSER_RECORDS).collect::<Vec<_>>().chunks(LINES_PER_SEND) {
        let text: String = chunk.iter().map(|n| format!("> bed-{}:{} bpm{ENTER}", n % 40, 60 + n % 90)).collect();
        let input = session.find(CONSOLE_INPUT)?.ok_or("the console input disappeared")?;
        session.send_keys(&input, &text)?;
    }
    println!("xtask: bench: typed {BROWSER_RECORDS} records in {}", format_duration(typing.elapsed()));
    // Pause the play clock (the page starts playing) so each step is one event.
    let pause = r#"const b = [...document.querySelectorAll('.time-controls button')]
                     .find(b => b.textContent.trim() === 'Pause'); if (b) b.click(); return !!b;"#;
    session.execute(pause, json!([]))?;
    let script = r#"
        const done = arguments[arguments.length - 1];
        const steps = arguments[0];
        const button = [...document.querySelectorAll('.time-controls button')]
            .find(b => b.textContent.trim() === 'Step');
        const work = [], frame = [];
        const one = () => {
            if (work.length === steps) { done([work, frame]); return; }
            const started = performance.now();
            button.click();
            // The step's own work: the click handler, Yew's render and any microtasks.
            setTimeout(() => work.push(performance.now() - started), 0);
            // Until the next frame is painted: rAF runs before paint, the timeout after it.
            requestAnimationFrame(() => setTimeout(() => { frame.push(performance.now() - started); one(); }, 0));
        };
        one();"#;
    let result = session.execute_async(script, json!([STEPS]))?;
    let series = |i: usize| -> Vec<f64> {
        result[i].as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
    };
    let (work, frame) = (series(0), series(1));
    if work.is_empty() || frame.is_empty() {
        return Err(format!("the step timing script returned {result}"));
    }
    let load = format!("3+3 cluster, 12 partitions, {BROWSER_RECORDS} records");
    println!("bench: browser: a step's work (click to idle, {load}): {}", summary(work));
    println!("bench: browser: click to the next painted frame (frame-aligned): {}", summary(frame));
    browser.close()
}

/// Median and 95th percentile of milliseconds.
fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q) as usize];
    format!("median {:.1} ms, p95 {:.1} ms over {} steps", at(0.5), at(0.95), ms.len())
}
