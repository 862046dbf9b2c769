//! The Network tool: two groups of nodes and the `ksim partition` line that cuts between
//! them, the same command a student can type.

/// `ksim partition 1,2 | 3` (both ways) or `ksim partition 1 -> 2` (one way, A to B);
/// `None` until both groups have a node and no node is in both.
pub fn partition_command(a: &[u32], b: &[u32], one_way: bool) -> Option<String> {
    if a.is_empty() || b.is_empty() || a.iter().any(|n| b.contains(n)) {
        return None;
    }
    let list = |g: &[u32]| {
        let mut g = g.to_vec();
        g.sort_unstable();
        g.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
    };
    let arrow = if one_way { "->" } else { "|" };
    Some(format!("ksim partition {} {arrow} {}", list(a), list(b)))
}

/// The active cuts in words for the panel: `4 ⇹ 5`, `6 → 4` (pairs cut both ways once).
pub fn cuts_summary(cuts: &[(u32, u32)]) -> Vec<String> {
    let mut out = Vec::new();
    for &(a, b) in cuts {
        let both = cuts.contains(&(b, a));
        if both && a > b {
            continue;
        }
        out.push(if both { format!("{a} ⇹ {b}") } else { format!("{a} → {b}") });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_as_typed_in_the_console() {
        assert_eq!(partition_command(&[2, 1], &[3], false).as_deref(), Some("ksim partition 1,2 | 3"));
        assert_eq!(partition_command(&[1], &[2], true).as_deref(), Some("ksim partition 1 -> 2"));
        assert_eq!(partition_command(&[], &[2], true), None);
        assert_eq!(partition_command(&[1, 2], &[2], false), None);
    }

    #[test]
    fn cuts_in_words() {
        assert_eq!(cuts_summary(&[(1, 5), (5, 1), (6, 4)]), ["1 ⇹ 5", "6 → 4"]);
        assert!(cuts_summary(&[]).is_empty());
    }
}
