//! Time as the page prints it: simulated offsets (`t+12.345 s`) and record timestamps
//! (`2024-06-25 14:06:00.123`, UTC, the format of the core's wall clock).

/// Milliseconds since the simulation began, as `t+12.345 s`.
pub fn sim_offset(ms: u64) -> String {
    format!("t+{}.{:03} s", ms / 1000, ms % 1000)
}

/// A Raft deadline counted down: `election timeout in 0.84 s` (hundredths, rounded down,
/// and never below zero once it is due).
pub fn countdown(what: &str, at_ms: u64, now_ms: u64) -> String {
    let left = at_ms.saturating_sub(now_ms);
    format!("{what} in {}.{:02} s", left / 1000, left % 1000 / 10)
}

/// Milliseconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS.mmm` in UTC.
///
/// Computed by hand (Howard Hinnant's `civil_from_days`) because the page has no date
/// library and must not consult the browser's time zone: the simulated clock is UTC.
pub fn utc_timestamp(epoch_ms: u64) -> String {
    const MS_PER_DAY: u64 = 86_400_000;
    let days = epoch_ms / MS_PER_DAY;
    let ms_of_day = epoch_ms % MS_PER_DAY;
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60);
    let (second, milli) = (ms_of_day / 1000 % 60, ms_of_day % 1000);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{milli:03}")
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01 so leap days fall at the end of each 400-year era.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_keep_milliseconds() {
        assert_eq!(sim_offset(0), "t+0.000 s");
        assert_eq!(sim_offset(12_345), "t+12.345 s");
        assert_eq!(sim_offset(3_600_007), "t+3600.007 s");
    }

    #[test]
    fn countdowns_floor_at_zero() {
        assert_eq!(countdown("election timeout", 1_840, 1_000), "election timeout in 0.84 s");
        assert_eq!(countdown("fetch timeout", 12_600, 11_000), "fetch timeout in 1.60 s");
        assert_eq!(countdown("check quorum", 5_909, 3_000), "check quorum in 2.90 s");
        assert_eq!(countdown("check quorum", 3_000, 3_500), "check quorum in 0.00 s");
    }

    #[test]
    fn timestamps_are_utc() {
        assert_eq!(utc_timestamp(0), "1970-01-01 00:00:00.000");
        // The lesson's example event: 25 June 2024 at 2:06pm.
        assert_eq!(utc_timestamp(1_719_324_360_123), "2024-06-25 14:06:00.123");
        assert_eq!(utc_timestamp(951_782_400_000), "2000-02-29 00:00:00.000");
        assert_eq!(utc_timestamp(4_107_542_399_999), "2100-02-28 23:59:59.999");
    }
}
