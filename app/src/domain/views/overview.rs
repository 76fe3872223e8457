//! The overview page: every environment's card, the apps that most need attention and the
//! firing alarms.

use super::rows::AlarmRow;
use super::summary::{
    app_summaries_without_drift, cards, count_drift, AppSummary, EnvCard, EnvData,
};
use crate::domain::alarm_filter::sort_for_display;
use crate::domain::inventory::AlarmState;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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

pub fn overview(envs: &[EnvData<'_>], now: DateTime<Utc>) -> OverviewView {
    let mut firing: Vec<AlarmRow> = envs
        .iter()
        .filter_map(|e| e.inventory.map(|inv| (e.descriptor.id.clone(), inv)))
        .flat_map(|(env, inv)| {
            inv.alarms
                .iter()
                .filter(|a| a.state == AlarmState::Alarm && !a.is_scaling_signal())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::EnvId;
    use crate::domain::views::summary::AppEnvSummary;
    use std::collections::BTreeMap;

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
