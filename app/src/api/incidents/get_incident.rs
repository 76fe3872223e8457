//! One incident: its alarms, owner, and timeline with the preceding changes marked as suspects.

use crate::domain::views::IncidentView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_incident")]
pub async fn get_incident(id: String, order: Option<String>) -> Result<IncidentView, AppError> {
    use crate::domain::ids::parse_incident_id;
    use crate::domain::policy::{authorize, Action};
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let user = caller.principal.clone();
        let services = services()?;
        let id = parse_incident_id(&id)?;
        let newest_first = order.as_deref() != Some("oldest");
        let now = chrono::Utc::now();
        let (incident, timeline, state) =
            crate::usecases::incidents::detail(&caller, &services, id, newest_first, now).await?;
        let env = crate::domain::ids::EnvId::parse(&incident.env)?;
        let respond = authorize(&user, Action::RespondIncident, &env).map_err(|d| d.to_string());
        let on_call = crate::usecases::incidents::on_call_now(&services, now)
            .await
            .into_iter()
            .filter_map(|o| o.now.map(|s| s.who))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let log_links = crate::domain::views::incidents::log_links(
            &incident,
            state.as_ref().and_then(|s| s.inventory.as_deref()),
            &timeline,
            now,
        );
        Ok(IncidentView {
            log_links,
            generated_at: now,
            env_name: state
                .map(|s| s.descriptor.name.clone())
                .unwrap_or_else(|| incident.env.clone()),
            incident,
            timeline,
            newest_first,
            respond,
            me: user.id.clone(),
            suspect_minutes: services.incident_settings.suspect_window.num_minutes(),
            on_call,
        })
    })
    .await
}
