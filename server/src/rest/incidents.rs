//! `/api/v1/incidents`: the open (or resolved) incidents of the environments the token may
//! view, and one incident with its timeline, read through the pages' use cases.

use super::dto::{incident_out, IncidentOut, IncidentQuery};
use super::error::{invalid, ApiResult, ErrorBody};
use app::domain::caller::Caller;
use app::domain::ids::{parse_incident_id, EnvId};
use app::domain::incidents::IncidentState;
use app::usecases::services::AppServices;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};

#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(IncidentQuery),
    responses((status = 200, body = Vec<IncidentOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_incidents(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<IncidentQuery>,
) -> ApiResult<Vec<IncidentOut>> {
    let env = query
        .env
        .filter(|e| !e.is_empty())
        .map(|e| EnvId::parse(&e).map_err(|e| invalid(e.to_string())))
        .transpose()?;
    let wanted = query
        .state
        .filter(|s| !s.is_empty())
        .map(|s| IncidentState::parse(&s).map_err(invalid))
        .transpose()?
        .unwrap_or(IncidentState::Open);
    let rows =
        app::usecases::incidents::list(&caller.principal, &services, env.as_ref(), wanted).await?;
    Ok(Json(
        rows.into_iter()
            .map(|i| incident_out(i, None, &services))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = String, Path, description = "incident number")),
    responses((status = 200, body = IncidentOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_incident(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<IncidentOut> {
    let id = parse_incident_id(&id).map_err(|e| invalid(e.to_string()))?;
    let (incident, timeline, _) =
        app::usecases::incidents::detail(&caller, &services, id, false, chrono::Utc::now()).await?;
    Ok(Json(incident_out(incident, Some(timeline), &services)))
}
