//! `ksim start-cluster --brokers N --controllers M [--combined]`: writes one config per
//! node under `config/cluster/`, formats every log directory with one cluster id, starts
//! every server, and waits until a controller leads and every broker runs.

use super::{server_start, storage, Console, Outcome};
use crate::broker::BrokerState;
use crate::ids::Uuid;
use crate::world::World;

/// How long start-up may take before the command gives up waiting (simulated).
const START_TIMEOUT_MS: u64 = 60_000;
const NODES_MAX: usize = 64;

struct Plan {
    controllers: usize,
    brokers: usize,
    combined: bool,
}

fn parse(args: &[&str]) -> Result<Plan, String> {
    let mut plan = Plan { controllers: 1, brokers: 1, combined: false };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let number = |v: Option<&&str>| -> Result<usize, String> {
            let v = v.ok_or(format!("{arg} needs a number"))?;
            v.parse::<usize>()
                .ok()
                .filter(|n| (1..=NODES_MAX).contains(n))
                .ok_or(format!("{arg} must be between 1 and {NODES_MAX}, not '{v}'"))
        };
        match *arg {
            "--brokers" => plan.brokers = number(iter.next())?,
            "--controllers" => plan.controllers = number(iter.next())?,
            "--combined" => plan.combined = true,
            other => {
                return Err(format!(
                    "unknown option '{other}' (usage: ksim start-cluster --brokers N --controllers M [--combined])"
                ))
            }
        }
    }
    if plan.combined && plan.brokers < plan.controllers {
        return Err(
            "--combined makes every controller a broker too: --brokers must be at least --controllers".to_string()
        );
    }
    Ok(plan)
}

/// One node of the plan: its id, roles and ports (brokers 9092, 9094…; controllers 9093, 9095…).
struct NodePlan {
    id: u32,
    broker_port: Option<u16>,
    controller_port: Option<u16>,
}

fn layout(plan: &Plan) -> Vec<NodePlan> {
    let controller_port = |j: usize| 9093 + 2 * j as u16;
    let broker_port = |i: usize| 9092 + 2 * i as u16;
    let mut nodes = Vec::new();
    if plan.combined {
        for k in 0..plan.brokers {
            nodes.push(NodePlan {
                id: k as u32 + 1,
                broker_port: Some(broker_port(k)),
                controller_port: (k < plan.controllers).then(|| controller_port(k)),
            });
        }
    } else {
        for j in 0..plan.controllers {
            nodes.push(NodePlan { id: j as u32 + 1, broker_port: None, controller_port: Some(controller_port(j)) });
        }
        for i in 0..plan.brokers {
            nodes.push(NodePlan {
                id: (plan.controllers + i) as u32 + 1,
                broker_port: Some(broker_port(i)),
                controller_port: None,
            });
        }
    }
    nodes
}

/// `offsets_rf`: `__consumer_offsets` keeps a copy on up to three brokers (Kafka's default
/// replication factor), so a group's committed offsets survive a broker failure.
fn config_text(node: &NodePlan, voters: &str, offsets_rf: usize) -> String {
    let roles = match (node.broker_port, node.controller_port) {
        (Some(_), Some(_)) => "broker,controller",
        (Some(_), None) => "broker",
        _ => "controller",
    };
    let mut listeners = Vec::new();
    let mut advertised = Vec::new();
    if let Some(p) = node.broker_port {
        listeners.push(format!("PLAINTEXT://:{p}"));
        advertised.push(format!("PLAINTEXT://localhost:{p}"));
    }
    if let Some(p) = node.controller_port {
        listeners.push(format!("CONTROLLER://:{p}"));
        advertised.push(format!("CONTROLLER://localhost:{p}"));
    }
    format!(
        "# Written by ksim start-cluster: node {id} of a KRaft cluster with a static quorum.\n\
         process.roles={roles}\nnode.id={id}\ncontroller.quorum.voters={voters}\nlisteners={}\nadvertised.listeners={}\n\
         inter.broker.listener.name=PLAINTEXT\ncontroller.listener.names=CONTROLLER\n\
         listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n\
         log.dirs=/tmp/kraft-cluster/node-{id}\nnum.partitions=1\noffsets.topic.replication.factor={offsets_rf}\n\
         group.initial.rebalance.delay.ms=0\n",
        listeners.join(","),
        advertised.join(","),
        id = node.id
    )
}

pub(crate) fn start(con: &mut Console, world: &mut World, args: &[&str]) -> Outcome {
    let plan = match parse(args) {
        Ok(p) => p,
        Err(message) => {
            con.err(format!("ksim: {message}"));
            return Outcome::Done(1);
        }
    };
    if let Some(running) = world.servers.values().find(|s| s.running) {
        con.err(format!("ksim: node {} is already running; start-cluster builds a new cluster on an empty machine (reload the page or start a new session)", running.node_id().0));
        return Outcome::Done(1);
    }
    let nodes = layout(&plan);
    let voters: Vec<String> =
        nodes.iter().filter_map(|n| n.controller_port.map(|p| format!("{}@localhost:{p}", n.id))).collect();
    let voters = voters.join(",");
    let cluster_id = Uuid::random(&mut con.rng).to_string();
    let mut paths = Vec::new();
    for node in &nodes {
        let path = format!("/opt/kafka/config/cluster/node-{}.properties", node.id);
        let written = con
            .vfs
            .create_dir_all("/opt/kafka/config/cluster")
            .and_then(|()| con.vfs.write(&path, &config_text(node, &voters, plan.brokers.min(3))));
        if let Err(e) = written {
            con.err(format!("ksim: cannot write {path}: {}", e.kind.reason()));
            return Outcome::Done(1);
        }
        paths.push(path);
    }
    for path in &paths {
        let args = ["format".to_string(), "-t".to_string(), cluster_id.clone(), "-c".to_string(), path.clone()];
        if let Outcome::Done(status) = storage::run(con, world, &args) {
            if status != 0 {
                return Outcome::Done(status);
            }
        }
    }
    for path in &paths {
        // The servers run in the background; their logs go to logs/server.log.
        if let Outcome::Done(status) = server_start::run(con, world, std::slice::from_ref(path)) {
            return Outcome::Done(status);
        }
    }
    let deadline = world.now().plus_ms(START_TIMEOUT_MS);
    let ready = |world: &World| {
        let leader = world.servers.values().any(|s| s.controller.as_ref().is_some_and(|c| c.is_active()));
        let brokers_up =
            world.servers.values().filter_map(|s| s.broker.as_ref()).all(|b| b.state == BrokerState::Running);
        leader && brokers_up
    };
    con.run_until(world, ready, deadline);
    let leader = world
        .servers
        .values()
        .find_map(|s| s.controller.as_ref().filter(|c| c.is_active()).map(|c| (s.node_id().0, c.raft.epoch())));
    let list = |ids: Vec<String>| ids.join(", ");
    let controllers: Vec<String> =
        nodes.iter().filter_map(|n| n.controller_port.map(|p| format!("{} (:{p})", n.id))).collect();
    let brokers: Vec<String> = nodes.iter().filter_map(|n| n.broker_port.map(|p| format!("{} (:{p})", n.id))).collect();
    let bootstrap: Vec<String> = nodes.iter().filter_map(|n| n.broker_port.map(|p| format!("localhost:{p}"))).collect();
    con.out(format!(
        "Started a KRaft cluster {cluster_id}: {} controller(s), {} broker(s){}.",
        plan.controllers,
        plan.brokers,
        if plan.combined { ", combined mode" } else { "" }
    ));
    con.out(format!("  controllers: nodes {}", list(controllers)));
    con.out(format!("  brokers:     nodes {}", list(brokers)));
    match leader {
        Some((id, epoch)) => con.out(format!("  active controller: node {id} (leader of epoch {epoch})")),
        None => con.out("  no active controller yet: the quorum is still electing one"),
    }
    con.out(format!("Configs are in config/cluster/. Bootstrap servers: {}", bootstrap.join(",")));
    Outcome::Done(if ready(world) { 0 } else { 1 })
}
