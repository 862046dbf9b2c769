//! Every broker's copy of a partition, one compact row each: its role and ISR status in
//! words, and a bar showing how far its log end offset has got next to the leader's, with
//! its high watermark marked, so followers catching up and a stopped or out-of-sync replica
//! falling behind are visible.

use ksim::PartitionView;

use super::glossary;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaRow {
    pub broker: u32,
    /// `Replica on broker 5`: the row's accessible name.
    pub aria_label: String,
    /// `Broker 3 · leader`, `Broker 4 · follower · in ISR`, `Broker 4 · follower · out of
    /// sync`, `Broker 5 · stopped · in ISR`, `Broker 3 · leader · stopped`.
    pub label: String,
    /// CSS classes: `leader`, `follower`, `out-of-sync`, `stopped`, `leader stopped`, or
    /// `no-copy` before the broker has created its log.
    pub class: &'static str,
    /// The bar's fill: this copy's LEO as a share of the longest copy (the leader's, as a
    /// rule), in percent.
    pub leo_pct: u32,
    /// Where this copy's high watermark falls on the same scale, in percent.
    pub hw_pct: u32,
    /// `LEO 2 · HW 2`, with ` · 1 behind` when it lags the leader.
    pub offsets: String,
    pub tooltip: String,
}

/// One row per assigned replica, in replica order.
pub fn replica_rows(p: &PartitionView) -> Vec<ReplicaRow> {
    let leader_leo = p.replica_states.iter().find(|r| r.is_leader).map_or(p.log_end_offset, |r| r.log_end_offset);
    // A stopped former leader can hold more than the new leader; keep every bar in range.
    let longest = p.replica_states.iter().map(|r| r.log_end_offset).fold(leader_leo, u64::max);
    let span = longest.saturating_sub(p.log_start_offset);
    let pct = |offset: u64| -> u32 {
        if span == 0 {
            0
        } else {
            let done = offset.saturating_sub(p.log_start_offset).min(span);
            u32::try_from(done * 100 / span).unwrap_or(100)
        }
    };
    // Rows follow the assignment; a broker that has not created its copy yet says so.
    p.replicas
        .iter()
        .map(|&broker| {
            let Some(r) = p.replica_states.iter().find(|r| r.broker == broker) else {
                let label = format!("Broker {broker} · no copy yet");
                return ReplicaRow {
                    broker,
                    aria_label: format!("Replica on broker {broker}"),
                    tooltip: format!("{label}: the broker has not created its log of this partition"),
                    label,
                    class: "no-copy",
                    leo_pct: 0,
                    hw_pct: 0,
                    offsets: "–".to_owned(),
                };
            };
            let isr = if r.in_isr { "in ISR" } else { "out of sync" };
            let (label, class) = match (r.is_leader, r.online) {
                (true, true) => (format!("Broker {} · leader", r.broker), "leader"),
                (true, false) => (format!("Broker {} · leader · stopped", r.broker), "leader stopped"),
                (false, false) => (format!("Broker {} · stopped · {isr}", r.broker), "stopped"),
                (false, true) if r.in_isr => (format!("Broker {} · follower · {isr}", r.broker), "follower"),
                (false, true) => (format!("Broker {} · follower · {isr}", r.broker), "out-of-sync"),
            };
            let behind = leader_leo.saturating_sub(r.log_end_offset);
            let mut offsets = format!("LEO {} · HW {}", r.log_end_offset, r.high_watermark);
            // Retention or delete-records moved the start: say where the copy now begins.
            if r.log_start_offset > 0 {
                offsets = format!("start {} · {offsets}", r.log_start_offset);
            }
            if !r.is_leader && behind > 0 {
                offsets.push_str(&format!(" · {behind} behind"));
            }
            let copy = if r.online { "its copy" } else { "its copy on disk (last known)" };
            let role = match (r.is_leader, r.online, r.in_isr) {
                (true, _, _) => glossary::LEADER.sentence,
                (false, false, _) => glossary::STOPPED.sentence,
                (false, true, true) => glossary::FOLLOWER.sentence,
                (false, true, false) => glossary::OUT_OF_SYNC.sentence,
            };
            let tooltip = format!(
                "{label}\n{copy}: log start {}, high watermark {}, log end offset {}\n\
                 the leader's log end offset is {leader_leo}\n{role}",
                r.log_start_offset, r.high_watermark, r.log_end_offset
            );
            ReplicaRow {
                broker: r.broker,
                aria_label: format!("Replica on broker {}", r.broker),
                label,
                class,
                leo_pct: pct(r.log_end_offset),
                hw_pct: pct(r.high_watermark),
                offsets,
                tooltip,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use ksim::ReplicaStateView;

    use super::*;

    fn state(broker: u32, is_leader: bool, in_isr: bool, online: bool, hw: u64, leo: u64) -> ReplicaStateView {
        ReplicaStateView {
            broker,
            is_leader,
            in_isr,
            online,
            log_start_offset: 0,
            high_watermark: hw,
            log_end_offset: leo,
        }
    }

    fn partition(states: Vec<ReplicaStateView>) -> PartitionView {
        PartitionView {
            partition: 0,
            leader: states.iter().find(|s| s.is_leader).map(|s| s.broker),
            leader_epoch: 0,
            replicas: states.iter().map(|s| s.broker).collect(),
            isr: states.iter().filter(|s| s.in_isr).map(|s| s.broker).collect(),
            log_start_offset: 0,
            high_watermark: 2,
            log_end_offset: 4,
            records: Vec::new(),
            replica_states: states,
            segments: Vec::new(),
            earlier_records: 0,
        }
    }

    fn render(rows: &[ReplicaRow]) -> Vec<String> {
        rows.iter()
            .map(|r| format!("{} [{}] {}% hw {}% | {}", r.label, r.class, r.leo_pct, r.hw_pct, r.offsets))
            .collect()
    }

    #[test]
    fn rows_say_role_and_isr_in_words_and_measure_against_the_leader() {
        let p = partition(vec![
            state(3, true, true, true, 2, 4),
            state(4, false, true, true, 2, 3),
            state(5, false, false, true, 1, 1),
            state(6, false, false, false, 0, 0),
        ]);
        let rows = replica_rows(&p);
        assert_eq!(
            render(&rows),
            [
                "Broker 3 · leader [leader] 100% hw 50% | LEO 4 · HW 2",
                "Broker 4 · follower · in ISR [follower] 75% hw 50% | LEO 3 · HW 2 · 1 behind",
                "Broker 5 · follower · out of sync [out-of-sync] 25% hw 25% | LEO 1 · HW 1 · 3 behind",
                "Broker 6 · stopped · out of sync [stopped] 0% hw 0% | LEO 0 · HW 0 · 4 behind",
            ]
        );
        assert_eq!(rows[2].aria_label, "Replica on broker 5");
        assert_eq!(
            rows[3].tooltip,
            "Broker 6 · stopped · out of sync\nits copy on disk (last known): log start 0, high watermark 0, \
             log end offset 0\nthe leader's log end offset is 4\n\
             Stopped: the process was killed; its logs survive on disk and come back on restart."
        );
        assert!(
            rows[2].tooltip.ends_with(
                "\nAn out-of-sync replica fell behind the leader for longer than \
             replica.lag.time.max.ms, so the leader dropped it from the ISR."
            ),
            "{}",
            rows[2].tooltip
        );
    }

    #[test]
    fn empty_logs_and_a_longer_stopped_former_leader_stay_in_range() {
        let p = partition(vec![state(1, true, true, true, 0, 0), state(2, false, true, true, 0, 0)]);
        assert_eq!(
            render(&replica_rows(&p)),
            [
                "Broker 1 · leader [leader] 0% hw 0% | LEO 0 · HW 0",
                "Broker 2 · follower · in ISR [follower] 0% hw 0% | LEO 0 · HW 0"
            ]
        );

        let p = partition(vec![state(1, false, false, false, 3, 8), state(2, true, true, true, 2, 4)]);
        assert_eq!(
            render(&replica_rows(&p)),
            [
                "Broker 1 · stopped · out of sync [stopped] 100% hw 37% | LEO 8 · HW 3",
                "Broker 2 · leader [leader] 50% hw 25% | LEO 4 · HW 2",
            ]
        );
        let p = partition(vec![state(1, true, true, false, 4, 4)]);
        assert_eq!(
            render(&replica_rows(&p)),
            ["Broker 1 · leader · stopped [leader stopped] 100% hw 100% | LEO 4 · HW 4"]
        );
    }

    #[test]
    fn a_moved_log_start_is_shown() {
        let mut leader = state(1, true, true, true, 5, 5);
        leader.log_start_offset = 2;
        assert_eq!(
            render(&replica_rows(&partition(vec![leader]))),
            ["Broker 1 · leader [leader] 100% hw 100% | start 2 · LEO 5 · HW 5"]
        );
    }
}
