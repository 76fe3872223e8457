//! One release request with its history, and what the person may do with it.

use crate::domain::views::ReleaseView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_release")]
pub async fn get_release(id: String) -> Result<ReleaseView, AppError> {
    use crate::domain::approvals::{check_cancel, check_vote, Actor, ReleaseState};
    use crate::domain::ids::parse_release_id;
    use crate::domain::policy::Role;
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let user = caller.principal.clone();
        let services = services()?;
        let id = parse_release_id(&id)?;
        let (release, state) =
            crate::usecases::releases::visible_release(&caller, &services, id).await?;
        let now = chrono::Utc::now();
        let policy = &state.descriptor.approval;
        let actor = Actor {
            id: &user.id,
            name: &user.name,
            role: user.grants.role_in(&state.descriptor.id),
            via_token: false,
        };
        let frozen_until = (release.state == ReleaseState::Approved)
            .then(|| policy.frozen_until(now))
            .flatten();
        Ok(ReleaseView {
            generated_at: now,
            vote: check_vote(policy, &release, actor, now).map_err(|r| r.to_string()),
            cancel: check_cancel(&release, actor).map_err(|r| r.to_string()),
            break_glass: frozen_until.is_some() && actor.role == Some(Role::Admin),
            frozen_until,
            env_name: state.descriptor.name.clone(),
            release,
        })
    })
    .await
}
