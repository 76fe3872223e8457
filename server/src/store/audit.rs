//! The audit log in SQL: insert only (triggers refuse updates and deletes).

use app::ssr::ports::{AuditEntry, AuditPort};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

pub struct SqlAudit {
    pool: SqlitePool,
}

impl SqlAudit {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// The most recent entries, newest first (for tests and, later, the audit page).
    pub async fn recent(
        &self,
        limit: i64,
    ) -> Result<Vec<(DateTime<Utc>, AuditEntry)>, sqlx::Error> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT at, actor, kind, env, target, outcome, detail, ip, user_agent
             FROM audit_events ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let at = DateTime::parse_from_rfc3339(&r.at)
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_default();
                let entry = AuditEntry {
                    actor: r.actor,
                    kind: r.kind,
                    env: r.env,
                    target: r.target,
                    outcome: r.outcome,
                    detail: r.detail,
                    ip: r.ip,
                    user_agent: r.user_agent,
                };
                (at, entry)
            })
            .collect())
    }
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    at: String,
    actor: String,
    kind: String,
    env: Option<String>,
    target: Option<String>,
    outcome: String,
    detail: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
}

/// Inserts one audit row on a connection (also inside a caller's transaction).
pub(crate) async fn insert_entry(
    conn: &mut sqlx::SqliteConnection,
    entry: &AuditEntry,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (at, actor, kind, env, target, outcome, detail, ip, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(Utc::now().to_rfc3339())
    .bind(&entry.actor)
    .bind(&entry.kind)
    .bind(&entry.env)
    .bind(&entry.target)
    .bind(&entry.outcome)
    .bind(&entry.detail)
    .bind(&entry.ip)
    .bind(&entry.user_agent)
    .execute(conn)
    .await
    .map(|_| ())
}

#[async_trait::async_trait]
impl AuditPort for SqlAudit {
    async fn record(&self, entry: AuditEntry) -> Result<(), String> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| format!("writing the audit log: {e}"))?;
        insert_entry(&mut conn, &entry)
            .await
            .map_err(|e| format!("writing the audit log: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pool() -> (tempfile::TempDir, SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/audit.db", dir.path().display());
        let pool = crate::store::connect(&url).await.unwrap();
        crate::store::migrate(&pool).await.unwrap();
        (dir, pool)
    }

    fn entry(kind: &str) -> AuditEntry {
        AuditEntry {
            actor: "ana".into(),
            kind: kind.into(),
            env: Some("prod".into()),
            target: None,
            outcome: "succeeded".into(),
            detail: None,
            ip: Some("127.0.0.1".into()),
            user_agent: None,
        }
    }

    #[tokio::test]
    async fn entries_are_recorded_and_read_back_newest_first() {
        let (_dir, pool) = pool().await;
        let audit = SqlAudit::new(pool);
        audit.record(entry("login")).await.unwrap();
        audit.record(entry("logout")).await.unwrap();
        let recent = audit.recent(10).await.unwrap();
        let kinds: Vec<_> = recent.iter().map(|(_, e)| e.kind.as_str()).collect();
        assert_eq!(kinds, ["logout", "login"]);
    }

    #[tokio::test]
    async fn the_audit_log_refuses_updates_and_deletes() {
        let (_dir, pool) = pool().await;
        let audit = SqlAudit::new(pool.clone());
        audit.record(entry("login")).await.unwrap();
        let update = sqlx::query("UPDATE audit_events SET actor = 'mallory'")
            .execute(&pool)
            .await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query("DELETE FROM audit_events").execute(&pool).await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        assert_eq!(audit.recent(10).await.unwrap().len(), 1);
    }
}
