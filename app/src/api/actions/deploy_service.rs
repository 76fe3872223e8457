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
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::plans::plan_deploy;
    use crate::ssr::actions::{run_action, target_service, Prepared};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::ports::ActionCommand;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            return Err(AppError::Invalid("the reason is longer than 500 characters".into()));
        }
        run_action(&user, &services, &env, ActionKind::Deploy, &key, confirm.as_deref(), |state| {
            let current = target_service(state, &cluster, &service)?;
            let (cluster, service) = (current.cluster.clone(), current.name.clone());
            let (plan, target) = plan_deploy(&current, &container, &image).map_err(AppError::Invalid)?;
            Ok(Prepared {
                target: format!("{cluster}/{service}"),
                params: serde_json::json!({ "container": target.container, "image": target.image.as_str(), "from": target.from }),
                summary: plan.summary,
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
