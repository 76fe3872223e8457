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
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
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
            ActionKind::Redeploy,
            &key,
            confirm.as_deref(),
            |state| {
                let current = target_service(state, &cluster, &service)?;
                let (cluster, service) = (current.cluster.clone(), current.name.clone());
                let plan = crate::domain::plans::plan_redeploy(&current);
                Ok(Prepared {
                    diff: Vec::new(),
                    group: None,
                    target: format!("{cluster}/{service}"),
                    params: serde_json::json!({}),
                    summary: plan.summary,
                    changes: plan.changes,
                    ticket_url: ticket_url.clone(),
                    command: ActionCommand::Redeploy {
                        cluster: cluster.clone(),
                        service: service.clone(),
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
