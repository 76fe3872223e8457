//! Points an ECS service at an earlier (or any other known) revision of its family.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "rollback_service")]
pub async fn rollback_service(
    env: String,
    cluster: String,
    service: String,
    revision: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::ssr::actions::{parse_reason, run_action};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::releases::parse_ticket_url;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let reason = parse_reason(reason)?;
        let ticket_url = parse_ticket_url(ticket.as_deref())?;
        run_action(
            &user,
            &services,
            &env,
            ActionKind::Rollback,
            &key,
            confirm.as_deref(),
            |state| {
                crate::ssr::prepare::rollback(
                    state,
                    &cluster,
                    &service,
                    &revision,
                    reason.clone(),
                    ticket_url.clone(),
                )
            },
        )
        .await
    })
    .await
}
