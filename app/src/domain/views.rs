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
        health: Option<EnvHealth>,
        now: DateTime<Utc>,
    ) -> Self {
        let freshness = freshness(&status, descriptor.refresh_interval_secs, now);
        Self {
            health,
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
    /// The inventory's summary, when it was worked out once for the snapshot (the server does
    /// that each time a snapshot changes, so page views do not scan every service).
    pub summary: Option<&'a EnvSummary>,
}

/// What the overview needs of one snapshot, whatever the number of services: its health and
/// each app's figures in it. Pure; worked out when the snapshot changes, not per page view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvSummary {
    pub health: EnvHealth,
    pub apps: BTreeMap<String, AppEnvSummary>,
}

impl EnvSummary {
    pub fn of(env: &EnvId, inventory: &EnvInventory) -> Self {
        Self {
            health: EnvHealth::of(inventory),
            apps: app_env_summaries(env, inventory)
                .into_iter()
                .map(|(name, summary)| (name.to_string(), summary))
                .collect(),
        }
    }
}

impl EnvData<'_> {
    /// The snapshot's summary: the one worked out already, or worked out now.
    fn summary(&self) -> Option<std::borrow::Cow<'_, EnvSummary>> {
        match (self.summary, self.inventory) {
            (Some(summary), _) => Some(std::borrow::Cow::Borrowed(summary)),
            (None, Some(inv)) => Some(std::borrow::Cow::Owned(EnvSummary::of(
                &self.descriptor.id,
                inv,
            ))),
            (None, None) => None,
        }
    }

    pub fn card(&self, now: DateTime<Utc>) -> EnvCard {
        let health = match (self.summary, self.inventory) {
            (Some(summary), _) => Some(summary.health.clone()),
            (None, inv) => inv.map(EnvHealth::of),
        };
        EnvCard::new(self.descriptor.clone(), self.status.clone(), health, now)
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
    /// The promotion group shown, when the list is one group's requests.
    #[serde(default)]
    pub group: Option<String>,
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
        let alarms_firing = alarms
            .iter()
            .filter(|a| a.state == AlarmState::Alarm && watches_service(a, service))
            .count() as u32;
        Self::with_firing(env, service, alarms_firing)
    }

    /// The row, with the count of its firing alarms already known.
    pub fn with_firing(env: &EnvId, service: &Service, alarms_firing: u32) -> Self {
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

/// Firing alarms per `(cluster, service)`, counted in one pass.
fn firing_by_service(alarms: &[Alarm]) -> BTreeMap<(&str, &str), u32> {
    let mut out = BTreeMap::new();
    for a in alarms.iter().filter(|a| a.state == AlarmState::Alarm) {
        if let AlarmResource::Service { cluster, service } = &a.resource {
            *out.entry((cluster.as_str(), service.as_str())).or_insert(0) += 1;
        }
    }
    out
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
    /// Each service's images (name → references joined), to tell drift across
    /// environments without reading every service again.
    #[serde(skip)]
    pub service_images: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppSummary {
    pub name: String,
    pub envs: Vec<AppEnvSummary>,
    /// Services (by name) whose environments run different images.
    #[serde(default)]
    pub drifted: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    /// The apps that most need attention, at most [`OVERVIEW_APPS`]; the apps page has all.
    pub apps: Vec<AppSummary>,
    pub apps_total: usize,
    /// The firing alarms, at most [`OVERVIEW_FIRING`]; the alarms page has all.
    pub firing: Vec<AlarmRow>,
    pub firing_total: usize,
}

/// Apps shown on the overview.
pub const OVERVIEW_APPS: usize = 25;
/// Firing alarms shown on the overview.
pub const OVERVIEW_FIRING: usize = 50;

/// How much an app needs attention: firing alarms first, then services short of their desired
/// count, then the number of different versions it runs (drift), then its name.
fn attention(app: &AppSummary) -> (std::cmp::Reverse<(u32, u32, usize)>, String) {
    let firing = app.envs.iter().map(|e| e.alarms_firing).sum();
    let short = app
        .envs
        .iter()
        .map(|e| e.services - e.services_at_desired)
        .sum();
    let versions: BTreeSet<&str> = app
        .envs
        .iter()
        .flat_map(|e| e.versions.iter().map(String::as_str))
        .collect();
    (
        std::cmp::Reverse((firing, short, versions.len())),
        app.name.clone(),
    )
}

/// The apps the overview shows: those needing attention first, cut to [`OVERVIEW_APPS`].
pub fn overview_apps(mut apps: Vec<AppSummary>) -> Vec<AppSummary> {
    apps.sort_by_cached_key(attention);
    apps.truncate(OVERVIEW_APPS);
    apps
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub clusters: Vec<String>,
    /// One page of the services that match the query.
    pub services: ServicePage,
    pub databases: Vec<DatabaseRow>,
    /// The alarms that are not OK (firing first); the alarms page lists them all.
    pub alarms: Vec<AlarmRow>,
    pub alarms_total: usize,
}

/// Services shown per page on the environment page.
pub const SERVICES_PER_PAGE: usize = 100;
/// The longest service filter accepted.
pub const MAX_SERVICE_FILTER: usize = 200;

/// Which services the environment page shows: a text filter (name, app or cluster, any case)
/// and a page, both from the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceQuery {
    pub text: String,
    /// From 1.
    pub page: usize,
}

impl ServiceQuery {
    /// Reads `?q=` and `?page=`: the text trimmed and cut to [`MAX_SERVICE_FILTER`]
    /// characters, a page that is not a positive number taken as the first.
    pub fn parse(text: Option<&str>, page: Option<&str>) -> Self {
        Self {
            text: text
                .unwrap_or_default()
                .trim()
                .chars()
                .take(MAX_SERVICE_FILTER)
                .collect(),
            page: page
                .and_then(|p| p.trim().parse::<usize>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        }
    }

    fn matches(&self, lowered: &str, service: &Service) -> bool {
        lowered.is_empty()
            || [
                Some(&service.name),
                service.app.as_ref(),
                Some(&service.cluster),
            ]
            .into_iter()
            .flatten()
            .any(|field| field.to_lowercase().contains(lowered))
    }

    /// The URL of page `page` of this query on `env`'s page.
    pub fn href(&self, env: &EnvId, page: usize) -> String {
        let mut params = Vec::new();
        if !self.text.is_empty() {
            params.push(format!("q={}", super::alarm_filter::encode(&self.text)));
        }
        if page > 1 {
            params.push(format!("page={page}"));
        }
        if params.is_empty() {
            format!("/envs/{env}")
        } else {
            format!("/envs/{env}?{}", params.join("&"))
        }
    }
}

/// One page of an environment's services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePage {
    pub query: ServiceQuery,
    pub rows: Vec<ServiceRow>,
    /// Services in the environment.
    pub total: usize,
    /// Services matching the filter.
    pub matching: usize,
    /// The page shown (the last one when the query asked past it).
    pub page: usize,
    pub pages: usize,
}

impl ServicePage {
    /// The services matching `query`, ordered by app, cluster and name, cut to one page. Only
    /// that page's rows are built.
    pub fn of(env: &EnvId, inventory: Option<&EnvInventory>, query: &ServiceQuery) -> Self {
        let Some(inv) = inventory else {
            return Self {
                query: query.clone(),
                rows: Vec::new(),
                total: 0,
                matching: 0,
                page: 1,
                pages: 1,
            };
        };
        let lowered = query.text.to_lowercase();
        let mut matching: Vec<&Service> = inv
            .services
            .iter()
            .filter(|s| query.matches(&lowered, s))
            .collect();
        matching.sort_by(|a, b| (&a.app, &a.cluster, &a.name).cmp(&(&b.app, &b.cluster, &b.name)));
        let pages = matching.len().div_ceil(SERVICES_PER_PAGE).max(1);
        let page = query.page.clamp(1, pages);
        let firing = firing_by_service(&inv.alarms);
        let rows = matching
            .iter()
            .skip((page - 1) * SERVICES_PER_PAGE)
            .take(SERVICES_PER_PAGE)
            .map(|s| {
                let n = firing
                    .get(&(s.cluster.as_str(), s.name.as_str()))
                    .copied()
                    .unwrap_or(0);
                ServiceRow::with_firing(env, s, n)
            })
            .collect();
        Self {
            query: query.clone(),
            rows,
            total: inv.services.len(),
            matching: matching.len(),
            page,
            pages,
        }
    }
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
    /// What runs where, and what the person may promote.
    #[serde(default)]
    pub drift: Option<super::drift::DriftView>,
}

fn cards(envs: &[EnvData<'_>], now: DateTime<Utc>) -> Vec<EnvCard> {
    envs.iter().map(|e| e.card(now)).collect()
}

/// Apps across environments, in name order; services without an app tag are left out. One pass
/// over each environment's resources, whatever the number of apps.
pub fn app_summaries(envs: &[EnvData<'_>]) -> Vec<AppSummary> {
    let mut apps = app_summaries_without_drift(envs);
    count_drift(envs, &mut apps);
    apps
}

/// The apps of these environments, in name order: the ones with services or databases
/// somewhere (alarms alone do not make one). For filters, without building every summary.
pub fn app_names(envs: &[EnvData<'_>]) -> Vec<String> {
    let summaries: Vec<_> = envs.iter().map(EnvData::summary).collect();
    app_names_in(&summaries)
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn app_names_in<'a>(
    summaries: &'a [Option<std::borrow::Cow<'_, EnvSummary>>],
) -> BTreeSet<&'a str> {
    summaries
        .iter()
        .flatten()
        .flat_map(|summary| {
            summary
                .apps
                .iter()
                .filter(|(_, s)| s.services > 0 || s.databases > 0)
                .map(|(name, _)| name.as_str())
        })
        .collect()
}

/// Each app's count of services that differ across environments (`AppSummary::drifted`).
fn count_drift(envs: &[EnvData<'_>], apps: &mut [AppSummary]) {
    let summaries: Vec<_> = envs.iter().map(EnvData::summary).collect();
    for app in apps {
        app.drifted = drifted_services(
            summaries
                .iter()
                .flatten()
                .filter_map(|s| s.apps.get(&app.name)),
        );
    }
}

/// [`app_summaries`] without the drift counts, for the overview to count them only for the apps
/// it shows.
fn app_summaries_without_drift(envs: &[EnvData<'_>]) -> Vec<AppSummary> {
    let summaries: Vec<_> = envs.iter().map(EnvData::summary).collect();
    app_names_in(&summaries)
        .into_iter()
        .map(|name| {
            let found: Vec<Option<&AppEnvSummary>> = summaries
                .iter()
                .map(|s| s.as_ref().and_then(|s| s.apps.get(name)))
                .collect();
            AppSummary {
                name: name.to_string(),
                drifted: 0,
                envs: envs
                    .iter()
                    .zip(found)
                    .map(|(env, found)| match found {
                        Some(summary) => summary.without_images(),
                        None => empty_summary(&env.descriptor.id),
                    })
                    .collect(),
            }
        })
        .collect()
}

impl AppEnvSummary {
    /// A copy without the per-service images, which only the drift count reads: page views
    /// copy summaries, and those maps are the bulk of them.
    fn without_images(&self) -> Self {
        Self {
            env: self.env.clone(),
            services: self.services,
            services_at_desired: self.services_at_desired,
            databases: self.databases,
            alarms_firing: self.alarms_firing,
            versions: self.versions.clone(),
            service_images: BTreeMap::new(),
        }
    }
}

/// How many services (by name) run different images in different environments: each name's
/// first images, and whether another environment runs others.
fn drifted_services<'a>(envs: impl Iterator<Item = &'a AppEnvSummary>) -> u32 {
    let mut seen: BTreeMap<&str, (&str, bool)> = BTreeMap::new();
    for env in envs {
        for (name, refs) in &env.service_images {
            let entry = seen.entry(name).or_insert((refs.as_str(), false));
            entry.1 |= entry.0 != refs.as_str();
        }
    }
    let drifted = seen.values().filter(|(_, differs)| *differs).count();
    u32::try_from(drifted).unwrap_or(u32::MAX)
}

fn empty_summary(env: &EnvId) -> AppEnvSummary {
    AppEnvSummary {
        env: env.clone(),
        services: 0,
        services_at_desired: 0,
        databases: 0,
        alarms_firing: 0,
        versions: Vec::new(),
        service_images: BTreeMap::new(),
    }
}

/// Each app's summary in one environment, keyed by app name.
fn app_env_summaries<'a>(env: &EnvId, inv: &'a EnvInventory) -> BTreeMap<&'a str, AppEnvSummary> {
    let mut out: BTreeMap<&'a str, AppEnvSummary> = BTreeMap::new();
    for s in &inv.services {
        let Some(app) = s.app.as_deref() else {
            continue;
        };
        let summary = out.entry(app).or_insert_with(|| empty_summary(env));
        summary.services += 1;
        if s.at_desired_count() {
            summary.services_at_desired += 1;
        }
        if let Some(td) = &s.task_definition {
            for c in &td.containers {
                let v = split_image(&c.image).1;
                if !summary.versions.iter().any(|known| known == v) {
                    summary.versions.push(v.to_string());
                }
            }
            let refs: Vec<&str> = td.containers.iter().map(|c| c.image.as_str()).collect();
            summary
                .service_images
                .insert(s.name.clone(), refs.join(" "));
        }
    }
    for d in &inv.databases {
        if let Some(app) = d.app.as_deref() {
            out.entry(app)
                .or_insert_with(|| empty_summary(env))
                .databases += 1;
        }
    }
    for a in inv.alarms.iter().filter(|a| a.state == AlarmState::Alarm) {
        if let Some(app) = a.app.as_deref() {
            out.entry(app)
                .or_insert_with(|| empty_summary(env))
                .alarms_firing += 1;
        }
    }
    out
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
    let firing_total = firing.len();
    firing.truncate(OVERVIEW_FIRING);
    let apps = app_summaries_without_drift(envs);
    let apps_total = apps.len();
    let mut apps = overview_apps(apps);
    count_drift(envs, &mut apps);
    OverviewView {
        generated_at: now,
        envs: cards(envs, now),
        apps_total,
        apps,
        firing,
        firing_total,
    }
}

pub fn environment(env: &EnvData<'_>, query: &ServiceQuery, now: DateTime<Utc>) -> EnvironmentView {
    let id = &env.descriptor.id;
    let services = ServicePage::of(id, env.inventory, query);
    let (clusters, mut databases, mut alarms, alarms_total) = match env.inventory {
        None => (Vec::new(), Vec::new(), Vec::new(), 0),
        Some(inv) => (
            inv.clusters.clone(),
            inv.databases
                .iter()
                .map(|d| DatabaseRow::of(id, d, inv, env.details))
                .collect::<Vec<_>>(),
            inv.alarms
                .iter()
                .filter(|a| a.state != AlarmState::Ok)
                .map(|a| AlarmRow {
                    env: id.clone(),
                    alarm: a.clone(),
                })
                .collect::<Vec<_>>(),
            inv.alarms.len(),
        ),
    };
    databases.sort_by(|a, b| a.database.id.cmp(&b.database.id));
    sort_for_display(&mut alarms, |r| &r.alarm);
    EnvironmentView {
        generated_at: now,
        card: env.card(now),
        clusters,
        services,
        databases,
        alarms,
        alarms_total,
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
        drift: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{self, database};
    use crate::domain::inventory::{
        AlarmState, ContainerDefinition, EnvDescriptor, TaskDefinition,
    };
    use crate::domain::test_time::at;

    fn service(cluster: &str, name: &str, app: Option<&str>, image: &str) -> Service {
        Service {
            cluster: cluster.into(),
            name: name.into(),
            arn: String::new(),
            status: "ACTIVE".into(),
            desired: 2,
            running: 2,
            pending: 0,
            launch_type: None,
            task_definition_arn: format!("td/{name}:1"),
            task_definition: Some(TaskDefinition {
                arn: format!("td/{name}:1"),
                family: name.into(),
                revision: 1,
                cpu: None,
                memory: None,
                containers: vec![ContainerDefinition {
                    name: "app".into(),
                    image: image.into(),
                    essential: true,
                    ports: vec![],
                    ..Default::default()
                }],
                registered_at: None,
            }),
            deployments: vec![],
            events: vec![],
            tasks: vec![],
            tags: BTreeMap::new(),
            app: app.map(str::to_string),
            created_at: None,
            autoscaling: None,
        }
    }

    fn alarm(name: &str, state: AlarmState, resource: AlarmResource, app: Option<&str>) -> Alarm {
        Alarm {
            state,
            app: app.map(str::to_string),
            ..fixtures::alarm(name, resource)
        }
    }

    fn descriptor(id: &str) -> EnvDescriptor {
        EnvDescriptor {
            id: EnvId::parse(id).unwrap(),
            name: id.into(),
            region: "eu-west-1".into(),
            account_id: None,
            protected: false,
            refresh_interval_secs: 30,
            scaling: Default::default(),
            approval: Default::default(),
        }
    }

    fn fleet(n: usize) -> EnvInventory {
        EnvInventory {
            services: (0..n)
                .rev()
                .map(|i| {
                    service(
                        &format!("c{}", i % 2),
                        &format!("svc-{i:04}"),
                        Some(&format!("app-{}", i / 10)),
                        "repo:1.0",
                    )
                })
                .collect(),
            alarms: vec![
                alarm(
                    "svc-0003-cpu",
                    AlarmState::Alarm,
                    AlarmResource::Service {
                        cluster: "c1".into(),
                        service: "svc-0003".into(),
                    },
                    Some("app-0"),
                ),
                alarm("quiet", AlarmState::Ok, AlarmResource::Unknown, None),
                alarm(
                    "no-data",
                    AlarmState::InsufficientData,
                    AlarmResource::Unknown,
                    None,
                ),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn service_queries_come_from_the_url() {
        let long = "x".repeat(300);
        let cases: [(Option<&str>, Option<&str>, &str, usize); 6] = [
            (None, None, "", 1),
            (Some("  api "), Some("3"), "api", 3),
            (Some(""), Some("0"), "", 1),
            (None, Some("-2"), "", 1),
            (None, Some("two"), "", 1),
            (Some(&long), None, &long[..MAX_SERVICE_FILTER], 1),
        ];
        for (text, page, want_text, want_page) in cases {
            let q = ServiceQuery::parse(text, page);
            assert_eq!(
                (q.text.as_str(), q.page),
                (want_text, want_page),
                "{text:?} {page:?}"
            );
        }
        let env = EnvId::parse("prod").unwrap();
        let q = ServiceQuery::parse(Some("a b&c"), None);
        assert_eq!(q.href(&env, 1), "/envs/prod?q=a%20b%26c");
        assert_eq!(q.href(&env, 2), "/envs/prod?q=a%20b%26c&page=2");
        assert_eq!(ServiceQuery::default().href(&env, 1), "/envs/prod");
    }

    #[test]
    fn the_environment_page_shows_one_page_of_matching_services() {
        let inv = fleet(250);
        let env = EnvId::parse("prod").unwrap();
        // (filter, page) → (rows, matching, page shown, pages, first row)
        let cases = [
            ("", 1, 100, 250, 1, 3, "svc-0000"),
            // Apps sort as text: app-0, app-1, app-10…app-19, app-2, app-20…, so the third page
            // starts at app-5.
            ("", 3, 50, 250, 3, 3, "svc-0050"),
            ("", 9, 50, 250, 3, 3, "svc-0050"),
            ("APP-2", 1, 60, 60, 1, 1, "svc-0020"),
            ("c1", 1, 100, 125, 1, 2, "svc-0001"),
            ("nothing", 4, 0, 0, 1, 1, ""),
        ];
        for (text, page, rows, matching, shown, pages, first) in cases {
            let q = ServiceQuery {
                text: text.into(),
                page,
            };
            let p = ServicePage::of(&env, Some(&inv), &q);
            assert_eq!(
                (p.rows.len(), p.matching, p.page, p.pages, p.total),
                (rows, matching, shown, pages, 250),
                "{text:?} page {page}"
            );
            assert_eq!(
                p.rows.first().map(|r| r.name.as_str()).unwrap_or(""),
                first,
                "{text:?} page {page}"
            );
        }
        let firing = ServicePage::of(
            &env,
            Some(&inv),
            &ServiceQuery::parse(Some("svc-0003"), None),
        );
        assert_eq!(firing.rows[0].alarms_firing, 1);
        assert_eq!(
            ServicePage::of(&env, None, &ServiceQuery::default()).pages,
            1,
            "no inventory yet"
        );
    }

    #[test]
    fn the_environment_page_lists_the_alarms_that_are_not_ok() {
        let inv = fleet(3);
        let d = descriptor("prod");
        let status = RefreshStatus::default();
        let data = EnvData {
            descriptor: &d,
            status: &status,
            inventory: Some(&inv),
            details: None,
            summary: None,
        };
        let view = environment(&data, &ServiceQuery::default(), at("2026-11-29T10:00:00Z"));
        let names: Vec<&str> = view.alarms.iter().map(|a| a.alarm.name.as_str()).collect();
        assert_eq!(names, ["svc-0003-cpu", "no-data"]);
        assert_eq!(view.alarms_total, 3);
    }

    #[test]
    fn app_summaries_count_each_app_in_every_environment() {
        let mut dev = fleet(0);
        dev.services = vec![
            service("c", "api", Some("shop"), "repo/api:2.0"),
            service("c", "worker", Some("shop"), "repo/worker:2.0"),
            service("c", "untagged", None, "repo/x:1"),
        ];
        dev.databases = vec![database("billing-db", "billing")];
        let mut prod = fleet(0);
        prod.services = vec![service("c", "api", Some("shop"), "repo/api:1.9")];
        prod.alarms = vec![
            alarm(
                "shop-5xx",
                AlarmState::Alarm,
                AlarmResource::Unknown,
                Some("shop"),
            ),
            alarm(
                "billing-cpu",
                AlarmState::Alarm,
                AlarmResource::Unknown,
                Some("billing"),
            ),
            alarm(
                "orphan",
                AlarmState::Alarm,
                AlarmResource::Unknown,
                Some("ghost"),
            ),
        ];
        let (d, p) = (descriptor("dev"), descriptor("prod"));
        let status = RefreshStatus::default();
        let envs = [
            EnvData {
                descriptor: &d,
                status: &status,
                inventory: Some(&dev),
                details: None,
                summary: None,
            },
            EnvData {
                descriptor: &p,
                status: &status,
                inventory: Some(&prod),
                details: None,
                summary: None,
            },
        ];
        let apps = app_summaries(&envs);
        let names: Vec<&str> = apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["billing", "shop"], "alarms alone make no app");
        // shop's api runs 2.0 in dev and 1.9 in prod; its worker runs in dev only.
        assert_eq!((apps[0].drifted, apps[1].drifted), (0, 1));
        // (app, env index) → (services, databases, firing, versions)
        type Case<'a> = (usize, usize, u32, u32, u32, &'a [&'a str]);
        let cases: [Case; 4] = [
            (0, 0, 0, 1, 0, &[]),
            (0, 1, 0, 0, 1, &[]),
            (1, 0, 2, 0, 0, &["2.0"]),
            (1, 1, 1, 0, 1, &["1.9"]),
        ];
        for (app, env, services, databases, firing, versions) in cases {
            let s = &apps[app].envs[env];
            assert_eq!(
                (
                    s.services,
                    s.databases,
                    s.alarms_firing,
                    s.versions.as_slice()
                ),
                (
                    services,
                    databases,
                    firing,
                    versions
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .as_slice()
                ),
                "{} in env {env}",
                apps[app].name
            );
            assert_eq!(s.env, envs[env].descriptor.id);
        }
    }

    #[test]
    fn the_overview_shows_the_apps_that_most_need_attention_first() {
        let env = EnvId::parse("prod").unwrap();
        let app = |name: &str, firing: u32, short: u32, versions: &[&str]| AppSummary {
            name: name.into(),
            envs: vec![AppEnvSummary {
                env: env.clone(),
                services: 4,
                services_at_desired: 4 - short,
                databases: 0,
                alarms_firing: firing,
                versions: versions.iter().map(|v| v.to_string()).collect(),
                service_images: BTreeMap::new(),
            }],
            drifted: 0,
        };
        let mut apps = vec![
            app("calm", 0, 0, &["1.0"]),
            app("drifting", 0, 0, &["1.0", "1.1"]),
            app("short", 0, 2, &["1.0"]),
            app("burning", 3, 0, &["1.0"]),
            app("also-calm", 0, 0, &["1.0"]),
        ];
        for i in 0..OVERVIEW_APPS {
            apps.push(app(&format!("zz-{i:02}"), 0, 0, &["1.0"]));
        }
        let shown = overview_apps(apps);
        let names: Vec<&str> = shown.iter().take(5).map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["burning", "short", "drifting", "also-calm", "calm"]);
        assert_eq!(shown.len(), OVERVIEW_APPS);
    }
}
