//! The one path every operator action takes: authorise (denials audited), validate against the
//! inventory, send gated actions in protected environments to the approval gate as release
//! requests, record the intent with its audit row before touching AWS, act once per idempotency
//! key, record the outcome, re-read the one resource it touched, and send the browser back to the
//! page it came from with the outcome.

use super::context::{authorized_state, request_origin, AppServices};
use super::ports::{ActionCommand, ActionRecord, AuditEntry, Begun, EnvState};
use crate::domain::actions::{ActionKind, ActionResult, ActionStatus, IdempotencyKey};
use crate::domain::policy::{authorize, Principal};
use crate::domain::views::ActionPanel;
use crate::error::AppError;
use std::sync::atomic::{AtomicU64, Ordering};

/// How long an action's answer waits for the environment's refresh.
const REFRESH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A validated action, ready to record and run.
pub struct Prepared {
    /// `cluster/service`, a database id or an alarm name.
    pub target: String,
    /// The validated inputs, stored to tell a retry from a different action.
    pub params: serde_json::Value,
    /// What will change, in words.
    pub summary: String,
    pub command: ActionCommand,
    /// In protected environments the person types this name to confirm.
    pub confirm_name: String,
    pub reason: Option<String>,
    /// Current vs proposed, shown on a release request.
    pub changes: Vec<crate::domain::plans::Change>,
    /// A change ticket for a release request.
    pub ticket_url: Option<String>,
    /// The revision diff behind the change (a rollback, a promotion), kept with a release
    /// request.
    pub diff: Vec<crate::domain::plans::Change>,
    /// The promotion this action is one service of.
    pub group: Option<String>,
}

/// A free-text reason: trimmed, empty means none, at most 500 characters.
pub fn parse_reason(reason: Option<String>) -> Result<Option<String>, AppError> {
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::Invalid(
            "the reason is longer than 500 characters".into(),
        ));
    }
    Ok(reason)
}

/// A fresh request key for a form: unique per render, not a secret.
pub fn new_request_key() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!("qd-{nanos:x}-{:x}-{n:x}", std::process::id())
}

/// Which actions of `kinds` the person may take in this environment now (directly, or as a
/// release request where the approval gate applies), and why not the others.
pub fn action_panel(
    user: &Principal,
    state: &EnvState,
    kinds: &[ActionKind],
    recent: Vec<ActionResult>,
) -> ActionPanel {
    let env = &state.descriptor.id;
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    let mut requests = Vec::new();
    for kind in kinds {
        match authorize(user, kind.permission(), env) {
            Ok(()) => {
                allowed.push(*kind);
                if needs_approval(state, *kind) {
                    requests.push(*kind);
                }
            }
            Err(why) => refused.push((*kind, why.to_string())),
        }
    }
    ActionPanel {
        allowed,
        refused,
        protected: state.descriptor.protected,
        request_key: new_request_key(),
        recent,
        requests,
    }
}

/// Whether this action in this environment goes through the approval gate.
pub fn needs_approval(state: &EnvState, kind: ActionKind) -> bool {
    state
        .descriptor
        .approval
        .applies(state.descriptor.protected, kind)
}

pub(crate) fn audit(
    actor: &str,
    kind: ActionKind,
    env: &str,
    target: &str,
    outcome: &str,
    detail: String,
) -> AuditEntry {
    let (ip, user_agent) = request_origin();
    AuditEntry {
        actor: actor.to_string(),
        kind: kind.as_str().to_string(),
        env: Some(env.to_string()),
        target: Some(target.to_string()),
        outcome: outcome.to_string(),
        detail: Some(detail),
        ip,
        user_agent,
    }
}

fn into_response(result: ActionResult) -> Result<ActionResult, AppError> {
    match &result.status {
        ActionStatus::Succeeded | ActionStatus::AwaitingApproval { .. } => Ok(result),
        ActionStatus::Failed { code, message } => Err(AppError::Upstream {
            env: result.env.clone(),
            message: format!("{code}: {message}"),
        }),
    }
}

/// Runs one action end to end; see the module doc for the order of steps.
pub async fn run_action(
    user: &Principal,
    services: &AppServices,
    env: &str,
    kind: ActionKind,
    key: &str,
    confirm: Option<&str>,
    prepare: impl FnOnce(&EnvState) -> Result<Prepared, AppError>,
) -> Result<ActionResult, AppError> {
    let key = IdempotencyKey::parse(key).map_err(AppError::Invalid)?;
    let state = authorized_state(user, services, env, kind.permission()).await?;
    let env_id = state.descriptor.id.clone();
    // A retry of a request that already ran gets its first result, before the request is
    // checked against the state the first run changed (scaling to 5 twice is one action).
    let finished = services
        .action_store
        .finished(&key, &user.name, kind)
        .await
        .map_err(|e| AppError::internal("reading a finished action", &e))?;
    if let Some(result) = finished.filter(|r| r.env == env_id.as_str()) {
        if matches!(result.status, ActionStatus::Succeeded) {
            let _ = back_to_page(&[("done", key.as_str())]);
        }
        return into_response(result);
    }
    let prepared = prepare(&state)?;
    if state.descriptor.protected && confirm.map(str::trim) != Some(prepared.confirm_name.as_str())
    {
        return Err(AppError::Invalid(format!(
            "{env_id} is protected: type {} to confirm",
            prepared.confirm_name
        )));
    }
    if needs_approval(&state, kind) {
        return super::releases::request_release(
            user, services, &state, kind, &key, prepared, None,
        )
        .await;
    }
    execute_recorded(&user.name, services, &env_id, kind, &key, prepared).await
}

/// Records the intent, runs the command once per key, records the outcome, re-reads the touched
/// resource. Used for direct actions and for approved release requests alike.
pub async fn execute_recorded(
    actor: &str,
    services: &AppServices,
    env_id: &crate::domain::ids::EnvId,
    kind: ActionKind,
    key: &IdempotencyKey,
    prepared: Prepared,
) -> Result<ActionResult, AppError> {
    let key = key.clone();
    let record = ActionRecord {
        key: key.clone(),
        actor: actor.to_string(),
        env: env_id.to_string(),
        kind,
        target: prepared.target.clone(),
        params: prepared.params.to_string(),
        reason: prepared.reason.clone(),
    };
    let intent = audit(
        actor,
        kind,
        env_id.as_str(),
        &prepared.target,
        "requested",
        prepared.summary.clone(),
    );
    match services.action_store.begin(&record, intent).await {
        Err(e) => return Err(AppError::internal("recording an action", &e)),
        Ok(Begun::AlreadyDone(result)) => {
            if matches!(result.status, ActionStatus::Succeeded) {
                let _ = back_to_page(&[("done", key.as_str())]);
            }
            return into_response(*result);
        }
        Ok(Begun::InFlight) => {
            return Err(AppError::Conflict(
                "this request is still running; wait for it to finish".into(),
            ))
        }
        Ok(Begun::KeyReused) => {
            return Err(AppError::Invalid(
                "this request key was already used for a different action; reload the page".into(),
            ))
        }
        Ok(Begun::Started) => {}
    }
    let outcome = services.actions.execute(env_id, &prepared.command).await;
    let (status, output) = match outcome {
        Ok(output) => (ActionStatus::Succeeded, output),
        Err(f) => (
            ActionStatus::Failed {
                code: f.code,
                message: f.message,
            },
            Default::default(),
        ),
    };
    let (word, detail) = match &status {
        ActionStatus::Failed { code, message } => ("failed", format!("{code}: {message}")),
        _ => ("succeeded", prepared.summary.clone()),
    };
    let result = ActionResult {
        kind,
        env: env_id.to_string(),
        target: prepared.target.clone(),
        status,
        summary: prepared.summary.clone(),
        at: chrono::Utc::now(),
        actor: actor.to_string(),
        key: key.as_str().to_string(),
        reason: prepared.reason.clone(),
        revision: output.revision,
    };
    let outcome_entry = audit(actor, kind, env_id.as_str(), &prepared.target, word, detail);
    if let Err(e) = services
        .action_store
        .finish(&key, &result, outcome_entry)
        .await
    {
        // AWS has acted; the outcome row is missing. Say so loudly; the intent row stands.
        tracing::error!(error = %e, key = key.as_str(), "recording an action's outcome");
    }
    if matches!(result.status, ActionStatus::Succeeded) {
        // Show the change on the next page load: re-read the touched resource now, but answer
        // the person within a few seconds even if AWS is slow; the read finishes in the
        // background.
        let inventory = services.inventory.clone();
        let env = env_id.clone();
        let resource = prepared.command.resource();
        let refresh = tokio::spawn(async move {
            if let Err(e) = inventory.refresh_resource(&env, &resource).await {
                tracing::warn!(error = %e, env = %env, resource = ?resource, "refresh after an action");
            }
        });
        if tokio::time::timeout(REFRESH_WAIT, refresh).await.is_err() {
            tracing::info!(env = %env_id, "refresh after an action is still running");
        }
        let _ = back_to_page(&[("done", key.as_str())]);
    }
    into_response(result)
}

/// Form fields of the review step and outcome markers: dropped from the page address when the
/// browser is sent back to it.
const TRANSIENT_PARAMS: [&str; 11] = [
    "notice",
    "created",
    "review",
    "done",
    "problem",
    "desired",
    "container",
    "image",
    "revision",
    "reason",
    "confirm",
];

/// Sends the browser back to the page the form was on (its `Referer`, same origin by the CSRF
/// layer), without review fields, with `extra` appended. Hydrated pages follow it with client-side
/// routing; plain form posts get a 302.
pub fn back_to_page(extra: &[(&str, &str)]) -> bool {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
        return false;
    };
    let Some(referer) = parts
        .headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    // Keep the path and query only: the origin is ours.
    let Some(path_and_query) = referer
        .parse::<http::Uri>()
        .ok()
        .and_then(|u| u.path_and_query().cloned())
    else {
        return false;
    };
    let path = path_and_query.path();
    if !path.starts_with('/') || path.starts_with("//") || path.starts_with("/api/") {
        return false;
    }
    let mut query: Vec<String> = path_and_query
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let name = p.split('=').next().unwrap_or_default();
            !TRANSIENT_PARAMS.contains(&name)
        })
        .map(str::to_string)
        .collect();
    query.extend(
        extra
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v))),
    );
    let target = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    };
    leptos_axum::redirect(&target);
    true
}

/// Whether this request is a plain HTML form post (no JavaScript): its errors are shown by
/// sending the browser back to the page with the message, since a bare error body would
/// replace the page.
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts.method == http::Method::POST
            && parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
    })
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The service an action names: names validated, then found in the environment's inventory.
pub fn target_service(
    state: &EnvState,
    cluster: &str,
    service: &str,
) -> Result<crate::domain::inventory::Service, AppError> {
    use crate::domain::ids::parse_resource_name;
    let cluster = parse_resource_name("cluster name", cluster)?;
    let service = parse_resource_name("service name", service)?;
    state
        .inventory
        .as_ref()
        .and_then(|inv| inv.service(&cluster, &service).cloned())
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "there is no service {service} in cluster {cluster} of {}",
                state.descriptor.id
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn messages_are_percent_encoded_for_the_address() {
        assert_eq!(
            percent_encode("desired count 99 → x&y=1"),
            "desired%20count%2099%20%E2%86%92%20x%26y%3D1"
        );
    }
}
