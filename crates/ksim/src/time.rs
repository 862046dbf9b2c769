//! Simulated time: milliseconds since the session began, plus the simulated wall clock
//! that Kafka's CreateTime timestamps and log lines are stamped with.

use std::fmt;

/// Simulated milliseconds since the session began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct SimTime(pub(crate) u64);

impl SimTime {
    pub(crate) const ZERO: SimTime = SimTime(0);

    pub(crate) fn plus_ms(self, ms: u64) -> SimTime {
        SimTime(self.0.saturating_add(ms))
    }

    /// The wall-clock instant this simulated time stands for, in ms since the Unix epoch.
    pub(crate) fn wall_ms(self) -> u64 {
        WALL_CLOCK_START_MS + self.0
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t+{}.{:03} s", self.0 / 1000, self.0 % 1000)
    }
}

/// 2024-06-25T14:06:00Z, the heart-rate example's timestamp in the course notes; a fixed
/// start keeps transcripts identical run after run.
pub(crate) const WALL_CLOCK_START_MS: u64 = 1_719_324_360_000;

/// Civil date (y, m, d) from days since 1970-01-01 (Howard Hinnant's algorithm), so the
/// core needs no date library and no OS clock.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Splits epoch milliseconds into calendar fields (UTC).
pub(crate) fn fields(epoch_ms: u64) -> (i64, u32, u32, u64, u64, u64, u64) {
    let secs = epoch_ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, mo, d) = civil_from_days(days);
    (y, mo, d, rem / 3600, rem % 3600 / 60, rem % 60, epoch_ms % 1000)
}

/// `2024-06-25 14:06:00.000` — the page's clock.
pub(crate) fn format_wall_clock(epoch_ms: u64) -> String {
    let (y, mo, d, h, mi, s, ms) = fields(epoch_ms);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03}")
}

/// `[2024-06-25 14:06:00,000]` — log4j's default date pattern as Kafka's logs print it.
pub(crate) fn format_log_timestamp(epoch_ms: u64) -> String {
    let (y, mo, d, h, mi, s, ms) = fields(epoch_ms);
    format!("[{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},{ms:03}]")
}

/// Parses `250ms`, `10s`, `2m`, `1h` or a bare number of milliseconds.
pub(crate) fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let bad = || format!("invalid duration '{text}': expected a number with ms, s, m or h, e.g. 250ms, 10s, 2m");
    let value: u64 = digits.parse().map_err(|_| bad())?;
    let factor = match unit {
        "" | "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(bad()),
    };
    value.checked_mul(factor).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulation_starts_at_the_course_notes_timestamp() {
        assert_eq!(format_wall_clock(WALL_CLOCK_START_MS), "2024-06-25 14:06:00.000");
        assert_eq!(format_log_timestamp(SimTime(1_234).wall_ms()), "[2024-06-25 14:06:01,234]");
    }

    #[test]
    fn civil_dates_cross_leap_years_and_centuries() {
        assert_eq!(format_wall_clock(0), "1970-01-01 00:00:00.000");
        assert_eq!(format_wall_clock(951_782_400_000), "2000-02-29 00:00:00.000");
        assert_eq!(format_wall_clock(1_592_475_472_398), "2020-06-18 10:17:52.398");
    }

    #[test]
    fn durations_take_kafka_style_units() {
        assert_eq!(parse_duration_ms("250ms"), Ok(250));
        assert_eq!(parse_duration_ms("10s"), Ok(10_000));
        assert_eq!(parse_duration_ms("2m"), Ok(120_000));
        assert_eq!(parse_duration_ms("42"), Ok(42));
        assert!(parse_duration_ms("ten").is_err());
        assert!(parse_duration_ms("5d").is_err());
        assert!(parse_duration_ms("99999999999999999999h").is_err());
    }
}
