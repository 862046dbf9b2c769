//! The timeline under the time controls: a scrubber from event 0 to the present, and what
//! it says while the page shows the past.

/// What the past indicator says; the words are also the e2e journey's check.
pub const PAST_NOTICE: &str = "Viewing the past — Step to go forward, or type a command to fork from here";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// Events processed at the moment shown: the scrubber's value.
    pub value: u64,
    /// Events processed at the present: the scrubber's end.
    pub max: u64,
    pub in_past: bool,
    /// `event 120 of 340` in the past, `event 340 · present` at the present.
    pub position: String,
    /// For screen readers, as the scrubber's `aria-valuetext`.
    pub value_text: String,
}

pub fn timeline(events: u64, present: u64, in_past: bool) -> Timeline {
    let max = present.max(events);
    let in_past = in_past && events < max;
    let position = if in_past { format!("event {events} of {max}") } else { format!("event {max} · present") };
    let value_text = if in_past {
        format!("event {events} of {max}, {} before the present", max - events)
    } else {
        format!("event {max}, the present")
    };
    Timeline { value: events, max, in_past, position, value_text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_present_and_the_past() {
        let now = timeline(340, 340, false);
        assert_eq!((now.value, now.max, now.in_past), (340, 340, false));
        assert_eq!(now.position, "event 340 · present");
        let past = timeline(120, 340, true);
        assert!(past.in_past);
        assert_eq!(past.position, "event 120 of 340");
        assert_eq!(past.value_text, "event 120 of 340, 220 before the present");
        // Stepped forward all the way back to the present: no longer the past.
        assert!(!timeline(340, 340, true).in_past);
        assert_eq!(timeline(0, 0, false).position, "event 0 · present");
    }
}
