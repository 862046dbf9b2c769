//! Standard base64 decoding, for WebDriver screenshots (PNG bytes arrive as base64 text).
//! Twenty lines here beat a dependency.

use crate::Result;

pub fn decode(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (i, c) in text.bytes().enumerate() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\r' | b'\n' => continue,
            _ => return Err(format!("invalid base64 byte {c:#04x} at {i}")),
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_padded_and_unpadded() {
        assert_eq!(decode("aGVsbG8=").as_deref(), Ok(&b"hello"[..]));
        assert_eq!(decode("aGk").as_deref(), Ok(&b"hi"[..]));
        assert_eq!(decode("iVBORw0KGgo=").as_deref(), Ok(&b"\x89PNG\r\n\x1a\n"[..]));
        assert!(decode("a*").is_err());
    }
}
