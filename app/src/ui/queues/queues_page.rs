//! Every SQS queue across environments, optionally of one environment (`?env=`), grouped by
//! app, each beside its dead-letter queue.

use crate::api::queues::list_queues;
use crate::domain::format::{duration_words, number};
use crate::domain::queues::QueueVerdict;
use crate::domain::views::{QueueRow, QueuesView};
use crate::ui::components::*;
use crate::ui::layout::refresh_tick;
use crate::ui::overview::overview_page::app_link;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn QueuesPage() -> impl IntoView {
    let query = use_query_map();
    let env = move || query.read().get("env").filter(|e| !e.is_empty());
    let data = Resource::new(move || (env(), refresh_tick()), |(env, _)| list_queues(env));
    view! {
        <Title text="Queues"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => queues_page(view).into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn queues_page(view: QueuesView) -> impl IntoView {
    let now = view.generated_at;
    let filter = env_filter_chips("/queues", &view.envs, view.env_filter.as_ref(), now);
    let notes = detail_list_notes("SQS queues", "queues-failed", &view.errors, &view.unread);
    let attention = view
        .rows
        .iter()
        .filter(|r| r.verdict == QueueVerdict::DeadLetters)
        .count();
    let note = if attention > 0 {
        format!(
            "{} queues, {attention} dead-letter queue{} holding messages",
            view.rows.len(),
            if attention == 1 { "" } else { "s" }
        )
    } else {
        format!("{} queues", view.rows.len())
    };
    view! {
        <PageHeader title="Queues" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        {filter}
        {notes}
        <Section title="Queues: SQS, each beside its dead-letter queue" note>
            {queues_table(view.rows, view.env_filter.is_none())}
        </Section>
    }
}

/// Why some of an environment's queues are shown as last read.
#[component]
pub fn QueueReadProblem(env: String, error: String) -> impl IntoView {
    view! { <ReadProblem what="SQS queues" env error testid="queues-failed"/> }
}

/// The tone and words of a queue's verdict.
pub fn verdict_badge(verdict: QueueVerdict) -> impl IntoView {
    let tone = match verdict {
        QueueVerdict::Empty => Tone::Neutral,
        QueueVerdict::Waiting => Tone::Info,
        QueueVerdict::FailingMessages => Tone::Warn,
        QueueVerdict::DeadLetters => Tone::Bad,
    };
    view! { <Badge tone text=verdict.label().to_string()/> }
}

/// The age of a queue's oldest message in words (`4 minutes`), or a dash.
pub fn oldest_age(secs: Option<f64>) -> String {
    match secs {
        Some(s) if s >= 1.0 => duration_words(coarse_secs(s)),
        Some(_) => "under a second".into(),
        None => "—".into(),
    }
}

/// Seconds rounded down to the largest whole unit that reads well (`3 hours`, not `3 hours
/// and 12 seconds` spelled as seconds).
fn coarse_secs(secs: f64) -> i64 {
    let s = secs as i64;
    match s {
        s if s >= 86_400 => s - s % 86_400,
        s if s >= 3600 => s - s % 3600,
        s if s >= 60 => s - s % 60,
        s => s,
    }
}

/// The queues table of the queues page and the app page.
pub fn queues_table(rows: Vec<QueueRow>, with_env: bool) -> AnyView {
    if rows.is_empty() {
        return view! { <Empty text="No queues."/> }.into_any();
    }
    view! {
        <div class="overflow-x-auto">
            <table class=TABLE data-testid="queues-table">
                <thead class=THEAD><tr>
                    <th class=TH>"Queue"</th>
                    {with_env.then(|| view! { <th class=TH>"Env"</th> })}
                    <th class=TH>"App"</th>
                    <th class=format!("{TH} text-right")>"Waiting"</th>
                    <th class=format!("{TH} text-right")>"In flight"</th>
                    <th class=format!("{TH} text-right")>"Delayed"</th>
                    <th class=TH>"Oldest message"</th>
                    <th class=TH>"Dead-letter queue"</th>
                    <th class=TH>"Kind"</th>
                    <th class=TH>"State"</th>
                    <th class=TH>"Alarms"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let q = r.queue.clone();
                        let href = format!("/envs/{}/queues/{}", r.env, q.name);
                        let dlq = match (&r.dead_letter, r.sources.is_empty()) {
                            (Some(d), _) => {
                                let link = format!("/envs/{}/queues/{}", r.env, d.name);
                                let count = match d.messages {
                                    Some(0) => view! { <span class=MUTED>"empty"</span> }.into_any(),
                                    Some(n) => view! { <Badge tone=Tone::Bad text=format!("{} messages", number(n as f64))/> }.into_any(),
                                    None => view! { <span class=MUTED>"not listed here"</span> }.into_any(),
                                };
                                view! { <a class=LINK href=link>{d.name.clone()}</a>" "{count} }.into_any()
                            }
                            (None, false) => view! {
                                <span class=MUTED>{format!("is the DLQ of {}", r.sources.join(", "))}</span>
                            }.into_any(),
                            (None, true) => view! { <span class=MUTED>"none"</span> }.into_any(),
                        };
                        let kind = format!(
                            "{} · {}",
                            if q.fifo { "FIFO" } else { "standard" },
                            q.encryption.label()
                        );
                        let highlight = if r.verdict.needs_attention() {
                            "bg-amber-50 dark:bg-amber-950/40"
                        } else {
                            ""
                        };
                        view! {
                            <tr class=format!("{TR} {highlight}")>
                                <td class=format!("{TD} whitespace-nowrap")><a class=LINK href=href>{q.name.clone()}</a></td>
                                {with_env.then(|| view! { <td class=TD>{r.env.to_string()}</td> })}
                                <td class=TD>{app_link(q.app.clone())}</td>
                                <td class=format!("{TD} text-right tabular-nums")>{number(q.visible as f64)}</td>
                                <td class=format!("{TD} text-right tabular-nums")>{number(q.in_flight as f64)}</td>
                                <td class=format!("{TD} text-right tabular-nums")>{number(q.delayed as f64)}</td>
                                <td class=format!("{TD} whitespace-nowrap")>{oldest_age(r.oldest_age_secs)}</td>
                                <td class=TD>{dlq}</td>
                                <td class=format!("{TD} whitespace-nowrap text-xs")>{kind}</td>
                                <td class=TD>{verdict_badge(r.verdict)}</td>
                                <td class=TD>{firing_cell(r.alarms_firing)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
