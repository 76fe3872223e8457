//! Issue 18, item 4: throttling and partial failure as a real account shows them. A section
//! whose API is denied (an SCP on RDS) or throttled past the retries leaves the other sections
//! fresh and says which section failed and why; throttles answered in XML (RDS, CloudWatch's
//! query protocol) are counted like JSON ones; and every stream of one environment shares one
//! limit on calls in flight per AWS service.

use crate::faults::{Fault, FaultProxy};
use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestEnv};
use std::time::Duration;

async fn shop(account: &Account) {
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    account.database("shop-db", "shop").await;
    account
        .alarm(
            "web-cpu",
            "CPU above 80%",
            &[("ClusterName", "main"), ("ServiceName", "web")],
            false,
        )
        .await;
}

const RDS_DENIED: &str = "User: arn:aws:sts::123456789012:assumed-role/quarterdeck/quarterdeck is not authorized to perform: rds:DescribeDBInstances with an explicit deny in a service control policy";

#[tokio::test]
async fn a_denied_section_leaves_the_others_fresh_and_says_which_and_why() {
    let account = Account::new().await;
    shop(&account).await;
    let proxy = FaultProxy::start().await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.sign_in("ana", "viewer").await;
    let page = app.get_text("/envs/prod").await;
    assert!(page.contains("shop-db"), "the database is read at first");

    // RDS is now denied by an SCP (XML, as the query protocol answers).
    proxy.arm(
        "DescribeDBInstances",
        Fault::xml("AccessDenied", RDS_DENIED, 403),
    );
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh()
        .await
        .expect("the refresh succeeds without RDS");
    let state = slot.state();
    assert!(
        state.status.error.is_none(),
        "the environment is not failing"
    );
    let inventory = state.inventory.expect("an inventory");
    assert_eq!(inventory.services.len(), 1, "ECS is fresh");
    assert_eq!(inventory.alarms.len(), 1, "alarms are fresh");
    assert_eq!(
        inventory.databases.len(),
        1,
        "the database as last read is still shown"
    );
    let page = app.get_text("/envs/prod").await;
    assert!(
        page.contains("data-testid=\"env-section-failed\""),
        "{page}"
    );
    assert!(page.contains("RDS databases could not be read"));
    assert!(page.contains("explicit deny in a service control policy"));
    assert!(page.contains("shop-db"), "shown as last read");
    assert!(page.contains("The rest of this environment is up to date."));

    // Allowed again: the note goes.
    proxy.disarm("DescribeDBInstances");
    slot.refresh().await.expect("refresh");
    assert!(slot.state().status.failed_sections.is_empty());
    let page = app.get_text("/envs/prod").await;
    assert!(!page.contains("data-testid=\"env-section-failed\""));
}

#[tokio::test]
async fn throttles_in_xml_bodies_are_counted_and_retried() {
    let account = Account::new().await;
    shop(&account).await;
    let proxy = FaultProxy::start().await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    // Three attempts per call, so a throttled call is retried.
    let app = spawn_app_with_overrides(
        vec![env],
        Auth::Dev,
        &[
            ("QD_AWS__MAX_ATTEMPTS", "3"),
            ("QD_AWS__ATTEMPT_TIMEOUT", "5s"),
        ],
    )
    .await;
    proxy.arm(
        "DescribeDBSnapshots",
        Fault::xml("Throttling", "Rate exceeded", 400),
    );
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    let before = proxy.seen("DescribeDBSnapshots");
    let _ = slot.refresh().await;
    let throttles: u64 = app
        .state
        .call_stats
        .snapshot()
        .iter()
        .filter(|(k, _)| k.operation == "DescribeDBSnapshots")
        .map(|(_, t)| t.throttles)
        .sum();
    let attempts = proxy.seen("DescribeDBSnapshots") - before;
    assert!(
        attempts >= 2,
        "a throttled call is retried ({attempts} attempts)"
    );
    assert!(
        throttles >= attempts,
        "each throttled attempt is counted: {throttles} of {attempts}"
    );
    let failed = slot.state().status.failed_sections;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].error.contains("Throttling"), "{failed:?}");
}

#[tokio::test]
async fn every_stream_of_an_environment_shares_one_limit_per_aws_service() {
    let account = Account::new().await;
    account.cluster("main").await;
    for i in 0..8 {
        let family = format!("job-{i}");
        let td = account
            .task_definition(&family, "registry.example/job:1.0.0")
            .await;
        account.service("main", &family, &td, "batch", 1).await;
    }
    let proxy = FaultProxy::start().await;
    // Slow answers make the streams overlap: the inventory's descriptions, the details'
    // revision listings and task listings, and the poller.
    for operation in [
        "DescribeTaskDefinition",
        "ListTaskDefinitions",
        "ListTasks",
        "DescribeTasks",
        "DescribeServices",
    ] {
        proxy.arm(operation, Fault::Late(Duration::from_millis(250)));
    }
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[("QD_AWS__CONCURRENCY", "2")]).await;
    app.wait_for_first_refresh().await;
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    // A refresh and a details cycle at once, as their loops run.
    let (a, b) = tokio::join!(slot.refresh(), slot.refresh_details());
    a.expect("refresh");
    b.expect("details");
    let ecs = proxy.max_in_flight("ecs");
    assert!(ecs >= 1, "ECS was called through the proxy");
    assert!(
        ecs <= 2,
        "at most aws.concurrency = 2 ECS calls in flight at once, all streams together: saw {ecs}"
    );
}

/// Issue 18, item 5 (incremental metrics): after the first details cycle, a series already held
/// is fetched only from shortly before the last fetch, not the whole six-hour window again.
#[tokio::test]
async fn metric_series_are_fetched_from_where_they_end() {
    let account = Account::new().await;
    shop(&account).await;
    let proxy = FaultProxy::start().await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    let start_of = |body: &str| -> chrono::DateTime<chrono::Utc> {
        let raw = body
            .split('&')
            .find_map(|p| p.strip_prefix("StartTime="))
            .expect("a StartTime");
        chrono::DateTime::parse_from_rfc3339(&crate::faults::decode_form(raw))
            .expect("an RFC 3339 time")
            .with_timezone(&chrono::Utc)
    };
    let first = proxy.exchanges("GetMetricData");
    assert!(!first.is_empty(), "the first cycle fetched the series");
    let now = chrono::Utc::now();
    assert!(
        first
            .iter()
            .all(|e| now - start_of(&e.request) > chrono::Duration::hours(5)),
        "the first cycle fetches the whole window"
    );
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh_details().await.expect("details");
    let second: Vec<_> = proxy.exchanges("GetMetricData")[first.len()..].to_vec();
    assert!(!second.is_empty());
    for exchange in &second {
        let since = chrono::Utc::now() - start_of(&exchange.request);
        assert!(
            since < chrono::Duration::minutes(15),
            "a held series is fetched from near its end, not {since} back"
        );
    }
    // Each metric query sent is counted (CloudWatch bills by the metric), for the benchmark
    // and for an operator's own dashboards.
    let sent: usize = proxy
        .exchanges("GetMetricData")
        .iter()
        .map(|e| {
            e.request
                .split('&')
                .filter(|p| p.starts_with("MetricDataQueries.member.") && p.contains(".Id="))
                .count()
        })
        .sum();
    assert!(sent > 0);
    assert_eq!(app.state.call_stats.total_metric_queries(), sent as u64);
    assert!(app
        .get_text("/metrics")
        .await
        .contains(r#"quarterdeck_aws_metric_queries_total{env="prod",purpose="details"}"#));
}
