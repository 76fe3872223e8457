//! The logs page of a service: where its containers log, the query (range, filter, order, task)
//! with its deep link, download and follow addresses, the lines found or why there are none, the
//! task the page is narrowed to (a stopped one with why it stopped), and a Logs Insights query's
//! table.

use super::summary::EnvCard;
use crate::domain::inventory::{service_key, EnvDetails, Task};
use crate::domain::logs::{InsightsResult, LogLine, LogQuery, LogSource};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub cluster: String,
    pub service: String,
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
    /// `/envs/<env>/services/<cluster>/<service>`.
    pub fn service_path(&self) -> String {
        format!(
            "/envs/{}/services/{}/{}",
            self.card.descriptor.id, self.cluster, self.service
        )
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
