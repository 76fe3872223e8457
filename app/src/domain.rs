//! Pure domain rules and data types shared by the server and the browser. Nothing in here does IO,
//! reads the clock or knows about AWS, SQL or HTTP: time is always a parameter.

pub mod acting;
pub mod actions;
pub mod alarm_filter;
pub mod alarm_rule;
pub mod alarm_scope;
pub mod approvals;
pub mod apps;
pub mod audit;
pub mod auto_scaling_groups;
pub mod caller;
pub mod change;
pub mod chart;
pub mod chat;
pub mod drift;
pub mod environment;
pub mod execution;
pub mod flash;
pub mod followed;
pub mod format;
pub mod functions;
pub mod health;
pub mod ids;
pub mod incidents;
pub mod inventory;
pub mod job_actions;
pub mod job_signals;
pub mod load_balancing;
pub mod local_time;
pub mod logs;
pub mod oncall;
pub mod outbox;
pub mod person;
pub mod plans;
pub mod policy;
pub mod queues;
pub mod registries;
pub mod revision_diff;
pub mod rollout;
pub mod rollout_outcome;
pub mod scheduled_jobs;
pub mod schedules;
pub mod sessions;
pub mod tokens;
pub mod views;
pub mod work_actions;

/// Inventory records with everything but what a test is about left plain.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::inventory::{
        Alarm, AlarmResource, AlarmState, Database, DbKind, Deployment, Service, TaskDefinition,
    };
    use chrono::{DateTime, Utc};
    use std::collections::BTreeMap;

    /// An ACTIVE service `name` of `app` in cluster `main` running `td` at its desired count of 2,
    /// deployed (its primary deployment created) at `deployed`.
    pub fn service(name: &str, app: &str, td: TaskDefinition, deployed: DateTime<Utc>) -> Service {
        Service {
            cluster: "main".into(),
            name: name.into(),
            arn: String::new(),
            status: "ACTIVE".into(),
            desired: 2,
            running: 2,
            pending: 0,
            launch_type: None,
            task_definition_arn: td.arn.clone(),
            deployments: vec![Deployment {
                id: "d".into(),
                status: "PRIMARY".into(),
                task_definition_arn: td.arn.clone(),
                desired: 2,
                running: 2,
                pending: 0,
                failed_tasks: 0,
                rollout_state: Some("COMPLETED".into()),
                rollout_reason: None,
                created_at: Some(deployed),
                updated_at: None,
            }],
            task_definition: Some(td),
            events: vec![],
            tasks: vec![],
            tags: BTreeMap::new(),
            app: Some(app.into()),
            created_at: None,
            autoscaling: None,
            scaling_policies: vec![],
            circuit_breaker: None,
            load_balancers: vec![],
        }
    }

    /// A rule `name` of `app` (none when `None`) due every day at 03:15 UTC, running one
    /// `cleanup:1` task in cluster `jobs`.
    pub fn nightly_job(
        name: &str,
        app: Option<&str>,
        enabled: bool,
    ) -> super::scheduled_jobs::ScheduledJob {
        use super::scheduled_jobs::{EcsJobTarget, JobSource, JobTarget, ScheduledJob};
        ScheduledJob {
            source: JobSource::Rule,
            name: name.into(),
            arn: format!("arn:aws:events:eu-west-1:1:rule/{name}"),
            expression: "cron(15 3 * * ? *)".into(),
            timezone: "UTC".into(),
            enabled,
            description: None,
            start: None,
            end: None,
            target: Some(JobTarget::Ecs(EcsJobTarget {
                cluster: "jobs".into(),
                task_definition: "cleanup:1".into(),
                count: 1,
                ..Default::default()
            })),
            targets: 1,
            app: app.map(str::to_string),
        }
    }

    /// A standard SQS queue `name` of `app` in account 1 with `visible` messages waiting,
    /// sending its failures after 5 receives to `dlq` when given.
    pub fn queue(
        name: &str,
        app: Option<&str>,
        visible: i64,
        dlq: Option<&str>,
    ) -> super::queues::Queue {
        use super::queues::{Encryption, Queue, Redrive};
        Queue {
            name: name.into(),
            url: format!("https://sqs.eu-west-1.amazonaws.com/1/{name}"),
            arn: format!("arn:aws:sqs:eu-west-1:1:{name}"),
            fifo: name.ends_with(".fifo"),
            encryption: Encryption::None,
            visible,
            in_flight: 0,
            delayed: 0,
            created_at: None,
            visibility_timeout_secs: None,
            retention_secs: None,
            redrive: dlq.map(|d| Redrive {
                dead_letter_arn: format!("arn:aws:sqs:eu-west-1:1:{d}"),
                max_receive_count: 5,
            }),
            tags: BTreeMap::new(),
            app: app.map(str::to_string),
            tags_read_at: None,
        }
    }

    /// A Lambda function of `app` with no versions, aliases or reservation.
    pub fn function(name: &str, app: Option<&str>) -> super::functions::Function {
        super::functions::Function {
            name: name.into(),
            arn: format!("arn:aws:lambda:eu-west-1:1:function:{name}"),
            runtime: Some("python3.12".into()),
            architecture: Some("arm64".into()),
            memory_mb: Some(512),
            timeout_secs: Some(30),
            last_modified: None,
            code_sha256: Some("abc=".into()),
            state: Some("Active".into()),
            versions: vec![],
            aliases: vec![],
            reserved_concurrency: None,
            tags: BTreeMap::new(),
            app: app.map(str::to_string),
            aliases_read_at: None,
            tags_read_at: None,
            log_group: None,
        }
    }

    /// Published `version` of a function, its code hash `code`.
    pub fn version(version: &str, code: &str) -> super::functions::FunctionVersion {
        super::functions::FunctionVersion {
            version: version.into(),
            code_sha256: Some(code.into()),
            description: None,
            last_modified: None,
        }
    }

    /// A quiet alarm on `resource`, attributed to no app yet.
    pub fn alarm(name: &str, resource: AlarmResource) -> Alarm {
        Alarm {
            name: name.into(),
            arn: String::new(),
            state: AlarmState::Ok,
            reason: String::new(),
            updated_at: None,
            actions_enabled: true,
            namespace: None,
            metric: None,
            dimensions: vec![],
            description: None,
            threshold: None,
            comparison: None,
            resource,
            app: None,
            actions: vec![],
            rule: None,
        }
    }

    /// An available PostgreSQL instance of `app`.
    pub fn database(id: &str, app: &str) -> Database {
        Database {
            id: id.into(),
            kind: DbKind::Instance,
            arn: String::new(),
            status: "available".into(),
            engine: "postgres".into(),
            engine_version: "15".into(),
            class: None,
            multi_az: false,
            allocated_storage_gb: None,
            storage_encrypted: false,
            backup_retention_days: 1,
            latest_restorable_time: None,
            endpoint: None,
            availability_zone: None,
            cluster_id: None,
            tags: BTreeMap::new(),
            app: Some(app.into()),
            created_at: None,
        }
    }
}

/// The instants the domain's table tests are written in.
#[cfg(test)]
pub(crate) mod test_time {
    use chrono::{DateTime, Utc};

    /// An RFC 3339 instant, e.g. `2026-11-29T10:00:00Z`.
    pub fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }
}
