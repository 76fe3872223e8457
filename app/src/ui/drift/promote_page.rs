//! The review of a promotion (`/promote?from=…&to=…&app=…[&service=…]`): per service, the images
//! that would change (pinned to the source's digests, in the target's registry where
//! `[promotion] registries` maps it), a warning when the target would pull from another
//! account's registry, the notes, and how the two revisions differ; then one confirm form — a
//! direct deploy, or release requests where the target's approval gate applies. Works the same
//! without JavaScript.

use crate::api::drift::{get_promotion, Promote};
use crate::domain::drift::{PromotionItem, PromotionReview};
use crate::ui::components::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TEXT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
const CONFIRM: &str = "w-44 rounded-md border border-amber-400 bg-white px-2 py-1.5 text-sm dark:border-amber-600 dark:bg-slate-950";
const BUTTON: &str = "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60";

#[component]
pub fn PromotePage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("from").unwrap_or_default(),
            q.get("to").unwrap_or_default(),
            q.get("app"),
            q.get("service"),
        )
    };
    let submit: Submit<Promote> = Submit::new();
    // Not re-read on the refresh tick: the review holds still while the person reads it.
    let data = Resource::new(args, |(from, to, app, service)| {
        get_promotion(from, to, app, service)
    });
    view! {
        <Title text="Promote"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => promote_page(view, submit).into_any(),
                    Err(e) => view! {
                        <PageHeader title="Promote"/>
                        <ErrorPanel error=e/>
                        <a href="/drift" class=format!("mt-3 inline-block text-sm {LINK}")>"Back to version drift"</a>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn item_view(item: PromotionItem, review: &PromotionReview) -> AnyView {
    let heading = format!("{} ({})", item.service, item.cluster);
    match item.plan {
        Err(why) => view! {
            <section class=format!("{CARD} mb-3 px-3 py-2") data-testid="promotion-skipped" data-service=item.service.clone()>
                <h2 class="text-sm font-semibold">{heading}</h2>
                <p class=format!("text-sm {MUTED}")><span class="font-medium">"Left out: "</span>{why}</p>
            </section>
        }
        .into_any(),
        Ok(plan) => {
            let changes = change_table(&plan.changes, "promotion-changes", "Now", "After");
            let notes = plan
                .notes
                .iter()
                .map(|n| view! { <li>{n.clone()}</li> })
                .collect_view();
            // Said before the notes, in the warning colour: a pull that may fail in the target.
            let warnings = plan
                .warnings
                .iter()
                .map(|w| view! {
                    <p role="alert" data-testid="promotion-warning" class="mx-3 mt-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-200">
                        <span class="font-semibold">"Warning: "</span>{w.clone()}
                    </p>
                })
                .collect_view();
            let diff_title = format!(
                "How {}'s revision differs from {}'s ({} difference{})",
                review.from,
                review.to,
                plan.diff.len(),
                if plan.diff.len() == 1 { "" } else { "s" }
            );
            let diff = if plan.diff.is_empty() {
                view! { <p class=format!("px-3 py-2 text-sm {MUTED}")>"The two revisions are the same but for nothing the console compares."</p> }.into_any()
            } else {
                change_table(
                    &plan.diff,
                    "promotion-diff",
                    &format!("{} now", review.to),
                    &format!("{} now", review.from),
                )
            };
            let open = plan.diff.len() <= 12;
            view! {
                <section class=format!("{CARD} mb-4 overflow-hidden") data-testid="promotion-item" data-service=item.service.clone()>
                    <div class="border-b border-slate-200 px-3 py-2 dark:border-slate-800">
                        <h2 class="text-sm font-semibold">{heading}</h2>
                        <p class=format!("text-xs {MUTED}")>{plan.summary.clone()}</p>
                    </div>
                    {changes}
                    {warnings}
                    <ul class=format!("list-disc space-y-0.5 px-8 py-2 text-sm {MUTED}")>{notes}</ul>
                    <details class="border-t border-slate-200 dark:border-slate-800" open=open>
                        <summary class="cursor-pointer px-3 py-2 text-sm font-medium">{diff_title}</summary>
                        {diff}
                    </details>
                </section>
            }
            .into_any()
        }
    }
}

fn promote_page(review: PromotionReview, submit: Submit<Promote>) -> impl IntoView {
    let what = review
        .service
        .clone()
        .or_else(|| review.app.clone().map(|a| format!("all of {a}")))
        .unwrap_or_default();
    let title = format!("Promote {what}: {} → {}", review.from, review.to);
    let mut crumbs = vec![("Overview".to_string(), "/".to_string())];
    match &review.app {
        Some(app) => crumbs.push((app.clone(), format!("/apps/{app}"))),
        None => crumbs.push(("Version drift".to_string(), "/drift".to_string())),
    }
    // Someone who may not promote here still sees what would change.
    let refused = review.refused.clone().map(|why| {
        view! {
            <div role="alert" data-testid="promotion-refused" class="mb-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">
                <span class="font-semibold">"You cannot promote here: "</span>{why}
            </div>
        }
    });
    let ready = review.ready();
    let items = review
        .items
        .clone()
        .into_iter()
        .map(|item| item_view(item, &review))
        .collect_view();
    let gate = review.approval.clone().map(|(required, role)| {
        view! {
            <p class="text-sm">
                {format!(
                    "{} is protected: {} becomes a release request that runs once {required} other {} with the {role} role approve{}.",
                    review.to,
                    if ready == 1 { "the deploy".to_string() } else { format!("each of the {ready} deploys") },
                    if required == 1 { "person" } else { "people" },
                    if required == 1 { "s" } else { "" },
                )}
                {(review.service.is_none() && ready > 1).then_some(" The requests are grouped so they can be approved together.")}
            </p>
        }
    });
    let form = if ready == 0 {
        view! { <p class=format!("text-sm {MUTED}") data-testid="promotion-nothing">"Nothing to promote: every service is left out above."</p> }.into_any()
    } else {
        let action = submit.action;
        let pending = submit.pending;
        let asks = review.asks_approval;
        let button = match (asks, ready) {
            (true, 1) => "Request approval".to_string(),
            (true, n) => format!("Request approval for {n} services"),
            (false, 1) => "Promote".to_string(),
            (false, n) => format!("Promote {n} services"),
        };
        let error = move || {
            submit.value.get().and_then(|r| r.err()).map(|e| view! {
                <p role="alert" data-testid="action-error" class="mt-2 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p>
            })
        };
        let confirm_name = review.confirm_name.clone();
        let (reason_label, placeholder) = if asks {
            ("Reason for the reviewers (required)", "")
        } else {
            ("Reason", "optional")
        };
        let (from, to) = (review.from.to_string(), review.to.to_string());
        let (app, service) = (
            review.app.clone().unwrap_or_default(),
            review.service.clone().unwrap_or_default(),
        );
        let key = review.request_key.clone();
        view! {
            <ActionForm action attr:data-testid="promote-form">
                <input type="hidden" name="from" value=from/>
                <input type="hidden" name="to" value=to/>
                <input type="hidden" name="app" value=app/>
                <input type="hidden" name="service" value=service/>
                <input type="hidden" name="key" value=key/>
                <div class="flex flex-wrap items-end gap-3">
                    <label class="flex min-w-64 flex-1 flex-col gap-1 text-xs font-medium">{reason_label}
                        <input name="reason" required=asks minlength="3" maxlength="500" placeholder=placeholder class=format!("{TEXT} w-full")/>
                    </label>
                    {asks.then(|| view! {
                        <label class="flex flex-col gap-1 text-xs font-medium">"Ticket link"
                            <input name="ticket" type="url" maxlength="500" placeholder="https://…" class=format!("{TEXT} w-56")/>
                        </label>
                    })}
                    {review.protected.then(|| view! {
                        <label class="flex flex-col gap-1 text-xs font-medium">{format!("Type {confirm_name} to confirm")}
                            <input name="confirm" required autocomplete="off" class=CONFIRM/>
                        </label>
                    })}
                    <button type="submit" class=BUTTON disabled=move || pending.get()>{button}</button>
                </div>
            </ActionForm>
            {error}
        }
        .into_any()
    };
    let confirm_title = format!(
        "Confirm: {ready} service{} from {} to {}",
        if ready == 1 { "" } else { "s" },
        review.from,
        review.to
    );
    let confirm = review.refused.is_none().then(|| {
        view! {
            <section class="mb-5 rounded-lg border-2 border-amber-400 bg-white p-4 shadow-sm dark:border-amber-600 dark:bg-slate-900" data-testid="promotion-confirm">
                <h2 class="mb-2 text-base font-semibold">{confirm_title}</h2>
                <div class="mb-3 space-y-1">{gate}</div>
                {form}
            </section>
        }
    });
    view! {
        <Title text=title.clone()/>
        <PageHeader title crumbs/>
        {refused}
        {items}
        {confirm}
    }
    .into_any()
}
