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
    /// The environment ids whose incidents it answers (every configured one unless config
    /// names some): who may change it is decided by these.
    #[serde(default)]
    pub environments: Vec<String>,
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

    /// Who covers at `t`: an override of this rotation that holds `t` (the latest made wins),
    /// else the regular shift, cut short where the next override begins.
    pub fn covering(&self, t: DateTime<Utc>, overrides: &[Override]) -> Option<Shift> {
        let mine = || overrides.iter().filter(|o| o.rotation == self.name);
        if let Some(o) = mine()
            .filter(|o| o.from <= t && t < o.until)
            .max_by_key(|o| o.id)
        {
            return Some(Shift {
                who: o.who.clone(),
                from: o.from,
                until: o.until,
            });
        }
        let mut shift = self.shift_at(t)?;
        // An override that ended inside this shift hands back at its end.
        if let Some(end) = mine()
            .map(|o| o.until)
            .filter(|u| *u > shift.from && *u <= t)
            .max()
        {
            shift.from = end;
        }
        if let Some(start) = mine()
            .map(|o| o.from)
            .filter(|f| *f > t && *f < shift.until)
            .min()
        {
            shift.until = start;
        }
        Some(shift)
    }

    /// Who is on call at `now` and who comes next, with the admins' overrides applied.
    pub fn on_call_with(&self, now: DateTime<Utc>, overrides: &[Override]) -> OnCall {
        let current = self.covering(now, overrides);
        let next = current
            .as_ref()
            .and_then(|s| self.covering(s.until, overrides));
        OnCall {
            rotation: self.name.clone(),
            now: current,
            next,
        }
    }

    /// The next `count` turns from `now` on, overrides applied, for the on-call page.
    pub fn upcoming(&self, now: DateTime<Utc>, overrides: &[Override], count: usize) -> Vec<Shift> {
        let mut out: Vec<Shift> = Vec::new();
        let mut t = now;
        while out.len() < count {
            let Some(shift) = self.covering(t, overrides) else {
                break;
            };
            if shift.until <= t {
                break;
            }
            t = shift.until;
            out.push(shift);
        }
        out
    }
}

/// An admin's override: `who` covers the rotation from `from` until `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub id: i64,
    pub rotation: String,
    pub who: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// The name of the admin who set it, for showing.
    pub created_by: String,
    /// Who set it.
    pub created_by_id: super::person::PersonId,
    pub reason: Option<String>,
}

/// Longest override an admin can set in one go.
pub const OVERRIDE_MAX_DAYS: i64 = 90;

/// Checks an override request: a known rotation, someone named, a window that ends after it
/// starts, has not ended yet and lasts at most [`OVERRIDE_MAX_DAYS`].
pub fn check_override(
    rotations: &[Rotation],
    rotation: &str,
    who: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    if !rotations.iter().any(|r| r.name == rotation) {
        return Err(format!("there is no rotation named {rotation:?}"));
    }
    if who.trim().is_empty() {
        return Err("name who covers".into());
    }
    if until <= from {
        return Err("the override must end after it starts".into());
    }
    if until <= now {
        return Err("that window is already over".into());
    }
    if until - from > Duration::days(OVERRIDE_MAX_DAYS) {
        return Err(format!(
            "an override lasts at most {OVERRIDE_MAX_DAYS} days"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::test_time::at;

    fn weekly() -> Rotation {
        Rotation {
            name: "platform".into(),
            members: vec!["ana".into(), "bob".into(), "cem".into()],
            // A Monday.
            first_handoff: NaiveDate::from_ymd_opt(2026, 10, 19).unwrap(),
            handoff_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            timezone: "Europe/Berlin".into(),
            length_days: 7,
            environments: vec!["prod".into()],
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
        let on_call = r.on_call_with(at("2026-11-24T12:00:00Z"), &[]);
        assert_eq!(on_call.now.map(|s| s.who), Some("cem".into()));
        assert_eq!(
            on_call.next.map(|s| (s.who, s.from)),
            Some(("ana".into(), at("2026-11-30T08:00:00Z")))
        );
    }

    #[test]
    fn overrides_take_precedence_and_hand_back() {
        let r = weekly();
        let o = |id, who: &str, from: &str, until: &str| Override {
            id,
            rotation: "platform".into(),
            who: who.into(),
            from: at(from),
            until: at(until),
            created_by: "admin".into(),
            created_by_id: crate::domain::person::PersonId::dev("admin").unwrap(),
            reason: None,
        };
        // cem's week is 2026-11-23T08:00Z .. 2026-11-30T08:00Z; dan covers Wednesday.
        let overrides = vec![
            o(1, "dan", "2026-11-25T08:00:00Z", "2026-11-26T08:00:00Z"),
            o(2, "eve", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"),
            Override {
                rotation: "other".into(),
                ..o(3, "zed", "2026-11-24T00:00:00Z", "2026-12-24T00:00:00Z")
            },
        ];
        let who = |t: &str| {
            r.covering(at(t), &overrides)
                .map(|s| (s.who, s.from, s.until))
        };
        let cases = [
            (
                "2026-11-24T12:00:00Z",
                ("cem", "2026-11-23T08:00:00Z", "2026-11-25T08:00:00Z"),
            ),
            (
                "2026-11-25T12:00:00Z",
                ("dan", "2026-11-25T08:00:00Z", "2026-11-26T08:00:00Z"),
            ),
            (
                "2026-11-26T08:00:00Z",
                ("cem", "2026-11-26T08:00:00Z", "2026-11-30T08:00:00Z"),
            ),
            (
                "2026-11-30T09:00:00Z",
                ("ana", "2026-11-30T08:00:00Z", "2026-12-01T00:00:00Z"),
            ),
            (
                "2026-12-01T12:00:00Z",
                ("eve", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"),
            ),
        ];
        for (t, (name, from, until)) in cases {
            assert_eq!(who(t), Some((name.to_string(), at(from), at(until))), "{t}");
        }
        let now = r.on_call_with(at("2026-11-24T12:00:00Z"), &overrides);
        assert_eq!(now.now.map(|s| s.who), Some("cem".into()));
        assert_eq!(now.next.map(|s| s.who), Some("dan".into()));
        let turns: Vec<String> = r
            .upcoming(at("2026-11-24T12:00:00Z"), &overrides, 5)
            .into_iter()
            .map(|s| s.who)
            .collect();
        assert_eq!(turns, vec!["cem", "dan", "cem", "ana", "eve"]);
        // A later override over an earlier one wins.
        let mut stacked = overrides.clone();
        stacked.push(o(4, "fay", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z"));
        assert_eq!(
            r.covering(at("2026-11-25T10:30:00Z"), &stacked)
                .map(|s| s.who),
            Some("fay".into())
        );
    }

    #[test]
    fn override_requests_are_checked() {
        let rotations = vec![weekly()];
        let now = at("2026-11-24T12:00:00Z");
        let ok = check_override(
            &rotations,
            "platform",
            "dan",
            at("2026-11-25T08:00:00Z"),
            at("2026-11-26T08:00:00Z"),
            now,
        );
        assert_eq!(ok, Ok(()));
        let cases = [
            (
                "nope",
                "dan",
                "2026-11-25T08:00:00Z",
                "2026-11-26T08:00:00Z",
                "no rotation",
            ),
            (
                "platform",
                " ",
                "2026-11-25T08:00:00Z",
                "2026-11-26T08:00:00Z",
                "name who",
            ),
            (
                "platform",
                "dan",
                "2026-11-26T08:00:00Z",
                "2026-11-25T08:00:00Z",
                "end after",
            ),
            (
                "platform",
                "dan",
                "2026-11-20T08:00:00Z",
                "2026-11-21T08:00:00Z",
                "already over",
            ),
            (
                "platform",
                "dan",
                "2026-11-25T08:00:00Z",
                "2027-06-25T08:00:00Z",
                "at most",
            ),
        ];
        for (rotation, who, from, until, why) in cases {
            let got = check_override(&rotations, rotation, who, at(from), at(until), now);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(why)),
                "{why}: {got:?}"
            );
        }
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
