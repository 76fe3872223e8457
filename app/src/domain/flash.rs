//! One-time messages for the next page a browser opens (flashes): what a form post without
//! JavaScript did or why it was refused. The page address carries only a random id; the text
//! stays in the person's session, so a link cannot make the console show words someone else chose.
//! The sign-in page, which has no session yet, takes fixed codes instead.

use serde::{Deserialize, Serialize};

/// How many flashes a session keeps; older ones are dropped.
pub const KEPT: usize = 8;

/// Whether the message reports a refusal or what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlashKind {
    Problem,
    Notice,
}

impl FlashKind {
    /// The page address parameter that carries its id.
    pub fn param(self) -> &'static str {
        match self {
            FlashKind::Problem => "problem",
            FlashKind::Notice => "notice",
        }
    }
}

/// One kept message and the id the page address names it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub id: String,
    pub kind: FlashKind,
    pub text: String,
}

/// A flash id as the page address carries it: 32 lowercase hex digits. Anything else names no
/// flash (and is never looked up).
pub fn parse_id(text: &str) -> Option<&str> {
    (text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(text)
}

/// Adds `flash` to those kept, dropping the oldest beyond [`KEPT`].
pub fn keep(kept: &mut Vec<Flash>, flash: Flash) {
    kept.push(flash);
    if kept.len() > KEPT {
        let extra = kept.len() - KEPT;
        kept.drain(..extra);
    }
}

/// Removes and answers the flash with `id` of the wanted kind.
pub fn take(kept: &mut Vec<Flash>, id: &str, kind: FlashKind) -> Option<Flash> {
    let at = kept.iter().position(|f| f.id == id && f.kind == kind)?;
    Some(kept.remove(at))
}

/// Why a sign-in form was sent back, as the fixed code `/login?error=` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    Name,
    Role,
}

impl LoginError {
    pub fn code(self) -> &'static str {
        match self {
            LoginError::Name => "name",
            LoginError::Role => "role",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "name" => Some(LoginError::Name),
            "role" => Some(LoginError::Role),
            _ => None,
        }
    }

    /// What the sign-in page says.
    pub fn text(self) -> &'static str {
        match self {
            LoginError::Name => {
                "Check the name: 1 to 64 letters or digits, with spaces, dots, dashes, underscores, apostrophes or @ between them."
            }
            LoginError::Role => "Check the role: choose viewer, operator, approver or admin.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flash(id: &str, kind: FlashKind) -> Flash {
        Flash {
            id: id.to_string(),
            kind,
            text: format!("text of {id}"),
        }
    }

    #[test]
    fn only_well_formed_ids_name_a_flash() {
        let table = [
            ("0123456789abcdef0123456789abcdef", true),
            ("0123456789ABCDEF0123456789ABCDEF", false),
            ("0123456789abcdef", false),
            ("Your session expired, sign in at evil.example", false),
            ("0123456789abcdef0123456789abcdeg", false),
            ("", false),
        ];
        for (text, named) in table {
            assert_eq!(parse_id(text).is_some(), named, "{text}");
        }
    }

    #[test]
    fn a_flash_shows_once_for_its_kind_and_old_ones_make_room() {
        let mut kept = Vec::new();
        for i in 0..(KEPT + 2) {
            keep(&mut kept, flash(&format!("{i:032x}"), FlashKind::Problem));
        }
        assert_eq!(kept.len(), KEPT);
        assert_eq!(
            take(&mut kept, &format!("{:032x}", 0), FlashKind::Problem),
            None
        );
        let newest = format!("{:032x}", KEPT + 1);
        assert_eq!(
            take(&mut kept, &newest, FlashKind::Notice),
            None,
            "another kind"
        );
        assert!(take(&mut kept, &newest, FlashKind::Problem).is_some());
        assert_eq!(take(&mut kept, &newest, FlashKind::Problem), None, "once");
    }

    #[test]
    fn sign_in_errors_are_fixed_codes() {
        for error in [LoginError::Name, LoginError::Role] {
            assert_eq!(LoginError::parse(error.code()), Some(error));
        }
        assert_eq!(
            LoginError::parse("Your account is locked; call +1 555"),
            None
        );
    }
}
