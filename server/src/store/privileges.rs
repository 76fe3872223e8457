//! Least privilege on PostgreSQL: what the role `quarterdeck serve` connects as may do with each
//! table when it owns none of them. `quarterdeck migrate`, run as the owner, grants exactly this to
//! `server.database_app_role` (and takes back anything else it held on the console's tables):
//! reads and inserts everywhere, updates only where rows change state, deletes only of sessions,
//! the jobs lease and delivered webhook notices past their retention; never DDL, TRUNCATE, or an update or delete of a history table. Only the
//! owner may drop or disable the append-only triggers, so the serving role cannot undo them.

use super::sql::{Backend, Pool};
use anyhow::{bail, Context};

/// What the serving role may do with one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only (the migrations' own record, for readiness).
    Read,
    /// Read and add rows: the history tables, whose rows never change once written.
    Append,
    /// Read, add, and change rows (state moves, upserts, row locks); rows are never removed.
    Change,
    /// Read, add, change and remove rows: things that end (sessions, the jobs lease, delivered
    /// webhook notices once their retention has passed).
    Remove,
}

impl Access {
    fn privileges(self) -> &'static str {
        match self {
            Access::Read => "SELECT",
            Access::Append => "SELECT, INSERT",
            Access::Change => "SELECT, INSERT, UPDATE",
            Access::Remove => "SELECT, INSERT, UPDATE, DELETE",
        }
    }
}

/// Every table the migrations create, with what the serving role may do with it. A table missing
/// here makes `migrate` refuse to grant (and a unit test fail), so a new table is never served
/// with privileges nobody decided on.
pub const TABLES: &[(&str, Access)] = &[
    ("_sqlx_migrations", Access::Read),
    ("audit_events", Access::Append),
    ("release_events", Access::Append),
    ("release_votes", Access::Append),
    ("timeline_entries", Access::Append),
    ("actions", Access::Change),
    ("releases", Access::Change),
    ("release_groups", Access::Change),
    ("api_tokens", Access::Change),
    ("alarm_states", Access::Change),
    ("incidents", Access::Change),
    ("incident_alarms", Access::Change),
    ("observed_deployments", Access::Change),
    ("oncall_overrides", Access::Change),
    ("followed_rollouts", Access::Change),
    ("leases", Access::Remove),
    ("session_owners", Access::Remove),
    ("webhook_outbox", Access::Remove),
    ("published_snapshots", Access::Change),
    // A deleted job's runs are forgotten.
    ("job_runs", Access::Remove),
    ("job_watch", Access::Change),
];

/// The sessions' schema and table (tower-sessions' PostgreSQL store), created by `migrate` too.
const SESSION_SCHEMA: &str = "tower_sessions";
const SESSION_TABLE: &str = "session";

/// A role name `migrate` will write into GRANT statements: a plain PostgreSQL identifier.
pub fn check_role_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if first_ok && rest_ok && name.len() <= 63 {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a plain role name (lower-case letters, digits and _, at most 63, not starting with a digit)"
        ))
    }
}

/// `name` quoted as a PostgreSQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Grants `role` what the console needs on the tables of the pool's database, and nothing more:
/// anything it held on them before is revoked first, so privileges shrink when this list does.
/// Run by `quarterdeck migrate` as the owner, after the migrations and the session table.
pub async fn grant_serving_role(pool: &Pool, role: &str) -> anyhow::Result<()> {
    if Backend::of(pool) != Backend::Postgres {
        bail!("server.database_app_role: database roles exist on PostgreSQL only");
    }
    check_role_name(role).map_err(|e| anyhow::anyhow!("server.database_app_role: {e}"))?;
    let (exists, owner): (bool, String) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1), current_user::text",
    )
    .bind(role)
    .fetch_one(pool)
    .await
    .context("looking up the serving role")?;
    if !exists {
        bail!("server.database_app_role: there is no role {role:?}; create it first (CREATE ROLE {role} LOGIN PASSWORD '…')");
    }
    if owner == role {
        bail!("server.database_app_role: {role:?} is the role migrate runs as; the console must serve as another role, one that owns nothing");
    }
    let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(pool)
        .await
        .context("reading the current schema")?;
    let present: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = $1")
            .bind(&schema)
            .fetch_all(pool)
            .await
            .context("listing the console's tables")?;
    let unknown: Vec<&str> = present
        .iter()
        .map(String::as_str)
        .filter(|t| !TABLES.iter().any(|(name, _)| name == t))
        .collect();
    if !unknown.is_empty() {
        bail!(
            "no privileges are decided for the table(s) {} in schema {schema}: add them to server/src/store/privileges.rs",
            unknown.join(", ")
        );
    }
    let role_name = role;
    let role = quoted(role);
    let schema = quoted(&schema);
    let mut statements = vec![
        format!("REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}"),
        format!("GRANT USAGE ON SCHEMA {schema} TO {role}"),
    ];
    for (table, access) in TABLES {
        if present.iter().any(|t| t == table) {
            statements.push(format!(
                "GRANT {} ON {schema}.{} TO {role}",
                access.privileges(),
                quoted(table)
            ));
        }
    }
    statements.push(format!(
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}"
    ));
    let sessions = format!("{}.{}", quoted(SESSION_SCHEMA), quoted(SESSION_TABLE));
    statements.push(format!("REVOKE ALL ON {sessions} FROM {role}"));
    statements.push(format!(
        "GRANT USAGE ON SCHEMA {} TO {role}",
        quoted(SESSION_SCHEMA)
    ));
    statements.push(format!(
        "GRANT {} ON {sessions} TO {role}",
        Access::Remove.privileges()
    ));
    let mut tx = pool.begin().await.context("granting the serving role")?;
    for statement in &statements {
        sqlx::query(statement)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("granting the serving role: {statement}"))?;
    }
    tx.commit().await.context("granting the serving role")?;
    // PostgreSQL before 15 lets every role create objects in `public`; the serving role must not.
    let creates: bool = sqlx::query_scalar(
        "SELECT has_schema_privilege($1, current_schema(), 'CREATE') OR has_database_privilege($1, current_database(), 'CREATE')",
    )
    .bind(role_name)
    .fetch_one(pool)
    .await
    .context("checking what the serving role may create")?;
    if creates {
        bail!("the serving role {role_name} may still create objects in this database or its schema {schema}: REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC (and from {role}), REVOKE CREATE ON DATABASE … FROM PUBLIC, then migrate again");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_table_the_migrations_create_has_its_privileges_decided() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::store::connect(&format!("sqlite://{}/p.db", dir.path().display()))
            .await
            .unwrap();
        crate::store::migrate(&pool).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for table in &tables {
            assert!(
                TABLES.iter().any(|(name, _)| name == table),
                "{table} has no entry in TABLES"
            );
        }
        for (name, _) in TABLES {
            assert!(tables.contains(&name.to_string()), "{name} is not a table");
        }
    }

    #[test]
    fn only_plain_role_names_are_written_into_grants() {
        for good in ["quarterdeck_app", "qd", "_x1"] {
            assert_eq!(check_role_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "1qd",
            "QD",
            "qd app",
            "qd\"; DROP TABLE audit_events; --",
            &"q".repeat(64),
        ] {
            assert!(check_role_name(bad).is_err(), "{bad}");
        }
    }
}
