//! What every action form's server function does with its fields: the request run as the
//! signed-in person through `usecases::actions::run_action`, and the page sent to its outcome.

/// `enabled` as a form sends it: `true` or `false`.
#[cfg(feature = "ssr")]
pub(super) fn parse_enabled(enabled: &str) -> Result<bool, crate::error::AppError> {
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
pub(super) async fn run_form(
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
