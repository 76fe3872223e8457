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
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::ids::parse_resource_name;
    use crate::domain::inventory::split_image;
    use crate::ssr::actions::{run_action, Prepared};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::ports::ActionCommand;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            return Err(AppError::Invalid("the reason is longer than 500 characters".into()));
        }
        run_action(&user, &services, &env, ActionKind::Rollback, &key, confirm.as_deref(), |state| {
            let cluster = parse_resource_name("cluster name", &cluster)?;
            let service = parse_resource_name("service name", &service)?;
            let view = crate::domain::views::service(&state.data(), &cluster, &service, chrono::Utc::now())
                .ok_or_else(|| AppError::NotFound(format!("there is no service {service} in cluster {cluster} of {env}")))?;
            let current = view.service.revision_label();
            let target = view
                .revisions
                .iter()
                .find(|td| td.arn == revision || format!("{}:{}", td.family, td.revision) == revision)
                .cloned()
                .ok_or_else(|| {
                    if revision == current || view.service.task_definition_arn == revision {
                        AppError::Invalid(format!("{service} already runs {current}"))
                    } else {
                        AppError::Invalid(format!("{revision:?} is not a known revision of {service}'s family; pick one from the list"))
                    }
                })?;
            let label = format!("{}:{}", target.family, target.revision);
            let images: Vec<String> = target
                .containers
                .iter()
                .map(|c| {
                    let before = view
                        .service
                        .task_definition
                        .as_ref()
                        .and_then(|td| td.containers.iter().find(|o| o.name == c.name))
                        .map(|o| split_image(&o.image).1.to_string())
                        .unwrap_or_else(|| "—".into());
                    format!("{}: {before} → {}", c.name, split_image(&c.image).1)
                })
                .collect();
            Ok(Prepared {
                target: format!("{cluster}/{service}"),
                params: serde_json::json!({ "revision": target.arn }),
                summary: format!("{current} → {label} ({})", images.join(", ")),
                command: ActionCommand::Rollback {
                    cluster: cluster.clone(),
                    service: service.clone(),
                    task_definition: target.arn.clone(),
                },
                confirm_name: service,
                reason: reason.clone(),
            })
        })
        .await
    })
    .await
}
