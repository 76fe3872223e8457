//! The apps page and the app page: every app's summary, and one app's services, databases and
//! alarms in each environment.

use super::functions::{app_rows as function_rows, FunctionRow};
use super::queues::{app_rows, QueueRow};
use super::rows::{DatabaseRow, ServiceRow};
use super::summary::{app_summaries, cards, AppSummary, EnvCard, EnvData};
use crate::domain::alarm_filter::sort_for_display;
use crate::domain::functions::{chains, Chain};
use crate::domain::inventory::Alarm;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// Its SQS queues, each source before the dead-letter queues.
    #[serde(default)]
    pub queues: Vec<QueueRow>,
    /// Its Lambda functions.
    #[serde(default)]
    pub functions: Vec<FunctionRow>,
    /// Each of its queues with the functions that work it and where failures go.
    #[serde(default)]
    pub chains: Vec<Chain>,
    /// Its scheduled jobs.
    #[serde(default)]
    pub jobs: Vec<super::jobs::JobRow>,
    /// Its EC2 Auto Scaling groups.
    #[serde(default)]
    pub asgs: Vec<super::asgs::AsgRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppView {
    pub generated_at: DateTime<Utc>,
    pub name: String,
    pub columns: Vec<AppEnvColumn>,
    /// What runs where, and what the person may promote.
    #[serde(default)]
    pub drift: Option<crate::domain::drift::DriftView>,
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
                        .map(|s| {
                            let mut row = ServiceRow::of(id, s, &inv.alarms);
                            row.targets =
                                env.details.and_then(|d| d.lb.counts_for(&s.load_balancers));
                            row
                        })
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
                queues: app_rows(env, name),
                functions: function_rows(env, name),
                chains: env
                    .details
                    .map(|d| chains(&d.queues, &d.functions, name))
                    .unwrap_or_default(),
                jobs: super::jobs::app_rows(env, name, now),
                asgs: super::asgs::app_rows(env, name),
            }
        })
        .collect();
    let known = columns.iter().any(|c| {
        !c.services.is_empty()
            || !c.databases.is_empty()
            || !c.alarms.is_empty()
            || !c.queues.is_empty()
            || !c.jobs.is_empty()
            || !c.asgs.is_empty()
    });
    known.then(|| AppView {
        generated_at: now,
        name: name.to_string(),
        columns,
        drift: None,
    })
}
