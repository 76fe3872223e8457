//! The one authorisation policy: who may do what in which environment. The server calls it before
//! every server function and route; the UI calls the same function to hide what a user may not do.

use super::ids::EnvId;
use super::person::PersonId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Roles are ordered: each one includes everything the ones before it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
    Approver,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Operator, Role::Approver, Role::Admin];

    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "approver" => Ok(Role::Approver),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role {other:?}: expected viewer, operator, approver or admin"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the principal proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// The demo's dev sign-in (loopback only).
    Dev,
    /// Company SSO.
    Oidc,
    /// An API token (automation): never approves.
    Token,
}

/// The roles a principal holds: one for every environment (`*`) and per-environment grants.
/// The effective role in an environment is the highest of the two.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrants {
    pub everywhere: Option<Role>,
    pub per_env: BTreeMap<EnvId, Role>,
}

impl RoleGrants {
    pub fn everywhere(role: Role) -> Self {
        Self {
            everywhere: Some(role),
            per_env: BTreeMap::new(),
        }
    }

    pub fn role_in(&self, env: &EnvId) -> Option<Role> {
        let specific = self.per_env.get(env).copied();
        match (self.everywhere, specific) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.everywhere.is_none() && self.per_env.is_empty()
    }
}

/// A signed-in person: who they are (`id`, what the console compares) and what to call them
/// (`name`, for showing only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub id: PersonId,
    /// The display name: never compared, two people may share one.
    pub name: String,
    pub method: AuthMethod,
    pub grants: RoleGrants,
    /// Identity-provider groups (empty for the dev sign-in).
    #[serde(default)]
    pub groups: Vec<String>,
}

/// Everything that can be asked of the console, for the policy to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Read inventory, alarms and charts of an environment.
    View,
    /// Ask for a fresh inventory of an environment now.
    Refresh,
    Scale,
    Deploy,
    Rollback,
    Redeploy,
    Snapshot,
    MuteAlarm,
    /// Move a dead-letter queue's messages back to their source, or stop that.
    Redrive,
    /// Delete every message of a queue.
    Purge,
    /// Pause or resume the event source mappings that feed functions.
    PauseConsumers,
    /// Point a function's alias at a version, or roll it back.
    ShiftAlias,
    /// Set a function's reserved concurrency.
    SetConcurrency,
    /// Run a scheduled job now.
    RunJob,
    /// Enable or disable a scheduled job.
    SwitchJob,
    /// Set an EC2 Auto Scaling group's desired capacity or bounds.
    ResizeGroup,
    /// Replace an EC2 Auto Scaling group's instances (an instance refresh).
    RefreshInstances,
    /// Acknowledge, assign, annotate and resolve incidents.
    RespondIncident,
    /// Read logs (the least role is the environment's `[environments.logs] read_role`).
    ReadLogs,
}

impl Action {
    pub fn required_role(self) -> Role {
        match self {
            Action::View | Action::Refresh | Action::ReadLogs => Role::Viewer,
            Action::Scale
            | Action::Deploy
            | Action::Rollback
            | Action::Redeploy
            | Action::Snapshot
            | Action::MuteAlarm
            | Action::Redrive
            | Action::Purge
            | Action::PauseConsumers
            | Action::ShiftAlias
            | Action::SetConcurrency
            | Action::RunJob
            | Action::SwitchJob
            | Action::ResizeGroup
            | Action::RefreshInstances
            | Action::RespondIncident => Role::Operator,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Refresh => "refresh",
            Action::Scale => "scale services",
            Action::Deploy => "deploy",
            Action::Rollback => "roll back",
            Action::Redeploy => "force a new deployment",
            Action::Snapshot => "snapshot databases",
            Action::MuteAlarm => "mute alarms",
            Action::Redrive => "redrive dead-letter queues",
            Action::Purge => "purge queues",
            Action::PauseConsumers => "pause and resume queue consumers",
            Action::ShiftAlias => "point function aliases at versions",
            Action::SetConcurrency => "set function concurrency",
            Action::RunJob => "run scheduled jobs",
            Action::SwitchJob => "enable and disable scheduled jobs",
            Action::ResizeGroup => "resize Auto Scaling groups",
            Action::RefreshInstances => "refresh Auto Scaling groups' instances",
            Action::RespondIncident => "respond to incidents",
            Action::ReadLogs => "read logs",
        }
    }
}

/// Why the policy said no, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Denied {
    #[error("you have no role in environment {env}")]
    NoRole { env: EnvId },
    #[error("you need the {required} role in {env} to {action}; you are {held}")]
    RoleTooLow {
        env: EnvId,
        action: String,
        required: Role,
        held: Role,
    },
}

/// Decides whether `principal` may perform `action` in `env`.
pub fn authorize(principal: &Principal, action: Action, env: &EnvId) -> Result<(), Denied> {
    authorize_at(principal, action, env, action.required_role())
}

/// Decides whether `principal` may perform `action` in `env`, where the environment asks for at
/// least `required` (its own minimum, as for reading logs).
pub fn authorize_at(
    principal: &Principal,
    action: Action,
    env: &EnvId,
    required: Role,
) -> Result<(), Denied> {
    let Some(held) = principal.grants.role_in(env) else {
        return Err(Denied::NoRole { env: env.clone() });
    };
    if held >= required {
        Ok(())
    } else {
        Err(Denied::RoleTooLow {
            env: env.clone(),
            action: action.describe().to_string(),
            required,
            held,
        })
    }
}

/// Where a group's role applies: every environment (`*`) or the listed ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnvScope {
    All,
    Only(Vec<EnvId>),
}

/// One line of the config's group → role mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRole {
    pub group: String,
    pub role: Role,
    pub scope: EnvScope,
}

/// The roles a person holds given their identity-provider groups: in each environment, the
/// highest role any of their groups grants there. Group names match exactly.
pub fn grants_for_groups(groups: &[String], mappings: &[GroupRole]) -> RoleGrants {
    let mut grants = RoleGrants::default();
    for mapping in mappings.iter().filter(|m| groups.contains(&m.group)) {
        match &mapping.scope {
            EnvScope::All => {
                grants.everywhere = Some(
                    grants
                        .everywhere
                        .map_or(mapping.role, |r| r.max(mapping.role)),
                );
            }
            EnvScope::Only(envs) => {
                for env in envs {
                    let entry = grants.per_env.entry(env.clone()).or_insert(mapping.role);
                    *entry = (*entry).max(mapping.role);
                }
            }
        }
    }
    grants
}

/// The groups that would give someone access, for the "ask your admin" page.
pub fn groups_with_access(mappings: &[GroupRole]) -> Vec<String> {
    let mut groups: Vec<String> = mappings.iter().map(|m| m.group.clone()).collect();
    groups.sort();
    groups.dedup();
    groups
}

/// Whether this person may set on-call overrides on some rotation: an admin anywhere (each
/// rotation then asks [`may_change_rotation`]).
pub fn may_manage_oncall(principal: &Principal) -> bool {
    principal.grants.everywhere == Some(Role::Admin)
        || principal.grants.per_env.values().any(|r| *r == Role::Admin)
}

/// Whether this person may change who covers a rotation that answers incidents in
/// `environments`: the admin role in every one of them, so an admin of one environment cannot
/// re-route the pages of another. A rotation that names no environment needs an admin of all.
pub fn may_change_rotation(principal: &Principal, environments: &[String]) -> bool {
    if environments.is_empty() {
        return principal.grants.everywhere == Some(Role::Admin);
    }
    environments.iter().all(|env| {
        EnvId::parse(env).is_ok_and(|id| principal.grants.role_in(&id) == Some(Role::Admin))
    })
}

/// True when the principal may at least see something somewhere.
pub fn has_any_access(principal: &Principal) -> bool {
    !principal.grants.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(id: &str) -> EnvId {
        EnvId::parse(id).unwrap_or_else(|e| panic!("{e}"))
    }

    fn principal(everywhere: Option<Role>, per_env: &[(&str, Role)]) -> Principal {
        Principal {
            id: PersonId::system("test"),
            name: "ana".into(),
            method: AuthMethod::Dev,
            grants: RoleGrants {
                everywhere,
                per_env: per_env.iter().map(|(e, r)| (env(e), *r)).collect(),
            },
            groups: vec![],
        }
    }

    /// Grant everywhere, per-environment grants, action, environment, allowed.
    type Case = (
        Option<Role>,
        &'static [(&'static str, Role)],
        Action,
        &'static str,
        bool,
    );

    #[test]
    fn a_rotation_is_changed_only_by_an_admin_of_every_environment_it_answers() {
        use Role::*;
        let both = ["staging".to_string(), "prod".to_string()];
        /// Grant everywhere, per-environment grants, the rotation's environments, allowed.
        type Row<'a> = (Option<Role>, &'a [(&'a str, Role)], &'a [String], bool);
        let table: &[Row<'_>] = &[
            (Some(Admin), &[], &both, true),
            (None, &[("staging", Admin), ("prod", Admin)], &both, true),
            (None, &[("staging", Admin)], &both, false),
            (
                None,
                &[("staging", Admin), ("prod", Approver)],
                &both,
                false,
            ),
            (Some(Approver), &[("staging", Admin)], &both, false),
            (None, &[("staging", Admin)], &both[..1], true),
            (Some(Admin), &[], &[], true),
            (None, &[("staging", Admin), ("prod", Admin)], &[], false),
        ];
        for (everywhere, per_env, envs, expected) in table {
            assert_eq!(
                may_change_rotation(&principal(*everywhere, per_env), envs),
                *expected,
                "{everywhere:?} {per_env:?} over {envs:?}"
            );
        }
    }

    #[test]
    fn policy_table() {
        use Action::*;
        use Role::*;
        let cases: &[Case] = &[
            (Some(Viewer), &[], View, "prod", true),
            (Some(Viewer), &[], Refresh, "prod", true),
            (Some(Viewer), &[], Scale, "prod", false),
            (Some(Operator), &[], Scale, "prod", true),
            (Some(Approver), &[], Deploy, "dev", true),
            (Some(Admin), &[], MuteAlarm, "staging", true),
            (None, &[("dev", Operator)], Scale, "dev", true),
            (None, &[("dev", Operator)], Scale, "prod", false),
            (None, &[("dev", Operator)], View, "prod", false),
            (Some(Viewer), &[("dev", Admin)], Deploy, "dev", true),
            (Some(Operator), &[("dev", Viewer)], Deploy, "dev", true),
            (None, &[], View, "dev", false),
        ];
        for (everywhere, per_env, action, env_id, allowed) in cases {
            let p = principal(*everywhere, per_env);
            assert_eq!(
                authorize(&p, *action, &env(env_id)).is_ok(),
                *allowed,
                "{everywhere:?} {per_env:?} {action:?} in {env_id}"
            );
        }
    }

    #[test]
    fn an_environment_may_ask_more_than_viewer_to_read_logs() {
        use Role::*;
        let table: &[(Role, Role, bool)] = &[
            (Viewer, Viewer, true),
            (Viewer, Operator, false),
            (Operator, Operator, true),
            (Admin, Approver, true),
        ];
        for (held, required, allowed) in table {
            let p = principal(Some(*held), &[]);
            assert_eq!(
                authorize_at(&p, Action::ReadLogs, &env("prod"), *required).is_ok(),
                *allowed,
                "{held:?} against {required:?}"
            );
        }
        let denied = authorize_at(
            &principal(Some(Viewer), &[]),
            Action::ReadLogs,
            &env("prod"),
            Operator,
        );
        assert_eq!(
            denied.err().map(|d| d.to_string()).as_deref(),
            Some("you need the operator role in prod to read logs; you are viewer")
        );
    }

    #[test]
    fn denial_explains_what_is_missing() {
        let p = principal(Some(Role::Viewer), &[]);
        let denied = authorize(&p, Action::Scale, &env("prod"));
        assert_eq!(
            denied.err().map(|d| d.to_string()).as_deref(),
            Some("you need the operator role in prod to scale services; you are viewer")
        );
    }

    #[test]
    fn roles_parse_case_insensitively_and_refuse_unknown() {
        assert_eq!(Role::parse("Operator"), Ok(Role::Operator));
        assert!(Role::parse("root").is_err());
        assert!(Role::Viewer < Role::Operator && Role::Approver < Role::Admin);
    }

    fn mapping(group: &str, role: Role, envs: Option<&[&str]>) -> GroupRole {
        GroupRole {
            group: group.into(),
            role,
            scope: match envs {
                None => EnvScope::All,
                Some(envs) => EnvScope::Only(envs.iter().map(|e| env(e)).collect()),
            },
        }
    }

    #[test]
    fn groups_map_to_the_highest_role_per_environment() {
        let mappings = vec![
            mapping("engineers", Role::Viewer, None),
            mapping(
                "payments-oncall",
                Role::Operator,
                Some(&["staging", "prod"]),
            ),
            mapping("release-managers", Role::Approver, Some(&["prod"])),
            mapping("platform", Role::Admin, None),
        ];
        let groups = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let table: &[(&[&str], &str, Option<Role>)] = &[
            (&["engineers"], "dev", Some(Role::Viewer)),
            (&["engineers", "payments-oncall"], "dev", Some(Role::Viewer)),
            (
                &["engineers", "payments-oncall"],
                "prod",
                Some(Role::Operator),
            ),
            (
                &["payments-oncall", "release-managers"],
                "prod",
                Some(Role::Approver),
            ),
            (&["payments-oncall"], "dev", None),
            (&["platform", "engineers"], "prod", Some(Role::Admin)),
            (&["strangers"], "prod", None),
            (&[], "prod", None),
            (&["Engineers"], "dev", None),
        ];
        for (user_groups, env_id, expected) in table {
            let grants = grants_for_groups(&groups(user_groups), &mappings);
            assert_eq!(
                grants.role_in(&env(env_id)),
                *expected,
                "{user_groups:?} in {env_id}"
            );
        }
        assert_eq!(
            groups_with_access(&mappings),
            [
                "engineers",
                "payments-oncall",
                "platform",
                "release-managers"
            ]
        );
    }

    #[test]
    fn no_grants_means_no_access() {
        assert!(!has_any_access(&principal(None, &[])));
        assert!(has_any_access(&principal(None, &[("dev", Role::Viewer)])));
    }
}
