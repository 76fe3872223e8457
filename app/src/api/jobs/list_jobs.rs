//! Scheduled jobs across the environments the user may see, optionally of one environment.

use crate::domain::views::JobsView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_jobs")]
pub async fn list_jobs(env: Option<String>) -> Result<JobsView, AppError> {
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::across_visible;
    respond(async {
        let user = current_user()?;
        across_visible(&user, &services()?, env.as_deref(), |data, filter| {
            crate::domain::views::jobs(data, filter, chrono::Utc::now())
        })
    })
    .await
}
