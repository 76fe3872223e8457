//! Operator actions against a real moto: each changes AWS state as asked, is audited before and
//! after, acts once per request key, and refuses bad input and missing permission cleanly.

use crate::helpers::{spawn_app, Account, TestApp, TestEnv};

struct World {
    app: TestApp,
    account: Account,
}

async fn world(protected: bool) -> World {
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    account.database("shop-db", "shop").await;
    account
        .alarm(
            "web-cpu",
            "CPU",
            &[("ClusterName", "main"), ("ServiceName", "web")],
            true,
        )
        .await;
    let mut env = TestEnv::new("prod", &account);
    env.protected = protected;
    let app = spawn_app(vec![env]).await;
    World { app, account }
}

async fn desired_in_moto(account: &Account) -> i32 {
    let out = account
        .ecs
        .describe_services()
        .cluster("main")
        .services("web")
        .send()
        .await
        .unwrap();
    out.services()[0].desired_count()
}

async fn audit_outcomes(app: &TestApp, kind: &str) -> Vec<String> {
    let mut rows: Vec<String> = app
        .state
        .audit
        .recent(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, e)| e.kind == kind)
        .map(|(_, e)| e.outcome)
        .collect();
    rows.reverse();
    rows
}

#[tokio::test]
async fn scaling_changes_the_desired_count_once_per_request_key() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let args = [
        ("env", "prod"),
        ("cluster", "main"),
        ("service", "web"),
        ("desired", "5"),
        ("key", "scale-key-0001"),
    ];
    let first = w.app.call("scale_service", &args).await;
    assert_eq!(first.status(), 200, "{:?}", first.text().await);
    let first: serde_json::Value = first.json().await.unwrap();
    assert_eq!(first["summary"], "desired count 2 → 5");
    assert_eq!(desired_in_moto(&w.account).await, 5);
    let calls = w.app.aws_calls("UpdateService");
    // The same key again (a double submit or a retry): no second AWS call, the first result back.
    let again: serde_json::Value = w
        .app
        .call("scale_service", &args)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(w.app.aws_calls("UpdateService"), calls);
    assert_eq!(
        audit_outcomes(&w.app, "scale").await,
        ["requested", "succeeded"]
    );
    // The page reflects the change (targeted refresh) and lists the action.
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(
        page.contains("desired count 2 → 5"),
        "recent actions list it"
    );
}

#[tokio::test]
async fn bad_counts_are_refused_before_anything_is_recorded() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let cases = [
        ("-1", "negative"),
        ("0", "may not be scaled to zero"),
        (
            "51",
            "outside the allowed range 1–50 (the console's default)",
        ),
        ("2", "already wants 2 tasks; nothing would change"),
        ("two", "not a whole number"),
        ("", "not a whole number"),
    ];
    for (i, (desired, needle)) in cases.iter().enumerate() {
        let key = format!("bad-count-{i:04}");
        let response = w
            .app
            .call(
                "scale_service",
                &[
                    ("env", "prod"),
                    ("cluster", "main"),
                    ("service", "web"),
                    ("desired", desired),
                    ("key", &key),
                ],
            )
            .await;
        assert_eq!(response.status(), 400, "{desired}");
        assert!(response.text().await.unwrap().contains(needle), "{desired}");
    }
    let unknown = w
        .app
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "nope"),
                ("desired", "3"),
                ("key", "unknown-svc-1"),
            ],
        )
        .await;
    assert_eq!(unknown.status(), 404);
    let bad_key = w
        .app
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "x"),
            ],
        )
        .await;
    assert_eq!(bad_key.status(), 400);
    assert_eq!(w.app.aws_calls("UpdateService"), 0, "nothing reached AWS");
    assert!(
        audit_outcomes(&w.app, "scale").await.is_empty(),
        "nothing was recorded as requested"
    );
    assert_eq!(desired_in_moto(&w.account).await, 2);
}

#[tokio::test]
async fn a_viewer_may_not_scale_and_the_attempt_is_audited() {
    let w = world(false).await;
    w.app.sign_in("vic", "viewer").await;
    let response = w
        .app
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "viewer-key-1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("you need the operator role in prod to scale services"));
    let denied = w.app.state.audit.recent(5).await.unwrap();
    assert!(denied
        .iter()
        .any(|(_, e)| e.kind == "denied" && e.actor == "vic"));
    assert_eq!(w.app.aws_calls("UpdateService"), 0);
}

#[tokio::test]
async fn protected_environments_send_gated_actions_for_approval_and_want_the_name_typed() {
    let w = world(true).await;
    w.app.sign_in("ana", "admin").await;
    let scale = w
        .app
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "gated-key-01"),
                ("reason", "more capacity"),
                ("confirm", "web"),
            ],
        )
        .await;
    assert_eq!(scale.status(), 200);
    let body: serde_json::Value = scale.json().await.unwrap();
    assert!(
        body["status"]["AwaitingApproval"]["release"].is_i64(),
        "a release request, not a change: {body}"
    );
    assert_eq!(
        audit_outcomes(&w.app, "scale").await,
        ["approval_requested"]
    );
    assert_eq!(w.app.aws_calls("UpdateService"), 0, "nothing ran");
    // A redeploy is gated too; an action that runs at once wants the name typed.
    let redeploy = w
        .app
        .call(
            "redeploy_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("key", "redeploy-k-01"),
                ("reason", "pick up the rotated secret"),
                ("confirm", "web"),
            ],
        )
        .await;
    assert_eq!(redeploy.status(), 200);
    let body: serde_json::Value = redeploy.json().await.unwrap();
    assert!(
        body["status"]["AwaitingApproval"]["release"].is_i64(),
        "{body}"
    );
    let unconfirmed = w
        .app
        .call(
            "snapshot_database",
            &[("env", "prod"), ("id", "shop-db"), ("key", "snap-k-01")],
        )
        .await;
    assert_eq!(unconfirmed.status(), 400);
    assert!(unconfirmed
        .text()
        .await
        .unwrap()
        .contains("type shop-db to confirm"));
    let confirmed = w
        .app
        .call(
            "snapshot_database",
            &[
                ("env", "prod"),
                ("id", "shop-db"),
                ("key", "snap-k-02"),
                ("confirm", "shop-db"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    assert_eq!(
        w.app.aws_calls("CreateDBSnapshot"),
        1,
        "only the confirmed snapshot reached AWS"
    );
    assert_eq!(w.app.aws_calls("UpdateService"), 0, "nothing else ran");
    assert_eq!(desired_in_moto(&w.account).await, 2);
}

#[tokio::test]
async fn a_snapshot_appears_in_rds_and_on_the_database_page() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let response = w
        .app
        .call(
            "snapshot_database",
            &[("env", "prod"), ("id", "shop-db"), ("key", "snap-key-001")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let result: serde_json::Value = response.json().await.unwrap();
    let name = result["summary"]
        .as_str()
        .unwrap()
        .trim_start_matches("snapshot ")
        .to_string();
    assert!(name.starts_with("shop-db-qd-"), "{name}");
    let snapshots = w
        .account
        .rds
        .describe_db_snapshots()
        .db_instance_identifier("shop-db")
        .send()
        .await
        .unwrap();
    assert!(snapshots
        .db_snapshots()
        .iter()
        .any(|s| s.db_snapshot_identifier() == Some(name.as_str())));
    let page = w.app.get_text("/envs/prod/databases/shop-db").await;
    assert!(page.contains(&name));
    assert_eq!(
        audit_outcomes(&w.app, "snapshot").await,
        ["requested", "succeeded"]
    );
}

#[tokio::test]
async fn muting_and_unmuting_flip_the_alarm_actions() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let enabled = |w: &World| {
        let cw = w.account.cloudwatch.clone();
        async move {
            let out = cw
                .describe_alarms()
                .alarm_names("web-cpu")
                .send()
                .await
                .unwrap();
            out.metric_alarms()[0].actions_enabled().unwrap_or(true)
        }
    };
    let mute = w
        .app
        .call(
            "set_alarm_actions",
            &[
                ("env", "prod"),
                ("alarm", "web-cpu"),
                ("enabled", "false"),
                ("key", "mute-key-0001"),
                ("reason", "known incident INC-12"),
            ],
        )
        .await;
    assert_eq!(mute.status(), 200);
    assert!(!enabled(&w).await);
    let unmute = w
        .app
        .call(
            "set_alarm_actions",
            &[
                ("env", "prod"),
                ("alarm", "web-cpu"),
                ("enabled", "true"),
                ("key", "mute-key-0002"),
            ],
        )
        .await;
    assert_eq!(unmute.status(), 200);
    assert!(enabled(&w).await);
    let rows = w.app.state.audit.recent(10).await.unwrap();
    assert!(rows.iter().any(|(_, e)| e.kind == "mute_alarm"
        && e.detail.as_deref().is_some_and(|d| d.contains("INC-12"))));
    let bad = w
        .app
        .call(
            "set_alarm_actions",
            &[
                ("env", "prod"),
                ("alarm", "web-cpu"),
                ("enabled", "maybe"),
                ("key", "mute-key-0003"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn an_aws_error_is_shown_in_plain_words_and_audited_as_failed() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    // The database disappears behind the console's back (its snapshot still lists it).
    w.account
        .rds
        .delete_db_instance()
        .db_instance_identifier("shop-db")
        .skip_final_snapshot(true)
        .send()
        .await
        .unwrap();
    let response = w
        .app
        .call(
            "snapshot_database",
            &[("env", "prod"), ("id", "shop-db"), ("key", "gone-key-0001")],
        )
        .await;
    assert_eq!(response.status(), 502);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("\"prod\"")
            && body.contains("DBInstanceNotFound: DBInstance shop-db not found"),
        "{body}"
    );
    assert_eq!(
        audit_outcomes(&w.app, "snapshot").await,
        ["requested", "failed"]
    );
    // A retry with the same key returns the same failure without calling AWS again.
    let calls = w.app.aws_calls("CreateDBSnapshot");
    let again = w
        .app
        .call(
            "snapshot_database",
            &[("env", "prod"), ("id", "shop-db"), ("key", "gone-key-0001")],
        )
        .await;
    assert_eq!(again.status(), 502);
    assert_eq!(w.app.aws_calls("CreateDBSnapshot"), calls);
}

#[tokio::test]
async fn the_audit_page_and_its_exports_show_the_actions() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let args = [
        ("env", "prod"),
        ("cluster", "main"),
        ("service", "web"),
        ("desired", "3"),
        ("key", "audit-key-001"),
    ];
    assert_eq!(w.app.call("scale_service", &args).await.status(), 200);
    let page = w.app.get_text("/audit?kind=scale&env=prod").await;
    assert!(page.contains("desired count 2 → 3") && page.contains("data-testid=\"audit-table\""));
    let csv = w
        .app
        .get("/audit/export.csv?kind=scale&outcome=succeeded")
        .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let body = csv.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "id,at,actor,actor_id,kind,env,target,outcome,detail,ip,user_agent"
    );
    assert_eq!(lines.len(), 2, "{body}");
    assert!(
        lines[1].contains(",ana,dev:ana,scale,prod,main/web,succeeded,desired count 2 → 3,"),
        "{body}"
    );
    let json: serde_json::Value = w
        .app
        .get("/audit/export.json?actor=ana")
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["kind"].as_str())
        .collect();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|r| r["actor_id"] == "dev:ana"),
        "{json}"
    );
    assert!(
        kinds.contains(&"login") && kinds.contains(&"scale"),
        "{kinds:?}"
    );
    let bad = w.app.get("/audit?outcome=maybe").await;
    assert_eq!(bad.status(), 400);
    assert_eq!(
        w.app.get("/audit/export.csv?from=yesterday").await.status(),
        400
    );
}

#[tokio::test]
async fn deploying_registers_a_revision_with_only_the_image_changed() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let deploy = |image: &'static str, key: &'static str| {
        let app = &w.app;
        async move {
            app.call(
                "deploy_service",
                &[
                    ("env", "prod"),
                    ("cluster", "main"),
                    ("service", "web"),
                    ("container", "app"),
                    ("image", image),
                    ("key", key),
                    ("reason", "release 1.1.0"),
                ],
            )
            .await
        }
    };
    let response = deploy("registry.example/web:1.1.0", "deploy-key-01").await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let svc = w
        .account
        .ecs
        .describe_services()
        .cluster("main")
        .services("web")
        .send()
        .await
        .unwrap();
    let arn = svc.services()[0].task_definition().unwrap().to_string();
    assert!(
        arn.ends_with("web:2"),
        "the service runs the new revision: {arn}"
    );
    let td = w
        .account
        .ecs
        .describe_task_definition()
        .task_definition(&arn)
        .send()
        .await
        .unwrap();
    let td = td.task_definition().unwrap();
    let container = &td.container_definitions()[0];
    assert_eq!(container.image(), Some("registry.example/web:1.1.0"));
    assert_eq!(
        (td.cpu(), td.memory()),
        (Some("256"), Some("512")),
        "everything else copied"
    );
    assert_eq!(container.port_mappings()[0].container_port(), Some(8080));
    let audit = w.app.state.audit.recent(5).await.unwrap();
    assert!(audit.iter().any(|(_, e)| e.kind == "deploy"
        && e.outcome == "succeeded"
        && e.detail.as_deref()
            == Some("app: registry.example/web:1.0.0 → registry.example/web:1.1.0")));
    // Bad references and unknown containers are refused before anything happens.
    let registered = w.app.aws_calls("RegisterTaskDefinition");
    let bad = deploy("Registry.Example/Web", "deploy-key-02").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("is not valid"));
    let unknown = w
        .app
        .call(
            "deploy_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("container", "sidecar"),
                ("image", "x:1"),
                ("key", "deploy-key-03"),
            ],
        )
        .await;
    assert_eq!(unknown.status(), 400);
    assert!(unknown
        .text()
        .await
        .unwrap()
        .contains("has no container \\\"sidecar\\\""));
    assert_eq!(w.app.aws_calls("RegisterTaskDefinition"), registered);
}

#[tokio::test]
async fn rolling_back_points_the_service_at_an_earlier_revision() {
    let account = Account::new().await;
    account.cluster("main").await;
    let first = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    let second = account
        .task_definition("web", "registry.example/web:1.1.0")
        .await;
    account.service("main", "web", &second, "shop", 2).await;
    let app = spawn_app(vec![TestEnv::new("prod", &account)]).await;
    app.sign_in("ana", "operator").await;
    let page = app.get_text("/envs/prod/services/main/web").await;
    assert!(
        page.contains("data-testid=\"rollback-form\"") && page.contains("web:1 — app 1.0.0"),
        "the form lists web:1 with its image"
    );
    let response = app
        .call(
            "rollback_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("revision", "web:1"),
                ("key", "rollback-k-01"),
                ("reason", "1.1.0 leaks memory"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let result: serde_json::Value = response.json().await.unwrap();
    assert_eq!(result["summary"], "web:2 → web:1 (app: 1.1.0 → 1.0.0)");
    let svc = account
        .ecs
        .describe_services()
        .cluster("main")
        .services("web")
        .send()
        .await
        .unwrap();
    assert_eq!(svc.services()[0].task_definition(), Some(first.as_str()));
    let unknown = app
        .call(
            "rollback_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("revision", "web:9"),
                ("key", "rollback-k-02"),
            ],
        )
        .await;
    assert_eq!(unknown.status(), 400);
    assert!(unknown
        .text()
        .await
        .unwrap()
        .contains("not a known revision"));
}

/// The web service of a fresh account, with an autoscaling range of 1–3 tasks and a target
/// tracking policy, reached through `endpoint` (moto itself when `None`).
async fn world_with_autoscaling_via(overrides: &[(&str, &str)], endpoint: Option<String>) -> World {
    use aws_sdk_applicationautoscaling::types::{
        MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension, ServiceNamespace,
        TargetTrackingScalingPolicyConfiguration,
    };
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    account
        .autoscaling
        .register_scalable_target()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id("service/main/web")
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .min_capacity(1)
        .max_capacity(3)
        .send()
        .await
        .expect("register scalable target");
    account
        .autoscaling
        .put_scaling_policy()
        .policy_name("web-cpu-70")
        .service_namespace(ServiceNamespace::Ecs)
        .resource_id("service/main/web")
        .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
        .policy_type(PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(
            TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(70.0)
                .predefined_metric_specification(
                    PredefinedMetricSpecification::builder()
                        .predefined_metric_type(MetricType::EcsServiceAverageCpuUtilization)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("put scaling policy");
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = endpoint;
    let app =
        crate::helpers::spawn_app_with_overrides(vec![env], crate::helpers::Auth::Dev, overrides)
            .await;
    World { app, account }
}

async fn world_with_autoscaling(overrides: &[(&str, &str)]) -> World {
    world_with_autoscaling_via(overrides, None).await
}

/// The web service's autoscaling range as moto has it.
async fn range_in_moto(account: &Account) -> (i32, i32) {
    use aws_sdk_applicationautoscaling::types::ServiceNamespace;
    let out = account
        .autoscaling
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::Ecs)
        .resource_ids("service/main/web")
        .send()
        .await
        .unwrap();
    let t = &out.scalable_targets()[0];
    (t.min_capacity(), t.max_capacity())
}

fn scale_args<'a>(desired: &'a str, key: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("env", "prod"),
        ("cluster", "main"),
        ("service", "web"),
        ("desired", desired),
        ("key", key),
    ]
}

fn widen_args<'a>(desired: &'a str, key: &'a str) -> [(&'a str, &'a str); 6] {
    [
        ("env", "prod"),
        ("cluster", "main"),
        ("service", "web"),
        ("desired", desired),
        ("key", key),
        ("widen_autoscaling", "1"),
    ]
}

/// Issue 18, item 6: a desired count outside the autoscaling range is undone by target
/// tracking. It is refused with that explanation, or made together with a range that takes it
/// (RegisterScalableTarget, then UpdateService) in one audited action; inside the range the
/// review says target tracking may move it. The service shows its range and policies.
#[tokio::test]
async fn scaling_outside_the_autoscaling_range_is_refused_or_moves_the_range_with_it() {
    let w = world_with_autoscaling(&[]).await;
    w.app.sign_in("ana", "operator").await;
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(page.contains("1–3 tasks"), "the page shows the range");
    assert!(
        page.contains("web-cpu-70: target tracking, ECSServiceAverageCPUUtilization at 70"),
        "and its policy"
    );
    assert!(
        page.contains("Allowed 1–3 (the service&#x27;s autoscaling range)")
            || page.contains("Allowed 1–3 (the service's autoscaling range)"),
        "the scale form says why"
    );
    assert!(
        page.contains("data-testid=\"scale-widen\""),
        "and offers to move the range"
    );
    let review = w
        .app
        .get_text("/envs/prod/services/main/web?review=scale&desired=3")
        .await;
    assert!(
        review.contains("target tracking may move the count from 3 as load changes"),
        "inside the range, the review warns"
    );
    let above = w
        .app
        .call("scale_service", &scale_args("4", "bounds-key-0001"))
        .await;
    assert_eq!(above.status(), 400);
    let body = above.text().await.unwrap();
    assert!(
        body.contains("outside the allowed range 1–3 (the service's autoscaling range)")
            && body.contains("change the range in the same action"),
        "{body}"
    );
    let zero = w
        .app
        .call("scale_service", &scale_args("0", "bounds-key-0002"))
        .await;
    assert_eq!(zero.status(), 400);
    assert!(zero
        .text()
        .await
        .unwrap()
        .contains("may not be scaled to zero"));
    let inside = w
        .app
        .call("scale_service", &scale_args("3", "bounds-key-0003"))
        .await;
    assert_eq!(inside.status(), 200);
    assert_eq!(desired_in_moto(&w.account).await, 3);
    assert_eq!(range_in_moto(&w.account).await, (1, 3));

    // Moving the range with the count: one action, range first.
    let review = w
        .app
        .get_text("/envs/prod/services/main/web?review=scale&desired=5&widen=1")
        .await;
    assert!(
        review.contains("Autoscaling range"),
        "the review shows the range change"
    );
    let widened = w
        .app
        .call("scale_service", &widen_args("5", "bounds-key-0004"))
        .await;
    assert_eq!(widened.status(), 200, "{:?}", widened.text().await);
    let result: serde_json::Value = widened.json().await.unwrap();
    assert_eq!(
        result["summary"],
        "desired count 3 → 5, autoscaling range 1–3 → 1–5"
    );
    assert_eq!(range_in_moto(&w.account).await, (1, 5));
    assert_eq!(desired_in_moto(&w.account).await, 5);
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(page.contains("1–5 tasks"), "the page shows the new range");
    // Inside the range already: nothing to move.
    let inside = w
        .app
        .call("scale_service", &widen_args("4", "bounds-key-0005"))
        .await;
    assert_eq!(inside.status(), 400);
    assert!(inside
        .text()
        .await
        .unwrap()
        .contains("inside the autoscaling range 1–5 already"));

    // Configured bounds wider than the range: beyond the range still needs the range moved.
    let w = world_with_autoscaling(&[(
        "QD_ENVIRONMENTS__0__SCALING",
        r#"{ services = [{ name = "main/web", max = 6, allow_zero = true }] }"#,
    )])
    .await;
    w.app.sign_in("ana", "operator").await;
    let six = w
        .app
        .call("scale_service", &scale_args("6", "bounds-key-0006"))
        .await;
    assert_eq!(six.status(), 400);
    assert!(six
        .text()
        .await
        .unwrap()
        .contains("6 is outside the autoscaling range 1–3: Application Auto Scaling's target tracking would move the count back"));
    let six = w
        .app
        .call("scale_service", &widen_args("6", "bounds-key-0007"))
        .await;
    assert_eq!(six.status(), 200, "{:?}", six.text().await);
    assert_eq!(range_in_moto(&w.account).await, (1, 6));
    let seven = w
        .app
        .call("scale_service", &widen_args("7", "bounds-key-0008"))
        .await;
    assert!(seven
        .text()
        .await
        .unwrap()
        .contains("0, or 1–6 (configured for this service)"));
    let zero = w
        .app
        .call("scale_service", &widen_args("0", "bounds-key-0009"))
        .await;
    assert_eq!(zero.status(), 200, "{:?}", zero.text().await);
    assert_eq!(range_in_moto(&w.account).await, (0, 6));
    assert_eq!(desired_in_moto(&w.account).await, 0);
}

/// A scale that moved the range and then could not set the count puts the range back.
#[tokio::test]
async fn a_scale_whose_count_is_refused_puts_the_autoscaling_range_back() {
    let proxy = crate::faults::FaultProxy::start().await;
    let w = world_with_autoscaling_via(&[], Some(proxy.url.clone())).await;
    w.app.sign_in("ana", "operator").await;
    proxy.arm(
        "UpdateService",
        crate::faults::Fault::new("ThrottlingException", "Rate exceeded"),
    );
    let response = w
        .app
        .call("scale_service", &widen_args("5", "range-back-0001"))
        .await;
    assert_eq!(response.status(), 502);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("ThrottlingException")
            && body.contains("the autoscaling range was put back to 1–3"),
        "{body}"
    );
    assert_eq!(
        proxy.seen("RegisterScalableTarget"),
        2,
        "moved, then put back"
    );
    assert_eq!(range_in_moto(&w.account).await, (1, 3));
    assert_eq!(desired_in_moto(&w.account).await, 2);
}

#[tokio::test]
async fn an_action_re_reads_only_the_resource_it_touched() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let before = |op: &str| w.app.aws_calls(op);
    let (describe, list, alarms, dbs) = (
        before("DescribeServices"),
        before("ListServices"),
        before("DescribeAlarms"),
        before("DescribeDBInstances"),
    );
    let done = w
        .app
        .call("scale_service", &scale_args("3", "target-key-0001"))
        .await;
    assert_eq!(done.status(), 200);
    // One read to check the service is still as reviewed, one to show it changed.
    assert_eq!(w.app.aws_calls("DescribeServices"), describe + 2);
    assert_eq!(w.app.aws_calls("ListServices"), list, "no full refresh");
    assert_eq!(w.app.aws_calls("DescribeAlarms"), alarms);
    assert_eq!(w.app.aws_calls("DescribeDBInstances"), dbs);
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(page.contains("desired count 2 → 3"));

    // A snapshot re-reads its database and its snapshots; muting re-reads its alarm.
    let (db_calls, alarm_calls) = (before("DescribeDBInstances"), before("DescribeAlarms"));
    let snap = w
        .app
        .call(
            "snapshot_database",
            &[
                ("env", "prod"),
                ("id", "shop-db"),
                ("key", "target-key-0002"),
            ],
        )
        .await;
    assert_eq!(snap.status(), 200);
    assert_eq!(w.app.aws_calls("DescribeDBInstances"), db_calls + 1);
    let mute = w
        .app
        .call(
            "set_alarm_actions",
            &[
                ("env", "prod"),
                ("alarm", "web-cpu"),
                ("enabled", "false"),
                ("key", "target-key-0003"),
                ("reason", "load test"),
            ],
        )
        .await;
    assert_eq!(mute.status(), 200);
    assert_eq!(w.app.aws_calls("DescribeAlarms"), alarm_calls + 1);
    assert_eq!(w.app.aws_calls("ListServices"), list);
    let alarms = w.app.get_text("/alarms?env=prod").await;
    assert!(alarms.contains("muted by ana"), "the row says who muted it");
}

#[tokio::test]
async fn a_plain_form_post_goes_back_to_its_page_with_the_outcome() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let page = format!(
        "{}/envs/prod/services/main/web?review=scale&desired=4",
        crate::helpers::PUBLIC_URL
    );
    let post = |args: [(&'static str, &'static str); 5]| {
        w.app
            .client
            .post(w.app.url("/api/scale_service"))
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", page.clone())
            .header("origin", crate::helpers::PUBLIC_URL)
            .form(&args)
            .send()
    };
    let done = post(scale_args("4", "plain-key-0001")).await.unwrap();
    assert_eq!(done.status(), 302);
    assert_eq!(
        done.headers()["location"],
        "/envs/prod/services/main/web?done=plain-key-0001"
    );
    let banner = w
        .app
        .get_text("/envs/prod/services/main/web?done=plain-key-0001")
        .await;
    assert!(banner.contains("action-done") && banner.contains("desired count 2 → 4"));
    let refused = post(scale_args("99", "plain-key-0002")).await.unwrap();
    assert_eq!(refused.status(), 302);
    let location = refused.headers()["location"].to_str().unwrap().to_string();
    // The address names the message kept in the session, not its text.
    let id = location
        .strip_prefix("/envs/prod/services/main/web?problem=")
        .unwrap_or_else(|| panic!("{location}"));
    assert!(app::domain::flash::parse_id(id).is_some(), "{location}");
    let shown = w.app.get_text(&location).await;
    assert!(shown.contains("Not done: ") && shown.contains("desired count 99 is outside"));
    let again = w.app.get_text(&location).await;
    assert!(!again.contains("desired count 99 is outside"), "shown once");
}

/// Issue 17, item 14: `?problem=`, `?notice=` and `?error=` used to put the address's text on
/// the page, so a link could make the console say whatever its sender wrote ("your session
/// expired: sign in at …"). Now the address only names a message kept in the person's session
/// (or, on the sign-in page, a fixed code), and made-up text shows nothing.
#[tokio::test]
async fn a_link_cannot_put_words_on_a_page() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let lure = "Your%20session%20expired%3A%20sign%20in%20again%20at%20evil.example";
    for path in [
        format!("/envs/prod/services/main/web?problem={lure}"),
        format!("/incidents?notice={lure}&problem={lure}"),
        format!("/drift?notice={lure}"),
        format!("/releases?problem={lure}"),
        format!("/oncall?problem={lure}"),
        // Well formed, but no such message in this session.
        "/drift?notice=0123456789abcdef0123456789abcdef".to_string(),
    ] {
        let page = w.app.get_text(&path).await;
        assert!(!page.contains("evil.example"), "{path}");
        assert!(!page.contains("data-testid=\"notice\""), "{path}");
        assert!(!page.contains("Not done: "), "{path}");
    }
    // The sign-in page, signed out: a fixed code shows its own words, anything else nothing.
    for (query, shown) in [(lure, None), ("role", Some("Check the role"))] {
        let login = reqwest::Client::new()
            .get(w.app.url(&format!("/login?error={query}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!login.contains("evil.example"));
        assert_eq!(
            shown.is_some_and(|s| login.contains(s)),
            shown.is_some(),
            "{query}"
        );
    }
}

#[tokio::test]
async fn the_review_step_shows_the_change_and_refuses_bad_input_without_a_confirm_button() {
    let w = world(false).await;
    w.app.sign_in("ana", "operator").await;
    let page = w
        .app
        .get_text("/envs/prod/services/main/web?review=deploy&container=app&image=registry.example%2Fweb%3A2.0.0&reason=release")
        .await;
    assert!(page.contains("review-panel") && page.contains("confirm-form"));
    assert!(
        page.contains("registry.example/web:1.0.0") && page.contains("registry.example/web:2.0.0")
    );
    let bad = w
        .app
        .get_text("/envs/prod/services/main/web?review=scale&desired=-3")
        .await;
    assert!(bad.contains("review-refused") && bad.contains("desired count -3 is negative"));
    assert!(!bad.contains("confirm-form"));
}
