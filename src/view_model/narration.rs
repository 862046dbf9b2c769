//! The narration panel's model: the trace, newest first.

use ksim::TraceEntry;

use super::time_format::sim_offset;

/// Entries shown; older ones stay in the session and the CLI's `--trace`.
pub const NARRATION_ENTRIES_MAX: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NarrationItem {
    /// Position in the whole trace, stable while entries are added, for keyed rendering.
    pub index: usize,
    /// `t+12.345 s`.
    pub time: String,
    pub actor: String,
    pub text: String,
    /// Where a click takes the session: just after this happened.
    pub event: u64,
}

pub fn narration(trace: &[TraceEntry], max: usize) -> Vec<NarrationItem> {
    trace
        .iter()
        .enumerate()
        .rev()
        .take(max)
        .map(|(index, e)| NarrationItem {
            index,
            time: sim_offset(e.at_ms),
            actor: e.actor.clone(),
            text: e.text.clone(),
            event: e.event,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_and_bounded() {
        let trace: Vec<TraceEntry> = (0..3)
            .map(|i| TraceEntry { at_ms: 1500 * i, event: i, actor: format!("Broker {i}"), text: format!("event {i}") })
            .collect();
        let items = narration(&trace, 2);
        let lines: Vec<_> = items.iter().map(|n| format!("{} {} {} {}", n.index, n.time, n.actor, n.text)).collect();
        assert_eq!(lines, ["2 t+3.000 s Broker 2 event 2", "1 t+1.500 s Broker 1 event 1"]);
    }
}
