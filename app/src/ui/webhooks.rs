//! The webhook outbox page (admins of every environment).

pub mod webhooks_page;
