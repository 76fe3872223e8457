//! `/api/v1/releases` and `/api/v1/promotions`: CI requests gated changes (one action, or a
//! promotion of a service or a whole app) and follows or cancels them, through the same use
//! cases as the pages; approvals happen only in the console, by people.

use super::dto::{
    release_out, CancelRelease, CreatePromotion, CreateRelease, LeftOutOut, PromotionOut,
    PromotionWarningOut, ReleaseFilter, ReleaseOut,
};
use super::error::{invalid, ApiError, ApiResult, ErrorBody};
use app::domain::actions::{ActionResult, ActionStatus};
use app::domain::approvals::ReleaseState;
use app::domain::caller::Caller;
use app::domain::ids::{parse_release_id, EnvId};
use app::error::AppError;
use app::ports::PortResult;
use app::usecases::actions::{parse_reason, request_action, ActionInput};
use app::usecases::prepare::ActionRequest;
use app::usecases::services::AppServices;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

/// A release request as the API shows it.
async fn release_json(services: &AppServices, id: i64) -> Result<ReleaseOut, ApiError> {
    let found = services
        .releases
        .get(id)
        .await
        .context("reading a release")?
        .ok_or_else(|| AppError::NotFound(format!("there is no release request #{id}")))?;
    Ok(release_out(found, services))
}

/// The request an action became (a gated action always becomes one).
fn requested_release(result: &ActionResult) -> Result<i64, ApiError> {
    match result.status {
        ActionStatus::AwaitingApproval { release } => Ok(release),
        _ => Err(AppError::internal("requesting a release", &"no release id").into()),
    }
}

fn created_or_found(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// The action the body asks for, with the fields its kind needs.
fn action_request(body: &CreateRelease) -> Result<ActionRequest, ApiError> {
    let need = |v: Option<String>, what: &str| {
        v.ok_or_else(|| invalid(format!("{} needs {what}", body.action)))
    };
    let (cluster, service) = (body.cluster.clone(), body.service.clone());
    match body.action.as_str() {
        "deploy" => Ok(ActionRequest::Deploy {
            cluster,
            service,
            container: need(body.container.clone(), "container")?,
            image: need(body.image.clone(), "image")?,
        }),
        "rollback" => Ok(ActionRequest::Rollback {
            cluster,
            service,
            revision: need(body.revision.clone(), "revision")?,
        }),
        "scale" => Ok(ActionRequest::Scale {
            cluster,
            service,
            desired: need(body.desired.map(|d| d.to_string()), "desired")?,
            widen_autoscaling: body.widen_autoscaling.unwrap_or(false),
        }),
        other => Err(invalid(format!(
            "action {other:?} is not one of deploy, rollback, scale"
        ))),
    }
}

#[utoipa::path(post, path = "/api/v1/releases", tag = "releases", request_body = CreateRelease,
    responses((status = 201, body = ReleaseOut, description = "the release request, awaiting approval"),
        (status = 200, body = ReleaseOut, description = "the request already made with this key"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_release(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<CreateRelease>, JsonRejection>,
) -> Result<(StatusCode, Json<ReleaseOut>), ApiError> {
    let Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let request = action_request(&body)?;
    let input = ActionInput {
        env: body.env,
        key: body.request_key,
        confirm: None,
        reason: Some(body.reason),
        ticket_url: body.ticket_url,
        break_glass: None,
        request,
    };
    let (result, created) = request_action(&caller, &services, input).await?;
    let release = release_json(&services, requested_release(&result)?).await?;
    Ok((created_or_found(created), Json(release)))
}

#[utoipa::path(post, path = "/api/v1/promotions", tag = "releases", request_body = CreatePromotion,
    responses((status = 201, body = PromotionOut, description = "release requests in the target, one per service that would change"),
        (status = 200, body = PromotionOut, description = "the requests already made with this key"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_promotion(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<CreatePromotion>, JsonRejection>,
) -> Result<(StatusCode, Json<PromotionOut>), ApiError> {
    let Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let ask = app::usecases::promotions::PromotionAsk::parse(
        &body.from,
        &body.to,
        body.app.as_deref(),
        body.service.as_deref(),
    )?;
    let reason = parse_reason(Some(body.reason))?.unwrap_or_default();
    let ticket = app::usecases::releases::parse_ticket_url(body.ticket_url.as_deref())?;
    let requested = app::usecases::promotions::request_promotion(
        &caller,
        &services,
        &ask,
        &body.request_key,
        reason,
        ticket,
    )
    .await?;
    let mut out = PromotionOut {
        group: requested.group,
        requests: Vec::new(),
        left_out: Vec::new(),
        warnings: requested
            .warnings
            .into_iter()
            .map(|(service, warning)| PromotionWarningOut { service, warning })
            .collect(),
    };
    for (service, result) in requested.requests {
        match result {
            Ok(id) => out.requests.push(release_json(&services, id).await?),
            Err(reason) => out.left_out.push(LeftOutOut { service, reason }),
        }
    }
    Ok((created_or_found(requested.created), Json(out)))
}

#[utoipa::path(get, path = "/api/v1/releases/{id}", tag = "releases",
    params(("id" = String, Path, description = "release request number")),
    responses((status = 200, body = ReleaseOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_release(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<ReleaseOut> {
    let id = parse_release_id(&id).map_err(|e| invalid(e.to_string()))?;
    let (release, _) = app::usecases::releases::visible_release(&caller, &services, id).await?;
    Ok(Json(release_out(release, &services)))
}

#[utoipa::path(get, path = "/api/v1/releases", tag = "releases", params(ReleaseFilter),
    responses((status = 200, body = Vec<ReleaseOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_releases(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Query(filter): Query<ReleaseFilter>,
) -> ApiResult<Vec<ReleaseOut>> {
    let user = &caller.principal;
    let env = filter
        .env
        .filter(|e| !e.is_empty())
        .map(|e| EnvId::parse(&e).map_err(|e| invalid(e.to_string())))
        .transpose()?;
    let wanted = filter
        .state
        .filter(|s| !s.is_empty())
        .map(|s| ReleaseState::parse(&s).map_err(invalid))
        .transpose()?;
    let rows = match filter.group.filter(|g| !g.is_empty()) {
        Some(group) => app::usecases::releases::list_group(user, &services, &group)
            .await?
            .into_iter()
            .filter(|r| env.as_ref().is_none_or(|e| r.env == e.as_str()))
            .filter(|r| wanted.is_none_or(|w| r.state == w))
            .collect(),
        None => {
            app::usecases::releases::list(
                user,
                &services,
                env.as_ref().map(EnvId::as_str),
                wanted,
                false,
            )
            .await?
        }
    };
    Ok(Json(
        rows.into_iter()
            .map(|r| release_out(r, &services))
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/releases/{id}/cancel", tag = "releases",
    params(("id" = String, Path, description = "release request number")), request_body = CancelRelease,
    responses((status = 200, body = ReleaseOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel_release(
    State(services): State<AppServices>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<CancelRelease>, JsonRejection>,
) -> ApiResult<ReleaseOut> {
    let id = parse_release_id(&id).map_err(|e| invalid(e.to_string()))?;
    let Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let comment = parse_reason(body.comment)?;
    let release = app::usecases::releases::cancel(&caller, &services, id, comment).await?;
    Ok(Json(release_out(release, &services)))
}
