//! One environment: its services, databases and alarms.

use crate::domain::views::EnvironmentView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_environment")]
pub async fn get_environment(env: String) -> Result<EnvironmentView, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::context::{authorized_state, current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let state = authorized_state(&user, &services()?, &env, Action::View).await?;
        Ok(crate::domain::views::environment(
            &state.data(),
            chrono::Utc::now(),
        ))
    })
    .await
}
