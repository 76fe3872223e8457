//! Cancel a release request before it runs: the requester or an admin.

use crate::domain::approvals::Release;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "cancel_release")]
pub async fn cancel_release(id: String, comment: Option<String>) -> Result<Release, AppError> {
    use crate::domain::ids::parse_release_id;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::actions::parse_reason;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let id = parse_release_id(&id)?;
        let comment = parse_reason(comment)?;
        crate::usecases::releases::cancel(&caller, &services, id, comment).await
    })
    .await
}
