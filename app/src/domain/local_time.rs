//! Local wall-clock times in an IANA time zone as instants, DST-aware: the one conversion the
//! freeze windows and the on-call rotations share.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

/// The instant of `time` on `date` in `tz`. In a DST gap (the clock jumps over it) the first
/// instant after the gap; in an overlap (the hour repeats) the earlier instant.
pub fn local_instant(tz: chrono_tz::Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let mut wall = date.and_time(time);
    for _ in 0..4 {
        if let Some(t) = tz.from_local_datetime(&wall).earliest() {
            return Some(t.with_timezone(&Utc));
        }
        wall += Duration::minutes(30);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_move_forward_and_overlaps_take_the_earlier_instant() {
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let at = |d: &str, t: &str| {
            local_instant(
                berlin,
                NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
                NaiveTime::parse_from_str(t, "%H:%M").unwrap(),
            )
            .map(|i| i.to_rfc3339())
        };
        let cases = [
            ("2026-11-24", "09:00", "2026-11-24T08:00:00+00:00"),
            ("2027-03-28", "02:30", "2027-03-28T01:00:00+00:00"),
            ("2026-10-25", "02:30", "2026-10-25T00:30:00+00:00"),
        ];
        for (date, time, want) in cases {
            assert_eq!(at(date, time).as_deref(), Some(want), "{date} {time}");
        }
    }
}
