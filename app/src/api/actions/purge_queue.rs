//! Deletes every message of a queue (PurgeQueue); the person types the queue's name.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "purge_queue")]
pub async fn purge_queue(
    env: String,
    queue: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;

    crate::ssr::context::respond(async {
        let request = ActionRequest::Purge {
            queue,
            confirm: confirm.clone(),
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
