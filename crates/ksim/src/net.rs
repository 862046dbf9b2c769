//! The simulated network: every message is an envelope with a send time and an arrival
//! time, visible while in flight so the page can draw it. Cuts between servers (`ksim
//! partition`) drop what would cross them; sweeps add loss, duplication and delay.

use crate::ids::{Addr, NodeId};
use crate::protocol::Msg;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::vec_map::{VecMap, VecSet};

/// Loopback latency: every process runs on one simulated machine, but a few milliseconds
/// keep each hop a distinct, visible step.
const LATENCY_BASE_MS: u64 = 2;
const LATENCY_JITTER_MS: u64 = 3;

#[derive(Clone, Debug)]
pub(crate) struct Envelope {
    pub(crate) id: u64,
    pub(crate) from: Addr,
    pub(crate) to: Addr,
    /// The run of the destination process this was sent to (see `Server::incarnation`).
    pub(crate) to_incarnation: u32,
    /// Matches a response to its request, as Kafka's correlation id does.
    pub(crate) correlation_id: u32,
    pub(crate) msg: Msg,
    pub(crate) sent_at: SimTime,
    pub(crate) arrives_at: SimTime,
}

/// Random message faults, in thousandths, for seeded sweeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Faults {
    pub(crate) loss_per_mille: u64,
    pub(crate) duplicate_per_mille: u64,
    pub(crate) extra_delay_max_ms: u64,
}

#[derive(Clone)]
pub(crate) struct Network {
    rng: SimRng,
    /// `ksim latency`: a longer hop makes each message easy to watch.
    base_latency_ms: u64,
    next_id: u64,
    /// Directed server pairs whose messages are dropped.
    cuts: VecSet<(NodeId, NodeId)>,
    /// Directed cuts between any endpoints, e.g. a broker's responses to one client.
    endpoint_cuts: VecSet<(Addr, Addr)>,
    pub(crate) faults: Faults,
    /// The latest arrival scheduled on each directed link (FIFO delivery).
    last_arrival: VecMap<(Addr, Addr), SimTime>,
}

impl Network {
    pub(crate) fn new(seed: u64) -> Network {
        Network {
            rng: SimRng::for_stream(seed, u64::MAX),
            base_latency_ms: LATENCY_BASE_MS,
            next_id: 0,
            cuts: VecSet::new(),
            endpoint_cuts: VecSet::new(),
            faults: Faults::default(),
            last_arrival: VecMap::new(),
        }
    }

    /// Puts a message on the wire: usually one envelope, none when lost, two when duplicated.
    pub(crate) fn send(
        &mut self,
        now: SimTime,
        from: Addr,
        to: Addr,
        to_incarnation: u32,
        correlation_id: u32,
        msg: Msg,
    ) -> Vec<Envelope> {
        let latency = self.base_latency_ms + self.rng.below(LATENCY_JITTER_MS + 1);
        let faults = self.faults;
        // Fault draws happen only when faults are on, so ordinary runs keep their draws.
        if faults.loss_per_mille > 0 && self.rng.below(1000) < faults.loss_per_mille {
            return Vec::new();
        }
        let copies =
            if faults.duplicate_per_mille > 0 && self.rng.below(1000) < faults.duplicate_per_mille { 2 } else { 1 };
        let mut out = Vec::with_capacity(copies);
        // Only a duplicate copies the message: a produce request's records travel as they are.
        if copies == 2 {
            let first = self.envelope(now, latency, (from, to, to_incarnation), correlation_id, msg.clone());
            out.push(first);
        }
        out.push(self.envelope(now, latency, (from, to, to_incarnation), correlation_id, msg));
        out
    }

    /// One copy on the wire, with its own extra delay (under faults) and id.
    fn envelope(
        &mut self,
        now: SimTime,
        latency: u64,
        (from, to, to_incarnation): (Addr, Addr, u32),
        correlation_id: u32,
        msg: Msg,
    ) -> Envelope {
        let faults = self.faults;
        let delay = if faults.extra_delay_max_ms > 0 { self.rng.below(faults.extra_delay_max_ms + 1) } else { 0 };
        self.next_id += 1;
        // One TCP connection per pair: messages arrive in the order they were sent
        // (a message never overtakes an earlier one; ties keep their send order).
        let earliest = now.plus_ms(latency + delay);
        let arrives_at = match self.last_arrival.get(&(from, to)) {
            Some(last) if *last > earliest => *last,
            _ => earliest,
        };
        self.last_arrival.insert((from, to), arrives_at);
        Envelope { id: self.next_id, from, to, to_incarnation, correlation_id, msg, sent_at: now, arrives_at }
    }

    pub(crate) fn set_base_latency_ms(&mut self, ms: u64) {
        self.base_latency_ms = ms;
    }

    /// Whether a message between these endpoints would be dropped by a cut.
    pub(crate) fn is_cut(&self, from: Addr, to: Addr) -> bool {
        self.endpoint_cuts.contains(&(from, to))
            || match (from, to) {
                (Addr::Node(a), Addr::Node(b)) => self.cuts.contains(&(a, b)),
                _ => false,
            }
    }

    /// Drops messages from one endpoint to another (one way), clients included: a
    /// produce response lost on its way back. Only tests use it so far.
    #[cfg(test)]
    pub(crate) fn cut_endpoints(&mut self, from: Addr, to: Addr) {
        self.endpoint_cuts.insert((from, to));
    }

    /// Drops messages from `from` to `to` (one way).
    pub(crate) fn cut(&mut self, from: NodeId, to: NodeId) {
        if from != to {
            self.cuts.insert((from, to));
        }
    }

    pub(crate) fn heal(&mut self) {
        self.cuts.clear();
        self.endpoint_cuts.clear();
    }

    pub(crate) fn cuts(&self) -> impl Iterator<Item = &(NodeId, NodeId)> {
        self.cuts.iter()
    }
}
