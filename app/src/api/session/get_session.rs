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
        let environments = visible_states(&user, &services)
            .into_iter()
            .map(|s| s.descriptor)
            .collect();
        Ok(SessionView {
            user,
            demo_mode: services.demo_mode,
            environments,
            access_groups: services.access_groups.clone(),
        })
    })
    .await
}
