//! Identifiers of simulated processes and Kafka's UUIDs.

use crate::rng::SimRng;
use std::fmt;

/// Kafka's `node.id`: one server process (broker, controller or both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct NodeId(pub(crate) u32);

/// A client process (producer, consumer, admin client) started from the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ClientId(pub(crate) u32);

/// Where a message goes: a server process or a client process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Addr {
    Node(NodeId),
    Client(ClientId),
}

/// Kafka's `Uuid`: 128 bits shown as 22 characters of URL-safe base64 without padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Uuid(pub(crate) [u8; 16]);

impl Uuid {
    /// As `Uuid.randomUuid()`: version 4 bits set, and redrawn when the text would start
    /// with `-` (Kafka avoids ids that look like command-line flags).
    pub(crate) fn random(rng: &mut SimRng) -> Uuid {
        loop {
            let mut bytes = [0u8; 16];
            rng.fill(&mut bytes);
            bytes[6] = (bytes[6] & 0x0f) | 0x40;
            bytes[8] = (bytes[8] & 0x3f) | 0x80;
            let uuid = Uuid(bytes);
            if !uuid.to_string().starts_with('-') {
                return uuid;
            }
        }
    }
}

impl Uuid {
    /// `Uuid.fromString`: 22 characters of URL-safe base64 without padding.
    pub(crate) fn parse(text: &str) -> Option<Uuid> {
        if text.len() != 22 {
            return None;
        }
        let mut bits: u128 = 0;
        for (i, c) in text.bytes().enumerate() {
            let v = BASE64_URL.iter().position(|b| *b == c)? as u128;
            if i < 21 {
                bits = (bits << 6) | v;
            } else {
                // The 22nd character holds the last 2 bits and 4 bits of zero padding.
                if v & 0xf != 0 {
                    return None;
                }
                bits = (bits << 2) | (v >> 4);
            }
        }
        Some(Uuid(bits.to_be_bytes()))
    }
}

const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::with_capacity(22);
        for chunk in self.0.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            let sextets = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
            // 3 bytes give 4 characters; a trailing lone byte gives 2 (no padding).
            let keep = if chunk.len() == 3 { 4 } else { chunk.len() + 1 };
            for s in &sextets[..keep] {
                text.push(char::from(BASE64_URL[*s as usize]));
            }
        }
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_print_as_22_url_safe_characters() {
        let mut rng = SimRng::for_stream(1, 1);
        for _ in 0..1000 {
            let text = Uuid::random(&mut rng).to_string();
            assert_eq!(text.len(), 22);
            assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            assert!(!text.starts_with('-'));
        }
    }

    #[test]
    fn parsing_inverts_printing() {
        let mut rng = SimRng::for_stream(2, 2);
        for _ in 0..100 {
            let uuid = Uuid::random(&mut rng);
            assert_eq!(Uuid::parse(&uuid.to_string()), Some(uuid));
        }
        assert_eq!(Uuid::parse("short"), None);
        assert_eq!(Uuid::parse("AAECAwQFBgcICQoLDA0OD!"), None);
        assert_eq!(Uuid::parse("AAECAwQFBgcICQoLDA0ODx"), None, "non-zero padding bits");
    }

    #[test]
    fn base64_matches_javas_url_encoder() {
        // java.util.Base64.getUrlEncoder().withoutPadding() of bytes 0..16.
        let uuid = Uuid(core::array::from_fn(|i| i as u8));
        assert_eq!(uuid.to_string(), "AAECAwQFBgcICQoLDA0ODw");
    }
}
