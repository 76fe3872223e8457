//! EC2 Auto Scaling groups across the environments the user may see, optionally of one.

use crate::domain::views::AsgsView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_asgs")]
pub async fn list_asgs(env: Option<String>) -> Result<AsgsView, AppError> {
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::across_visible;
    respond(async {
        let user = current_user()?;
        across_visible(&user, &services()?, env.as_deref(), |data, filter| {
            crate::domain::views::asgs(data, filter, chrono::Utc::now())
        })
    })
    .await
}
