//! The API tokens this admin manages.

use crate::domain::views::TokensView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_tokens")]
pub async fn list_tokens(created: Option<String>) -> Result<TokensView, AppError> {
    use crate::domain::policy::Role;
    use crate::domain::tokens::may_manage;
    use crate::ssr::context::{current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let envs = super::all_envs(&services);
        let admin_of: Vec<_> = envs
            .iter()
            .filter(|e| user.grants.role_in(e) == Some(Role::Admin))
            .cloned()
            .collect();
        if admin_of.is_empty() {
            let entry = super::token_audit(
                &user,
                "token_list",
                "denied",
                "*",
                Some("not an admin".into()),
            );
            services
                .audit
                .record(entry)
                .await
                .map_err(|e| AppError::internal("auditing a denial", &e))?;
            return Err(AppError::Forbidden(
                "API tokens are managed by admins".into(),
            ));
        }
        let tokens: Vec<crate::domain::tokens::ApiToken> = services
            .tokens
            .list()
            .await
            .map_err(|e| AppError::internal("listing tokens", &e))?
            .into_iter()
            .filter(|t| may_manage(&user, &t.envs, &envs))
            .collect();
        let just_created = created
            .and_then(|id| id.parse::<i64>().ok())
            .and_then(|id| {
                let secret = services.handoff.take(&user.name, id)?;
                let token = tokens
                    .iter()
                    .find(|t: &&crate::domain::tokens::ApiToken| t.id == id)?
                    .clone();
                Some(crate::domain::views::CreatedToken { token, secret })
            });
        Ok(TokensView {
            just_created,
            generated_at: chrono::Utc::now(),
            tokens,
            envs: admin_of,
            everywhere: user.grants.everywhere == Some(Role::Admin),
        })
    })
    .await
}
