//! One scheduled job (`rule/<name>` or `schedule/<group>/<name>`) with its runs, next runs,
//! metrics and alarms.

use crate::domain::views::JobView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_job")]
pub async fn get_job(env: String, key: String) -> Result<JobView, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::job_actions::job_action_target;
    use crate::domain::policy::Action;
    use crate::domain::scheduled_jobs::parse_job_key;
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::access::authorized_state;
    use crate::usecases::actions::action_panel;
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let state = authorized_state(&caller, &services, &env, Action::View).await?;
        let key = parse_job_key(&key).map_err(AppError::Invalid)?;
        if state.details.is_none() {
            return Err(AppError::NotFound(format!(
                "the scheduled jobs of {env} have not been read yet (the first details cycle is running): try again in a minute"
            )));
        }
        let mut view = crate::domain::views::job(&state.data(), &key, chrono::Utc::now())
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "there is no scheduled job {key} in {env}: no rule with a schedule expression or Scheduler schedule by that name"
                ))
            })?;
        let recent = services
            .action_store
            .recent(state.descriptor.id.as_str(), &job_action_target(&key), 10)
            .await
            .map_err(|e| AppError::internal("reading recent actions", &e))?;
        let kinds = [ActionKind::RunJob, ActionKind::EnableJob, ActionKind::DisableJob];
        view.actions = Some(action_panel(&caller.principal, &state, &kinds, recent));
        Ok(view)
    })
    .await
}
