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
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::actions::{run_action, ActionInput};
    use crate::usecases::prepare::ActionRequest;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let input = ActionInput {
            env,
            key,
            confirm,
            reason,
            ticket_url: ticket,
            break_glass,
            request: ActionRequest::Snapshot { db: id },
        };
        let result = run_action(&caller, &services, input).await?;
        crate::ssr::navigation::after_action(&result);
        Ok(result)
    })
    .await
}
