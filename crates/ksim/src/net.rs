//! The simulated network: every message is an envelope with a send time and an arrival
//! time, visible while in flight so the page can draw it.

use crate::ids::Addr;
use crate::protocol::Msg;
use crate::rng::SimRng;
use crate::time::SimTime;

/// Loopback latency: every process runs on one simulated machine, but a few milliseconds
/// keep each hop a distinct, visible step.
const LATENCY_BASE_MS: u64 = 2;
const LATENCY_JITTER_MS: u64 = 3;

#[derive(Clone, Debug)]
pub(crate) struct Envelope {
    pub(crate) id: u64,
    pub(crate) from: Addr,
    pub(crate) to: Addr,
    /// Matches a response to its request, as Kafka's correlation id does.
    pub(crate) correlation_id: u32,
    pub(crate) msg: Msg,
    pub(crate) sent_at: SimTime,
    pub(crate) arrives_at: SimTime,
}

pub(crate) struct Network {
    rng: SimRng,
    next_id: u64,
}

impl Network {
    pub(crate) fn new(seed: u64) -> Network {
        Network {
            rng: SimRng::for_stream(seed, u64::MAX),
            next_id: 0,
        }
    }

    /// Puts a message on the wire; the caller schedules its delivery at `arrives_at`.
    pub(crate) fn send(
        &mut self,
        now: SimTime,
        from: Addr,
        to: Addr,
        correlation_id: u32,
        msg: Msg,
    ) -> Envelope {
        let latency = LATENCY_BASE_MS + self.rng.below(LATENCY_JITTER_MS + 1);
        self.next_id += 1;
        Envelope {
            id: self.next_id,
            from,
            to,
            correlation_id,
            msg,
            sent_at: now,
            arrives_at: now.plus_ms(latency),
        }
    }
}
