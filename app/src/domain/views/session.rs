//! The signed-in session as every page's chrome shows it, and how the sign-in page offers to
//! sign in.

use crate::domain::environment::EnvDescriptor;
use crate::domain::policy::Principal;
use serde::{Deserialize, Serialize};

/// The signed-in user and what the chrome around every page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: Principal,
    pub demo_mode: bool,
    pub environments: Vec<EnvDescriptor>,
    /// Groups that would grant access, shown when the user has none.
    pub access_groups: Vec<String>,
    /// With SSO: where the console looks for a person's groups, for the "no access" page.
    #[serde(default)]
    pub groups_source: Option<GroupsSource>,
    /// Release requests waiting for this person's approval (the navigation badge).
    #[serde(default)]
    pub awaiting_approval: usize,
    /// Who is on call now and next, per rotation.
    #[serde(default)]
    pub oncall: Vec<crate::domain::oncall::OnCall>,
    /// Open incidents nobody acknowledged yet, in the environments this person sees.
    #[serde(default)]
    pub unacknowledged_incidents: usize,
}

/// Where SSO sign-in reads a person's groups: the claim (in the ID token, else at userinfo)
/// and the scopes the console asks the provider for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsSource {
    pub claim: String,
    pub scopes: Vec<String>,
}

impl GroupsSource {
    /// Whether the provider is asked for the `groups` scope, which many providers need before
    /// they put a groups claim into the token.
    pub fn asks_for_groups_scope(&self) -> bool {
        self.scopes.iter().any(|s| s == "groups")
    }
}

impl SessionView {
    /// What the "no access" notice says, a paragraph each: whose groups grant nothing (or that
    /// the sign-in brought no groups, which claim was looked in and why it may be missing), and
    /// which groups would grant access.
    pub fn no_access_notes(&self) -> Vec<String> {
        let name = &self.user.name;
        let mut notes = Vec::new();
        match (&self.groups_source, self.user.groups.is_empty()) {
            (_, false) => notes.push(format!(
                "You are signed in as {name}, but none of your groups ({}) grants a role in any environment.",
                self.user.groups.join(", ")
            )),
            (Some(source), true) => {
                notes.push(format!(
                    "You are signed in as {name}, but your sign-in brought no groups: the identity provider sent none in the `{}` claim (looked for in the ID token, then at its userinfo endpoint).",
                    source.claim
                ));
                notes.push(if source.asks_for_groups_scope() {
                    format!(
                        "Your Quarterdeck admin may need the provider to release the `{}` claim to this application, or to set auth.groups_claim to the claim the provider uses.",
                        source.claim
                    )
                } else {
                    format!(
                        "Some providers send it only when the `groups` scope is requested, and this console asks only for {}: your Quarterdeck admin can add `groups` to auth.scopes, or set auth.groups_claim to the claim the provider uses.",
                        source.scopes.join(", ")
                    )
                });
            }
            (None, true) => notes.push(format!(
                "You are signed in as {name}, but your sign-in brought no groups."
            )),
        }
        notes.push(format!(
            "Ask your Quarterdeck admin to add you to one of these groups: {}.",
            self.access_groups.join(", ")
        ));
        notes
    }
}

/// How the sign-in page offers to sign in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// Company SSO (OIDC); otherwise the demo's dev form.
    pub sso: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::{AuthMethod, RoleGrants};

    fn session(groups: &[&str], source: Option<(&str, &[&str])>) -> SessionView {
        SessionView {
            user: Principal {
                id: crate::domain::person::PersonId::dev("olga").unwrap(),
                name: "olga".into(),
                method: AuthMethod::Oidc,
                grants: RoleGrants::default(),
                groups: groups.iter().map(|g| g.to_string()).collect(),
            },
            demo_mode: false,
            environments: Vec::new(),
            access_groups: vec!["platform-team".into(), "engineers".into()],
            groups_source: source.map(|(claim, scopes)| GroupsSource {
                claim: claim.into(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
            }),
            awaiting_approval: 0,
            oncall: Vec::new(),
            unacknowledged_incidents: 0,
        }
    }

    #[test]
    fn the_no_access_notice_says_why_a_person_has_no_groups() {
        // (groups, where groups come from, phrases wanted, phrases not wanted)
        type Case<'a> = (
            &'a [&'a str],
            Option<(&'a str, &'a [&'a str])>,
            &'a [&'a str],
            &'a [&'a str],
        );
        let cases: [Case; 4] = [
            (
                &["marketing"],
                Some(("groups", &["openid", "groups"])),
                &["none of your groups (marketing) grants a role"],
                &["claim"],
            ),
            (
                &[],
                Some(("groups", &["openid", "profile", "email"])),
                &[
                    "sent none in the `groups` claim",
                    "only when the `groups` scope is requested",
                    "asks only for openid, profile, email",
                ],
                &["(none)"],
            ),
            (
                &[],
                Some(("roles", &["openid", "groups"])),
                &[
                    "sent none in the `roles` claim",
                    "release the `roles` claim",
                ],
                &["(none)", "only when the `groups` scope"],
            ),
            (&[], None, &["brought no groups"], &["(none)", "claim"]),
        ];
        for (groups, source, wanted, unwanted) in cases {
            let notes = session(groups, source).no_access_notes().join("\n");
            for w in wanted {
                assert!(notes.contains(w), "{w:?} in {notes}");
            }
            for u in unwanted {
                assert!(!notes.contains(u), "{u:?} not in {notes}");
            }
            assert!(notes.ends_with("one of these groups: platform-team, engineers."));
        }
    }
}
