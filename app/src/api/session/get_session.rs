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
        let open_incidents = match services
            .incidents
            .list(None, crate::domain::incidents::IncidentState::Open)
            .await
        {
            Ok(rows) => rows
                .iter()
                .filter(|i| {
                    i.acknowledged_at.is_none()
                        && states.iter().any(|s| s.descriptor.id.as_str() == i.env)
                })
                .count(),
            Err(e) => return Err(AppError::internal("counting incidents", &e)),
        };
        let oncall = crate::ssr::incidents::on_call_now(&services, now).await;
        let environments = states.into_iter().map(|s| s.descriptor).collect();
        Ok(SessionView {
            user,
            demo_mode: services.demo_mode,
            environments,
            access_groups: services.access_groups.clone(),
            awaiting_approval,
            oncall,
            unacknowledged_incidents: open_incidents,
        })
    })
    .await
}
