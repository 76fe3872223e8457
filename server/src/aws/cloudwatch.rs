//! CloudWatch reads: metric alarms (paginated) and metric series for the charts (GetMetricData,
//! up to 500 queries per call).

use super::clients::EnvClients;
use super::convert::{smithy_time, time, Context};
use app::domain::functions::Functions;
use app::domain::incidents::Transition;
use app::domain::inventory::{
    service_key, Alarm, AlarmResource, AlarmState, EnvDetails, EnvInventory, FunctionMetrics,
    QueueMetrics, Series, StorageMetric, TargetGroupMetrics,
};
use app::domain::load_balancing::{metric_dimension, LbHealth};
use app::domain::queues::Queues;
use app::domain::scheduled_jobs::{JobSource, ScheduledJobs};
use aws_sdk_cloudwatch::types::{AlarmType, Dimension, Metric, MetricDataQuery, MetricStat};
use chrono::{DateTime, Utc};
use futures::{stream, StreamExt, TryStreamExt};
use std::collections::{BTreeMap, HashMap};

/// GetMetricData takes at most 500 queries per call.
const QUERIES_PER_CALL: usize = 500;
/// Charts cover the last six hours at five-minute resolution.
const CHART_HOURS: i64 = 6;
const PERIOD_SECS: i32 = 300;

/// One metric to read and the series it fills.
struct Query {
    target: Target,
    namespace: &'static str,
    metric: &'static str,
    /// The statistic per period: `Average`, `Sum`, `Maximum`…
    stat: &'static str,
    dimensions: Vec<(String, String)>,
}

/// Which series a query fills.
#[derive(Debug, Clone)]
enum Target {
    ServiceCpu(String),
    ServiceMemory(String),
    DbCpu(String),
    DbConnections(String),
    DbFreeStorage(String),
    DbVolumeUsed(String),
    /// A target group's metric, by the group's ARN.
    Tg(String, TgMetric),
    /// A queue's metric, by the queue's name.
    Queue(String, QueueMetric),
    /// A Lambda function's metric, by the function's name.
    Function(String, FunctionMetric),
    /// An EventBridge rule's `Invocations` (`false`) or `FailedInvocations` (`true`).
    Rule(String, bool),
    /// A Scheduler schedule group's `InvocationAttemptCount` (`false`) or `TargetErrorCount`
    /// (`true`).
    ScheduleGroup(String, bool),
}

/// Which Lambda metric of a function.
#[derive(Debug, Clone, Copy)]
enum FunctionMetric {
    Invocations,
    Errors,
    Throttles,
    DurationP99,
    Concurrent,
}

/// Which SQS metric of a queue.
#[derive(Debug, Clone, Copy)]
enum QueueMetric {
    Visible,
    OldestAge,
    Sent,
    Received,
    Deleted,
}

/// Which load-balancer metric of a target group.
#[derive(Debug, Clone, Copy)]
enum TgMetric {
    Target5xx,
    ResponseTime,
    Healthy,
    Unhealthy,
}

impl EnvClients {
    pub(crate) async fn alarms(&self) -> Result<Vec<Alarm>, String> {
        let pages: Vec<aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput> = self
            .cloudwatch
            .describe_alarms()
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .max_records(100)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .op("CloudWatch DescribeAlarms")?;
        let scope = &self.alarm_scope;
        let alarms: Vec<Alarm> = pages
            .iter()
            .flat_map(|p| {
                p.metric_alarms()
                    .iter()
                    .map(map_alarm)
                    .chain(p.composite_alarms().iter().map(map_composite))
            })
            .filter(|a| !scope.excludes_name(&a.name))
            .collect();
        if !scope.needs_tags() {
            return Ok(alarms);
        }
        let tags = self.alarm_tags(&alarms).await?;
        Ok(alarms
            .into_iter()
            .filter(|a| scope.admits(&a.name, tags.get(&a.arn).map(Vec::as_slice).unwrap_or(&[])))
            .collect())
    }

    /// The tags of `alarms`, read with ListTagsForResource for those not read before.
    async fn alarm_tags(
        &self,
        alarms: &[Alarm],
    ) -> Result<HashMap<String, Vec<(String, String)>>, String> {
        let unknown: Vec<String> = {
            let known = self.alarm_tags.lock().map_err(|e| e.to_string())?;
            alarms
                .iter()
                .filter(|a| !known.contains_key(&a.arn))
                .map(|a| a.arn.clone())
                .collect()
        };
        let read: Vec<(String, Vec<(String, String)>)> = stream::iter(unknown)
            .map(|arn| async move {
                let out = self
                    .cloudwatch
                    .list_tags_for_resource()
                    .resource_arn(&arn)
                    .send()
                    .await
                    .op("CloudWatch ListTagsForResource")?;
                let tags = out
                    .tags()
                    .iter()
                    .map(|t| {
                        (
                            t.key().unwrap_or_default().to_string(),
                            t.value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect();
                Ok::<_, String>((arn, tags))
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        let mut known = self.alarm_tags.lock().map_err(|e| e.to_string())?;
        known.extend(read);
        Ok(alarms
            .iter()
            .filter_map(|a| known.get(&a.arn).map(|t| (a.arn.clone(), t.clone())))
            .collect())
    }

    /// State changes recorded by CloudWatch since `since` (DescribeAlarmHistory, paginated), to
    /// backfill what happened between polls or while the console was down.
    pub(crate) async fn alarm_history(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transition>, String> {
        let pages: Vec<
            aws_sdk_cloudwatch::operation::describe_alarm_history::DescribeAlarmHistoryOutput,
        > = self
            .cloudwatch
            .describe_alarm_history()
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .history_item_type(aws_sdk_cloudwatch::types::HistoryItemType::StateUpdate)
            .start_date(smithy_time(since))
            .end_date(smithy_time(now))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .op("CloudWatch DescribeAlarmHistory")?;
        Ok(pages
            .iter()
            .flat_map(|p| p.alarm_history_items())
            .filter_map(|item| {
                history_transition(
                    item.alarm_name()?,
                    time(item.timestamp())?,
                    item.history_data()?,
                )
            })
            .collect())
    }

    /// One alarm as it is now, after an action touched it; `None` when it no longer exists.
    pub(crate) async fn alarm(&self, name: &str) -> Result<Option<Alarm>, String> {
        let out = self
            .cloudwatch
            .describe_alarms()
            .alarm_names(name)
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .send()
            .await
            .op("CloudWatch DescribeAlarms")?;
        Ok(out
            .metric_alarms()
            .iter()
            .find(|a| a.alarm_name() == Some(name))
            .map(map_alarm)
            .or_else(|| {
                out.composite_alarms()
                    .iter()
                    .find(|a| a.alarm_name() == Some(name))
                    .map(map_composite)
            }))
    }

    /// CPU and memory of every service, CPU, connections and free storage of every database.
    // Each part of the details read before the metrics names what to chart: one argument each.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn metrics(
        &self,
        inventory: &EnvInventory,
        lb: &LbHealth,
        queues: &Queues,
        functions: &Functions,
        jobs: &ScheduledJobs,
        previous: Option<&EnvDetails>,
        now: DateTime<Utc>,
    ) -> Result<EnvDetails, String> {
        let mut targets: Vec<Query> = Vec::new();
        for s in &inventory.services {
            let key = service_key(&s.cluster, &s.name);
            let dims = vec![
                ("ClusterName".to_string(), s.cluster.clone()),
                ("ServiceName".to_string(), s.name.clone()),
            ];
            targets.push(Query {
                target: Target::ServiceCpu(key.clone()),
                namespace: "AWS/ECS",
                metric: "CPUUtilization",
                stat: "Average",
                dimensions: dims.clone(),
            });
            targets.push(Query {
                target: Target::ServiceMemory(key),
                namespace: "AWS/ECS",
                metric: "MemoryUtilization",
                stat: "Average",
                dimensions: dims,
            });
        }
        for d in &inventory.databases {
            let dim_name = match d.kind {
                app::domain::inventory::DbKind::Instance => "DBInstanceIdentifier",
                app::domain::inventory::DbKind::AuroraCluster => "DBClusterIdentifier",
            };
            let dims = vec![(dim_name.to_string(), d.id.clone())];
            let family = d.family();
            let namespace = family.namespace();
            targets.push(Query {
                target: Target::DbCpu(d.id.clone()),
                namespace,
                metric: "CPUUtilization",
                stat: "Average",
                dimensions: dims.clone(),
            });
            if let Some(metric) = family.connections_metric() {
                targets.push(Query {
                    target: Target::DbConnections(d.id.clone()),
                    namespace,
                    metric,
                    stat: "Average",
                    dimensions: dims.clone(),
                });
            }
            let (target, metric) = match family.storage_metric() {
                StorageMetric::Free(metric) => (Target::DbFreeStorage(d.id.clone()), metric),
                StorageMetric::Used(metric) => (Target::DbVolumeUsed(d.id.clone()), metric),
            };
            targets.push(Query {
                target,
                namespace,
                metric,
                stat: "Average",
                dimensions: dims,
            });
        }
        target_group_queries(lb, &mut targets);
        queue_queries(queues, &mut targets);
        function_queries(functions, &mut targets);
        rule_queries(jobs, &mut targets);
        // Each cycle fetches only what is new for a series already held (from a little before
        // the last fetch, as the last period may have been partial), the whole window for the
        // rest; the held points inside the window are kept.
        let start = now - chrono::Duration::hours(CHART_HOURS);
        let since = previous
            .and_then(|p| p.fetched_at)
            .map(|t| t - chrono::Duration::seconds(2 * i64::from(PERIOD_SECS)))
            .filter(|t| *t > start);
        // Held: read in an earlier cycle (with or without points), so only newer points can be
        // missing from it.
        let held = |q: &Query| previous.and_then(|p| q.target.series_in(p));
        let (recent, whole): (Vec<usize>, Vec<usize>) =
            (0..targets.len()).partition(|&i| since.is_some() && held(&targets[i]).is_some());
        let mut results = self.fetch_series(&targets, &whole, start, now).await?;
        if let Some(since) = since {
            for (index, series) in self.fetch_series(&targets, &recent, since, now).await? {
                let merged = match targets.get(index).and_then(&held) {
                    Some(old) => old.merged(series, start),
                    None => series,
                };
                results.push((index, merged));
            }
        }
        let mut metrics = EnvDetails {
            fetched_at: Some(now),
            services: BTreeMap::new(),
            databases: BTreeMap::new(),
            ..EnvDetails::default()
        };
        for (index, series) in results {
            let Some(query) = targets.get(index) else {
                continue;
            };
            merge(&mut metrics, &query.target, series);
        }
        Ok(metrics)
    }

    /// The series of `targets[indexes]` from `start` to `now`: GetMetricData with up to 500
    /// queries per call, paginated, calls in flight up to the environment's limit.
    async fn fetch_series(
        &self,
        targets: &[Query],
        indexes: &[usize],
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<(usize, Series)>, String> {
        let chunks: Vec<Vec<(usize, MetricDataQuery)>> = indexes
            .iter()
            .filter_map(|&i| targets.get(i).map(|q| (i, q)))
            .map(|(i, q)| {
                let metric = Metric::builder()
                    .namespace(q.namespace)
                    .metric_name(q.metric)
                    .set_dimensions(Some(
                        q.dimensions
                            .iter()
                            .map(|(n, v)| Dimension::builder().name(n).value(v).build())
                            .collect(),
                    ))
                    .build();
                let query = MetricDataQuery::builder()
                    .id(format!("q{i}"))
                    .metric_stat(
                        MetricStat::builder()
                            .metric(metric)
                            .period(PERIOD_SECS)
                            .stat(q.stat)
                            .build(),
                    )
                    .return_data(true)
                    .build();
                (i, query)
            })
            .collect::<Vec<_>>()
            .chunks(QUERIES_PER_CALL)
            .map(<[_]>::to_vec)
            .collect();
        let results: Vec<Vec<(usize, Series)>> = stream::iter(chunks)
            .map(|chunk| async move {
                let mut out = Vec::new();
                let mut token: Option<String> = None;
                loop {
                    let response = self
                        .cloudwatch
                        .get_metric_data()
                        .start_time(smithy_time(start))
                        .end_time(smithy_time(now))
                        .set_metric_data_queries(Some(
                            chunk.iter().map(|(_, q)| q.clone()).collect(),
                        ))
                        .set_next_token(token.clone())
                        .send()
                        .await
                        .op("CloudWatch GetMetricData")?;
                    for r in response.metric_data_results() {
                        let Some(index) = r
                            .id()
                            .and_then(|id| id.strip_prefix('q'))
                            .and_then(|n| n.parse::<usize>().ok())
                        else {
                            continue;
                        };
                        let points = r
                            .timestamps()
                            .iter()
                            .zip(r.values())
                            .filter_map(|(t, v)| time(Some(t)).map(|t| (t, *v)))
                            .collect();
                        out.push((index, Series { points }));
                    }
                    token = response.next_token().map(str::to_string);
                    if token.is_none() {
                        break;
                    }
                }
                Ok::<_, String>(out)
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        Ok(results.into_iter().flatten().collect())
    }
}

impl Target {
    /// The series this target fills in `details`, if any.
    fn series_in<'a>(&self, details: &'a EnvDetails) -> Option<&'a Series> {
        match self {
            Target::ServiceCpu(k) => details.services.get(k).map(|m| &m.cpu),
            Target::ServiceMemory(k) => details.services.get(k).map(|m| &m.memory),
            Target::DbCpu(k) => details.databases.get(k).map(|m| &m.cpu),
            Target::DbConnections(k) => details.databases.get(k).map(|m| &m.connections),
            Target::DbFreeStorage(k) => details.databases.get(k).map(|m| &m.free_storage_bytes),
            Target::DbVolumeUsed(k) => details.databases.get(k).map(|m| &m.volume_used_bytes),
            Target::Tg(arn, metric) => details
                .target_group_metrics
                .get(arn)
                .map(|m| metric.series_in(m)),
            Target::Queue(name, metric) => {
                details.queue_metrics.get(name).map(|m| metric.series_in(m))
            }
            Target::Function(name, metric) => details
                .function_metrics
                .get(name)
                .map(|m| metric.series_in(m)),
            Target::Rule(name, failed) => details.rule_metrics.get(name).map(|m| match failed {
                true => &m.failed_invocations,
                false => &m.invocations,
            }),
            Target::ScheduleGroup(name, errors) => {
                details
                    .schedule_group_metrics
                    .get(name)
                    .map(|m| match errors {
                        true => &m.target_errors,
                        false => &m.attempts,
                    })
            }
        }
    }
}

fn merge(metrics: &mut EnvDetails, target: &Target, mut series: Series) {
    series.points.sort_by_key(|(t, _)| *t);
    let extend = |into: &mut Series, from: Series| into.points.extend(from.points);
    match target {
        Target::ServiceCpu(k) => extend(
            &mut metrics.services.entry(k.clone()).or_default().cpu,
            series,
        ),
        Target::ServiceMemory(k) => extend(
            &mut metrics.services.entry(k.clone()).or_default().memory,
            series,
        ),
        Target::DbCpu(k) => extend(
            &mut metrics.databases.entry(k.clone()).or_default().cpu,
            series,
        ),
        Target::DbConnections(k) => extend(
            &mut metrics.databases.entry(k.clone()).or_default().connections,
            series,
        ),
        Target::DbFreeStorage(k) => extend(
            &mut metrics
                .databases
                .entry(k.clone())
                .or_default()
                .free_storage_bytes,
            series,
        ),
        Target::DbVolumeUsed(k) => extend(
            &mut metrics
                .databases
                .entry(k.clone())
                .or_default()
                .volume_used_bytes,
            series,
        ),
        Target::Tg(arn, metric) => extend(
            metric.series_mut(metrics.target_group_metrics.entry(arn.clone()).or_default()),
            series,
        ),
        Target::Queue(name, metric) => extend(
            metric.series_mut(metrics.queue_metrics.entry(name.clone()).or_default()),
            series,
        ),
        Target::Function(name, metric) => extend(
            metric.series_mut(metrics.function_metrics.entry(name.clone()).or_default()),
            series,
        ),
        Target::Rule(name, failed) => {
            let m = metrics.rule_metrics.entry(name.clone()).or_default();
            match failed {
                true => extend(&mut m.failed_invocations, series),
                false => extend(&mut m.invocations, series),
            }
        }
        Target::ScheduleGroup(name, errors) => {
            let m = metrics
                .schedule_group_metrics
                .entry(name.clone())
                .or_default();
            match errors {
                true => extend(&mut m.target_errors, series),
                false => extend(&mut m.attempts, series),
            }
        }
    }
}

impl FunctionMetric {
    fn series_in(self, m: &FunctionMetrics) -> &Series {
        match self {
            FunctionMetric::Invocations => &m.invocations,
            FunctionMetric::Errors => &m.errors,
            FunctionMetric::Throttles => &m.throttles,
            FunctionMetric::DurationP99 => &m.duration_p99,
            FunctionMetric::Concurrent => &m.concurrent,
        }
    }

    fn series_mut(self, m: &mut FunctionMetrics) -> &mut Series {
        match self {
            FunctionMetric::Invocations => &mut m.invocations,
            FunctionMetric::Errors => &mut m.errors,
            FunctionMetric::Throttles => &mut m.throttles,
            FunctionMetric::DurationP99 => &mut m.duration_p99,
            FunctionMetric::Concurrent => &mut m.concurrent,
        }
    }
}

/// Each function's invocations, errors and throttles (summed per period: a throttle is not an
/// error), its duration's 99th percentile and its concurrent executions (the most): namespace
/// `AWS/Lambda`, dimension `FunctionName`.
/// Each scheduled rule's `AWS/Events` invocations and failed invocations: whether it fired, and
/// whether EventBridge could start its target, which the runs alone cannot tell; and each
/// schedule group's `AWS/Scheduler` invocation attempts and target errors.
fn rule_queries(jobs: &ScheduledJobs, out: &mut Vec<Query>) {
    // Scheduler publishes per schedule group: one pair of series per group with schedules.
    let groups: std::collections::BTreeSet<&str> = jobs
        .jobs
        .iter()
        .filter_map(|j| match &j.source {
            JobSource::Schedule { group } => Some(group.as_str()),
            JobSource::Rule => None,
        })
        .collect();
    for group in groups {
        for (errors, metric) in [
            (false, "InvocationAttemptCount"),
            (true, "TargetErrorCount"),
        ] {
            out.push(Query {
                target: Target::ScheduleGroup(group.to_string(), errors),
                namespace: "AWS/Scheduler",
                metric,
                stat: "Sum",
                dimensions: vec![("ScheduleGroup".to_string(), group.to_string())],
            });
        }
    }
    for job in jobs.jobs.iter().filter(|j| j.source == JobSource::Rule) {
        for (failed, metric) in [(false, "Invocations"), (true, "FailedInvocations")] {
            out.push(Query {
                target: Target::Rule(job.name.clone(), failed),
                namespace: "AWS/Events",
                metric,
                stat: "Sum",
                dimensions: vec![("RuleName".to_string(), job.name.clone())],
            });
        }
    }
}

fn function_queries(functions: &Functions, out: &mut Vec<Query>) {
    for function in &functions.functions {
        let dims = vec![("FunctionName".to_string(), function.name.clone())];
        for (metric, name, stat) in [
            (FunctionMetric::Invocations, "Invocations", "Sum"),
            (FunctionMetric::Errors, "Errors", "Sum"),
            (FunctionMetric::Throttles, "Throttles", "Sum"),
            (FunctionMetric::DurationP99, "Duration", "p99"),
            (
                FunctionMetric::Concurrent,
                "ConcurrentExecutions",
                "Maximum",
            ),
        ] {
            out.push(Query {
                target: Target::Function(function.name.clone(), metric),
                namespace: "AWS/Lambda",
                metric: name,
                stat,
                dimensions: dims.clone(),
            });
        }
    }
}

impl QueueMetric {
    fn series_in(self, m: &QueueMetrics) -> &Series {
        match self {
            QueueMetric::Visible => &m.visible,
            QueueMetric::OldestAge => &m.oldest_age,
            QueueMetric::Sent => &m.sent,
            QueueMetric::Received => &m.received,
            QueueMetric::Deleted => &m.deleted,
        }
    }

    fn series_mut(self, m: &mut QueueMetrics) -> &mut Series {
        match self {
            QueueMetric::Visible => &mut m.visible,
            QueueMetric::OldestAge => &mut m.oldest_age,
            QueueMetric::Sent => &mut m.sent,
            QueueMetric::Received => &mut m.received,
            QueueMetric::Deleted => &mut m.deleted,
        }
    }
}

/// Each queue's depth and age of its oldest message (the most per period), and the messages
/// sent, received and deleted (summed per period): namespace `AWS/SQS`, dimension `QueueName`.
fn queue_queries(queues: &Queues, out: &mut Vec<Query>) {
    for queue in &queues.queues {
        let dims = vec![("QueueName".to_string(), queue.name.clone())];
        for (metric, name, stat) in [
            (
                QueueMetric::Visible,
                "ApproximateNumberOfMessagesVisible",
                "Maximum",
            ),
            (
                QueueMetric::OldestAge,
                "ApproximateAgeOfOldestMessage",
                "Maximum",
            ),
            (QueueMetric::Sent, "NumberOfMessagesSent", "Sum"),
            (QueueMetric::Received, "NumberOfMessagesReceived", "Sum"),
            (QueueMetric::Deleted, "NumberOfMessagesDeleted", "Sum"),
        ] {
            out.push(Query {
                target: Target::Queue(queue.name.clone(), metric),
                namespace: "AWS/SQS",
                metric: name,
                stat,
                dimensions: dims.clone(),
            });
        }
    }
}

impl TgMetric {
    fn series_in(self, m: &TargetGroupMetrics) -> &Series {
        match self {
            TgMetric::Target5xx => &m.target_5xx,
            TgMetric::ResponseTime => &m.response_time,
            TgMetric::Healthy => &m.healthy_hosts,
            TgMetric::Unhealthy => &m.unhealthy_hosts,
        }
    }

    fn series_mut(self, m: &mut TargetGroupMetrics) -> &mut Series {
        match self {
            TgMetric::Target5xx => &mut m.target_5xx,
            TgMetric::ResponseTime => &mut m.response_time,
            TgMetric::Healthy => &mut m.healthy_hosts,
            TgMetric::Unhealthy => &mut m.unhealthy_hosts,
        }
    }
}

/// The load-balancer metrics of each target group behind an Application or Network Load
/// Balancer, published with the `TargetGroup` and `LoadBalancer` dimensions (an ALB's
/// `targetgroup/<name>/<id>` and `app/<name>/<id>`): an ALB's target 5xx count, target response
/// time and host counts, an NLB's host counts.
fn target_group_queries(lb: &LbHealth, queries: &mut Vec<Query>) {
    for group in lb.target_groups.values() {
        let Some(tg_dim) = metric_dimension(&group.arn) else {
            continue;
        };
        // A group behind several load balancers is charted for its first.
        let Some(lb_dim) = group
            .load_balancer_arns
            .first()
            .and_then(|arn| metric_dimension(arn))
        else {
            continue;
        };
        let application = lb_dim.starts_with("app/");
        let namespace = if application {
            "AWS/ApplicationELB"
        } else if lb_dim.starts_with("net/") {
            "AWS/NetworkELB"
        } else {
            continue;
        };
        let dims = vec![
            ("TargetGroup".to_string(), tg_dim.to_string()),
            ("LoadBalancer".to_string(), lb_dim.to_string()),
        ];
        let mut push = |metric: TgMetric, name: &'static str, stat: &'static str| {
            queries.push(Query {
                target: Target::Tg(group.arn.clone(), metric),
                namespace,
                metric: name,
                stat,
                dimensions: dims.clone(),
            })
        };
        if application {
            push(TgMetric::Target5xx, "HTTPCode_Target_5XX_Count", "Sum");
            push(TgMetric::ResponseTime, "TargetResponseTime", "Average");
        }
        push(TgMetric::Healthy, "HealthyHostCount", "Minimum");
        push(TgMetric::Unhealthy, "UnHealthyHostCount", "Maximum");
    }
}

/// A state change from one DescribeAlarmHistory `StateUpdate` item: its `HistoryData` is JSON
/// with `oldState` and `newState`, each holding `stateValue` and `stateReason`. Items that do not
/// parse are skipped (the next poll's difference still catches the state).
fn history_transition(alarm: &str, at: DateTime<Utc>, data: &str) -> Option<Transition> {
    let data: serde_json::Value = serde_json::from_str(data).ok()?;
    Some(Transition {
        alarm: alarm.to_string(),
        from: data["oldState"]["stateValue"]
            .as_str()
            .and_then(AlarmState::parse),
        to: AlarmState::parse(data["newState"]["stateValue"].as_str()?)?,
        at,
        reason: data["newState"]["stateReason"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    })
}

fn map_alarm(a: &aws_sdk_cloudwatch::types::MetricAlarm) -> Alarm {
    let dimensions: Vec<(String, String)> = a
        .dimensions()
        .iter()
        .map(|d| {
            (
                d.name().unwrap_or_default().to_string(),
                d.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        arn: a.alarm_arn().unwrap_or_default().to_string(),
        state: state_of(a.state_value()),
        reason: a.state_reason().unwrap_or_default().to_string(),
        updated_at: time(a.state_updated_timestamp()),
        actions_enabled: a.actions_enabled().unwrap_or(false),
        namespace: a.namespace().map(str::to_string),
        metric: a.metric_name().map(str::to_string),
        resource: AlarmResource::from_dimensions(&dimensions),
        dimensions,
        description: a.alarm_description().map(str::to_string),
        threshold: a.threshold(),
        comparison: a.comparison_operator().map(|c| c.as_str().to_string()),
        app: None,
        actions: actions_of(
            a.alarm_actions(),
            a.ok_actions(),
            a.insufficient_data_actions(),
        ),
        rule: None,
    }
}

/// An alarm's state; one CloudWatch has not told is insufficient data.
fn state_of(value: Option<&aws_sdk_cloudwatch::types::StateValue>) -> AlarmState {
    value
        .and_then(|s| AlarmState::parse(s.as_str()))
        .unwrap_or(AlarmState::InsufficientData)
}

/// Every ARN an alarm notifies or triggers, in any state.
fn actions_of(alarm: &[String], ok: &[String], insufficient: &[String]) -> Vec<String> {
    alarm
        .iter()
        .chain(ok)
        .chain(insufficient)
        .cloned()
        .collect()
}

/// A composite alarm: its rule instead of a metric; its resource and app come from the alarms
/// the rule names, once every alarm is read (`domain::apps::attribute_alarms`).
fn map_composite(a: &aws_sdk_cloudwatch::types::CompositeAlarm) -> Alarm {
    Alarm {
        name: a.alarm_name().unwrap_or_default().to_string(),
        arn: a.alarm_arn().unwrap_or_default().to_string(),
        state: state_of(a.state_value()),
        reason: a.state_reason().unwrap_or_default().to_string(),
        updated_at: time(a.state_updated_timestamp()),
        actions_enabled: a.actions_enabled().unwrap_or(false),
        namespace: None,
        metric: None,
        resource: AlarmResource::Unknown,
        dimensions: Vec::new(),
        description: a.alarm_description().map(str::to_string),
        threshold: None,
        comparison: None,
        app: None,
        actions: actions_of(
            a.alarm_actions(),
            a.ok_actions(),
            a.insufficient_data_actions(),
        ),
        rule: Some(a.alarm_rule().unwrap_or_default().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_history_items_become_transitions() {
        // The shape CloudWatch returns in HistoryData for a StateUpdate item.
        let data = r#"{"version":"1.0","oldState":{"stateValue":"OK","stateReason":"Threshold Crossed: 1 datapoint [41.2 (29/11/26 09:57:00)] was not greater than the threshold (80.0)."},"newState":{"stateValue":"ALARM","stateReason":"Threshold Crossed: 1 datapoint [93.1 (29/11/26 09:58:00)] was greater than the threshold (80.0).","stateReasonData":{"version":"1.0","queryDate":"2026-11-29T09:58:37.123+0000","statistic":"Average","period":60,"recentDatapoints":[93.1],"threshold":80.0}}}"#;
        let at = DateTime::parse_from_rfc3339("2026-11-29T09:58:37Z")
            .unwrap()
            .with_timezone(&Utc);
        let t = history_transition("prospa-api-cpu-high", at, data).expect("a transition");
        assert_eq!(t.from, Some(AlarmState::Ok));
        assert_eq!(t.to, AlarmState::Alarm);
        assert_eq!(t.at, at);
        assert!(t.reason.starts_with("Threshold Crossed: 1 datapoint [93.1"));
        assert_eq!(history_transition("x", at, "not json"), None);
        assert_eq!(
            history_transition("x", at, r#"{"newState":{"stateValue":"SIDEWAYS"}}"#),
            None
        );
    }
}
