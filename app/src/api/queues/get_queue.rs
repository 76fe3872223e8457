//! One SQS queue with its dead-letter queue or sources, metrics and alarms.

use crate::domain::views::QueueView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_queue")]
pub async fn get_queue(env: String, name: String) -> Result<QueueView, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::policy::Action;
    use crate::domain::queues::parse_queue_name;
    use crate::domain::work_actions::queue_target;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::access::authorized_state;
    use crate::usecases::actions::action_panel;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let state = authorized_state(&caller, &services, &env, Action::View).await?;
        let name = parse_queue_name(&name).map_err(AppError::Invalid)?;
        if state.details.is_none() {
            return Err(AppError::NotFound(format!(
                "the queues of {env} have not been read yet (the first details cycle is running): try again in a minute"
            )));
        }
        let mut view = crate::domain::views::queue(&state.data(), &name, chrono::Utc::now())
            .ok_or_else(|| AppError::NotFound(format!("there is no queue {name} in {env}")))?;
        let recent = services
            .action_store
            .recent(state.descriptor.id.as_str(), &queue_target(&name), 10)
            .await
            .map_err(|e| AppError::internal("reading recent actions", &e))?;
        let kinds = [
            ActionKind::RedriveQueue,
            ActionKind::CancelRedrive,
            ActionKind::PurgeQueue,
        ];
        view.actions = Some(action_panel(&caller.principal, &state, &kinds, recent));
        Ok(view)
    })
    .await
}
