//! Whose sign-in session each one is (`session_owners`), beside tower-sessions' own table: a row
//! is written at sign-in, its activity and expiry moved on when the session's activity is
//! written, and removed at sign-out or when an admin ends every session of the person. A
//! session without its row is never written back (see `auth::sessions`), so an ended session
//! cannot come back.

use super::audit::insert_entry;
use super::error::{person_id, StoreContext, StoreError};
use super::sql::{numbered, Pool};
use app::domain::person::PersonId;
use app::domain::policy::Principal;
use app::domain::sessions::{person_key, SignedInPerson};
use app::ports::SessionsEndedAudit;
use chrono::{DateTime, SecondsFormat, Utc};

pub struct SqlSessionOwners {
    pool: Pool,
}

/// Times are stored as RFC 3339 UTC with milliseconds, so text order is time order.
fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt("session time", text, e))
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    person_id: String,
    person: String,
    sessions: i64,
    last_sign_in: String,
    last_active: String,
}

impl SqlSessionOwners {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Files a new session under the person `principal` (by id, with the name it shows); rows of
    /// sessions long expired go at the same time.
    pub async fn record(
        &self,
        session_id: &str,
        principal: &Principal,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const WHAT: &str = "filing a session under its person";
        sqlx::query(&numbered("DELETE FROM session_owners WHERE expires_at < ?"))
            .bind(ts(now))
            .execute(&self.pool)
            .await
            .context(WHAT)?;
        sqlx::query(&numbered(
            "INSERT INTO session_owners (session_id, person, person_id, signed_in_at, last_seen_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        ))
        .bind(session_id)
        .bind(&principal.name)
        .bind(person_key(principal).as_str())
        .bind(ts(now))
        .bind(ts(now))
        .bind(ts(expires_at))
        .execute(&self.pool)
        .await
        .context(WHAT)?;
        Ok(())
    }

    /// Moves a session's activity and expiry on; false when it has no row (ended, or signed in
    /// before sessions were filed).
    pub async fn touch(
        &self,
        session_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(&numbered(
            "UPDATE session_owners SET last_seen_at = ?, expires_at = ? WHERE session_id = ?",
        ))
        .bind(ts(now))
        .bind(ts(expires_at))
        .bind(session_id)
        .execute(&self.pool)
        .await
        .context("writing a session's activity")?;
        Ok(updated.rows_affected() > 0)
    }

    /// Forgets one session (signed out).
    pub async fn forget(&self, session_id: &str) -> Result<(), StoreError> {
        sqlx::query(&numbered("DELETE FROM session_owners WHERE session_id = ?"))
            .bind(session_id)
            .execute(&self.pool)
            .await
            .context("forgetting a session")?;
        Ok(())
    }

    /// The people (by id) with sessions not expired at `now`, most recently active first, each
    /// shown by the name of their latest sign-in.
    pub async fn signed_in(&self, now: DateTime<Utc>) -> Result<Vec<SignedInPerson>, StoreError> {
        const WHAT: &str = "listing the people signed in";
        let rows: Vec<PersonRow> = sqlx::query_as(&numbered(
            "SELECT o.person_id, COUNT(*) AS sessions, MAX(o.signed_in_at) AS last_sign_in,
                    MAX(o.last_seen_at) AS last_active,
                    (SELECT l.person FROM session_owners l WHERE l.person_id = o.person_id
                     ORDER BY l.signed_in_at DESC LIMIT 1) AS person
             FROM session_owners o WHERE o.expires_at > ?
             GROUP BY o.person_id ORDER BY last_active DESC, o.person_id",
        ))
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await
        .context(WHAT)?;
        rows.into_iter()
            .map(|row| {
                Ok(SignedInPerson {
                    sessions: u32::try_from(row.sessions).unwrap_or(u32::MAX),
                    last_sign_in: time(&row.last_sign_in)?,
                    last_active: time(&row.last_active)?,
                    person_id: person_id("session owner id", &row.person_id)?,
                    person: row.person,
                })
            })
            .collect::<Result<_, StoreError>>()
            .context(WHAT)
    }

    /// Removes every session row of the person `person` (by id, whatever names they signed in
    /// under) with the audit row `audit` builds from their number, in one transaction; answers
    /// the ids of the sessions, for their records to go.
    pub async fn end_all(
        &self,
        person: &PersonId,
        audit: &SessionsEndedAudit<'_>,
    ) -> Result<Vec<String>, StoreError> {
        const WHAT: &str = "ending a person's sessions";
        let mut tx = super::sql::begin_write(&self.pool).await.context(WHAT)?;
        let ids: Vec<String> = sqlx::query_scalar(&numbered(
            "SELECT session_id FROM session_owners WHERE person_id = ?",
        ))
        .bind(person.as_str())
        .fetch_all(&mut *tx)
        .await
        .context(WHAT)?;
        sqlx::query(&numbered("DELETE FROM session_owners WHERE person_id = ?"))
            .bind(person.as_str())
            .execute(&mut *tx)
            .await
            .context(WHAT)?;
        insert_entry(&mut tx, &audit(ids.len()))
            .await
            .context(WHAT)?;
        tx.commit().await.context(WHAT)?;
        Ok(ids)
    }
}
