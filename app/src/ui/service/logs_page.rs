//! Logs, of a service or of a scheduled job's runs: the query form (range, filter pattern,
//! order, container, lines), the lines newest first or from a point in time (wrapped, JSON
//! expandable, each naming its task), links to older or newer pages, a deep link and a download
//! of the range, following new lines as they come (with JavaScript), a stopped task's stop
//! reason and exit codes (or the job run's outcome) beside its last lines, and a Logs Insights
//! query box.

use crate::api::jobs::get_job_logs;
use crate::api::services::get_service_logs;
use crate::domain::format::{age, duration_words, utc_minute};
use crate::domain::logs::{
    parse_instant, LogLine, LogOrder, LogParams, DEFAULT_LIMIT, SINCE_CHOICES,
};
use crate::domain::scheduled_jobs::{route_job_key, RunOutcome};
use crate::domain::views::logs::LogSubject;
use crate::domain::views::LogsView;
use crate::error::AppError;
use crate::ui::components::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
const BUTTON: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

/// Whose logs a route shows, from its parameters.
#[derive(Clone, Copy)]
enum Route {
    Service,
    /// A rule's or a schedule's (`rule/:name`, `schedule/:group/:name`).
    Job,
}

/// The logs page of `route`: reads the address's query and renders the lines.
fn logs_route(route: Route) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    // Logs are read from AWS when asked for: the page re-reads on a new address only, never on
    // the layout's refresh tick.
    let data = Resource::new(
        move || {
            let p = params.read();
            let q = query.read();
            let get = |k: &str| q.get(k);
            let subject = match route {
                Route::Service => LogSubject::Service {
                    cluster: p.get("cluster").unwrap_or_default(),
                    service: p.get("service").unwrap_or_default(),
                },
                Route::Job => LogSubject::Job {
                    key: route_job_key(
                        p.get("group").as_deref(),
                        &p.get("name").unwrap_or_default(),
                    ),
                },
            };
            (
                (p.get("env").unwrap_or_default(), subject),
                LogParams {
                    since: get("since"),
                    from: get("from"),
                    to: get("to"),
                    filter: get("filter"),
                    order: get("order"),
                    task: get("task"),
                    container: get("container"),
                    limit: get("limit"),
                },
                get("insights"),
            )
        },
        |((env, subject), params, insights)| read_logs(env, subject, params, insights),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => logs_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

async fn read_logs(
    env: String,
    subject: LogSubject,
    params: LogParams,
    insights: Option<String>,
) -> Result<LogsView, AppError> {
    match subject {
        LogSubject::Service { cluster, service } => {
            get_service_logs(env, cluster, service, Some(params), insights).await
        }
        LogSubject::Job { key } => get_job_logs(env, key, Some(params), insights).await,
    }
}

/// A service's logs.
#[component]
pub fn LogsPage() -> impl IntoView {
    logs_route(Route::Service)
}

/// The logs of a scheduled job's runs, from either of its routes.
#[component]
pub fn JobLogsPage() -> impl IntoView {
    logs_route(Route::Job)
}

fn logs_page(view: LogsView) -> impl IntoView {
    let now = view.generated_at;
    let env = view.card.descriptor.id.to_string();
    let path = view.subject_path();
    let name = view.subject.name().to_string();
    let mut crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        (view.card.descriptor.name.clone(), format!("/envs/{env}")),
    ];
    let title = match &view.subject {
        LogSubject::Service { .. } => format!("Logs of {name}"),
        LogSubject::Job { .. } => {
            crumbs.push(("Jobs".to_string(), format!("/jobs?env={env}")));
            format!("Run logs of {name}")
        }
    };
    crumbs.push((name.clone(), path.clone()));
    let heading = view! { <EnvHeading card=view.card.clone() now/> };
    let form = query_form(&view, &path);
    let sources = sources_note(&view);
    let task = task_panel(&view, now).or_else(|| run_panel(&view, now));
    let banner = view
        .invalid
        .clone()
        .map(|why| view! { <p class=WARN_BANNER data-testid="logs-invalid">{why}</p> });
    let failure = view
        .failure
        .clone()
        .map(|why| view! { <p class=WARN_BANNER data-testid="logs-failure">{why}</p> });
    let insights = insights_section(&view, &path);
    let body = match (&view.query, &view.insights) {
        (Some(_), Some(_)) | (None, _) => None,
        (Some(query), None) => Some(lines_section(&view, query, &path)),
    };
    view! {
        <Title text=format!("Logs · {name}")/>
        <PageHeader title crumbs>{heading}</PageHeader>
        {sources}
        {banner}
        {form}
        {task}
        {failure}
        {body}
        {insights}
    }
}

const WARN_BANNER: &str = "mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100";

fn sources_note(view: &LogsView) -> AnyView {
    if view.sources.is_empty() {
        let text = if view.elsewhere.is_empty() {
            match view.subject {
                LogSubject::Service { .. } => "The service's task definition has not been read yet, so where it logs is unknown.",
                LogSubject::Job { .. } => "The task definition this job starts has not been described yet (the next details cycle reads it), so where its runs log is unknown.",
            }
            .to_string()
        } else {
            format!("{}.", view.elsewhere.join("; "))
        };
        return view! { <p class=WARN_BANNER data-testid="logs-elsewhere">{text}</p> }.into_any();
    }
    let shown = view.source.clone();
    let text = shown
        .map(|s| {
            format!(
                "{} logs to CloudWatch Logs group {}{}.",
                s.container,
                s.group,
                s.streams_prefix()
                    .map(|p| format!(", streams {p}<task id>"))
                    .unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let others = (!view.elsewhere.is_empty()).then(|| format!(" {}.", view.elsewhere.join("; ")));
    let shared = (matches!(view.subject, LogSubject::Job { .. })
        && view.source.as_ref().is_some_and(|s| s.stream_prefix.is_none()))
    .then_some(
        " The group holds every invocation's lines, not only this job's: narrow the range to a run.",
    );
    view! {
        <p class=format!("mb-3 text-sm {MUTED}") data-testid="logs-source">{text}{others}{shared}</p>
    }
    .into_any()
}

fn query_form(view: &LogsView, path: &str) -> AnyView {
    let typed = view.typed.clone();
    let since_now = typed
        .since
        .clone()
        .filter(|_| typed.from.is_none())
        .or_else(|| (typed.from.is_none() && typed.to.is_none()).then(|| "1h".to_string()));
    // A range given by its start (and end) shows as such, not as the first relative choice.
    let custom = since_now.is_none().then(|| {
        view! { <option value="" selected=true>"from the times given"</option> }
    });
    let since_options = SINCE_CHOICES
        .iter()
        .map(|s| {
            let selected = since_now.as_deref() == Some(*s);
            view! { <option value=*s selected=selected>{format!("last {}", s)}</option> }
        })
        .collect_view();
    // `datetime-local` inputs take `2026-12-07T06:40:00`; the address may hold RFC 3339.
    let local = |typed: &Option<String>| {
        typed
            .as_deref()
            .map(|t| match parse_instant(t) {
                Some(at) => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                None => t.to_string(),
            })
            .unwrap_or_default()
    };
    let (from_value, to_value) = (local(&typed.from), local(&typed.to));
    let order = typed.order.clone().unwrap_or_else(|| "newest".into());
    let containers = (view.sources.len() > 1).then(|| {
        let chosen = view.source.as_ref().map(|s| s.container.clone());
        let options = view
            .sources
            .iter()
            .map(|s| {
                let selected = chosen.as_deref() == Some(s.container.as_str());
                view! { <option value=s.container.clone() selected=selected>{s.container.clone()}</option> }
            })
            .collect_view();
        view! {
            <label class="flex flex-col gap-1 text-xs font-medium">"Container"
                <select name="container" class=INPUT>{options}</select>
            </label>
        }
    });
    let limit = typed
        .limit
        .clone()
        .unwrap_or_else(|| DEFAULT_LIMIT.to_string());
    let limit_options = ["50", "200", "500", "1000"]
        .iter()
        .map(|n| view! { <option value=*n selected=limit == *n>{format!("{n} lines")}</option> })
        .collect_view();
    let task = typed
        .task
        .clone()
        .map(|t| view! { <input type="hidden" name="task" value=t/> });
    let links = view.query.as_ref().map(|q| {
        let link = q.href(path);
        let download = q.download_href(path);
        view! {
            <div class="flex flex-wrap items-center gap-3 text-sm">
                <a class=LINK href=link data-testid="logs-link">"Link to this view"</a>
                <a class=LINK href=download download="" data-testid="logs-download">"Download the range (.log)"</a>
            </div>
        }
    });
    let bounds = format!(
        "One query covers at most {} and is cancelled after {} s. Times are UTC.",
        duration_words(view.max_range_secs),
        view.query_timeout_secs
    );
    view! {
        <form method="get" action=format!("{path}/logs") class=format!("{CARD} mb-4 space-y-3 p-3") data-testid="logs-form">
            <div class="flex flex-wrap items-end gap-3">
                <label class="flex flex-col gap-1 text-xs font-medium">"Range"
                    <select name="since" class=INPUT>{custom}{since_options}</select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"or from (UTC)"
                    <input type="datetime-local" name="from" class=INPUT step="1" value=from_value/>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"to (UTC)"
                    <input type="datetime-local" name="to" class=INPUT step="1" value=to_value/>
                </label>
                <label class="flex min-w-[16rem] flex-1 flex-col gap-1 text-xs font-medium">"Filter pattern"
                    <input type="text" name="filter" class=format!("{INPUT} font-mono") maxlength="1024"
                        placeholder="ERROR · \"timed out\" · { $.level = \"error\" }"
                        value=typed.filter.clone().unwrap_or_default()/>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"Order"
                    <select name="order" class=INPUT>
                        <option value="newest" selected=order == "newest">"Newest first"</option>
                        <option value="oldest" selected=order == "oldest">"From the start"</option>
                    </select>
                </label>
                {containers}
                <label class="flex flex-col gap-1 text-xs font-medium">"Show"
                    <select name="limit" class=INPUT>{limit_options}</select>
                </label>
                {task}
                <button type="submit" class=BUTTON>"Show logs"</button>
            </div>
            <p class=format!("text-xs {MUTED}")>{bounds}" A start time overrides the range."</p>
            {links}
        </form>
    }
    .into_any()
}

fn task_panel(view: &LogsView, now: chrono::DateTime<chrono::Utc>) -> Option<AnyView> {
    let t = view.task.clone()?;
    let stopped = t.desired_status == "STOPPED" || t.last_status == "STOPPED";
    let exits = t
        .exits
        .iter()
        .map(|c| {
            let code = c
                .exit_code
                .map(|e| format!("exit {e}"))
                .unwrap_or_else(|| "no exit code".into());
            let text = match &c.reason {
                Some(reason) => format!("{}: {code} ({reason})", c.name),
                None => format!("{}: {code}", c.name),
            };
            view! { <li class="font-mono text-xs">{text}</li> }
        })
        .collect_view();
    let title = if stopped {
        format!("Task {} stopped", t.short_id())
    } else {
        format!("Task {}", t.short_id())
    };
    let when = match (stopped, t.stopped_at, t.started_at) {
        (true, Some(at), _) => format!("stopped {}", age(now, at)),
        (_, _, Some(at)) => format!("started {}", age(now, at)),
        _ => String::new(),
    };
    Some(
        view! {
            <section class=format!("{CARD} mb-4 p-3 text-sm") data-testid="log-task">
                <h2 class="font-semibold">{title}</h2>
                <p class=MUTED>{[crate::domain::inventory::revision_label_from_arn(&t.task_definition_arn), t.last_status.clone(), when]
                    .into_iter()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ")}</p>
                {stopped.then(|| view! {
                    <dl class="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-3">
                        <div><dt class=format!("text-xs {MUTED}")>"Stop code"</dt><dd class="font-mono text-xs">{t.stop_code.clone().unwrap_or_else(|| "—".into())}</dd></div>
                        <div class="sm:col-span-2"><dt class=format!("text-xs {MUTED}")>"Reason"</dt><dd class="break-words">{t.stopped_reason.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "—".into())}</dd></div>
                    </dl>
                    <ul class="mt-2 space-y-0.5">{exits}</ul>
                })}
            </section>
        }
        .into_any(),
    )
}

/// The job run the page is narrowed to: when it started, how it ended and how long it ran.
fn run_panel(view: &LogsView, now: chrono::DateTime<chrono::Utc>) -> Option<AnyView> {
    let run = view.run.clone()?;
    let (tone, word, why) = match &run.outcome {
        RunOutcome::Running => (Tone::Info, "running", None),
        RunOutcome::Succeeded => (Tone::Good, "succeeded", None),
        RunOutcome::Failed(why) => (Tone::Bad, "failed", Some(why.clone())),
    };
    let ran = run
        .duration(now)
        .map(|d| format!("ran for {}", duration_words(d.num_seconds().max(0))))
        .unwrap_or_default();
    let started = format!(
        "{} {} ({}), started {}",
        if run.start_estimated {
            "first seen"
        } else {
            "started"
        },
        utc_minute(run.started_at),
        age(now, run.started_at),
        if run.manual {
            "from the console"
        } else {
            "by its schedule"
        }
    );
    let estimated = run.start_estimated.then(|| {
        view! {
            <p class=format!("mt-1 text-xs {MUTED}")>"ECS gave no start time: the run began before the console first saw it, so its first lines may come earlier."</p>
        }
    });
    let title = format!("Run {}", run.task_id().unwrap_or("—"));
    Some(
        view! {
            <section class=format!("{CARD} mb-4 p-3 text-sm") data-testid="log-run">
                <h2 class="flex items-center gap-2 font-semibold">{title}<Badge tone text=word/></h2>
                <p class=MUTED>{[started, ran].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ")}</p>
                {why.map(|why| view! { <p class="mt-1 break-words">{why}</p> })}
                {estimated}
            </section>
        }
        .into_any(),
    )
}

fn level_class(line: &LogLine) -> &'static str {
    use crate::domain::logs::Level;
    match line.level {
        Some(Level::Error) => "border-l-2 border-red-500 bg-red-50/60 dark:bg-red-950/30",
        Some(Level::Warn) => "border-l-2 border-amber-400 bg-amber-50/60 dark:bg-amber-950/20",
        _ => "border-l-2 border-transparent",
    }
}

/// One line: its time, task and message, wrapped; a JSON message opens to its indented form.
fn line_view(line: LogLine, path: &str) -> impl IntoView {
    let time = line.at.format("%Y-%m-%d %H:%M:%S%.3f").to_string();
    let task = line.task.clone().map(|t| {
        let href = format!("{path}/logs?task={t}");
        let short: String = t.chars().take(8).collect();
        view! { <a class=format!("{LINK} font-mono text-xs") href=href title=t>{short}</a> }
    });
    let message = match line.json.clone() {
        Some(pretty) => view! {
            <details class="min-w-0">
                <summary class="cursor-pointer whitespace-pre-wrap break-all font-mono text-xs">{line.message.clone()}</summary>
                <pre class="mt-1 overflow-x-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800" data-testid="log-json">{pretty}</pre>
            </details>
        }
        .into_any(),
        None => view! {
            <pre class="min-w-0 whitespace-pre-wrap break-all font-mono text-xs">{line.message.clone()}</pre>
        }
        .into_any(),
    };
    view! {
        <li class=format!("flex items-baseline gap-3 px-3 py-1 {}", level_class(&line)) data-testid="log-line" data-level=line.level.map(|l| l.as_str()).unwrap_or("")>
            <span class=format!("w-44 shrink-0 font-mono text-xs {MUTED}") title="UTC">{time}</span>
            <span class="w-20 shrink-0">{task}</span>
            {message}
        </li>
    }
}

fn lines_section(view: &LogsView, query: &crate::domain::logs::LogQuery, path: &str) -> AnyView {
    let count = view.lines.len();
    let note = match (query.order, view.more) {
        (LogOrder::NewestFirst, true) => {
            format!("the newest {count} lines of the range, newest first")
        }
        (LogOrder::NewestFirst, false) => format!("{count} lines, newest first"),
        (LogOrder::Oldest, true) => format!("the first {count} lines of the range, oldest first"),
        (LogOrder::Oldest, false) => format!("{count} lines, oldest first"),
    };
    let older = (view.more && query.order == LogOrder::NewestFirst)
        .then(|| view.lines.last().map(|l| query.older_than(l.at).href(path)))
        .flatten();
    let newer = (view.more && query.order == LogOrder::Oldest)
        .then(|| view.lines.last().map(|l| query.newer_than(l.at).href(path)))
        .flatten();
    let pager = (older.is_some() || newer.is_some()).then(|| {
        view! {
            <div class="flex gap-4 border-t border-slate-200 px-3 py-2 text-sm dark:border-slate-800" data-testid="logs-pager">
                {older.map(|h| view! { <a class=LINK href=h>"Older lines →"</a> })}
                {newer.map(|h| view! { <a class=LINK href=h>"Later lines →"</a> })}
            </div>
        }
    });
    let follow_params = {
        let mut p: Vec<String> = Vec::new();
        if let Some(f) = &query.filter {
            p.push(format!(
                "filter={}",
                crate::domain::alarm_filter::encode(f.as_str())
            ));
        }
        if let Some(t) = &query.task {
            p.push(format!("task={t}"));
        }
        if let Some(c) = &query.container {
            p.push(format!(
                "container={}",
                crate::domain::alarm_filter::encode(c)
            ));
        }
        format!("{path}/logs/follow?{}", p.join("&"))
    };
    // A stopped task writes no more lines: nothing to follow.
    let stopped = view
        .task
        .as_ref()
        .is_some_and(|t| t.desired_status == "STOPPED" || t.last_status == "STOPPED")
        || view
            .run
            .as_ref()
            .is_some_and(|r| !matches!(r.outcome, RunOutcome::Running));
    let follow = (query.order == LogOrder::NewestFirst && query.since.is_some() && !stopped)
        .then(|| view! { <Follow url=follow_params path=path.to_string()/> });
    let path = path.to_string();
    let list = if view.lines.is_empty() {
        let text = if view.failure.is_some() {
            "No lines could be read."
        } else {
            "No lines in this range match."
        };
        view! { <Empty text=text/> }.into_any()
    } else {
        view! {
            <ol class="divide-y divide-slate-100 dark:divide-slate-800" data-testid="log-lines">
                {view.lines.clone().into_iter().map(|l| line_view(l, &path)).collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <Section title="Lines" note=note>
            {follow}
            {list}
            {pager}
        </Section>
    }
    .into_any()
}

/// Following: with JavaScript, new lines arrive over server-sent events and are put on top;
/// without it, the button is hidden and the page's links reload the newest lines.
#[component]
fn Follow(url: String, path: String) -> impl IntoView {
    let (on, set_on) = signal(false);
    let (hydrated, set_hydrated) = signal(false);
    let fresh: RwSignal<Vec<LogLine>> = RwSignal::new(Vec::new());
    Effect::new(move |_| set_hydrated.set(true));
    #[cfg(feature = "hydrate")]
    {
        let source: StoredValue<Option<web_sys::EventSource>, LocalStorage> =
            StoredValue::new_local(None);
        let url = url.clone();
        Effect::new(move |_| {
            let want = on.get();
            source.update_value(|current| {
                if let Some(open) = current.take() {
                    open.close();
                }
                if want {
                    *current = open_follow(&url, fresh);
                }
            });
        });
        on_cleanup(move || {
            source.update_value(|current| {
                if let Some(open) = current.take() {
                    open.close();
                }
            })
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = &url;
    let label = move || {
        if on.get() {
            "Stop following"
        } else {
            "Follow new lines"
        }
    };
    view! {
        <div class="flex items-center gap-3 border-b border-slate-200 px-3 py-2 text-sm dark:border-slate-800" hidden=move || !hydrated.get()>
            <button type="button" class=BUTTON data-testid="logs-follow" on:click=move |_| set_on.update(|v| *v = !*v)>{label}</button>
            <span class=MUTED data-testid="logs-follow-state">{move || if on.get() { "following: new lines appear on top as they come" } else { "" }}</span>
        </div>
        <ol class="divide-y divide-slate-100 dark:divide-slate-800" data-testid="log-lines-followed">
            {move || fresh.get().into_iter().map(|l| line_view(l, &path)).collect_view()}
        </ol>
    }
}

/// Opens the follow stream; each `lines` event's lines go on top of `fresh`, newest first.
#[cfg(feature = "hydrate")]
fn open_follow(url: &str, fresh: RwSignal<Vec<LogLine>>) -> Option<web_sys::EventSource> {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let source = web_sys::EventSource::new(url).ok()?;
    let on_lines =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            let Ok(mut lines) = serde_json::from_str::<Vec<LogLine>>(&text) else {
                return;
            };
            lines.reverse();
            fresh.update(|shown| {
                lines.append(shown);
                lines.truncate(2000);
                *shown = lines;
            });
        });
    let _ = source.add_event_listener_with_callback("lines", on_lines.as_ref().unchecked_ref());
    // The closure lives as long as the page; the stream is closed when following stops.
    on_lines.forget();
    Some(source)
}

fn insights_section(view: &LogsView, path: &str) -> AnyView {
    let typed = view
        .insights
        .as_ref()
        .map(|i| i.query.clone())
        .unwrap_or_else(|| {
            "fields @timestamp, @message\n| sort @timestamp desc\n| limit 50".to_string()
        });
    let since = view.typed.since.clone().unwrap_or_else(|| "1h".into());
    let result = view.insights.as_ref().map(|i| match (&i.result, &i.failure) {
        (_, Some(why)) => view! { <p class=WARN_BANNER data-testid="insights-failure">{why.clone()}</p> }.into_any(),
        (Some(r), None) if r.rows.is_empty() => view! { <Empty text="The query matched nothing in the range."/> }.into_any(),
        (Some(r), None) => view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="insights-table">
                <thead class=THEAD><tr>{r.fields.iter().map(|f| view! { <th class=TH>{f.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {r.rows.iter().map(|row| view! {
                        <tr class=TR>{row.iter().map(|v| view! { <td class=format!("{TD} whitespace-pre-wrap break-all font-mono text-xs")>{v.clone()}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        }.into_any(),
        (None, None) => view! { <Empty text="No results."/> }.into_any(),
    });
    let action = format!("{path}/logs");
    view! {
        <Section title="Logs Insights" note="fields, filter, sort, limit and stats on real AWS; the demo's emulator runs fields, sort and limit only">
            <form method="get" action=action class="space-y-2 p-3" data-testid="insights-form">
                <input type="hidden" name="since" value=since/>
                <textarea name="insights" rows="3" maxlength="10000" class=format!("{INPUT} w-full font-mono")>{typed}</textarea>
                <button type="submit" class=BUTTON>"Run query"</button>
            </form>
            {result}
        </Section>
    }
    .into_any()
}
