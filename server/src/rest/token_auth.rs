//! Bearer-token authentication for `/api/v1`: a known, usable token puts its caller (the person
//! who created the token, with the token's role in its environments, the client's address and
//! user agent, the token's id, name and service account) into the request; anything else is
//! answered 401, and unknown secrets are throttled per address like failed sign-ins.

use super::error::ApiError;
use crate::state::AppState;
use app::domain::caller::Caller;
use app::ports::TokenStore;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Bearer tokens only: puts the token's [`Caller`] into the request, or answers 401.
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
    // Behind trusted proxies, the forwarded client's address.
    let ip = request
        .extensions()
        .get::<app::ssr::client_ip::ClientIp>()
        .map(|c| c.0);
    let now = chrono::Utc::now();
    let found = match state.tokens.authenticate(&secret, now).await {
        Ok(found) => found,
        Err(e) => {
            return ApiError::from(app::error::AppError::internal_error(
                "checking an API token",
                &e,
            ))
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
            let throttled = ip.is_some_and(|ip| state.login_throttle.attempt(ip).is_err());
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
    let agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let caller = Caller::api(&token, ip.map(|ip| ip.to_string()), agent);
    request.extensions_mut().insert(caller);
    next.run(request).await
}
