//! The replication sweep and its checker, in the Jepsen/Maelstrom spirit: an acks=all
//! producer writes unique values while brokers crash, restart and get cut off; afterwards
//! every acknowledged value must be in the committed log of its partition's leader, and a
//! consumer reading from the beginning must get it. Records the log holds twice and records
//! committed after a later one of the same key are counted: with the idempotent producer
//! (the default) both must be 0; `--no-idempotence` shows retried batches landing twice.
//! The producer uses Kafka's defaults (`retries` unbounded, `delivery.timeout.ms` 120 s).

use crate::client::consumer::{Consumer, ConsumerConfig, ConsumerEvent, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerEvent};
use crate::client::{Client, ClientRole};
use crate::console::Console;
use crate::ids::{ClientId, NodeId};
use crate::net::Faults;
use crate::node::ClientEvent;
use crate::rng::SimRng;
use crate::sweep::{SeedReport, SweepConfig, CHAOS_STREAM};
use crate::time::SimTime;
use crate::world::World;
use std::collections::{BTreeMap, BTreeSet};

const TOPIC: &str = "icu-vitals";
const PARTITIONS: u32 = 3;
const RECOVERY_MS: u64 = 40_000;
/// Kafka's default `retries`: `delivery.timeout.ms` (120 s, longer than a run) bounds them.
const RETRIES: u32 = i32::MAX as u32;
const BOOTSTRAP: [&str; 3] = ["localhost:9092", "localhost:9094", "localhost:9096"];
/// The checking consumer stops after this long without a new record…
const READ_IDLE_MS: u64 = 5_000;
/// …or after this long in all.
const READ_MAX_MS: u64 = 60_000;

/// Steps the world to `until` (or until `on_event` says stop), handing `client`'s events
/// to `on_event` and dropping everything else the world reports (no console is watching).
fn run_for(world: &mut World, until: SimTime, client: ClientId, mut on_event: impl FnMut(ClientEvent) -> bool) {
    let mut stop = false;
    while !stop && world.step_until(until) {
        world.server_logs.clear();
        for (from, event) in std::mem::take(&mut world.notifications) {
            if from == client {
                stop |= on_event(event);
            }
        }
    }
    if !stop {
        world.set_clock_at_least(until);
    }
}

/// Steps the world to `until`, noting the producer's acknowledgements.
fn run_to(
    world: &mut World,
    until: SimTime,
    producer: ClientId,
    acked: &mut BTreeMap<u64, String>,
    sent: &BTreeMap<u64, String>,
) {
    run_for(world, until, producer, |event| {
        if let ClientEvent::Producer(ProducerEvent::Acked { id, .. }) = event {
            if let Some(value) = sent.get(&id) {
                acked.insert(id, value.clone());
            }
        }
        false
    });
}

/// A consumer reads the whole topic from the beginning once the cluster recovered: the
/// checker holds every acknowledged write against what a client can actually read.
fn read_from_the_beginning(world: &mut World) -> BTreeSet<String> {
    let config = ConsumerConfig {
        bootstrap_servers: BOOTSTRAP.iter().map(|s| s.to_string()).collect(),
        client_id: "vitals-checker".to_string(),
        group_id: "vitals-checker".to_string(),
        topic: TOPIC.to_string(),
        partition: None,
        start: StartOffset::Earliest,
        fetch_max_wait_ms: 500,
        idle_timeout_ms: Some(READ_IDLE_MS),
        retry_backoff_ms: 100,
        group: None,
    };
    let consumer = world.start_client(|_| Client {
        client_id: "vitals-checker".to_string(),
        role: ClientRole::Consumer(Box::new(Consumer::new(config))),
        alive: true,
    });
    let mut read = BTreeSet::new();
    let until = world.now().plus_ms(READ_MAX_MS);
    run_for(world, until, consumer, |event| match event {
        ClientEvent::Consumer(ConsumerEvent::Records(records)) => {
            read.extend(records.into_iter().filter_map(|r| r.value).map(|v| String::from_utf8_lossy(&v).into_owned()));
            false
        }
        ClientEvent::Consumer(ConsumerEvent::TimedOut) => true,
        _ => false,
    });
    read
}

/// The checker's producer: acks=all, Kafka's batching, a short request timeout so faults
/// show up as retries.
fn start_producer(world: &mut World, enable_idempotence: bool) -> ClientId {
    let config = ProducerConfig {
        bootstrap_servers: BOOTSTRAP.iter().map(|s| s.to_string()).collect(),
        client_id: "vitals-producer".to_string(),
        acks: -1,
        linger_ms: 5,
        batch_size: 16_384,
        retries: RETRIES,
        retry_backoff_ms: 100,
        max_block_ms: 60_000,
        request_timeout_ms: 1_500,
        enable_idempotence,
        max_in_flight_requests_per_connection: 5,
        delivery_timeout_ms: 120_000,
    };
    world.start_client(|_| Client {
        client_id: "vitals-producer".to_string(),
        role: ClientRole::Producer(Box::new(Producer::new(config))),
        alive: true,
    })
}

pub(crate) fn replication_seed(seed: u64, cfg: &SweepConfig) -> SeedReport {
    let mut world = World::new(seed);
    let mut con = Console::new(seed, true);
    let mut chaos = SimRng::for_stream(seed, CHAOS_STREAM);
    con.input(&mut world, "ksim start-cluster --brokers 3 --controllers 1");
    let unclean = if cfg.unclean { " --config unclean.leader.election.enable=true" } else { "" };
    con.input(
        &mut world,
        &format!("kafka-topics.sh --create --topic {TOPIC} --partitions {PARTITIONS} --replication-factor 3 --config min.insync.replicas=2{unclean} --bootstrap-server localhost:9092"),
    );
    let brokers: Vec<NodeId> = world.servers.values().filter(|s| s.broker.is_some()).map(|s| s.node_id()).collect();
    let producer = start_producer(&mut world, cfg.idempotence);
    let mut sent: BTreeMap<u64, String> = BTreeMap::new();
    let mut acked: BTreeMap<u64, String> = BTreeMap::new();
    let end = world.now().plus_ms(cfg.chaos_ms);
    let mut n = 0u64;
    while world.now() < end {
        let until = world.now().plus_ms(50 + chaos.below(250));
        run_to(&mut world, until, producer, &mut acked, &sent);
        // One or two readings each round; keys spread them over the partitions.
        for _ in 0..=chaos.below(2) {
            n += 1;
            let value = format!("bpm-{n}");
            let key = format!("patient-{}", n % 11).into_bytes();
            let mut id = 0;
            let v = value.clone().into_bytes();
            world.poke_client(producer, |c, ctx| {
                if let ClientRole::Producer(p) = &mut c.role {
                    id = p.send(TOPIC.to_string(), Some(key), Some(v), ctx);
                }
            });
            sent.insert(id, value);
        }
        match chaos.below(40) {
            0 | 1 => {
                world.kill(brokers[chaos.below(brokers.len() as u64) as usize]);
            }
            2..=4 => {
                let stopped: Vec<NodeId> =
                    brokers.iter().copied().filter(|b| world.servers.get(b).is_some_and(|s| !s.running)).collect();
                if let Some(b) = stopped.get(chaos.below(stopped.len().max(1) as u64) as usize) {
                    world.restart(*b);
                }
            }
            5 => {
                let a = brokers[chaos.below(3) as usize];
                for other in brokers.iter().filter(|b| **b != a) {
                    world.net_mut().cut(a, *other);
                    world.net_mut().cut(*other, a);
                }
            }
            6 | 7 => world.net_mut().heal(),
            8 if cfg.faults => {
                let on = chaos.below(2) == 0;
                world.net_mut().faults = if on {
                    Faults { loss_per_mille: 30, duplicate_per_mille: 10, extra_delay_max_ms: 30 }
                } else {
                    Faults::default()
                };
            }
            _ => {}
        }
    }
    world.net_mut().heal();
    world.net_mut().faults = Faults::default();
    for b in &brokers {
        world.restart(*b);
    }
    let until = world.now().plus_ms(RECOVERY_MS);
    run_to(&mut world, until, producer, &mut acked, &sent);

    // What the recovered cluster holds: each partition leader's log below its HW.
    let controller = world.servers.values().find_map(|s| s.controller.as_ref().filter(|c| c.is_active()));
    let mut committed: BTreeMap<String, usize> = BTreeMap::new();
    let mut reordered = 0;
    let mut all_led = controller.is_some();
    if let Some(topic) = controller.and_then(|c| c.image.topics.get(TOPIC)) {
        for (p, pi) in &topic.partitions {
            let log = pi
                .leader
                .and_then(|l| world.servers.get(&l))
                .and_then(|s| s.broker.as_ref())
                .and_then(|b| b.replicas.partitions.get(&(TOPIC.to_string(), *p)));
            let Some(h) = log else {
                all_led = false;
                continue;
            };
            // Values are `bpm-N` with N rising in send order; per key, the log should rise too.
            let mut last_by_key: BTreeMap<&[u8], u64> = BTreeMap::new();
            for r in h.log.records().take_while(|r| r.offset < h.log.high_watermark()) {
                let value = r.value().map(|v| String::from_utf8_lossy(v).into_owned()).unwrap_or_default();
                let n = value.strip_prefix("bpm-").and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
                if let Some(key) = r.key() {
                    let last = last_by_key.entry(key).or_insert(0);
                    if n < *last && !committed.contains_key(&value) {
                        reordered += 1;
                    }
                    *last = (*last).max(n);
                }
                *committed.entry(value).or_default() += 1;
            }
        }
    }
    let read = read_from_the_beginning(&mut world);
    let lost: Vec<String> = acked
        .values()
        .filter_map(|v| match (committed.contains_key(v), read.contains(v)) {
            (false, _) => Some(format!("acknowledged record {v} is not in the recovered log")),
            (true, false) => Some(format!("acknowledged record {v} was not read by a consumer from the beginning")),
            (true, true) => None,
        })
        .collect();
    let violations = world.invariants.violations.clone();
    SeedReport {
        seed,
        events: world.events_processed(),
        violations,
        lost,
        acknowledged: acked.len(),
        duplicated: committed.values().map(|c| c - 1).sum(),
        reordered,
        recovered: all_led,
        final_status: crate::console::control_status(&world),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Addr;

    /// A produce response lost on its way back: the producer's request times out and it
    /// sends the batch again, to the same leader or (`fail_over`) to the next one after
    /// the first dies. Returns the (current) leader's log values, the acknowledged
    /// offsets and the trace.
    fn lose_a_produce_response(
        enable_idempotence: bool,
        fail_over: bool,
    ) -> (Vec<String>, Vec<Option<u64>>, Vec<String>) {
        let seed = 6;
        let mut world = World::new(seed);
        let mut con = Console::new(seed, true);
        con.input(&mut world, "ksim start-cluster --brokers 3 --controllers 1");
        con.input(&mut world, "kafka-topics.sh --create --topic vitals --partitions 1 --replication-factor 3 --config min.insync.replicas=2 --bootstrap-server localhost:9092");
        let leader = world.servers.values().find_map(|s| {
            let h = s.broker.as_ref()?.replicas.partitions.get(&("vitals".to_string(), 0))?;
            h.is_leader.then(|| s.node_id())
        });
        let leader = leader.expect("vitals-0 has a leader");
        let producer = start_producer(&mut world, enable_idempotence);
        for v in ["82 bpm", "110 bpm", "95 bpm"] {
            world.poke_client(producer, |c, ctx| {
                if let ClientRole::Producer(p) = &mut c.role {
                    p.send("vitals".to_string(), None, Some(v.as_bytes().to_vec()), ctx);
                }
            });
        }
        // As soon as the leader has the batch, its answer to the producer is dropped.
        let appended = |w: &World| w.trace.iter().any(|t| t.text.starts_with("appended 3 record(s) to vitals-0"));
        while !appended(&world) && world.step() {}
        assert!(appended(&world), "the leader appended the batch");
        world.net_mut().cut_endpoints(Addr::Node(leader), Addr::Client(producer));
        let mut acked = Vec::new();
        let note = |acked: &mut Vec<Option<u64>>, event| {
            if let ClientEvent::Producer(ProducerEvent::Acked { offset, .. }) = event {
                acked.push(offset);
            }
            false
        };
        let until = world.now().plus_ms(1_000);
        run_for(&mut world, until, producer, |e| note(&mut acked, e));
        assert!(acked.is_empty(), "the response was lost");
        let mut view = None;
        world.poke_client(producer, |c, ctx| {
            if let ClientRole::Producer(p) = &c.role {
                view = Some(p.view(ctx.now));
            }
        });
        let view = view.expect("a producer");
        assert_eq!(view.idempotent, enable_idempotence);
        let waiting: Vec<_> =
            view.batches.iter().chain(&view.in_flight).map(|b| (b.records, b.base_sequence)).collect();
        let sequence = enable_idempotence.then_some(0);
        assert_eq!(waiting, [(3, sequence)], "the batch waits for a retry, or is in flight again");
        if fail_over {
            world.kill(leader);
        } else {
            world.net_mut().heal();
        }
        let until = world.now().plus_ms(15_000);
        run_for(&mut world, until, producer, |e| note(&mut acked, e));
        let log = world
            .servers
            .values()
            .filter_map(|s| s.broker.as_ref())
            .find_map(|b| b.replicas.partitions.get(&("vitals".to_string(), 0)).filter(|h| h.is_leader))
            .map(|h| {
                h.log.records().filter_map(|r| r.value()).map(|v| String::from_utf8_lossy(v).into_owned()).collect()
            })
            .unwrap_or_default();
        let trace = world.trace.iter().map(|t| format!("{}: {}", t.actor, t.text)).collect();
        (log, acked, trace)
    }

    #[test]
    fn an_idempotent_retry_after_a_lost_response_is_written_once() {
        let (log, acked, trace) = lose_a_produce_response(true, false);
        assert_eq!(log, ["82 bpm", "110 bpm", "95 bpm"]);
        assert_eq!(acked, [Some(0), Some(1), Some(2)], "the duplicate is answered with the original offsets");
        let dup = trace.iter().find(|t| t.contains("ignored a duplicate batch"));
        assert!(
            dup.is_some_and(|t| t.ends_with(
                "ignored a duplicate batch from producer 2000 (sequence 0..2) on vitals-0: already at offset 0"
            )),
            "{dup:?}"
        );
    }

    #[test]
    fn without_idempotence_the_retry_writes_the_batch_twice() {
        let (log, acked, trace) = lose_a_produce_response(false, false);
        assert_eq!(log, ["82 bpm", "110 bpm", "95 bpm", "82 bpm", "110 bpm", "95 bpm"]);
        assert_eq!(acked, [Some(3), Some(4), Some(5)]);
        assert!(!trace.iter().any(|t| t.contains("duplicate")));
    }

    #[test]
    fn the_next_leader_knows_the_batch_from_replication_and_drops_the_retry() {
        let (log, acked, trace) = lose_a_produce_response(true, true);
        assert_eq!(log, ["82 bpm", "110 bpm", "95 bpm"]);
        assert_eq!(acked, [Some(0), Some(1), Some(2)], "{trace:#?}");
        assert!(trace.iter().any(|t| t.contains("ignored a duplicate batch from producer")), "{trace:#?}");
    }
}
