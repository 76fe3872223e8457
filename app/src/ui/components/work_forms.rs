//! Forms for the actions on queues and functions: redrive a dead-letter queue (and cancel it),
//! purge a queue (its name typed, always), pause or resume an event source mapping, point an
//! alias at a version or roll it back, and set reserved concurrency; run a scheduled job now, and
//! enable or disable it; resize an Auto Scaling group, change its bounds, refresh its
//! instances. Each is one plain form that
//! works without JavaScript; the server runs the same domain checks and answers why it refuses.
//! Where the approval gate applies the form asks for the reviewers' reason and becomes a request.

use super::action_forms::{
    break_glass_field, confirm_field, outcome, BUTTON, BUTTON_QUIET, CONFIRM, INPUT, SELECT, TEXT,
};
use super::panels::MUTED;
use super::submit::Submit;
use crate::api::actions::{
    CancelRedrive, PurgeQueue, RedriveQueue, RefreshInstances, RollbackAlias, RunJob, SetCapacity,
    SetCapacityBounds, SetConcurrency, SetJobState, SetMapping, UpdateAlias,
};
use crate::domain::actions::ActionKind;
use crate::domain::format::plural;
use crate::domain::functions::{Alias, Function};
use crate::domain::views::{ActionPanel, MappingRef};
use crate::domain::work_actions::plan_alias_rollback;
use leptos::prelude::*;

const BUTTON_DANGER: &str = "rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-60";

/// The reason field: required with a ticket link where the action becomes a release request,
/// else optional.
fn reason_fields(panel: &ActionPanel, kind: ActionKind) -> AnyView {
    if panel.requests(kind) {
        view! {
            <label class="flex min-w-64 flex-1 flex-col gap-1 text-xs font-medium">"Reason for the reviewers (required)"
                <input name="reason" required minlength="3" maxlength="500" class=format!("{TEXT} w-full")/>
            </label>
            <label class="flex flex-col gap-1 text-xs font-medium">"Ticket link"
                <input name="ticket" type="url" maxlength="500" placeholder="https://…" class=format!("{TEXT} w-56")/>
            </label>
        }
        .into_any()
    } else {
        view! {
            <label class="flex flex-col gap-1 text-xs font-medium">"Reason"
                <input name="reason" maxlength="500" placeholder="optional" class=format!("{TEXT} w-48")/>
            </label>
        }
        .into_any()
    }
}

/// What the submit button says: the verb, or a request where the gate applies.
fn button_text(panel: &ActionPanel, kind: ActionKind, verb: &str) -> String {
    if panel.requests(kind) {
        format!("Request approval: {verb}")
    } else {
        verb.to_string()
    }
}

/// The fields every action form sends: environment, request key, reason, break glass and (in
/// protected environments) the typed name.
fn common(panel: &ActionPanel, kind: ActionKind, env: &str, confirm: &str) -> AnyView {
    view! {
        <input type="hidden" name="env" value=env.to_string()/>
        <input type="hidden" name="key" value=panel.request_key.clone()/>
        {reason_fields(panel, kind)}
        {break_glass_field(panel, kind)}
        {confirm_field(panel.protected, confirm.to_string())}
    }
    .into_any()
}

/// One action form: `intro` above the row of `fields`, the shared fields (`common`), the button;
/// with JavaScript, the error of the last attempt below.
macro_rules! work_form {
    ($submit:expr, $testid:literal, $intro:expr, $fields:expr, $common:expr, $class:expr, $button:expr) => {{
        let submit = $submit;
        let pending = submit.pending;
        view! {
            <ActionForm action=submit.action attr:data-testid=$testid>
                {$intro}
                <div class="flex flex-wrap items-end gap-3">
                    {$fields}
                    {$common}
                    <button type="submit" class=$class disabled=move || pending.get()>{$button}</button>
                </div>
            </ActionForm>
            {move || outcome(submit.value.get())}
        }
    }};
}

/// A titled group of action forms (`Worker`, `Alias live`, `Purge`…), ruled off from the one
/// before.
pub fn action_group(title: String, body: AnyView) -> AnyView {
    view! {
        <div class="space-y-3 border-t border-slate-100 pt-4 first:border-t-0 first:pt-0 dark:border-slate-800">
            <h3 class="text-sm font-semibold">{title}</h3>
            {body}
        </div>
    }
    .into_any()
}

fn intro(text: String) -> AnyView {
    view! { <p class="mb-2 text-sm">{text}</p> }.into_any()
}

#[component]
pub fn RedriveForm(
    action: Submit<RedriveQueue>,
    env: String,
    queue: String,
    /// Where the messages go, in words.
    to: String,
    waiting: i64,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::RedriveQueue;
    work_form!(
        action,
        "redrive-form",
        intro(format!(
            "Move the {waiting} message{} in {queue} back to {to}.",
            plural(waiting)
        )),
        view! {
            <input type="hidden" name="queue" value=queue.clone()/>
            <label class="flex flex-col gap-1 text-xs font-medium">"Messages a second"
                <input name="rate" inputmode="numeric" placeholder="SQS's pace" class=INPUT/>
            </label>
        },
        common(&panel, kind, &env, &queue),
        BUTTON,
        button_text(&panel, kind, "Redrive")
    )
}

#[component]
pub fn CancelRedriveForm(
    action: Submit<CancelRedrive>,
    env: String,
    queue: String,
    progress: String,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::CancelRedrive;
    work_form!(
        action,
        "cancel-redrive-form",
        intro(format!("A redrive is running: {progress}.")),
        view! { <input type="hidden" name="queue" value=queue.clone()/> },
        common(&panel, kind, &env, &queue),
        BUTTON_QUIET,
        button_text(&panel, kind, "Cancel the redrive")
    )
}

#[component]
pub fn PurgeForm(
    action: Submit<PurgeQueue>,
    env: String,
    queue: String,
    messages: i64,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::PurgeQueue;
    // The name is typed whatever the environment: a purge cannot be undone.
    let common = view! {
        <input type="hidden" name="env" value=env/>
        <input type="hidden" name="key" value=panel.request_key.clone()/>
        {reason_fields(&panel, kind)}
        {break_glass_field(&panel, kind)}
        <label class="flex flex-col gap-1 text-xs font-medium">{format!("Type {queue} to confirm")}
            <input name="confirm" required autocomplete="off" class=CONFIRM/>
        </label>
    };
    work_form!(
        action,
        "purge-form",
        intro(format!(
            "Delete all {messages} message{} in {queue} for good. This cannot be undone.",
            plural(messages)
        )),
        view! { <input type="hidden" name="queue" value=queue.clone()/> },
        common,
        BUTTON_DANGER,
        button_text(&panel, kind, "Purge queue")
    )
}

#[component]
pub fn MappingForm(
    action: Submit<SetMapping>,
    env: String,
    function: String,
    mapping: MappingRef,
    panel: ActionPanel,
) -> impl IntoView {
    let enabled = !mapping.consuming;
    let (kind, verb, class) = if enabled {
        (ActionKind::ResumeMapping, "Resume", BUTTON)
    } else {
        (ActionKind::PauseMapping, "Pause", BUTTON_QUIET)
    };
    let button = button_text(
        &panel,
        kind,
        &format!("{verb} consuming {}", mapping.source),
    );
    work_form!(
        action,
        "mapping-form",
        None::<AnyView>,
        view! {
            <input type="hidden" name="function" value=function.clone()/>
            <input type="hidden" name="uuid" value=mapping.uuid.clone()/>
            <input type="hidden" name="enabled" value=enabled.to_string()/>
        },
        common(&panel, kind, &env, &function),
        class,
        button
    )
}

/// A `<select>` of the function's published versions, newest first, `selected` chosen; with
/// `none` first when given (an optional choice).
fn version_options(function: &Function, selected: &str, none: Option<&str>) -> AnyView {
    let none = none.map(
        |text| view! { <option value="" selected=selected.is_empty()>{text.to_string()}</option> },
    );
    let versions = function
        .versions
        .iter()
        .rev()
        .map(|v| {
            let label = match &v.description {
                Some(d) => format!("{} — {d}", v.version),
                None => v.version.clone(),
            };
            view! { <option value=v.version.clone() selected=v.version == selected>{label}</option> }
        })
        .collect_view();
    view! { {none}{versions} }.into_any()
}

#[component]
pub fn AliasForm(
    action: Submit<UpdateAlias>,
    env: String,
    function: Function,
    alias: Alias,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::UpdateAlias;
    let (extra, weight) = alias
        .weights
        .first()
        .map(|(v, w)| (v.clone(), format!("{}%", (w * 1000.0).round() / 10.0)))
        .unwrap_or_default();
    let fields = view! {
        <input type="hidden" name="function" value=function.name.clone()/>
        <input type="hidden" name="alias" value=alias.name.clone()/>
        <span class="self-center text-sm font-medium">{format!("Point {} at", alias.name)}</span>
        <label class="flex flex-col gap-1 text-xs font-medium">"Version"
            <select name="version" class=SELECT>{version_options(&function, &alias.version, None)}</select>
        </label>
        <label class="flex flex-col gap-1 text-xs font-medium">"Also send a share to"
            <select name="additional" class=SELECT>{version_options(&function, &extra, Some("no other version"))}</select>
        </label>
        <label class="flex flex-col gap-1 text-xs font-medium">"Share (0–1 or %)"
            <input name="weight" value=weight placeholder="10%" class=INPUT/>
        </label>
    };
    work_form!(
        action,
        "alias-form",
        None::<AnyView>,
        fields,
        common(&panel, kind, &env, &function.name),
        BUTTON,
        button_text(&panel, kind, &format!("Update {}", alias.name))
    )
}

#[component]
pub fn AliasRollbackForm(
    action: Submit<RollbackAlias>,
    env: String,
    function: Function,
    alias: Alias,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::RollbackAlias;
    // The same rule the server runs says what a rollback would do, or why there is none.
    match plan_alias_rollback(&function, &alias) {
        Ok((plan, _, _)) => work_form!(
            action,
            "alias-rollback-form",
            intro(plan.summary),
            view! {
                <input type="hidden" name="function" value=function.name.clone()/>
                <input type="hidden" name="alias" value=alias.name.clone()/>
            },
            common(&panel, kind, &env, &function.name),
            BUTTON_QUIET,
            button_text(&panel, kind, &format!("Roll back {}", alias.name))
        )
        .into_any(),
        Err(why) => view! { <p class=format!("text-xs {MUTED}")>{format!("No rollback of {}: {why}", alias.name)}</p> }.into_any(),
    }
}

#[component]
pub fn ConcurrencyForm(
    action: Submit<SetConcurrency>,
    env: String,
    function: String,
    reserved: Option<i32>,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::SetConcurrency;
    work_form!(
        action,
        "concurrency-form",
        view! { <p class=format!("mb-2 text-xs {MUTED}")>"0 stops every invocation (an emergency stop); empty removes the reservation."</p> },
        view! {
            <input type="hidden" name="function" value=function.clone()/>
            <label class="flex flex-col gap-1 text-xs font-medium">"Reserved concurrency"
                <input name="reserved" inputmode="numeric" value=reserved.map(|r| r.to_string()).unwrap_or_default() placeholder="none" class=INPUT/>
            </label>
        },
        common(&panel, kind, &env, &function),
        BUTTON,
        button_text(&panel, kind, "Set reserved concurrency")
    )
}

/// Runs a scheduled job once now; `what` says what starts (the plan's summary).
#[component]
pub fn RunJobForm(
    action: Submit<RunJob>,
    env: String,
    job: String,
    name: String,
    what: String,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::RunJob;
    work_form!(
        action,
        "run-job-form",
        intro(format!("Start {what} once now, outside its schedule.")),
        view! { <input type="hidden" name="job" value=job.clone()/> },
        common(&panel, kind, &env, &name),
        BUTTON,
        button_text(&panel, kind, "Run now")
    )
}

/// Enables a disabled job, or disables an enabled one.
#[component]
pub fn JobStateForm(
    action: Submit<SetJobState>,
    env: String,
    job: String,
    name: String,
    enabled: bool,
    panel: ActionPanel,
) -> impl IntoView {
    let to = !enabled;
    let (kind, verb, class, words) = if to {
        (
            ActionKind::EnableJob,
            "Enable",
            BUTTON,
            format!("{name} is disabled: enable it to run from its next due time."),
        )
    } else {
        (
            ActionKind::DisableJob,
            "Disable",
            BUTTON_QUIET,
            format!("Stop {name} running on its schedule until it is enabled again."),
        )
    };
    work_form!(
        action,
        "job-state-form",
        intro(words),
        view! {
            <input type="hidden" name="job" value=job.clone()/>
            <input type="hidden" name="enabled" value=to.to_string()/>
        },
        common(&panel, kind, &env, &name),
        class,
        button_text(&panel, kind, verb)
    )
}

/// Sets an Auto Scaling group's desired capacity; the bounds are said beside the field.
#[component]
pub fn CapacityForm(
    action: Submit<SetCapacity>,
    env: String,
    group: String,
    desired: i32,
    min: i32,
    max: i32,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::SetCapacity;
    work_form!(
        action,
        "capacity-form",
        intro(format!(
            "{group} wants {desired} instance{} now; it takes {min} to {max}.",
            plural(i64::from(desired))
        )),
        view! {
            <input type="hidden" name="group" value=group.clone()/>
            <label class="flex flex-col gap-1 text-xs font-medium">{format!("Desired capacity ({min}–{max})")}
                <input name="desired" required inputmode="numeric" value=desired.to_string() class=INPUT/>
            </label>
        },
        common(&panel, kind, &env, &group),
        BUTTON,
        button_text(&panel, kind, "Set desired capacity")
    )
}

/// Changes an Auto Scaling group's minimum and maximum.
#[component]
pub fn BoundsForm(
    action: Submit<SetCapacityBounds>,
    env: String,
    group: String,
    min: i32,
    max: i32,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::SetCapacityBounds;
    work_form!(
        action,
        "bounds-form",
        intro(
            "The bounds must hold the desired capacity; scaling policies then stay inside them."
                .to_string()
        ),
        view! {
            <input type="hidden" name="group" value=group.clone()/>
            <label class="flex flex-col gap-1 text-xs font-medium">"Minimum"
                <input name="min" required inputmode="numeric" value=min.to_string() class=INPUT/>
            </label>
            <label class="flex flex-col gap-1 text-xs font-medium">"Maximum"
                <input name="max" required inputmode="numeric" value=max.to_string() class=INPUT/>
            </label>
        },
        common(&panel, kind, &env, &group),
        BUTTON_QUIET,
        button_text(&panel, kind, "Change bounds")
    )
}

/// Starts an instance refresh of an Auto Scaling group.
#[component]
pub fn RefreshForm(
    action: Submit<RefreshInstances>,
    env: String,
    group: String,
    instances: usize,
    panel: ActionPanel,
) -> impl IntoView {
    let kind = ActionKind::RefreshInstances;
    work_form!(
        action,
        "refresh-form",
        intro(format!(
            "Replace the {instances} instance{} of {group} from its launch template, in batches.",
            plural(instances as i64)
        )),
        view! {
            <input type="hidden" name="group" value=group.clone()/>
            <label class="flex flex-col gap-1 text-xs font-medium">"Keep healthy (%)"
                <input name="min_healthy" inputmode="numeric" placeholder="90" class=INPUT/>
            </label>
        },
        common(&panel, kind, &env, &group),
        BUTTON_QUIET,
        button_text(&panel, kind, "Start instance refresh")
    )
}
