//! Safety invariants, checked after every event (incrementally, so sweeps stay fast):
//!
//! - KRaft: at most one leader per epoch; an `(offset, epoch)` names one entry with one
//!   predecessor, so logs that share an entry share the prefix before it (log matching);
//!   committed entries are never truncated and every later leader holds them; every
//!   controller applies the same committed sequence; a controller's high watermark never
//!   goes back while its process stays up.
//! - Partitions: log start ≤ HW ≤ LEO on every replica; a leader is in its ISR.
//!
//! A violation is a bug in the simulator, never an expected outcome.

use crate::ids::NodeId;
use crate::metadata::MetadataRecord;
use crate::vec_map::{VecMap, VecSet};
use crate::world::World;
use std::collections::BTreeMap;

/// What one controller's log looked like at the last check.
#[derive(Clone, Default)]
struct ControllerSeen {
    incarnation: u32,
    checked_len: usize,
    high_watermark: u64,
    /// How many of its entries matched the committed sequence.
    committed_held: usize,
}

#[derive(Clone, Default)]
pub(crate) struct InvariantChecker {
    leaders: VecMap<u32, NodeId>,
    /// `(offset, epoch)` → (predecessor's epoch, the record).
    entries: BTreeMap<(u64, u32), (Option<u32>, MetadataRecord)>,
    /// Each committed entry's epoch, and the (earliest seen) epoch it was committed in.
    committed: Vec<(u32, u32)>,
    seen: VecMap<NodeId, ControllerSeen>,
    /// Violations found so far, each with the simulated time.
    pub(crate) violations: Vec<String>,
    /// Each kind of violation is reported once, at its first occurrence.
    reported: VecSet<String>,
}

impl InvariantChecker {
    pub(crate) fn check(&mut self, world: &World) {
        let now = world.now();
        let mut found = Vec::new();
        for server in world.servers.values() {
            let Some(c) = &server.controller else {
                continue;
            };
            let id = server.node_id();
            let raft = &c.raft;
            let log = &raft.disk.log;
            if server.running && raft.state == crate::raft::RaftState::Leader {
                if let Some(other) = self.leaders.insert(raft.epoch(), id).filter(|o| *o != id) {
                    found.push(format!("two leaders in epoch {}: controllers {} and {}", raft.epoch(), other.0, id.0));
                }
                // Raft promises committed entries to every leader of a later epoch; a stale
                // leader of an older epoch may still lack what a newer one committed.
                let last = self.committed.iter().rposition(|(_, commit_epoch)| *commit_epoch < raft.epoch());
                if let Some(i) = last.filter(|i| log.get(*i).map(|e| e.epoch) != Some(self.committed[*i].0)) {
                    found.push(format!("leader {} of epoch {} lacks committed entry {i}", id.0, raft.epoch()));
                }
            }
            let seen = self.seen.entry(id).or_default();
            if seen.incarnation != server.incarnation {
                // A restart forgets the high watermark; the log on disk stays.
                seen.incarnation = server.incarnation;
                seen.high_watermark = 0;
            }
            if log.len() < seen.committed_held {
                found.push(format!(
                    "controller {} truncated committed entries {}..{}",
                    id.0,
                    log.len(),
                    seen.committed_held
                ));
            }
            seen.checked_len = seen.checked_len.min(log.len());
            seen.committed_held = seen.committed_held.min(log.len());
            for (i, entry) in log.iter().enumerate().skip(seen.checked_len) {
                assert_eq!(entry.offset, i as u64, "log offsets are positions");
                let prev = i.checked_sub(1).map(|p| log[p].epoch);
                match self.entries.get(&(entry.offset, entry.epoch)) {
                    None => {
                        self.entries.insert((entry.offset, entry.epoch), (prev, entry.record.clone()));
                    }
                    Some((p, r)) if *p != prev || *r != entry.record => {
                        found.push(format!(
                            "log matching broken at offset {} epoch {} on controller {}",
                            entry.offset, entry.epoch, id.0
                        ));
                    }
                    Some(_) => {}
                }
            }
            seen.checked_len = log.len();
            if server.running {
                if raft.high_watermark < seen.high_watermark {
                    found.push(format!(
                        "controller {} high watermark went back from {} to {}",
                        id.0, seen.high_watermark, raft.high_watermark
                    ));
                }
                seen.high_watermark = raft.high_watermark;
                let hw = (raft.high_watermark as usize).min(log.len());
                for (i, entry) in log.iter().enumerate().take(hw).skip(seen.committed_held) {
                    match self.committed.get(i) {
                        Some((epoch, _)) if *epoch != entry.epoch => {
                            found.push(format!(
                                "controller {} committed offset {i} in epoch {} but epoch {epoch} was committed there",
                                id.0, entry.epoch
                            ));
                        }
                        Some(_) => {}
                        None => self.committed.push((entry.epoch, raft.epoch())),
                    }
                }
                seen.committed_held = seen.committed_held.max(hw);
            }
            // The applied image follows the committed log, in order.
            let applied = c.image.applied_offset.map_or(0, |o| o + 1) as usize;
            if applied > self.committed.len() {
                found.push(format!(
                    "controller {} applied {applied} entries but only {} are committed",
                    id.0,
                    self.committed.len()
                ));
            }
        }
        for server in world.servers.values().filter(|s| s.running) {
            let Some(b) = &server.broker else { continue };
            for ((topic, p), h) in &b.replicas.partitions {
                let (start, hw, leo) = (h.log.log_start_offset(), h.log.high_watermark(), h.log.log_end_offset());
                if !(start <= hw && hw <= leo) {
                    found.push(format!(
                        "{topic}-{p} on broker {}: log start {start}, HW {hw}, LEO {leo} out of order",
                        server.node_id().0
                    ));
                }
                if h.is_leader && !h.isr.contains(&server.node_id()) {
                    found.push(format!("{topic}-{p}: leader {} is not in its ISR {:?}", server.node_id().0, h.isr));
                }
            }
        }
        for v in found {
            if self.reported.insert(v.clone()) {
                self.violations.push(format!("[t+{}.{:03} s] {v}", now.0 / 1000, now.0 % 1000));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::console::Console;
    use crate::ids::NodeId;
    use crate::metadata::MetadataRecord;
    use crate::raft::RaftState;
    use crate::world::World;

    /// A healthy 3-controller cluster with some committed metadata.
    fn cluster() -> World {
        let mut world = World::new(5);
        let mut con = Console::new(5, true);
        con.input(&mut world, "ksim start-cluster --brokers 1 --controllers 3");
        con.input(&mut world, "ksim advance 3s");
        assert!(world.invariants.violations.is_empty(), "{:?}", world.invariants.violations);
        world
    }

    fn follower(world: &World) -> NodeId {
        world
            .servers
            .values()
            .find(|s| s.controller.as_ref().is_some_and(|c| c.raft.state == RaftState::Follower))
            .map(|s| s.node_id())
            .expect("a follower")
    }

    fn recheck(world: &mut World) -> Vec<String> {
        let mut checker = std::mem::take(&mut world.invariants);
        checker.check(world);
        world.invariants = checker;
        world.invariants.violations.clone()
    }

    #[test]
    fn a_changed_committed_entry_breaks_log_matching() {
        let mut world = cluster();
        let id = follower(&world);
        // Rewrite an entry the checker has already seen, then make it look unseen.
        let c = world.servers.get_mut(&id).and_then(|s| s.controller.as_mut()).expect("controller");
        c.raft.disk.log[1].record = MetadataRecord::FeatureLevel { name: "forged".to_string(), feature_level: 99 };
        let forged = c.raft.disk.log.clone();
        c.raft.disk.log.truncate(1);
        recheck(&mut world);
        world.servers.get_mut(&id).and_then(|s| s.controller.as_mut()).expect("controller").raft.disk.log = forged;
        let violations = recheck(&mut world);
        assert!(violations.iter().any(|v| v.contains("log matching broken at offset 1")), "{violations:?}");
        assert!(violations.iter().any(|v| v.contains("truncated committed entries")), "{violations:?}");
    }

    #[test]
    fn two_leaders_in_one_epoch_are_caught() {
        let mut world = cluster();
        let id = follower(&world);
        world.servers.get_mut(&id).and_then(|s| s.controller.as_mut()).expect("controller").raft.state =
            RaftState::Leader;
        let violations = recheck(&mut world);
        assert!(violations.iter().any(|v| v.contains("two leaders in epoch")), "{violations:?}");
    }

    #[test]
    fn a_high_watermark_going_back_is_caught() {
        let mut world = cluster();
        let id = follower(&world);
        world.servers.get_mut(&id).and_then(|s| s.controller.as_mut()).expect("controller").raft.high_watermark = 1;
        let violations = recheck(&mut world);
        assert!(violations.iter().any(|v| v.contains("high watermark went back")), "{violations:?}");
    }
}
