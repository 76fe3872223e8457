//! Records that last: every history table (the audit log, a release request's history and votes,
//! the incident timeline) refuses updates, deletes and — on PostgreSQL — TRUNCATE, whoever asks;
//! and a console serving as a PostgreSQL role that owns nothing (migrated by the owner) works
//! while that role can neither drop the guards nor truncate the log.

use crate::helpers::{fresh_postgres_database, spawn_app_with_overrides, Account, Auth, TestEnv};
use app::ports::ReleaseStore;
use sqlx::Connection;

/// The append-only tables and a column each, for an update that changes nothing but is still one.
const HISTORY: [(&str, &str); 4] = [
    ("audit_events", "actor"),
    ("release_events", "actor"),
    ("release_votes", "voter"),
    ("timeline_entries", "summary"),
];

async fn shop() -> Account {
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    account
}

fn envs(dev: &Account, prod: &Account) -> Vec<TestEnv> {
    let mut protected = TestEnv::new("prod", prod);
    protected.protected = true;
    vec![TestEnv::new("dev", dev), protected]
}

/// A scale of prod's `web` to `to`, which becomes a release request; returns its id.
async fn request_release(person: &crate::helpers::Person, key: &str, to: &str) -> i64 {
    let response = person
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", to),
                ("key", key),
                ("reason", "records test"),
                ("confirm", "web"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    body["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .unwrap_or_else(|| panic!("a release request: {body}"))
}

async fn count(pool: &server::store::Pool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn history_tables_refuse_updates_deletes_and_truncation() {
    let (dev, prod) = (shop().await, shop().await);
    let app = spawn_app_with_overrides(
        envs(&dev, &prod),
        Auth::Dev,
        &[("QD_ENVIRONMENTS__1__APPROVAL", "{ required = 2 }")],
    )
    .await;
    let olga = app.person("olga", "operator").await;
    let rita = app.person("rita", "approver").await;
    let id = request_release(&olga, "records-key-0001", "3").await;
    let voted = rita
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "fine")],
        )
        .await;
    assert_eq!(voted.status(), 200);
    let pool = server::store::connect(&app.database_url())
        .await
        .expect("the console's database");
    sqlx::query(
        "INSERT INTO timeline_entries (env, at, subject, kind, data, summary) VALUES ('prod', '2026-12-17T00:00:00+00:00', 'web', 'note', '{}', 'a note')",
    )
    .execute(&pool)
    .await
    .expect("appending to the timeline is allowed");
    let postgres = server::store::Backend::of(&pool) == server::store::Backend::Postgres;
    for (table, column) in HISTORY {
        let before = count(&pool, table).await;
        assert!(before > 0, "{table} has rows to protect");
        let update = sqlx::query(&format!("UPDATE {table} SET {column} = {column}"))
            .execute(&pool)
            .await;
        let delete = sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&pool)
            .await;
        let mut refused = vec![("UPDATE", update), ("DELETE", delete)];
        if postgres {
            let truncate = sqlx::query(&format!("TRUNCATE {table}"))
                .execute(&pool)
                .await;
            refused.push(("TRUNCATE", truncate));
        }
        for (what, result) in refused {
            match result {
                Ok(done) => panic!("{what} on {table} went through ({done:?})"),
                Err(e) => assert!(e.to_string().contains("append-only"), "{what} {table}: {e}"),
            }
        }
        assert_eq!(count(&pool, table).await, before, "{table} unchanged");
    }
    if postgres {
        // Truncating what the history refers to would take the history with it.
        let cascade = sqlx::query("TRUNCATE releases CASCADE")
            .execute(&pool)
            .await;
        assert!(
            cascade.is_err_and(|e| e.to_string().contains("append-only")),
            "TRUNCATE … CASCADE refused"
        );
    }
    assert_eq!(count(&pool, "release_votes").await, 1);
}

/// `url` with another user (no password: the test server trusts local connections).
fn as_user(url: &str, user: &str) -> String {
    let mut url = reqwest::Url::parse(url).expect("database URL");
    url.set_username(user).expect("a user");
    url.to_string()
}

#[tokio::test]
async fn a_console_serving_as_a_role_without_ddl_works_and_cannot_undo_the_guards() {
    let Some(database) = fresh_postgres_database().await else {
        eprintln!("database roles: this test runs in the PostgreSQL pass of the test command");
        return;
    };
    let name = database
        .rsplit('/')
        .next()
        .expect("database name")
        .to_string();
    let (owner, serving) = (format!("{name}_owner"), format!("{name}_app"));
    let mut admin = sqlx::PgConnection::connect(&database)
        .await
        .expect("the test database as the superuser");
    for statement in [
        format!("CREATE ROLE {owner} LOGIN"),
        format!("CREATE ROLE {serving} LOGIN"),
        format!("ALTER DATABASE {name} OWNER TO {owner}"),
    ] {
        sqlx::query(&statement)
            .execute(&mut admin)
            .await
            .expect(&statement);
    }
    admin.close().await.ok();

    // The owner migrates and grants; the console then serves as the other role.
    let migrated = std::process::Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .arg("migrate")
        .env_remove("QD_CONFIG")
        .env("QD_AUTH__MODE", "dev")
        .env("QD_SERVER__DATABASE_URL", as_user(&database, &owner))
        .env("QD_SERVER__DATABASE_APP_ROLE", &serving)
        .output()
        .expect("quarterdeck migrate");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&migrated.stdout),
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(migrated.status.success(), "{said}");
    assert!(
        said.contains(&format!("granted to the serving role {serving}")),
        "{said}"
    );

    let serving_url = as_user(&database, &serving);
    let (dev, prod) = (shop().await, shop().await);
    let app = spawn_app_with_overrides(
        envs(&dev, &prod),
        Auth::Dev,
        &[
            ("QD_SERVER__DATABASE_URL", serving_url.as_str()),
            ("QD_SERVER__MIGRATE_ON_START", "false"),
        ],
    )
    .await;
    // Signing in, an action, a release request approved and run, the audit page.
    let olga = app.person("olga", "operator").await;
    let scaled = olga
        .call(
            "scale_service",
            &[
                ("env", "dev"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "records-key-0101"),
            ],
        )
        .await;
    assert_eq!(scaled.status(), 200, "{:?}", scaled.text().await);
    let id = request_release(&olga, "records-key-0102", "4").await;
    let rita = app.person("rita", "approver").await;
    let voted = rita
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "go")],
        )
        .await;
    assert_eq!(voted.status(), 200);
    let store: &dyn ReleaseStore = app.state.services.releases.as_ref();
    let release = store.get(id).await.expect("read").expect("the release");
    assert_eq!(release.state.as_str(), "succeeded", "{release:?}");
    let audit = rita.get_text("/audit").await;
    assert!(audit.contains("olga"), "the audit page reads the log");

    // The serving role itself: no DDL on the console's tables, no TRUNCATE, no rewriting history.
    let mut conn = sqlx::PgConnection::connect(&serving_url)
        .await
        .expect("the serving role");
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&mut conn)
        .await
        .expect("the serving role reads the log");
    assert!(before > 0);
    for statement in [
        "DROP TRIGGER audit_events_no_update ON audit_events",
        "DROP TRIGGER audit_events_no_truncate ON audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "ALTER TABLE release_votes DROP CONSTRAINT release_votes_pkey",
        "DROP TABLE timeline_entries",
        "TRUNCATE audit_events",
        "DELETE FROM audit_events",
        "UPDATE audit_events SET actor = 'mallory'",
        "UPDATE release_votes SET approve = 1",
        "DELETE FROM releases",
        "CREATE TABLE sneaky (id INTEGER)",
    ] {
        match sqlx::query(statement).execute(&mut conn).await {
            Ok(_) => panic!("the serving role could run {statement:?}"),
            Err(e) => {
                let e = e.to_string();
                assert!(
                    e.contains("permission denied") || e.contains("must be owner"),
                    "{statement}: {e}"
                );
            }
        }
    }
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert_eq!(after, before);
    conn.close().await.ok();

    // Roles outlive databases: drop this test's two (the test command's sweep drops leftovers).
    drop(app);
    let server = std::env::var("QD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut admin = sqlx::PgConnection::connect(&server).await.expect("server");
    for statement in [
        format!("DROP DATABASE {name} WITH (FORCE)"),
        format!("DROP ROLE {serving}"),
        format!("DROP ROLE {owner}"),
    ] {
        sqlx::query(&statement)
            .execute(&mut admin)
            .await
            .expect(&statement);
    }
}
