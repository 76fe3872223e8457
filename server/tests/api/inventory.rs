//! The inventory cache: batched AWS reads, single-flight refresh, no AWS calls on page views,
//! and one failing environment never blanking the others.

use crate::helpers::{spawn_app, spawn_app_with_overrides, Account, Auth, TestEnv};

#[tokio::test]
async fn a_refresh_of_25_services_makes_exactly_3_describe_services_calls() {
    let account = Account::new().await;
    account.cluster("batch-main").await;
    let td = account
        .task_definition("worker", "registry.example/worker:1.0.0")
        .await;
    for i in 0..25 {
        account
            .service("batch-main", &format!("worker-{i:02}"), &td, "batch", 1)
            .await;
    }
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    assert_eq!(app.aws_calls("DescribeServices"), 3, "first refresh");
    app.sign_in("ana", "viewer").await;
    let response = app.call("refresh_environment", &[("env", "dev")]).await;
    assert_eq!(
        response.status(),
        200,
        "{}",
        response.text().await.unwrap_or_default()
    );
    assert_eq!(
        app.aws_calls("DescribeServices"),
        6,
        "one more refresh, three more calls"
    );
    // Task definitions are immutable: the second refresh reads none again.
    assert_eq!(app.aws_calls("DescribeTaskDefinition"), 1);
    let page = app.get_text("/envs/dev").await;
    assert!(page.contains("worker-24"));
}

#[tokio::test]
async fn concurrent_refresh_requests_share_one_refresh() {
    let account = Account::new().await;
    account.cluster("solo").await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    let before = app.aws_calls("ListServices");
    let calls = (0..10).map(|_| app.call("refresh_environment", &[("env", "dev")]));
    for response in futures::future::join_all(calls).await {
        assert_eq!(response.status(), 200);
    }
    let refreshes = app.aws_calls("ListServices") - before;
    assert!(
        (1..10).contains(&refreshes),
        "ten concurrent requests made {refreshes} refreshes"
    );
}

/// Anyone who may view an environment may ask for a refresh; one who loops the button must
/// not turn that into a stream of full AWS reads.
#[tokio::test]
async fn a_viewer_looping_refreshes_costs_one_refresh_per_interval() {
    let account = Account::new().await;
    account.cluster("loop-main").await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let victor = app.person("victor", "viewer").await;
    let before = (app.aws_calls("ListClusters"), app.aws_calls_total());
    for _ in 0..25 {
        let response = victor.call("refresh_environment", &[("env", "dev")]).await;
        assert_eq!(response.status(), 200);
    }
    let refreshes = app.aws_calls("ListClusters") - before.0;
    assert_eq!(refreshes, 1, "25 requests, one refresh");
    let calls = app.aws_calls_total() - before.1;
    assert!(
        calls <= 10,
        "one refresh's calls, not 25 refreshes': {calls}"
    );
}

#[tokio::test]
async fn page_views_make_no_aws_calls() {
    let account = Account::new().await;
    account.cluster("web-main").await;
    let td = account
        .task_definition("web", "registry.example/web:2.1.0")
        .await;
    account.service("web-main", "web", &td, "shop", 2).await;
    account.database("shop-db", "shop").await;
    account
        .alarm(
            "web-cpu-high",
            "CPU above 80%",
            &[("ClusterName", "web-main"), ("ServiceName", "web")],
            true,
        )
        .await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    let before = app.aws_calls_total();
    for page in [
        "/",
        "/envs/dev",
        "/envs/dev/services/web-main/web",
        "/databases",
        "/databases?env=dev",
        "/envs/dev/databases/shop-db",
        "/alarms",
        "/alarms?env=dev&state=ALARM&app=shop&q=cpu",
        "/apps",
        "/apps/shop",
    ] {
        let body = app.get_text(page).await;
        assert!(
            !body.contains("data-testid=\"error-panel\""),
            "{page} shows an error"
        );
    }
    for function in [
        "get_overview",
        "list_alarms",
        "list_databases",
        "list_apps",
        "get_session",
    ] {
        assert_eq!(app.call(function, &[]).await.status(), 200, "{function}");
    }
    assert_eq!(app.aws_calls_total(), before, "page views called AWS");
}

#[tokio::test]
async fn an_unreachable_environment_shows_its_error_while_the_others_render() {
    let healthy = Account::new().await;
    healthy.cluster("ok-main").await;
    let td = healthy
        .task_definition("api", "registry.example/api:3.0.0")
        .await;
    healthy.service("ok-main", "api", &td, "shop", 1).await;
    let broken = Account::new().await;
    let mut down = TestEnv::new("staging", &broken);
    // Nothing listens on port 9 of loopback: connection refused.
    down.endpoint = Some("http://127.0.0.1:9".into());
    let app = spawn_app(vec![TestEnv::new("dev", &healthy), down]).await;
    app.sign_in("ana", "viewer").await;
    let overview = app.get_text("/").await;
    assert!(overview.contains("env-card-dev") && overview.contains("env-card-staging"));
    assert!(
        overview.contains("staging is failing"),
        "the failing env says so"
    );
    assert!(overview.contains("failing: no data yet"));
    let env_page = app.get_text("/envs/dev").await;
    assert!(
        env_page.contains(">api<"),
        "the healthy env still lists its service"
    );
    let failing_page = app.get_text("/envs/staging").await;
    assert!(failing_page.contains("data-testid=\"env-error\""));
    let readyz: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(
        readyz["ready"], true,
        "AWS problems are reported, not fatal"
    );
    assert_eq!(readyz["environments"][1]["freshness"], "failing");
}

#[tokio::test]
async fn details_list_a_familys_revisions_again_only_when_it_runs_a_new_one() {
    use server::aws::call_stats::Purpose;
    let account = Account::new().await;
    account.cluster("main").await;
    let web = account
        .task_definition("shop-web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &web, "shop", 1).await;
    let worker = account
        .task_definition("shop-worker", "registry.example/worker:1.0.0")
        .await;
    account.service("main", "worker", &worker, "shop", 1).await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    assert_eq!(
        app.aws_calls("ListTaskDefinitions"),
        2,
        "the first details list each family once"
    );
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh_details().await.expect("details");
    assert_eq!(
        app.aws_calls("ListTaskDefinitions"),
        2,
        "a steady fleet lists no revisions again"
    );
    // A pipeline outside the console registers and deploys a new web revision.
    let web_next = account
        .task_definition("shop-web", "registry.example/web:1.1.0")
        .await;
    account
        .ecs
        .update_service()
        .cluster("main")
        .service("web")
        .task_definition(&web_next)
        .send()
        .await
        .expect("update service");
    slot.refresh().await.expect("refresh");
    slot.refresh_details().await.expect("details");
    assert_eq!(
        app.aws_calls("ListTaskDefinitions"),
        3,
        "only the family that runs a new revision is listed again"
    );
    let details = slot.state().details.expect("details");
    let revisions: Vec<i32> = details.revisions["shop-web"]
        .iter()
        .map(|td| td.revision)
        .collect();
    assert_eq!(revisions, [2, 1], "newest first, the new one included");

    // Every call carries what it was made for.
    let calls = |operation: &str, purpose: Purpose| -> u64 {
        app.state
            .call_stats
            .snapshot()
            .iter()
            .filter(|(k, _)| k.operation == operation && k.purpose == purpose)
            .map(|(_, t)| t.attempts)
            .sum()
    };
    assert_eq!(calls("ListTaskDefinitions", Purpose::Details), 3);
    assert_eq!(
        calls("ListServices", Purpose::Inventory),
        2,
        "two refreshes"
    );
    assert!(
        calls("DescribeAlarms", Purpose::Poller) >= 1,
        "the poller's round"
    );
    assert_eq!(calls("DescribeServices", Purpose::Other), 0);
    let metrics = app.get_text("/metrics").await;
    assert!(metrics.contains(
        r#"quarterdeck_aws_calls_total{env="dev",service="ECS",operation="ListTaskDefinitions",purpose="details"} 3"#
    ));
    assert!(metrics.contains(r#"quarterdeck_details_age_seconds{env="dev"}"#));
}

/// Issue 18, item 7: an environment configured with a cluster's ARN showed no services (the ARN
/// was passed where ECS wants a name and matched nothing), and a cluster that does not exist gave
/// an empty page instead of an error. ARNs are read as names at start; a missing cluster fails
/// the refresh with its name on the page.
#[tokio::test]
async fn clusters_may_be_arns_and_a_missing_one_is_an_error_not_an_empty_page() {
    let account = Account::new().await;
    account.cluster("virga").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("virga", "web", &td, "shop", 1).await;
    let arn = format!(
        r#"["arn:aws:ecs:{}:{}:cluster/virga"]"#,
        crate::helpers::REGION,
        account.id
    );
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &account)],
        Auth::Dev,
        &[("QD_ENVIRONMENTS__0__CLUSTERS", arn.as_str())],
    )
    .await;
    app.sign_in("ana", "viewer").await;
    let page = app.get_text("/envs/dev").await;
    assert!(page.contains(">web<"), "the ARN's cluster is read");

    let missing = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &account)],
        Auth::Dev,
        &[("QD_ENVIRONMENTS__0__CLUSTERS", r#"["virga", "cumulus"]"#)],
    )
    .await;
    missing.sign_in("ana", "viewer").await;
    let page = missing.get_text("/envs/dev").await;
    assert!(
        page.contains("data-testid=\"env-section-failed\"")
            && page.contains("ECS services could not be read"),
        "an error, not an empty list"
    );
    assert!(
        page.contains("ECS cluster cumulus not found"),
        "the page names the missing cluster"
    );
}

/// Issue 18, item 12: DescribeDBClusters also answers for Multi-AZ DB clusters and Neptune (and
/// DocumentDB), which were all labelled "Aurora", and an Aurora volume has no free space to
/// chart. Each is now labelled by its engine and charted with what it has.
#[tokio::test]
async fn db_clusters_are_labelled_by_engine_and_charted_with_what_they_have() {
    let account = Account::new().await;
    for (id, engine) in [
        ("orders-aurora", "aurora-postgresql"),
        ("graph", "neptune"),
        ("ledger", "postgres"),
    ] {
        let mut create = account
            .rds
            .create_db_cluster()
            .db_cluster_identifier(id)
            .engine(engine)
            .master_username("admin")
            .master_user_password("not-a-secret-123");
        if engine == "postgres" {
            create = create
                .db_cluster_instance_class("db.m5d.large")
                .allocated_storage(100)
                .storage_type("io1")
                .iops(1000);
        }
        create.send().await.unwrap();
    }
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    for (id, label, storage) in [
        ("orders-aurora", "Aurora cluster", "Volume used"),
        ("graph", "Neptune cluster", "Volume used"),
        ("ledger", "Multi-AZ DB cluster", "Free storage"),
    ] {
        let page = app.get_text(&format!("/envs/dev/databases/{id}")).await;
        assert!(page.contains(&format!(">{label}<")), "{id} is a {label}");
        assert!(page.contains(storage), "{id} charts {storage}");
    }
    let graph = app.get_text("/envs/dev/databases/graph").await;
    assert!(!graph.contains(">Aurora cluster<"), "Neptune is not Aurora");
    assert!(
        !graph.contains(">Connections<"),
        "Neptune has no connections metric"
    );
}
