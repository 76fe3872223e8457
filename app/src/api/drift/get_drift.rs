//! The drift table across the environments a person may see: every service whose environments
//! run different images, filtered by app and environment (`all` shows services in sync too), a
//! hundred rows a page.

use crate::domain::drift::DriftView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_drift")]
pub async fn get_drift(
    app: Option<String>,
    env: Option<String>,
    all: Option<String>,
    page: Option<String>,
) -> Result<DriftView, AppError> {
    use crate::domain::drift::DriftQuery;
    use crate::domain::ids::parse_resource_name;
    use crate::ssr::context::{current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let app = app
            .filter(|a| !a.trim().is_empty())
            .map(|a| parse_resource_name("app name", a.trim()))
            .transpose()?;
        let env = crate::api::env_filter(env)?;
        let query = DriftQuery {
            app,
            env,
            only_drifted: !crate::api::flag(&all),
        };
        // A page number that is not one shows the first page, as on the environment page.
        let page = page
            .and_then(|p| p.trim().parse::<usize>().ok())
            .unwrap_or(1);
        Ok(crate::usecases::promotions::drift_view(
            &user,
            &services,
            query,
            Some(page),
        ))
    })
    .await
}
