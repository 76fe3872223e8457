//! Schedule expressions as pure rules: EventBridge's `cron(…)` in AWS's six-field dialect
//! (minutes, hours, day of month, day of week, month, year; `?` in one of the two day fields,
//! `L`, `LW`, `nW`, `d#n`, `dL`, names, ranges, lists and `/` steps, Sunday = 1), `rate(…)` and
//! Scheduler's one-time `at(…)`: parsed with a message a person can act on, said in words, and
//! their next runs from an instant. Rules evaluate in UTC; Scheduler schedules in their time
//! zone, where (as Scheduler does) a local time a spring-forward gap skips does not run and one a
//! fall-back repeats runs once, at its first occurrence.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A schedule expression, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleExpr {
    Cron(Cron),
    /// Every `value` `unit`s from the schedule's start.
    Rate {
        value: u32,
        unit: RateUnit,
    },
    /// Once, at this wall-clock time in the schedule's time zone.
    At(NaiveDateTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateUnit {
    Minutes,
    Hours,
    Days,
}

impl RateUnit {
    fn minutes(self) -> i64 {
        match self {
            RateUnit::Minutes => 1,
            RateUnit::Hours => 60,
            RateUnit::Days => 24 * 60,
        }
    }

    fn word(self, one: bool) -> &'static str {
        match (self, one) {
            (RateUnit::Minutes, true) => "minute",
            (RateUnit::Minutes, false) => "minutes",
            (RateUnit::Hours, true) => "hour",
            (RateUnit::Hours, false) => "hours",
            (RateUnit::Days, true) => "day",
            (RateUnit::Days, false) => "days",
        }
    }
}

/// A six-field cron expression: each plain field as the set of values it allows (a bit per
/// value), the day as either day-of-month or day-of-week rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cron {
    minutes: u64,
    hours: u32,
    months: u16,
    /// `None`: every year.
    years: Option<Vec<i32>>,
    days: Days,
}

/// Which days of a month run: one of the two day fields is `?`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Days {
    /// Day-of-month rules (any matching one runs): days by number (bit n = day n), `L`, `LW`,
    /// `nW`.
    Month {
        days: u32,
        last: bool,
        last_weekday: bool,
        nearest_weekday: Vec<u32>,
    },
    /// Day-of-week rules: weekdays (bit 1 = Sunday … bit 7 = Saturday), `dL` (the last such
    /// weekday of the month), `d#n` (the n-th).
    Week {
        days: u8,
        last: Vec<u32>,
        nth: Vec<(u32, u32)>,
    },
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const YEARS: (u32, u32) = (1970, 2199);

impl ScheduleExpr {
    /// Reads `cron(…)`, `rate(…)` or `at(…)`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let inner = |prefix: &str| {
            text.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(')'))
                .map(str::trim)
        };
        if let Some(body) = inner("cron(") {
            return Cron::parse(body).map(ScheduleExpr::Cron);
        }
        if let Some(body) = inner("rate(") {
            return parse_rate(body);
        }
        if let Some(body) = inner("at(") {
            return NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S")
                .map(ScheduleExpr::At)
                .map_err(|_| format!("at({body}) is not a time: write at(yyyy-mm-ddThh:mm:ss)"));
        }
        Err(format!(
            "{text:?} is not a schedule expression: cron(…), rate(…) or at(…)"
        ))
    }

    /// The next `count` runs after `after`, evaluated in `tz`. A rate counts from `start` (a
    /// Scheduler schedule's start date, or a run seen): without one its runs cannot be told.
    pub fn next_runs(
        &self,
        tz: Tz,
        after: DateTime<Utc>,
        start: Option<DateTime<Utc>>,
        count: usize,
    ) -> Vec<DateTime<Utc>> {
        match self {
            ScheduleExpr::Cron(cron) => cron.next_runs(tz, after, count),
            ScheduleExpr::Rate { value, unit } => {
                let Some(start) = start else {
                    return Vec::new();
                };
                let step = Duration::minutes(i64::from(*value) * unit.minutes());
                let mut next = start;
                if next <= after {
                    let behind = (after - start).num_minutes() / step.num_minutes().max(1);
                    next = start + step * (behind as i32);
                    while next <= after {
                        next += step;
                    }
                }
                (0..count).map(|i| next + step * i as i32).collect()
            }
            ScheduleExpr::At(at) => tz
                .from_local_datetime(at)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .filter(|t| *t > after)
                .into_iter()
                .collect(),
        }
    }

    /// In words: `every 5 minutes`, `at 03:30 every day`, `once, at 2027-01-01 09:00`.
    pub fn describe(&self) -> String {
        match self {
            ScheduleExpr::Rate { value, unit } if *value == 1 => {
                format!("every {}", unit.word(true))
            }
            ScheduleExpr::Rate { value, unit } => format!("every {value} {}", unit.word(false)),
            ScheduleExpr::At(at) => format!("once, at {}", at.format("%Y-%m-%d %H:%M")),
            ScheduleExpr::Cron(cron) => cron.describe(),
        }
    }
}

fn parse_rate(body: &str) -> Result<ScheduleExpr, String> {
    let bad = || {
        format!("rate({body}) is not a rate: write rate(5 minutes), rate(1 hour) or rate(2 days)")
    };
    let (value, unit) = body.split_once(' ').ok_or_else(bad)?;
    let value: u32 = value.trim().parse().map_err(|_| bad())?;
    if value == 0 {
        return Err(format!(
            "rate({body}): the value must be a positive whole number"
        ));
    }
    let unit = match unit.trim() {
        "minute" | "minutes" => RateUnit::Minutes,
        "hour" | "hours" => RateUnit::Hours,
        "day" | "days" => RateUnit::Days,
        _ => return Err(bad()),
    };
    Ok(ScheduleExpr::Rate { value, unit })
}

/// A field's items, each a value, a range or a step, as the set of values they allow.
fn parse_set(field: &str, what: &str, low: u32, high: u32, names: &[&str]) -> Result<u64, String> {
    let value = |text: &str| -> Result<u32, String> {
        let upper = text.to_ascii_uppercase();
        if let Some(i) = names.iter().position(|n| *n == upper) {
            return Ok(low + i as u32);
        }
        match text.parse::<u32>() {
            Ok(n) if (low..=high).contains(&n) => Ok(n),
            _ => Err(format!(
                "{what} {text:?} is not a value from {low} to {high}{}",
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" or {}–{}", names[0], names[names.len() - 1])
                }
            )),
        }
    };
    let mut set = 0u64;
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("{what}: the step in {item:?} is not a positive whole number")
                })?;
                (range, step)
            }
            None => (item, 1),
        };
        let (from, to) = match range {
            "*" => (low, high),
            _ => match range.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                // `5/10`: from 5 to the end of the field, every 10.
                None if step > 1 || item.contains('/') => (value(range)?, high),
                None => {
                    let v = value(range)?;
                    (v, v)
                }
            },
        };
        if from > to {
            return Err(format!(
                "{what}: the range {range:?} runs backwards; write it from the lower value"
            ));
        }
        let mut v = from;
        while v <= to {
            set |= 1 << v;
            v += step;
        }
    }
    Ok(set)
}

impl Cron {
    /// The six fields between `cron(` and `)`.
    pub fn parse(body: &str) -> Result<Self, String> {
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields.as_slice() else {
            return Err(format!(
                "cron({body}) has {} fields; AWS's cron has six: minutes hours day-of-month month day-of-week year",
                fields.len()
            ));
        };
        let days = match (*dom, *dow) {
            ("?", "?") => {
                return Err("only one of day-of-month and day-of-week may be ?".to_string())
            }
            ("?", dow) => parse_week(dow)?,
            (dom, "?") => parse_month_days(dom)?,
            _ => {
                return Err(
                    "one of day-of-month and day-of-week must be ?: AWS's cron takes one of them, never both"
                        .to_string(),
                )
            }
        };
        let years = match *year {
            "*" => None,
            year => {
                let set = parse_years(year)?;
                Some(set)
            }
        };
        Ok(Cron {
            minutes: parse_set(minutes, "minutes", 0, 59, &[])?,
            hours: parse_set(hours, "hours", 0, 23, &[])? as u32,
            months: parse_set(month, "month", 1, 12, &MONTHS)? as u16,
            years,
            days,
        })
    }

    fn month_ok(&self, date: NaiveDate) -> bool {
        self.months & (1 << date.month()) != 0
    }

    fn year_ok(&self, year: i32) -> bool {
        self.years.as_ref().is_none_or(|ys| ys.contains(&year))
    }

    fn day_ok(&self, date: NaiveDate) -> bool {
        let last = last_day(date);
        match &self.days {
            Days::Month {
                days,
                last: on_last,
                last_weekday,
                nearest_weekday,
            } => {
                days & (1 << date.day()) != 0
                    || (*on_last && date.day() == last)
                    || (*last_weekday && date.day() == nearest_weekday_to(date, last))
                    || nearest_weekday
                        .iter()
                        .any(|n| *n <= last && date.day() == nearest_weekday_to(date, *n))
            }
            Days::Week {
                days,
                last: lasts,
                nth,
            } => {
                let dow = date.weekday().number_from_sunday();
                days & (1 << dow) != 0
                    || lasts.iter().any(|d| *d == dow && date.day() + 7 > last)
                    || nth
                        .iter()
                        .any(|(d, n)| *d == dow && (date.day() - 1) / 7 + 1 == *n)
            }
        }
    }

    fn next_runs(&self, tz: Tz, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut date = after.with_timezone(&tz).date_naive();
        let end_year = match &self.years {
            Some(ys) => ys.iter().copied().max().unwrap_or(0),
            None => date.year() + 8,
        };
        while out.len() < count && date.year() <= end_year {
            if !self.year_ok(date.year()) {
                date = NaiveDate::from_ymd_opt(date.year() + 1, 1, 1).unwrap_or(date);
                if date.year() > end_year {
                    break;
                }
                continue;
            }
            if !self.month_ok(date) {
                date = first_of_next_month(date);
                continue;
            }
            if self.day_ok(date) {
                for hour in (0..24).filter(|h| self.hours & (1 << h) != 0) {
                    for minute in (0..60).filter(|m| self.minutes & (1u64 << m) != 0) {
                        let Some(wall) = date.and_hms_opt(hour, minute, 0) else {
                            continue;
                        };
                        // A gap's times do not run; an overlap's run once, the first time.
                        let Some(at) = tz.from_local_datetime(&wall).earliest() else {
                            continue;
                        };
                        let at = at.with_timezone(&Utc);
                        if at > after {
                            out.push(at);
                            if out.len() == count {
                                return out;
                            }
                        }
                    }
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        out
    }

    fn describe(&self) -> String {
        let minutes: Vec<u32> = (0..60)
            .filter(|m| self.minutes & (1u64 << m) != 0)
            .collect();
        let hours: Vec<u32> = (0..24).filter(|h| self.hours & (1 << h) != 0).collect();
        let time = match (minutes.as_slice(), hours.len()) {
            ([m], 1..=4) => format!(
                "at {}",
                hours
                    .iter()
                    .map(|h| format!("{h:02}:{m:02}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (ms, 24) if ms.len() == 60 => "every minute".to_string(),
            (ms, 24) => match step_of(ms) {
                Some(step) if ms[0] == 0 => format!("every {step} minutes"),
                _ => format!("at minute {} of every hour", list(ms)),
            },
            ([m], _) => format!("at minute {m} of hours {}", list(&hours)),
            (ms, _) => format!("at minutes {} of hours {}", list(ms), list(&hours)),
        };
        let days = match &self.days {
            Days::Month {
                days,
                last,
                last_weekday,
                nearest_weekday,
            } => {
                let numbers: Vec<u32> = (1..=31).filter(|d| days & (1 << d) != 0).collect();
                let mut parts = Vec::new();
                if numbers.len() == 31 {
                    parts.push("every day".to_string());
                } else if !numbers.is_empty() {
                    parts.push(format!("on day {} of the month", list(&numbers)));
                }
                if *last {
                    parts.push("on the last day of the month".to_string());
                }
                if *last_weekday {
                    parts.push("on the last weekday of the month".to_string());
                }
                for n in nearest_weekday {
                    parts.push(format!("on the weekday nearest day {n}"));
                }
                parts.join(" and ")
            }
            Days::Week { days, last, nth } => {
                let names: Vec<&str> = (1..=7)
                    .filter(|d| days & (1 << d) != 0)
                    .map(|d| WEEKDAY_NAMES[d - 1])
                    .collect();
                let mut parts = Vec::new();
                match names.as_slice() {
                    [] => {}
                    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] => {
                        parts.push("on weekdays".to_string())
                    }
                    all if all.len() == 7 => parts.push("every day".to_string()),
                    some => parts.push(format!("on {}", some.join(", "))),
                }
                for d in last {
                    parts.push(format!(
                        "on the last {} of the month",
                        WEEKDAY_NAMES[*d as usize - 1]
                    ));
                }
                for (d, n) in nth {
                    parts.push(format!(
                        "on the {} {} of the month",
                        ordinal(*n),
                        WEEKDAY_NAMES[*d as usize - 1]
                    ));
                }
                parts.join(" and ")
            }
        };
        let months: Vec<usize> = (1..=12).filter(|m| self.months & (1 << m) != 0).collect();
        let in_months = if months.len() == 12 {
            String::new()
        } else {
            format!(
                " in {}",
                months
                    .iter()
                    .map(|m| MONTH_NAMES[m - 1])
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let in_years = match &self.years {
            None => String::new(),
            Some(ys) => format!(
                " in {}",
                ys.iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        format!("{time} {days}{in_months}{in_years}")
    }
}

const WEEKDAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn ordinal(n: u32) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        _ => "fifth",
    }
}

fn list(values: &[u32]) -> String {
    values
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The step of an evenly spaced list that covers a whole field of 60 (`0, 15, 30, 45` → 15).
fn step_of(values: &[u32]) -> Option<u32> {
    let step = values.get(1)? - values.first()?;
    (values.windows(2).all(|w| w[1] - w[0] == step) && values.last()? + step >= 60).then_some(step)
}

fn parse_years(field: &str) -> Result<Vec<i32>, String> {
    let mut years = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("year: the step in {item:?} is not a positive whole number")
                })?,
            ),
            None => (item, 1),
        };
        let value = |t: &str| -> Result<u32, String> {
            t.parse::<u32>()
                .ok()
                .filter(|y| (YEARS.0..=YEARS.1).contains(y))
                .ok_or_else(|| format!("year {t:?} is not a year from {} to {}", YEARS.0, YEARS.1))
        };
        let (from, to) = match range.split_once('-') {
            Some((a, b)) => (value(a)?, value(b)?),
            None if item.contains('/') => (value(range)?, YEARS.1),
            None => {
                let y = value(range)?;
                (y, y)
            }
        };
        if from > to {
            return Err(format!("year: the range {range:?} runs backwards"));
        }
        years.extend((from..=to).step_by(step as usize).map(|y| y as i32));
    }
    years.sort_unstable();
    years.dedup();
    Ok(years)
}

fn parse_month_days(field: &str) -> Result<Days, String> {
    let mut days = 0u32;
    let mut last = false;
    let mut last_weekday = false;
    let mut nearest = Vec::new();
    for item in field.split(',') {
        match item {
            "L" => last = true,
            "LW" => last_weekday = true,
            w if w.ends_with('W') => {
                let n: u32 = w[..w.len() - 1]
                    .parse()
                    .ok()
                    .filter(|n| (1..=31).contains(n))
                    .ok_or_else(|| format!("day-of-month {w:?}: W follows a day from 1 to 31 (15W: the weekday nearest the 15th)"))?;
                nearest.push(n);
            }
            plain => days |= parse_set(plain, "day-of-month", 1, 31, &[])? as u32,
        }
    }
    Ok(Days::Month {
        days,
        last,
        last_weekday,
        nearest_weekday: nearest,
    })
}

fn parse_week(field: &str) -> Result<Days, String> {
    let weekday = |t: &str| -> Result<u32, String> {
        let set = parse_set(t, "day-of-week", 1, 7, &WEEKDAYS)?;
        Ok(set.trailing_zeros())
    };
    let mut days = 0u8;
    let mut last = Vec::new();
    let mut nth = Vec::new();
    for item in field.split(',') {
        if item == "L" {
            // The last day of the week: Saturday.
            days |= 1 << 7;
        } else if let Some((d, n)) = item.split_once('#') {
            let n: u32 = n
                .parse()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| {
                    format!(
                        "day-of-week {item:?}: # is followed by 1 to 5 (MON#2: the second Monday)"
                    )
                })?;
            nth.push((weekday(d)?, n));
        } else if let Some(d) = item.strip_suffix('L') {
            last.push(weekday(d)?);
        } else {
            days |= parse_set(item, "day-of-week", 1, 7, &WEEKDAYS)? as u8;
        }
    }
    Ok(Days::Week { days, last, nth })
}

fn last_day(date: NaiveDate) -> u32 {
    first_of_next_month(date)
        .pred_opt()
        .map(|d| d.day())
        .unwrap_or(28)
}

fn first_of_next_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(date)
}

/// The day of `date`'s month that is the weekday nearest day `n`, never leaving the month: a
/// Saturday moves to Friday (or Monday on the 1st), a Sunday to Monday (or Friday on the last).
fn nearest_weekday_to(date: NaiveDate, n: u32) -> u32 {
    let last = last_day(date);
    let Some(day) = date.with_day(n.min(last)) else {
        return 0;
    };
    match day.weekday() {
        Weekday::Sat if day.day() == 1 => 3,
        Weekday::Sat => day.day() - 1,
        Weekday::Sun if day.day() == last => day.day() - 2,
        Weekday::Sun => day.day() + 1,
        _ => day.day(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_time::at;

    fn runs(expr: &str, tz: &str, after: &str, count: usize) -> Vec<String> {
        let tz: Tz = tz.parse().unwrap();
        ScheduleExpr::parse(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
            .next_runs(tz, at(after), None, count)
            .iter()
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %a %H:%M").to_string())
            .collect()
    }

    #[test]
    fn the_documented_cron_examples_run_when_the_docs_say() {
        // (expression, after, the next runs in UTC)
        let cases: &[(&str, &str, &[&str])] = &[
            // 10:15 UTC every day.
            (
                "cron(15 10 * * ? *)",
                "2026-12-07T11:00:00Z",
                &["2026-12-08 Tue 10:15", "2026-12-09 Wed 10:15"],
            ),
            // 18:00 Monday to Friday.
            (
                "cron(0 18 ? * MON-FRI *)",
                "2026-12-11T19:00:00Z",
                &["2026-12-14 Mon 18:00", "2026-12-15 Tue 18:00"],
            ),
            // 08:00 on the first day of the month.
            (
                "cron(0 8 1 * ? *)",
                "2026-12-07T00:00:00Z",
                &["2027-01-01 Fri 08:00", "2027-02-01 Mon 08:00"],
            ),
            // Every 10 minutes on weekdays.
            (
                "cron(0/10 * ? * MON-FRI *)",
                "2026-12-11T23:45:00Z",
                &["2026-12-11 Fri 23:50", "2026-12-14 Mon 00:00"],
            ),
            // Every 5 minutes between 08:00 and 17:55 on weekdays.
            (
                "cron(0/5 8-17 ? * MON-FRI *)",
                "2026-12-07T17:52:00Z",
                &["2026-12-07 Mon 17:55", "2026-12-08 Tue 08:00"],
            ),
            // 09:00 on the first Monday of each month.
            (
                "cron(0 9 ? * 2#1 *)",
                "2026-12-07T10:00:00Z",
                &["2027-01-04 Mon 09:00", "2027-02-01 Mon 09:00"],
            ),
            // The last day of the month, and the last weekday of it.
            (
                "cron(0 0 L * ? *)",
                "2027-01-31T12:00:00Z",
                &["2027-02-28 Sun 00:00", "2027-03-31 Wed 00:00"],
            ),
            (
                "cron(0 0 LW * ? *)",
                "2027-01-30T12:00:00Z",
                &["2027-02-26 Fri 00:00", "2027-03-31 Wed 00:00"],
            ),
            // The weekday nearest the 15th (and the 1st: a Saturday moves to Monday the 3rd).
            (
                "cron(0 12 15W * ? *)",
                "2027-05-01T00:00:00Z",
                &["2027-05-14 Fri 12:00", "2027-06-15 Tue 12:00"],
            ),
            (
                "cron(0 12 1W * ? *)",
                "2027-04-02T00:00:00Z",
                &["2027-05-03 Mon 12:00", "2027-06-01 Tue 12:00"],
            ),
            // The last Friday of the month.
            (
                "cron(30 2 ? * 6L *)",
                "2026-12-07T00:00:00Z",
                &["2026-12-25 Fri 02:30", "2027-01-29 Fri 02:30"],
            ),
            // Names, lists and a year.
            (
                "cron(0 6 ? JAN,JUL SUN 2027)",
                "2026-12-07T00:00:00Z",
                &["2027-01-03 Sun 06:00", "2027-01-10 Sun 06:00"],
            ),
            // 29 February only in leap years.
            (
                "cron(0 0 29 2 ? *)",
                "2026-12-07T00:00:00Z",
                &["2028-02-29 Tue 00:00"],
            ),
        ];
        for (expr, after, want) in cases {
            assert_eq!(runs(expr, "UTC", after, want.len()), *want, "{expr}");
        }
        assert!(
            runs("cron(0 0 1 1 ? 2020)", "UTC", "2026-12-07T00:00:00Z", 3).is_empty(),
            "a past year never runs"
        );
    }

    #[test]
    fn in_a_time_zone_a_skipped_time_does_not_run_and_a_repeated_one_runs_once() {
        // Berlin springs forward on 2027-03-28 (02:00 → 03:00) and falls back on 2027-10-31.
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "cron(30 2 * * ? *)",
                "2027-03-27T00:00:00Z",
                &["2027-03-27 Sat 02:30", "2027-03-29 Mon 02:30"],
            ),
            (
                "cron(30 2 * * ? *)",
                "2027-10-30T00:00:00Z",
                &[
                    "2027-10-30 Sat 02:30",
                    "2027-10-31 Sun 02:30",
                    "2027-11-01 Mon 02:30",
                ],
            ),
            (
                "cron(0 9 ? * MON-FRI *)",
                "2027-03-26T00:00:00Z",
                &["2027-03-26 Fri 09:00", "2027-03-29 Mon 09:00"],
            ),
        ];
        for (expr, after, want) in cases {
            assert_eq!(
                runs(expr, "Europe/Berlin", after, want.len()),
                *want,
                "{expr} after {after}"
            );
        }
        // 09:00 Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let utc: Vec<String> = ScheduleExpr::parse("cron(0 9 ? * MON-FRI *)")
            .unwrap()
            .next_runs(tz, at("2027-03-26T00:00:00Z"), None, 2)
            .iter()
            .map(|t| t.format("%H:%M").to_string())
            .collect();
        assert_eq!(utc, ["08:00", "07:00"]);
        // The overlap's 02:30 runs at its first occurrence, 00:30 UTC (CEST).
        let repeated = ScheduleExpr::parse("cron(30 2 * * ? *)")
            .unwrap()
            .next_runs(tz, at("2027-10-31T00:00:00Z"), None, 1);
        assert_eq!(repeated, [at("2027-10-31T00:30:00Z")]);
    }

    #[test]
    fn rates_count_from_their_start_and_at_runs_once() {
        let rate = ScheduleExpr::parse("rate(15 minutes)").unwrap();
        assert_eq!(
            rate.next_runs(
                Tz::UTC,
                at("2026-12-07T10:20:00Z"),
                Some(at("2026-12-07T10:00:00Z")),
                2
            ),
            [at("2026-12-07T10:30:00Z"), at("2026-12-07T10:45:00Z")]
        );
        assert_eq!(
            rate.next_runs(
                Tz::UTC,
                at("2026-12-07T09:00:00Z"),
                Some(at("2026-12-07T10:00:00Z")),
                1
            ),
            [at("2026-12-07T10:00:00Z")],
            "a start still to come is the first run"
        );
        assert!(rate
            .next_runs(Tz::UTC, at("2026-12-07T10:20:00Z"), None, 2)
            .is_empty());
        let day = ScheduleExpr::parse("rate(1 day)").unwrap();
        assert_eq!(
            day.next_runs(
                Tz::UTC,
                at("2026-12-08T00:00:00Z"),
                Some(at("2026-12-07T03:00:00Z")),
                1
            ),
            [at("2026-12-08T03:00:00Z")]
        );
        let once = ScheduleExpr::parse("at(2027-01-01T09:00:00)").unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            once.next_runs(berlin, at("2026-12-07T00:00:00Z"), None, 3),
            [at("2027-01-01T08:00:00Z")]
        );
        assert!(once
            .next_runs(berlin, at("2027-01-02T00:00:00Z"), None, 3)
            .is_empty());
    }

    #[test]
    fn expressions_are_said_in_words() {
        let cases = [
            ("rate(1 hour)", "every hour"),
            ("rate(5 minutes)", "every 5 minutes"),
            ("cron(15 10 * * ? *)", "at 10:15 every day"),
            ("cron(0 18 ? * MON-FRI *)", "at 18:00 on weekdays"),
            ("cron(0/15 * * * ? *)", "every 15 minutes every day"),
            (
                "cron(0 9 ? * 2#1 *)",
                "at 09:00 on the first Monday of the month",
            ),
            ("cron(0 0 L * ? *)", "at 00:00 on the last day of the month"),
            (
                "cron(30 2 ? * 6L *)",
                "at 02:30 on the last Friday of the month",
            ),
            (
                "cron(0 6 ? JAN,JUL SUN 2027)",
                "at 06:00 on Sunday in January, July in 2027",
            ),
            (
                "cron(0 3,15 1,15 * ? *)",
                "at 03:00, 15:00 on day 1, 15 of the month",
            ),
            ("at(2027-01-01T09:00:00)", "once, at 2027-01-01 09:00"),
        ];
        for (expr, words) in cases {
            assert_eq!(
                ScheduleExpr::parse(expr).unwrap().describe(),
                words,
                "{expr}"
            );
        }
    }

    #[test]
    fn bad_expressions_are_refused_with_what_to_write() {
        let cases = [
            ("cron(0 10 * * *)", "has 5 fields"),
            (
                "cron(0 10 * * * *)",
                "one of day-of-month and day-of-week must be ?",
            ),
            ("cron(0 10 ? * ? *)", "only one of"),
            (
                "cron(60 10 * * ? *)",
                "minutes \"60\" is not a value from 0 to 59",
            ),
            ("cron(0 24 * * ? *)", "hours \"24\""),
            ("cron(0 10 32 * ? *)", "day-of-month \"32\""),
            ("cron(0 10 ? * 8 *)", "from 1 to 7 or SUN–SAT"),
            ("cron(0 10 ? FOO * *)", "from 1 to 12 or JAN–DEC"),
            ("cron(0 10 ? * MON#6 *)", "# is followed by 1 to 5"),
            ("cron(0 10 40W * ? *)", "W follows a day from 1 to 31"),
            ("cron(0 10 * * ? 1969)", "year \"1969\""),
            ("cron(0/0 10 * * ? *)", "not a positive whole number"),
            ("cron(0 20-8 * * ? *)", "runs backwards"),
            ("rate(0 minutes)", "positive"),
            ("rate(5 weeks)", "rate(5 minutes)"),
            ("rate(five minutes)", "is not a rate"),
            ("at(tomorrow)", "yyyy-mm-ddThh:mm:ss"),
            ("every day", "cron(…), rate(…) or at(…)"),
        ];
        for (expr, needle) in cases {
            let err = ScheduleExpr::parse(expr).expect_err(expr);
            assert!(err.contains(needle), "{expr}: {err}");
        }
    }
}
