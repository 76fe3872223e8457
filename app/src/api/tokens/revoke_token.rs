//! Revokes an API token: requests carrying it are refused from then on.

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let id = crate::api::parse_number(&id, "a token")?;
        crate::usecases::tokens::revoke_token(&caller, &services, id).await
    })
    .await
}
