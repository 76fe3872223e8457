//! Server functions that change things in AWS. Each goes through `usecases::actions::run_action`.

mod cancel_redrive;
mod deploy_service;
mod purge_queue;
mod redeploy_service;
mod redrive_queue;
mod rollback_alias;
mod rollback_service;
mod scale_service;
mod set_alarm_actions;
mod set_concurrency;
mod set_mapping;
mod snapshot_database;
mod update_alias;

pub use cancel_redrive::*;
pub use deploy_service::*;
pub use purge_queue::*;
pub use redeploy_service::*;
pub use redrive_queue::*;
pub use rollback_alias::*;
pub use rollback_service::*;
pub use scale_service::*;
pub use set_alarm_actions::*;
pub use set_concurrency::*;
pub use set_mapping::*;
pub use snapshot_database::*;
pub use update_alias::*;

/// `enabled` as a form sends it: `true` or `false`.
#[cfg(feature = "ssr")]
fn parse_enabled(enabled: &str) -> Result<bool, crate::error::AppError> {
    match enabled {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(crate::error::AppError::Invalid(format!(
            "enabled must be true or false, not {other:?}"
        ))),
    }
}

/// Runs one action a form asked for, as the signed-in person, and sends the page to its outcome.
#[cfg(feature = "ssr")]
async fn run_form(
    env: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
    break_glass: Option<String>,
    request: crate::usecases::prepare::ActionRequest,
) -> Result<crate::domain::actions::ActionResult, crate::error::AppError> {
    use crate::ssr::context::{caller, services};
    use crate::usecases::actions::{run_action, ActionInput};
    let caller = caller()?;
    let services = services()?;
    let input = ActionInput {
        env,
        key,
        confirm,
        reason,
        ticket_url: ticket,
        break_glass,
        request,
    };
    let result = run_action(&caller, &services, input).await?;
    crate::ssr::navigation::after_action(&result);
    Ok(result)
}
