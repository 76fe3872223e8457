//! `/api/v1/environments…`: the environments the token may view, and each one's services,
//! databases and alarms from the inventory snapshot (no AWS call).

use super::dto::{AlarmOut, DatabaseOut, EnvironmentOut, ServiceOut};
use super::error::{ApiResult, ErrorBody};
use app::domain::caller::Caller;
use app::domain::policy::Action;
use app::ports::EnvState;
use app::usecases::access::{authorized_state, visible_states};
use app::usecases::services::AppServices;
use axum::extract::{Path, State};
use axum::{Extension, Json};

#[utoipa::path(get, path = "/api/v1/environments", tag = "inventory",
    responses((status = 200, body = Vec<EnvironmentOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn environments(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Vec<EnvironmentOut>> {
    let now = chrono::Utc::now();
    Ok(Json(
        visible_states(&caller.principal, &services)
            .iter()
            .map(|s| EnvironmentOut::of(s, now))
            .collect(),
    ))
}

/// Maps the rows of one environment's snapshot the caller may view (none before the first
/// inventory).
async fn rows_of<T>(
    services: &AppServices,
    caller: &Caller,
    env: &str,
    rows: impl Fn(&EnvState) -> Option<Vec<T>>,
) -> ApiResult<Vec<T>> {
    let state = authorized_state(caller, services, env, Action::View).await?;
    Ok(Json(rows(&state).unwrap_or_default()))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/services", tag = "inventory",
    params(("env" = String, Path, description = "environment id")),
    responses((status = 200, body = Vec<ServiceOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn services_of(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Path(env): Path<String>,
) -> ApiResult<Vec<ServiceOut>> {
    rows_of(&services, &caller, &env, |s| {
        s.inventory
            .as_ref()
            .map(|inv| inv.services.iter().map(ServiceOut::from).collect())
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/databases", tag = "inventory",
    params(("env" = String, Path, description = "environment id")),
    responses((status = 200, body = Vec<DatabaseOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn databases_of(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Path(env): Path<String>,
) -> ApiResult<Vec<DatabaseOut>> {
    rows_of(&services, &caller, &env, |s| {
        s.inventory
            .as_ref()
            .map(|inv| inv.databases.iter().map(DatabaseOut::from).collect())
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/alarms", tag = "inventory",
    params(("env" = String, Path, description = "environment id")),
    responses((status = 200, body = Vec<AlarmOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn alarms_of(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Path(env): Path<String>,
) -> ApiResult<Vec<AlarmOut>> {
    rows_of(&services, &caller, &env, |s| {
        s.inventory
            .as_ref()
            .map(|inv| inv.alarms.iter().map(AlarmOut::from).collect())
    })
    .await
}
