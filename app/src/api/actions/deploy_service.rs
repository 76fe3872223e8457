//! Deploys a new image for one container: registers a copy of the current task-definition
//! revision with only that image changed, then updates the service to it.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "deploy_service")]
pub async fn deploy_service(
    env: String,
    cluster: String,
    service: String,
    container: String,
    image: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::Deploy {
            cluster,
            service,
            container,
            image,
        };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
