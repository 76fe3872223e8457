//! A page of a service's logs, or its Logs Insights query: the caller needs the environment's
//! logs role; every read is audited.

use crate::domain::logs::LogParams;
use crate::domain::views::LogsView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_service_logs")]
#[allow(clippy::too_many_arguments)]
pub async fn get_service_logs(
    env: String,
    cluster: String,
    service: String,
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
            &crate::domain::views::logs::LogSubject::Service { cluster, service },
            &params.unwrap_or_default(),
            insights.as_deref(),
            chrono::Utc::now(),
        )
        .await
    })
    .await
}
