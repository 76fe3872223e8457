//! One environment: services, databases and alarms, with an on-demand refresh.

use crate::api::environments::{get_environment, RefreshEnvironment};
use crate::domain::format::age_opt;
use crate::domain::views::{AlarmRow, DatabaseRow, EnvironmentView, ServicePage, ServiceRow};
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn EnvironmentPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let env = move || params.read().get("env").unwrap_or_default();
    let filter = move || {
        let q = query.read();
        (q.get("q"), q.get("page"))
    };
    let refresh = Submit::<RefreshEnvironment>::new();
    let data = Resource::new(
        move || {
            (
                env(),
                filter(),
                refresh_tick(),
                refresh.action.version().get(),
            )
        },
        |(env, (q, page), _, _)| get_environment(env, q, page),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => environment(view, refresh).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The form that asks the server for a fresh inventory; works without JavaScript too.
#[component]
pub fn RefreshButton(env: String, action: Submit<RefreshEnvironment>) -> impl IntoView {
    let pending = action.pending;
    let failed = move || {
        action
            .value
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <span class="text-xs text-red-700 dark:text-red-400">{e.to_string()}</span> })
    };
    view! {
        <ActionForm action=action.action>
            <input type="hidden" name="env" value=env/>
            <button type="submit" data-testid="refresh"
                class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
                disabled=move || pending.get()>
                {move || if pending.get() { "Refreshing…" } else { "Refresh now" }}
            </button>
        </ActionForm>
        {failed}
    }
}

fn environment(view: EnvironmentView, refresh: Submit<RefreshEnvironment>) -> impl IntoView {
    let now = view.generated_at;
    let card = view.card.clone();
    let env = card.descriptor.id.to_string();
    let health = card.health.clone().unwrap_or_default();
    let actions = view! {
        <EnvHeading card=card.clone() now/>
        <RefreshButton env=env action=refresh/>
    };
    let services_at_desired = format!("{}/{}", health.services_at_desired, health.services);
    let tasks = format!("{}/{}", health.tasks_running, health.tasks_desired);
    let dbs = format!("{}/{}", health.databases_available, health.databases);
    let alarms = format!("{} of {}", health.alarms_firing, health.alarms);
    let deploys = health.deploys_in_progress.to_string();
    let clusters = view.clusters.join(", ");
    let env_id = card.descriptor.id.clone();
    let note = services_note(&view.services);
    let filter = services_filter(env_id.as_str(), &view.services);
    let pages = services_pager(&env_id, &view.services);
    let all_alarms = format!("/alarms?env={env_id}");
    let all_alarms_text = format!(
        "All {} alarms of {} →",
        view.alarms_total, card.descriptor.name
    );
    let services = if view.services.rows.is_empty() && !view.services.query.text.is_empty() {
        view! { <Empty text=format!("No service matches “{}”.", view.services.query.text)/> }
            .into_any()
    } else {
        services_table(view.services.rows, now, false)
    };
    view! {
        <Title text=card.descriptor.name.clone()/>
        <PageHeader title=card.descriptor.name.clone() crumbs=vec![("Overview".to_string(), "/".to_string())]>
            {actions}
        </PageHeader>
        <EnvProblem card=card.clone() now/>
        <EnvReduced card=card.clone()/>
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-4 lg:grid-cols-7")>
            <Stat label="Services at desired">{services_at_desired}</Stat>
            <Stat label="Tasks running">{tasks}</Stat>
            <Stat label="Databases available">{dbs}</Stat>
            <Stat label="Alarms firing">{alarms}</Stat>
            <Stat label="Deploys in progress">{deploys}</Stat>
            <Stat label="Load balancer targets"><TargetsBadge counts=health.targets/></Stat>
            <Stat label="Clusters">{clusters}</Stat>
        </dl>
        <div class="mb-5 space-y-1.5 empty:hidden">
            {queues_line(&env_id, view.queues.clone())}
            {jobs_line(&env_id, view.jobs.clone())}
            {asgs_line(&env_id, view.asgs.clone())}
        </div>
        <Section title="Services" note=note>
            {filter}
            {services}
            {pages}
        </Section>
        <Section title="Databases" note=format!("{} databases", view.databases.len())>
            {databases_table(view.databases, now, false)}
        </Section>
        <Section title="Alarms not OK" note=format!("{} of {} alarms", view.alarms.len(), view.alarms_total)>
            {if view.alarms.is_empty() && view.alarms_total > 0 {
                view! { <Empty text=format!("All {} alarms are OK.", view.alarms_total)/> }.into_any()
            } else {
                alarms_table(view.alarms, now, false)
            }}
            <a href=all_alarms data-testid="all-alarms"
                class=format!("mx-3 my-3 inline-block text-sm {LINK}")>{all_alarms_text}</a>
        </Section>
    }
}

fn services_note(page: &ServicePage) -> String {
    if page.query.text.is_empty() {
        format!("{} services", page.total)
    } else {
        format!(
            "{} of {} services match “{}”",
            page.matching, page.total, page.query.text
        )
    }
}

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

/// The filter over the services: a plain GET form, so it works without JavaScript too.
fn services_filter(env: &str, page: &ServicePage) -> impl IntoView {
    let action = format!("/envs/{env}");
    let text = page.query.text.clone();
    let clear = (!text.is_empty()).then(|| {
        view! { <a href=action.clone() class=format!("py-1.5 text-sm {LINK}")>"Clear"</a> }
    });
    view! {
        <Form method="GET" action=action.clone()>
            <div class="flex flex-wrap items-end gap-2 border-b border-slate-200 px-3 py-3 dark:border-slate-800">
                <label class="flex min-w-48 flex-1 flex-col gap-1 text-xs font-medium sm:max-w-sm">"Find a service"
                    <input type="search" name="q" value=text maxlength="200"
                        placeholder="name, app or cluster" class=INPUT data-testid="service-filter"/>
                </label>
                // A new search starts at the first page; naming the button also keeps the URL
                // the same with JavaScript and without.
                <button type="submit" name="page" value="1" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">"Find"</button>
                {clear}
            </div>
        </Form>
    }
}

/// Previous / next links when the services fill more than one page.
fn services_pager(env: &crate::domain::ids::EnvId, page: &ServicePage) -> Option<AnyView> {
    let first = (page.page - 1) * crate::domain::views::SERVICES_PER_PAGE + 1;
    let last = first + page.rows.len().saturating_sub(1);
    pager(
        "Service pages",
        "service-pager",
        (page.page, page.pages),
        (first, last, page.matching),
        |target| page.query.href(env, target),
    )
}

/// The services table used by the environment and app pages.
pub fn services_table(rows: Vec<ServiceRow>, now: DateTime<Utc>, compact: bool) -> AnyView {
    if rows.is_empty() {
        return view! { <Empty text="No services."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE data-testid="services-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Service"</th>
                    {(!compact).then(|| view! { <th class=TH>"App"</th><th class=TH>"Cluster"</th> })}
                    <th class=TH>"Tasks"</th><th class=TH>"Revision"</th><th class=TH>"Version"</th>
                    <th class=TH>"Deployment"</th><th class=TH>"Targets"</th><th class=TH>"Alarms"</th>
                    {(!compact).then(|| view! { <th class=TH>"Last event"</th> })}
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let href = format!("/envs/{}/services/{}/{}", r.env, r.cluster, r.name);
                        view! {
                            <tr class=TR>
                                <td class=TD><a class=LINK href=href>{r.name.clone()}</a></td>
                                {(!compact).then(|| view! {
                                    <td class=TD>{app_link(r.app.clone())}</td>
                                    <td class=format!("{TD} {MUTED}")>{r.cluster.clone()}</td>
                                })}
                                <td class=TD><TaskCount running=r.running desired=r.desired pending=r.pending/></td>
                                <td class=format!("{TD} font-mono text-xs")>{r.revision.clone()}</td>
                                <td class=format!("{TD} font-mono text-xs")>{r.versions.join(", ")}</td>
                                <td class=TD><RolloutBadge state=r.rollout_state.clone() deploying=r.deploying/></td>
                                <td class=TD><TargetsBadge counts=r.targets/></td>
                                <td class=TD>{firing_cell(r.alarms_firing)}</td>
                                {(!compact).then(|| view! { <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age_opt(now, r.last_event_at)}</td> })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The databases table used by the environment, databases and app pages.
pub fn databases_table(rows: Vec<DatabaseRow>, now: DateTime<Utc>, with_env: bool) -> AnyView {
    if rows.is_empty() {
        return view! { <Empty text="No databases."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE data-testid="databases-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Database"</th>
                    {with_env.then(|| view! { <th class=TH>"Env"</th> })}
                    <th class=TH>"App"</th><th class=TH>"Engine"</th><th class=TH>"Class"</th>
                    <th class=TH>"Status"</th><th class=TH>"Multi-AZ"</th><th class=TH>"Storage"</th>
                    <th class=TH>"Backups"</th><th class=TH>"Last snapshot"</th><th class=TH>"Alarms"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let db = r.database.clone();
                        let href = format!("/envs/{}/databases/{}", r.env, db.id);
                        let storage = match (db.allocated_storage_gb, r.free_storage_bytes) {
                            (Some(gb), Some(free)) => format!("{gb} GiB, {} free", crate::domain::format::bytes(free)),
                            (Some(gb), None) => format!("{gb} GiB"),
                            (None, _) => "—".to_string(),
                        };
                        let status_tone = if db.available() { Tone::Good } else { Tone::Warn };
                        view! {
                            <tr class=TR>
                                <td class=TD><a class=LINK href=href>{db.id.clone()}</a></td>
                                {with_env.then(|| view! { <td class=TD>{r.env.to_string()}</td> })}
                                <td class=TD>{app_link(db.app.clone())}</td>
                                <td class=format!("{TD} whitespace-nowrap")>{format!("{} {}", db.engine, db.engine_version)}</td>
                                <td class=format!("{TD} font-mono text-xs")>{db.class.clone().unwrap_or_else(|| "—".into())}</td>
                                <td class=TD><Badge tone=status_tone text=db.status.clone()/></td>
                                <td class=TD>{if db.multi_az { "yes" } else { "no" }}</td>
                                <td class=format!("{TD} whitespace-nowrap")>{storage}</td>
                                <td class=format!("{TD} whitespace-nowrap")>{format!("{} days", db.backup_retention_days)}</td>
                                <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age_opt(now, r.latest_snapshot_at)}</td>
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

/// The alarms section of one resource's page (`what`: service, database, queue, function):
/// every alarm in `env` that watches it.
pub fn watching_alarms(
    env: &crate::domain::ids::EnvId,
    alarms: &[crate::domain::inventory::Alarm],
    now: DateTime<Utc>,
    what: &str,
) -> impl IntoView {
    let rows: Vec<AlarmRow> = alarms
        .iter()
        .map(|a| AlarmRow {
            env: env.clone(),
            alarm: a.clone(),
        })
        .collect();
    let note = format!("{} watching this {what}", rows.len());
    view! { <Section title="Alarms" note>{alarms_table(rows, now, false)}</Section> }
}

/// The alarms table used by the environment and alarms pages.
pub fn alarms_table(rows: Vec<AlarmRow>, now: DateTime<Utc>, with_env: bool) -> AnyView {
    alarms_table_with(rows, now, with_env, None)
}

/// Muting from the alarms table: the rights and the form's server action.
#[derive(Clone)]
pub struct MuteControls {
    pub rights: crate::domain::views::MuteRights,
    pub action: Submit<crate::api::actions::SetAlarmActions>,
}

/// Who last muted or unmuted this alarm from the console, when, and why.
fn last_mute(
    controls: Option<&MuteControls>,
    row: &AlarmRow,
    now: DateTime<Utc>,
) -> Option<AnyView> {
    use crate::domain::actions::{ActionKind, ActionStatus};
    let last = controls?
        .rights
        .last
        .get(&format!("{}/{}", row.env, row.alarm.name))?;
    let verb = if last.kind == ActionKind::MuteAlarm {
        "muted"
    } else {
        "unmuted"
    };
    let how = match last.status {
        ActionStatus::Failed { .. } | ActionStatus::NotRun { .. } => "failed to be ",
        ActionStatus::Running | ActionStatus::Checking { .. } => "being ",
        ActionStatus::Unknown { .. } => "maybe ",
        ActionStatus::Succeeded | ActionStatus::AwaitingApproval { .. } => "",
    };
    let text = format!(
        "{how}{verb} by {} {}",
        last.actor,
        crate::domain::format::age(now, last.at)
    );
    Some(
        view! {
            <div class=format!("mt-1 max-w-48 text-xs {MUTED}") data-testid="last-mute">
                {text}
                {last.reason.clone().map(|why| view! { <div class="line-clamp-2 italic" title=why.clone()>{format!("“{why}”")}</div> })}
            </div>
        }
        .into_any(),
    )
}

fn mute_form(controls: &MuteControls, row: &AlarmRow, index: usize) -> AnyView {
    if !controls.rights.envs.contains(&row.env) {
        return view! { <span class=MUTED>"—"</span> }.into_any();
    }
    if row.alarm.is_scaling_signal() && row.alarm.actions_enabled {
        return view! {
            <span class=format!("block w-36 text-xs {MUTED}") data-testid="mute-scaling">"scales the service: change its scaling policy instead"</span>
        }
        .into_any();
    }
    let frozen = controls.rights.frozen.get(row.env.as_str());
    if let Some(f) = frozen.filter(|f| !f.may_break_glass) {
        return view! {
            <span class=format!("text-xs {MUTED}") data-testid="mute-frozen" title=f.text()>"frozen"</span>
        }
        .into_any();
    }
    let break_glass = frozen.is_some();
    let enable = !row.alarm.actions_enabled;
    let protected = controls.rights.protected.contains(&row.env);
    let label = if enable { "Unmute" } else { "Mute" };
    let action = controls.action;
    let env = row.env.to_string();
    let alarm = row.alarm.name.clone();
    let key = format!("{}-{index}", controls.rights.request_key);
    view! {
        <ActionForm action=action.action attr:data-testid="mute-form">
            <div class="flex w-36 flex-col items-stretch gap-1">
                <input type="hidden" name="env" value=env/>
                <input type="hidden" name="alarm" value=alarm/>
                <input type="hidden" name="enabled" value=enable.to_string()/>
                <input type="hidden" name="key" value=key/>
                {(!enable).then(|| view! {
                    <input name="reason" placeholder="reason" maxlength="500" class="w-full rounded border border-slate-300 bg-white px-1.5 py-1 text-xs dark:border-slate-700 dark:bg-slate-950"/>
                })}
                {protected.then(|| view! {
                    <input name="confirm" required placeholder="type the name" autocomplete="off" class="w-full rounded border border-amber-400 bg-white px-1.5 py-1 text-xs dark:border-amber-600 dark:bg-slate-950"/>
                })}
                {break_glass.then(|| view! {
                    <input name="break_glass" required minlength="5" maxlength="500" placeholder="break-glass reason" aria-label="Break-glass reason (inside a freeze window)" class="w-full rounded border border-red-400 bg-white px-1.5 py-1 text-xs dark:border-red-700 dark:bg-slate-950"/>
                })}
                <button type="submit" class="rounded border border-slate-300 bg-white px-2 py-1 text-xs font-medium hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800">{label}</button>
            </div>
        </ActionForm>
    }
    .into_any()
}

/// The alarms table, with a mute/unmute form on each row the person may change.
pub fn alarms_table_with(
    rows: Vec<AlarmRow>,
    now: DateTime<Utc>,
    with_env: bool,
    mute: Option<MuteControls>,
) -> AnyView {
    if rows.is_empty() {
        return view! { <Empty text="No alarms match."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE data-testid="alarms-table">
                <thead class=THEAD><tr>
                    <th class=TH>"State"</th><th class=TH>"Alarm"</th>
                    {with_env.then(|| view! { <th class=TH>"Env"</th> })}
                    <th class=TH>"App"</th><th class=TH>"Watches"</th><th class=TH>"Reason"</th>
                    <th class=TH>"Changed"</th><th class=TH>"Notifications"</th>
                    {mute.is_some().then(|| view! { <th class=TH>"Mute"</th> })}
                </tr></thead>
                <tbody>
                    {rows.into_iter().enumerate().map(|(index, r)| {
                        let watches = resource_link(&r);
                        let scaling = r.alarm.is_scaling_signal();
                        let mute_cell = mute.as_ref().map(|m| view! { <td class=TD>{mute_form(m, &r, index)}</td> });
                        view! {
                            <tr class=TR>
                                <td class=TD>
                                    <AlarmStateBadge state=r.alarm.state/>
                                    {scaling.then(|| view! {
                                        <div class="mt-1" data-testid="scaling-signal" title="Application Auto Scaling acts on this alarm: a scaling signal, never an incident">
                                            <Badge tone=Tone::Info text="scaling signal"/>
                                        </div>
                                    })}
                                </td>
                                <td class=format!("{TD} min-w-56 max-w-md")>
                                    <div class="font-medium break-words">{r.alarm.name.clone()}</div>
                                    {r.alarm.description.clone().map(|d| { let title = d.clone(); view! { <div class=format!("line-clamp-2 text-xs {MUTED}") title=title>{d}</div> } })}
                                    {r.alarm.rule.clone().map(|rule| view! {
                                        <div class="mt-1 text-xs" data-testid="composite-rule" title="A composite alarm: its state follows this rule over other alarms">
                                            <Badge tone=Tone::Neutral text="composite"/>
                                            " "<code class="break-words">{rule}</code>
                                        </div>
                                    })}
                                </td>
                                {with_env.then(|| view! { <td class=TD><a class=LINK href=format!("/envs/{}", r.env)>{r.env.to_string()}</a></td> })}
                                <td class=TD>{app_link(r.alarm.app.clone())}</td>
                                <td class=format!("{TD} text-xs")>{watches}</td>
                                <td class=format!("{TD} min-w-72 max-w-lg text-xs {MUTED}")>
                                    <span class="line-clamp-2" title=r.alarm.reason.clone()>{r.alarm.reason.clone()}</span>
                                </td>
                                <td class=format!("{TD} whitespace-nowrap")>{age_opt(now, r.alarm.updated_at)}</td>
                                <td class=TD>{if r.alarm.actions_enabled {
                                    view! { <Badge tone=Tone::Neutral text="enabled"/> }.into_any()
                                } else {
                                    view! { <Badge tone=Tone::Warn text="muted"/> }.into_any()
                                }}{last_mute(mute.as_ref(), &r, now)}</td>
                                {mute_cell}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One line on the environment's scheduled jobs, linking to them on the jobs page, naming
/// those whose last due run failed or did not happen.
fn jobs_line(
    env: &crate::domain::ids::EnvId,
    summary: Option<crate::domain::views::JobSummary>,
) -> Option<AnyView> {
    let s = summary.filter(|s| s.jobs > 0 || s.error.is_some())?;
    let failing = (!s.failing.is_empty()).then(|| {
        view! { <Badge tone=Tone::Bad text=format!("missed or failed: {}", s.failing.join(", "))/> }
    });
    let disabled = (s.disabled > 0).then(|| {
        view! { <span class=MUTED>{format!("{} disabled", s.disabled)}</span> }
    });
    let unread = s
        .error
        .is_some()
        .then(|| view! { <Badge tone=Tone::Warn text="some not read this cycle"/> });
    Some(
        view! {
            <p class="flex flex-wrap items-center gap-2 text-sm" data-testid="env-jobs">
                <a class=LINK href=format!("/jobs?env={env}")>{format!("{} scheduled job{}", s.jobs, crate::domain::format::plural(s.jobs as i64))}</a>
                {disabled}
                {failing}
                {unread}
            </p>
        }
        .into_any(),
    )
}

/// One line on the environment's EC2 Auto Scaling groups, linking to them, naming those short
/// of healthy instances.
fn asgs_line(
    env: &crate::domain::ids::EnvId,
    summary: Option<crate::domain::views::AsgSummary>,
) -> Option<AnyView> {
    let s = summary.filter(|s| s.groups > 0 || s.error.is_some())?;
    let degraded = (!s.degraded.is_empty()).then(|| {
        view! { <Badge tone=Tone::Bad text=format!("short of healthy instances: {}", s.degraded.join(", "))/> }
    });
    let unread = s
        .error
        .is_some()
        .then(|| view! { <Badge tone=Tone::Warn text="some not read this cycle"/> });
    Some(
        view! {
            <p class="flex flex-wrap items-center gap-2 text-sm" data-testid="env-asgs">
                <a class=LINK href=format!("/asgs?env={env}")>{format!("{} Auto Scaling group{}", s.groups, crate::domain::format::plural(s.groups as i64))}</a>
                <span class=MUTED>{format!("{} instance{}", s.instances, crate::domain::format::plural(s.instances as i64))}</span>
                {degraded}
                {unread}
            </p>
        }
        .into_any(),
    )
}

/// One line on the environment's queues, linking to them on the queues page.
fn queues_line(
    env: &crate::domain::ids::EnvId,
    summary: Option<crate::domain::views::queues::QueueSummary>,
) -> Option<AnyView> {
    let s = summary.filter(|s| s.queues > 0 || s.error.is_some())?;
    let dead = (s.dead_letters > 0).then(|| {
        view! {
            <Badge tone=Tone::Bad text=format!(
                "{} dead letters in {} DLQ{}",
                s.dead_letters,
                s.dead_letter_queues_holding,
                if s.dead_letter_queues_holding == 1 { "" } else { "s" }
            )/>
        }
    });
    let unread = s
        .error
        .is_some()
        .then(|| view! { <Badge tone=Tone::Warn text="some not read this cycle"/> });
    Some(
        view! {
            <p class="flex flex-wrap items-center gap-2 text-sm" data-testid="env-queues">
                <a class=LINK href=format!("/queues?env={env}")>{format!("{} SQS queues", s.queues)}</a>
                <span class=MUTED>{format!("{} messages waiting", s.waiting)}</span>
                {dead}
                {unread}
            </p>
        }
        .into_any(),
    )
}

fn resource_link(row: &AlarmRow) -> AnyView {
    use crate::domain::inventory::AlarmResource;
    match &row.alarm.resource {
        AlarmResource::Service { cluster, service } => view! {
            <a class=LINK href=format!("/envs/{}/services/{cluster}/{service}", row.env)>{format!("service {service}")}</a>
        }
        .into_any(),
        AlarmResource::Database { id } => view! {
            <a class=LINK href=format!("/envs/{}/databases/{id}", row.env)>{format!("database {id}")}</a>
        }
        .into_any(),
        AlarmResource::Queue { name } => view! {
            <a class=LINK href=format!("/envs/{}/queues/{name}", row.env)>{format!("queue {name}")}</a>
        }
        .into_any(),
        AlarmResource::Function { name } => view! {
            <a class=LINK href=format!("/envs/{}/functions/{name}", row.env)>{format!("function {name}")}</a>
        }
        .into_any(),
        AlarmResource::AutoScalingGroup { name } => view! {
            <a class=LINK href=format!("/envs/{}/asgs/{name}", row.env)>{format!("group {name}")}</a>
        }
        .into_any(),
        AlarmResource::Rule { name } => view! {
            <a class=LINK href=format!("/envs/{}/jobs/rule/{name}", row.env)>{format!("job {name}")}</a>
        }
        .into_any(),
        AlarmResource::Other { label } => view! { <span class="font-mono">{label.clone()}</span> }.into_any(),
        AlarmResource::Unknown => view! { <span class=MUTED>"—"</span> }.into_any(),
    }
}
