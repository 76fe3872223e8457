//! One incident: what fires, since when, who owns it; acknowledge, assign, note, resolve; and the
//! timeline of alarm transitions, deployments, console actions, RDS events and notes, with the
//! changes before it opened marked as suspects and a rollback offered for suspect deployments
//! (a deploy ECS rolled back says so, and offers none).

use super::incidents_page::{severity_badge, status_badge};
use crate::api::incidents::{
    get_incident, AcknowledgeIncident, AssignIncident, NoteIncident, ResolveIncident,
};
use crate::domain::format::{age, utc_minute};
use crate::domain::incidents::{EntryKind, Incident, TimelineEntry};
use crate::domain::views::IncidentView;
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const TEXT: &str = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
const BUTTON: &str = "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60";
const BUTTON_QUIET: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800";

#[derive(Clone, Copy)]
struct Forms {
    ack: Submit<AcknowledgeIncident>,
    assign: Submit<AssignIncident>,
    note: Submit<NoteIncident>,
    resolve: Submit<ResolveIncident>,
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let forms = Forms {
        ack: Submit::new(),
        assign: Submit::new(),
        note: Submit::new(),
        resolve: Submit::new(),
    };
    let args = move || {
        (
            params.read().get("id").unwrap_or_default(),
            query.read().get("order"),
        )
    };
    let data = Resource::new(
        move || {
            (
                args(),
                refresh_tick(),
                (
                    forms.ack.action.version().get(),
                    forms.assign.action.version().get(),
                    forms.note.action.version().get(),
                    forms.resolve.action.version().get(),
                ),
            )
        },
        |((id, order), _, _)| get_incident(id, order),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => incident_page(view, forms).into_any(),
                    Err(e) => view! {
                        <Title text="Incident"/>
                        <PageHeader title="Incident" crumbs=vec![("Incidents".to_string(), "/incidents".to_string())]/>
                        <ErrorPanel error=e/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn last_error<S>(value: S) -> impl IntoView
where
    S: Get<Value = Option<Result<Incident, crate::error::AppError>>> + Send + Sync + 'static,
{
    move || {
        value.get().and_then(|r| r.err()).map(|e| {
            view! { <p role="alert" data-testid="action-error" class="mt-2 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> }
        })
    }
}

fn respond_section(view: &IncidentView, forms: Forms) -> AnyView {
    let i = &view.incident;
    let id = i.id;
    if let Err(why) = &view.respond {
        return view! { <p class=format!("p-3 text-sm {MUTED}") data-testid="respond-refused">{format!("You can read this incident but not respond to it: {why}")}</p> }.into_any();
    }
    let note = {
        let action = forms.note.action;
        let pending = forms.note.pending;
        let value = forms.note.value;
        view! {
            <ActionForm action attr:data-testid="note-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="flex flex-wrap items-end gap-2">
                    <label class="flex min-w-72 flex-1 flex-col gap-1 text-xs font-medium">"Add a note"
                        <textarea name="text" required maxlength="2000" rows="2" placeholder="what you see, what you tried" class=TEXT></textarea>
                    </label>
                    <button type="submit" class=BUTTON_QUIET disabled=move || pending.get()>"Add note"</button>
                </div>
            </ActionForm>
            {last_error(value)}
        }
    };
    if !i.is_open() {
        return view! { <div class="space-y-3 p-3">{note}</div> }.into_any();
    }
    let ack = i.acknowledged_by.is_none().then(|| {
        let action = forms.ack.action;
        let pending = forms.ack.pending;
        let value = forms.ack.value;
        view! {
            <ActionForm action attr:data-testid="ack-one-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <button type="submit" class=BUTTON disabled=move || pending.get()>"Acknowledge"</button>
            </ActionForm>
            {last_error(value)}
        }
    });
    let assign = {
        let action = forms.assign.action;
        let pending = forms.assign.pending;
        let value = forms.assign.value;
        let mine = i.assigned_to(&view.me);
        let people = view.on_call.clone();
        view! {
            <div class="flex flex-wrap items-end gap-2">
                {(!mine).then(|| view! {
                    <ActionForm action attr:data-testid="assign-me-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <button type="submit" class=BUTTON_QUIET disabled=move || pending.get()>"Assign to me"</button>
                    </ActionForm>
                })}
                <ActionForm action attr:data-testid="assign-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="flex flex-wrap items-end gap-2">
                        <label class="flex flex-col gap-1 text-xs font-medium">"Assign to"
                            <input name="to" required maxlength="100" list="on-call-people" placeholder="user name" class=format!("{TEXT} w-44")/>
                        </label>
                        <datalist id="on-call-people">
                            {people.into_iter().map(|p| view! { <option value=p/> }).collect_view()}
                        </datalist>
                        <button type="submit" class=BUTTON_QUIET disabled=move || pending.get()>"Assign"</button>
                    </div>
                </ActionForm>
            </div>
            {last_error(value)}
        }
    };
    let resolve = {
        let action = forms.resolve.action;
        let pending = forms.resolve.pending;
        let value = forms.resolve.value;
        view! {
            <ActionForm action attr:data-testid="resolve-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="flex flex-wrap items-end gap-2">
                    <label class="flex min-w-72 flex-1 flex-col gap-1 text-xs font-medium">"Resolve: how was it fixed?"
                        <input name="note" required maxlength="2000" placeholder="rolled back to :41, error rate normal" class=TEXT/>
                    </label>
                    <button type="submit" class=BUTTON disabled=move || pending.get()>"Resolve"</button>
                </div>
            </ActionForm>
            {last_error(value)}
        }
    };
    view! {
        <div class="space-y-4 p-3">
            <div class="flex flex-wrap items-start gap-4">{ack}{assign}</div>
            {note}
            {resolve}
        </div>
    }
    .into_any()
}

fn kind_badge(e: &TimelineEntry) -> impl IntoView {
    let tone = match &e.kind {
        EntryKind::Alarm { to, .. } => match to {
            crate::domain::inventory::AlarmState::Alarm => Tone::Bad,
            crate::domain::inventory::AlarmState::Ok => Tone::Good,
            crate::domain::inventory::AlarmState::InsufficientData => Tone::Neutral,
        },
        EntryKind::Deployment { .. } | EntryKind::Action { .. } => Tone::Info,
        EntryKind::DbEvent { .. } => Tone::Neutral,
        EntryKind::Note => Tone::Warn,
        EntryKind::Lifecycle { .. } => Tone::Neutral,
    };
    view! { <Badge tone text=e.kind.label()/> }
}

fn timeline(view: &IncidentView) -> AnyView {
    let now = view.generated_at;
    let i = &view.incident;
    if view.timeline.is_empty() {
        return view! { <Empty text="Nothing recorded around this incident yet."/> }.into_any();
    }
    let items = view
        .timeline
        .iter()
        .map(|e| {
            let rollback = e.rollback.as_ref().map(|r| {
                let revision = r.to.rsplit('/').next().unwrap_or(&r.to).to_string();
                let href = format!(
                    "/envs/{}/services/{}/{}?review=rollback&revision={}&reason=incident%20%23{}",
                    i.env, r.cluster, r.service, revision, i.id
                );
                view! { <a href=href data-testid="suspect-rollback" class="ml-2 rounded border border-red-300 px-1.5 py-0.5 text-xs font-medium text-red-800 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950/50">{format!("Roll back to {revision}")}</a> }
            });
            let suspect = e.suspect;
            let row_class = if suspect {
                "flex flex-wrap items-start gap-x-3 gap-y-1 border-l-4 border-red-500 bg-red-50/60 px-3 py-2 dark:bg-red-950/30"
            } else {
                "flex flex-wrap items-start gap-x-3 gap-y-1 border-l-4 border-transparent px-3 py-2"
            };
            view! {
                <li class=row_class data-testid="timeline-entry" data-suspect=suspect.to_string()>
                    <span class=format!("w-36 shrink-0 text-xs {MUTED}") title=utc_minute(e.at)>
                        {e.at.format("%H:%M:%S").to_string()}<br/>{age(now, e.at)}
                    </span>
                    <span class="w-28 shrink-0">{kind_badge(e)}</span>
                    <span class="min-w-0 flex-1 whitespace-pre-wrap break-words text-sm">
                        {suspect.then(|| view! { <span class="mr-1.5 rounded bg-red-600 px-1 text-xs font-semibold uppercase text-white" data-testid="suspect">"suspect"</span> })}
                        {e.summary.clone()}
                        {e.rolled_back.clone().map(|words| view! {
                            <span class="ml-2 rounded border border-red-300 px-1.5 py-0.5 text-xs font-medium text-red-800 dark:border-red-800 dark:text-red-300" data-testid="rolled-back">{words}</span>
                        })}
                        {rollback}
                    </span>
                    <span class="w-28 shrink-0 text-right text-xs">{e.actor.clone().unwrap_or_default()}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="divide-y divide-slate-100 dark:divide-slate-800" data-testid="timeline">{items}</ol> }.into_any()
}

fn incident_page(view: IncidentView, forms: Forms) -> impl IntoView {
    let now = view.generated_at;
    let i = view.incident.clone();
    let title = format!("Incident #{}: {}", i.id, i.title);
    let crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        ("Incidents".to_string(), "/incidents".to_string()),
    ];
    let alarms = i
        .alarms
        .iter()
        .map(|a| {
            let href = format!("/alarms?env={}&q={}", i.env, crate::domain::alarm_filter::encode(&a.name));
            view! {
                <tr class=TR>
                    <td class=TD><a class=LINK href=href>{a.name.clone()}</a></td>
                    <td class=TD><AlarmStateBadge state=a.state/></td>
                    <td class=format!("{TD} {MUTED}") title=utc_minute(a.since)>{format!("since {}", age(now, a.since))}</td>
                </tr>
            }
        })
        .collect_view();
    let order_link = if view.newest_first {
        (format!("/incidents/{}?order=oldest", i.id), "oldest first")
    } else {
        (format!("/incidents/{}", i.id), "newest first")
    };
    let suspects = view.timeline.iter().filter(|e| e.suspect).count();
    let note = format!(
        "{} · changes in the {} min before it opened are suspects ({suspects})",
        if view.newest_first {
            "newest first"
        } else {
            "oldest first"
        },
        view.suspect_minutes
    );
    let ack = match (&i.acknowledged_by, i.acknowledged_at) {
        (Some(by), Some(at)) => format!("{by}, {}", age(now, at)),
        _ => "not yet".into(),
    };
    let resolved = i.resolved_at.map(|at| {
        format!(
            "Resolved {} by {}",
            age(now, at),
            i.resolved_by.clone().unwrap_or_default()
        )
    });
    let respond = respond_section(&view, forms);
    let timeline_view = timeline(&view);
    let severity = severity_badge(i.severity);
    let app_name = i.app.clone().unwrap_or_else(|| "—".into());
    let firing = format!("{} of {}", i.firing(), i.alarms.len());
    let owner = i.owner().unwrap_or("nobody").to_string();
    let opened = age(now, i.opened_at);
    let status = status_badge(&i);
    let logs = (!view.log_links.is_empty()).then(|| {
        let links = view
            .log_links
            .iter()
            .map(|l| view! { <a class=LINK href=l.href.clone() data-testid="incident-logs">{format!("{} logs", l.service)}</a> })
            .collect_view();
        view! {
            <p class="mb-5 flex flex-wrap items-center gap-x-4 gap-y-1 text-sm" data-testid="incident-log-links">
                <span class=MUTED>"At the time the alarms fired:"</span>{links}
            </p>
        }
    });
    view! {
        <Title text=title.clone()/>
        <PageHeader title=title crumbs>
            <span data-testid="incident-severity">{severity}</span>
            <span data-testid="incident-status">{status}</span>
        </PageHeader>
        {resolved.map(|r| view! { <div role="status" class="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-200" data-testid="incident-resolved">{r}</div> })}
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-3 lg:grid-cols-6")>
            <Stat label="Environment">{view.env_name.clone()}</Stat>
            <Stat label="App">{app_name}</Stat>
            <Stat label="Opened">{opened}</Stat>
            <Stat label="Firing">{firing}</Stat>
            <Stat label="Acknowledged">{ack}</Stat>
            <Stat label="Owner"><span data-testid="incident-owner">{owner}</span></Stat>
        </dl>
        {logs}
        <Section title="Respond">{respond}</Section>
        <Section title="Alarms">
            <div class="overflow-x-auto"><table class=TABLE data-testid="incident-alarms">
                <thead class=THEAD><tr><th class=TH>"Alarm"</th><th class=TH>"State"</th><th class=TH>"Since"</th></tr></thead>
                <tbody>{alarms}</tbody>
            </table></div>
        </Section>
        <section class=format!("{CARD} mb-5 overflow-hidden")>
            <div class="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
                <h2 class="text-sm font-semibold">"Timeline"</h2>
                <span class=format!("text-xs {MUTED}")>{note}" · "<a class=LINK href=order_link.0>{format!("show {}", order_link.1)}</a></span>
            </div>
            {timeline_view}
        </section>
    }
}
