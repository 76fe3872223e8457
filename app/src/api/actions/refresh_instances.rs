//! Starts an instance refresh of an EC2 Auto Scaling group: its instances replaced in batches,
//! keeping a healthy share (empty: 90 %) in service.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "refresh_instances")]
pub async fn refresh_instances(
    env: String,
    group: String,
    min_healthy: Option<String>,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::RefreshInstances {
            group,
            min_healthy: min_healthy.unwrap_or_default(),
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
