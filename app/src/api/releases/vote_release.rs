//! Approve or reject a release request, with a comment. Only people signed in with the approver
//! role in its environment, never the requester, once each.

use crate::domain::approvals::Release;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "approve_release")]
pub async fn approve_release(id: String, comment: Option<String>) -> Result<Release, AppError> {
    vote(id, true, comment).await
}

#[server(endpoint = "reject_release")]
pub async fn reject_release(id: String, comment: Option<String>) -> Result<Release, AppError> {
    vote(id, false, comment).await
}

#[cfg(feature = "ssr")]
async fn vote(id: String, approve: bool, comment: Option<String>) -> Result<Release, AppError> {
    use crate::domain::ids::parse_release_id;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::actions::parse_reason;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let id = parse_release_id(&id)?;
        let comment = parse_reason(comment)?;
        if !approve && comment.is_none() {
            return Err(AppError::Invalid(
                "say why you reject the request: the requester reads it".into(),
            ));
        }
        crate::usecases::releases::vote(&caller, &services, id, approve, comment).await
    })
    .await
}
