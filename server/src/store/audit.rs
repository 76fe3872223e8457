//! The audit log in SQL: insert only (triggers refuse updates and deletes).

use super::error::{StoreContext, StoreError};
use super::sql::Pool;
use app::domain::audit::{AuditFilter, AuditRow};
use app::ports::{AuditEntry, AuditPort, AuditScope, PortError};
use chrono::{DateTime, Utc};

pub struct SqlAudit {
    pool: Pool,
}

impl SqlAudit {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// The most recent entries of every environment, newest first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<(DateTime<Utc>, AuditRow)>, StoreError> {
        let everything = AuditScope {
            envs: None,
            viewer: app::domain::person::PersonId::unknown(),
        };
        let (rows, _) = self
            .matching(&AuditFilter::default(), &everything, limit, 0)
            .await?;
        Ok(rows.into_iter().map(|r| (r.at, r)).collect())
    }

    /// Entries matching `filter` within `scope`, newest first, and how many match in all.
    async fn matching(
        &self,
        filter: &AuditFilter,
        scope: &AuditScope,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRow>, i64), StoreError> {
        let (filtered, args) = conditions(filter, scope);
        let count_sql =
            super::sql::numbered(&format!("SELECT COUNT(*) FROM audit_events{filtered}"));
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for a in &args {
            count = count.bind(a);
        }
        let total = count
            .fetch_one(&self.pool)
            .await
            .context("reading the audit log")?;
        let rows_sql = super::sql::numbered(&format!(
            "SELECT id, at, actor, actor_id, kind, env, target, outcome, detail, ip, user_agent, token_id, via FROM audit_events{filtered} ORDER BY id DESC LIMIT ? OFFSET ?"
        ));
        let mut rows = sqlx::query_as::<_, StoredRow>(&rows_sql);
        for a in &args {
            rows = rows.bind(a);
        }
        let found = rows
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
            .context("reading the audit log")?;
        Ok((found.into_iter().map(StoredRow::into_row).collect(), total))
    }
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    id: i64,
    at: String,
    actor: String,
    actor_id: String,
    kind: String,
    env: Option<String>,
    target: Option<String>,
    outcome: String,
    detail: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    token_id: Option<i64>,
    via: Option<String>,
}

impl StoredRow {
    fn into_row(self) -> AuditRow {
        AuditRow {
            id: self.id,
            at: DateTime::parse_from_rfc3339(&self.at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default(),
            actor: self.actor,
            actor_id: self.actor_id,
            kind: self.kind,
            env: self.env,
            target: self.target,
            outcome: self.outcome,
            detail: self.detail,
            ip: self.ip,
            user_agent: self.user_agent,
            token_id: self.token_id,
            via: self.via,
        }
    }
}

/// Inserts one audit row on a connection (also inside a caller's transaction).
pub(crate) async fn insert_entry(
    conn: &mut sqlx::AnyConnection,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(&super::sql::numbered(
        "INSERT INTO audit_events (at, actor, actor_id, kind, env, target, outcome, detail, ip, user_agent, token_id, via)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(Utc::now().to_rfc3339())
    .bind(&entry.actor)
    .bind(entry.actor_id.as_str())
    .bind(entry.kind.as_str())
    .bind(&entry.env)
    .bind(&entry.target)
    .bind(entry.outcome.as_str())
    .bind(&entry.detail)
    .bind(&entry.ip)
    .bind(&entry.user_agent)
    .bind(entry.token_id)
    .bind(&entry.via)
    .execute(conn)
    .await?;
    Ok(())
}

/// The WHERE clause for a filter and a scope (with `?` parameters) and its text values in order.
fn conditions(filter: &AuditFilter, scope: &AuditScope) -> (String, Vec<String>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<String> = Vec::new();
    // The actor filter matches a name or an id (`oidc:…#sub`, `dev:ana`).
    if let Some(actor) = &filter.actor {
        sql.push_str(" AND (actor = ? OR actor_id = ?)");
        args.push(actor.clone());
        args.push(actor.clone());
    }
    let mut equal = |column: &str, value: Option<String>, sql: &mut String| {
        if let Some(value) = value {
            sql.push_str(&format!(" AND {column} ?"));
            args.push(value);
        }
    };
    equal(
        "env =",
        filter.env.as_ref().map(|e| e.to_string()),
        &mut sql,
    );
    equal("kind =", filter.kind.clone(), &mut sql);
    equal("outcome =", filter.outcome.clone(), &mut sql);
    equal("at >=", filter.from.map(|t| t.to_rfc3339()), &mut sql);
    equal("at <=", filter.to.map(|t| t.to_rfc3339()), &mut sql);
    if let Some(envs) = &scope.envs {
        if envs.is_empty() {
            sql.push_str(" AND (0 = 1");
        } else {
            sql.push_str(&format!(
                " AND (env IN ({})",
                vec!["?"; envs.len()].join(", ")
            ));
            args.extend(envs.iter().cloned());
        }
        sql.push_str(" OR (env IS NULL AND actor_id = ?))");
        args.push(scope.viewer.as_str().to_string());
    }
    (sql, args)
}

#[async_trait::async_trait]
impl AuditPort for SqlAudit {
    async fn query(
        &self,
        filter: &AuditFilter,
        scope: &AuditScope,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRow>, i64), PortError> {
        Ok(self.matching(filter, scope, limit, offset).await?)
    }

    async fn record(&self, entry: AuditEntry) -> Result<(), PortError> {
        let mut conn = self.pool.acquire().await.context("writing the audit log")?;
        insert_entry(&mut conn, &entry)
            .await
            .context("writing the audit log")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::actions::ActionKind;
    use app::domain::audit::{AuditKind, AuditOutcome};
    use app::domain::person::PersonId;

    async fn pool() -> (tempfile::TempDir, Pool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/audit.db", dir.path().display());
        let pool = crate::store::connect(&url).await.unwrap();
        crate::store::migrate(&pool).await.unwrap();
        (dir, pool)
    }

    fn entry(kind: AuditKind) -> AuditEntry {
        AuditEntry {
            actor: "ana".into(),
            actor_id: PersonId::dev("ana").unwrap(),
            kind,
            env: Some("prod".into()),
            target: None,
            outcome: AuditOutcome::Succeeded,
            detail: None,
            ip: Some("127.0.0.1".into()),
            user_agent: None,
            token_id: None,
            via: None,
        }
    }

    #[tokio::test]
    async fn entries_are_recorded_and_read_back_newest_first() {
        let (_dir, pool) = pool().await;
        let audit = SqlAudit::new(pool);
        audit.record(entry(AuditKind::Login)).await.unwrap();
        audit.record(entry(AuditKind::Logout)).await.unwrap();
        let recent = audit.recent(10).await.unwrap();
        let kinds: Vec<_> = recent.iter().map(|(_, e)| e.kind.as_str()).collect();
        assert_eq!(kinds, ["logout", "login"]);
    }

    #[tokio::test]
    async fn the_token_a_request_came_with_is_read_back() {
        let (_dir, pool) = pool().await;
        let audit = SqlAudit::new(pool);
        audit
            .record(AuditEntry {
                token_id: Some(7),
                via: Some("API token ci for ci-bot".into()),
                outcome: AuditOutcome::Requested,
                ..entry(AuditKind::Action(ActionKind::Scale))
            })
            .await
            .unwrap();
        audit.record(entry(AuditKind::Login)).await.unwrap();
        let recent = audit.recent(10).await.unwrap();
        let read: Vec<_> = recent
            .iter()
            .map(|(_, r)| {
                (
                    r.kind.as_str(),
                    r.outcome.as_str(),
                    r.token_id,
                    r.via.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                ("login", "succeeded", None, None),
                (
                    "scale",
                    "requested",
                    Some(7),
                    Some("API token ci for ci-bot")
                )
            ]
        );
    }

    #[tokio::test]
    async fn queries_filter_page_and_respect_the_scope() {
        let (_dir, pool) = pool().await;
        let audit = SqlAudit::new(pool);
        // The last sign-in is someone else who is also called ana.
        let other_ana = "oidc:https://idp.example#u-2";
        for (actor, id, kind, env) in [
            ("ana", "dev:ana", AuditKind::Login, None),
            (
                "ana",
                "dev:ana",
                AuditKind::Action(ActionKind::Scale),
                Some("prod"),
            ),
            (
                "bob",
                "dev:bob",
                AuditKind::Action(ActionKind::Scale),
                Some("dev"),
            ),
            ("bob", "dev:bob", AuditKind::Login, None),
            ("ana", other_ana, AuditKind::Login, None),
        ] {
            let mut e = entry(kind);
            e.actor = actor.into();
            e.actor_id = PersonId::parse(id).unwrap();
            e.env = env.map(str::to_string);
            audit.record(e).await.unwrap();
        }
        let all = AuditScope {
            envs: None,
            viewer: PersonId::dev("admin").unwrap(),
        };
        let (rows, total) = audit
            .query(&AuditFilter::default(), &all, 10, 0)
            .await
            .unwrap();
        assert_eq!((rows.len(), total), (5, 5));
        assert_eq!(rows[0].actor_id, other_ana, "newest first, with its id");
        assert_eq!(rows[1].actor, "bob");
        let scale = AuditFilter::parse(None, None, Some("scale"), None, None, None, None).unwrap();
        assert_eq!(audit.query(&scale, &all, 10, 0).await.unwrap().1, 2);
        // The actor filter takes a name (both anas) or an id (one of them).
        for (actor, count) in [("ana", 3), ("dev:ana", 2), (other_ana, 1)] {
            let f = AuditFilter::parse(Some(actor), None, None, None, None, None, None).unwrap();
            assert_eq!(
                audit.query(&f, &all, 10, 0).await.unwrap().1,
                count,
                "{actor}"
            );
        }
        let (page2, total) = audit
            .query(&AuditFilter::default(), &all, 3, 3)
            .await
            .unwrap();
        assert_eq!((page2.len(), total), (2, 5));
        // Ana may view prod only: she sees prod entries and her own sign-in, not bob's nor the
        // other ana's.
        let ana = AuditScope {
            envs: Some(vec!["prod".into()]),
            viewer: PersonId::dev("ana").unwrap(),
        };
        let (rows, _) = audit
            .query(&AuditFilter::default(), &ana, 10, 0)
            .await
            .unwrap();
        let seen: Vec<_> = rows
            .iter()
            .map(|r| (r.actor.as_str(), r.kind.as_str()))
            .collect();
        assert_eq!(seen, [("ana", "scale"), ("ana", "login")]);
        let nobody = AuditScope {
            envs: Some(vec![]),
            viewer: PersonId::dev("eve").unwrap(),
        };
        assert_eq!(
            audit
                .query(&AuditFilter::default(), &nobody, 10, 0)
                .await
                .unwrap()
                .1,
            0
        );
    }

    #[tokio::test]
    async fn the_audit_log_refuses_updates_and_deletes() {
        let (_dir, pool) = pool().await;
        let audit = SqlAudit::new(pool.clone());
        audit.record(entry(AuditKind::Login)).await.unwrap();
        let update = sqlx::query(&crate::store::numbered(
            "UPDATE audit_events SET actor = 'mallory'",
        ))
        .execute(&pool)
        .await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = sqlx::query(&crate::store::numbered("DELETE FROM audit_events"))
            .execute(&pool)
            .await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        assert_eq!(audit.recent(10).await.unwrap().len(), 1);
    }
}
