//! One EC2 Auto Scaling group with its instances, activities, refreshes, target groups and
//! alarms, and what the person may do to it.

use crate::domain::views::AsgView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_asg")]
pub async fn get_asg(env: String, name: String) -> Result<AsgView, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::auto_scaling_groups::{asg_target, parse_asg_name};
    use crate::domain::policy::Action;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::access::authorized_state;
    use crate::usecases::actions::action_panel;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let state = authorized_state(&caller, &services, &env, Action::View).await?;
        let name = parse_asg_name(&name).map_err(AppError::Invalid)?;
        if state.details.is_none() {
            return Err(AppError::NotFound(format!(
                "the Auto Scaling groups of {env} have not been read yet (the first details cycle is running): try again in a minute"
            )));
        }
        let mut view = crate::domain::views::asg(&state.data(), &name, chrono::Utc::now())
            .ok_or_else(|| {
                AppError::NotFound(format!("there is no Auto Scaling group {name} in {env}"))
            })?;
        let recent = services
            .action_store
            .recent(state.descriptor.id.as_str(), &asg_target(&name), 10)
            .await
            .map_err(|e| AppError::internal("reading recent actions", &e))?;
        let kinds = [
            ActionKind::SetCapacity,
            ActionKind::SetCapacityBounds,
            ActionKind::RefreshInstances,
        ];
        view.actions = Some(action_panel(&caller.principal, &state, &kinds, recent));
        Ok(view)
    })
    .await
}
