//! The overview: every environment side by side, firing alarms, and apps across environments.

use crate::api::overview::get_overview;
use crate::domain::format::age_opt;
use crate::domain::views::{AlarmRow, AppSummary, EnvCard, OverviewView};
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let data = Resource::new(refresh_tick, |_| get_overview());
    view! {
        <Title text="Overview"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => overview(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn overview(view: OverviewView) -> impl IntoView {
    let now = view.generated_at;
    let cols = match view.envs.len() {
        0 | 1 => "lg:grid-cols-1",
        2 => "lg:grid-cols-2",
        _ => "lg:grid-cols-3",
    };
    let env_ids: Vec<String> = view
        .envs
        .iter()
        .map(|c| c.descriptor.id.to_string())
        .collect();
    let firing_note = if view.firing.len() < view.firing_total {
        format!(
            "the first {} of {} across all environments",
            view.firing.len(),
            view.firing_total
        )
    } else {
        format!("{} across all environments", view.firing_total)
    };
    let more_firing = (view.firing.len() < view.firing_total).then(|| view! {
        <a href="/alarms?state=ALARM" data-testid="all-firing" class=format!("mx-3 my-3 inline-block text-sm {LINK}")>{format!("All {} firing alarms →", view.firing_total)}</a>
    });
    let apps_note = if view.apps.len() < view.apps_total {
        format!("the {} of {} apps that most need attention · services at desired count · versions running · alarms firing · drift across environments", view.apps.len(), view.apps_total)
    } else {
        "services at desired count · versions running · alarms firing · drift across environments"
            .to_string()
    };
    let more_apps = (view.apps.len() < view.apps_total).then(|| view! {
        <a href="/apps" data-testid="all-apps" class=format!("mx-3 my-3 inline-block text-sm {LINK}")>{format!("All {} apps →", view.apps_total)}</a>
    });
    view! {
        <PageHeader title="Overview"/>
        <div class=format!("mb-5 grid grid-cols-1 gap-4 {cols}")>
            {view.envs.into_iter().map(|card| env_card(card, now)).collect_view()}
        </div>
        <Section title="Firing alarms" note=firing_note>
            {firing_table(view.firing, now)}
            {more_firing}
        </Section>
        <Section title="Apps across environments" note=apps_note>
            {apps_matrix(view.apps, env_ids)}
            {more_apps}
        </Section>
    }
    .into_any()
}

fn env_card(card: EnvCard, now: DateTime<Utc>) -> impl IntoView {
    let href = format!("/envs/{}", card.descriptor.id);
    let health = card.health.clone();
    let jobs_href = format!("/jobs?env={}", card.descriptor.id);
    let asgs_href = format!("/asgs?env={}", card.descriptor.id);
    view! {
        <article class=format!("{CARD} p-4") data-testid=format!("env-card-{}", card.descriptor.id)>
            <div class="flex items-start justify-between gap-2">
                <div>
                    <h2 class="text-base font-semibold"><a href=href.clone() class="hover:underline">{card.descriptor.name.clone()}</a></h2>
                    <p class=format!("text-xs {MUTED}")>
                        {format!("{} · {} · {}", card.descriptor.id, card.descriptor.region,
                            card.descriptor.account_id.clone().unwrap_or_else(|| "account unknown".into()))}
                    </p>
                </div>
                {health.as_ref().map(|h| view! { <HealthBadge level=h.level()/> })}
            </div>
            <div class="mt-2 flex flex-wrap gap-2">
                <FreshnessBadge freshness=card.freshness status=card.status.clone() now/>
                {card.descriptor.protected.then(|| view! { <Badge tone=Tone::Warn text="protected"/> })}
            </div>
            <div class="mt-3"><EnvProblem card=card.clone() now/></div>
            {match health {
                None => view! { <p class=format!("text-sm {MUTED}")>"No inventory yet."</p> }.into_any(),
                Some(h) => view! {
                    <dl class="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3">
                        <Stat label="Services at desired">{format!("{}/{}", h.services_at_desired, h.services)}</Stat>
                        <Stat label="Tasks running">{format!("{}/{}", h.tasks_running, h.tasks_desired)}</Stat>
                        <Stat label="Databases available">{format!("{}/{}", h.databases_available, h.databases)}</Stat>
                        <Stat label="Alarms firing">
                            <span class={if h.alarms_firing > 0 { "text-red-700 dark:text-red-400" } else { "" }}>{h.alarms_firing.to_string()}</span>
                            <span class=format!("text-xs font-normal {MUTED}")>{format!(" of {}", h.alarms)}</span>
                        </Stat>
                        <Stat label="Deploys in progress">{h.deploys_in_progress.to_string()}</Stat>
                        <Stat label="Apps">{h.apps.to_string()}</Stat>
                        <Stat label="LB targets"><TargetsBadge counts=h.targets/></Stat>
                        <Stat label="Scheduled jobs">{match (h.jobs, h.jobs_failing) {
                            (0, _) => view! { <span class=MUTED>"none"</span> }.into_any(),
                            (n, 0) => view! { <span>{format!("{n}, none failing")}</span> }.into_any(),
                            (n, f) => view! {
                                <a class="text-red-700 hover:underline dark:text-red-400" href=jobs_href>{format!("{f} of {n} missed or failed")}</a>
                            }.into_any(),
                        }}</Stat>
                        {(h.asgs > 0).then(|| view! {
                            <Stat label="EC2 groups">{match h.asgs_degraded {
                                0 => view! { <span>{format!("{}, all healthy", h.asgs)}</span> }.into_any(),
                                d => view! {
                                    <a class="text-red-700 hover:underline dark:text-red-400" href=asgs_href>{format!("{d} of {} degraded", h.asgs)}</a>
                                }.into_any(),
                            }}</Stat>
                        })}
                    </dl>
                }.into_any(),
            }}
            <a href=href class=format!("mt-3 inline-block text-sm {LINK}")>"Open environment →"</a>
        </article>
    }
}

fn firing_table(rows: Vec<AlarmRow>, now: DateTime<Utc>) -> AnyView {
    if rows.is_empty() {
        return view! { <Empty text="No alarm is firing."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE>
                <thead class=THEAD><tr>
                    <th class=TH>"Env"</th><th class=TH>"Alarm"</th><th class=TH>"App"</th>
                    <th class=format!("{TH} hidden md:table-cell")>"Reason"</th><th class=TH>"Since"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr class=TR>
                            <td class=TD><a class=LINK href=format!("/envs/{}", r.env)>{r.env.to_string()}</a></td>
                            <td class=TD><span class="font-medium">{r.alarm.name.clone()}</span></td>
                            <td class=TD>{app_link(r.alarm.app.clone())}</td>
                            <td class=format!("{TD} hidden max-w-xl text-xs md:table-cell {MUTED}")>
                                <span class="line-clamp-2" title=r.alarm.reason.clone()>{r.alarm.reason.clone()}</span>
                            </td>
                            <td class=format!("{TD} whitespace-nowrap")>{age_opt(now, r.alarm.updated_at)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

pub fn app_link(app: Option<String>) -> AnyView {
    match app {
        Some(app) => view! { <a class=LINK href=format!("/apps/{}", crate::domain::alarm_filter::encode(&app))>{app.clone()}</a> }.into_any(),
        None => view! { <span class=MUTED>"—"</span> }.into_any(),
    }
}

/// How many of an app's services run different images across environments, linking to them.
pub fn drift_cell(app: &str, drifted: u32) -> AnyView {
    if drifted == 0 {
        return view! { <span class=format!("text-xs {MUTED}")>"same everywhere"</span> }
            .into_any();
    }
    let text = format!(
        "{drifted} service{} differ{}",
        if drifted == 1 { "" } else { "s" },
        if drifted == 1 { "s" } else { "" }
    );
    view! {
        <a href=format!("/drift?app={app}") class="hover:underline"><Badge tone=Tone::Warn text/></a>
    }
    .into_any()
}

fn apps_matrix(apps: Vec<AppSummary>, env_ids: Vec<String>) -> AnyView {
    if apps.is_empty() {
        return view! { <Empty text="No services or databases carry an app tag yet."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE>
                <thead class=THEAD><tr>
                    <th class=TH>"App"</th>
                    {env_ids.into_iter().map(|e| view! { <th class=TH>{e}</th> }).collect_view()}
                    <th class=TH>"Drift"</th>
                </tr></thead>
                <tbody>
                    {apps.into_iter().map(|app| view! {
                        <tr class=TR>
                            <td class=TD><a class=LINK href=format!("/apps/{}", app.name)>{app.name.clone()}</a></td>
                            {app.envs.into_iter().map(|e| view! {
                                <td class=TD>
                                    {if e.services == 0 && e.databases == 0 {
                                        view! { <span class=MUTED>"—"</span> }.into_any()
                                    } else {
                                        view! {
                                            <div class="flex flex-wrap items-center gap-1.5">
                                                <TaskCount running=e.services_at_desired as i32 desired=e.services as i32/>
                                                {(e.alarms_firing > 0).then(|| view! { <Badge tone=Tone::Bad text=format!("{} firing", e.alarms_firing)/> })}
                                                <span class=format!("font-mono text-xs {MUTED}")>{e.versions.join(", ")}</span>
                                            </div>
                                        }.into_any()
                                    }}
                                </td>
                            }).collect_view()}
                            <td class=format!("{TD} whitespace-nowrap") data-testid="app-drift-count">{drift_cell(&app.name, app.drifted)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
