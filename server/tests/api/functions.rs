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
    world_parts(&account).await;
    let proxy = FaultProxy::start().await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app.sign_in("ana", "viewer").await;
    (app, proxy)
}

/// What [`world`] puts in `account`; answers the mapping's UUID.
pub(crate) async fn world_parts(account: &Account) -> String {
    let (jobs, _) = jobs_and_dead_letters(account).await;
    let jobs_arn = arn(account, &jobs).await;
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
        .expect("mapping")
        .uuid()
        .expect("a mapping UUID")
        .to_string()
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

/// What moto answers differs from what AWS sends: Lambda's `LastModified` is
/// `2026-11-29T08:00:00.000+0000` (an offset without a colon), a mapping passes through
/// `Disabling` with `USER_INITIATED`, SQS sends whole epoch seconds and the redrive count as
/// text. Answers in those shapes (from the Lambda and SQS API references) are replayed in front
/// of moto and read as AWS means them.
#[tokio::test]
async fn answers_in_the_shapes_aws_sends_are_read_as_aws_means_them() {
    use crate::faults::Fault;
    let account = Account::new().await;
    account.function("scorer", "assess").await;
    let jobs = crate::queues::queue(&account, "jobs", "assess", &[]).await;
    let region = crate::helpers::REGION;
    let id = &account.id;
    let function_arn = format!("arn:aws:lambda:{region}:{id}:function:scorer");
    let proxy = FaultProxy::start().await;
    proxy.arm(
        "ListFunctions",
        Fault::replay(vec![serde_json::json!({
            "Functions": [
                {"FunctionName": "scorer", "FunctionArn": function_arn, "Runtime": "python3.12",
                 "MemorySize": 512, "Timeout": 30, "LastModified": "2026-11-30T09:15:02.000+0000",
                 "CodeSha256": "Zm9vYmFyYmF6cXV4cXV1eA==", "Version": "$LATEST",
                 "Architectures": ["arm64"], "State": "Active", "PackageType": "Zip"},
                {"FunctionName": "scorer", "FunctionArn": format!("{function_arn}:3"),
                 "Runtime": "python3.12", "MemorySize": 512, "Timeout": 30,
                 "LastModified": "2026-11-29T08:00:00.000+0000", "CodeSha256": "cXV1eHF1eA==",
                 "Description": "scoring 2.5.0", "Version": "3", "Architectures": ["arm64"]}
            ]
        })]),
    );
    proxy.arm(
        "ListEventSourceMappings",
        Fault::replay(vec![serde_json::json!({
            "EventSourceMappings": [
                {"UUID": "a1b2c3d4-5678-90ab-cdef-11111EXAMPLE", "BatchSize": 10,
                 "EventSourceArn": format!("arn:aws:sqs:{region}:{id}:jobs"),
                 "FunctionArn": format!("{function_arn}:live"), "LastModified": 1764497000.0,
                 "State": "Disabling", "StateTransitionReason": "USER_INITIATED"}
            ]
        })]),
    );
    proxy.arm(
        "GetQueueAttributes",
        Fault::replay_when(
            Some(jobs.as_str()),
            vec![serde_json::json!({
                "Attributes": {
                    "QueueArn": format!("arn:aws:sqs:{region}:{id}:jobs"),
                    "ApproximateNumberOfMessages": "7",
                    "ApproximateNumberOfMessagesNotVisible": "2",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": "1764500000",
                    "VisibilityTimeout": "300",
                    "RedrivePolicy": format!("{{\"deadLetterTargetArn\":\"arn:aws:sqs:{region}:{id}:jobs-dlq\",\"maxReceiveCount\":\"5\"}}"),
                    "SqsManagedSseEnabled": "true"
                }
            })],
        ),
    );
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app.sign_in("ana", "viewer").await;

    let function = app.get_text("/envs/prod/functions/scorer").await;
    for text in [
        "2026-11-30 09:15 UTC",
        "2026-11-29 08:00 UTC",
        "scoring 2.5.0",
        "Disabling · not consuming",
        "USER_INITIATED",
    ] {
        assert!(function.contains(text), "the function page shows {text:?}");
    }
    let queue = app.get_text("/envs/prod/queues/jobs").await;
    for text in [
        "2025-11-30 10:53 UTC",
        "after 5 receives",
        "SSE-SQS",
        "5 minutes",
        "/envs/prod/functions/scorer",
    ] {
        assert!(queue.contains(text), "the queue page shows {text:?}");
    }
    let queues = app.get_text("/queues").await;
    assert!(
        queues.contains("not listed here"),
        "jobs-dlq is named, not counted"
    );
}
