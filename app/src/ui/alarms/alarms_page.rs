//! Alarms across environments, filtered by environment, state, app and text; the URL carries
//! the filters, so every view is a link.

use crate::api::actions::SetAlarmActions;
use crate::api::alarms::list_alarms;
use crate::domain::views::AlarmsView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::{alarms_table_with, MuteControls};
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AlarmsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (q.get("env"), q.get("state"), q.get("app"), q.get("q"))
    };
    let mute = Submit::<SetAlarmActions>::new();
    let outcome = move || ReviewQuery::from_query(&query.read());
    let data = Resource::new(
        move || {
            (
                filter(),
                outcome(),
                refresh_tick(),
                mute.action.version().get(),
            )
        },
        |((env, state, app, q), outcome, _, _)| async move {
            list_alarms(env, state, app, q).await.map(|v| (v, outcome))
        },
    );
    view! {
        <Title text="Alarms"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((view, outcome)) => alarms_page(view, &outcome, mute).into_any(),
                    Err(e) => view! {
                        <PageHeader title="Alarms"/>
                        <ErrorPanel error=e/>
                        <a href="/alarms" class=format!("mt-3 inline-block text-sm {LINK}")>"Clear the filters"</a>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

fn alarms_page(
    view: AlarmsView,
    outcome: &ReviewQuery,
    mute: Submit<SetAlarmActions>,
) -> impl IntoView {
    let recent: Vec<_> = view
        .mute
        .as_ref()
        .map(|m| m.last.values().cloned().collect())
        .unwrap_or_default();
    let banner = outcome_banner(outcome, &recent);
    let controls = view
        .mute
        .clone()
        .filter(|m| !m.envs.is_empty())
        .map(|rights| MuteControls {
            rights,
            action: mute,
        });
    let last_error = move || {
        mute.value
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <p role="alert" data-testid="action-error" class="mb-3 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> })
    };
    let now = view.generated_at;
    let f = view.filter.clone();
    let env_sel = f.env.as_ref().map(|e| e.to_string()).unwrap_or_default();
    let state_sel = f.state.map(|s| s.as_str().to_string()).unwrap_or_default();
    let app_sel = f.app.clone().unwrap_or_default();
    let shown = view.rows.len();
    let counts = ["ALARM", "INSUFFICIENT_DATA", "OK"]
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                view.counts.get(*s).copied().unwrap_or(0),
                s.to_lowercase().replace('_', " ")
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let option = |value: String, label: String, selected: &str| {
        let is = value == selected;
        view! { <option value=value selected=is>{label}</option> }
    };
    view! {
        <PageHeader title="Alarms" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        <Form method="GET" action="/alarms">
            <div class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3 p-3")>
                <label class="flex flex-col gap-1 text-xs font-medium">"Environment"
                    <select name="env" class=INPUT>
                        {option(String::new(), "All".into(), &env_sel)}
                        {view.envs.iter().map(|c| option(c.descriptor.id.to_string(), c.descriptor.name.clone(), &env_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"State"
                    <select name="state" class=INPUT>
                        {option(String::new(), "Any".into(), &state_sel)}
                        {option("ALARM".into(), "ALARM".into(), &state_sel)}
                        {option("INSUFFICIENT_DATA".into(), "INSUFFICIENT_DATA".into(), &state_sel)}
                        {option("OK".into(), "OK".into(), &state_sel)}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"App"
                    <select name="app" class=INPUT>
                        {option(String::new(), "All".into(), &app_sel)}
                        {view.apps.iter().map(|a| option(a.clone(), a.clone(), &app_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex min-w-48 flex-1 flex-col gap-1 text-xs font-medium">"Search"
                    <input type="search" name="q" value=f.text.clone().unwrap_or_default() placeholder="name, description, reason, dimension" class=INPUT/>
                </label>
                <button type="submit" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">"Apply"</button>
                <a href="/alarms" class=format!("py-1.5 text-sm {LINK}")>"Clear"</a>
            </div>
        </Form>
        {banner}
        {last_error}
        <Section title=format!("{shown} of {} alarms", view.total) note=counts>
            {alarms_table_with(view.rows, now, true, controls)}
        </Section>
    }
}
