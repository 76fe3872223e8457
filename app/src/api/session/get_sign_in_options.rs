//! How to sign in (dev form or SSO). Public: the sign-in page calls it before any session exists.

use crate::domain::views::SignInOptions;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_sign_in_options")]
pub async fn get_sign_in_options() -> Result<SignInOptions, AppError> {
    use crate::ssr::context::{respond, services};
    respond(async {
        let services = services()?;
        Ok(SignInOptions {
            sso: !services.demo_mode,
        })
    })
    .await
}
