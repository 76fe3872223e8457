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
    use crate::ssr::actions::parse_reason;
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::promote::PromotionAsk;
    use crate::ssr::releases::parse_ticket_url;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let ask = PromotionAsk::parse(&from, &to, app.as_deref(), service.as_deref())?;
        let reason = parse_reason(reason)?;
        let ticket_url = parse_ticket_url(ticket.as_deref())?;
        crate::ssr::promote::promote(
            &user,
            &services,
            &ask,
            &key,
            reason,
            ticket_url,
            confirm.as_deref(),
        )
        .await
    })
    .await
}
