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
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::access::authorized_state;
    respond(async {
        let caller = caller()?;
        let state = authorized_state(&caller, &services()?, &env, Action::View).await?;
        let query = ServiceQuery::parse(q.as_deref(), page.as_deref());
        Ok(crate::domain::views::environment(
            &state.data(),
            &query,
            chrono::Utc::now(),
        ))
    })
    .await
}
