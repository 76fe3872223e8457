//! Server functions for the webhook outbox (admins of every environment): each webhook's
//! deliveries and the newest notices, and "retry now" for one of them.

mod list_webhooks;
mod retry_webhook;

pub use list_webhooks::*;
pub use retry_webhook::*;
