//! The node inspector: what one Kafka server is doing right now, in words. A controller's
//! Raft state (epoch, vote, leader, metadata log, next deadline) and a broker's partition
//! replicas (role, ISR membership, offsets, lag behind the leader), with under-replicated
//! partitions it leads called out, because those are where the next failure loses data.

use ksim::{ClusterView, NodeView, PartitionView, ProcessState, RaftView};

use super::diagram::{fault_verb, state_word};
use super::glossary;
use super::time_format::countdown;
use super::topics::UNDER_REPLICATED_TOOLTIP;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspector {
    pub node_id: u32,
    /// `Node 5 details`: the panel's accessible name.
    pub name: String,
    /// `Broker 4`, `Controller 1`, or `Broker 1 · Controller 1` for a combined node.
    pub title: String,
    /// `process.roles=broker,controller · PLAINTEXT://:9092`.
    pub subtitle: String,
    /// `running`, `starting`, `fenced` or `stopped`, also a CSS class.
    pub state: &'static str,
    /// One sentence on what the state means.
    pub state_tooltip: &'static str,
    /// `Kill` or `Restart`, as the diagram's button.
    pub fault_verb: &'static str,
    /// `Kill Broker 4`: the panel's button text (the diagram's button has the same name
    /// as its `aria-label`).
    pub fault_label: String,
    /// `ksim kill 4`.
    pub fault_command: String,
    pub controller: Option<ControllerDetail>,
    pub broker: Option<BrokerDetail>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerDetail {
    /// `Not part of the quorum yet`, or for a stopped node that the facts are as on disk.
    pub note: Option<&'static str>,
    pub facts: Vec<Fact>,
}

/// One row of a definition list: a term, its value, and why it matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub term: &'static str,
    pub value: String,
    pub tooltip: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerDetail {
    /// `leads 1 of 3 replicas`, or `hosts no replicas`.
    pub summary: String,
    /// `1 under-replicated partition led here`, when there are any.
    pub under_replicated: Option<String>,
    /// Its copies are shown as last written to disk.
    pub stopped: bool,
    pub replicas: Vec<HostedReplica>,
}

/// One partition replica the broker hosts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostedReplica {
    /// `topic-partition`.
    pub name: String,
    /// `leader`, `follower`, or `no copy yet` before the broker created its log.
    pub role: &'static str,
    /// `in ISR` or `out of sync` (empty without a copy).
    pub isr: &'static str,
    pub log_start: String,
    pub leo: String,
    pub hw: String,
    /// `–` for the leader itself, else how many offsets it lacks of the leader's LEO.
    pub behind: String,
    /// The leader's partition has fewer replicas in sync than assigned.
    pub under_replicated: bool,
    /// `leader`, `follower`, `out-of-sync`, `no-copy`, plus `under-replicated`.
    pub class: String,
    pub tooltip: String,
}

fn state_tooltip(state: ProcessState) -> &'static str {
    glossary::node_state(state_word(state))
}

fn raft_state_tooltip(state: &str) -> &'static str {
    glossary::raft_state(state).unwrap_or(glossary::CONTROLLER.sentence)
}

/// The inspector for node `node_id`, or `None` if no such server exists (any more).
pub fn inspector(view: &ClusterView, node_id: u32) -> Option<Inspector> {
    let node = view.nodes.iter().find(|n| n.node_id == node_id)?;
    let title = match (node.is_broker, node.is_controller) {
        (true, true) => format!("Broker {node_id} · Controller {node_id}"),
        (true, false) => format!("Broker {node_id}"),
        _ => format!("Controller {node_id}"),
    };
    let roles = match (node.is_broker, node.is_controller) {
        (true, true) => "broker,controller",
        (true, false) => "broker",
        _ => "controller",
    };
    let mut subtitle = format!("process.roles={roles}");
    if !node.listeners.is_empty() {
        subtitle.push_str(&format!(" · {}", node.listeners.join(", ")));
    }
    // The diagram's button names the box, so it says `Broker N` for a combined node too.
    let box_label = if node.is_broker { format!("Broker {node_id}") } else { format!("Controller {node_id}") };
    let verb = fault_verb(node.state);
    Some(Inspector {
        node_id,
        name: format!("Node {node_id} details"),
        title,
        subtitle,
        state: state_word(node.state),
        state_tooltip: state_tooltip(node.state),
        fault_verb: verb,
        fault_label: format!("{verb} {box_label}"),
        fault_command: format!("ksim {} {node_id}", verb.to_lowercase()),
        controller: node.is_controller.then(|| controller(node, view.now_ms)),
        broker: node.is_broker.then(|| broker(view, node)),
    })
}

fn controller(node: &NodeView, now_ms: u64) -> ControllerDetail {
    let Some(r) = &node.raft else {
        return ControllerDetail { note: Some("Not part of the quorum yet."), facts: Vec::new() };
    };
    let stopped = node.state == ProcessState::Stopped;
    ControllerDetail {
        note: stopped.then_some("Stopped: its Raft state as last written to disk."),
        facts: raft_facts(r, stopped, now_ms),
    }
}

fn raft_facts(r: &RaftView, stopped: bool, now_ms: u64) -> Vec<Fact> {
    let none = || "none".to_owned();
    let deadline = match &r.deadline {
        Some((what, at)) if !stopped => countdown(what, *at, now_ms),
        _ => none(),
    };
    vec![
        Fact { term: "Raft state", value: r.state.clone(), tooltip: raft_state_tooltip(&r.state) },
        Fact { term: "Epoch", value: r.leader_epoch.to_string(), tooltip: glossary::RAFT_EPOCH.sentence },
        Fact {
            term: "votedFor",
            value: r.voted_for.map_or_else(none, |v| v.to_string()),
            tooltip: glossary::VOTED_FOR.sentence,
        },
        Fact {
            term: "Leader",
            value: r.leader_id.map_or_else(none, |l| format!("Controller {l}")),
            tooltip: "The controller it believes leads the metadata quorum in this epoch.",
        },
        Fact {
            term: "Metadata log end",
            value: r.log_end_offset.to_string(),
            tooltip: "The offset after the last record in its __cluster_metadata log.",
        },
        Fact {
            term: "High watermark",
            value: r.high_watermark.to_string(),
            tooltip: "Metadata records below it are committed: a majority of voters have them.",
        },
        Fact {
            term: "Next deadline",
            value: deadline,
            tooltip: "What Raft waits for next, and how long until it gives up waiting.",
        },
    ]
}

fn broker(view: &ClusterView, node: &NodeView) -> BrokerDetail {
    let id = node.node_id;
    let replicas: Vec<HostedReplica> = view
        .topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(move |p| (t.name.as_str(), p)))
        .filter(|(_, p)| p.replicas.contains(&id))
        .map(|(topic, p)| hosted(topic, p, id))
        .collect();
    let led = replicas.iter().filter(|r| r.role == "leader").count();
    let under = replicas.iter().filter(|r| r.under_replicated).count();
    let summary = match replicas.len() {
        0 => "hosts no replicas".to_owned(),
        1 => format!("leads {led} of 1 replica"),
        n => format!("leads {led} of {n} replicas"),
    };
    BrokerDetail {
        summary,
        under_replicated: (under > 0).then(|| match under {
            1 => "1 under-replicated partition led here".to_owned(),
            n => format!("{n} under-replicated partitions led here"),
        }),
        stopped: node.state == ProcessState::Stopped,
        replicas,
    }
}

fn hosted(topic: &str, p: &PartitionView, id: u32) -> HostedReplica {
    let name = format!("{topic}-{}", p.partition);
    let Some(r) = p.replica_states.iter().find(|r| r.broker == id) else {
        let dash = || "–".to_owned();
        return HostedReplica {
            tooltip: format!("{name}: broker {id} has not created its log of this partition yet"),
            name,
            role: "no copy yet",
            isr: "",
            log_start: dash(),
            leo: dash(),
            hw: dash(),
            behind: dash(),
            under_replicated: false,
            class: "no-copy".to_owned(),
        };
    };
    let leader_leo = p.replica_states.iter().find(|s| s.is_leader).map_or(p.log_end_offset, |s| s.log_end_offset);
    let under_replicated = r.is_leader && p.isr.len() < p.replicas.len();
    let (role, isr) =
        (if r.is_leader { "leader" } else { "follower" }, if r.in_isr { "in ISR" } else { "out of sync" });
    let mut class = match (r.is_leader, r.in_isr) {
        (true, _) => "leader",
        (false, true) => "follower",
        (false, false) => "out-of-sync",
    }
    .to_owned();
    let mut tooltip = format!(
        "{name} on broker {id}: {role}, {isr}\nlog start {}, high watermark {}, log end offset {}; \
         the leader's log end offset is {leader_leo}",
        r.log_start_offset, r.high_watermark, r.log_end_offset
    );
    if under_replicated {
        class.push_str(" under-replicated");
        tooltip.push_str(&format!("\n{} of {} in sync: {UNDER_REPLICATED_TOOLTIP}", p.isr.len(), p.replicas.len()));
    }
    HostedReplica {
        name,
        role,
        isr,
        log_start: r.log_start_offset.to_string(),
        leo: r.log_end_offset.to_string(),
        hw: r.high_watermark.to_string(),
        behind: if r.is_leader { "–".to_owned() } else { leader_leo.saturating_sub(r.log_end_offset).to_string() },
        under_replicated,
        class,
        tooltip,
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};
    use ksim::{ReplicaStateView, TopicView};

    use super::*;

    fn node(id: u32, is_broker: bool, is_controller: bool, state: ProcessState) -> NodeView {
        NodeView {
            node_id: id,
            is_broker,
            is_controller,
            state,
            listeners: vec!["PLAINTEXT://:9092".to_owned()],
            raft: is_controller.then(|| RaftView {
                state: "Follower".to_owned(),
                leader_epoch: 3,
                leader_id: Some(2),
                voted_for: None,
                log_end_offset: 22,
                high_watermark: 21,
                deadline: Some(("fetch timeout".to_owned(), 2_840)),
            }),
            replicas: Vec::new(),
        }
    }

    fn copy(broker: u32, leader: u32, isr: &[u32], leo: u64) -> ReplicaStateView {
        ReplicaStateView {
            broker,
            is_leader: broker == leader,
            in_isr: isr.contains(&broker),
            online: true,
            log_start_offset: 0,
            high_watermark: 2,
            log_end_offset: leo,
        }
    }

    fn partition(partition: u32, leader: u32, isr: &[u32], leos: &[(u32, u64)]) -> PartitionView {
        PartitionView {
            partition,
            leader: Some(leader),
            leader_epoch: 1,
            replicas: vec![4, 5, 6],
            isr: isr.to_vec(),
            log_start_offset: 0,
            high_watermark: 2,
            log_end_offset: 4,
            records: Vec::new(),
            replica_states: leos.iter().map(|&(b, leo)| copy(b, leader, isr, leo)).collect(),
            segments: Vec::new(),
            earlier_records: 0,
        }
    }

    fn cluster() -> ClusterView {
        ClusterView {
            now_ms: 2_000,
            nodes: vec![
                node(1, false, true, ProcessState::Running),
                node(4, true, false, ProcessState::Running),
                node(5, true, false, ProcessState::Running),
                node(6, true, false, ProcessState::Stopped),
            ],
            topics: vec![TopicView {
                configs: Vec::new(),
                name: "icu-vitals".to_owned(),
                topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
                partitions: vec![
                    partition(0, 4, &[4, 5], &[(4, 4), (5, 4), (6, 2)]),
                    partition(1, 5, &[4, 5, 6], &[(4, 3), (5, 4), (6, 4)]),
                    // Broker 6 has not created its copy of this one yet.
                    partition(2, 4, &[4, 5, 6], &[(4, 0), (5, 0)]),
                ],
            }],
            ..ClusterView::default()
        }
    }

    /// The inspector as text, one line per fact or replica.
    fn check(view: &ClusterView, node_id: u32, expect: Expect) {
        let Some(i) = inspector(view, node_id) else { panic!("no node {node_id}") };
        let mut out = format!(
            "{} [{}] {} | {} | [{}] `{}`\n",
            i.name, i.state, i.title, i.subtitle, i.fault_label, i.fault_command
        );
        if let Some(c) = &i.controller {
            if let Some(note) = c.note {
                out.push_str(&format!("note: {note}\n"));
            }
            for f in &c.facts {
                out.push_str(&format!("{}: {}\n", f.term, f.value));
            }
        }
        if let Some(b) = &i.broker {
            out.push_str(&format!(
                "{}{}\n",
                b.summary,
                b.under_replicated.as_deref().map_or(String::new(), |u| format!(" · {u}"))
            ));
            for r in &b.replicas {
                out.push_str(&format!(
                    "{} [{}] {} {} | start {} LEO {} HW {} behind {}\n",
                    r.name, r.class, r.role, r.isr, r.log_start, r.leo, r.hw, r.behind
                ));
            }
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn a_broker_lists_its_replicas_and_flags_the_under_replicated_ones_it_leads() {
        check(
            &cluster(),
            4,
            expect![[r#"
                Node 4 details [running] Broker 4 | process.roles=broker · PLAINTEXT://:9092 | [Kill Broker 4] `ksim kill 4`
                leads 2 of 3 replicas · 1 under-replicated partition led here
                icu-vitals-0 [leader under-replicated] leader in ISR | start 0 LEO 4 HW 2 behind –
                icu-vitals-1 [follower] follower in ISR | start 0 LEO 3 HW 2 behind 1
                icu-vitals-2 [leader] leader in ISR | start 0 LEO 0 HW 2 behind –
            "#]],
        );
        let i = inspector(&cluster(), 4).and_then(|i| i.broker).expect("a broker");
        assert!(
            i.replicas[0].tooltip.ends_with(&format!("\n2 of 3 in sync: {}", glossary::UNDER_REPLICATED.sentence)),
            "{}",
            i.replicas[0].tooltip
        );
    }

    #[test]
    fn a_stopped_broker_offers_restart_and_shows_missing_copies() {
        check(
            &cluster(),
            6,
            expect![[r#"
                Node 6 details [stopped] Broker 6 | process.roles=broker · PLAINTEXT://:9092 | [Restart Broker 6] `ksim restart 6`
                leads 0 of 3 replicas
                icu-vitals-0 [out-of-sync] follower out of sync | start 0 LEO 2 HW 2 behind 2
                icu-vitals-1 [follower] follower in ISR | start 0 LEO 4 HW 2 behind 0
                icu-vitals-2 [no-copy] no copy yet  | start – LEO – HW – behind –
            "#]],
        );
        assert!(inspector(&cluster(), 6).and_then(|i| i.broker).is_some_and(|b| b.stopped));
    }

    #[test]
    fn a_controller_shows_its_raft_state_and_counts_down() {
        check(
            &cluster(),
            1,
            expect![[r#"
                Node 1 details [running] Controller 1 | process.roles=controller · PLAINTEXT://:9092 | [Kill Controller 1] `ksim kill 1`
                Raft state: Follower
                Epoch: 3
                votedFor: none
                Leader: Controller 2
                Metadata log end: 22
                High watermark: 21
                Next deadline: fetch timeout in 0.84 s
            "#]],
        );
    }

    #[test]
    fn a_combined_node_has_both_parts_and_a_stopped_one_waits_on_nothing() {
        let mut view = cluster();
        view.nodes = vec![node(5, true, true, ProcessState::Stopped)];
        let Some(i) = inspector(&view, 5) else { panic!("no node 5") };
        assert_eq!((i.title.as_str(), i.fault_label.as_str()), ("Broker 5 · Controller 5", "Restart Broker 5"));
        assert_eq!(i.subtitle, "process.roles=broker,controller · PLAINTEXT://:9092");
        let c = i.controller.expect("a controller part");
        assert_eq!(c.note, Some("Stopped: its Raft state as last written to disk."));
        assert_eq!(c.facts.last().map(|f| f.value.as_str()), Some("none"));
        assert_eq!(i.broker.map(|b| b.summary), Some("leads 1 of 3 replicas".to_owned()));
        assert!(inspector(&view, 9).is_none());
        view.topics.clear();
        assert_eq!(inspector(&view, 5).and_then(|i| i.broker).map(|b| b.summary), Some("hosts no replicas".to_owned()));
    }
}
