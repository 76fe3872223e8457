//! Approve or reject every request of a promotion group at once: each request is voted on with
//! its own checks (approver role, not the requester, once each), and the ones refused are said.

use crate::domain::approvals::GroupVote;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "approve_release_group")]
pub async fn approve_release_group(
    group: String,
    comment: Option<String>,
) -> Result<GroupVote, AppError> {
    vote_group(group, true, comment).await
}

#[server(endpoint = "reject_release_group")]
pub async fn reject_release_group(
    group: String,
    comment: Option<String>,
) -> Result<GroupVote, AppError> {
    vote_group(group, false, comment).await
}

#[cfg(feature = "ssr")]
async fn vote_group(
    group: String,
    approve: bool,
    comment: Option<String>,
) -> Result<GroupVote, AppError> {
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::actions::parse_reason;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let comment = parse_reason(comment)?;
        if !approve && comment.is_none() {
            return Err(AppError::Invalid(
                "say why you reject these requests: the requester reads it".into(),
            ));
        }
        let outcome =
            crate::usecases::releases::vote_group(&caller, &services, &group, approve, comment)
                .await?;
        crate::ssr::navigation::back_to_page(&[]);
        Ok(outcome)
    })
    .await
}
