//! The core's benchmark, run by `cargo xtask bench` in release mode: it prints figures and
//! never fails on them (speed targets are read by people, not asserted by flaky tests).
//!
//! What a page step costs is one `Session::step` plus one `Session::view_recent` (the
//! snapshot the page draws, with the 200 newest records per partition), so both are timed
//! on the load: 3 brokers, 3 controllers, a topic with 12 partitions and 100 000
//! records. The full `Session::view` is timed too, for comparison.
//!
//! Then the engine's figures, gathered in one table: `ksim bench`'s throughput (records
//! produced, replicated and consumed), events per second, step back at the end of a
//! million-event history, the memory a million retained records take, and the memory a
//! session holds after ten simulated minutes of the page's play (trace, checkpoints, the
//! rest), with step back at its end (measured with the counting allocator below, which only
//! this binary installs, never the core). `bench history` runs those last rows alone.

use ksim::bench::{Acks, BenchConfig};
use ksim::{Scenario, Session, SweepConfig};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The memory play's cluster and load, typed line by line: one file, so the native figure
/// (`crates/ksim/examples/bench.rs`) and the browser's (`xtask bench`) play the same thing.
const PLAY_LOAD: &str = include_str!("play_load.txt");

const RECORDS: usize = 100_000;
const PARTITIONS: u32 = 12;
const SAMPLES: usize = 200;
/// What the page asks for: `RECORDS_SHOWN_MAX` in src/view_model/log_strip.rs.
const PAGE_RECORDS: usize = 200;
/// The engine benchmark's load and the history step back is timed at the end of.
const ENGINE_RECORDS: u64 = 1_000_000;
const HISTORY_EVENTS: u64 = 1_000_000;

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One row of the final table: what, the figure, the target.
type Row = (String, String, &'static str);

fn main() {
    let mut rows: Vec<Row> = Vec::new();
    // `bench history` runs the history's rows alone (quicker while tuning its bounds).
    if std::env::args().nth(1).as_deref() == Some("history") {
        step_back(&mut rows);
        session_memory(&mut rows);
        table(&rows);
        return;
    }
    sweep_throughput(Scenario::Kraft, 100, &mut rows);
    sweep_throughput(Scenario::Replication, 100, &mut rows);
    loaded_session();
    engine(&mut rows);
    step_back(&mut rows);
    session_memory(&mut rows);
    table(&rows);
}

fn table(rows: &[Row]) {
    let cores = std::thread::available_parallelism().map_or("?".to_string(), |n| n.to_string());
    println!();
    println!("bench: engine figures ({cores} cores per std::thread::available_parallelism, release build, one thread)");
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (what, figure, target) in rows {
        println!("  {what:<w0$}  {figure:>w1$}  {target}");
    }
}

/// `ksim bench`'s run on a million records (3 brokers, RF=3, acks=all), and the memory the
/// machine holds at its end, per million records retained.
fn engine(rows: &mut Vec<Row>) {
    let cfg = BenchConfig { records: ENGINE_RECORDS, partitions: PARTITIONS, replication_factor: 3, acks: Acks::All };
    let before = ALLOCATED.load(Ordering::Relaxed);
    let started = Instant::now();
    let (report, retained) = ksim::bench::run_retaining(&cfg, 1).expect("the benchmark's configuration is valid");
    let elapsed = started.elapsed().as_secs_f64();
    let held = ALLOCATED.load(Ordering::Relaxed).saturating_sub(before);
    drop(retained);
    assert!(report.complete(), "the run stalled: {report:?}");
    println!(
        "bench: ksim bench --records {ENGINE_RECORDS}: {} events, {} ms simulated, {elapsed:.2} s",
        report.events, report.simulated_ms
    );
    rows.push((
        format!(
            "engine: records/s produced, replicated, consumed ({ENGINE_RECORDS} records, 3 brokers, RF=3, acks=all)"
        ),
        format!("{:.0}", report.records as f64 / elapsed),
        "target >= 1 000 000",
    ));
    rows.push((
        "engine: events/s in that run (a batch of ~160 records per produce/fetch)".to_string(),
        format!("{:.0}", report.events as f64 / elapsed),
        "",
    ));
    // Each record is kept by three replicas, which share its batch (`Arc<Batch>`).
    let per_million = |bytes: f64| bytes / report.records as f64 * 1e6 / f64::from(1 << 20);
    rows.push((
        format!("memory per million records retained (whole machine, RF=3: {} copies)", report.log_records),
        format!("{:.0} MiB", per_million(held as f64)),
        "",
    ));
    rows.push((
        "  of which the records' values (100 bytes each)".to_string(),
        format!("{:.0} MiB", per_million((report.log_bytes / u64::from(cfg.replication_factor)) as f64)),
        "",
    ));
}

/// A page-like history of a million events (a cluster with a throttled producer, the play
/// clock ticking), then step back and travel through it.
fn step_back(rows: &mut Vec<Row>) {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 3 --controllers 1");
    s.input(&format!(
        "kafka-topics.sh --create --topic icu-vitals --partitions {PARTITIONS} --replication-factor 3 --bootstrap-server localhost:9092"
    ));
    s.input("kafka-producer-perf-test.sh --topic icu-vitals --num-records 200000 --record-size 100 --throughput 50 --producer-props bootstrap.servers=localhost:9092 &");
    let started = Instant::now();
    while s.events_processed() < HISTORY_EVENTS {
        s.advance(1_000);
    }
    let built = started.elapsed();
    let events = s.events_processed();
    println!(
        "bench: a history of {events} events ({} s simulated) built in {:.2} s, {} checkpoints",
        s.now_ms() / 1000,
        built.as_secs_f64(),
        s.checkpoint_count()
    );
    rows.push((
        "simulation events/s (page-like session, invariants on)".to_string(),
        format!("{:.0}", events as f64 / built.as_secs_f64()),
        "",
    ));
    let backs = time(20, || {
        s.step_back();
    });
    println!("bench: step back at the end of {events} events: {}", summary(&backs));
    rows.push((format!("step back at the end of a {events}-event history"), median_ms(&backs), "target <= 50 ms"));
    let mut point = 0x9e37_79b9_7f4a_7c15u64;
    let travels = time(20, || {
        point = point.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        s.travel_to((point >> 33) % events);
    });
    println!("bench: travel_to a random point of {events} events: {}", summary(&travels));
    rows.push((
        format!("travel_to a random point of the {events}-event history"),
        median_ms(&travels),
        "target <= 50 ms",
    ));
}

/// xtask's browser memory bench played natively: the same cluster and load, the page's
/// clock at 16× (one `advance` of 16 × 16 ms per frame, a `view_recent` drawn each frame) for
/// ten simulated minutes, then the bytes the session holds and where they are.
fn session_memory(rows: &mut Vec<Row>) {
    const FRAME_MS: u64 = 16 * 16;
    const PLAY_MS: u64 = 10 * 60 * 1000;
    let before = ALLOCATED.load(Ordering::Relaxed);
    let mut s = Session::new(1);
    for line in PLAY_LOAD.lines() {
        s.input(line);
    }
    let started = Instant::now();
    let until = s.now_ms() + PLAY_MS;
    while s.now_ms() < until {
        s.advance(FRAME_MS);
        std::hint::black_box(s.view_recent(PAGE_RECORDS));
    }
    let played = started.elapsed();
    let held = ALLOCATED.load(Ordering::Relaxed).saturating_sub(before);
    let (events, trace_len, checkpoints) = (s.events_processed(), s.trace().len(), s.checkpoint_count());
    let backs = time(20, || {
        s.step_back();
    });
    // Step back's time depends on how far the newest checkpoint lies behind: points all
    // over the play show the spread.
    let mut point = 0x2545_f491_4f6c_dd1du64;
    let travels = time(40, || {
        point = point.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        s.travel_to((point >> 33) % events);
    });
    // What each part holds alone: the checkpoints first (they share the trace and the
    // records with the live world), then the trace.
    s.travel_to(s.present_events());
    let at = || ALLOCATED.load(Ordering::Relaxed).saturating_sub(before);
    let with_all = at();
    s.disable_checkpoints();
    let without_checkpoints = at();
    s.clear_trace();
    let rest = at();
    drop(s);
    let mb = |b: usize| format!("{:.1} MB", b as f64 / 1e6);
    println!(
        "bench: ten simulated minutes of play at 16x: {events} events, {trace_len} trace entries, {checkpoints} checkpoints, played in {:.2} s; {} held (trace {}, checkpoints {}, the rest {}); step back {}",
        played.as_secs_f64(),
        mb(held),
        mb(without_checkpoints.saturating_sub(rest)),
        mb(with_all.saturating_sub(without_checkpoints)),
        mb(rest),
        summary(&backs)
    );
    rows.push(("session memory after 10 simulated minutes of play at 16x (xtask's load)".to_string(), mb(held), ""));
    rows.push(("  of which the trace".to_string(), mb(without_checkpoints.saturating_sub(rest)), ""));
    rows.push(("  of which the checkpoints".to_string(), mb(with_all.saturating_sub(without_checkpoints)), ""));
    rows.push(("  the rest (the world: logs, records, console)".to_string(), mb(rest), ""));
    rows.push((format!("step back at the end of that {events}-event play"), median_ms(&backs), "target <= 50 ms"));
    rows.push((
        "travel_to a random point of that play: median / p95".to_string(),
        format!("{} / {}", median_ms(&travels), quantile_ms(&travels, 0.95)),
        "target <= 50 ms",
    ));
}

fn median_ms(samples: &[Duration]) -> String {
    quantile_ms(samples, 0.5)
}

fn quantile_ms(samples: &[Duration], q: f64) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort();
    format!("{:.1} ms", sorted[((sorted.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0)
}

/// Events per second of simulated cluster, faults on, invariants checked after every event.
fn sweep_throughput(scenario: Scenario, seeds: u64, rows: &mut Vec<Row>) {
    let cfg = SweepConfig { scenario, ..SweepConfig::default() };
    let started = Instant::now();
    let events: u64 = (1..=seeds).map(|seed| ksim::sweep_seed(seed, &cfg).events).sum();
    let elapsed = started.elapsed();
    println!(
        "bench: sweep {scenario:?}: {seeds} seeds, {events} events in {:.2} s = {:.2} M events/s",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64() / 1e6
    );
    rows.push((
        format!("simulation events/s (sweep {scenario:?}, faults, invariants on)"),
        format!("{:.0}", events as f64 / elapsed.as_secs_f64()),
        "",
    ));
}

fn loaded_session() {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 3 --controllers 3");
    s.input(&format!(
        "kafka-topics.sh --create --topic icu-vitals --partitions {PARTITIONS} --replication-factor 3 --bootstrap-server localhost:9092"
    ));
    s.input("kafka-console-producer.sh --topic icu-vitals --property parse.key=true --property key.separator=: --bootstrap-server localhost:9092");
    let started = Instant::now();
    for n in 0..RECORDS {
        s.input(&format!("> bed-{}:{} bpm", n % 40, 60 + n % 90));
    }
    s.end_of_input();
    s.advance(5_000);
    let produced = started.elapsed();
    let view = s.view();
    let stored: usize = view.topics.iter().flat_map(|t| &t.partitions).map(|p| p.records.len()).sum();
    println!(
        "bench: produced {RECORDS} records through the console producer in {:.2} s ({stored} in the leaders' logs, {} events so far)",
        produced.as_secs_f64(),
        s.events_processed()
    );

    let views = time(SAMPLES, || {
        std::hint::black_box(s.view());
    });
    println!("bench: Session::view (every record) with {stored} records: {}", summary(&views));
    let recent = time(SAMPLES, || {
        std::hint::black_box(s.view_recent(PAGE_RECORDS));
    });
    println!("bench: Session::view_recent({PAGE_RECORDS}) with {stored} records: {}", summary(&recent));

    // Steps while a producer writes, so there is traffic to step through.
    s.input("kafka-console-producer.sh --topic icu-vitals --bootstrap-server localhost:9092");
    let mut steps = Vec::with_capacity(SAMPLES);
    for n in 0..SAMPLES {
        if n % 10 == 0 {
            s.input(&format!("> {} bpm", 70 + n));
        }
        let started = Instant::now();
        s.step();
        let view = s.view_recent(PAGE_RECORDS);
        steps.push(started.elapsed());
        std::hint::black_box(view);
    }
    println!("bench: one page step (Session::step + Session::view_recent): {}", summary(&steps));
}

fn time(samples: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..samples)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect()
}

/// Median and 95th percentile, in milliseconds.
fn summary(samples: &[Duration]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    format!("median {:.2} ms, p95 {:.2} ms over {} samples", at(0.5), at(0.95), sorted.len())
}
