//! Formatting helpers for numbers, sizes and ages. Ages are computed against a `now` passed in,
//! so the server and the browser render the same text.

use chrono::{DateTime, Utc};

/// `now - then` in operator words: `just now`, `45s ago`, `12m ago`, `3h ago`, `5d ago`.
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    if secs < 0 {
        return "just now".into();
    }
    match secs {
        0..=4 => "just now".into(),
        5..=59 => format!("{secs}s ago"),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

/// A span of seconds in the largest whole unit: `7 days`, `1 day`, `12 hours`, `30 minutes`,
/// `45 seconds`.
pub fn duration_words(secs: i64) -> String {
    let (n, unit) = match secs {
        s if s >= 86_400 && s % 86_400 == 0 => (s / 86_400, "day"),
        s if s >= 3600 && s % 3600 == 0 => (s / 3600, "hour"),
        s if s >= 60 && s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// Age of an optional time, or an em dash.
pub fn age_opt(now: DateTime<Utc>, then: Option<DateTime<Utc>>) -> String {
    then.map(|t| age(now, t)).unwrap_or_else(|| "—".into())
}

/// A UTC timestamp as `2026-11-22 10:04 UTC`.
pub fn utc_minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn utc_minute_opt(at: Option<DateTime<Utc>>) -> String {
    at.map(utc_minute).unwrap_or_else(|| "—".into())
}

/// Bytes in binary units with one decimal: `512 B`, `1.5 KiB`, `17.2 GiB`.
pub fn bytes(value: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if !value.is_finite() || value < 0.0 {
        return "—".into();
    }
    let mut v = value;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A metric value with a sensible number of decimals.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let abs = value.abs();
    if abs >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else if abs >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// The `s` of a count's noun: `""` for one (or minus one), `"s"` otherwise.
pub fn plural(n: i64) -> &'static str {
    if n.abs() == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn spans_read_in_their_largest_whole_unit() {
        let cases = [
            (604_800, "7 days"),
            (86_400, "1 day"),
            (43_200, "12 hours"),
            (5_400, "90 minutes"),
            (60, "1 minute"),
            (45, "45 seconds"),
        ];
        for (secs, words) in cases {
            assert_eq!(duration_words(secs), words);
        }
    }

    #[test]
    fn ages_read_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let cases = [
            (0, "just now"),
            (30, "30s ago"),
            (125, "2m ago"),
            (7_300, "2h ago"),
            (200_000, "2d ago"),
            (-10, "just now"),
        ];
        for (secs, expected) in cases {
            assert_eq!(age(now, now - Duration::seconds(secs)), expected, "{secs}");
        }
    }

    #[test]
    fn bytes_use_binary_units() {
        let cases = [
            (512.0, "512 B"),
            (1536.0, "1.5 KiB"),
            (18_468_359_782.0, "17.2 GiB"),
            (-1.0, "—"),
        ];
        for (value, expected) in cases {
            assert_eq!(bytes(value), expected);
        }
    }

    #[test]
    fn numbers_keep_few_decimals() {
        assert_eq!(number(123.456), "123");
        assert_eq!(number(42.25), "42.2");
        assert_eq!(number(4.56789), "4.57");
        assert_eq!(number(7.0), "7");
    }
}
