//! One EC2 Auto Scaling group: its size against its bounds, launch template, instances with
//! lifecycle state, health and zone, its target groups with every target's health, recent
//! scaling activities with their causes, instance refreshes with their progress, the alarms on
//! it, and the actions (desired capacity, bounds, instance refresh).

use super::asgs_page::verdict_badge;
use crate::api::actions::{RefreshInstances, SetCapacity, SetCapacityBounds};
use crate::api::asgs::get_asg;
use crate::domain::actions::ActionKind;
use crate::domain::format::{age_opt, utc_minute_opt};
use crate::domain::load_balancing::TargetGroup;
use crate::domain::views::AsgView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::watching_alarms;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The group page's action forms, made once outside its `Transition`.
#[derive(Clone, Copy)]
struct AsgForms {
    capacity: Submit<SetCapacity>,
    bounds: Submit<SetCapacityBounds>,
    refresh: Submit<RefreshInstances>,
}

#[component]
pub fn AsgPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("env").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    };
    let query = use_query_map();
    let outcome = move || ReviewQuery::from_query(&query.read());
    let forms = AsgForms {
        capacity: Submit::new(),
        bounds: Submit::new(),
        refresh: Submit::new(),
    };
    let data = Resource::new(
        move || {
            (
                key(),
                outcome(),
                refresh_tick(),
                (
                    forms.capacity.action.version().get(),
                    forms.bounds.action.version().get(),
                    forms.refresh.action.version().get(),
                ),
            )
        },
        |((env, name), outcome, _, _)| async move { get_asg(env, name).await.map(|v| (v, outcome)) },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((view, outcome)) => asg_page(view, outcome, forms).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the person may do to the group, and its recent actions.
fn actions_section(view: &AsgView, forms: AsgForms) -> Option<AnyView> {
    let panel = view.actions.clone()?;
    let env = view.card.descriptor.id.to_string();
    let g = &view.row.group;
    let capacity = panel.allows(ActionKind::SetCapacity).then(|| {
        let form = view! { <CapacityForm action=forms.capacity env=env.clone() group=g.name.clone() desired=g.desired min=g.min max=g.max panel=panel.clone()/> };
        action_group("Desired capacity".into(), form.into_any())
    });
    let bounds = panel.allows(ActionKind::SetCapacityBounds).then(|| {
        let form = view! { <BoundsForm action=forms.bounds env=env.clone() group=g.name.clone() min=g.min max=g.max panel=panel.clone()/> };
        action_group("Bounds".into(), form.into_any())
    });
    let refresh = panel.allows(ActionKind::RefreshInstances).then(|| {
        let body = match (&view.refreshes_unavailable, g.running_refresh()) {
            (Some(why), _) => view! {
                <p class=format!("text-sm {MUTED}") data-testid="refresh-unavailable">{format!("Not offered here: {why}.")}</p>
            }
            .into_any(),
            (None, Some(r)) => view! {
                <p class=format!("text-sm {MUTED}")>{format!("An instance refresh is running: {}.", r.progress())}</p>
            }
            .into_any(),
            (None, None) => view! {
                <RefreshForm action=forms.refresh env=env.clone() group=g.name.clone() instances=g.instances.len() panel=panel.clone()/>
            }
            .into_any(),
        };
        action_group("Instance refresh".into(), body)
    });
    let forms = view! { {capacity}{bounds}{refresh} }.into_any();
    Some(action_sections(&panel, forms, view.generated_at))
}

fn target_group_view(group: &TargetGroup) -> AnyView {
    let protocol = match (&group.protocol, group.port) {
        (Some(p), Some(port)) => format!("{p}:{port}"),
        _ => "—".to_string(),
    };
    let rows = if group.targets.is_empty() {
        let text = match &group.error {
            Some(e) => format!("Its targets could not be read this cycle: {e}"),
            None => "No target is registered.".to_string(),
        };
        view! { <p class=format!("px-3 pb-3 text-sm {MUTED}")>{text}</p> }.into_any()
    } else {
        view! {
            <table class=TABLE>
                <thead class=THEAD><tr>
                    <th class=TH>"Target"</th><th class=TH>"Zone"</th><th class=TH>"State"</th><th class=TH>"Why"</th>
                </tr></thead>
                <tbody>
                    {group.targets.iter().map(|t| {
                        let tone = if t.state.serving() { Tone::Good } else { Tone::Bad };
                        view! {
                            <tr class=TR>
                                <td class=format!("{TD} font-mono text-xs")>{t.id.clone()}</td>
                                <td class=TD>{t.availability_zone.clone().unwrap_or_else(|| "—".into())}</td>
                                <td class=TD><Badge tone text=t.state.as_str().to_string()/></td>
                                <td class=format!("{TD} text-xs")>{t.description.clone().or_else(|| t.reason.clone()).unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <div data-testid="asg-target-group">
            <p class="px-3 py-2 text-sm"><span class="font-medium">{group.name.clone()}</span>
                <span class=MUTED>{format!(" · {protocol}")}</span></p>
            {rows}
        </div>
    }
    .into_any()
}

fn asg_page(view: AsgView, outcome: ReviewQuery, forms: AsgForms) -> impl IntoView {
    let banner = panel_outcome(&outcome, view.actions.as_ref());
    let actions = actions_section(&view, forms);
    let now = view.generated_at;
    let env = view.card.descriptor.id.clone();
    let g = view.row.group.clone();
    let crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        (view.card.descriptor.name.clone(), format!("/envs/{env}")),
        (
            "Auto Scaling groups".to_string(),
            format!("/asgs?env={env}"),
        ),
    ];
    let heading = view! { <EnvHeading card=view.card.clone() now/> };
    let problem = view.read_error.clone().map(|error| {
        view! { <ReadProblem what="Auto Scaling groups" env=env.to_string() error testid="asgs-failed"/> }
    });
    let verdict = verdict_badge(view.row.verdict);
    let app = app_link(g.app.clone());
    let size = format!("{} wanted, {}–{}", g.desired, g.min, g.max);
    let in_service = format!("{}/{}", g.healthy_in_service(), g.desired);
    let template = g
        .launch_template
        .as_ref()
        .map(|t| t.describe())
        .or_else(|| {
            g.launch_configuration
                .clone()
                .map(|c| format!("launch configuration {c}"))
        })
        .unwrap_or_else(|| "—".into());
    let instances_note = format!("health check {} · {}", g.health_check_type, g.zones());
    let suspended = (!g.suspended.is_empty()).then(|| {
        view! {
            <p class="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100">
                {format!("Suspended processes: {}. The group does not do these until they are resumed.", g.suspended.join(", "))}
            </p>
        }
    });
    let instances = if g.instances.is_empty() {
        view! { <Empty text="No instances."/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="asg-instances">
                <thead class=THEAD><tr>
                    <th class=TH>"Instance"</th><th class=TH>"Lifecycle"</th><th class=TH>"Health"</th>
                    <th class=TH>"Zone"</th><th class=TH>"Type"</th><th class=TH>"Template version"</th><th class=TH>"Scale-in"</th>
                </tr></thead>
                <tbody>
                    {g.instances.iter().map(|i| {
                        let health = if i.healthy() {
                            view! { <Badge tone=Tone::Good text="healthy"/> }.into_any()
                        } else {
                            view! { <Badge tone=Tone::Bad text="unhealthy"/> }.into_any()
                        };
                        view! {
                            <tr class=TR>
                                <td class=format!("{TD} font-mono text-xs")>{i.id.clone()}</td>
                                <td class=TD>{i.lifecycle_state.clone()}</td>
                                <td class=TD>{health}</td>
                                <td class=TD>{i.availability_zone.clone()}</td>
                                <td class=TD>{i.instance_type.clone().unwrap_or_else(|| "—".into())}</td>
                                <td class=TD>{i.launch_template_version.clone().unwrap_or_else(|| "—".into())}</td>
                                <td class=format!("{TD} text-xs")>{if i.protected_from_scale_in { "protected" } else { "—" }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        }
        .into_any()
    };
    let activities = if g.activities.is_empty() {
        view! { <Empty text="No recent scaling activity."/> }.into_any()
    } else {
        view! {
            <ul class="divide-y divide-slate-100 dark:divide-slate-800" data-testid="asg-activities">
                {g.activities.iter().map(|a| {
                    let tone = match a.status.as_str() {
                        "Successful" => Tone::Good,
                        "Failed" | "Cancelled" => Tone::Bad,
                        _ => Tone::Info,
                    };
                    view! {
                        <li class="px-3 py-2 text-sm">
                            <div class="flex flex-wrap items-center gap-2">
                                <Badge tone text=a.status.clone()/>
                                <span class="font-medium">{a.description.clone()}</span>
                                <span class=format!("text-xs {MUTED}")>{age_opt(now, a.started_at)}</span>
                            </div>
                            <p class=format!("mt-1 text-xs {MUTED}")>{a.cause.clone()}</p>
                            {a.status_message.clone().map(|m| view! { <p class="mt-1 text-xs text-red-700 dark:text-red-400">{m}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let refreshes = match (&g.refreshes, &view.refreshes_unavailable) {
        (_, Some(why)) => view! { <Empty text=format!("Not read here: {why}.")/> }.into_any(),
        (None, None) => view! { <Empty text="Not read yet."/> }.into_any(),
        (Some(list), None) if list.is_empty() => view! { <Empty text="No instance refresh."/> }.into_any(),
        (Some(list), None) => view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="asg-refreshes">
                <thead class=THEAD><tr>
                    <th class=TH>"Started"</th><th class=TH>"Progress"</th><th class=TH>"Ended"</th><th class=TH>"Why"</th>
                </tr></thead>
                <tbody>
                    {list.iter().map(|r| view! {
                        <tr class=TR>
                            <td class=format!("{TD} whitespace-nowrap")>{utc_minute_opt(r.started_at)}</td>
                            <td class=TD>{r.progress()}</td>
                            <td class=format!("{TD} whitespace-nowrap")>{utc_minute_opt(r.ended_at)}</td>
                            <td class=format!("{TD} text-xs")>{r.status_reason.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        }
        .into_any(),
    };
    let target_groups = if g.target_groups.is_empty() {
        view! { <Empty text="No target group: the group is behind no load balancer."/> }.into_any()
    } else if view.target_groups.is_empty() {
        view! { <Empty text="Its target groups' health is read with the details, shortly."/> }
            .into_any()
    } else {
        view! {
            <div class="divide-y divide-slate-200 dark:divide-slate-800">
                {view.target_groups.iter().map(target_group_view).collect_view()}
            </div>
        }
        .into_any()
    };
    view! {
        <Title text=g.name.clone()/>
        <PageHeader title=g.name.clone() crumbs>{heading}</PageHeader>
        <EnvProblem card=view.card.clone() now/>
        {banner}
        {problem}
        {suspended}
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-3 lg:grid-cols-6")>
            <Stat label="State">{verdict}</Stat>
            <Stat label="App">{app}</Stat>
            <Stat label="Size">{size}</Stat>
            <Stat label="Healthy in service">{in_service}</Stat>
            <div class="col-span-2 min-w-0">
                <dt class=format!("text-xs {MUTED}")>"Launch template"</dt>
                <dd class="mt-0.5 break-words text-sm font-medium">{template}</dd>
            </div>
        </dl>
        <Section title="Instances" note=instances_note>{instances}</Section>
        <Section title="Load balancer targets" note="the target groups it registers its instances with">{target_groups}</Section>
        <Section title="Scaling activities" note="newest first, with their causes">{activities}</Section>
        <Section title="Instance refreshes" note="newest first">{refreshes}</Section>
        {watching_alarms(&env, &view.alarms, now, "group")}
        {actions}
    }
}
