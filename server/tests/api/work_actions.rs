//! Actions on queues and functions against the real server: a purge wants the queue's name typed
//! and refuses a queue the console does not list; a redrive runs, shows its progress and is
//! cancelled (AWS's answers replayed in front of moto, which has no message move tasks) and,
//! against moto itself, says it is not available and changes nothing; a mapping is paused and
//! resumed, an alias weighted, rolled back and refused a weight outside 0–1 or a version that
//! does not exist, reserved concurrency set to 0 and removed; in a protected environment each
//! gated one becomes a release request. Every one is audited.

use crate::faults::{audit_rows, Fault, FaultProxy};
use crate::functions::world_parts;
use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};
use crate::queues::{arn, jobs_and_dead_letters};
use aws_sdk_sqs::types::QueueAttributeName;

async fn depth(account: &Account, url: &str) -> i64 {
    account
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .expect("attributes")
        .attributes()
        .and_then(|a| {
            a.get(&QueueAttributeName::ApproximateNumberOfMessages)
                .cloned()
        })
        .and_then(|n| n.parse().ok())
        .expect("a depth")
}

/// `scorer`'s alias `live`, as Lambda has it.
async fn live_alias(account: &Account) -> aws_sdk_lambda::operation::get_alias::GetAliasOutput {
    account
        .lambda
        .get_alias()
        .function_name("scorer")
        .name("live")
        .send()
        .await
        .expect("alias")
}

fn weights_of(
    alias: &aws_sdk_lambda::operation::get_alias::GetAliasOutput,
) -> std::collections::HashMap<String, f64> {
    alias
        .routing_config()
        .and_then(|r| r.additional_version_weights())
        .cloned()
        .unwrap_or_default()
}

async fn console(account: &Account, endpoint: Option<String>, protected: bool) -> TestApp {
    let mut env = TestEnv::new("prod", account);
    env.endpoint = endpoint;
    env.protected = protected;
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app
}

/// Calls a server function; answers its status and body.
async fn answer(app: &TestApp, function: &str, args: &[(&str, &str)]) -> (u16, String) {
    let response = app.call(function, args).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_purge_wants_the_queues_name_typed_and_refuses_a_queue_not_listed() {
    let account = Account::new().await;
    let (_, dlq) = jobs_and_dead_letters(&account).await;
    let app = console(&account, None, false).await;
    app.sign_in("ana", "operator").await;
    let purge = |queue: &'static str, confirm: &'static str, key: &'static str| {
        let args = [
            ("env", "prod"),
            ("queue", queue),
            ("key", key),
            ("confirm", confirm),
            ("reason", "poison messages, INC-7"),
        ];
        let app = &app;
        async move { answer(app, "purge_queue", &args).await }
    };
    let (status, body) = purge("jobs-dlq", "", "purge-key-0001").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("type jobs-dlq to confirm"), "{body}");
    let (status, _) = purge("jobs-dlq", "jobs", "purge-key-0002").await;
    assert_eq!(status, 400, "another queue's name does not confirm");
    let (status, body) = purge("nope", "nope", "purge-key-0003").await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("there is no queue nope in prod"), "{body}");
    let (status, body) = purge("bad name!", "bad name!", "purge-key-0004").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(depth(&account, &dlq).await, 2, "nothing was purged yet");
    assert!(
        audit_rows(&app, "purge_queue").await.is_empty(),
        "refusals before the policy's yes record nothing"
    );

    let (status, body) = purge("jobs-dlq", " jobs-dlq ", "purge-key-0005").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(depth(&account, &dlq).await, 0);
    // The same request again acts once.
    let (status, _) = purge("jobs-dlq", "jobs-dlq", "purge-key-0005").await;
    assert_eq!(status, 200);
    let rows = audit_rows(&app, "purge_queue").await;
    assert_eq!(
        rows.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(),
        ["requested", "succeeded"],
        "{rows:?}"
    );
    assert!(
        rows[0].1.contains("purge jobs-dlq: delete 2 messages"),
        "{rows:?}"
    );
    let page = app.get_text("/envs/prod/queues/jobs-dlq").await;
    assert!(page.contains("recent-actions") && page.contains("purge jobs-dlq"));
    assert!(
        page.contains("purge-form"),
        "an operator is offered the purge"
    );

    app.sign_in("vic", "viewer").await;
    let (status, _) = purge("jobs-dlq", "jobs-dlq", "purge-key-0006").await;
    assert_eq!(status, 403);
    let page = app.get_text("/envs/prod/queues/jobs-dlq").await;
    assert!(!page.contains("purge-form"), "a viewer is not offered it");
}

#[tokio::test]
async fn a_redrive_against_an_endpoint_without_move_tasks_says_so_and_changes_nothing() {
    let account = Account::new().await;
    let (jobs, dlq) = jobs_and_dead_letters(&account).await;
    let app = console(&account, None, false).await;
    app.sign_in("ana", "operator").await;
    let redrive = |queue: &'static str, rate: &'static str, key: &'static str| {
        let args = [
            ("env", "prod"),
            ("queue", queue),
            ("rate", rate),
            ("key", key),
        ];
        let app = &app;
        async move { answer(app, "redrive_queue", &args).await }
    };
    let (status, body) = redrive("jobs", "", "redrive-key-01").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not a dead-letter queue"), "{body}");
    let (status, body) = redrive("jobs-dlq", "900", "redrive-key-02").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("from 1 to 500"), "{body}");
    let (status, body) = redrive("jobs-dlq", "", "redrive-key-03").await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("redrives are not available here"), "{body}");
    assert!(body.contains("nothing was changed"), "{body}");
    assert_eq!(depth(&account, &dlq).await, 2);
    assert_eq!(depth(&account, &jobs).await, 5);
    let rows = audit_rows(&app, "redrive_queue").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1].0, "failed");
}

#[tokio::test]
async fn a_redrive_runs_shows_its_progress_and_is_cancelled_with_aws_answers_replayed() {
    let account = Account::new().await;
    let (jobs, dlq) = jobs_and_dead_letters(&account).await;
    let jobs_arn = arn(&account, &jobs).await;
    let dlq_arn = arn(&account, &dlq).await;
    let proxy = FaultProxy::start().await;
    let started = chrono::Utc::now().timestamp_millis();
    let task = |status: &str, handle: bool, moved: i64| {
        let mut t = serde_json::json!({
            "Status": status, "SourceArn": dlq_arn, "DestinationArn": jobs_arn,
            "ApproximateNumberOfMessagesMoved": moved, "ApproximateNumberOfMessagesToMove": 2,
            "StartedTimestamp": started
        });
        if handle {
            t["TaskHandle"] = serde_json::json!("eyJ0YXNrSWQiOiJkYjQ5In0=");
        }
        t
    };
    // Before the start: nothing running. After it: running, one of two moved.
    proxy.arm(
        "ListMessageMoveTasks",
        Fault::replay(vec![
            serde_json::json!({"Results": []}),
            serde_json::json!({"Results": [task("RUNNING", true, 1)]}),
        ]),
    );
    proxy.arm(
        "StartMessageMoveTask",
        Fault::replay(vec![
            serde_json::json!({"TaskHandle": "eyJ0YXNrSWQiOiJkYjQ5In0="}),
        ]),
    );
    let app = console(&account, Some(proxy.url.clone()), false).await;
    app.sign_in("ana", "operator").await;
    let response = app
        .call(
            "redrive_queue",
            &[
                ("env", "prod"),
                ("queue", "jobs-dlq"),
                ("rate", "20"),
                ("key", "redrive-key-11"),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        200,
        "{}",
        response.text().await.unwrap_or_default()
    );
    assert_eq!(proxy.seen("StartMessageMoveTask"), 1);
    let page = app.get_text("/envs/prod/queues/jobs-dlq").await;
    for text in [
        "running: 1 of 2 moved",
        "cancel-redrive-form",
        "redrive 2 messages from jobs-dlq to jobs at 20 a second",
    ] {
        assert!(page.contains(text), "the DLQ page shows {text:?}");
    }
    assert!(
        !page.contains("data-testid=\"redrive-form\""),
        "no second redrive while one runs"
    );
    // A second redrive while this one runs is refused from what was read.
    let again = app
        .call(
            "redrive_queue",
            &[
                ("env", "prod"),
                ("queue", "jobs-dlq"),
                ("key", "redrive-key-12"),
            ],
        )
        .await;
    assert_eq!(again.status(), 400);

    proxy.arm(
        "ListMessageMoveTasks",
        Fault::replay(vec![
            serde_json::json!({"Results": [task("CANCELLED", false, 1)]}),
        ]),
    );
    proxy.arm(
        "CancelMessageMoveTask",
        Fault::replay(vec![
            serde_json::json!({"ApproximateNumberOfMessagesMoved": 1}),
        ]),
    );
    let cancel = app
        .call(
            "cancel_redrive",
            &[
                ("env", "prod"),
                ("queue", "jobs-dlq"),
                ("key", "cancel-key-0001"),
            ],
        )
        .await;
    assert_eq!(
        cancel.status(),
        200,
        "{}",
        cancel.text().await.unwrap_or_default()
    );
    assert_eq!(proxy.seen("CancelMessageMoveTask"), 1);
    let page = app.get_text("/envs/prod/queues/jobs-dlq").await;
    assert!(
        page.contains("cancelled: 1 moved"),
        "the cancelled redrive shows"
    );
    let rows = audit_rows(&app, "cancel_redrive").await;
    assert_eq!(
        rows.last().map(|(o, _)| o.as_str()),
        Some("succeeded"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn mappings_aliases_and_concurrency_change_in_lambda_and_bad_input_is_refused() {
    let account = Account::new().await;
    let mapping = world_parts(&account).await;
    // A second published version, for the weighted alias.
    account
        .lambda
        .update_function_configuration()
        .function_name("scorer")
        .description("scoring v2")
        .send()
        .await
        .expect("update");
    let published = account
        .lambda
        .publish_version()
        .function_name("scorer")
        .description("scoring v2")
        .send()
        .await
        .expect("publish")
        .version()
        .map(str::to_string);
    assert_eq!(published.as_deref(), Some("2"));
    let app = console(&account, None, false).await;
    app.sign_in("ana", "operator").await;
    let act = |function: &'static str, args: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut all: Vec<(&str, String)> = vec![("env", "prod".into())];
            all.extend(args);
            let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            answer(app, function, &pairs).await
        }
    };
    let state = || async {
        account
            .lambda
            .get_event_source_mapping()
            .uuid(&mapping)
            .send()
            .await
            .expect("mapping")
            .state()
            .unwrap_or_default()
            .to_string()
    };
    let toggle = |uuid: &str, enabled: &str, key: &str, reason: &str| {
        vec![
            ("function", "scorer".to_string()),
            ("uuid", uuid.to_string()),
            ("enabled", enabled.to_string()),
            ("key", key.to_string()),
            ("reason", reason.to_string()),
        ]
    };
    // Resume the paused worker, then pause it again.
    let (status, body) = act("set_mapping", toggle(&mapping, "true", "map-key-0001", "")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(state().await, "Enabled");
    let (status, body) = act("set_mapping", toggle(&mapping, "true", "map-key-0002", "")).await;
    assert_eq!(
        status, 400,
        "resuming a consuming mapping changes nothing: {body}"
    );
    let (status, body) = act(
        "set_mapping",
        toggle(
            &mapping,
            "false",
            "map-key-0003",
            "stop consuming during INC-9",
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(state().await, "Disabled");
    let (status, _) = act(
        "set_mapping",
        toggle("no-such-mapping", "false", "map-key-0004", ""),
    )
    .await;
    assert_eq!(status, 404);

    // Point live at 1 with 10 % on 2, refusing bad weights and versions first.
    let alias = |version: &str, additional: &str, weight: &str, key: &str| {
        vec![
            ("function", "scorer".to_string()),
            ("alias", "live".to_string()),
            ("version", version.to_string()),
            ("additional", additional.to_string()),
            ("weight", weight.to_string()),
            ("key", key.to_string()),
        ]
    };
    for (version, additional, weight, needle) in [
        ("1", "2", "1.5", "from 0 to 1"),
        ("1", "2", "-0.1", "from 0 to 1"),
        ("9", "", "", "no published version \\\"9\\\""),
        ("1", "9", "0.1", "no published version \\\"9\\\""),
        ("$LATEST", "", "", "not $LATEST"),
    ] {
        let (status, body) = act(
            "update_alias",
            alias(version, additional, weight, "alias-key-bad"),
        )
        .await;
        assert_eq!(status, 400, "{version}/{additional}/{weight}: {body}");
        assert!(body.contains(needle), "{needle}: {body}");
    }
    let (status, body) = act("update_alias", alias("1", "2", "10%", "alias-key-0001")).await;
    assert_eq!(status, 200, "{body}");
    let read = live_alias(&account).await;
    assert_eq!(read.function_version(), Some("1"));
    let weights = weights_of(&read);
    assert_eq!(weights.get("2").copied(), Some(0.1), "{weights:?}");
    let page = app.get_text("/envs/prod/functions/scorer").await;
    assert!(
        page.contains("1 (90 %) and 2 (10 %)"),
        "the page shows the new routing"
    );
    assert!(
        page.contains("roll back scorer:live 1 (90 %) and 2 (10 %) → 1"),
        "the rollback says what it does"
    );
    // Rolling back drops the canary.
    let (status, body) = act(
        "rollback_alias",
        vec![
            ("function", "scorer".into()),
            ("alias", "live".into()),
            ("key", "alias-key-0002".into()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let read = live_alias(&account).await;
    let weights = weights_of(&read);
    assert!(weights.is_empty(), "{weights:?}");

    // The emergency stop, then back to the shared pool.
    let reserved = || async {
        account
            .lambda
            .get_function_concurrency()
            .function_name("scorer")
            .send()
            .await
            .expect("concurrency")
            .reserved_concurrent_executions()
    };
    for (text, status) in [("-1", 400), ("2.5", 400), ("5", 400)] {
        let (got, body) = act(
            "set_concurrency",
            vec![
                ("function", "scorer".into()),
                ("reserved", text.into()),
                ("key", "conc-key-bad".into()),
            ],
        )
        .await;
        assert_eq!(got, status, "{text}: {body}");
    }
    let (status, body) = act(
        "set_concurrency",
        vec![
            ("function", "scorer".into()),
            ("reserved", "0".into()),
            ("key", "conc-key-0001".into()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(reserved().await, Some(0));
    let (status, body) = act(
        "set_concurrency",
        vec![
            ("function", "scorer".into()),
            ("reserved", "".into()),
            ("key", "conc-key-0002".into()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(reserved().await, None);

    for kind in [
        "pause_mapping",
        "resume_mapping",
        "update_alias",
        "rollback_alias",
        "set_concurrency",
    ] {
        let rows = audit_rows(&app, kind).await;
        assert!(
            rows.iter().any(|(o, _)| o == "succeeded"),
            "{kind}: {rows:?}"
        );
    }
    let page = app.get_text("/envs/prod/functions/scorer").await;
    assert!(
        page.contains("stop consuming during INC-9"),
        "the recent actions keep the reason"
    );
}

#[tokio::test]
async fn in_a_protected_environment_function_changes_and_purges_wait_for_approval() {
    let account = Account::new().await;
    world_parts(&account).await;
    let app = console(&account, None, true).await;
    app.sign_in("ana", "operator").await;
    let response = app
        .call(
            "set_concurrency",
            &[
                ("env", "prod"),
                ("function", "scorer"),
                ("reserved", "0"),
                ("key", "gated-key-0001"),
                ("reason", "stop the scorer during INC-11"),
                ("confirm", "scorer"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let result: serde_json::Value = response.json().await.expect("json");
    assert!(
        result["status"]["AwaitingApproval"]["release"].is_number(),
        "{result}"
    );
    let reserved = account
        .lambda
        .get_function_concurrency()
        .function_name("scorer")
        .send()
        .await
        .expect("concurrency")
        .reserved_concurrent_executions();
    assert_eq!(reserved, Some(5), "nothing changed before approval");
    let purge = app
        .call(
            "purge_queue",
            &[
                ("env", "prod"),
                ("queue", "jobs-dlq"),
                ("key", "gated-key-0002"),
                ("reason", "poison"),
                ("confirm", "jobs-dlq"),
            ],
        )
        .await;
    assert_eq!(purge.status(), 200);
    let result: serde_json::Value = purge.json().await.expect("json");
    assert!(
        result["status"]["AwaitingApproval"]["release"].is_number(),
        "{result}"
    );
}
