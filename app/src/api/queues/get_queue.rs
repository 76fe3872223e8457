//! One SQS queue with its dead-letter queue or sources, metrics and alarms.

use crate::domain::views::QueueView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_queue")]
pub async fn get_queue(env: String, name: String) -> Result<QueueView, AppError> {
    use crate::domain::policy::Action;
    use crate::domain::queues::parse_queue_name;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::access::authorized_state;
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
        crate::domain::views::queue(&state.data(), &name, chrono::Utc::now())
            .ok_or_else(|| AppError::NotFound(format!("there is no queue {name} in {env}")))
    })
    .await
}
