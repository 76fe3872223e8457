//! Every app, with its footprint in each environment.

use crate::api::apps::list_apps;
use crate::domain::alarm_filter::encode;
use crate::domain::views::AppsView;
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AppsPage() -> impl IntoView {
    let data = Resource::new(refresh_tick, |_| list_apps());
    view! {
        <Title text="Apps"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => apps_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn apps_page(view: AppsView) -> impl IntoView {
    view! {
        <PageHeader title="Apps" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        <p class=format!("mb-4 text-sm {MUTED}")>"Services and databases grouped by their app tag, environment by environment."</p>
        {if view.apps.is_empty() {
            view! { <Empty text="No services or databases carry an app tag yet."/> }.into_any()
        } else {
            view! {
                <div class="grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
                    {view.apps.into_iter().map(|app| view! {
                        <article class=format!("{CARD} p-4") data-testid=format!("app-card-{}", app.name)>
                            <div class="mb-2 flex items-baseline justify-between gap-2">
                                <h2 class="text-base font-semibold"><a class="hover:underline" href=format!("/apps/{}", encode(&app.name))>{app.name.clone()}</a></h2>
                                {crate::ui::overview::overview_page::drift_cell(&app.name, app.drifted)}
                            </div>
                            <table class=TABLE>
                                <thead class=THEAD><tr><th class=TH>"Env"</th><th class=TH>"Services"</th><th class=TH>"DBs"</th><th class=TH>"Version"</th></tr></thead>
                                <tbody>
                                    {app.envs.into_iter().map(|e| view! {
                                        <tr class=TR>
                                            <td class=TD>{e.env.to_string()}</td>
                                            <td class=TD>
                                                <TaskCount running=e.services_at_desired as i32 desired=e.services as i32/>
                                                {(e.alarms_firing > 0).then(|| view! { <span class="ml-1"><Badge tone=Tone::Bad text=format!("{} firing", e.alarms_firing)/></span> })}
                                            </td>
                                            <td class=TD>{e.databases.to_string()}</td>
                                            <td class=format!("{TD} font-mono text-xs")>{e.versions.join(", ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </article>
                    }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}
