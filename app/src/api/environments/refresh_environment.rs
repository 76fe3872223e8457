//! Asks for a fresh inventory of one environment now (single-flight on the server; requests
//! within 30 s of the last one asked for share its outcome instead of calling AWS again).

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "refresh_environment")]
pub async fn refresh_environment(env: String) -> Result<(), AppError> {
    use crate::domain::policy::Action;
    use crate::ports::RefreshFailed;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::access::authorized_state;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let state = authorized_state(&caller, &services, &env, Action::Refresh).await?;
        services
            .inventory
            .refresh(&state.descriptor.id)
            .await
            .map_err(|e| match e {
                RefreshFailed::UnknownEnv(env) => {
                    AppError::NotFound(format!("there is no environment {env}"))
                }
                RefreshFailed::Upstream(message) => AppError::Upstream {
                    env: state.descriptor.id.to_string(),
                    message,
                },
            })
    })
    .await
}
