//! Seeded fault sweeps: one randomized run per seed with crashes, restarts, symmetric and
//! one-way partitions, message loss, duplication and delay, invariants checked after
//! every event, and at the end a check that every acknowledged write survived.
//!
//! Modelled on Kafka's `RaftEventSimulationTest`; a failing seed reruns exactly.

use crate::console::Console;
use crate::ids::NodeId;
use crate::net::Faults;
use crate::rng::SimRng;
use crate::world::World;

/// Which part of Kafka a sweep exercises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// A 3-controller, 3-broker cluster creating topics while its quorum is attacked.
    Kraft,
    /// An acks=all producer writing to RF=3 partitions (min ISR 2) while brokers crash,
    /// restart and get cut off; every acknowledged record must survive.
    Replication,
}

impl Scenario {
    pub fn parse(name: &str) -> Option<Scenario> {
        match name {
            "kraft" => Some(Scenario::Kraft),
            "replication" => Some(Scenario::Replication),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Kraft => "kraft",
            Scenario::Replication => "replication",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepConfig {
    pub scenario: Scenario,
    /// Adds message loss, duplication and delay to crashes and partitions.
    pub faults: bool,
    /// Simulated time of chaos before the cluster is left to recover.
    pub chaos_ms: u64,
    /// Replication scenario: `unclean.leader.election.enable=true` on the topic, which
    /// may lose acknowledged records (the checker must then report them).
    pub unclean: bool,
    /// Replication scenario: the producer's `enable.idempotence` (off, retried batches
    /// can be written twice and the checker counts them).
    pub idempotence: bool,
}

impl Default for SweepConfig {
    fn default() -> SweepConfig {
        SweepConfig { scenario: Scenario::Kraft, faults: true, chaos_ms: 60_000, unclean: false, idempotence: true }
    }
}

/// What one seed's run found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedReport {
    pub seed: u64,
    pub events: u64,
    pub violations: Vec<String>,
    /// Writes acknowledged to a client that the recovered cluster no longer has.
    pub lost: Vec<String>,
    /// Writes acknowledged to clients during the run.
    pub acknowledged: usize,
    /// Records the recovered log holds more than once (a retried batch, without idempotence;
    /// 0 with it).
    pub duplicated: usize,
    /// Records committed after a later write of the same key (retries with several batches
    /// in flight).
    pub reordered: usize,
    /// Whether a controller led and every broker ran after recovery (liveness, not safety).
    pub recovered: bool,
    /// `ksim status` at the end, and the last narration lines, for diagnosing a seed.
    pub final_status: Vec<String>,
}

impl SeedReport {
    pub fn rerun_command(&self, cfg: &SweepConfig) -> String {
        let faults = if cfg.faults { " --faults" } else { "" };
        let unclean = if cfg.unclean { " --unclean" } else { "" };
        let idempotence = if cfg.idempotence { "" } else { " --no-idempotence" };
        format!("ksim sweep --seed {} --scenario {}{faults}{unclean}{idempotence}", self.seed, cfg.scenario.name())
    }
}

/// The sweep's own random stream, apart from every process's.
pub(crate) const CHAOS_STREAM: u64 = u64::MAX - 2;
/// Simulated time the cluster gets, healed and whole, to recover at the end.
const RECOVERY_MS: u64 = 30_000;
const BOOTSTRAP: &str = "localhost:9092,localhost:9094,localhost:9096";

pub fn sweep_seed(seed: u64, cfg: &SweepConfig) -> SeedReport {
    match cfg.scenario {
        Scenario::Kraft => kraft_seed(seed, cfg),
        Scenario::Replication => crate::replication_check::replication_seed(seed, cfg),
    }
}

fn kraft_seed(seed: u64, cfg: &SweepConfig) -> SeedReport {
    let mut world = World::new(seed);
    let mut con = Console::new(seed, false);
    let mut chaos = SimRng::for_stream(seed, CHAOS_STREAM);
    con.input(&mut world, "ksim start-cluster --brokers 3 --controllers 3");
    let controllers = [NodeId(1), NodeId(2), NodeId(3)];
    let all: Vec<NodeId> = world.servers.keys().copied().collect();
    let end = world.now().plus_ms(cfg.chaos_ms);
    let mut topic = 0;
    while world.now() < end {
        let wait = 200 + chaos.below(2_000);
        con.advance(&mut world, wait);
        match chaos.below(10) {
            0 | 1 => {
                let node = all[chaos.below(all.len() as u64) as usize];
                world.kill(node);
            }
            2 | 3 => {
                let stopped: Vec<NodeId> = world.servers.values().filter(|s| !s.running).map(|s| s.node_id()).collect();
                if let Some(node) = stopped.get(chaos.below(stopped.len().max(1) as u64) as usize) {
                    world.restart(*node);
                }
            }
            4 => {
                // A symmetric split that isolates one controller (and maybe a broker).
                let isolated = controllers[chaos.below(3) as usize];
                for other in all.iter().filter(|n| **n != isolated) {
                    world.net_mut().cut(isolated, *other);
                    world.net_mut().cut(*other, isolated);
                }
            }
            5 => {
                // One-way: a node can send but not hear back (or the reverse).
                let a = all[chaos.below(all.len() as u64) as usize];
                let b = all[chaos.below(all.len() as u64) as usize];
                world.net_mut().cut(a, b);
            }
            6 => world.net_mut().heal(),
            7 if cfg.faults => {
                let on = chaos.below(2) == 0;
                world.net_mut().faults = if on {
                    Faults { loss_per_mille: 50, duplicate_per_mille: 20, extra_delay_max_ms: 40 }
                } else {
                    Faults::default()
                };
            }
            _ => {
                topic += 1;
                // In the background, so the chaos clock keeps running while it retries.
                con.input(
                    &mut world,
                    &format!("kafka-topics.sh --create --topic vitals-{topic} --bootstrap-server {BOOTSTRAP} &"),
                );
            }
        }
    }
    // Recovery: whole network, every process up, no message faults.
    world.net_mut().heal();
    world.net_mut().faults = Faults::default();
    for node in &all {
        world.restart(*node);
    }
    con.advance(&mut world, RECOVERY_MS);
    let acknowledged: Vec<String> = con
        .output
        .iter()
        .filter_map(|l| l.text.strip_prefix("Created topic ").and_then(|t| t.strip_suffix('.')))
        .map(str::to_string)
        .collect();
    let leader =
        world.servers.values().filter(|s| s.running).find_map(|s| s.controller.as_ref().filter(|c| c.is_active()));
    let lost = match leader {
        Some(c) => acknowledged
            .iter()
            .filter(|t| !c.image.topics.contains_key(*t))
            .map(|t| format!("topic {t} was created (acknowledged) but is gone"))
            .collect(),
        None => Vec::new(),
    };
    let brokers_running = world
        .servers
        .values()
        .filter_map(|s| s.broker.as_ref())
        .all(|b| b.state == crate::broker::BrokerState::Running);
    SeedReport {
        seed,
        events: world.events_processed(),
        violations: world.invariants.violations.clone(),
        lost,
        acknowledged: acknowledged.len(),
        duplicated: 0,
        reordered: 0,
        recovered: leader.is_some() && brokers_running,
        final_status: crate::console::control_status(&world)
            .into_iter()
            .chain(
                world
                    .trace
                    .since(world.trace.len().saturating_sub(30))
                    .map(|t| format!("[t+{}.{:03} s] {}: {}", t.at_ms / 1000, t.at_ms % 1000, t.actor, t.text)),
            )
            .collect(),
    }
}
