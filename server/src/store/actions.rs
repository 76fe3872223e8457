//! The actions table: one row per idempotency key within its caller (by id) and environment (the
//! key column holds [`IdempotencyKey::scoped`]), written with its audit rows in the same
//! transaction, so no action runs without its intent committed first.

use super::audit::insert_entry;
use super::error::{StoreContext, StoreError};
use super::sql::Pool;
use app::domain::actions::{ActionKind, ActionResult, IdempotencyKey};
use app::ports::{ActionRecord, ActionStore, AuditEntry, Begun, PortError};
use chrono::Utc;

pub struct SqlActions {
    pool: Pool,
}

impl SqlActions {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

#[derive(sqlx::FromRow)]
struct Existing {
    actor_id: String,
    env: String,
    kind: String,
    target: String,
    params: String,
    state: String,
    result: Option<String>,
}

fn same_action(existing: &Existing, record: &ActionRecord) -> bool {
    existing.actor_id == record.actor_id.as_str()
        && existing.env == record.env
        && existing.kind == record.kind.as_str()
        && existing.target == record.target
        && existing.params == record.params
}

fn found(existing: &Existing, record: &ActionRecord) -> Result<Begun, StoreError> {
    if !same_action(existing, record) {
        return Ok(Begun::KeyReused);
    }
    match (existing.state.as_str(), &existing.result) {
        ("running", _) | (_, None) => Ok(Begun::InFlight),
        (_, Some(json)) => serde_json::from_str(json)
            .map(|r| Begun::AlreadyDone(Box::new(r)))
            .map_err(|e| StoreError::corrupt("action result", json, e)),
    }
}

const SELECT: &str =
    "SELECT actor_id, env, kind, target, params, state, result FROM actions WHERE idempotency_key = ?";

#[async_trait::async_trait]
impl ActionStore for SqlActions {
    async fn begin(&self, record: &ActionRecord, intent: AuditEntry) -> Result<Begun, PortError> {
        const WHAT: &str = "recording an action";
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        let scoped = record.key.scoped(&record.env, record.actor_id.as_str());
        let existing: Option<Existing> = sqlx::query_as(&super::sql::numbered(SELECT))
            .bind(&scoped)
            .fetch_optional(&mut *tx)
            .await
            .context(WHAT)?;
        if let Some(existing) = existing {
            return Ok(found(&existing, record).context(WHAT)?);
        }
        let inserted = sqlx::query(
            &super::sql::numbered("INSERT INTO actions (idempotency_key, actor, actor_id, env, kind, target, params, reason, state, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)"),
        )
        .bind(&scoped)
        .bind(&record.actor)
        .bind(record.actor_id.as_str())
        .bind(&record.env)
        .bind(record.kind.as_str())
        .bind(&record.target)
        .bind(&record.params)
        .bind(&record.reason)
        .bind(Utc::now().to_rfc3339())
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            // Another request with the same key won the race: report what it is doing.
            drop(tx);
            let unique = e
                .as_database_error()
                .is_some_and(|d| d.is_unique_violation());
            if !unique {
                return Err(StoreError::from(e).context(WHAT).into());
            }
            let existing: Existing = sqlx::query_as(&super::sql::numbered(SELECT))
                .bind(&scoped)
                .fetch_one(&self.pool)
                .await
                .context(WHAT)?;
            return Ok(found(&existing, record).context(WHAT)?);
        }
        insert_entry(&mut tx, &intent).await.context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(Begun::Started)
    }

    async fn finish(
        &self,
        record: &ActionRecord,
        result: &ActionResult,
        outcome: AuditEntry,
    ) -> Result<(), PortError> {
        const WHAT: &str = "recording an action's outcome";
        let json = serde_json::to_string(result).context(WHAT)?;
        let state = match result.status {
            app::domain::actions::ActionStatus::Succeeded => "succeeded",
            app::domain::actions::ActionStatus::Failed { .. } => "failed",
            app::domain::actions::ActionStatus::AwaitingApproval { .. } => "awaiting_approval",
        };
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        sqlx::query(&super::sql::numbered(
            "UPDATE actions SET state = ?, result = ?, finished_at = ? WHERE idempotency_key = ?",
        ))
        .bind(state)
        .bind(&json)
        .bind(Utc::now().to_rfc3339())
        .bind(record.key.scoped(&record.env, record.actor_id.as_str()))
        .execute(&mut *tx)
        .await
        .context(WHAT)?;
        insert_entry(&mut tx, &outcome).await.context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(())
    }

    async fn recent(
        &self,
        env: &str,
        target: &str,
        limit: i64,
    ) -> Result<Vec<ActionResult>, PortError> {
        let rows: Vec<(Option<String>,)> = sqlx::query_as(
            &super::sql::numbered("SELECT result FROM actions WHERE env = ? AND target = ? AND result IS NOT NULL ORDER BY id DESC LIMIT ?"),
        )
        .bind(env)
        .bind(target)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading recent actions")?;
        Ok(parse_results(rows))
    }

    async fn finished(
        &self,
        key: &IdempotencyKey,
        actor: &app::domain::person::PersonId,
        env: &str,
        kind: ActionKind,
    ) -> Result<Option<ActionResult>, PortError> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            &super::sql::numbered("SELECT result FROM actions WHERE idempotency_key = ? AND actor_id = ? AND env = ? AND kind = ? AND result IS NOT NULL"),
        )
        .bind(key.scoped(env, actor.as_str()))
        .bind(actor.as_str())
        .bind(env)
        .bind(kind.as_str())
        .fetch_optional(&self.pool)
        .await
        .context("reading a finished action")?;
        Ok(row
            .and_then(|(json,)| json)
            .and_then(|j| serde_json::from_str(&j).ok()))
    }

    async fn recent_in_env(
        &self,
        env: &str,
        kinds: &[ActionKind],
        limit: i64,
    ) -> Result<Vec<ActionResult>, PortError> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; kinds.len()].join(", ");
        let sql = format!(
            "SELECT result FROM actions WHERE env = ? AND kind IN ({marks}) AND result IS NOT NULL ORDER BY id DESC LIMIT ?"
        );
        let sql = super::sql::numbered(&sql);
        let mut query = sqlx::query_as(&sql).bind(env);
        for kind in kinds {
            query = query.bind(kind.as_str());
        }
        let rows: Vec<(Option<String>,)> = query
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .context("reading recent actions")?;
        Ok(parse_results(rows))
    }

    async fn between(
        &self,
        env: &str,
        from: chrono::DateTime<Utc>,
        to: chrono::DateTime<Utc>,
    ) -> Result<Vec<ActionResult>, PortError> {
        // `created_at` is RFC 3339 in UTC throughout, so text order is time order.
        let rows: Vec<(Option<String>,)> = sqlx::query_as(
            &super::sql::numbered("SELECT result FROM actions WHERE env = ? AND created_at >= ? AND created_at <= ? AND result IS NOT NULL ORDER BY id LIMIT 500"),
        )
        .bind(env)
        .bind(from.to_rfc3339())
        .bind(to.to_rfc3339())
        .fetch_all(&self.pool)
        .await
        .context("reading actions")?;
        Ok(parse_results(rows))
    }
}

fn parse_results(rows: Vec<(Option<String>,)>) -> Vec<ActionResult> {
    rows.into_iter()
        .filter_map(|(json,)| json.and_then(|j| serde_json::from_str(&j).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::actions::ActionStatus;
    use app::domain::audit::{AuditKind, AuditOutcome};
    use app::domain::person::PersonId;

    async fn store() -> (tempfile::TempDir, SqlActions, super::super::SqlAudit) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/a.db", dir.path().display());
        let pool = crate::store::connect(&url).await.unwrap();
        crate::store::migrate(&pool).await.unwrap();
        (
            dir,
            SqlActions::new(pool.clone()),
            super::super::SqlAudit::new(pool),
        )
    }

    fn id(name: &str) -> PersonId {
        PersonId::dev(name).unwrap()
    }

    fn record(key: &str, params: &str) -> ActionRecord {
        ActionRecord {
            key: IdempotencyKey::parse(key).unwrap(),
            actor: "ana".into(),
            actor_id: id("ana"),
            env: "dev".into(),
            kind: ActionKind::Scale,
            target: "main/web".into(),
            params: params.into(),
            reason: None,
        }
    }

    fn audit(outcome: AuditOutcome) -> AuditEntry {
        AuditEntry {
            actor: "ana".into(),
            actor_id: id("ana"),
            kind: AuditKind::Action(ActionKind::Scale),
            env: Some("dev".into()),
            target: Some("main/web".into()),
            outcome,
            detail: None,
            ip: None,
            user_agent: None,
            token_id: None,
            via: None,
        }
    }

    fn result() -> ActionResult {
        ActionResult {
            kind: ActionKind::Scale,
            env: "dev".into(),
            target: "main/web".into(),
            status: ActionStatus::Succeeded,
            summary: "desired count 2 → 3".into(),
            at: Utc::now(),
            actor: "ana".into(),
            key: "key-00000001".into(),
            reason: None,
            revision: None,
        }
    }

    #[tokio::test]
    async fn a_key_runs_once_and_then_returns_its_first_result() {
        let (_dir, actions, log) = store().await;
        let r = record("key-00000001", r#"{"desired":3}"#);
        assert_eq!(
            actions
                .begin(&r, audit(AuditOutcome::Requested))
                .await
                .unwrap(),
            Begun::Started
        );
        assert_eq!(
            actions
                .begin(&r, audit(AuditOutcome::Requested))
                .await
                .unwrap(),
            Begun::InFlight
        );
        actions
            .finish(&r, &result(), audit(AuditOutcome::Succeeded))
            .await
            .unwrap();
        assert_eq!(
            actions
                .begin(&r, audit(AuditOutcome::Requested))
                .await
                .unwrap(),
            Begun::AlreadyDone(Box::new(result_like(&actions, &r).await))
        );
        let other = record("key-00000001", r#"{"desired":9}"#);
        assert_eq!(
            actions
                .begin(&other, audit(AuditOutcome::Requested))
                .await
                .unwrap(),
            Begun::KeyReused
        );
        let rows = log.recent(10).await.unwrap();
        let outcomes: Vec<_> = rows.iter().map(|(_, e)| e.outcome.as_str()).collect();
        assert_eq!(
            outcomes,
            ["succeeded", "requested"],
            "one intent and one outcome, no duplicates"
        );
        assert_eq!(actions.recent("dev", "main/web", 5).await.unwrap().len(), 1);
        assert!(actions
            .finished(&r.key, &id("ana"), "dev", ActionKind::Scale)
            .await
            .unwrap()
            .is_some());
        assert!(actions
            .finished(&r.key, &id("bob"), "dev", ActionKind::Scale)
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            actions
                .recent_in_env("dev", &[ActionKind::Scale], 5)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(actions
            .recent_in_env("dev", &[ActionKind::MuteAlarm], 5)
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn a_key_is_another_key_for_another_caller_or_environment() {
        let (_dir, actions, _log) = store().await;
        let ana = record("key-00000001", r#"{"desired":3}"#);
        assert_eq!(
            actions
                .begin(&ana, audit(AuditOutcome::Requested))
                .await
                .unwrap(),
            Begun::Started
        );
        actions
            .finish(&ana, &result(), audit(AuditOutcome::Succeeded))
            .await
            .unwrap();
        let bob = ActionRecord {
            actor: "bob".into(),
            actor_id: id("bob"),
            ..record("key-00000001", r#"{"desired":9}"#)
        };
        let ana_in_staging = ActionRecord {
            env: "staging".into(),
            ..record("key-00000001", r#"{"desired":3}"#)
        };
        // Someone else who is also called ana.
        let other_ana = ActionRecord {
            actor_id: PersonId::oidc("https://idp.example", "u-2").unwrap(),
            ..record("key-00000001", r#"{"desired":3}"#)
        };
        // ana herself under a new name: her key, her result.
        let ana_renamed = ActionRecord {
            actor: "ana.lima".into(),
            ..record("key-00000001", r#"{"desired":3}"#)
        };
        assert!(matches!(
            actions
                .begin(&ana_renamed, audit(AuditOutcome::Requested))
                .await
                .unwrap(),
            Begun::AlreadyDone(_)
        ));
        for other in [&bob, &ana_in_staging, &other_ana] {
            assert_eq!(
                actions
                    .begin(other, audit(AuditOutcome::Requested))
                    .await
                    .unwrap(),
                Begun::Started,
                "{} in {} acts on its own",
                other.actor,
                other.env
            );
        }
        assert!(actions
            .finished(&ana.key, &id("ana"), "staging", ActionKind::Scale)
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            actions
                .finished(&ana.key, &id("ana"), "dev", ActionKind::Scale)
                .await
                .unwrap()
                .map(|r| r.summary),
            Some("desired count 2 → 3".to_string())
        );
    }

    async fn result_like(actions: &SqlActions, r: &ActionRecord) -> ActionResult {
        actions
            .recent(&r.env, &r.target, 1)
            .await
            .unwrap()
            .remove(0)
    }
}
