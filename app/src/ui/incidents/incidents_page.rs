//! The on-call home: open incidents across the environments a person may see, most urgent first,
//! with filters in the address (environment, state, mine, unacknowledged) and acknowledging
//! several at once. Updates live when hydrated.

use crate::api::incidents::{list_incidents, AcknowledgeIncidents};
use crate::domain::format::{age, utc_minute};
use crate::domain::incidents::{Incident, IncidentState, Severity};
use crate::domain::views::IncidentsView;
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = use_query_map();
    let ack = Submit::<AcknowledgeIncidents>::new();
    let args = move || {
        let q = query.read();
        (
            q.get("env"),
            q.get("state"),
            q.get("mine"),
            q.get("unacked"),
        )
    };
    let data = Resource::new(
        move || (args(), refresh_tick(), ack.action.version().get()),
        |((env, state, mine, unacked), _, _)| list_incidents(env, state, mine, unacked),
    );
    view! {
        <Title text="Incidents"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => incidents_page(view, ack).into_any(),
                    Err(e) => view! {
                        <PageHeader title="Incidents"/>
                        <ErrorPanel error=e/>
                        <a href="/incidents" class=format!("mt-3 inline-block text-sm {LINK}")>"Clear the filters"</a>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The badge of an incident's severity.
pub fn severity_badge(severity: Severity) -> impl IntoView {
    let tone = match severity {
        Severity::Critical => Tone::Bad,
        Severity::High => Tone::Warn,
        Severity::Low => Tone::Neutral,
    };
    view! { <Badge tone text=severity.as_str()/> }
}

/// Open/acknowledged/resolved, as a badge.
pub fn status_badge(i: &Incident) -> impl IntoView {
    let (tone, text) = match (i.state, &i.acknowledged_by) {
        (IncidentState::Resolved, _) => (Tone::Good, "resolved".to_string()),
        (IncidentState::Open, Some(_)) => (Tone::Info, "acknowledged".to_string()),
        (IncidentState::Open, None) => (Tone::Bad, "unacknowledged".to_string()),
    };
    view! { <Badge tone text/> }
}

fn row(i: Incident, now: chrono::DateTime<chrono::Utc>, selectable: bool) -> impl IntoView {
    let href = format!("/incidents/{}", i.id);
    let firing = i.firing();
    let alarms = i.alarms.len();
    let owner = i.owner().map(str::to_string);
    let checkbox = (selectable && i.is_open() && i.acknowledged_at.is_none()).then(|| {
        let label = format!("select incident #{}", i.id);
        view! { <input type="checkbox" name="ids[]" value=i.id.to_string() form="ack-form" aria-label=label class="h-4 w-4"/> }
    });
    view! {
        <tr class=TR data-testid="incident-row">
            <td class=format!("{TD} w-8")>{checkbox}</td>
            <td class=format!("{TD} whitespace-nowrap")><a class=LINK href=href.clone()>{format!("#{}", i.id)}</a></td>
            <td class=TD>{severity_badge(i.severity)}</td>
            <td class=format!("{TD} min-w-64")>
                <a class="font-medium hover:underline" href=href>{i.title.clone()}</a>
                <div class=format!("text-xs {MUTED}")>
                    {format!("{firing} of {alarms} alarm{} firing", if alarms == 1 { "" } else { "s" })}
                    {(i.reopened > 0).then(|| format!(" · reopened {}×", i.reopened))}
                    {i.escalated_at.map(|_| " · escalated")}
                </div>
            </td>
            <td class=TD>{i.env.clone()}</td>
            <td class=TD>{i.app.clone().unwrap_or_else(|| "—".into())}</td>
            <td class=TD>{status_badge(&i)}</td>
            <td class=TD>{owner.unwrap_or_else(|| "—".into())}</td>
            <td class=format!("{TD} whitespace-nowrap {MUTED}") title=utc_minute(i.opened_at)>{age(now, i.opened_at)}</td>
        </tr>
    }
}

fn incidents_page(view: IncidentsView, ack: Submit<AcknowledgeIncidents>) -> impl IntoView {
    let now = view.generated_at;
    let f = view.filter.clone();
    let env_sel = f.env.clone().unwrap_or_default();
    let state_sel = f.state.map(|s| s.as_str().to_string()).unwrap_or_default();
    let option = |value: String, label: String, selected: &str| {
        let is = value == selected;
        view! { <option value=value selected=is>{label}</option> }
    };
    let shown = view.rows.len();
    let may = view.may_respond_in.clone();
    let selectable = view
        .rows
        .iter()
        .any(|i| may.contains(&i.env) && i.is_open() && i.acknowledged_at.is_none());
    let rows = view
        .rows
        .into_iter()
        .map(|i| {
            let can = may.contains(&i.env);
            row(i, now, can)
        })
        .collect_view();
    let what = if f.state == Some(IncidentState::Resolved) {
        "resolved"
    } else {
        "open"
    };
    let table = if shown == 0 {
        view! { <Empty text=format!("No {what} incidents match. All quiet.")/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="incidents-table">
                <thead class=THEAD><tr>
                    <th class=TH><span class="sr-only">"Select"</span></th>
                    <th class=TH>"Incident"</th><th class=TH>"Severity"</th><th class=TH>"What"</th>
                    <th class=TH>"Env"</th><th class=TH>"App"</th><th class=TH>"Status"</th><th class=TH>"Owner"</th><th class=TH>"Opened"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any()
    };
    let pending = ack.pending;
    let error = move || {
        ack.value.get().and_then(|r| r.err()).map(|e| {
            view! { <p role="alert" data-testid="action-error" class="px-3 pb-2 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> }
        })
    };
    let done = move || {
        ack.value.get().and_then(|r| r.ok()).map(|m| {
            view! { <p role="status" data-testid="ack-done" class="px-3 pb-2 text-sm text-emerald-800 dark:text-emerald-300">{m}</p> }
        })
    };
    view! {
        <PageHeader title="Incidents" crumbs=vec![("Overview".to_string(), "/".to_string())]>
            <a href="/oncall" class=format!("text-sm {LINK}")>"Who is on call"</a>
        </PageHeader>
        <Form method="GET" action="/incidents">
            <div class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3 p-3")>
                <label class="flex flex-col gap-1 text-xs font-medium">"Environment"
                    <select name="env" class=INPUT>
                        {option(String::new(), "All".into(), &env_sel)}
                        {view.envs.iter().map(|e| option(e.to_string(), e.to_string(), &env_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"State"
                    <select name="state" class=INPUT>
                        {option(String::new(), "Open".into(), &state_sel)}
                        {option("resolved".into(), "Resolved".into(), &state_sel)}
                    </select>
                </label>
                <label class="flex items-center gap-2 pb-2 text-sm"><input type="checkbox" name="mine" value="1" checked=f.mine/>"Mine"</label>
                <label class="flex items-center gap-2 pb-2 text-sm"><input type="checkbox" name="unacked" value="1" checked=f.unacknowledged/>"Unacknowledged"</label>
                <button type="submit" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">"Apply"</button>
                <a href="/incidents" class=format!("py-1.5 text-sm {LINK}")>"Clear"</a>
            </div>
        </Form>
        <Section title=format!("{shown} {what} incident{}", if shown == 1 { "" } else { "s" }) note="most urgent first, then newest">
            {selectable.then(|| view! {
                <ActionForm action=ack.action attr:id="ack-form" attr:data-testid="ack-form" attr:class="flex items-center gap-3 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
                    <span class=format!("text-xs {MUTED}")>"Tick incidents below, then"</span>
                    <button type="submit" class="rounded-md bg-sky-700 px-3 py-1 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60" disabled=move || pending.get()>"Acknowledge selected"</button>
                </ActionForm>
            })}
            {error}
            {done}
            {table}
        </Section>
    }
}
