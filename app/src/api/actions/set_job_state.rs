//! Enables (`enabled` = true) or disables a scheduled job's rule or schedule.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "set_job_state")]
pub async fn set_job_state(
    env: String,
    job: String,
    enabled: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::SetJobState {
            key: job,
            enabled: super::form::parse_enabled(&enabled)?,
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
