//! Step back through checkpoints: restoring the nearest checkpoint and replaying forward
//! must give exactly what a replay from the beginning of time gives, anywhere in a long
//! history and after forks from the past.

use ksim::Session;

/// A small deterministic stream of points in history (no clock, no OS randomness).
struct Points(u64);

impl Points {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// The page's way of living: lines typed, the play clock ticking, buttons pressed.
fn play(s: &mut Session, round: u64) {
    s.advance(100);
    match round % 25 {
        3 => s.input(&format!("> reading {round}")),
        11 => s.control("ksim kill 3"),
        17 => s.control("ksim restart 3"),
        21 => {
            s.step();
            s.step();
        }
        _ => {}
    }
}

fn start(s: &mut Session) {
    s.input("ksim start-cluster --brokers 3 --controllers 1");
    s.input("kafka-topics.sh --create --topic vitals --partitions 3 --replication-factor 3 --bootstrap-server localhost:9092");
    s.input("kafka-console-producer.sh --topic vitals --bootstrap-server localhost:9092");
}

fn assert_same(a: &Session, b: &Session, context: &str) {
    assert_eq!(a.events_processed(), b.events_processed(), "{context}");
    assert_eq!(a.view(), b.view(), "{context}");
    assert_eq!(a.transcript(), b.transcript(), "{context}");
    assert_eq!(a.trace(), b.trace(), "{context}");
    assert_eq!(a.prompt(), b.prompt(), "{context}");
}

/// Travels both sessions to `times` random points of their history, and a step back and
/// forth from each, checking after every move that the checkpointed one equals the replay.
fn travel_around(fast: &mut Session, full: &mut Session, points: &mut Points, times: usize) {
    let present = fast.events_processed();
    for _ in 0..times {
        let k = points.below(present + 1);
        fast.travel_to(k);
        full.travel_to(k);
        assert_same(fast, full, &format!("travel_to({k}) of {present}"));
        fast.step_back();
        full.step_back();
        assert_same(fast, full, &format!("step back from {k}"));
        fast.step();
        full.step();
        assert_same(fast, full, &format!("step forward to {k}"));
    }
}

#[test]
fn travel_through_checkpoints_equals_a_full_replay() {
    let mut fast = Session::new(3);
    let mut full = Session::new(3);
    full.disable_checkpoints();
    for s in [&mut fast, &mut full] {
        start(s);
        for round in 0..1500 {
            play(s, round);
        }
    }
    assert_same(&fast, &full, "live");
    let present = fast.events_processed();
    assert!(fast.checkpoint_count() >= 4, "{present} events, {} checkpoints", fast.checkpoint_count());
    let mut points = Points(11);
    travel_around(&mut fast, &mut full, &mut points, 12);

    // A fork: acting in the past drops the old future, checkpoints included.
    for fork in 0..3 {
        let k = points.below(fast.events_processed() + 1);
        for s in [&mut fast, &mut full] {
            s.travel_to(k);
            s.input(&format!("> forked {fork}"));
            for round in 0..150 {
                play(s, round + 7 * fork);
            }
        }
        assert_same(&fast, &full, &format!("fork {fork} at {k}, live again"));
        let present = fast.events_processed();
        for _ in 0..6 {
            let k = points.below(present + 1);
            fast.travel_to(k);
            full.travel_to(k);
            assert_same(&fast, &full, &format!("after fork {fork}: travel_to({k}) of {present}"));
        }
        fast.travel_to(present);
        full.travel_to(present);
        assert_same(&fast, &full, &format!("after fork {fork}: back to the present"));
    }
}

/// The same with ksqlDB's server and CLI in the console: persistent queries, pull and push
/// queries survive a restore as they would a replay.
#[test]
fn ksql_queries_travel_through_checkpoints_as_a_full_replay_does() {
    let mut fast = Session::new(5);
    let mut full = Session::new(5);
    full.disable_checkpoints();
    for s in [&mut fast, &mut full] {
        s.input("ksim start-cluster --brokers 1 --controllers 1");
        s.input("ksql");
        s.input("SET 'auto.offset.reset'='earliest';");
        s.input("CREATE STREAM hr (patient VARCHAR KEY, bpm INT) WITH (kafka_topic='hr', value_format='JSON', partitions=2);");
        s.input("CREATE TABLE counts AS SELECT patient, COUNT(*) AS n FROM hr GROUP BY patient EMIT CHANGES;");
        for round in 0..1200u64 {
            s.advance(100);
            match round % 40 {
                5 => s.input(&format!("INSERT INTO hr (patient, bpm) VALUES ('p{}', {});", round % 3, 60 + round % 90)),
                20 => s.input("SELECT * FROM counts WHERE patient = 'p1';"),
                30 => s.input("SELECT patient, bpm FROM hr WHERE bpm > 100 EMIT CHANGES;"),
                35 => s.interrupt(),
                _ => {}
            }
        }
    }
    assert_same(&fast, &full, "live");
    assert!(fast.transcript().contains("|p1"), "the pull query answered:\n{}", fast.transcript());
    let present = fast.events_processed();
    let mut points = Points(5);
    for _ in 0..8 {
        let k = points.below(present + 1);
        fast.travel_to(k);
        full.travel_to(k);
        assert_same(&fast, &full, &format!("travel_to({k}) of {present}"));
    }
}

/// A long session keeps its trace within a budget: the oldest entries go from the world and
/// from every checkpoint alike, so travel through checkpoints (thinned by a small budget
/// too) still equals a full replay, which drops the same entries; indices stay those of the
/// whole timeline.
#[test]
fn a_bounded_trace_and_thinned_checkpoints_travel_as_a_full_replay_does() {
    let mut fast = Session::new(7);
    let mut full = Session::new(7);
    full.disable_checkpoints();
    fast.set_checkpoint_budget(4, usize::MAX);
    for s in [&mut fast, &mut full] {
        s.set_trace_budget(40_000, 20_000);
        start(s);
        for round in 0..1500 {
            play(s, round);
        }
    }
    assert_same(&fast, &full, "live");
    let present = fast.events_processed();
    let trace = fast.trace();
    assert!(trace.first() > 0, "old entries were dropped: {} entries, {} bytes", trace.len(), fast.trace_bytes());
    assert!(fast.trace_bytes() <= 40_000, "{} bytes", fast.trace_bytes());
    assert_eq!(trace.get(trace.first()).map(|e| e.event), trace.iter().next().map(|e| e.event));
    assert!(trace.len() > trace.iter().count(), "the length counts the dropped entries");
    assert!(fast.checkpoint_count() <= 4, "{} checkpoints", fast.checkpoint_count());
    let mut points = Points(3);
    travel_around(&mut fast, &mut full, &mut points, 10);
    fast.travel_to(present);
    full.travel_to(present);
    assert_same(&fast, &full, "back to the present");

    // A fork from before the oldest entry kept: the new timeline's entries are kept.
    let early = fast.trace().iter().next().map_or(1, |e| e.event / 2);
    for s in [&mut fast, &mut full] {
        s.travel_to(early);
        s.input("> forked early");
        for round in 0..300 {
            play(s, round);
        }
    }
    assert_same(&fast, &full, &format!("forked at {early}, live again"));
    let present = fast.events_processed();
    for _ in 0..6 {
        let k = points.below(present + 1);
        fast.travel_to(k);
        full.travel_to(k);
        assert_same(&fast, &full, &format!("after the fork: travel_to({k}) of {present}"));
    }
}
