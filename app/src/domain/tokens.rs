//! API tokens as pure rules: what a token may do (a role in some environments, until it expires
//! or is revoked), who may create one, and the principal a request carrying it acts as: always
//! the person who created it, so what a token asks for is that person's request, which they may
//! not approve. The service account a token is for is a label, never an identity. The secret
//! itself, its hash and its storage live in the server.

use super::ids::EnvId;
use super::person::PersonId;
use super::policy::{AuthMethod, Principal, Role, RoleGrants};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A token as people see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The service account or purpose the token is for (e.g. `ci-bot`), shown beside it and
    /// recorded with what it does. A label only: the token acts for `created_by`.
    pub owner: String,
    /// `None`: every environment.
    pub envs: Option<Vec<EnvId>>,
    pub role: Role,
    /// The name of the person who created the token and answers for it, for showing.
    pub created_by: String,
    /// Who created the token: requests made with it are this person's, and they may not approve
    /// them.
    pub created_by_id: PersonId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Usable now: not revoked, not expired.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    /// Why a presented token is refused, if it is.
    pub fn refusal(&self, now: DateTime<Utc>) -> Option<&'static str> {
        if self.revoked_at.is_some() {
            Some("this API token was revoked")
        } else if now >= self.expires_at {
            Some("this API token has expired")
        } else {
            None
        }
    }

    /// The principal a request with this token acts as: the person who created it (never the
    /// service account it is labelled for), holding the token's role in the token's
    /// environments only.
    pub fn principal(&self) -> Principal {
        let grants = match &self.envs {
            None => RoleGrants::everywhere(self.role),
            Some(envs) => RoleGrants {
                everywhere: None,
                per_env: envs.iter().map(|e| (e.clone(), self.role)).collect(),
            },
        };
        Principal {
            id: self.created_by_id.clone(),
            name: self.created_by.clone(),
            method: AuthMethod::Token,
            grants,
            groups: Vec::new(),
        }
    }
}

/// A request to create a token, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub name: String,
    pub owner: String,
    pub envs: Option<Vec<EnvId>>,
    pub role: Role,
    pub expires_in_days: i64,
}

/// The longest a token may live.
pub const MAX_TOKEN_DAYS: i64 = 366;

/// Checks a token request from a form: a name (letters, digits, `-`, `_`, `.`, at most 64), the
/// service account it is for (a label), `*` or a comma-separated list of known environments, a
/// role up to operator (tokens
/// request; they never approve, so approver and admin buy nothing), and 1–366 days.
pub fn parse_token_request(
    name: &str,
    owner: &str,
    envs: &str,
    role: &str,
    days: &str,
    known: &[EnvId],
) -> Result<TokenRequest, String> {
    let name = name.trim();
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !name_ok {
        return Err("a token name is 1–64 letters, digits, '-', '_' or '.'".into());
    }
    let owner = owner.trim();
    if owner.is_empty() || owner.chars().count() > 100 {
        return Err(
            "name the service account or purpose the token is for (at most 100 characters)".into(),
        );
    }
    let envs = match envs.trim() {
        "*" => None,
        "" => return Err("list the environments the token may act in, or * for all".into()),
        list => {
            let mut out = Vec::new();
            for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let env = EnvId::parse(part).map_err(|e| e.to_string())?;
                if !known.contains(&env) {
                    return Err(format!("{env} is not a configured environment"));
                }
                if !out.contains(&env) {
                    out.push(env);
                }
            }
            Some(out)
        }
    };
    let role = Role::parse(role)?;
    if role > Role::Operator {
        return Err(format!(
            "a token's role is viewer or operator: tokens never approve, so {role} would grant nothing more"
        ));
    }
    let expires_in_days: i64 = days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=MAX_TOKEN_DAYS).contains(d))
        .ok_or_else(|| format!("a token lives 1–{MAX_TOKEN_DAYS} days"))?;
    Ok(TokenRequest {
        name: name.to_string(),
        owner: owner.to_string(),
        envs,
        role,
        expires_in_days,
    })
}

/// Who may create or revoke tokens: admins of every environment the token covers.
pub fn may_manage(user: &Principal, envs: &Option<Vec<EnvId>>, all: &[EnvId]) -> bool {
    if user.method == AuthMethod::Token {
        return false;
    }
    let covered: &[EnvId] = match envs {
        Some(list) => list,
        None => all,
    };
    let admin_everywhere = user.grants.everywhere == Some(Role::Admin);
    (envs.is_none() && admin_everywhere)
        || (envs.is_some()
            && covered
                .iter()
                .all(|e| user.grants.role_in(e) == Some(Role::Admin)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn envs() -> Vec<EnvId> {
        ["dev", "staging", "prod"]
            .iter()
            .map(|e| EnvId::parse(e).unwrap())
            .collect()
    }

    #[test]
    fn token_requests_are_checked() {
        let ok = parse_token_request(
            "ci-prod",
            "olga",
            "prod, staging",
            "operator",
            "90",
            &envs(),
        )
        .unwrap();
        assert_eq!(ok.envs.as_ref().map(Vec::len), Some(2));
        assert_eq!(ok.role, Role::Operator);
        assert_eq!(
            parse_token_request("ci", "olga", "*", "viewer", "1", &envs())
                .unwrap()
                .envs,
            None
        );
        let bad = [
            ("has space", "olga", "*", "viewer", "30", "token name"),
            ("ci", " ", "*", "viewer", "30", "name the service account"),
            ("ci", "olga", "", "viewer", "30", "list the environments"),
            (
                "ci",
                "olga",
                "qa",
                "viewer",
                "30",
                "qa is not a configured environment",
            ),
            ("ci", "olga", "*", "approver", "30", "tokens never approve"),
            ("ci", "olga", "*", "root", "30", "unknown role"),
            ("ci", "olga", "*", "viewer", "0", "1–366 days"),
            ("ci", "olga", "*", "viewer", "400", "1–366 days"),
        ];
        for (name, owner, scope, role, days, needle) in bad {
            let err = parse_token_request(name, owner, scope, role, days, &envs()).unwrap_err();
            assert!(err.contains(needle), "{name} {scope} {role} {days}: {err}");
        }
    }

    #[test]
    fn a_token_acts_as_its_creator_with_its_role_in_its_environments_until_it_ends() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let token = ApiToken {
            id: 1,
            name: "ci".into(),
            owner: "olga".into(),
            envs: Some(vec![EnvId::parse("prod").unwrap()]),
            role: Role::Operator,
            created_by: "alice".into(),
            created_by_id: PersonId::parse("oidc:https://idp.example#a-17").unwrap(),
            created_at: now,
            expires_at: now + chrono::Duration::days(30),
            revoked_at: None,
            last_used_at: None,
        };
        let p = token.principal();
        // The service account the token is labelled for is nobody: its creator answers for it.
        assert_eq!(p.name, "alice");
        assert_eq!(p.id.as_str(), "oidc:https://idp.example#a-17");
        assert_eq!(p.method, AuthMethod::Token);
        assert_eq!(
            p.grants.role_in(&EnvId::parse("prod").unwrap()),
            Some(Role::Operator)
        );
        assert_eq!(p.grants.role_in(&EnvId::parse("dev").unwrap()), None);
        assert!(token.usable(now));
        assert_eq!(
            token.refusal(now + chrono::Duration::days(30)),
            Some("this API token has expired")
        );
        let revoked = ApiToken {
            revoked_at: Some(now),
            ..token
        };
        assert_eq!(revoked.refusal(now), Some("this API token was revoked"));
    }

    #[test]
    fn only_admins_of_every_covered_environment_manage_tokens() {
        let all = envs();
        let person = |grants: RoleGrants, method| Principal {
            id: PersonId::dev("p").unwrap(),
            name: "p".into(),
            method,
            grants,
            groups: vec![],
        };
        let root = person(RoleGrants::everywhere(Role::Admin), AuthMethod::Oidc);
        let prod_admin = person(
            RoleGrants {
                everywhere: Some(Role::Viewer),
                per_env: [(EnvId::parse("prod").unwrap(), Role::Admin)].into(),
            },
            AuthMethod::Oidc,
        );
        let prod_only = Some(vec![EnvId::parse("prod").unwrap()]);
        assert!(may_manage(&root, &None, &all));
        assert!(may_manage(&prod_admin, &prod_only, &all));
        assert!(!may_manage(&prod_admin, &None, &all));
        assert!(!may_manage(&prod_admin, &Some(all.clone()), &all));
        let via_token = person(RoleGrants::everywhere(Role::Admin), AuthMethod::Token);
        assert!(!may_manage(&via_token, &None, &all));
    }
}
