//! KIP-848 (`group.protocol=consumer`) through the page's session: the group as the page
//! shows it while members join, reconcile and leave.

use ksim::Session;

const SETUP: &[&str] = &[
    "KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)",
    "bin/kafka-storage.sh format --standalone -t $KAFKA_CLUSTER_ID -c config/kraft/reconfig-server.properties",
    "bin/kafka-server-start.sh config/kraft/reconfig-server.properties",
    "bin/kafka-topics.sh --create --topic orders --partitions 4 --bootstrap-server localhost:9092",
];

const MEMBER: &str = "bin/kafka-console-consumer.sh --topic orders --group dispatch --consumer-property group.protocol=consumer --bootstrap-server localhost:9092 &";

#[test]
fn two_members_split_the_partitions_and_one_takes_over_when_the_other_leaves() {
    let mut s = Session::new(1);
    for line in SETUP {
        s.input(line);
    }
    s.input(MEMBER);
    s.advance(1_000);
    let group = s.view().groups.into_iter().find(|g| g.group_id == "dispatch").expect("the group");
    assert_eq!((group.state.as_str(), group.generation_id), ("Stable", 1));
    assert_eq!(group.protocol.as_deref(), Some("uniform"));
    assert_eq!(group.members.len(), 1);
    assert_eq!(group.members[0].assignment.len(), 4);

    s.input(MEMBER);
    s.advance(500);
    // The newcomer waits: the first member has not revoked yet (or just did).
    let group = s.view().groups.into_iter().find(|g| g.group_id == "dispatch").expect("the group");
    assert_eq!(group.generation_id, 2);
    let owned: usize = group.members.iter().map(|m| m.assignment.len()).sum();
    assert!(owned <= 4, "no partition has two owners: {group:?}");

    s.advance(10_000);
    let group = s.view().groups.into_iter().find(|g| g.group_id == "dispatch").expect("the group");
    assert_eq!(group.state, "Stable");
    assert_eq!(group.members.len(), 2);
    assert!(group.members.iter().all(|m| m.assignment.len() == 2 && m.client.is_some()), "{group:?}");
    assert!(group.partitions.iter().all(|p| p.owner.is_some()), "{group:?}");

    // The first member's job number, from its `[N] pid` line.
    let job = s
        .output()
        .iter()
        .find_map(|l| l.text.strip_prefix('[').and_then(|t| t.split(']').next()).and_then(|n| n.parse::<u32>().ok()))
        .expect("a background job");
    s.input(&format!("kill %{job}"));
    s.advance(10_000);
    let group = s.view().groups.into_iter().find(|g| g.group_id == "dispatch").expect("the group");
    assert_eq!((group.state.as_str(), group.generation_id), ("Stable", 3));
    assert_eq!(group.members.len(), 1);
    assert_eq!(group.members[0].assignment, ["orders-0", "orders-1", "orders-2", "orders-3"]);
}
