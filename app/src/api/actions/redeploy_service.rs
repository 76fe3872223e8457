//! Forces a new deployment of an ECS service: same revision, fresh tasks.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "redeploy_service")]
pub async fn redeploy_service(
    env: String,
    cluster: String,
    service: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::Redeploy { cluster, service };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
