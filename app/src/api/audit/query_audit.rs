//! Audit entries the user may see, filtered and paged.

use crate::domain::views::AuditPageView;
use crate::error::AppError;
use leptos::prelude::*;

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "query_audit")]
pub async fn query_audit(
    actor: Option<String>,
    env: Option<String>,
    kind: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
) -> Result<AuditPageView, AppError> {
    use crate::domain::audit::{AuditFilter, PAGE_SIZE};
    use crate::ssr::context::{current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let filter = AuditFilter::parse(
            actor.as_deref(),
            env.as_deref(),
            kind.as_deref(),
            outcome.as_deref(),
            from.as_deref(),
            to.as_deref(),
            page.as_deref(),
        )
        .map_err(AppError::Invalid)?;
        let (rows, total) = crate::usecases::audit::query(&user, &services, &filter).await?;
        let envs = services
            .inventory
            .states()
            .into_iter()
            .map(|s| s.descriptor.id.to_string())
            .collect();
        Ok(AuditPageView {
            generated_at: chrono::Utc::now(),
            query: filter.to_query(),
            filter,
            rows,
            total,
            page_size: PAGE_SIZE,
            envs,
        })
    })
    .await
}
