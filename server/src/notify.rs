//! Webhook notifications through a durable outbox. Each notice (release or incident: JSON with a
//! Slack-compatible `text` plus structured fields) is written to the database, one row per
//! configured webhook, by whichever process made it — that is all the step it tells of waits for.
//! The process holding the jobs lease delivers: one worker per webhook sends its due rows oldest
//! first, each attempt claimed in the database first, so two processes never send the same row at
//! once. A failure is retried on the configured schedule (a doubling wait with jitter, for
//! `notifications.retry_for`), then the row is given up; nothing is lost across restarts or a
//! change of leader, and a delivered row is never sent again. Counts feed `/metrics`; the rows
//! are on the admins' `/webhooks` page.

use crate::config::Secret;
use crate::store::lease::Lease;
use crate::store::outbox::{Due, SqlOutbox};
use app::domain::audit::AuditEntry;
use app::domain::outbox::{DeliveryState, NextAttempt, OutboxRow, RetrySchedule, WebhookTally};
use app::ports::{Notifier, OutboxPort, PortError, RetryScheduled};
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// One configured webhook: its name (what the rows, logs and pages show) and its URL (a secret,
/// never stored or shown).
#[derive(Clone)]
pub struct Webhook {
    pub name: String,
    pub url: Secret,
}

/// What this process's workers did, for `/metrics`.
#[derive(Debug, Default)]
pub struct DeliveryStats {
    pub delivered: AtomicU64,
    /// Failed attempts that will be tried again.
    pub retried: AtomicU64,
    pub given_up: AtomicU64,
}

/// How the outbox delivers: `[notifications]`.
#[derive(Debug, Clone, Copy)]
pub struct OutboxSettings {
    pub schedule: RetrySchedule,
    pub attempt_timeout: Duration,
    pub keep_delivered: Duration,
}

/// How long past its timeout an attempt holds its row: a process that dies mid-attempt leaves a
/// claim that runs out this long after the attempt would have.
const CLAIM_MARGIN: Duration = Duration::from_secs(30);
/// How often a worker looks for rows that another process wrote (its own wake it at once).
const POLL: Duration = Duration::from_secs(2);
/// How often delivered rows past their retention are removed.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The outbox: writes notices, serves the admins' page, and runs the delivery workers.
pub struct WebhookOutbox {
    store: SqlOutbox,
    webhooks: Vec<Webhook>,
    names: Vec<String>,
    /// One per webhook, in the same order: wakes its worker when a row is written or retried.
    wake: Vec<Arc<Notify>>,
    settings: OutboxSettings,
    client: reqwest::Client,
    pub stats: Arc<DeliveryStats>,
}

impl WebhookOutbox {
    pub fn new(store: SqlOutbox, webhooks: Vec<Webhook>, settings: OutboxSettings) -> Self {
        let client = reqwest::Client::builder()
            .timeout(settings.attempt_timeout)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            store,
            names: webhooks.iter().map(|w| w.name.clone()).collect(),
            wake: webhooks.iter().map(|_| Arc::new(Notify::new())).collect(),
            webhooks,
            settings,
            client,
            stats: Arc::default(),
        }
    }

    /// The configured webhooks' names, in config order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn wake_all(&self) {
        for wake in &self.wake {
            wake.notify_one();
        }
    }

    /// Starts one delivery worker per webhook and the retention sweep. They act only while this
    /// process holds `lease`; once `stop` turns true each finishes the attempt it is making (so a
    /// clean shutdown leaves no row claimed) and ends.
    pub fn spawn(
        self: &Arc<Self>,
        lease: Arc<Lease>,
        stop: watch::Receiver<bool>,
    ) -> Vec<JoinHandle<()>> {
        let mut handles: Vec<JoinHandle<()>> = (0..self.webhooks.len())
            .map(|i| tokio::spawn(Arc::clone(self).worker(i, Arc::clone(&lease), stop.clone())))
            .collect();
        handles.push(tokio::spawn(Arc::clone(self).prune_loop(lease, stop)));
        handles
    }

    async fn worker(self: Arc<Self>, i: usize, lease: Arc<Lease>, mut stop: watch::Receiver<bool>) {
        let Some(hook) = self.webhooks.get(i) else {
            return;
        };
        let Some(wake) = self.wake.get(i).cloned() else {
            return;
        };
        loop {
            if *stop.borrow() {
                return;
            }
            let mut wait = POLL;
            if lease.is_held() {
                match self.deliver_next(hook).await {
                    // Something was done: look for the next row at once.
                    Ok(true) => continue,
                    Ok(false) => match self.store.wake_at(&hook.name).await {
                        Ok(Some(at)) => {
                            let until = (at - Utc::now()).to_std().unwrap_or_default();
                            wait = until.clamp(Duration::from_millis(20), POLL);
                        }
                        Ok(None) => {}
                        Err(e) => log_store_error(&hook.name, &e),
                    },
                    Err(e) => log_store_error(&hook.name, &e),
                }
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = wake.notified() => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Sends the oldest due row of `hook`, if any, and records the outcome. True when a row was
    /// found (sent, or claimed by another process first).
    async fn deliver_next(&self, hook: &Webhook) -> Result<bool, crate::store::StoreError> {
        let now = Utc::now();
        let Some(due) = self.store.next_due(&hook.name, now).await? else {
            return Ok(false);
        };
        let hold = chrono::Duration::from_std(self.settings.attempt_timeout + CLAIM_MARGIN)
            .unwrap_or(chrono::Duration::MAX);
        if !self.store.claim(&due, now, now + hold).await? {
            return Ok(true);
        }
        let attempt = due.attempts + 1;
        let sent = self.post(hook, &due).await;
        let now = Utc::now();
        match sent {
            Ok(()) => {
                self.mark_delivered(hook, &due, attempt, now).await?;
            }
            Err(problem) => {
                let failures = u32::try_from(attempt).unwrap_or(u32::MAX);
                let jitter = {
                    use rand::Rng;
                    rand::thread_rng().gen::<f64>()
                };
                let next =
                    self.settings
                        .schedule
                        .after_failure(failures, due.created_at, now, jitter);
                self.store
                    .failed(due.id, attempt, now, &problem, next)
                    .await?;
                match next {
                    NextAttempt::RetryAt(at) => {
                        self.stats.retried.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(webhook = %hook.name, notice = due.id, attempt, %problem, retry_at = %at, "webhook delivery failed; will retry");
                    }
                    NextAttempt::GiveUp => {
                        self.stats.given_up.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(webhook = %hook.name, notice = due.id, attempts = attempt, %problem, "webhook delivery given up");
                    }
                }
            }
        }
        Ok(true)
    }

    /// Records a delivery, trying the write a few times: until it is written the row would be
    /// sent again once its claim runs out.
    async fn mark_delivered(
        &self,
        hook: &Webhook,
        due: &Due,
        attempt: i64,
        now: DateTime<Utc>,
    ) -> Result<(), crate::store::StoreError> {
        let mut tries = 0;
        loop {
            match self.store.delivered(due.id, &hook.name, attempt, now).await {
                Ok(true) => {
                    self.stats.delivered.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(webhook = %hook.name, notice = due.id, attempt, "webhook notice delivered");
                    return Ok(());
                }
                Ok(false) => {
                    tracing::warn!(webhook = %hook.name, notice = due.id, "webhook notice delivered, but its row had changed meanwhile");
                    return Ok(());
                }
                Err(e) if tries < 4 => {
                    tries += 1;
                    log_store_error(&hook.name, &e);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One POST of the stored body; the problem in words without the URL (it is a secret).
    async fn post(&self, hook: &Webhook, due: &Due) -> Result<(), String> {
        let sent = self
            .client
            .post(hook.url.expose())
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(due.body.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(format!("answered {}", response.status())),
            Err(e) if e.is_timeout() => Err(format!(
                "timed out after {}",
                app::domain::outbox::duration_text(
                    chrono::Duration::from_std(self.settings.attempt_timeout)
                        .unwrap_or(chrono::Duration::MAX)
                )
            )),
            Err(e) if e.is_connect() => Err("refused the connection".to_string()),
            Err(_) => Err("could not be reached".to_string()),
        }
    }

    /// Removes delivered rows past `notifications.keep_delivered`, now and every hour, while this
    /// process holds the lease.
    async fn prune_loop(self: Arc<Self>, lease: Arc<Lease>, mut stop: watch::Receiver<bool>) {
        let keep = chrono::Duration::from_std(self.settings.keep_delivered)
            .unwrap_or(chrono::Duration::MAX);
        loop {
            if *stop.borrow() {
                return;
            }
            if lease.is_held() {
                match self.store.prune(Utc::now() - keep).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "old delivered webhook notices removed"),
                    Err(e) => log_store_error("(retention)", &e),
                }
            }
            tokio::select! {
                () = tokio::time::sleep(PRUNE_EVERY) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

fn log_store_error(webhook: &str, e: &crate::store::StoreError) {
    let chain = app::error::error_chain(e);
    tracing::warn!(webhook = %webhook, error = %chain, "webhook outbox");
}

#[async_trait::async_trait]
impl Notifier for WebhookOutbox {
    async fn notify(&self, body: serde_json::Value) -> Result<(), PortError> {
        if self.names.is_empty() {
            return Ok(());
        }
        self.store.enqueue(&self.names, &body, Utc::now()).await?;
        self.wake_all();
        Ok(())
    }
}

#[async_trait::async_trait]
impl OutboxPort for WebhookOutbox {
    async fn tallies(&self) -> Result<Vec<WebhookTally>, PortError> {
        Ok(self.store.tallies().await?)
    }

    async fn rows(
        &self,
        state: Option<DeliveryState>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, PortError> {
        Ok(self.store.rows(state, limit).await?)
    }

    async fn get(&self, id: i64) -> Result<Option<OutboxRow>, PortError> {
        Ok(self.store.get(id).await?)
    }

    async fn retry_now(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<RetryScheduled, PortError> {
        let done = self.store.retry_now(id, now, &audit).await?;
        // On the leader its worker sends it at once; elsewhere the leader finds it within POLL.
        self.wake_all();
        Ok(done)
    }
}
