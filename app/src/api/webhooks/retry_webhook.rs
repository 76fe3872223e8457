//! "Retry now" for one webhook notice that is waiting or was given up. Audited.

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "retry_webhook")]
pub async fn retry_webhook(id: String) -> Result<i64, AppError> {
    use crate::ssr::context::{caller, respond, services};
    use crate::ssr::navigation::{back_with, is_plain_form_post};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let id = crate::api::parse_number(&id, "a notice")?;
        crate::usecases::webhooks::retry_now(&caller, &services, id, chrono::Utc::now()).await?;
        // Without JavaScript, back to the outbox, which shows the notice due now.
        if is_plain_form_post() {
            let notice = format!("Notice #{id} will be sent again now.");
            back_with(crate::domain::flash::FlashKind::Notice, &notice).await;
        }
        Ok(id)
    })
    .await
}
