//! One release request: what changes (current vs proposed), why, who asked, its approvals and
//! history, and the forms to approve, reject, cancel or (admin, during a freeze) break glass.

use super::releases_page::{rollout_badge, state_badge};
use crate::api::releases::{
    get_release, ApproveRelease, BreakGlassRelease, CancelRelease, RejectRelease,
};
use crate::domain::approvals::Release;
use crate::domain::format::{age, utc_minute};
use crate::domain::views::ReleaseView;
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const TEXT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
const BUTTON: &str = "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60";
const BUTTON_QUIET: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";
const BUTTON_DANGER: &str = "rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60";

/// The page's forms.
#[derive(Clone, Copy)]
struct Forms {
    approve: Submit<ApproveRelease>,
    reject: Submit<RejectRelease>,
    cancel: Submit<CancelRelease>,
    break_glass: Submit<BreakGlassRelease>,
}

#[component]
pub fn ReleasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let forms = Forms {
        approve: Submit::new(),
        reject: Submit::new(),
        cancel: Submit::new(),
        break_glass: Submit::new(),
    };
    let data = Resource::new(
        move || {
            (
                id(),
                refresh_tick(),
                (
                    forms.approve.action.version().get(),
                    forms.reject.action.version().get(),
                    forms.cancel.action.version().get(),
                    forms.break_glass.action.version().get(),
                ),
            )
        },
        |(id, _, _)| get_release(id),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => release_page(view, forms).into_any(),
                    Err(e) => view! {
                        <PageHeader title="Release request"/>
                        <ErrorPanel error=e/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The error of the last submit of one of the page's forms, with JavaScript.
fn last_error<S>(value: S) -> impl IntoView
where
    S: Get<Value = Option<Result<Release, crate::error::AppError>>> + Send + Sync + 'static,
{
    move || {
        value.get().and_then(|r| r.err()).map(|e| {
            view! { <p role="alert" data-testid="action-error" class="mt-2 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> }
        })
    }
}

fn decide_section(view: &ReleaseView, forms: Forms) -> AnyView {
    let r = &view.release;
    let id = r.id;
    let vote = match &view.vote {
        Ok(()) => {
            let (approve, reject) = (forms.approve.action, forms.reject.action);
            let approving = forms.approve.pending;
            let rejecting = forms.reject.pending;
            view! {
                <div class="flex flex-wrap items-start gap-6">
                    <ActionForm action=approve attr:data-testid="approve-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <div class="flex flex-wrap items-end gap-2">
                            <label class="flex flex-col gap-1 text-xs font-medium">"Comment"
                                <input name="comment" maxlength="500" placeholder="optional" class=format!("{TEXT} w-64")/>
                            </label>
                            <button type="submit" class=BUTTON disabled=move || approving.get()>"Approve"</button>
                        </div>
                    </ActionForm>
                    <ActionForm action=reject attr:data-testid="reject-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <div class="flex flex-wrap items-end gap-2">
                            <label class="flex flex-col gap-1 text-xs font-medium">"Why reject"
                                <input name="comment" required maxlength="500" class=format!("{TEXT} w-64")/>
                            </label>
                            <button type="submit" class=BUTTON_DANGER disabled=move || rejecting.get()>"Reject"</button>
                        </div>
                    </ActionForm>
                </div>
                {last_error(forms.approve.value)}
                {last_error(forms.reject.value)}
            }
            .into_any()
        }
        Err(why) => view! { <p class=format!("text-sm {MUTED}") data-testid="vote-refused">{why.clone()}</p> }.into_any(),
    };
    let cancel = view.cancel.is_ok().then(|| {
        let cancel = forms.cancel.action;
        let pending = forms.cancel.pending;
        view! {
            <ActionForm action=cancel attr:data-testid="cancel-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="flex flex-wrap items-end gap-2">
                    <label class="flex flex-col gap-1 text-xs font-medium">"Why cancel"
                        <input name="comment" maxlength="500" placeholder="optional" class=format!("{TEXT} w-64")/>
                    </label>
                    <button type="submit" class=BUTTON_QUIET disabled=move || pending.get()>"Cancel the request"</button>
                </div>
            </ActionForm>
            {last_error(forms.cancel.value)}
        }
    });
    let glass = view.break_glass.then(|| {
        let action = forms.break_glass.action;
        let pending = forms.break_glass.pending;
        view! {
            <ActionForm action attr:data-testid="break-glass-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="flex flex-wrap items-end gap-2 rounded-md border border-red-300 bg-red-50 p-3 dark:border-red-800 dark:bg-red-950/40">
                    <label class="flex flex-col gap-1 text-xs font-medium">"Break glass: why it cannot wait (audited)"
                        <input name="reason" required minlength="5" maxlength="500" class=format!("{TEXT} w-80")/>
                    </label>
                    <button type="submit" class=BUTTON_DANGER disabled=move || pending.get()>"Run it now"</button>
                </div>
            </ActionForm>
            {last_error(forms.break_glass.value)}
        }
    });
    view! { <div class="space-y-4 p-3">{vote}{cancel}{glass}</div> }.into_any()
}

fn changes(r: &Release) -> AnyView {
    if r.changes.is_empty() {
        return view! { <p class="px-3 py-2 text-sm">{r.summary.clone()}</p> }.into_any();
    }
    change_table(&r.changes, "release-changes", "Now", "Proposed")
}

fn history(r: &Release, now: chrono::DateTime<chrono::Utc>) -> AnyView {
    view! {
        <ol class="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="release-history">
            {r.history.iter().map(|e| view! {
                <li class="flex flex-wrap gap-x-3 px-3 py-1.5">
                    <span class=format!("w-40 shrink-0 text-xs {MUTED}") title=utc_minute(e.at)>{age(now, e.at)}</span>
                    <span class="w-24 shrink-0 font-medium">{e.what.clone()}</span>
                    <span class="w-28 shrink-0">{e.actor.clone()}</span>
                    <span class="min-w-0 flex-1 break-words">{e.detail.clone().unwrap_or_default()}</span>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

fn release_page(view: ReleaseView, forms: Forms) -> impl IntoView {
    let now = view.generated_at;
    let r = view.release.clone();
    let title = format!("Release request #{}", r.id);
    let crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        ("Release requests".to_string(), "/releases".to_string()),
    ];
    let frozen = view.frozen_until.clone().map(|(until, why)| {
        view! {
            <div role="status" data-testid="release-frozen" class="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100">
                {format!("Approved, and held by a freeze window until {} ({why}). It runs when the window ends, unless it expires first.", utc_minute(until))}
            </div>
        }
    });
    let glass = r.break_glass.clone().map(|why| {
        view! {
            <div role="status" class="mb-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm font-medium text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">
                {format!("Run by break glass during a freeze: {why}")}
            </div>
        }
    });
    // People are their ids: each name carries its id, shown beside it when two people here
    // share a name.
    let ambiguous = crate::domain::person::names_are_ambiguous(
        std::iter::once((r.requester.as_str(), &r.requester_id))
            .chain(r.votes.iter().map(|v| (v.by.as_str(), &v.by_id))),
    );
    let approvals = r.votes.iter().map(|v| {
        let (tone, text) = if v.approve { (Tone::Good, "approved") } else { (Tone::Bad, "rejected") };
        view! {
            <li class="flex flex-wrap items-center gap-2 px-3 py-1.5 text-sm">
                <Badge tone text/>
                {person(&v.by, &v.by_id, ambiguous)}
                <span class=MUTED>{age(now, v.at)}</span>
                {v.comment.clone().map(|c| view! { <span class="italic">{format!("“{c}”")}</span> })}
            </li>
        }
    }).collect_view();
    let approvals = if r.votes.is_empty() {
        view! { <Empty text="No votes yet."/> }.into_any()
    } else {
        view! { <ul class="divide-y divide-slate-100 dark:divide-slate-800" data-testid="release-votes">{approvals}</ul> }.into_any()
    };
    let approvals_note = format!("{} needed, never from the requester", r.required);
    let decide = decide_section(&view, forms);
    let (state, env_name) = (r.state, view.env_name.clone());
    // A token's request is its creator's: name both.
    let requester = view! {
        {person(&r.requester, &r.requester_id, ambiguous)}
        {r.via_token.clone().map(|token| format!(" (API token {token})"))}
    };
    let change = format!("{} {}", r.kind.as_str().replace('_', " "), r.target);
    let counted = format!("{} of {}", r.approvals(), r.required);
    let asked = age(now, r.created_at);
    let reason = r.reason.clone();
    let result = r.result.clone();
    let rollout_header = rollout_badge(r.rollout.as_ref());
    let rollout = r.rollout.clone().map(|o| {
        let tone = if o.is_bad() {
            "text-red-700 dark:text-red-400"
        } else {
            ""
        };
        view! {
            <p data-testid="release-rollout-outcome" data-state=o.as_str() class=tone>
                <span class="font-medium">"Rollout: "</span>{o.label()}
            </p>
        }
    });
    let changes_view = changes(&r);
    let diff_view = (!r.diff.is_empty()).then(|| {
        let table = change_table(&r.diff, "release-diff", "This environment now", "Source");
        let note = format!(
            "{} difference{}; only the images are promoted",
            r.diff.len(),
            if r.diff.len() == 1 { "" } else { "s" }
        );
        view! { <Section title="How the source revision differs" note>{table}</Section> }
    });
    let group_view = r.group.clone().map(|group| {
        view! {
            <div role="status" data-testid="release-group" class="mb-4 rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950/40 dark:text-sky-200">
                "One service of a whole-app promotion. "
                <a class=LINK href=format!("/releases?group={group}")>"See every request of this promotion, and approve them together"</a>
            </div>
        }
    });
    let history_view = history(&r, now);
    let ticket = r
        .ticket_url
        .clone()
        .map(|t| {
            view! { <a class=LINK href=t.clone() rel="noopener noreferrer">{t.clone()}</a> }
                .into_any()
        })
        .unwrap_or_else(|| view! { <span class=MUTED>"—"</span> }.into_any());
    let expires = if r.state.is_pending() {
        utc_minute(r.expires_at)
    } else {
        "—".to_string()
    };
    view! {
        <Title text=title.clone()/>
        <PageHeader title=title crumbs>
            <span data-testid="release-state">{state_badge(state)}</span>
            {rollout_header}
        </PageHeader>
        {frozen}
        {glass}
        {group_view}
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-3 lg:grid-cols-6")>
            <Stat label="Environment">{env_name}</Stat>
            <Stat label="Change">{change}</Stat>
            <Stat label="Requested by">{requester}</Stat>
            <Stat label="Approvals">{counted}</Stat>
            <Stat label="Asked">{asked}</Stat>
            <Stat label="Expires">{expires}</Stat>
        </dl>
        <Section title="What changes" note="current → proposed">{changes_view}</Section>
        {diff_view}
        <Section title="Why">
            <div class="space-y-1 px-3 py-2 text-sm">
                <p data-testid="release-reason">{reason}</p>
                <p>"Ticket: " {ticket}</p>
                {result.map(|t| view! { <p data-testid="release-result"><span class="font-medium">"Outcome: "</span>{t}</p> })}
                {rollout}
            </div>
        </Section>
        <Section title="Decide">{decide}</Section>
        <Section title="Approvals" note=approvals_note>{approvals}</Section>
        <Section title="History" note="oldest first">{history_view}</Section>
    }
}

/// A person on the page: the name, with the id in its title, and beside it when `ambiguous`
/// (two people here share a name).
fn person(name: &str, id: &crate::domain::person::PersonId, ambiguous: bool) -> impl IntoView {
    view! {
        <span class="font-medium" title=id.to_string() data-person-id=id.to_string()>{name.to_string()}</span>
        {ambiguous.then(|| view! { <span class=format!("text-xs {MUTED}")>{format!(" ({id})")}</span> })}
    }
}
