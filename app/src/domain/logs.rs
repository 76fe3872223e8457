//! Logs as pure rules: where a service's containers send their logs (the `awslogs` driver's
//! group and stream prefix, or the driver and destination of any other), who may read them
//! (`LogsPolicy`: a per-environment minimum role and the bounds of one query), the query a page
//! asks for — time range, CloudWatch filter pattern, order, task — validated at the boundary and
//! written back into deep links, and the lines as a page shows them (JSON messages expandable,
//! the level a line reports).

pub use super::environment::LogsPolicy;
use super::ids::EnvId;
use super::inventory::{ContainerDefinition, TaskDefinition};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where one container's logs go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogDestination {
    /// CloudWatch Logs, through the `awslogs` driver: streams are named
    /// `<prefix>/<container>/<task id>`.
    CloudWatch {
        group: String,
        region: Option<String>,
        stream_prefix: Option<String>,
    },
    /// Another driver (FireLens' `awsfirelens`, `splunk`, `fluentd`…): where it sends them, as
    /// far as its options say.
    Elsewhere { driver: String, destination: String },
    /// The container has no log configuration: its output is not kept.
    NotKept,
}

/// Options whose value says where a driver sends logs, in the order they are looked for.
const DESTINATION_OPTIONS: [&str; 8] = [
    "Name",
    "log_group_name",
    "splunk-url",
    "fluentd-address",
    "syslog-address",
    "gelf-address",
    "Host",
    "endpoint",
];

impl LogDestination {
    pub fn of(container: &ContainerDefinition) -> Self {
        let Some(log) = &container.log else {
            return Self::NotKept;
        };
        let option = |name: &str| {
            log.options
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        if log.driver == "awslogs" {
            if let Some(group) = option("awslogs-group") {
                return Self::CloudWatch {
                    group,
                    region: option("awslogs-region"),
                    stream_prefix: option("awslogs-stream-prefix"),
                };
            }
        }
        let found: Vec<String> = DESTINATION_OPTIONS
            .iter()
            .filter_map(|name| option(name).map(|v| format!("{name} {v}")))
            .collect();
        let destination = if found.is_empty() {
            "its options name no destination".to_string()
        } else {
            found.join(", ")
        };
        Self::Elsewhere {
            driver: log.driver.clone(),
            destination,
        }
    }

    /// In words, for a page that cannot show the logs themselves.
    pub fn describe(&self, container: &str) -> String {
        match self {
            Self::CloudWatch { group, .. } => {
                format!("{container} logs to CloudWatch Logs group {group}")
            }
            Self::Elsewhere {
                driver,
                destination,
            } => format!(
                "{container} logs with the {driver} driver ({destination}); the console reads CloudWatch Logs only"
            ),
            Self::NotKept => format!(
                "{container} has no log configuration: its output is not kept anywhere"
            ),
        }
    }
}

/// Where the logs of one container of a task definition are, if in CloudWatch: the group and
/// the stream name prefix of its tasks (`<prefix>/<container>/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSource {
    pub container: String,
    pub group: String,
    /// Streams of this container's tasks start with it; `None` without a stream prefix (then
    /// the streams are named after the task and container by ECS's own scheme).
    pub stream_prefix: Option<String>,
}

impl LogSource {
    /// The stream one task of this container writes to.
    pub fn task_stream(&self, task_id: &str) -> Option<String> {
        self.stream_prefix
            .as_ref()
            .map(|prefix| format!("{prefix}/{}/{task_id}", self.container))
    }

    /// The prefix every task's stream of this container starts with.
    pub fn streams_prefix(&self) -> Option<String> {
        self.stream_prefix
            .as_ref()
            .map(|prefix| format!("{prefix}/{}/", self.container))
    }
}

/// The CloudWatch log sources of a task definition's containers, and where the others log.
pub fn sources(td: &TaskDefinition) -> (Vec<LogSource>, Vec<String>) {
    let mut found = Vec::new();
    let mut elsewhere = Vec::new();
    for c in &td.containers {
        match LogDestination::of(c) {
            LogDestination::CloudWatch {
                group,
                stream_prefix,
                ..
            } => found.push(LogSource {
                container: c.name.clone(),
                group,
                stream_prefix,
            }),
            other => elsewhere.push(other.describe(&c.name)),
        }
    }
    (found, elsewhere)
}

/// A CloudWatch Logs filter pattern as typed: at most 1,024 characters on one line, with its
/// quotes, braces and brackets closed (`ERROR`, `?ERROR ?WARN`, `"request failed"`,
/// `{ $.level = "error" }`, `[ip, user, status=5*]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterPattern(String);

impl FilterPattern {
    /// `None` for an empty pattern (every event).
    pub fn parse(text: &str) -> Result<Option<Self>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > 1024 {
            return Err("The filter pattern is longer than CloudWatch's 1,024 characters.".into());
        }
        if text.chars().any(char::is_control) {
            return Err("The filter pattern must be one line, without control characters.".into());
        }
        let mut quoted = false;
        let mut depth: Vec<char> = Vec::new();
        let mut escaped = false;
        for c in text.chars() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                '{' | '[' | '(' if !quoted => depth.push(c),
                '}' | ']' | ')' if !quoted => {
                    let open = match c {
                        '}' => '{',
                        ']' => '[',
                        _ => '(',
                    };
                    if depth.pop() != Some(open) {
                        return Err(format!(
                            "The filter pattern has a '{c}' that closes nothing."
                        ));
                    }
                }
                _ => {}
            }
        }
        if quoted {
            return Err("The filter pattern has a quote that is not closed.".into());
        }
        if let Some(open) = depth.pop() {
            return Err(format!(
                "The filter pattern has a '{open}' that is not closed."
            ));
        }
        Ok(Some(Self(text.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which end of the range a page starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogOrder {
    /// The latest events first (the last page of the range, newest at the top).
    NewestFirst,
    /// From the range's start onwards, oldest first.
    Oldest,
}

impl LogOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewestFirst => "newest",
            Self::Oldest => "oldest",
        }
    }
}

/// The relative ranges the page offers.
pub const SINCE_CHOICES: [&str; 7] = ["5m", "15m", "1h", "3h", "12h", "1d", "7d"];

/// `15m`, `1h`, `1d` as a duration: minutes, hours or days.
pub fn parse_since(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: i64 = number.parse().ok().filter(|n| *n > 0)?;
    match unit {
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => None,
    }
}

/// A time the page was given: RFC 3339 (`2026-12-07T06:40:00Z`) or a UTC wall clock to the
/// minute or second (`2026-12-07T06:40`, as a `datetime-local` input sends it).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc())
}

/// A page of logs as asked for in its address: validated, and written back into links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The relative range the page was asked for (`1h`), kept for its links: following a link
    /// later shows the latest hour again.
    pub since: Option<String>,
    pub filter: Option<FilterPattern>,
    pub order: LogOrder,
    /// One task's streams only (its id).
    pub task: Option<String>,
    /// One container's logs only; else the first container that logs to CloudWatch.
    pub container: Option<String>,
    /// Lines per page.
    pub limit: u32,
}

/// Lines a page shows unless it asks for another number, and the most it may ask for.
pub const DEFAULT_LIMIT: u32 = 200;
pub const MAX_LIMIT: u32 = 1000;

/// The address parameters of a logs page, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogParams {
    pub since: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub filter: Option<String>,
    pub order: Option<String>,
    pub task: Option<String>,
    pub container: Option<String>,
    pub limit: Option<String>,
}

/// The range a page shows when it names none.
pub const DEFAULT_SINCE: &str = "1h";

impl LogQuery {
    /// Checks a page's parameters against the environment's bounds at `now`.
    pub fn parse(
        params: &LogParams,
        policy: &LogsPolicy,
        now: DateTime<Utc>,
    ) -> Result<Self, String> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let (from_text, to_text, since_text) =
            (given(&params.from), given(&params.to), given(&params.since));
        let to = match &to_text {
            Some(t) => parse_instant(t).ok_or_else(|| {
                format!("“{t}” is not a time: use 2026-12-07T06:40 (UTC) or RFC 3339.")
            })?,
            None => now,
        };
        let (from, since) = match (&from_text, &since_text) {
            (Some(f), _) => (
                parse_instant(f).ok_or_else(|| {
                    format!("“{f}” is not a time: use 2026-12-07T06:40 (UTC) or RFC 3339.")
                })?,
                None,
            ),
            (None, Some(s)) => {
                let span = parse_since(s).ok_or_else(|| {
                    format!(
                        "“{s}” is not a range: use minutes, hours or days, such as 15m, 1h or 1d."
                    )
                })?;
                (to - span, to_text.is_none().then(|| s.clone()))
            }
            (None, None) => (
                to - parse_since(DEFAULT_SINCE).unwrap_or_else(|| Duration::hours(1)),
                to_text.is_none().then(|| DEFAULT_SINCE.to_string()),
            ),
        };
        if from >= to {
            return Err("The range starts after it ends: pick a start before the end.".into());
        }
        if to > now + Duration::minutes(5) {
            return Err("The range ends in the future.".into());
        }
        if (to - from).num_seconds() > policy.max_range_secs {
            return Err(format!(
                "The range is longer than the {} one query may cover here: narrow it.",
                crate::domain::format::duration_words(policy.max_range_secs)
            ));
        }
        let order = match given(&params.order).as_deref() {
            None | Some("newest") => LogOrder::NewestFirst,
            Some("oldest") => LogOrder::Oldest,
            Some(other) => return Err(format!("“{other}” is not an order: newest or oldest.")),
        };
        let task = given(&params.task);
        if let Some(t) = &task {
            if t.len() > 64 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(format!("“{t}” is not a task id."));
            }
        }
        let container = given(&params.container);
        if let Some(c) = &container {
            if c.len() > 255 || c.chars().any(char::is_control) {
                return Err("That is not a container name.".into());
            }
        }
        let limit = match given(&params.limit) {
            None => DEFAULT_LIMIT,
            Some(n) => n
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| format!("“{n}” lines: ask for 1 to {MAX_LIMIT}."))?,
        };
        Ok(Self {
            from,
            to,
            since,
            filter: FilterPattern::parse(params.filter.as_deref().unwrap_or(""))?,
            order,
            task,
            container,
            limit,
        })
    }

    /// The address of this query on `service_path` (`/envs/prod/services/main/web`), for deep
    /// links and the download.
    pub fn href(&self, service_path: &str) -> String {
        format!("{service_path}/logs?{}", self.params())
    }

    /// The download of this query's range as text.
    pub fn download_href(&self, service_path: &str) -> String {
        format!("{service_path}/logs.txt?{}", self.params())
    }

    fn params(&self) -> String {
        let mut params: Vec<String> = Vec::new();
        match &self.since {
            Some(since) => params.push(format!("since={}", encode(since))),
            None => {
                params.push(format!(
                    "from={}",
                    encode(&self.from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                ));
                params.push(format!(
                    "to={}",
                    encode(&self.to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                ));
            }
        }
        if let Some(f) = &self.filter {
            params.push(format!("filter={}", encode(f.as_str())));
        }
        if self.order != LogOrder::NewestFirst {
            params.push(format!("order={}", self.order.as_str()));
        }
        if let Some(t) = &self.task {
            params.push(format!("task={}", encode(t)));
        }
        if let Some(c) = &self.container {
            params.push(format!("container={}", encode(c)));
        }
        if self.limit != DEFAULT_LIMIT {
            params.push(format!("limit={}", self.limit));
        }
        params.join("&")
    }

    /// This query with its range moved to end just before `before` (the older page of a
    /// newest-first view), as long as the range it had.
    pub fn older_than(&self, before: DateTime<Utc>) -> Self {
        let span = self.to - self.from;
        let to = before - Duration::milliseconds(1);
        Self {
            from: (to - span).max(self.from - span),
            to,
            since: None,
            ..self.clone()
        }
    }

    /// This query from just after `after` to its end, oldest first (the newer page).
    pub fn newer_than(&self, after: DateTime<Utc>) -> Self {
        Self {
            from: after + Duration::milliseconds(1),
            since: None,
            order: LogOrder::Oldest,
            ..self.clone()
        }
    }
}

fn encode(text: &str) -> String {
    crate::domain::alarm_filter::encode(text)
}

/// One log event as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    /// CloudWatch's event id (unique within the group).
    pub id: String,
    pub at: DateTime<Utc>,
    pub stream: String,
    pub message: String,
}

/// The level a line reports, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warn => "warn",
            Self::Info => "info",
            Self::Debug => "debug",
        }
    }
}

/// One line as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub id: String,
    pub at: DateTime<Utc>,
    /// The task the stream belongs to (its id), when the stream is named by the awslogs scheme.
    pub task: Option<String>,
    pub container: Option<String>,
    pub message: String,
    /// The message indented, when it is a JSON object or array.
    pub json: Option<String>,
    pub level: Option<Level>,
}

impl LogLine {
    pub fn of(event: &LogEvent) -> Self {
        let mut parts = event.stream.rsplitn(3, '/');
        let task = parts.next().filter(|t| !t.is_empty()).map(str::to_string);
        let container = parts.next().map(str::to_string);
        let (task, container) = match (task, container) {
            (Some(t), Some(c)) => (Some(t), Some(c)),
            _ => (None, None),
        };
        let trimmed = event.message.trim_end();
        let json = serde_json::from_str::<serde_json::Value>(trimmed)
            .ok()
            .filter(|v| v.is_object() || v.is_array())
            .and_then(|v| serde_json::to_string_pretty(&v).ok());
        Self {
            id: event.id.clone(),
            at: event.at,
            task,
            container,
            message: trimmed.to_string(),
            level: level_of(trimmed),
            json,
        }
    }
}

/// The level a message names: a JSON `level`/`severity` field, else the first level word.
pub fn level_of(message: &str) -> Option<Level> {
    let word = |w: &str| match w.to_ascii_lowercase().as_str() {
        "error" | "err" | "fatal" | "critical" | "panic" | "exception" => Some(Level::Error),
        "warn" | "warning" => Some(Level::Warn),
        "info" | "notice" => Some(Level::Info),
        "debug" | "trace" => Some(Level::Debug),
        _ => None,
    };
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(message) {
        return ["level", "severity", "lvl", "log.level"]
            .iter()
            .find_map(|k| map.get(*k).and_then(|v| v.as_str()).and_then(word));
    }
    message
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .take(12)
        .find_map(word)
}

/// The lines of a page in the order it shows them.
pub fn lines(events: &[LogEvent], order: LogOrder) -> Vec<LogLine> {
    let mut lines: Vec<LogLine> = events.iter().map(LogLine::of).collect();
    match order {
        LogOrder::NewestFirst => lines.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id))),
        LogOrder::Oldest => lines.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id))),
    }
    lines
}

/// What reading logs came to, when it came to no lines: shown in place on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum LogsFailure {
    #[error("The log group {group} does not exist in this account and region.")]
    NoGroup { group: String },
    #[error("AWS refused to read the logs: {message}")]
    Denied { message: String },
    #[error(
        "The query took longer than {secs} s and was cancelled: narrow the range or the filter."
    )]
    TimedOut { secs: u64 },
    #[error("The logs could not be read: {message}")]
    Failed { message: String },
}

/// The text download of a range: one line per event, oldest first, with its time and stream.
pub fn download_text(env: &EnvId, service: &str, query: &LogQuery, events: &[LogEvent]) -> String {
    let mut out = format!(
        "# {service} in {env}, {} to {}{}\n",
        query
            .from
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        query
            .to
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        query
            .filter
            .as_ref()
            .map(|f| format!(", filter {}", f.as_str()))
            .unwrap_or_default()
    );
    for line in lines(events, LogOrder::Oldest) {
        let stream = events
            .iter()
            .find(|e| e.id == line.id)
            .map(|e| e.stream.as_str())
            .unwrap_or_default();
        out.push_str(&format!(
            "{} {stream} {}\n",
            line.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            line.message.replace('\n', "\n    ")
        ));
    }
    out
}

/// Which streams of a group a read covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Streams {
    /// Every stream whose name starts with this (one container's tasks).
    Prefix(String),
    /// These streams (one task's).
    Named(Vec<String>),
    /// The whole group.
    All,
}

/// One read of a log group, as the logs port takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRequest {
    pub group: String,
    pub streams: Streams,
    pub filter: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub order: LogOrder,
    /// The lines one page shows.
    pub limit: u32,
    /// The most events the read may go through to find them.
    pub max_events: u32,
    pub timeout_secs: u64,
}

/// What a follower polls: one group's streams with one filter. Everyone following the same
/// service, task and filter shares one poller.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FollowKey {
    pub env: EnvId,
    pub group: String,
    pub streams: Streams,
    pub filter: Option<String>,
}

/// What one read found: at most `limit` events, and whether the range holds more.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub events: Vec<LogEvent>,
    pub more: bool,
}

/// A Logs Insights query as typed: not empty, at most 10,000 characters (CloudWatch's limit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightsQuery(String);

impl InsightsQuery {
    pub fn parse(text: &str) -> Result<Option<Self>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > 10_000 {
            return Err(
                "The Logs Insights query is longer than CloudWatch's 10,000 characters.".into(),
            );
        }
        Ok(Some(Self(text.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Logs Insights query's results: the fields in the order first seen (`@ptr` left out), and
/// each row's values under them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightsResult {
    pub fields: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl InsightsResult {
    /// Builds the table from the rows as `GetQueryResults` returns them (field, value pairs).
    pub fn of(rows: &[Vec<(String, String)>]) -> Self {
        let mut fields: Vec<String> = Vec::new();
        for row in rows {
            for (field, _) in row {
                if field != "@ptr" && !fields.contains(field) {
                    fields.push(field.clone());
                }
            }
        }
        let rows = rows
            .iter()
            .map(|row| {
                fields
                    .iter()
                    .map(|f| {
                        row.iter()
                            .find(|(name, _)| name == f)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        Self { fields, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inventory::LogConfig;

    fn at(text: &str) -> DateTime<Utc> {
        parse_instant(text).unwrap()
    }

    fn container(driver: &str, options: &[(&str, &str)]) -> ContainerDefinition {
        ContainerDefinition {
            name: "api".into(),
            image: "registry.example/api:1".into(),
            essential: true,
            ports: vec![],
            cpu: None,
            memory: None,
            environment: vec![],
            secrets: vec![],
            command: vec![],
            entry_point: vec![],
            health_check: None,
            log: Some(LogConfig {
                driver: driver.into(),
                options: options
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }),
        }
    }

    #[test]
    fn destinations_come_from_the_log_configuration() {
        let awslogs = container(
            "awslogs",
            &[
                ("awslogs-group", "/ecs/api"),
                ("awslogs-stream-prefix", "api"),
                ("awslogs-region", "eu-west-1"),
            ],
        );
        assert_eq!(
            LogDestination::of(&awslogs),
            LogDestination::CloudWatch {
                group: "/ecs/api".into(),
                region: Some("eu-west-1".into()),
                stream_prefix: Some("api".into())
            }
        );
        let firelens = container(
            "awsfirelens",
            &[
                ("Name", "datadog"),
                ("Host", "http-intake.logs.datadoghq.eu"),
            ],
        );
        assert_eq!(
            LogDestination::of(&firelens).describe("api"),
            "api logs with the awsfirelens driver (Name datadog, Host http-intake.logs.datadoghq.eu); the console reads CloudWatch Logs only"
        );
        let mut none = container("awslogs", &[]);
        none.log = None;
        assert_eq!(LogDestination::of(&none), LogDestination::NotKept);
        let source = LogSource {
            container: "api".into(),
            group: "/ecs/api".into(),
            stream_prefix: Some("api".into()),
        };
        assert_eq!(
            source.task_stream("abc123").as_deref(),
            Some("api/api/abc123")
        );
        assert_eq!(source.streams_prefix().as_deref(), Some("api/api/"));
    }

    #[test]
    fn filter_patterns_are_checked() {
        let ok = [
            "ERROR",
            "?ERROR ?WARN",
            "\"request failed\"",
            "{ $.level = \"error\" }",
            "[ip, user, status=5*]",
            "{ $.msg = \"a \\\" b\" }",
        ];
        for p in ok {
            assert!(FilterPattern::parse(p).unwrap().is_some(), "{p}");
        }
        assert_eq!(FilterPattern::parse("  ").unwrap(), None);
        let bad = [
            ("\"open", "quote that is not closed"),
            ("{ $.a = 1", "'{' that is not closed"),
            ("a ]", "']' that closes nothing"),
            ("a\nb", "one line"),
        ];
        for (p, why) in bad {
            let err = FilterPattern::parse(p).unwrap_err();
            assert!(err.contains(why), "{p}: {err}");
        }
        assert!(FilterPattern::parse(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn queries_are_read_from_the_address_and_written_back() {
        let now = at("2026-12-07T08:00:00Z");
        let policy = LogsPolicy::default();
        let params = |pairs: &[(&str, &str)]| {
            let get = |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            };
            LogParams {
                since: get("since"),
                from: get("from"),
                to: get("to"),
                filter: get("filter"),
                order: get("order"),
                task: get("task"),
                container: get("container"),
                limit: get("limit"),
            }
        };
        let q = LogQuery::parse(&params(&[]), &policy, now).unwrap();
        assert_eq!((q.from, q.to), (at("2026-12-07T07:00:00Z"), now));
        assert_eq!(
            q.href("/envs/prod/services/main/web"),
            "/envs/prod/services/main/web/logs?since=1h"
        );
        let q = LogQuery::parse(
            &params(&[
                ("from", "2026-12-07T06:40"),
                ("to", "2026-12-07T07:10"),
                ("filter", "?ERROR ?WARN"),
                ("order", "oldest"),
                ("task", "abc123"),
            ]),
            &policy,
            now,
        )
        .unwrap();
        assert_eq!(q.order, LogOrder::Oldest);
        let href = q.href("/s");
        assert_eq!(
            href,
            "/s/logs?from=2026-12-07T06%3A40%3A00Z&to=2026-12-07T07%3A10%3A00Z&filter=%3FERROR%20%3FWARN&order=oldest&task=abc123"
        );
        let table: &[(&[(&str, &str)], &str)] = &[
            (&[("since", "2w")], "is not a range"),
            (&[("from", "yesterday")], "is not a time"),
            (
                &[("from", "2026-12-07T07:30"), ("to", "2026-12-07T07:00")],
                "starts after it ends",
            ),
            (&[("from", "2026-11-01T00:00")], "longer than the 7 days"),
            (&[("to", "2026-12-08T00:00")], "ends in the future"),
            (&[("order", "sideways")], "not an order"),
            (&[("task", "../etc")], "not a task id"),
            (&[("filter", "{ oops")], "not closed"),
            (&[("limit", "5000")], "ask for 1 to 1000"),
        ];
        for (pairs, why) in table {
            let err = LogQuery::parse(&params(pairs), &policy, now).unwrap_err();
            assert!(err.contains(why), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn insights_results_become_a_table() {
        let row = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect()
        };
        let result = InsightsResult::of(&[
            row(&[
                ("@timestamp", "2026-12-07 07:00:00.000"),
                ("@message", "a"),
                ("@ptr", "x"),
            ]),
            row(&[("@message", "b"), ("@logStream", "api/api/1")]),
        ]);
        assert_eq!(result.fields, ["@timestamp", "@message", "@logStream"]);
        assert_eq!(result.rows[1], ["", "b", "api/api/1"]);
        assert_eq!(InsightsQuery::parse(" ").unwrap(), None);
        assert!(InsightsQuery::parse(&"x".repeat(10_001)).is_err());
    }

    #[test]
    fn paging_moves_the_range() {
        let now = at("2026-12-07T08:00:00Z");
        let q = LogQuery::parse(&LogParams::default(), &LogsPolicy::default(), now).unwrap();
        let older = q.older_than(at("2026-12-07T07:30:00Z"));
        assert_eq!(older.to, at("2026-12-07T07:29:59.999Z"));
        assert_eq!(older.from, at("2026-12-07T06:29:59.999Z"));
        assert_eq!(older.since, None);
        let newer = q.newer_than(at("2026-12-07T07:30:00Z"));
        assert_eq!(
            (newer.from, newer.to, newer.order),
            (at("2026-12-07T07:30:00.001Z"), now, LogOrder::Oldest)
        );
    }

    #[test]
    fn lines_name_their_task_level_and_json() {
        let event = |id: &str, t: &str, message: &str| LogEvent {
            id: id.into(),
            at: at(t),
            stream: "api/api/0f1e2d3c".into(),
            message: message.into(),
        };
        let events = [
            event("1", "2026-12-07T07:00:00Z", "INFO starting"),
            event(
                "2",
                "2026-12-07T07:00:02Z",
                "{\"level\":\"error\",\"msg\":\"db down\"}",
            ),
            event(
                "3",
                "2026-12-07T07:00:01Z",
                "2026-12-07 07:00:01 WARNING slow query\n",
            ),
        ];
        let newest = lines(&events, LogOrder::NewestFirst);
        let ids: Vec<&str> = newest.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["2", "3", "1"]);
        assert_eq!(newest[0].level, Some(Level::Error));
        assert!(newest[0]
            .json
            .as_deref()
            .unwrap()
            .contains("\"msg\": \"db down\""));
        assert_eq!(newest[1].level, Some(Level::Warn));
        assert_eq!(newest[1].message, "2026-12-07 07:00:01 WARNING slow query");
        assert_eq!(newest[2].task.as_deref(), Some("0f1e2d3c"));
        assert_eq!(newest[2].container.as_deref(), Some("api"));
        assert_eq!(level_of("nothing here"), None);
        let text = download_text(
            &EnvId::parse("prod").unwrap(),
            "web",
            &LogQuery::parse(
                &LogParams::default(),
                &LogsPolicy::default(),
                at("2026-12-07T08:00:00Z"),
            )
            .unwrap(),
            &events,
        );
        assert!(text
            .starts_with("# web in prod, 2026-12-07T07:00:00.000Z to 2026-12-07T08:00:00.000Z\n"));
        assert!(text.contains("2026-12-07T07:00:00.000Z api/api/0f1e2d3c INFO starting\n"));
    }
}
