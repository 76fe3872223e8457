//! Narrow traits between the server functions and the adapters in the `server` crate. They speak
//! domain types only.

use crate::domain::ids::EnvId;
use crate::domain::inventory::{EnvDescriptor, EnvDetails, EnvInventory, RefreshStatus};
use crate::domain::views::EnvData;
use std::sync::Arc;

/// A consistent read of one environment: its description, refresh status and the last good
/// snapshots (shared, never copied per request).
#[derive(Debug, Clone)]
pub struct EnvState {
    pub descriptor: EnvDescriptor,
    pub status: RefreshStatus,
    pub inventory: Option<Arc<EnvInventory>>,
    pub details: Option<Arc<EnvDetails>>,
}

impl EnvState {
    pub fn data(&self) -> EnvData<'_> {
        EnvData {
            descriptor: &self.descriptor,
            status: &self.status,
            inventory: self.inventory.as_deref(),
            details: self.details.as_deref(),
        }
    }
}

/// Why an on-demand refresh failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RefreshFailed {
    #[error("unknown environment {0}")]
    UnknownEnv(EnvId),
    #[error("{0}")]
    Upstream(String),
}

/// The inventory cache. Reads are in-memory and make no AWS call.
#[async_trait::async_trait]
pub trait InventoryPort: Send + Sync {
    /// Every configured environment, in config order.
    fn states(&self) -> Vec<EnvState>;
    fn state(&self, env: &EnvId) -> Option<EnvState>;
    /// Refreshes the environment now; concurrent callers share one refresh.
    async fn refresh(&self, env: &EnvId) -> Result<(), RefreshFailed>;
}

/// One audit record: who did what, where, with which outcome, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: String,
    /// `login`, `logout`, `denied`, `refresh`, …
    pub kind: String,
    pub env: Option<String>,
    pub target: Option<String>,
    /// `succeeded`, `failed` or `denied`.
    pub outcome: String,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The append-only audit log.
#[async_trait::async_trait]
pub trait AuditPort: Send + Sync {
    /// Commits the entry before returning.
    async fn record(&self, entry: AuditEntry) -> Result<(), String>;
}
