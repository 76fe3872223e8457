//! Sets an ECS service's desired task count, within bounds.

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
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::plans::plan_scale;
    use crate::ssr::actions::{run_action, target_service, Prepared};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::ports::ActionCommand;
    respond(async {
        let user = current_user()?;
        let services = services()?;
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
                    command: ActionCommand::Scale {
                        cluster: cluster.clone(),
                        service: service.clone(),
                        desired: desired.get(),
                    },
                    confirm_name: service,
                    reason: None,
                })
            },
        )
        .await
    })
    .await
}
