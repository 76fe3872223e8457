//! One RDS instance or Aurora cluster with snapshots, events and metrics.

use crate::domain::views::DatabaseView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_database")]
pub async fn get_database(env: String, id: String) -> Result<DatabaseView, AppError> {
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
        let id = parse_resource_name("database id", &id)?;
        let mut view = crate::domain::views::database(&state.data(), &id, chrono::Utc::now())
            .ok_or_else(|| AppError::NotFound(format!("there is no database {id} in {env}")))?;
        let recent = services
            .action_store
            .recent(state.descriptor.id.as_str(), &id, 10)
            .await
            .map_err(|e| AppError::internal("reading recent actions", &e))?;
        view.actions = Some(action_panel(&user, &state, &[ActionKind::Snapshot], recent));
        Ok(view)
    })
    .await
}
