//! `ksim bench`: the engine's throughput on Kafka's whole write and read path. A cluster
//! of `max(3, RF)` brokers and one controller (as `ksim start-cluster` builds it), one topic,
//! a producer sending records with 100-byte values (batching, acks, retries) and a consumer
//! reading every partition from the beginning, run until every record was consumed.
//!
//! The core only counts records, events and simulated time; wall time is the caller's
//! (the CLI measures it with `std::time::Instant`), so the same run works in wasm.

use crate::client::consumer::{Consumer, ConsumerConfig, ConsumerEvent, StartOffset};
use crate::client::producer::{Producer, ProducerConfig, ProducerEvent};
use crate::client::{Client, ClientRole};
use crate::console::Console;
use crate::node::ClientEvent;
use crate::world::World;

const TOPIC: &str = "bench";
const VALUE_BYTES: usize = 100;
/// Kafka's defaults: `batch.size` and (since 4.0) `linger.ms`.
const BATCH_SIZE_BYTES: usize = 16_384;
const LINGER_MS: u64 = 5;
/// Records handed to `send()` and not yet acknowledged, per partition: like
/// `buffer.memory`, `send()` blocks beyond it, so batches stay near `batch.size` instead of
/// one partition's batch swallowing the whole run while a request is in flight.
const UNACKED_PER_PARTITION_MAX: u64 = 2 * (BATCH_SIZE_BYTES / VALUE_BYTES) as u64;
/// Simulated time without a produced or consumed record after which the run gives up.
const STALL_MS: u64 = 60_000;
pub const RECORDS_MAX: u64 = 10_000_000;
pub const PARTITIONS_MAX: u32 = 1_000;
pub const REPLICATION_FACTOR_MAX: u32 = 9;

/// The producer's `acks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acks {
    None,
    Leader,
    All,
}

impl Acks {
    /// Kafka's spellings: `all`, `-1`, `0`, `1`.
    pub fn parse(text: &str) -> Option<Acks> {
        match text {
            "all" | "-1" => Some(Acks::All),
            "0" => Some(Acks::None),
            "1" => Some(Acks::Leader),
            _ => None,
        }
    }

    fn value(self) -> i16 {
        match self {
            Acks::None => 0,
            Acks::Leader => 1,
            Acks::All => -1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchConfig {
    pub records: u64,
    pub partitions: u32,
    pub replication_factor: u32,
    pub acks: Acks,
}

impl Default for BenchConfig {
    fn default() -> BenchConfig {
        BenchConfig { records: 100_000, partitions: 12, replication_factor: 3, acks: Acks::All }
    }
}

impl BenchConfig {
    /// Brokers in the cluster: at least three, and enough for the replication factor.
    pub fn brokers(&self) -> u32 {
        self.replication_factor.max(3)
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(1..=RECORDS_MAX).contains(&self.records) {
            return Err(format!("--records must be between 1 and {RECORDS_MAX}, not {}", self.records));
        }
        if !(1..=PARTITIONS_MAX).contains(&self.partitions) {
            return Err(format!("--partitions must be between 1 and {PARTITIONS_MAX}, not {}", self.partitions));
        }
        if !(1..=REPLICATION_FACTOR_MAX).contains(&self.replication_factor) {
            return Err(format!(
                "--replication-factor must be between 1 and {REPLICATION_FACTOR_MAX}, not {}",
                self.replication_factor
            ));
        }
        Ok(())
    }
}

/// What a run did, in the simulation's own units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchReport {
    pub records: u64,
    /// Records the producer saw acknowledged (with acks=0, sent).
    pub acknowledged: u64,
    pub consumed: u64,
    pub failed: u64,
    /// Events the world processed, cluster start-up included.
    pub events: u64,
    /// Simulated time from the first send to the last record consumed.
    pub simulated_ms: u64,
    /// Bytes of the records' keys and values held in every replica's log at the end.
    pub log_bytes: u64,
    /// Records held in every replica's log at the end (each copy counted).
    pub log_records: u64,
}

impl BenchReport {
    /// True when every record was produced and consumed.
    pub fn complete(&self) -> bool {
        self.acknowledged == self.records && self.consumed == self.records
    }
}

/// A started cluster with the benchmark's topic, and the events its start-up took.
pub(crate) fn cluster(cfg: &BenchConfig, seed: u64) -> (World, Console) {
    let mut world = World::new(seed);
    let mut con = Console::new(seed, true);
    con.input(&mut world, &format!("ksim start-cluster --brokers {} --controllers 1", cfg.brokers()));
    con.input(
        &mut world,
        &format!(
            "kafka-topics.sh --create --topic {TOPIC} --partitions {} --replication-factor {} --bootstrap-server localhost:9092",
            cfg.partitions, cfg.replication_factor
        ),
    );
    (world, con)
}

/// The simulated machine at the end of a run, kept alive so a caller can measure the
/// memory it holds (the benchmark's counting allocator); dropping it frees everything.
pub struct Retained {
    _world: World,
}

/// Runs the benchmark: a cluster, the topic, a producer and a consumer, until every record
/// was consumed or nothing moved for a simulated minute.
pub fn run(cfg: &BenchConfig, seed: u64) -> Result<BenchReport, String> {
    run_retaining(cfg, seed).map(|(report, _)| report)
}

/// `run`, handing back the machine as it ends.
pub fn run_retaining(cfg: &BenchConfig, seed: u64) -> Result<(BenchReport, Retained), String> {
    cfg.validate()?;
    let (mut world, con) = cluster(cfg, seed);
    if !con.output.iter().any(|l| l.text == format!("Created topic {TOPIC}.")) {
        let said: Vec<&str> = con.output.iter().map(|l| l.text.as_str()).collect();
        return Err(format!("the topic was not created:\n{}", said.join("\n")));
    }
    let bootstrap = vec!["localhost:9092".to_string()];
    let producer = world.start_client(|_| Client {
        client_id: "bench-producer".to_string(),
        role: ClientRole::Producer(Box::new(Producer::new(ProducerConfig {
            bootstrap_servers: bootstrap.clone(),
            client_id: "bench-producer".to_string(),
            acks: cfg.acks.value(),
            linger_ms: LINGER_MS,
            batch_size: BATCH_SIZE_BYTES,
            retries: u32::MAX,
            retry_backoff_ms: 100,
            max_block_ms: 60_000,
            request_timeout_ms: 30_000,
            // Kafka's defaults: idempotent whenever acks=all.
            enable_idempotence: cfg.acks.value() == -1,
            max_in_flight_requests_per_connection: 5,
            delivery_timeout_ms: 120_000,
        }))),
        alive: true,
    });
    let consumer = world.start_client(|_| Client {
        client_id: "bench-consumer".to_string(),
        role: ClientRole::Consumer(Box::new(Consumer::new(ConsumerConfig {
            bootstrap_servers: bootstrap.clone(),
            client_id: "bench-consumer".to_string(),
            group_id: "bench".to_string(),
            topic: TOPIC.to_string(),
            partition: None,
            start: StartOffset::Earliest,
            fetch_max_wait_ms: 500,
            idle_timeout_ms: None,
            retry_backoff_ms: 100,
            group: None,
        }))),
        alive: true,
    });
    let started = world.now();
    let unacked_max = UNACKED_PER_PARTITION_MAX * u64::from(cfg.partitions);
    let (mut sent, mut acknowledged, mut consumed, mut failed) = (0u64, 0u64, 0u64, 0u64);
    let mut last_progress = world.now();
    let mut closed = false;
    // The values differ per record (a counter up front) so nothing can share them.
    let mut value = vec![b'x'; VALUE_BYTES];
    // Until every record is consumed and every send answered: a consumer can read the last
    // batch (the high watermark moved) before the producer's acknowledgement arrives.
    while consumed < cfg.records || acknowledged + failed < cfg.records {
        while sent < cfg.records && sent - acknowledged - failed < unacked_max {
            sent += 1;
            value[..8].copy_from_slice(&sent.to_be_bytes());
            let v = value.clone();
            world.poke_client(producer, |c, ctx| {
                if let ClientRole::Producer(p) = &mut c.role {
                    p.send(TOPIC.to_string(), None, Some(v), ctx);
                }
            });
        }
        if sent == cfg.records && !closed {
            closed = true;
            world.poke_client(producer, |c, ctx| {
                if let ClientRole::Producer(p) = &mut c.role {
                    p.close(ctx);
                }
            });
        }
        if !world.step() {
            break;
        }
        world.server_logs.clear();
        if world.notifications.is_empty() {
            if world.now().0 > last_progress.0 + STALL_MS {
                break;
            }
            continue;
        }
        let now = world.now();
        for (from, event) in world.notifications.drain(..) {
            match event {
                ClientEvent::Producer(ProducerEvent::Acked { .. }) if from == producer => acknowledged += 1,
                ClientEvent::Producer(ProducerEvent::Failed { .. }) if from == producer => failed += 1,
                ClientEvent::Consumer(ConsumerEvent::Records(records)) if from == consumer => {
                    consumed += records.len() as u64;
                }
                _ => {}
            }
            last_progress = now;
        }
    }
    let simulated_ms = world.now().0 - started.0;
    let (mut log_bytes, mut log_records) = (0u64, 0u64);
    for s in world.servers.values() {
        if let Some(b) = &s.broker {
            for ((topic, _), h) in &b.replicas.partitions {
                if topic == TOPIC {
                    for r in h.log.records() {
                        log_records += 1;
                        log_bytes += (r.key().map_or(0, <[u8]>::len) + r.value().map_or(0, <[u8]>::len)) as u64;
                    }
                }
            }
        }
    }
    let report = BenchReport {
        records: cfg.records,
        acknowledged,
        consumed,
        failed,
        events: world.events_processed(),
        simulated_ms,
        log_bytes,
        log_records,
    };
    Ok((report, Retained { _world: world }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_is_produced_replicated_and_consumed() {
        let cfg = BenchConfig { records: 2_000, partitions: 3, replication_factor: 3, acks: Acks::All };
        let report = run(&cfg, 1).unwrap();
        assert!(report.complete(), "{report:?}");
        assert_eq!(report.failed, 0);
        assert_eq!(report.log_records, 3 * 2_000, "three copies of each record");
        assert_eq!(report.log_bytes, 3 * 2_000 * VALUE_BYTES as u64);
    }

    #[test]
    fn the_run_waits_for_the_last_acknowledgement() {
        // With the default 12 partitions the consumer reads the last batch before the
        // producer hears back for it; the run must not end there.
        let cfg = BenchConfig { records: 100_000, ..BenchConfig::default() };
        let report = run(&cfg, 1).unwrap();
        assert!(report.complete(), "{report:?}");
    }

    #[test]
    fn acks_zero_and_one_finish_too() {
        for acks in [Acks::None, Acks::Leader] {
            let cfg = BenchConfig { records: 500, partitions: 2, replication_factor: 1, acks };
            assert!(run(&cfg, 7).unwrap().complete(), "acks={}", acks.name());
        }
    }

    #[test]
    fn flags_out_of_range_are_refused() {
        let bad = BenchConfig { partitions: 0, ..BenchConfig::default() };
        assert_eq!(run(&bad, 1).unwrap_err(), "--partitions must be between 1 and 1000, not 0");
        let bad = BenchConfig { replication_factor: 10, ..BenchConfig::default() };
        assert!(bad.validate().unwrap_err().starts_with("--replication-factor must be between 1 and 9"));
        assert!(BenchConfig { records: 0, ..BenchConfig::default() }.validate().is_err());
        assert_eq!(Acks::parse("-1"), Some(Acks::All));
        assert_eq!(Acks::parse("2"), None);
    }
}
