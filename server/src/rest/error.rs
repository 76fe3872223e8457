//! The automation API's one error body, `{ "error": { "code", "message" } }`, and how the
//! boundary error becomes it (internal failures stay opaque).

use app::error::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

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
pub struct ApiError(pub StatusCode, pub &'static str, pub String);

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

pub fn invalid(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message.into())
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;
