//! The automation API under `/api/v1`: JSON for CI pipelines and scripts, authenticated by API
//! tokens (`Authorization: Bearer qd_…`, never cookies, so the Origin check does not apply). It
//! reads environments, services, databases, alarms, incidents and the audit log, and creates,
//! reads, lists and cancels release requests (also a promotion's, one per service). Every
//! handler calls the same use case as its page twin, with the token's caller. Rooms:
//! `token_auth` (the bearer middleware), `dto` (request and response types), `error` (the one
//! error body), the handlers by resource (`inventory`, `releases`, `incidents`, `audit`) and
//! `openapi` (the document).

mod audit;
pub mod dto;
pub mod error;
mod incidents;
mod inventory;
pub mod openapi;
mod releases;
pub mod token_auth;

use crate::state::AppState;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use error::ApiError;

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
        .route("/api/v1/openapi.json", get(openapi::openapi))
        .route("/api/v1/environments", get(inventory::environments))
        .route(
            "/api/v1/environments/{env}/services",
            get(inventory::services_of),
        )
        .route(
            "/api/v1/environments/{env}/databases",
            get(inventory::databases_of),
        )
        .route(
            "/api/v1/environments/{env}/alarms",
            get(inventory::alarms_of),
        )
        .route(
            "/api/v1/releases",
            post(releases::create_release).get(releases::list_releases),
        )
        .route("/api/v1/promotions", post(releases::create_promotion))
        .route("/api/v1/releases/{id}", get(releases::get_release))
        .route(
            "/api/v1/releases/{id}/cancel",
            post(releases::cancel_release),
        )
        .route("/api/v1/incidents", get(incidents::list_incidents))
        .route("/api/v1/incidents/{id}", get(incidents::get_incident))
        .route("/api/v1/audit", get(audit::audit))
        .route("/api/v1/{*rest}", get(not_found).post(not_found))
        .layer(axum::middleware::from_fn_with_state(
            state,
            token_auth::require_token,
        ))
}
