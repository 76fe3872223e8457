//! The logs page of a service or of a scheduled job's runs: where the containers log, the query
//! (range, filter, order, task) with its deep link, download and follow addresses, the lines
//! found or why there are none, the task the page is narrowed to (a stopped one with why it
//! stopped, or the job's run), and a Logs Insights query's table.

use super::summary::EnvCard;
use crate::domain::inventory::{service_key, EnvDetails, Task};
use crate::domain::logs::{InsightsResult, LogLine, LogQuery, LogSource};
use crate::domain::scheduled_jobs::JobRun;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whose logs a page reads: a service's tasks, or the tasks a scheduled job started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogSubject {
    Service {
        cluster: String,
        service: String,
    },
    /// A job by its key (`rule/<name>`, `schedule/<group>/<name>`).
    Job {
        key: String,
    },
}

impl LogSubject {
    /// The page the logs belong to: `/envs/<env>/services/<cluster>/<service>` or
    /// `/envs/<env>/jobs/<key>`; the logs page, download and follow hang below it.
    pub fn path(&self, env: &str) -> String {
        match self {
            Self::Service { cluster, service } => {
                format!("/envs/{env}/services/{cluster}/{service}")
            }
            Self::Job { key } => format!("/envs/{env}/jobs/{key}"),
        }
    }

    /// The name a page and a download's file use: the service's, or the rule's or schedule's.
    pub fn name(&self) -> &str {
        match self {
            Self::Service { service, .. } => service,
            Self::Job { key } => key.rsplit('/').next().unwrap_or(key),
        }
    }

    /// What the audit names as the read's target: `cluster/service`, or `job:<key>` as the
    /// job's actions do.
    pub fn audit_target(&self) -> String {
        match self {
            Self::Service { cluster, service } => format!("{cluster}/{service}"),
            Self::Job { key } => crate::domain::job_actions::job_action_target(key),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub subject: LogSubject,
    /// The containers that log to CloudWatch Logs.
    pub sources: Vec<LogSource>,
    /// Where the others log, in words.
    pub elsewhere: Vec<String>,
    /// The one read.
    pub source: Option<LogSource>,
    /// The query as read from the address (its defaults filled in); `None` when it was not valid.
    pub query: Option<LogQuery>,
    /// The address's values as typed, for the form.
    pub typed: crate::domain::logs::LogParams,
    /// Why the query was not run: the address asked for something that is not valid.
    pub invalid: Option<String>,
    pub lines: Vec<LogLine>,
    /// The range holds more than the page shows.
    pub more: bool,
    /// Why no lines could be read (missing group, denied, out of time), shown in place.
    pub failure: Option<String>,
    /// The task the page is narrowed to, running or stopped.
    pub task: Option<Task>,
    /// For a job, the run the page is narrowed to (its task), as the console kept it.
    #[serde(default)]
    pub run: Option<JobRun>,
    /// A Logs Insights query, when one was asked for.
    pub insights: Option<InsightsView>,
    /// The query's bounds here.
    pub max_range_secs: i64,
    pub query_timeout_secs: u64,
}

/// A Logs Insights query and its table, or why it has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsightsView {
    pub query: String,
    pub result: Option<InsightsResult>,
    pub failure: Option<String>,
}

impl LogsView {
    /// The page the logs belong to (see [`LogSubject::path`]).
    pub fn subject_path(&self) -> String {
        self.subject.path(self.card.descriptor.id.as_str())
    }
}

/// The service's task with this id (running or stopped) as the details last read it.
pub fn find_task(
    details: Option<&EnvDetails>,
    cluster: &str,
    service: &str,
    id: &str,
) -> Option<Task> {
    let key = service_key(cluster, service);
    let details = details?;
    details
        .tasks
        .get(&key)
        .into_iter()
        .chain(details.stopped_tasks.get(&key))
        .flatten()
        .find(|t| t.short_id() == id)
        .cloned()
}
