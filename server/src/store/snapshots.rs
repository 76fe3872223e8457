//! Published snapshots: the jobs-lease holder writes each environment's inventory and details
//! here after it reads them from AWS; the other replicas read them instead of calling AWS. The
//! body is gzip-compressed JSON of the domain type. A publication replaces the stored one only
//! when its version is newer, so a late write never rolls a snapshot back.

use super::error::StoreError;
use super::sql::{numbered, read_time, stored_time, Pool};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::{Read, Write};

/// Which snapshot of an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotKind {
    Inventory,
    Details,
    /// The leader's last failed inventory read: its error (a JSON string).
    InventoryFailure,
    /// The leader's last failed details read.
    DetailsFailure,
}

impl SnapshotKind {
    fn as_str(self) -> &'static str {
        match self {
            SnapshotKind::Inventory => "inventory",
            SnapshotKind::Details => "details",
            SnapshotKind::InventoryFailure => "inventory-failure",
            SnapshotKind::DetailsFailure => "details-failure",
        }
    }
}

/// A snapshot read back: its version, when it was read from AWS, and the value.
#[derive(Debug, Clone)]
pub struct Published<T> {
    pub version: i64,
    pub fetched_at: DateTime<Utc>,
    pub value: T,
}

pub struct SqlSnapshots {
    pool: Pool,
    /// This process, named in each row it writes.
    holder: String,
}

impl SqlSnapshots {
    pub fn new(pool: Pool, holder: &str) -> Self {
        Self {
            pool,
            holder: holder.to_string(),
        }
    }

    /// Stores `value` as `env`'s `kind` snapshot at `version`, unless a newer one is there.
    pub async fn publish<T: Serialize>(
        &self,
        env: &str,
        kind: SnapshotKind,
        version: i64,
        fetched_at: DateTime<Utc>,
        value: &T,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_vec(value)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&json)
            .and_then(|()| gz.flush())
            .map_err(|e| StoreError::corrupt("snapshot", env, e))?;
        let body = gz
            .finish()
            .map_err(|e| StoreError::corrupt("snapshot", env, e))?;
        sqlx::query(&numbered(
            "INSERT INTO published_snapshots (env, kind, version, fetched_at, published_by, body)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (env, kind) DO UPDATE SET version = excluded.version,
                 fetched_at = excluded.fetched_at, published_by = excluded.published_by,
                 body = excluded.body
             WHERE published_snapshots.version < excluded.version",
        ))
        .bind(env)
        .bind(kind.as_str())
        .bind(version)
        .bind(stored_time(fetched_at))
        .bind(&self.holder)
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// `env`'s `kind` snapshot when its version is above `seen`; `None` when there is none or
    /// it is not newer (only the version is read then).
    pub async fn newer<T: DeserializeOwned>(
        &self,
        env: &str,
        kind: SnapshotKind,
        seen: i64,
    ) -> Result<Option<Published<T>>, StoreError> {
        let row: Option<(i64, String, Vec<u8>)> = sqlx::query_as(&numbered(
            "SELECT version, fetched_at, body FROM published_snapshots
             WHERE env = ? AND kind = ? AND version > ?",
        ))
        .bind(env)
        .bind(kind.as_str())
        .bind(seen)
        .fetch_optional(&self.pool)
        .await?;
        let Some((version, fetched_at, body)) = row else {
            return Ok(None);
        };
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(body.as_slice())
            .read_to_end(&mut json)
            .map_err(|e| StoreError::corrupt("snapshot", env, e))?;
        Ok(Some(Published {
            version,
            fetched_at: read_time("snapshot time", &fetched_at)?,
            value: serde_json::from_slice(&json)?,
        }))
    }
}
