//! One RDS instance or Aurora cluster with snapshots, events and metrics.

use crate::domain::views::DatabaseView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_database")]
pub async fn get_database(env: String, id: String) -> Result<DatabaseView, AppError> {
    use crate::domain::ids::parse_resource_name;
    use crate::domain::policy::Action;
    use crate::ssr::context::{authorized_state, current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let state = authorized_state(&user, &services()?, &env, Action::View).await?;
        let id = parse_resource_name("database id", &id)?;
        crate::domain::views::database(&state.data(), &id, chrono::Utc::now())
            .ok_or_else(|| AppError::NotFound(format!("there is no database {id} in {env}")))
    })
    .await
}
