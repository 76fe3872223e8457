//! Who is signed in, and what the page chrome needs to know.

use crate::domain::views::SessionView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_session")]
pub async fn get_session() -> Result<SessionView, AppError> {
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::visible_states;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let states = visible_states(&user, &services);
        // Shared by every page view until something changes (`usecases::chrome`).
        let generation = services.live.generation();
        let chrome = &services.chrome;
        let requested = chrome
            .requested
            .get(generation, || async {
                let query = crate::ports::ReleaseQuery {
                    envs: services
                        .inventory
                        .states()
                        .into_iter()
                        .map(|s| s.descriptor.id.to_string())
                        .collect(),
                    state: Some(crate::domain::approvals::ReleaseState::Requested),
                    requester: None,
                    target: None,
                    group: None,
                    limit: 1000,
                };
                services.releases.list(&query).await
            })
            .await
            .map_err(|e| AppError::internal("listing release requests", &e))?;
        let open = chrome
            .open_incidents
            .get(generation, || async {
                // Environment by environment (the entry is shared by everyone), so one
                // environment's many incidents never hide another's from its badge.
                let mut open = Vec::new();
                for env in services.inventory.states() {
                    let env = env.descriptor.id;
                    open.extend(
                        services
                            .incidents
                            .list(
                                &[env.as_str()],
                                crate::domain::incidents::IncidentState::Open,
                            )
                            .await?,
                    );
                }
                Ok::<_, crate::ports::PortError>(open)
            })
            .await
            .map_err(|e| AppError::internal("counting incidents", &e))?;
        let overrides = chrome
            .overrides
            .get(generation, || services.incidents.overrides())
            .await
            .map_err(|e| AppError::internal("reading on-call overrides", &e))?;
        let now = chrono::Utc::now();
        let visible = |env: &str| states.iter().any(|s| s.descriptor.id.as_str() == env);
        let awaiting_approval = requested
            .iter()
            .filter(|r| visible(&r.env))
            .filter(|r| crate::usecases::releases::awaits_vote_of(&user, &states, r, now))
            .count();
        let open_incidents = open
            .iter()
            .filter(|i| i.acknowledged_at.is_none() && visible(&i.env))
            .count();
        let oncall = crate::usecases::incidents::on_call_with(&services, now, &overrides);
        let environments = states.into_iter().map(|s| s.descriptor).collect();
        Ok(SessionView {
            user,
            demo_mode: services.demo_mode,
            environments,
            access_groups: services.access_groups.clone(),
            groups_source: services.groups_source.clone(),
            awaiting_approval,
            oncall,
            unacknowledged_incidents: open_incidents,
        })
    })
    .await
}
