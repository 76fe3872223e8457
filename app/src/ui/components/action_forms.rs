//! Forms for operator actions. Service actions take two steps: a plain GET form chooses the
//! change and the page shows a review of it (before → after, from the same domain checks the
//! server runs), then a confirm form posts to the server function with the page's request key,
//! so a double submit acts once. Both steps work without JavaScript. In protected environments
//! the person types the resource's name to confirm.

use super::badges::{Badge, Tone};
use super::panels::{Empty, Section, LINK, MUTED, TABLE, TD, TH, THEAD, TR};
use super::submit::Submit;
use crate::api::actions::{
    DeployService, RedeployService, RollbackService, ScaleService, SnapshotDatabase,
};
use crate::domain::actions::{ActionKind, ActionResult, ActionStatus, ScaleBounds};
use crate::domain::format::age;
use crate::domain::inventory::{split_image, Service, TaskDefinition};
use crate::domain::plans::{plan_deploy, plan_redeploy, plan_rollback, plan_scale};
use crate::domain::views::{ActionPanel, ServiceView};
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use std::collections::BTreeMap;

pub(super) const INPUT: &str = "w-24 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
pub(super) const CONFIRM: &str = "w-44 rounded-md border border-amber-400 bg-white px-2 py-1.5 text-sm dark:border-amber-600 dark:bg-slate-950";
pub(super) const BUTTON: &str = "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60";
pub(super) const BUTTON_QUIET: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

/// The error of the last submit of one form, when JavaScript is on (a success sends the page to
/// its outcome banner).
pub(super) fn outcome(value: Option<Result<ActionResult, AppError>>) -> Option<AnyView> {
    value.and_then(|r| r.err()).map(|e| {
        view! {
            <p role="alert" data-testid="action-error" class="text-sm text-red-800 dark:text-red-300">{e.to_string()}</p>
        }
        .into_any()
    })
}

pub(super) fn confirm_field(protected: bool, name: String) -> Option<AnyView> {
    protected.then(|| {
        view! {
            <label class="flex flex-col gap-1 text-xs font-medium">{format!("Type {name} to confirm")}
                <input name="confirm" required autocomplete="off" class=CONFIRM/>
            </label>
        }
        .into_any()
    })
}

/// The break-glass reason an admin gives to act at once inside a freeze window.
pub(super) fn break_glass_field(panel: &ActionPanel, kind: ActionKind) -> Option<AnyView> {
    panel.breaks_glass(kind).then(|| {
        view! {
            <label class="flex min-w-64 flex-1 flex-col gap-1 text-xs font-medium text-red-800 dark:text-red-300">"Break-glass reason (frozen now: audited and announced)"
                <input name="break_glass" required minlength="5" maxlength="500" autocomplete="off" class=format!("{TEXT_WARN} w-full")/>
            </label>
        }
        .into_any()
    })
}

/// The freeze window open in the resource's environment, above its action forms.
pub fn frozen_banner(panel: &ActionPanel) -> Option<AnyView> {
    panel.frozen.as_ref().map(|f| {
        view! {
            <p role="status" data-testid="frozen-banner" class="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">{f.text()}</p>
        }
        .into_any()
    })
}

/// The review step's inputs and the last outcome, read from the page address: the choose
/// forms are plain GET forms, so the review works the same with and without JavaScript.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReviewQuery {
    pub review: Option<String>,
    pub desired: Option<String>,
    /// Whether the scale also moves the autoscaling range to take the count.
    pub widen: bool,
    pub container: Option<String>,
    pub image: Option<String>,
    pub revision: Option<String>,
    pub reason: Option<String>,
    /// The request key of an action that just ran.
    pub done: Option<String>,
}

impl ReviewQuery {
    pub fn from_query(q: &leptos_router::params::ParamsMap) -> Self {
        let get = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
        Self {
            review: get("review"),
            desired: get("desired"),
            widen: get("widen").is_some_and(|v| v != "false"),
            container: get("container"),
            image: get("image"),
            revision: get("revision"),
            reason: get("reason"),
            done: get("done"),
        }
    }
}

/// What just happened: the action named by `done` (from the resource's recent actions). A
/// refusal shows in the layout's one-time banner.
/// [`outcome_banner`] of a page whose resource has an action panel.
pub fn panel_outcome(query: &ReviewQuery, panel: Option<&ActionPanel>) -> Option<AnyView> {
    outcome_banner(
        query,
        panel.map(|p| p.recent.as_slice()).unwrap_or_default(),
    )
}

pub fn outcome_banner(query: &ReviewQuery, recent: &[ActionResult]) -> Option<AnyView> {
    let key = query.done.as_ref()?;
    let result = recent.iter().find(|r| r.key == *key)?;
    let kind = result.kind.as_str().replace('_', " ");
    Some(match &result.status {
        ActionStatus::Succeeded => view! {
            <div role="status" data-testid="action-done" class="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-200">
                <span class="font-semibold">{format!("Done — {kind}: ")}</span>{result.summary.clone()}
            </div>
        }
        .into_any(),
        ActionStatus::Failed { code, message } => view! {
            <div role="alert" data-testid="action-problem" class="mb-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">
                <span class="font-semibold">{format!("{kind} failed — AWS said {code}: ")}</span>{message.clone()}
            </div>
        }
        .into_any(),
        ActionStatus::AwaitingApproval { release } => view! {
            <div role="status" data-testid="action-done" class="mb-4 rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950/50 dark:text-sky-200">
                <span class="font-semibold">{format!("Requested — {kind} waits for approval: ")}</span>
                <a class=LINK href=format!("/releases/{release}")>{format!("release request #{release}")}</a>
            </div>
        }
        .into_any(),
        ActionStatus::Running => view! {
            <div role="status" data-testid="action-running" class="mb-4 rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950/50 dark:text-sky-200">
                <span class="font-semibold">{format!("Running — {kind}: ")}</span>{format!("{}… the outcome shows here once AWS answers.", result.summary)}
            </div>
        }
        .into_any(),
        ActionStatus::Checking { code, message } => view! {
            <div role="status" data-testid="action-checking" class="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-200">
                <span class="font-semibold">{format!("Outcome not known yet — {kind}: ")}</span>
                {format!("AWS said {code}: {message}. It may have made the change; the console reads the resource again until it can tell.")}
            </div>
        }
        .into_any(),
        ActionStatus::Unknown { message } => view! {
            <div role="alert" data-testid="action-unknown" class="mb-4 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-200">
                <span class="font-semibold">{format!("{kind}: ")}</span>{format!("{message}. Check the resource before asking again.")}
            </div>
        }
        .into_any(),
        ActionStatus::NotRun { reason } => view! {
            <div role="alert" data-testid="action-problem" class="mb-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">
                <span class="font-semibold">{format!("{kind} not run — ")}</span>{reason.clone()}
            </div>
        }
        .into_any(),
    })
}

pub(super) const SELECT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
pub(super) const TEXT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
pub(super) const TEXT_WARN: &str = "rounded-md border border-red-400 bg-white px-2 py-1.5 text-sm dark:border-red-700 dark:bg-slate-950";

/// Choose a new desired count; the next step shows what will change. A service that
/// Application Auto Scaling manages also offers to move its range to take the count (target
/// tracking would otherwise undo a count outside it).
pub fn scale_chooser(
    path: &str,
    s: &Service,
    bounds: ScaleBounds,
    hard: ScaleBounds,
    query: &ReviewQuery,
) -> AnyView {
    let ours = query.review.as_deref() == Some("scale");
    let value = query
        .desired
        .clone()
        .filter(|_| ours)
        .unwrap_or_else(|| s.desired.to_string());
    // With an autoscaling range, the form takes what a range change would allow too; the
    // review says which counts need the range moved.
    let limits = if s.autoscaling.is_some() {
        hard
    } else {
        bounds
    };
    let min = if limits.allow_zero { 0 } else { limits.min };
    let pending = if s.pending > 0 {
        format!(", {} pending", s.pending)
    } else {
        String::new()
    };
    let widen = s.autoscaling.map(|(lo, hi)| {
        let checked = ours && query.widen;
        view! {
            <label class="flex items-center gap-2 pb-2 text-xs" data-testid="scale-widen">
                <input type="checkbox" name="widen" value="1" checked=checked class="h-4 w-4"/>
                {format!("Also change the autoscaling range ({lo}–{hi}) to take this count")}
            </label>
        }
    });
    view! {
        <form method="get" action=path.to_string() data-testid="scale-form" class="flex flex-wrap items-end gap-3">
            <input type="hidden" name="review" value="scale"/>
            <label class="flex flex-col gap-1 text-xs font-medium">"Desired tasks"
                <input type="number" name="desired" min=min.to_string() max=limits.max.to_string() required value=value class=INPUT/>
            </label>
            {widen}
            <p class=format!("pb-2 text-xs {MUTED}") data-testid="scale-now">
                {format!("Now {} desired, {} running{pending}. Allowed {} ({}).", s.desired, s.running, bounds.describe(), bounds.source.describe())}
            </p>
            <button type="submit" class=BUTTON_QUIET>"Review scale"</button>
        </form>
    }
    .into_any()
}

/// Choose a container and a new image.
pub fn deploy_chooser(path: &str, td: &TaskDefinition, query: &ReviewQuery) -> AnyView {
    let ours = query.review.as_deref() == Some("deploy");
    let chosen = query.container.clone().filter(|_| ours);
    let first = td
        .containers
        .first()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let selected = chosen.clone().unwrap_or(first);
    let image = query
        .image
        .clone()
        .filter(|_| ours)
        .or_else(|| {
            td.containers
                .iter()
                .find(|c| c.name == selected)
                .map(|c| c.image.clone())
        })
        .unwrap_or_default();
    let reason = query.reason.clone().filter(|_| ours).unwrap_or_default();
    let choices = td
        .containers
        .iter()
        .map(|c| {
            let is = c.name == selected;
            view! { <option value=c.name.clone() selected=is>{format!("{} (now {})", c.name, split_image(&c.image).1)}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action=path.to_string() data-testid="deploy-form" class="flex flex-wrap items-end gap-3">
            <input type="hidden" name="review" value="deploy"/>
            <label class="flex flex-col gap-1 text-xs font-medium">"Container"
                <select name="container" class=SELECT>{choices}</select>
            </label>
            <label class="flex min-w-72 flex-1 flex-col gap-1 text-xs font-medium">"New image (tag or digest)"
                <input name="image" required value=image spellcheck="false" class=format!("{TEXT} font-mono")/>
            </label>
            <label class="flex flex-col gap-1 text-xs font-medium">"Reason"
                <input name="reason" maxlength="500" placeholder="optional" value=reason class=format!("{TEXT} w-48")/>
            </label>
            <button type="submit" class=BUTTON>"Review deploy"</button>
        </form>
    }
    .into_any()
}

/// Choose another revision of the family; each option names its images and when it last ran.
pub fn rollback_chooser(
    path: &str,
    revisions: &[TaskDefinition],
    last_deployed: &BTreeMap<String, DateTime<Utc>>,
    now: DateTime<Utc>,
    query: &ReviewQuery,
) -> AnyView {
    let ours = query.review.as_deref() == Some("rollback");
    let chosen = query.revision.clone().filter(|_| ours);
    let reason = query.reason.clone().filter(|_| ours).unwrap_or_default();
    let choices = revisions
        .iter()
        .map(|td| {
            let label = format!("{}:{}", td.family, td.revision);
            let images: Vec<String> = td
                .containers
                .iter()
                .map(|c| format!("{} {}", c.name, split_image(&c.image).1))
                .collect();
            let when = match last_deployed.get(&td.arn) {
                Some(at) => format!(", last ran here {}", age(now, *at)),
                None => td
                    .registered_at
                    .map(|t| format!(", registered {}", age(now, t)))
                    .unwrap_or_default(),
            };
            let is = chosen.as_deref() == Some(label.as_str());
            view! { <option value=label.clone() selected=is>{format!("{label} — {}{when}", images.join(", "))}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action=path.to_string() data-testid="rollback-form" class="flex flex-wrap items-end gap-3">
            <input type="hidden" name="review" value="rollback"/>
            <label class="flex min-w-72 flex-1 flex-col gap-1 text-xs font-medium">"Roll back to"
                <select name="revision" class=SELECT>{choices}</select>
            </label>
            <label class="flex flex-col gap-1 text-xs font-medium">"Reason"
                <input name="reason" maxlength="500" placeholder="why" value=reason class=format!("{TEXT} w-48")/>
            </label>
            <button type="submit" class=BUTTON_QUIET>"Review rollback"</button>
        </form>
    }
    .into_any()
}

/// Force a new deployment of the same revision.
pub fn redeploy_chooser(path: &str) -> AnyView {
    view! {
        <form method="get" action=path.to_string() data-testid="redeploy-form" class="flex flex-wrap items-end gap-3">
            <input type="hidden" name="review" value="redeploy"/>
            <button type="submit" class=BUTTON_QUIET>"Review a forced new deployment"</button>
        </form>
    }
    .into_any()
}

/// The server actions behind the confirm step of the service page.
#[derive(Clone, Copy)]
pub struct ServiceActions {
    pub scale: Submit<ScaleService>,
    pub redeploy: Submit<RedeployService>,
    pub deploy: Submit<DeployService>,
    pub rollback: Submit<RollbackService>,
}

/// The review step: what will change, before → after, with the notes, then the confirm form
/// (the typed name in protected environments) and a way back. A request the checks refuse shows
/// why instead, and offers no confirm button.
pub fn review_panel(
    path: &str,
    view_data: &ServiceView,
    query: &ReviewQuery,
    actions: ServiceActions,
) -> Option<AnyView> {
    let kind_text = query.review.clone()?;
    let panel = view_data.actions.as_ref()?;
    let s = &view_data.service;
    let now = view_data.generated_at;
    let kind = match kind_text.as_str() {
        "scale" => ActionKind::Scale,
        "deploy" => ActionKind::Deploy,
        "rollback" => ActionKind::Rollback,
        "redeploy" => ActionKind::Redeploy,
        _ => return None,
    };
    let hidden =
        |name: &'static str, value: String| view! { <input type="hidden" name=name value=value/> };
    let common = view! {
        {hidden("env", view_data.card.descriptor.id.to_string())}
        {hidden("cluster", s.cluster.clone())}
        {hidden("service", s.name.clone())}
        {hidden("key", format!("{}-{}", panel.request_key, kind.as_str()))}
    };
    let reason = query.reason.clone().unwrap_or_default();
    let asks = panel.requests(kind);
    let planned = if !panel.allows(kind) {
        Err(panel
            .refused
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, why)| why.clone())
            .unwrap_or_else(|| "you may not do this here".to_string()))
    } else {
        match kind {
            ActionKind::Scale => plan_scale(
                s,
                view_data.bounds,
                view_data.hard_bounds,
                query.desired.as_deref().unwrap_or_default(),
                query.widen,
            )
            .map(|(plan, t)| {
                (
                    plan,
                    view! {
                        {hidden("desired", t.desired.get().to_string())}
                        {t.range.is_some().then(|| hidden("widen_autoscaling", "1".to_string()))}
                    }
                    .into_any(),
                )
            }),
            ActionKind::Deploy => plan_deploy(
                s,
                query.container.as_deref().unwrap_or_default(),
                query.image.as_deref().unwrap_or_default(),
            )
            .map(|(plan, t)| {
                (
                    plan,
                    view! {
                        {hidden("container", t.container.clone())}
                        {hidden("image", t.image.as_str().to_string())}
                        {(!asks).then(|| hidden("reason", reason.clone()))}
                    }
                    .into_any(),
                )
            }),
            ActionKind::Rollback => plan_rollback(
                s,
                &view_data.revisions,
                query.revision.as_deref().unwrap_or_default(),
                &view_data.last_deployed,
                now,
            )
            .map(|(plan, td)| {
                (
                    plan,
                    view! {
                        {hidden("revision", format!("{}:{}", td.family, td.revision))}
                        {(!asks).then(|| hidden("reason", reason.clone()))}
                    }
                    .into_any(),
                )
            }),
            _ => Ok((plan_redeploy(s), ().into_any())),
        }
    };
    let title = format!("Review: {} {}", kind.as_str(), s.name);
    let label = title.clone();
    let body = match planned {
        Err(why) => view! {
            <p role="alert" data-testid="review-refused" class="text-sm text-red-800 dark:text-red-300">{why}</p>
            <p class=format!("mt-2 text-xs {MUTED}")>"Change the values below and review again."</p>
        }
        .into_any(),
        Ok((mut plan, fields)) => {
            let confirm = confirm_field(panel.protected, s.name.clone());
            let glass = break_glass_field(panel, kind);
            let approval = &view_data.card.descriptor.approval;
            let button = if asks {
                "Request approval".to_string()
            } else {
                format!("Confirm {}", kind.as_str())
            };
            if asks {
                plan.notes.push(format!(
                    "{} is protected: this creates a release request that runs once {} other {} with the {} role approve{} it.",
                    view_data.card.descriptor.name,
                    approval.required,
                    if approval.required == 1 { "person" } else { "people" },
                    approval.approver_role,
                    if approval.required == 1 { "s" } else { "" },
                ));
            }
            let request_fields = asks.then(|| {
                view! {
                    <label class="flex min-w-64 flex-1 flex-col gap-1 text-xs font-medium">"Reason for the reviewers (required)"
                        <input name="reason" required minlength="3" maxlength="500" value=reason.clone() class=format!("{TEXT} w-full")/>
                    </label>
                    <label class="flex flex-col gap-1 text-xs font-medium">"Ticket link"
                        <input name="ticket" type="url" maxlength="500" placeholder="https://…" class=format!("{TEXT} w-56")/>
                    </label>
                }
            });
            let reason_line = (!asks && !reason.is_empty() && kind != ActionKind::Scale)
                .then(|| view! { <p class="text-sm"><span class="font-medium">"Reason: "</span>{reason.clone()}</p> });
            let rows = super::drift_table::change_table(&plan.changes, "review-changes", "Now", "After");
            let notes = plan.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view();
            // The confirm form of one action: hidden fields, the typed name when protected, the
            // button, and (with JavaScript) the error of the last attempt.
            macro_rules! confirm_form {
                ($action:expr) => {{
                    let action = $action;
                    let pending = action.pending;
                    let error = move || {
                        action.value.get().and_then(|r| r.err()).map(|e| view! {
                            <p role="alert" data-testid="action-error" class="mt-2 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p>
                        })
                    };
                    view! {
                        <ActionForm action=action.action attr:data-testid="confirm-form">
                            <div class="flex flex-wrap items-end gap-3">
                                {common}
                                {fields}
                                {request_fields}
                                {glass}
                                {confirm}
                                <button type="submit" class=BUTTON disabled=move || pending.get()>{button}</button>
                            </div>
                        </ActionForm>
                        {error}
                    }
                    .into_any()
                }};
            }
            let form = match kind {
                ActionKind::Scale => confirm_form!(actions.scale),
                ActionKind::Deploy => confirm_form!(actions.deploy),
                ActionKind::Rollback => confirm_form!(actions.rollback),
                _ => confirm_form!(actions.redeploy),
            };
            view! {
                {rows}
                <ul class=format!("mt-3 list-disc space-y-0.5 pl-5 text-sm {MUTED}")>{notes}</ul>
                {reason_line}
                <div class="mt-4">{form}</div>
            }
            .into_any()
        }
    };
    Some(
        view! {
            <section class="mb-5 rounded-lg border-2 border-amber-400 bg-white p-4 shadow-sm dark:border-amber-600 dark:bg-slate-900" data-testid="review-panel" aria-label=label>
                <div class="mb-3 flex items-center justify-between gap-3">
                    <h2 class="text-base font-semibold">{title}</h2>
                    <a href=path.to_string() class=format!("text-sm {LINK}") data-testid="review-cancel">"Cancel"</a>
                </div>
                {body}
            </section>
        }
        .into_any(),
    )
}

#[component]
pub fn SnapshotForm(
    action: Submit<SnapshotDatabase>,
    env: String,
    id: String,
    panel: ActionPanel,
) -> impl IntoView {
    let pending = action.pending;
    view! {
        <ActionForm action=action.action attr:data-testid="snapshot-form">
            <div class="flex flex-wrap items-end gap-3">
                <input type="hidden" name="env" value=env/>
                <input type="hidden" name="id" value=id.clone()/>
                <input type="hidden" name="key" value=panel.request_key.clone()/>
                {break_glass_field(&panel, ActionKind::Snapshot)}
                {confirm_field(panel.protected, id)}
                <button type="submit" class=BUTTON disabled=move || pending.get()>"Snapshot now"</button>
            </div>
        </ActionForm>
        {move || outcome(action.value.get())}
    }
}

/// A resource's "Actions" section — the freeze banner, its `forms`, why other actions are not
/// offered — and its "Recent actions".
pub fn action_sections(panel: &ActionPanel, forms: AnyView, now: DateTime<Utc>) -> AnyView {
    let refused = refusals(panel);
    let frozen = frozen_banner(panel);
    let recent = recent_actions(&panel.recent, now);
    view! {
        <Section title="Actions">
            <div class="space-y-5 p-3">{frozen}{forms}{refused}</div>
        </Section>
        <Section title="Recent actions" note="newest first">{recent}</Section>
    }
    .into_any()
}

/// Why some actions are not offered here.
pub fn refusals(panel: &ActionPanel) -> impl IntoView {
    let items = panel
        .refused
        .iter()
        .map(|(kind, why)| view! { <li><span class="font-medium">{kind.as_str().replace('_', " ")}</span>": " {why.clone()}</li> })
        .collect_view();
    (!panel.refused.is_empty()).then(|| view! { <ul class=format!("mt-3 list-disc space-y-0.5 pl-5 text-xs {MUTED}") data-testid="refused-actions">{items}</ul> })
}

/// The resource's latest actions, newest first.
pub fn recent_actions(recent: &[ActionResult], now: DateTime<Utc>) -> AnyView {
    if recent.is_empty() {
        return view! { <Empty text="No actions yet."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto"><table class=TABLE data-testid="recent-actions">
            <thead class=THEAD><tr><th class=TH>"When"</th><th class=TH>"Who"</th><th class=TH>"Action"</th><th class=TH>"What"</th><th class=TH>"Outcome"</th></tr></thead>
            <tbody>
                {recent.iter().map(|r| {
                    let (tone, text) = match &r.status {
                        ActionStatus::Succeeded => match &r.rollout {
                            Some(rollout) if rollout.is_bad() => (Tone::Bad, rollout.short().to_string()),
                            Some(rollout @ crate::domain::rollout_outcome::RolloutOutcome::Following) => (Tone::Info, rollout.short().to_string()),
                            Some(rollout) => (Tone::Good, rollout.short().to_string()),
                            None => (Tone::Good, r.status.label()),
                        },
                        ActionStatus::Failed { .. } | ActionStatus::NotRun { .. } => (Tone::Bad, r.status.label()),
                        ActionStatus::AwaitingApproval { release } => (Tone::Info, format!("request #{release}")),
                        ActionStatus::Running | ActionStatus::Checking { .. } => (Tone::Info, r.status.label()),
                        ActionStatus::Unknown { .. } => (Tone::Warn, r.status.label()),
                    };
                    let detail = match &r.status {
                        ActionStatus::Failed { message, .. } | ActionStatus::Unknown { message } => Some(message.clone()),
                        ActionStatus::NotRun { reason } => Some(reason.clone()),
                        ActionStatus::Checking { code, message } => Some(format!("{code}: {message}")),
                        ActionStatus::Succeeded => r.rollout.as_ref().filter(|o| o.is_bad()).map(|o| o.label()),
                        ActionStatus::AwaitingApproval { .. } | ActionStatus::Running => None,
                    };
                    view! {
                        <tr class=TR>
                            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age(now, r.at)}</td>
                            <td class=format!("{TD} whitespace-nowrap")>{if r.actor.is_empty() { "—".to_string() } else { r.actor.clone() }}</td>
                            <td class=format!("{TD} whitespace-nowrap")>{r.kind.as_str().replace('_', " ")}</td>
                            <td class=format!("{TD} break-words")>{r.summary.clone()}
                                {r.reason.clone().map(|why| view! { <div class=format!("text-xs {MUTED}")>{format!("Reason: {why}")}</div> })}
                                {detail.map(|d| view! { <div class="text-xs text-red-700 dark:text-red-400">{d}</div> })}
                            </td>
                            <td class=TD><Badge tone text/></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}
