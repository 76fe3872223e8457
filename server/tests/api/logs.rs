//! A service's logs against the real server and moto's CloudWatch Logs: events a test writes
//! into the service's awslogs stream are read back through the logs page with a filter pattern
//! and a time range, newest first or from a point in time; followed, a new line reaches the
//! browser's event stream within 2 s of PutLogEvents, and twenty followers share one poller;
//! the download carries the range; a stopped task shows its stop reason beside its last lines;
//! a missing group is said in place; Logs Insights runs what moto runs; every read is audited,
//! and an environment that asks for more than viewer to read logs refuses (and audits) a viewer
//! on the page, the download and the stream.

use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};
use std::time::Duration;

const GROUP: &str = "/ecs/web";

/// Cluster `main` with service `web` (app `shop`) whose container `app` logs with awslogs to
/// group `/ecs/web`, stream prefix `web`; the group exists unless `with_group` is false.
async fn seeded(with_group: bool) -> Account {
    use aws_sdk_ecs::types::{ContainerDefinition, LogConfiguration, LogDriver, Tag};
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .ecs
        .register_task_definition()
        .family("web")
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("registry.example/web:1.0.0")
                .essential(true)
                .cpu(256)
                .memory(512)
                .log_configuration(
                    LogConfiguration::builder()
                        .log_driver(LogDriver::Awslogs)
                        .options("awslogs-group", GROUP)
                        .options("awslogs-region", crate::helpers::REGION)
                        .options("awslogs-stream-prefix", "web")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .task_definition()
        .unwrap()
        .task_definition_arn()
        .unwrap()
        .to_string();
    account
        .ecs
        .create_service()
        .cluster("main")
        .service_name("web")
        .task_definition(&td)
        .desired_count(1)
        .tags(Tag::builder().key("app").value("shop").build())
        .send()
        .await
        .unwrap();
    if with_group {
        account
            .logs
            .create_log_group()
            .log_group_name(GROUP)
            .send()
            .await
            .unwrap();
    }
    account
}

/// Writes `(seconds ago, message)` events into task `task`'s stream, creating it first.
async fn write(account: &Account, task: &str, events: &[(i64, &str)]) {
    use aws_sdk_cloudwatchlogs::types::InputLogEvent;
    let stream = format!("web/app/{task}");
    let _ = account
        .logs
        .create_log_stream()
        .log_group_name(GROUP)
        .log_stream_name(&stream)
        .send()
        .await;
    let now = chrono::Utc::now();
    let mut sorted: Vec<(i64, &str)> = events.to_vec();
    sorted.sort_by_key(|(ago, _)| -ago);
    account
        .logs
        .put_log_events()
        .log_group_name(GROUP)
        .log_stream_name(&stream)
        .set_log_events(Some(
            sorted
                .iter()
                .map(|(ago, message)| {
                    InputLogEvent::builder()
                        .timestamp((now - chrono::Duration::seconds(*ago)).timestamp_millis())
                        .message(*message)
                        .build()
                        .unwrap()
                })
                .collect(),
        ))
        .send()
        .await
        .unwrap();
}

async fn console(account: &Account, extra: &str) -> TestApp {
    let mut env = TestEnv::new("prod", account);
    env.extra = extra.to_string();
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app
}

/// The audit rows of `kind`: `(actor, outcome, detail)`, newest first.
async fn audit(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    app.state
        .audit
        .recent(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, e)| e.kind == kind)
        .map(|(_, e)| (e.actor, e.outcome, e.detail.unwrap_or_default()))
        .collect()
}

const TASK: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const LOGS: &str = "/envs/prod/services/main/web/logs";

#[tokio::test]
async fn events_are_read_back_with_filter_range_and_order_and_every_read_is_audited() {
    let account = seeded(true).await;
    write(
        &account,
        TASK,
        &[
            (5000, "INFO boot: listening on :8080"),
            (600, "INFO GET /api/orders 200 12ms"),
            (400, "ERROR payment gateway timed out after 5000 ms"),
            (300, r#"{"level":"warn","msg":"slow query","ms":1800}"#),
            (100, "INFO GET /api/orders 200 9ms"),
        ],
    )
    .await;
    let app = console(&account, "").await;
    app.sign_in("ana", "viewer").await;

    // The last hour, newest first: everything but the boot line, wrapped and tagged.
    let page = app.get_text(LOGS).await;
    assert!(
        page.contains("app logs to CloudWatch Logs group /ecs/web"),
        "{page}"
    );
    assert_eq!(
        page.matches(r#"data-testid="log-line""#).count(),
        4,
        "{page}"
    );
    let newest = page.find("9ms").unwrap();
    let oldest = page.find("12ms").unwrap();
    assert!(newest < oldest, "newest first");
    assert!(!page.contains("listening on :8080"), "outside the range");
    assert!(page.contains(r#"data-level="error""#));
    assert!(
        page.contains(r#"data-testid="log-json""#),
        "a JSON line opens"
    );
    assert!(page.contains(&TASK[..8]), "each line names its task");

    // A filter pattern and an order from the address; the deep link carries them.
    let page = app
        .get_text(&format!(
            "{LOGS}?since=3h&filter=%22timed%20out%22&order=oldest"
        ))
        .await;
    assert_eq!(
        page.matches(r#"data-testid="log-line""#).count(),
        1,
        "{page}"
    );
    assert!(page.contains("payment gateway timed out"));
    assert!(page.contains(&format!(
        "{LOGS}?since=3h&amp;filter=%22timed%20out%22&amp;order=oldest"
    )));

    // A range from the address: only what is in it.
    let from = (chrono::Utc::now() - chrono::Duration::seconds(700))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to = (chrono::Utc::now() - chrono::Duration::seconds(350))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let page = app
        .get_text(&format!(
            "{LOGS}?from={}&to={}",
            urlencode(&from),
            urlencode(&to)
        ))
        .await;
    assert_eq!(
        page.matches(r#"data-testid="log-line""#).count(),
        2,
        "{page}"
    );
    assert!(page.contains("12ms") && page.contains("payment gateway"));

    // Bad input is said on the page; nothing is read.
    let reads = app.aws_calls("FilterLogEvents");
    let page = app.get_text(&format!("{LOGS}?filter=%7B%20oops")).await;
    assert!(page.contains("is not closed"), "{page}");
    let page = app.get_text(&format!("{LOGS}?since=90d")).await;
    assert!(page.contains("longer than the 7 days"), "{page}");
    assert_eq!(app.aws_calls("FilterLogEvents"), reads);

    // Every read is audited with the group, the filter and the range.
    let rows = audit(&app, "logs_read").await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows
        .iter()
        .all(|(actor, outcome, _)| actor == "ana" && outcome == "succeeded"));
    assert!(rows[1].2.starts_with("read /ecs/web, "), "{rows:?}");
    assert!(
        rows[1].2.contains(", filter \"timed out\": 1 line"),
        "{rows:?}"
    );

    // The download: the range as text, oldest first, audited.
    let response = app
        .get("/envs/prod/services/main/web/logs.txt?since=3h")
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"prod-web-"));
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("# web in prod, "));
    assert_eq!(lines.len(), 6, "{text}");
    assert!(lines[1].ends_with(&format!("web/app/{TASK} INFO boot: listening on :8080")));
    assert!(audit(&app, "logs_read").await[0]
        .2
        .starts_with("downloaded /ecs/web"));
    let bad = app
        .get("/envs/prod/services/main/web/logs.txt?order=sideways")
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("not an order"));
}

fn urlencode(text: &str) -> String {
    text.replace(':', "%3A").replace('+', "%2B")
}

#[tokio::test]
async fn a_missing_group_is_said_in_place_and_insights_runs_what_moto_runs() {
    let account = seeded(false).await;
    let app = console(&account, "").await;
    app.sign_in("ana", "viewer").await;
    let response = app.get(LOGS).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"data-testid="logs-failure""#), "{page}");
    assert!(page.contains("The log group /ecs/web does not exist in this account and region."));
    assert_eq!(audit(&app, "logs_read").await[0].1, "failed");

    account
        .logs
        .create_log_group()
        .log_group_name(GROUP)
        .send()
        .await
        .unwrap();
    write(&account, TASK, &[(120, "INFO first"), (60, "ERROR second")]).await;
    let query = "fields @timestamp, @message | sort @timestamp desc | limit 1";
    let page = app
        .get_text(&format!(
            "{LOGS}?since=1h&insights={}",
            query
                .replace(' ', "%20")
                .replace('|', "%7C")
                .replace('@', "%40")
                .replace(',', "%2C")
        ))
        .await;
    assert!(page.contains(r#"data-testid="insights-table""#), "{page}");
    assert!(page.contains("ERROR second"));
    assert!(!page.contains("INFO first"), "limit 1, newest first");
    let rows = audit(&app, "logs_query").await;
    assert_eq!(rows[0].1, "succeeded");
    assert!(rows[0].2.contains(query), "{rows:?}");
}

/// Reads an event stream until `wanted` appears in it or `within` passes; answers the text read.
async fn read_stream(mut response: reqwest::Response, wanted: &str, within: Duration) -> String {
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + within;
    while !text.contains(wanted) {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            _ => break,
        }
    }
    text
}

#[tokio::test]
async fn a_followed_service_gets_a_new_line_within_two_seconds_and_followers_share_one_poller() {
    let account = seeded(true).await;
    write(&account, TASK, &[(30, "INFO before following")]).await;
    let app = console(&account, "").await;
    let ana = app.person("ana", "viewer").await;
    let bo = app.person("bo", "viewer").await;
    let follow = format!("{}{LOGS}/follow", app.base);
    let ana_stream = ana.client.get(&follow).send().await.unwrap();
    assert_eq!(ana_stream.status(), 200);
    assert_eq!(ana_stream.headers()["content-type"], "text/event-stream");
    let bo_stream = bo.client.get(&follow).send().await.unwrap();
    let ana_reads = tokio::spawn(read_stream(
        ana_stream,
        "deploy finished",
        Duration::from_secs(8),
    ));
    let bo_reads = tokio::spawn(read_stream(
        bo_stream,
        "deploy finished",
        Duration::from_secs(8),
    ));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        app.state.follow_hub.pollers(),
        1,
        "two followers, one poller"
    );
    // One poller's reads, however many follow: about one FilterLogEvents a second.
    let before = app.aws_calls("FilterLogEvents");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let polled = app.aws_calls("FilterLogEvents") - before;
    assert!(
        (1..=4).contains(&polled),
        "{polled} reads in 2 s for two followers"
    );

    let written = tokio::time::Instant::now();
    write(
        &account,
        TASK,
        &[(0, "INFO deploy finished: web:8 serving")],
    )
    .await;
    let ana_text = ana_reads.await.unwrap();
    let arrived = written.elapsed();
    assert!(ana_text.contains("event: lines"), "{ana_text}");
    assert!(
        ana_text.contains("INFO deploy finished: web:8 serving"),
        "{ana_text}"
    );
    assert!(
        arrived < Duration::from_secs(2),
        "arrived after {arrived:?}"
    );
    assert!(
        !ana_text.contains("before following"),
        "only new lines are pushed"
    );
    assert!(bo_reads.await.unwrap().contains("deploy finished"));

    // Both gone: the poller stops.
    let mut stopped = false;
    for _ in 0..50 {
        if app.state.follow_hub.pollers() == 0 {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(stopped, "the poller stops when nobody follows");
    let rows = audit(&app, "logs_follow").await;
    assert_eq!(rows.len(), 2, "each follower is audited once: {rows:?}");
    assert!(rows.iter().all(|(_, _, d)| d == "followed /ecs/web"));
}

#[tokio::test]
async fn an_environment_that_asks_more_than_viewer_refuses_a_viewer_everywhere_and_audits_it() {
    let account = seeded(true).await;
    write(&account, TASK, &[(60, "INFO secret-ish line")]).await;
    let app = console(&account, "[environments.logs]\nread_role = \"operator\"\n").await;
    let viewer = app.person("vic", "viewer").await;
    let response = viewer
        .client
        .get(format!("{}{LOGS}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("you need the operator role in prod to read logs; you are viewer"),
        "{page}"
    );
    assert!(!page.contains("secret-ish"));
    let download = viewer
        .client
        .get(format!("{}/envs/prod/services/main/web/logs.txt", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 403);
    let follow = viewer
        .client
        .get(format!("{}{LOGS}/follow", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(follow.status(), 403);
    assert_eq!(app.aws_calls("FilterLogEvents"), 0, "nothing was read");
    let denials = audit(&app, "denied").await;
    assert_eq!(denials.len(), 3, "{denials:?}");
    assert!(denials.iter().all(|(actor, _, detail)| actor == "vic"
        && detail == "you need the operator role in prod to read logs; you are viewer"));

    // An operator reads them.
    let operator = app.person("otto", "operator").await;
    assert!(operator.get_text(LOGS).await.contains("secret-ish line"));
}

#[tokio::test]
async fn a_stopped_task_shows_why_it_stopped_beside_its_last_lines() {
    let account = seeded(true).await;
    let run = account
        .ecs
        .run_task()
        .cluster("main")
        .task_definition("web")
        .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
        .group("service:web")
        .send()
        .await
        .unwrap();
    let arn = run.tasks()[0].task_arn().unwrap().to_string();
    let id = arn.rsplit('/').next().unwrap().to_string();
    let mut lines: Vec<(i64, String)> = (0..80)
        .map(|i| (400 - i, format!("INFO tick {i}")))
        .collect();
    lines.push((
        200,
        "ERROR java.lang.OutOfMemoryError: Java heap space".into(),
    ));
    let borrowed: Vec<(i64, &str)> = lines.iter().map(|(a, m)| (*a, m.as_str())).collect();
    write(&account, &id, &borrowed).await;
    account
        .ecs
        .stop_task()
        .cluster("main")
        .task(&arn)
        .reason("Essential container in task exited")
        .send()
        .await
        .unwrap();
    let app = console(&account, "").await;
    app.sign_in("ana", "viewer").await;
    let service_page = app.get_text("/envs/prod/services/main/web").await;
    assert!(
        service_page.contains(r#"data-testid="stopped-task-logs""#),
        "{service_page}"
    );
    let page = app
        .get_text(&format!("{LOGS}?task={id}&limit=50&since=1h"))
        .await;
    assert!(page.contains(r#"data-testid="log-task""#), "{page}");
    assert!(
        page.contains(&format!("Task {id} stopped"))
            || page.contains(&format!("Task {} stopped", &id))
    );
    assert!(page.contains("Essential container in task exited"));
    assert!(page.contains("app: exit"), "its containers' exit codes");
    assert_eq!(
        page.matches(r#"data-testid="log-line""#).count(),
        50,
        "its last 50 lines"
    );
    assert!(page.contains("OutOfMemoryError"));
    assert!(page.contains("INFO tick 79"), "the newest");
    assert!(
        !page.contains("INFO tick 29<"),
        "not older than the last 50"
    );
    assert!(page.contains("Older lines"), "the rest is a page away");
}

#[tokio::test]
async fn a_slow_search_is_cancelled_and_a_refusal_is_said_in_place() {
    use crate::faults::{Fault, FaultProxy};
    let account = seeded(true).await;
    write(&account, TASK, &[(60, "INFO a line")]).await;
    let proxy = FaultProxy::start().await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    env.extra = "[environments.logs]\nquery_timeout = \"1s\"\n".into();
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app.sign_in("ana", "viewer").await;

    proxy.arm("FilterLogEvents", Fault::Late(Duration::from_secs(4)));
    let started = std::time::Instant::now();
    let response = app.get(LOGS).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "cancelled at the limit"
    );
    assert!(
        page.contains(
            "The query took longer than 1 s and was cancelled: narrow the range or the filter."
        ),
        "{page}"
    );

    proxy.arm(
        "FilterLogEvents",
        Fault::access_denied(
            "logs:FilterLogEvents on resource: arn:aws:logs:eu-west-1:1:log-group:/ecs/web",
        ),
    );
    let page = app.get_text(LOGS).await;
    assert!(page.contains("AWS refused to read the logs: User: arn:aws:sts::123456789012:assumed-role/quarterdeck/x is not authorized to perform: logs:FilterLogEvents"), "{page}");
    let rows = audit(&app, "logs_read").await;
    assert!(
        rows.iter()
            .take(2)
            .all(|(_, outcome, _)| outcome == "failed"),
        "{rows:?}"
    );
}
