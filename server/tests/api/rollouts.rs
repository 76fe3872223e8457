//! Following a change to a service to its end, against the real server. moto never runs a
//! rollout (its deployments stay as created), so the console reaches it through the
//! [`FaultProxy`], which answers DescribeServices with recorded answers in the shape the ECS API
//! reference documents — `services[].deployments[]` with `id`, `status`, `taskDefinition`,
//! counts, `rolloutState`, `rolloutStateReason` and epoch-second times — built from the real
//! service's ARNs: a deploy the ECS circuit breaker rolls back ends as "rolled back by ECS:
//! <reason>" in the audit log, the webhook outbox, the service page and (in a protected
//! environment) the release request and the API; a deploy that completes ends as completed. The
//! service page also lists the tasks ECS stopped, with why and how their containers exited.

use crate::execution::{audit_rows, console, deploy_args, seeded};
use crate::faults::{service_in_moto, Fault, FaultProxy};
use crate::helpers::{Account, FlakyReceiver, TestApp};
use app::domain::rollout_outcome::RolloutOutcome;
use serde_json::{json, Value};
use std::time::Duration;

const REASON: &str = "ECS deployment circuit breaker: tasks failed to start.";
const POLL: (&str, &str) = ("QD_SERVER__ROLLOUT_POLL_INTERVAL", "300ms");

struct World {
    app: TestApp,
    account: Account,
    proxy: FaultProxy,
    receiver: FlakyReceiver,
    /// The task definition the service runs as seeded.
    old: String,
}

/// Cluster `main` with service `web` (app `shop`, 2 tasks) in a fresh account, and a console
/// whose one environment `prod` (protected or not) reaches AWS through a fault proxy, with a
/// webhook and quick rollout reads.
async fn world(protected: bool) -> World {
    let proxy = FaultProxy::start().await;
    let (account, old) = seeded().await;
    let receiver = FlakyReceiver::start(true).await;
    let hooks = format!(r#"[{{ name = "chat", url = "{}" }}]"#, receiver.url);
    let app = console(
        &account,
        protected,
        Some(proxy.url.clone()),
        &[POLL, ("QD_NOTIFICATIONS__WEBHOOKS", hooks.as_str())],
    )
    .await;
    World {
        app,
        account,
        proxy,
        receiver,
        old,
    }
}

fn epoch(at: chrono::DateTime<chrono::Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

/// One deployment as DescribeServices reports it, started `started_secs_ago` ago, with ECS's
/// words for its rollout state.
fn deployment(
    id: &str,
    status: &str,
    task_definition: &str,
    (running, desired, pending, failed): (i32, i32, i32, i32),
    rollout: &str,
    started_secs_ago: i64,
) -> Value {
    let now = chrono::Utc::now();
    let reason = match rollout {
        "FAILED" => REASON.to_string(),
        "COMPLETED" => format!("ECS deployment {id} completed."),
        _ => format!("ECS deployment {id} in progress."),
    };
    json!({
        "id": id,
        "status": status,
        "taskDefinition": task_definition,
        "desiredCount": desired,
        "pendingCount": pending,
        "runningCount": running,
        "failedTasks": failed,
        "createdAt": epoch(now - chrono::Duration::seconds(started_secs_ago)),
        "updatedAt": epoch(now - chrono::Duration::seconds(5)),
        "launchType": "FARGATE",
        "rolloutState": rollout,
        "rolloutStateReason": reason,
    })
}

/// The deployment the service ran before the deploy (of `old`), ten hours old.
fn before(old: &str, status: &str, rollout: &str) -> Value {
    deployment(OLD_ID, status, old, (2, 2, 0, 0), rollout, 36_000)
}

const OLD_ID: &str = "ecs-svc/1111111111111111111";
const NEW_ID: &str = "ecs-svc/2222222222222222222";

/// DescribeServices' answer for the real service `web` (its ARNs as moto has them), running the
/// PRIMARY deployment's task definition, with the circuit breaker on and rolling back.
fn describe_services(service: &aws_sdk_ecs::types::Service, deployments: Vec<Value>) -> Value {
    let primary = deployments
        .iter()
        .find(|d| d["status"] == "PRIMARY")
        .map(|d| d["taskDefinition"].clone())
        .unwrap_or(Value::Null);
    let now = chrono::Utc::now();
    json!({
        "services": [{
            "serviceArn": service.service_arn(),
            "serviceName": service.service_name(),
            "clusterArn": service.cluster_arn(),
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "taskDefinition": primary,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": { "enable": true, "rollback": true },
                "maximumPercent": 200,
                "minimumHealthyPercent": 100
            },
            "deployments": deployments,
            "events": [{
                "id": "2d8c1b7e-0000-4000-8000-000000000001",
                "createdAt": epoch(now - chrono::Duration::seconds(20)),
                "message": "(service web) has started 2 tasks: (task 1a2b) (task 3c4d)."
            }],
            "createdAt": epoch(now - chrono::Duration::hours(10)),
            "schedulingStrategy": "REPLICA",
            "tags": [{ "key": "app", "value": "shop" }]
        }],
        "failures": []
    })
}

/// Deploys `registry.example/web:1.1.0` to the service as the operator ana; answers the revision
/// the deploy registered (the service's task definition in moto now).
async fn deploy(w: &World, key: &str) -> String {
    w.app.sign_in("ana", "operator").await;
    let response = w
        .app
        .call(
            "deploy_service",
            &deploy_args(key, &[("reason", "release 1.1.0")]),
        )
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let new = service_in_moto(&w.account)
        .await
        .task_definition()
        .expect("a task definition")
        .to_string();
    assert_ne!(
        new, w.old,
        "the deploy pointed the service at a new revision"
    );
    new
}

/// Arms DescribeServices with the readings of the deploy of `new`: first in progress (its
/// deployment PRIMARY with `new`'s counts, the old one still serving), then `then`.
async fn arm_rollout(w: &World, new: &str, counts: (i32, i32, i32, i32), then: Vec<Value>) {
    let service = service_in_moto(&w.account).await;
    w.proxy.arm(
        "DescribeServices",
        Fault::replay(vec![
            describe_services(
                &service,
                vec![
                    deployment(NEW_ID, "PRIMARY", new, counts, "IN_PROGRESS", 30),
                    before(&w.old, "ACTIVE", "COMPLETED"),
                ],
            ),
            describe_services(&service, then),
        ]),
    );
}

/// The readings of a deploy of `new` that the circuit breaker rolls back to the old revision:
/// in progress, then FAILED with the old deployment PRIMARY again.
async fn arm_rollback(w: &World, new: &str) {
    let then = vec![
        before(&w.old, "PRIMARY", "IN_PROGRESS"),
        deployment(NEW_ID, "ACTIVE", new, (0, 0, 0, 3), "FAILED", 30),
    ];
    arm_rollout(w, new, (0, 2, 2, 1), then).await;
}

/// Waits up to 20 s for an audit row of `kind` with `outcome`; answers its detail.
async fn ended(app: &TestApp, kind: &str, outcome: &str) -> String {
    for _ in 0..200 {
        if let Some((_, _, detail)) = audit_rows(app, kind)
            .await
            .into_iter()
            .find(|(_, o, _)| o == outcome)
        {
            return detail;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no {kind} audit row {outcome} within 20 s: {:?}",
        audit_rows(app, kind).await
    );
}

/// The bodies of the notices in the webhook outbox, oldest first.
async fn outbox(app: &TestApp) -> Vec<Value> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT body FROM webhook_outbox ORDER BY id")
        .fetch_all(&app.state.pool)
        .await
        .expect("outbox rows");
    rows.into_iter()
        .map(|(body,)| serde_json::from_str(&body).expect("a JSON body"))
        .collect()
}

/// The outbox once a notice of `event` is in it (or after 10 s).
async fn outbox_with(app: &TestApp, event: &str) -> Vec<Value> {
    for _ in 0..100 {
        let bodies = outbox(app).await;
        if bodies.iter().any(|b| b["event"] == event) {
            return bodies;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    outbox(app).await
}

/// The deploy's recorded result, as the service page's recent actions read it.
async fn recorded_rollout(app: &TestApp) -> Option<RolloutOutcome> {
    let store: &dyn app::ports::ActionStore = app.state.services.action_store.as_ref();
    store
        .recent("prod", "main/web", 10)
        .await
        .expect("recent actions")
        .into_iter()
        .find(|r| r.kind == app::domain::actions::ActionKind::Deploy)
        .and_then(|r| r.rollout)
}

#[tokio::test]
async fn a_deploy_the_circuit_breaker_rolls_back_ends_as_rolled_back_by_ecs_everywhere() {
    let w = world(false).await;
    let new = deploy(&w, "rollback-deploy-01").await;
    assert_eq!(
        recorded_rollout(&w.app).await,
        Some(RolloutOutcome::Following),
        "a change that succeeded is followed"
    );
    arm_rollback(&w, &new).await;
    let detail = ended(&w.app, "deploy", "rolled_back").await;
    assert_eq!(
        detail,
        format!("app: registry.example/web:1.0.0 → registry.example/web:1.1.0: rolled back by ECS: {REASON} (the service runs web:1 again)")
    );
    let rows = audit_rows(&w.app, "deploy").await;
    let outcomes: Vec<&str> = rows.iter().map(|(_, o, _)| o.as_str()).collect();
    assert_eq!(outcomes, ["requested", "succeeded", "rolled_back"]);
    assert_eq!(rows[2].0, "quarterdeck", "recorded by the console's job");

    // The webhooks hear of it once (the notice is written just after the end's transaction).
    let bodies = outbox_with(&w.app, "action.rolled_back").await;
    let rolled: Vec<&Value> = bodies
        .iter()
        .filter(|b| b["event"] == "action.rolled_back")
        .collect();
    assert_eq!(rolled.len(), 1, "{bodies:?}");
    assert_eq!(rolled[0]["detail"], format!("rolled back by ECS: {REASON}"));
    assert_eq!(rolled[0]["target"], "main/web");
    assert!(rolled[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("ROLLED BACK by ECS: deploy main/web in prod"));
    for _ in 0..100 {
        if w.receiver
            .events()
            .contains(&"action.rolled_back".to_string())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(w
        .receiver
        .events()
        .contains(&"action.rolled_back".to_string()));

    // The action's own record carries it, and the service page says it instead of "completed".
    assert!(matches!(
        recorded_rollout(&w.app).await,
        Some(RolloutOutcome::RolledBack { reason, .. }) if reason == REASON
    ));
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(
        page.contains(&format!(
            "Rolled back by ECS: {REASON} The service runs web:1 again"
        )),
        "{page}"
    );
    assert!(!page.contains("Rollout completed."));
    assert!(page.contains(r#"data-testid="followed-rollout" data-state="rolled_back""#));
    assert!(
        page.contains("rolled back by ECS"),
        "the recent actions say it"
    );

    // Ended once: later passes read nothing more and write nothing more.
    let reads = w.proxy.seen("DescribeServices");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        audit_rows(&w.app, "deploy")
            .await
            .iter()
            .filter(|(_, o, _)| o == "rolled_back")
            .count(),
        1
    );
    assert!(
        w.proxy.seen("DescribeServices") <= reads + 1,
        "the follower stopped reading the service (at most the refresh after the end)"
    );
}

#[tokio::test]
async fn a_deploy_whose_rollout_completes_ends_as_completed() {
    let w = world(false).await;
    let new = deploy(&w, "complete-deploy-01").await;
    let completed = deployment(NEW_ID, "PRIMARY", &new, (2, 2, 0, 0), "COMPLETED", 60);
    arm_rollout(&w, &new, (1, 2, 1, 0), vec![completed]).await;
    let detail = ended(&w.app, "deploy", "rollout_completed").await;
    assert_eq!(
        detail,
        "app: registry.example/web:1.0.0 → registry.example/web:1.1.0: rollout completed"
    );
    assert!(audit_rows(&w.app, "deploy")
        .await
        .iter()
        .all(|(_, o, _)| o != "rolled_back"));
    assert_eq!(
        recorded_rollout(&w.app).await,
        Some(RolloutOutcome::Completed)
    );
    let events: Vec<String> = outbox_with(&w.app, "action.rollout_completed")
        .await
        .iter()
        .map(|b| b["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(events, ["action.rollout_completed"]);
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(!page.contains("Rolled back by ECS"), "{page}");
    assert!(page.contains(r#"data-testid="followed-rollout" data-state="completed""#));
}

#[tokio::test]
async fn a_released_deploy_ecs_rolls_back_says_so_on_the_release_and_in_the_api() {
    let w = world(true).await;
    let olga = w.app.person("olga", "operator").await;
    let response = olga
        .call(
            "deploy_service",
            &deploy_args(
                "release-deploy-01",
                &[("reason", "release 1.1.0"), ("confirm", "web")],
            ),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    let id = body["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .unwrap_or_else(|| panic!("a release request: {body}"));
    let rita = w.app.person("rita", "approver").await;
    let approved = rita
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "ship it")],
        )
        .await;
    assert_eq!(approved.status(), 200, "{:?}", approved.text().await);
    let mut release = crate::releases::release(&w.app, id).await;
    for _ in 0..100 {
        if release.state.is_final() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        release = crate::releases::release(&w.app, id).await;
    }
    assert_eq!(release.state.as_str(), "succeeded", "AWS made the change");
    assert_eq!(release.rollout, Some(RolloutOutcome::Following));
    let new = service_in_moto(&w.account)
        .await
        .task_definition()
        .expect("a task definition")
        .to_string();
    arm_rollback(&w, &new).await;
    ended(&w.app, "deploy", "rolled_back").await;

    let release = crate::releases::release(&w.app, id).await;
    assert!(
        matches!(&release.rollout, Some(RolloutOutcome::RolledBack { reason, .. }) if reason == REASON),
        "{:?}",
        release.rollout
    );
    let last = release.history.last().expect("history");
    assert_eq!(last.what, format!("rolled back by ECS: {REASON}"));
    assert_eq!(last.actor, "quarterdeck");
    let page = olga.get_text(&format!("/releases/{id}")).await;
    assert!(
        page.contains(&format!("rolled back by ECS: {REASON}")),
        "{page}"
    );
    assert!(page.contains(r#"data-testid="release-rollout" data-state="rolled_back""#));
    let list = olga.get_text("/releases").await;
    assert!(list.contains(r#"data-state="rolled_back""#), "{list}");
    let notice = outbox_with(&w.app, "action.rolled_back")
        .await
        .into_iter()
        .find(|b| b["event"] == "action.rolled_back")
        .expect("a notice");
    assert_eq!(notice["release"], id);
    assert!(notice["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/releases/{id}")));

    // CI following the request through the API sees it too.
    let alice = w.app.person("alice", "admin").await;
    let secret = crate::automation::token(&alice, "ci-prod", "olga", "prod", "operator").await;
    let api = crate::automation::api(
        &w.app,
        &secret,
        reqwest::Method::GET,
        &format!("/api/v1/releases/{id}"),
    )
    .send()
    .await
    .expect("the API answers");
    assert_eq!(api.status(), 200);
    let body: Value = api.json().await.expect("json");
    assert_eq!(body["state"], "succeeded");
    assert_eq!(body["rollout"]["state"], "rolled_back");
    assert_eq!(body["rollout"]["reason"], REASON);
    assert_eq!(
        body["rollout"]["summary"],
        format!("rolled back by ECS: {REASON}")
    );
    // The OpenAPI document describes it (schemathesis checks answers against it).
    let doc: Value = w
        .app
        .client
        .get(w.app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("the document")
        .json()
        .await
        .expect("json");
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["ReleaseOut"]["properties"]["rollout"].is_object(),
        "{}",
        schemas["ReleaseOut"]
    );
    for field in ["state", "summary", "reason"] {
        assert!(
            schemas["RolloutOut"]["properties"][field].is_object(),
            "{}",
            schemas["RolloutOut"]
        );
    }
}

/// A task of the service `web` that moto ran (of a revision whose container states its memory,
/// which moto's RunTask needs) and then stopped with `reason`; answers the task's and the
/// revision's ARNs.
async fn stopped_task(account: &Account, reason: &str) -> (String, String) {
    use aws_sdk_ecs::types::ContainerDefinition;
    let registered = account
        .ecs
        .register_task_definition()
        .family("web-task")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("registry.example/web:1.0.0")
                .memory(512)
                .essential(true)
                .build(),
        )
        .send()
        .await
        .expect("register a task definition");
    let task_definition = registered
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("task definition arn")
        .to_string();
    let run = account
        .ecs
        .run_task()
        .cluster("main")
        .task_definition(&task_definition)
        .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
        .group("service:web")
        .send()
        .await
        .expect("run a task");
    let arn = run.tasks()[0].task_arn().expect("task arn").to_string();
    account
        .ecs
        .stop_task()
        .cluster("main")
        .task(&arn)
        .reason(reason)
        .send()
        .await
        .expect("stop the task");
    (arn, task_definition)
}

#[tokio::test]
async fn the_service_page_shows_stopped_tasks_with_why_and_their_exit_codes() {
    let w = world(false).await;
    // moto keeps the reason StopTask was given (and reports exit code 0, no stop code).
    let (stopped, revision) = stopped_task(
        &w.account,
        "Scaling activity initiated by (deployment ecs-svc/1)",
    )
    .await;
    let slot = w.app.state.inventory.slots()[0].clone();
    slot.refresh_details().await.expect("details");
    w.app.sign_in("ana", "viewer").await;
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    let short = stopped.rsplit('/').next().unwrap();
    assert!(page.contains(r#"data-testid="stopped-tasks""#), "{page}");
    assert!(page.contains(short));
    assert!(page.contains("Scaling activity initiated by (deployment ecs-svc/1)"));
    assert!(page.contains("app: exit 0"));

    // What real ECS says of a task whose essential container died: replayed for that task.
    let now = chrono::Utc::now();
    w.proxy.arm(
        "DescribeTasks",
        Fault::replay_when(
            Some(&stopped),
            vec![json!({
                "tasks": [{
                    "taskArn": stopped,
                    "clusterArn": service_in_moto(&w.account).await.cluster_arn(),
                    "taskDefinitionArn": revision,
                    "group": "service:web",
                    "lastStatus": "STOPPED",
                    "desiredStatus": "STOPPED",
                    "launchType": "FARGATE",
                    "cpu": "256",
                    "memory": "512",
                    "createdAt": epoch(now - chrono::Duration::minutes(9)),
                    "startedAt": epoch(now - chrono::Duration::minutes(8)),
                    "stoppingAt": epoch(now - chrono::Duration::minutes(4)),
                    "stoppedAt": epoch(now - chrono::Duration::minutes(3)),
                    "stopCode": "EssentialContainerExited",
                    "stoppedReason": "Essential container in task exited",
                    "containers": [{
                        "containerArn": format!("{stopped}/container/app"),
                        "taskArn": stopped,
                        "name": "app",
                        "image": "registry.example/web:1.0.0",
                        "lastStatus": "STOPPED",
                        "exitCode": 137,
                        "reason": "OutOfMemoryError: Container killed due to memory usage"
                    }]
                }],
                "failures": []
            })],
        ),
    );
    slot.refresh_details().await.expect("details");
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(page.contains("EssentialContainerExited"), "{page}");
    assert!(page.contains("Essential container in task exited"));
    assert!(page.contains("app: exit 137 (OutOfMemoryError: Container killed due to memory usage)"));
    assert!(page.contains("3m ago"), "when it stopped: {page}");
}
