//! The webhook outbox (`webhook_outbox`): notices written one row per webhook, the delivery
//! steps the lease holder takes on them — find the oldest due row, claim it for one attempt,
//! record the outcome — and what admins read and ask ("retry now", audited in the same
//! transaction). Every step is a conditional update on the row's state and attempt count, so two
//! processes never send the same row at once and a delivered row never changes again.

use super::audit::insert_entry;
use super::error::{StoreContext, StoreError};
use super::sql::{numbered, read_time, stored_time, Pool};
use app::domain::audit::AuditEntry;
use app::domain::outbox::{notice_summary, DeliveryState, NextAttempt, OutboxRow, WebhookTally};
use app::ports::RetryScheduled;
use chrono::{DateTime, Utc};

pub struct SqlOutbox {
    pool: Pool,
}

/// A row due for an attempt, as found (before it is claimed).
#[derive(Debug, Clone)]
pub struct Due {
    pub id: i64,
    /// Attempts started before this one.
    pub attempts: i64,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, webhook, body, state, attempts, created_at, next_attempt_at, claimed_until, last_error, last_failed_at, delivered_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    webhook: String,
    body: String,
    state: String,
    attempts: i64,
    created_at: String,
    next_attempt_at: String,
    claimed_until: Option<String>,
    last_error: Option<String>,
    last_failed_at: Option<String>,
    delivered_at: Option<String>,
}

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    read_time("outbox time", text)
}

fn opt_time(text: Option<&str>) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.map(time).transpose()
}

impl Row {
    fn into_row(self) -> Result<OutboxRow, StoreError> {
        let body: serde_json::Value = serde_json::from_str(&self.body)
            .map_err(|e| StoreError::corrupt("outbox notice", &self.body, e))?;
        let (event, summary) = notice_summary(&body);
        Ok(OutboxRow {
            id: self.id,
            state: DeliveryState::parse(&self.state)
                .map_err(|e| StoreError::corrupt("outbox state", &self.state, e))?,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            created_at: time(&self.created_at)?,
            next_attempt_at: time(&self.next_attempt_at)?,
            claimed_until: opt_time(self.claimed_until.as_deref())?,
            last_failed_at: opt_time(self.last_failed_at.as_deref())?,
            delivered_at: opt_time(self.delivered_at.as_deref())?,
            last_error: self.last_error,
            webhook: self.webhook,
            event,
            summary,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TallyRow {
    webhook: String,
    pending: i64,
    delivered: i64,
    given_up: i64,
    last_delivered_at: Option<String>,
    last_failed_at: Option<String>,
    last_error: Option<String>,
    oldest_pending_at: Option<String>,
}

impl SqlOutbox {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Writes `body` once for each of `webhooks`, due at once, in one transaction.
    pub async fn enqueue(
        &self,
        webhooks: &[String],
        body: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const WHAT: &str = "writing a notice to the webhook outbox";
        let body = serde_json::to_string(body).context(WHAT)?;
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        for webhook in webhooks {
            sqlx::query(&numbered(
                "INSERT INTO webhook_outbox (webhook, body, state, attempts, created_at, next_attempt_at)
                 VALUES (?, ?, 'pending', 0, ?, ?)",
            ))
            .bind(webhook)
            .bind(&body)
            .bind(stored_time(now))
            .bind(stored_time(now))
            .execute(&mut *tx)
            .await
            .context(WHAT)?;
        }
        tx.commit().await.context(WHAT)?;
        Ok(())
    }

    /// The oldest row of `webhook` due at `now` that no attempt holds.
    pub async fn next_due(
        &self,
        webhook: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Due>, StoreError> {
        const WHAT: &str = "finding the next webhook notice to send";
        let row: Option<(i64, i64, String, String)> = sqlx::query_as(&numbered(
            "SELECT id, attempts, body, created_at FROM webhook_outbox
             WHERE webhook = ? AND state = 'pending' AND next_attempt_at <= ?
               AND (claimed_until IS NULL OR claimed_until <= ?)
             ORDER BY id LIMIT 1",
        ))
        .bind(webhook)
        .bind(stored_time(now))
        .bind(stored_time(now))
        .fetch_optional(&self.pool)
        .await
        .context(WHAT)?;
        row.map(|(id, attempts, body, created_at)| {
            Ok::<_, StoreError>(Due {
                id,
                attempts,
                body,
                created_at: time(&created_at)?,
            })
        })
        .transpose()
        .context(WHAT)
    }

    /// Claims `due` for one attempt until `until`, if it is still as found: still pending, due,
    /// unclaimed and at the same attempt count. True when this process may send it; the row's
    /// attempt count is then one more.
    pub async fn claim(
        &self,
        due: &Due,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(&numbered(
            "UPDATE webhook_outbox SET attempts = attempts + 1, claimed_until = ?
             WHERE id = ? AND state = 'pending' AND attempts = ? AND next_attempt_at <= ?
               AND (claimed_until IS NULL OR claimed_until <= ?)",
        ))
        .bind(stored_time(until))
        .bind(due.id)
        .bind(due.attempts)
        .bind(stored_time(now))
        .bind(stored_time(now))
        .execute(&self.pool)
        .await
        .context("claiming a webhook notice")?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Marks attempt `attempt` of row `id` delivered, and makes the webhook's other waiting rows
    /// due now: it answers again, so they need not wait out their backoff. False when the row
    /// was no longer at that attempt (nothing changed).
    pub async fn delivered(
        &self,
        id: i64,
        webhook: &str,
        attempt: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const WHAT: &str = "marking a webhook notice delivered";
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        let done = sqlx::query(&numbered(
            "UPDATE webhook_outbox SET state = 'delivered', delivered_at = ?, claimed_until = NULL
             WHERE id = ? AND state = 'pending' AND attempts = ?",
        ))
        .bind(stored_time(now))
        .bind(id)
        .bind(attempt)
        .execute(&mut *tx)
        .await
        .context(WHAT)?;
        sqlx::query(&numbered(
            "UPDATE webhook_outbox SET next_attempt_at = ?
             WHERE webhook = ? AND state = 'pending' AND next_attempt_at > ?",
        ))
        .bind(stored_time(now))
        .bind(webhook)
        .bind(stored_time(now))
        .execute(&mut *tx)
        .await
        .context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that attempt `attempt` of row `id` failed with `problem`: due again at the next
    /// attempt's time, or given up. False when the row was no longer at that attempt.
    pub async fn failed(
        &self,
        id: i64,
        attempt: i64,
        now: DateTime<Utc>,
        problem: &str,
        next: NextAttempt,
    ) -> Result<bool, StoreError> {
        let (state, at) = match next {
            NextAttempt::RetryAt(at) => (DeliveryState::Pending, at),
            NextAttempt::GiveUp => (DeliveryState::GivenUp, now),
        };
        let done = sqlx::query(&numbered(
            "UPDATE webhook_outbox SET state = ?, next_attempt_at = ?, claimed_until = NULL,
                    last_error = ?, last_failed_at = ?
             WHERE id = ? AND state = 'pending' AND attempts = ?",
        ))
        .bind(state.as_str())
        .bind(stored_time(at))
        .bind(problem)
        .bind(stored_time(now))
        .bind(id)
        .bind(attempt)
        .execute(&self.pool)
        .await
        .context("recording a failed webhook delivery")?;
        Ok(done.rows_affected() == 1)
    }

    /// The earliest time a waiting row of `webhook` may be sent (its next attempt, or when the
    /// attempt holding it runs out), if any row waits.
    pub async fn wake_at(&self, webhook: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        const WHAT: &str = "reading when the next webhook notice is due";
        let at: Option<String> = sqlx::query_scalar(&numbered(
            "SELECT MIN(CASE WHEN claimed_until IS NOT NULL AND claimed_until > next_attempt_at
                             THEN claimed_until ELSE next_attempt_at END)
             FROM webhook_outbox WHERE webhook = ? AND state = 'pending'",
        ))
        .bind(webhook)
        .fetch_one(&self.pool)
        .await
        .context(WHAT)?;
        opt_time(at.as_deref()).context(WHAT)
    }

    /// Removes rows delivered before `before`; answers how many.
    pub async fn prune(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query(&numbered(
            "DELETE FROM webhook_outbox WHERE state = 'delivered' AND delivered_at < ?",
        ))
        .bind(stored_time(before))
        .execute(&self.pool)
        .await
        .context("removing old delivered webhook notices")?;
        Ok(done.rows_affected())
    }

    /// Counts and latest times per webhook that has rows, by name.
    pub async fn tallies(&self) -> Result<Vec<WebhookTally>, StoreError> {
        const WHAT: &str = "counting the webhook outbox";
        let rows: Vec<TallyRow> = sqlx::query_as(
            "SELECT o.webhook,
                    SUM(CASE WHEN o.state = 'pending' THEN 1 ELSE 0 END) AS pending,
                    SUM(CASE WHEN o.state = 'delivered' THEN 1 ELSE 0 END) AS delivered,
                    SUM(CASE WHEN o.state = 'given_up' THEN 1 ELSE 0 END) AS given_up,
                    MAX(o.delivered_at) AS last_delivered_at,
                    MAX(o.last_failed_at) AS last_failed_at,
                    (SELECT f.last_error FROM webhook_outbox f
                      WHERE f.webhook = o.webhook AND f.last_failed_at IS NOT NULL
                      ORDER BY f.last_failed_at DESC, f.id DESC LIMIT 1) AS last_error,
                    MIN(CASE WHEN o.state = 'pending' THEN o.created_at END) AS oldest_pending_at
             FROM webhook_outbox o GROUP BY o.webhook ORDER BY o.webhook",
        )
        .fetch_all(&self.pool)
        .await
        .context(WHAT)?;
        let count = |n: i64| u64::try_from(n).unwrap_or_default();
        rows.into_iter()
            .map(|r| {
                Ok(WebhookTally {
                    configured: false,
                    pending: count(r.pending),
                    delivered: count(r.delivered),
                    given_up: count(r.given_up),
                    last_delivered_at: opt_time(r.last_delivered_at.as_deref())?,
                    last_failed_at: opt_time(r.last_failed_at.as_deref())?,
                    oldest_pending_at: opt_time(r.oldest_pending_at.as_deref())?,
                    last_error: r.last_error,
                    webhook: r.webhook,
                })
            })
            .collect::<Result<_, StoreError>>()
            .context(WHAT)
    }

    /// The newest rows (in `state` only, if given), at most `limit`.
    pub async fn rows(
        &self,
        state: Option<DeliveryState>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        const WHAT: &str = "listing the webhook outbox";
        let filter = if state.is_some() {
            "WHERE state = ?"
        } else {
            ""
        };
        let sql = numbered(&format!(
            "SELECT {COLUMNS} FROM webhook_outbox {filter} ORDER BY id DESC LIMIT ?"
        ));
        let mut query = sqlx::query_as::<_, Row>(&sql);
        if let Some(state) = state {
            query = query.bind(state.as_str());
        }
        let rows = query
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .context(WHAT)?;
        rows.into_iter()
            .map(Row::into_row)
            .collect::<Result<_, StoreError>>()
            .context(WHAT)
    }

    pub async fn get(&self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        const WHAT: &str = "reading a webhook notice";
        let row: Option<Row> = sqlx::query_as(&numbered(&format!(
            "SELECT {COLUMNS} FROM webhook_outbox WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context(WHAT)?;
        row.map(Row::into_row).transpose().context(WHAT)
    }

    /// Makes a pending or given-up row that no attempt holds due at `now` (a given-up row
    /// becomes pending), with `audit` in the same transaction.
    pub async fn retry_now(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<RetryScheduled, StoreError> {
        const WHAT: &str = "retrying a webhook notice";
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        let moved = sqlx::query(&numbered(
            "UPDATE webhook_outbox SET state = 'pending', next_attempt_at = ?
             WHERE id = ? AND state IN ('pending', 'given_up')
               AND (claimed_until IS NULL OR claimed_until <= ?)",
        ))
        .bind(stored_time(now))
        .bind(id)
        .bind(stored_time(now))
        .execute(&mut *tx)
        .await
        .context(WHAT)?;
        if moved.rows_affected() != 1 {
            return Ok(RetryScheduled::Changed);
        }
        insert_entry(&mut tx, audit).await.context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(RetryScheduled::Scheduled)
    }
}
