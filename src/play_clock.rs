//! Turns real time between animation frames into simulated milliseconds.

/// Longest real gap counted at once: a background tab gets no frames for minutes, and
/// coming back should not fast-forward the lesson.
pub const REAL_GAP_MS_MAX: f64 = 250.0;

#[derive(Debug, Default)]
pub struct PlayClock {
    last_frame_ms: Option<f64>,
    /// Simulated time owed but smaller than a millisecond (0.25× gives 4.2 ms per frame).
    carry_ms: f64,
}

impl PlayClock {
    /// Simulated whole milliseconds to advance for a frame at real time `frame_ms`.
    pub fn tick(&mut self, frame_ms: f64, speed: f64) -> u64 {
        let real_ms = match self.last_frame_ms {
            // The first frame only starts the clock.
            None => 0.0,
            Some(last) => (frame_ms - last).clamp(0.0, REAL_GAP_MS_MAX),
        };
        self.last_frame_ms = Some(frame_ms);
        let owed = self.carry_ms + real_ms * speed;
        let whole = owed.floor();
        self.carry_ms = owed - whole;
        whole as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_scales_real_time_and_keeps_fractions() {
        let mut clock = PlayClock::default();
        assert_eq!(clock.tick(1000.0, 1.0), 0);
        assert_eq!(clock.tick(1016.5, 1.0), 16);
        // The half millisecond carried over completes here.
        assert_eq!(clock.tick(1033.0, 1.0), 17);
        let quarter: u64 = (1..=4).map(|i| clock.tick(1033.0 + 10.0 * f64::from(i), 0.25)).sum();
        assert_eq!(quarter, 10);
        assert_eq!(clock.tick(1083.0, 16.0), 160);
    }

    #[test]
    fn long_gaps_and_clock_jumps_are_capped() {
        let mut clock = PlayClock::default();
        clock.tick(0.0, 1.0);
        assert_eq!(clock.tick(60_000.0, 4.0), 1000);
        assert_eq!(clock.tick(59_000.0, 4.0), 0);
    }
}
