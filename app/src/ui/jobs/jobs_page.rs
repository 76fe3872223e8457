//! Every scheduled job across environments, optionally of one environment (`?env=`): failing
//! jobs first, each with its schedule in words, where its last due run stands, its last run and
//! its next.

use crate::api::jobs::list_jobs;
use crate::domain::format::{age_opt, utc_minute_opt};
use crate::domain::scheduled_jobs::{JobRun, JobTarget, JobVerdict, RunOutcome};
use crate::domain::views::{JobRow, JobsView};
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn JobsPage() -> impl IntoView {
    let query = use_query_map();
    let env = move || query.read().get("env").filter(|e| !e.is_empty());
    let data = Resource::new(move || (env(), refresh_tick()), |(env, _)| list_jobs(env));
    view! {
        <Title text="Scheduled jobs"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => jobs_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn jobs_page(view: JobsView) -> impl IntoView {
    let now = view.generated_at;
    let filter = env_filter_chips("/jobs", &view.envs, view.env_filter.as_ref(), now);
    let notes = detail_list_notes("scheduled jobs", "jobs-failed", &view.errors, &view.unread);
    let failing = view.rows.iter().filter(|r| r.verdict.is_bad()).count();
    let note = match failing {
        0 => format!(
            "{} job{}",
            view.rows.len(),
            crate::domain::format::plural(view.rows.len() as i64)
        ),
        n => format!(
            "{} job{}, {n} missed or failed their last run",
            view.rows.len(),
            crate::domain::format::plural(view.rows.len() as i64)
        ),
    };
    view! {
        <PageHeader title="Scheduled jobs" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        {filter}
        {notes}
        <Section title="Scheduled jobs: EventBridge rules and Scheduler schedules" note>
            {jobs_table(view.rows, view.env_filter.is_none(), now)}
        </Section>
    }
}

/// Why some of an environment's jobs are shown as last read.
#[component]
pub fn JobReadProblem(env: String, error: String) -> impl IntoView {
    view! { <ReadProblem what="scheduled jobs" env error testid="jobs-failed"/> }
}

/// The tone and words of a job's verdict; a job whose runs are not seen one by one (a
/// function's) says so rather than "no run seen".
pub fn verdict_badge(row: &JobRow) -> AnyView {
    let verdict = &row.verdict;
    let tracked = matches!(row.job.target, Some(JobTarget::Ecs(_)));
    if !tracked && *verdict == JobVerdict::Unknown {
        return view! { <Badge tone=Tone::Neutral text="runs not tracked"/> }.into_any();
    }
    let tone = match verdict {
        JobVerdict::Ok { .. } => Tone::Good,
        JobVerdict::Running { .. } => Tone::Info,
        JobVerdict::Failed { .. } | JobVerdict::Missed { .. } => Tone::Bad,
        JobVerdict::Disabled => Tone::Warn,
        JobVerdict::NotDueYet | JobVerdict::Unknown => Tone::Neutral,
    };
    view! { <Badge tone text=verdict.label()/> }.into_any()
}

/// A run in a few words: `succeeded 6 hours ago`, `failed: cleanup exited with code 1`.
pub fn run_words(run: &JobRun, now: DateTime<Utc>) -> String {
    let when = age_opt(now, Some(run.started_at));
    let how = match &run.outcome {
        RunOutcome::Running => "running".to_string(),
        RunOutcome::Succeeded => "succeeded".to_string(),
        RunOutcome::Failed(why) => format!("failed ({why})"),
    };
    let manual = if run.manual {
        ", run from the console"
    } else {
        ""
    };
    format!("started {when}, {how}{manual}")
}

/// The page of a job.
pub fn job_href(row: &JobRow) -> String {
    format!("/envs/{}/jobs/{}", row.env, row.job.key())
}

/// The jobs table of the jobs page and the app page.
pub fn jobs_table(rows: Vec<JobRow>, with_env: bool, now: DateTime<Utc>) -> AnyView {
    if rows.is_empty() {
        return view! { <Empty text="No scheduled jobs."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE data-testid="jobs-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Job"</th>
                    {with_env.then(|| view! { <th class=TH>"Env"</th> })}
                    <th class=TH>"App"</th>
                    <th class=TH>"Schedule"</th>
                    <th class=TH>"Runs"</th>
                    <th class=TH>"Last due run"</th>
                    <th class=TH>"Last run"</th>
                    <th class=TH>"Next run"</th>
                    <th class=TH>"Alarms"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let href = job_href(&r);
                        let highlight = if r.verdict.is_bad() { "bg-red-50 dark:bg-red-950/40" } else { "" };
                        let last = match (&r.last_run, &r.job.target) {
                            (Some(run), _) => run_words(run, now),
                            (None, Some(JobTarget::Ecs(_))) => "none seen".to_string(),
                            (None, _) => "—".to_string(),
                        };
                        let failed = r.failed_invocations.filter(|n| *n > 0.0).map(|n| view! {
                            <div class="mt-1"><Badge tone=Tone::Bad text=format!("{n:.0} failed invocations in 24 h")/></div>
                        });
                        let zone = (r.job.timezone != "UTC").then(|| format!(" ({})", r.job.timezone));
                        view! {
                            <tr class=format!("{TR} {highlight}")>
                                <td class=format!("{TD} whitespace-nowrap")>
                                    <a class=LINK href=href>{r.job.name.clone()}</a>
                                    <div class=format!("text-xs {MUTED}")>{r.job.kind_label()}</div>
                                </td>
                                {with_env.then(|| view! { <td class=TD>{r.env.to_string()}</td> })}
                                <td class=TD>{app_link(r.job.app.clone())}</td>
                                <td class=format!("{TD} text-xs")>
                                    <div>{r.schedule.clone()}{zone}</div>
                                    <div class=format!("font-mono {MUTED}")>{r.job.expression.clone()}</div>
                                </td>
                                <td class=format!("{TD} text-xs")>{r.job.target.as_ref().map(|t| t.describe()).unwrap_or_else(|| "no target".into())}</td>
                                <td class=TD>{verdict_badge(&r)}{failed}</td>
                                <td class=format!("{TD} text-xs")>{last}</td>
                                <td class=format!("{TD} whitespace-nowrap text-xs")>{utc_minute_opt(r.next_run)}</td>
                                <td class=TD>{firing_cell(r.alarms_firing)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
