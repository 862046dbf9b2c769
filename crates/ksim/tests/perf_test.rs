//! The perf tests as the page runs them: they take simulated time, stop on Ctrl-C, and
//! run in the background with `&`.

use ksim::{Session, Stream};

fn cluster() -> Session {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 1 --controllers 1");
    s.input("kafka-topics.sh --create --topic vitals --bootstrap-server localhost:9092");
    s
}

fn stdout(s: &Session) -> Vec<String> {
    s.output().iter().filter(|l| l.stream == Stream::Stdout).map(|l| l.text.clone()).collect()
}

const PRODUCE_SLOWLY: &str = "kafka-producer-perf-test.sh --topic vitals --num-records 1000 --record-size 10 --throughput 100 --producer-props bootstrap.servers=localhost:9092";

#[test]
fn a_throttled_run_takes_simulated_time_and_reports_windows() {
    let mut s = cluster();
    s.input(PRODUCE_SLOWLY);
    assert_eq!(s.prompt(), "", "the perf test owns the terminal");
    s.advance(5_500);
    let windows: Vec<String> = stdout(&s).into_iter().filter(|l| l.contains("records sent")).collect();
    assert_eq!(windows.len(), 1, "{windows:?}");
    assert!(windows[0].ends_with("ms max latency."), "a window line: {}", windows[0]);
    s.advance(6_000);
    let last = stdout(&s).into_iter().rfind(|l| l.contains("records sent")).unwrap();
    let rate: f64 = last
        .strip_prefix("1000 records sent, ")
        .and_then(|r| r.split(' ').next())
        .and_then(|r| r.parse().ok())
        .expect("a rate");
    assert!((95.0..=105.0).contains(&rate), "about 100 records/s: {last}");
    assert!(last.ends_with("ms 99.9th."));
    assert_eq!(s.prompt(), "$ ");
}

#[test]
fn ctrl_c_stops_a_perf_test_without_a_summary() {
    let mut s = cluster();
    s.input(PRODUCE_SLOWLY);
    s.advance(2_000);
    s.interrupt();
    assert_eq!(s.prompt(), "$ ");
    let before = s.transcript();
    s.advance(20_000);
    assert!(!s.transcript()[before.len()..].contains("records sent"), "the producer died with the JVM");
    s.input("echo $?");
    assert_eq!(stdout(&s).last().map(String::as_str), Some("130"));

    s.input("kafka-consumer-perf-test.sh --bootstrap-server localhost:9092 --topic vitals --messages 100000");
    s.advance(1_000);
    s.interrupt();
    assert_eq!(s.prompt(), "$ ");
    assert!(!stdout(&s).iter().any(|l| l.starts_with("WARNING")));
}

#[test]
fn perf_tests_run_in_the_background() {
    let mut s = cluster();
    s.input(
        "kafka-consumer-perf-test.sh --bootstrap-server localhost:9092 --topic vitals --messages 1000 --hide-header &",
    );
    s.input(&format!("{PRODUCE_SLOWLY} &"));
    assert_eq!(s.prompt(), "$ ");
    s.input("jobs");
    assert_eq!(stdout(&s).iter().filter(|l| l.contains("Running")).count(), 2);
    s.advance(15_000);
    let out = stdout(&s);
    assert!(out.iter().any(|l| l.starts_with("1000 records sent")), "{out:?}");
    let summary = out.iter().find(|l| l.starts_with("2024-06-25 ")).expect("the consumer's line");
    assert!(summary.contains(", 1000, "), "all records consumed: {summary}");
    assert_eq!(out.iter().filter(|l| l.contains("Done")).count(), 2, "{out:?}");
}

#[test]
fn a_consumer_without_records_warns_at_its_timeout() {
    let mut s = cluster();
    s.input(
        "kafka-consumer-perf-test.sh --bootstrap-server localhost:9092 --topic vitals --messages 10 --timeout 3000",
    );
    s.advance(2_000);
    assert_eq!(s.prompt(), "");
    s.advance(2_000);
    assert_eq!(s.prompt(), "$ ");
    let out = stdout(&s);
    assert!(out.iter().any(|l| l == "WARNING: Exiting before consuming the expected number of messages: timeout (3000 ms) exceeded. You can use the --timeout option to increase the timeout."));
    let summary = out.last().unwrap();
    assert!(summary.contains(", 0.0000, 0.0000, 0, 0.0000, "), "{summary}");
    // rebalance.time.ms: joining the group took some time before the (empty) fetching.
    let rebalance_ms: u64 = summary.split(", ").nth(6).and_then(|f| f.parse().ok()).expect("a number");
    assert!(rebalance_ms > 0, "{summary}");
}
