//! Mutes (disables) or unmutes (enables) a CloudWatch alarm's actions, with a reason.

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "set_alarm_actions")]
pub async fn set_alarm_actions(
    env: String,
    alarm: String,
    enabled: String,
    key: String,
    reason: Option<String>,
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::ssr::actions::{parse_reason, run_action, Prepared};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::ports::ActionCommand;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let enable = match enabled.as_str() {
            "true" => true,
            "false" => false,
            other => {
                return Err(AppError::Invalid(format!(
                    "enabled must be true or false, not {other:?}"
                )))
            }
        };
        let kind = if enable {
            ActionKind::UnmuteAlarm
        } else {
            ActionKind::MuteAlarm
        };
        let reason = parse_reason(reason)?;
        run_action(
            &user,
            &services,
            &env,
            kind,
            &key,
            confirm.as_deref(),
            |state| {
                let current = state
                    .inventory
                    .as_ref()
                    .and_then(|inv| inv.alarms.iter().find(|a| a.name == alarm).cloned())
                    .ok_or_else(|| {
                        AppError::NotFound(format!("there is no alarm named {alarm:?} in {env}"))
                    })?;
                let verb = if enable { "unmute" } else { "mute" };
                Ok(Prepared {
                    diff: Vec::new(),
                    group: None,
                    target: current.name.clone(),
                    params: serde_json::json!({ "enabled": enable, "reason": reason }),
                    summary: match &reason {
                        Some(r) => format!("{verb} alarm actions: {r}"),
                        None => format!("{verb} alarm actions"),
                    },
                    command: ActionCommand::SetAlarmActions {
                        alarm: current.name.clone(),
                        enabled: enable,
                    },
                    confirm_name: current.name,
                    reason: reason.clone(),
                    changes: Vec::new(),
                    ticket_url: None,
                })
            },
        )
        .await
    })
    .await
}
