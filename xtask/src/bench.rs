//! `cargo xtask bench`: prints the performance figures the issues ask for; it never fails
//! on a number (timings on a shared machine would make such a test flaky).
//!
//! The core's part runs `crates/ksim/examples/bench.rs` in release mode: event throughput of
//! the fault sweeps, and what one page step costs in the core (`Session::step` +
//! `Session::view_recent`) with 3 brokers, 12 partitions and 100 000 records; then one table
//! of engine figures with the machine's core count: `ksim bench`'s records/s on a million
//! records (3 brokers, RF=3, acks=all), events/s, step back and `travel_to` at the end of a
//! million-event history, and memory per million records retained (the example installs a
//! counting global allocator; the core never does).
//!
//! Then a second table, of the web figures: `ksim bench --records 100000` natively (the
//! release CLI) and in wasm (the release bundle's `bench_engine` export, called through
//! Trunk's `window.wasmBindings` in headless Chromium) and their ratio; first contentful
//! paint and the console input's appearance over fresh loads (HTTP cache cleared, served
//! from loopback); the bundle's raw and `gzip -9` sizes; and in the page, a 3+3 cluster with
//! a 12-partition topic, the time from clicking `Step` to the next painted frame, once with
//! 2 000 records typed into the console producer and once with 100 000 records from
//! `kafka-producer-perf-test.sh`; then the same on a big cluster (50 brokers, 3 controllers,
//! a 1000-partition RF=3 topic, 100 consumers in two groups, a perf test running); then
//! memory over ten minutes of simulated play at 16× (a 3+3 cluster with a throttled producer
//! and a consumer group): the JS heap after a forced garbage collection (CDP) and the wasm
//! linear memory (`wasm_memory_bytes`), before and after.

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

/// The memory play's cluster and load, typed line by line: one file, so the native figure
/// (`crates/ksim/examples/bench.rs`) and the browser's (`xtask bench`) play the same thing.
const PLAY_LOAD: &str = include_str!("../../crates/ksim/examples/play_load.txt");

/// Records typed into the page's console producer (typing is slow over WebDriver).
const BROWSER_RECORDS: usize = 2_000;
const LINES_PER_SEND: usize = 250;
const STEPS: usize = 100;
const PAGE_TIMEOUT: Duration = Duration::from_secs(30);
/// `ksim bench --records` for the native and wasm engine figures, and runs of each.
const ENGINE_RECORDS: u32 = 100_000;
const ENGINE_RUNS: usize = 3;
/// Fresh loads timed for first paint.
const LOADS: usize = 5;
/// Records the page's producer perf test sends before the second step series.
const PERF_RECORDS: usize = 100_000;
/// The big cluster's consumers, in two groups.
const BIG_CONSUMERS: usize = 100;
/// Real seconds of play at 16× for the memory figure: ten simulated minutes.
const PLAY_SECONDS: u64 = 38;
/// Installed before each document's own scripts: notes (in `performance.now()` time, whose
/// origin is the navigation's start) when the console input first appears.
const READY_OBSERVER: &str = r#"(() => {
    window.__xtaskBenchReady = null;
    window.__xtaskBenchPaint = null;
    new PerformanceObserver(list => {
        for (const e of list.getEntries()) {
            if (e.name === 'first-contentful-paint') window.__xtaskBenchPaint = e.startTime;
        }
    }).observe({ type: 'paint', buffered: true });
    const seen = () => document.querySelector('[aria-label="Console input"]');
    new MutationObserver((_, observer) => {
        if (seen()) { window.__xtaskBenchReady = performance.now(); observer.disconnect(); }
    }).observe(document, { childList: true, subtree: true });
})();"#;

/// One row of the web table: what, the figure, the target.
type Row = (String, String, &'static str);

pub fn run(root: &Path) -> Result<()> {
    let started = Instant::now();
    core(root)?;
    let mut rows = Vec::new();
    let native = native_engine(root)?;
    // Always rebuilt (quick when nothing changed): a stale dist/ would measure old code.
    trunk::dist(root)?;
    let dist = paths::dist(root);
    bundle(&dist, &mut rows)?;
    browser(root, native, &mut rows)?;
    table(&rows);
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

/// Median records/s of `ksim bench --records ENGINE_RECORDS` (release CLI, wall time from
/// `Instant`), the native figure the wasm one is compared with.
fn native_engine(root: &Path) -> Result<f64> {
    let records = ENGINE_RECORDS.to_string();
    let mut rates = Vec::new();
    for _ in 0..ENGINE_RUNS {
        let output = Command::new("cargo")
            .args(["run", "--quiet", "--release", "-p", "ksim-cli", "--", "bench", "--records", &records])
            .current_dir(root)
            .output()
            .map_err(|e| format!("could not run cargo: {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        // `N records in X ms: Y records/s produced, replicated and consumed`
        let words: Vec<&str> = text.split_whitespace().collect();
        let rate = words
            .iter()
            .position(|w| *w == "records/s")
            .and_then(|i| words.get(i.checked_sub(1)?)?.parse::<f64>().ok())
            .filter(|_| output.status.success())
            .ok_or_else(|| format!("ksim bench --records {records} printed no rate ({}): {text}", output.status))?;
        rates.push(rate);
    }
    let rate = median(rates);
    println!("bench: ksim bench --records {records} natively: median {rate:.0} records/s over {ENGINE_RUNS} runs");
    Ok(rate)
}

/// Raw and `gzip -9` sizes of the .wasm and of the whole bundle (each file compressed on
/// its own, as a static host serves them).
fn bundle(dist: &Path, rows: &mut Vec<Row>) -> Result<()> {
    let (mut raw, mut gz, mut wasm_raw, mut wasm_gz) = (0u64, 0u64, 0u64, 0u64);
    let entries = std::fs::read_dir(dist).map_err(|e| format!("cannot list {}: {e}", dist.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let size = entry.metadata().map_err(|e| format!("cannot stat {}: {e}", path.display()))?.len();
        let output = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(&path)
            .output()
            .map_err(|e| format!("could not run gzip: {e}"))?;
        if !output.status.success() {
            return Err(format!("gzip -9 {} failed ({})", path.display(), output.status));
        }
        let zipped = output.stdout.len() as u64;
        raw += size;
        gz += zipped;
        if path.extension().is_some_and(|e| e == "wasm") {
            wasm_raw += size;
            wasm_gz += zipped;
        }
    }
    let kb = |bytes: u64| format!("{:.0} KB", bytes as f64 / 1000.0);
    rows.push((
        "bundle: .wasm, raw / gzip -9".to_string(),
        format!("{} / {}", kb(wasm_raw), kb(wasm_gz)),
        "target <= 350 KB gzipped",
    ));
    rows.push((
        "bundle: all of dist/, raw / gzip -9 (file by file)".to_string(),
        format!("{} / {}", kb(raw), kb(gz)),
        "",
    ));
    Ok(())
}

fn browser(root: &Path, native: f64, rows: &mut Vec<Row>) -> Result<()> {
    let dist = paths::dist(root);
    tools::ensure_browser(root)?;
    let server = StaticServer::start(&dist)?;
    let browser = Browser::launch(WIDTH, HEIGHT, &paths::e2e_artifacts(root))?;
    let session = browser.session();
    first_paint(session, &server.url(), rows)?;
    wasm_engine(session, native, rows)?;

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
    steps(session, &format!("3+3 cluster, 12 partitions, {BROWSER_RECORDS} records typed"), rows)?;

    // A fresh page, and 100 000 records the quick way: the producer perf test, then time.
    session.navigate(&server.url())?;
    let input = session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.ok_or("the page did not show its console")?;
    let producing = Instant::now();
    for line in [
        "ksim start-cluster --brokers 3 --controllers 3".to_string(),
        "kafka-topics.sh --create --topic vitals --partitions 12 --replication-factor 3 --bootstrap-server localhost:9092".to_string(),
        format!("kafka-producer-perf-test.sh --topic vitals --num-records {PERF_RECORDS} --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 &"),
        "ksim advance 5s".to_string(),
    ] {
        session.send_keys(&input, &format!("{line}{ENTER}"))?;
    }
    let sent = session.execute(
        r#"const out = document.querySelector('[aria-label="Console output"]');
           const m = out ? [...out.textContent.matchAll(/(\d+) records sent/g)] : [];
           return m.length ? m[m.length - 1][0] : null;"#,
        json!([]),
    )?;
    println!(
        "xtask: bench: perf test and `ksim advance 5s` in the page took {} (the console says: {})",
        format_duration(producing.elapsed()),
        sent.as_str().unwrap_or("no `records sent` line")
    );
    steps(session, &format!("3+3 cluster, 12 partitions, {PERF_RECORDS} records from the perf test"), rows)?;
    big_cluster(session, &server.url(), rows)?;
    memory(session, &server.url(), rows)?;
    browser.close()
}

/// 50 brokers, 3 controllers, 1000 partitions RF=3, 100 consumers in two groups and a perf
/// test: the page summarises the diagram and pages the topic view; then a step series.
fn big_cluster(session: &crate::webdriver::Session, url: &str, rows: &mut Vec<Row>) -> Result<()> {
    session.navigate(url)?;
    session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.ok_or("the page did not show its console")?;
    let started = Instant::now();
    let mut lines = vec![
        "ksim start-cluster --brokers 50 --controllers 3".to_string(),
        "ksim advance 10s".to_string(),
        "kafka-topics.sh --create --topic vitals --partitions 1000 --replication-factor 3 --bootstrap-server localhost:9092".to_string(),
    ];
    for i in 0..BIG_CONSUMERS {
        let group = if i % 2 == 0 { "monitors" } else { "alerts" };
        lines.push(format!(
            "kafka-console-consumer.sh --topic vitals --group {group} --bootstrap-server localhost:9092 > {group}-{i}.txt &"
        ));
    }
    lines.push("ksim advance 20s".to_string());
    lines.push("kafka-producer-perf-test.sh --topic vitals --num-records 1000000 --record-size 100 --throughput 2000 --producer-props bootstrap.servers=localhost:9092 &".to_string());
    lines.push("ksim advance 5s".to_string());
    for chunk in lines.chunks(20) {
        let text: String = chunk.iter().map(|l| format!("{l}{ENTER}")).collect();
        let input = session.find(CONSOLE_INPUT)?.ok_or("the console input disappeared")?;
        session.send_keys(&input, &text)?;
    }
    let summary =
        session.execute("return document.querySelector('.diagram-summary')?.textContent ?? null;", json!([]))?;
    println!(
        "xtask: bench: big cluster typed and simulated in {}; the diagram says {}",
        format_duration(started.elapsed()),
        summary.as_str().unwrap_or("(no summary line)")
    );
    steps(
        session,
        &format!("50+3 cluster, 1000 partitions RF=3, {BIG_CONSUMERS} consumers, perf test at 2000 records/s"),
        rows,
    )
}

/// The JS heap (after a forced GC) and the wasm memory before and after ten simulated
/// minutes of play at 16×.
fn memory(session: &crate::webdriver::Session, url: &str, rows: &mut Vec<Row>) -> Result<()> {
    session.navigate(url)?;
    let input = session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.ok_or("the page did not show its console")?;
    for line in PLAY_LOAD.lines() {
        session.send_keys(&input, &format!("{line}{ENTER}"))?;
    }
    let measure = || -> Result<(f64, f64)> {
        session.cdp("HeapProfiler.collectGarbage", json!({}))?;
        let heap = session.cdp("Runtime.getHeapUsage", json!({}))?;
        let wasm = session
            .execute("return window.wasmBindings ? window.wasmBindings.wasm_memory_bytes() : null;", json!([]))?;
        Ok((heap["usedSize"].as_f64().unwrap_or(f64::NAN), wasm.as_f64().unwrap_or(f64::NAN)))
    };
    let before = measure()?;
    // Play at 16× (the page starts playing at 1×).
    let faster = r#"const s = document.querySelector('label.speed:not(.latency) select');
                    if (!s) return false; s.value = '16'; s.dispatchEvent(new Event('change', { bubbles: true })); return true;"#;
    if session.execute(faster, json!([]))? != json!(true) {
        return Err("no Speed select to play at 16×".to_string());
    }
    std::thread::sleep(Duration::from_secs(PLAY_SECONDS));
    let clock = session.execute("return document.querySelector('.sim-offset')?.textContent ?? null;", json!([]))?;
    let after = measure()?;
    let mb = |b: f64| format!("{:.1} MB", b / 1e6);
    println!(
        "bench: browser: memory over {PLAY_SECONDS} s of play at 16× (clock {}): JS heap {} -> {}, wasm memory {} -> {}",
        clock.as_str().unwrap_or("?"),
        mb(before.0),
        mb(after.0),
        mb(before.1),
        mb(after.1)
    );
    rows.push((
        "JS heap after GC: before / after 10 simulated minutes of play at 16x".to_string(),
        format!("{} / {}", mb(before.0), mb(after.0)),
        "flat",
    ));
    rows.push((
        "  wasm memory (the session, its history and checkpoints): before / after".to_string(),
        format!("{} / {}", mb(before.1), mb(after.1)),
        "",
    ));
    Ok(())
}

/// First contentful paint and the console input's appearance, from navigation start, over
/// `LOADS` loads each with the HTTP cache cleared (so the wasm is fetched and compiled anew).
fn first_paint(session: &crate::webdriver::Session, url: &str, rows: &mut Vec<Row>) -> Result<()> {
    session.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": READY_OBSERVER }))?;
    let (mut paints, mut readies) = (Vec::new(), Vec::new());
    for _ in 0..LOADS {
        session.navigate("about:blank")?;
        session.cdp("Network.clearBrowserCache", json!({}))?;
        session.navigate(url)?;
        session.wait_for(CONSOLE_INPUT, PAGE_TIMEOUT)?.ok_or("the page did not show its console")?;
        // Chromium reports the paint entry once the frame is presented, which can take a
        // while headless: wait for it (up to 5 s).
        let times = session.execute_async(
            r#"const done = arguments[arguments.length - 1];
               const started = performance.now();
               const check = () => {
                   if (window.__xtaskBenchPaint !== null || performance.now() - started > 5000) {
                       done([window.__xtaskBenchPaint, window.__xtaskBenchReady]);
                   } else {
                       setTimeout(check, 50);
                   }
               };
               check();"#,
            json!([]),
        )?;
        paints.extend(times[0].as_f64());
        readies.extend(times[1].as_f64());
    }
    let figure = |ms: Vec<f64>| match ms.len() {
        0 => "n/a".to_string(),
        n => format!("{:.0} ms (of {n})", median(ms)),
    };
    println!("bench: browser: first contentful paint over {LOADS} cold loads (ms): {paints:.0?}");
    println!("bench: browser: console input present over {LOADS} cold loads (ms): {readies:.0?}");
    rows.push((
        format!("first contentful paint from navigation start (median, {LOADS} loads, cache cleared)"),
        figure(paints),
        "target <= 500 ms",
    ));
    rows.push((
        "interactive: `Console input` present, from navigation start (median)".to_string(),
        figure(readies),
        "",
    ));
    Ok(())
}

/// `bench_engine(ENGINE_RECORDS)` in the loaded page, `ENGINE_RUNS` times.
fn wasm_engine(session: &crate::webdriver::Session, native: f64, rows: &mut Vec<Row>) -> Result<()> {
    let call = "return window.wasmBindings ? window.wasmBindings.bench_engine(arguments[0]) : null;";
    let mut rates = Vec::new();
    for _ in 0..ENGINE_RUNS {
        let reply = session.execute(call, json!([ENGINE_RECORDS]))?;
        let text = reply.as_str().ok_or("the page has no window.wasmBindings.bench_engine")?;
        let report: Value = serde_json::from_str(text).map_err(|e| format!("bench_engine answered {text}: {e}"))?;
        let (Some(records), Some(ms), Some(true)) =
            (report["records"].as_f64(), report["ms"].as_f64(), report["complete"].as_bool())
        else {
            return Err(format!("bench_engine answered {text}"));
        };
        rates.push(records / (ms / 1000.0));
    }
    let wasm = median(rates.clone());
    println!("bench: browser: bench_engine({ENGINE_RECORDS}) in wasm: {rates:.0?} records/s");
    rows.push((
        format!("engine in wasm: records/s, ksim bench {ENGINE_RECORDS} records, 3 brokers, RF=3, acks=all (median of {ENGINE_RUNS})"),
        format!("{wasm:.0}"),
        "",
    ));
    rows.push((
        format!("engine native: the same run, release CLI (median of {ENGINE_RUNS})"),
        format!("{native:.0}"),
        "",
    ));
    rows.push(("engine: wasm / native".to_string(), format!("{:.2}", wasm / native), "target >= 0.5"));
    Ok(())
}

/// Pauses the play clock, then times `STEPS` clicks on `Step`: the click's work and the
/// time to the next painted frame.
fn steps(session: &crate::webdriver::Session, load: &str, rows: &mut Vec<Row>) -> Result<()> {
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
    println!("bench: browser: a step's work (click to idle, {load}): {}", summary(work.clone()));
    println!("bench: browser: click to the next painted frame (frame-aligned): {}", summary(frame.clone()));
    rows.push((format!("Step click's work, click to idle ({load}; median)"), format!("{:.1} ms", median(work)), ""));
    rows.push((
        "  click to the next painted frame (frame-aligned; median)".to_string(),
        format!("{:.1} ms", median(frame)),
        "target <= 16 ms",
    ));
    Ok(())
}

fn table(rows: &[Row]) {
    let cores = std::thread::available_parallelism().map_or("?".to_string(), |n| n.to_string());
    println!();
    // The CPU's name, where Linux tells it.
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| Some(l.strip_prefix("model name")?.trim_start_matches([' ', '\t', ':']).to_string()))
        })
        .map_or(String::new(), |name| format!("{name}, "));
    println!("bench: web figures ({cpu}{cores} cores per std::thread::available_parallelism, release bundle, headless Chromium)");
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (what, figure, target) in rows {
        println!("  {what:<w0$}  {figure:>w1$}  {target}");
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[(xs.len() - 1) / 2]
}

/// Median and 95th percentile of milliseconds.
fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q) as usize];
    format!("median {:.1} ms, p95 {:.1} ms over {} steps", at(0.5), at(0.95), ms.len())
}
