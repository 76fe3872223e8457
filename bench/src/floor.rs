//! The floor: a bare SDK program that reads what the console's first inventory holds — clusters,
//! services (with tags), their task definitions, autoscaling ranges, databases, snapshots, the
//! day's RDS events and alarms — with the fewest calls the APIs allow (largest pages, ten
//! services per DescribeServices, each task definition once), all three accounts at once and
//! every independent call in parallel. Run as its own process, so its time includes starting up
//! like the console's does.

use crate::aws::{describe, Account, CallCount};
use anyhow::{anyhow, Result};
use aws_sdk_applicationautoscaling::types::ServiceNamespace;
use aws_sdk_ecs::types::ServiceField;
use futures::{stream, StreamExt, TryStreamExt};
use std::collections::BTreeSet;

/// What one run read, to check it saw the same estate as the console.
#[derive(Debug, Default, Clone, Copy)]
pub struct Read {
    pub services: usize,
    pub task_definitions: usize,
    pub databases: usize,
    pub alarms: usize,
}

/// In flight at once per account: enough to keep a serial emulator always busy.
const PARALLEL: usize = 16;

async fn services(account: &Account) -> Result<(usize, usize)> {
    let ecs = &account.ecs;
    let clusters: Vec<String> = ecs
        .list_clusters()
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| anyhow!("ListClusters: {}", describe(e)))?;
    let listed: Vec<(String, Vec<String>)> = stream::iter(clusters)
        .map(|cluster| async move {
            let arns: Vec<String> = ecs
                .list_services()
                .cluster(&cluster)
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(|e| anyhow!("ListServices: {}", describe(e)))?;
            // The emulator also returns services of clusters whose name ends the same way.
            let name = cluster.rsplit('/').next().unwrap_or(&cluster).to_string();
            let arns = arns
                .into_iter()
                .filter(|a| {
                    match a
                        .split_once(":service/")
                        .and_then(|(_, p)| p.split_once('/'))
                    {
                        Some((in_cluster, _)) => in_cluster == name,
                        None => true,
                    }
                })
                .collect();
            Ok::<_, anyhow::Error>((cluster, arns))
        })
        .buffer_unordered(PARALLEL)
        .try_collect()
        .await?;
    let batches: Vec<(String, Vec<String>)> = listed
        .iter()
        .flat_map(|(cluster, arns)| arns.chunks(10).map(|c| (cluster.clone(), c.to_vec())))
        .collect();
    let described: Vec<Vec<String>> = stream::iter(batches)
        .map(|(cluster, batch)| async move {
            let out = ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(batch))
                .include(ServiceField::Tags)
                .send()
                .await
                .map_err(|e| anyhow!("DescribeServices: {}", describe(e)))?;
            Ok::<_, anyhow::Error>(
                out.services()
                    .iter()
                    .filter_map(|s| s.task_definition().map(str::to_string))
                    .collect(),
            )
        })
        .buffer_unordered(PARALLEL)
        .try_collect()
        .await?;
    let services = described.iter().map(Vec::len).sum();
    let unique: BTreeSet<String> = described.into_iter().flatten().collect();
    let task_definitions = unique.len();
    stream::iter(unique)
        .map(|arn| async move {
            ecs.describe_task_definition()
                .task_definition(arn)
                .send()
                .await
                .map_err(|e| anyhow!("DescribeTaskDefinition: {}", describe(e)))
        })
        .buffer_unordered(PARALLEL)
        .try_for_each(|_| async { Ok(()) })
        .await?;
    Ok((services, task_definitions))
}

async fn autoscaling(account: &Account) -> Result<()> {
    let _: Vec<_> = account
        .autoscaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .max_results(50)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| anyhow!("DescribeScalableTargets: {}", describe(e)))?;
    Ok(())
}

async fn databases(account: &Account) -> Result<usize> {
    let rds = &account.rds;
    let now = chrono::Utc::now();
    let day_ago =
        aws_smithy_types::DateTime::from_secs((now - chrono::Duration::hours(24)).timestamp());
    let (instances, clusters, snapshots, cluster_snapshots, events) = tokio::join!(
        rds.describe_db_instances()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        rds.describe_db_clusters()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        rds.describe_db_snapshots()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        rds.describe_db_cluster_snapshots()
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect(),
        rds.describe_events()
            .start_time(day_ago)
            .end_time(aws_smithy_types::DateTime::from_secs(now.timestamp()))
            .max_records(100)
            .into_paginator()
            .items()
            .send()
            .try_collect(),
    );
    let instances = instances.map_err(|e| anyhow!("DescribeDBInstances: {}", describe(e)))?;
    let clusters = clusters.map_err(|e| anyhow!("DescribeDBClusters: {}", describe(e)))?;
    snapshots.map_err(|e| anyhow!("DescribeDBSnapshots: {}", describe(e)))?;
    cluster_snapshots.map_err(|e| anyhow!("DescribeDBClusterSnapshots: {}", describe(e)))?;
    events.map_err(|e| anyhow!("DescribeEvents: {}", describe(e)))?;
    Ok(instances
        .iter()
        .filter(|i| i.db_cluster_identifier().is_none())
        .count()
        + clusters.len())
}

async fn alarms(account: &Account) -> Result<usize> {
    let pages: Vec<_> = account
        .cloudwatch
        .describe_alarms()
        .max_records(100)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| anyhow!("DescribeAlarms: {}", describe(e)))?;
    Ok(pages.iter().map(|p| p.metric_alarms().len()).sum())
}

async fn read_account(account: &Account) -> Result<Read> {
    let (services, scaling, databases, alarms) = tokio::join!(
        services(account),
        autoscaling(account),
        databases(account),
        alarms(account)
    );
    let (services, task_definitions) = services?;
    scaling?;
    Ok(Read {
        services,
        task_definitions,
        databases: databases?,
        alarms: alarms?,
    })
}

/// Reads every account once; returns what it read and the calls it made.
pub async fn run(moto: &str) -> Result<(Read, u64)> {
    let count = CallCount::default();
    let accounts = Account::all(moto, &count).await;
    let reads = futures::future::try_join_all(accounts.iter().map(read_account)).await?;
    let mut total = Read::default();
    for r in reads {
        total.services += r.services;
        total.task_definitions += r.task_definitions;
        total.databases += r.databases;
        total.alarms += r.alarms;
    }
    Ok((total, count.get()))
}
