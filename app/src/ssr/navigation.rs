//! Where the browser goes after a server function: an outcome becomes a redirect. A hydrated
//! page follows it with client-side routing; a plain form post (no JavaScript) gets a 302 back
//! to the page it came from with `?done=` (an action's request key), or `?notice=` / `?problem=`
//! naming a one-time message kept in the session (`ssr::flash`), never the text itself. The use
//! cases never redirect: only this module does.

use crate::domain::actions::{ActionResult, ActionStatus};
use crate::domain::drift::PromotionOutcome;
use crate::domain::flash::FlashKind;

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

/// Sends the browser to `path` (one of ours).
pub fn go_to(path: &str) {
    leptos_axum::redirect(path);
}

/// After an action: back to its page with `?done=<key>` when it ran (or is still running, or
/// its outcome is being checked: the page shows which), or to the release request waiting for
/// approval.
pub fn after_action(result: &ActionResult) {
    match &result.status {
        ActionStatus::Succeeded
        | ActionStatus::Running
        | ActionStatus::Checking { .. }
        | ActionStatus::Unknown { .. } => {
            back_to_page(&[("done", result.key.as_str())]);
        }
        ActionStatus::AwaitingApproval { release } => go_to(&format!("/releases/{release}")),
        ActionStatus::Failed { .. } | ActionStatus::NotRun { .. } => {}
    }
}

/// Back to the form's page with a one-time message of `kind`; false when it could not be kept
/// (no session) or there is no page to go back to.
pub async fn back_with(kind: FlashKind, text: &str) -> bool {
    match super::flash::put(kind, text).await {
        Some(id) => back_to_page(&[(kind.param(), id.as_str())]),
        None => false,
    }
}

/// After a promotion: the request waiting for approval (one service), the group's requests (a
/// whole app), or else the app's (or the fleet's) drift with what happened.
pub async fn after_promotion(outcome: &PromotionOutcome, app: Option<&str>) {
    let requested: Vec<i64> = outcome
        .results
        .iter()
        .filter_map(|(_, r)| match r.as_ref().map(|r| &r.status) {
            Ok(ActionStatus::AwaitingApproval { release }) => Some(*release),
            _ => None,
        })
        .collect();
    let next = match (requested.as_slice(), &outcome.group) {
        ([one], None) => format!("/releases/{one}"),
        ([_, ..], Some(group)) => format!("/releases?group={group}"),
        _ => {
            let page = match app {
                Some(app) => format!("/apps/{}", percent_encode(app)),
                None => "/drift".to_string(),
            };
            match super::flash::put(FlashKind::Notice, &outcome.describe()).await {
                Some(id) => format!("{page}?notice={id}"),
                None => page,
            }
        }
    };
    go_to(&next);
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
