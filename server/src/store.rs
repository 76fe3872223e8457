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

use anyhow::Context;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// The project's migrations, embedded at build time from `migrations/`.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Opens (creating if needed) the database behind `url`, with WAL and a busy timeout.
pub async fn connect(url: &str) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("server.database_url {url:?} is not a valid sqlite URL"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    if let Some(parent) = options.get_filename().parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the data directory {}", parent.display()))?;
        }
    }
    SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .with_context(|| format!("opening the database {url}"))
}

/// Starts a transaction that writes: SQLite takes the write lock at once (`BEGIN IMMEDIATE`), so
/// concurrent writers (other requests, other processes on the same file) wait for it within the
/// busy timeout instead of failing when a read transaction would have to upgrade.
pub(crate) async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// Applies pending migrations, including the session store's table.
pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("applying database migrations")?;
    tower_sessions_sqlx_store::SqliteStore::new(pool.clone())
        .migrate()
        .await
        .context("creating the session table")?;
    Ok(())
}

/// Ready means: the database answers and every embedded migration is applied.
pub async fn ready(pool: &SqlitePool) -> Result<(), String> {
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(pool)
            .await
            .map_err(|e| format!("database not reachable: {e}"))?;
    let expected = MIGRATOR.iter().count() as i64;
    if applied < expected {
        return Err(format!("{applied} of {expected} migrations applied"));
    }
    Ok(())
}
