//! Release requests across the environments a person may see, filtered by environment, state,
//! "mine" and "awaiting my approval"; the address carries the filters.

use crate::api::releases::{list_releases, ApproveReleaseGroup, RejectReleaseGroup};
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
            q.get("group"),
        )
    };
    let forms = GroupForms {
        approve: Submit::new(),
        reject: Submit::new(),
    };
    let data = Resource::new(
        move || {
            (
                args(),
                refresh_tick(),
                (
                    forms.approve.action.version().get(),
                    forms.reject.action.version().get(),
                ),
            )
        },
        |((env, state, mine, awaiting, group), _, _)| {
            list_releases(env, state, mine, awaiting, group)
        },
    );
    view! {
        <Title text="Release requests"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => releases_page(view, forms).into_any(),
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

/// The forms that vote on every request of a promotion group.
#[derive(Clone, Copy)]
struct GroupForms {
    approve: Submit<ApproveReleaseGroup>,
    reject: Submit<RejectReleaseGroup>,
}

const TEXT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";

/// One promotion's requests: how many wait, and the forms to approve or reject all of them.
fn group_panel(view: &ReleasesView, group: &str, forms: GroupForms) -> AnyView {
    let waiting = view.awaits_me.len();
    let total = view.rows.len();
    let open = view
        .rows
        .iter()
        .filter(|r| r.state == ReleaseState::Requested)
        .count();
    let envs: std::collections::BTreeSet<&str> = view.rows.iter().map(|r| r.env.as_str()).collect();
    let summary = format!(
        "A whole-app promotion into {}: {total} request{}, {open} waiting for approval, {waiting} waiting for your vote.",
        envs.into_iter().collect::<Vec<_>>().join(", "),
        if total == 1 { "" } else { "s" }
    );
    let error = move || {
        let approve = forms.approve.value.get().and_then(|r| r.err());
        let reject = forms.reject.value.get().and_then(|r| r.err());
        approve.or(reject).map(|e| view! {
            <p role="alert" data-testid="action-error" class="mt-2 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p>
        })
    };
    let voted = move || {
        forms
            .approve
            .value
            .get()
            .or_else(|| forms.reject.value.get())
            .and_then(|r| r.ok())
            .map(|v| {
                let refused = v
                    .refused
                    .iter()
                    .map(|(id, why)| format!("#{id}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                view! {
                    <p role="status" data-testid="group-voted" class="mt-2 text-sm text-emerald-800 dark:text-emerald-300">
                        {format!("Your vote counted on {} request{}.", v.voted.len(), if v.voted.len() == 1 { "" } else { "s" })}
                        {(!refused.is_empty()).then(|| format!(" Not on: {refused}"))}
                    </p>
                }
            })
    };
    let (approve, reject) = (forms.approve.action, forms.reject.action);
    let (approving, rejecting) = (forms.approve.pending, forms.reject.pending);
    let (group_a, group_r) = (group.to_string(), group.to_string());
    let forms_view = (waiting > 0).then(|| {
        view! {
            <div class="mt-3 flex flex-wrap items-start gap-6">
                <ActionForm action=approve attr:data-testid="approve-group-form">
                    <input type="hidden" name="group" value=group_a/>
                    <div class="flex flex-wrap items-end gap-2">
                        <label class="flex flex-col gap-1 text-xs font-medium">"Comment"
                            <input name="comment" maxlength="500" placeholder="optional" class=format!("{TEXT} w-64")/>
                        </label>
                        <button type="submit" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60" disabled=move || approving.get()>{format!("Approve all {waiting}")}</button>
                    </div>
                </ActionForm>
                <ActionForm action=reject attr:data-testid="reject-group-form">
                    <input type="hidden" name="group" value=group_r/>
                    <div class="flex flex-wrap items-end gap-2">
                        <label class="flex flex-col gap-1 text-xs font-medium">"Why reject"
                            <input name="comment" required maxlength="500" class=format!("{TEXT} w-64")/>
                        </label>
                        <button type="submit" class="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60" disabled=move || rejecting.get()>{format!("Reject all {waiting}")}</button>
                    </div>
                </ActionForm>
            </div>
        }
    });
    view! {
        <section class=format!("{CARD} mb-4 p-3") data-testid="release-group-panel">
            <p class="text-sm">{summary}</p>
            {forms_view}
            {error}
            {voted}
        </section>
    }
    .into_any()
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

/// How the rollout of a request's change went, once it ran: a badge, with ECS's words in its
/// title (`rolled back by ECS: <reason>`).
pub fn rollout_badge(
    rollout: Option<&crate::domain::rollout_outcome::RolloutOutcome>,
) -> Option<AnyView> {
    use crate::domain::rollout_outcome::RolloutOutcome;
    let rollout = rollout?;
    let tone = match rollout {
        RolloutOutcome::Following => Tone::Info,
        RolloutOutcome::Completed | RolloutOutcome::Replaced { .. } => Tone::Good,
        _ => Tone::Bad,
    };
    Some(
        view! {
            <div class="mt-1" data-testid="release-rollout" data-state=rollout.as_str() title=rollout.label()>
                <Badge tone text=rollout.short()/>
            </div>
        }
        .into_any(),
    )
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
                {rollout_badge(r.rollout.as_ref())}
                {mine_to_vote.then(|| view! { <div class="mt-1 text-xs font-medium text-amber-700 dark:text-amber-400">"awaits you"</div> })}
            </td>
            <td class=format!("{TD} whitespace-nowrap")>{approvals}</td>
            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age(now, r.created_at)}<div class="text-xs">{expires}</div></td>
        </tr>
    }
}

fn releases_page(view: ReleasesView, forms: GroupForms) -> impl IntoView {
    let now = view.generated_at;
    let group = view.group.clone().map(|g| group_panel(&view, &g, forms));
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
    let in_group = view.group.is_some();
    let title = if in_group {
        "One promotion's release requests".to_string()
    } else {
        "Release requests".to_string()
    };
    // A promotion's requests are the whole list: the filters would leave it.
    let filters = (!in_group).then(|| {
        view! {
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
        }
    });
    let mut crumbs = vec![("Overview".to_string(), "/".to_string())];
    if in_group {
        crumbs.push(("Release requests".to_string(), "/releases".to_string()));
    }
    let note = if in_group {
        "in service order"
    } else {
        "newest first"
    };
    view! {
        <PageHeader title crumbs/>
        {group}
        {filters}
        <Section title=format!("{shown} release request{}", if shown == 1 { "" } else { "s" }) note>{table}</Section>
    }
}
