//! Moves a dead-letter queue's messages back to its source queue (StartMessageMoveTask), at an
//! optional rate.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "redrive_queue")]
pub async fn redrive_queue(
    env: String,
    queue: String,
    rate: Option<String>,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;

    crate::ssr::context::respond(async {
        let request = ActionRequest::Redrive {
            queue,
            rate: rate.unwrap_or_default(),
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
