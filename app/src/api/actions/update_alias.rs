//! Points a function's alias at a published version, optionally with another version taking a
//! weighted share.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "update_alias")]
pub async fn update_alias(
    env: String,
    function: String,
    alias: String,
    version: String,
    additional: Option<String>,
    weight: Option<String>,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;

    crate::ssr::context::respond(async {
        let request = ActionRequest::UpdateAlias {
            function,
            alias,
            version,
            additional: additional.unwrap_or_default(),
            weight: weight.unwrap_or_default(),
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
