//! Changes an EC2 Auto Scaling group's minimum and maximum size (they must hold its desired
//! capacity).

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "set_capacity_bounds")]
pub async fn set_capacity_bounds(
    env: String,
    group: String,
    min: String,
    max: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::SetCapacityBounds { group, min, max };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
