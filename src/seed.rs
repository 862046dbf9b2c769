//! The session's seed, taken from the page address (`?seed=42`) so a link reproduces a run.

/// The seed when the address has none: the one the lesson transcripts use.
pub const SEED_DEFAULT: u64 = 1;

/// The `seed` parameter of a query string such as `?seed=42&x=1`.
pub fn seed_from_query(query: &str) -> Option<u64> {
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("seed="))
        .and_then(|value| value.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_parameter() {
        assert_eq!(seed_from_query("?seed=42"), Some(42));
        assert_eq!(seed_from_query("?lesson=9&seed=7"), Some(7));
        assert_eq!(seed_from_query(""), None);
        assert_eq!(seed_from_query("?seed=-1"), None);
        assert_eq!(seed_from_query("?seeds=3"), None);
    }
}
