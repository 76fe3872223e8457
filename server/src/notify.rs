//! Webhook notifications: each notice (release or incident) is posted as JSON (Slack-compatible `text` plus structured
//! fields) to every configured webhook, in the background, with retries and backoff. A slow or
//! dead webhook delays nothing and fails nothing: the release flow only enqueues.

use crate::config::Secret;
use app::ports::Notifier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// One configured webhook: a name for the logs (the URL is a secret) and the URL.
#[derive(Clone)]
pub struct Webhook {
    pub name: String,
    pub url: Secret,
}

/// Delivery counts, for `/metrics`.
#[derive(Debug, Default)]
pub struct DeliveryStats {
    pub delivered: AtomicU64,
    pub retried: AtomicU64,
    pub given_up: AtomicU64,
}

/// Attempts per delivery, and the wait before the second; it doubles after each failure.
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct WebhookNotifier {
    queue: Option<mpsc::UnboundedSender<serde_json::Value>>,
    pub stats: Arc<DeliveryStats>,
}

impl WebhookNotifier {
    /// Starts the delivery worker when there are webhooks; with none, notices are dropped.
    pub fn start(webhooks: Vec<Webhook>) -> Self {
        let stats = Arc::new(DeliveryStats::default());
        if webhooks.is_empty() {
            return Self { queue: None, stats };
        }
        let (tx, mut rx) = mpsc::unbounded_channel::<serde_json::Value>();
        let client = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let worker_stats = Arc::clone(&stats);
        tokio::spawn(async move {
            while let Some(body) = rx.recv().await {
                for hook in &webhooks {
                    // Each delivery retries on its own: one dead webhook never holds up another.
                    tokio::spawn(deliver(
                        client.clone(),
                        hook.clone(),
                        body.clone(),
                        Arc::clone(&worker_stats),
                    ));
                }
            }
        });
        Self {
            queue: Some(tx),
            stats,
        }
    }
}

async fn deliver(
    client: reqwest::Client,
    hook: Webhook,
    body: serde_json::Value,
    stats: Arc<DeliveryStats>,
) {
    let mut wait = FIRST_BACKOFF;
    for attempt in 1..=ATTEMPTS {
        let sent = client.post(hook.url.expose()).json(&body).send().await;
        let problem = match sent {
            Ok(response) if response.status().is_success() => {
                stats.delivered.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(response) => format!("answered {}", response.status()),
            // Without the URL: it is a secret.
            Err(e) if e.is_timeout() => "timed out".to_string(),
            Err(e) if e.is_connect() => "refused the connection".to_string(),
            Err(_) => "could not be reached".to_string(),
        };
        if attempt == ATTEMPTS {
            stats.given_up.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(webhook = %hook.name, %problem, attempts = ATTEMPTS, "webhook delivery given up");
            return;
        }
        stats.retried.fetch_add(1, Ordering::Relaxed);
        tracing::info!(webhook = %hook.name, %problem, attempt, "webhook delivery will be retried");
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}

impl Notifier for WebhookNotifier {
    fn notify(&self, body: serde_json::Value) {
        if let Some(queue) = &self.queue {
            if queue.send(body).is_err() {
                tracing::warn!("the webhook worker has stopped; a notice was dropped");
            }
        }
    }
}
