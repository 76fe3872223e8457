//! An admin runs an approved release request inside a freeze window, with a mandatory reason
//! that is audited and shown on the request.

use crate::domain::approvals::Release;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "break_glass_release")]
pub async fn break_glass_release(id: String, reason: String) -> Result<Release, AppError> {
    use crate::domain::ids::parse_release_id;
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let id = parse_release_id(&id)?;
        if reason.trim().chars().count() > 500 {
            return Err(AppError::Invalid(
                "the reason is longer than 500 characters".into(),
            ));
        }
        crate::usecases::releases::break_glass(&caller, &services, id, reason).await
    })
    .await
}
