//! `/api/v1/audit`: one page of the audit entries the token's creator may read, filtered as on the
//! audit page.

use super::dto::{AuditPage, AuditQuery};
use super::error::{invalid, ApiResult, ErrorBody};
use app::domain::audit::{AuditFilter, PAGE_SIZE};
use app::domain::caller::Caller;
use app::usecases::services::AppServices;
use axum::extract::{Query, State};
use axum::{Extension, Json};

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn audit(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<AuditPage> {
    let filter = AuditFilter::parse(
        q.actor.as_deref(),
        q.env.as_deref(),
        q.kind.as_deref(),
        q.outcome.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
        q.page.as_deref(),
    )
    .map_err(invalid)?;
    let (rows, total) = app::usecases::audit::query(&caller.principal, &services, &filter).await?;
    Ok(Json(AuditPage {
        rows: rows.into_iter().map(Into::into).collect(),
        total,
        page: filter.page,
        page_size: PAGE_SIZE,
    }))
}
