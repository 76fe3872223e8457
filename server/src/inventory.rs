//! The inventory cache: one snapshot per environment, refreshed in the background on an interval
//! and on demand (single-flight: concurrent requests share one refresh). Page views read the
//! snapshots and never call AWS. One failing environment keeps its last good data and its error;
//! the others are untouched.

mod aws_source;
mod share;
mod slot;

pub use share::DbShare;
pub use slot::{EnvSlot, InventorySource, Read, RunHistory, SnapshotShare};

use app::domain::ids::EnvId;
use app::ports::{EnvState, InventoryPort, RefreshFailed};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Every environment's slot, in config order.
pub struct Inventory {
    slots: Vec<Arc<EnvSlot>>,
}

impl Inventory {
    pub fn new(slots: Vec<Arc<EnvSlot>>) -> Self {
        Self { slots }
    }

    fn slot(&self, env: &EnvId) -> Option<&Arc<EnvSlot>> {
        self.slots.iter().find(|s| s.descriptor().id == *env)
    }

    pub fn slots(&self) -> &[Arc<EnvSlot>] {
        &self.slots
    }

    /// Starts the background refresh loops; the handles stop them when aborted. Details (metric
    /// series, tasks, revisions) start once every environment has had its first inventory
    /// refresh, so at start-up they do not compete with the calls a complete overview needs.
    pub fn spawn_background(&self) -> Vec<JoinHandle<()>> {
        self.slots
            .iter()
            .flat_map(|slot| {
                let inventory = Arc::clone(slot);
                let details = Arc::clone(slot);
                let all = self.slots.clone();
                [
                    tokio::spawn(async move { inventory.run_inventory_loop().await }),
                    tokio::spawn(async move {
                        first_refreshes(&all).await;
                        details.run_details_loop().await
                    }),
                ]
            })
            .collect()
    }
}

/// Returns once every slot's first refresh has finished (well or not).
pub async fn first_refreshes(slots: &[Arc<EnvSlot>]) {
    while !slots.iter().all(|s| s.refreshed_once()) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[async_trait::async_trait]
impl InventoryPort for Inventory {
    fn states(&self) -> Vec<EnvState> {
        self.slots.iter().map(|s| s.state()).collect()
    }

    fn state(&self, env: &EnvId) -> Option<EnvState> {
        self.slot(env).map(|s| s.state())
    }

    async fn refresh(&self, env: &EnvId) -> Result<(), RefreshFailed> {
        let slot = self
            .slot(env)
            .ok_or_else(|| RefreshFailed::UnknownEnv(env.clone()))?;
        slot.refresh_requested()
            .await
            .map_err(RefreshFailed::Upstream)
    }

    async fn refresh_resource(
        &self,
        env: &EnvId,
        resource: &app::domain::inventory::ResourceRef,
    ) -> Result<(), RefreshFailed> {
        let slot = self
            .slot(env)
            .ok_or_else(|| RefreshFailed::UnknownEnv(env.clone()))?;
        slot.refresh_resource(resource)
            .await
            .map_err(RefreshFailed::Upstream)
    }
}
