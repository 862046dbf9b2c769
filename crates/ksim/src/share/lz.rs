//! A small LZ77 for share codes: a session's input log repeats itself (`--bootstrap-server
//! localhost:9092` on every line), so back-references shrink it several times over.
//!
//! Tokens: a varint `c`; even `c` is a run of `c/2 + 1` literal bytes that follow; odd `c`
//! is a copy of `c/2 + MATCH_MIN` bytes from `distance + 1` bytes back (a varint).

use super::{put_varint, Reader};

const MATCH_MIN: usize = 4;
const MATCH_MAX: usize = 1024;
const WINDOW: usize = 32 * 1024;
const CHAIN_MAX: usize = 48;
const HASH_BITS: u32 = 12;

fn hash(b: &[u8]) -> usize {
    let v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

pub(crate) fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; input.len()];
    let mut literals_from = 0;
    let mut i = 0;
    let insert = |head: &mut Vec<usize>, prev: &mut Vec<usize>, at: usize| {
        if at + MATCH_MIN <= input.len() {
            let h = hash(&input[at..]);
            prev[at] = head[h];
            head[h] = at;
        }
    };
    while i < input.len() {
        let mut best = (0, 0);
        if i + MATCH_MIN <= input.len() {
            let mut candidate = head[hash(&input[i..])];
            for _ in 0..CHAIN_MAX {
                if candidate == usize::MAX || i - candidate > WINDOW {
                    break;
                }
                let limit = (input.len() - i).min(MATCH_MAX);
                let len = (0..limit).take_while(|&k| input[candidate + k] == input[i + k]).count();
                if len > best.0 {
                    best = (len, i - candidate);
                }
                candidate = prev[candidate];
            }
        }
        if best.0 >= MATCH_MIN {
            flush_literals(&mut out, &input[literals_from..i]);
            put_varint(&mut out, (((best.0 - MATCH_MIN) as u64) << 1) | 1);
            put_varint(&mut out, (best.1 - 1) as u64);
            for at in i..i + best.0 {
                insert(&mut head, &mut prev, at);
            }
            i += best.0;
            literals_from = i;
        } else {
            insert(&mut head, &mut prev, i);
            i += 1;
        }
    }
    flush_literals(&mut out, &input[literals_from..]);
    out
}

fn flush_literals(out: &mut Vec<u8>, literals: &[u8]) {
    if !literals.is_empty() {
        put_varint(out, ((literals.len() - 1) as u64) << 1);
        out.extend_from_slice(literals);
    }
}

/// Decompresses exactly `len` bytes; anything else is an error, so output stays bounded.
pub(crate) fn decompress(input: &[u8], len: usize) -> Result<Vec<u8>, String> {
    let broken = |what: &str| format!("its compressed data is broken ({what})");
    let mut out: Vec<u8> = Vec::with_capacity(len);
    let mut r = Reader { bytes: input, at: 0 };
    while r.at < input.len() {
        let c = r.varint().ok_or_else(|| broken("a token is cut short"))?;
        let n = usize::try_from(c >> 1).ok().and_then(|n| n.checked_add(if c & 1 == 0 { 1 } else { MATCH_MIN }));
        let n = n.filter(|n| out.len() + n <= len).ok_or_else(|| broken("it decodes to more than it says"))?;
        if c & 1 == 0 {
            let end =
                r.at.checked_add(n).filter(|&e| e <= input.len()).ok_or_else(|| broken("literals are cut short"))?;
            out.extend_from_slice(&input[r.at..end]);
            r.at = end;
        } else {
            let d = r.varint().ok_or_else(|| broken("a copy is cut short"))?;
            let from = usize::try_from(d)
                .ok()
                .and_then(|d| out.len().checked_sub(d.checked_add(1)?))
                .ok_or_else(|| broken("a copy reaches before the start"))?;
            for k in 0..n {
                out.push(out[from + k]);
            }
        }
    }
    if out.len() != len {
        return Err(broken("it decodes to less than it says"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_shrinks_repetitive_text() {
        let text = "bin/kafka-topics.sh --bootstrap-server localhost:9092\n".repeat(40);
        let packed = compress(text.as_bytes());
        assert!(packed.len() < text.len() / 10, "{} of {}", packed.len(), text.len());
        assert_eq!(decompress(&packed, text.len()).unwrap(), text.as_bytes());
        for sample in [&b""[..], b"a", b"abcabcabcabcabc", b"\x00\x00\x00\x00\x00\x00\x00\x00\x01"] {
            assert_eq!(decompress(&compress(sample), sample.len()).unwrap(), sample);
        }
    }

    #[test]
    fn refuses_lies_about_the_length() {
        let packed = compress(b"aaaaaaaaaaaaaaaaaaaa");
        assert!(decompress(&packed, 5).is_err());
        assert!(decompress(&packed, 50).is_err());
        assert!(decompress(&[3, 0], 10).is_err(), "a copy before the start");
    }
}
