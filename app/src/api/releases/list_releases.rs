//! The release requests a person may see: filters by environment, state, "mine" and "awaiting
//! my approval".

use crate::domain::views::ReleasesView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_releases")]
pub async fn list_releases(
    env: Option<String>,
    state: Option<String>,
    mine: Option<String>,
    awaiting: Option<String>,
    group: Option<String>,
) -> Result<ReleasesView, AppError> {
    use crate::domain::approvals::ReleaseState;
    use crate::domain::ids::EnvId;
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::visible_states;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let env = crate::api::env_filter(env)?;
        let state = state
            .filter(|s| !s.is_empty())
            .map(|s| ReleaseState::parse(&s))
            .transpose()
            .map_err(AppError::Invalid)?;
        let (mine, awaiting) = (crate::api::flag(&mine), crate::api::flag(&awaiting));
        let states = visible_states(&user, &services);
        let group = group.filter(|g| !g.trim().is_empty());
        let rows = match &group {
            Some(group) => crate::usecases::releases::list_group(&user, &services, group).await?,
            None => {
                crate::usecases::releases::list(
                    &user,
                    &services,
                    env.as_ref().map(EnvId::as_str),
                    if awaiting {
                        Some(ReleaseState::Requested)
                    } else {
                        state
                    },
                    mine,
                )
                .await?
            }
        };
        let now = chrono::Utc::now();
        let awaits_me: Vec<i64> = rows
            .iter()
            .filter(|r| crate::usecases::releases::awaits_vote_of(&user, &states, r, now))
            .map(|r| r.id)
            .collect();
        let rows = if awaiting {
            rows.into_iter()
                .filter(|r| awaits_me.contains(&r.id))
                .collect()
        } else {
            rows
        };
        Ok(ReleasesView {
            generated_at: now,
            rows,
            envs: states.into_iter().map(|s| s.descriptor.id).collect(),
            env,
            state,
            mine,
            awaiting,
            awaits_me,
            group,
        })
    })
    .await
}
