//! The page's session: the lesson typed line by line with time passing as the page's
//! clock lets it, prompts, Ctrl-C/Ctrl-D, and step back / step forward by replay.

use ksim::{Session, Stream};

const LESSON: &str = include_str!("../../../tests/scripts/lesson-workflow.ksim");

fn stdout(s: &Session) -> Vec<String> {
    s.output().iter().filter(|l| l.stream == Stream::Stdout).map(|l| l.text.clone()).collect()
}

fn lesson_session() -> Session {
    let mut s = Session::new(1);
    for line in LESSON.lines() {
        s.input(line);
    }
    s
}

#[test]
fn the_lesson_runs_in_the_page_as_time_passes() {
    let mut s = lesson_session();
    assert_eq!(s.prompt(), "", "the consumer owns the terminal");
    assert!(!stdout(&s).contains(&"82 bpm".to_string()), "nothing is read before time passes");
    s.advance(2_000);
    let out = stdout(&s);
    let first = out.iter().position(|l| l == "82 bpm").expect("82 bpm");
    let second = out.iter().position(|l| l == "110 bpm").expect("110 bpm");
    assert!(first < second);
    s.interrupt();
    assert_eq!(s.prompt(), "$ ");
    assert!(s.output().iter().any(|l| l.text == "Processed a total of 2 messages"));
}

#[test]
fn prompts_follow_the_terminal() {
    let mut s = Session::new(1);
    assert_eq!(s.prompt(), "$ ");
    s.input("echo one \\");
    assert_eq!(s.prompt(), "> ");
    s.input("two");
    assert_eq!(s.prompt(), "$ ");
    assert!(stdout(&s).contains(&"one two".to_string()));
    s.input("kafka-console-producer.sh --topic t --bootstrap-server localhost:9092");
    assert_eq!(s.prompt(), ">");
    s.end_of_input();
    assert_eq!(s.prompt(), "$ ");
}

#[test]
fn step_back_then_forward_returns_to_the_same_state() {
    let mut s = lesson_session();
    s.advance(1_500);
    let present = s.view();
    let present_output = s.output().clone();
    for _ in 0..10 {
        assert!(s.step_back());
    }
    let past = s.view();
    assert_eq!(past.events_processed + 10, present.events_processed);
    assert!(past.now_ms <= present.now_ms);
    for _ in 0..10 {
        assert!(s.step());
    }
    let back = s.view();
    assert_eq!(back.events_processed, present.events_processed);
    assert_eq!(back.topics, present.topics);
    assert_eq!(back.nodes, present.nodes);
    assert_eq!(s.output(), &present_output, "replaying to the present reprints the same console");
}

#[test]
fn stepping_back_to_the_start_empties_the_world() {
    let mut s = Session::new(3);
    s.input("KAFKA_CLUSTER_ID=$(kafka-storage.sh random-uuid)");
    s.input("kafka-storage.sh format --standalone -t $KAFKA_CLUSTER_ID -c config/server.properties");
    s.input("kafka-server-start.sh config/server.properties");
    let events = s.view().events_processed;
    assert!(events > 5);
    while s.step_back() {}
    assert_eq!(s.view().events_processed, 0);
    assert!(!s.can_step_back());
}

#[test]
fn typing_in_the_past_forks_a_new_future() {
    let mut s = lesson_session();
    s.advance(1_500);
    let events = s.view().events_processed;
    for _ in 0..3 {
        s.step_back();
    }
    s.interrupt();
    s.input("ksim status");
    assert!(s.view().events_processed >= events - 3);
    // The new future is live: time passes from here.
    let before = s.now_ms();
    s.advance(100);
    assert_eq!(s.now_ms(), before + 100);
}

#[test]
fn stray_producer_lines_get_a_clear_error() {
    let mut s = Session::new(1);
    s.input("> 82 bpm");
    let texts: Vec<&str> = s.output().iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"bash: syntax error near unexpected token `newline'"));
    assert!(s.output().iter().any(|l| l.stream == Stream::Hint));
}

#[test]
fn many_small_advances_replay_like_one() {
    let mut a = lesson_session();
    let mut b = lesson_session();
    for _ in 0..100 {
        a.advance(16);
    }
    b.advance(1600);
    assert_eq!(a.view(), b.view());
    assert_eq!(a.output(), b.output());
    a.step_back();
    b.step_back();
    assert_eq!(a.view(), b.view());
    assert_eq!(a.events_processed(), b.events_processed());
}

#[test]
fn control_commands_run_beside_a_foreground_consumer() {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 3 --controllers 1");
    s.input("kafka-topics.sh --create --topic vitals --replication-factor 3 --bootstrap-server localhost:9092");
    s.input("kafka-console-consumer.sh --topic vitals --bootstrap-server localhost:9092,localhost:9094");
    assert_eq!(s.prompt(), "", "the consumer holds the console");
    s.control("ksim kill 4");
    assert_eq!(s.prompt(), "", "the consumer still runs");
    assert!(s.output().iter().any(|l| l.text.starts_with("Killed node 4")));
    s.control("echo hi");
    assert!(s.output().iter().any(|l| l.text.contains("only playground commands")));
    assert!(s.step_back(), "control commands are part of the replayable history");
}

/// The page's snapshot holds only the newest records of each partition, and says how many
/// it left out; the full view still has them all.
#[test]
fn the_recent_view_keeps_the_newest_records_and_counts_the_rest() {
    let mut s = Session::new(1);
    for line in [
        "ksim start-cluster --brokers 1 --controllers 1",
        "kafka-topics.sh --create --topic heart-rate-measures --partitions 1 --replication-factor 1 --bootstrap-server localhost:9092",
        "kafka-console-producer.sh --topic heart-rate-measures --bootstrap-server localhost:9092",
    ] {
        s.input(line);
    }
    for n in 0..10 {
        s.input(&format!("> {} bpm", 80 + n));
    }
    s.end_of_input();
    s.advance(2_000);
    let full = &s.view().topics[0].partitions[0];
    assert_eq!((full.records.len(), full.earlier_records), (10, 0));
    let recent = &s.view_recent(3).topics[0].partitions[0];
    let offsets: Vec<u64> = recent.records.iter().map(|r| r.offset).collect();
    assert_eq!(offsets, [7, 8, 9]);
    assert_eq!(recent.earlier_records, 7);

    // A window anywhere in the log, as the page's strip scrolls through it.
    let window = |from, max| {
        let w = s.log_window("heart-rate-measures", 0, from, max).expect("a leader copy");
        (w.earlier, w.records.iter().map(|r| r.offset).collect::<Vec<u64>>(), w.later)
    };
    assert_eq!(window(Some(2), 3), (2, vec![2, 3, 4], 5));
    assert_eq!(window(Some(0), 20), (0, (0..10).collect(), 0));
    assert_eq!(window(None, 4), (6, vec![6, 7, 8, 9], 0), "the newest");
    assert_eq!(window(Some(8), 4), (6, vec![6, 7, 8, 9], 0), "near the end a window stays full");
    assert_eq!(window(Some(u64::MAX), 2), (8, vec![8, 9], 0));
    assert_eq!(s.log_window("heart-rate-measures", 0, Some(1), 1).unwrap().records, full.records[1..2]);
    assert_eq!(s.log_window("heart-rate-measures", 7, None, 3), None, "no such partition");
    assert_eq!(s.log_window("vitals", 0, None, 3), None, "no such topic");
}

/// A narration line takes the page to the moment it describes, and back to the present.
#[test]
fn travel_to_a_narration_line_and_back() {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 1 --controllers 1");
    s.input("kafka-topics.sh --create --topic heart-rate-measures --partitions 1 --replication-factor 1 --bootstrap-server localhost:9092");
    let present = s.events_processed();
    let created =
        s.trace().iter().find(|t| t.text.contains("creates topic heart-rate-measures")).expect("traced").event;
    let before_creation = s.trace().iter().rev().find(|t| t.event < created).expect("earlier line").event;
    s.travel_to(before_creation);
    assert_eq!(s.events_processed(), before_creation);
    assert!(s.view().topics.is_empty(), "before the controller created it there is no topic");
    s.travel_to(created);
    assert_eq!(s.events_processed(), created);
    s.travel_to(u64::MAX);
    assert_eq!(s.events_processed(), present, "never past the present");
    assert_eq!(s.view().topics.len(), 1);
}

#[test]
fn fork_here_makes_the_past_the_present_like_typing_there() {
    let mut s = lesson_session();
    s.advance(1_500);
    let present = s.present_events();
    s.travel_to(present / 2);
    assert!(s.in_the_past());
    assert_eq!(s.present_events(), present, "the timeline still ends at the old present");

    let mut typed = lesson_session();
    typed.advance(1_500);
    typed.travel_to(present / 2);

    s.fork_here();
    assert!(!s.in_the_past());
    assert_eq!(s.present_events(), present / 2, "the old future is gone");
    // Stepping forward now makes new history instead of walking the old one.
    s.advance(500);
    typed.advance(500);
    assert_eq!(s.view(), typed.view(), "forking then acting is what acting in the past does");
    assert_eq!(s.transcript(), typed.transcript());

    // The forked history replays: back to the start and forward again, same state.
    let after = s.view();
    let trace = s.trace().clone();
    s.travel_to(0);
    assert_eq!(s.view().events_processed, 0);
    s.travel_to(u64::MAX);
    assert_eq!(events_only(s.view()), events_only(after));
    assert_eq!(s.trace(), &trace);
}

/// A replay stops at the last event, so the idle time after it is not part of the match.
fn events_only(mut view: ksim::ClusterView) -> ksim::ClusterView {
    view.now_ms = 0;
    view.wall_clock.clear();
    view
}

#[test]
fn fork_here_at_the_present_changes_nothing() {
    let mut s = lesson_session();
    s.advance(1_000);
    let before = s.view();
    s.fork_here();
    assert_eq!(s.view(), before);
    assert_eq!(s.present_events(), before.events_processed);
}

/// A one-broker cluster with a topic and an interactive producer that just sent `82 bpm`:
/// its ProduceRequest is on the wire.
fn produce_in_flight() -> (Session, ksim::MessageView) {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 1 --controllers 1");
    s.advance(5_000);
    s.input("kafka-topics.sh --create --topic vitals --bootstrap-server localhost:9092");
    s.advance(2_000);
    s.input("kafka-console-producer.sh --topic vitals --bootstrap-server localhost:9092");
    s.advance(2_000);
    s.input("> 82 bpm");
    for _ in 0..10_000 {
        let produce = s
            .view()
            .in_flight
            .into_iter()
            .find(|m| m.kind == ksim::MessageKind::Produce && m.label.starts_with("ProduceRequest"));
        if let Some(m) = produce {
            return (s, m);
        }
        assert!(s.step(), "the producer sends its record");
    }
    panic!("no ProduceRequest in flight");
}

fn log_end_offset(s: &Session, topic: &str) -> u64 {
    s.view().topics.iter().find(|t| t.name == topic).map_or(0, |t| t.partitions[0].log_end_offset)
}

#[test]
fn a_dropped_message_never_arrives_and_replay_drops_it_again() {
    let (mut twin, _) = produce_in_flight();
    twin.advance(1_000);
    assert_eq!(log_end_offset(&twin, "vitals"), 1, "undisturbed, the record lands");

    let (mut s, m) = produce_in_flight();
    assert!(s.drop_message(m.id));
    assert!(!s.drop_message(m.id), "it is gone already");
    assert!(s.view().in_flight.iter().all(|x| x.id != m.id));
    let line = s.trace().last().expect("the drop is narrated");
    assert_eq!(line.actor, "Network");
    assert_eq!(
        line.text,
        format!("the network dropped {} from console-producer to Broker 2 (dropped from the page)", m.label)
    );
    // Less than the producer's request.timeout.ms (30 s): no retry yet, nothing written.
    s.advance(1_000);
    assert_eq!(log_end_offset(&s, "vitals"), 0, "the dropped record never arrived");

    let after = s.view();
    let trace = s.trace().clone();
    s.travel_to(0);
    s.travel_to(u64::MAX);
    assert_eq!(events_only(s.view()), events_only(after), "replay drops the message again");
    assert_eq!(s.trace(), &trace);
}

#[test]
fn dropping_a_message_in_the_past_forks() {
    let (mut s, m) = produce_in_flight();
    s.advance(1_000);
    assert_eq!(log_end_offset(&s, "vitals"), 1);
    let old_present = s.present_events();
    // Back to when the request was on the wire.
    while s.view().in_flight.iter().all(|x| x.id != m.id) {
        assert!(s.step_back());
    }
    assert!(s.drop_message(m.id));
    assert!(!s.in_the_past());
    assert!(s.present_events() < old_present);
    s.advance(1_000);
    assert_eq!(log_end_offset(&s, "vitals"), 0);
}

#[test]
fn cuts_are_in_the_view_sorted_and_healed() {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 3 --controllers 3");
    s.control("ksim partition 6 -> 4");
    s.control("ksim partition 5 | 1,2");
    assert_eq!(s.view().cuts, [(1, 5), (2, 5), (5, 1), (5, 2), (6, 4)]);
    s.control("ksim heal");
    assert!(s.view().cuts.is_empty());
}

#[test]
fn the_view_carries_a_topics_non_default_configs_sorted() {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 1 --controllers 1");
    s.advance(5_000);
    s.input(
        "kafka-topics.sh --create --topic patient-status --config segment.ms=10000 --config cleanup.policy=compact --bootstrap-server localhost:9092",
    );
    s.advance(5_000);
    let view = s.view();
    let topic = view.topics.iter().find(|t| t.name == "patient-status").expect("the topic is created");
    let configs: Vec<(&str, &str)> = topic.configs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(configs, [("cleanup.policy", "compact"), ("segment.ms", "10000")]);
}

#[test]
fn a_ksql_push_query_prints_rows_as_they_arrive_until_ctrl_c() {
    let mut s = Session::new(1);
    s.input("ksim start-cluster --brokers 1 --controllers 1");
    s.input("ksql");
    assert_eq!(s.prompt(), "ksql> ");
    s.input("CREATE STREAM hr (patient VARCHAR KEY, bpm INT)");
    assert_eq!(s.prompt(), ">", "the statement goes on until its semicolon");
    s.input("  WITH (kafka_topic='hr', value_format='JSON', partitions=1);");
    assert_eq!(s.prompt(), "ksql> ");
    assert!(stdout(&s).contains(&" Stream created ".to_string()));
    s.input("SELECT patient, bpm FROM hr WHERE bpm > 100 EMIT CHANGES;");
    assert_eq!(s.prompt(), "", "the push query owns the terminal");
    s.control("ksim advance 5s");
    let row = |s: &Session| stdout(s).iter().any(|l| l.starts_with("|p1 ") && l.contains("|130 "));
    assert!(!row(&s), "the topic is empty");
    s.interrupt();
    assert!(stdout(&s).contains(&"Query terminated".to_string()));
    assert_eq!(s.prompt(), "ksql> ");
    s.input("INSERT INTO hr (patient, bpm) VALUES ('p1', 130);");
    s.input("INSERT INTO hr (patient, bpm) VALUES ('p2', 70);");
    s.input("SET 'auto.offset.reset'='earliest';");
    s.input("SELECT patient, bpm FROM hr WHERE bpm > 100 EMIT CHANGES;");
    assert!(!row(&s), "nothing is read before time passes");
    s.advance(5_000);
    assert!(row(&s), "the reading above 100 is printed as time passes");
    assert!(!stdout(&s).iter().any(|l| l.starts_with("|p2 ")), "the filter drops p2");
    s.interrupt();
    assert_eq!(s.prompt(), "ksql> ");
    s.end_of_input();
    assert_eq!(s.prompt(), "$ ");
    assert!(stdout(&s).contains(&"Exiting ksqlDB.".to_string()));
}
