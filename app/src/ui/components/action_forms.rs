//! Forms for operator actions. Each posts to its server function with the page's request key, so
//! a double submit acts once; they work as plain form posts without JavaScript. In protected
//! environments the person types the resource's name to confirm.

use crate::api::actions::{
    DeployService, RedeployService, RollbackService, ScaleService, SnapshotDatabase,
};
use crate::domain::actions::{ActionKind, ActionResult, ActionStatus};
use crate::domain::format::age;
use crate::domain::inventory::{split_image, TaskDefinition};
use crate::domain::views::ActionPanel;
use crate::error::AppError;
use crate::ui::components::{Badge, Empty, Tone, MUTED, TABLE, TD, TH, THEAD, TR};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

const INPUT: &str = "w-24 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
const CONFIRM: &str = "w-44 rounded-md border border-amber-400 bg-white px-2 py-1.5 text-sm dark:border-amber-600 dark:bg-slate-950";
const BUTTON: &str = "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60";
const BUTTON_QUIET: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

/// The outcome of the last submit of one form, when JavaScript is on.
fn outcome(value: Option<Result<ActionResult, AppError>>) -> Option<AnyView> {
    value.map(|r| match r {
        Ok(done) => view! {
            <p role="status" data-testid="action-done" class="text-sm text-emerald-800 dark:text-emerald-300">{format!("Done: {}", done.summary)}</p>
        }
        .into_any(),
        Err(e) => view! {
            <p role="alert" data-testid="action-error" class="text-sm text-red-800 dark:text-red-300">{e.to_string()}</p>
        }
        .into_any(),
    })
}

fn confirm_field(protected: bool, name: String) -> Option<AnyView> {
    protected.then(|| {
        view! {
            <label class="flex flex-col gap-1 text-xs font-medium">{format!("Type {name} to confirm")}
                <input name="confirm" required autocomplete="off" class=CONFIRM/>
            </label>
        }
        .into_any()
    })
}

#[component]
pub fn ScaleForm(
    action: ServerAction<ScaleService>,
    env: String,
    cluster: String,
    service: String,
    current: i32,
    panel: ActionPanel,
) -> impl IntoView {
    let pending = action.pending();
    view! {
        <ActionForm action attr:data-testid="scale-form">
            <div class="flex flex-wrap items-end gap-3">
                <input type="hidden" name="env" value=env/>
                <input type="hidden" name="cluster" value=cluster/>
                <input type="hidden" name="service" value=service.clone()/>
                <input type="hidden" name="key" value=format!("{}-scale", panel.request_key)/>
                <label class="flex flex-col gap-1 text-xs font-medium">"Desired tasks"
                    <input type="number" name="desired" min="1" max="50" required value=current.to_string() class=INPUT/>
                </label>
                {confirm_field(panel.protected, service)}
                <button type="submit" class=BUTTON disabled=move || pending.get()>"Scale"</button>
            </div>
        </ActionForm>
        {move || outcome(action.value().get())}
    }
}

/// Deploy a new image for one container; the form starts from the current image.
#[component]
pub fn DeployForm(
    action: ServerAction<DeployService>,
    env: String,
    cluster: String,
    service: String,
    /// `(container, current image)` in definition order.
    containers: Vec<(String, String)>,
    panel: ActionPanel,
) -> impl IntoView {
    let pending = action.pending();
    let first_image = containers
        .first()
        .map(|(_, i)| i.clone())
        .unwrap_or_default();
    let choices = containers
        .into_iter()
        .map(|(name, image)| view! { <option value=name.clone()>{format!("{name} (now {image})")}</option> })
        .collect_view();
    view! {
        <ActionForm action attr:data-testid="deploy-form">
            <div class="flex flex-wrap items-end gap-3">
                <input type="hidden" name="env" value=env/>
                <input type="hidden" name="cluster" value=cluster/>
                <input type="hidden" name="service" value=service.clone()/>
                <input type="hidden" name="key" value=format!("{}-deploy", panel.request_key)/>
                <label class="flex flex-col gap-1 text-xs font-medium">"Container"
                    <select name="container" class="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950">{choices}</select>
                </label>
                <label class="flex min-w-72 flex-1 flex-col gap-1 text-xs font-medium">"New image (tag or digest)"
                    <input name="image" required value=first_image spellcheck="false" class="rounded-md border border-slate-300 bg-white px-2 py-1.5 font-mono text-sm dark:border-slate-700 dark:bg-slate-950"/>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"Reason"
                    <input name="reason" maxlength="500" placeholder="optional" class="w-48 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"/>
                </label>
                {confirm_field(panel.protected, service)}
                <button type="submit" class=BUTTON disabled=move || pending.get()>"Deploy"</button>
            </div>
        </ActionForm>
        {move || outcome(action.value().get())}
    }
}

/// Roll back (or forward) to another known revision of the family; each option names its images.
#[component]
pub fn RollbackForm(
    action: ServerAction<RollbackService>,
    env: String,
    cluster: String,
    service: String,
    revisions: Vec<TaskDefinition>,
    now: DateTime<Utc>,
    panel: ActionPanel,
) -> impl IntoView {
    let pending = action.pending();
    let choices = revisions
        .into_iter()
        .map(|td| {
            let label = format!("{}:{}", td.family, td.revision);
            let images: Vec<String> = td
                .containers
                .iter()
                .map(|c| format!("{} {}", c.name, split_image(&c.image).1))
                .collect();
            let registered = td.registered_at.map(|t| format!(", registered {}", age(now, t))).unwrap_or_default();
            view! { <option value=label.clone()>{format!("{label} — {}{registered}", images.join(", "))}</option> }
        })
        .collect_view();
    view! {
        <ActionForm action attr:data-testid="rollback-form">
            <div class="flex flex-wrap items-end gap-3">
                <input type="hidden" name="env" value=env/>
                <input type="hidden" name="cluster" value=cluster/>
                <input type="hidden" name="service" value=service.clone()/>
                <input type="hidden" name="key" value=format!("{}-rollback", panel.request_key)/>
                <label class="flex min-w-72 flex-1 flex-col gap-1 text-xs font-medium">"Roll back to"
                    <select name="revision" class="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950">{choices}</select>
                </label>
                <label class="flex flex-col gap-1 text-xs font-medium">"Reason"
                    <input name="reason" maxlength="500" placeholder="why" class="w-48 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950"/>
                </label>
                {confirm_field(panel.protected, service)}
                <button type="submit" class=BUTTON_QUIET disabled=move || pending.get()>"Roll back"</button>
            </div>
        </ActionForm>
        {move || outcome(action.value().get())}
    }
}

#[component]
pub fn RedeployForm(
    action: ServerAction<crate::api::actions::RedeployService>,
    env: String,
    cluster: String,
    service: String,
    panel: ActionPanel,
) -> impl IntoView {
    let pending = action.pending();
    view! {
        <ActionForm action attr:data-testid="redeploy-form">
            <div class="flex flex-wrap items-end gap-3">
                <input type="hidden" name="env" value=env/>
                <input type="hidden" name="cluster" value=cluster/>
                <input type="hidden" name="service" value=service.clone()/>
                <input type="hidden" name="key" value=format!("{}-redeploy", panel.request_key)/>
                {confirm_field(panel.protected, service)}
                <button type="submit" class=BUTTON_QUIET disabled=move || pending.get()>"Force new deployment"</button>
            </div>
        </ActionForm>
        {move || outcome(action.value().get())}
    }
}

#[component]
pub fn SnapshotForm(
    action: ServerAction<SnapshotDatabase>,
    env: String,
    id: String,
    panel: ActionPanel,
) -> impl IntoView {
    let pending = action.pending();
    view! {
        <ActionForm action attr:data-testid="snapshot-form">
            <div class="flex flex-wrap items-end gap-3">
                <input type="hidden" name="env" value=env/>
                <input type="hidden" name="id" value=id.clone()/>
                <input type="hidden" name="key" value=panel.request_key.clone()/>
                {confirm_field(panel.protected, id)}
                <button type="submit" class=BUTTON disabled=move || pending.get()>"Snapshot now"</button>
            </div>
        </ActionForm>
        {move || outcome(action.value().get())}
    }
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
            <thead class=THEAD><tr><th class=TH>"When"</th><th class=TH>"Action"</th><th class=TH>"What"</th><th class=TH>"Outcome"</th></tr></thead>
            <tbody>
                {recent.iter().map(|r| {
                    let (tone, text) = match &r.status {
                        ActionStatus::Succeeded => (Tone::Good, "succeeded".to_string()),
                        ActionStatus::Failed { code, .. } => (Tone::Bad, format!("failed: {code}")),
                    };
                    let detail = match &r.status {
                        ActionStatus::Failed { message, .. } => Some(message.clone()),
                        ActionStatus::Succeeded => None,
                    };
                    view! {
                        <tr class=TR>
                            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age(now, r.at)}</td>
                            <td class=TD>{r.kind.as_str().replace('_', " ")}</td>
                            <td class=TD>{r.summary.clone()}
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

/// Whether the panel offers this kind.
pub fn offers(panel: &Option<ActionPanel>, kind: ActionKind) -> bool {
    panel.as_ref().is_some_and(|p| p.allows(kind))
}

/// The redeploy action type, re-exported for pages.
pub type RedeployAction = ServerAction<RedeployService>;
