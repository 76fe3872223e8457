//! Reading logs, a service's or a scheduled job's runs': a page of lines (range, filter, order,
//! task), its download, a Logs Insights query, and the start of following it. Each checks the
//! caller against the environment's logs role (denials audited), finds where the containers log
//! from the task definition the inventory holds (the service's, or the one the job's target
//! starts), reads through the logs port within the environment's bounds, and writes an audit row
//! of who read which group, with which filter, over which range.

use super::access::authorized_state;
use super::services::AppServices;
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::functions::default_log_group;
use crate::domain::ids::parse_resource_name;
use crate::domain::logs::{
    download_text, lines, sources, FollowKey, InsightsQuery, LogParams, LogQuery, LogRequest,
    LogSource, LogsFailure, LogsPolicy, Streams,
};
use crate::domain::policy::Action;
use crate::domain::scheduled_jobs::{JobTarget, ScheduledJob};
use crate::domain::views::logs::{find_task, InsightsView, LogSubject, LogsView};
use crate::error::AppError;
use crate::ports::{EnvState, PortResult};
use chrono::{DateTime, Utc};

/// What a read is about: the environment, the service or job (names checked) and where its
/// containers log.
struct Target {
    state: EnvState,
    subject: LogSubject,
    sources: Vec<LogSource>,
    elsewhere: Vec<String>,
}

async fn target(
    caller: &Caller,
    services: &AppServices,
    env: &str,
    subject: &LogSubject,
) -> Result<Target, AppError> {
    let state = authorized_state(caller, services, env, Action::ReadLogs).await?;
    let (subject, (sources, elsewhere)) = match subject {
        LogSubject::Service { cluster, service } => {
            let cluster = parse_resource_name("cluster name", cluster)?;
            let name = parse_resource_name("service name", service)?;
            let found = state
                .inventory
                .as_ref()
                .and_then(|inv| inv.service(&cluster, &name))
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "there is no service {name} in cluster {cluster} of {}",
                        state.descriptor.id
                    ))
                })?;
            let found = found
                .task_definition
                .as_ref()
                .map(sources)
                .unwrap_or_default();
            (
                LogSubject::Service {
                    cluster,
                    service: name,
                },
                found,
            )
        }
        LogSubject::Job { key } => {
            let job = super::jobs::target_job(&state, key)?;
            (
                LogSubject::Job { key: job.key() },
                job_sources(&state, job)?,
            )
        }
    };
    Ok(Target {
        state,
        subject,
        sources,
        elsewhere,
    })
}

/// Where a job's runs log: the containers of the task definition an ECS job starts, as the
/// details cycle described it (none until then), or the log group of the function a job
/// invokes (every caller's lines, not only this job's); a job with another target has none
/// the console reads.
fn job_sources(
    state: &EnvState,
    job: &ScheduledJob,
) -> Result<(Vec<LogSource>, Vec<String>), AppError> {
    let details = state.details.as_deref();
    match &job.target {
        Some(JobTarget::Ecs(t)) => Ok(details
            .and_then(|d| d.job_task_definitions.get(&t.task_definition))
            .map(sources)
            .unwrap_or_default()),
        Some(JobTarget::Lambda { function, .. }) => {
            let group = details
                .and_then(|d| d.functions.get(function))
                .map(|f| f.logs_group())
                .unwrap_or_else(|| default_log_group(function));
            Ok((
                vec![LogSource {
                    container: function.clone(),
                    group,
                    stream_prefix: None,
                }],
                Vec::new(),
            ))
        }
        Some(JobTarget::Other { .. }) | None => Err(AppError::Invalid(format!(
            "{} starts no ECS task and invokes no function: it has no logs the console reads",
            job.name
        ))),
    }
}

impl Target {
    fn policy(&self) -> &LogsPolicy {
        &self.state.descriptor.logs
    }

    /// The source the query names (its container), else the first.
    fn source(&self, query: &LogQuery) -> Result<Option<LogSource>, AppError> {
        match &query.container {
            Some(c) => self
                .sources
                .iter()
                .find(|s| &s.container == c)
                .cloned()
                .map(Some)
                .ok_or_else(|| {
                    AppError::Invalid(format!(
                        "{} has no container {c} that logs to CloudWatch Logs",
                        self.subject.name()
                    ))
                }),
            None => Ok(self.sources.first().cloned()),
        }
    }

    /// The source the query names, refused when the service logs nowhere the console reads.
    fn required_source(&self, query: &LogQuery) -> Result<LogSource, AppError> {
        self.source(query)?.ok_or_else(|| {
            AppError::Invalid(format!(
                "{} has no container that logs to CloudWatch Logs",
                self.subject.name()
            ))
        })
    }

    fn streams(source: &LogSource, task: Option<&str>) -> Streams {
        match (task, source.task_stream(task.unwrap_or_default())) {
            (Some(_), Some(stream)) => Streams::Named(vec![stream]),
            _ => source
                .streams_prefix()
                .map_or(Streams::All, Streams::Prefix),
        }
    }

    fn audit(
        &self,
        caller: &Caller,
        kind: AuditKind,
        outcome: AuditOutcome,
        detail: String,
    ) -> AuditEntry {
        AuditEntry::new(caller, kind, outcome)
            .env(self.state.descriptor.id.as_str())
            .target(self.subject.audit_target())
            .detail(detail)
    }
}

/// The audit detail of a read: the group, the filter and the range.
fn read_detail(source: &LogSource, query: &LogQuery, what: &str) -> String {
    format!(
        "{what} {}{}, {} to {}{}",
        source.group,
        query
            .task
            .as_ref()
            .map(|t| format!(" (task {t})"))
            .unwrap_or_default(),
        query
            .from
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        query.to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        query
            .filter
            .as_ref()
            .map(|f| format!(", filter {}", f.as_str()))
            .unwrap_or_default()
    )
}

fn lines_word(n: usize) -> String {
    if n == 1 {
        "1 line".to_string()
    } else {
        format!("{n} lines")
    }
}

/// One read of `source` over `query`'s range, in `order` and at most `limit` lines, within the
/// environment's bounds; audited as `what` ("read", "downloaded") with the group, filter, range
/// and how many lines came back, or why none did.
async fn audited_events(
    caller: &Caller,
    services: &AppServices,
    t: &Target,
    source: &LogSource,
    query: &LogQuery,
    (order, limit): (crate::domain::logs::LogOrder, u32),
    what: &str,
) -> Result<Result<crate::domain::logs::LogPage, LogsFailure>, AppError> {
    let policy = t.policy();
    let request = LogRequest {
        group: source.group.clone(),
        streams: Target::streams(source, query.task.as_deref()),
        filter: query.filter.as_ref().map(|f| f.as_str().to_string()),
        from: query.from,
        to: query.to,
        order,
        limit,
        max_events: policy.max_events,
        timeout_secs: policy.query_timeout_secs,
    };
    let outcome = services.logs.events(&t.state.descriptor.id, &request).await;
    let (audited, detail) = match &outcome {
        Ok(page) => (
            AuditOutcome::Succeeded,
            format!(
                "{}: {}",
                read_detail(source, query, what),
                lines_word(page.events.len())
            ),
        ),
        Err(f) => (
            AuditOutcome::Failed,
            format!("{}: {f}", read_detail(source, query, what)),
        ),
    };
    services
        .audit
        .record(t.audit(caller, AuditKind::LogsRead, audited, detail))
        .await
        .context("recording a logs read")?;
    Ok(outcome)
}

/// A page of a service's or a job's logs, or of its Logs Insights query when `insights` holds
/// one.
#[allow(clippy::too_many_arguments)]
pub async fn read(
    caller: &Caller,
    services: &AppServices,
    env: &str,
    subject: &LogSubject,
    params: &LogParams,
    insights: Option<&str>,
    now: DateTime<Utc>,
) -> Result<LogsView, AppError> {
    let t = target(caller, services, env, subject).await?;
    let policy = t.policy().clone();
    let mut view = LogsView {
        generated_at: now,
        card: t.state.data().card(now),
        subject: t.subject.clone(),
        sources: t.sources.clone(),
        elsewhere: t.elsewhere.clone(),
        source: None,
        query: None,
        typed: params.clone(),
        invalid: None,
        lines: Vec::new(),
        more: false,
        failure: None,
        task: None,
        run: None,
        insights: None,
        max_range_secs: policy.max_range_secs,
        query_timeout_secs: policy.query_timeout_secs,
    };
    if let Some(id) = params.task.as_deref().map(str::trim) {
        let details = t.state.details.as_deref();
        match &t.subject {
            LogSubject::Service { cluster, service } => {
                view.task = find_task(details, cluster, service, id);
            }
            LogSubject::Job { key } => {
                view.run = details.and_then(|d| {
                    d.jobs
                        .runs_of(key)
                        .iter()
                        .find(|r| r.task_id() == Some(id))
                        .cloned()
                });
            }
        }
    }
    let query = match LogQuery::parse(params, &policy, now) {
        Ok(q) => q,
        Err(why) => {
            view.invalid = Some(why);
            return Ok(view);
        }
    };
    let insights = match insights.map(InsightsQuery::parse).transpose() {
        Ok(q) => q.flatten(),
        Err(why) => {
            view.invalid = Some(why);
            view.query = Some(query);
            return Ok(view);
        }
    };
    let source = match t.source(&query) {
        Ok(s) => s,
        Err(AppError::Invalid(why)) => {
            view.invalid = Some(why);
            view.query = Some(query);
            return Ok(view);
        }
        Err(e) => return Err(e),
    };
    view.source = source.clone();
    let Some(source) = source else {
        view.query = Some(query);
        return Ok(view);
    };
    if let Some(insights) = insights {
        let outcome = services
            .logs
            .insights(
                &t.state.descriptor.id,
                std::slice::from_ref(&source.group),
                insights.as_str(),
                query.from,
                query.to,
                query.limit,
                policy.query_timeout_secs,
            )
            .await;
        let detail = format!(
            "{}: {}",
            read_detail(&source, &query, "Logs Insights on"),
            insights.as_str()
        );
        let audited = match &outcome {
            Ok(_) => AuditOutcome::Succeeded,
            Err(_) => AuditOutcome::Failed,
        };
        services
            .audit
            .record(t.audit(caller, AuditKind::LogsQuery, audited, detail))
            .await
            .context("recording a logs query")?;
        let (result, failure) = match outcome {
            Ok(r) => (Some(r), None),
            Err(f) => (None, Some(f.to_string())),
        };
        view.insights = Some(InsightsView {
            query: insights.as_str().to_string(),
            result,
            failure,
        });
        view.query = Some(query);
        return Ok(view);
    }
    let outcome = audited_events(
        caller,
        services,
        &t,
        &source,
        &query,
        (query.order, query.limit),
        "read",
    )
    .await?;
    match outcome {
        Ok(page) => {
            view.lines = lines(&page.events, query.order);
            view.more = page.more;
        }
        Err(f) => view.failure = Some(f.to_string()),
    }
    view.query = Some(query);
    Ok(view)
}

/// The text of a range, oldest first, at most the environment's `max_events` lines: the file
/// name and the body. An address that is not valid is refused with why.
pub async fn download(
    caller: &Caller,
    services: &AppServices,
    env: &str,
    subject: &LogSubject,
    params: &LogParams,
    now: DateTime<Utc>,
) -> Result<(String, String), AppError> {
    let t = target(caller, services, env, subject).await?;
    let policy = t.policy().clone();
    let query = LogQuery::parse(params, &policy, now).map_err(AppError::Invalid)?;
    let source = t.required_source(&query)?;
    let outcome = audited_events(
        caller,
        services,
        &t,
        &source,
        &query,
        (crate::domain::logs::LogOrder::Oldest, policy.max_events),
        "downloaded",
    )
    .await?;
    let env_id = t.state.descriptor.id.to_string();
    let page = outcome.map_err(|f| match f {
        LogsFailure::NoGroup { .. } => AppError::NotFound(f.to_string()),
        other => AppError::Upstream {
            env: env_id.clone(),
            message: other.to_string(),
        },
    })?;
    let mut body = download_text(
        &t.state.descriptor.id,
        t.subject.name(),
        &query,
        &page.events,
    );
    if page.more {
        body.push_str(&format!(
            "# cut at {} lines (the most one download reads here): narrow the range for the rest\n",
            policy.max_events
        ));
    }
    let name = format!(
        "{}-{}-{}.log",
        t.state.descriptor.id,
        t.subject.name(),
        query.from.format("%Y%m%dT%H%M%SZ")
    );
    Ok((name, body))
}

/// What following a service's or a job's logs polls, checked and audited once when someone starts.
pub async fn follow(
    caller: &Caller,
    services: &AppServices,
    env: &str,
    subject: &LogSubject,
    params: &LogParams,
    now: DateTime<Utc>,
) -> Result<FollowKey, AppError> {
    let t = target(caller, services, env, subject).await?;
    // The range does not matter to a follower; the filter, task and container are checked as a
    // page's are.
    let query = LogQuery::parse(params, t.policy(), now).map_err(AppError::Invalid)?;
    let source = t.required_source(&query)?;
    let task = query.task.as_deref();
    let key = FollowKey {
        env: t.state.descriptor.id.clone(),
        group: source.group.clone(),
        streams: Target::streams(&source, task),
        filter: query.filter.as_ref().map(|f| f.as_str().to_string()),
    };
    let detail = format!(
        "followed {}{}{}",
        source.group,
        task.map(|t| format!(" (task {t})")).unwrap_or_default(),
        key.filter
            .as_ref()
            .map(|f| format!(", filter {f}"))
            .unwrap_or_default()
    );
    services
        .audit
        .record(t.audit(
            caller,
            AuditKind::LogsFollow,
            AuditOutcome::Succeeded,
            detail,
        ))
        .await
        .context("recording a logs follow")?;
    Ok(key)
}
