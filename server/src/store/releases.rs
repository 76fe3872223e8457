//! Release requests in the database. Every state change is a conditional update inside a
//! transaction with its history entry and audit row, so exactly one caller wins a transition
//! however many requests or processes race for it, and nothing moves without its audit row.

use super::audit::insert_entry;
use super::Pool;
use app::domain::actions::ActionKind;
use app::domain::approvals::{Release, ReleaseEvent, ReleaseState, Vote};
use app::ssr::ports::{ActionCommand, AuditEntry, NewRelease, ReleaseQuery, ReleaseStore};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub struct SqlReleases {
    pool: Pool,
}

impl SqlReleases {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

fn kind_of(text: &str) -> Result<ActionKind, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|e| format!("unknown action kind {text:?} in a release: {e}"))
}

fn time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("bad time {text:?} in a release: {e}"))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    env: String,
    kind: String,
    target: String,
    summary: String,
    changes: String,
    reason: String,
    ticket_url: Option<String>,
    requester: String,
    via_token: Option<String>,
    required: i64,
    state: String,
    created_at: String,
    expires_at: String,
    result: Option<String>,
    break_glass: Option<String>,
    group_key: Option<String>,
    diff: String,
}

const COLUMNS: &str = "id, env, kind, target, summary, changes, reason, ticket_url, requester, via_token, required, state, created_at, expires_at, result, break_glass, group_key, diff";

impl SqlReleases {
    /// The requests of `rows` with their votes and history, read in two queries for all of
    /// them (not two per request).
    async fn complete(&self, rows: Vec<Row>) -> Result<Vec<Release>, String> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let fail = |e: sqlx::Error| format!("reading releases: {e}");
        let marks = vec!["?"; rows.len()].join(", ");
        let votes_sql = format!(
            "SELECT release_id, voter, approve, comment, at FROM release_votes WHERE release_id IN ({marks}) ORDER BY at, voter"
        );
        let events_sql = format!(
            "SELECT release_id, at, actor, what, detail FROM release_events WHERE release_id IN ({marks}) ORDER BY id"
        );
        let votes_sql = crate::store::numbered(&votes_sql);
        let mut votes_query =
            sqlx::query_as::<_, (i64, String, i64, Option<String>, String)>(&votes_sql);
        let events_sql = crate::store::numbered(&events_sql);
        let mut events_query =
            sqlx::query_as::<_, (i64, String, String, String, Option<String>)>(&events_sql);
        for row in &rows {
            votes_query = votes_query.bind(row.id);
            events_query = events_query.bind(row.id);
        }
        let mut votes: HashMap<i64, Vec<Vote>> = HashMap::new();
        for (id, by, approve, comment, at) in
            votes_query.fetch_all(&self.pool).await.map_err(fail)?
        {
            votes.entry(id).or_default().push(Vote {
                by,
                approve: approve != 0,
                comment,
                at: time(&at)?,
            });
        }
        let mut events: HashMap<i64, Vec<ReleaseEvent>> = HashMap::new();
        for (id, at, actor, what, detail) in
            events_query.fetch_all(&self.pool).await.map_err(fail)?
        {
            events.entry(id).or_default().push(ReleaseEvent {
                at: time(&at)?,
                actor,
                what,
                detail,
            });
        }
        rows.into_iter()
            .map(|row| {
                Ok(Release {
                    votes: votes.remove(&row.id).unwrap_or_default(),
                    history: events.remove(&row.id).unwrap_or_default(),
                    id: row.id,
                    env: row.env,
                    kind: kind_of(&row.kind)?,
                    target: row.target,
                    summary: row.summary,
                    changes: serde_json::from_str(&row.changes).map_err(|e| e.to_string())?,
                    reason: row.reason,
                    ticket_url: row.ticket_url,
                    requester: row.requester,
                    via_token: row.via_token,
                    required: u32::try_from(row.required).unwrap_or(1),
                    state: ReleaseState::parse(&row.state)?,
                    created_at: time(&row.created_at)?,
                    expires_at: time(&row.expires_at)?,
                    result: row.result,
                    break_glass: row.break_glass,
                    group: row.group_key,
                    diff: serde_json::from_str(&row.diff).map_err(|e| e.to_string())?,
                })
            })
            .collect()
    }
}

async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    event: &ReleaseEvent,
) -> Result<(), sqlx::Error> {
    sqlx::query(&crate::store::numbered(
        "INSERT INTO release_events (release_id, at, actor, what, detail) VALUES (?, ?, ?, ?, ?)",
    ))
    .bind(id)
    .bind(event.at.to_rfc3339())
    .bind(&event.actor)
    .bind(&event.what)
    .bind(&event.detail)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

#[async_trait::async_trait]
impl ReleaseStore for SqlReleases {
    async fn create(&self, release: &NewRelease, audit: AuditEntry) -> Result<(i64, bool), String> {
        let fail = |e: sqlx::Error| format!("recording a release request: {e}");
        let existing: Option<(i64,)> = sqlx::query_as(&crate::store::numbered(
            "SELECT id FROM releases WHERE request_key = ?",
        ))
        .bind(&release.request_key)
        .fetch_optional(&self.pool)
        .await
        .map_err(fail)?;
        if let Some((id,)) = existing {
            return Ok((id, false));
        }
        let command = serde_json::to_string(&release.command).map_err(|e| e.to_string())?;
        let changes = serde_json::to_string(&release.changes).map_err(|e| e.to_string())?;
        let diff = serde_json::to_string(&release.diff).map_err(|e| e.to_string())?;
        let mut tx = super::begin_write(&self.pool).await.map_err(fail)?;
        let inserted = sqlx::query_scalar::<_, i64>(
            &crate::store::numbered("INSERT INTO releases (request_key, env, kind, target, command, summary, changes, reason, ticket_url,
                requester, via_token, required, state, created_at, expires_at, updated_at, group_key, diff)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?) RETURNING id"),
        )
        .bind(&release.request_key)
        .bind(&release.env)
        .bind(release.kind.as_str())
        .bind(&release.target)
        .bind(command)
        .bind(&release.summary)
        .bind(changes)
        .bind(&release.reason)
        .bind(&release.ticket_url)
        .bind(&release.requester)
        .bind(&release.via_token)
        .bind(i64::from(release.required))
        .bind(release.created_at.to_rfc3339())
        .bind(release.expires_at.to_rfc3339())
        .bind(release.created_at.to_rfc3339())
        .bind(&release.group)
        .bind(diff)
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(id) => id,
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                drop(tx);
                let (id,): (i64,) = sqlx::query_as(&crate::store::numbered(
                    "SELECT id FROM releases WHERE request_key = ?",
                ))
                .bind(&release.request_key)
                .fetch_one(&self.pool)
                .await
                .map_err(fail)?;
                return Ok((id, false));
            }
            Err(e) => return Err(fail(e)),
        };
        let event = ReleaseEvent {
            at: release.created_at,
            actor: release.requester.clone(),
            what: "requested".into(),
            detail: Some(release.reason.clone()),
        };
        insert_event(&mut tx, id, &event).await.map_err(fail)?;
        let audit = AuditEntry {
            target: Some(format!("release {id}: {}", release.target)),
            ..audit
        };
        insert_entry(&mut tx, &audit).await.map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok((id, true))
    }

    async fn get(&self, id: i64) -> Result<Option<Release>, String> {
        let row: Option<Row> = sqlx::query_as(&crate::store::numbered(&format!(
            "SELECT {COLUMNS} FROM releases WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| format!("reading a release: {e}"))?;
        match row {
            Some(row) => Ok(self.complete(vec![row]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn command(&self, id: i64) -> Result<Option<ActionCommand>, String> {
        let row: Option<(String,)> = sqlx::query_as(&crate::store::numbered(
            "SELECT command FROM releases WHERE id = ?",
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| format!("reading a release's command: {e}"))?;
        row.map(|(json,)| serde_json::from_str(&json).map_err(|e| e.to_string()))
            .transpose()
    }

    async fn list(&self, query: &ReleaseQuery) -> Result<Vec<Release>, String> {
        if query.envs.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; query.envs.len()].join(", ");
        let mut sql = format!("SELECT {COLUMNS} FROM releases WHERE env IN ({marks})");
        if query.state.is_some() {
            sql.push_str(" AND state = ?");
        }
        if query.requester.is_some() {
            sql.push_str(" AND requester = ?");
        }
        if query.target.is_some() {
            sql.push_str(" AND target = ?");
        }
        if query.group.is_some() {
            sql.push_str(" AND group_key = ?");
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        let sql = crate::store::numbered(&sql);
        let mut q = sqlx::query_as::<_, Row>(&sql);
        for env in &query.envs {
            q = q.bind(env);
        }
        if let Some(state) = query.state {
            q = q.bind(state.as_str());
        }
        if let Some(requester) = &query.requester {
            q = q.bind(requester);
        }
        if let Some(target) = &query.target {
            q = q.bind(target);
        }
        if let Some(group) = &query.group {
            q = q.bind(group);
        }
        let rows = q
            .bind(query.limit)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| format!("listing releases: {e}"))?;
        self.complete(rows).await
    }

    async fn vote(
        &self,
        id: i64,
        vote: &Vote,
        required: u32,
        audit: AuditEntry,
    ) -> Result<Option<ReleaseState>, String> {
        let fail = |e: sqlx::Error| format!("recording a vote: {e}");
        let mut tx = super::begin_write(&self.pool).await.map_err(fail)?;
        // Votes on one request take turns, so each counts the ones before it (SQLite's
        // BEGIN IMMEDIATE already serialises every writer).
        super::lock_row(&self.pool, &mut tx, "releases", id)
            .await
            .map_err(fail)?;
        let inserted = sqlx::query(
            &crate::store::numbered("INSERT INTO release_votes (release_id, voter, approve, comment, at) VALUES (?, ?, ?, ?, ?)"),
        )
        .bind(id)
        .bind(&vote.by)
        .bind(i64::from(vote.approve))
        .bind(&vote.comment)
        .bind(vote.at.to_rfc3339())
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(fail(e)),
        }
        let (approvals,): (i64,) = sqlx::query_as(&crate::store::numbered(
            "SELECT COUNT(*) FROM release_votes WHERE release_id = ? AND approve = 1",
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?;
        let next = app::domain::approvals::after_vote(
            vote.approve,
            usize::try_from(approvals).unwrap_or(0),
            required,
        );
        // Only a request still awaiting votes moves; a vote that lands after another process
        // closed it changes nothing but is still on record.
        sqlx::query(&crate::store::numbered(
            "UPDATE releases SET state = ?, updated_at = ? WHERE id = ? AND state = 'requested'",
        ))
        .bind(next.as_str())
        .bind(vote.at.to_rfc3339())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        let what = if vote.approve { "approved" } else { "rejected" };
        let detail = match (&vote.comment, next) {
            (c, ReleaseState::Approved) if vote.approve => Some(format!(
                "{approvals} of {required} approvals: ready to run{}",
                c.as_ref().map(|c| format!(" — {c}")).unwrap_or_default()
            )),
            (c, _) if vote.approve => Some(format!(
                "{approvals} of {required} approvals{}",
                c.as_ref().map(|c| format!(" — {c}")).unwrap_or_default()
            )),
            (c, _) => c.clone(),
        };
        insert_event(
            &mut tx,
            id,
            &ReleaseEvent {
                at: vote.at,
                actor: vote.by.clone(),
                what: what.into(),
                detail: detail.clone(),
            },
        )
        .await
        .map_err(fail)?;
        insert_entry(
            &mut tx,
            &AuditEntry {
                detail: detail.or(audit.detail.clone()),
                ..audit
            },
        )
        .await
        .map_err(fail)?;
        let (state,): (String,) = sqlx::query_as(&crate::store::numbered(
            "SELECT state FROM releases WHERE id = ?",
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        ReleaseState::parse(&state).map(Some)
    }

    async fn transition(
        &self,
        id: i64,
        from: &[ReleaseState],
        to: ReleaseState,
        event: &ReleaseEvent,
        audit: AuditEntry,
    ) -> Result<bool, String> {
        let fail = |e: sqlx::Error| format!("moving a release to {to}: {e}");
        if from.is_empty() {
            return Ok(false);
        }
        let marks = vec!["?"; from.len()].join(", ");
        let sql = format!(
            "UPDATE releases SET state = ?, updated_at = ? WHERE id = ? AND state IN ({marks})"
        );
        let mut tx = super::begin_write(&self.pool).await.map_err(fail)?;
        let sql = crate::store::numbered(&sql);
        let mut q = sqlx::query(&sql)
            .bind(to.as_str())
            .bind(event.at.to_rfc3339())
            .bind(id);
        for state in from {
            q = q.bind(state.as_str());
        }
        let moved = q.execute(&mut *tx).await.map_err(fail)?.rows_affected() == 1;
        if !moved {
            return Ok(false);
        }
        insert_event(&mut tx, id, event).await.map_err(fail)?;
        insert_entry(&mut tx, &audit).await.map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(true)
    }

    async fn annotate(
        &self,
        id: i64,
        result: Option<&str>,
        break_glass: Option<&str>,
    ) -> Result<(), String> {
        sqlx::query(
            &crate::store::numbered("UPDATE releases SET result = COALESCE(?, result), break_glass = COALESCE(?, break_glass) WHERE id = ?"),
        )
        .bind(result)
        .bind(break_glass)
        .bind(id)
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(|e| format!("annotating a release: {e}"))
    }

    async fn ids_in(&self, states: &[ReleaseState]) -> Result<Vec<i64>, String> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; states.len()].join(", ");
        let sql = format!("SELECT id FROM releases WHERE state IN ({marks}) ORDER BY id");
        let sql = crate::store::numbered(&sql);
        let mut q = sqlx::query_as::<_, (i64,)>(&sql);
        for state in states {
            q = q.bind(state.as_str());
        }
        Ok(q.fetch_all(&self.pool)
            .await
            .map_err(|e| format!("listing releases by state: {e}"))?
            .into_iter()
            .map(|(id,)| id)
            .collect())
    }
}
