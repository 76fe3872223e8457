//! Sign-in sessions as pure rules: whether a session is still alive (idle timeout since its last
//! written activity, absolute lifetime since sign-in however active), when a request's activity
//! is written (about once a minute, so the idle expiry moves with use without a write per
//! request), who may end another person's sessions, and the admin's list of people signed in.

use super::ids::EnvId;
use super::person::PersonId;
use super::policy::{AuthMethod, Principal, Role};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Activity is written at most about this often.
pub const ACTIVITY_WRITE_EVERY: Duration = Duration::seconds(60);

/// How long sessions last: `server.session_idle_timeout` and `server.session_absolute_lifetime`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionLimits {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub lifetime: Duration,
}

impl SessionLimits {
    /// How often a request's activity is written: every [`ACTIVITY_WRITE_EVERY`], or every
    /// quarter of a short idle timeout, so the stored expiry never trails the last activity by
    /// more than a quarter of the timeout; at least a second.
    pub fn write_every(&self) -> Duration {
        (self.idle / 4)
            .min(ACTIVITY_WRITE_EVERY)
            .max(Duration::seconds(1))
    }
}

/// What becomes of a signed-in session at a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionVerdict {
    /// Alive; its activity was written a moment ago.
    Alive,
    /// Alive; write this request's activity, which moves the idle expiry on.
    AliveWriteActivity,
    /// Unused for longer than the idle timeout.
    Idle,
    /// Older than the absolute lifetime.
    Expired,
}

impl SessionVerdict {
    pub fn is_alive(self) -> bool {
        matches!(
            self,
            SessionVerdict::Alive | SessionVerdict::AliveWriteActivity
        )
    }
}

/// Judges a session signed in at `signed_in_at` whose activity was last written at
/// `activity_written_at` (none yet: the sign-in itself), at `now`.
pub fn judge(
    limits: SessionLimits,
    signed_in_at: DateTime<Utc>,
    activity_written_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> SessionVerdict {
    if now - signed_in_at > limits.lifetime {
        return SessionVerdict::Expired;
    }
    let last = activity_written_at.map_or(signed_in_at, |at| at.max(signed_in_at));
    let quiet = now - last;
    if quiet > limits.idle {
        SessionVerdict::Idle
    } else if quiet >= limits.write_every() {
        SessionVerdict::AliveWriteActivity
    } else {
        SessionVerdict::Alive
    }
}

/// Whom a person's sessions are filed under, to end them all at once: their id, so a rename at
/// the identity provider keeps them together and a namesake's stay apart.
pub fn person_key(principal: &Principal) -> &PersonId {
    &principal.id
}

/// Checks the person whose sessions an admin means to end, as posted: their id.
pub fn parse_person(text: &str) -> Result<PersonId, String> {
    let person = text.trim();
    if person.is_empty() {
        return Err("name the person whose sessions to end".into());
    }
    PersonId::parse(person).map_err(|e| e.to_string())
}

/// Who may see who is signed in and end another person's sessions: a person signed in (not a
/// token) who is an admin of every environment, since a session opens all of them.
pub fn may_end_sessions(user: &Principal, envs: &[EnvId]) -> bool {
    if user.method == AuthMethod::Token {
        return false;
    }
    user.grants.everywhere == Some(Role::Admin)
        || (!envs.is_empty()
            && envs
                .iter()
                .all(|env| user.grants.role_in(env) == Some(Role::Admin)))
}

/// A person with sessions that have not expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInPerson {
    pub person_id: PersonId,
    /// The name of their latest sign-in, for showing.
    pub person: String,
    pub sessions: u32,
    /// Their latest sign-in.
    pub last_sign_in: DateTime<Utc>,
    /// The latest written activity of any of their sessions.
    pub last_active: DateTime<Utc>,
}

/// The sessions page: who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsView {
    pub generated_at: DateTime<Utc>,
    pub people: Vec<SignedInPerson>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::RoleGrants;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() + Duration::seconds(secs)
    }

    fn limits(idle: i64, lifetime: i64) -> SessionLimits {
        SessionLimits {
            idle: Duration::seconds(idle),
            lifetime: Duration::seconds(lifetime),
        }
    }

    #[test]
    fn activity_is_written_about_once_a_minute_or_every_quarter_of_a_short_timeout() {
        // idle timeout (s), written every (ms)
        let cases = [
            (8 * 3600, 60_000),
            (240, 60_000),
            (40, 10_000),
            (6, 1_500),
            (2, 1_000),
        ];
        for (idle, every) in cases {
            assert_eq!(
                limits(idle, 86_400).write_every(),
                Duration::milliseconds(every),
                "idle {idle} s"
            );
        }
    }

    #[test]
    fn sessions_live_while_used_and_end_when_idle_or_too_old() {
        use SessionVerdict::*;
        // idle 40 s, lifetime 120 s (activity written every 10 s); signed in at 0
        let l = limits(40, 120);
        let cases = [
            (None, 5, Alive),
            (None, 10, AliveWriteActivity),
            (None, 39, AliveWriteActivity),
            (None, 41, Idle),
            // Used every 15 s: the idle timeout counts from the last written activity.
            (Some(45), 50, Alive),
            (Some(45), 60, AliveWriteActivity),
            (Some(45), 86, Idle),
            // However active, the lifetime ends it.
            (Some(115), 119, Alive),
            (Some(115), 121, Expired),
            // A write from before the sign-in counts as the sign-in.
            (Some(-500), 30, AliveWriteActivity),
        ];
        for (written, now, verdict) in cases {
            assert_eq!(
                judge(l, at(0), written.map(at), at(now)),
                verdict,
                "written {written:?}, now {now}"
            );
        }
        assert!(Alive.is_alive() && AliveWriteActivity.is_alive());
        assert!(!Idle.is_alive() && !Expired.is_alive());
    }

    #[test]
    fn only_admins_of_every_environment_end_sessions() {
        let dev = EnvId::parse("dev").unwrap();
        let prod = EnvId::parse("prod").unwrap();
        let envs = [dev.clone(), prod.clone()];
        let person = |method, everywhere, per_env: &[(&EnvId, Role)]| Principal {
            id: PersonId::dev("ana").unwrap(),
            name: "ana".into(),
            method,
            grants: RoleGrants {
                everywhere,
                per_env: per_env.iter().map(|(e, r)| ((*e).clone(), *r)).collect(),
            },
            groups: vec![],
        };
        let cases = [
            (person(AuthMethod::Oidc, Some(Role::Admin), &[]), true),
            (
                person(
                    AuthMethod::Oidc,
                    None,
                    &[(&dev, Role::Admin), (&prod, Role::Admin)],
                ),
                true,
            ),
            (
                person(AuthMethod::Oidc, None, &[(&dev, Role::Admin)]),
                false,
            ),
            (
                person(
                    AuthMethod::Oidc,
                    Some(Role::Approver),
                    &[(&prod, Role::Admin)],
                ),
                false,
            ),
            (person(AuthMethod::Token, Some(Role::Admin), &[]), false),
        ];
        for (i, (who, may)) in cases.iter().enumerate() {
            assert_eq!(may_end_sessions(who, &envs), *may, "case {i}");
        }
        assert!(!may_end_sessions(&person(AuthMethod::Oidc, None, &[]), &[]));
    }

    #[test]
    fn the_person_is_named_by_their_id() {
        let table = [
            ("  dev:ana ", Some("dev:ana")),
            ("oidc:http://idp#u-1", Some("oidc:http://idp#u-1")),
            ("", None),
            ("   ", None),
            ("ana", None),
            ("dev:a\u{7}b", None),
        ];
        for (text, want) in table {
            assert_eq!(
                parse_person(text).ok().as_ref().map(PersonId::as_str),
                want,
                "{text:?}"
            );
        }
        let ana = Principal {
            id: PersonId::dev("ana").unwrap(),
            name: "Ana".into(),
            method: AuthMethod::Dev,
            grants: RoleGrants::default(),
            groups: vec![],
        };
        assert_eq!(person_key(&ana).as_str(), "dev:ana");
    }
}
