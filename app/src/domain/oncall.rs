//! On-call rotations as pure rules: members take turns of `length_days`, handing off on a local
//! wall-clock time in the rotation's IANA time zone, so a hand-off stays at 09:00 local across
//! daylight-saving changes. Who is on call at an instant, and who is next.

use super::local_time::local_instant;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// A rotation from config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub name: String,
    /// In turn order; the first takes the shift that starts at `first_handoff`.
    pub members: Vec<String>,
    /// The local date of the first hand-off.
    pub first_handoff: NaiveDate,
    /// The local time of every hand-off.
    pub handoff_time: NaiveTime,
    /// IANA name, e.g. `Europe/Berlin`.
    pub timezone: String,
    pub length_days: u32,
}

/// One person's turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub who: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// Who is on call in a rotation now and who comes next, for the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCall {
    pub rotation: String,
    pub now: Option<Shift>,
    pub next: Option<Shift>,
}

impl Rotation {
    /// The start of shift `k` (0 is the first hand-off; negative ones came before it).
    fn start_of(&self, tz: chrono_tz::Tz, k: i64) -> Option<DateTime<Utc>> {
        let date = self
            .first_handoff
            .checked_add_signed(Duration::days(k.checked_mul(i64::from(self.length_days))?))?;
        local_instant(tz, date, self.handoff_time)
    }

    fn shift(&self, tz: chrono_tz::Tz, k: i64) -> Option<Shift> {
        let n = i64::try_from(self.members.len()).ok().filter(|n| *n > 0)?;
        let who = self.members[usize::try_from(k.rem_euclid(n)).ok()?].clone();
        Some(Shift {
            who,
            from: self.start_of(tz, k)?,
            until: self.start_of(tz, k + 1)?,
        })
    }

    /// The shift that contains `now`.
    pub fn shift_at(&self, now: DateTime<Utc>) -> Option<Shift> {
        let tz: chrono_tz::Tz = self.timezone.parse().ok()?;
        if self.length_days == 0 {
            return None;
        }
        let first = self.start_of(tz, 0)?;
        // A first guess from elapsed whole days, then step to the shift that holds `now`:
        // DST shifts starts by an hour, never by a shift.
        let mut k = (now - first)
            .num_days()
            .div_euclid(i64::from(self.length_days));
        for _ in 0..4 {
            let shift = self.shift(tz, k)?;
            if now < shift.from {
                k -= 1;
            } else if now >= shift.until {
                k += 1;
            } else {
                return Some(shift);
            }
        }
        None
    }

    /// Who is on call at `now`, and the shift after.
    pub fn on_call(&self, now: DateTime<Utc>) -> OnCall {
        let current = self.shift_at(now);
        let next = current.as_ref().and_then(|s| self.shift_at(s.until));
        OnCall {
            rotation: self.name.clone(),
            now: current,
            next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn weekly() -> Rotation {
        Rotation {
            name: "platform".into(),
            members: vec!["ana".into(), "bob".into(), "cem".into()],
            // A Monday.
            first_handoff: NaiveDate::from_ymd_opt(2026, 10, 19).unwrap(),
            handoff_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            timezone: "Europe/Berlin".into(),
            length_days: 7,
        }
    }

    #[test]
    fn members_take_weekly_turns_handing_off_at_nine_local_across_dst() {
        let r = weekly();
        // Berlin: CEST (UTC+2) until 2026-10-25, then CET (UTC+1); CEST again from 2027-03-28.
        let cases = [
            (
                "2026-10-19T07:00:00Z",
                Some(("ana", "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z")),
            ),
            (
                "2026-10-26T07:59:59Z",
                Some(("ana", "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z")),
            ),
            (
                "2026-10-26T08:00:00Z",
                Some(("bob", "2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z")),
            ),
            (
                "2026-11-24T12:00:00Z",
                Some(("cem", "2026-11-23T08:00:00Z", "2026-11-30T08:00:00Z")),
            ),
            // The week the clocks go forward: the hand-off moves from 08:00Z to 07:00Z.
            (
                "2027-03-29T06:59:59Z",
                Some(("bob", "2027-03-22T08:00:00Z", "2027-03-29T07:00:00Z")),
            ),
            (
                "2027-03-29T07:00:00Z",
                Some(("cem", "2027-03-29T07:00:00Z", "2027-04-05T07:00:00Z")),
            ),
            // Before the first hand-off the turns run backwards.
            (
                "2026-10-18T12:00:00Z",
                Some(("cem", "2026-10-12T07:00:00Z", "2026-10-19T07:00:00Z")),
            ),
        ];
        for (now, expected) in cases {
            let got = r.shift_at(at(now));
            let want = expected.map(|(who, from, until)| Shift {
                who: who.into(),
                from: at(from),
                until: at(until),
            });
            assert_eq!(got, want, "{now}");
        }
        let on_call = r.on_call(at("2026-11-24T12:00:00Z"));
        assert_eq!(on_call.now.map(|s| s.who), Some("cem".into()));
        assert_eq!(
            on_call.next.map(|s| (s.who, s.from)),
            Some(("ana".into(), at("2026-11-30T08:00:00Z")))
        );
    }

    #[test]
    fn broken_rotations_answer_nobody_rather_than_a_wrong_person() {
        let empty = Rotation {
            members: vec![],
            ..weekly()
        };
        assert_eq!(empty.shift_at(at("2026-11-24T12:00:00Z")), None);
        let bad_zone = Rotation {
            timezone: "Mars/Olympus".into(),
            ..weekly()
        };
        assert_eq!(bad_zone.shift_at(at("2026-11-24T12:00:00Z")), None);
        let daily = Rotation {
            length_days: 1,
            ..weekly()
        };
        assert_eq!(
            daily.shift_at(at("2026-10-20T06:59:00Z")).map(|s| s.who),
            Some("ana".into())
        );
        assert_eq!(
            daily.shift_at(at("2026-10-20T07:00:00Z")).map(|s| s.who),
            Some("bob".into())
        );
    }
}
