//! An environment as configured: its id, name, AWS region and account, whether it is protected,
//! how often it is refreshed, its scaling limits and its approval gate.

use super::actions::ScalePolicy;
use super::approvals::ApprovalPolicy;
use super::ids::EnvId;
use serde::{Deserialize, Serialize};

/// Static description of an environment, from config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvDescriptor {
    pub id: EnvId,
    pub name: String,
    pub region: String,
    pub account_id: Option<String>,
    pub protected: bool,
    pub refresh_interval_secs: u64,
    /// Limits on desired counts, from config.
    #[serde(default)]
    pub scaling: ScalePolicy,
    /// The approval gate (applies when `protected`).
    #[serde(default)]
    pub approval: ApprovalPolicy,
    /// Who reads the environment's logs, and the bounds of one query.
    #[serde(default)]
    pub logs: LogsPolicy,
}

/// Who may read an environment's logs and how much one query may ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogsPolicy {
    /// The least role that reads logs here (logs can hold what the inventory does not).
    pub read_role: super::policy::Role,
    /// The longest time range one query may cover, in seconds.
    pub max_range_secs: i64,
    /// The most events one query reads.
    pub max_events: u32,
    /// How long a query (a search or a Logs Insights query) may run before it is cancelled.
    pub query_timeout_secs: u64,
}

impl Default for LogsPolicy {
    fn default() -> Self {
        Self {
            read_role: super::policy::Role::Viewer,
            max_range_secs: 7 * 24 * 3600,
            max_events: 10_000,
            query_timeout_secs: 20,
        }
    }
}
