//! The webhook outbox page (admins of every environment).

use crate::domain::outbox::{DeliveryState, OutboxRow, WebhookTally};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many rows the page lists.
pub const OUTBOX_ROWS: i64 = 100;

/// Each webhook's deliveries at a glance and the newest notices with where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksView {
    pub generated_at: DateTime<Utc>,
    /// Every configured webhook, then removed ones that still have rows.
    pub webhooks: Vec<WebhookTally>,
    /// The newest rows (of `state` only, when given).
    pub rows: Vec<OutboxRow>,
    pub state: Option<DeliveryState>,
    /// How failed deliveries are retried, in words.
    pub schedule: String,
}
