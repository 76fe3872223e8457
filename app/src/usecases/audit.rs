//! Reading the audit log: one page of the entries a person may see, filtered.

use super::access::audit_scope;
use super::services::AppServices;
use crate::domain::audit::{AuditFilter, AuditRow, PAGE_SIZE};
use crate::domain::policy::Principal;
use crate::error::AppError;
use crate::ports::PortResult;

/// The filter's page of entries within the person's scope, newest first, and how many match.
pub async fn query(
    user: &Principal,
    services: &AppServices,
    filter: &AuditFilter,
) -> Result<(Vec<AuditRow>, i64), AppError> {
    let scope = audit_scope(user, services);
    let offset = i64::from(filter.page - 1) * i64::from(PAGE_SIZE);
    services
        .audit
        .query(filter, &scope, i64::from(PAGE_SIZE), offset)
        .await
        .context("querying the audit log")
}
