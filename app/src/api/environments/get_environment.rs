//! One environment: a page of its services (filtered by `q`), its databases and its alarms that
//! are not OK.

use crate::domain::views::EnvironmentView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_environment")]
pub async fn get_environment(
    env: String,
    q: Option<String>,
    page: Option<String>,
) -> Result<EnvironmentView, AppError> {
    use crate::domain::policy::Action;
    use crate::domain::views::ServiceQuery;
    use crate::ssr::context::{authorized_state, current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let state = authorized_state(&user, &services()?, &env, Action::View).await?;
        let query = ServiceQuery::parse(q.as_deref(), page.as_deref());
        Ok(crate::domain::views::environment(
            &state.data(),
            &query,
            chrono::Utc::now(),
        ))
    })
    .await
}
