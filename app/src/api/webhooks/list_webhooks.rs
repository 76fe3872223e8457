//! The webhook outbox: every webhook's counts and latest times, and the newest notices (of one
//! state, from `?state=`), for an admin of every environment.

use crate::domain::views::WebhooksView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_webhooks")]
pub async fn list_webhooks(state: Option<String>) -> Result<WebhooksView, AppError> {
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        crate::usecases::webhooks::outbox(&caller, &services, state.as_deref(), chrono::Utc::now())
            .await
    })
    .await
}
