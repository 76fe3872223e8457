//! One ECS service with its deployments (and the rollout the console last followed on it), task
//! definition, events, tasks (running and recently stopped) and metrics.

use crate::domain::views::ServiceView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_service")]
pub async fn get_service(
    env: String,
    cluster: String,
    service: String,
) -> Result<ServiceView, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::ids::parse_resource_name;
    use crate::domain::policy::Action;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::access::authorized_state;
    use crate::usecases::actions::action_panel;
    respond(async {
        let caller = caller()?;
        let user = caller.principal.clone();
        let services = services()?;
        let state = authorized_state(&caller, &services, &env, Action::View).await?;
        let cluster = parse_resource_name("cluster name", &cluster)?;
        let service = parse_resource_name("service name", &service)?;
        let mut view =
            crate::domain::views::service(&state.data(), &cluster, &service, chrono::Utc::now())
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "there is no service {service} in cluster {cluster} of {env}"
                    ))
                })?;
        let recent = services
            .action_store
            .recent(
                state.descriptor.id.as_str(),
                &format!("{cluster}/{service}"),
                30,
            )
            .await
            .map_err(|e| AppError::internal("reading recent actions", &e))?;
        view.last_deployed = crate::domain::plans::last_deployed(&view.service, &recent);
        view.open_releases = services
            .releases
            .list(&crate::ports::ReleaseQuery {
                envs: vec![state.descriptor.id.to_string()],
                state: None,
                requester: None,
                target: Some(format!("{cluster}/{service}")),
                group: None,
                limit: 20,
            })
            .await
            .map_err(|e| AppError::internal("reading release requests", &e))?
            .into_iter()
            .filter(|r| !r.state.is_final())
            .collect();
        view.followed = services
            .rollouts
            .latest(
                state.descriptor.id.as_str(),
                &format!("{cluster}/{service}"),
            )
            .await
            .map_err(|e| AppError::internal("reading the service's rollout", &e))?;
        view.rollout_timeout_minutes = services.rollout_timeout.num_minutes();
        let recent: Vec<_> = recent.into_iter().take(10).collect();
        view.actions = Some(action_panel(
            &user,
            &state,
            &[
                ActionKind::Deploy,
                ActionKind::Rollback,
                ActionKind::Scale,
                ActionKind::Redeploy,
            ],
            recent,
        ));
        Ok(view)
    })
    .await
}
