//! The alarms page: alarms across environments as the URL's filter selects them, and who may mute
//! them.

use super::rows::AlarmRow;
use super::summary::{cards, EnvCard, EnvData};
use crate::domain::actions::ActionResult;
use crate::domain::alarm_filter::{sort_for_display, AlarmFilter};
use crate::domain::ids::EnvId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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
    /// The environments (of `envs`) inside a freeze window now, by id.
    #[serde(default)]
    pub frozen: BTreeMap<String, super::action_panel::Frozen>,
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
