//! `/audit/export.csv` and `/audit/export.json`: the filtered audit entries a person may see, as a
//! download. Same filters and visibility as the audit page.

use crate::state::AppState;
use app::domain::audit::{csv_line, AuditFilter, CSV_HEADER};
use app::domain::policy::Principal;
use app::ports::{AuditPort, AuditScope};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::HashMap;

/// The most rows one export returns.
const EXPORT_LIMIT: i64 = 100_000;

#[derive(Clone, Copy)]
pub enum Format {
    Csv,
    Json,
}

async fn export(
    state: AppState,
    user: Principal,
    query: HashMap<String, String>,
    format: Format,
) -> Response {
    let get = |k: &str| query.get(k).map(String::as_str);
    let filter = match AuditFilter::parse(
        get("actor"),
        get("env"),
        get("kind"),
        get("outcome"),
        get("from"),
        get("to"),
        None,
    ) {
        Ok(f) => f,
        Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
    };
    let envs: Vec<_> = state
        .inventory
        .slots()
        .iter()
        .map(|s| s.descriptor().id.clone())
        .collect();
    let scope = AuditScope {
        envs: app::domain::audit::visible_envs(&user, &envs)
            .map(|v| v.into_iter().map(|e| e.to_string()).collect()),
        viewer: user.id.clone(),
    };
    let rows = match state.audit.query(&filter, &scope, EXPORT_LIMIT, 0).await {
        Ok((rows, _)) => rows,
        Err(e) => {
            tracing::error!(error = %e, "exporting the audit log");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the audit log could not be read; the details are in the server log",
            )
                .into_response();
        }
    };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    match format {
        Format::Csv => {
            let mut body = String::from(CSV_HEADER);
            body.push_str("\r\n");
            for row in &rows {
                body.push_str(&csv_line(row));
                body.push_str("\r\n");
            }
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"quarterdeck-audit-{stamp}.csv\""),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Format::Json => (
            [(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"quarterdeck-audit-{stamp}.json\""),
            )],
            axum::Json(rows),
        )
            .into_response(),
    }
}

pub async fn export_csv(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    export(state, user, query, Format::Csv).await
}

pub async fn export_json(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    export(state, user, query, Format::Json).await
}
