//! The change feed between console processes: what changed in the shared database since a
//! cursor, so every process can announce incidents and release requests that another process
//! changed to its own browsers (each table's `updated_at` is its cursor, compared as text in that
//! table's own format).

use super::error::StoreError;
use super::sql::Pool;

/// One changed row: its id, environment and `updated_at`.
pub type Changed = (i64, String, String);

/// A table the feed follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    Incidents,
    Releases,
}

impl Followed {
    fn table(self) -> &'static str {
        match self {
            Followed::Incidents => "incidents",
            Followed::Releases => "releases",
        }
    }
}

/// The newest `updated_at` of the table now (the cursor to start from), empty when it is empty.
pub async fn cursor(pool: &Pool, what: Followed) -> Result<String, StoreError> {
    let sql = format!("SELECT COALESCE(MAX(updated_at), '') FROM {}", what.table());
    Ok(sqlx::query_scalar(&super::sql::numbered(&sql))
        .fetch_one(pool)
        .await?)
}

/// Rows changed after `since`, oldest first (at most 500).
pub async fn changed_since(
    pool: &Pool,
    what: Followed,
    since: &str,
) -> Result<Vec<Changed>, StoreError> {
    let sql = format!(
        "SELECT id, env, updated_at FROM {} WHERE updated_at > ? ORDER BY updated_at LIMIT 500",
        what.table()
    );
    Ok(sqlx::query_as(&super::sql::numbered(&sql))
        .bind(since)
        .fetch_all(pool)
        .await?)
}
