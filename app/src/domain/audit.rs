//! The audit log as people query it: filters parsed from the URL (actor, environment, kind,
//! outcome, time range, page), who may see which entries, and CSV rendering for exports.

use super::ids::EnvId;
use super::policy::{authorize, Action, Principal, Role};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: u32 = 50;
pub const OUTCOMES: [&str; 12] = [
    "requested",
    "succeeded",
    "failed",
    "checking",
    "unknown",
    "denied",
    "refused",
    "rollout_completed",
    "rolled_back",
    "rollout_failed",
    "rollout_replaced",
    "rollout_stuck",
];

/// One stored audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The actor's name, for showing.
    pub actor: String,
    /// Who the actor is (`oidc:<issuer>#<sub>`, `dev:<name>`, `system:quarterdeck`;
    /// `legacy:<name>` for entries written before people had ids).
    #[serde(default)]
    pub actor_id: String,
    pub kind: String,
    pub env: Option<String>,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The API token (id) the request came with.
    #[serde(default)]
    pub token_id: Option<i64>,
    /// The token's door as people read it (`API token ci-prod for ci-bot`); `actor` is the
    /// person who answers for it.
    #[serde(default)]
    pub via: Option<String>,
}

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditKind {
    Login,
    Logout,
    /// A request the policy refused.
    Denied,
    /// An operator action (its intent and its outcome).
    Action(super::actions::ActionKind),
    ReleaseApprove,
    ReleaseReject,
    ReleaseCancel,
    ReleaseBreakGlass,
    ReleaseExecute,
    ReleaseExpire,
    TokenCreate,
    TokenRevoke,
    TokenList,
    IncidentOpen,
    IncidentReopen,
    IncidentEscalate,
    IncidentAck,
    IncidentAssign,
    IncidentNote,
    IncidentResolve,
    OncallOverride,
    OncallOverrideRemoved,
    /// An admin read who is signed in (recorded when refused).
    SessionList,
    /// An admin ended every session of a person.
    SessionsEnd,
    /// An admin read the webhook outbox (recorded when refused).
    WebhookList,
    /// An admin had a webhook notice tried again at once.
    WebhookRetry,
    /// Someone read a service's logs (a page of them, or a download): the group, filter and range.
    LogsRead,
    /// Someone ran a Logs Insights query.
    LogsQuery,
    /// Someone started following a service's logs.
    LogsFollow,
}

impl AuditKind {
    /// The word stored and filtered on.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Login => "login",
            AuditKind::Logout => "logout",
            AuditKind::Denied => "denied",
            AuditKind::Action(kind) => kind.as_str(),
            AuditKind::ReleaseApprove => "release_approve",
            AuditKind::ReleaseReject => "release_reject",
            AuditKind::ReleaseCancel => "release_cancel",
            AuditKind::ReleaseBreakGlass => "release_break_glass",
            AuditKind::ReleaseExecute => "release_execute",
            AuditKind::ReleaseExpire => "release_expire",
            AuditKind::TokenCreate => "token_create",
            AuditKind::TokenRevoke => "token_revoke",
            AuditKind::TokenList => "token_list",
            AuditKind::IncidentOpen => "incident_open",
            AuditKind::IncidentReopen => "incident_reopen",
            AuditKind::IncidentEscalate => "incident_escalate",
            AuditKind::IncidentAck => "incident_ack",
            AuditKind::IncidentAssign => "incident_assign",
            AuditKind::IncidentNote => "incident_note",
            AuditKind::IncidentResolve => "incident_resolve",
            AuditKind::OncallOverride => "oncall_override",
            AuditKind::OncallOverrideRemoved => "oncall_override_removed",
            AuditKind::SessionList => "session_list",
            AuditKind::SessionsEnd => "sessions_end",
            AuditKind::WebhookList => "webhook_list",
            AuditKind::WebhookRetry => "webhook_retry",
            AuditKind::LogsRead => "logs_read",
            AuditKind::LogsQuery => "logs_query",
            AuditKind::LogsFollow => "logs_follow",
        }
    }
}

/// How the step an audit entry records ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditOutcome {
    /// An action's intent, recorded before AWS is called.
    Requested,
    Succeeded,
    Failed,
    Denied,
    /// A gated action became a release request.
    ApprovalRequested,
    Approved,
    Rejected,
    Cancelled,
    Executing,
    BreakGlass,
    Expired,
    /// AWS gave an action no clear answer and the resource did not show the change yet.
    Checking,
    /// An action settled without knowing whether AWS made the change.
    Unknown,
    /// The rollout an action set off ended as asked.
    RolloutCompleted,
    /// ECS failed the action's deployment and moved the service back.
    RolledBack,
    /// ECS failed the action's deployment and left it.
    RolloutFailed,
    /// Another change took over before the action's rollout finished.
    RolloutReplaced,
    /// The action's rollout did not finish by the timeout.
    RolloutStuck,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Requested => "requested",
            AuditOutcome::Succeeded => "succeeded",
            AuditOutcome::Failed => "failed",
            AuditOutcome::Denied => "denied",
            AuditOutcome::ApprovalRequested => "approval_requested",
            AuditOutcome::Approved => "approved",
            AuditOutcome::Rejected => "rejected",
            AuditOutcome::Cancelled => "cancelled",
            AuditOutcome::Executing => "executing",
            AuditOutcome::BreakGlass => "break_glass",
            AuditOutcome::Expired => "expired",
            AuditOutcome::Checking => "checking",
            AuditOutcome::Unknown => "unknown",
            AuditOutcome::RolloutCompleted => "rollout_completed",
            AuditOutcome::RolledBack => "rolled_back",
            AuditOutcome::RolloutFailed => "rollout_failed",
            AuditOutcome::RolloutReplaced => "rollout_replaced",
            AuditOutcome::RolloutStuck => "rollout_stuck",
        }
    }
}

/// One audit record to write: who did what, where, with which outcome, from where, and the API
/// token the request came with. Made from the caller by [`AuditEntry::new`], the only
/// constructor, so every entry point records the same facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The actor's name, for showing.
    pub actor: String,
    /// Who the actor is.
    pub actor_id: super::person::PersonId,
    pub kind: AuditKind,
    pub env: Option<String>,
    pub target: Option<String>,
    pub outcome: AuditOutcome,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The API token (id) the request came with.
    pub token_id: Option<i64>,
    /// The API token's name and the service account it is for, beside the person in `actor`.
    pub via: Option<String>,
}

impl AuditEntry {
    /// An entry for `caller`: its name and id, address, user agent and token.
    pub fn new(caller: &super::caller::Caller, kind: AuditKind, outcome: AuditOutcome) -> Self {
        Self {
            actor: caller.name().to_string(),
            actor_id: caller.id().clone(),
            kind,
            env: None,
            target: None,
            outcome,
            detail: None,
            ip: caller.ip.clone(),
            user_agent: caller.user_agent.clone(),
            token_id: caller.token().map(|(id, _)| id),
            via: caller.via(),
        }
    }

    pub fn env(mut self, env: impl Into<String>) -> Self {
        self.env = Some(env.into());
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn maybe_detail(mut self, detail: Option<String>) -> Self {
        self.detail = detail;
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub env: Option<EnvId>,
    pub kind: Option<String>,
    pub outcome: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// 1-based.
    pub page: u32,
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// `2026-11-22` (start of that day, UTC) or a full RFC 3339 time.
fn parse_time(what: &str, text: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{what} {text:?} is not a date (2026-11-22) or an RFC 3339 time"))?;
    let time = if end_of_day {
        day.and_hms_opt(23, 59, 59)
    } else {
        day.and_hms_opt(0, 0, 0)
    };
    time.map(|t| t.and_utc())
        .ok_or_else(|| format!("{what} {text:?} is not a valid date"))
}

impl AuditFilter {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        actor: Option<&str>,
        env: Option<&str>,
        kind: Option<&str>,
        outcome: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        page: Option<&str>,
    ) -> Result<Self, String> {
        let actor = non_empty(actor).map(str::to_string);
        // A name or a person id (an issuer URL and a `sub` can be long).
        let max = super::person::PERSON_ID_MAX;
        if actor.as_ref().is_some_and(|a| a.chars().count() > max) {
            return Err(format!("the actor filter is longer than {max} characters"));
        }
        let env = non_empty(env)
            .map(EnvId::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        let kind = non_empty(kind).map(str::to_string);
        if kind
            .as_ref()
            .is_some_and(|k| k.len() > 40 || !k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        {
            return Err("the kind filter is a word such as login, scale or snapshot".into());
        }
        let outcome = non_empty(outcome).map(str::to_string);
        if let Some(o) = &outcome {
            if !OUTCOMES.contains(&o.as_str()) {
                return Err(format!(
                    "unknown outcome {o:?}: expected one of {}",
                    OUTCOMES.join(", ")
                ));
            }
        }
        let from = non_empty(from)
            .map(|t| parse_time("from", t, false))
            .transpose()?;
        let to = non_empty(to)
            .map(|t| parse_time("to", t, true))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err("the time range ends before it starts".into());
            }
        }
        let page = match non_empty(page) {
            None => 1,
            Some(p) => p
                .parse::<u32>()
                .ok()
                .filter(|p| (1..=100_000).contains(p))
                .ok_or_else(|| format!("page {p:?} is not a page number"))?,
        };
        Ok(Self {
            actor,
            env,
            kind,
            outcome,
            from,
            to,
            page,
        })
    }

    /// The query string for these filters, without the page (for export links and paging).
    pub fn to_query(&self) -> String {
        use super::alarm_filter::encode;
        let mut parts = Vec::new();
        if let Some(a) = &self.actor {
            parts.push(format!("actor={}", encode(a)));
        }
        if let Some(e) = &self.env {
            parts.push(format!("env={e}"));
        }
        if let Some(k) = &self.kind {
            parts.push(format!("kind={k}"));
        }
        if let Some(o) = &self.outcome {
            parts.push(format!("outcome={o}"));
        }
        if let Some(f) = self.from {
            parts.push(format!("from={}", encode(&f.to_rfc3339())));
        }
        if let Some(t) = self.to {
            parts.push(format!("to={}", encode(&t.to_rfc3339())));
        }
        parts.join("&")
    }
}

/// Admins see every entry; others see the entries of environments they may view (not sign-ins
/// or other people's entries without an environment, except their own: the actor's id is
/// theirs, whatever either is called).
pub fn may_see(principal: &Principal, entry_env: Option<&str>, entry_actor_id: &str) -> bool {
    if principal.grants.everywhere == Some(Role::Admin) {
        return true;
    }
    match entry_env.and_then(|e| EnvId::parse(e).ok()) {
        Some(env) => authorize(principal, Action::View, &env).is_ok(),
        None => entry_actor_id == principal.id.as_str(),
    }
}

/// The environments whose entries `principal` may see, or `None` for all (admins).
pub fn visible_envs(principal: &Principal, envs: &[EnvId]) -> Option<Vec<EnvId>> {
    if principal.grants.everywhere == Some(Role::Admin) {
        return None;
    }
    Some(
        envs.iter()
            .filter(|e| authorize(principal, Action::View, e).is_ok())
            .cloned()
            .collect(),
    )
}

/// Characters that make a spreadsheet read a cell as a formula when a field starts with them:
/// `= + - @`, and tab, carriage return and line feed, which spreadsheets skip before looking
/// (OWASP, "CSV Injection").
const FORMULA_LEADS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// One CSV field, quoted when needed (RFC 4180), with formula-leading characters neutralised so
/// a spreadsheet never runs AWS-sourced text.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(FORMULA_LEADS) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

pub const CSV_HEADER: &str = "id,at,actor,actor_id,kind,env,target,outcome,detail,ip,user_agent";

pub fn csv_line(row: &AuditRow) -> String {
    [
        row.id.to_string(),
        row.at.to_rfc3339(),
        row.actor.clone(),
        row.actor_id.clone(),
        row.kind.clone(),
        row.env.clone().unwrap_or_default(),
        row.target.clone().unwrap_or_default(),
        row.outcome.clone(),
        row.detail.clone().unwrap_or_default(),
        row.ip.clone().unwrap_or_default(),
        row.user_agent.clone().unwrap_or_default(),
    ]
    .iter()
    .map(|f| csv_field(f))
    .collect::<Vec<_>>()
    .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::{AuthMethod, RoleGrants};

    fn person(everywhere: Option<Role>, per_env: &[(&str, Role)]) -> Principal {
        Principal {
            id: crate::domain::person::PersonId::dev("ana").unwrap(),
            name: "ana".into(),
            method: AuthMethod::Oidc,
            grants: RoleGrants {
                everywhere,
                per_env: per_env
                    .iter()
                    .map(|(e, r)| (EnvId::parse(e).unwrap(), *r))
                    .collect(),
            },
            groups: vec![],
        }
    }

    #[test]
    fn filters_parse_and_refuse_bad_values() {
        let f = AuditFilter::parse(
            Some("ana"),
            Some("prod"),
            Some("scale"),
            Some("failed"),
            Some("2026-11-01"),
            Some("2026-11-22"),
            Some("3"),
        )
        .unwrap();
        assert_eq!(f.page, 3);
        assert_eq!(f.from.unwrap().to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(f.to.unwrap().to_rfc3339(), "2026-11-22T23:59:59+00:00");
        assert_eq!(
            f.to_query(),
            "actor=ana&env=prod&kind=scale&outcome=failed&from=2026-11-01T00%3A00%3A00%2B00%3A00&to=2026-11-22T23%3A59%3A59%2B00%3A00"
        );
        let bad: &[(&[Option<&str>; 7], &str)] = &[
            (
                &[None, Some("Prod"), None, None, None, None, None],
                "environment id",
            ),
            (
                &[None, None, Some("DROP TABLE"), None, None, None, None],
                "kind filter",
            ),
            (
                &[None, None, None, Some("maybe"), None, None, None],
                "unknown outcome",
            ),
            (
                &[None, None, None, None, Some("yesterday"), None, None],
                "not a date",
            ),
            (
                &[
                    None,
                    None,
                    None,
                    None,
                    Some("2026-11-22"),
                    Some("2026-11-01"),
                    None,
                ],
                "ends before",
            ),
            (&[None, None, None, None, None, None, Some("0")], "page"),
            (&[None, None, None, None, None, None, Some("x")], "page"),
        ];
        for (args, needle) in bad {
            let err = AuditFilter::parse(
                args[0], args[1], args[2], args[3], args[4], args[5], args[6],
            )
            .unwrap_err();
            assert!(err.contains(needle), "{args:?}: {err}");
        }
        assert_eq!(
            AuditFilter::parse(None, None, None, None, None, None, None)
                .unwrap()
                .page,
            1
        );
    }

    #[test]
    fn who_sees_which_entries() {
        let admin = person(Some(Role::Admin), &[]);
        let prod_operator = person(None, &[("prod", Role::Operator)]);
        let table = [
            (&admin, Some("dev"), "bob", true),
            (&admin, None, "bob", true),
            (&prod_operator, Some("prod"), "bob", true),
            (&prod_operator, Some("dev"), "bob", false),
            (&prod_operator, None, "dev:bob", false),
            (&prod_operator, None, "dev:ana", true),
            // Someone else who is also called ana.
            (&prod_operator, None, "oidc:https://idp.example#u-2", false),
        ];
        for (who, env, actor, expected) in table {
            assert_eq!(may_see(who, env, actor), expected, "{env:?} {actor}");
        }
        let envs = [EnvId::parse("dev").unwrap(), EnvId::parse("prod").unwrap()];
        assert_eq!(visible_envs(&admin, &envs), None);
        assert_eq!(
            visible_envs(&prod_operator, &envs),
            Some(vec![EnvId::parse("prod").unwrap()])
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("-1", "'-1"),
            ("+1", "'+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("line\nbreak", "\"line\nbreak\""),
            ("\t=1+2", "'\t=1+2"),
            ("\r=1+2", "\"'\r=1+2\""),
            ("\n=1+2", "\"'\n=1+2\""),
            ("\t\t@cmd", "'\t\t@cmd"),
            ("a\t=1", "a\t=1"),
            (" =1", " =1"),
        ];
        for (input, expected) in cases {
            assert_eq!(csv_field(input), expected, "{input}");
        }
    }
}
