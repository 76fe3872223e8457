//! The incidents page and one incident's page.

use crate::domain::ids::EnvId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Incidents across the environments a person may see, filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentsView {
    pub generated_at: DateTime<Utc>,
    pub rows: Vec<crate::domain::incidents::Incident>,
    pub filter: crate::domain::incidents::IncidentFilter,
    pub envs: Vec<EnvId>,
    /// Environments where this person may acknowledge (operator or above).
    pub may_respond_in: Vec<String>,
    /// Who is looking: compared with the incident's owner by id.
    pub me: crate::domain::person::PersonId,
}

/// One incident with its timeline and what this person may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentView {
    pub generated_at: DateTime<Utc>,
    pub incident: crate::domain::incidents::Incident,
    pub env_name: String,
    pub timeline: Vec<crate::domain::incidents::TimelineEntry>,
    pub newest_first: bool,
    /// `Ok` when the person may acknowledge, assign and resolve; else why not.
    pub respond: Result<(), String>,
    /// Who is looking: compared with the incident's owner by id.
    pub me: crate::domain::person::PersonId,
    /// The suspect window, in minutes, for the legend.
    pub suspect_minutes: i64,
    /// Who is on call now per rotation, to assign to.
    pub on_call: Vec<String>,
}
