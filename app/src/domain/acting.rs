//! Who AWS sees making a change. Every action is made under a role session named after the
//! operator (and, where configured, with the operator as the session's SourceIdentity), so
//! CloudTrail tells one operator's `UpdateService` from another's instead of showing every call
//! as `assumed-role/quarterdeck/quarterdeck`. Reads stay under the console's own session.
//!
//! AWS's rules for both values (STS AssumeRole): 2 to 64 characters of letters, digits and
//! `_ + = , . @ -`; a SourceIdentity may not start with `aws:` (no `:` survives here anyway).

use super::caller::{Caller, Channel, SYSTEM_ACTOR};
use serde::{Deserialize, Serialize};

/// The longest role session name or SourceIdentity AWS takes.
pub const SESSION_NAME_MAX: usize = 64;

/// The identity an action's AWS calls are made under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AwsActor {
    /// The role session name: the person's name, with `+token-<id>` for an API token's request.
    pub session_name: String,
    /// The person alone, for STS's SourceIdentity (sent only where the environment asks for it).
    pub source_identity: String,
}

impl AwsActor {
    /// The console's own session, for reads and for its jobs that act for no one.
    pub fn console() -> Self {
        Self {
            session_name: SYSTEM_ACTOR.to_string(),
            source_identity: SYSTEM_ACTOR.to_string(),
        }
    }

    /// The session `caller`'s change is made under.
    pub fn of(caller: &Caller) -> Self {
        let person = sanitize(caller.name(), SESSION_NAME_MAX);
        let session_name = match &caller.channel {
            Channel::ApiToken { id, .. } => {
                let suffix = format!("+token-{id}");
                let room = SESSION_NAME_MAX.saturating_sub(suffix.len()).max(2);
                format!("{}{suffix}", sanitize(caller.name(), room))
            }
            Channel::Page | Channel::Job(_) => person.clone(),
        };
        Self {
            session_name,
            source_identity: person,
        }
    }
}

/// `text` in AWS's session-name alphabet: any other character becomes `-`, at most `max`
/// characters, and at least two (a one-letter name is padded with `-`; none at all is the
/// console's own name).
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(max)
        .collect();
    if out.is_empty() {
        return SYSTEM_ACTOR.to_string();
    }
    while out.len() < 2 {
        out.push('-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::person::PersonId;
    use crate::domain::policy::{AuthMethod, Principal, RoleGrants};

    fn caller(name: &str, channel: Channel) -> Caller {
        Caller {
            principal: Principal {
                id: PersonId::system("test"),
                name: name.to_string(),
                method: AuthMethod::Dev,
                grants: RoleGrants::default(),
                groups: Vec::new(),
            },
            ip: None,
            user_agent: None,
            channel,
        }
    }

    #[test]
    fn names_fit_the_session_alphabet_and_length() {
        let long = "a".repeat(80);
        let cases: &[(&str, usize, &str)] = &[
            ("alice", 64, "alice"),
            ("alice@example.com", 64, "alice@example.com"),
            ("Ann Smith", 64, "Ann-Smith"),
            ("  bob  ", 64, "bob"),
            ("Zoë", 64, "Zo-"),
            ("aws:root", 64, "aws-root"),
            ("x", 64, "x-"),
            ("", 64, "quarterdeck"),
            (&long, 64, &long[..64]),
            ("ops/on-call#1", 64, "ops-on-call-1"),
        ];
        for (text, max, want) in cases {
            let got = sanitize(text, *max);
            assert_eq!(&got, want, "{text:?}");
            assert!((2..=SESSION_NAME_MAX).contains(&got.len()), "{got:?}");
            assert!(
                got.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)),
                "{got:?}"
            );
        }
    }

    #[test]
    fn each_channel_has_its_session() {
        let token = Channel::ApiToken {
            id: 42,
            name: "ci".into(),
            service: "github".into(),
        };
        let cases = [
            (caller("alice", Channel::Page), "alice", "alice"),
            (caller("alice", token.clone()), "alice+token-42", "alice"),
            (
                caller(&"b".repeat(70), token),
                &*format!("{}+token-42", "b".repeat(55)),
                &*"b".repeat(64),
            ),
            (
                caller("carol", Channel::Job("release executor")),
                "carol",
                "carol",
            ),
        ];
        for (caller, session, source) in cases {
            let actor = AwsActor::of(&caller);
            assert_eq!(actor.session_name, session);
            assert_eq!(actor.source_identity, source);
            assert!(actor.session_name.len() <= SESSION_NAME_MAX);
        }
        assert_eq!(
            AwsActor::of(&Caller::job("action sweeper")),
            AwsActor::console()
        );
    }
}
