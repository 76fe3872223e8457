//! The automation API under `/api/v1`: JSON for CI pipelines and scripts, authenticated by API
//! tokens (`Authorization: Bearer qd_…`, never cookies, so the Origin check does not apply). It
//! reads environments, services, databases, alarms and the audit log, and creates, reads, lists
//! and cancels release requests (also a promotion's, one per service), through the same policy
//! and the same paths as the pages. Errors
//! are `{ "error": { "code", "message" } }`. The OpenAPI document is generated from this module.

use crate::startup::AppState;
use app::domain::actions::ActionKind;
use app::domain::approvals::{Release, ReleaseState};
use app::domain::ids::EnvId;
use app::domain::policy::{Action, Principal};
use app::error::AppError;
use app::ssr::context::{authorized_state, visible_states, AppServices};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The error body of every failed call.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `unauthenticated`, `forbidden`, `not_found`, `conflict`, `invalid`, `upstream`,
    /// `internal`.
    code: String,
    message: String,
}

/// An API error: a status and a body a person (or a script) can act on.
pub struct ApiError(StatusCode, &'static str, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.1.to_string(),
                message: self.2,
            },
        };
        (self.0, Json(body)).into_response()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let message = e.to_string();
        match e {
            AppError::Unauthenticated => {
                ApiError(StatusCode::UNAUTHORIZED, "unauthenticated", message)
            }
            AppError::Forbidden(_) => ApiError(StatusCode::FORBIDDEN, "forbidden", message),
            AppError::NotFound(_) => ApiError(StatusCode::NOT_FOUND, "not_found", message),
            AppError::Conflict(_) => ApiError(StatusCode::CONFLICT, "conflict", message),
            AppError::Invalid(_) => ApiError(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
            AppError::Upstream { .. } => ApiError(StatusCode::BAD_GATEWAY, "upstream", message),
            AppError::Internal | AppError::Transport(_) => {
                ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
            }
        }
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message.into())
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Bearer tokens only: puts the token's principal (its owner, its role, its environments) and
/// its name into the request, or answers 401.
pub async fn require_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/api/v1/openapi.json" {
        return next.run(request).await;
    }
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let unauthenticated = |message: &str| {
        let mut response = ApiError(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            message.to_string(),
        )
        .into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        response
    };
    let Some(secret) = bearer else {
        return unauthenticated("send an API token: Authorization: Bearer qd_…");
    };
    let ip = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let now = chrono::Utc::now();
    let found = match app::ssr::ports::TokenStore::authenticate(state.tokens.as_ref(), &secret, now)
        .await
    {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "checking an API token");
            return ApiError(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong on the server; the details are in its log".into(),
            )
            .into_response();
        }
    };
    let token = match found {
        Some(token) => match token.refusal(now) {
            None => token,
            Some(why) => return unauthenticated(why),
        },
        None => {
            // Unknown secrets count against the address like failed sign-ins.
            let throttled = ip.is_some_and(|ip| {
                state
                    .login_throttle
                    .attempt(ip, std::time::Instant::now())
                    .is_err()
            });
            if throttled {
                return ApiError(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttled",
                    "too many unknown tokens from this address; wait a minute".into(),
                )
                .into_response();
            }
            return unauthenticated("this API token is not known");
        }
    };
    request
        .extensions_mut()
        .insert(TokenName(token.name.clone()));
    request.extensions_mut().insert(token.principal());
    next.run(request).await
}

/// The name of the token a request came with.
#[derive(Clone)]
pub struct TokenName(pub String);

/// An environment as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct EnvironmentOut {
    id: String,
    name: String,
    region: String,
    account_id: Option<String>,
    protected: bool,
    /// `loading`, `fresh`, `stale` or `failing`.
    freshness: String,
    /// RFC 3339 time of the last good inventory.
    last_success: Option<String>,
    error: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceOut {
    cluster: String,
    name: String,
    status: String,
    desired: i32,
    running: i32,
    pending: i32,
    /// `family:revision`.
    task_definition: String,
    /// `container=image` of the running revision.
    images: Vec<String>,
    app: Option<String>,
    deploying: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DatabaseOut {
    id: String,
    /// `instance` or `aurora_cluster`.
    kind: String,
    status: String,
    engine: String,
    engine_version: String,
    class: Option<String>,
    multi_az: bool,
    app: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AlarmOut {
    name: String,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    state: String,
    reason: String,
    updated_at: Option<String>,
    actions_enabled: bool,
    app: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeOut {
    what: String,
    before: String,
    after: String,
}

#[derive(Serialize, ToSchema)]
pub struct VoteOut {
    by: String,
    approve: bool,
    comment: Option<String>,
    at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReleaseOut {
    id: i64,
    env: String,
    /// `deploy`, `rollback`, `scale`, …
    kind: String,
    target: String,
    summary: String,
    changes: Vec<ChangeOut>,
    reason: String,
    ticket_url: Option<String>,
    requester: String,
    via_token: Option<String>,
    /// `requested`, `approved`, `executing`, `succeeded`, `failed`, `rejected`, `cancelled`,
    /// `expired`.
    state: String,
    approvals: usize,
    required: u32,
    votes: Vec<VoteOut>,
    created_at: String,
    expires_at: String,
    result: Option<String>,
    /// The promotion this request is one service of (see `POST /api/v1/promotions`).
    group: Option<String>,
    /// The request's page in the console.
    url: String,
}

fn release_out(r: Release, services: &AppServices) -> ReleaseOut {
    ReleaseOut {
        url: format!("{}/releases/{}", services.public_url, r.id),
        approvals: r.approvals(),
        id: r.id,
        env: r.env,
        kind: r.kind.as_str().to_string(),
        target: r.target,
        summary: r.summary,
        changes: r
            .changes
            .into_iter()
            .map(|c| ChangeOut {
                what: c.what,
                before: c.before,
                after: c.after,
            })
            .collect(),
        reason: r.reason,
        ticket_url: r.ticket_url,
        requester: r.requester,
        via_token: r.via_token,
        state: r.state.as_str().to_string(),
        required: r.required,
        votes: r
            .votes
            .into_iter()
            .map(|v| VoteOut {
                by: v.by,
                approve: v.approve,
                comment: v.comment,
                at: v.at.to_rfc3339(),
            })
            .collect(),
        created_at: r.created_at.to_rfc3339(),
        expires_at: r.expires_at.to_rfc3339(),
        result: r.result,
        group: r.group,
    }
}

/// What to change: one gated action on one service, to be approved before it runs.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRelease {
    env: String,
    /// `deploy`, `rollback` or `scale`.
    action: String,
    cluster: String,
    service: String,
    /// deploy: the container whose image changes.
    container: Option<String>,
    /// deploy: the new image, `repo:tag` or `repo@sha256:…`.
    image: Option<String>,
    /// rollback: `family:revision` or the task definition ARN.
    revision: Option<String>,
    /// scale: the new desired count.
    desired: Option<i64>,
    /// Why, for the reviewers.
    reason: String,
    ticket_url: Option<String>,
    /// 8–64 letters, digits, `-`, `_`: retrying with the same key finds the same request.
    request_key: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRelease {
    comment: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReleaseFilter {
    /// Only this environment.
    env: Option<String>,
    /// Only this state.
    state: Option<String>,
    /// Only the requests of this promotion (its `group`), oldest first.
    group: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePromotion {
    /// The environment whose images are promoted.
    from: String,
    /// The environment they go to: its approval gate must apply to deploys.
    to: String,
    /// Every service of this app, unless `service` names one.
    app: Option<String>,
    service: Option<String>,
    /// Why, for the reviewers.
    reason: String,
    ticket_url: Option<String>,
    /// 8–56 letters, digits, `-`, `_`: retrying with the same key finds the same requests; for
    /// a whole app it is also the group.
    request_key: String,
}

/// A service a promotion left out, and why.
#[derive(Serialize, ToSchema)]
pub struct LeftOutOut {
    service: String,
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct PromotionOut {
    /// Shared by a whole app's requests: `GET /api/v1/releases?group=…` follows them.
    group: Option<String>,
    /// One release request per service that would change, each pinned to the source's digests.
    requests: Vec<ReleaseOut>,
    left_out: Vec<LeftOutOut>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentQuery {
    /// Only this environment.
    env: Option<String>,
    /// `open` (the default) or `resolved`.
    state: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentAlarmOut {
    name: String,
    /// `ALARM`, `OK` or `INSUFFICIENT_DATA`.
    state: String,
    since: String,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineOut {
    at: String,
    /// `alarm`, `deployment`, `console action`, `RDS event`, `note`, `incident`.
    kind: String,
    summary: String,
    actor: Option<String>,
    /// A change in the window before the incident opened.
    suspect: bool,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentOut {
    id: i64,
    env: String,
    app: Option<String>,
    title: String,
    /// `critical`, `high` or `low`.
    severity: String,
    /// `open` or `resolved`.
    state: String,
    opened_at: String,
    resolved_at: Option<String>,
    acknowledged_by: Option<String>,
    assignee: Option<String>,
    alarms: Vec<IncidentAlarmOut>,
    /// Oldest first; only when reading one incident.
    timeline: Option<Vec<TimelineOut>>,
    /// The incident's page in the console.
    url: String,
}

fn incident_out(
    i: app::domain::incidents::Incident,
    timeline: Option<Vec<app::domain::incidents::TimelineEntry>>,
    services: &AppServices,
) -> IncidentOut {
    IncidentOut {
        url: format!("{}/incidents/{}", services.public_url, i.id),
        id: i.id,
        env: i.env,
        app: i.app,
        title: i.title,
        severity: i.severity.as_str().to_string(),
        state: i.state.as_str().to_string(),
        opened_at: i.opened_at.to_rfc3339(),
        resolved_at: i.resolved_at.map(|t| t.to_rfc3339()),
        acknowledged_by: i.acknowledged_by,
        assignee: i.assignee,
        alarms: i
            .alarms
            .into_iter()
            .map(|a| IncidentAlarmOut {
                name: a.name,
                state: a.state.as_str().to_string(),
                since: a.since.to_rfc3339(),
            })
            .collect(),
        timeline: timeline.map(|entries| {
            entries
                .into_iter()
                .map(|e| TimelineOut {
                    at: e.at.to_rfc3339(),
                    kind: e.kind.label().to_string(),
                    summary: e.summary,
                    actor: e.actor,
                    suspect: e.suspect,
                })
                .collect()
        }),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    actor: Option<String>,
    env: Option<String>,
    kind: Option<String>,
    outcome: Option<String>,
    /// `2026-11-22` or an RFC 3339 time.
    from: Option<String>,
    to: Option<String>,
    /// 1-based page of 50.
    page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    id: i64,
    at: String,
    actor: String,
    kind: String,
    env: Option<String>,
    target: Option<String>,
    outcome: String,
    detail: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    rows: Vec<AuditOut>,
    total: i64,
    page: u32,
    page_size: u32,
}

#[utoipa::path(get, path = "/api/v1/environments", tag = "inventory",
    responses((status = 200, body = Vec<EnvironmentOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
async fn environments(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
) -> ApiResult<Vec<EnvironmentOut>> {
    let services = state.services();
    let now = chrono::Utc::now();
    Ok(Json(
        visible_states(&user, &services)
            .into_iter()
            .map(|s| {
                let freshness = app::domain::inventory::freshness(
                    &s.status,
                    s.descriptor.refresh_interval_secs,
                    now,
                );
                EnvironmentOut {
                    id: s.descriptor.id.to_string(),
                    name: s.descriptor.name.clone(),
                    region: s.descriptor.region.clone(),
                    account_id: s.descriptor.account_id.clone(),
                    protected: s.descriptor.protected,
                    freshness: format!("{freshness:?}").to_lowercase(),
                    last_success: s.status.last_success.map(|t| t.to_rfc3339()),
                    error: s.status.error.as_ref().map(|e| e.message.clone()),
                }
            })
            .collect(),
    ))
}

async fn env_state(
    state: &AppState,
    user: &Principal,
    env: &str,
) -> Result<(AppServices, app::ssr::ports::EnvState), ApiError> {
    let services = state.services();
    let env_state = authorized_state(user, &services, env, Action::View).await?;
    Ok((services, env_state))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/services", tag = "inventory",
    params(("env" = String, Path, description = "environment id")),
    responses((status = 200, body = Vec<ServiceOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn services_of(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Path(env): Path<String>,
) -> ApiResult<Vec<ServiceOut>> {
    let (_, env_state) = env_state(&state, &user, &env).await?;
    let services = env_state.inventory.as_ref().map(|inv| {
        inv.services
            .iter()
            .map(|s| ServiceOut {
                cluster: s.cluster.clone(),
                name: s.name.clone(),
                status: s.status.clone(),
                desired: s.desired,
                running: s.running,
                pending: s.pending,
                task_definition: s.revision_label(),
                images: s
                    .task_definition
                    .as_ref()
                    .map(|td| {
                        td.containers
                            .iter()
                            .map(|c| format!("{}={}", c.name, c.image))
                            .collect()
                    })
                    .unwrap_or_default(),
                app: s.app.clone(),
                deploying: s.deploying(),
            })
            .collect()
    });
    Ok(Json(services.unwrap_or_default()))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/databases", tag = "inventory",
    params(("env" = String, Path, description = "environment id")),
    responses((status = 200, body = Vec<DatabaseOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn databases_of(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Path(env): Path<String>,
) -> ApiResult<Vec<DatabaseOut>> {
    let (_, env_state) = env_state(&state, &user, &env).await?;
    let rows = env_state.inventory.as_ref().map(|inv| {
        inv.databases
            .iter()
            .map(|d| DatabaseOut {
                id: d.id.clone(),
                kind: match d.kind {
                    app::domain::inventory::DbKind::Instance => "instance".into(),
                    app::domain::inventory::DbKind::AuroraCluster => "aurora_cluster".into(),
                },
                status: d.status.clone(),
                engine: d.engine.clone(),
                engine_version: d.engine_version.clone(),
                class: d.class.clone(),
                multi_az: d.multi_az,
                app: d.app.clone(),
            })
            .collect()
    });
    Ok(Json(rows.unwrap_or_default()))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/alarms", tag = "inventory",
    params(("env" = String, Path, description = "environment id")),
    responses((status = 200, body = Vec<AlarmOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn alarms_of(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Path(env): Path<String>,
) -> ApiResult<Vec<AlarmOut>> {
    let (_, env_state) = env_state(&state, &user, &env).await?;
    let rows = env_state.inventory.as_ref().map(|inv| {
        inv.alarms
            .iter()
            .map(|a| AlarmOut {
                name: a.name.clone(),
                state: a.state.as_str().to_string(),
                reason: a.reason.clone(),
                updated_at: a.updated_at.map(|t| t.to_rfc3339()),
                actions_enabled: a.actions_enabled,
                app: a.app.clone(),
            })
            .collect()
    });
    Ok(Json(rows.unwrap_or_default()))
}

#[utoipa::path(post, path = "/api/v1/releases", tag = "releases", request_body = CreateRelease,
    responses((status = 201, body = ReleaseOut, description = "the release request, awaiting approval"),
        (status = 200, body = ReleaseOut, description = "the request already made with this key"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_release(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Extension(token): Extension<TokenName>,
    body: Result<Json<CreateRelease>, JsonRejection>,
) -> Result<(StatusCode, Json<ReleaseOut>), ApiError> {
    let Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let kind = match body.action.as_str() {
        "deploy" => ActionKind::Deploy,
        "rollback" => ActionKind::Rollback,
        "scale" => ActionKind::Scale,
        other => {
            return Err(invalid(format!(
                "action {other:?} is not one of deploy, rollback, scale"
            )))
        }
    };
    let key = app::domain::actions::IdempotencyKey::parse(&body.request_key).map_err(invalid)?;
    let services = state.services();
    let env_state = authorized_state(&user, &services, &body.env, kind.permission()).await?;
    if !app::ssr::actions::needs_approval(&env_state, kind) {
        return Err(invalid(format!(
            "{kind} in {} needs no approval, so there is nothing to request; the API only asks for gated changes",
            env_state.descriptor.id
        )));
    }
    let reason = app::ssr::actions::parse_reason(Some(body.reason.clone()))?;
    let ticket = app::ssr::releases::parse_ticket_url(body.ticket_url.as_deref())?;
    let need = |v: Option<String>, what: &str| {
        v.ok_or_else(|| invalid(format!("{} needs {what}", body.action)))
    };
    let prepared = match kind {
        ActionKind::Deploy => app::ssr::prepare::deploy(
            &env_state,
            &body.cluster,
            &body.service,
            &need(body.container.clone(), "container")?,
            &need(body.image.clone(), "image")?,
            reason,
            ticket,
        )?,
        ActionKind::Rollback => app::ssr::prepare::rollback(
            &env_state,
            &body.cluster,
            &body.service,
            &need(body.revision.clone(), "revision")?,
            reason,
            ticket,
        )?,
        _ => app::ssr::prepare::scale(
            &env_state,
            &body.cluster,
            &body.service,
            &need(body.desired.map(|d| d.to_string()), "desired")?,
            reason,
            ticket,
        )?,
    };
    let (result, created) = app::ssr::releases::request_release_once(
        &user,
        &services,
        &env_state,
        kind,
        &key,
        prepared,
        Some(&token.0),
    )
    .await?;
    let app::domain::actions::ActionStatus::AwaitingApproval { release } = result.status else {
        return Err(ApiError::from(AppError::internal(
            "requesting a release",
            &"no release id",
        )));
    };
    let found = services
        .releases
        .get(release)
        .await
        .map_err(|e| ApiError::from(AppError::internal("reading a release", &e)))?
        .ok_or_else(|| {
            ApiError::from(AppError::NotFound(format!(
                "there is no release request #{release}"
            )))
        })?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(release_out(found, &services))))
}

#[utoipa::path(post, path = "/api/v1/promotions", tag = "releases", request_body = CreatePromotion,
    responses((status = 201, body = PromotionOut, description = "release requests in the target, one per service that would change"),
        (status = 200, body = PromotionOut, description = "the requests already made with this key"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn create_promotion(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Extension(token): Extension<TokenName>,
    body: Result<Json<CreatePromotion>, JsonRejection>,
) -> Result<(StatusCode, Json<PromotionOut>), ApiError> {
    let Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let ask = app::ssr::promote::PromotionAsk::parse(
        &body.from,
        &body.to,
        body.app.as_deref(),
        body.service.as_deref(),
    )?;
    let reason = app::ssr::actions::parse_reason(Some(body.reason))?.unwrap_or_default();
    let ticket = app::ssr::releases::parse_ticket_url(body.ticket_url.as_deref())?;
    let services = state.services();
    let requested = app::ssr::promote::request_promotion(
        &user,
        &services,
        &ask,
        &body.request_key,
        reason,
        ticket,
        &token.0,
    )
    .await?;
    let mut out = PromotionOut {
        group: requested.group,
        requests: Vec::new(),
        left_out: Vec::new(),
    };
    for (service, result) in requested.requests {
        match result {
            Ok(id) => {
                let found = services
                    .releases
                    .get(id)
                    .await
                    .map_err(|e| ApiError::from(AppError::internal("reading a release", &e)))?
                    .ok_or_else(|| {
                        ApiError::from(AppError::NotFound(format!(
                            "there is no release request #{id}"
                        )))
                    })?;
                out.requests.push(release_out(found, &services));
            }
            Err(reason) => out.left_out.push(LeftOutOut { service, reason }),
        }
    }
    let status = if requested.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out)))
}

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid(format!("{id:?} is not a release request number")))
}

#[utoipa::path(get, path = "/api/v1/releases/{id}", tag = "releases",
    params(("id" = String, Path, description = "release request number")),
    responses((status = 200, body = ReleaseOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn get_release(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Path(id): Path<String>,
) -> ApiResult<ReleaseOut> {
    let id = parse_id(&id)?;
    let services = state.services();
    let (release, _) = app::ssr::releases::visible_release(&user, &services, id).await?;
    Ok(Json(release_out(release, &services)))
}

#[utoipa::path(get, path = "/api/v1/releases", tag = "releases", params(ReleaseFilter),
    responses((status = 200, body = Vec<ReleaseOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_releases(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Query(filter): Query<ReleaseFilter>,
) -> ApiResult<Vec<ReleaseOut>> {
    let services = state.services();
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
    let group = filter.group.filter(|g| !g.is_empty());
    let rows = match group {
        Some(group) => {
            app::domain::actions::IdempotencyKey::parse(&group)
                .map_err(|_| invalid(format!("{group:?} is not a promotion group")))?;
            app::ssr::releases::list_group(&user, &services, &group)
                .await?
                .into_iter()
                .filter(|r| env.as_ref().is_none_or(|e| r.env == e.as_str()))
                .filter(|r| wanted.is_none_or(|w| r.state == w))
                .collect()
        }
        None => {
            app::ssr::releases::list(
                &user,
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
async fn cancel_release(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Path(id): Path<String>,
    body: Result<Json<CancelRelease>, JsonRejection>,
) -> ApiResult<ReleaseOut> {
    let id = parse_id(&id)?;
    let Json(body) = body.map_err(|e| invalid(e.body_text()))?;
    let comment = app::ssr::actions::parse_reason(body.comment)?;
    let services = state.services();
    let release = app::ssr::releases::cancel(&user, &services, id, comment).await?;
    Ok(Json(release_out(release, &services)))
}

#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(IncidentQuery),
    responses((status = 200, body = Vec<IncidentOut>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_incidents(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Query(query): Query<IncidentQuery>,
) -> ApiResult<Vec<IncidentOut>> {
    use app::domain::incidents::IncidentState;
    let services = state.services();
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
    let visible: Vec<String> = app::ssr::context::visible_states(&user, &services)
        .into_iter()
        .map(|s| s.descriptor.id.to_string())
        .collect();
    let mut rows = services
        .incidents
        .list(env.as_ref().map(EnvId::as_str), wanted)
        .await
        .map_err(|e| AppError::internal("listing incidents", &e))?;
    rows.retain(|i| visible.contains(&i.env));
    app::domain::incidents::sort_incidents(&mut rows);
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
async fn get_incident(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Path(id): Path<String>,
) -> ApiResult<IncidentOut> {
    let id = id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid(format!("{id:?} is not an incident number")))?;
    let services = state.services();
    let incident = app::ssr::incidents::visible_incident(
        &user,
        &services,
        id,
        app::domain::policy::Action::View,
    )
    .await?;
    let snapshot = EnvId::parse(&incident.env)
        .ok()
        .and_then(|e| services.inventory.state(&e));
    let timeline = app::ssr::incidents::timeline(
        &services,
        &incident,
        snapshot.as_ref().and_then(|s| s.inventory.as_deref()),
        false,
        chrono::Utc::now(),
    )
    .await?;
    Ok(Json(incident_out(incident, Some(timeline), &services)))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn audit(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<AuditPage> {
    use app::domain::audit::{AuditFilter, PAGE_SIZE};
    let services = state.services();
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
    let scope = app::ssr::context::audit_scope(&user, &services);
    let offset = i64::from(filter.page - 1) * i64::from(PAGE_SIZE);
    let (rows, total) = services
        .audit
        .query(&filter, &scope, i64::from(PAGE_SIZE), offset)
        .await
        .map_err(|e| ApiError::from(AppError::internal("querying the audit log", &e)))?;
    Ok(Json(AuditPage {
        rows: rows
            .into_iter()
            .map(|r| AuditOut {
                id: r.id,
                at: r.at.to_rfc3339(),
                actor: r.actor,
                kind: r.kind,
                env: r.env,
                target: r.target,
                outcome: r.outcome,
                detail: r.detail,
            })
            .collect(),
        total,
        page: filter.page,
        page_size: PAGE_SIZE,
    }))
}

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Quarterdeck automation API", description = "Read the inventory and the audit log; request, follow and cancel production releases. Authenticate with an API token: Authorization: Bearer qd_…"),
    paths(environments, services_of, databases_of, alarms_of, create_release, create_promotion, get_release, list_releases, cancel_release, list_incidents, get_incident, audit),
    components(schemas(ErrorBody, ErrorDetail, EnvironmentOut, ServiceOut, DatabaseOut, AlarmOut, ReleaseOut, ChangeOut, VoteOut, CreateRelease, CreatePromotion, PromotionOut, LeftOutOut, CancelRelease, IncidentOut, IncidentAlarmOut, TimelineOut, AuditOut, AuditPage)),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such API path: see /api/v1/openapi.json".into(),
    )
}

/// The `/api/v1` routes with token authentication.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/environments", get(environments))
        .route("/api/v1/environments/{env}/services", get(services_of))
        .route("/api/v1/environments/{env}/databases", get(databases_of))
        .route("/api/v1/environments/{env}/alarms", get(alarms_of))
        .route("/api/v1/releases", post(create_release).get(list_releases))
        .route("/api/v1/promotions", post(create_promotion))
        .route("/api/v1/releases/{id}", get(get_release))
        .route("/api/v1/releases/{id}/cancel", post(cancel_release))
        .route("/api/v1/incidents", get(list_incidents))
        .route("/api/v1/incidents/{id}", get(get_incident))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/{*rest}", get(not_found).post(not_found))
        .layer(axum::middleware::from_fn_with_state(state, require_token))
}
