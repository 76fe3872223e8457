//! Alarms across environments, filtered by environment, state, app and text.

use crate::domain::views::AlarmsView;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "list_alarms")]
pub async fn list_alarms(
    env: Option<String>,
    state: Option<String>,
    app: Option<String>,
    q: Option<String>,
) -> Result<AlarmsView, AppError> {
    use crate::domain::actions::ActionKind;
    use crate::domain::alarm_filter::AlarmFilter;
    use crate::domain::policy::{authorize, Action};
    use crate::domain::views::MuteRights;
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::access::visible_states;
    use crate::usecases::actions::new_request_key;
    respond(async {
        let user = current_user()?;
        let filter = AlarmFilter::parse(
            env.as_deref(),
            state.as_deref(),
            app.as_deref(),
            q.as_deref(),
        )
        .map_err(AppError::Invalid)?;
        let services = services()?;
        let states = visible_states(&user, &services);
        let data: Vec<_> = states.iter().map(|s| s.data()).collect();
        let now = chrono::Utc::now();
        let mut view = crate::domain::views::alarms(&data, filter, now);
        let may_mute = |s: &&crate::ports::EnvState| {
            authorize(&user, Action::MuteAlarm, &s.descriptor.id).is_ok()
        };
        view.mute = Some(MuteRights {
            envs: states
                .iter()
                .filter(may_mute)
                .map(|s| s.descriptor.id.clone())
                .collect(),
            protected: states
                .iter()
                .filter(may_mute)
                .filter(|s| s.descriptor.protected)
                .map(|s| s.descriptor.id.clone())
                .collect(),
            request_key: new_request_key(),
            last: Default::default(),
            frozen: states
                .iter()
                .filter(may_mute)
                .filter_map(|s| {
                    crate::domain::views::Frozen::now(
                        &s.descriptor.approval,
                        now,
                        user.grants.role_in(&s.descriptor.id),
                        user.method == crate::domain::policy::AuthMethod::Token,
                    )
                    .map(|f| (s.descriptor.id.to_string(), f))
                })
                .collect(),
        });
        // The latest mute or unmute of each alarm shown, from the actions table.
        let shown: std::collections::BTreeSet<String> = view
            .rows
            .iter()
            .map(|r| format!("{}/{}", r.env, r.alarm.name))
            .collect();
        let mut last = std::collections::BTreeMap::new();
        for state in &states {
            let env = state.descriptor.id.as_str();
            let recent = services
                .action_store
                .recent_in_env(env, &[ActionKind::MuteAlarm, ActionKind::UnmuteAlarm], 500)
                .await
                .map_err(|e| AppError::internal("reading recent alarm actions", &e))?;
            for result in recent {
                let key = format!("{env}/{}", result.target);
                if shown.contains(&key) {
                    last.entry(key).or_insert(result);
                }
            }
        }
        if let Some(mute) = view.mute.as_mut() {
            mute.last = last;
        }
        Ok(view)
    })
    .await
}
