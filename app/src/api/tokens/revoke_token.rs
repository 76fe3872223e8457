//! Revokes an API token: requests carrying it are refused from then on.

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    use crate::domain::tokens::may_manage;
    use crate::ssr::context::{current_user, respond, services};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let id: i64 = id
            .trim()
            .parse()
            .map_err(|_| AppError::Invalid(format!("{id:?} is not a token number")))?;
        let token = services
            .tokens
            .get(id)
            .await
            .map_err(|e| AppError::internal("reading a token", &e))?
            .ok_or_else(|| AppError::NotFound(format!("there is no token #{id}")))?;
        if !may_manage(&user, &token.envs, &super::all_envs(&services)) {
            let entry = super::token_audit(&user, "token_revoke", "denied", &token.name, None);
            services
                .audit
                .record(entry)
                .await
                .map_err(|e| AppError::internal("auditing a denial", &e))?;
            return Err(AppError::Forbidden(
                "revoking this token needs the admin role in every environment it covers".into(),
            ));
        }
        let entry = super::token_audit(
            &user,
            "token_revoke",
            "succeeded",
            &token.name,
            Some(format!("owned by {}", token.owner)),
        );
        let revoked = services
            .tokens
            .revoke(id, chrono::Utc::now(), entry)
            .await
            .map_err(|e| AppError::internal("revoking a token", &e))?;
        if revoked {
            Ok(())
        } else {
            Err(AppError::Conflict(format!(
                "token {} is already revoked",
                token.name
            )))
        }
    })
    .await
}
