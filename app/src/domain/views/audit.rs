//! The audit log page.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One page of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPageView {
    pub generated_at: DateTime<Utc>,
    pub filter: crate::domain::audit::AuditFilter,
    /// The filter as a query string (no page), for export and paging links.
    pub query: String,
    pub rows: Vec<crate::domain::audit::AuditRow>,
    pub total: i64,
    pub page_size: u32,
    pub envs: Vec<String>,
}
