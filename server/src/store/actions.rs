//! The actions table: one row per idempotency key within its caller (by id) and environment (the
//! key column holds [`IdempotencyKey::scoped`]), written with its audit rows in the same
//! transaction, so no action runs without its intent committed first. A row is `running` (its
//! result so far, and the command it runs, stored from the start), then `checking` while an
//! unclear answer is being settled, then settled; only an unsettled row takes an outcome, so
//! the run and the action sweeper never both record one. A change to a service that succeeded
//! starts following its rollout (`followed_rollouts`) in the outcome's transaction.

use super::audit::insert_entry;
use super::error::{StoreContext, StoreError};
use super::sql::Pool;
use app::domain::actions::{ActionKind, ActionResult, ActionStatus, IdempotencyKey};
use app::ports::{
    ActionCommand, ActionRecord, ActionStore, AuditEntry, Begun, NewRollout, PortError, Unsettled,
};
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

/// The state column for a result: how far the action got.
fn state_of(status: &ActionStatus) -> &'static str {
    match status {
        ActionStatus::Succeeded => "succeeded",
        ActionStatus::Failed { .. } | ActionStatus::NotRun { .. } => "failed",
        ActionStatus::AwaitingApproval { .. } => "awaiting_approval",
        ActionStatus::Running => "running",
        ActionStatus::Checking { .. } => "checking",
        ActionStatus::Unknown { .. } => "unknown",
    }
}

/// An unsettled action as stored.
#[derive(sqlx::FromRow)]
struct UnsettledRow {
    idempotency_key: String,
    actor: String,
    actor_id: String,
    env: String,
    kind: String,
    target: String,
    params: String,
    reason: Option<String>,
    result: Option<String>,
    command: Option<String>,
    created_at: String,
}

impl UnsettledRow {
    fn parse(self) -> Result<Unsettled, StoreError> {
        let kind: ActionKind = serde_json::from_value(serde_json::Value::String(self.kind.clone()))
            .map_err(|e| StoreError::corrupt("action kind", &self.kind, e))?;
        // A row from before people had ids holds `legacy:<name>` (or nothing, written by an
        // older console) and a key scoped by the name.
        let actor_id = app::domain::person::PersonId::parse(&self.actor_id)
            .or_else(|_| app::domain::person::PersonId::parse(&format!("legacy:{}", self.actor)))
            .map_err(|e| StoreError::corrupt("action actor id", &self.actor_id, e))?;
        let key = IdempotencyKey::from_scoped(&self.idempotency_key, &self.env, actor_id.as_str())
            .or_else(|| IdempotencyKey::from_scoped(&self.idempotency_key, &self.env, &self.actor))
            .ok_or_else(|| {
                StoreError::corrupt(
                    "action key",
                    &self.idempotency_key,
                    "not within its environment and caller",
                )
            })?;
        let command = json_column("action command", self.command.as_deref())?;
        let result = json_column("action result", self.result.as_deref())?;
        let started_at = chrono::DateTime::parse_from_rfc3339(&self.created_at)
            .map_err(|e| StoreError::corrupt("action start", &self.created_at, e))?
            .with_timezone(&Utc);
        Ok(Unsettled {
            record: ActionRecord {
                key,
                actor: self.actor,
                actor_id,
                env: self.env,
                kind,
                target: self.target,
                params: self.params,
                reason: self.reason,
            },
            command,
            result,
            started_at,
        })
    }
}

/// The key a row from before people had ids was stored under (scoped by the name, which its
/// `legacy:<name>` id carries), so the sweeper can settle it; for anyone else, the id-scoped key
/// again.
fn legacy_key(record: &ActionRecord) -> String {
    match record.actor_id.kind() {
        app::domain::person::PersonKind::Legacy(name) => record.key.scoped(&record.env, name),
        _ => record.key.scoped(&record.env, record.actor_id.as_str()),
    }
}

/// A nullable JSON column.
fn json_column<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: Option<&str>,
) -> Result<Option<T>, StoreError> {
    text.map(|json| serde_json::from_str(json).map_err(|e| StoreError::corrupt(what, json, e)))
        .transpose()
}

/// How many unsettled actions one sweep reads at most.
const UNSETTLED_BATCH: i64 = 100;

impl SqlActions {
    /// Moves an unsettled action to its outcome with the audit row and, for a change to a
    /// service that succeeded, the rollout to follow, in one transaction.
    async fn record_finish(
        &self,
        record: &ActionRecord,
        result: &ActionResult,
        outcome: AuditEntry,
        follow: Option<&NewRollout>,
    ) -> Result<bool, StoreError> {
        const WHAT: &str = "recording an action's outcome";
        let json = serde_json::to_string(result).context(WHAT)?;
        let state = state_of(&result.status);
        let finished_at = result.status.is_settled().then(|| Utc::now().to_rfc3339());
        let keys = [
            record.key.scoped(&record.env, record.actor_id.as_str()),
            legacy_key(record),
        ];
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        let moved = sqlx::query(&super::sql::numbered(
            "UPDATE actions SET state = ?, result = ?, finished_at = ? WHERE idempotency_key IN (?, ?) AND state IN ('running', 'checking')",
        ))
        .bind(state)
        .bind(&json)
        .bind(finished_at)
        .bind(&keys[0])
        .bind(&keys[1])
        .execute(&mut *tx)
        .await
        .context(WHAT)?
        .rows_affected()
            == 1;
        if !moved {
            return Ok(false);
        }
        if let Some(follow) = follow {
            let (stored_key,): (String,) = sqlx::query_as(&super::sql::numbered(
                "SELECT idempotency_key FROM actions WHERE idempotency_key IN (?, ?)",
            ))
            .bind(&keys[0])
            .bind(&keys[1])
            .fetch_one(&mut *tx)
            .await
            .context(WHAT)?;
            super::rollouts::insert_followed(&mut tx, &stored_key, follow)
                .await
                .context(WHAT)?;
        }
        insert_entry(&mut tx, &outcome).await.context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(true)
    }
}

#[async_trait::async_trait]
impl ActionStore for SqlActions {
    async fn begin(
        &self,
        record: &ActionRecord,
        command: &ActionCommand,
        started: &ActionResult,
        intent: AuditEntry,
    ) -> Result<Begun, PortError> {
        const WHAT: &str = "recording an action";
        let command = serde_json::to_string(command).context(WHAT)?;
        let started = serde_json::to_string(started).context(WHAT)?;
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
            &super::sql::numbered("INSERT INTO actions (idempotency_key, actor, actor_id, env, kind, target, params, reason, state, result, command, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)"),
        )
        .bind(&scoped)
        .bind(&record.actor)
        .bind(record.actor_id.as_str())
        .bind(&record.env)
        .bind(record.kind.as_str())
        .bind(&record.target)
        .bind(&record.params)
        .bind(&record.reason)
        .bind(&started)
        .bind(&command)
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

    async fn progress(
        &self,
        record: &ActionRecord,
        result: &ActionResult,
    ) -> Result<(), PortError> {
        const WHAT: &str = "noting an action's progress";
        let json = serde_json::to_string(result).context(WHAT)?;
        sqlx::query(&super::sql::numbered(
            "UPDATE actions SET result = ? WHERE idempotency_key IN (?, ?) AND state = 'running'",
        ))
        .bind(&json)
        .bind(record.key.scoped(&record.env, record.actor_id.as_str()))
        .bind(legacy_key(record))
        .execute(&self.pool)
        .await
        .context(WHAT)?;
        Ok(())
    }

    async fn finish(
        &self,
        record: &ActionRecord,
        result: &ActionResult,
        outcome: AuditEntry,
    ) -> Result<bool, PortError> {
        Ok(self.record_finish(record, result, outcome, None).await?)
    }

    async fn finish_following(
        &self,
        record: &ActionRecord,
        result: &ActionResult,
        outcome: AuditEntry,
        follow: &NewRollout,
    ) -> Result<bool, PortError> {
        Ok(self
            .record_finish(record, result, outcome, Some(follow))
            .await?)
    }

    async fn unsettled(
        &self,
        started_before: chrono::DateTime<Utc>,
    ) -> Result<Vec<Unsettled>, PortError> {
        const WHAT: &str = "listing unsettled actions";
        // `created_at` is RFC 3339 in UTC throughout, so text order is time order.
        let rows: Vec<UnsettledRow> = sqlx::query_as(&super::sql::numbered(
            "SELECT idempotency_key, actor, actor_id, env, kind, target, params, reason, result, command, created_at
             FROM actions WHERE state IN ('running', 'checking') AND created_at < ? ORDER BY id LIMIT ?",
        ))
        .bind(started_before.to_rfc3339())
        .bind(UNSETTLED_BATCH)
        .fetch_all(&self.pool)
        .await
        .context(WHAT)?;
        Ok(super::error::readable(
            rows,
            UnsettledRow::parse,
            "an unsettled action that cannot be read",
        ))
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
            rollout: None,
        }
    }

    fn command() -> ActionCommand {
        ActionCommand::Scale {
            cluster: "main".into(),
            service: "web".into(),
            desired: 3,
            from: Some(2),
            range: None,
        }
    }

    fn running() -> ActionResult {
        ActionResult {
            status: ActionStatus::Running,
            ..result()
        }
    }

    #[tokio::test]
    async fn an_outcome_is_recorded_once_and_the_sweeper_finds_what_is_unsettled() {
        let (_dir, actions, log) = store().await;
        let internal = ActionRecord {
            key: IdempotencyKey::for_release(4),
            ..record("key-00000001", r#"{"release":4}"#)
        };
        let plain = record("key-00000002", r#"{"desired":3}"#);
        for r in [&internal, &plain] {
            actions
                .begin(r, &command(), &running(), audit(AuditOutcome::Requested))
                .await
                .unwrap();
        }
        // A deploy's progress is kept with the running action.
        let noted = ActionResult {
            revision: Some("arn:td/web:6".into()),
            ..running()
        };
        actions.progress(&plain, &noted).await.unwrap();
        let checking = ActionResult {
            status: ActionStatus::Checking {
                code: "Timeout".into(),
                message: "AWS did not answer in time".into(),
            },
            ..result()
        };
        assert!(actions
            .finish(&internal, &checking, audit(AuditOutcome::Checking))
            .await
            .unwrap());
        let later = Utc::now() + chrono::Duration::seconds(1);
        let found = actions.unsettled(later).await.unwrap();
        assert_eq!(
            found
                .iter()
                .map(|u| (
                    u.record.clone(),
                    u.command.clone(),
                    u.result
                        .as_ref()
                        .map(|r| (r.status.clone(), r.revision.clone()))
                ))
                .collect::<Vec<_>>(),
            vec![
                (
                    internal.clone(),
                    Some(command()),
                    Some((checking.status.clone(), None))
                ),
                (
                    plain.clone(),
                    Some(command()),
                    Some((ActionStatus::Running, Some("arn:td/web:6".into())))
                ),
            ],
            "both, with their key, command and result so far"
        );
        assert!(
            actions
                .unsettled(Utc::now() - chrono::Duration::minutes(1))
                .await
                .unwrap()
                .is_empty(),
            "nothing started before the cutoff"
        );
        // The first outcome wins; a second writer records nothing, not even an audit row.
        assert!(actions
            .finish(&plain, &result(), audit(AuditOutcome::Succeeded))
            .await
            .unwrap());
        assert!(!actions
            .finish(&plain, &result(), audit(AuditOutcome::Failed))
            .await
            .unwrap());
        let unknown = ActionResult {
            status: ActionStatus::Unknown {
                message: "outcome unknown: the service no longer exists".into(),
            },
            ..result()
        };
        assert!(actions
            .finish(&internal, &unknown, audit(AuditOutcome::Unknown))
            .await
            .unwrap());
        assert!(actions.unsettled(later).await.unwrap().is_empty());
        let outcomes: Vec<String> = log
            .recent(10)
            .await
            .unwrap()
            .iter()
            .map(|(_, e)| e.outcome.clone())
            .collect();
        assert_eq!(
            outcomes,
            ["unknown", "succeeded", "checking", "requested", "requested"]
        );
    }

    #[tokio::test]
    async fn a_key_runs_once_and_then_returns_its_first_result() {
        let (_dir, actions, log) = store().await;
        let r = record("key-00000001", r#"{"desired":3}"#);
        assert_eq!(
            actions
                .begin(&r, &command(), &running(), audit(AuditOutcome::Requested))
                .await
                .unwrap(),
            Begun::Started
        );
        assert_eq!(
            actions
                .begin(&r, &command(), &running(), audit(AuditOutcome::Requested))
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
                .begin(&r, &command(), &running(), audit(AuditOutcome::Requested))
                .await
                .unwrap(),
            Begun::AlreadyDone(Box::new(result_like(&actions, &r).await))
        );
        let other = record("key-00000001", r#"{"desired":9}"#);
        assert_eq!(
            actions
                .begin(
                    &other,
                    &command(),
                    &running(),
                    audit(AuditOutcome::Requested)
                )
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
                .begin(&ana, &command(), &running(), audit(AuditOutcome::Requested))
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
                .begin(
                    &ana_renamed,
                    &command(),
                    &running(),
                    audit(AuditOutcome::Requested)
                )
                .await
                .unwrap(),
            Begun::AlreadyDone(_)
        ));
        for other in [&bob, &ana_in_staging, &other_ana] {
            assert_eq!(
                actions
                    .begin(
                        other,
                        &command(),
                        &running(),
                        audit(AuditOutcome::Requested)
                    )
                    .await
                    .unwrap(),
                Begun::Started,
                "{} in {} acts on its own",
                other.actor,
                other.env
            );
        }
        assert_eq!(
            actions
                .finished(&ana.key, &id("ana"), "staging", ActionKind::Scale)
                .await
                .unwrap()
                .map(|r| r.status),
            Some(ActionStatus::Running),
            "ana's key in staging is its own action, still running"
        );
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
