//! The functions page and the function page: Lambda functions across environments with their
//! runtime, aliases and what feeds them, and one function with its versions, aliases, event
//! source mappings, charts and alarms.

use super::rows::{firing, watches_function, watching};
use super::summary::{cards, detail_rows, DetailRows, EnvCard, EnvData, ReadError};
use crate::domain::functions::{EventSourceMapping, Function, Functions};
use crate::domain::ids::EnvId;
use crate::domain::inventory::{Alarm, FunctionMetrics};
use crate::domain::queues::name_from_arn;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A function with the figures its table row needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionRow {
    pub env: EnvId,
    pub function: Function,
    /// What feeds it, in words (`assessment-tasks (Enabled)`), one per event source mapping.
    pub sources: Vec<MappingRef>,
    /// Errors and throttles at the last metric point.
    pub errors: Option<f64>,
    pub throttles: Option<f64>,
    pub alarms_firing: u32,
}

/// An event source mapping as a row or page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRef {
    pub uuid: String,
    /// The queue's name when the source is an SQS queue, else the source's ARN.
    pub source: String,
    /// Whether the source is a queue this environment lists (it links to its page).
    pub source_is_queue: bool,
    pub qualifier: Option<String>,
    pub state: String,
    pub consuming: bool,
    pub batch_size: Option<i32>,
    pub state_reason: Option<String>,
    pub last_modified: Option<DateTime<Utc>>,
}

impl MappingRef {
    fn of(m: &EventSourceMapping, env: &EnvData<'_>) -> Self {
        let queue = name_from_arn(&m.source_arn);
        let listed = queue.is_some_and(|q| {
            env.details.is_some_and(|d| {
                d.queues
                    .get(q)
                    .is_some_and(|found| found.arn == m.source_arn)
            })
        });
        Self {
            uuid: m.uuid.clone(),
            source: queue.unwrap_or(&m.source_arn).to_string(),
            source_is_queue: listed,
            qualifier: m.qualifier().map(str::to_string),
            state: m.state.clone(),
            consuming: m.consuming(),
            batch_size: m.batch_size,
            state_reason: m.state_reason.clone(),
            last_modified: m.last_modified,
        }
    }
}

impl FunctionRow {
    fn of(env: &EnvData<'_>, functions: &Functions, f: &Function, alarms: &[Alarm]) -> Self {
        let metrics = env.details.and_then(|d| d.function_metrics.get(&f.name));
        Self {
            env: env.descriptor.id.clone(),
            sources: functions
                .mappings_of(&f.name)
                .into_iter()
                .map(|m| MappingRef::of(m, env))
                .collect(),
            errors: metrics.and_then(|m| m.errors.latest()),
            throttles: metrics.and_then(|m| m.throttles.latest()),
            alarms_firing: firing(alarms, |a| watches_function(a, &f.name)),
            function: f.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionsView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    /// By app (functions without one last), then name and environment.
    pub rows: Vec<FunctionRow>,
    pub env_filter: Option<EnvId>,
    pub errors: Vec<ReadError>,
    /// Environments whose functions have not been read yet.
    pub unread: Vec<EnvId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub row: FunctionRow,
    pub metrics: Option<FunctionMetrics>,
    pub alarms: Vec<Alarm>,
    pub read_error: Option<String>,
    /// What the person may do to it, and what was done lately (set by the server function).
    #[serde(default)]
    pub actions: Option<super::action_panel::ActionPanel>,
}

pub fn functions(
    envs: &[EnvData<'_>],
    env_filter: Option<&EnvId>,
    now: DateTime<Utc>,
) -> FunctionsView {
    let DetailRows {
        rows,
        errors,
        unread,
    } = detail_rows(
        envs,
        env_filter,
        |env, details| {
            let functions = &details.functions;
            let rows = functions
                .functions
                .iter()
                .map(|f| FunctionRow::of(env, functions, f, env.alarms()))
                .collect();
            (rows, functions.error.clone())
        },
        |r: &FunctionRow| {
            (
                r.function.app.is_none(),
                r.function.app.clone(),
                r.function.name.clone(),
                r.env.clone(),
            )
        },
    );
    FunctionsView {
        generated_at: now,
        envs: cards(envs, now),
        rows,
        env_filter: env_filter.cloned(),
        errors,
        unread,
    }
}

/// The functions of `app` in one environment, by name (for the app page).
pub(super) fn app_rows(env: &EnvData<'_>, app: &str) -> Vec<FunctionRow> {
    let Some(details) = env.details else {
        return Vec::new();
    };
    details
        .functions
        .of_app(app)
        .into_iter()
        .map(|f| FunctionRow::of(env, &details.functions, f, env.alarms()))
        .collect()
}

/// The workers of the queue with ARN `queue_arn` (for the queue page).
pub(super) fn workers_of(env: &EnvData<'_>, queue_arn: &str) -> Vec<(String, MappingRef)> {
    let Some(details) = env.details else {
        return Vec::new();
    };
    details
        .functions
        .workers_of(queue_arn)
        .into_iter()
        .map(|m| {
            let function = m.function_name().unwrap_or(&m.function_arn).to_string();
            (function, MappingRef::of(m, env))
        })
        .collect()
}

pub fn function(env: &EnvData<'_>, name: &str, now: DateTime<Utc>) -> Option<FunctionView> {
    let details = env.details?;
    let f = details.functions.get(name)?;
    Some(FunctionView {
        generated_at: now,
        card: env.card(now),
        row: FunctionRow::of(env, &details.functions, f, env.alarms()),
        metrics: details.function_metrics.get(name).cloned(),
        alarms: watching(env.alarms(), |a| watches_function(a, name)),
        read_error: details.functions.error.clone(),
        actions: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::descriptor;
    use super::*;
    use crate::domain::inventory::{
        AlarmResource, AlarmState, EnvDetails, EnvInventory, RefreshStatus,
    };

    use crate::domain::fixtures::function;

    #[test]
    fn rows_name_what_feeds_each_function_and_its_firing_alarms() {
        let descriptor = descriptor("prod");
        let status = RefreshStatus::default();
        let details = EnvDetails {
            functions: Functions {
                functions: vec![function("scorer", Some("assess")), function("loose", None)],
                mappings: vec![EventSourceMapping {
                    uuid: "m1".into(),
                    function_arn: "arn:aws:lambda:eu-west-1:1:function:scorer:live".into(),
                    source_arn: "arn:aws:sqs:eu-west-1:1:jobs".into(),
                    state: "Disabled".into(),
                    batch_size: Some(10),
                    last_modified: None,
                    state_reason: Some("USER_INITIATED".into()),
                }],
                error: None,
            },
            ..EnvDetails::default()
        };
        let mut alarm = crate::domain::fixtures::alarm(
            "scorer-errors",
            AlarmResource::Function {
                name: "scorer".into(),
            },
        );
        alarm.state = AlarmState::Alarm;
        let inventory = EnvInventory {
            alarms: vec![alarm],
            ..EnvInventory::default()
        };
        let envs = [EnvData {
            descriptor: &descriptor,
            status: &status,
            inventory: Some(&inventory),
            details: Some(&details),
            summary: None,
        }];
        let now = DateTime::from_timestamp(1_796_000_000, 0).unwrap();
        let view = functions(&envs, None, now);
        let names: Vec<&str> = view.rows.iter().map(|r| r.function.name.as_str()).collect();
        assert_eq!(names, ["scorer", "loose"]);
        let scorer = &view.rows[0];
        assert_eq!(scorer.alarms_firing, 1);
        assert_eq!(scorer.sources.len(), 1);
        let source = &scorer.sources[0];
        assert_eq!(
            (
                source.source.as_str(),
                source.qualifier.as_deref(),
                source.consuming,
                source.source_is_queue
            ),
            ("jobs", Some("live"), false, false)
        );
        let one = super::function(&envs[0], "scorer", now).expect("the function");
        assert_eq!(one.alarms.len(), 1);
        assert!(super::function(&envs[0], "nope", now).is_none());
        assert_eq!(
            workers_of(&envs[0], "arn:aws:sqs:eu-west-1:1:jobs").len(),
            1
        );
    }
}
