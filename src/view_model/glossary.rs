//! The glossary: every Kafka concept the page shows, explained in one sentence. Tooltips
//! (`<title>` in SVG, `title=` in HTML) take their sentence from here, so a concept reads
//! the same in the diagram, the topic view, the groups panel, the inspectors and the Kafka
//! UI, and the tests below keep every sentence one sentence.

/// One concept: the word on screen and its sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub word: &'static str,
    pub sentence: &'static str,
}

const fn term(word: &'static str, sentence: &'static str) -> Term {
    Term { word, sentence }
}

// Partitions and replication.
pub const TOPIC: Term = term("topic", "A topic is a named stream of records, split into partitions.");
pub const PARTITION: Term = term(
    "partition",
    "A partition is an ordered, append-only log: records with the same key go to the same partition and keep their order.",
);
pub const LEADER: Term = term(
    "leader",
    "The leader is the replica that takes every write and serves reads for its partition; the others copy from it.",
);
pub const FOLLOWER: Term =
    term("follower", "A follower is a replica that keeps copying the leader's log by fetching from it.");
pub const ISR: Term = term(
    "ISR",
    "The in-sync replicas (ISR) are the replicas caught up with the leader; only they count for acks=all and may become leader.",
);
pub const OUT_OF_SYNC: Term = term(
    "out of sync",
    "An out-of-sync replica fell behind the leader for longer than replica.lag.time.max.ms, so the leader dropped it from the ISR.",
);
pub const UNDER_REPLICATED: Term = term(
    "under-replicated",
    "An under-replicated partition has fewer replicas in its ISR than assigned: one more failure may stop acks=all writes.",
);
pub const LEADER_EPOCH: Term = term(
    "leader epoch",
    "The leader epoch counts leader changes of a partition, so replicas can tell an old leader's records from the new one's.",
);
pub const HIGH_WATERMARK: Term = term(
    "HW",
    "The high watermark (HW) is the offset below which every record is on all in-sync replicas and visible to consumers.",
);
pub const LOG_END_OFFSET: Term =
    term("LEO", "The log end offset (LEO) is the offset the next record appended to this log will get.");
pub const HW_EQUALS_LEO: Term =
    term("HW = LEO", "High watermark = log end offset: every record of the log is committed and visible to consumers.");
pub const LOG_START_OFFSET: Term = term(
    "log start offset",
    "The log start offset is the oldest offset still in the log; retention and delete-records move it forward.",
);
pub const SEGMENT: Term = term(
    "segment",
    "A segment is one file of a partition's log; retention deletes whole closed segments and compaction cleans closed ones.",
);
pub const COMPACTED: Term =
    term("compacted", "Compaction removed these offsets because a newer record with the same key replaced them.");
pub const TOMBSTONE: Term =
    term("tombstone", "A tombstone is a record with a null value: compaction later deletes its key from the log.");
pub const COMMITTED_RECORD: Term = term(
    "committed record",
    "A committed record is below the high watermark: on every in-sync replica, so it survives a leader failure.",
);
pub const UNCOMMITTED_RECORD: Term = term(
    "uncommitted record",
    "An uncommitted record is above the high watermark: the leader has it, but consumers cannot read it yet.",
);

// Nodes, KRaft and Raft.
pub const BROKER: Term = term("broker", "A broker stores partition replicas and serves producers and consumers.");
pub const CONTROLLER: Term = term(
    "controller",
    "A controller is a member of the KRaft quorum that keeps the cluster's metadata log (topics, brokers, leaders).",
);
pub const COMBINED: Term = term(
    "combined",
    "A combined node runs both roles, broker and controller, in one process (process.roles=broker,controller).",
);
pub const ACTIVE_CONTROLLER: Term = term(
    "active controller",
    "The active controller is the Raft leader of the metadata quorum: it alone decides leaders and ISRs and writes them to the log.",
);
pub const STARTING: Term = term("starting", "Starting: loading its logs and registering; it serves nothing yet.");
pub const RUNNING: Term = term("running", "Running: the process is up and answering requests.");
pub const FENCED: Term = term(
    "fenced",
    "Fenced: the active controller missed its heartbeats for broker.session.timeout.ms, so it leads no partitions until it registers again.",
);
pub const STOPPED: Term =
    term("stopped", "Stopped: the process was killed; its logs survive on disk and come back on restart.");
pub const RAFT_LEADER: Term = term(
    "Leader",
    "Raft Leader: the active controller, it appends metadata records and replicates them to the voters.",
);
pub const RAFT_FOLLOWER: Term =
    term("Follower", "Raft Follower: fetches the metadata log from the leader and votes in elections.");
pub const RAFT_CANDIDATE: Term =
    term("Candidate", "Raft Candidate: asked the other voters to elect it in a new epoch.");
pub const RAFT_PROSPECTIVE: Term = term(
    "Prospective",
    "Raft Prospective: asking with a pre-vote (KIP-996) whether an election could succeed before starting one.",
);
pub const RAFT_UNATTACHED: Term = term("Unattached", "Raft Unattached: knows of no leader in the current epoch yet.");
pub const RAFT_RESIGNED: Term =
    term("Resigned", "Raft Resigned: a leader stepping down; it waits for the voters to elect another.");
pub const RAFT_EPOCH: Term =
    term("epoch", "The Raft leader epoch (term) of the metadata quorum: every election starts a new one.");
pub const VOTED_FOR: Term =
    term("votedFor", "votedFor: the voter it voted for in this epoch, kept on disk so it never votes twice.");
pub const METADATA_LOG: Term = term(
    "metadata log",
    "The __cluster_metadata log holds every change to the cluster; its high watermark is what a majority of controllers has.",
);

// Clients.
pub const PRODUCER: Term =
    term("Producer", "A producer client batches records per partition and sends them to each partition's leader.");
pub const CONSUMER: Term = term(
    "Consumer",
    "A consumer client fetches records from partition leaders and tracks its position in each partition.",
);
pub const ADMIN_CLIENT: Term = term(
    "Admin client",
    "An admin client runs a tool's requests (create topics, describe groups, …) against the cluster.",
);

// Consumer groups.
pub const GROUP: Term = term(
    "consumer group",
    "A consumer group shares a topic's partitions among its members: each partition is read by one member at a time.",
);
pub const GENERATION: Term = term(
    "generation",
    "The generation counts the group's rebalances: each new assignment of partitions to members gets a new one.",
);
pub const GROUP_LEADER: Term = term(
    "group leader",
    "The group leader is the member that computes the assignment for the whole group and sends it in its SyncGroup.",
);
pub const COORDINATOR: Term = term(
    "coordinator",
    "The group coordinator is the broker leading the group's __consumer_offsets partition: it runs rebalances and stores commits.",
);
pub const COMMITTED_OFFSET: Term = term(
    "committed offset",
    "The committed offset is where the group resumes after a rebalance or a restart: the next record it has not processed.",
);
pub const POSITION: Term = term("position", "The position is the next offset the partition's owner will fetch.");
pub const LAG: Term = term(
    "lag",
    "Lag is the log end offset minus the committed offset: how many records the group still has to process.",
);

// Message kinds on the wire (the legend).
pub const PRODUCE: Term =
    term("Produce", "Produce: a producer sends records to a partition's leader, which answers once they are stored.");
pub const FETCH: Term = term(
    "Fetch",
    "Fetch: a consumer or a follower replica asks a leader for records from an offset on (followers also learn the HW).",
);
pub const METADATA: Term = term(
    "Metadata",
    "Metadata: clients ask which brokers lead which partitions, and brokers fetch the metadata log from the controller.",
);
pub const ADMIN: Term =
    term("Admin", "Admin: an admin client's request, such as CreateTopics, forwarded to the active controller.");
pub const VOTE: Term =
    term("Vote", "Vote: a controller asks the others for their (pre-)vote in a Raft election, and they answer.");
pub const HEARTBEAT: Term = term(
    "Heartbeat",
    "Heartbeat: a broker tells the active controller it is alive; without them for 9 s it is fenced.",
);
pub const GROUP_MESSAGE: Term = term(
    "Group",
    "Group: the consumer group protocol (FindCoordinator, JoinGroup, SyncGroup, heartbeats and offset commits).",
);

/// Every term, for the glossary's own tests.
#[cfg(test)]
const TERMS: [Term; 51] = [
    TOPIC,
    PARTITION,
    LEADER,
    FOLLOWER,
    ISR,
    OUT_OF_SYNC,
    UNDER_REPLICATED,
    LEADER_EPOCH,
    HIGH_WATERMARK,
    LOG_END_OFFSET,
    HW_EQUALS_LEO,
    LOG_START_OFFSET,
    SEGMENT,
    COMPACTED,
    TOMBSTONE,
    COMMITTED_RECORD,
    UNCOMMITTED_RECORD,
    BROKER,
    CONTROLLER,
    COMBINED,
    ACTIVE_CONTROLLER,
    STARTING,
    RUNNING,
    FENCED,
    STOPPED,
    RAFT_LEADER,
    RAFT_FOLLOWER,
    RAFT_CANDIDATE,
    RAFT_PROSPECTIVE,
    RAFT_UNATTACHED,
    RAFT_RESIGNED,
    RAFT_EPOCH,
    VOTED_FOR,
    METADATA_LOG,
    PRODUCER,
    CONSUMER,
    ADMIN_CLIENT,
    GROUP,
    GENERATION,
    GROUP_LEADER,
    COORDINATOR,
    COMMITTED_OFFSET,
    POSITION,
    LAG,
    PRODUCE,
    FETCH,
    METADATA,
    ADMIN,
    VOTE,
    HEARTBEAT,
    GROUP_MESSAGE,
];

/// The sentence for a node state word (`running`, `fenced`, …).
pub fn node_state(word: &str) -> &'static str {
    match word {
        "starting" => STARTING.sentence,
        "fenced" => FENCED.sentence,
        "stopped" => STOPPED.sentence,
        _ => RUNNING.sentence,
    }
}

/// The sentence for a Raft state as the core names it (`Leader`, `Prospective`, …).
pub fn raft_state(state: &str) -> Option<&'static str> {
    [RAFT_LEADER, RAFT_FOLLOWER, RAFT_CANDIDATE, RAFT_PROSPECTIVE, RAFT_UNATTACHED, RAFT_RESIGNED]
        .into_iter()
        .find(|t| t.word == state)
        .map(|t| t.sentence)
}

/// The sentence for a client kind as the diagram names it (`Producer`, `Consumer`, `Admin`).
pub fn client_kind(kind: &str) -> &'static str {
    match kind {
        "Producer" => PRODUCER.sentence,
        "Consumer" => CONSUMER.sentence,
        _ => ADMIN_CLIENT.sentence,
    }
}

/// The sentence for a message kind's legend name.
pub fn message_kind(name: &str) -> Option<&'static str> {
    [PRODUCE, FETCH, METADATA, ADMIN, VOTE, HEARTBEAT, GROUP_MESSAGE]
        .into_iter()
        .find(|t| t.word == name)
        .map(|t| t.sentence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::diagram::{kind_style, MESSAGE_KINDS};

    /// One sentence: a capital or a term first, one final full stop, no second sentence.
    fn is_one_sentence(s: &str) -> bool {
        let body = s.strip_suffix('.').unwrap_or(s);
        s.ends_with('.') && !body.contains(". ") && !body.contains('\n') && s.len() <= 160
    }

    #[test]
    fn every_sentence_is_one_short_sentence() {
        let long: Vec<_> = TERMS.iter().filter(|t| !is_one_sentence(t.sentence)).collect();
        assert!(long.is_empty(), "{long:#?}");
        let mut words: Vec<_> = TERMS.iter().map(|t| t.word).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), TERMS.len(), "each word once");
    }

    #[test]
    fn every_message_kind_in_the_legend_is_explained() {
        for kind in MESSAGE_KINDS {
            let name = kind_style(kind).name;
            assert!(message_kind(name).is_some_and(|s| s.starts_with(name)), "{name}");
        }
    }

    #[test]
    fn every_raft_state_the_core_names_is_explained() {
        for state in ["Unattached", "Prospective", "Candidate", "Leader", "Follower", "Resigned"] {
            assert!(raft_state(state).is_some_and(|s| s.contains(state)), "{state}");
        }
        assert_eq!(raft_state("Voted"), None);
        assert_eq!(node_state("fenced"), FENCED.sentence);
    }
}
