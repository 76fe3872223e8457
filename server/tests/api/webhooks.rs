//! The durable webhook outbox against the real server: a notice outlives a webhook that is down
//! and a console restart in between, and arrives exactly once when the webhook is back; a
//! delivered notice is never sent again by the next console; a given-up notice is on the admins'
//! `/webhooks` page and "retry now" (without JavaScript, audited) delivers it; nobody else may see
//! the outbox or retry a notice.

use crate::helpers::{spawn_app_with_overrides, Auth, FlakyReceiver, TestApp, PUBLIC_URL};
use crate::releases::{account, prod_env, request_scale};
use app::domain::outbox::{DeliveryState, OutboxRow};
use app::ports::OutboxPort;
use std::time::Duration;

/// Quick retries: a wait of 200 ms doubling to 500 ms, so a test sees several failed attempts in
/// a second or two.
const QUICK: [(&str, &str); 2] = [
    ("QD_NOTIFICATIONS__FIRST_RETRY_AFTER", "200ms"),
    ("QD_NOTIFICATIONS__MAX_RETRY_INTERVAL", "500ms"),
];

fn hooks(receiver: &FlakyReceiver) -> String {
    format!(r#"[{{ name = "chat", url = "{}" }}]"#, receiver.url)
}

/// A console on the protected `prod` of `account` with the receiver as its webhook `chat`.
async fn console(
    account: &crate::helpers::Account,
    receiver: &FlakyReceiver,
    extra: &[(&str, &str)],
) -> TestApp {
    let hooks = hooks(receiver);
    let mut overrides = vec![("QD_NOTIFICATIONS__WEBHOOKS", hooks.as_str())];
    overrides.extend(QUICK);
    overrides.extend(extra);
    spawn_app_with_overrides(vec![prod_env(account)], Auth::Dev, &overrides).await
}

/// Waits up to `within` for `done`, failing with `what`.
async fn wait_until(within: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < within, "{what} within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn outbox(app: &TestApp) -> Vec<OutboxRow> {
    OutboxPort::rows(app.state.outbox.as_ref(), None, 50)
        .await
        .expect("outbox rows")
}

/// Stops a console and waits until it has given the jobs lease back, which it does only after
/// its delivery workers have finished.
async fn stop(app: &mut TestApp) {
    app.stop();
    for _ in 0..200 {
        if !app.state.lease.is_held() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the console did not stop");
}

/// A console whose webhook is down and whose notices are given up after a second, with the
/// notice of olga's request under `key` given up.
async fn with_a_given_up_notice(key: &str) -> (FlakyReceiver, TestApp, OutboxRow) {
    let receiver = FlakyReceiver::start(false).await;
    let account = account().await;
    let app = console(
        &account,
        &receiver,
        &[("QD_NOTIFICATIONS__RETRY_FOR", "1s")],
    )
    .await;
    let olga = app.person("olga", "operator").await;
    request_scale(&olga, key, "3").await;
    for _ in 0..200 {
        let rows = outbox(&app).await;
        if let Some(row) = rows.into_iter().find(|r| r.state == DeliveryState::GivenUp) {
            return (receiver, app, row);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no notice was given up within 10 s");
}

/// The text of the first element marked `data-testid="<id>"` up to its first child.
fn cell(page: &str, id: &str) -> String {
    let marker = format!("data-testid=\"{id}\"");
    page.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(text, _)| text.to_string())
        .unwrap_or_else(|| panic!("no {id} in the page"))
}

fn metric(text: &str, line_start: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn a_notice_outlives_a_down_webhook_and_a_restart_and_arrives_once() {
    let receiver = FlakyReceiver::start(false).await;
    let account = account().await;
    let mut first = console(&account, &receiver, &[]).await;
    let olga = first.person("olga", "operator").await;
    request_scale(&olga, "outbox-key-0001", "3").await;
    wait_until(
        Duration::from_secs(15),
        "three failed attempts on the first console",
        || receiver.refused() >= 3,
    )
    .await;
    let database = first.database_url();
    stop(&mut first).await;
    let refused_by_first = receiver.refused();
    // Read straight from the database: the stopped console closed its pool.
    let store = server::store::SqlOutbox::new(server::store::connect(&database).await.unwrap());
    let rows = store.rows(None, 50).await.unwrap();
    assert_eq!(rows.len(), 1, "one row: one notice, one webhook");
    assert_eq!(rows[0].state, DeliveryState::Pending);
    assert_eq!(rows[0].event, "release.requested");
    assert_eq!(
        u64::from(rows[0].attempts),
        refused_by_first,
        "every attempt counted"
    );
    assert!(rows[0].last_error.as_deref() == Some("answered 503 Service Unavailable"));
    assert_eq!(
        rows[0].claimed_until, None,
        "a clean stop leaves nothing claimed"
    );

    // A new console on the same database carries on, and fails a few times more.
    let second = console(
        &account,
        &receiver,
        &[("QD_SERVER__DATABASE_URL", &database)],
    )
    .await;
    wait_until(
        Duration::from_secs(15),
        "failed attempts on the second console",
        || receiver.refused() >= refused_by_first + 2,
    )
    .await;
    assert!(receiver.events().is_empty());
    receiver.up.store(true, std::sync::atomic::Ordering::SeqCst);
    wait_until(Duration::from_secs(15), "the notice delivered", || {
        !receiver.events().is_empty()
    })
    .await;
    // Once: nothing sends it again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.events(), vec!["release.requested"]);
    let rows = outbox(&second).await;
    assert_eq!(rows[0].state, DeliveryState::Delivered);
    assert!(rows[0].attempts >= 6, "{} attempts", rows[0].attempts);
    assert!(rows[0].delivered_at.is_some());

    let metrics = second.get_text("/metrics").await;
    assert_eq!(
        metric(
            &metrics,
            "quarterdeck_webhook_outbox_notices{webhook=\"chat\",state=\"delivered\"} "
        ),
        Some(1.0),
        "{metrics}"
    );
    assert_eq!(
        metric(
            &metrics,
            "quarterdeck_webhook_outbox_notices{webhook=\"chat\",state=\"pending\"} "
        ),
        Some(0.0)
    );
    assert_eq!(
        metric(
            &metrics,
            "quarterdeck_webhook_deliveries_total{outcome=\"delivered\"} "
        ),
        Some(1.0)
    );
    assert!(
        metric(
            &metrics,
            "quarterdeck_webhook_deliveries_total{outcome=\"retried\"} "
        )
        .is_some_and(|n| n >= 2.0),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_delivered_notice_is_not_sent_again_after_a_restart() {
    let receiver = FlakyReceiver::start(true).await;
    let account = account().await;
    let mut first = console(&account, &receiver, &[]).await;
    let olga = first.person("olga", "operator").await;
    request_scale(&olga, "outbox-key-0002", "3").await;
    wait_until(Duration::from_secs(10), "the notice delivered", || {
        receiver.events().len() == 1
    })
    .await;
    let database = first.database_url();
    stop(&mut first).await;
    let second = console(
        &account,
        &receiver,
        &[("QD_SERVER__DATABASE_URL", &database)],
    )
    .await;
    assert!(second.state.lease.is_held(), "the second console delivers");
    // Its worker looks at once and every two seconds.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.events(), vec!["release.requested"]);
    let rows = outbox(&second).await;
    assert_eq!(rows[0].state, DeliveryState::Delivered);
    assert_eq!(rows[0].attempts, 1);
}

#[tokio::test]
async fn an_admin_sees_a_given_up_notice_and_retries_it_without_javascript() {
    let (receiver, app, given_up) = with_a_given_up_notice("outbox-key-0003").await;
    let id = given_up.id.to_string();
    let attempts = given_up.attempts;
    assert!(attempts >= 2, "tried until the second ran out: {attempts}");

    let ada = app.person("ada", "admin").await;
    let page = ada.get_text("/webhooks?state=given_up").await;
    assert!(page.contains("data-testid=\"webhook-tally\"") && page.contains(">chat<"));
    assert_eq!(cell(&page, "tally-given-up"), "1");
    assert_eq!(cell(&page, "tally-delivered"), "0");
    assert!(page.contains("data-state=\"given_up\"") && page.contains("release.requested"));
    assert!(page.contains("answered 503 Service Unavailable"));
    assert!(page.contains("data-testid=\"retry-webhook-form\""));
    assert!(
        !page.contains(&receiver.url),
        "the webhook's URL is a secret"
    );

    receiver.up.store(true, std::sync::atomic::Ordering::SeqCst);
    let retried = ada
        .client
        .post(app.url("/api/retry_webhook"))
        .header("accept", "text/html")
        .header("referer", format!("{PUBLIC_URL}/webhooks?state=given_up"))
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert!(retried.status().is_redirection(), "{}", retried.status());
    let back = retried.headers()["location"].to_str().unwrap().to_string();
    assert!(
        back.starts_with("/webhooks?state=given_up&notice="),
        "{back}"
    );
    wait_until(
        Duration::from_secs(10),
        "the retried notice delivered",
        || receiver.events().len() == 1,
    )
    .await;
    let shown = ada.get_text(&back).await;
    assert!(shown.contains(&format!("Notice #{id} will be sent again now.")));
    let row = OutboxPort::get(app.state.outbox.as_ref(), given_up.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DeliveryState::Delivered);
    assert_eq!(row.attempts, attempts + 1, "one more attempt");

    // A delivered notice is never sent again, not even when asked.
    let again = ada.call("retry_webhook", &[("id", id.as_str())]).await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("never sent again"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(receiver.events().len(), 1);

    let audit = app.state.audit.recent(50).await.unwrap();
    let (_, retry) = audit
        .iter()
        .find(|(_, e)| e.kind == "webhook_retry" && e.outcome == "succeeded")
        .expect("the retry is audited");
    assert_eq!(retry.actor, "ada");
    assert_eq!(
        retry.target.as_deref(),
        Some(format!("webhook chat notice #{id}").as_str())
    );
}

#[tokio::test]
async fn only_admins_of_every_environment_see_the_outbox_or_retry_a_notice() {
    let (receiver, app, row) = with_a_given_up_notice("outbox-key-0004").await;
    let id = row.id.to_string();
    receiver.up.store(true, std::sync::atomic::Ordering::SeqCst);
    for role in ["viewer", "operator", "approver"] {
        let person = app.person(&format!("someone-{role}"), role).await;
        let page = person
            .client
            .get(app.url("/webhooks"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403, "{role}: the page");
        let listed = person.call("list_webhooks", &[]).await;
        assert_eq!(listed.status(), 403, "{role}: the list");
        let retried = person.call("retry_webhook", &[("id", id.as_str())]).await;
        assert_eq!(retried.status(), 403, "{role}: the retry");
    }
    let olga = app.person("olga", "operator").await;
    let page = olga.client.get(app.url("/")).send().await.unwrap();
    assert!(
        !page.text().await.unwrap().contains("href=\"/webhooks\""),
        "no link for non-admins"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(receiver.events().is_empty(), "nothing was retried");
    let after = OutboxPort::get(app.state.outbox.as_ref(), row.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.state, DeliveryState::GivenUp);
    assert_eq!(after.attempts, row.attempts);
    let audit = app.state.audit.recent(50).await.unwrap();
    assert!(audit.iter().any(|(_, e)| e.kind == "webhook_retry"
        && e.outcome == "denied"
        && e.actor == "someone-operator"));
    assert!(audit
        .iter()
        .any(|(_, e)| e.kind == "webhook_list" && e.outcome == "denied"));
    let ada = app.person("ada", "admin").await;
    assert!(ada.get_text("/").await.contains("href=\"/webhooks\""));
}

#[tokio::test]
async fn a_notice_written_on_another_console_is_delivered_once_by_the_leader() {
    let receiver = FlakyReceiver::start(true).await;
    let account = account().await;
    let leader = console(&account, &receiver, &[]).await;
    let database = leader.database_url();
    let other = console(
        &account,
        &receiver,
        &[("QD_SERVER__DATABASE_URL", &database)],
    )
    .await;
    assert!(leader.state.lease.is_held() && !other.state.lease.is_held());
    let olga = other.person("olga", "operator").await;
    for key in ["outbox-key-0101", "outbox-key-0102", "outbox-key-0103"] {
        request_scale(&olga, key, "3").await;
    }
    wait_until(Duration::from_secs(10), "three notices delivered", || {
        receiver.events().len() >= 3
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.events().len(), 3, "each once");
    let delivered = |app: &TestApp| {
        app.state
            .outbox
            .stats
            .delivered
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    assert_eq!(delivered(&leader), 3, "the leader sent them");
    assert_eq!(delivered(&other), 0, "the other console only wrote them");
}
