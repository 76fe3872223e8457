//! The databases page and the database page: rows across environments, and one database with
//! its snapshots, events, metrics and alarms.

use super::action_panel::ActionPanel;
use super::rows::{watches_database, watching, DatabaseRow};
use super::summary::{cards, EnvCard, EnvData};
use crate::domain::ids::EnvId;
use crate::domain::inventory::{Alarm, DatabaseMetrics, DbEvent, DbSnapshot};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    let alarms = watching(&inv.alarms, |a| watches_database(a, db));
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
