//! The narration panel's model: the trace, newest first.

use ksim::Trace;

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

pub fn narration(trace: &Trace, max: usize) -> Vec<NarrationItem> {
    trace
        .iter()
        .rev()
        .zip((0..trace.len()).rev())
        .take(max)
        .map(|(e, index)| NarrationItem {
            index,
            time: sim_offset(e.at_ms),
            actor: e.actor.to_string(),
            text: e.text.to_string(),
            event: e.event,
        })
        .collect()
}

/// What the panel says at its end once a long session has dropped its oldest narration
/// (the session keeps the trace within a budget): from when on it still has it.
pub fn dropped_note(trace: &Trace) -> Option<String> {
    if trace.first() == 0 {
        return None;
    }
    let since = trace.iter().next().map_or(String::from("now"), |e| sim_offset(e.at_ms));
    Some(format!(
        "Narration before {since} was dropped to keep the session within {} MB; step back and the timeline still reach those moments.",
        ksim::TRACE_BYTES_MAX / 1_000_000
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_and_bounded() {
        let mut session = ksim::Session::new(1);
        session.input("ksim start-cluster --brokers 1 --controllers 1");
        session.advance(5_000);
        let trace = session.trace();
        let items = narration(trace, 2);
        let newest: Vec<_> = trace.iter().rev().take(2).collect();
        let expected: Vec<_> = newest
            .iter()
            .zip([trace.len() - 1, trace.len() - 2])
            .map(|(e, i)| format!("{i} {} {} {}", sim_offset(e.at_ms), e.actor, e.text))
            .collect();
        let lines: Vec<_> = items.iter().map(|n| format!("{} {} {} {}", n.index, n.time, n.actor, n.text)).collect();
        assert_eq!(lines, expected);
        assert_eq!(dropped_note(trace), None, "a short session keeps its whole narration");
    }

    #[test]
    fn dropped_narration_is_said_with_where_it_resumes() {
        let mut session = ksim::Session::new(1);
        session.set_trace_budget(20_000, 10_000);
        session.input("ksim start-cluster --brokers 3 --controllers 1");
        session.input("kafka-topics.sh --create --topic vitals --partitions 3 --replication-factor 3 --bootstrap-server localhost:9092");
        session.input("kafka-producer-perf-test.sh --topic vitals --num-records 5000 --record-size 100 --throughput 50 --producer-props bootstrap.servers=localhost:9092 &");
        for _ in 0..60 {
            session.advance(1_000);
        }
        let trace = session.trace();
        assert!(trace.first() > 0, "the budget dropped the oldest entries");
        let oldest = trace.iter().next().map(|e| sim_offset(e.at_ms)).expect("entries kept");
        let note = dropped_note(trace).expect("a note");
        assert!(note.starts_with(&format!("Narration before {oldest} was dropped")), "{note}");
        let items = narration(trace, usize::MAX);
        assert_eq!(items.last().map(|n| n.index), Some(trace.first()), "indices are the whole timeline's");
    }
}
