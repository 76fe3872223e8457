//! The database goes away and comes back (PostgreSQL, through a TCP proxy the test can cut):
//! `/readyz` says unready while it is gone and ready once it is back, an action asked for during
//! the outage is refused without touching AWS (its intent could not be recorded), and the audit
//! rows written before are all still there afterwards. Runs in the PostgreSQL pass.

use crate::helpers::{
    fresh_postgres_database, spawn_app_with_overrides, Account, Auth, TestApp, TestEnv,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Forwards TCP connections to `upstream` while up; when cut, closes every open connection and
/// refuses new ones.
struct Cable {
    addr: String,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Cable {
    async fn to(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (flag, conns) = (Arc::clone(&up), Arc::clone(&open));
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                conns.lock().expect("lock").push(task);
            }
        });
        Self { addr, up, open }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.open.lock().expect("lock").drain(..) {
            task.abort();
        }
    }

    fn mend(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Whether `/readyz` answers `status` within `tries` quarter-seconds.
async fn readyz_becomes(app: &TestApp, status: u16, tries: u32) -> bool {
    for _ in 0..tries {
        if app.get("/readyz").await.status() == status {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

#[tokio::test]
async fn readiness_follows_the_database_and_nothing_runs_without_its_audit_row() {
    let Some(direct) = fresh_postgres_database().await else {
        eprintln!("database outage test: runs in the PostgreSQL pass of the test command");
        return;
    };
    // postgres://user@host:port/db → the proxy in place of host:port.
    let (head, rest) = direct.split_once('@').expect("user@host");
    let (host_port, db) = rest.split_once('/').expect("host/db");
    let cable = Cable::to(host_port.to_string()).await;
    let through = format!("{head}@{}/{db}", cable.addr);

    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &account)],
        Auth::Dev,
        &[("QD_SERVER__DATABASE_URL", through.as_str())],
    )
    .await;
    let olga = app.person("olga", "operator").await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&app.state.pool)
        .await
        .expect("count");
    assert!(before >= 1, "the sign-in is audited");

    cable.cut();
    assert!(
        readyz_becomes(&app, 503, 40).await,
        "/readyz reports the database gone"
    );
    let gone = app.get("/readyz").await.text().await.expect("body");
    let body: serde_json::Value = serde_json::from_str(&gone).expect("json");
    assert_eq!(body["database"], "unavailable", "{gone}");
    for detail in [cable.addr.as_str(), "127.0.0.1", "postgres", "connect"] {
        assert!(
            !gone.contains(detail),
            "anonymous /readyz names what is not ready, not why: {gone}"
        );
    }
    let calls = app.aws_calls("UpdateService");
    let scale = olga
        .call(
            "scale_service",
            &[
                ("env", "dev"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "outage-scale-01"),
                ("reason", "during the outage"),
            ],
        )
        .await;
    assert!(
        scale.status().is_server_error(),
        "refused while its intent cannot be recorded: {}",
        scale.status()
    );
    assert_eq!(app.aws_calls("UpdateService"), calls, "AWS untouched");

    cable.mend();
    assert!(
        readyz_becomes(&app, 200, 60).await,
        "/readyz recovers with the database"
    );
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&app.state.pool)
        .await
        .expect("count");
    assert!(after >= before, "no audit row lost: {before} → {after}");
    let retried = olga
        .call(
            "scale_service",
            &[
                ("env", "dev"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "outage-scale-02"),
                ("reason", "after the outage"),
            ],
        )
        .await;
    assert_eq!(retried.status(), 200, "{:?}", retried.text().await);
    assert_eq!(app.aws_calls("UpdateService"), calls + 1);
}
