//! The database: connection pool, migrations, readiness, the serving role's privileges, and the
//! repositories (audit log, actions, release requests, API tokens, incidents, the jobs' lease,
//! whose sign-in session each one is, the webhook outbox, the rollouts followed, the scheduled
//! jobs' runs).

mod actions;
mod audit;
pub mod changes;
mod error;
mod incidents;
pub mod job_runs;
pub mod lease;
pub mod outbox;
pub mod privileges;
mod releases;
mod rollouts;
mod session_owners;
pub mod snapshots;
mod sql;
mod tokens;

pub use actions::SqlActions;
pub use audit::SqlAudit;
pub use error::StoreError;
pub use incidents::SqlIncidents;
pub use outbox::SqlOutbox;
pub use releases::SqlReleases;
pub use rollouts::SqlRollouts;
pub use session_owners::SqlSessionOwners;
pub use sql::{numbered, Backend, Conn, Pool, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
pub use tokens::SqlTokens;

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::Executor;
use std::time::Duration;

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

/// The URL without its password, for messages: the password in its user part
/// (`postgres://qd:***@db/qd`) and a `password=` query parameter (`?password=***`).
pub fn redact(url: &str) -> String {
    let Some(scheme) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    // The authority ends at the first `/`, `?` or `#` after the scheme; its user part at its
    // last `@` (a password may hold `@`).
    let authority_end = url[scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme + i);
    let mut out = String::with_capacity(url.len());
    out.push_str(&url[..scheme]);
    let authority = &url[scheme..authority_end];
    match authority.rsplit_once('@') {
        Some((creds, host)) => match creds.split_once(':') {
            Some((user, _)) => out.push_str(&format!("{user}:***@{host}")),
            None => out.push_str(authority),
        },
        None => out.push_str(authority),
    }
    let rest = &url[authority_end..];
    match rest.split_once('?') {
        Some((path, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, Some(f)),
                None => (query, None),
            };
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            out.push_str(path);
            out.push('?');
            out.push_str(&query.join("&"));
            if let Some(fragment) = fragment {
                out.push('#');
                out.push_str(fragment);
            }
        }
        None => out.push_str(rest),
    }
    out
}

/// Applies the pending migrations of the pool's database.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    Backend::of(pool)
        .migrations()
        .run(pool)
        .await
        .context("applying database migrations")
}

/// For a console that does not migrate at start (`server.migrate_on_start = false`): fails, naming
/// the fix, unless every embedded migration is applied.
pub async fn check_migrated(pool: &Pool) -> anyhow::Result<()> {
    match ready(pool).await {
        Ok(()) => Ok(()),
        Err(StoreError::Unmigrated { applied, expected }) => anyhow::bail!(
            "the database has {applied} of {expected} migrations applied and server.migrate_on_start is false: run `quarterdeck migrate` as the database owner first"
        ),
        Err(e) => Err(anyhow::Error::new(e).context("checking the database's migrations")),
    }
}

/// Ready means: the database answers and every embedded migration is applied.
pub async fn ready(pool: &Pool) -> Result<(), StoreError> {
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = true")
            .fetch_one(pool)
            .await
            .map_err(|e| StoreError::from(e).context("database not reachable"))?;
    let expected = Backend::of(pool).migrations().iter().count() as i64;
    if applied < expected {
        return Err(StoreError::Unmigrated { applied, expected });
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

    #[test]
    fn passwords_never_survive_redaction() {
        let cases = [
            (
                "postgres://qd:p@ss:w0rd@db.internal:5432/qd",
                "postgres://qd:***@db.internal:5432/qd",
            ),
            (
                "postgres://qd@db.internal/qd?password=s3cret&sslmode=require",
                "postgres://qd@db.internal/qd?password=***&sslmode=require",
            ),
            (
                "postgres://db.internal/qd?sslmode=require&PASSWORD=s3cret",
                "postgres://db.internal/qd?sslmode=require&PASSWORD=***",
            ),
            (
                "postgres://qd:s3cret@db.internal/qd?sslrootcert=/certs/a@b.pem",
                "postgres://qd:***@db.internal/qd?sslrootcert=/certs/a@b.pem",
            ),
            (
                "postgres://qd@db.internal/qd",
                "postgres://qd@db.internal/qd",
            ),
            ("sqlite::memory:", "sqlite::memory:"),
        ];
        for (url, want) in cases {
            assert_eq!(redact(url), want, "{url}");
        }
    }
}
