//! Release requests in the database. Every state change is a conditional update inside a
//! transaction with its history entry and audit row, so exactly one caller wins a transition
//! however many requests or processes race for it, and nothing moves without its audit row.
//! A request key is stored within its requester and environment
//! ([`app::domain::actions::IdempotencyKey::scoped`]); a promotion group belongs to whoever
//! opened it, in its environment (`release_groups`), and is closed when that promotion ends.

use super::audit::insert_entry;
use super::error::{person_id, StoreContext, StoreError};
use super::sql::Pool;
use app::domain::actions::ActionKind;
use app::domain::approvals::{Release, ReleaseEvent, ReleaseState, Vote};
use app::ports::{
    ActionCommand, AuditEntry, GroupOwner, NewRelease, PortError, ReleaseCreated, ReleaseQuery,
    ReleaseStore,
};
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

fn kind_of(text: &str) -> Result<ActionKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|e| StoreError::corrupt("release action kind", text, e))
}

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt("release time", text, e))
}

fn state_of(text: &str) -> Result<ReleaseState, StoreError> {
    ReleaseState::parse(text).map_err(|e| StoreError::corrupt("release state", text, e))
}

/// What a transition to `to` is doing, for the error's context.
fn moving_to(to: ReleaseState) -> &'static str {
    match to {
        ReleaseState::Requested => "moving a release to requested",
        ReleaseState::Approved => "moving a release to approved",
        ReleaseState::Executing => "moving a release to executing",
        ReleaseState::Succeeded => "moving a release to succeeded",
        ReleaseState::Failed => "moving a release to failed",
        ReleaseState::Rejected => "moving a release to rejected",
        ReleaseState::Cancelled => "moving a release to cancelled",
        ReleaseState::Expired => "moving a release to expired",
    }
}

fn json<T: serde::de::DeserializeOwned>(what: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, text, e))
}

/// The newest outcome followed per release request of `ids`, in one query.
async fn outcomes_of_releases(
    pool: &Pool,
    ids: &[i64],
) -> Result<HashMap<i64, app::domain::rollout_outcome::RolloutOutcome>, StoreError> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = super::sql::numbered(&format!(
        "SELECT release_id, outcome FROM followed_rollouts WHERE release_id IN ({marks}) ORDER BY id"
    ));
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    for (id, outcome) in query.fetch_all(pool).await? {
        out.insert(id, json("rollout outcome", &outcome)?);
    }
    Ok(out)
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
    requester_id: String,
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

const COLUMNS: &str = "id, env, kind, target, summary, changes, reason, ticket_url, requester, requester_id, via_token, required, state, created_at, expires_at, result, break_glass, group_key, diff";

impl SqlReleases {
    /// The requests of `rows` with their votes, history and followed rollouts, read in three
    /// queries for all of them (not three per request).
    async fn complete(&self, rows: Vec<Row>) -> Result<Vec<Release>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        const WHAT: &str = "reading releases";
        let marks = vec!["?"; rows.len()].join(", ");
        let votes_sql = format!(
            "SELECT release_id, voter, voter_id, approve, comment, at FROM release_votes WHERE release_id IN ({marks}) ORDER BY at, voter_id"
        );
        let events_sql = format!(
            "SELECT release_id, at, actor, what, detail FROM release_events WHERE release_id IN ({marks}) ORDER BY id"
        );
        let votes_sql = super::sql::numbered(&votes_sql);
        let mut votes_query =
            sqlx::query_as::<_, (i64, String, String, i64, Option<String>, String)>(&votes_sql);
        let events_sql = super::sql::numbered(&events_sql);
        let mut events_query =
            sqlx::query_as::<_, (i64, String, String, String, Option<String>)>(&events_sql);
        for row in &rows {
            votes_query = votes_query.bind(row.id);
            events_query = events_query.bind(row.id);
        }
        let mut votes: HashMap<i64, Vec<Vote>> = HashMap::new();
        for (id, by, by_id, approve, comment, at) in
            votes_query.fetch_all(&self.pool).await.context(WHAT)?
        {
            votes.entry(id).or_default().push(Vote {
                by,
                by_id: person_id("voter id", &by_id).context(WHAT)?,
                approve: approve != 0,
                comment,
                at: time(&at).context(WHAT)?,
            });
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut rollouts = outcomes_of_releases(&self.pool, &ids).await.context(WHAT)?;
        let mut events: HashMap<i64, Vec<ReleaseEvent>> = HashMap::new();
        for (id, at, actor, what, detail) in
            events_query.fetch_all(&self.pool).await.context(WHAT)?
        {
            events.entry(id).or_default().push(ReleaseEvent {
                at: time(&at).context(WHAT)?,
                actor,
                what,
                detail,
            });
        }
        rows.into_iter()
            .map(|row| -> Result<Release, StoreError> {
                Ok(Release {
                    votes: votes.remove(&row.id).unwrap_or_default(),
                    history: events.remove(&row.id).unwrap_or_default(),
                    id: row.id,
                    env: row.env,
                    kind: kind_of(&row.kind)?,
                    target: row.target,
                    summary: row.summary,
                    changes: json("release changes", &row.changes)?,
                    reason: row.reason,
                    ticket_url: row.ticket_url,
                    requester_id: person_id("requester id", &row.requester_id)?,
                    requester: row.requester,
                    via_token: row.via_token,
                    required: u32::try_from(row.required).unwrap_or(1),
                    state: state_of(&row.state)?,
                    created_at: time(&row.created_at)?,
                    expires_at: time(&row.expires_at)?,
                    result: row.result,
                    break_glass: row.break_glass,
                    group: row.group_key,
                    diff: json("release diff", &row.diff)?,
                    rollout: rollouts.remove(&row.id),
                })
            })
            .collect::<Result<_, _>>()
            .context(WHAT)
    }
}

pub(crate) async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    event: &ReleaseEvent,
) -> Result<(), StoreError> {
    sqlx::query(&super::sql::numbered(
        "INSERT INTO release_events (release_id, at, actor, what, detail) VALUES (?, ?, ?, ?, ?)",
    ))
    .bind(id)
    .bind(event.at.to_rfc3339())
    .bind(&event.actor)
    .bind(&event.what)
    .bind(&event.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl SqlReleases {
    /// The request recorded under `key` (already scoped to its requester and environment).
    async fn find_by_key(&self, key: &str) -> Result<Option<i64>, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as(&super::sql::numbered(
            "SELECT id FROM releases WHERE request_key = ?",
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }
}

/// Whether a request may join its promotion group.
enum GroupJoin {
    Joined,
    Refused(ReleaseCreated),
}

/// Opens promotion group `group` for `release`'s requester and environment, or joins it if it
/// is theirs, there, and still open; inside the request's write transaction, and the opening
/// insert gives way to a concurrent one (`ON CONFLICT DO NOTHING`, then read who holds it), so
/// two promotions racing for one key cannot both hold it.
async fn join_group(
    conn: &mut sqlx::AnyConnection,
    group: &str,
    release: &NewRelease,
) -> Result<GroupJoin, StoreError> {
    sqlx::query(&super::sql::numbered(
        "INSERT INTO release_groups (group_key, env, creator, creator_id, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (group_key) DO NOTHING",
    ))
    .bind(group)
    .bind(&release.env)
    .bind(&release.requester)
    .bind(release.requester_id.as_str())
    .bind(release.created_at.to_rfc3339())
    .execute(&mut *conn)
    .await?;
    let (env, creator_id, closed_at): (String, String, Option<String>) =
        sqlx::query_as(&super::sql::numbered(
            "SELECT env, creator_id, closed_at FROM release_groups WHERE group_key = ?",
        ))
        .bind(group)
        .fetch_one(&mut *conn)
        .await?;
    Ok(
        if env != release.env || creator_id != release.requester_id.as_str() {
            GroupJoin::Refused(ReleaseCreated::GroupTaken)
        } else if closed_at.is_some() {
            GroupJoin::Refused(ReleaseCreated::GroupClosed)
        } else {
            GroupJoin::Joined
        },
    )
}

#[async_trait::async_trait]
impl ReleaseStore for SqlReleases {
    async fn create(
        &self,
        release: &NewRelease,
        audit: AuditEntry,
    ) -> Result<ReleaseCreated, PortError> {
        const WHAT: &str = "recording a release request";
        let key = release
            .request_key
            .scoped(&release.env, release.requester_id.as_str());
        if let Some(id) = self.find_by_key(&key).await.context(WHAT)? {
            return Ok(ReleaseCreated::Found(id));
        }
        let command = serde_json::to_string(&release.command).context(WHAT)?;
        let changes = serde_json::to_string(&release.changes).context(WHAT)?;
        let diff = serde_json::to_string(&release.diff).context(WHAT)?;
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        if let Some(group) = &release.group {
            match join_group(&mut tx, group, release).await.context(WHAT)? {
                GroupJoin::Joined => {}
                GroupJoin::Refused(refused) => return Ok(refused),
            }
        }
        let inserted = sqlx::query_scalar::<_, i64>(
            &super::sql::numbered("INSERT INTO releases (request_key, env, kind, target, command, summary, changes, reason, ticket_url,
                requester, requester_id, via_token, required, state, created_at, expires_at, updated_at, group_key, diff)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?) RETURNING id"),
        )
        .bind(&key)
        .bind(&release.env)
        .bind(release.kind.as_str())
        .bind(&release.target)
        .bind(command)
        .bind(&release.summary)
        .bind(changes)
        .bind(&release.reason)
        .bind(&release.ticket_url)
        .bind(&release.requester)
        .bind(release.requester_id.as_str())
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
                return match self.find_by_key(&key).await.context(WHAT)? {
                    Some(id) => Ok(ReleaseCreated::Found(id)),
                    None => Err(StoreError::from(e).context(WHAT).into()),
                };
            }
            Err(e) => return Err(StoreError::from(e).context(WHAT).into()),
        };
        let event = ReleaseEvent {
            at: release.created_at,
            actor: release.requester.clone(),
            what: "requested".into(),
            detail: Some(release.reason.clone()),
        };
        insert_event(&mut tx, id, &event).await.context(WHAT)?;
        let audit = AuditEntry {
            target: Some(format!("release {id}: {}", release.target)),
            ..audit
        };
        insert_entry(&mut tx, &audit).await.context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(ReleaseCreated::Created(id))
    }

    async fn group_owner(&self, key: &str) -> Result<Option<GroupOwner>, PortError> {
        const WHAT: &str = "reading a promotion group";
        let row: Option<(String, String, String, Option<String>)> =
            sqlx::query_as(&super::sql::numbered(
                "SELECT env, creator, creator_id, closed_at FROM release_groups WHERE group_key = ?",
            ))
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .context(WHAT)?;
        Ok(row
            .map(|(env, creator, creator_id, closed_at)| {
                Ok::<_, StoreError>(GroupOwner {
                    env,
                    creator,
                    creator_id: person_id("promotion group creator id", &creator_id)?,
                    closed: closed_at.is_some(),
                })
            })
            .transpose()
            .context(WHAT)?)
    }

    async fn close_group(&self, key: &str) -> Result<(), PortError> {
        sqlx::query(&super::sql::numbered(
            "UPDATE release_groups SET closed_at = ? WHERE group_key = ? AND closed_at IS NULL",
        ))
        .bind(Utc::now().to_rfc3339())
        .bind(key)
        .execute(&self.pool)
        .await
        .context("closing a promotion group")?;
        Ok(())
    }

    async fn get(&self, id: i64) -> Result<Option<Release>, PortError> {
        let row: Option<Row> = sqlx::query_as(&super::sql::numbered(&format!(
            "SELECT {COLUMNS} FROM releases WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context("reading a release")?;
        match row {
            Some(row) => Ok(self.complete(vec![row]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn command(&self, id: i64) -> Result<Option<ActionCommand>, PortError> {
        let row: Option<(String,)> = sqlx::query_as(&super::sql::numbered(
            "SELECT command FROM releases WHERE id = ?",
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context("reading a release's command")?;
        Ok(row
            .map(|(text,)| json("release command", &text))
            .transpose()
            .context("reading a release's command")?)
    }

    async fn list(&self, query: &ReleaseQuery) -> Result<Vec<Release>, PortError> {
        if query.envs.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; query.envs.len()].join(", ");
        let mut sql = format!("SELECT {COLUMNS} FROM releases WHERE env IN ({marks})");
        if query.state.is_some() {
            sql.push_str(" AND state = ?");
        }
        if query.requester.is_some() {
            sql.push_str(" AND requester_id = ?");
        }
        if query.target.is_some() {
            sql.push_str(" AND target = ?");
        }
        if query.group.is_some() {
            sql.push_str(" AND group_key = ?");
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        let sql = super::sql::numbered(&sql);
        let mut q = sqlx::query_as::<_, Row>(&sql);
        for env in &query.envs {
            q = q.bind(env);
        }
        if let Some(state) = query.state {
            q = q.bind(state.as_str());
        }
        if let Some(requester) = &query.requester {
            q = q.bind(requester.as_str());
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
            .context("listing releases")?;
        Ok(self.complete(rows).await?)
    }

    async fn vote(
        &self,
        id: i64,
        vote: &Vote,
        required: u32,
        audit: AuditEntry,
    ) -> Result<Option<ReleaseState>, PortError> {
        const WHAT: &str = "recording a vote";
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        // Votes on one request take turns, so each counts the ones before it (SQLite's
        // BEGIN IMMEDIATE already serialises every writer).
        super::sql::lock_row(&self.pool, &mut tx, "releases", id)
            .await
            .context(WHAT)?;
        let inserted = sqlx::query(
            &super::sql::numbered("INSERT INTO release_votes (release_id, voter, voter_id, approve, comment, at) VALUES (?, ?, ?, ?, ?, ?)"),
        )
        .bind(id)
        .bind(&vote.by)
        .bind(vote.by_id.as_str())
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
            Err(e) => return Err(StoreError::from(e).context(WHAT).into()),
        }
        let (approvals,): (i64,) = sqlx::query_as(&super::sql::numbered(
            "SELECT COUNT(*) FROM release_votes WHERE release_id = ? AND approve = 1",
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .context(WHAT)?;
        let next = app::domain::approvals::after_vote(
            vote.approve,
            usize::try_from(approvals).unwrap_or(0),
            required,
        );
        // Only a request still awaiting votes moves; a vote that lands after another process
        // closed it changes nothing but is still on record.
        sqlx::query(&super::sql::numbered(
            "UPDATE releases SET state = ?, updated_at = ? WHERE id = ? AND state = 'requested'",
        ))
        .bind(next.as_str())
        .bind(vote.at.to_rfc3339())
        .bind(id)
        .execute(&mut *tx)
        .await
        .context(WHAT)?;
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
        .context(WHAT)?;
        insert_entry(
            &mut tx,
            &AuditEntry {
                detail: detail.or(audit.detail.clone()),
                ..audit
            },
        )
        .await
        .context(WHAT)?;
        let (state,): (String,) = sqlx::query_as(&super::sql::numbered(
            "SELECT state FROM releases WHERE id = ?",
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(state_of(&state).map(Some).context(WHAT)?)
    }

    async fn transition(
        &self,
        id: i64,
        from: &[ReleaseState],
        to: ReleaseState,
        event: &ReleaseEvent,
        audit: AuditEntry,
    ) -> Result<bool, PortError> {
        let what = moving_to(to);
        if from.is_empty() {
            return Ok(false);
        }
        let marks = vec!["?"; from.len()].join(", ");
        let sql = format!(
            "UPDATE releases SET state = ?, updated_at = ? WHERE id = ? AND state IN ({marks})"
        );
        let mut tx = super::sql::begin_write(&self.pool).await.context(what)?;
        let sql = super::sql::numbered(&sql);
        let mut q = sqlx::query(&sql)
            .bind(to.as_str())
            .bind(event.at.to_rfc3339())
            .bind(id);
        for state in from {
            q = q.bind(state.as_str());
        }
        let moved = q.execute(&mut *tx).await.context(what)?.rows_affected() == 1;
        if !moved {
            return Ok(false);
        }
        insert_event(&mut tx, id, event).await.context(what)?;
        insert_entry(&mut tx, &audit).await.context(what)?;
        tx.commit().await.context(what)?;
        Ok(true)
    }

    async fn annotate(
        &self,
        id: i64,
        result: Option<&str>,
        break_glass: Option<&str>,
    ) -> Result<(), PortError> {
        sqlx::query(
            &super::sql::numbered("UPDATE releases SET result = COALESCE(?, result), break_glass = COALESCE(?, break_glass) WHERE id = ?"),
        )
        .bind(result)
        .bind(break_glass)
        .bind(id)
        .execute(&self.pool)
        .await
        .context("annotating a release")?;
        Ok(())
    }

    async fn ids_in(&self, states: &[ReleaseState]) -> Result<Vec<i64>, PortError> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; states.len()].join(", ");
        let sql = format!("SELECT id FROM releases WHERE state IN ({marks}) ORDER BY id");
        let sql = super::sql::numbered(&sql);
        let mut q = sqlx::query_as::<_, (i64,)>(&sql);
        for state in states {
            q = q.bind(state.as_str());
        }
        Ok(q.fetch_all(&self.pool)
            .await
            .context("listing releases by state")?
            .into_iter()
            .map(|(id,)| id)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::actions::IdempotencyKey;
    use app::domain::audit::{AuditKind, AuditOutcome};
    use app::domain::person::PersonId;

    async fn store() -> (tempfile::TempDir, SqlReleases) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/r.db", dir.path().display());
        let pool = crate::store::connect(&url).await.unwrap();
        crate::store::migrate(&pool).await.unwrap();
        (dir, SqlReleases::new(pool))
    }

    /// `who` is `name` (the dev sign-in's `dev:<name>`) or `name as id` (shown as `name`).
    fn request(key: &str, env: &str, who: &str, group: Option<&str>) -> NewRelease {
        let (requester, id) = match who.split_once(" as ") {
            Some((name, id)) => (name, PersonId::parse(id).unwrap()),
            None => (who, PersonId::dev(who).unwrap()),
        };
        let now = Utc::now();
        NewRelease {
            request_key: IdempotencyKey::parse(key).unwrap(),
            env: env.into(),
            kind: ActionKind::Scale,
            target: "main/web".into(),
            command: ActionCommand::Redeploy {
                cluster: "main".into(),
                service: "web".into(),
                revision: None,
            },
            summary: "redeploy".into(),
            changes: Vec::new(),
            reason: "because".into(),
            ticket_url: None,
            requester: requester.into(),
            requester_id: id,
            via_token: None,
            required: 1,
            created_at: now,
            expires_at: now + chrono::Duration::hours(1),
            group: group.map(str::to_string),
            diff: Vec::new(),
        }
    }

    fn audit() -> AuditEntry {
        AuditEntry {
            actor: "ana".into(),
            actor_id: PersonId::dev("ana").unwrap(),
            kind: AuditKind::Action(ActionKind::Scale),
            env: Some("prod".into()),
            target: None,
            outcome: AuditOutcome::ApprovalRequested,
            detail: None,
            ip: None,
            user_agent: None,
            token_id: None,
            via: None,
        }
    }

    #[tokio::test]
    async fn keys_and_groups_belong_to_their_requester_and_environment() {
        let (_dir, releases) = store().await;
        let create = |r: NewRelease| {
            let releases = &releases;
            async move { releases.create(&r, audit()).await.unwrap() }
        };
        let ReleaseCreated::Created(first) =
            create(request("key-00000001", "prod", "ana", Some("group-0001"))).await
        else {
            panic!("a new request");
        };
        let table = [
            // A retry finds the first request; anyone else's key is another key.
            (("key-00000001", "prod", "ana", Some("group-0001")), "found"),
            // Keys and groups belong to ids: ana under a new name finds hers …
            (
                (
                    "key-00000001",
                    "prod",
                    "ana.lima as dev:ana",
                    Some("group-0001"),
                ),
                "found",
            ),
            // … and someone else called ana does not.
            (
                (
                    "key-00000001",
                    "prod",
                    "ana as oidc:https://idp.example#u-2",
                    None,
                ),
                "created",
            ),
            (("key-00000001", "prod", "bob", None), "created"),
            (("key-00000001", "staging", "ana", None), "created"),
            // The group takes its creator's requests in its environment while open …
            (
                ("key-00000002", "prod", "ana", Some("group-0001")),
                "created",
            ),
            // … and nobody else's, nor any from another environment.
            (("key-00000003", "prod", "bob", Some("group-0001")), "taken"),
            (
                (
                    "key-00000005",
                    "prod",
                    "ana as oidc:https://idp.example#u-2",
                    Some("group-0001"),
                ),
                "taken",
            ),
            (
                ("key-00000003", "staging", "ana", Some("group-0001")),
                "taken",
            ),
        ];
        for ((key, env, who, group), expected) in table {
            let got = match create(request(key, env, who, group)).await {
                ReleaseCreated::Created(_) => "created",
                ReleaseCreated::Found(id) => {
                    assert_eq!(id, first);
                    "found"
                }
                ReleaseCreated::GroupTaken => "taken",
                ReleaseCreated::GroupClosed => "closed",
            };
            assert_eq!(got, expected, "{key} in {env} by {who}");
        }
        releases.close_group("group-0001").await.unwrap();
        let closed = create(request("key-00000004", "prod", "ana", Some("group-0001"))).await;
        assert_eq!(closed, ReleaseCreated::GroupClosed);
        assert_eq!(
            create(request("key-00000001", "prod", "ana", Some("group-0001"))).await,
            ReleaseCreated::Found(first),
            "a retry of the closed promotion still finds its request"
        );
        let owner = releases.group_owner("group-0001").await.unwrap().unwrap();
        assert_eq!(
            (
                owner.env.as_str(),
                owner.creator.as_str(),
                owner.creator_id.as_str(),
                owner.closed
            ),
            ("prod", "ana", "dev:ana", true)
        );
        let members = releases
            .list(&ReleaseQuery {
                envs: vec!["prod".into(), "staging".into()],
                group: Some("group-0001".into()),
                limit: 10,
                ..ReleaseQuery::default()
            })
            .await
            .unwrap();
        assert!(members
            .iter()
            .all(|r| r.requester_id.as_str() == "dev:ana" && r.env == "prod"));
        assert_eq!(members.len(), 2);
    }
}
