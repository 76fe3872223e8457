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
    use crate::domain::actions::{ActionKind, ImageRef};
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
            let image = ImageRef::parse(&image).map_err(AppError::Invalid)?;
            let td = current.task_definition.clone().ok_or_else(|| {
                AppError::Conflict(format!("the task definition of {service} has not been read yet; try again in a moment"))
            })?;
            let old = td
                .containers
                .iter()
                .find(|c| c.name == container)
                .map(|c| c.image.clone())
                .ok_or_else(|| {
                    let names: Vec<_> = td.containers.iter().map(|c| c.name.as_str()).collect();
                    AppError::Invalid(format!("{} has no container {container:?}; its containers are {}", current.revision_label(), names.join(", ")))
                })?;
            if old == image.as_str() {
                return Err(AppError::Invalid(format!("container {container} already runs {old}")));
            }
            Ok(Prepared {
                target: format!("{cluster}/{service}"),
                params: serde_json::json!({ "container": container, "image": image.as_str(), "from": td.arn }),
                summary: format!("{container}: {old} → {}", image.as_str()),
                command: ActionCommand::Deploy {
                    cluster: cluster.clone(),
                    service: service.clone(),
                    from: td.arn.clone(),
                    container: container.clone(),
                    image: image.as_str().to_string(),
                },
                confirm_name: service,
                reason: reason.clone(),
            })
        })
        .await
    })
    .await
}
