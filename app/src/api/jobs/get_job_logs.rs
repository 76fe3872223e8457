//! A page of a scheduled job's run logs (the tasks it started), or its Logs Insights query: the
//! caller needs the environment's logs role; every read is audited.

use crate::domain::logs::LogParams;
use crate::domain::views::LogsView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_job_logs")]
pub async fn get_job_logs(
    env: String,
    key: String,
    // Optional: a form (url-encoded) leaves out a struct whose fields are all empty.
    params: Option<LogParams>,
    insights: Option<String>,
) -> Result<LogsView, AppError> {
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        crate::usecases::logs::read(
            &caller,
            &services,
            &env,
            &crate::domain::views::logs::LogSubject::Job { key },
            &params.unwrap_or_default(),
            insights.as_deref(),
            chrono::Utc::now(),
        )
        .await
    })
    .await
}
