//! The API tokens this admin manages.

use crate::domain::views::TokensView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_tokens")]
pub async fn list_tokens(created: Option<String>) -> Result<TokensView, AppError> {
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let managed = crate::usecases::tokens::list_tokens(&caller, &services).await?;
        // Without JavaScript, a token created a moment ago is shown once from the hand-off.
        let just_created = created
            .and_then(|id| id.parse::<i64>().ok())
            .and_then(|id| {
                let secret = services.handoff.take(caller.id(), id)?;
                let token = managed.tokens.iter().find(|t| t.id == id)?.clone();
                Some(crate::domain::views::CreatedToken { token, secret })
            });
        Ok(TokensView {
            just_created,
            generated_at: chrono::Utc::now(),
            tokens: managed.tokens,
            envs: managed.admin_of,
            everywhere: managed.everywhere,
        })
    })
    .await
}
