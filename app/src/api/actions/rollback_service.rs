//! Points an ECS service at an earlier (or any other known) revision of its family.

// A server function's arguments are its form fields: one per field, on both sides.
#![allow(clippy::too_many_arguments)]

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "rollback_service")]
pub async fn rollback_service(
    env: String,
    cluster: String,
    service: String,
    revision: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::ids::parse_resource_name;
    use crate::domain::plans::plan_rollback;
    use crate::ssr::actions::{parse_reason, run_action, Prepared};
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
            ActionKind::Rollback,
            &key,
            confirm.as_deref(),
            |state| {
                let cluster = parse_resource_name("cluster name", &cluster)?;
                let service = parse_resource_name("service name", &service)?;
                let now = chrono::Utc::now();
                let view = crate::domain::views::service(&state.data(), &cluster, &service, now)
                    .ok_or_else(|| {
                        AppError::NotFound(format!(
                            "there is no service {service} in cluster {cluster} of {env}"
                        ))
                    })?;
                let (plan, target) = plan_rollback(
                    &view.service,
                    &view.revisions,
                    &revision,
                    &view.last_deployed,
                    now,
                )
                .map_err(AppError::Invalid)?;
                Ok(Prepared {
                    target: format!("{cluster}/{service}"),
                    params: serde_json::json!({ "revision": target.arn }),
                    summary: plan.summary,
                    changes: plan.changes,
                    ticket_url: ticket_url.clone(),
                    command: ActionCommand::Rollback {
                        cluster: cluster.clone(),
                        service: service.clone(),
                        task_definition: target.arn.clone(),
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
