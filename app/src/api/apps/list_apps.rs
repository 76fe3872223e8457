//! Every app (by tag) with its footprint in each environment.

use crate::domain::views::AppsView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_apps")]
pub async fn list_apps() -> Result<AppsView, AppError> {
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::visible_states;
    respond(async {
        let user = current_user()?;
        let states = visible_states(&user, &services()?);
        let data: Vec<_> = states.iter().map(|s| s.data()).collect();
        Ok(crate::domain::views::apps(&data, chrono::Utc::now()))
    })
    .await
}
