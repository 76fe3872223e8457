//! Sets an ECS service's desired task count, within bounds (a release request where the
//! approval gate applies).

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "scale_service")]
pub async fn scale_service(
    env: String,
    cluster: String,
    service: String,
    desired: String,
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
            ActionKind::Scale,
            &key,
            confirm.as_deref(),
            |state| {
                crate::ssr::prepare::scale(
                    state,
                    &cluster,
                    &service,
                    &desired,
                    reason.clone(),
                    ticket_url.clone(),
                )
            },
        )
        .await
    })
    .await
}
