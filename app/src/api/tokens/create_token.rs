//! Creates an API token for automation: name, the service account it is for (`owner`, a label:
//! the token acts for the admin creating it), environments, role, lifetime. The secret is in the
//! answer once and never again.

use crate::domain::views::CreatedToken;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "create_token")]
pub async fn create_token(
    name: String,
    owner: String,
    envs: String,
    role: String,
    days: String,
) -> Result<CreatedToken, AppError> {
    use crate::ssr::context::{caller, respond, services};
    use crate::ssr::navigation::{back_to_page, is_plain_form_post};
    use crate::usecases::tokens::{create_token, TokenForm};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let form = TokenForm {
            name: &name,
            owner: &owner,
            envs: &envs,
            role: &role,
            days: &days,
        };
        let (token, secret) = create_token(&caller, &services, form).await?;
        // Without JavaScript the page reloads: it picks the secret up once from here.
        if is_plain_form_post() {
            services.handoff.put(caller.id(), token.id, secret.clone());
            back_to_page(&[("created", &token.id.to_string())]);
        }
        Ok(CreatedToken { token, secret })
    })
    .await
}
