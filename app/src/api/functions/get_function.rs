//! One Lambda function with its versions, aliases, event source mappings, metrics and alarms.

use crate::domain::views::FunctionView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_function")]
pub async fn get_function(env: String, name: String) -> Result<FunctionView, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::functions::parse_function_name;
    use crate::domain::policy::Action;
    use crate::domain::work_actions::function_target;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::access::authorized_state;
    use crate::usecases::actions::action_panel;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let state = authorized_state(&caller, &services, &env, Action::View).await?;
        let name = parse_function_name(&name).map_err(AppError::Invalid)?;
        if state.details.is_none() {
            return Err(AppError::NotFound(format!(
                "the functions of {env} have not been read yet (the first details cycle is running): try again in a minute"
            )));
        }
        let mut view = crate::domain::views::function(&state.data(), &name, chrono::Utc::now())
            .ok_or_else(|| AppError::NotFound(format!("there is no function {name} in {env}")))?;
        let recent = services
            .action_store
            .recent(state.descriptor.id.as_str(), &function_target(&name), 10)
            .await
            .map_err(|e| AppError::internal("reading recent actions", &e))?;
        let kinds = [
            ActionKind::PauseMapping,
            ActionKind::ResumeMapping,
            ActionKind::UpdateAlias,
            ActionKind::RollbackAlias,
            ActionKind::SetConcurrency,
        ];
        view.actions = Some(action_panel(&caller.principal, &state, &kinds, recent));
        Ok(view)
    })
    .await
}
