//! What each page shows, built from inventory snapshots by pure functions. Server functions call
//! these and send the result; the UI only renders them.

use super::actions::{ActionKind, ActionResult};
use super::alarm_filter::{sort_for_display, AlarmFilter};
use super::health::EnvHealth;
use super::ids::EnvId;
use super::inventory::{
    freshness, service_key, split_image, Alarm, AlarmResource, AlarmState, Database,
    DatabaseMetrics, DbEvent, DbSnapshot, EnvDescriptor, EnvDetails, EnvInventory, Freshness,
    RefreshStatus, Service, ServiceMetrics,
};
use super::policy::Principal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One environment as the console currently knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvCard {
    pub descriptor: EnvDescriptor,
    pub status: RefreshStatus,
    pub freshness: Freshness,
    pub health: Option<EnvHealth>,
}

impl EnvCard {
    pub fn new(
        descriptor: EnvDescriptor,
        status: RefreshStatus,
        inventory: Option<&EnvInventory>,
        now: DateTime<Utc>,
    ) -> Self {
        let freshness = freshness(&status, descriptor.refresh_interval_secs, now);
        Self {
            health: inventory.map(EnvHealth::of),
            descriptor,
            status,
            freshness,
        }
    }

    pub fn id(&self) -> &EnvId {
        &self.descriptor.id
    }
}

/// The inputs every view builder reads for one environment.
#[derive(Debug, Clone, Copy)]
pub struct EnvData<'a> {
    pub descriptor: &'a EnvDescriptor,
    pub status: &'a RefreshStatus,
    pub inventory: Option<&'a EnvInventory>,
    pub details: Option<&'a EnvDetails>,
}

impl EnvData<'_> {
    pub fn card(&self, now: DateTime<Utc>) -> EnvCard {
        EnvCard::new(
            self.descriptor.clone(),
            self.status.clone(),
            self.inventory,
            now,
        )
    }
}

/// The signed-in user and what the chrome around every page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: Principal,
    pub demo_mode: bool,
    pub environments: Vec<EnvDescriptor>,
    /// Groups that would grant access, shown when the user has none.
    pub access_groups: Vec<String>,
    /// Release requests waiting for this person's approval (the navigation badge).
    #[serde(default)]
    pub awaiting_approval: usize,
    /// Who is on call now and next, per rotation.
    #[serde(default)]
    pub oncall: Vec<super::oncall::OnCall>,
    /// Open incidents nobody acknowledged yet, in the environments this person sees.
    #[serde(default)]
    pub unacknowledged_incidents: usize,
}

/// The API tokens an admin manages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokensView {
    pub generated_at: DateTime<Utc>,
    pub tokens: Vec<super::tokens::ApiToken>,
    /// Environments this admin may grant.
    pub envs: Vec<EnvId>,
    /// Admin everywhere: may create `*` tokens.
    pub everywhere: bool,
    /// The token this person just created without JavaScript, with its secret (once).
    #[serde(default)]
    pub just_created: Option<CreatedToken>,
}

/// A token just created, with its secret (shown this once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: super::tokens::ApiToken,
    pub secret: String,
}

/// The release requests a person may see, filtered as the address says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleasesView {
    pub generated_at: DateTime<Utc>,
    pub rows: Vec<super::approvals::Release>,
    /// Environments the person may see, for the filter.
    pub envs: Vec<EnvId>,
    pub env: Option<EnvId>,
    pub state: Option<super::approvals::ReleaseState>,
    pub mine: bool,
    pub awaiting: bool,
    /// Ids of the shown requests that wait for this person's vote.
    pub awaits_me: Vec<i64>,
}

/// One release request and what this person may do with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseView {
    pub generated_at: DateTime<Utc>,
    pub release: super::approvals::Release,
    pub env_name: String,
    /// `Ok` when the person may approve or reject now; else why not.
    pub vote: Result<(), String>,
    pub cancel: Result<(), String>,
    /// Admin and an approved request held by a freeze: breaking glass is offered.
    pub break_glass: bool,
    /// The freeze window holding an approved request: until when, and why.
    pub frozen_until: Option<(DateTime<Utc>, String)>,
}

/// One page of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPageView {
    pub generated_at: DateTime<Utc>,
    pub filter: super::audit::AuditFilter,
    /// The filter as a query string (no page), for export and paging links.
    pub query: String,
    pub rows: Vec<super::audit::AuditRow>,
    pub total: i64,
    pub page_size: u32,
    pub envs: Vec<String>,
}

/// How the sign-in page offers to sign in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// Company SSO (OIDC); otherwise the demo's dev form.
    pub sso: bool,
}

/// A row of a services table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub env: EnvId,
    pub cluster: String,
    pub name: String,
    pub app: Option<String>,
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub revision: String,
    /// Image versions (tag or digest) of the containers, in definition order.
    pub versions: Vec<String>,
    pub deploying: bool,
    pub rollout_state: Option<String>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub alarms_firing: u32,
}

impl ServiceRow {
    pub fn of(env: &EnvId, service: &Service, alarms: &[Alarm]) -> Self {
        let versions = service
            .task_definition
            .as_ref()
            .map(|td| {
                td.containers
                    .iter()
                    .map(|c| split_image(&c.image).1.to_string())
                    .collect()
            })
            .unwrap_or_default();
        let primary = service.deployments.iter().find(|d| d.status == "PRIMARY");
        let alarms_firing = alarms
            .iter()
            .filter(|a| a.state == AlarmState::Alarm && watches_service(a, service))
            .count() as u32;
        Self {
            env: env.clone(),
            cluster: service.cluster.clone(),
            name: service.name.clone(),
            app: service.app.clone(),
            status: service.status.clone(),
            desired: service.desired,
            running: service.running,
            pending: service.pending,
            revision: service.revision_label(),
            versions,
            deploying: service.deploying(),
            rollout_state: primary.and_then(|d| d.rollout_state.clone()),
            last_event_at: service.events.iter().filter_map(|e| e.at).max(),
            alarms_firing,
        }
    }
}

fn watches_service(alarm: &Alarm, service: &Service) -> bool {
    matches!(&alarm.resource, AlarmResource::Service { cluster, service: name }
        if *cluster == service.cluster && *name == service.name)
}

fn watches_database(alarm: &Alarm, db: &Database) -> bool {
    matches!(&alarm.resource, AlarmResource::Database { id } if *id == db.id)
}

/// A database with the figures its table row needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseRow {
    pub env: EnvId,
    pub database: Database,
    pub free_storage_bytes: Option<f64>,
    pub latest_snapshot_at: Option<DateTime<Utc>>,
    pub alarms_firing: u32,
}

impl DatabaseRow {
    fn of(
        env: &EnvId,
        db: &Database,
        inventory: &EnvInventory,
        metrics: Option<&EnvDetails>,
    ) -> Self {
        Self {
            env: env.clone(),
            database: db.clone(),
            free_storage_bytes: metrics
                .and_then(|m| m.databases.get(&db.id))
                .and_then(|m| m.free_storage_bytes.latest()),
            latest_snapshot_at: inventory
                .db_snapshots
                .iter()
                .filter(|s| s.db_id == db.id)
                .filter_map(|s| s.created_at)
                .max(),
            alarms_firing: inventory
                .alarms
                .iter()
                .filter(|a| a.state == AlarmState::Alarm && watches_database(a, db))
                .count() as u32,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmRow {
    pub env: EnvId,
    pub alarm: Alarm,
}

/// Per environment, the apps it runs and how they are doing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppEnvSummary {
    pub env: EnvId,
    pub services: u32,
    pub services_at_desired: u32,
    pub databases: u32,
    pub alarms_firing: u32,
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppSummary {
    pub name: String,
    pub envs: Vec<AppEnvSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    pub apps: Vec<AppSummary>,
    pub firing: Vec<AlarmRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub clusters: Vec<String>,
    pub services: Vec<ServiceRow>,
    pub databases: Vec<DatabaseRow>,
    pub alarms: Vec<AlarmRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub service: Service,
    pub metrics: Option<ServiceMetrics>,
    pub alarms: Vec<Alarm>,
    /// Filled in by the server function for the person asking.
    pub actions: Option<ActionPanel>,
    /// Revisions of the service's family the service could be rolled back (or forward) to.
    pub revisions: Vec<super::inventory::TaskDefinition>,
    /// When each revision (by ARN) last started running here, as far as the console knows.
    pub last_deployed: BTreeMap<String, DateTime<Utc>>,
    /// The desired counts the scale action accepts.
    pub bounds: super::actions::ScaleBounds,
    /// Release requests for this service that have not finished. Filled in by the server
    /// function.
    #[serde(default)]
    pub open_releases: Vec<super::approvals::Release>,
}

/// The actions a person may take on a resource, the ones refused with the reason, a fresh
/// request key for the forms, and the resource's recent actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionPanel {
    pub allowed: Vec<ActionKind>,
    pub refused: Vec<(ActionKind, String)>,
    pub protected: bool,
    pub request_key: String,
    pub recent: Vec<ActionResult>,
    /// Allowed kinds that become release requests (approval gate) instead of running.
    #[serde(default)]
    pub requests: Vec<ActionKind>,
}

impl ActionPanel {
    pub fn allows(&self, kind: ActionKind) -> bool {
        self.allowed.contains(&kind)
    }

    /// Whether this kind asks for approval instead of running.
    pub fn requests(&self, kind: ActionKind) -> bool {
        self.requests.contains(&kind)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabasesView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    pub rows: Vec<DatabaseRow>,
    pub env_filter: Option<EnvId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub row: DatabaseRow,
    pub snapshots: Vec<DbSnapshot>,
    pub events: Vec<DbEvent>,
    pub metrics: Option<DatabaseMetrics>,
    pub alarms: Vec<Alarm>,
    /// Filled in by the server function for the person asking.
    pub actions: Option<ActionPanel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmsView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    pub filter: AlarmFilter,
    pub rows: Vec<AlarmRow>,
    pub total: usize,
    pub counts: BTreeMap<String, usize>,
    pub apps: Vec<String>,
    /// Where the person may mute and unmute alarms, and which of those are protected (the
    /// alarm's name is typed to confirm there). Filled in by the server function.
    pub mute: Option<MuteRights>,
}

/// Alarm muting rights on the alarms page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MuteRights {
    pub envs: Vec<EnvId>,
    pub protected: Vec<EnvId>,
    /// Each row's form uses this key with its row number appended.
    pub request_key: String,
    /// The latest mute or unmute of each alarm, keyed by `env/alarm`.
    #[serde(default)]
    pub last: BTreeMap<String, ActionResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppsView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    pub apps: Vec<AppSummary>,
}

/// One environment's column on an app page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppEnvColumn {
    pub card: EnvCard,
    pub services: Vec<ServiceRow>,
    pub databases: Vec<DatabaseRow>,
    pub alarms: Vec<Alarm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppView {
    pub generated_at: DateTime<Utc>,
    pub name: String,
    pub columns: Vec<AppEnvColumn>,
}

fn cards(envs: &[EnvData<'_>], now: DateTime<Utc>) -> Vec<EnvCard> {
    envs.iter().map(|e| e.card(now)).collect()
}

/// Apps across environments, in name order; services without an app tag are left out.
pub fn app_summaries(envs: &[EnvData<'_>]) -> Vec<AppSummary> {
    let mut names = BTreeSet::new();
    for env in envs {
        if let Some(inv) = env.inventory {
            names.extend(inv.services.iter().filter_map(|s| s.app.clone()));
            names.extend(inv.databases.iter().filter_map(|d| d.app.clone()));
        }
    }
    names
        .into_iter()
        .map(|name| AppSummary {
            envs: envs.iter().map(|env| app_env_summary(env, &name)).collect(),
            name,
        })
        .collect()
}

fn app_env_summary(env: &EnvData<'_>, app: &str) -> AppEnvSummary {
    let mut summary = AppEnvSummary {
        env: env.descriptor.id.clone(),
        services: 0,
        services_at_desired: 0,
        databases: 0,
        alarms_firing: 0,
        versions: Vec::new(),
    };
    let Some(inv) = env.inventory else {
        return summary;
    };
    for s in inv
        .services
        .iter()
        .filter(|s| s.app.as_deref() == Some(app))
    {
        summary.services += 1;
        if s.at_desired_count() {
            summary.services_at_desired += 1;
        }
        if let Some(td) = &s.task_definition {
            for c in &td.containers {
                let v = split_image(&c.image).1.to_string();
                if !summary.versions.contains(&v) {
                    summary.versions.push(v);
                }
            }
        }
    }
    summary.databases = inv
        .databases
        .iter()
        .filter(|d| d.app.as_deref() == Some(app))
        .count() as u32;
    summary.alarms_firing = inv
        .alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm && a.app.as_deref() == Some(app))
        .count() as u32;
    summary
}

pub fn overview(envs: &[EnvData<'_>], now: DateTime<Utc>) -> OverviewView {
    let mut firing: Vec<AlarmRow> = envs
        .iter()
        .filter_map(|e| e.inventory.map(|inv| (e.descriptor.id.clone(), inv)))
        .flat_map(|(env, inv)| {
            inv.alarms
                .iter()
                .filter(|a| a.state == AlarmState::Alarm)
                .map(move |a| AlarmRow {
                    env: env.clone(),
                    alarm: a.clone(),
                })
        })
        .collect();
    sort_for_display(&mut firing, |r| &r.alarm);
    OverviewView {
        generated_at: now,
        envs: cards(envs, now),
        apps: app_summaries(envs),
        firing,
    }
}

pub fn environment(env: &EnvData<'_>, now: DateTime<Utc>) -> EnvironmentView {
    let id = &env.descriptor.id;
    let (clusters, mut services, mut databases, mut alarms) = match env.inventory {
        None => (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        Some(inv) => (
            inv.clusters.clone(),
            inv.services
                .iter()
                .map(|s| ServiceRow::of(id, s, &inv.alarms))
                .collect::<Vec<_>>(),
            inv.databases
                .iter()
                .map(|d| DatabaseRow::of(id, d, inv, env.details))
                .collect::<Vec<_>>(),
            inv.alarms
                .iter()
                .map(|a| AlarmRow {
                    env: id.clone(),
                    alarm: a.clone(),
                })
                .collect::<Vec<_>>(),
        ),
    };
    services.sort_by(|a, b| (&a.app, &a.cluster, &a.name).cmp(&(&b.app, &b.cluster, &b.name)));
    databases.sort_by(|a, b| a.database.id.cmp(&b.database.id));
    sort_for_display(&mut alarms, |r| &r.alarm);
    EnvironmentView {
        generated_at: now,
        card: env.card(now),
        clusters,
        services,
        databases,
        alarms,
    }
}

/// The service page, or `None` when the environment has no such service.
pub fn service(
    env: &EnvData<'_>,
    cluster: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Option<ServiceView> {
    let inv = env.inventory?;
    let service = inv.service(cluster, name)?;
    let mut alarms: Vec<Alarm> = inv
        .alarms
        .iter()
        .filter(|a| watches_service(a, service))
        .cloned()
        .collect();
    sort_for_display(&mut alarms, |a| a);
    let key = service_key(cluster, name);
    let family = service
        .task_definition
        .as_ref()
        .map(|td| td.family.clone())
        .unwrap_or_else(|| {
            let label = super::inventory::revision_label_from_arn(&service.task_definition_arn);
            label.split(':').next().unwrap_or_default().to_string()
        });
    let revisions = env
        .details
        .and_then(|d| d.revisions.get(&family))
        .map(|r| {
            r.iter()
                .filter(|td| td.arn != service.task_definition_arn)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut service = service.clone();
    if let Some(tasks) = env.details.and_then(|d| d.tasks.get(&key)) {
        service.tasks = tasks.clone();
    }
    let bounds =
        env.descriptor
            .scaling
            .bounds_for(&service.cluster, &service.name, service.autoscaling);
    let last_deployed = super::plans::last_deployed(&service, &[]);
    Some(ServiceView {
        generated_at: now,
        card: env.card(now),
        service,
        metrics: env.details.and_then(|m| m.services.get(&key)).cloned(),
        alarms,
        actions: None,
        revisions,
        last_deployed,
        bounds,
        open_releases: Vec::new(),
    })
}

pub fn databases(
    envs: &[EnvData<'_>],
    env_filter: Option<&EnvId>,
    now: DateTime<Utc>,
) -> DatabasesView {
    let mut rows: Vec<DatabaseRow> = envs
        .iter()
        .filter(|e| env_filter.is_none_or(|f| *f == e.descriptor.id))
        .filter_map(|e| e.inventory.map(|inv| (e, inv)))
        .flat_map(|(e, inv)| {
            inv.databases
                .iter()
                .map(move |d| DatabaseRow::of(&e.descriptor.id, d, inv, e.details))
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.database.app, &a.database.id, &a.env).cmp(&(&b.database.app, &b.database.id, &b.env))
    });
    DatabasesView {
        generated_at: now,
        envs: cards(envs, now),
        rows,
        env_filter: env_filter.cloned(),
    }
}

pub fn database(env: &EnvData<'_>, id: &str, now: DateTime<Utc>) -> Option<DatabaseView> {
    let inv = env.inventory?;
    let db = inv.database(id)?;
    let mut snapshots: Vec<DbSnapshot> = inv
        .db_snapshots
        .iter()
        .filter(|s| s.db_id == db.id)
        .cloned()
        .collect();
    snapshots.sort_by_key(|s| std::cmp::Reverse(s.created_at));
    let mut events: Vec<DbEvent> = inv
        .db_events
        .iter()
        .filter(|e| e.source_id == db.id)
        .cloned()
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    let mut alarms: Vec<Alarm> = inv
        .alarms
        .iter()
        .filter(|a| watches_database(a, db))
        .cloned()
        .collect();
    sort_for_display(&mut alarms, |a| a);
    Some(DatabaseView {
        generated_at: now,
        card: env.card(now),
        row: DatabaseRow::of(&env.descriptor.id, db, inv, env.details),
        snapshots,
        events,
        metrics: env.details.and_then(|m| m.databases.get(&db.id)).cloned(),
        alarms,
        actions: None,
    })
}

pub fn alarms(envs: &[EnvData<'_>], filter: AlarmFilter, now: DateTime<Utc>) -> AlarmsView {
    let mut total = 0;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut apps = BTreeSet::new();
    let mut rows = Vec::new();
    for env in envs {
        let Some(inv) = env.inventory else { continue };
        for alarm in &inv.alarms {
            total += 1;
            apps.extend(alarm.app.clone());
            if filter.matches(&env.descriptor.id, alarm) {
                *counts.entry(alarm.state.as_str().to_string()).or_default() += 1;
                rows.push(AlarmRow {
                    env: env.descriptor.id.clone(),
                    alarm: alarm.clone(),
                });
            }
        }
    }
    sort_for_display(&mut rows, |r| &r.alarm);
    AlarmsView {
        generated_at: now,
        envs: cards(envs, now),
        filter,
        rows,
        total,
        counts,
        apps: apps.into_iter().collect(),
        mute: None,
    }
}

pub fn apps(envs: &[EnvData<'_>], now: DateTime<Utc>) -> AppsView {
    AppsView {
        generated_at: now,
        envs: cards(envs, now),
        apps: app_summaries(envs),
    }
}

/// One app across every environment, or `None` when no environment knows it.
pub fn app(envs: &[EnvData<'_>], name: &str, now: DateTime<Utc>) -> Option<AppView> {
    let columns: Vec<AppEnvColumn> = envs
        .iter()
        .map(|env| {
            let id = &env.descriptor.id;
            let (services, databases, alarms) = match env.inventory {
                None => (Vec::new(), Vec::new(), Vec::new()),
                Some(inv) => {
                    let services = inv
                        .services
                        .iter()
                        .filter(|s| s.app.as_deref() == Some(name))
                        .map(|s| ServiceRow::of(id, s, &inv.alarms))
                        .collect();
                    let databases = inv
                        .databases
                        .iter()
                        .filter(|d| d.app.as_deref() == Some(name))
                        .map(|d| DatabaseRow::of(id, d, inv, env.details))
                        .collect();
                    let mut alarms: Vec<Alarm> = inv
                        .alarms
                        .iter()
                        .filter(|a| a.app.as_deref() == Some(name))
                        .cloned()
                        .collect();
                    sort_for_display(&mut alarms, |a| a);
                    (services, databases, alarms)
                }
            };
            AppEnvColumn {
                card: env.card(now),
                services,
                databases,
                alarms,
            }
        })
        .collect();
    let known = columns
        .iter()
        .any(|c| !c.services.is_empty() || !c.databases.is_empty() || !c.alarms.is_empty());
    known.then(|| AppView {
        generated_at: now,
        name: name.to_string(),
        columns,
    })
}

/// Incidents across the environments a person may see, filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentsView {
    pub generated_at: DateTime<Utc>,
    pub rows: Vec<super::incidents::Incident>,
    pub filter: super::incidents::IncidentFilter,
    pub envs: Vec<EnvId>,
    /// Environments where this person may acknowledge (operator or above).
    pub may_respond_in: Vec<String>,
    pub me: String,
}

/// One incident with its timeline and what this person may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentView {
    pub generated_at: DateTime<Utc>,
    pub incident: super::incidents::Incident,
    pub env_name: String,
    pub timeline: Vec<super::incidents::TimelineEntry>,
    pub newest_first: bool,
    /// `Ok` when the person may acknowledge, assign and resolve; else why not.
    pub respond: Result<(), String>,
    pub me: String,
    /// The suspect window, in minutes, for the legend.
    pub suspect_minutes: i64,
    /// Who is on call now per rotation, to assign to.
    pub on_call: Vec<String>,
}

/// The rotations, who covers when, and the overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnCallView {
    pub generated_at: DateTime<Utc>,
    /// Per rotation: the rotation, who is on call now and next, and the coming turns.
    pub rotations: Vec<(
        super::oncall::Rotation,
        super::oncall::OnCall,
        Vec<super::oncall::Shift>,
    )>,
    pub overrides: Vec<super::oncall::Override>,
    /// An admin: may add and remove overrides.
    pub may_manage: bool,
}
