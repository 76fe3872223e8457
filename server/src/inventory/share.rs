//! Snapshots shared between replicas through the database (PostgreSQL): the replica holding the
//! jobs lease publishes, the others load (see `slot::SnapshotShare`).

use super::slot::{Read, SnapshotShare};
use crate::store::lease::Lease;
use crate::store::snapshots::{SnapshotKind, SqlSnapshots};
use app::domain::ids::EnvId;
use app::domain::inventory::{EnvDetails, EnvInventory};
use chrono::Utc;
use std::sync::Arc;

pub struct DbShare {
    snapshots: SqlSnapshots,
    lease: Arc<Lease>,
}

impl DbShare {
    pub fn new(snapshots: SqlSnapshots, lease: Arc<Lease>) -> Self {
        Self { snapshots, lease }
    }
}

#[async_trait::async_trait]
impl SnapshotShare for DbShare {
    fn leads(&self) -> bool {
        self.lease.is_held()
    }

    fn leader_elsewhere(&self) -> bool {
        self.lease.is_held_elsewhere()
    }

    async fn publish_inventory(&self, env: &EnvId, version: i64, inventory: &EnvInventory) {
        let fetched = inventory.fetched_at.unwrap_or_else(Utc::now);
        if let Err(e) = self
            .snapshots
            .publish(
                env.as_str(),
                SnapshotKind::Inventory,
                version,
                fetched,
                inventory,
            )
            .await
        {
            let chain = app::error::error_chain(&e);
            tracing::warn!(env = %env, error = %chain, "publishing the inventory for the other replicas");
        }
    }

    async fn publish_details(&self, env: &EnvId, version: i64, details: &EnvDetails) {
        let fetched = details.fetched_at.unwrap_or_else(Utc::now);
        if let Err(e) = self
            .snapshots
            .publish(
                env.as_str(),
                SnapshotKind::Details,
                version,
                fetched,
                details,
            )
            .await
        {
            let chain = app::error::error_chain(&e);
            tracing::warn!(env = %env, error = %chain, "publishing the details for the other replicas");
        }
    }

    async fn inventory_after(
        &self,
        env: &EnvId,
        version: i64,
    ) -> Result<Option<(i64, EnvInventory)>, String> {
        self.snapshots
            .newer::<EnvInventory>(env.as_str(), SnapshotKind::Inventory, version)
            .await
            .map(|found| found.map(|p| (p.version, p.value)))
            .map_err(|e| app::error::error_chain(&e))
    }

    async fn details_after(
        &self,
        env: &EnvId,
        version: i64,
    ) -> Result<Option<(i64, EnvDetails)>, String> {
        self.snapshots
            .newer::<EnvDetails>(env.as_str(), SnapshotKind::Details, version)
            .await
            .map(|found| found.map(|p| (p.version, p.value)))
            .map_err(|e| app::error::error_chain(&e))
    }

    async fn publish_failure(&self, env: &EnvId, read: Read, version: i64, error: &str) {
        if let Err(e) = self
            .snapshots
            .publish(
                env.as_str(),
                failure_kind(read),
                version,
                Utc::now(),
                &error,
            )
            .await
        {
            let chain = app::error::error_chain(&e);
            tracing::warn!(env = %env, error = %chain, "publishing a failed read for the other replicas");
        }
    }

    async fn failure_after(
        &self,
        env: &EnvId,
        read: Read,
        version: i64,
    ) -> Result<Option<(i64, String)>, String> {
        self.snapshots
            .newer::<String>(env.as_str(), failure_kind(read), version)
            .await
            .map(|found| found.map(|p| (p.version, p.value)))
            .map_err(|e| app::error::error_chain(&e))
    }
}

/// Where a failed `read` is published.
fn failure_kind(read: Read) -> SnapshotKind {
    match read {
        Read::Inventory => SnapshotKind::InventoryFailure,
        Read::Details => SnapshotKind::DetailsFailure,
    }
}
