//! One SQS queue: depth, settings, its dead-letter queue (or the queues it takes failures
//! from), charts of depth, age and traffic, and the alarms that watch it.

use super::queues_page::{oldest_age, queues_table, verdict_badge, QueueReadProblem};
use crate::api::queues::get_queue;
use crate::domain::format::{duration_words, number, utc_minute_opt};
use crate::domain::views::QueueView;
use crate::ui::components::*;
use crate::ui::environment::environment_page::watching_alarms;
use crate::ui::functions::functions_page::mapping_badge;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

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
    let data = Resource::new(
        move || (key(), refresh_tick()),
        |((env, name), _)| get_queue(env, name),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => queue_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn queue_page(view: QueueView) -> impl IntoView {
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
        <div class="mb-5 grid grid-cols-1 gap-4 md:grid-cols-2 xl:grid-cols-3">
            <LineChart title="Messages waiting" series=Some(metrics.visible.clone()) unit=Unit::Count/>
            <LineChart title="Age of oldest message" series=Some(metrics.oldest_age.clone()) unit=Unit::Seconds/>
            <LineChart title="Messages sent" series=Some(metrics.sent.clone()) unit=Unit::Count/>
            <LineChart title="Messages received" series=Some(metrics.received.clone()) unit=Unit::Count/>
            <LineChart title="Messages deleted" series=Some(metrics.deleted.clone()) unit=Unit::Count/>
        </div>
        {watching_alarms(&env, &view.alarms, now, "queue")}
    }
}
