//! The incident paths: what the alarm poller does with each poll (record transitions, observed
//! deployments and RDS events; open, join, reopen, resolve and escalate incidents; notify), what a
//! person does to an incident (acknowledge, assign, note, resolve), and the incident's timeline.

use super::access::authorized_state;
use super::live::LiveKind;
use super::services::AppServices;
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::incidents::{
    self, build_timeline, check_response, escalation_due, group_key, notice_body, place,
    resolves_by_itself, severity_of, EntryKind, Incident, IncidentAlarm, IncidentEvent,
    IncidentState, Placement, Response, TimelineEntry, Transition,
};
use crate::domain::inventory::{
    service_key, Alarm, AlarmResource, AlarmState, EnvDescriptor, EnvInventory,
};
use crate::domain::policy::Action;
use crate::domain::work_actions::{function_target, queue_target};
use crate::error::AppError;
use crate::ports::{NewEntry, NewIncident, PortResult, StoredEntry};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// The job that polls alarms and moves incidents.
pub const POLLER: &str = "alarm poller";

/// What one poll of an environment saw.
pub struct Poll<'a> {
    pub env: &'a EnvDescriptor,
    /// Every alarm as DescribeAlarms returned it, attributed to apps.
    pub alarms: &'a [Alarm],
    /// Transitions from the provider's alarm history (empty where it keeps none).
    pub history: &'a [Transition],
    /// The environment's snapshot, for observed deployments, RDS events and tags.
    pub inventory: Option<&'a EnvInventory>,
    /// The snapshot changed since the last poll: look for new deployments and RDS events in it.
    pub snapshot_changed: bool,
    pub now: DateTime<Utc>,
}

/// What a poll changed, for the logs and the tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    pub transitions: usize,
    pub opened: Vec<i64>,
    pub changed: Vec<i64>,
    pub resolved: Vec<i64>,
    pub escalated: Vec<i64>,
}

/// An audit entry for a step the poller took by itself.
fn system_audit(kind: AuditKind, env: &str, target: String, detail: Option<String>) -> AuditEntry {
    AuditEntry::new(&Caller::job(POLLER), kind, AuditOutcome::Succeeded)
        .env(env)
        .target(target)
        .maybe_detail(detail)
}

/// The tags of the service or database an alarm watches.
fn resource_tags(inventory: Option<&EnvInventory>, alarm: &Alarm) -> BTreeMap<String, String> {
    let Some(inv) = inventory else {
        return BTreeMap::new();
    };
    match &alarm.resource {
        AlarmResource::Service { cluster, service } => inv
            .service(cluster, service)
            .map(|s| s.tags.clone())
            .unwrap_or_default(),
        AlarmResource::Database { id } => {
            inv.database(id).map(|d| d.tags.clone()).unwrap_or_default()
        }
        _ => BTreeMap::new(),
    }
}

/// Handles one poll of one environment. Each step is recorded before the next, so a poll that
/// fails half-way is finished by the next one: transitions are recorded once (by their dedupe
/// key) and only new ones move incidents.
pub async fn process_poll(services: &AppServices, poll: Poll<'_>) -> Result<PollOutcome, AppError> {
    let env = poll.env.id.to_string();
    let store = &services.incidents;
    let settings = &services.incident_settings;
    let mut outcome = PollOutcome::default();

    let known: BTreeMap<String, (AlarmState, DateTime<Utc>)> = store
        .alarm_states(&env)
        .await
        .context("reading alarm states")?
        .into_iter()
        .map(|(name, k)| (name, (k.state, k.since)))
        .collect();
    let current: Vec<(String, AlarmState, Option<DateTime<Utc>>, String)> = poll
        .alarms
        .iter()
        .map(|a| (a.name.clone(), a.state, a.updated_at, a.reason.clone()))
        .collect();
    let transitions = incidents::observe(&known, &current, poll.history, poll.now);
    let by_name: BTreeMap<&str, &Alarm> =
        poll.alarms.iter().map(|a| (a.name.as_str(), a)).collect();
    let rows: Vec<(Transition, NewEntry)> = transitions
        .iter()
        .map(|t| {
            let app = by_name.get(t.alarm.as_str()).and_then(|a| a.app.clone());
            let change = match t.from {
                Some(from) => format!("{} → {}", from.as_str(), t.to.as_str()),
                None => format!("first seen in {}", t.to.as_str()),
            };
            let entry = NewEntry {
                env: env.clone(),
                at: t.at,
                app,
                subject: t.alarm.clone(),
                kind: EntryKind::Alarm {
                    alarm: t.alarm.clone(),
                    from: t.from,
                    to: t.to,
                },
                summary: format!("{} {change}: {}", t.alarm, t.reason),
                actor: None,
                incident: None,
                dedupe: Some(t.dedupe_key()),
            };
            (t.clone(), entry)
        })
        .collect();
    let fresh = store
        .record_transitions(&env, &rows)
        .await
        .context("recording alarm transitions")?;
    outcome.transitions = fresh.len();

    for i in fresh {
        let (t, entry) = &rows[i];
        let alarm = IncidentAlarm {
            name: t.alarm.clone(),
            state: t.to,
            since: t.at,
        };
        // A scaling signal in ALARM is target tracking at work (the low alarm of a pair is in
        // ALARM whenever load is below target): on the timeline, never an incident.
        if t.to == AlarmState::Alarm
            && by_name
                .get(t.alarm.as_str())
                .is_some_and(|a| a.is_scaling_signal())
        {
            continue;
        }
        if t.to != AlarmState::Alarm {
            let ids = store
                .alarm_changed(&env, &alarm)
                .await
                .context("updating an incident's alarm")?;
            outcome.changed.extend(ids);
            continue;
        }
        let key = group_key(entry.app.as_deref(), &t.alarm);
        let candidates = store
            .candidates(&env, &key, t.at - settings.group_window)
            .await
            .context("reading incidents")?;
        match place(&candidates, t.at, settings) {
            Placement::Join(id) => {
                store
                    .fire(id, &alarm, None)
                    .await
                    .context("adding an alarm to an incident")?;
                outcome.changed.push(id);
            }
            Placement::Reopen(id) => {
                let audit = system_audit(
                    AuditKind::IncidentReopen,
                    &env,
                    format!("incident #{id}"),
                    Some(format!("{} fired again", t.alarm)),
                );
                let reopened = store
                    .fire(id, &alarm, Some(audit))
                    .await
                    .context("reopening an incident")?;
                outcome.changed.push(id);
                if reopened {
                    notify(services, id, IncidentEvent::Reopened, poll.now).await;
                }
            }
            Placement::Open => {
                let source = by_name.get(t.alarm.as_str());
                let tags = source
                    .map(|a| resource_tags(poll.inventory, a))
                    .unwrap_or_default();
                let severity = severity_of(
                    &services.severity_rules,
                    &env,
                    poll.env.protected,
                    &t.alarm,
                    &tags,
                );
                let title = match &entry.app {
                    Some(app) => format!("{app}: {}", t.alarm),
                    None => t.alarm.clone(),
                };
                let new = NewIncident {
                    env: env.clone(),
                    group_key: key.clone(),
                    app: entry.app.clone(),
                    title: title.clone(),
                    severity,
                    alarm,
                };
                let audit = system_audit(
                    AuditKind::IncidentOpen,
                    &env,
                    key,
                    Some(format!("{} ({})", title, severity.as_str())),
                );
                let id = store
                    .open(&new, audit)
                    .await
                    .context("opening an incident")?;
                outcome.opened.push(id);
                notify(services, id, IncidentEvent::Opened, poll.now).await;
            }
        }
    }

    if let (Some(inventory), true) = (poll.inventory, poll.snapshot_changed) {
        observe_changes(services, &env, inventory, poll.now).await?;
    }

    let open = store
        .list(&[env.as_str()], IncidentState::Open)
        .await
        .context("reading open incidents")?;
    for incident in &open {
        if resolves_by_itself(incident, poll.now, settings) {
            let note = format!(
                "all alarms OK for {} min",
                settings.stability.num_minutes().max(1)
            );
            let audit = system_audit(
                AuditKind::IncidentResolve,
                &env,
                format!("incident #{}", incident.id),
                Some(note.clone()),
            );
            if store
                .respond(
                    incident.id,
                    &Caller::job(POLLER).principal,
                    &Response::Resolve(note),
                    poll.now,
                    audit,
                )
                .await
                .context("resolving an incident")?
            {
                outcome.resolved.push(incident.id);
            }
        } else if escalation_due(incident, poll.now, settings)
            && store
                .mark_escalated(incident.id, poll.now)
                .await
                .context("escalating an incident")?
        {
            outcome.escalated.push(incident.id);
            notify(services, incident.id, IncidentEvent::Escalated, poll.now).await;
        }
    }

    let mut touched: BTreeSet<i64> = BTreeSet::new();
    touched.extend(outcome.opened.iter().copied());
    touched.extend(outcome.changed.iter().copied());
    touched.extend(outcome.resolved.iter().copied());
    touched.extend(outcome.escalated.iter().copied());
    for id in touched {
        services.live.publish(LiveKind::Incident, &env, Some(id));
    }
    Ok(outcome)
}

/// What identifies a service's current deployment: its task definition and, where ECS reports
/// one for it, the PRIMARY deployment's id (so a forced new deployment of the same revision counts).
fn deployment_marker(td: &str, primary: Option<&str>) -> String {
    match primary {
        Some(id) => format!("{td}#{id}"),
        None => td.to_string(),
    }
}

/// The task definition part of a marker.
fn marker_revision(marker: &str) -> &str {
    marker.split('#').next().unwrap_or(marker)
}

/// Records new PRIMARY deployments on services (a new task definition or deployment id) as
/// observed deployments, and RDS events.
async fn observe_changes(
    services: &AppServices,
    env: &str,
    inventory: &EnvInventory,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let store = &services.incidents;
    let last = store
        .last_deployments(env)
        .await
        .context("reading observed deployments")?;
    let mut entries = Vec::new();
    let mut seen = Vec::new();
    for s in &inventory.services {
        let key = service_key(&s.cluster, &s.name);
        let td = s.task_definition_arn.as_str();
        let primary = s
            .deployments
            .iter()
            .find(|d| d.status == "PRIMARY" && d.task_definition_arn == td);
        let marker = deployment_marker(td, primary.map(|d| d.id.as_str()));
        if td.is_empty() || last.get(&key) == Some(&marker) {
            continue;
        }
        // Before the console saw this service, the revision it leaves is the one an unfinished
        // rollout still runs, if any.
        let previous = last
            .get(&key)
            .map(|m| marker_revision(m).to_string())
            .or_else(|| {
                s.deployments
                    .iter()
                    .find(|d| d.status == "ACTIVE" && d.task_definition_arn != td)
                    .map(|d| d.task_definition_arn.clone())
            });
        let at = primary.and_then(|d| d.created_at).unwrap_or(now);
        let revision = td.rsplit('/').next().unwrap_or(td);
        let image = s
            .task_definition
            .as_ref()
            .and_then(|t| t.containers.first())
            .map(|c| format!(" ({})", c.image))
            .unwrap_or_default();
        let summary = match &previous {
            Some(p) if p == td => format!("{key}: new deployment of {revision}{image}"),
            Some(p) => format!(
                "{key} now runs {revision}{image}, was {}",
                p.rsplit('/').next().unwrap_or(p)
            ),
            None => format!("{key} runs {revision}{image}"),
        };
        entries.push(NewEntry {
            env: env.to_string(),
            at,
            app: s.app.clone(),
            subject: key.clone(),
            kind: EntryKind::Deployment {
                service: key.clone(),
                task_definition: td.to_string(),
                previous,
            },
            summary,
            actor: None,
            incident: None,
            dedupe: Some(format!("deploy:{key}:{marker}:{}", at.timestamp())),
        });
        seen.push((key, marker));
    }
    for e in &inventory.db_events {
        let at = e.at.unwrap_or(now);
        let app = inventory.database(&e.source_id).and_then(|d| d.app.clone());
        let message: String = e.message.chars().take(120).collect();
        entries.push(NewEntry {
            env: env.to_string(),
            at,
            app,
            subject: e.source_id.clone(),
            kind: EntryKind::DbEvent {
                source: e.source_id.clone(),
            },
            summary: format!("{}: {}", e.source_id, e.message),
            actor: None,
            incident: None,
            dedupe: Some(format!("rds:{}:{}:{message}", e.source_id, at.timestamp())),
        });
    }
    store
        .record_entries(&entries)
        .await
        .context("recording observed changes")?;
    store
        .set_last_deployments(env, &seen)
        .await
        .context("remembering deployments")?;
    Ok(())
}

/// Who is on call now in each rotation, overrides applied.
pub async fn on_call_now(
    services: &AppServices,
    now: DateTime<Utc>,
) -> Vec<crate::domain::oncall::OnCall> {
    let overrides = match services.incidents.overrides().await {
        Ok(o) => o,
        Err(e) => {
            let chain = crate::error::error_chain(&e);
            tracing::warn!(error = %chain, "reading on-call overrides");
            Vec::new()
        }
    };
    on_call_with(services, now, &overrides)
}

/// Who is on call now and next in every rotation, with `overrides` applied.
pub fn on_call_with(
    services: &AppServices,
    now: DateTime<Utc>,
    overrides: &[crate::domain::oncall::Override],
) -> Vec<crate::domain::oncall::OnCall> {
    services
        .rotations
        .iter()
        .map(|r| r.on_call_with(now, overrides))
        .collect()
}

/// Tells the webhooks about an incident, with the people on call. Never fails the poll.
async fn notify(services: &AppServices, id: i64, event: IncidentEvent, now: DateTime<Utc>) {
    match services.incidents.get(id).await {
        Ok(Some(incident)) => {
            let on_call: Vec<String> = on_call_now(services, now)
                .await
                .into_iter()
                .filter_map(|o| o.now.map(|s| format!("{} ({})", s.who, o.rotation)))
                .collect();
            let url = format!("{}/incidents/{id}", services.public_url);
            let body = notice_body(&incident, event, now, &on_call, &url);
            super::webhooks::notify(services, body).await;
        }
        Ok(None) => {}
        Err(e) => {
            let chain = crate::error::error_chain(&e);
            tracing::warn!(incident = id, error = %chain, "reading an incident for its notice")
        }
    }
}

/// An incident this user may see, or why not.
pub async fn visible_incident(
    caller: &Caller,
    services: &AppServices,
    id: i64,
    action: Action,
) -> Result<Incident, AppError> {
    let incident = services
        .incidents
        .get(id)
        .await
        .context("reading an incident")?
        .ok_or_else(|| AppError::NotFound(format!("there is no incident #{id}")))?;
    authorized_state(caller, services, &incident.env, action).await?;
    Ok(incident)
}

/// The incidents of the environments the person may see (of `env` only, when given) in
/// `state`, most urgent first.
pub async fn list(
    user: &crate::domain::policy::Principal,
    services: &AppServices,
    env: Option<&crate::domain::ids::EnvId>,
    state: IncidentState,
) -> Result<Vec<Incident>, AppError> {
    // Only the environments the caller may see (and, with `env`, only that one) are asked
    // for, so the store's limit applies to rows the caller will see.
    let visible: Vec<String> = super::access::visible_states(user, services)
        .into_iter()
        .map(|s| s.descriptor.id.to_string())
        .filter(|id| env.is_none_or(|wanted| wanted.as_str() == id))
        .collect();
    let envs: Vec<&str> = visible.iter().map(String::as_str).collect();
    let mut rows = services
        .incidents
        .list(&envs, state)
        .await
        .context("listing incidents")?;
    incidents::sort_incidents(&mut rows);
    Ok(rows)
}

/// One incident the caller may see, with its timeline (`newest_first` or oldest first) and
/// its environment's current state.
pub async fn detail(
    caller: &Caller,
    services: &AppServices,
    id: i64,
    newest_first: bool,
    now: DateTime<Utc>,
) -> Result<(Incident, Vec<TimelineEntry>, Option<crate::ports::EnvState>), AppError> {
    let incident = visible_incident(caller, services, id, Action::View).await?;
    // `visible_incident` authorised the incident's environment, so its id parses.
    let env = crate::domain::ids::EnvId::parse(&incident.env)?;
    let state = services.inventory.state(&env);
    let timeline = timeline(
        services,
        &incident,
        state.as_ref().and_then(|s| s.inventory.as_deref()),
        state.as_ref().and_then(|s| s.details.as_deref()),
        newest_first,
        now,
    )
    .await?;
    Ok((incident, timeline, state))
}

/// A person's response to one incident, checked, recorded with its audit row, announced live.
pub async fn respond(
    caller: &Caller,
    services: &AppServices,
    id: i64,
    response: Response,
) -> Result<Incident, AppError> {
    let incident = visible_incident(caller, services, id, Action::RespondIncident).await?;
    check_response(&incident, &response).map_err(AppError::Conflict)?;
    let detail = match &response {
        Response::Acknowledge => None,
        Response::Assign { name, id: Some(id) } => Some(format!("assigned to {name} ({id})")),
        Response::Assign { name, id: None } => Some(format!("assigned to {name}")),
        Response::Note(text) | Response::Resolve(text) => Some(text.clone()),
    };
    let audit = AuditEntry::new(caller, response.audit_kind(), AuditOutcome::Succeeded)
        .env(incident.env.as_str())
        .target(format!("incident #{id}"))
        .maybe_detail(detail);
    let changed = services
        .incidents
        .respond(id, &caller.principal, &response, Utc::now(), audit)
        .await
        .context("recording a response to an incident")?;
    if !changed {
        return Err(AppError::Conflict(format!(
            "incident #{id} changed meanwhile; reload and try again"
        )));
    }
    services
        .live
        .publish(LiveKind::Incident, &incident.env, Some(id));
    services
        .incidents
        .get(id)
        .await
        .context("reading an incident")?
        .ok_or_else(|| AppError::NotFound(format!("there is no incident #{id}")))
}

/// Acknowledges several incidents; those already acknowledged or resolved are skipped and
/// named. Fails only when none could be acknowledged.
pub async fn acknowledge_many(
    caller: &Caller,
    services: &AppServices,
    ids: &[i64],
) -> Result<(Vec<i64>, Vec<String>), AppError> {
    if ids.is_empty() {
        return Err(AppError::Invalid(
            "tick the incidents to acknowledge first".into(),
        ));
    }
    let mut done = Vec::new();
    let mut skipped = Vec::new();
    for id in ids {
        match respond(caller, services, *id, Response::Acknowledge).await {
            Ok(_) => done.push(*id),
            Err(AppError::Conflict(why)) => skipped.push(why),
            Err(e) => return Err(e),
        }
    }
    if done.is_empty() {
        return Err(AppError::Conflict(skipped.join("; ")));
    }
    Ok((done, skipped))
}

/// The incident's timeline: its alarms' transitions, deployments and RDS events on its app,
/// console actions on its services, databases, queues and functions (an alias moved, a worker
/// paused), notes and lifecycle, with suspects marked.
pub async fn timeline(
    services: &AppServices,
    incident: &Incident,
    inventory: Option<&EnvInventory>,
    details: Option<&crate::domain::inventory::EnvDetails>,
    newest_first: bool,
    now: DateTime<Utc>,
) -> Result<Vec<TimelineEntry>, AppError> {
    let window = services.incident_settings.suspect_window;
    let from = incident.opened_at - window;
    let to = incident.resolved_at.unwrap_or(now).max(now);
    let alarms: BTreeSet<&str> = incident.alarms.iter().map(|a| a.name.as_str()).collect();
    // The services and databases of its app, and those its alarms watch.
    let mut subjects: BTreeSet<String> = BTreeSet::new();
    if let Some(inv) = inventory {
        for s in &inv.services {
            if s.app.is_some() && s.app == incident.app {
                subjects.insert(service_key(&s.cluster, &s.name));
            }
        }
        for d in &inv.databases {
            if d.app.is_some() && d.app == incident.app {
                subjects.insert(d.id.clone());
            }
        }
        for a in inv
            .alarms
            .iter()
            .filter(|a| alarms.contains(a.name.as_str()))
        {
            match &a.resource {
                AlarmResource::Service { cluster, service } => {
                    subjects.insert(service_key(cluster, service));
                }
                AlarmResource::Database { id } => {
                    subjects.insert(id.clone());
                }
                AlarmResource::Queue { name } => {
                    subjects.insert(queue_target(name));
                }
                AlarmResource::Function { name } => {
                    subjects.insert(function_target(name));
                }
                _ => {}
            }
        }
    }
    // The app's queues and functions, by the targets their actions are stored under.
    if let (Some(details), Some(app)) = (details, incident.app.as_deref()) {
        subjects.extend(
            details
                .queues
                .of_app(app)
                .iter()
                .map(|q| queue_target(&q.name)),
        );
        subjects.extend(
            details
                .functions
                .of_app(app)
                .iter()
                .map(|f| function_target(&f.name)),
        );
    }
    let stored: Vec<StoredEntry> = services
        .incidents
        .entries(&incident.env, from, to, incident.id)
        .await
        .context("reading the timeline")?;
    let mut entries: Vec<TimelineEntry> = stored
        .into_iter()
        .filter(|s| {
            s.incident == Some(incident.id)
                || match &s.entry.kind {
                    EntryKind::Alarm { alarm, .. } => alarms.contains(alarm.as_str()),
                    EntryKind::Deployment { .. } | EntryKind::DbEvent { .. } => {
                        (s.app.is_some() && s.app == incident.app) || subjects.contains(&s.subject)
                    }
                    _ => false,
                }
        })
        .map(|s| s.entry)
        .collect();
    let actions = services
        .action_store
        .between(&incident.env, from, to)
        .await
        .context("reading console actions")?;
    for a in actions {
        if !subjects.contains(&a.target) && !alarms.contains(a.target.as_str()) {
            continue;
        }
        let outcome = a.outcome_label();
        entries.push(TimelineEntry {
            at: a.at,
            kind: EntryKind::Action {
                kind: a.kind,
                target: a.target.clone(),
                outcome: outcome.clone(),
                revision: a.revision.clone(),
                rollout: a.rollout.clone(),
            },
            summary: format!(
                "{} {}: {} ({outcome})",
                a.kind.as_str(),
                a.target,
                a.summary
            ),
            actor: Some(a.actor.clone()),
            suspect: false,
            rollback: None,
            rolled_back: None,
        });
    }
    Ok(build_timeline(
        entries,
        incident.opened_at,
        window,
        newest_first,
    ))
}
