//! The SQL both databases share: the pool and connection types, which database a pool speaks
//! to with its embedded migrations, `?` parameters numbered for both, and the write
//! transaction and row lock every repository's state changes take, and how times are stored.

use super::error::StoreError;
use anyhow::bail;
use sqlx::migrate::Migrator;

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

    pub fn migrations(self) -> &'static Migrator {
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

/// Starts a transaction that writes. SQLite takes the write lock at once (`BEGIN IMMEDIATE`), so
/// concurrent writers (other requests, other processes on the same file) wait for it within the
/// busy timeout instead of failing when a read transaction would have to upgrade; PostgreSQL's
/// row locks and the conditional updates do the same there.
pub(crate) async fn begin_write(
    pool: &Pool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
    let tx = match Backend::of(pool) {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => pool.begin().await?,
    };
    Ok(tx)
}

/// Locks one row of `table` for the rest of the transaction on PostgreSQL (`FOR UPDATE`), so
/// read-then-write steps on it take turns; on SQLite the write transaction holds the database.
pub(crate) async fn lock_row(
    pool: &Pool,
    conn: &mut Conn,
    table: &'static str,
    id: i64,
) -> Result<(), StoreError> {
    if Backend::of(pool) == Backend::Postgres {
        sqlx::query(&format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// A time as stored: RFC 3339 UTC with milliseconds, so text order is time order.
pub(crate) fn stored_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A stored time read back; `what` names it when it does not parse.
pub(crate) fn read_time(
    what: &'static str,
    text: &str,
) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| StoreError::corrupt(what, text, e))
}
