//! Incidents as pure rules: which incident an alarm entering ALARM belongs to (join an open one of
//! the same environment and app, reopen a recently resolved one, or open a new one), when an
//! incident resolves by itself, when it escalates, its severity from config, what a person may do
//! to it, and its timeline with the preceding changes marked as suspects. Time is a parameter.

use super::actions::ActionKind;
use super::chat::neutralise_mentions;
use super::inventory::AlarmState;
use super::person::PersonId;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How urgent an incident is. Ordered most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Critical, Severity::High, Severity::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Low => "low",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| format!("{text:?} is not a severity: use critical, high or low"))
    }
}

/// `[[incidents.severity]]`: the first rule that matches decides. Every given condition must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityRule {
    /// A pattern on the alarm name; `*` matches any run of characters, case-insensitive.
    pub alarm: Option<String>,
    /// A tag the watched service or database carries: `(key, value)`.
    pub tag: Option<(String, String)>,
    /// Only in this environment.
    pub env: Option<String>,
    pub severity: Severity,
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (ASCII case is
/// ignored).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    // Iterative matching with backtracking to the last star: linear in practice.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The severity of an alarm's incident: the first matching rule, else high in a protected
/// environment and low elsewhere.
pub fn severity_of(
    rules: &[SeverityRule],
    env: &str,
    protected: bool,
    alarm: &str,
    tags: &BTreeMap<String, String>,
) -> Severity {
    rules
        .iter()
        .find(|r| {
            r.env.as_deref().is_none_or(|e| e == env)
                && r.alarm.as_deref().is_none_or(|p| glob_match(p, alarm))
                && r.tag
                    .as_ref()
                    .is_none_or(|(k, v)| tags.get(k).is_some_and(|t| t == v))
        })
        .map(|r| r.severity)
        .unwrap_or(if protected {
            Severity::High
        } else {
            Severity::Low
        })
}

/// The windows that shape incidents, from `[incidents]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSettings {
    /// An alarm joins an open incident of its app that fired within this window, and reopens one
    /// resolved within it.
    pub group_window: Duration,
    /// All alarms OK for this long resolve an incident.
    pub stability: Duration,
    /// Changes this long before an incident opened are suspects.
    pub suspect_window: Duration,
    /// Unacknowledged this long, an incident escalates (`None`: never).
    pub escalate_after: Option<Duration>,
}

impl Default for IncidentSettings {
    fn default() -> Self {
        Self {
            group_window: Duration::hours(1),
            stability: Duration::minutes(5),
            suspect_window: Duration::hours(2),
            escalate_after: Some(Duration::minutes(15)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentState {
    Open,
    Resolved,
}

impl IncidentState {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Open => "open",
            IncidentState::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "open" => Ok(IncidentState::Open),
            "resolved" => Ok(IncidentState::Resolved),
            other => Err(format!(
                "{other:?} is not an incident state: open or resolved"
            )),
        }
    }
}

/// One alarm of an incident and its latest state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentAlarm {
    pub name: String,
    pub state: AlarmState,
    /// When it entered that state.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
    pub env: String,
    /// What groups alarms into this incident: `app:<name>`, or `alarm:<name>` for an alarm whose
    /// app is unknown.
    pub group_key: String,
    pub app: Option<String>,
    pub title: String,
    pub severity: Severity,
    pub state: IncidentState,
    pub opened_at: DateTime<Utc>,
    /// The latest time one of its alarms entered ALARM.
    pub last_fired_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    /// The name of whoever acknowledged it, for showing.
    pub acknowledged_by: Option<String>,
    /// Who acknowledged it.
    #[serde(default)]
    pub acknowledged_by_id: Option<PersonId>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// The name it is assigned to, for showing.
    pub assignee: Option<String>,
    /// Who it is assigned to, when that is known: someone who took it ("assign to me"). An
    /// assignment to a typed name names nobody's id until that person takes it.
    #[serde(default)]
    pub assignee_id: Option<PersonId>,
    pub escalated_at: Option<DateTime<Utc>>,
    /// How often it reopened.
    pub reopened: i64,
    pub alarms: Vec<IncidentAlarm>,
}

impl Incident {
    pub fn is_open(&self) -> bool {
        self.state == IncidentState::Open
    }

    /// Who owns it, by name: the assignee, else whoever acknowledged it.
    pub fn owner(&self) -> Option<&str> {
        self.assignee.as_deref().or(self.acknowledged_by.as_deref())
    }

    /// Who owns it, by id: the assignee's (none for an assignment to a typed name), else
    /// whoever acknowledged it.
    pub fn owner_id(&self) -> Option<&PersonId> {
        if self.assignee.is_some() {
            self.assignee_id.as_ref()
        } else {
            self.acknowledged_by_id.as_ref()
        }
    }

    /// Whether it is assigned to the person `id`.
    pub fn assigned_to(&self, id: &PersonId) -> bool {
        self.assignee_id.as_ref() == Some(id)
    }

    pub fn firing(&self) -> usize {
        self.alarms
            .iter()
            .filter(|a| a.state == AlarmState::Alarm)
            .count()
    }
}

/// How alarms group: by app when the alarm's resource names one, else each alarm alone.
pub fn group_key(app: Option<&str>, alarm: &str) -> String {
    match app {
        Some(app) => format!("app:{app}"),
        None => format!("alarm:{alarm}"),
    }
}

/// Where an alarm that entered ALARM goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Join(i64),
    Reopen(i64),
    Open,
}

/// Places an alarm that entered ALARM at `at`, given the incidents of its environment and group:
/// the open one that fired most recently within the group window, else the one resolved most
/// recently within it (reopened), else a new incident.
pub fn place(candidates: &[Incident], at: DateTime<Utc>, settings: &IncidentSettings) -> Placement {
    let since = at - settings.group_window;
    let open = candidates
        .iter()
        .filter(|i| i.is_open() && i.last_fired_at >= since)
        .max_by_key(|i| i.last_fired_at);
    if let Some(i) = open {
        return Placement::Join(i.id);
    }
    let resolved = candidates
        .iter()
        .filter(|i| !i.is_open() && i.resolved_at.is_some_and(|r| r >= since))
        .max_by_key(|i| i.resolved_at);
    match resolved {
        Some(i) => Placement::Reopen(i.id),
        None => Placement::Open,
    }
}

/// An open incident resolves by itself once none of its alarms is in ALARM and the last of them
/// left it at least the stability window ago.
pub fn resolves_by_itself(
    incident: &Incident,
    now: DateTime<Utc>,
    settings: &IncidentSettings,
) -> bool {
    incident.is_open()
        && !incident.alarms.is_empty()
        && incident.alarms.iter().all(|a| a.state != AlarmState::Alarm)
        && incident
            .alarms
            .iter()
            .map(|a| a.since)
            .max()
            .is_some_and(|last| last + settings.stability <= now)
}

/// An open incident nobody acknowledged escalates once, after `escalate_after`.
pub fn escalation_due(
    incident: &Incident,
    now: DateTime<Utc>,
    settings: &IncidentSettings,
) -> bool {
    match settings.escalate_after {
        Some(after) => {
            incident.is_open()
                && incident.acknowledged_at.is_none()
                && incident.escalated_at.is_none()
                && incident.last_fired_at + after <= now
        }
        None => false,
    }
}

/// What a person does to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    Acknowledge,
    /// To the person called `name`; `id` when it is someone the console knows (the person
    /// asking, taking it themselves), none for a typed name.
    Assign {
        name: String,
        id: Option<PersonId>,
    },
    Note(String),
    Resolve(String),
}

impl Response {
    /// What the audit log calls this response.
    pub fn audit_kind(&self) -> super::audit::AuditKind {
        use super::audit::AuditKind;
        match self {
            Response::Acknowledge => AuditKind::IncidentAck,
            Response::Assign { .. } => AuditKind::IncidentAssign,
            Response::Note(_) => AuditKind::IncidentNote,
            Response::Resolve(_) => AuditKind::IncidentResolve,
        }
    }

    pub fn kind(&self) -> &'static str {
        self.audit_kind().as_str()
    }
}

/// Longest note or resolution text.
pub const NOTE_MAX: usize = 2000;

/// A note's text, trimmed: not empty, not longer than [`NOTE_MAX`], no control characters but
/// line breaks.
pub fn parse_note(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("write the note first".into());
    }
    if text.chars().count() > NOTE_MAX {
        return Err(format!("a note is at most {NOTE_MAX} characters"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("the note contains control characters".into());
    }
    Ok(text.to_string())
}

/// A person's name as the console knows it (the sign-in user name).
pub fn parse_person(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("name the person".into());
    }
    if text.chars().count() > 100 || text.chars().any(char::is_control) {
        return Err(
            "that is not a user name: at most 100 characters, no control characters".into(),
        );
    }
    Ok(text.to_string())
}

/// Whether `response` may be applied to `incident` now, and why not.
pub fn check_response(incident: &Incident, response: &Response) -> Result<(), String> {
    let id = incident.id;
    match response {
        Response::Note(_) => Ok(()),
        _ if !incident.is_open() => Err(format!(
            "incident #{id} is resolved; notes can still be added"
        )),
        Response::Acknowledge => match &incident.acknowledged_by {
            Some(by) => Err(format!("incident #{id} is already acknowledged by {by}")),
            None => Ok(()),
        },
        Response::Assign { name, id: to }
            if incident.assignee.as_deref() == Some(name.as_str())
                && incident.assignee_id == *to =>
        {
            Err(format!("incident #{id} is already assigned to {name}"))
        }
        Response::Assign { .. } | Response::Resolve(_) => Ok(()),
    }
}

/// The list filters, from the address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFilter {
    pub env: Option<String>,
    /// `None`: open ones.
    pub state: Option<IncidentState>,
    /// Owned by (assigned to, else acknowledged by) this person, by id.
    pub mine: bool,
    pub unacknowledged: bool,
}

impl IncidentFilter {
    pub fn matches(&self, incident: &Incident, me: &PersonId) -> bool {
        self.env.as_deref().is_none_or(|e| e == incident.env)
            && incident.state == self.state.unwrap_or(IncidentState::Open)
            && (!self.mine || incident.owner_id() == Some(me))
            && (!self.unacknowledged || incident.acknowledged_at.is_none())
    }
}

/// Open incidents first, then most urgent, then newest.
pub fn sort_incidents(incidents: &mut [Incident]) {
    incidents.sort_by(|a, b| {
        b.is_open()
            .cmp(&a.is_open())
            .then(a.severity.cmp(&b.severity))
            .then(b.opened_at.cmp(&a.opened_at))
    });
}

/// What a timeline entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    /// An alarm changed state.
    Alarm {
        alarm: String,
        from: Option<AlarmState>,
        to: AlarmState,
    },
    /// A new PRIMARY deployment was observed on a service.
    Deployment {
        service: String,
        task_definition: String,
        /// The revision that ran before, when the console saw it.
        previous: Option<String>,
    },
    /// An action taken through the console (from the actions log).
    Action {
        kind: ActionKind,
        target: String,
        outcome: String,
        /// The task definition it pointed the service at (deploy, rollback).
        #[serde(default)]
        revision: Option<String>,
        /// How the rollout it set off went, when followed.
        #[serde(default)]
        rollout: Option<super::rollout_outcome::RolloutOutcome>,
    },
    /// An RDS event.
    DbEvent { source: String },
    /// A person's note on the incident.
    Note,
    /// Opened, acknowledged, assigned, escalated, resolved, reopened.
    Lifecycle { what: String },
}

impl EntryKind {
    /// A change that may have caused an incident.
    pub fn is_change(&self) -> bool {
        match self {
            EntryKind::Deployment { .. } => true,
            EntryKind::Action { kind, .. } => kind.is_change(),
            _ => false,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            EntryKind::Alarm { .. } => "alarm",
            EntryKind::Deployment { .. } => "deployment",
            EntryKind::Action { .. } => "console action",
            EntryKind::DbEvent { .. } => "RDS event",
            EntryKind::Note => "note",
            EntryKind::Lifecycle { .. } => "incident",
        }
    }
}

/// Rolling back a suspect deployment: back to the revision that ran before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackOffer {
    pub cluster: String,
    pub service: String,
    /// The task definition ARN to return to.
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    pub summary: String,
    pub actor: Option<String>,
    /// Marked when it is a change in the window before the incident opened.
    pub suspect: bool,
    pub rollback: Option<RollbackOffer>,
    /// For a deploy ECS rolled back (the console's action, or the deployment of its revision
    /// that was observed), or ECS's own move back: `rolled back by ECS: <reason>`.
    #[serde(default)]
    pub rolled_back: Option<String>,
}

/// Marks the changes in `[opened_at - window, opened_at]` as suspects, offers a rollback for
/// suspect deployments whose previous revision is known, and orders the timeline. A deploy ECS
/// rolled back stays a suspect (it ran, and may have done harm while it failed) but says so: the
/// console's action, the observed deployment of its revision and ECS's move back to the revision
/// before carry `rolled back by ECS: <reason>`, and none of them offers a rollback — the failed
/// revision no longer runs, and rolling "back" from ECS's move would deploy it again.
pub fn build_timeline(
    mut entries: Vec<TimelineEntry>,
    opened_at: DateTime<Utc>,
    window: Duration,
    newest_first: bool,
) -> Vec<TimelineEntry> {
    let from = opened_at - window;
    // (service, revision ECS rolled back, what it said) from the console's own actions.
    let rolled_back: Vec<(String, Option<String>, String)> = entries
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::Action {
                target,
                revision,
                rollout: Some(rollout @ super::rollout_outcome::RolloutOutcome::RolledBack { .. }),
                ..
            } => Some((target.clone(), revision.clone(), rollout.label())),
            _ => None,
        })
        .collect();
    let rolled_back_from = |service: &str, revision: &str| {
        rolled_back
            .iter()
            .find(|(s, r, _)| s == service && r.as_deref() == Some(revision))
            .map(|(_, _, words)| words.clone())
    };
    for e in &mut entries {
        e.suspect = e.kind.is_change() && e.at >= from && e.at <= opened_at;
        e.rolled_back = match &e.kind {
            EntryKind::Action {
                rollout: Some(rollout @ super::rollout_outcome::RolloutOutcome::RolledBack { .. }),
                ..
            } => Some(rollout.label()),
            EntryKind::Deployment {
                service,
                task_definition,
                previous,
            } => rolled_back_from(service, task_definition).or_else(|| {
                previous
                    .as_deref()
                    .and_then(|p| rolled_back_from(service, p))
                    .map(|words| format!("ECS's move back: {words}"))
            }),
            _ => None,
        };
        e.rollback = match (&e.kind, e.suspect, &e.rolled_back) {
            (
                EntryKind::Deployment {
                    service,
                    previous: Some(previous),
                    ..
                },
                true,
                None,
            ) => service
                .split_once('/')
                .map(|(cluster, name)| RollbackOffer {
                    cluster: cluster.to_string(),
                    service: name.to_string(),
                    to: previous.clone(),
                }),
            _ => None,
        };
    }
    // Stable: entries at the same instant keep the order they were recorded in.
    entries.sort_by_key(|e| e.at);
    if newest_first {
        entries.reverse();
    }
    entries
}

/// An alarm's change of state, as seen by the poller or read from the alarm history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub alarm: String,
    pub from: Option<AlarmState>,
    pub to: AlarmState,
    pub at: DateTime<Utc>,
    pub reason: String,
}

impl Transition {
    /// What makes the same transition seen twice (by history and by a later poll) one.
    pub fn dedupe_key(&self) -> String {
        format!(
            "alarm:{}:{}:{}",
            self.alarm,
            self.to.as_str(),
            self.at.timestamp()
        )
    }
}

/// The transitions behind what a poll shows: for each alarm, the history entries after its last
/// recorded state change (when the provider keeps alarm history), then, when the alarm is now in
/// another state than the last one known, that change itself (at the alarm's state timestamp, or
/// `now` when it has none). An alarm never seen before counts as changing from nothing; a known
/// alarm missing from the poll (deleted) counts as going to INSUFFICIENT_DATA, so incidents it
/// held can resolve.
pub fn observe(
    known: &BTreeMap<String, (AlarmState, DateTime<Utc>)>,
    current: &[(String, AlarmState, Option<DateTime<Utc>>, String)],
    history: &[Transition],
    now: DateTime<Utc>,
) -> Vec<Transition> {
    let mut out = Vec::new();
    for (name, state, updated, reason) in current {
        let last = known.get(name).copied();
        let mut seen: Vec<&Transition> = history
            .iter()
            .filter(|t| &t.alarm == name && last.is_none_or(|(_, since)| t.at > since))
            .collect();
        seen.sort_by_key(|t| t.at);
        let mut state_now = last.map(|(s, _)| s);
        for t in seen {
            if state_now != Some(t.to) {
                out.push(Transition {
                    from: state_now,
                    ..t.clone()
                });
                state_now = Some(t.to);
            }
        }
        if state_now != Some(*state) {
            let at = updated
                .filter(|u| last.is_none_or(|(_, since)| *u > since))
                .unwrap_or(now);
            out.push(Transition {
                alarm: name.clone(),
                from: state_now,
                to: *state,
                at,
                reason: reason.clone(),
            });
        }
    }
    for (name, (state, _)) in known {
        if *state != AlarmState::InsufficientData && !current.iter().any(|(n, ..)| n == name) {
            out.push(Transition {
                alarm: name.clone(),
                from: Some(*state),
                to: AlarmState::InsufficientData,
                at: now,
                reason: "the alarm no longer exists".into(),
            });
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then(a.alarm.cmp(&b.alarm)));
    out
}

/// Why an incident goes to the webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentEvent {
    Opened,
    Reopened,
    Escalated,
}

impl IncidentEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentEvent::Opened => "opened",
            IncidentEvent::Reopened => "reopened",
            IncidentEvent::Escalated => "escalated",
        }
    }
}

/// The webhook body for an incident event, in the release notifications' format: Slack's `text`
/// plus structured fields.
pub fn notice_body(
    incident: &Incident,
    event: IncidentEvent,
    at: DateTime<Utc>,
    on_call: &[String],
    url: &str,
) -> serde_json::Value {
    // Titles and alarm names are written by people in AWS, names by people here: their chat
    // markup is neutralised. The on-call names are the configuration's, as configured.
    let title = neutralise_mentions(&incident.title);
    let what = format!(
        "[{}] incident #{} in {}: {title}",
        incident.severity.as_str().to_uppercase(),
        incident.id,
        incident.env,
    );
    let firing: Vec<String> = incident
        .alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm)
        .map(|a| neutralise_mentions(&a.name))
        .collect();
    let mut line = match event {
        IncidentEvent::Opened => format!("Opened {what}"),
        IncidentEvent::Reopened => format!("Reopened {what}"),
        IncidentEvent::Escalated => format!("ESCALATED, nobody acknowledged {what}"),
    };
    if !firing.is_empty() {
        line.push_str(&format!(" — firing: {}", firing.join(", ")));
    }
    if !on_call.is_empty() {
        line.push_str(&format!(" — on call: {}", on_call.join(", ")));
    }
    serde_json::json!({
        "text": format!("{line} <{url}>"),
        "event": format!("incident.{}", event.as_str()),
        "actor": "quarterdeck",
        "at": at.to_rfc3339(),
        "detail": null,
        "url": url,
        "incident": {
            "id": incident.id,
            "env": incident.env,
            "app": incident.app.as_deref().map(neutralise_mentions),
            "title": title,
            "severity": incident.severity.as_str(),
            "state": incident.state.as_str(),
            "opened_at": incident.opened_at.to_rfc3339(),
            "firing": firing,
            "acknowledged_by": incident.acknowledged_by.as_deref().map(neutralise_mentions),
            "assignee": incident.assignee.as_deref().map(neutralise_mentions),
            "on_call": on_call,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::test_time::at;

    fn incident(id: i64, state: IncidentState, fired: &str, resolved: Option<&str>) -> Incident {
        Incident {
            id,
            env: "prod".into(),
            group_key: "app:prospa".into(),
            app: Some("prospa".into()),
            title: "prospa".into(),
            severity: Severity::High,
            state,
            opened_at: at(fired),
            last_fired_at: at(fired),
            resolved_at: resolved.map(at),
            resolved_by: None,
            acknowledged_by: None,
            acknowledged_by_id: None,
            acknowledged_at: None,
            assignee: None,
            assignee_id: None,
            escalated_at: None,
            reopened: 0,
            alarms: vec![],
        }
    }

    fn id(sub: &str) -> PersonId {
        PersonId::oidc("https://idp.example", sub).unwrap()
    }

    fn assign(name: &str, sub: Option<&str>) -> Response {
        Response::Assign {
            name: name.into(),
            id: sub.map(id),
        }
    }

    #[test]
    fn an_alarm_joins_reopens_or_opens() {
        use IncidentState::*;
        let s = IncidentSettings::default();
        let now = "2026-11-29T10:00:00Z";
        let cases: Vec<(&str, Vec<Incident>, Placement)> = vec![
            ("nothing there", vec![], Placement::Open),
            (
                "an open incident that fired 10 minutes ago",
                vec![incident(1, Open, "2026-11-29T09:50:00Z", None)],
                Placement::Join(1),
            ),
            (
                "an open one quiet for longer than the window",
                vec![incident(1, Open, "2026-11-29T08:30:00Z", None)],
                Placement::Open,
            ),
            (
                "the most recently fired of two open ones",
                vec![
                    incident(1, Open, "2026-11-29T09:20:00Z", None),
                    incident(2, Open, "2026-11-29T09:40:00Z", None),
                ],
                Placement::Join(2),
            ),
            (
                "resolved 20 minutes ago: reopened",
                vec![incident(
                    3,
                    Resolved,
                    "2026-11-29T09:00:00Z",
                    Some("2026-11-29T09:40:00Z"),
                )],
                Placement::Reopen(3),
            ),
            (
                "resolved two hours ago: a new one",
                vec![incident(
                    3,
                    Resolved,
                    "2026-11-29T07:00:00Z",
                    Some("2026-11-29T08:00:00Z"),
                )],
                Placement::Open,
            ),
            (
                "open beats recently resolved",
                vec![
                    incident(
                        3,
                        Resolved,
                        "2026-11-29T09:00:00Z",
                        Some("2026-11-29T09:55:00Z"),
                    ),
                    incident(4, Open, "2026-11-29T09:30:00Z", None),
                ],
                Placement::Join(4),
            ),
        ];
        for (name, candidates, want) in cases {
            assert_eq!(place(&candidates, at(now), &s), want, "{name}");
        }
    }

    #[test]
    fn incidents_resolve_after_all_alarms_are_quiet_for_the_stability_window() {
        let s = IncidentSettings::default();
        let alarm = |state, since: &str| IncidentAlarm {
            name: format!("a-{since}"),
            state,
            since: at(since),
        };
        let now = at("2026-11-29T10:00:00Z");
        let cases = [
            ("no alarms recorded", vec![], false),
            (
                "all OK for 6 minutes",
                vec![
                    alarm(AlarmState::Ok, "2026-11-29T09:54:00Z"),
                    alarm(AlarmState::Ok, "2026-11-29T09:50:00Z"),
                ],
                true,
            ),
            (
                "exactly the window",
                vec![alarm(AlarmState::Ok, "2026-11-29T09:55:00Z")],
                true,
            ),
            (
                "the last one OK for 2 minutes",
                vec![
                    alarm(AlarmState::Ok, "2026-11-29T09:58:00Z"),
                    alarm(AlarmState::Ok, "2026-11-29T09:40:00Z"),
                ],
                false,
            ),
            (
                "one still firing",
                vec![
                    alarm(AlarmState::Alarm, "2026-11-29T09:00:00Z"),
                    alarm(AlarmState::Ok, "2026-11-29T09:40:00Z"),
                ],
                false,
            ),
            (
                "no data is not firing",
                vec![alarm(AlarmState::InsufficientData, "2026-11-29T09:00:00Z")],
                true,
            ),
        ];
        for (name, alarms, want) in cases {
            let mut i = incident(1, IncidentState::Open, "2026-11-29T09:00:00Z", None);
            i.alarms = alarms;
            assert_eq!(resolves_by_itself(&i, now, &s), want, "{name}");
        }
        let mut resolved = incident(1, IncidentState::Resolved, "2026-11-29T09:00:00Z", None);
        resolved.alarms = vec![alarm(AlarmState::Ok, "2026-11-29T09:00:00Z")];
        assert!(!resolves_by_itself(&resolved, now, &s), "already resolved");
    }

    #[test]
    fn unacknowledged_incidents_escalate_once() {
        let s = IncidentSettings::default();
        let now = at("2026-11-29T10:00:00Z");
        let fresh = incident(1, IncidentState::Open, "2026-11-29T09:50:00Z", None);
        assert!(!escalation_due(&fresh, now, &s), "10 minutes old");
        let old = incident(1, IncidentState::Open, "2026-11-29T09:40:00Z", None);
        assert!(escalation_due(&old, now, &s), "20 minutes old");
        let acked = Incident {
            acknowledged_at: Some(now),
            acknowledged_by: Some("ana".into()),
            ..old.clone()
        };
        assert!(!escalation_due(&acked, now, &s));
        let escalated = Incident {
            escalated_at: Some(now),
            ..old.clone()
        };
        assert!(!escalation_due(&escalated, now, &s));
        let never = IncidentSettings {
            escalate_after: None,
            ..s
        };
        assert!(!escalation_due(&old, now, &never));
    }

    #[test]
    fn severity_comes_from_the_first_matching_rule_else_the_environment() {
        let rules = vec![
            SeverityRule {
                alarm: Some("*-5xx*".into()),
                tag: None,
                env: Some("prod".into()),
                severity: Severity::Critical,
            },
            SeverityRule {
                alarm: None,
                tag: Some(("tier".into(), "batch".into())),
                env: None,
                severity: Severity::Low,
            },
        ];
        let batch: BTreeMap<String, String> = [("tier".to_string(), "batch".to_string())].into();
        let none = BTreeMap::new();
        let cases = [
            (
                "prod",
                true,
                "prospa-api-5XX-rate",
                &none,
                Severity::Critical,
            ),
            (
                "staging",
                false,
                "prospa-api-5xx-rate",
                &none,
                Severity::Low,
            ),
            ("prod", true, "cleanup-failures", &batch, Severity::Low),
            ("prod", true, "prospa-db-cpu", &none, Severity::High),
            ("dev", false, "prospa-db-cpu", &none, Severity::Low),
        ];
        for (env, protected, alarm, tags, want) in cases {
            assert_eq!(
                severity_of(&rules, env, protected, alarm, tags),
                want,
                "{env} {alarm}"
            );
        }
    }

    #[test]
    fn polls_and_history_become_transitions_once() {
        use AlarmState::*;
        let now = at("2026-11-29T10:00:00Z");
        let known: BTreeMap<String, (AlarmState, DateTime<Utc>)> = [
            ("cpu".to_string(), (Ok, at("2026-11-29T08:00:00Z"))),
            ("5xx".to_string(), (Ok, at("2026-11-29T08:00:00Z"))),
            ("disk".to_string(), (Alarm, at("2026-11-29T07:00:00Z"))),
        ]
        .into();
        let current = |name: &str, state, updated: Option<&str>| {
            (
                name.to_string(),
                state,
                updated.map(at),
                format!("{name} reason"),
            )
        };
        let t = |alarm: &str, to, when: &str| Transition {
            alarm: alarm.into(),
            from: None,
            to,
            at: at(when),
            reason: "history".into(),
        };
        // cpu went to ALARM and back between two polls: only the history shows it.
        let history = vec![
            t("cpu", Alarm, "2026-11-29T09:58:00Z"),
            t("cpu", Ok, "2026-11-29T09:59:00Z"),
            t("cpu", Ok, "2026-11-29T07:00:00Z"),
        ];
        let polled = [
            current("cpu", Ok, Some("2026-11-29T09:59:00Z")),
            current("5xx", Alarm, Some("2026-11-29T09:57:00Z")),
            current("disk", Alarm, Some("2026-11-29T07:00:00Z")),
            current("new", InsufficientData, None),
        ];
        let got = observe(&known, &polled, &history, now);
        let shape: Vec<(&str, Option<AlarmState>, AlarmState, String)> = got
            .iter()
            .map(|t| {
                (
                    t.alarm.as_str(),
                    t.from,
                    t.to,
                    t.at.format("%H:%M").to_string(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("5xx", Some(Ok), Alarm, "09:57".into()),
                ("cpu", Some(Ok), Alarm, "09:58".into()),
                ("cpu", Some(Alarm), Ok, "09:59".into()),
                ("new", None, InsufficientData, "10:00".into()),
            ]
        );
        // A deleted alarm stops firing.
        let gone = observe(&known, &polled[..2], &[], now);
        let disk = gone.iter().find(|t| t.alarm == "disk").expect("disk");
        assert_eq!(
            (disk.from, disk.to, disk.at),
            (Some(Alarm), InsufficientData, now)
        );
        // A state timestamp older than the known change (clock skew) falls back to now.
        let skewed = observe(
            &known,
            &[current("5xx", Alarm, Some("2026-11-29T07:00:00Z"))],
            &[],
            now,
        );
        let five = skewed.iter().find(|t| t.alarm == "5xx").expect("5xx");
        assert_eq!(five.at, now);
        assert_eq!(
            five.dedupe_key(),
            format!("alarm:5xx:ALARM:{}", now.timestamp())
        );
    }

    #[test]
    fn glob_patterns() {
        let cases = [
            ("*", "", true),
            ("*-5xx", "api-5xx", true),
            ("*-5xx", "api-5xx-rate", false),
            ("api-*-rate", "API-5xx-rate", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXcYYb", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
        ];
        for (p, t, want) in cases {
            assert_eq!(glob_match(p, t), want, "{p} vs {t}");
        }
    }

    #[test]
    fn what_a_person_may_do_to_an_incident() {
        let open = incident(7, IncidentState::Open, "2026-11-29T09:00:00Z", None);
        let acked = Incident {
            acknowledged_by: Some("ana".into()),
            acknowledged_by_id: Some(id("u-ana")),
            acknowledged_at: Some(at("2026-11-29T09:05:00Z")),
            assignee: Some("bob".into()),
            assignee_id: Some(id("u-bob")),
            ..open.clone()
        };
        let resolved = incident(8, IncidentState::Resolved, "2026-11-29T09:00:00Z", None);
        let cases = [
            (&open, Response::Acknowledge, Ok(())),
            (
                &acked,
                Response::Acknowledge,
                Err("incident #7 is already acknowledged by ana"),
            ),
            (&acked, assign("cem", None), Ok(())),
            (
                &acked,
                assign("bob", Some("u-bob")),
                Err("incident #7 is already assigned to bob"),
            ),
            // Someone else who is also called bob takes it; bob by name alone is another
            // assignment too.
            (&acked, assign("bob", Some("u-bob-2")), Ok(())),
            (&acked, assign("bob", None), Ok(())),
            (&open, Response::Resolve("fixed".into()), Ok(())),
            (
                &resolved,
                Response::Resolve("again".into()),
                Err("incident #8 is resolved; notes can still be added"),
            ),
            (&resolved, Response::Note("postmortem link".into()), Ok(())),
        ];
        for (incident, response, want) in cases {
            assert_eq!(
                check_response(incident, &response),
                want.map_err(String::from),
                "{response:?}"
            );
        }
        assert_eq!(acked.owner(), Some("bob"));
        assert_eq!(acked.owner_id(), Some(&id("u-bob")));
        assert!(acked.assigned_to(&id("u-bob")) && !acked.assigned_to(&id("u-ana")));
        let by_name = Incident {
            assignee_id: None,
            ..acked.clone()
        };
        assert_eq!(by_name.owner_id(), None, "a typed name is nobody's id");
        let unassigned = Incident {
            assignee: None,
            assignee_id: None,
            ..acked.clone()
        };
        assert_eq!(unassigned.owner_id(), Some(&id("u-ana")));
        assert!(parse_note("  ").is_err());
        assert!(parse_note(&"x".repeat(NOTE_MAX + 1)).is_err());
        assert!(parse_note("bad\u{7}bell").is_err());
        assert_eq!(
            parse_note(" rolled back\nwatching ").unwrap(),
            "rolled back\nwatching"
        );
        assert!(parse_person("").is_err());
        assert_eq!(parse_person(" ana ").unwrap(), "ana");
    }

    #[test]
    fn webhook_bodies_name_the_incident_and_who_is_on_call() {
        let mut i = incident(12, IncidentState::Open, "2026-11-29T09:00:00Z", None);
        i.title = "prospa: prospa-api-5xx".into();
        i.alarms = vec![IncidentAlarm {
            name: "prospa-api-5xx".into(),
            state: AlarmState::Alarm,
            since: at("2026-11-29T09:00:00Z"),
        }];
        let body = notice_body(
            &i,
            IncidentEvent::Escalated,
            at("2026-11-29T09:15:00Z"),
            &["cem".into()],
            "https://ops.example/incidents/12",
        );
        assert_eq!(body["event"], "incident.escalated");
        assert_eq!(body["incident"]["severity"], "high");
        assert_eq!(body["incident"]["firing"][0], "prospa-api-5xx");
        assert_eq!(
            body["text"],
            "ESCALATED, nobody acknowledged [HIGH] incident #12 in prod: prospa: prospa-api-5xx — firing: prospa-api-5xx — on call: cem <https://ops.example/incidents/12>"
        );
    }

    #[test]
    fn webhook_bodies_carry_no_chat_mentions_from_alarm_names() {
        let mut i = incident(13, IncidentState::Open, "2026-11-29T09:00:00Z", None);
        i.title = "shop: <!channel> cpu".into();
        i.assignee = Some("<@U024BE7LH>".into());
        i.alarms = vec![IncidentAlarm {
            name: "<!channel> cpu @here".into(),
            state: AlarmState::Alarm,
            since: at("2026-11-29T09:00:00Z"),
        }];
        let body = notice_body(
            &i,
            IncidentEvent::Opened,
            at("2026-11-29T09:00:00Z"),
            &[],
            "https://ops.example/incidents/13",
        );
        assert_eq!(
            body["text"],
            "Opened [HIGH] incident #13 in prod: shop: &lt;!channel&gt; cpu — firing: \
             &lt;!channel&gt; cpu @\u{200B}here <https://ops.example/incidents/13>"
        );
        assert_eq!(body["incident"]["title"], "shop: &lt;!channel&gt; cpu");
        assert_eq!(body["incident"]["assignee"], "&lt;@U024BE7LH&gt;");
    }

    #[test]
    fn filters_pick_open_mine_and_unacknowledged() {
        let open = incident(1, IncidentState::Open, "2026-11-29T09:00:00Z", None);
        let mine = Incident {
            id: 2,
            assignee: Some("ana".into()),
            assignee_id: Some(id("u-ana")),
            acknowledged_at: Some(at("2026-11-29T09:01:00Z")),
            acknowledged_by: Some("bob".into()),
            acknowledged_by_id: Some(id("u-bob")),
            ..open.clone()
        };
        let resolved = incident(3, IncidentState::Resolved, "2026-11-29T08:00:00Z", None);
        // Assigned to another person who is also called ana: not mine.
        let namesakes = Incident {
            id: 4,
            assignee: Some("ana".into()),
            assignee_id: Some(id("u-ana-2")),
            ..open.clone()
        };
        let all = [open, mine, resolved, namesakes];
        let ids = |f: IncidentFilter| -> Vec<i64> {
            all.iter()
                .filter(|i| f.matches(i, &id("u-ana")))
                .map(|i| i.id)
                .collect()
        };
        assert_eq!(ids(IncidentFilter::default()), vec![1, 2, 4]);
        assert_eq!(
            ids(IncidentFilter {
                mine: true,
                ..Default::default()
            }),
            vec![2]
        );
        assert_eq!(
            ids(IncidentFilter {
                unacknowledged: true,
                ..Default::default()
            }),
            vec![1, 4]
        );
        assert_eq!(
            ids(IncidentFilter {
                state: Some(IncidentState::Resolved),
                ..Default::default()
            }),
            vec![3]
        );
        assert_eq!(
            ids(IncidentFilter {
                env: Some("dev".into()),
                ..Default::default()
            }),
            Vec::<i64>::new()
        );
    }

    /// A plain timeline entry of `kind` at `t`, before `build_timeline` marks it.
    fn entry(t: &str, kind: EntryKind) -> TimelineEntry {
        TimelineEntry {
            at: at(t),
            kind,
            summary: String::new(),
            actor: None,
            suspect: false,
            rollback: None,
            rolled_back: None,
        }
    }

    #[test]
    fn changes_before_the_incident_are_suspects_in_order() {
        let deploy = |t: &str, previous: Option<&str>| {
            entry(
                t,
                EntryKind::Deployment {
                    service: "main/prospa-api".into(),
                    task_definition: "arn:td/prospa-api:8".into(),
                    previous: previous.map(String::from),
                },
            )
        };
        let scale = |t: &str| {
            entry(
                t,
                EntryKind::Action {
                    kind: ActionKind::Scale,
                    target: "main/prospa-api".into(),
                    outcome: "succeeded".into(),
                    revision: None,
                    rollout: None,
                },
            )
        };
        let snapshot = |t: &str| {
            entry(
                t,
                EntryKind::Action {
                    kind: ActionKind::Snapshot,
                    target: "prospa-db".into(),
                    outcome: "succeeded".into(),
                    revision: None,
                    rollout: None,
                },
            )
        };
        let fired = entry(
            "2026-11-29T10:00:00Z",
            EntryKind::Alarm {
                alarm: "prospa-5xx".into(),
                from: Some(AlarmState::Ok),
                to: AlarmState::Alarm,
            },
        );
        let entries = vec![
            fired,
            deploy("2026-11-29T09:50:00Z", Some("arn:td/prospa-api:7")),
            scale("2026-11-29T09:40:00Z"),
            snapshot("2026-11-29T09:45:00Z"),
            deploy("2026-11-29T07:00:00Z", Some("arn:td/prospa-api:6")),
            scale("2026-11-29T10:05:00Z"),
        ];
        let t = build_timeline(
            entries,
            at("2026-11-29T10:00:00Z"),
            Duration::hours(2),
            false,
        );
        let shape: Vec<(String, &str, bool)> = t
            .iter()
            .map(|e| (e.at.format("%H:%M").to_string(), e.kind.label(), e.suspect))
            .collect();
        assert_eq!(
            shape,
            vec![
                ("07:00".into(), "deployment", false),
                ("09:40".into(), "console action", true),
                ("09:45".into(), "console action", false),
                ("09:50".into(), "deployment", true),
                ("10:00".into(), "alarm", false),
                ("10:05".into(), "console action", false),
            ]
        );
        assert_eq!(
            t[3].rollback,
            Some(RollbackOffer {
                cluster: "main".into(),
                service: "prospa-api".into(),
                to: "arn:td/prospa-api:7".into()
            })
        );
        assert!(t[0].rollback.is_none(), "not a suspect: no offer");
        let newest = build_timeline(
            t.clone(),
            at("2026-11-29T10:00:00Z"),
            Duration::hours(2),
            true,
        );
        assert_eq!(
            newest.first().map(|e| e.at),
            Some(at("2026-11-29T10:05:00Z"))
        );
    }

    #[test]
    fn a_deploy_ecs_rolled_back_is_a_suspect_that_says_so_and_offers_no_rollback() {
        let reason = "ECS deployment circuit breaker: tasks failed to start.";
        let deploy_action = entry(
            "2026-11-29T09:40:00Z",
            EntryKind::Action {
                kind: ActionKind::Deploy,
                target: "main/web".into(),
                outcome: "succeeded".into(),
                revision: Some("arn:td/web:8".into()),
                rollout: Some(crate::domain::rollout_outcome::RolloutOutcome::RolledBack {
                    reason: reason.into(),
                    to: Some("web:7".into()),
                }),
            },
        );
        let observed = |t: &str, td: &str, previous: &str| {
            entry(
                t,
                EntryKind::Deployment {
                    service: "main/web".into(),
                    task_definition: td.into(),
                    previous: Some(previous.into()),
                },
            )
        };
        let entries = vec![
            deploy_action,
            // The poller saw web:8 become PRIMARY, then ECS's move back to web:7.
            observed("2026-11-29T09:41:00Z", "arn:td/web:8", "arn:td/web:7"),
            observed("2026-11-29T09:49:00Z", "arn:td/web:7", "arn:td/web:8"),
            // An unrelated deploy of another service keeps its offer.
            entry(
                "2026-11-29T09:50:00Z",
                EntryKind::Deployment {
                    service: "main/api".into(),
                    task_definition: "arn:td/api:3".into(),
                    previous: Some("arn:td/api:2".into()),
                },
            ),
        ];
        let t = build_timeline(
            entries,
            at("2026-11-29T10:00:00Z"),
            Duration::hours(1),
            false,
        );
        let words = format!("rolled back by ECS: {reason}");
        let shape: Vec<(bool, Option<String>, bool)> = t
            .iter()
            .map(|e| (e.suspect, e.rolled_back.clone(), e.rollback.is_some()))
            .collect();
        assert_eq!(
            shape,
            vec![
                (true, Some(words.clone()), false),
                (true, Some(words.clone()), false),
                (true, Some(format!("ECS's move back: {words}")), false),
                (true, None, true),
            ]
        );
    }
}
