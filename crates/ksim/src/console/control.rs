//! `ksim …`: playground controls that no Kafka script offers (time, seed, status).

use super::{Console, Outcome};
use crate::time::{format_wall_clock, parse_duration_ms};
use crate::view::{ClusterView, ProcessState};
use crate::world::World;

const USAGE: &str = "usage: ksim advance DURATION | ksim status | ksim seed [N]";

pub(crate) fn run(con: &mut Console, world: &mut World, args: &[String]) -> Outcome {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
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
            for line in status_lines(&crate::session::view_of(world)) {
                con.out(line);
            }
            Outcome::Done(0)
        }
        ["seed"] => {
            con.out(format!("seed {}", world.seed()));
            Outcome::Done(0)
        }
        ["seed", n] => match n.parse::<u64>() {
            Ok(seed) if seed == world.seed() => Outcome::Done(0),
            Ok(seed)
                if world.events_processed() == 0
                    && world.servers.is_empty()
                    && world.clients.is_empty() =>
            {
                con.reseed = Some(seed);
                Outcome::Done(0)
            }
            Ok(_) => {
                con.err(format!("ksim: the seed can only be chosen before anything has run (as the first line of a script); this session's seed is {}", world.seed()));
                Outcome::Done(1)
            }
            Err(_) => {
                con.err(format!(
                    "ksim: invalid seed '{n}': expected a non-negative integer"
                ));
                Outcome::Done(1)
            }
        },
        ["help"] | ["--help"] | [] => {
            con.out(USAGE);
            Outcome::Done(if words.is_empty() { 1 } else { 0 })
        }
        [other, ..] => {
            con.err(format!("ksim: unknown command '{other}' ({USAGE})"));
            Outcome::Done(1)
        }
    }
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
        lines.push(format!(
            "Topic {} ({} partition(s))",
            t.name,
            t.partitions.len()
        ));
        for p in &t.partitions {
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
