//! Runs a scheduled job once now: its ECS task with the target's parameters, or an
//! asynchronous invocation of its function with the target's payload.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "run_job")]
pub async fn run_job(
    env: String,
    job: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::RunJob { key: job };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
