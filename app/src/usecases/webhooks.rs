//! Webhook notices: writing one to the outbox for the steps that announce themselves (a failure
//! is logged with its chain and never fails the step), and the outbox for admins of every
//! environment — each webhook's deliveries and the newest rows — with "retry now" for a row
//! that is waiting or was given up. Refusals and retries are audited.

use super::access::check_admin_everywhere;
use super::services::AppServices;
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::outbox::{check_retry, tallies_for, DeliveryState};
use crate::domain::views::{WebhooksView, OUTBOX_ROWS};
use crate::error::AppError;
use crate::ports::{PortResult, RetryScheduled};
use chrono::{DateTime, Utc};

const NOT_AN_ADMIN: &str = "the webhook outbox is for admins of every environment";

/// Writes a notice to the outbox for every webhook. The step it tells of has already happened,
/// so a failure to write is logged with its chain and goes no further.
pub async fn notify(services: &AppServices, body: serde_json::Value) {
    if let Err(e) = services.notifier.notify(body).await {
        let chain = crate::error::error_chain(&e);
        tracing::error!(error = %chain, "writing a notice to the webhook outbox");
    }
}

/// The outbox page: every webhook's counts and the newest rows (of `state`, if given).
pub async fn outbox(
    caller: &Caller,
    services: &AppServices,
    state: Option<&str>,
    now: DateTime<Utc>,
) -> Result<WebhooksView, AppError> {
    check_admin_everywhere(
        caller,
        services,
        AuditKind::WebhookList,
        "webhooks",
        NOT_AN_ADMIN,
    )
    .await?;
    let state = state
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(DeliveryState::parse)
        .transpose()
        .map_err(AppError::Invalid)?;
    let counted = services
        .outbox
        .tallies()
        .await
        .context("counting the webhook outbox")?;
    let rows = services
        .outbox
        .rows(state, OUTBOX_ROWS)
        .await
        .context("listing the webhook outbox")?;
    Ok(WebhooksView {
        generated_at: now,
        webhooks: tallies_for(&services.webhooks, counted),
        rows,
        state,
        schedule: services.retry_schedule.describe(),
    })
}

/// Makes outbox row `id` due now: a waiting row is tried at once, a given-up one gets one more
/// attempt (given up again if it fails, its retry time having run out). A delivered row is never
/// sent again.
pub async fn retry_now(
    caller: &Caller,
    services: &AppServices,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let target = format!("webhook notice #{id}");
    check_admin_everywhere(
        caller,
        services,
        AuditKind::WebhookRetry,
        &target,
        NOT_AN_ADMIN,
    )
    .await?;
    let row = services
        .outbox
        .get(id)
        .await
        .context("reading a webhook notice")?
        .ok_or_else(|| AppError::NotFound(format!("there is no webhook notice #{id}")))?;
    check_retry(&row, &services.webhooks, now).map_err(|e| AppError::Conflict(e.to_string()))?;
    let audit = AuditEntry::new(caller, AuditKind::WebhookRetry, AuditOutcome::Succeeded)
        .target(format!("webhook {} notice #{id}", row.webhook))
        .detail(format!(
            "{} ({}, {} attempts so far)",
            row.event,
            row.state.label(),
            row.attempts
        ));
    match services
        .outbox
        .retry_now(id, now, audit)
        .await
        .context("retrying a webhook notice")?
    {
        RetryScheduled::Scheduled => Ok(()),
        RetryScheduled::Changed => Err(AppError::Conflict(format!(
            "webhook notice #{id} changed meanwhile (delivered or being sent); reload to see it"
        ))),
    }
}
