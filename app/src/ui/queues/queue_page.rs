//! One SQS queue: depth, settings, its dead-letter queue (or the queues it takes failures
//! from), charts of depth, age and traffic, and the alarms that watch it.

use super::queues_page::{oldest_age, queues_table, verdict_badge, QueueReadProblem};
use crate::api::actions::{CancelRedrive, PurgeQueue, RedriveQueue};
use crate::api::queues::get_queue;
use crate::domain::actions::ActionKind;
use crate::domain::format::{duration_words, number, utc_minute_opt};
use crate::domain::views::QueueView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::watching_alarms;
use crate::ui::functions::functions_page::mapping_badge;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The queue page's action forms, made once outside its `Transition`.
#[derive(Clone, Copy)]
struct QueueForms {
    redrive: Submit<RedriveQueue>,
    cancel: Submit<CancelRedrive>,
    purge: Submit<PurgeQueue>,
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("env").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    };
    let query = use_query_map();
    let outcome = move || ReviewQuery::from_query(&query.read());
    let forms = QueueForms {
        redrive: Submit::new(),
        cancel: Submit::new(),
        purge: Submit::new(),
    };
    let data = Resource::new(
        move || {
            (
                key(),
                outcome(),
                refresh_tick(),
                (
                    forms.redrive.action.version().get(),
                    forms.cancel.action.version().get(),
                    forms.purge.action.version().get(),
                ),
            )
        },
        |((env, name), outcome, _, _)| async move { get_queue(env, name).await.map(|v| (v, outcome)) },
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((view, outcome)) => queue_page(view, outcome, forms).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The redrives of a dead-letter queue as last read, newest first.
fn move_tasks_view(view: &QueueView) -> Option<AnyView> {
    let tasks = view.move_tasks.as_ref()?;
    let now = view.generated_at;
    let error = tasks.error.clone().map(|e| {
        view! { <p role="status" class="px-3 py-2 text-xs text-amber-800 dark:text-amber-300">{format!("Redrives could not be read: {e}")}</p> }
    });
    let rows = tasks
        .tasks
        .iter()
        .map(|t| {
            view! {
                <tr class=TR>
                    <td class=format!("{TD} whitespace-nowrap {MUTED}")>{crate::domain::format::age_opt(now, t.started_at)}</td>
                    <td class=TD>{t.progress()}</td>
                </tr>
            }
        })
        .collect_view();
    Some(
        view! {
            <Section title="Redrives" note="message move tasks, newest first">
                {error}
                <div class="overflow-x-auto"><table class=TABLE data-testid="move-tasks">
                    <thead class=THEAD><tr><th class=TH>"Started"</th><th class=TH>"Progress"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
            </Section>
        }
        .into_any(),
    )
}

/// What the person may do to the queue: redrive it (a dead-letter queue with messages), cancel
/// a running redrive, purge it; and its recent actions.
fn actions_section(view: &QueueView, forms: QueueForms) -> Option<AnyView> {
    let panel = view.actions.clone()?;
    let env = view.card.descriptor.id.to_string();
    let q = &view.row.queue;
    let running = view
        .move_tasks
        .as_ref()
        .and_then(|m| m.running())
        .map(|t| t.progress());
    let waiting = q.visible + q.delayed;
    let redrive = (panel.allows(ActionKind::RedriveQueue)
        && !view.sources.is_empty()
        && waiting > 0
        && running.is_none())
    .then(|| {
        let to = match view.sources.as_slice() {
            [one] => one.queue.name.clone(),
            _ => "the queues they came from".to_string(),
        };
        view! { <RedriveForm action=forms.redrive env=env.clone() queue=q.name.clone() to waiting panel=panel.clone()/> }
    });
    let cancel = running
        .filter(|_| panel.allows(ActionKind::CancelRedrive))
        .map(|progress| view! { <CancelRedriveForm action=forms.cancel env=env.clone() queue=q.name.clone() progress panel=panel.clone()/> });
    let purge = panel.allows(ActionKind::PurgeQueue).then(|| {
        view! { <PurgeForm action=forms.purge env=env.clone() queue=q.name.clone() messages=q.messages() panel=panel.clone()/> }
    });
    let redrive = (redrive.is_some() || cancel.is_some())
        .then(|| action_group("Redrive".into(), view! { {redrive}{cancel} }.into_any()));
    let purge = purge.map(|p| action_group("Purge".into(), p.into_any()));
    let forms = view! { {redrive}{purge} }.into_any();
    Some(action_sections(&panel, forms, view.generated_at))
}

fn queue_page(view: QueueView, outcome: ReviewQuery, forms: QueueForms) -> impl IntoView {
    let banner = panel_outcome(&outcome, view.actions.as_ref());
    let actions = actions_section(&view, forms);
    let tasks = move_tasks_view(&view);
    let now = view.generated_at;
    let env = view.card.descriptor.id.clone();
    let q = view.row.queue.clone();
    let crumbs = vec![
        ("Overview".to_string(), "/".to_string()),
        (view.card.descriptor.name.clone(), format!("/envs/{env}")),
        ("Queues".to_string(), format!("/queues?env={env}")),
    ];
    let heading = view! { <EnvHeading card=view.card.clone() now/> };
    let metrics = view.metrics.clone().unwrap_or_default();
    let problem = view
        .read_error
        .clone()
        .map(|error| view! { <QueueReadProblem env=env.to_string() error/> });
    // The dead-letter queue itself is named in its own section below.
    let redrive = match &q.redrive {
        Some(r) => format!("after {} receives", r.max_receive_count),
        None if !view.row.sources.is_empty() => "is a dead-letter queue".to_string(),
        None => "none".to_string(),
    };
    let secs = |s: Option<i64>| s.map(duration_words).unwrap_or_else(|| "—".into());
    // The chain this queue belongs to: its dead-letter queue, or the queues feeding it.
    let chain: Vec<_> = view
        .dead_letter
        .clone()
        .into_iter()
        .chain(view.sources.clone())
        .collect();
    let chain_title = if view.dead_letter.is_some() {
        "Dead-letter queue"
    } else {
        "Queues that send their failures here"
    };
    let chain_view = (!chain.is_empty()).then(|| {
        view! {
            <Section title=chain_title note="messages that failed too many receives">
                {queues_table(chain, false)}
            </Section>
        }
    });
    let env_text = env.to_string();
    let workers = if view.workers.is_empty() {
        view! { <Empty text="No Lambda event source mapping reads this queue."/> }.into_any()
    } else {
        view! {
            <ul class="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="queue-workers">
                {view.workers.iter().map(|(function, m)| view! {
                    <li class="flex flex-wrap items-center gap-2 px-3 py-2">
                        <a class=LINK href=format!("/envs/{env_text}/functions/{function}")>{function.clone()}</a>
                        <span class=MUTED>{format!("invokes {}", m.qualifier.clone().unwrap_or_else(|| "$LATEST".into()))}</span>
                        {mapping_badge(m)}
                        <span class=format!("text-xs {MUTED}")>{m.batch_size.map(|b| format!("batches of {b}")).unwrap_or_default()}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Title text=q.name.clone()/>
        <PageHeader title=q.name.clone() crumbs>{heading}</PageHeader>
        <EnvProblem card=view.card.clone() now/>
        {banner}
        {problem}
        <dl class=format!("{CARD} mb-5 grid grid-cols-2 gap-4 p-4 sm:grid-cols-4 lg:grid-cols-6")>
            <Stat label="State">{verdict_badge(view.row.verdict)}</Stat>
            <Stat label="Waiting"><span class="tabular-nums">{number(q.visible as f64)}</span></Stat>
            <Stat label="In flight"><span class="tabular-nums">{number(q.in_flight as f64)}</span></Stat>
            <Stat label="Delayed"><span class="tabular-nums">{number(q.delayed as f64)}</span></Stat>
            <Stat label="Oldest message">{oldest_age(view.row.oldest_age_secs)}</Stat>
            <Stat label="App">{app_link(q.app.clone())}</Stat>
            <Stat label="Type">{if q.fifo { "FIFO" } else { "standard" }}</Stat>
            <Stat label="Encryption">{q.encryption.label()}</Stat>
            <Stat label="Redrive">{redrive}</Stat>
            <Stat label="Visibility timeout">{secs(q.visibility_timeout_secs)}</Stat>
            <Stat label="Retention">{secs(q.retention_secs)}</Stat>
            <Stat label="Created">{utc_minute_opt(q.created_at)}</Stat>
        </dl>
        <p class=format!("mb-4 break-all text-xs {MUTED}")>{format!("ARN {} · URL {}", q.arn, q.url)}</p>
        <Section title="Workers" note="Lambda functions that consume it">{workers}</Section>
        {chain_view}
        {tasks}
        <div class="mb-5 grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
            <LineChart title="Messages waiting" series=Some(metrics.visible.clone()) unit=Unit::Count/>
            <LineChart title="Age of oldest message" series=Some(metrics.oldest_age.clone()) unit=Unit::Seconds/>
            <LineChart title="Messages sent" series=Some(metrics.sent.clone()) unit=Unit::Count/>
            <LineChart title="Messages received" series=Some(metrics.received.clone()) unit=Unit::Count/>
            <LineChart title="Messages deleted" series=Some(metrics.deleted.clone()) unit=Unit::Count/>
        </div>
        {watching_alarms(&env, &view.alarms, now, "queue")}
        {actions}
    }
}
