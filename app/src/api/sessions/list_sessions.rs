//! Who is signed in: each person with sessions that have not expired, for an admin.

use crate::domain::sessions::SessionsView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_sessions")]
pub async fn list_sessions() -> Result<SessionsView, AppError> {
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        crate::usecases::sessions::list_signed_in(&caller, &services, chrono::Utc::now()).await
    })
    .await
}
