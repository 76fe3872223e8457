//! One app across every environment, side by side.

use crate::domain::views::AppView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_app")]
pub async fn get_app(app: String) -> Result<AppView, AppError> {
    use crate::domain::ids::parse_resource_name;
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::visible_states;
    respond(async {
        let user = current_user()?;
        let app = parse_resource_name("app name", &app)?;
        let services = services()?;
        let states = visible_states(&user, &services);
        let data: Vec<_> = states.iter().map(|s| s.data()).collect();
        let mut view = crate::domain::views::app(&data, &app, chrono::Utc::now())
            .ok_or_else(|| AppError::NotFound(format!("no environment runs an app named {app}")))?;
        let query = crate::domain::drift::DriftQuery {
            app: Some(app.clone()),
            env: None,
            only_drifted: false,
        };
        view.drift = Some(crate::usecases::promotions::drift_view(
            &user, &services, query, None,
        ));
        Ok(view)
    })
    .await
}
