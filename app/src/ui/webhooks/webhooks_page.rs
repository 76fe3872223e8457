//! The webhook outbox (admins of every environment): per webhook how many notices wait, were
//! delivered or were given up, with the last success and the last failure; then the newest
//! notices with their state, attempts, next attempt and last error, filterable by state in the
//! address, and "retry now" for one that waits or was given up (audited). Works without
//! JavaScript: the retry form posts and comes back here.

use crate::api::webhooks::{list_webhooks, RetryWebhook};
use crate::domain::format::{age_opt, utc_minute};
use crate::domain::outbox::{next_attempt_text, DeliveryState, OutboxRow, WebhookTally};
use crate::domain::views::WebhooksView;
use crate::ui::components::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const BUTTON: &str = "rounded-md border border-sky-300 bg-white px-2.5 py-1 text-xs font-medium text-sky-800 hover:bg-sky-50 disabled:opacity-60 dark:border-sky-800 dark:bg-slate-900 dark:text-sky-300";
const FILTER: &str = "rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-slate-200 aria-[current=page]:font-medium dark:text-slate-300 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-slate-700";

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let retry = Submit::<RetryWebhook>::new();
    let query = use_query_map();
    let data = Resource::new(
        move || (query.read().get("state"), retry.action.version().get()),
        |(state, _)| list_webhooks(state),
    );
    view! {
        <Title text="Webhooks"/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => webhooks_page(view, retry).into_any(),
                    Err(e) => view! { <PageHeader title="Webhooks"/><ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn state_badge(state: DeliveryState) -> impl IntoView {
    let tone = match state {
        DeliveryState::Pending => Tone::Warn,
        DeliveryState::Delivered => Tone::Good,
        DeliveryState::GivenUp => Tone::Bad,
    };
    view! { <Badge tone text=state.label()/> }
}

fn tally_row(t: WebhookTally, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let failure = t.last_failed_at.map(|at| {
        format!(
            "{}: {}",
            age_opt(now, Some(at)),
            t.last_error.clone().unwrap_or_default()
        )
    });
    view! {
        <tr class=TR data-testid="webhook-tally">
            <td class=format!("{TD} font-medium")>
                {t.webhook.clone()}
                {(!t.configured).then(|| view! { <div class=format!("text-xs {MUTED}")>"no longer configured: nothing sends these"</div> })}
            </td>
            <td class=TD data-testid="tally-pending">{t.pending.to_string()}</td>
            <td class=TD data-testid="tally-delivered">{t.delivered.to_string()}</td>
            <td class=TD data-testid="tally-given-up">{t.given_up.to_string()}</td>
            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age_opt(now, t.last_delivered_at)}</td>
            <td class=format!("{TD} {MUTED}")>{failure.unwrap_or_else(|| "—".into())}</td>
            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{age_opt(now, t.oldest_pending_at)}</td>
        </tr>
    }
}

fn notice_row(
    r: OutboxRow,
    now: chrono::DateTime<chrono::Utc>,
    retry: Submit<RetryWebhook>,
) -> impl IntoView {
    let next = next_attempt_text(&r, now);
    let retryable = r.state != DeliveryState::Delivered && !r.in_flight(now);
    let id = r.id.to_string();
    let when = match r.delivered_at {
        Some(at) => format!("delivered {}", utc_minute(at)),
        None => format!("written {}", utc_minute(r.created_at)),
    };
    view! {
        <tr class=TR data-testid="outbox-row" data-state=r.state.as_str()>
            <td class=format!("{TD} whitespace-nowrap {MUTED}")>{format!("#{}", r.id)}</td>
            <td class=TD>{r.webhook.clone()}</td>
            <td class=format!("{TD} min-w-64")>
                <div class="font-medium">{r.event.clone()}</div>
                <div class=format!("text-xs {MUTED}")>{r.summary.clone()}</div>
                <div class=format!("text-xs {MUTED}")>{when}</div>
            </td>
            <td class=TD>{state_badge(r.state)}</td>
            <td class=TD>{r.attempts.to_string()}</td>
            <td class=format!("{TD} whitespace-nowrap")>{next}</td>
            <td class=format!("{TD} text-xs {MUTED}")>{r.last_error.clone().unwrap_or_else(|| "—".into())}</td>
            <td class=TD>
                {retryable.then(|| view! {
                    <ActionForm action=retry.action attr:data-testid="retry-webhook-form">
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class=BUTTON>"Retry now"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

fn filters(selected: Option<DeliveryState>) -> impl IntoView {
    let mut links = vec![(
        "All".to_string(),
        "/webhooks".to_string(),
        selected.is_none(),
    )];
    links.extend(DeliveryState::ALL.into_iter().map(|s| {
        (
            s.label().to_string(),
            format!("/webhooks?state={}", s.as_str()),
            selected == Some(s),
        )
    }));
    view! {
        <nav class="mb-3 flex flex-wrap gap-1" aria-label="Filter by state">
            {links.into_iter().map(|(label, href, current)| view! {
                <a href=href class=FILTER aria-current=current.then_some("page")>{label}</a>
            }).collect_view()}
        </nav>
    }
}

fn webhooks_page(view: WebhooksView, retry: Submit<RetryWebhook>) -> impl IntoView {
    let now = view.generated_at;
    let outcome = move || {
        retry.value.get().map(|r| match r {
            Ok(id) => view! {
                <p role="status" data-testid="webhook-retried" class="mb-4 text-sm text-emerald-800 dark:text-emerald-300">
                    {format!("Notice #{id} will be sent again now.")}
                </p>
            }.into_any(),
            Err(e) => view! { <p role="alert" data-testid="action-error" class="mb-4 text-sm text-red-800 dark:text-red-300">{e.to_string()}</p> }.into_any(),
        })
    };
    let tallies = if view.webhooks.is_empty() {
        view! { <Empty text="No webhook is configured ([[notifications.webhooks]])."/> }.into_any()
    } else {
        let rows = view
            .webhooks
            .into_iter()
            .map(|t| tally_row(t, now))
            .collect_view();
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="webhook-tallies">
                <thead class=THEAD><tr>
                    <th class=TH>"Webhook"</th><th class=TH>"Pending"</th><th class=TH>"Delivered"</th>
                    <th class=TH>"Given up"</th><th class=TH>"Last success"</th><th class=TH>"Last failure"</th>
                    <th class=TH>"Oldest waiting"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any()
    };
    let count = view.rows.len();
    let notices = if count == 0 {
        view! { <Empty text="No notices here."/> }.into_any()
    } else {
        let rows = view
            .rows
            .into_iter()
            .map(|r| notice_row(r, now, retry))
            .collect_view();
        view! {
            <div class="overflow-x-auto"><table class=TABLE data-testid="outbox-table">
                <thead class=THEAD><tr>
                    <th class=TH>"#"</th><th class=TH>"Webhook"</th><th class=TH>"Notice"</th>
                    <th class=TH>"State"</th><th class=TH>"Attempts"</th><th class=TH>"Next attempt"</th>
                    <th class=TH>"Last error"</th><th class=TH></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
        .into_any()
    };
    let schedule = format!("failed deliveries are retried {}", view.schedule);
    view! {
        <PageHeader title="Webhooks" crumbs=vec![("Overview".to_string(), "/".to_string())]/>
        {outcome}
        <Section title="Deliveries by webhook" note=schedule>{tallies}</Section>
        {filters(view.state)}
        <Section title=format!("{count} newest notices") note="a delivered notice is never sent again; retrying one is audited">{notices}</Section>
    }
}
