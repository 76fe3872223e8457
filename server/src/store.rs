//! The database: connection pool, migrations, readiness, and the repositories (audit log,
//! actions, release requests, API tokens, incidents, the jobs' lease).

mod actions;
mod audit;
pub mod changes;
mod incidents;
pub mod lease;
mod releases;
mod tokens;

pub use actions::SqlActions;
pub use audit::SqlAudit;
pub use incidents::SqlIncidents;
pub use releases::SqlReleases;
pub use tokens::SqlTokens;

use anyhow::{bail, Context};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::Executor;
use std::time::Duration;

/// The pool every repository uses: SQLite or PostgreSQL, as `server.database_url` says. Queries
/// are written once, with `$1`-style parameters (see [`numbered`]), and run on both.
pub type Pool = sqlx::AnyPool;
/// A connection or transaction of [`Pool`].
pub type Conn = sqlx::AnyConnection;

/// The project's migrations, embedded at build time, one set per database.
pub static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
pub static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database a URL or pool speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            bail!(
                "server.database_url {url:?}: use sqlite://<file> or postgres://<user>@<host>/<db>"
            )
        }
    }

    pub fn of(pool: &Pool) -> Self {
        if pool
            .connect_options()
            .database_url
            .scheme()
            .starts_with("sqlite")
        {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    fn migrations(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// `sql` with each `?` parameter numbered (`$1`, `$2`, …), the form both SQLite and PostgreSQL
/// accept. Question marks inside quoted strings are left alone.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    out
}

/// A SQLite URL that creates the file when missing.
fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_string());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the data directory {}", parent.display()))?;
        }
    }
    Ok(if url.contains('?') {
        url.to_string()
    } else {
        format!("{url}?mode=rwc")
    })
}

/// Opens the database behind `url`: SQLite (created if missing, WAL, busy timeout, foreign
/// keys) or PostgreSQL.
pub async fn connect(url: &str) -> anyhow::Result<Pool> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url)?;
    let target = match backend {
        Backend::Sqlite => sqlite_url(url)?,
        Backend::Postgres => url.to_string(),
    };
    AnyPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect(&target)
        .await
        .with_context(|| format!("opening the database {}", redact(url)))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Starts a transaction that writes. SQLite takes the write lock at once (`BEGIN IMMEDIATE`), so
/// concurrent writers (other requests, other processes on the same file) wait for it within the
/// busy timeout instead of failing when a read transaction would have to upgrade; PostgreSQL's
/// row locks and the conditional updates do the same there.
pub(crate) async fn begin_write(
    pool: &Pool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    match Backend::of(pool) {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
}

/// Locks one row of `table` for the rest of the transaction on PostgreSQL (`FOR UPDATE`), so
/// read-then-write steps on it take turns; on SQLite the write transaction holds the database.
pub(crate) async fn lock_row(
    pool: &Pool,
    conn: &mut Conn,
    table: &'static str,
    id: i64,
) -> Result<(), sqlx::Error> {
    if Backend::of(pool) == Backend::Postgres {
        sqlx::query(&format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// Applies the pending migrations of the pool's database.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    Backend::of(pool)
        .migrations()
        .run(pool)
        .await
        .context("applying database migrations")
}

/// Ready means: the database answers and every embedded migration is applied.
pub async fn ready(pool: &Pool) -> Result<(), String> {
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = true")
            .fetch_one(pool)
            .await
            .map_err(|e| format!("database not reachable: {e}"))?;
    let expected = Backend::of(pool).migrations().iter().count() as i64;
    if applied < expected {
        return Err(format!("{applied} of {expected} migrations applied"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_outside_quotes() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d IN ($2, $3)"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
        assert_eq!(
            redact("postgres://qd:s3cret@db.internal:5432/qd"),
            "postgres://qd:***@db.internal:5432/qd"
        );
        assert_eq!(redact("sqlite://data/q.db"), "sqlite://data/q.db");
    }
}
