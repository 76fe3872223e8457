//! The actions on scheduled jobs as pure rules: run a job now — its ECS task with the target's
//! exact parameters, or an asynchronous invocation of its function with the target's payload —
//! and enable or disable it. What cannot be run exactly as its schedule would is refused, never
//! run approximately.

use super::change::Change;
use super::scheduled_jobs::{EcsJobTarget, JobTarget, ScheduledJob};
use super::work_actions::WorkPlan;
use serde::{Deserialize, Serialize};

/// How actions on a job are stored and listed: `job:<key>` (`job:rule/cleanup-nightly`).
pub fn job_action_target(key: &str) -> String {
    format!("job:{key}")
}

/// A container's overrides as a rule's or schedule's ECS target passes them in its input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerOverride {
    pub name: String,
    pub command: Option<Vec<String>>,
    pub environment: Vec<(String, String)>,
}

/// What running a job starts. One per action, stored as its command: the size of a variant
/// does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobRunTarget {
    /// RunTask with the target's parameters and overrides, `started_by` the console's marker
    /// for this job.
    Task {
        target: EcsJobTarget,
        overrides: Vec<ContainerOverride>,
        started_by: String,
    },
    /// Invoke (`Event`: asynchronous) with the target's payload.
    Invoke {
        function: String,
        qualifier: Option<String>,
        payload: String,
    },
}

/// The container overrides of an ECS target's input (`{"containerOverrides": [...]}`): only
/// names, commands and environment variables can be passed on exactly; anything else refuses
/// the run with what it holds.
pub fn parse_overrides(input: Option<&str>) -> Result<Vec<ContainerOverride>, String> {
    let Some(input) = input.map(str::trim).filter(|i| !i.is_empty()) else {
        return Ok(Vec::new());
    };
    let value: serde_json::Value = serde_json::from_str(input)
        .map_err(|e| format!("the target's input is not JSON ({e}), so it cannot be passed on"))?;
    let object = value
        .as_object()
        .ok_or("the target's input is not a JSON object of task overrides")?;
    if let Some(other) = object.keys().find(|k| *k != "containerOverrides") {
        return Err(format!(
            "the target's input sets {other:?}, which the console does not pass to RunTask: run it from its schedule"
        ));
    }
    let Some(list) = object.get("containerOverrides") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or("containerOverrides in the target's input is not a list")?;
    let mut out = Vec::new();
    for item in list {
        let item = item
            .as_object()
            .ok_or("an entry of containerOverrides is not an object")?;
        if let Some(other) = item
            .keys()
            .find(|k| !matches!(k.as_str(), "name" | "command" | "environment"))
        {
            return Err(format!(
                "a container override sets {other:?}, which the console does not pass to RunTask: run it from its schedule"
            ));
        }
        let name = item
            .get("name")
            .and_then(|n| n.as_str())
            .ok_or("a container override names no container")?
            .to_string();
        let command = match item.get("command") {
            None => None,
            Some(c) => Some(
                c.as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|s| s.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| {
                        format!("the command override of {name} is not a list of strings")
                    })?,
            ),
        };
        let mut environment = Vec::new();
        if let Some(env) = item.get("environment") {
            for pair in env
                .as_array()
                .ok_or_else(|| format!("the environment override of {name} is not a list"))?
            {
                let key = pair.get("name").and_then(|v| v.as_str());
                let value = pair.get("value").and_then(|v| v.as_str());
                match (key, value) {
                    (Some(k), Some(v)) => environment.push((k.to_string(), v.to_string())),
                    _ => {
                        return Err(format!(
                            "an environment override of {name} has no name and value"
                        ))
                    }
                }
            }
        }
        out.push(ContainerOverride {
            name,
            command,
            environment,
        });
    }
    Ok(out)
}

/// Running `job` now: what starts, in words, or why it cannot be run from here.
pub fn plan_run(job: &ScheduledJob) -> Result<(WorkPlan, JobRunTarget), String> {
    let target = job
        .target
        .as_ref()
        .ok_or_else(|| format!("{} has no target: there is nothing to run", job.name))?;
    if job.targets > 1 {
        return Err(format!(
            "{} has {} targets; the console runs a job with one target only, so as not to start part of it",
            job.name, job.targets
        ));
    }
    let mut notes = vec![format!(
        "Runs once now, outside the schedule; the next scheduled run is unchanged ({}).",
        job.expression
    )];
    if !job.enabled {
        notes.push(format!(
            "{} is disabled: this run happens anyway, and the schedule stays off.",
            job.name
        ));
    }
    match target {
        JobTarget::Ecs(t) => {
            let overrides = parse_overrides(t.input.as_deref())?;
            let td = t
                .task_definition
                .rsplit('/')
                .next()
                .unwrap_or(&t.task_definition);
            let mut changes = vec![Change::new(
                "tasks",
                "—",
                format!("{} × {td} in cluster {}", t.count, t.cluster),
            )];
            for o in &overrides {
                if let Some(command) = &o.command {
                    changes.push(Change::new(
                        format!("{} command", o.name),
                        "task definition's",
                        command.join(" "),
                    ));
                }
                for (k, v) in &o.environment {
                    changes.push(Change::new(format!("{} {k}", o.name), "—", v.clone()));
                }
            }
            Ok((
                WorkPlan {
                    summary: format!("run {} now ({} in {})", job.name, td, t.cluster),
                    changes,
                    notes,
                },
                JobRunTarget::Task {
                    target: t.clone(),
                    overrides,
                    started_by: job.manual_started_by(),
                },
            ))
        }
        JobTarget::Lambda {
            function,
            qualifier,
            input,
        } => {
            let payload = input.clone().unwrap_or_else(|| "{}".to_string());
            if serde_json::from_str::<serde_json::Value>(&payload).is_err() {
                return Err(format!(
                    "the target's payload is not JSON, so {function} cannot be invoked with it from here"
                ));
            }
            notes.push(
                "The invocation is asynchronous: the function's own errors show in its metrics, not here."
                    .to_string(),
            );
            let name = match qualifier {
                Some(q) => format!("{function}:{q}"),
                None => function.clone(),
            };
            Ok((
                WorkPlan {
                    summary: format!("run {} now (invoke {name})", job.name),
                    changes: vec![Change::new(
                        "invocation",
                        "—",
                        format!("{name} with {payload}"),
                    )],
                    notes,
                },
                JobRunTarget::Invoke {
                    function: function.clone(),
                    qualifier: qualifier.clone(),
                    payload,
                },
            ))
        }
        JobTarget::Other { arn } => Err(format!(
            "{} runs {arn}; the console runs ECS tasks and Lambda functions only",
            job.name
        )),
    }
}

/// Enabling (`enabled`) or disabling `job`.
pub fn plan_state(job: &ScheduledJob, enabled: bool) -> Result<WorkPlan, String> {
    if job.enabled == enabled {
        return Err(format!(
            "{} is {} already; nothing would change",
            job.name,
            if enabled { "enabled" } else { "disabled" }
        ));
    }
    let (verb, before, after, note) = if enabled {
        (
            "enable",
            "DISABLED",
            "ENABLED",
            format!(
                "{} runs again from its next due time ({}); runs it missed while disabled are not made up.",
                job.name, job.expression
            ),
        )
    } else {
        (
            "disable",
            "ENABLED",
            "DISABLED",
            format!(
                "{} does not run until it is enabled again; its runs are not reported as missed meanwhile.",
                job.name
            ),
        )
    };
    Ok(WorkPlan {
        summary: format!("{verb} {}", job.name),
        changes: vec![Change::new("state", before, after)],
        notes: vec![note],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(target: Option<JobTarget>, enabled: bool) -> ScheduledJob {
        ScheduledJob {
            targets: usize::from(target.is_some()),
            target,
            ..crate::domain::fixtures::nightly_job("cleanup-nightly", None, enabled)
        }
    }

    fn ecs(input: Option<&str>) -> JobTarget {
        JobTarget::Ecs(EcsJobTarget {
            cluster: "jobs".into(),
            task_definition: "arn:aws:ecs:eu-west-1:1:task-definition/cleanup:7".into(),
            count: 1,
            input: input.map(str::to_string),
            ..Default::default()
        })
    }

    #[test]
    fn overrides_are_passed_on_exactly_or_the_run_is_refused() {
        let cases: Vec<(Option<&str>, Result<usize, &str>)> = vec![
            (None, Ok(0)),
            (Some("  "), Ok(0)),
            (
                Some(
                    r#"{"containerOverrides":[{"name":"cleanup","command":["node","x.js","--dry-run"],"environment":[{"name":"DAYS","value":"30"}]}]}"#,
                ),
                Ok(1),
            ),
            (Some("not json"), Err("is not JSON")),
            (
                Some(r#"{"taskRoleArn":"arn:aws:iam::1:role/x"}"#),
                Err("\"taskRoleArn\""),
            ),
            (
                Some(r#"{"containerOverrides":[{"name":"c","cpu":256}]}"#),
                Err("\"cpu\""),
            ),
            (
                Some(r#"{"containerOverrides":[{"command":["x"]}]}"#),
                Err("names no container"),
            ),
            (
                Some(r#"{"containerOverrides":[{"name":"c","command":"x"}]}"#),
                Err("not a list of strings"),
            ),
        ];
        for (input, want) in cases {
            match (parse_overrides(input), want) {
                (Ok(got), Ok(n)) => assert_eq!(got.len(), n, "{input:?}"),
                (Err(e), Err(part)) => assert!(e.contains(part), "{input:?}: {e}"),
                (got, want) => panic!("{input:?}: {got:?}, wanted {want:?}"),
            }
        }
        let parsed = parse_overrides(Some(
            r#"{"containerOverrides":[{"name":"cleanup","command":["node","x.js"],"environment":[{"name":"DAYS","value":"30"}]}]}"#,
        ))
        .unwrap();
        assert_eq!(
            parsed[0],
            ContainerOverride {
                name: "cleanup".into(),
                command: Some(vec!["node".into(), "x.js".into()]),
                environment: vec![("DAYS".into(), "30".into())],
            }
        );
    }

    #[test]
    fn a_job_runs_as_its_target_says_or_says_why_not() {
        let (plan, run) = plan_run(&job(Some(ecs(None)), true)).unwrap();
        assert_eq!(plan.summary, "run cleanup-nightly now (cleanup:7 in jobs)");
        match run {
            JobRunTarget::Task { started_by, .. } => {
                assert_eq!(started_by, "qd-rule/cleanup-nightly")
            }
            other => panic!("{other:?}"),
        }
        let (plan, _) = plan_run(&job(Some(ecs(None)), false)).unwrap();
        assert!(plan.notes.iter().any(|n| n.contains("is disabled")));
        let lambda = JobTarget::Lambda {
            function: "scorer".into(),
            qualifier: Some("live".into()),
            input: Some(r#"{"rescore":"last-week"}"#.into()),
        };
        let (plan, run) = plan_run(&job(Some(lambda), true)).unwrap();
        assert_eq!(plan.summary, "run cleanup-nightly now (invoke scorer:live)");
        assert!(matches!(run, JobRunTarget::Invoke { payload, .. } if payload.contains("rescore")));
        let refusals = [
            (job(None, true), "has no target"),
            (
                job(
                    Some(JobTarget::Other {
                        arn: "arn:aws:sqs:eu-west-1:1:q".into(),
                    }),
                    true,
                ),
                "ECS tasks and Lambda functions only",
            ),
            (
                ScheduledJob {
                    targets: 2,
                    ..job(Some(ecs(None)), true)
                },
                "2 targets",
            ),
            (
                job(Some(ecs(Some(r#"{"overrides":1}"#))), true),
                "does not pass to RunTask",
            ),
        ];
        for (j, want) in refusals {
            let e = plan_run(&j).unwrap_err();
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn enabling_and_disabling_change_something_or_are_refused() {
        let on = job(Some(ecs(None)), true);
        assert!(plan_state(&on, true)
            .unwrap_err()
            .contains("enabled already"));
        let plan = plan_state(&on, false).unwrap();
        assert_eq!(plan.summary, "disable cleanup-nightly");
        assert_eq!(plan.changes[0].after, "DISABLED");
        let off = job(Some(ecs(None)), false);
        assert_eq!(plan_state(&off, true).unwrap().changes[0].after, "ENABLED");
        assert_eq!(job_action_target("rule/a"), "job:rule/a");
    }
}
