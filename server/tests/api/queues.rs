//! SQS queues against the real server: each queue with its depth, flags and app tag beside the
//! dead-letter queue its redrive policy names, on the queues page, the queue page, the app page
//! and the environment page; read in the details cycle (one GetQueueAttributes per queue, tags
//! only when not read recently), never per page view; a denied read shown in place with the
//! last queues kept.

use crate::faults::{Fault, FaultProxy};
use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};
use aws_sdk_sqs::types::QueueAttributeName;

/// Creates `name` with `attributes` and the `app` tag; answers its URL.
pub(crate) async fn queue(
    account: &Account,
    name: &str,
    app: &str,
    attributes: &[(QueueAttributeName, String)],
) -> String {
    let mut create = account.sqs.create_queue().queue_name(name).tags("app", app);
    for (k, v) in attributes {
        create = create.attributes(k.clone(), v);
    }
    create
        .send()
        .await
        .expect("create queue")
        .queue_url()
        .expect("a queue URL")
        .to_string()
}

pub(crate) async fn arn(account: &Account, url: &str) -> String {
    account
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes")
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("an ARN")
}

pub(crate) async fn send(account: &Account, url: &str, n: usize) {
    for i in 0..n {
        account
            .sqs
            .send_message()
            .queue_url(url)
            .message_body(format!("{{\"job\":{i}}}"))
            .send()
            .await
            .expect("send");
    }
}

/// Creates `jobs` of app `assess` (5 waiting) whose redrive policy sends failures after 3
/// receives to `jobs-dlq` (2 dead letters); answers their URLs.
pub(crate) async fn jobs_and_dead_letters(account: &Account) -> (String, String) {
    let dlq = queue(account, "jobs-dlq", "assess", &[]).await;
    let dlq_arn = arn(account, &dlq).await;
    let jobs = queue(
        account,
        "jobs",
        "assess",
        &[(
            QueueAttributeName::RedrivePolicy,
            format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"3"}}"#),
        )],
    )
    .await;
    send(account, &jobs, 5).await;
    send(account, &dlq, 2).await;
    (jobs, dlq)
}

/// An environment with `jobs` and `jobs-dlq` and a FIFO queue of another app; the console
/// reads it through a proxy.
async fn world() -> (TestApp, Account, FaultProxy) {
    let account = Account::new().await;
    jobs_and_dead_letters(&account).await;
    queue(
        &account,
        "ledger.fifo",
        "ledger",
        &[
            (QueueAttributeName::FifoQueue, "true".into()),
            (QueueAttributeName::KmsMasterKeyId, "alias/ledger".into()),
        ],
    )
    .await;
    let proxy = FaultProxy::start().await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app.sign_in("ana", "viewer").await;
    (app, account, proxy)
}

#[tokio::test]
async fn queues_show_their_depth_and_dead_letter_queue_read_once_per_cycle() {
    let (app, _account, proxy) = world().await;
    let page = app.get_text("/queues").await;
    for text in [
        "jobs-dlq",
        "ledger.fifo",
        "FIFO · SSE-KMS (alias/ledger)",
        "2 messages",
        "failures in its DLQ",
        "dead letters",
        "is the DLQ of jobs",
    ] {
        assert!(page.contains(text), "the queues page shows {text:?}");
    }
    let queue_page = app.get_text("/envs/prod/queues/jobs").await;
    for text in [
        "after 3 receives",
        "jobs-dlq",
        "Messages waiting",
        "Dead-letter queue",
        "assess",
    ] {
        assert!(queue_page.contains(text), "the queue page shows {text:?}");
    }
    let dlq_page = app.get_text("/envs/prod/queues/jobs-dlq").await;
    assert!(dlq_page.contains("Queues that send their failures here"));
    let env_page = app.get_text("/envs/prod").await;
    assert!(
        env_page.contains("3 SQS queues"),
        "the environment page counts them"
    );
    assert!(env_page.contains("2 dead letters in 1 DLQ"));
    let app_page = app.get_text("/apps/assess").await;
    assert!(app_page.contains("queues-table") && app_page.contains("jobs-dlq"));

    // Bad input and unknown queues are refused with a message.
    let missing = app.get("/envs/prod/queues/nope").await;
    assert_eq!(missing.status(), 404);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("there is no queue nope in prod"));
    let bad = app
        .call("get_queue", &[("env", "prod"), ("name", "no;pe")])
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("not a queue name"));

    // One details cycle: one GetQueueAttributes per queue, no tags (read moments ago), and page
    // views read nothing.
    let before = |op: &str| proxy.seen(op);
    let (attrs, tags, lists) = (
        before("GetQueueAttributes"),
        before("ListQueueTags"),
        before("ListQueues"),
    );
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh_details().await.expect("details");
    assert_eq!(proxy.seen("GetQueueAttributes") - attrs, 3);
    assert_eq!(proxy.seen("ListQueues") - lists, 1);
    assert_eq!(
        proxy.seen("ListQueueTags") - tags,
        0,
        "tags read in the last cycle are kept"
    );
    let calls = app.aws_calls_total();
    for _ in 0..3 {
        app.get_text("/queues").await;
        app.get_text("/envs/prod/queues/jobs").await;
    }
    assert_eq!(app.aws_calls_total(), calls, "page views make no AWS calls");
}

#[tokio::test]
async fn a_denied_queue_read_keeps_the_last_queues_and_says_why() {
    let (app, _account, proxy) = world().await;
    proxy.arm(
        "ListQueues",
        Fault::new(
            "AccessDenied",
            "User: arn:aws:sts::123456789012:assumed-role/quarterdeck/x is not authorized to perform: sqs:listqueues with an explicit deny in a service control policy",
        ),
    );
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh_details()
        .await
        .expect("the details cycle still succeeds");
    let page = app.get_text("/queues").await;
    assert!(page.contains("could not all be read"), "{page}");
    assert!(page.contains("explicit deny"));
    assert!(page.contains("jobs-dlq"), "the last queues are kept");
    let env_page = app.get_text("/envs/prod").await;
    assert!(env_page.contains("some not read this cycle"));
}
