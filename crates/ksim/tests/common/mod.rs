//! What the fuzz tests share: a seeded generator, text mutations and the knobs.

/// SplitMix64: a tiny seeded generator, so the test needs no dependency and replays exactly.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Seeded damage to a text: deletions, inserted `tokens`, changed characters, copies,
/// truncation, digits and swaps.
pub fn mutate(rng: &mut Rng, text: &str, tokens: &[&str]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(7) {
            0 => {
                let end = (at + rng.below(40)).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let token: Vec<char> = tokens[rng.below(tokens.len())].chars().collect();
                chars.splice(at..at, token);
            }
            2 if at < chars.len() => chars[at] = char::from_u32(rng.below(0x80) as u32).unwrap_or('x'),
            3 => {
                let end = (at + rng.below(200)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, copy);
            }
            4 => chars.truncate(at),
            5 if at < chars.len() && chars[at].is_ascii_digit() => chars[at] = '9',
            _ => {
                // Swap two structural characters to unbalance the document.
                let other = rng.below(chars.len() + 1);
                if at < chars.len() && other < chars.len() {
                    chars.swap(at, other);
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// A test knob from the environment (`KSIM_SEED`, `KSIM_FUZZ_CASES`).
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
