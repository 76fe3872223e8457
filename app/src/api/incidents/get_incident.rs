//! One incident: its alarms, owner, and timeline with the preceding changes marked as suspects.

use crate::domain::views::IncidentView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_incident")]
pub async fn get_incident(id: String, order: Option<String>) -> Result<IncidentView, AppError> {
    use super::parse_incident_id;
    use crate::domain::policy::{authorize, Action};
    use crate::ssr::context::{current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let id = parse_incident_id(&id)?;
        let incident =
            crate::ssr::incidents::visible_incident(&user, &services, id, Action::View).await?;
        let newest_first = order.as_deref() != Some("oldest");
        // `visible_incident` authorised the incident's environment, so its id parses.
        let env = crate::domain::ids::EnvId::parse(&incident.env)?;
        let state = services.inventory.state(&env);
        let now = chrono::Utc::now();
        let timeline = crate::ssr::incidents::timeline(
            &services,
            &incident,
            state.as_ref().and_then(|s| s.inventory.as_deref()),
            newest_first,
            now,
        )
        .await?;
        let respond = authorize(&user, Action::RespondIncident, &env).map_err(|d| d.to_string());
        let on_call = crate::ssr::incidents::on_call_now(&services, now)
            .await
            .into_iter()
            .filter_map(|o| o.now.map(|s| s.who))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(IncidentView {
            generated_at: now,
            env_name: state
                .map(|s| s.descriptor.name.clone())
                .unwrap_or_else(|| incident.env.clone()),
            incident,
            timeline,
            newest_first,
            respond,
            me: user.name.clone(),
            suspect_minutes: services.incident_settings.suspect_window.num_minutes(),
            on_call,
        })
    })
    .await
}
