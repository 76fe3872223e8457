//! The release requests page and one release request's page.

use crate::domain::ids::EnvId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The release requests a person may see, filtered as the address says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleasesView {
    pub generated_at: DateTime<Utc>,
    pub rows: Vec<crate::domain::approvals::Release>,
    /// Environments the person may see, for the filter.
    pub envs: Vec<EnvId>,
    pub env: Option<EnvId>,
    pub state: Option<crate::domain::approvals::ReleaseState>,
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
    pub release: crate::domain::approvals::Release,
    pub env_name: String,
    /// `Ok` when the person may approve or reject now; else why not.
    pub vote: Result<(), String>,
    pub cancel: Result<(), String>,
    /// Admin and an approved request held by a freeze: breaking glass is offered.
    pub break_glass: bool,
    /// The freeze window holding an approved request: until when, and why.
    pub frozen_until: Option<(DateTime<Utc>, String)>,
}
