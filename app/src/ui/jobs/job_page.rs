//! One scheduled job: its schedule in words with its time zone and next runs, where its last
//! due run stands, every run kept with how it ended, what it runs, its EventBridge metrics and
//! the alarms that watch it.

use super::jobs_page::{verdict_badge, JobReadProblem};
use crate::api::actions::{RunJob, SetJobState};
use crate::api::jobs::get_job;
use crate::domain::actions::ActionKind;
use crate::domain::format::{age_opt, duration_words, utc_minute, utc_minute_opt};
use crate::domain::job_actions::plan_run;
use crate::domain::scheduled_jobs::{route_job_key, EcsJobTarget, JobTarget, RunOutcome};
use crate::domain::views::jobs::run_logs_href;
use crate::domain::views::JobView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::watching_alarms;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The job page's action forms, made once outside its `Transition`.
#[derive(Clone, Copy)]
struct JobForms {
    run: Submit<RunJob>,
    state: Submit<SetJobState>,
}

/// A job's page, from either of its routes: `rule/:name` or `schedule/:group/:name`.
#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        let name = p.get("name").unwrap_or_default();
        let key = route_job_key(p.get("group").as_deref(), &name);
        (p.get("env").unwrap_or_default(), key)
    };
    let query = use_query_map();
    let outcome = move || ReviewQuery::from_query(&query.read());
    let forms = JobForms {
        run: Submit::new(),
        state: Submit::new(),
    };
    let data = Resource::new(
        move || {
            (
                key(),
                outcome(),
                refresh_tick(),
                (
                    forms.run.action.version().get(),
                    forms.state.action.version().get(),
                ),
            )
        },
        |((env, key), outcome, _, _)| async move { get_job(env, key).await.map(|v| (v, outcome)) },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((view, outcome)) => job_page(view, outcome, forms).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn ecs_target(env: &str, t: &EcsJobTarget) -> AnyView {
    let td = t
        .task_definition
        .rsplit('/')
        .next()
        .unwrap_or(&t.task_definition)
        .to_string();
    let placement = match (&t.launch_type, t.capacity_providers.is_empty()) {
        (Some(l), _) => l.clone(),
        (None, false) => t
            .capacity_providers
            .iter()
            .map(|(name, weight, base)| format!("{name} (weight {weight}, base {base})"))
            .collect::<Vec<_>>()
            .join(", "),
        (None, true) => "the cluster's default capacity provider".into(),
    };
    let network = if t.subnets.is_empty() {
        "no awsvpc configuration".to_string()
    } else {
        format!(
            "subnets {}; security groups {}; public IP {}",
            t.subnets.join(", "),
            if t.security_groups.is_empty() {
                "none".to_string()
            } else {
                t.security_groups.join(", ")
            },
            if t.assign_public_ip { "yes" } else { "no" }
        )
    };
    let cluster = t.cluster.clone();
    let cluster_stat = cluster.clone();
    let count = t.count.to_string();
    let group = t
        .group
        .clone()
        .unwrap_or_else(|| "the family's default".into());
    let env = env.to_string();
    view! {
        <dl class="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2" data-testid="job-target">
            <Stat label="Cluster"><a class=LINK href=format!("/envs/{env}")>{cluster_stat}</a></Stat>
            <Stat label="Task definition"><span class="font-mono text-xs">{td}</span></Stat>
            <Stat label="Tasks per run">{count}</Stat>
            <Stat label="Launch">{placement}</Stat>
            <Stat label="Task group">{group}</Stat>
            // Subnets and groups are long: they wrap, where a stat would cut them.
            <div class="min-w-0 sm:col-span-2">
                <dt class=format!("text-xs {MUTED}")>"Network"</dt>
                <dd class="mt-0.5 break-all text-xs">{network}</dd>
            </div>
            {t.input.clone().map(|input| view! {
                <div class="min-w-0 sm:col-span-2">
                    <dt class=format!("text-xs {MUTED}")>"Overrides (target input)"</dt>
                    <dd class="mt-0.5"><pre class="whitespace-pre-wrap break-all font-mono text-xs">{input}</pre></dd>
                </div>
            })}
        </dl>
        <p class=format!("mt-3 text-xs {MUTED}")>
            "Its runs are the tasks ECS lists in cluster "{cluster}" as started by this job."
        </p>
    }
    .into_any()
}

/// What the person may do to the job — run it now, enable or disable it — and its recent
/// actions; where it cannot be run from here, why.
fn actions_section(view: &JobView, forms: JobForms) -> Option<AnyView> {
    let panel = view.actions.clone()?;
    let env = view.card.descriptor.id.to_string();
    let job = &view.row.job;
    let key = job.key();
    let run = panel.allows(ActionKind::RunJob).then(|| match plan_run(job) {
        Ok(_) => {
            let what = job
                .target
                .as_ref()
                .map(|t| t.describe())
                .unwrap_or_default();
            let form = view! { <RunJobForm action=forms.run env=env.clone() job=key.clone() name=job.name.clone() what panel=panel.clone()/> };
            action_group("Run now".into(), form.into_any())
        }
        Err(why) => action_group(
            "Run now".into(),
            view! { <p class=format!("text-sm {MUTED}") data-testid="run-job-unavailable">{format!("Not offered here: {why}.")}</p> }.into_any(),
        ),
    });
    let switch = panel
        .allows(if job.enabled {
            ActionKind::DisableJob
        } else {
            ActionKind::EnableJob
        })
        .then(|| {
            let form = view! { <JobStateForm action=forms.state env=env.clone() job=key.clone() name=job.name.clone() enabled=job.enabled panel=panel.clone()/> };
            action_group(if job.enabled { "Disable".into() } else { "Enable".into() }, form.into_any())
        });
    let forms = view! { {run}{switch} }.into_any();
    Some(action_sections(&panel, forms, view.generated_at))
}

fn job_page(view: JobView, outcome: ReviewQuery, forms: JobForms) -> impl IntoView {
    let banner = panel_outcome(&outcome, view.actions.as_ref());
    let actions = actions_section(&view, forms);
    let now = view.generated_at;
    let env = view.card.descriptor.id.clone();
    let job = view.row.job.clone();
    let tz = job.tz();
    let crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        (view.card.descriptor.name.clone(), format!("/envs/{env}")),
        ("Scheduled jobs".to_string(), format!("/jobs?env={env}")),
    ];
    let heading = view! { <EnvHeading card=view.card.clone() now/> };
    let problem = view
        .read_error
        .clone()
        .map(|error| view! { <JobReadProblem env=env.to_string() error/> });
    let state = if job.enabled {
        view! { <Badge tone=Tone::Good text="enabled"/> }.into_any()
    } else {
        view! { <Badge tone=Tone::Warn text="disabled"/> }.into_any()
    };
    let next = if view.next_runs.is_empty() {
        let why = if job.enabled {
            "No coming run: the schedule has ended, or a rate has no start to count from."
        } else {
            "Disabled: it will not run until it is enabled."
        };
        view! { <Empty text=why/> }.into_any()
    } else {
        view! {
            <ol class="space-y-1 text-sm" data-testid="next-runs">
                {view.next_runs.iter().map(|t| {
                    let local = (job.timezone != "UTC").then(|| {
                        format!(" · {}", t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z"))
                    });
                    view! {
                        <li class="tabular-nums">{utc_minute(*t)}<span class=MUTED>{local}</span>
                            <span class=format!("ml-2 text-xs {MUTED}")>{format!("in {}", age_opt(*t, Some(now)).trim_end_matches(" ago"))}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }
        .into_any()
    };
    let ecs = matches!(job.target, Some(JobTarget::Ecs(_)));
    let key = job.key();
    let logs_href = format!("/envs/{env}/jobs/{key}/logs");
    let logs_link = match &job.target {
        Some(JobTarget::Ecs(_)) => Some(view! {
            <p class="mb-2 text-sm"><a class=LINK href=logs_href data-testid="job-logs">"Every run's logs"</a>
                <span class=format!("ml-2 text-xs {MUTED}")>"or a run's own, from its task below"</span></p>
        }.into_any()),
        Some(JobTarget::Lambda { .. }) => Some(view! {
            <p class="mb-2 text-sm"><a class=LINK href=logs_href data-testid="job-logs">"The function's logs"</a>
                <span class=format!("ml-2 text-xs {MUTED}")>"every invocation's, not only this job's"</span></p>
        }.into_any()),
        _ => None,
    };
    let watched = view.watched_since.filter(|_| ecs).map(|t| {
        format!(
            "watched since {}: runs that ended more than an hour before are not known",
            utc_minute(t)
        )
    });
    let runs = if view.runs.is_empty() {
        let text = match &job.target {
            Some(JobTarget::Ecs(_)) => "No run seen yet.",
            Some(JobTarget::Lambda { .. }) => {
                "A function's runs are not seen one by one: its invocations and errors are charted below."
            }
            _ => "This target's runs are not seen from here.",
        };
        view! { <Empty text/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="runs-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Started"</th><th class=TH>"Outcome"</th><th class=TH>"Ran for"</th>
                    <th class=TH>"Started by"</th><th class=TH>"Task"</th>
                </tr></thead>
                <tbody>
                    {view.runs.iter().map(|r| {
                        let outcome = match &r.outcome {
                            RunOutcome::Running => view! { <Badge tone=Tone::Info text="running"/> }.into_any(),
                            RunOutcome::Succeeded => view! { <Badge tone=Tone::Good text="succeeded"/> }.into_any(),
                            RunOutcome::Failed(why) => view! {
                                <Badge tone=Tone::Bad text="failed"/>" "<span class="text-xs">{why.clone()}</span>
                            }.into_any(),
                        };
                        let ran = r
                            .duration(now)
                            .map(|d| duration_words(d.num_seconds().max(0)))
                            .unwrap_or_else(|| "—".into());
                        let estimated = r.start_estimated.then(|| view! {
                            <span class=format!("ml-1 text-xs {MUTED}") title="ECS gave no start time: when the console first saw the task">"(first seen)"</span>
                        });
                        view! {
                            <tr class=TR>
                                <td class=format!("{TD} whitespace-nowrap tabular-nums")>{utc_minute(r.started_at)}{estimated}
                                    <span class=format!("ml-2 text-xs {MUTED}")>{age_opt(now, Some(r.started_at))}</span></td>
                                <td class=TD>{outcome}</td>
                                <td class=format!("{TD} whitespace-nowrap")>{ran}</td>
                                <td class=format!("{TD} text-xs")>{if r.manual { "the console (run now)" } else { "its schedule" }}</td>
                                <td class=format!("{TD} font-mono text-xs")>{match run_logs_href(env.as_str(), &key, r) {
                                    Some(href) => view! {
                                        <a class=LINK href=href title="This run's logs" data-testid="run-logs">{r.task_id().unwrap_or("—").to_string()}" · logs"</a>
                                    }.into_any(),
                                    None => view! { <span>"—"</span> }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        }
        .into_any()
    };
    let target = match job.target.clone() {
        Some(JobTarget::Ecs(t)) => ecs_target(env.as_str(), &t),
        Some(JobTarget::Lambda { function, qualifier, input }) => {
            let href = format!("/envs/{env}/functions/{function}");
            let function_href = href.clone();
            let qualifier = qualifier.unwrap_or_else(|| "$LATEST".into());
            let payload = input.unwrap_or_else(|| "the event".into());
            view! {
                <dl class="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2" data-testid="job-target">
                    <Stat label="Function"><a class=LINK href=function_href>{function}</a></Stat>
                    <Stat label="Qualifier">{qualifier}</Stat>
                    <div class="min-w-0 sm:col-span-2">
                        <dt class=format!("text-xs {MUTED}")>"Payload"</dt>
                        <dd class="mt-0.5"><pre class="whitespace-pre-wrap break-all font-mono text-xs">{payload}</pre></dd>
                    </div>
                </dl>
                <p class=format!("mt-3 text-xs {MUTED}")>
                    "An invocation's result is the function's own: its invocations and errors are on "
                    <a class=LINK href=href>"its page"</a>"."
                </p>
            }
            .into_any()
        }
        Some(JobTarget::Other { arn }) => view! { <p class="mt-2 break-all font-mono text-xs">{arn}</p> }.into_any(),
        None => view! { <p class=format!("mt-2 text-sm {MUTED}")>"This job has no target: it runs nothing."</p> }.into_any(),
    };
    let more_targets = (job.targets > 1).then(|| {
        view! { <p class=format!("mb-3 text-xs {MUTED}")>{format!("The first of {} targets; the others run alongside it.", job.targets)}</p> }
    });
    let charts = view.metrics.clone().map(|m| {
        view! {
            <div class="mb-5 grid grid-cols-1 gap-4 md:grid-cols-2">
                <LineChart title="Invocations (EventBridge)" series=Some(m.invocations.clone()) unit=Unit::Count/>
                <LineChart title="Failed invocations (EventBridge)" series=Some(m.failed_invocations.clone()) unit=Unit::Count/>
            </div>
        }
    });
    let group_charts = match (&job.source, view.group_metrics.clone()) {
        (crate::domain::scheduled_jobs::JobSource::Schedule { group }, Some(m)) => {
            let note = format!("Scheduler counts these for schedule group {group} as a whole: every schedule in it, not only this one.");
            Some(view! {
                <p class=format!("mb-2 text-xs {MUTED}")>{note}</p>
                <div class="mb-5 grid grid-cols-1 gap-4 md:grid-cols-2" data-testid="job-group-charts">
                    <LineChart title="Invocation attempts (the group)" series=Some(m.attempts.clone()) unit=Unit::Count/>
                    <LineChart title="Target errors (the group)" series=Some(m.target_errors.clone()) unit=Unit::Count/>
                </div>
            })
        }
        _ => None,
    };
    let function_charts = view.function_metrics.clone().map(|m| {
        view! {
            <p class=format!("mb-2 text-xs {MUTED}")>"The function's own invocations and errors: every caller's, not only this job's."</p>
            <div class="mb-5 grid grid-cols-1 gap-4 md:grid-cols-2" data-testid="job-function-charts">
                <LineChart title="Invocations (the function)" series=Some(m.invocations.clone()) unit=Unit::Count/>
                <LineChart title="Errors (the function)" series=Some(m.errors.clone()) unit=Unit::Count/>
            </div>
        }
    });
    let zone = if job.timezone == "UTC" {
        "UTC".to_string()
    } else {
        job.timezone.clone()
    };
    let verdict = verdict_badge(&view.row);
    let app = app_link(job.app.clone());
    let kind = match &job.source {
        crate::domain::scheduled_jobs::JobSource::Rule => {
            view! { <span>"EventBridge rule"</span> }.into_any()
        }
        crate::domain::scheduled_jobs::JobSource::Schedule { group } => {
            let group = format!("group {group}");
            view! { <span>"Scheduler schedule"</span><span class=format!("block text-xs font-normal {MUTED}")>{group}</span> }.into_any()
        }
    };
    let active = match (job.start, job.end) {
        (None, None) => "always".to_string(),
        (s, e) => format!("{} → {}", utc_minute_opt(s), utc_minute_opt(e)),
    };
    view! {
        <Title text=job.name.clone()/>
        <PageHeader title=job.name.clone() crumbs>{heading}</PageHeader>
        <EnvProblem card=view.card.clone() now/>
        {banner}
        {problem}
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-3 lg:grid-cols-6")>
            <Stat label="Last due run">{verdict}</Stat>
            <Stat label="State">{state}</Stat>
            <Stat label="App">{app}</Stat>
            <Stat label="Kind">{kind}</Stat>
            <Stat label="Time zone">{zone}</Stat>
            <Stat label="Active">{active}</Stat>
        </dl>
        <div class="mb-5 grid grid-cols-1 gap-4 lg:grid-cols-2">
            <div class=format!("{CARD} p-4")>
                <h2 class="mb-1 text-sm font-semibold">"Schedule"</h2>
                <p class="text-sm" data-testid="job-schedule">{view.row.schedule.clone()}</p>
                <p class=format!("mb-2 font-mono text-xs {MUTED}")>{job.expression.clone()}</p>
                {job.description.clone().map(|d| view! { <p class=format!("mb-2 text-xs {MUTED}")>{d}</p> })}
                <h3 class="mb-1 mt-3 text-xs font-semibold uppercase tracking-wide">"Next runs"</h3>
                {next}
            </div>
            <div class=format!("{CARD} p-4")>
                <h2 class="mb-1 text-sm font-semibold">"What it runs"</h2>
                <p class="text-sm">{job.target.as_ref().map(|t| t.describe()).unwrap_or_else(|| "nothing".into())}</p>
                {more_targets}
                {target}
            </div>
        </div>
        {logs_link}
        <Section title="Runs" note=watched.unwrap_or_default()>{runs}</Section>
        {charts}
        {group_charts}
        {function_charts}
        {watching_alarms(&env, &view.alarms, now, "job")}
        {actions}
    }
}
