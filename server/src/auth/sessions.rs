//! Sessions in the database: cookie settings and what a session stores.

use crate::config::Settings;
use anyhow::Context;
use app::domain::policy::Principal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// Not `_session`: identity providers use that name on the same host.
pub const COOKIE_NAME: &str = "qd_session";
/// The session key holding the signed-in user.
pub const USER_KEY: &str = "user";

/// What a session remembers about its user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub principal: Principal,
    pub signed_in_at: DateTime<Utc>,
}

/// Sessions in the console's database, SQLite or PostgreSQL: every replica reads the same ones.
#[derive(Debug, Clone)]
pub enum SqlSessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SqlSessions {
    /// Opens a small pool of its own on `url` and, with `create`, creates the session table when
    /// missing (a serving role without DDL leaves that to `quarterdeck migrate`).
    pub async fn open(url: &str, create: bool) -> anyhow::Result<Self> {
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
                SqlSessions::Sqlite(SqliteStore::new(pool))
            }
            crate::store::Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .connect(url)
                    .await?;
                SqlSessions::Postgres(PostgresStore::new(pool))
            }
        };
        if create {
            match &store {
                SqlSessions::Sqlite(s) => s.migrate().await,
                SqlSessions::Postgres(s) => s.migrate().await,
            }
            .context("creating the session table")?;
        }
        Ok(store)
    }
}

#[async_trait::async_trait]
impl SessionStore for SqlSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            SqlSessions::Sqlite(s) => s.create(record).await,
            SqlSessions::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            SqlSessions::Sqlite(s) => s.save(record).await,
            SqlSessions::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            SqlSessions::Sqlite(s) => s.load(id).await,
            SqlSessions::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            SqlSessions::Sqlite(s) => s.delete(id).await,
            SqlSessions::Postgres(s) => s.delete(id).await,
        }
    }
}

pub fn layer(store: SqlSessions, settings: &Settings) -> SessionManagerLayer<SqlSessions> {
    let idle = CookieDuration::seconds(settings.server.session_idle_timeout.as_secs() as i64);
    SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.is_https())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}
