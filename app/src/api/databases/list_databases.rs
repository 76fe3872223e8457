//! Databases across the environments the user may see, optionally of one environment.

use crate::domain::views::DatabasesView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_databases")]
pub async fn list_databases(env: Option<String>) -> Result<DatabasesView, AppError> {
    use crate::domain::ids::EnvId;
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::visible_states;
    respond(async {
        let user = current_user()?;
        let filter = env
            .as_deref()
            .filter(|e| !e.is_empty())
            .map(EnvId::parse)
            .transpose()?;
        let states = visible_states(&user, &services()?);
        let data: Vec<_> = states.iter().map(|s| s.data()).collect();
        Ok(crate::domain::views::databases(
            &data,
            filter.as_ref(),
            chrono::Utc::now(),
        ))
    })
    .await
}
