//! Deploys a new image for one container: registers a copy of the current task-definition
//! revision with only that image changed, then updates the service to it.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "deploy_service")]
pub async fn deploy_service(
    env: String,
    cluster: String,
    service: String,
    container: String,
    image: String,
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
            ActionKind::Deploy,
            &key,
            confirm.as_deref(),
            |state| {
                crate::ssr::prepare::deploy(
                    state,
                    &cluster,
                    &service,
                    &container,
                    &image,
                    reason.clone(),
                    ticket_url.clone(),
                )
            },
        )
        .await
    })
    .await
}
