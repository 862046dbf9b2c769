//! `ksim …`: playground controls that no Kafka script offers (time, seed, status).

use super::cluster;
use super::{Console, Outcome};
use crate::ids::NodeId;
use crate::time::{format_wall_clock, parse_duration_ms};
use crate::view::{ClusterView, ProcessState};
use crate::world::World;

const USAGE: &str = "usage: ksim start-cluster --brokers N --controllers M [--combined] | ksim kill NODE | ksim restart NODE | ksim partition A,B | C | ksim partition A -> B | ksim heal | ksim latency MS | ksim advance DURATION | ksim stall %JOB DURATION | ksim crash %JOB | ksim status | ksim check | ksim seed [N]";

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["start-cluster", rest @ ..] => cluster::start(con, world, rest),
        ["kill", node] => with_node(con, world, node, |world, id| {
            if world.kill(id) {
                Ok(format!("Killed node {} (its logs on disk survive; ksim restart {} brings it back).", id.0, id.0))
            } else {
                Err(format!("node {} is not running", id.0))
            }
        }),
        ["restart", node] => with_node(con, world, node, |world, id| {
            if world.restart(id) {
                Ok(format!("Restarted node {}: it recovers from its logs and rejoins.", id.0))
            } else {
                Err(format!("node {} is already running", id.0))
            }
        }),
        ["partition", spec @ ..] => partition(con, world, &spec.join(" ")),
        ["stall", job, duration] => stall(con, world, job, duration),
        ["crash", job] => con.crash_job(world, job),
        ["heal"] => {
            world.net_mut().heal();
            con.out("Healed the network: every server reaches every other again.");
            Outcome::Done(0)
        }
        ["latency", ms] => match parse_duration_ms(ms) {
            Ok(ms) if ms <= 10_000 => {
                world.net_mut().set_base_latency_ms(ms);
                con.out(format!("Network latency is now {ms} ms (plus up to 3 ms of jitter). Real loopback is under 1 ms; a longer latency makes each message easy to follow."));
                Outcome::Done(0)
            }
            Ok(_) => {
                con.err("ksim: latency above 10s would trip every Kafka timeout; choose at most 10s");
                Outcome::Done(1)
            }
            Err(message) => {
                con.err(format!("ksim: {message}"));
                Outcome::Done(1)
            }
        },
        ["check"] => {
            let violations = &world.invariants.violations;
            if violations.is_empty() {
                con.out(format!("All invariants hold after {} events: one leader per epoch, logs agree on every shared entry, committed metadata never lost, high watermarks never go back, HW within [log start, LEO], leaders in their ISR.", world.events_processed()));
                Outcome::Done(0)
            } else {
                for v in violations.clone() {
                    con.err(format!("Invariant violated: {v}"));
                }
                Outcome::Done(1)
            }
        }
        ["advance", duration] => match parse_duration_ms(duration) {
            Ok(ms) => {
                con.advance(world, ms);
                con.out(format!(
                    "Simulated time is now {} (t+{:.3} s).",
                    format_wall_clock(world.now().wall_ms()),
                    world.now().0 as f64 / 1000.0
                ));
                Outcome::Done(0)
            }
            Err(message) => {
                con.err(format!("ksim: {message}"));
                Outcome::Done(1)
            }
        },
        ["status"] => {
            for line in status_lines(&crate::session::view_of(world, 0)) {
                con.out(line);
            }
            for line in super::connect::status_lines(con.connect_workers().collect()) {
                con.out(line);
            }
            let cuts: Vec<String> = world.net().cuts().map(|(a, b)| format!("{}->{}", a.0, b.0)).collect();
            if !cuts.is_empty() {
                con.out(format!("Network cuts: {}", cuts.join(" ")));
            }
            Outcome::Done(0)
        }
        ["seed"] => {
            con.out(format!("seed {}", world.seed()));
            Outcome::Done(0)
        }
        ["seed", n] => match n.parse::<u64>() {
            Ok(seed) if seed == world.seed() => Outcome::Done(0),
            Ok(seed) if world.events_processed() == 0 && world.servers.is_empty() && world.clients.is_empty() => {
                con.reseed = Some(seed);
                Outcome::Done(0)
            }
            Ok(_) => {
                con.err(format!("ksim: the seed can only be chosen before anything has run (as the first line of a script); this session's seed is {}", world.seed()));
                Outcome::Done(1)
            }
            Err(_) => {
                con.err(format!("ksim: invalid seed '{n}': expected a non-negative integer"));
                Outcome::Done(1)
            }
        },
        ["help"] | ["--help"] | [] => {
            con.out(USAGE);
            Outcome::Done(if words.is_empty() { 1 } else { 0 })
        }
        [other, ..] => {
            con.err(format!("ksim: unknown command or arguments '{}' ({USAGE})", words.join(" ")));
            let _ = other;
            Outcome::Done(1)
        }
    }
}

/// `NODE` as `3`, `node-3`, `broker-3` or `controller-3`.
fn parse_node(text: &str) -> Option<NodeId> {
    let digits = text.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-');
    digits.parse().ok().map(NodeId)
}

fn with_node(
    con: &mut Console,
    world: &mut World,
    node: &str,
    act: impl FnOnce(&mut World, NodeId) -> Result<String, String>,
) -> Outcome {
    let Some(id) = parse_node(node).filter(|id| world.servers.contains_key(id)) else {
        let known: Vec<String> = world.servers.keys().map(|n| n.0.to_string()).collect();
        con.err(format!(
            "ksim: no such node '{node}' (nodes: {})",
            if known.is_empty() { "none started".to_string() } else { known.join(", ") }
        ));
        return Outcome::Done(1);
    };
    match act(world, id) {
        Ok(message) => {
            con.out(message);
            Outcome::Done(0)
        }
        Err(message) => {
            con.err(format!("ksim: {message}"));
            Outcome::Done(1)
        }
    }
}

/// `A,B | C` cuts both ways between the groups; `A,B -> C` only from the left to the right.
fn partition(con: &mut Console, world: &mut World, spec: &str) -> Outcome {
    let (left, right, both) = if let Some((l, r)) = spec.split_once("->") {
        (l, r, false)
    } else if let Some((l, r)) = spec.split_once('|') {
        (l, r, true)
    } else {
        con.err("ksim: usage: ksim partition 1,2 | 3   (both ways)   or   ksim partition 1 -> 2,3   (one way)");
        return Outcome::Done(1);
    };
    let group = |text: &str| -> Option<Vec<NodeId>> {
        text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(parse_node).collect()
    };
    let (Some(a), Some(b)) = (group(left), group(right)) else {
        con.err(format!("ksim: cannot read node ids in '{spec}'"));
        return Outcome::Done(1);
    };
    if let Some(unknown) = a.iter().chain(&b).find(|n| !world.servers.contains_key(n)) {
        con.err(format!("ksim: no such node '{}'", unknown.0));
        return Outcome::Done(1);
    }
    if a.is_empty() || b.is_empty() {
        con.err("ksim: both sides of a partition need at least one node");
        return Outcome::Done(1);
    }
    for x in &a {
        for y in &b {
            world.net_mut().cut(*x, *y);
            if both {
                world.net_mut().cut(*y, *x);
            }
        }
    }
    let names = |g: &[NodeId]| g.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(",");
    let arrow = if both { "<-/->" } else { "-/->" };
    con.out(format!(
        "Cut the network: {} {arrow} {} (messages crossing it are dropped; ksim heal restores it).",
        names(&a),
        names(&b)
    ));
    Outcome::Done(0)
}

/// `ksim status`: servers, topics and clients in one view.
pub(crate) fn status_lines(view: &ClusterView) -> Vec<String> {
    let mut lines = vec![format!(
        "Simulated time {} (t+{:.3} s), {} events",
        view.wall_clock,
        view.now_ms as f64 / 1000.0,
        view.events_processed
    )];
    if view.nodes.is_empty() {
        lines.push("No Kafka server is running. Start one with kafka-server-start.sh.".to_string());
    }
    for n in &view.nodes {
        let roles = match (n.is_broker, n.is_controller) {
            (true, true) => "broker,controller",
            (true, false) => "broker",
            _ => "controller",
        };
        let state = match n.state {
            ProcessState::Starting => "starting",
            ProcessState::Running => "running",
            ProcessState::Fenced => "fenced",
            ProcessState::Stopped => "stopped",
        };
        let raft = n.raft.as_ref().map_or(String::new(), |r| {
            format!(
                ", KRaft {} epoch {} (metadata log end {}, HW {})",
                r.state, r.leader_epoch, r.log_end_offset, r.high_watermark
            )
        });
        lines.push(format!("Node {} [{roles}] {state}{raft}", n.node_id));
    }
    for t in &view.topics {
        lines.push(format!("Topic {} ({} partition(s))", t.name, t.partitions.len()));
        // Internal topics have many partitions, mostly empty: list the ones in use.
        let internal = t.name.starts_with("__");
        let shown: Vec<_> = t.partitions.iter().filter(|p| !internal || p.log_end_offset > 0).collect();
        if shown.len() < t.partitions.len() {
            lines.push(format!("  ({} empty partition(s) not shown)", t.partitions.len() - shown.len()));
        }
        for p in shown {
            let leader = p.leader.map_or("none".to_string(), |l| l.to_string());
            let ids = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            lines.push(format!(
                "  {}-{}: leader {leader}, replicas [{}], ISR [{}], log start {}, HW {}, LEO {}",
                t.name,
                p.partition,
                ids(&p.replicas),
                ids(&p.isr),
                p.log_start_offset,
                p.high_watermark,
                p.log_end_offset
            ));
        }
    }
    for g in &view.groups {
        let assignor = g.protocol.as_deref().map_or(String::new(), |p| format!(", {p}"));
        let lag: u64 = g.partitions.iter().filter_map(|p| p.lag).sum();
        lines.push(format!(
            "Group {} {} generation {}{assignor}, coordinator {}, {} member(s), lag {lag}",
            g.group_id,
            g.state,
            g.generation_id,
            g.coordinator,
            g.members.len()
        ));
        for m in &g.members {
            lines.push(format!("  {} ({}): [{}]", m.member_id, m.client_id, m.assignment.join(", ")));
        }
    }
    for c in view.clients.iter().filter(|c| c.alive) {
        lines.push(
            format!("Client {} ({:?})", c.client_id, c.kind)
                .replace("Producer)", "producer)")
                .replace("Consumer)", "consumer)")
                .replace("Admin)", "admin)"),
        );
    }
    lines
}

/// `ksim stall %N 6m`: the application behind a background consumer stops calling poll()
/// (a slow record handler). Past `max.poll.interval.ms` the consumer leaves its group.
fn stall(con: &mut Console, world: &mut World, job: &str, duration: &str) -> Outcome {
    let ms = match parse_duration_ms(duration) {
        Ok(ms) => ms,
        Err(message) => {
            con.err(format!("ksim: {message}"));
            return Outcome::Done(1);
        }
    };
    let number = job.strip_prefix('%').and_then(|n| n.parse::<u32>().ok());
    let Some(client) = number.and_then(|n| con.background_consumer(n)) else {
        con.err(format!("ksim: {job}: no background consumer with that job number (see jobs)"));
        return Outcome::Done(1);
    };
    world.poke_client(client, |c, ctx| {
        if let crate::client::ClientRole::Consumer(consumer) = &mut c.role {
            consumer.pause_application(ms, ctx);
        }
    });
    con.out(format!(
        "The consumer of job {job} stops calling poll() for {ms} ms (max.poll.interval.ms is 300000 by default)."
    ));
    Outcome::Done(0)
}
