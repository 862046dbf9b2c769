//! The core's benchmark, run by `cargo xtask bench` in release mode: it prints figures and
//! never fails on them (speed targets are read by people, not asserted by flaky tests).
//!
//! What a page step costs is one `Session::step` plus one `Session::view_recent` (the
//! snapshot the page draws, with the 200 newest records per partition), so both are timed
//! on the load: 3 brokers, 3 controllers, a topic with 12 partitions and 100 000
//! records. The full `Session::view` is timed too, for comparison.

use ksim::{Scenario, Session, SweepConfig};
use std::time::{Duration, Instant};

const RECORDS: usize = 100_000;
const PARTITIONS: u32 = 12;
const SAMPLES: usize = 200;
/// What the page asks for: `RECORDS_SHOWN_MAX` in src/view_model/log_strip.rs.
const PAGE_RECORDS: usize = 200;

fn main() {
    sweep_throughput(Scenario::Kraft, 100);
    sweep_throughput(Scenario::Replication, 100);
    loaded_session();
}

/// Events per second of simulated cluster, faults on, invariants checked after every event.
fn sweep_throughput(scenario: Scenario, seeds: u64) {
    let cfg = SweepConfig { scenario, ..SweepConfig::default() };
    let started = Instant::now();
    let events: u64 = (1..=seeds).map(|seed| ksim::sweep_seed(seed, &cfg).events).sum();
    let elapsed = started.elapsed();
    println!(
        "bench: sweep {scenario:?}: {seeds} seeds, {events} events in {:.2} s = {:.2} M events/s",
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64() / 1e6
    );
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
