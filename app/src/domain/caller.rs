//! Who asks a use case to act, and through which door: a person on a page, a person's API token,
//! or one of the console's own background jobs. Every use case takes its caller as an argument,
//! so the audit row it writes names the person, the client's address and user agent, and the
//! token, whatever the entry point.

use super::person::PersonId;
use super::policy::{AuthMethod, Principal, RoleGrants};
use super::tokens::ApiToken;
use serde::{Deserialize, Serialize};

/// The name the console's own steps are recorded under (the release sweep, the alarm poller).
pub const SYSTEM_ACTOR: &str = "quarterdeck";

/// The entry point a request came through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    /// A page or a form of the web console (a server function), signed in with a session.
    Page,
    /// The automation API, with the API token `id` named `name`, labelled for the service
    /// account `service`; the principal is the token's creator.
    ApiToken {
        id: i64,
        name: String,
        service: String,
    },
    /// A background job of the console itself, e.g. `release sweep` or `alarm poller`.
    Job(&'static str),
}

/// The caller of a use case: who, from where, through which channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub principal: Principal,
    /// The client's address as the server saw it.
    pub ip: Option<String>,
    /// The client's user agent, at most 300 characters.
    pub user_agent: Option<String>,
    pub channel: Channel,
}

/// How much of a user agent is kept.
pub const USER_AGENT_CHARS: usize = 300;

impl Caller {
    /// A person on a page.
    pub fn page(principal: Principal, ip: Option<String>, user_agent: Option<&str>) -> Self {
        Self {
            principal,
            ip,
            user_agent: user_agent.map(clip_user_agent),
            channel: Channel::Page,
        }
    }

    /// A request of the automation API carrying `token`: it acts as the token's creator.
    pub fn api(token: &ApiToken, ip: Option<String>, user_agent: Option<&str>) -> Self {
        Self {
            principal: token.principal(),
            ip,
            user_agent: user_agent.map(clip_user_agent),
            channel: Channel::ApiToken {
                id: token.id,
                name: token.name.clone(),
                service: token.owner.clone(),
            },
        }
    }

    /// The console's own background job `job`: it acts as [`SYSTEM_ACTOR`], holds no role and
    /// comes from no address.
    pub fn job(job: &'static str) -> Self {
        Self {
            principal: Principal {
                id: PersonId::system(SYSTEM_ACTOR),
                name: SYSTEM_ACTOR.to_string(),
                method: AuthMethod::Dev,
                grants: RoleGrants::default(),
                groups: Vec::new(),
            },
            ip: None,
            user_agent: None,
            channel: Channel::Job(job),
        }
    }

    /// Someone who has not (yet) proved who they are, e.g. a failed sign-in: recorded as
    /// `unknown`, holding no role.
    pub fn unknown(ip: Option<String>, user_agent: Option<&str>) -> Self {
        Self::page(
            Principal {
                id: PersonId::unknown(),
                name: "unknown".to_string(),
                method: AuthMethod::Oidc,
                grants: RoleGrants::default(),
                groups: Vec::new(),
            },
            ip,
            user_agent,
        )
    }

    /// The console's own background job `job` taking a step for the person `id` called `name`
    /// (an approved release runs as its requester): the audit names the person, with no address.
    pub fn job_for(job: &'static str, name: &str, id: &PersonId) -> Self {
        let mut caller = Self::job(job);
        caller.principal.name = name.to_string();
        caller.principal.id = id.clone();
        caller
    }

    /// The name recorded as the actor, for showing.
    pub fn name(&self) -> &str {
        &self.principal.name
    }

    /// Who the actor is: what the console compares and stores beside the name.
    pub fn id(&self) -> &PersonId {
        &self.principal.id
    }

    /// The API token the request came with, if any.
    pub fn token(&self) -> Option<(i64, &str)> {
        match &self.channel {
            Channel::ApiToken { id, name, .. } => Some((*id, name.as_str())),
            _ => None,
        }
    }

    /// How the audit log names the door a token's request came through, beside the person who
    /// answers for it: `API token ci-prod for ci-bot`.
    pub fn via(&self) -> Option<String> {
        match &self.channel {
            Channel::ApiToken { name, service, .. } => {
                Some(format!("API token {name} for {service}"))
            }
            _ => None,
        }
    }

    /// A background job, not a person.
    pub fn is_job(&self) -> bool {
        matches!(self.channel, Channel::Job(_))
    }
}

/// A user agent as kept in the audit log: its first [`USER_AGENT_CHARS`] characters.
pub fn clip_user_agent(agent: &str) -> String {
    agent.chars().take(USER_AGENT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Role;
    use chrono::TimeZone;

    fn ana() -> Principal {
        Principal {
            id: PersonId::dev("ana").unwrap(),
            name: "ana".into(),
            method: AuthMethod::Oidc,
            grants: RoleGrants::everywhere(Role::Operator),
            groups: vec![],
        }
    }

    fn ci_token() -> ApiToken {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
            .unwrap();
        ApiToken {
            id: 7,
            name: "ci".into(),
            owner: "ci-bot".into(),
            envs: None,
            role: Role::Operator,
            created_by: "ana".into(),
            created_by_id: PersonId::dev("ana").unwrap(),
            created_at: at,
            expires_at: at + chrono::Duration::days(30),
            revoked_at: None,
            last_used_at: None,
        }
    }

    #[test]
    fn callers_say_where_they_came_from() {
        let long = "x".repeat(400);
        let table = [
            (
                Caller::page(ana(), Some("10.0.0.1".into()), Some("Firefox")),
                "ana",
                Some("10.0.0.1"),
                Some("Firefox".to_string()),
                None,
                false,
            ),
            (
                Caller::api(&ci_token(), None, Some(&long)),
                "ana",
                None,
                Some("x".repeat(300)),
                Some((7, "ci")),
                false,
            ),
            (
                Caller::job("release sweep"),
                SYSTEM_ACTOR,
                None,
                None,
                None,
                true,
            ),
        ];
        for (caller, name, ip, agent, token, job) in table {
            assert_eq!(caller.name(), name);
            let id = if job {
                PersonId::system(SYSTEM_ACTOR)
            } else {
                PersonId::dev("ana").unwrap()
            };
            assert_eq!(caller.id(), &id, "{name}");
            assert_eq!(caller.ip.as_deref(), ip);
            assert_eq!(caller.user_agent, agent);
            assert_eq!(caller.token(), token);
            assert_eq!(caller.is_job(), job);
        }
        assert!(Caller::job("x").principal.grants.is_empty());
        let api = Caller::api(&ci_token(), None, None);
        assert_eq!(api.principal.method, AuthMethod::Token);
        assert_eq!(api.via().as_deref(), Some("API token ci for ci-bot"));
        assert_eq!(Caller::page(ana(), None, None).via(), None);
        let ana_id = PersonId::dev("ana").unwrap();
        let for_ana = Caller::job_for("release executor", "ana", &ana_id);
        assert_eq!((for_ana.name(), for_ana.id()), ("ana", &ana_id));
        assert!(for_ana.is_job() && for_ana.principal.grants.is_empty());
    }
}
