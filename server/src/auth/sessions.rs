//! Sessions in the database: cookie settings, what a session stores, and sessions filed under
//! their person. The cookie is `qd_session`, or `__Host-qd_session` over https (Secure, path `/`,
//! no domain: no sibling host can set or shadow it). A signed-in session is written back only
//! while its row in `session_owners` exists, so a session an admin ended cannot come back.

use crate::config::Settings;
use crate::store::SqlSessionOwners;
use anyhow::Context;
use app::domain::person::PersonId;
use app::domain::policy::Principal;
use app::domain::sessions::SignedInPerson;
use app::ports::{PortError, SessionPort, SessionsEndedAudit};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// Not `_session`: identity providers use that name on the same host.
pub const COOKIE_NAME: &str = "qd_session";
/// The cookie's name over https: the `__Host-` prefix makes browsers refuse it unless it is
/// Secure, for path `/` and without a domain.
pub const HTTPS_COOKIE_NAME: &str = "__Host-qd_session";
/// The session key holding the signed-in user.
pub const USER_KEY: &str = "user";
/// The session key holding when the session's activity was last written.
pub const ACTIVITY_KEY: &str = "active_at";

/// The session cookie's name: `__Host-` prefixed when served over https.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        HTTPS_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// What a session remembers about its user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub principal: Principal,
    pub signed_in_at: DateTime<Utc>,
}

/// What the session of a record says: its user and when its activity was last written, if it
/// is a signed-in session.
pub fn signed_in_user(record: &Record) -> Option<(SessionUser, Option<DateTime<Utc>>)> {
    let user = serde_json::from_value(record.data.get(USER_KEY)?.clone()).ok()?;
    let activity = record
        .data
        .get(ACTIVITY_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    Some((user, activity))
}

fn chrono_time(at: tower_sessions::cookie::time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(at.unix_timestamp(), 0).unwrap_or_default()
}

fn backend_error(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// tower-sessions' table, SQLite or PostgreSQL.
#[derive(Debug, Clone)]
enum Records {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Sessions in the console's database: every replica reads the same ones. Signed-in sessions are
/// filed under their person (`session_owners`).
#[derive(Clone)]
pub struct SqlSessions {
    records: Records,
    owners: Arc<SqlSessionOwners>,
}

impl std::fmt::Debug for SqlSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlSessions")
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl SqlSessions {
    /// Opens a small pool of its own on `url` and, with `create`, creates the session table when
    /// missing (a serving role without DDL leaves that to `quarterdeck migrate`); `owners` files
    /// sessions under their person.
    pub async fn open(
        url: &str,
        create: bool,
        owners: Arc<SqlSessionOwners>,
    ) -> anyhow::Result<Self> {
        let store = match crate::store::Backend::of_url(url)? {
            crate::store::Backend::Sqlite => {
                use std::str::FromStr;
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .busy_timeout(std::time::Duration::from_secs(5));
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await?;
                Records::Sqlite(SqliteStore::new(pool))
            }
            crate::store::Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .connect(url)
                    .await?;
                Records::Postgres(PostgresStore::new(pool))
            }
        };
        if create {
            match &store {
                Records::Sqlite(s) => s.migrate().await,
                Records::Postgres(s) => s.migrate().await,
            }
            .context("creating the session table")?;
        }
        Ok(Self {
            records: store,
            owners,
        })
    }

    /// Who owns which session.
    pub fn owners(&self) -> &SqlSessionOwners {
        &self.owners
    }
}

#[async_trait::async_trait]
impl SessionStore for SqlSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match &self.records {
            Records::Sqlite(s) => s.create(record).await,
            Records::Postgres(s) => s.create(record).await,
        }
    }

    /// A signed-in session is written back only while it is filed under its person, moving its
    /// activity and expiry there too; one that was ended is deleted instead.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if record.data.contains_key(USER_KEY) {
            let filed = self
                .owners
                .touch(
                    &record.id.to_string(),
                    Utc::now(),
                    chrono_time(record.expiry_date),
                )
                .await
                .map_err(backend_error)?;
            if !filed {
                return self.delete(&record.id).await;
            }
        }
        match &self.records {
            Records::Sqlite(s) => s.save(record).await,
            Records::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match &self.records {
            Records::Sqlite(s) => s.load(id).await,
            Records::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match &self.records {
            Records::Sqlite(s) => s.delete(id).await,
            Records::Postgres(s) => s.delete(id).await,
        }
    }
}

/// Why a signed-in session could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the session store failed")]
    Session(#[from] tower_sessions::session::Error),
    #[error("the session could not be filed under its person")]
    Filing(#[from] crate::store::StoreError),
    #[error("the new session has no id")]
    NoId,
}

/// Starts a signed-in session for `principal`: a fresh session id (against session fixation),
/// the user, written at once and filed under the person so an admin can end it.
pub async fn start(
    session: &Session,
    sessions: &SqlSessions,
    principal: Principal,
) -> Result<(), StartError> {
    session.cycle_id().await?;
    let now = Utc::now();
    session
        .insert(
            USER_KEY,
            SessionUser {
                principal: principal.clone(),
                signed_in_at: now,
            },
        )
        .await?;
    // Written now rather than after the response, for its id to be known.
    session.save().await?;
    let id = session.id().ok_or(StartError::NoId)?;
    sessions
        .owners
        .record(
            &id.to_string(),
            &principal,
            now,
            chrono_time(session.expiry_date()),
        )
        .await?;
    Ok(())
}

/// Ends this session at sign-out: its record and its row.
pub async fn end(session: &Session, sessions: &SqlSessions) -> anyhow::Result<()> {
    if let Some(id) = session.id() {
        sessions
            .owners
            .forget(&id.to_string())
            .await
            .context("forgetting the session")?;
    }
    session.flush().await.context("ending the session")
}

#[async_trait::async_trait]
impl SessionPort for SqlSessions {
    async fn signed_in(&self, now: DateTime<Utc>) -> Result<Vec<SignedInPerson>, PortError> {
        Ok(self.owners.signed_in(now).await?)
    }

    /// The rows go first, in one transaction with the audit row, so no write can bring a
    /// session back; then the records.
    async fn end_all(
        &self,
        person: &PersonId,
        audit: &SessionsEndedAudit<'_>,
    ) -> Result<usize, PortError> {
        let ids = self.owners.end_all(person, audit).await?;
        for id in &ids {
            let Ok(id) = id.parse::<Id>() else {
                tracing::warn!(%id, "a filed session id that does not parse");
                continue;
            };
            self.delete(&id).await.map_err(PortError::new)?;
        }
        Ok(ids.len())
    }
}

pub fn layer(store: SqlSessions, settings: &Settings) -> SessionManagerLayer<SqlSessions> {
    let idle = CookieDuration::seconds(settings.server.session_idle_timeout.as_secs() as i64);
    // No domain: a `__Host-` cookie must not have one, and the others need none.
    SessionManagerLayer::new(store)
        .with_name(cookie_name(settings.is_https()))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.is_https())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_takes_the_host_prefix_over_https() {
        assert_eq!(cookie_name(true), "__Host-qd_session");
        assert_eq!(cookie_name(false), "qd_session");
    }
}
