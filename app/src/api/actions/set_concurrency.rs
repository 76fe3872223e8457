//! Sets a function's reserved concurrency (0 stops every invocation), or removes it when empty.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "set_concurrency")]
pub async fn set_concurrency(
    env: String,
    function: String,
    reserved: Option<String>,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;

    crate::ssr::context::respond(async {
        let request = ActionRequest::SetConcurrency {
            function,
            reserved: reserved.unwrap_or_default(),
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
