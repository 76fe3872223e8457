//! Cancel a release request before it runs: the requester or an admin.

use crate::domain::approvals::Release;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "cancel_release")]
pub async fn cancel_release(id: String, comment: Option<String>) -> Result<Release, AppError> {
    use super::parse_release_id;
    use crate::ssr::actions::parse_reason;
    use crate::ssr::context::{current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let id = parse_release_id(&id)?;
        let comment = parse_reason(comment)?;
        crate::ssr::releases::cancel(&user, &services, id, comment).await
    })
    .await
}
