//! Takes a manual snapshot of an RDS instance or Aurora cluster, named `<db>-qd-<UTC time>`.

use crate::domain::actions::ActionResult;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "snapshot_database")]
pub async fn snapshot_database(
    env: String,
    id: String,
    key: String,
    reason: Option<String>,
    ticket: Option<String>,
    confirm: Option<String>,
) -> Result<ActionResult, AppError> {
    use crate::domain::actions::{snapshot_name, ActionKind};
    use crate::domain::ids::parse_resource_name;
    use crate::domain::inventory::DbKind;
    use crate::ssr::actions::{parse_reason, run_action, Prepared};
    use crate::ssr::context::{current_user, respond, services};
    use crate::ssr::ports::ActionCommand;
    use crate::ssr::releases::parse_ticket_url;
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let reason = parse_reason(reason)?;
        let ticket_url = parse_ticket_url(ticket.as_deref())?;
        run_action(
            &user,
            &services,
            &env,
            ActionKind::Snapshot,
            &key,
            confirm.as_deref(),
            |state| {
                let id = parse_resource_name("database id", &id)?;
                let db = state
                    .inventory
                    .as_ref()
                    .and_then(|inv| inv.database(&id).cloned())
                    .ok_or_else(|| {
                        AppError::NotFound(format!("there is no database {id} in {env}"))
                    })?;
                let name = snapshot_name(&db.id, chrono::Utc::now());
                Ok(Prepared {
                    diff: Vec::new(),
                    group: None,
                    target: db.id.clone(),
                    params: serde_json::json!({}),
                    summary: format!("snapshot {name}"),
                    command: ActionCommand::Snapshot {
                        db: db.id.clone(),
                        aurora: db.kind == DbKind::AuroraCluster,
                        name,
                    },
                    confirm_name: db.id,
                    reason: reason.clone(),
                    changes: Vec::new(),
                    ticket_url: ticket_url.clone(),
                })
            },
        )
        .await
    })
    .await
}
