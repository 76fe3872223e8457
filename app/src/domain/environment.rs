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
}
