//! Page scaffolding: headers, sections, stat tiles, errors, empty states.

use super::badges::{Badge, FreshnessBadge, Tone};
use crate::domain::format::utc_minute;
use crate::domain::views::EnvCard;
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

pub const CARD: &str =
    "rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900";
pub const TABLE: &str = "w-full text-left text-sm";
pub const THEAD: &str = "border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:bg-slate-900/60 dark:text-slate-400";
pub const TH: &str = "px-3 py-2 font-medium whitespace-nowrap";
pub const TD: &str = "px-3 py-1.5 align-top";
pub const TR: &str = "border-b border-slate-100 last:border-0 hover:bg-slate-50 dark:border-slate-800/70 dark:hover:bg-slate-800/40";
pub const LINK: &str = "font-medium text-sky-700 hover:underline dark:text-sky-400";
pub const MUTED: &str = "text-slate-500 dark:text-slate-400";

const CHIP: &str = "rounded-full border px-3 py-1 text-xs font-medium";
const CHIP_ON: &str = "border-sky-600 bg-sky-600 text-white";
const CHIP_OFF: &str = "border-slate-300 bg-white hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

/// The environment filter of a cross-environment list at `base` (`/databases`, `/queues`): one
/// chip for all environments and one per environment, the selected one marked, with the
/// problems of the environments shown below them.
pub fn env_filter_chips(
    base: &str,
    envs: &[EnvCard],
    selected: Option<&crate::domain::ids::EnvId>,
    now: DateTime<Utc>,
) -> impl IntoView {
    let chips = std::iter::once((None, "All environments".to_string()))
        .chain(
            envs.iter()
                .map(|c| (Some(c.descriptor.id.clone()), c.descriptor.name.clone())),
        )
        .map(|(id, label)| {
            let on = id.as_ref() == selected;
            let href = match &id {
                Some(id) => format!("{base}?env={id}"),
                None => base.to_string(),
            };
            view! {
                <a href=href class=format!("{CHIP} {}", if on { CHIP_ON } else { CHIP_OFF })
                   aria-current=on.then_some("page")>{label}</a>
            }
        })
        .collect_view();
    let problems = envs
        .iter()
        .filter(|c| selected.is_none_or(|s| *s == c.descriptor.id))
        .map(|c| view! { <EnvProblem card=c.clone() now/> })
        .collect_view();
    view! {
        <nav class="mb-3 flex flex-wrap gap-2" aria-label="Environment filter">{chips}</nav>
        {problems}
    }
}

/// Why some of an environment's `what` (SQS queues, Lambda functions) are shown as last read.
#[component]
pub fn ReadProblem(
    #[prop(into)] what: String,
    env: String,
    error: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    view! {
        <div role="alert" data-testid=testid class="mb-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-200">
            <p><span class="font-semibold">{format!("{what} in {env} could not all be read: ")}</span>
               <span class="break-words">{error}</span></p>
            <p class="mt-0.5 text-xs opacity-80">"Those are shown as last read; the rest are up to date."</p>
        </div>
    }
}

/// What a list read in the details cycle says above its table: each environment whose `what`
/// could not all be read this cycle (as [`ReadProblem`]), and those not read yet.
pub fn detail_list_notes(
    what: &str,
    testid: &str,
    errors: &[crate::domain::views::summary::ReadError],
    unread: &[crate::domain::ids::EnvId],
) -> AnyView {
    let problems = errors
        .iter()
        .map(|e| {
            view! { <ReadProblem what=what.to_string() env=e.env.to_string() error=e.error.clone() testid=testid.to_string()/> }
        })
        .collect_view();
    let unread = (!unread.is_empty()).then(|| {
        let names = unread
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        view! { <p class=format!("mb-3 text-sm {MUTED}")>{format!("Not read yet in {names}: the first details cycle is running.")}</p> }
    });
    view! { {problems}{unread} }.into_any()
}

/// A table cell's count of firing alarms, or a dash.
pub fn firing_cell(firing: u32) -> AnyView {
    if firing > 0 {
        view! { <Badge tone=Tone::Bad text=format!("{firing} firing")/> }.into_any()
    } else {
        view! { <span class=MUTED>"—"</span> }.into_any()
    }
}

/// Title row of a page, with breadcrumbs above and actions to the right.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] crumbs: Vec<(String, String)>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="mb-4 flex flex-wrap items-end justify-between gap-3">
            <div class="min-w-0">
                {(!crumbs.is_empty()).then(|| view! {
                    <nav class="mb-1 flex flex-wrap gap-1 text-xs text-slate-500 dark:text-slate-400" aria-label="Breadcrumb">
                        {crumbs.into_iter().map(|(label, href)| view! {
                            <a href=href class="hover:underline">{label}</a>
                            <span aria-hidden="true">"/"</span>
                        }).collect_view()}
                    </nav>
                })}
                <h1 class="truncate text-xl font-semibold tracking-tight">{title}</h1>
            </div>
            <div class="flex flex-wrap items-center gap-2">{children.map(|c| c())}</div>
        </div>
    }
}

#[component]
pub fn Section(
    #[prop(into)] title: String,
    #[prop(optional, into)] note: String,
    children: Children,
) -> impl IntoView {
    view! {
        <section class=format!("{CARD} mb-5 overflow-hidden")>
            <div class="flex items-baseline justify-between gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
                <h2 class="text-sm font-semibold">{title}</h2>
                <span class=format!("text-xs {MUTED}")>{note}</span>
            </div>
            {children()}
        </section>
    }
}

#[component]
pub fn Stat(#[prop(into)] label: String, children: Children) -> impl IntoView {
    view! {
        <div class="min-w-0">
            <dt class=format!("text-xs {MUTED}")>{label}</dt>
            <dd class="mt-0.5 truncate text-sm font-medium">{children()}</dd>
        </div>
    }
}

#[component]
pub fn Empty(#[prop(into)] text: String) -> impl IntoView {
    view! { <p class=format!("px-3 py-6 text-center text-sm {MUTED}")>{text}</p> }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class=format!("py-10 text-center text-sm {MUTED}")>"Loading…"</p> }
}

#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let (title, hint) = match &error {
        AppError::Unauthenticated => ("Your session has ended", Some(("Sign in again", "/login"))),
        AppError::Forbidden(_) => ("Not allowed", None),
        AppError::NotFound(_) => ("Not found", Some(("Back to the overview", "/"))),
        AppError::Invalid(_) => ("That request was not valid", None),
        _ => ("Something went wrong", None),
    };
    view! {
        <div role="alert" data-testid="error-panel" class="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200">
            <p class="font-semibold">{title}</p>
            <p class="mt-1">{error.to_string()}</p>
            {hint.map(|(label, href)| view! { <a href=href class="mt-2 inline-block font-medium underline">{label}</a> })}
        </div>
    }
}

/// What the console does without in an environment: a note for each AWS API it cannot call
/// there (not offered by the endpoint, or denied), with what is missing because of it. Shown on
/// the environment's page, not on every page of it.
#[component]
pub fn EnvReduced(card: EnvCard) -> impl IntoView {
    card.status
        .reduced
        .iter()
        .map(|r| {
            view! {
                <p role="status" data-testid="env-reduced" class="mb-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-200">
                    <span class="font-semibold">"Reduced: "</span>
                    {format!("{} is {} (since {}), so {}.", r.api, r.why.describe(), utc_minute(r.since), r.effect)}
                </p>
            }
        })
        .collect_view()
}

/// A warning strip for an environment whose data is failing, with the age of the last good data.
#[component]
pub fn EnvProblem(card: EnvCard, now: DateTime<Utc>) -> impl IntoView {
    let sections = card
        .status
        .failed_sections
        .iter()
        .map(|f| {
            let shown = f
                .shown_from
                .map(|t| format!("Showing {} as read at {} ({}).", f.section.label(), utc_minute(t), crate::domain::format::age(now, t)))
                .unwrap_or_else(|| format!("{} have not been read yet.", f.section.label()));
            view! {
                <div role="alert" data-testid="env-section-failed" class="mb-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-200">
                    <p><span class="font-semibold">{format!("{} could not be read", f.section.label())}</span>
                       {format!(" since {}: ", utc_minute(f.since))}<span class="break-words">{f.error.clone()}</span></p>
                    <p class="mt-0.5 text-xs opacity-80">{shown}" The rest of this environment is up to date."</p>
                </div>
            }
        })
        .collect_view();
    let failing = card.status.error.clone().map(|err| {
        let last_good = card
            .status
            .last_success
            .map(|t| format!("Showing data from {} ({}).", utc_minute(t), crate::domain::format::age(now, t)))
            .unwrap_or_else(|| "No data has been fetched yet.".to_string());
        view! {
            <div role="alert" data-testid="env-error" class="mb-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200">
                <p><span class="font-semibold">{format!("{} is failing", card.descriptor.name)}</span>
                   {format!(" since {}: ", utc_minute(err.since))}<span class="break-words">{err.message}</span></p>
                <p class="mt-0.5 text-xs opacity-80">{last_good}</p>
            </div>
        }
    });
    view! { {sections} {failing} }
}

/// The environment name with its freshness badge, used in page headers.
#[component]
pub fn EnvHeading(card: EnvCard, now: DateTime<Utc>) -> impl IntoView {
    view! {
        <span class="inline-flex flex-wrap items-center gap-2">
            <FreshnessBadge freshness=card.freshness status=card.status.clone() now/>
            {card.descriptor.protected.then(|| view! { <super::badges::Badge tone=super::badges::Tone::Warn text="protected"/> })}
            <span class=format!("text-xs {MUTED}")>
                {format!("{} · {}", card.descriptor.region, card.descriptor.account_id.clone().unwrap_or_else(|| "account unknown".into()))}
            </span>
        </span>
    }
}

/// Previous / next links under a table that fills more than one page: `page` of `pages`,
/// rows `first`–`last` of `total`, `href` the address of a page. `None` on a single page.
pub fn pager(
    label: &'static str,
    testid: &'static str,
    (page, pages): (usize, usize),
    (first, last, total): (usize, usize, usize),
    href: impl Fn(usize) -> String,
) -> Option<AnyView> {
    if pages <= 1 {
        return None;
    }
    let link = |target: usize, text: &'static str, enabled: bool| {
        if enabled {
            view! { <a class=format!("rounded-md border border-slate-300 px-3 py-1 text-sm dark:border-slate-700 {LINK}") href=href(target)>{text}</a> }.into_any()
        } else {
            view! { <span class=format!("rounded-md border border-slate-200 px-3 py-1 text-sm dark:border-slate-800 {MUTED}")>{text}</span> }.into_any()
        }
    };
    Some(
        view! {
            <nav class="flex flex-wrap items-center gap-3 border-t border-slate-200 px-3 py-3 dark:border-slate-800" aria-label=label data-testid=testid>
                {link(page - 1, "← Previous", page > 1)}
                <span class="text-sm">{format!("{first}–{last} of {total} · page {page} of {pages}")}</span>
                {link(page + 1, "Next →", page < pages)}
            </nav>
        }
        .into_any(),
    )
}
