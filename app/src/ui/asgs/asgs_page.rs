//! Every EC2 Auto Scaling group across environments, optionally of one environment (`?env=`):
//! degraded groups first, each with its size against its bounds, instances in service and
//! healthy, and its load balancer targets.

use crate::api::asgs::list_asgs;
use crate::domain::auto_scaling_groups::AsgVerdict;
use crate::domain::views::{AsgRow, AsgsView};
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AsgsPage() -> impl IntoView {
    let query = use_query_map();
    let env = move || query.read().get("env").filter(|e| !e.is_empty());
    let data = Resource::new(move || (env(), refresh_tick()), |(env, _)| list_asgs(env));
    view! {
        <Title text="Auto Scaling groups"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => asgs_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn asgs_page(view: AsgsView) -> impl IntoView {
    let now = view.generated_at;
    let filter = env_filter_chips("/asgs", &view.envs, view.env_filter.as_ref(), now);
    let notes = detail_list_notes(
        "Auto Scaling groups",
        "asgs-failed",
        &view.errors,
        &view.unread,
    );
    let degraded = view.rows.iter().filter(|r| r.verdict.is_bad()).count();
    let note = match degraded {
        0 => format!(
            "{} group{}",
            view.rows.len(),
            crate::domain::format::plural(view.rows.len() as i64)
        ),
        n => format!(
            "{} group{}, {n} short of healthy instances",
            view.rows.len(),
            crate::domain::format::plural(view.rows.len() as i64)
        ),
    };
    view! {
        <PageHeader title="Auto Scaling groups" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        {filter}
        {notes}
        <Section title="EC2 Auto Scaling groups: size, instances and load balancer targets" note>
            {asgs_table(view.rows, view.env_filter.is_none())}
        </Section>
    }
}

/// The tone and word of a group's verdict.
pub fn verdict_badge(verdict: AsgVerdict) -> AnyView {
    let tone = match verdict {
        AsgVerdict::Healthy => Tone::Good,
        AsgVerdict::Scaling | AsgVerdict::Refreshing => Tone::Info,
        AsgVerdict::Degraded => Tone::Bad,
    };
    view! { <Badge tone text=verdict.label()/> }.into_any()
}

/// The groups table of the groups page and the app page.
pub fn asgs_table(rows: Vec<AsgRow>, with_env: bool) -> AnyView {
    if rows.is_empty() {
        return view! { <Empty text="No Auto Scaling groups."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE data-testid="asgs-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Group"</th>
                    {with_env.then(|| view! { <th class=TH>"Env"</th> })}
                    <th class=TH>"App"</th>
                    <th class=format!("{TH} text-right")>"Desired"</th>
                    <th class=TH>"Bounds"</th>
                    <th class=format!("{TH} text-right")>"Healthy in service"</th>
                    <th class=TH>"Launch template"</th>
                    <th class=TH>"LB targets"</th>
                    <th class=TH>"State"</th>
                    <th class=TH>"Alarms"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let g = &r.group;
                        let href = format!("/envs/{}/asgs/{}", r.env, g.name);
                        let highlight = if r.verdict.is_bad() { "bg-red-50 dark:bg-red-950/40" } else { "" };
                        let template = g
                            .launch_template
                            .as_ref()
                            .map(|t| t.describe())
                            .or_else(|| g.launch_configuration.clone().map(|c| format!("launch configuration {c}")))
                            .unwrap_or_else(|| "—".into());
                        view! {
                            <tr class=format!("{TR} {highlight}")>
                                <td class=format!("{TD} whitespace-nowrap")><a class=LINK href=href>{g.name.clone()}</a></td>
                                {with_env.then(|| view! { <td class=TD>{r.env.to_string()}</td> })}
                                <td class=TD>{app_link(g.app.clone())}</td>
                                <td class=format!("{TD} text-right tabular-nums")>{g.desired.to_string()}</td>
                                <td class=format!("{TD} whitespace-nowrap tabular-nums")>{format!("{}–{}", g.min, g.max)}</td>
                                <td class=format!("{TD} text-right tabular-nums")>{format!("{}/{}", g.healthy_in_service(), g.desired)}</td>
                                <td class=format!("{TD} text-xs")>{template}</td>
                                <td class=TD><TargetsBadge counts=r.targets/></td>
                                <td class=TD>{verdict_badge(r.verdict)}</td>
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
