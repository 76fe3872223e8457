//! Takes a manual snapshot of an RDS instance or Aurora cluster, named `<db>-qd-<UTC time>`.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "snapshot_database")]
pub async fn snapshot_database(
    env: String,
    id: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::usecases::prepare::ActionRequest;
    crate::ssr::context::respond(async {
        let request = ActionRequest::Snapshot { db: id };
        super::form::run_form(env, key, reason, ticket, confirm, break_glass, request).await
    })
    .await
}
