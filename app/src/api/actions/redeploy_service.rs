//! Forces a new deployment of an ECS service: same revision, fresh tasks.

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "redeploy_service")]
pub async fn redeploy_service(
    env: String,
    cluster: String,
    service: String,
    key: String,
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
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
            ActionKind::Redeploy,
            &key,
            confirm.as_deref(),
            |state| {
                let current = target_service(state, &cluster, &service)?;
                let (cluster, service) = (current.cluster.clone(), current.name.clone());
                Ok(Prepared {
                    target: format!("{cluster}/{service}"),
                    params: serde_json::json!({}),
                    summary: crate::domain::plans::plan_redeploy(&current).summary,
                    command: ActionCommand::Redeploy {
                        cluster: cluster.clone(),
                        service: service.clone(),
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
