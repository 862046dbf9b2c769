//! Windows of Kafka Streams' windowed aggregations and joins (`TimeWindows`,
//! `SlidingWindows`, `SessionWindows`, `JoinWindows`) and which windows a record falls
//! in. Times are Java `long` milliseconds; time windows are epoch-aligned and half-open
//! `[start, end)`, sliding and session windows are closed `[start, end]`.

/// One window's bounds in ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Window {
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
}

/// `TimeWindows`: tumbling when `advance_ms == size_ms`, hopping otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeWindows {
    pub(crate) size_ms: i64,
    pub(crate) advance_ms: i64,
    pub(crate) grace_ms: i64,
}

impl TimeWindows {
    /// `TimeWindows.ofSizeWithNoGrace(size)`: tumbling, no grace.
    pub(crate) fn of_size_with_no_grace(size_ms: i64) -> TimeWindows {
        TimeWindows { size_ms: size_ms.max(1), advance_ms: size_ms.max(1), grace_ms: 0 }
    }

    /// `TimeWindows.ofSizeAndGrace(size, grace)`.
    pub(crate) fn of_size_and_grace(size_ms: i64, grace_ms: i64) -> TimeWindows {
        TimeWindows { grace_ms: grace_ms.max(0), ..TimeWindows::of_size_with_no_grace(size_ms) }
    }

    /// `.advanceBy(advance)`: hopping windows (the advance must be in `(0, size]`).
    pub(crate) fn advance_by(self, advance_ms: i64) -> TimeWindows {
        TimeWindows { advance_ms: advance_ms.clamp(1, self.size_ms), ..self }
    }

    /// `TimeWindows.windowsFor`: starts at `max(0, t - size + advance) / advance * advance`,
    /// stepping by the advance while the start is at most `t`.
    pub(crate) fn windows_for(&self, timestamp_ms: i64) -> Vec<Window> {
        let mut start = (timestamp_ms - self.size_ms + self.advance_ms).max(0) / self.advance_ms * self.advance_ms;
        let mut windows = Vec::new();
        while start <= timestamp_ms {
            windows.push(Window { start_ms: start, end_ms: start + self.size_ms });
            start += self.advance_ms;
        }
        windows
    }
}

/// `SlidingWindows`: windows of `time_difference_ms` that end at a record (`[t - d, t]`)
/// or start just after one (`[t + 1, t + d + 1]`), created as records enter and leave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SlidingWindows {
    pub(crate) time_difference_ms: i64,
    pub(crate) grace_ms: i64,
}

impl SlidingWindows {
    /// `SlidingWindows.ofTimeDifferenceWithNoGrace(d)`.
    pub(crate) fn of_time_difference_with_no_grace(time_difference_ms: i64) -> SlidingWindows {
        SlidingWindows { time_difference_ms: time_difference_ms.max(0), grace_ms: 0 }
    }

    /// `SlidingWindows.ofTimeDifferenceAndGrace(d, grace)`.
    pub(crate) fn of_time_difference_and_grace(time_difference_ms: i64, grace_ms: i64) -> SlidingWindows {
        SlidingWindows { time_difference_ms: time_difference_ms.max(0), grace_ms: grace_ms.max(0) }
    }
}

/// `SessionWindows`: per key, records closer than the gap share a session `[first, last]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SessionWindows {
    pub(crate) gap_ms: i64,
    pub(crate) grace_ms: i64,
}

impl SessionWindows {
    /// `SessionWindows.ofInactivityGapWithNoGrace(gap)`.
    pub(crate) fn of_inactivity_gap_with_no_grace(gap_ms: i64) -> SessionWindows {
        SessionWindows { gap_ms: gap_ms.max(0), grace_ms: 0 }
    }

    /// `SessionWindows.ofInactivityGapAndGrace(gap, grace)`.
    pub(crate) fn of_inactivity_gap_and_grace(gap_ms: i64, grace_ms: i64) -> SessionWindows {
        SessionWindows { gap_ms: gap_ms.max(0), grace_ms: grace_ms.max(0) }
    }
}

/// `JoinWindows`: a stream–stream join pairs records whose timestamps differ by at most
/// `before_ms` (other side earlier) or `after_ms` (other side later).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JoinWindows {
    pub(crate) before_ms: i64,
    pub(crate) after_ms: i64,
    pub(crate) grace_ms: i64,
}

impl JoinWindows {
    /// `JoinWindows.ofTimeDifferenceWithNoGrace(d)`.
    pub(crate) fn of_time_difference_with_no_grace(time_difference_ms: i64) -> JoinWindows {
        let d = time_difference_ms.max(0);
        JoinWindows { before_ms: d, after_ms: d, grace_ms: 0 }
    }

    /// `JoinWindows.ofTimeDifferenceAndGrace(d, grace)`.
    pub(crate) fn of_time_difference_and_grace(time_difference_ms: i64, grace_ms: i64) -> JoinWindows {
        JoinWindows { grace_ms: grace_ms.max(0), ..JoinWindows::of_time_difference_with_no_grace(time_difference_ms) }
    }

    /// The window's size (`before + after`), which the join's stores retain.
    pub(crate) fn size_ms(&self) -> i64 {
        self.before_ms + self.after_ms
    }
}

/// The windowing of a windowed aggregation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WindowSpec {
    Time(TimeWindows),
    Sliding(SlidingWindows),
    Session(SessionWindows),
}

impl WindowSpec {
    pub(crate) fn grace_ms(&self) -> i64 {
        match self {
            WindowSpec::Time(w) => w.grace_ms,
            WindowSpec::Sliding(w) => w.grace_ms,
            WindowSpec::Session(w) => w.grace_ms,
        }
    }

    /// How windowed keys of this windowing are serialized.
    pub(crate) fn key_format(&self) -> super::serde::WindowedKeyFormat {
        match self {
            WindowSpec::Session(_) => super::serde::WindowedKeyFormat::Session,
            _ => super::serde::WindowedKeyFormat::Time,
        }
    }
}
