//! Seeded randomness: one session seed, an independent stream per simulated process.
//!
//! Streams are derived from `(seed, stream id)` rather than from draw order, so adding a
//! consumer does not change a broker's election timeouts.

/// xoshiro256** seeded through SplitMix64: small, fast and identical on every target.
#[derive(Clone, Debug)]
pub(crate) struct SimRng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SimRng {
    /// The stream for one simulated process (or one console tool) of a session.
    pub(crate) fn for_stream(seed: u64, stream: u64) -> SimRng {
        let mut state = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        SimRng { s: [(); 4].map(|()| splitmix64(&mut state)) }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, bound)`; `bound` must be positive. Lemire's multiply-shift keeps it
    /// integer-only so native and wasm agree.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "below(0) has no valid result");
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    pub(crate) fn fill(&mut self, bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_stream_give_the_same_draws() {
        let mut a = SimRng::for_stream(1, 7);
        let mut b = SimRng::for_stream(1, 7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn streams_and_seeds_are_independent() {
        let first = |seed, stream| SimRng::for_stream(seed, stream).next_u64();
        assert_ne!(first(1, 1), first(1, 2));
        assert_ne!(first(1, 1), first(2, 1));
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SimRng::for_stream(3, 3);
        for bound in 1..200 {
            assert!(rng.below(bound) < bound);
        }
    }
}
