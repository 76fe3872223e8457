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
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::plans::plan_scale;
    use crate::ssr::actions::{parse_reason, run_action, target_service, Prepared};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::ports::ActionCommand;
    use crate::ssr::releases::parse_ticket_url;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let reason = parse_reason(reason)?;
        let ticket_url = parse_ticket_url(ticket.as_deref())?;
        run_action(
            &user,
            &services,
            &env,
            ActionKind::Scale,
            &key,
            confirm.as_deref(),
            |state| {
                let current = target_service(state, &cluster, &service)?;
                let (cluster, service) = (current.cluster.clone(), current.name.clone());
                let bounds =
                    state
                        .descriptor
                        .scaling
                        .bounds_for(&cluster, &service, current.autoscaling);
                let (plan, desired) =
                    plan_scale(&current, bounds, &desired).map_err(AppError::Invalid)?;
                Ok(Prepared {
                    target: format!("{cluster}/{service}"),
                    params: serde_json::json!({ "desired": desired.get() }),
                    summary: plan.summary,
                    changes: plan.changes,
                    ticket_url: ticket_url.clone(),
                    command: ActionCommand::Scale {
                        cluster: cluster.clone(),
                        service: service.clone(),
                        desired: desired.get(),
                    },
                    confirm_name: service,
                    reason: reason.clone(),
                })
            },
        )
        .await
    })
    .await
}
