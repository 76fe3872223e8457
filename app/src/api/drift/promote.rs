//! Promotes the source environment's exact image digests into the target: one service, or
//! every service of an app (one action each, grouped as release requests where the target's
//! approval gate applies).

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::drift::PromotionOutcome;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "promote")]
pub async fn promote(
    from: String,
    to: String,
    app: Option<String>,
    service: Option<String>,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
) -> Result<PromotionOutcome, AppError> {
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::actions::parse_reason;
    use crate::usecases::promotions::PromotionAsk;
    use crate::usecases::releases::parse_ticket_url;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let ask = PromotionAsk::parse(&from, &to, app.as_deref(), service.as_deref())?;
        let reason = parse_reason(reason)?;
        let ticket_url = parse_ticket_url(ticket.as_deref())?;
        let outcome = crate::usecases::promotions::promote(
            &caller,
            &services,
            &ask,
            &key,
            reason,
            ticket_url,
            confirm.as_deref(),
        )
        .await?;
        crate::ssr::navigation::after_promotion(&outcome, ask.app.as_deref()).await;
        Ok(outcome)
    })
    .await
}
