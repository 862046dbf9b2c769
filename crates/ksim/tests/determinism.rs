//! Same seed and same inputs give the same transcript, trace and cluster, run after run;
//! another seed gives other random draws (cluster and topic ids).

const LESSON: &str = include_str!("../../../tests/scripts/lesson-workflow.ksim");

#[test]
fn same_seed_same_transcript_and_trace() {
    let a = ksim::run_script_with_trace(LESSON, 42);
    let b = ksim::run_script_with_trace(LESSON, 42);
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert!(a.1.len() > 5, "the lesson narrates its steps");
}

fn topic_id(seed: u64) -> String {
    let mut s = ksim::Session::new(seed);
    for line in [
        "KAFKA_CLUSTER_ID=$(kafka-storage.sh random-uuid)",
        "kafka-storage.sh format --standalone -t $KAFKA_CLUSTER_ID -c config/kraft/reconfig-server.properties",
        "kafka-server-start.sh config/kraft/reconfig-server.properties",
        "kafka-topics.sh --create --topic heart-rate-measures --bootstrap-server localhost:9092",
    ] {
        s.input(line);
    }
    let view = s.view();
    view.topics.first().map(|t| t.topic_id.clone()).expect("topic created")
}

#[test]
fn seeds_drive_every_random_draw() {
    assert_eq!(topic_id(5), topic_id(5));
    assert_ne!(topic_id(5), topic_id(6));
}

#[test]
fn a_script_can_choose_its_seed_on_its_first_line() {
    let with_line = ksim::run_script("ksim seed 9\nkafka-storage.sh random-uuid\n", 1);
    let by_argument = ksim::run_script("kafka-storage.sh random-uuid\n", 9);
    assert_eq!(with_line.lines().last(), by_argument.lines().last());
    assert_ne!(ksim::run_script("kafka-storage.sh random-uuid\n", 1), by_argument);
}
