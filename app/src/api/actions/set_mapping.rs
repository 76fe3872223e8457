//! Pauses (`enabled` = false) or resumes an event source mapping that feeds a function.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "set_mapping")]
pub async fn set_mapping(
    env: String,
    function: String,
    uuid: String,
    enabled: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::SetMapping {
            function,
            uuid,
            enabled: super::form::parse_enabled(&enabled)?,
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
