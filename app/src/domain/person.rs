//! Who a person is, as the console compares and stores them: a [`PersonId`] that never changes
//! while the person does — for company SSO the issuer and the `sub` claim together, for the
//! demo's dev sign-in the typed name. Display names (`preferred_username`, a verified `email`)
//! are for showing only: a rename or an alias at the identity provider keeps the id, and two
//! people who share a display name keep theirs apart. Votes, self-approval, requests, incident
//! ownership, tokens, overrides, sessions and the audit log all compare ids.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest id kept: an issuer URL and a `sub` of at most 255 characters each, with room.
pub const PERSON_ID_MAX: usize = 600;

/// A person's stable identity, in its text form:
///
/// - `oidc:<issuer>#<sub>` — signed in with company SSO (an issuer URL has no fragment, so the
///   first `#` ends it; the `sub` may hold anything printable),
/// - `dev:<name>` — the demo's dev sign-in, where the typed name is all there is,
/// - `legacy:<name>` — rows recorded before people had ids: the name they were recorded under,
///   which matches no one signing in now,
/// - `system:<job>` — the console itself (`system:quarterdeck`),
/// - `unknown:` — someone who has not proved who they are (a failed sign-in).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonId(String);

/// What a [`PersonId`] is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKind<'a> {
    Oidc { issuer: &'a str, subject: &'a str },
    Dev(&'a str),
    Legacy(&'a str),
    System(&'a str),
    Unknown,
}

/// Why a text is not a person id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonIdError {
    #[error("a person id is empty")]
    Empty,
    #[error("a person id is at most {PERSON_ID_MAX} characters")]
    TooLong,
    #[error("a person id holds no control characters")]
    Control,
    #[error("{0:?} is not a person id: expected oidc:<issuer>#<sub>, dev:<name>, legacy:<name>, system:<name> or unknown:")]
    Scheme(String),
    #[error("{0:?} is not a person id: the {1} is missing")]
    Missing(String, &'static str),
}

fn check_text(text: &str) -> Result<(), PersonIdError> {
    if text.is_empty() {
        return Err(PersonIdError::Empty);
    }
    if text.chars().count() > PERSON_ID_MAX {
        return Err(PersonIdError::TooLong);
    }
    if text.chars().any(char::is_control) {
        return Err(PersonIdError::Control);
    }
    Ok(())
}

impl PersonId {
    /// Checks a person id in its text form (from a form, a stored row or a session).
    pub fn parse(text: &str) -> Result<Self, PersonIdError> {
        check_text(text)?;
        let missing = |what| PersonIdError::Missing(text.to_string(), what);
        let (scheme, rest) = text
            .split_once(':')
            .ok_or_else(|| PersonIdError::Scheme(text.to_string()))?;
        match scheme {
            "oidc" => {
                let (issuer, subject) = rest.split_once('#').ok_or_else(|| missing("sub"))?;
                if issuer.trim().is_empty() {
                    return Err(missing("issuer"));
                }
                if subject.is_empty() {
                    return Err(missing("sub"));
                }
            }
            "dev" | "legacy" | "system" if rest.trim().is_empty() => return Err(missing("name")),
            "dev" | "legacy" | "system" => {}
            "unknown" if rest.is_empty() => {}
            _ => return Err(PersonIdError::Scheme(text.to_string())),
        }
        Ok(Self(text.to_string()))
    }

    /// A person signed in with company SSO: the issuer and the `sub` claim.
    pub fn oidc(issuer: &str, subject: &str) -> Result<Self, PersonIdError> {
        if issuer.contains('#') {
            return Err(PersonIdError::Scheme(issuer.to_string()));
        }
        Self::parse(&format!("oidc:{issuer}#{subject}"))
    }

    /// A person signed in with the demo's dev sign-in under `name`.
    pub fn dev(name: &str) -> Result<Self, PersonIdError> {
        Self::parse(&format!("dev:{name}"))
    }

    /// The console itself, as the job `name` (`system:quarterdeck`).
    pub fn system(name: &str) -> Self {
        Self(format!("system:{name}"))
    }

    /// Someone who has not proved who they are.
    pub fn unknown() -> Self {
        Self("unknown:".to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the id is made of.
    pub fn kind(&self) -> PersonKind<'_> {
        let (scheme, rest) = self.0.split_once(':').unwrap_or(("unknown", ""));
        match scheme {
            "oidc" => {
                let (issuer, subject) = rest.split_once('#').unwrap_or((rest, ""));
                PersonKind::Oidc { issuer, subject }
            }
            "dev" => PersonKind::Dev(rest),
            "legacy" => PersonKind::Legacy(rest),
            "system" => PersonKind::System(rest),
            _ => PersonKind::Unknown,
        }
    }
}

impl PersonId {
    /// Whether the person recorded under this id may be `other`, now called `other_name`: the
    /// same id, or — for a row recorded before people had ids (`legacy:<name>`) — anyone now
    /// called by that name. Only ever used to refuse (a self-approval, a second vote), never to
    /// grant, so a namesake gains nothing from it.
    pub fn may_be(&self, other: &PersonId, other_name: &str) -> bool {
        self == other || matches!(self.kind(), PersonKind::Legacy(name) if name == other_name)
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonId {
    type Error = PersonIdError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<PersonId> for String {
    fn from(id: PersonId) -> Self {
        id.0
    }
}

/// The name an SSO sign-in is shown by: `preferred_username`, else `email` when the provider
/// says it is verified (an unverified address is whatever the person typed, so it could be
/// anyone's), else the `sub`. For showing only: the person is their [`PersonId`].
pub fn display_name(
    preferred_username: Option<&str>,
    email: Option<&str>,
    email_verified: Option<bool>,
    subject: &str,
) -> String {
    let usable = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty() && !v.chars().any(char::is_control))
            .map(str::to_string)
    };
    usable(preferred_username)
        .or_else(|| usable(email).filter(|_| email_verified == Some(true)))
        .unwrap_or_else(|| subject.to_string())
}

/// Whether one name in `people` stands for two different people: then a list shows the ids
/// beside the names to tell them apart.
pub fn names_are_ambiguous<'a>(people: impl IntoIterator<Item = (&'a str, &'a PersonId)>) -> bool {
    let mut seen: std::collections::BTreeMap<&str, &PersonId> = Default::default();
    for (name, id) in people {
        match seen.get(name) {
            Some(other) if *other != id => return true,
            Some(_) => {}
            None => {
                seen.insert(name, id);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_by_scheme_and_refuse_what_is_not_one() {
        let issuer = "https://login.example.com/realms/acme";
        let table: &[(&str, Result<PersonKind<'_>, ()>)] = &[
            (
                "oidc:https://login.example.com/realms/acme#248289761001",
                Ok(PersonKind::Oidc {
                    issuer,
                    subject: "248289761001",
                }),
            ),
            // The first `#` ends the issuer; the sub may hold more of them.
            (
                "oidc:https://login.example.com/realms/acme#a#b",
                Ok(PersonKind::Oidc {
                    issuer,
                    subject: "a#b",
                }),
            ),
            ("dev:ana", Ok(PersonKind::Dev("ana"))),
            ("dev:Ana Lima", Ok(PersonKind::Dev("Ana Lima"))),
            ("legacy:ana", Ok(PersonKind::Legacy("ana"))),
            ("system:quarterdeck", Ok(PersonKind::System("quarterdeck"))),
            ("unknown:", Ok(PersonKind::Unknown)),
            ("", Err(())),
            ("ana", Err(())),
            ("oidc:https://login.example.com", Err(())),
            ("oidc:#248289761001", Err(())),
            ("oidc:https://login.example.com#", Err(())),
            ("dev:", Err(())),
            ("dev:   ", Err(())),
            ("legacy:", Err(())),
            ("unknown:ana", Err(())),
            ("root:ana", Err(())),
            ("dev:an\u{7}a", Err(())),
            ("dev:ana\n", Err(())),
        ];
        for (text, want) in table {
            let parsed = PersonId::parse(text);
            match want {
                Ok(kind) => {
                    let id = parsed.unwrap_or_else(|e| panic!("{text:?}: {e}"));
                    assert_eq!(id.kind(), *kind, "{text:?}");
                    assert_eq!(id.as_str(), *text);
                    assert_eq!(id.to_string(), *text);
                }
                Err(()) => assert!(parsed.is_err(), "{text:?} parsed"),
            }
        }
        let long = format!("dev:{}", "x".repeat(PERSON_ID_MAX));
        assert_eq!(PersonId::parse(&long), Err(PersonIdError::TooLong));
    }

    #[test]
    fn constructors_build_the_text_form_and_keep_people_apart() {
        let iss = "http://localhost:4000";
        let table = [
            (PersonId::oidc(iss, "u-1"), "oidc:http://localhost:4000#u-1"),
            (PersonId::dev("ana"), "dev:ana"),
            (Ok(PersonId::system("quarterdeck")), "system:quarterdeck"),
            (Ok(PersonId::unknown()), "unknown:"),
        ];
        for (id, text) in table {
            assert_eq!(id.map(|i| i.to_string()).as_deref(), Ok(text));
        }
        // The same sub at two providers is two people; so is a dev name and an SSO sub.
        assert_ne!(
            PersonId::oidc(iss, "ana"),
            PersonId::oidc("http://other", "ana")
        );
        assert_ne!(PersonId::oidc(iss, "ana"), PersonId::dev("ana"));
        assert!(PersonId::oidc("http://a#b", "ana").is_err());
        assert!(PersonId::oidc(iss, "").is_err());
        assert!(PersonId::dev("").is_err());
    }

    #[test]
    fn ids_go_through_serde_as_their_text_and_are_checked_on_the_way_in() {
        let id = PersonId::dev("ana").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"dev:ana\"");
        assert_eq!(serde_json::from_str::<PersonId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<PersonId>("\"ana\"").is_err());
    }

    #[test]
    fn the_display_name_is_the_username_else_a_verified_email_else_the_sub() {
        let table = [
            (Some("olga"), Some("o@x.example"), Some(true), "olga"),
            (Some("olga"), None, None, "olga"),
            (None, Some("o@x.example"), Some(true), "o@x.example"),
            // An unverified address is never a name.
            (None, Some("o@x.example"), Some(false), "u-17"),
            (None, Some("o@x.example"), None, "u-17"),
            (Some("  "), Some("o@x.example"), Some(true), "o@x.example"),
            (Some("ol\u{7}ga"), None, None, "u-17"),
            (None, None, Some(true), "u-17"),
        ];
        for (user, email, verified, want) in table {
            assert_eq!(
                display_name(user, email, verified, "u-17"),
                want,
                "{user:?} {email:?} {verified:?}"
            );
        }
    }

    #[test]
    fn a_legacy_id_may_be_anyone_of_its_name_and_other_ids_only_themselves() {
        let olga = PersonId::oidc("http://idp", "u-1").unwrap();
        let namesake = PersonId::oidc("http://idp", "u-2").unwrap();
        let legacy = PersonId::parse("legacy:olga").unwrap();
        let table = [
            (&olga, &olga, "olga", true),
            (&olga, &olga, "olga.renamed", true),
            (&olga, &namesake, "olga", false),
            (&legacy, &olga, "olga", true),
            (&legacy, &namesake, "olga", true),
            (&legacy, &olga, "olga.renamed", false),
            (&olga, &legacy, "olga", false),
        ];
        for (recorded, other, name, want) in table {
            assert_eq!(
                recorded.may_be(other, name),
                want,
                "{recorded} vs {other} {name}"
            );
        }
    }

    #[test]
    fn names_are_ambiguous_when_one_name_stands_for_two_people() {
        let a = PersonId::dev("a").unwrap();
        let b = PersonId::dev("b").unwrap();
        let table: &[(&[(&str, &PersonId)], bool)] = &[
            (&[], false),
            (&[("ana", &a), ("bob", &b)], false),
            (&[("ana", &a), ("ana", &a)], false),
            (&[("ana", &a), ("ana", &b)], true),
            (&[("ana", &a), ("bob", &b), ("bob", &a)], true),
        ];
        for (people, want) in table {
            assert_eq!(
                names_are_ambiguous(people.iter().copied()),
                *want,
                "{people:?}"
            );
        }
    }
}
