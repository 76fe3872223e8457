//! The incidents a person may see: open ones by default, filtered by environment, "mine" and
//! "unacknowledged", most urgent first.

use crate::domain::views::IncidentsView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_incidents")]
pub async fn list_incidents(
    env: Option<String>,
    state: Option<String>,
    mine: Option<String>,
    unacked: Option<String>,
) -> Result<IncidentsView, AppError> {
    use crate::domain::ids::EnvId;
    use crate::domain::incidents::{IncidentFilter, IncidentState};
    use crate::domain::policy::{authorize, Action};
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::visible_states;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let env = crate::api::env_filter(env)?;
        let state = state
            .filter(|s| !s.is_empty())
            .map(|s| IncidentState::parse(&s))
            .transpose()
            .map_err(AppError::Invalid)?;
        let filter = IncidentFilter {
            env: env.as_ref().map(|e| e.to_string()),
            state,
            mine: crate::api::flag(&mine),
            unacknowledged: crate::api::flag(&unacked),
        };
        let states = visible_states(&user, &services);
        let envs: Vec<EnvId> = states.into_iter().map(|s| s.descriptor.id).collect();
        if let Some(wanted) = &env {
            if !envs.contains(wanted) {
                return Err(AppError::Forbidden(format!(
                    "you may not view the environment {wanted}"
                )));
            }
        }
        let rows: Vec<_> = crate::usecases::incidents::list(
            &user,
            &services,
            env.as_ref(),
            state.unwrap_or(IncidentState::Open),
        )
        .await?
        .into_iter()
        .filter(|i| filter.matches(i, &user.id))
        .collect();
        let may_respond_in = envs
            .iter()
            .filter(|e| authorize(&user, Action::RespondIncident, e).is_ok())
            .map(|e| e.to_string())
            .collect();
        Ok(IncidentsView {
            generated_at: chrono::Utc::now(),
            rows,
            filter,
            envs,
            may_respond_in,
            me: user.id.clone(),
        })
    })
    .await
}
