//! Scheduled jobs, in the details cycle: EventBridge rules with a schedule expression (ListRules
//! on the default bus, ListTargetsByRule and ListTagsForResource for each), EventBridge
//! Scheduler schedules (ListSchedules, GetSchedule for each, the group's tags), and the runs of
//! those that start ECS tasks: ListTasks by the `startedBy` EventBridge gives them (and the one
//! the console's own "run now" gives), running and stopped, then DescribeTasks. Runs are folded
//! into those kept from before, since ECS forgets a stopped task after about an hour.

use super::clients::EnvClients;
use super::convert::{time, Context};
use app::domain::apps::app_from_tags;
use app::domain::inventory::TaskDefinition;
use app::domain::scheduled_jobs::{
    merge_runs, EcsJobTarget, JobRun, JobSource, JobTarget, RunOutcome, ScheduledJob, ScheduledJobs,
};
use chrono::{DateTime, Utc};
use futures::{stream, StreamExt};
use std::collections::{BTreeMap, BTreeSet};

/// ListRules and ListTargetsByRule return at most 100 a page, ListSchedules 100.
const PAGE: i32 = 100;

impl EnvClients {
    /// Every scheduled job with its runs; `previous` is the last cycle's. When the rules or the
    /// schedules cannot be listed, the last ones read are kept with the error.
    pub(crate) async fn scheduled_jobs(
        &self,
        previous: Option<&ScheduledJobs>,
        now: DateTime<Utc>,
    ) -> ScheduledJobs {
        let (rules, schedules) = tokio::join!(self.rule_jobs(), self.schedule_jobs());
        let mut errors = Vec::new();
        let mut jobs = Vec::new();
        let kept = |rule: bool| -> Vec<ScheduledJob> {
            previous
                .map(|p| {
                    p.jobs
                        .iter()
                        .filter(|j| matches!(j.source, JobSource::Rule) == rule)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        };
        match rules {
            Ok((found, error)) => {
                jobs.extend(found);
                errors.extend(error);
            }
            Err(e) => {
                errors.push(e);
                jobs.extend(kept(true));
            }
        }
        match schedules {
            Ok((found, error)) => {
                jobs.extend(found);
                errors.extend(error);
            }
            Err(e) if unavailable(&e) => {
                tracing::debug!(env = %self.env_id(), error = %e, "no EventBridge Scheduler here");
            }
            Err(e) => {
                errors.push(e);
                jobs.extend(kept(false));
            }
        }
        let read = stream::iter(jobs.clone())
            .map(|job| async move { (job.key(), self.job_runs(&job).await) })
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut runs = BTreeMap::new();
        for (key, result) in read {
            let before = previous.map(|p| p.runs_of(&key)).unwrap_or(&[]);
            match result {
                Ok(fresh) => {
                    runs.insert(key, merge_runs(before, fresh));
                }
                Err(e) => {
                    errors.push(e);
                    runs.insert(key, before.to_vec());
                }
            }
        }
        if let Some(first) = errors.first() {
            tracing::warn!(env = %self.env_id(), failed = errors.len(), error = %first, "scheduled jobs could not all be read");
        }
        ScheduledJobs {
            jobs,
            runs,
            watched_since: previous.and_then(|p| p.watched_since).or(Some(now)),
            error: errors.first().map(|first| match errors.len() {
                1 => first.clone(),
                n => format!("{n} reads of scheduled jobs failed, the first: {first}"),
            }),
        }
    }

    /// Rules on the default bus that have a schedule expression, each with its first target and
    /// its tags; the error of the rules whose targets could not be read.
    async fn rule_jobs(&self) -> Result<(Vec<ScheduledJob>, Option<String>), String> {
        let mut rules = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .events
                .list_rules()
                .limit(PAGE)
                .set_next_token(token.take())
                .send()
                .await
                .op("EventBridge ListRules")?;
            rules.extend(
                page.rules()
                    .iter()
                    .filter(|r| r.schedule_expression().is_some_and(|e| !e.is_empty()))
                    .cloned(),
            );
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        let read: Vec<Result<ScheduledJob, String>> = stream::iter(rules)
            .map(|rule| async move { self.rule_job(&rule).await })
            .buffered(self.concurrency)
            .collect()
            .await;
        Ok(split(read))
    }

    async fn rule_job(
        &self,
        rule: &aws_sdk_eventbridge::types::Rule,
    ) -> Result<ScheduledJob, String> {
        let name = rule.name().unwrap_or_default().to_string();
        let arn = rule.arn().unwrap_or_default().to_string();
        let (targets, tags) = tokio::join!(self.rule_targets(&name), async {
            self.events
                .list_tags_for_resource()
                .resource_arn(&arn)
                .send()
                .await
                .op("EventBridge ListTagsForResource")
        });
        let targets = targets?;
        let tags: BTreeMap<String, String> = match tags {
            Ok(out) => out
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect(),
            Err(e) => {
                tracing::debug!(env = %self.env_id(), rule = %name, error = %e, "rule tags unknown");
                BTreeMap::new()
            }
        };
        use aws_sdk_eventbridge::types::RuleState;
        Ok(ScheduledJob {
            source: JobSource::Rule,
            arn,
            expression: rule.schedule_expression().unwrap_or_default().to_string(),
            timezone: "UTC".into(),
            enabled: matches!(
                rule.state(),
                Some(RuleState::Enabled)
                    | Some(RuleState::EnabledWithAllCloudtrailManagementEvents)
            ),
            description: rule
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            start: None,
            end: None,
            target: targets.first().map(rule_target),
            targets: targets.len(),
            app: app_from_tags(&tags, &self.env.app_tag),
            name,
        })
    }

    async fn rule_targets(
        &self,
        rule: &str,
    ) -> Result<Vec<aws_sdk_eventbridge::types::Target>, String> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .events
                .list_targets_by_rule()
                .rule(rule)
                .limit(PAGE)
                .set_next_token(token.take())
                .send()
                .await
                .op("EventBridge ListTargetsByRule")?;
            out.extend(page.targets().iter().cloned());
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => return Ok(out),
            }
        }
    }

    /// Every Scheduler schedule (all groups), described; the error of those that could not be.
    async fn schedule_jobs(&self) -> Result<(Vec<ScheduledJob>, Option<String>), String> {
        let summaries: Vec<aws_sdk_scheduler::types::ScheduleSummary> = self
            .scheduler
            .list_schedules()
            .max_results(PAGE)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("Scheduler ListSchedules")?;
        // A group's ARN from one of its schedules' ARNs (`…:schedule/<group>/<name>`).
        let mut groups: BTreeMap<String, Option<String>> = BTreeMap::new();
        for s in &summaries {
            let group = s.group_name().unwrap_or("default");
            if groups.contains_key(group) {
                continue;
            }
            let arn = s
                .arn()
                .and_then(|a| a.split_once(":schedule/"))
                .map(|(head, _)| format!("{head}:schedule-group/{group}"));
            let app = match arn {
                Some(arn) => self.schedule_group_app(&arn).await,
                None => None,
            };
            groups.insert(group.to_string(), app);
        }
        let groups = &groups;
        let read: Vec<Result<ScheduledJob, String>> = stream::iter(summaries)
            .map(|s| async move {
                let name = s.name().unwrap_or_default();
                let group = s.group_name().unwrap_or("default");
                let mut job = self.schedule_job(group, name).await?.ok_or_else(|| {
                    format!("Scheduler GetSchedule: {group}/{name} is gone since it was listed")
                })?;
                if job.app.is_none() {
                    job.app = groups.get(group).cloned().flatten();
                }
                Ok(job)
            })
            .buffered(self.concurrency)
            .collect()
            .await;
        Ok(split(read))
    }

    /// A schedule group's app, from its tags (Scheduler tags groups, not schedules).
    async fn schedule_group_app(&self, arn: &str) -> Option<String> {
        match self
            .scheduler
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
        {
            Ok(out) => {
                let tags: BTreeMap<String, String> = out
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect();
                app_from_tags(&tags, &self.env.app_tag)
            }
            Err(e) => {
                tracing::debug!(env = %self.env_id(), group = arn, error = %e.to_string(), "schedule group tags unknown");
                None
            }
        }
    }

    /// One schedule as it is now (GetSchedule); `None` when it is gone.
    pub(crate) async fn schedule_job(
        &self,
        group: &str,
        name: &str,
    ) -> Result<Option<ScheduledJob>, String> {
        let out = match self
            .scheduler
            .get_schedule()
            .group_name(group)
            .name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(None)
            }
            Err(e) => return Err::<(), _>(e).op("Scheduler GetSchedule").map(|()| None),
        };
        use aws_sdk_scheduler::types::ScheduleState;
        Ok(Some(ScheduledJob {
            source: JobSource::Schedule {
                group: out.group_name().unwrap_or(group).to_string(),
            },
            name: out.name().unwrap_or(name).to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            expression: out.schedule_expression().unwrap_or_default().to_string(),
            timezone: out
                .schedule_expression_timezone()
                .filter(|z| !z.is_empty())
                .unwrap_or("UTC")
                .to_string(),
            enabled: out.state() != Some(&ScheduleState::Disabled),
            description: out
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            start: time(out.start_date()),
            end: time(out.end_date()),
            target: out.target().map(schedule_target),
            targets: usize::from(out.target().is_some()),
            app: None,
        }))
    }

    /// One rule as it is now, for the refresh after an action on it; `None` when it is gone.
    pub(crate) async fn rule_job_now(&self, name: &str) -> Result<Option<ScheduledJob>, String> {
        let out = match self.events.describe_rule().name(name).send().await {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(None)
            }
            Err(e) => {
                return Err::<(), _>(e)
                    .op("EventBridge DescribeRule")
                    .map(|()| None)
            }
        };
        let rule = aws_sdk_eventbridge::types::Rule::builder()
            .set_name(out.name().map(str::to_string))
            .set_arn(out.arn().map(str::to_string))
            .set_state(out.state().cloned())
            .set_description(out.description().map(str::to_string))
            .set_schedule_expression(out.schedule_expression().map(str::to_string))
            .build();
        self.rule_job(&rule).await.map(Some)
    }

    /// A job and its runs as they are now (`rule/<name>` or `schedule/<group>/<name>`).
    pub(crate) async fn job_now(
        &self,
        key: &str,
    ) -> Result<(Option<ScheduledJob>, Vec<JobRun>), String> {
        let job = match key.split('/').collect::<Vec<_>>().as_slice() {
            ["rule", name] => self.rule_job_now(name).await?,
            ["schedule", group, name] => self.schedule_job(group, name).await?,
            _ => return Err(format!("{key} names no rule or schedule")),
        };
        let runs = match &job {
            Some(job) => self.job_runs(job).await?,
            None => Vec::new(),
        };
        Ok((job, runs))
    }

    /// The runs ECS still lists of a job that starts tasks: those EventBridge started
    /// (its `startedBy`) and those the console started for it.
    async fn job_runs(&self, job: &ScheduledJob) -> Result<Vec<JobRun>, String> {
        let Some(JobTarget::Ecs(target)) = &job.target else {
            return Ok(Vec::new());
        };
        use aws_sdk_ecs::types::DesiredStatus;
        let mut runs = Vec::new();
        for (by, manual) in [(job.started_by(), false), (job.manual_started_by(), true)] {
            for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
                let arns: Vec<String> = self
                    .ecs
                    .list_tasks()
                    .cluster(&target.cluster)
                    .started_by(&by)
                    .desired_status(status)
                    .max_results(100)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await
                    .op("ECS ListTasks")?;
                for batch in arns.chunks(100) {
                    let described = self
                        .ecs
                        .describe_tasks()
                        .cluster(&target.cluster)
                        .set_tasks(Some(batch.to_vec()))
                        .send()
                        .await
                        .op("ECS DescribeTasks")?;
                    runs.extend(described.tasks().iter().map(|t| run_of(t, manual)));
                }
            }
        }
        Ok(runs)
    }
}

/// Whether a task-definition reference pins its revision (`family:3`, an ARN ending `:3`):
/// what it names never changes, so one description serves every cycle. One without a revision
/// means the family's latest active revision, read again each cycle.
fn pins_revision(reference: &str) -> bool {
    reference
        .rsplit_once(':')
        .is_some_and(|(_, revision)| revision.parse::<u32>().is_ok())
}

impl EnvClients {
    /// The task definitions the ECS jobs start, by the reference their targets give: from
    /// `previous` or the service descriptions already read when the reference pins a revision,
    /// else DescribeTaskDefinition. A description that fails keeps the last one read, with the
    /// error.
    pub(crate) async fn job_task_definitions(
        &self,
        jobs: &ScheduledJobs,
        previous: Option<&BTreeMap<String, TaskDefinition>>,
    ) -> (BTreeMap<String, TaskDefinition>, Option<String>) {
        let references: BTreeSet<String> = jobs
            .jobs
            .iter()
            .filter_map(|j| match &j.target {
                Some(JobTarget::Ecs(t)) if !t.task_definition.is_empty() => {
                    Some(t.task_definition.clone())
                }
                _ => None,
            })
            .collect();
        let mut found = BTreeMap::new();
        let mut missing = Vec::new();
        for reference in references {
            let known = pins_revision(&reference)
                .then(|| {
                    previous
                        .and_then(|p| p.get(&reference).cloned())
                        .or_else(|| {
                            self.task_definitions
                                .lock()
                                .ok()
                                .and_then(|cache| cache.get(&reference).cloned())
                        })
                })
                .flatten();
            match known {
                Some(td) => {
                    found.insert(reference, td);
                }
                None => missing.push(reference),
            }
        }
        let read = stream::iter(missing)
            .map(|reference| async move {
                let described = self
                    .ecs
                    .describe_task_definition()
                    .task_definition(&reference)
                    .send()
                    .await
                    .op("ECS DescribeTaskDefinition")
                    .map(|out| out.task_definition().map(super::ecs::map_task_definition));
                (reference, described)
            })
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut errors = Vec::new();
        for (reference, described) in read {
            match described {
                Ok(Some(td)) => {
                    found.insert(reference, td);
                }
                Ok(None) => {}
                Err(e) => {
                    if let Some(td) = previous.and_then(|p| p.get(&reference)) {
                        found.insert(reference.clone(), td.clone());
                    }
                    errors.push(format!("the task definition {reference}: {e}"));
                }
            }
        }
        let error = errors.first().map(|first| match errors.len() {
            1 => first.clone(),
            n => format!("{n} job task definitions could not be read, the first: {first}"),
        });
        (found, error)
    }
}

/// The jobs that were read, and the first error (with a count) of those that were not.
fn split(read: Vec<Result<ScheduledJob, String>>) -> (Vec<ScheduledJob>, Option<String>) {
    let mut jobs = Vec::new();
    let mut errors = Vec::new();
    for r in read {
        match r {
            Ok(job) => jobs.push(job),
            Err(e) => errors.push(e),
        }
    }
    jobs.sort_by_key(ScheduledJob::key);
    let error = errors.first().map(|first| match errors.len() {
        1 => first.clone(),
        n => format!("{n} scheduled jobs could not be read, the first: {first}"),
    });
    (jobs, error)
}

/// An API this endpoint does not offer (an emulator without Scheduler answers with a web page
/// or an unknown-operation error): no schedules, not a failure.
fn unavailable(error: &str) -> bool {
    app::domain::inventory::Unavailable::of_error(error).is_some()
}

/// `arn:aws:ecs:…:cluster/jobs` → `jobs`.
fn cluster_name(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

/// `arn:aws:lambda:…:function:scorer[:live]` → (`scorer`, `live`).
fn function_of(arn: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        [_, _, "lambda", _, _, "function", name] => (name.to_string(), None),
        [_, _, "lambda", _, _, "function", name, qualifier] => {
            (name.to_string(), Some(qualifier.to_string()))
        }
        _ => (arn.to_string(), None),
    }
}

fn target_kind(arn: &str) -> Option<&'static str> {
    let service = arn.split(':').nth(2)?;
    match service {
        "ecs" if arn.contains(":cluster/") => Some("ecs"),
        "lambda" => Some("lambda"),
        _ => None,
    }
}

/// A rule's or a schedule's target as a job target: EventBridge and Scheduler describe an ECS
/// target with the same fields in types of their own (`$managed`: whether ECS manages its tags,
/// which one says as a flag and the other as an option).
macro_rules! job_target {
    ($t:expr, $managed:expr) => {{
        let t = $t;
        let arn = t.arn();
        match (target_kind(arn), t.ecs_parameters()) {
            (Some("ecs"), Some(p)) => {
                let vpc = p
                    .network_configuration()
                    .and_then(|n| n.awsvpc_configuration());
                JobTarget::Ecs(EcsJobTarget {
                    cluster: cluster_name(arn),
                    task_definition: p.task_definition_arn().to_string(),
                    count: p.task_count().unwrap_or(1),
                    launch_type: p.launch_type().map(|l| l.as_str().to_string()),
                    platform_version: p.platform_version().map(str::to_string),
                    group: p.group().map(str::to_string),
                    subnets: vpc.map(|v| v.subnets().to_vec()).unwrap_or_default(),
                    security_groups: vpc
                        .map(|v| v.security_groups().to_vec())
                        .unwrap_or_default(),
                    assign_public_ip: vpc
                        .and_then(|v| v.assign_public_ip())
                        .is_some_and(|a| a.as_str() == "ENABLED"),
                    capacity_providers: p
                        .capacity_provider_strategy()
                        .iter()
                        .map(|c| (c.capacity_provider().to_string(), c.weight(), c.base()))
                        .collect(),
                    input: t.input().map(str::to_string),
                    enable_ecs_managed_tags: $managed(p),
                    propagate_tags: p.propagate_tags().map(|p| p.as_str().to_string()),
                })
            }
            (Some("lambda"), _) => {
                let (function, qualifier) = function_of(arn);
                JobTarget::Lambda {
                    function,
                    qualifier,
                    input: t.input().map(str::to_string),
                }
            }
            _ => JobTarget::Other {
                arn: arn.to_string(),
            },
        }
    }};
}

fn rule_target(t: &aws_sdk_eventbridge::types::Target) -> JobTarget {
    job_target!(t, |p: &aws_sdk_eventbridge::types::EcsParameters| p
        .enable_ecs_managed_tags())
}

fn schedule_target(t: &aws_sdk_scheduler::types::Target) -> JobTarget {
    job_target!(t, |p: &aws_sdk_scheduler::types::EcsParameters| p
        .enable_ecs_managed_tags()
        .unwrap_or(false))
}

/// A task as a run of a job: when it started (or was created, while it starts) and how it
/// ended — its essential containers' exit codes, or why ECS stopped it.
fn run_of(t: &aws_sdk_ecs::types::Task, manual: bool) -> JobRun {
    let known = time(t.started_at()).or_else(|| time(t.created_at()));
    let started_at = known.unwrap_or_else(Utc::now);
    let stopped = t.desired_status() == Some("STOPPED") || t.last_status() == Some("STOPPED");
    let outcome = if !stopped || t.last_status() != Some("STOPPED") {
        RunOutcome::Running
    } else {
        let failed: Vec<String> = t
            .containers()
            .iter()
            .filter_map(|c| match c.exit_code() {
                Some(0) => None,
                Some(code) => Some(format!(
                    "{} exited with code {code}",
                    c.name().unwrap_or("a container")
                )),
                None => c
                    .reason()
                    .map(|r| format!("{}: {r}", c.name().unwrap_or("a container"))),
            })
            .collect();
        let stop_code = t.stop_code().map(|c| c.as_str());
        match (failed.first(), stop_code) {
            (Some(_), _) => RunOutcome::Failed(failed.join("; ")),
            (None, Some("TaskFailedToStart")) => RunOutcome::Failed(format!(
                "the task failed to start: {}",
                t.stopped_reason().unwrap_or("no reason given")
            )),
            (None, Some("UserInitiated"))
                if t.containers().iter().all(|c| c.exit_code().is_none()) =>
            {
                RunOutcome::Failed(format!(
                    "stopped before it finished: {}",
                    t.stopped_reason().unwrap_or("stopped by a user")
                ))
            }
            _ => RunOutcome::Succeeded,
        }
    };
    JobRun {
        started_at,
        stopped_at: time(t.stopped_at()),
        outcome,
        task_arn: t.task_arn().map(str::to_string),
        manual,
        start_estimated: known.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_from_their_arns() {
        assert_eq!(
            function_of("arn:aws:lambda:eu-west-1:1:function:scorer:live"),
            ("scorer".to_string(), Some("live".to_string()))
        );
        assert_eq!(
            function_of("arn:aws:lambda:eu-west-1:1:function:scorer"),
            ("scorer".to_string(), None)
        );
        assert_eq!(cluster_name("arn:aws:ecs:eu-west-1:1:cluster/jobs"), "jobs");
        assert_eq!(
            target_kind("arn:aws:ecs:eu-west-1:1:cluster/jobs"),
            Some("ecs")
        );
        assert_eq!(target_kind("arn:aws:sqs:eu-west-1:1:jobs"), None);
    }

    fn task(exit: Option<i32>, stop_code: Option<&str>, status: &str) -> aws_sdk_ecs::types::Task {
        use aws_sdk_ecs::types::{Container, TaskStopCode};
        let mut c = Container::builder().name("cleanup");
        if let Some(code) = exit {
            c = c.exit_code(code);
        }
        aws_sdk_ecs::types::Task::builder()
            .task_arn("arn:aws:ecs:eu-west-1:1:task/jobs/abc")
            .started_at(aws_smithy_types::DateTime::from_secs(1_765_000_000))
            .last_status(status)
            .desired_status(status)
            .set_stop_code(stop_code.map(TaskStopCode::from))
            .stopped_reason("Essential container in task exited")
            .containers(c.build())
            .build()
    }

    #[test]
    fn a_task_ends_as_its_containers_exit_codes_say() {
        let cases = [
            (Some(0), Some("EssentialContainerExited"), "STOPPED", "ok"),
            (
                Some(1),
                Some("EssentialContainerExited"),
                "STOPPED",
                "cleanup exited with code 1",
            ),
            (
                None,
                Some("TaskFailedToStart"),
                "STOPPED",
                "the task failed to start: Essential container in task exited",
            ),
            (None, None, "RUNNING", "running"),
        ];
        for (exit, code, status, want) in cases {
            let run = run_of(&task(exit, code, status), false);
            let got = match run.outcome {
                RunOutcome::Running => "running".to_string(),
                RunOutcome::Succeeded => "ok".to_string(),
                RunOutcome::Failed(why) => why,
            };
            assert_eq!(got, want);
        }
    }
}
