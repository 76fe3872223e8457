//! The environment and app summaries several pages share: the inputs every view builder reads
//! for one environment ([`EnvData`]), its card, its summary worked out once per snapshot, and each
//! app's figures across environments.

use crate::domain::environment::EnvDescriptor;
use crate::domain::health::EnvHealth;
use crate::domain::ids::EnvId;
use crate::domain::inventory::{
    freshness, split_image, AlarmState, EnvDetails, EnvInventory, Freshness, RefreshStatus,
};
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

    /// The environment's alarms (none before its first inventory).
    pub fn alarms(&self) -> &[crate::domain::inventory::Alarm] {
        self.inventory.map(|i| i.alarms.as_slice()).unwrap_or(&[])
    }

    pub fn card(&self, now: DateTime<Utc>) -> EnvCard {
        let mut health = match (self.summary, self.inventory) {
            (Some(summary), _) => Some(summary.health.clone()),
            (None, inv) => inv.map(EnvHealth::of),
        };
        // Target health comes with the details, read on their own interval.
        if let (Some(health), Some(details)) = (health.as_mut(), self.details) {
            health.targets = Some(details.lb.counts()).filter(|c| c.total() > 0);
            // So are scheduled jobs and their runs.
            let jobs = &details.jobs;
            health.jobs = jobs.jobs.len() as u32;
            health.jobs_failing = jobs
                .jobs
                .iter()
                .filter(|j| jobs.verdict_of(j, now).is_bad())
                .count() as u32;
            let groups = &details.asgs.groups;
            health.asgs = groups.len() as u32;
            health.asgs_degraded = groups.iter().filter(|g| g.verdict().is_bad()).count() as u32;
        }
        EnvCard::new(self.descriptor.clone(), self.status.clone(), health, now)
    }
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

/// Why one environment's part read in the details cycle (queues, functions) is not all shown
/// fresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadError {
    pub env: EnvId,
    pub error: String,
}

/// The rows of a list read in the details cycle, across the environments `env_filter` keeps:
/// `each` answers one environment's rows and why its part could not all be read; the rows are
/// ordered by `key`.
pub(super) struct DetailRows<R> {
    pub rows: Vec<R>,
    pub errors: Vec<ReadError>,
    /// Environments whose details have not been read yet.
    pub unread: Vec<EnvId>,
}

pub(super) fn detail_rows<R, K: Ord>(
    envs: &[EnvData<'_>],
    env_filter: Option<&EnvId>,
    each: impl Fn(&EnvData<'_>, &EnvDetails) -> (Vec<R>, Option<String>),
    key: impl Fn(&R) -> K,
) -> DetailRows<R> {
    let mut out = DetailRows {
        rows: Vec::new(),
        errors: Vec::new(),
        unread: Vec::new(),
    };
    for env in envs
        .iter()
        .filter(|e| env_filter.is_none_or(|f| *f == e.descriptor.id))
    {
        let Some(details) = env.details else {
            out.unread.push(env.descriptor.id.clone());
            continue;
        };
        let (rows, error) = each(env, details);
        out.rows.extend(rows);
        if let Some(error) = error {
            out.errors.push(ReadError {
                env: env.descriptor.id.clone(),
                error,
            });
        }
    }
    out.rows.sort_by_key(|r| key(r));
    out
}

pub(super) fn cards(envs: &[EnvData<'_>], now: DateTime<Utc>) -> Vec<EnvCard> {
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
pub(super) fn count_drift(envs: &[EnvData<'_>], apps: &mut [AppSummary]) {
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
pub(super) fn app_summaries_without_drift(envs: &[EnvData<'_>]) -> Vec<AppSummary> {
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
    for a in inv
        .alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm && !a.is_scaling_signal())
    {
        if let Some(app) = a.app.as_deref() {
            out.entry(app)
                .or_insert_with(|| empty_summary(env))
                .alarms_firing += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::database;
    use crate::domain::inventory::AlarmResource;
    use crate::domain::views::fixtures::{alarm, descriptor, fleet, service};

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
}
