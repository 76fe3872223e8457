//! One ECS service: counts, deployments, task definition and images, tasks, events, charts.

use crate::api::actions::{DeployService, RedeployService, RollbackService, ScaleService};
use crate::api::services::get_service;
use crate::domain::actions::ActionKind;
use crate::domain::format::{age_opt, utc_minute_opt};
use crate::domain::inventory::{revision_label_from_arn, split_image, Service};
use crate::domain::views::ServiceView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::watching_alarms;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ServicePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.read();
        (
            p.get("env").unwrap_or_default(),
            p.get("cluster").unwrap_or_default(),
            p.get("service").unwrap_or_default(),
        )
    };
    let review = move || ReviewQuery::from_query(&query.read());
    let compare = move || {
        let q = query.read();
        (q.get("a"), q.get("b"))
    };
    let actions = ServiceActions {
        scale: Submit::<ScaleService>::new(),
        redeploy: Submit::<RedeployService>::new(),
        deploy: Submit::<DeployService>::new(),
        rollback: Submit::<RollbackService>::new(),
    };
    let data = Resource::new(
        move || {
            (
                key(),
                review(),
                compare(),
                refresh_tick(),
                (
                    actions.scale.action.version().get(),
                    actions.redeploy.action.version().get(),
                    actions.deploy.action.version().get(),
                    actions.rollback.action.version().get(),
                ),
            )
        },
        |((env, cluster, service), review, compare, _, _)| async move {
            get_service(env, cluster, service)
                .await
                .map(|v| (v, review, compare))
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((view, review, compare)) => service_page(view, review, compare, actions).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn actions_section(view: &ServiceView, query: &ReviewQuery) -> Option<AnyView> {
    let panel = view.actions.clone()?;
    let s = &view.service;
    let path = service_path(view);
    let scale_form = panel
        .allows(ActionKind::Scale)
        .then(|| scale_chooser(&path, s, view.bounds, view.hard_bounds, query));
    let redeploy_form = panel
        .allows(ActionKind::Redeploy)
        .then(|| redeploy_chooser(&path));
    let deploy_form = match (&s.task_definition, panel.allows(ActionKind::Deploy)) {
        (Some(td), true) if !td.containers.is_empty() => Some(deploy_chooser(&path, td, query)),
        _ => None,
    };
    let rollback_form =
        (panel.allows(ActionKind::Rollback) && !view.revisions.is_empty()).then(|| {
            rollback_chooser(
                &path,
                &view.revisions,
                &view.last_deployed,
                view.generated_at,
                query,
            )
        });
    let refused = refusals(&panel);
    let frozen = frozen_banner(&panel);
    let recent = recent_actions(&panel.recent, view.generated_at);
    let note = if !panel.requests.is_empty() {
        "protected environment: changes are reviewed, and those the gate covers need approval from others"
    } else if panel.protected {
        "each change is reviewed first; protected environment: type the service name to confirm"
    } else {
        "each change is reviewed before it runs"
    };
    Some(
        view! {
            <Section title="Actions" note=note>
                <div class="space-y-4 p-3">{frozen}{deploy_form}{rollback_form}{scale_form}{redeploy_form}{refused}</div>
            </Section>
            <Section title="Recent actions" note="newest first">{recent}</Section>
        }
        .into_any(),
    )
}

fn service_path(view: &ServiceView) -> String {
    format!(
        "/envs/{}/services/{}/{}",
        view.card.descriptor.id, view.service.cluster, view.service.name
    )
}

fn service_page(
    view: ServiceView,
    query: ReviewQuery,
    compare: (Option<String>, Option<String>),
    forms: ServiceActions,
) -> impl IntoView {
    let actions = actions_section(&view, &query);
    let compare_view = compare_section(&view, compare);
    let review = review_panel(&service_path(&view), &view, &query, forms);
    let banner = outcome_banner(
        &query,
        view.actions
            .as_ref()
            .map(|p| p.recent.as_slice())
            .unwrap_or_default(),
    );
    let open = open_releases(&view);
    let now = view.generated_at;
    let s = view.service.clone();
    let env = view.card.descriptor.id.to_string();
    let crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        (view.card.descriptor.name.clone(), format!("/envs/{env}")),
        (s.cluster.clone(), format!("/envs/{env}")),
    ];
    let metrics = view.metrics.clone().unwrap_or_default();
    let timeout = chrono::Duration::minutes(view.rollout_timeout_minutes);
    let state = crate::domain::rollout::rollout_with(&s, view.followed.as_ref(), now, timeout);
    let deployment_badge = rollout_badge(&s, &state);
    let deployments_view = view! {
        {rollout_line(state, now)}
        {followed_line(view.followed.as_ref(), &s, now)}
        {deployments(&s, now)}
    };
    let containers_view = containers(&s);
    let logs_path = format!("{}/logs", service_path(&view));
    let tasks_view = tasks(&s, now, &logs_path);
    let stopped_view = stopped_tasks(&view.stopped_tasks, now, &logs_path);
    let stopped_count = view.stopped_tasks.len();
    let events_view = events(&s, now);
    let tags_view = tags(&s);
    let heading = view! { <EnvHeading card=view.card.clone() now/> };
    let lb_view = super::targets::load_balancing_section(&view.load_balancing, now);
    let lb_counts = view.load_balancing.counts;
    let has_lb = !view.load_balancing.groups.is_empty();
    let status = s.status.clone();
    let (running, desired, pending) = (s.running, s.desired, s.pending);
    let launch_type = s.launch_type.clone().unwrap_or_else(|| "—".into());
    let revision = s.revision_label();
    let app = app_link(s.app.clone());
    let created = age_opt(now, s.created_at);
    let autoscaling_range = s
        .autoscaling
        .map(|(min, max)| format!("{min}–{max} tasks"))
        .unwrap_or_else(|| "none".into());
    let policies = s.scaling_policies.clone();
    let autoscaling = autoscaling_range;
    let scaling_policies = (!policies.is_empty()).then(|| view! {
        <div class=format!("col-span-full -mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs {MUTED}") data-testid="scaling-policies">
            <span class="font-medium">"Scaling policies:"</span>
            {policies.into_iter().map(|p| view! { <span class="break-words">{p}</span> }).collect_view()}
        </div>
    });
    view! {
        <Title text=s.name.clone()/>
        <PageHeader title=s.name.clone() crumbs>
            {heading}
            <a class=format!("{LINK} text-sm") href=logs_path.clone() data-testid="service-logs">"Logs"</a>
        </PageHeader>
        <EnvProblem card=view.card.clone() now/>
        {banner}
        {open}
        {review}
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-4 lg:grid-cols-8")>
            <Stat label="Status">{status}</Stat>
            <Stat label="Tasks running / desired"><TaskCount running desired pending/></Stat>
            <Stat label="Launch type">{launch_type}</Stat>
            <Stat label="Autoscaling">{autoscaling}</Stat>
            <Stat label="Task definition"><span class="font-mono text-xs">{revision}</span></Stat>
            <Stat label="App">{app}</Stat>
            <Stat label="Deployment">{deployment_badge}</Stat>
            <Stat label="Created">{created}</Stat>
            {has_lb.then(|| view! { <Stat label="Load balancer targets"><TargetsBadge counts=lb_counts/></Stat> })}
            {scaling_policies}
        </dl>
        {actions}
        <div class="mb-5 grid grid-cols-1 gap-4 md:grid-cols-2">
            <LineChart title="CPU utilisation" series=Some(metrics.cpu.clone()) unit=Unit::Percent/>
            <LineChart title="Memory utilisation" series=Some(metrics.memory.clone()) unit=Unit::Percent/>
        </div>
        {lb_view}
        <Section title="Deployments">{deployments_view}</Section>
        <Section title="Task definition and images" note=s.task_definition_arn.clone()>{containers_view}</Section>
        {compare_view}
        {watching_alarms(&view.card.descriptor.id, &view.alarms, now, "service")}
        <Section title="Tasks" note=format!("{} tasks", s.tasks.len())>{tasks_view}</Section>
        <Section title="Stopped tasks" note=format!("{stopped_count} stopped in the last hour or so (ECS keeps them briefly), newest first")>{stopped_view}</Section>
        <Section title="Events" note="newest first">{events_view}</Section>
        <Section title="Tags">{tags_view}</Section>
    }
}

/// Release requests for this service still waiting (or running), each a link to its page.
/// Any two known revisions of the service's family side by side (`?a=web:5&b=web:7`; by
/// default the newest other revision against the running one).
fn compare_section(
    view: &ServiceView,
    (a, b): (Option<String>, Option<String>),
) -> Option<AnyView> {
    use crate::domain::inventory::TaskDefinition;
    let current = view.service.task_definition.clone()?;
    let mut all: Vec<TaskDefinition> = vec![current];
    all.extend(view.revisions.iter().cloned());
    if all.len() < 2 {
        return None;
    }
    let label = |td: &TaskDefinition| format!("{}:{}", td.family, td.revision);
    let find = |wanted: Option<String>, fallback: usize| {
        wanted
            .and_then(|w| all.iter().position(|td| label(td) == w))
            .unwrap_or(fallback)
    };
    let (from, to) = (find(a, 1), find(b, 0));
    let diff = crate::domain::revision_diff::diff_revisions(&all[from], &all[to]);
    let options = |chosen: usize| {
        all.iter()
            .enumerate()
            .map(|(i, td)| {
                let text = if i == 0 {
                    format!("{} (running)", label(td))
                } else {
                    label(td)
                };
                view! { <option value=label(td) selected=i == chosen>{text}</option> }
            })
            .collect_view()
    };
    let (from_options, to_options) = (options(from), options(to));
    let path = service_path(view);
    let (from_label, to_label) = (label(&all[from]), label(&all[to]));
    let body = if diff.is_empty() {
        view! { <Empty text="The two revisions are the same in everything the console compares."/> }
            .into_any()
    } else {
        change_table(&diff, "revision-diff", &from_label, &to_label)
    };
    let select = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
    Some(
        view! {
            <Section title="Compare revisions" note="images, environment (secret-looking values masked), secrets, resources, ports, command, health check, logs">
                <form method="get" action=path data-testid="compare-form" class="flex flex-wrap items-end gap-3 border-b border-slate-200 p-3 dark:border-slate-800">
                    <label class="flex flex-col gap-1 text-xs font-medium">"From"
                        <select name="a" class=select>{from_options}</select>
                    </label>
                    <label class="flex flex-col gap-1 text-xs font-medium">"To"
                        <select name="b" class=select>{to_options}</select>
                    </label>
                    <button type="submit" class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800">"Compare"</button>
                </form>
                {body}
            </Section>
        }
        .into_any(),
    )
}

fn open_releases(view: &ServiceView) -> Option<AnyView> {
    if view.open_releases.is_empty() {
        return None;
    }
    let items = view
        .open_releases
        .iter()
        .map(|r| {
            view! {
                <li class="flex flex-wrap items-center gap-2">
                    <a class=LINK href=format!("/releases/{}", r.id)>{format!("#{}", r.id)}</a>
                    <span class="font-medium">{r.kind.as_str().replace('_', " ")}</span>
                    <span class="min-w-0 break-words">{r.summary.clone()}</span>
                    <span class=MUTED>{format!("{}, {} of {} approvals, asked by {}", r.state, r.approvals(), r.required, r.requester)}</span>
                </li>
            }
        })
        .collect_view();
    Some(
        view! {
            <section class="mb-5 rounded-lg border border-sky-300 bg-sky-50 p-3 text-sm text-sky-950 dark:border-sky-800 dark:bg-sky-950/40 dark:text-sky-100" data-testid="open-releases">
                <h2 class="mb-1 font-semibold">"Release requests for this service"</h2>
                <ul class="space-y-1">{items}</ul>
            </section>
        }
        .into_any(),
    )
}

/// The deployment stat: the PRIMARY deployment's rollout state, or "rolled back by ECS".
fn rollout_badge(s: &Service, state: &crate::domain::rollout::Rollout) -> AnyView {
    use crate::domain::rollout::Rollout;
    if let Rollout::RolledBack { .. } = state {
        return view! { <Badge tone=Tone::Bad text="rolled back by ECS"/> }.into_any();
    }
    let rollout = s
        .deployments
        .iter()
        .find(|d| d.status == "PRIMARY")
        .and_then(|d| d.rollout_state.clone());
    let deploying = s.deploying();
    view! { <RolloutBadge state=rollout deploying/> }.into_any()
}

/// The rollout as a sentence and a bar, refreshed with the page until it settles.
fn rollout_line(state: crate::domain::rollout::Rollout, now: DateTime<Utc>) -> AnyView {
    use crate::domain::rollout::Rollout;
    let (tone, text, progress) = match state {
        Rollout::Steady => (Tone::Good, "Steady: no deployment in progress.".to_string(), None),
        Rollout::Completed => (Tone::Good, "Rollout completed.".to_string(), Some(100)),
        Rollout::InProgress { running, desired, old_tasks } => (
            Tone::Info,
            format!("Deploying: {running} of {desired} new tasks running, {old_tasks} old still serving. This page follows it."),
            Some(if desired > 0 { (running.min(desired) * 100) / desired } else { 0 }),
        ),
        Rollout::Failed { reason } => (Tone::Bad, format!("Rollout failed: {reason}"), None),
        Rollout::RolledBack { reason, to, at } => (
            Tone::Bad,
            format!(
                "Rolled back by ECS: {reason} The service runs {to} again{}.",
                at.map(|at| format!(" (noticed {})", crate::domain::format::age(now, at))).unwrap_or_default()
            ),
            None,
        ),
        Rollout::TimedOut { since } => (
            Tone::Warn,
            format!("Not settled {} after it started ({}); look at the events and tasks.", crate::domain::format::age(now, since).replace(" ago", ""), crate::domain::format::utc_minute(since)),
            None,
        ),
        Rollout::Unknown => (Tone::Neutral, "ECS reported no deployment; the rollout state is unknown.".to_string(), None),
    };
    let word = match tone {
        Tone::Bad => "failed",
        Tone::Warn => "stuck",
        Tone::Info => "deploying",
        Tone::Neutral => "unknown",
        Tone::Good => "settled",
    };
    view! {
        <div class="px-3 pt-3" data-testid="rollout">
            <div class="flex items-center gap-2 text-sm"><Badge tone text=word/>{text}</div>
            {progress.map(|p| view! {
                <progress class="mt-2 h-1.5 w-full max-w-md accent-sky-600" max="100" value=p>{format!("{p}%")}</progress>
            })}
        </div>
    }
    .into_any()
}

/// The console's last change to the service and how its rollout went (or that it is followed).
fn followed_line(
    followed: Option<&crate::domain::followed::FollowedRollout>,
    s: &Service,
    now: DateTime<Utc>,
) -> Option<AnyView> {
    use crate::domain::rollout_outcome::RolloutOutcome;
    let f = followed.filter(|f| f.is_current(s))?;
    let what = format!(
        "{} by {} ({}): {}",
        f.kind.as_str().replace('_', " "),
        f.actor,
        crate::domain::format::age(now, f.since),
        f.summary
    );
    let outcome = match &f.outcome {
        RolloutOutcome::Following => {
            "the console follows its rollout until ECS ends it".to_string()
        }
        other => other.label(),
    };
    let release = f.release.map(|id| {
        view! { " " <a class=LINK href=format!("/releases/{id}")>{format!("release #{id}")}</a> }
    });
    Some(
        view! {
            <p class=format!("px-3 pt-1 text-xs {MUTED}") data-testid="followed-rollout" data-state=f.outcome.as_str()>
                {format!("Last change: {what} — {outcome}.")}{release}
            </p>
        }
        .into_any(),
    )
}

fn deployments(s: &Service, now: DateTime<Utc>) -> AnyView {
    if s.deployments.is_empty() {
        return view! { <Empty text="No deployments reported."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto"><table class=TABLE data-testid="deployments-table">
            <thead class=THEAD><tr>
                <th class=TH>"Status"</th><th class=TH>"Revision"</th><th class=TH>"Tasks"</th>
                <th class=TH>"Failed"</th><th class=TH>"Rollout"</th><th class=TH>"Started"</th><th class=TH>"Updated"</th>
            </tr></thead>
            <tbody>
                {s.deployments.iter().map(|d| view! {
                    <tr class=TR>
                        <td class=TD><Badge tone=if d.status == "PRIMARY" { Tone::Info } else { Tone::Neutral } text=d.status.clone()/></td>
                        <td class=format!("{TD} font-mono text-xs")>{revision_label_from_arn(&d.task_definition_arn)}</td>
                        <td class=TD><TaskCount running=d.running desired=d.desired pending=d.pending/></td>
                        <td class=TD>{d.failed_tasks.to_string()}</td>
                        <td class=TD>
                            <RolloutBadge state=d.rollout_state.clone() deploying=false/>
                            {d.rollout_reason.clone().map(|r| view! { <div class=format!("mt-0.5 text-xs {MUTED}")>{r}</div> })}
                        </td>
                        <td class=format!("{TD} whitespace-nowrap")>{utc_minute_opt(d.created_at)}</td>
                        <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age_opt(now, d.updated_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

fn containers(s: &Service) -> AnyView {
    let Some(td) = s.task_definition.clone() else {
        return view! { <Empty text="The task definition has not been read yet."/> }.into_any();
    };
    view! {
        <div class="flex flex-wrap gap-x-6 gap-y-1 px-3 pt-2 text-xs">
            <span>"Family " <span class="font-mono">{format!("{}:{}", td.family, td.revision)}</span></span>
            <span>"CPU " <span class="font-mono">{td.cpu.clone().unwrap_or_else(|| "—".into())}</span></span>
            <span>"Memory " <span class="font-mono">{td.memory.clone().unwrap_or_else(|| "—".into())}</span></span>
            <span>"Registered " {utc_minute_opt(td.registered_at)}</span>
        </div>
        <div class="overflow-x-auto"><table class=TABLE data-testid="containers-table">
            <thead class=THEAD><tr>
                <th class=TH>"Container"</th><th class=TH>"Image"</th><th class=TH>"Version"</th>
                <th class=TH>"Ports"</th><th class=TH>"Essential"</th>
            </tr></thead>
            <tbody>
                {td.containers.into_iter().map(|c| {
                    let (repo, version) = split_image(&c.image);
                    let (repo, version) = (repo.to_string(), version.to_string());
                    view! {
                        <tr class=TR>
                            <td class=TD>{c.name.clone()}</td>
                            <td class=format!("{TD} break-all font-mono text-xs")>{repo}</td>
                            <td class=format!("{TD} font-mono text-xs font-semibold")>{version}</td>
                            <td class=format!("{TD} font-mono text-xs")>{c.ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")}</td>
                            <td class=TD>{if c.essential { "yes" } else { "no" }}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

fn tasks(s: &Service, now: DateTime<Utc>, logs: &str) -> AnyView {
    if s.tasks.is_empty() {
        return view! { <Empty text="No tasks are running."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto"><table class=TABLE data-testid="tasks-table">
            <thead class=THEAD><tr>
                <th class=TH>"Task"</th><th class=TH>"Status"</th><th class=TH>"Health"</th>
                <th class=TH>"Revision"</th><th class=TH>"Zone"</th><th class=TH>"Started"</th><th class=TH>"Logs"</th>
            </tr></thead>
            <tbody>
                {s.tasks.iter().map(|t| view! {
                    <tr class=TR>
                        <td class=format!("{TD} font-mono text-xs")>{t.short_id().to_string()}</td>
                        <td class=TD>
                            <Badge tone=if t.last_status == "RUNNING" { Tone::Good } else { Tone::Neutral } text=t.last_status.clone()/>
                            {(t.desired_status != t.last_status).then(|| view! { <span class=format!("ml-1 text-xs {MUTED}")>{format!("→ {}", t.desired_status)}</span> })}
                        </td>
                        <td class=TD>{t.health.clone().unwrap_or_else(|| "UNKNOWN".into())}</td>
                        <td class=format!("{TD} font-mono text-xs")>{revision_label_from_arn(&t.task_definition_arn)}</td>
                        <td class=TD>{t.availability_zone.clone().unwrap_or_else(|| "—".into())}</td>
                        <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age_opt(now, t.started_at)}</td>
                        <td class=TD><a class=LINK href=format!("{logs}?task={}", t.short_id())>"logs"</a></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// Stopped tasks with ECS's stop code and reason, and how each container exited.
fn stopped_tasks(
    tasks: &[crate::domain::inventory::Task],
    now: DateTime<Utc>,
    logs: &str,
) -> AnyView {
    if tasks.is_empty() {
        return view! { <Empty text="No task stopped recently."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto"><table class=TABLE data-testid="stopped-tasks">
            <thead class=THEAD><tr>
                <th class=TH>"Task"</th><th class=TH>"Revision"</th><th class=TH>"Stopped"</th>
                <th class=TH>"Stop code"</th><th class=TH>"Reason"</th><th class=TH>"Containers"</th><th class=TH>"Logs"</th>
            </tr></thead>
            <tbody>
                {tasks.iter().map(|t| {
                    let exits = t.exits.iter().map(|c| {
                        let code = c.exit_code.map(|e| format!("exit {e}")).unwrap_or_else(|| "no exit code".into());
                        let text = match &c.reason {
                            Some(reason) => format!("{}: {code} ({reason})", c.name),
                            None => format!("{}: {code}", c.name),
                        };
                        let tone = if c.exit_code.is_some_and(|e| e != 0) || c.reason.is_some() { "text-red-700 dark:text-red-400" } else { "" };
                        view! { <div class=format!("font-mono text-xs {tone}")>{text}</div> }
                    }).collect_view();
                    view! {
                        <tr class=TR>
                            <td class=format!("{TD} font-mono text-xs")>{t.short_id().to_string()}</td>
                            <td class=format!("{TD} font-mono text-xs")>{revision_label_from_arn(&t.task_definition_arn)}</td>
                            <td class=format!("{TD} whitespace-nowrap {MUTED}") title=t.stopped_at.map(crate::domain::format::utc_minute).unwrap_or_default()>
                                {t.stopped_at.map(|at| crate::domain::format::age(now, at)).unwrap_or_else(|| "—".into())}
                            </td>
                            <td class=format!("{TD} font-mono text-xs")>{t.stop_code.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class=format!("{TD} break-words")>{t.stopped_reason.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "—".into())}</td>
                            <td class=TD>{exits}</td>
                            <td class=TD><a class=format!("{LINK} whitespace-nowrap") href=stopped_logs(logs, t) data-testid="stopped-task-logs">"last lines"</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// A stopped task's last 50 lines: its stream up to shortly after it stopped, from before it
/// started (at least an hour back), newest first.
fn stopped_logs(logs: &str, t: &crate::domain::inventory::Task) -> String {
    let stamp = |at: DateTime<Utc>| at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    match (t.started_at, t.stopped_at) {
        (Some(start), Some(stop)) => format!(
            "{logs}?task={}&limit=50&from={}&to={}",
            t.short_id(),
            stamp((start - chrono::Duration::minutes(1)).min(stop - chrono::Duration::hours(1))),
            stamp(stop + chrono::Duration::minutes(1))
        ),
        _ => format!("{logs}?task={}&limit=50&since=1d", t.short_id()),
    }
}

fn events(s: &Service, now: DateTime<Utc>) -> AnyView {
    if s.events.is_empty() {
        return view! { <Empty text="No events."/> }.into_any();
    }
    let mut events = s.events.clone();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    view! {
        <ol class="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="events">
            {events.into_iter().take(30).map(|e| view! {
                <li class="flex gap-3 px-3 py-1.5">
                    <span class=format!("w-20 shrink-0 text-xs {MUTED}")>{age_opt(now, e.at)}</span>
                    <span class="min-w-0 break-words">{e.message}</span>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

fn tags(s: &Service) -> AnyView {
    if s.tags.is_empty() {
        return view! { <Empty text="No tags."/> }.into_any();
    }
    view! {
        <div class="flex flex-wrap gap-1.5 p-3">
            {s.tags.iter().map(|(k, v)| view! {
                <span class="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs dark:bg-slate-800">{format!("{k}={v}")}</span>
            }).collect_view()}
        </div>
    }
    .into_any()
}
