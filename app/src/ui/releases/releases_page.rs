//! Release requests across the environments a person may see, filtered by environment, state,
//! "mine" and "awaiting my approval"; the address carries the filters.

use crate::api::releases::list_releases;
use crate::domain::approvals::{Release, ReleaseState};
use crate::domain::format::{age, utc_minute};
use crate::domain::views::ReleasesView;
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReleasesPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("env"),
            q.get("state"),
            q.get("mine"),
            q.get("awaiting"),
        )
    };
    let data = Resource::new(
        move || (args(), refresh_tick()),
        |((env, state, mine, awaiting), _)| list_releases(env, state, mine, awaiting),
    );
    view! {
        <Title text="Release requests"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => releases_page(view).into_any(),
                    Err(e) => view! {
                        <PageHeader title="Release requests"/>
                        <ErrorPanel error=e/>
                        <a href="/releases" class=format!("mt-3 inline-block text-sm {LINK}")>"Clear the filters"</a>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

const INPUT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";

/// The badge of a request's state.
pub fn state_badge(state: ReleaseState) -> impl IntoView {
    let tone = match state {
        ReleaseState::Requested => Tone::Warn,
        ReleaseState::Approved | ReleaseState::Executing => Tone::Info,
        ReleaseState::Succeeded => Tone::Good,
        ReleaseState::Failed | ReleaseState::Rejected => Tone::Bad,
        ReleaseState::Cancelled | ReleaseState::Expired => Tone::Neutral,
    };
    view! { <Badge tone text=state.as_str()/> }
}

fn row(r: Release, now: chrono::DateTime<chrono::Utc>, mine_to_vote: bool) -> impl IntoView {
    let href = format!("/releases/{}", r.id);
    let approvals = format!("{} of {}", r.approvals(), r.required);
    let expires = if r.state.is_pending() {
        format!("expires {}", utc_minute(r.expires_at))
    } else {
        String::new()
    };
    view! {
        <tr class=TR>
            <td class=format!("{TD} whitespace-nowrap")><a class=LINK href=href>{format!("#{}", r.id)}</a></td>
            <td class=TD>{r.env.clone()}</td>
            <td class=format!("{TD} min-w-64")>
                <div class="font-medium">{format!("{} {}", r.kind.as_str().replace('_', " "), r.target)}</div>
                <div class=format!("break-words text-xs {MUTED}")>{r.summary.clone()}</div>
            </td>
            <td class=TD>{r.requester.clone()}</td>
            <td class=TD>
                {state_badge(r.state)}
                {mine_to_vote.then(|| view! { <div class="mt-1 text-xs font-medium text-amber-700 dark:text-amber-400">"awaits you"</div> })}
            </td>
            <td class=format!("{TD} whitespace-nowrap")>{approvals}</td>
            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age(now, r.created_at)}<div class="text-xs">{expires}</div></td>
        </tr>
    }
}

fn releases_page(view: ReleasesView) -> impl IntoView {
    let now = view.generated_at;
    let env_sel = view.env.as_ref().map(|e| e.to_string()).unwrap_or_default();
    let state_sel = view
        .state
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let option = |value: String, label: String, selected: &str| {
        let is = value == selected;
        view! { <option value=value selected=is>{label}</option> }
    };
    let shown = view.rows.len();
    let waiting = view.awaits_me.clone();
    let rows = view
        .rows
        .into_iter()
        .map(|r| {
            let awaits = waiting.contains(&r.id);
            row(r, now, awaits)
        })
        .collect_view();
    let table = if shown == 0 {
        view! { <Empty text="No release requests match."/> }.into_any()
    } else {
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="releases-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Request"</th><th class=TH>"Env"</th><th class=TH>"Change"</th><th class=TH>"Requested by"</th>
                    <th class=TH>"State"</th><th class=TH>"Approvals"</th><th class=TH>"Asked"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any()
    };
    view! {
        <PageHeader title="Release requests" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        <Form method="GET" action="/releases">
            <div class=format!("{CARD} mb-4 flex flex-wrap items-end gap-3 p-3")>
                <label class="flex flex-col gap-1 text-xs font-medium">"Environment"
                    <select name="env" class=INPUT>
                        {option(String::new(), "All".into(), &env_sel)}
                        {view.envs.iter().map(|e| option(e.to_string(), e.to_string(), &env_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"State"
                    <select name="state" class=INPUT>
                        {option(String::new(), "Any".into(), &state_sel)}
                        {ReleaseState::ALL.iter().map(|s| option(s.as_str().to_string(), s.as_str().to_string(), &state_sel)).collect_view()}
                    </select>
                </label>
                <label class="flex items-center gap-2 pb-2 text-sm"><input type="checkbox" name="mine" value="1" checked=view.mine/>"Mine"</label>
                <label class="flex items-center gap-2 pb-2 text-sm"><input type="checkbox" name="awaiting" value="1" checked=view.awaiting/>"Awaiting my approval"</label>
                <button type="submit" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">"Apply"</button>
                <a href="/releases" class=format!("py-1.5 text-sm {LINK}")>"Clear"</a>
            </div>
        </Form>
        <Section title=format!("{shown} release requests") note="newest first">{table}</Section>
    }
}
