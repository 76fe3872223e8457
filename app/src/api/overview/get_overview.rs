//! All environments side by side.

use crate::domain::views::OverviewView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_overview")]
pub async fn get_overview() -> Result<OverviewView, AppError> {
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::visible_states;
    respond(async {
        let user = current_user()?;
        let states = visible_states(&user, &services()?);
        let data: Vec<_> = states.iter().map(|s| s.data()).collect();
        Ok(crate::domain::views::overview(&data, chrono::Utc::now()))
    })
    .await
}
