//! Validated identifiers: environment ids and other names that arrive from URLs, forms and config.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what} must not be empty")]
    Empty { what: &'static str },
    #[error("{what} is longer than {max} characters")]
    TooLong { what: &'static str, max: usize },
    #[error("{what} may only contain lower-case letters, digits and '-' (got {value:?})")]
    BadCharacter { what: &'static str, value: String },
    #[error("{value:?} is not {what}")]
    NotANumber { what: &'static str, value: String },
}

/// A record's number from an address or a form (a release request, an incident): `12` or `#12`,
/// positive. `what` names it in the error, e.g. "a release request number".
pub fn parse_number(text: &str, what: &'static str) -> Result<i64, IdError> {
    text.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| IdError::NotANumber {
            what,
            value: text.to_string(),
        })
}

/// A release request's number.
pub fn parse_release_id(text: &str) -> Result<i64, IdError> {
    parse_number(text, "a release request number")
}

/// An incident's number.
pub fn parse_incident_id(text: &str) -> Result<i64, IdError> {
    parse_number(text, "an incident number")
}

/// The id of an environment, as used in URLs and config (`dev`, `staging`, `prod-eu`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EnvId(String);

impl EnvId {
    pub const MAX_LEN: usize = 32;

    pub fn parse(value: &str) -> Result<Self, IdError> {
        let what = "environment id";
        if value.is_empty() {
            return Err(IdError::Empty { what });
        }
        if value.len() > Self::MAX_LEN {
            return Err(IdError::TooLong {
                what,
                max: Self::MAX_LEN,
            });
        }
        let valid = value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.starts_with('-');
        if !valid {
            return Err(IdError::BadCharacter {
                what,
                value: value.to_string(),
            });
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EnvId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EnvId> for String {
    fn from(value: EnvId) -> Self {
        value.0
    }
}

impl fmt::Display for EnvId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A resource name taken from a URL (cluster, service, database, app): printable, bounded,
/// never a path separator. The inventory decides whether it exists.
pub fn parse_resource_name(what: &'static str, value: &str) -> Result<String, IdError> {
    const MAX: usize = 255;
    if value.is_empty() {
        return Err(IdError::Empty { what });
    }
    if value.len() > MAX {
        return Err(IdError::TooLong { what, max: MAX });
    }
    let valid = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if !valid {
        return Err(IdError::BadCharacter {
            what,
            value: value.to_string(),
        });
    }
    Ok(value.to_string())
}

/// A person's display name as typed at the demo sign-in: 1–64 printable characters.
pub fn parse_user_name(value: &str) -> Result<String, IdError> {
    let what = "name";
    let value = value.trim();
    if value.is_empty() {
        return Err(IdError::Empty { what });
    }
    if value.chars().count() > 64 {
        return Err(IdError::TooLong { what, max: 64 });
    }
    let valid = value
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-' | '@' | '\''));
    if !valid {
        return Err(IdError::BadCharacter {
            what,
            value: value.to_string(),
        });
    }
    Ok(value.to_string())
}

/// A redirect target after sign-in: a local path only, never another site.
///
/// Accepted: `/` alone, or a single `/` followed by a character that is neither `/` nor `\`,
/// with no control character anywhere (C0, DEL and C1) and no backslash. Browsers drop tabs and
/// line breaks from a `Location` and read `\` as `/`, so `/\t/evil.example` or `/\evil` would
/// become `//evil.example`, another site; everything else that starts with one `/` is a path on
/// this site (`/%2F/x` included: the browser does not decode it before finding the host).
/// The sign-in page itself (`/login…`) is never a target.
pub fn safe_next_path(value: Option<&str>) -> String {
    match value {
        Some(path) if is_local_path(path) && !path.starts_with("/login") => path.to_string(),
        _ => "/".to_string(),
    }
}

/// `path` names a path on this site, whatever a browser strips or rewrites on the way.
fn is_local_path(path: &str) -> bool {
    let mut chars = path.chars();
    if chars.next() != Some('/') {
        return false;
    }
    if matches!(chars.next(), Some('/' | '\\')) {
        return false;
    }
    !path.chars().any(|c| c.is_control() || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_ids_are_validated() {
        let cases: &[(&str, bool)] = &[
            ("dev", true),
            ("prod-eu-1", true),
            ("", false),
            ("Prod", false),
            ("-dev", false),
            ("dev/../x", false),
            ("a-very-long-environment-id-that-is-too-long", false),
        ];
        for (input, ok) in cases {
            assert_eq!(EnvId::parse(input).is_ok(), *ok, "{input:?}");
        }
    }

    #[test]
    fn env_id_error_names_the_problem() {
        let err = EnvId::parse("Prod").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "environment id may only contain lower-case letters, digits and '-' (got \"Prod\")"
            )
        );
    }

    #[test]
    fn user_names_are_bounded_and_printable() {
        let cases: &[(&str, bool)] = &[
            ("ana", true),
            ("Ana O'Neil", true),
            ("ops@example.com", true),
            ("  ", false),
            ("<script>", false),
            ("x\ny", false),
        ];
        for (input, ok) in cases {
            assert_eq!(parse_user_name(input).is_ok(), *ok, "{input:?}");
        }
        assert!(parse_user_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn next_paths_stay_on_this_site() {
        let cases = [
            (Some("/"), "/"),
            (Some("/envs/prod"), "/envs/prod"),
            (Some("/alarms?state=ALARM"), "/alarms?state=ALARM"),
            (Some("/envs/prod#services"), "/envs/prod#services"),
            (Some("/login"), "/"),
            (Some("/login?next=/envs"), "/"),
            (None, "/"),
            (Some(""), "/"),
        ];
        for (input, expected) in cases {
            assert_eq!(safe_next_path(input), expected, "{input:?}");
        }
    }

    /// Known open-redirect bypasses: each would leave the site (or reach a script) if it came
    /// back as the `Location`, so each falls back to `/`.
    #[test]
    fn known_redirect_bypasses_fall_back_to_the_home_page() {
        let bypasses = [
            // another host, with or without a scheme
            "//evil.example",
            "///evil.example",
            "https://evil.example",
            "http:evil.example",
            "https:/evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "evil.example",
            // backslashes, which browsers read as slashes
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "/\\/evil.example",
            "/x\\..\\\\evil.example",
            // control characters browsers strip from a URL: tab, CR, LF, NUL, DEL, C1
            "/\t/evil.example",
            "/\r/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\0/evil.example",
            "/\u{7f}/evil.example",
            "/\u{85}/evil.example",
            "/\u{9f}/evil.example",
            "\t//evil.example",
            "/envs\n/x",
            "/envs?next=\u{1b}",
            // leading spaces or controls before the slashes
            " //evil.example",
            " /envs",
            "\u{0}/envs",
        ];
        for input in bypasses {
            assert_eq!(safe_next_path(Some(input)), "/", "{input:?}");
        }
    }

    /// Paths that look odd but that a browser resolves on this site stay as they are.
    #[test]
    fn odd_but_local_paths_stay_paths() {
        let local = [
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%09/evil.example",
            "/%5C/evil.example",
            "/..//evil.example",
            "/./envs",
            "/envs//prod",
            "/envs?next=//evil.example",
            "/ /envs",
        ];
        for input in local {
            assert_eq!(safe_next_path(Some(input)), input, "{input:?}");
        }
    }

    #[test]
    fn resource_names_refuse_separators() {
        let cases: &[(&str, bool)] = &[
            ("prospa-api", true),
            ("svc_1.v2", true),
            ("a/b", false),
            ("<img>", false),
            ("", false),
        ];
        for (input, ok) in cases {
            assert_eq!(
                parse_resource_name("service", input).is_ok(),
                *ok,
                "{input:?}"
            );
        }
    }
}
