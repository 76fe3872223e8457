//! Running an action against a service that moved on, and outcomes AWS does not tell: an
//! approval (or a stale review) never reverts a later change; an UpdateService without a clear
//! answer is never recorded as failed or done before the service is read back, and keeps the
//! revision it may run; an action left running — by a closed tab or a stopped console — ends
//! with an outcome in the audit, settled by the action sweeper as its own job.

use crate::faults::{active_revisions, service_in_moto as service, Fault, FaultProxy};
use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};
use app::domain::actions::{ActionKind, ActionResult, ActionStatus, IdempotencyKey};
use app::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use app::ports::{ActionCommand, ActionRecord, ActionStore, ReleaseStore};
use std::time::Duration;

/// Cluster `main` with service `web` (2 tasks of `web:1`, image 1.0.0) in a fresh account;
/// answers the account and `web:1`'s ARN.
pub(crate) async fn seeded() -> (Account, String) {
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    (account, td)
}

/// A console whose one environment `prod` reaches AWS at `endpoint` (moto when `None`).
pub(crate) async fn console(
    account: &Account,
    protected: bool,
    endpoint: Option<String>,
    overrides: &[(&str, &str)],
) -> TestApp {
    let mut env = TestEnv::new("prod", account);
    env.protected = protected;
    env.endpoint = endpoint;
    spawn_app_with_overrides(vec![env], Auth::Dev, overrides).await
}

/// The form fields of a deploy of `registry.example/web:1.1.0` to `web`'s container `app`.
pub(crate) fn deploy_args<'a>(
    key: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut args = vec![
        ("env", "prod"),
        ("cluster", "main"),
        ("service", "web"),
        ("container", "app"),
        ("image", "registry.example/web:1.1.0"),
        ("key", key),
    ];
    args.extend_from_slice(extra);
    args
}

/// `(actor, outcome, detail)` of `kind`'s audit rows, oldest first.
pub(crate) async fn audit_rows(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = app
        .state
        .audit
        .recent(100)
        .await
        .expect("audit rows")
        .into_iter()
        .filter(|(_, e)| e.kind == kind)
        .map(|(_, e)| (e.actor, e.outcome, e.detail.unwrap_or_default()))
        .collect();
    rows.reverse();
    rows
}

fn outcomes(rows: &[(String, String, String)]) -> Vec<&str> {
    rows.iter().map(|(_, o, _)| o.as_str()).collect()
}

/// Waits up to `seconds` for `kind`'s audit rows to reach `count`.
async fn rows_when(
    app: &TestApp,
    kind: &str,
    count: usize,
    seconds: u64,
) -> Vec<(String, String, String)> {
    for _ in 0..seconds * 10 {
        let rows = audit_rows(app, kind).await;
        if rows.len() >= count {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    audit_rows(app, kind).await
}

#[tokio::test]
async fn an_approved_deploy_does_not_revert_a_deploy_made_after_it_was_requested() {
    let (account, web1) = seeded().await;
    let app = console(
        &account,
        true,
        None,
        &[("QD_ENVIRONMENTS__0__APPROVAL", "{ required = 1 }")],
    )
    .await;
    let olga = app.person("olga", "operator").await;
    let requested = olga
        .call(
            "deploy_service",
            &deploy_args(
                "exec-deploy-key-01",
                &[("reason", "release 1.1.0"), ("confirm", "web")],
            ),
        )
        .await;
    assert_eq!(requested.status(), 200);
    let body: serde_json::Value = requested.json().await.expect("json");
    let id = body["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .unwrap_or_else(|| panic!("a release request: {body}"));

    // Before anyone approves, 2.0.0 is deployed behind the request's back.
    let web2 = account
        .task_definition("web", "registry.example/web:2.0.0")
        .await;
    account
        .ecs
        .update_service()
        .cluster("main")
        .service("web")
        .task_definition(&web2)
        .send()
        .await
        .expect("a deploy outside the console");

    let pia = app.person("pia", "approver").await;
    let approved = pia
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "ok")],
        )
        .await;
    assert_eq!(approved.status(), 200);
    let releases: &dyn ReleaseStore = app.state.services.releases.as_ref();
    let release = releases.get(id).await.expect("read").expect("release");
    assert_eq!(release.state.as_str(), "failed");
    let text = release.result.unwrap_or_default();
    assert!(
        text.starts_with("changed since approval: now runs web:2, not web:1; nothing was changed"),
        "{text}"
    );
    // Nothing overwritten, nothing registered: the check came before either.
    assert_eq!(
        service(&account).await.task_definition(),
        Some(web2.as_str())
    );
    assert_eq!(active_revisions(&account).await, [web1, web2]);
    assert_eq!(
        (
            app.aws_calls("RegisterTaskDefinition"),
            app.aws_calls("UpdateService")
        ),
        (0, 0)
    );
    let rows = audit_rows(&app, "deploy").await;
    assert_eq!(
        outcomes(&rows),
        ["approval_requested", "requested", "failed"]
    );
    assert!(
        rows[2]
            .2
            .starts_with("changed since approval: now runs web:2, not web:1"),
        "{rows:?}"
    );
    let page = pia.get_text(&format!("/releases/{id}")).await;
    assert!(
        page.contains("changed since approval: now runs web:2, not web:1"),
        "the request page says why"
    );
}

#[tokio::test]
async fn a_scale_reviewed_before_someone_else_scaled_is_not_run() {
    let (account, _) = seeded().await;
    let app = console(&account, false, None, &[]).await;
    app.sign_in("ana", "operator").await;
    // The console's inventory still says 2 (it refreshes hourly here) when the service is
    // scaled to 4 elsewhere.
    account
        .ecs
        .update_service()
        .cluster("main")
        .service("web")
        .desired_count(4)
        .send()
        .await
        .expect("a scale outside the console");
    let response = app
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "exec-scale-key-01"),
            ],
        )
        .await;
    assert_eq!(response.status(), 409);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("changed since the review: now wants 4 tasks, not 2"),
        "{body}"
    );
    assert_eq!(
        service(&account).await.desired_count(),
        4,
        "not overwritten"
    );
    assert_eq!(app.aws_calls("UpdateService"), 0);
    let rows = audit_rows(&app, "scale").await;
    assert_eq!(outcomes(&rows), ["requested", "failed"]);
    assert!(
        rows[1].2.starts_with("changed since the review"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_deploy_whose_update_times_out_after_aws_applied_it_is_recorded_as_applied() {
    let (account, web1) = seeded().await;
    let proxy = FaultProxy::start().await;
    let app = console(
        &account,
        false,
        Some(proxy.url.clone()),
        &[("QD_AWS__OPERATION_TIMEOUT", "2s")],
    )
    .await;
    app.sign_in("ana", "operator").await;
    // moto applies the update; its answer comes after the console stopped waiting.
    proxy.arm("UpdateService", Fault::Late(Duration::from_secs(5)));
    let response = app
        .call("deploy_service", &deploy_args("exec-late-key-001", &[]))
        .await;
    assert_eq!(response.status(), 200, "applied, so not an error");
    let result: serde_json::Value = response.json().await.expect("json");
    assert_eq!(result["status"], "Succeeded", "{result}");
    let now = service(&account).await;
    let web2 = now.task_definition().unwrap_or_default().to_string();
    assert!(web2.ends_with("/web:2"), "the service runs {web2}");
    assert_eq!(result["revision"], web2.as_str());
    assert_eq!(
        active_revisions(&account).await,
        [web1, web2],
        "the revision the service runs was not deregistered"
    );
    assert_eq!(proxy.seen("DeregisterTaskDefinition"), 0);
    let rows = audit_rows(&app, "deploy").await;
    assert_eq!(outcomes(&rows), ["requested", "succeeded"]);
    assert!(
        rows[1].2.contains("AWS gave no clear answer — Timeout")
            && rows[1].2.contains("reading it back showed the change"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn an_update_lost_on_the_way_is_checked_and_then_settled_as_not_applied() {
    let (account, web1) = seeded().await;
    let proxy = FaultProxy::start().await;
    let app = console(
        &account,
        false,
        Some(proxy.url.clone()),
        &[
            ("QD_AWS__OPERATION_TIMEOUT", "2s"),
            ("QD_SERVER__ACTION_SETTLE_AFTER", "6s"),
            ("QD_SERVER__RELEASE_SWEEP_INTERVAL", "1s"),
        ],
    )
    .await;
    app.sign_in("ana", "operator").await;
    proxy.arm("UpdateService", Fault::Lost(Duration::from_secs(4)));
    let response = app
        .call("deploy_service", &deploy_args("exec-lost-key-001", &[]))
        .await;
    assert_eq!(response.status(), 200, "not known to have failed");
    let result: serde_json::Value = response.json().await.expect("json");
    assert_eq!(result["status"]["Checking"]["code"], "Timeout", "{result}");
    // Nothing deregistered while the outcome is unknown: the service might run it.
    let registered = active_revisions(&account).await;
    assert_eq!(registered.len(), 2, "{registered:?}");
    assert_eq!(proxy.seen("DeregisterTaskDefinition"), 0);
    let rows = audit_rows(&app, "deploy").await;
    assert_eq!(outcomes(&rows), ["requested", "checking"]);
    let page = app
        .get_text("/envs/prod/services/main/web?done=exec-lost-key-001")
        .await;
    assert!(
        page.contains("action-checking"),
        "the page says it is not known yet"
    );

    // The sweeper reads the service once the action is old enough: still web:1, so not applied,
    // and the revision registered for it goes.
    let rows = rows_when(&app, "deploy", 3, 20).await;
    assert_eq!(outcomes(&rows), ["requested", "checking", "failed"]);
    let (actor, _, detail) = &rows[2];
    assert_eq!(actor, "quarterdeck", "written as the job");
    assert!(
        detail.starts_with("Timeout: not applied: the service still runs web:1")
            && detail.contains("web:2, was deregistered"),
        "{detail}"
    );
    assert_eq!(
        active_revisions(&account).await,
        std::slice::from_ref(&web1)
    );
    assert_eq!(
        service(&account).await.task_definition(),
        Some(web1.as_str())
    );
}

/// Records an action as the run does before calling AWS, as if the console stopped right after.
async fn left_running(app: &TestApp, key: &str, command: ActionCommand, summary: &str) {
    let kind = match command {
        ActionCommand::Snapshot { .. } => ActionKind::Snapshot,
        _ => ActionKind::Scale,
    };
    let target = match &command {
        ActionCommand::Snapshot { db, .. } => db.clone(),
        _ => "main/web".to_string(),
    };
    let record = ActionRecord {
        key: IdempotencyKey::parse(key).expect("key"),
        actor: "ana".into(),
        actor_id: app::domain::person::PersonId::dev("ana").expect("id"),
        env: "prod".into(),
        kind,
        target: target.clone(),
        params: "{}".into(),
        reason: None,
    };
    let started = ActionResult {
        kind,
        env: "prod".into(),
        target: target.clone(),
        status: ActionStatus::Running,
        summary: summary.into(),
        at: chrono::Utc::now(),
        actor: "ana".into(),
        key: key.into(),
        reason: None,
        revision: None,
        rollout: None,
    };
    let intent = AuditEntry {
        actor: "ana".into(),
        actor_id: app::domain::person::PersonId::dev("ana").expect("id"),
        kind: AuditKind::Action(kind),
        env: Some("prod".into()),
        target: Some(target),
        outcome: AuditOutcome::Requested,
        detail: Some(summary.into()),
        ip: None,
        user_agent: None,
        token_id: None,
        via: None,
    };
    let store: &dyn ActionStore = app.state.services.action_store.as_ref();
    store
        .begin(&record, &command, &started, intent)
        .await
        .expect("recording an action");
}

#[tokio::test]
async fn actions_a_stopped_console_left_running_are_settled_by_the_sweeper_with_an_audit_row() {
    let (account, _) = seeded().await;
    account.database("shop-db", "shop").await;
    let proxy = FaultProxy::start().await;
    let app = console(
        &account,
        false,
        Some(proxy.url.clone()),
        &[
            ("QD_SERVER__ACTION_SETTLE_AFTER", "3s"),
            ("QD_SERVER__RELEASE_SWEEP_INTERVAL", "1s"),
        ],
    )
    .await;
    // A scale AWS applied before the console stopped (moto is scaled by hand to stand for it),
    // and a snapshot it never asked for.
    account
        .ecs
        .update_service()
        .cluster("main")
        .service("web")
        .desired_count(3)
        .send()
        .await
        .expect("scale in moto");
    left_running(
        &app,
        "stopped-scale-0001",
        ActionCommand::Scale {
            cluster: "main".into(),
            service: "web".into(),
            desired: 3,
            from: Some(2),
            range: None,
        },
        "desired count 2 → 3",
    )
    .await;
    left_running(
        &app,
        "stopped-snap-00001",
        ActionCommand::Snapshot {
            db: "shop-db".into(),
            aurora: false,
            name: "shop-db-qd-never-taken".into(),
        },
        "snapshot shop-db-qd-never-taken",
    )
    .await;
    // One from before commands were kept with actions (and before people had ids, as the
    // migration left it: its key scoped by the name): nothing to read it by.
    let legacy_key = "prod/stopped-old-00001/ana";
    let at = (chrono::Utc::now() - chrono::Duration::minutes(20)).to_rfc3339();
    sqlx::query(&format!(
        "INSERT INTO actions (idempotency_key, actor, actor_id, env, kind, target, params, state, created_at) \
         VALUES ('{legacy_key}', 'ana', 'legacy:ana', 'prod', 'redeploy', 'main/web', '{{}}', 'running', '{at}')"
    ))
    .execute(&app.state.pool)
    .await
    .expect("an action recorded by an older console");

    let scale = rows_when(&app, "scale", 2, 20).await;
    assert_eq!(
        scale,
        [
            (
                "ana".to_string(),
                "requested".to_string(),
                "desired count 2 → 3".to_string()
            ),
            (
                "quarterdeck".to_string(),
                "succeeded".to_string(),
                "desired count 2 → 3 (settled by reading the resource after Interrupted)"
                    .to_string()
            ),
        ]
    );
    let snapshot = rows_when(&app, "snapshot", 2, 10).await;
    assert_eq!(outcomes(&snapshot), ["requested", "failed"]);
    assert_eq!(
        snapshot[1].2,
        "Interrupted: not applied: there is no snapshot of that name"
    );
    let legacy = rows_when(&app, "redeploy", 1, 10).await;
    assert_eq!(outcomes(&legacy), ["unknown"]);
    assert!(
        legacy[0]
            .2
            .starts_with("outcome unknown: the action was recorded without what it ran"),
        "{legacy:?}"
    );

    // A resource that cannot be read is settled too, as unknown, and says why.
    proxy.arm(
        "DescribeServices",
        Fault::access_denied("ecs:DescribeServices"),
    );
    left_running(
        &app,
        "stopped-scale-0002",
        ActionCommand::Scale {
            cluster: "main".into(),
            service: "web".into(),
            desired: 5,
            from: Some(3),
            range: None,
        },
        "desired count 3 → 5",
    )
    .await;
    let scale = rows_when(&app, "scale", 4, 20).await;
    assert_eq!(
        outcomes(&scale),
        ["requested", "succeeded", "requested", "unknown"]
    );
    assert!(
        scale[3]
            .2
            .starts_with("outcome unknown: main/web could not be read (AccessDeniedException: "),
        "{scale:?}"
    );
    proxy.disarm("DescribeServices");
    // Settled once: nothing is left for another pass.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(audit_rows(&app, "scale").await.len(), 4);
    let store: &dyn ActionStore = app.state.services.action_store.as_ref();
    assert!(store
        .unsettled(chrono::Utc::now())
        .await
        .expect("unsettled")
        .is_empty());
}

#[tokio::test]
async fn a_direct_action_whose_client_went_away_still_ends_with_an_outcome() {
    let (account, _) = seeded().await;
    let proxy = FaultProxy::start().await;
    let app = console(&account, false, Some(proxy.url.clone()), &[]).await;
    app.sign_in("ana", "operator").await;
    // AWS takes three seconds to answer; the person's browser gives up after a fraction of one.
    proxy.arm("UpdateService", Fault::Late(Duration::from_secs(3)));
    let impatient = app
        .client
        .post(app.url("/api/scale_service"))
        .timeout(Duration::from_millis(300))
        .form(&[
            ("env", "prod"),
            ("cluster", "main"),
            ("service", "web"),
            ("desired", "5"),
            ("key", "exec-gone-key-001"),
        ])
        .send()
        .await;
    assert!(impatient.is_err(), "the client gave up: {impatient:?}");
    let page = app
        .get_text("/envs/prod/services/main/web?done=exec-gone-key-001")
        .await;
    assert!(
        page.contains("action-running"),
        "the page says it is running"
    );

    let rows = rows_when(&app, "scale", 2, 15).await;
    assert_eq!(outcomes(&rows), ["requested", "succeeded"]);
    assert_eq!(rows[1].0, "ana");
    assert_eq!(service(&account).await.desired_count(), 5);
    assert_eq!(proxy.seen("UpdateService"), 1, "run once");
    let page = app
        .get_text("/envs/prod/services/main/web?done=exec-gone-key-001")
        .await;
    assert!(page.contains("action-done"), "then the outcome");
}
