//! The production approval gate as pure rules: the policy of an environment (how many approvals,
//! from which role, expiry, freeze windows, which actions are gated), the release request's
//! states, and the decisions that move it — who may approve, reject, cancel or break glass, and
//! whether an approved request may run now. Time is always a parameter.

use super::actions::ActionKind;
use super::change::Change;
use super::chat::neutralise_mentions;
use super::local_time::local_instant;
use super::person::PersonId;
use super::policy::Role;
use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a release request stands. `Requested → Approved → Executing → Succeeded | Failed`;
/// `Requested → Rejected`; `Requested | Approved → Cancelled | Expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseState {
    Requested,
    Approved,
    Executing,
    Succeeded,
    Failed,
    Rejected,
    Cancelled,
    Expired,
}

impl ReleaseState {
    pub const ALL: [ReleaseState; 8] = [
        ReleaseState::Requested,
        ReleaseState::Approved,
        ReleaseState::Executing,
        ReleaseState::Succeeded,
        ReleaseState::Failed,
        ReleaseState::Rejected,
        ReleaseState::Cancelled,
        ReleaseState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseState::Requested => "requested",
            ReleaseState::Approved => "approved",
            ReleaseState::Executing => "executing",
            ReleaseState::Succeeded => "succeeded",
            ReleaseState::Failed => "failed",
            ReleaseState::Rejected => "rejected",
            ReleaseState::Cancelled => "cancelled",
            ReleaseState::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|s| s.as_str()).collect();
                format!(
                    "unknown release state {text:?}: expected one of {}",
                    names.join(", ")
                )
            })
    }

    /// Nothing moves a request out of these.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ReleaseState::Succeeded
                | ReleaseState::Failed
                | ReleaseState::Rejected
                | ReleaseState::Cancelled
                | ReleaseState::Expired
        )
    }

    /// Still waiting to run: it can be cancelled, and it expires.
    pub fn is_pending(self) -> bool {
        matches!(self, ReleaseState::Requested | ReleaseState::Approved)
    }
}

impl fmt::Display for ReleaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A time during which approved requests wait instead of running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FreezeWindow {
    /// From one instant to another.
    Absolute {
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        reason: String,
    },
    /// Every week on `days`, from `from` to `to` local time in `timezone` (an IANA name); a
    /// window whose `to` is not after `from` runs over midnight into the next day.
    Weekly {
        days: Vec<Weekday>,
        from: NaiveTime,
        to: NaiveTime,
        timezone: String,
        reason: String,
    },
}

impl FreezeWindow {
    pub fn reason(&self) -> &str {
        match self {
            FreezeWindow::Absolute { reason, .. } | FreezeWindow::Weekly { reason, .. } => reason,
        }
    }

    /// The window in a line: `year-end freeze: 2026-12-20 00:00 → 2027-01-04 00:00 UTC` or
    /// `release night: Fri 16:00 → 23:59 Europe/Berlin, weekly`.
    pub fn describe(&self) -> String {
        match self {
            FreezeWindow::Absolute { from, to, reason } => format!(
                "{reason}: {} → {} UTC",
                from.format("%Y-%m-%d %H:%M"),
                to.format("%Y-%m-%d %H:%M")
            ),
            FreezeWindow::Weekly {
                days,
                from,
                to,
                timezone,
                reason,
            } => format!(
                "{reason}: {} {} → {} {timezone}, weekly",
                days.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                from.format("%H:%M"),
                to.format("%H:%M")
            ),
        }
    }

    /// When the window that contains `now` ends, if one does.
    pub fn active_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            FreezeWindow::Absolute { from, to, .. } => (*from <= now && now < *to).then_some(*to),
            FreezeWindow::Weekly {
                days,
                from,
                to,
                timezone,
                ..
            } => {
                let tz: chrono_tz::Tz = timezone.parse().ok()?;
                let today = now.with_timezone(&tz).date_naive();
                // A window starting today or (over midnight) yesterday may contain `now`.
                for start_day in [today, today.pred_opt()?] {
                    if !days.contains(&start_day.weekday()) {
                        continue;
                    }
                    let start = local_instant(tz, start_day, *from)?;
                    let end_day = if to > from {
                        start_day
                    } else {
                        start_day.succ_opt()?
                    };
                    let end = local_instant(tz, end_day, *to)?;
                    if start <= now && now < end {
                        return Some(end);
                    }
                }
                None
            }
        }
    }
}

/// An environment's approval policy (`[environments.approval]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalPolicy {
    /// Approvals from distinct people needed before a request runs.
    pub required: u32,
    /// The role an approver must hold in the environment.
    pub approver_role: Role,
    /// How long a request waits for approval and execution.
    pub expires_after_secs: i64,
    /// Which actions need approval in the (protected) environment.
    pub gated: Vec<ActionKind>,
    pub freezes: Vec<FreezeWindow>,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        Self {
            required: 1,
            approver_role: Role::Approver,
            expires_after_secs: 24 * 3600,
            gated: super::actions::DEFAULT_GATED.to_vec(),
            freezes: Vec::new(),
        }
    }
}

impl ApprovalPolicy {
    /// The latest end of the freeze windows containing `now`, with the reason of that window.
    pub fn frozen_until(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, String)> {
        self.freezes
            .iter()
            .filter_map(|w| w.active_until(now).map(|end| (end, w.reason().to_string())))
            .max_by_key(|(end, _)| *end)
    }

    pub fn gates(&self, kind: ActionKind) -> bool {
        self.gated.contains(&kind)
    }

    /// The rule in effect for each action kind in an environment, a line each, for
    /// `quarterdeck check-config`: which go through the gate (and what it asks), which run at
    /// once, and what a freeze window does to both.
    pub fn effective_rules(&self, protected: bool) -> Vec<String> {
        let names = |gated: bool| {
            super::actions::ALL_KINDS
                .iter()
                .filter(|k| self.applies(protected, **k) == gated)
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut lines = Vec::new();
        let gated = names(true);
        if !gated.is_empty() {
            lines.push(format!(
                "approval gate: {gated} (each needs {} approval{} from other people with the {} role, within {}h)",
                self.required,
                if self.required == 1 { "" } else { "s" },
                self.approver_role,
                self.expires_after_secs / 3600
            ));
        }
        let direct = names(false);
        if !direct.is_empty() {
            lines.push(format!("run at once: {direct}"));
        }
        if self.freezes.is_empty() {
            lines.push("freeze windows: none".to_string());
        } else {
            for window in &self.freezes {
                lines.push(format!("freeze window {}", window.describe()));
            }
            lines.push(
                "inside a freeze window: requests wait for it to end; actions that run at once are refused unless an admin breaks glass with a reason".to_string(),
            );
        }
        lines
    }

    /// Whether `kind` goes through the gate in an environment: protected, and gated by policy.
    pub fn applies(&self, protected: bool, kind: ActionKind) -> bool {
        protected && self.gates(kind)
    }
}

/// One approval or rejection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// The voter's name, for showing.
    pub by: String,
    /// Who voted: one vote per person, whatever they are called.
    pub by_id: PersonId,
    pub approve: bool,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

/// One step in a request's life, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    /// `requested`, `approved`, `rejected`, `cancelled`, `executing`, `succeeded`, …
    pub what: String,
    pub detail: Option<String>,
}

/// A release request: a gated action in a protected environment, waiting for approvals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub id: i64,
    pub env: String,
    pub kind: ActionKind,
    /// `cluster/service`.
    pub target: String,
    pub summary: String,
    /// Current vs proposed, as the review step showed them.
    pub changes: Vec<Change>,
    pub reason: String,
    pub ticket_url: Option<String>,
    /// The requester's name, for showing.
    pub requester: String,
    /// Who asked: never the one to approve it, whatever they are called now.
    pub requester_id: PersonId,
    /// The API token the request came through, if any (its owner is the requester).
    pub via_token: Option<String>,
    pub required: u32,
    pub state: ReleaseState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub votes: Vec<Vote>,
    pub history: Vec<ReleaseEvent>,
    /// The outcome of the execution, in words.
    pub result: Option<String>,
    /// An admin's reason for running it inside a freeze window.
    pub break_glass: Option<String>,
    /// The promotion this request is one service of (its siblings share it).
    #[serde(default)]
    pub group: Option<String>,
    /// The revision diff the request was made with (a promotion: the source's revision
    /// against the target's).
    #[serde(default)]
    pub diff: Vec<Change>,
    /// How the rollout its change set off went, once it ran: followed until ECS ends it (a
    /// request that succeeded may still be rolled back by ECS).
    #[serde(default)]
    pub rollout: Option<super::rollout_outcome::RolloutOutcome>,
}

impl Release {
    pub fn approvals(&self) -> usize {
        self.votes.iter().filter(|v| v.approve).count()
    }

    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.state.is_pending() && now >= self.expires_at
    }
}

/// A vote given to every request of a promotion group at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupVote {
    pub group: String,
    /// The requests this vote counted on.
    pub voted: Vec<i64>,
    /// The requests it could not count on, and why (already voted, the requester, expired…).
    pub refused: Vec<(i64, String)>,
}

/// Who is acting on a request.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// Who they are: what the checks compare.
    pub id: &'a PersonId,
    /// What they are called now: only matched against rows recorded before people had ids.
    pub name: &'a str,
    /// Their role in the request's environment.
    pub role: Option<Role>,
    /// Acting through an API token rather than a signed-in session.
    pub via_token: bool,
}

/// Why a step on a request is refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    #[error("this request no longer takes votes: it is {0}")]
    NotOpen(ReleaseState),
    #[error("this request expired at {0}; ask for it again")]
    Expired(DateTime<Utc>),
    #[error("approvals come only from people signed in to the console, not from API tokens")]
    ViaToken,
    #[error("approving needs the {required} role in {env}")]
    NotApprover { required: Role, env: String },
    #[error("you asked for this change: someone else must approve it")]
    SelfApproval,
    #[error("you have already voted on this request")]
    AlreadyVoted,
    #[error("only the person who asked or an admin can cancel a request")]
    NotRequesterOrAdmin,
    #[error("this request is {0} and can no longer be cancelled")]
    NotCancellable(ReleaseState),
    #[error("this request is {0}; only an approved request can run")]
    NotApproved(ReleaseState),
    #[error("{env} is frozen until {until} ({reason}); the request runs when the window ends, or an admin can break glass")]
    Frozen {
        env: String,
        until: DateTime<Utc>,
        reason: String,
    },
    #[error("breaking glass needs the admin role and a reason")]
    BreakGlassRefused,
    #[error("{env} is frozen until {until} ({reason}): changes wait until the window ends, or an admin can break glass with a reason")]
    FrozenNow {
        env: String,
        until: DateTime<Utc>,
        reason: String,
    },
}

/// Whether `actor` may approve or reject `release` now.
pub fn check_vote(
    policy: &ApprovalPolicy,
    release: &Release,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if release.state != ReleaseState::Requested {
        return Err(Refusal::NotOpen(release.state));
    }
    if release.expired_at(now) {
        return Err(Refusal::Expired(release.expires_at));
    }
    if actor.via_token {
        return Err(Refusal::ViaToken);
    }
    if release.requester_id.may_be(actor.id, actor.name) {
        return Err(Refusal::SelfApproval);
    }
    if actor.role.is_none_or(|r| r < policy.approver_role) {
        return Err(Refusal::NotApprover {
            required: policy.approver_role,
            env: release.env.clone(),
        });
    }
    if release
        .votes
        .iter()
        .any(|v| v.by_id.may_be(actor.id, actor.name))
    {
        return Err(Refusal::AlreadyVoted);
    }
    Ok(())
}

/// The state a request moves to after a vote, given the approvals counted with it.
pub fn after_vote(approve: bool, approvals: usize, required: u32) -> ReleaseState {
    if !approve {
        ReleaseState::Rejected
    } else if approvals >= required as usize {
        ReleaseState::Approved
    } else {
        ReleaseState::Requested
    }
}

/// Whether `actor` may cancel `release`: the requester or an admin, before it runs.
pub fn check_cancel(release: &Release, actor: Actor<'_>) -> Result<(), Refusal> {
    if !release.state.is_pending() {
        return Err(Refusal::NotCancellable(release.state));
    }
    if *actor.id == release.requester_id || actor.role == Some(Role::Admin) {
        Ok(())
    } else {
        Err(Refusal::NotRequesterOrAdmin)
    }
}

/// Whether an approved request may run now. `break_glass` is an admin's reason to run inside a
/// freeze window; it is checked by [`check_break_glass`] first.
pub fn check_execute(
    policy: &ApprovalPolicy,
    release: &Release,
    now: DateTime<Utc>,
    break_glass: bool,
) -> Result<(), Refusal> {
    if release.state != ReleaseState::Approved {
        return Err(Refusal::NotApproved(release.state));
    }
    if release.expired_at(now) {
        return Err(Refusal::Expired(release.expires_at));
    }
    if !break_glass {
        if let Some((until, reason)) = policy.frozen_until(now) {
            return Err(Refusal::Frozen {
                env: release.env.clone(),
                until,
                reason,
            });
        }
    }
    Ok(())
}

/// Who may break glass: an admin of the environment signed in to the console, never a token.
/// The pages ask it to show the break-glass field; the checks below refuse everyone else.
pub fn may_break_glass(role: Option<Role>, via_token: bool) -> bool {
    role == Some(Role::Admin) && !via_token
}

/// Whether `actor` breaks glass with a reason that says something (five characters or more).
fn glass_allowed(actor: Actor<'_>, reason: &str) -> bool {
    may_break_glass(actor.role, actor.via_token) && reason.trim().chars().count() >= 5
}

/// Breaking glass: an admin, a reason, an approved request.
pub fn check_break_glass(release: &Release, actor: Actor<'_>, reason: &str) -> Result<(), Refusal> {
    if !glass_allowed(actor, reason) {
        return Err(Refusal::BreakGlassRefused);
    }
    if release.state != ReleaseState::Approved {
        return Err(Refusal::NotApproved(release.state));
    }
    Ok(())
}

/// What a freeze window says of an action that runs directly (not through the gate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreezeCheck {
    /// No window is open: the action runs.
    Open,
    /// A window is open and an admin breaks glass with this reason: the action runs, and the
    /// audit and the webhooks say so.
    BreakGlass {
        until: DateTime<Utc>,
        window: String,
        reason: String,
    },
}

/// Whether an action that runs at once (not a release request: those wait out the window) may
/// run in `env` at `now`. Inside a freeze window every mutating action is refused unless an admin
/// signed in to the console (never a token) breaks glass with a reason of at least five
/// characters; outside one, a break-glass reason is ignored.
pub fn check_direct(
    policy: &ApprovalPolicy,
    env: &str,
    now: DateTime<Utc>,
    actor: Actor<'_>,
    break_glass: Option<&str>,
) -> Result<FreezeCheck, Refusal> {
    let Some((until, window)) = policy.frozen_until(now) else {
        return Ok(FreezeCheck::Open);
    };
    let reason = break_glass.map(str::trim).filter(|r| !r.is_empty());
    match reason {
        None => Err(Refusal::FrozenNow {
            env: env.to_string(),
            until,
            reason: window,
        }),
        Some(reason) if !glass_allowed(actor, reason) => Err(Refusal::BreakGlassRefused),
        Some(reason) => Ok(FreezeCheck::BreakGlass {
            until,
            window,
            reason: reason.to_string(),
        }),
    }
}

/// Whether the person `id` called `name` (holding `role` in the request's environment) is
/// someone this request waits for: the navigation badge and the "awaiting my approval" filter.
pub fn awaits(
    policy: &ApprovalPolicy,
    release: &Release,
    (id, name): (&PersonId, &str),
    role: Option<Role>,
    now: DateTime<Utc>,
) -> bool {
    check_vote(
        policy,
        release,
        Actor {
            id,
            name,
            role,
            via_token: false,
        },
        now,
    )
    .is_ok()
}

/// What happened to a release request, for the notification webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeEvent {
    Requested,
    Approved,
    Rejected,
    Cancelled,
    Executing,
    BreakGlass,
    Succeeded,
    Failed,
    Expired,
}

impl NoticeEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeEvent::Requested => "requested",
            NoticeEvent::Approved => "approved",
            NoticeEvent::Rejected => "rejected",
            NoticeEvent::Cancelled => "cancelled",
            NoticeEvent::Executing => "executing",
            NoticeEvent::BreakGlass => "break_glass",
            NoticeEvent::Succeeded => "succeeded",
            NoticeEvent::Failed => "failed",
            NoticeEvent::Expired => "expired",
        }
    }
}

/// One notification: the event, the request as it stands after it, who caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub event: NoticeEvent,
    pub release: Release,
    pub actor: String,
    pub at: DateTime<Utc>,
    /// A comment, reason or outcome that goes with the event.
    pub detail: Option<String>,
    /// The request's page.
    pub url: String,
}

impl Notice {
    /// One line a person reads in a chat channel. Person-written parts (names, the summary,
    /// the comment or reason) have their chat markup neutralised; the link is the console's.
    pub fn text(&self) -> String {
        let r = &self.release;
        let actor = neutralise_mentions(&self.actor);
        let what = format!(
            "{} {} in {}",
            r.kind.as_str().replace('_', " "),
            neutralise_mentions(&r.target),
            r.env
        );
        let summary = neutralise_mentions(&r.summary);
        let line = match self.event {
            NoticeEvent::Requested => format!(
                "{actor} asks to {what}: {summary} — needs {} approval{}",
                r.required,
                if r.required == 1 { "" } else { "s" }
            ),
            NoticeEvent::Approved => format!(
                "{actor} approved release #{} ({what}), {} of {}",
                r.id,
                r.approvals(),
                r.required
            ),
            NoticeEvent::Rejected => format!("{actor} rejected release #{} ({what})", r.id),
            NoticeEvent::Cancelled => format!("{actor} cancelled release #{} ({what})", r.id),
            NoticeEvent::Executing => format!("Release #{} is running: {what}", r.id),
            NoticeEvent::BreakGlass => format!(
                "BREAK GLASS: {actor} runs release #{} ({what}) during a freeze",
                r.id
            ),
            NoticeEvent::Succeeded => format!("Release #{} succeeded: {what}: {summary}", r.id),
            NoticeEvent::Failed => format!("Release #{} FAILED: {what}", r.id),
            NoticeEvent::Expired => format!("Release #{} expired unapproved: {what}", r.id),
        };
        match &self.detail {
            Some(d) if !d.is_empty() => {
                format!("{line} — {} <{}>", neutralise_mentions(d), self.url)
            }
            _ => format!("{line} <{}>", self.url),
        }
    }

    /// The webhook body: Slack-compatible (`text`) plus structured fields, person-written ones
    /// with their chat markup neutralised as in `text`.
    pub fn body(&self) -> serde_json::Value {
        let r = &self.release;
        serde_json::json!({
            "text": self.text(),
            "event": format!("release.{}", self.event.as_str()),
            "actor": neutralise_mentions(&self.actor),
            "at": self.at.to_rfc3339(),
            "detail": self.detail.as_deref().map(neutralise_mentions),
            "url": self.url,
            "release": {
                "id": r.id,
                "env": r.env,
                "kind": r.kind.as_str(),
                "target": neutralise_mentions(&r.target),
                "summary": neutralise_mentions(&r.summary),
                "reason": neutralise_mentions(&r.reason),
                "ticket_url": r.ticket_url,
                "requester": neutralise_mentions(&r.requester),
                "state": r.state.as_str(),
                "approvals": r.approvals(),
                "required": r.required,
                "expires_at": r.expires_at.to_rfc3339(),
            },
        })
    }
}

/// An admin acting at once inside a freeze window, for the notification webhooks.
#[derive(Debug, Clone, Copy)]
pub struct DirectBreakGlass<'a> {
    pub actor: &'a str,
    pub kind: ActionKind,
    pub env: &'a str,
    pub target: &'a str,
    /// The freeze window's own reason.
    pub window: &'a str,
    /// The admin's reason.
    pub reason: &'a str,
}

/// The webhook body announcing a direct action taken inside a freeze window; person-written
/// parts have their chat markup neutralised.
pub fn direct_break_glass_notice(
    glass: &DirectBreakGlass<'_>,
    at: DateTime<Utc>,
) -> serde_json::Value {
    let actor = neutralise_mentions(glass.actor);
    let target = neutralise_mentions(glass.target);
    let reason = neutralise_mentions(glass.reason);
    let text = format!(
        "BREAK GLASS: {actor} runs {} {target} in {} during a freeze ({}) — {reason}",
        glass.kind.as_str().replace('_', " "),
        glass.env,
        neutralise_mentions(glass.window),
    );
    serde_json::json!({
        "text": text,
        "event": "action.break_glass",
        "actor": actor,
        "at": at.to_rfc3339(),
        "env": glass.env,
        "kind": glass.kind.as_str(),
        "target": target,
        "detail": reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::test_time::at;

    fn release(state: ReleaseState, votes: &[(&str, bool)]) -> Release {
        Release {
            id: 1,
            env: "prod".into(),
            kind: ActionKind::Deploy,
            target: "main/web".into(),
            summary: "web: a:1 → a:2".into(),
            changes: vec![],
            reason: "release 2".into(),
            ticket_url: None,
            requester: "olga".into(),
            requester_id: id("olga"),
            via_token: None,
            required: 2,
            state,
            created_at: at("2026-11-24T10:00:00Z"),
            expires_at: at("2026-11-25T10:00:00Z"),
            votes: votes
                .iter()
                .map(|(by, approve)| Vote {
                    by: by.to_string(),
                    by_id: id(by),
                    approve: *approve,
                    comment: None,
                    at: at("2026-11-24T10:05:00Z"),
                })
                .collect(),
            history: vec![],
            result: None,
            break_glass: None,
            group: None,
            diff: vec![],
            rollout: None,
        }
    }

    /// The SSO id of the test provider's person `sub`.
    fn id(sub: &str) -> PersonId {
        PersonId::oidc("https://idp.example", sub).unwrap()
    }

    /// An actor whose id is the test provider's `sub` and who is called the same.
    fn person(sub: &str, role: Role) -> Actor<'static> {
        named(sub, sub, role)
    }

    /// An actor with the test provider's `sub`, called `name` now.
    fn named(sub: &str, name: &str, role: Role) -> Actor<'static> {
        Actor {
            id: Box::leak(Box::new(id(sub))),
            name: Box::leak(name.to_string().into_boxed_str()),
            role: Some(role),
            via_token: false,
        }
    }

    #[test]
    fn votes_are_refused_for_the_requester_twice_voters_tokens_low_roles_and_late_or_closed_requests(
    ) {
        let policy = ApprovalPolicy {
            required: 2,
            ..Default::default()
        };
        let now = at("2026-11-24T12:00:00Z");
        let open = release(ReleaseState::Requested, &[("ann", true)]);
        let token = Actor {
            via_token: true,
            ..person("bob", Role::Admin)
        };
        /// What, the request, who, when, and the expected answer.
        type Case<'a> = (
            &'a str,
            &'a Release,
            Actor<'a>,
            DateTime<Utc>,
            Result<(), Refusal>,
        );
        let cases: Vec<Case<'_>> = vec![
            (
                "a second approver",
                &open,
                person("bob", Role::Approver),
                now,
                Ok(()),
            ),
            ("an admin", &open, person("carl", Role::Admin), now, Ok(())),
            (
                "the requester",
                &open,
                person("olga", Role::Admin),
                now,
                Err(Refusal::SelfApproval),
            ),
            (
                "twice",
                &open,
                person("ann", Role::Approver),
                now,
                Err(Refusal::AlreadyVoted),
            ),
            ("a token", &open, token, now, Err(Refusal::ViaToken)),
            (
                "an operator",
                &open,
                person("dan", Role::Operator),
                now,
                Err(Refusal::NotApprover {
                    required: Role::Approver,
                    env: "prod".into(),
                }),
            ),
            (
                "after expiry",
                &open,
                person("bob", Role::Approver),
                at("2026-11-25T10:00:00Z"),
                Err(Refusal::Expired(at("2026-11-25T10:00:00Z"))),
            ),
        ];
        for (what, release, actor, now, expected) in cases {
            assert_eq!(check_vote(&policy, release, actor, now), expected, "{what}");
        }
        for state in [
            ReleaseState::Approved,
            ReleaseState::Cancelled,
            ReleaseState::Succeeded,
        ] {
            assert_eq!(
                check_vote(
                    &policy,
                    &release(state, &[]),
                    person("bob", Role::Approver),
                    now
                ),
                Err(Refusal::NotOpen(state))
            );
        }
        let no_role = Actor {
            role: None,
            ..person("eve", Role::Admin)
        };
        assert!(check_vote(&policy, &open, no_role, now).is_err());
    }

    #[test]
    fn votes_compare_people_by_id_whatever_they_are_called() {
        let policy = ApprovalPolicy {
            required: 2,
            ..Default::default()
        };
        let now = at("2026-11-24T12:00:00Z");
        // olga (sub u-olga) asked; rita (sub u-rita) approved.
        let mut open = release(ReleaseState::Requested, &[]);
        open.requester_id = id("u-olga");
        open.votes = vec![Vote {
            by: "rita".into(),
            by_id: id("u-rita"),
            approve: true,
            comment: None,
            at: now,
        }];
        // A request and a vote recorded before people had ids.
        let mut old = open.clone();
        old.requester_id = PersonId::parse("legacy:olga").unwrap();
        old.votes[0].by_id = PersonId::parse("legacy:rita").unwrap();
        let other_idp = Actor {
            id: Box::leak(Box::new(
                PersonId::oidc("https://other.example", "u-olga").unwrap(),
            )),
            ..named("u-x", "olga", Role::Approver)
        };
        let table = [
            (
                "the requester renamed at the provider",
                &open,
                named("u-olga", "olga.lima", Role::Approver),
                Err(Refusal::SelfApproval),
            ),
            (
                "someone else who is also called olga",
                &open,
                named("u-olga-2", "olga", Role::Approver),
                Ok(()),
            ),
            ("the same sub at another provider", &open, other_idp, Ok(())),
            (
                "the voter renamed at the provider",
                &open,
                named("u-rita", "rita.s", Role::Approver),
                Err(Refusal::AlreadyVoted),
            ),
            (
                "someone else who is also called rita",
                &open,
                named("u-rita-2", "rita", Role::Approver),
                Ok(()),
            ),
            (
                "anyone called like a legacy requester",
                &old,
                named("u-olga-2", "olga", Role::Approver),
                Err(Refusal::SelfApproval),
            ),
            (
                "anyone called like a legacy voter",
                &old,
                named("u-rita-2", "rita", Role::Approver),
                Err(Refusal::AlreadyVoted),
            ),
            (
                "someone else on a legacy request",
                &old,
                named("u-bob", "bob", Role::Approver),
                Ok(()),
            ),
        ];
        for (what, release, actor, expected) in table {
            assert_eq!(check_vote(&policy, release, actor, now), expected, "{what}");
        }
        // Cancelling grants, so it matches ids only: a namesake of a legacy requester may not.
        let cancels = [
            (&open, named("u-olga", "olga.lima", Role::Operator), true),
            (&open, named("u-olga-2", "olga", Role::Operator), false),
            (&old, named("u-olga", "olga", Role::Operator), false),
        ];
        for (release, actor, may) in cancels {
            assert_eq!(
                check_cancel(release, actor).is_ok(),
                may,
                "{} as {}",
                actor.id,
                actor.name
            );
        }
    }

    #[test]
    fn gated_actions_in_protected_envs_need_approval_and_the_others_do_not() {
        let policy = ApprovalPolicy::default();
        let table = [
            (ActionKind::Scale, true, false),
            (ActionKind::Deploy, true, false),
            (ActionKind::Rollback, true, false),
            (ActionKind::Redeploy, true, false),
            (ActionKind::Snapshot, true, true),
            (ActionKind::MuteAlarm, true, true),
            (ActionKind::Scale, false, true),
            (ActionKind::Deploy, false, true),
        ];
        for (kind, protected, runs_directly) in table {
            assert_eq!(
                !policy.applies(protected, kind),
                runs_directly,
                "{kind} protected={protected}"
            );
        }
    }

    #[test]
    fn the_threshold_moves_a_request_to_approved_and_one_rejection_ends_it() {
        let table = [
            (true, 1, 2, ReleaseState::Requested),
            (true, 2, 2, ReleaseState::Approved),
            (true, 3, 2, ReleaseState::Approved),
            (true, 1, 1, ReleaseState::Approved),
            (false, 1, 2, ReleaseState::Rejected),
        ];
        for (approve, approvals, required, expected) in table {
            assert_eq!(after_vote(approve, approvals, required), expected);
        }
    }

    #[test]
    fn cancelling_is_for_the_requester_or_an_admin_before_it_runs() {
        let pending = release(ReleaseState::Approved, &[]);
        assert_eq!(
            check_cancel(&pending, person("olga", Role::Operator)),
            Ok(())
        );
        assert_eq!(check_cancel(&pending, person("root", Role::Admin)), Ok(()));
        assert_eq!(
            check_cancel(&pending, person("bob", Role::Approver)),
            Err(Refusal::NotRequesterOrAdmin)
        );
        let running = release(ReleaseState::Executing, &[]);
        assert_eq!(
            check_cancel(&running, person("olga", Role::Operator)),
            Err(Refusal::NotCancellable(ReleaseState::Executing))
        );
    }

    /// The default policy with one absolute window, 2026-12-20 to 2027-01-04.
    fn year_end_freeze() -> ApprovalPolicy {
        ApprovalPolicy {
            freezes: vec![FreezeWindow::Absolute {
                from: at("2026-12-20T00:00:00Z"),
                to: at("2027-01-04T00:00:00Z"),
                reason: "year-end freeze".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn an_approved_request_waits_out_a_freeze_unless_an_admin_breaks_glass() {
        let policy = year_end_freeze();
        let approved = Release {
            expires_at: at("2027-02-01T00:00:00Z"),
            ..release(ReleaseState::Approved, &[])
        };
        assert_eq!(
            check_execute(&policy, &approved, at("2026-12-19T23:59:59Z"), false),
            Ok(())
        );
        assert_eq!(
            check_execute(&policy, &approved, at("2026-12-24T12:00:00Z"), false),
            Err(Refusal::Frozen {
                env: "prod".into(),
                until: at("2027-01-04T00:00:00Z"),
                reason: "year-end freeze".into()
            })
        );
        assert_eq!(
            check_execute(&policy, &approved, at("2026-12-24T12:00:00Z"), true),
            Ok(())
        );
        assert_eq!(
            check_execute(&policy, &approved, at("2027-01-04T00:00:00Z"), false),
            Ok(())
        );
        assert_eq!(
            check_execute(&policy, &approved, at("2027-02-01T00:00:00Z"), false),
            Err(Refusal::Expired(at("2027-02-01T00:00:00Z")))
        );
        let requested = release(ReleaseState::Requested, &[]);
        assert_eq!(
            check_execute(&policy, &requested, at("2026-11-24T12:00:00Z"), false),
            Err(Refusal::NotApproved(ReleaseState::Requested))
        );
        assert_eq!(
            check_break_glass(&approved, person("root", Role::Admin), "sev1 hotfix"),
            Ok(())
        );
        for (actor, reason) in [
            (person("root", Role::Admin), " "),
            (person("bob", Role::Approver), "sev1 hotfix"),
        ] {
            assert_eq!(
                check_break_glass(&approved, actor, reason),
                Err(Refusal::BreakGlassRefused)
            );
        }
    }

    #[test]
    fn a_freeze_stops_every_direct_action_unless_an_admin_breaks_glass_with_a_reason() {
        let policy = year_end_freeze();
        let inside = at("2026-12-24T12:00:00Z");
        let outside = at("2026-12-19T12:00:00Z");
        let token_admin = Actor {
            via_token: true,
            ..person("root", Role::Admin)
        };
        let frozen = Err(Refusal::FrozenNow {
            env: "prod".into(),
            until: at("2027-01-04T00:00:00Z"),
            reason: "year-end freeze".into(),
        });
        let glass = Ok(FreezeCheck::BreakGlass {
            until: at("2027-01-04T00:00:00Z"),
            window: "year-end freeze".into(),
            reason: "sev1 hotfix".into(),
        });
        let table = [
            (
                outside,
                person("bob", Role::Operator),
                None,
                Ok(FreezeCheck::Open),
            ),
            (
                outside,
                person("bob", Role::Operator),
                Some("sev1 hotfix"),
                Ok(FreezeCheck::Open),
            ),
            (inside, person("bob", Role::Operator), None, frozen.clone()),
            (inside, person("root", Role::Admin), None, frozen.clone()),
            (inside, person("root", Role::Admin), Some("  "), frozen),
            (
                inside,
                person("root", Role::Admin),
                Some(" sev1 hotfix "),
                glass,
            ),
            (
                inside,
                person("root", Role::Admin),
                Some("fix"),
                Err(Refusal::BreakGlassRefused),
            ),
            (
                inside,
                person("bob", Role::Approver),
                Some("sev1 hotfix"),
                Err(Refusal::BreakGlassRefused),
            ),
            (
                inside,
                token_admin,
                Some("sev1 hotfix"),
                Err(Refusal::BreakGlassRefused),
            ),
        ];
        for (now, actor, reason, expected) in table {
            assert_eq!(
                check_direct(&policy, "prod", now, actor, reason),
                expected,
                "{} at {now} with {reason:?}",
                actor.name
            );
        }
    }

    #[test]
    fn the_effective_rules_name_every_kind_once_and_what_a_freeze_does() {
        let frozen = ApprovalPolicy {
            required: 2,
            ..year_end_freeze()
        };
        let table = [
            (
                ApprovalPolicy::default(),
                true,
                vec![
                    "approval gate: scale, deploy, rollback, redeploy, purge_queue, pause_mapping, resume_mapping, update_alias, rollback_alias, set_concurrency, run_job, enable_job, disable_job, set_capacity, set_capacity_bounds, refresh_instances (each needs 1 approval from other people with the approver role, within 24h)",
                    "run at once: snapshot, mute_alarm, unmute_alarm, redrive_queue, cancel_redrive",
                    "freeze windows: none",
                ],
            ),
            (
                ApprovalPolicy::default(),
                false,
                vec![
                    "run at once: scale, deploy, rollback, redeploy, snapshot, mute_alarm, unmute_alarm, redrive_queue, cancel_redrive, purge_queue, pause_mapping, resume_mapping, update_alias, rollback_alias, set_concurrency, run_job, enable_job, disable_job, set_capacity, set_capacity_bounds, refresh_instances",
                    "freeze windows: none",
                ],
            ),
            (
                frozen,
                true,
                vec![
                    "approval gate: scale, deploy, rollback, redeploy, purge_queue, pause_mapping, resume_mapping, update_alias, rollback_alias, set_concurrency, run_job, enable_job, disable_job, set_capacity, set_capacity_bounds, refresh_instances (each needs 2 approvals from other people with the approver role, within 24h)",
                    "run at once: snapshot, mute_alarm, unmute_alarm, redrive_queue, cancel_redrive",
                    "freeze window year-end freeze: 2026-12-20 00:00 → 2027-01-04 00:00 UTC",
                    "inside a freeze window: requests wait for it to end; actions that run at once are refused unless an admin breaks glass with a reason",
                ],
            ),
        ];
        for (policy, protected, expected) in table {
            assert_eq!(
                policy.effective_rules(protected),
                expected,
                "protected={protected}"
            );
        }
    }

    #[test]
    fn weekly_freezes_follow_local_time_across_daylight_saving_changes() {
        // Friday 16:00 to Monday 08:00 is two windows: Friday evening and the weekend.
        let weekend = FreezeWindow::Weekly {
            days: vec![Weekday::Fri],
            from: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            to: NaiveTime::from_hms_opt(23, 59, 59).unwrap(),
            timezone: "Europe/Berlin".into(),
            reason: "no Friday deploys".into(),
        };
        let nightly = FreezeWindow::Weekly {
            days: vec![Weekday::Sat, Weekday::Sun],
            from: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
            to: NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
            timezone: "Europe/Berlin".into(),
            reason: "batch window".into(),
        };
        // Berlin is UTC+1 in winter and UTC+2 in summer; the clocks went back on 2026-10-25
        // (a Sunday) and go forward on 2027-03-28 (a Sunday).
        let cases = [
            (&weekend, "2026-11-27T14:59:00Z", None),
            (
                &weekend,
                "2026-11-27T15:00:00Z",
                Some("2026-11-27T22:59:59Z"),
            ),
            (
                &weekend,
                "2026-07-03T14:00:00Z",
                Some("2026-07-03T21:59:59Z"),
            ),
            (&weekend, "2026-07-03T13:59:00Z", None),
            (&weekend, "2026-11-28T09:00:00Z", None),
            // Saturday 22:00 local (UTC+1) to Sunday 06:00 local (UTC+1).
            (
                &nightly,
                "2026-11-28T21:30:00Z",
                Some("2026-11-29T05:00:00Z"),
            ),
            (
                &nightly,
                "2026-11-29T04:59:00Z",
                Some("2026-11-29T05:00:00Z"),
            ),
            (&nightly, "2026-11-29T05:00:00Z", None),
            // Sunday night 22:00 runs into Monday 06:00.
            (
                &nightly,
                "2026-11-30T04:00:00Z",
                Some("2026-11-30T05:00:00Z"),
            ),
            // The night the clocks go back: Saturday 22:00 CEST (20:00Z) to Sunday 06:00 CET (05:00Z).
            (
                &nightly,
                "2026-10-24T20:00:00Z",
                Some("2026-10-25T05:00:00Z"),
            ),
            (
                &nightly,
                "2026-10-25T04:30:00Z",
                Some("2026-10-25T05:00:00Z"),
            ),
            // The night the clocks go forward: Saturday 22:00 CET (21:00Z) to Sunday 06:00 CEST (04:00Z).
            (
                &nightly,
                "2027-03-27T21:00:00Z",
                Some("2027-03-28T04:00:00Z"),
            ),
            (&nightly, "2027-03-28T04:00:00Z", None),
        ];
        for (window, now, until) in cases {
            assert_eq!(window.active_until(at(now)), until.map(at), "{now}");
        }
        let policy = ApprovalPolicy {
            freezes: vec![weekend.clone(), nightly.clone()],
            ..Default::default()
        };
        assert_eq!(
            policy
                .frozen_until(at("2026-11-28T21:30:00Z"))
                .map(|(_, r)| r),
            Some("batch window".to_string())
        );
    }

    #[test]
    fn a_spring_forward_gap_starts_a_window_at_the_first_real_instant() {
        // 02:30 does not exist in Berlin on 2027-03-28: the window starts at 03:00 CEST (01:00Z).
        let gap = FreezeWindow::Weekly {
            days: vec![Weekday::Sun],
            from: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            to: NaiveTime::from_hms_opt(4, 0, 0).unwrap(),
            timezone: "Europe/Berlin".into(),
            reason: "maintenance".into(),
        };
        assert_eq!(gap.active_until(at("2027-03-28T00:59:00Z")), None);
        assert_eq!(
            gap.active_until(at("2027-03-28T01:00:00Z")),
            Some(at("2027-03-28T02:00:00Z"))
        );
    }

    #[test]
    fn states_parse_and_know_whether_they_are_final() {
        for state in ReleaseState::ALL {
            assert_eq!(ReleaseState::parse(state.as_str()), Ok(state));
            assert_ne!(
                state.is_final(),
                state.is_pending() || state == ReleaseState::Executing
            );
        }
        assert!(ReleaseState::parse("done")
            .unwrap_err()
            .contains("expected one of"));
    }

    #[test]
    fn notices_read_as_one_line_and_carry_the_structured_request() {
        let notice = Notice {
            event: NoticeEvent::Approved,
            release: release(ReleaseState::Requested, &[("ann", true)]),
            actor: "ann".into(),
            at: at("2026-11-24T10:05:00Z"),
            detail: Some("diff checked".into()),
            url: "https://ops.example/releases/1".into(),
        };
        assert_eq!(
            notice.text(),
            "ann approved release #1 (deploy main/web in prod), 1 of 2 — diff checked <https://ops.example/releases/1>"
        );
        let body = notice.body();
        assert_eq!(body["event"], "release.approved");
        assert_eq!(body["release"]["approvals"], 1);
        assert_eq!(body["release"]["state"], "requested");
        let glass = Notice {
            event: NoticeEvent::BreakGlass,
            detail: None,
            ..notice
        };
        assert!(glass.text().starts_with("BREAK GLASS: ann runs release #1"));
    }

    #[test]
    fn notices_never_carry_chat_mentions_from_reasons_or_comments() {
        let mut request = release(ReleaseState::Requested, &[]);
        request.reason = "<!channel> urgent, @here".into();
        let notice = Notice {
            event: NoticeEvent::Rejected,
            release: request,
            actor: "ann".into(),
            at: at("2026-11-24T10:05:00Z"),
            detail: Some("<@U024BE7LH> see <https://evil.example|the runbook>".into()),
            url: "https://ops.example/releases/1".into(),
        };
        assert_eq!(
            notice.text(),
            "ann rejected release #1 (deploy main/web in prod) — &lt;@U024BE7LH&gt; see \
             &lt;https://evil.example|the runbook&gt; <https://ops.example/releases/1>"
        );
        let body = notice.body();
        assert_eq!(
            body["release"]["reason"],
            "&lt;!channel&gt; urgent, @\u{200B}here"
        );
        assert_eq!(
            body["detail"],
            "&lt;@U024BE7LH&gt; see &lt;https://evil.example|the runbook&gt;"
        );
    }

    #[test]
    fn the_badge_counts_requests_awaiting_this_person() {
        let policy = ApprovalPolicy::default();
        let now = at("2026-11-24T12:00:00Z");
        let open = release(ReleaseState::Requested, &[("ann", true)]);
        assert!(awaits(
            &policy,
            &open,
            (&id("bob"), "bob"),
            Some(Role::Approver),
            now
        ));
        assert!(!awaits(
            &policy,
            &open,
            (&id("ann"), "ann"),
            Some(Role::Approver),
            now
        ));
        assert!(!awaits(
            &policy,
            &open,
            (&id("olga"), "olga"),
            Some(Role::Admin),
            now
        ));
        assert!(!awaits(
            &policy,
            &open,
            (&id("dan"), "dan"),
            Some(Role::Operator),
            now
        ));
    }
}
