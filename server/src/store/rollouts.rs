//! The rollouts the console follows (`followed_rollouts`): one row per change to a service that
//! succeeded, inserted in its action's outcome transaction ([`insert_followed`]) and read by the
//! rollout follower until ECS ends it. The end is one conditional move out of `following`, in one
//! transaction with the outcome written into the action's result, a history entry on the release
//! request it ran for and the audit row, so two followers in a lease hand-over never record one
//! twice.

use super::audit::insert_entry;
use super::error::{StoreContext, StoreError};
use super::sql::{read_time, stored_time, Pool};
use app::domain::actions::{ActionKind, ActionResult};
use app::domain::approvals::ReleaseEvent;
use app::domain::followed::{Expected, FollowedRollout, SeenDeployment};
use app::domain::rollout_outcome::RolloutOutcome;
use app::ports::{AuditEntry, NewRollout, PortError, RolloutStore};
use chrono::{DateTime, Utc};

pub struct SqlRollouts {
    pool: Pool,
}

impl SqlRollouts {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

/// Starts following `rollout` for the action stored under `action_key`, inside the transaction
/// that records the action's outcome.
pub(crate) async fn insert_followed(
    conn: &mut sqlx::AnyConnection,
    action_key: &str,
    rollout: &NewRollout,
) -> Result<(), StoreError> {
    let outcome = serde_json::to_string(&RolloutOutcome::Following)?;
    sqlx::query(&super::sql::numbered(
        "INSERT INTO followed_rollouts (action_key, env, target, cluster, service, kind, summary, actor, release_id, expected, since, state, outcome)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ))
    .bind(action_key)
    .bind(&rollout.env)
    .bind(app::domain::inventory::service_key(&rollout.cluster, &rollout.service))
    .bind(&rollout.cluster)
    .bind(&rollout.service)
    .bind(rollout.kind.as_str())
    .bind(&rollout.summary)
    .bind(&rollout.actor)
    .bind(rollout.release)
    .bind(serde_json::to_string(&rollout.expected)?)
    .bind(stored_time(rollout.since))
    .bind(RolloutOutcome::Following.as_str())
    .bind(outcome)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    env: String,
    cluster: String,
    service: String,
    kind: String,
    summary: String,
    actor: String,
    release_id: Option<i64>,
    expected: String,
    since: String,
    seen: Option<String>,
    outcome: String,
    checked_at: Option<String>,
    ended_at: Option<String>,
}

const COLUMNS: &str = "id, env, cluster, service, kind, summary, actor, release_id, expected, since, seen, outcome, checked_at, ended_at";

fn json<T: serde::de::DeserializeOwned>(what: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, text, e))
}

impl Row {
    fn parse(self) -> Result<FollowedRollout, StoreError> {
        let kind: ActionKind = serde_json::from_value(serde_json::Value::String(self.kind.clone()))
            .map_err(|e| StoreError::corrupt("rollout action kind", &self.kind, e))?;
        let expected: Expected = json("rollout expectation", &self.expected)?;
        let seen: Option<SeenDeployment> = self
            .seen
            .as_deref()
            .map(|s| json("rollout deployment", s))
            .transpose()?;
        let time = |what, text: Option<&str>| text.map(|t| read_time(what, t)).transpose();
        Ok(FollowedRollout {
            id: self.id,
            env: self.env,
            cluster: self.cluster,
            service: self.service,
            kind,
            summary: self.summary,
            actor: self.actor,
            release: self.release_id,
            expected,
            since: read_time("rollout start", &self.since)?,
            seen,
            outcome: json("rollout outcome", &self.outcome)?,
            checked_at: time("rollout reading", self.checked_at.as_deref())?,
            ended_at: time("rollout end", self.ended_at.as_deref())?,
        })
    }
}

#[async_trait::async_trait]
impl RolloutStore for SqlRollouts {
    async fn following(&self, limit: i64) -> Result<Vec<FollowedRollout>, PortError> {
        const WHAT: &str = "listing followed rollouts";
        // Never read first (`checked_at` NULL), then read longest ago.
        let rows: Vec<Row> = sqlx::query_as(&super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM followed_rollouts WHERE state = 'following'
             ORDER BY CASE WHEN checked_at IS NULL THEN 0 ELSE 1 END, checked_at, id LIMIT ?"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context(WHAT)?;
        Ok(super::error::readable(
            rows,
            Row::parse,
            "a followed rollout that cannot be read",
        ))
    }

    async fn checked(
        &self,
        id: i64,
        seen: Option<&SeenDeployment>,
        at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        const WHAT: &str = "noting a rollout's reading";
        let seen = seen.map(serde_json::to_string).transpose().context(WHAT)?;
        sqlx::query(&super::sql::numbered(
            "UPDATE followed_rollouts SET checked_at = ?, seen = COALESCE(?, seen) WHERE id = ? AND state = 'following'",
        ))
        .bind(stored_time(at))
        .bind(seen)
        .bind(id)
        .execute(&self.pool)
        .await
        .context(WHAT)?;
        Ok(())
    }

    async fn end(
        &self,
        id: i64,
        outcome: &RolloutOutcome,
        seen: Option<&SeenDeployment>,
        release_event: Option<&ReleaseEvent>,
        audit: AuditEntry,
    ) -> Result<bool, PortError> {
        const WHAT: &str = "recording the end of a rollout";
        let now = stored_time(Utc::now());
        let outcome_json = serde_json::to_string(outcome).context(WHAT)?;
        let seen = seen.map(serde_json::to_string).transpose().context(WHAT)?;
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        let moved = sqlx::query(&super::sql::numbered(
            "UPDATE followed_rollouts SET state = ?, outcome = ?, seen = COALESCE(?, seen), checked_at = ?, ended_at = ?
             WHERE id = ? AND state = 'following'",
        ))
        .bind(outcome.as_str())
        .bind(&outcome_json)
        .bind(seen)
        .bind(&now)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .context(WHAT)?
        .rows_affected()
            == 1;
        if !moved {
            return Ok(false);
        }
        let (action_key, release_id): (String, Option<i64>) =
            sqlx::query_as(&super::sql::numbered(
                "SELECT action_key, release_id FROM followed_rollouts WHERE id = ?",
            ))
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .context(WHAT)?;
        // The action's own result says how its rollout went (the pages, the API, the timeline).
        let result: Option<(Option<String>,)> = sqlx::query_as(&super::sql::numbered(
            "SELECT result FROM actions WHERE idempotency_key = ?",
        ))
        .bind(&action_key)
        .fetch_optional(&mut *tx)
        .await
        .context(WHAT)?;
        if let Some((Some(text),)) = result {
            let mut result: ActionResult = json("action result", &text).context(WHAT)?;
            result.rollout = Some(outcome.clone());
            sqlx::query(&super::sql::numbered(
                "UPDATE actions SET result = ? WHERE idempotency_key = ?",
            ))
            .bind(serde_json::to_string(&result).context(WHAT)?)
            .bind(&action_key)
            .execute(&mut *tx)
            .await
            .context(WHAT)?;
        }
        if let (Some(release), Some(event)) = (release_id, release_event) {
            super::releases::insert_event(&mut tx, release, event)
                .await
                .context(WHAT)?;
            // The change feed announces the request to every process's pages (in the format
            // of the table's own `updated_at`).
            sqlx::query(&super::sql::numbered(
                "UPDATE releases SET updated_at = ? WHERE id = ?",
            ))
            .bind(event.at.to_rfc3339())
            .bind(release)
            .execute(&mut *tx)
            .await
            .context(WHAT)?;
        }
        insert_entry(&mut tx, &audit).await.context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(true)
    }

    async fn latest(&self, env: &str, target: &str) -> Result<Option<FollowedRollout>, PortError> {
        const WHAT: &str = "reading a service's rollout";
        let row: Option<Row> = sqlx::query_as(&super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM followed_rollouts WHERE env = ? AND target = ? ORDER BY id DESC LIMIT 1"
        )))
        .bind(env)
        .bind(target)
        .fetch_optional(&self.pool)
        .await
        .context(WHAT)?;
        Ok(row.map(Row::parse).transpose().context(WHAT)?)
    }
}
