//! CloudWatch Logs reads, made when a person asks (never by the refresh cycles): FilterLogEvents
//! over a range — oldest first from its start, or newest first by searching back from its end in
//! widening windows — bounded in events read and in time, and Logs Insights queries (StartQuery,
//! GetQueryResults until done, StopQuery when the time runs out). A missing group, a denied call
//! or a query out of time is a `LogsFailure` the page shows in place.

use super::call_stats::{with_default_purpose, Purpose};
use super::clients::EnvClients;
use super::convert::error_text;
use app::domain::logs::{
    InsightsResult, LogEvent, LogOrder, LogPage, LogRequest, LogsFailure, Streams,
};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use chrono::{DateTime, Duration, Utc};
use std::time::Duration as StdDuration;

/// FilterLogEvents returns at most 10,000 events per call.
const EVENTS_PER_CALL: i32 = 10_000;
/// The first window a newest-first read searches back; each next one is four times as long.
const FIRST_WINDOW_SECS: i64 = 60;
/// How often a Logs Insights query's results are asked for while it runs.
const INSIGHTS_POLL: StdDuration = StdDuration::from_millis(500);

/// What a failed call says for the page: the group missing, access denied, or the error text.
fn failure<E>(operation: &str, group: &str, error: E) -> LogsFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match error.code() {
        Some("ResourceNotFoundException") => LogsFailure::NoGroup {
            group: group.to_string(),
        },
        Some("AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation") => {
            LogsFailure::Denied {
                message: error.message().unwrap_or("access denied").to_string(),
            }
        }
        _ => LogsFailure::Failed {
            message: error_text(operation, &error),
        },
    }
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

impl EnvClients {
    /// The events `request` asks for, within its time limit.
    pub(crate) async fn log_events(&self, request: &LogRequest) -> Result<LogPage, LogsFailure> {
        let read = async {
            match request.order {
                LogOrder::Oldest => self.oldest_first(request).await,
                LogOrder::NewestFirst => self.newest_first(request).await,
            }
        };
        tokio::time::timeout(StdDuration::from_secs(request.timeout_secs), read)
            .await
            .unwrap_or(Err(LogsFailure::TimedOut {
                secs: request.timeout_secs,
            }))
    }

    /// From the range's start: the first `limit` events, and whether there are more.
    async fn oldest_first(&self, request: &LogRequest) -> Result<LogPage, LogsFailure> {
        let wanted = request.limit as usize + 1;
        let mut events = self
            .filter_events(request, request.from, request.to, wanted)
            .await?;
        let more = events.len() > request.limit as usize;
        events.truncate(request.limit as usize);
        Ok(LogPage { events, more })
    }

    /// From the range's end back: windows of one minute, then four times longer each, until
    /// `limit` events are found, the range's start is reached or `max_events` were read.
    async fn newest_first(&self, request: &LogRequest) -> Result<LogPage, LogsFailure> {
        let limit = request.limit as usize;
        let mut found: Vec<LogEvent> = Vec::new();
        let mut end = request.to;
        let mut window = Duration::seconds(FIRST_WINDOW_SECS);
        let mut read = 0usize;
        loop {
            let start = (end - window).max(request.from);
            let budget = (request.max_events as usize).saturating_sub(read).max(1);
            let mut events = self.filter_events(request, start, end, budget).await?;
            read += events.len();
            let exhausted = events.len() >= budget;
            events.append(&mut found);
            found = events;
            if found.len() > limit || start <= request.from || exhausted {
                let more = found.len() > limit || start > request.from;
                found.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
                found.truncate(limit);
                return Ok(LogPage {
                    events: found,
                    more,
                });
            }
            end = start - Duration::milliseconds(1);
            window = window * 4;
        }
    }

    /// FilterLogEvents from `start` to `end` (both inclusive), page by page, until `wanted`
    /// events, oldest first.
    async fn filter_events(
        &self,
        request: &LogRequest,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        wanted: usize,
    ) -> Result<Vec<LogEvent>, LogsFailure> {
        let mut out: Vec<LogEvent> = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut call = self
                .logs
                .filter_log_events()
                .log_group_name(&request.group)
                .start_time(millis(start))
                .end_time(millis(end))
                .limit(EVENTS_PER_CALL.min(i32::try_from(wanted).unwrap_or(EVENTS_PER_CALL)))
                .set_filter_pattern(request.filter.clone())
                .set_next_token(token.clone());
            call = match &request.streams {
                Streams::Prefix(prefix) => call.log_stream_name_prefix(prefix),
                Streams::Named(names) => call.set_log_stream_names(Some(names.clone())),
                Streams::All => call,
            };
            let page = call
                .send()
                .await
                .map_err(|e| failure("CloudWatch Logs FilterLogEvents", &request.group, e))?;
            for e in page.events() {
                let Some(at) = e.timestamp().and_then(DateTime::from_timestamp_millis) else {
                    continue;
                };
                out.push(LogEvent {
                    id: e.event_id().unwrap_or_default().to_string(),
                    at,
                    stream: e.log_stream_name().unwrap_or_default().to_string(),
                    message: e.message().unwrap_or_default().to_string(),
                });
            }
            let next = page.next_token().map(str::to_string);
            // The same token back means the end (CloudWatch's own rule for this call).
            if next.is_none() || next == token || out.len() >= wanted {
                break;
            }
            token = next;
        }
        out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        out.truncate(wanted);
        Ok(out)
    }

    /// A Logs Insights query over `groups`, cancelled when `timeout_secs` run out.
    pub(crate) async fn insights(
        &self,
        groups: &[String],
        query: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
        timeout_secs: u64,
    ) -> Result<InsightsResult, LogsFailure> {
        let group = groups.first().cloned().unwrap_or_default();
        let started = self
            .logs
            .start_query()
            .set_log_group_names(Some(groups.to_vec()))
            .start_time(from.timestamp())
            .end_time(to.timestamp())
            .query_string(query)
            .limit(i32::try_from(limit).unwrap_or(1000))
            .send()
            .await
            .map_err(|e| failure("CloudWatch Logs StartQuery", &group, e))?;
        let Some(id) = started.query_id().map(str::to_string) else {
            return Err(LogsFailure::Failed {
                message: "CloudWatch Logs started the query without an id".into(),
            });
        };
        let wait = async {
            loop {
                let out = self
                    .logs
                    .get_query_results()
                    .query_id(&id)
                    .send()
                    .await
                    .map_err(|e| failure("CloudWatch Logs GetQueryResults", &group, e))?;
                use aws_sdk_cloudwatchlogs::types::QueryStatus;
                match out.status() {
                    Some(QueryStatus::Complete) => {
                        let rows: Vec<Vec<(String, String)>> = out
                            .results()
                            .iter()
                            .map(|row| {
                                row.iter()
                                    .map(|f| {
                                        (
                                            f.field().unwrap_or_default().to_string(),
                                            f.value().unwrap_or_default().to_string(),
                                        )
                                    })
                                    .collect()
                            })
                            .collect();
                        return Ok(InsightsResult::of(&rows));
                    }
                    Some(
                        status @ (QueryStatus::Failed
                        | QueryStatus::Cancelled
                        | QueryStatus::Timeout),
                    ) => {
                        return Err(LogsFailure::Failed {
                            message: format!("the query ended {}", status.as_str()),
                        })
                    }
                    _ => tokio::time::sleep(INSIGHTS_POLL).await,
                }
            }
        };
        match tokio::time::timeout(StdDuration::from_secs(timeout_secs), wait).await {
            Ok(result) => result,
            Err(_) => {
                if let Err(e) = self.logs.stop_query().query_id(&id).send().await {
                    tracing::warn!(env = %self.env_id(), error = %error_text("CloudWatch Logs StopQuery", &e), "a query out of time could not be stopped");
                }
                Err(LogsFailure::TimedOut { secs: timeout_secs })
            }
        }
    }
}

/// The logs port: each read routed to its environment's clients, counted as `logs` calls (or
/// `follow` inside a follower's scope).
pub struct AwsLogs {
    clients: std::collections::HashMap<app::domain::ids::EnvId, std::sync::Arc<EnvClients>>,
}

impl AwsLogs {
    pub fn new(
        clients: std::collections::HashMap<app::domain::ids::EnvId, std::sync::Arc<EnvClients>>,
    ) -> Self {
        Self { clients }
    }

    fn clients(&self, env: &app::domain::ids::EnvId) -> Result<&EnvClients, LogsFailure> {
        self.clients
            .get(env)
            .map(|c| c.as_ref())
            .ok_or_else(|| LogsFailure::Failed {
                message: format!("there is no environment {env}"),
            })
    }
}

#[async_trait::async_trait]
impl app::ports::LogsPort for AwsLogs {
    async fn events(
        &self,
        env: &app::domain::ids::EnvId,
        request: &LogRequest,
    ) -> Result<LogPage, LogsFailure> {
        let clients = self.clients(env)?;
        with_default_purpose(Purpose::Logs, clients.log_events(request)).await
    }

    async fn insights(
        &self,
        env: &app::domain::ids::EnvId,
        groups: &[String],
        query: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
        timeout_secs: u64,
    ) -> Result<InsightsResult, LogsFailure> {
        let clients = self.clients(env)?;
        with_default_purpose(
            Purpose::Logs,
            clients.insights(groups, query, from, to, limit, timeout_secs),
        )
        .await
    }
}
