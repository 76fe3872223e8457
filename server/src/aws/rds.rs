//! RDS reads: instances, Aurora clusters, snapshots of both, and the last day's events.

use super::clients::EnvClients;
use super::convert::{smithy_time, time, Context};
use app::domain::apps::app_from_tags;
use app::domain::inventory::{Database, DbEvent, DbKind, DbSnapshot};
use aws_sdk_rds::types::Tag;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

impl EnvClients {
    /// RDS instances that are not members of an Aurora cluster, then Aurora clusters.
    pub(crate) async fn databases(&self) -> Result<Vec<Database>, String> {
        let instances: Vec<aws_sdk_rds::types::DbInstance> = self
            .rds
            .describe_db_instances()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("RDS DescribeDBInstances")?;
        let clusters: Vec<aws_sdk_rds::types::DbCluster> = self
            .rds
            .describe_db_clusters()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("RDS DescribeDBClusters")?;
        let mut out: Vec<Database> = instances
            .iter()
            .filter(|i| i.db_cluster_identifier().is_none())
            .map(|i| self.map_instance(i))
            .collect();
        out.extend(clusters.iter().map(|c| self.map_cluster(c)));
        Ok(out)
    }

    pub(crate) async fn db_snapshots(&self) -> Result<Vec<DbSnapshot>, String> {
        let instance: Vec<aws_sdk_rds::types::DbSnapshot> = self
            .rds
            .describe_db_snapshots()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("RDS DescribeDBSnapshots")?;
        let cluster: Vec<aws_sdk_rds::types::DbClusterSnapshot> = self
            .rds
            .describe_db_cluster_snapshots()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("RDS DescribeDBClusterSnapshots")?;
        let mut out: Vec<DbSnapshot> = instance.iter().map(map_snapshot).collect();
        out.extend(cluster.iter().map(map_cluster_snapshot));
        Ok(out)
    }

    /// One instance (or Aurora cluster) and its snapshots, after an action touched it; `None`
    /// when it no longer exists.
    pub(crate) async fn database_and_snapshots(
        &self,
        id: &str,
        aurora: bool,
    ) -> Result<(Option<Database>, Vec<DbSnapshot>), String> {
        if aurora {
            let found = self
                .rds
                .describe_db_clusters()
                .db_cluster_identifier(id)
                .send()
                .await;
            let database = match found {
                Ok(out) => out.db_clusters().first().map(|c| self.map_cluster(c)),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_db_cluster_not_found_fault()) =>
                {
                    None
                }
                Err(e) => return Err(super::convert::error_text("RDS DescribeDBClusters", &e)),
            };
            let snapshots: Vec<aws_sdk_rds::types::DbClusterSnapshot> = self
                .rds
                .describe_db_cluster_snapshots()
                .db_cluster_identifier(id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .op("RDS DescribeDBClusterSnapshots")?;
            return Ok((
                database,
                snapshots.iter().map(map_cluster_snapshot).collect(),
            ));
        }
        let found = self
            .rds
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await;
        let database = match found {
            Ok(out) => out.db_instances().first().map(|i| self.map_instance(i)),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_db_instance_not_found_fault()) =>
            {
                None
            }
            Err(e) => return Err(super::convert::error_text("RDS DescribeDBInstances", &e)),
        };
        let snapshots: Vec<aws_sdk_rds::types::DbSnapshot> = self
            .rds
            .describe_db_snapshots()
            .db_instance_identifier(id)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("RDS DescribeDBSnapshots")?;
        Ok((database, snapshots.iter().map(map_snapshot).collect()))
    }

    fn map_instance(&self, i: &aws_sdk_rds::types::DbInstance) -> Database {
        let tags = tag_map(i.tag_list());
        Database {
            id: i.db_instance_identifier().unwrap_or_default().to_string(),
            kind: DbKind::Instance,
            arn: i.db_instance_arn().unwrap_or_default().to_string(),
            status: i.db_instance_status().unwrap_or_default().to_string(),
            engine: i.engine().unwrap_or_default().to_string(),
            engine_version: i.engine_version().unwrap_or_default().to_string(),
            class: i.db_instance_class().map(str::to_string),
            multi_az: i.multi_az().unwrap_or(false),
            allocated_storage_gb: i.allocated_storage(),
            storage_encrypted: i.storage_encrypted().unwrap_or(false),
            backup_retention_days: i.backup_retention_period().unwrap_or(0),
            latest_restorable_time: time(i.latest_restorable_time()),
            endpoint: i.endpoint().and_then(|e| {
                e.address().map(|a| match e.port() {
                    Some(p) => format!("{a}:{p}"),
                    None => a.to_string(),
                })
            }),
            availability_zone: i.availability_zone().map(str::to_string),
            cluster_id: None,
            app: app_from_tags(&tags, &self.env.app_tag),
            tags,
            created_at: time(i.instance_create_time()),
        }
    }

    fn map_cluster(&self, c: &aws_sdk_rds::types::DbCluster) -> Database {
        let tags = tag_map(c.tag_list());
        Database {
            id: c.db_cluster_identifier().unwrap_or_default().to_string(),
            kind: DbKind::AuroraCluster,
            arn: c.db_cluster_arn().unwrap_or_default().to_string(),
            status: c.status().unwrap_or_default().to_string(),
            engine: c.engine().unwrap_or_default().to_string(),
            engine_version: c.engine_version().unwrap_or_default().to_string(),
            class: c.db_cluster_instance_class().map(str::to_string),
            multi_az: c.multi_az().unwrap_or(false),
            allocated_storage_gb: c.allocated_storage(),
            storage_encrypted: c.storage_encrypted().unwrap_or(false),
            backup_retention_days: c.backup_retention_period().unwrap_or(0),
            latest_restorable_time: time(c.latest_restorable_time()),
            endpoint: c.endpoint().map(|a| match c.port() {
                Some(p) => format!("{a}:{p}"),
                None => a.to_string(),
            }),
            availability_zone: None,
            cluster_id: None,
            app: app_from_tags(&tags, &self.env.app_tag),
            tags,
            created_at: time(c.cluster_create_time()),
        }
    }

    /// RDS events of the last 24 hours (the longest window the API keeps is 14 days).
    pub(crate) async fn db_events(&self, now: DateTime<Utc>) -> Result<Vec<DbEvent>, String> {
        let events: Vec<aws_sdk_rds::types::Event> = self
            .rds
            .describe_events()
            .start_time(smithy_time(now - chrono::Duration::hours(24)))
            .end_time(smithy_time(now))
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("RDS DescribeEvents")?;
        Ok(events
            .iter()
            .map(|e| DbEvent {
                source_id: e.source_identifier().unwrap_or_default().to_string(),
                source_type: e
                    .source_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                at: time(e.date()),
                message: e.message().unwrap_or_default().to_string(),
            })
            .collect())
    }
}

fn map_snapshot(s: &aws_sdk_rds::types::DbSnapshot) -> DbSnapshot {
    DbSnapshot {
        id: s.db_snapshot_identifier().unwrap_or_default().to_string(),
        db_id: s.db_instance_identifier().unwrap_or_default().to_string(),
        snapshot_type: s.snapshot_type().unwrap_or_default().to_string(),
        status: s.status().unwrap_or_default().to_string(),
        created_at: time(s.snapshot_create_time()),
        allocated_storage_gb: s.allocated_storage(),
        engine: s.engine().map(str::to_string),
    }
}

fn map_cluster_snapshot(s: &aws_sdk_rds::types::DbClusterSnapshot) -> DbSnapshot {
    DbSnapshot {
        id: s
            .db_cluster_snapshot_identifier()
            .unwrap_or_default()
            .to_string(),
        db_id: s.db_cluster_identifier().unwrap_or_default().to_string(),
        snapshot_type: s.snapshot_type().unwrap_or_default().to_string(),
        status: s.status().unwrap_or_default().to_string(),
        created_at: time(s.snapshot_create_time()),
        allocated_storage_gb: s.allocated_storage(),
        engine: s.engine().map(str::to_string),
    }
}
