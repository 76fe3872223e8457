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
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::plans::plan_deploy;
    use crate::ssr::actions::{parse_reason, run_action, target_service, Prepared};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::ports::ActionCommand;
    use crate::ssr::releases::parse_ticket_url;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let reason = parse_reason(reason)?;
        let ticket_url = parse_ticket_url(ticket.as_deref())?;
        run_action(&user, &services, &env, ActionKind::Deploy, &key, confirm.as_deref(), |state| {
            let current = target_service(state, &cluster, &service)?;
            let (cluster, service) = (current.cluster.clone(), current.name.clone());
            let (plan, target) = plan_deploy(&current, &container, &image).map_err(AppError::Invalid)?;
            Ok(Prepared {
                target: format!("{cluster}/{service}"),
                params: serde_json::json!({ "container": target.container, "image": target.image.as_str(), "from": target.from }),
                summary: plan.summary,
                changes: plan.changes,
                ticket_url: ticket_url.clone(),
                command: ActionCommand::Deploy {
                    cluster: cluster.clone(),
                    service: service.clone(),
                    from: target.from.clone(),
                    container: target.container.clone(),
                    image: target.image.as_str().to_string(),
                },
                confirm_name: service,
                reason: reason.clone(),
            })
        })
        .await
    })
    .await
}
