//! Sets an ECS service's desired task count, within bounds (a release request where the
//! approval gate applies).

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "scale_service")]
pub async fn scale_service(
    env: String,
    cluster: String,
    service: String,
    desired: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
    widen_autoscaling: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::Scale {
            cluster,
            service,
            desired,
            widen_autoscaling: widen_autoscaling.is_some_and(|v| !v.is_empty() && v != "false"),
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
