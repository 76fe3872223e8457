//! Rolls a function's alias back: drops its weighted version, or points it at the version before.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "rollback_alias")]
pub async fn rollback_alias(
    env: String,
    function: String,
    alias: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;

    crate::ssr::context::respond(async {
        let request = ActionRequest::RollbackAlias { function, alias };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
