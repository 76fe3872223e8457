//! Who is signed in, and what the page chrome needs to know.

use crate::domain::views::SessionView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_session")]
pub async fn get_session() -> Result<SessionView, AppError> {
    use crate::ssr::context::{current_user, respond, services, visible_states};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let states = visible_states(&user, &services);
        let open = crate::ssr::releases::list(
            &user,
            &services,
            None,
            Some(crate::domain::approvals::ReleaseState::Requested),
            false,
        )
        .await?;
        let now = chrono::Utc::now();
        let awaiting_approval = open
            .iter()
            .filter(|r| crate::ssr::releases::awaits_vote_of(&user, &states, r, now))
            .count();
        let environments = states.into_iter().map(|s| s.descriptor).collect();
        Ok(SessionView {
            user,
            demo_mode: services.demo_mode,
            environments,
            access_groups: services.access_groups.clone(),
            awaiting_approval,
            oncall: services.rotations.iter().map(|r| r.on_call(now)).collect(),
        })
    })
    .await
}
