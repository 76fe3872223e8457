//! What a server function reads from its request: the services and the signed-in caller (the
//! server's auth middleware puts the `Principal` into the request extensions), and how its error
//! is answered. This is the only place that turns a request into a [`Caller`].

use crate::domain::caller::Caller;
use crate::domain::policy::Principal;
use crate::error::AppError;
use crate::usecases::services::AppServices;
use leptos::prelude::*;
use std::future::Future;

pub fn services() -> Result<AppServices, AppError> {
    use_context::<AppServices>()
        .ok_or_else(|| AppError::internal("server context", &"AppServices missing from context"))
}

/// The signed-in principal of this request, or `Unauthenticated`.
pub fn current_user() -> Result<Principal, AppError> {
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Unauthenticated)?;
    parts
        .extensions
        .get::<Principal>()
        .cloned()
        .ok_or(AppError::Unauthenticated)
}

/// The signed-in person of this request as a use case's caller: their principal, the client's
/// address and user agent, through a page.
pub fn caller() -> Result<Caller, AppError> {
    let principal = current_user()?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Unauthenticated)?;
    let ip = parts
        .extensions
        .get::<super::client_ip::ClientIp>()
        .map(|c| c.0.to_string());
    let agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    Ok(Caller::page(principal, ip, agent))
}

/// Runs a server function body and, on error, sets the HTTP status that matches it. A plain
/// form post (no JavaScript) is sent back to its page with the message (kept once in the
/// session) instead, so the person sees it there rather than a bare error body.
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    use super::navigation::{back_with, is_plain_form_post};
    let result = body.await;
    if let Err(error) = &result {
        let shown = is_plain_form_post()
            && back_with(crate::domain::flash::FlashKind::Problem, &error.to_string()).await;
        if !shown {
            if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(error.status());
            }
        }
    }
    result
}
