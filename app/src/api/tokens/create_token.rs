//! Creates an API token for automation: name, owner, environments, role, lifetime. The secret is
//! in the answer once and never again.

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
    use crate::domain::tokens::{may_manage, parse_token_request};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::ports::TokenCreated;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let known = super::all_envs(&services);
        let request = parse_token_request(&name, &owner, &envs, &role, &days, &known)
            .map_err(AppError::Invalid)?;
        if !may_manage(&user, &request.envs, &known) {
            let entry = super::token_audit(
                &user,
                "token_create",
                "denied",
                &request.name,
                Some("not an admin of every environment the token covers".into()),
            );
            services
                .audit
                .record(entry)
                .await
                .map_err(|e| AppError::internal("auditing a denial", &e))?;
            return Err(AppError::Forbidden(
                "creating this token needs the admin role in every environment it covers".into(),
            ));
        }
        let scope = request
            .envs
            .as_ref()
            .map(|l| {
                l.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "every environment".into());
        let detail = format!(
            "for {}, {} in {scope}, {} days",
            request.owner, request.role, request.expires_in_days
        );
        let entry = super::token_audit(
            &user,
            "token_create",
            "succeeded",
            &request.name,
            Some(detail),
        );
        match services
            .tokens
            .create(&request, &user.name, chrono::Utc::now(), entry)
            .await
            .map_err(|e| AppError::internal("creating a token", &e))?
        {
            TokenCreated::Created(token, secret) => {
                // Without JavaScript the page reloads: it picks the secret up once from here.
                if crate::ssr::actions::is_plain_form_post() {
                    services.handoff.put(&user.name, token.id, secret.clone());
                    let _ =
                        crate::ssr::actions::back_to_page(&[("created", &token.id.to_string())]);
                }
                Ok(CreatedToken { token, secret })
            }
            TokenCreated::NameTaken => Err(AppError::Conflict(format!(
                "a token named {} exists; pick another name or revoke it first",
                request.name
            ))),
        }
    })
    .await
}
