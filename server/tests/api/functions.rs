//! Lambda functions against the real server: each function with its runtime, published
//! versions, aliases and reserved concurrency, and the event source mappings that feed it from
//! queues, on /functions, a page per function, the queue page (its workers) and the app page
//! (queue → worker → dead-letter queue as one line); read in the details cycle with aliases,
//! concurrency and tags carried over while fresh, never per page view.

use crate::faults::FaultProxy;
use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};
use crate::queues::{arn, jobs_and_dead_letters};

/// `jobs` (5 waiting) with `jobs-dlq` (2 dead letters), worked by `scorer:live` through a
/// paused mapping; `scorer` has version 1, alias `live` on it and 5 reserved executions.
async fn world() -> (TestApp, FaultProxy) {
    let account = Account::new().await;
    let (jobs, _) = jobs_and_dead_letters(&account).await;
    let jobs_arn = arn(&account, &jobs).await;
    account.function("scorer", "assess").await;
    let version = account
        .lambda
        .publish_version()
        .function_name("scorer")
        .description("scoring v1")
        .send()
        .await
        .expect("publish")
        .version()
        .expect("a version")
        .to_string();
    account
        .lambda
        .create_alias()
        .function_name("scorer")
        .name("live")
        .function_version(&version)
        .send()
        .await
        .expect("alias");
    account
        .lambda
        .put_function_concurrency()
        .function_name("scorer")
        .reserved_concurrent_executions(5)
        .send()
        .await
        .expect("concurrency");
    // Created paused: nothing here can run the function.
    account
        .lambda
        .create_event_source_mapping()
        .function_name("scorer:live")
        .event_source_arn(&jobs_arn)
        .batch_size(10)
        .enabled(false)
        .send()
        .await
        .expect("mapping");
    let proxy = FaultProxy::start().await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app.sign_in("ana", "viewer").await;
    (app, proxy)
}

#[tokio::test]
async fn functions_show_versions_aliases_concurrency_and_the_queues_that_feed_them() {
    let (app, proxy) = world().await;
    let page = app.get_text("/functions").await;
    for text in ["scorer", "python3.12", "live", "jobs", "not consuming"] {
        assert!(
            page.contains(text),
            "the functions page shows {text:?}: {page}"
        );
    }
    let function = app.get_text("/envs/prod/functions/scorer").await;
    for text in [
        "aliases-table",
        "versions-table",
        "scoring v1",
        "mappings-table",
        "Disabled",
        "Throttles",
    ] {
        assert!(
            function.contains(text),
            "the function page shows {text:?}: {function}"
        );
    }
    assert!(function.contains(">5<"), "reserved concurrency 5");
    let queue = app.get_text("/envs/prod/queues/jobs").await;
    assert!(queue.contains("queue-workers") && queue.contains("/envs/prod/functions/scorer"));
    let assess = app.get_text("/apps/assess").await;
    for text in ["app-chains", "paused", "2 dead letters", "functions-table"] {
        assert!(assess.contains(text), "the app page shows {text:?}");
    }
    let missing = app.get("/envs/prod/functions/nope").await;
    assert_eq!(missing.status(), 404);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("there is no function nope in prod"));
    let bad = app
        .call(
            "get_function",
            &[("env", "prod"), ("name", "arn:aws:lambda")],
        )
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("not a function name"));

    // A details cycle lists functions and mappings; aliases, concurrency and tags read moments
    // ago are carried over; page views read nothing.
    let reads = [
        "ListFunctions",
        "ListEventSourceMappings",
        "ListAliases",
        "GetFunctionConcurrency",
        "ListTags",
    ];
    let before: Vec<u64> = reads.iter().map(|op| proxy.seen(op)).collect();
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh_details().await.expect("details");
    let after: Vec<u64> = reads.iter().map(|op| proxy.seen(op)).collect();
    let delta: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert_eq!(
        delta,
        [1, 1, 0, 0, 0],
        "ListFunctions, mappings, aliases, concurrency, tags"
    );
    let calls = app.aws_calls_total();
    for _ in 0..3 {
        app.get_text("/functions").await;
        app.get_text("/envs/prod/functions/scorer").await;
        app.get_text("/apps/assess").await;
    }
    assert_eq!(app.aws_calls_total(), calls, "page views make no AWS calls");
}
