//! Scheduled jobs against the real server: an EventBridge rule with a schedule expression and a
//! Scheduler schedule in a time zone, each running an ECS task, read in the details cycle and
//! shown with their schedules in words, next runs and runs. moto never fires a schedule, so the
//! test starts the rule's task itself, with the `startedBy` EventBridge gives it, and checks it
//! appears as the job's run, and is kept once ECS no longer lists it. A run's logs are read from
//! the stream its task wrote, found through the task definition the job starts.

use crate::faults::FaultProxy;
use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};

const CLUSTER: &str = "jobs";
/// Where the job's container logs (awslogs, stream prefix `cleanup`).
const LOG_GROUP: &str = "/ecs/cloudarch-cleanup";

/// The rule `cloudarch-cleanup-nightly` (03:15 UTC, app tag `cloudarch`, a Fargate task in the
/// account's default subnets) and the schedule `reports-weekly` (Mondays 06:00 in Berlin), both
/// running `cleanup` in cluster `jobs`; answers the task definition's ARN.
async fn jobs(account: &Account) -> String {
    let (_, subnets, group) = crate::load_balancing::default_network(account).await;
    account.cluster(CLUSTER).await;
    // A Fargate job's task definition: moto sums its containers' memory to run it.
    let td = account
        .ecs
        .register_task_definition()
        .family("cloudarch-cleanup")
        .cpu("256")
        .memory("512")
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("cleanup")
                .image("registry.example/cleanup:1.4.0")
                .essential(true)
                .memory(512)
                .command("node")
                .command("dist/jobs/cleanup.js")
                .log_configuration(
                    aws_sdk_ecs::types::LogConfiguration::builder()
                        .log_driver(aws_sdk_ecs::types::LogDriver::Awslogs)
                        .options("awslogs-group", LOG_GROUP)
                        .options("awslogs-region", crate::helpers::REGION)
                        .options("awslogs-stream-prefix", "cleanup")
                        .build()
                        .expect("log configuration"),
                )
                .build(),
        )
        .send()
        .await
        .expect("register task definition")
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("task definition arn")
        .to_string();
    let cluster_arn = format!("arn:aws:ecs:eu-west-1:{}:cluster/{CLUSTER}", account.id);
    let role = format!("arn:aws:iam::{}:role/ecsEventsRole", account.id);
    account
        .events
        .put_rule()
        .name("cloudarch-cleanup-nightly")
        .schedule_expression("cron(15 3 * * ? *)")
        .state(aws_sdk_eventbridge::types::RuleState::Enabled)
        .description("Deletes expired uploads")
        .tags(
            aws_sdk_eventbridge::types::Tag::builder()
                .key("app")
                .value("cloudarch")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("put rule");
    {
        use aws_sdk_eventbridge::types::{
            AssignPublicIp, AwsVpcConfiguration, EcsParameters, LaunchType, NetworkConfiguration,
            Target,
        };
        account
            .events
            .put_targets()
            .rule("cloudarch-cleanup-nightly")
            .targets(
                Target::builder()
                    .id("cleanup")
                    .arn(&cluster_arn)
                    .role_arn(&role)
                    .ecs_parameters(
                        EcsParameters::builder()
                            .task_definition_arn(&td)
                            .task_count(1)
                            .launch_type(LaunchType::Fargate)
                            .network_configuration(
                                NetworkConfiguration::builder()
                                    .awsvpc_configuration(
                                        AwsVpcConfiguration::builder()
                                            .set_subnets(Some(subnets.clone()))
                                            .security_groups(&group)
                                            .assign_public_ip(AssignPublicIp::Disabled)
                                            .build()
                                            .expect("vpc"),
                                    )
                                    .build(),
                            )
                            .build()
                            .expect("ecs parameters"),
                    )
                    .build()
                    .expect("target"),
            )
            .send()
            .await
            .expect("put targets");
    }
    {
        use aws_sdk_scheduler::types::{
            EcsParameters, FlexibleTimeWindow, FlexibleTimeWindowMode, Target,
        };
        account
            .scheduler
            .create_schedule()
            .name("reports-weekly")
            .schedule_expression("cron(0 6 ? * MON *)")
            .schedule_expression_timezone("Europe/Berlin")
            .flexible_time_window(
                FlexibleTimeWindow::builder()
                    .mode(FlexibleTimeWindowMode::Off)
                    .build()
                    .expect("window"),
            )
            .target(
                Target::builder()
                    .arn(&cluster_arn)
                    .role_arn(&role)
                    .ecs_parameters(
                        EcsParameters::builder()
                            .task_definition_arn(&td)
                            .task_count(1)
                            .build()
                            .expect("ecs parameters"),
                    )
                    .build()
                    .expect("target"),
            )
            .send()
            .await
            .expect("create schedule");
    }
    td
}

/// An environment with the two jobs and a service of app `cloudarch`, read through a proxy.
async fn world() -> (TestApp, Account, String, FaultProxy) {
    let account = Account::new().await;
    let td = jobs(&account).await;
    account
        .service(CLUSTER, "cloudarch-api", &td, "cloudarch", 1)
        .await;
    let proxy = FaultProxy::start().await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app.sign_in("ana", "viewer").await;
    (app, account, td, proxy)
}

#[tokio::test]
async fn scheduled_jobs_show_their_schedule_next_runs_and_the_runs_they_started() {
    let (app, account, td, _proxy) = world().await;
    let page = app.get_text("/jobs").await;
    for text in [
        "cloudarch-cleanup-nightly",
        "reports-weekly",
        "EventBridge rule",
        "Scheduler schedule",
        "cron(15 3 * * ? *)",
        "(Europe/Berlin)",
        "ECS task cloudarch-cleanup:1 in cluster jobs",
    ] {
        assert!(page.contains(text), "the jobs page shows {text:?}");
    }
    let rule = app
        .get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly")
        .await;
    for text in [
        "Deletes expired uploads",
        "Next runs",
        "03:15",
        "FARGATE",
        "public IP no",
        "cloudarch",
        "No run seen yet.",
    ] {
        assert!(rule.contains(text), "the rule's page shows {text:?}");
    }
    // Mondays at 06:00 in Berlin: 05:00 UTC in winter, with the zone's own time beside it.
    let schedule = app
        .get_text("/envs/prod/jobs/schedule/default/reports-weekly")
        .await;
    assert!(schedule.contains("05:00 UTC"), "{schedule}");
    assert!(schedule.contains("06:00 CET"));
    assert!(schedule.contains("Europe/Berlin"));
    assert!(
        schedule.contains("job-group-charts"),
        "the schedule group's attempts and target errors are charted"
    );

    // EventBridge would start the task with startedBy events-rule/<rule>, cut to 36
    // characters: the test does what the rule would, then stops it.
    let id = run_as_the_rule(&account, &td).await;
    // A task another starter ran in the same cluster is no run of the job.
    run_task(&account, &td, "someone-else").await;
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh_details().await.expect("details");
    let rule = app
        .get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly")
        .await;
    assert!(rule.contains(&id), "the run shows with its task id");
    assert!(rule.contains("running"));
    assert_eq!(
        rule.matches("its schedule").count(),
        1,
        "one run: the other starter's task is not the job's"
    );
    account
        .ecs
        .stop_task()
        .cluster(CLUSTER)
        .task(&id)
        .reason("Essential container in task exited")
        .send()
        .await
        .expect("stop task");
    slot.refresh_details().await.expect("details");
    let rule = app
        .get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly")
        .await;
    assert!(rule.contains("succeeded"), "{rule}");

    // The app page and the environment page carry the job; the app comes from the rule's tag.
    let app_page = app.get_text("/apps/cloudarch").await;
    assert!(app_page.contains("jobs-table") && app_page.contains("cloudarch-cleanup-nightly"));
    let env_page = app.get_text("/envs/prod").await;
    assert!(env_page.contains("2 scheduled jobs"), "{env_page}");

    // Page views read nothing from AWS.
    let calls = app.aws_calls_total();
    for _ in 0..3 {
        app.get_text("/jobs").await;
        app.get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly")
            .await;
    }
    assert_eq!(app.aws_calls_total(), calls, "page views make no AWS calls");
}

/// Writes `messages` (a second apart, the last 5 s ago) into the stream of task `id`.
async fn write_run_logs(account: &Account, id: &str, messages: &[&str]) {
    use aws_sdk_cloudwatchlogs::types::InputLogEvent;
    let stream = format!("cleanup/cleanup/{id}");
    account
        .logs
        .create_log_stream()
        .log_group_name(LOG_GROUP)
        .log_stream_name(&stream)
        .send()
        .await
        .expect("create log stream");
    let now = chrono::Utc::now();
    let n = messages.len() as i64;
    account
        .logs
        .put_log_events()
        .log_group_name(LOG_GROUP)
        .log_stream_name(&stream)
        .set_log_events(Some(
            messages
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let at = now - chrono::Duration::seconds(5 + n - i as i64);
                    InputLogEvent::builder()
                        .timestamp(at.timestamp_millis())
                        .message(*m)
                        .build()
                        .expect("event")
                })
                .collect(),
        ))
        .send()
        .await
        .expect("put log events");
}

/// Starts the rule's task as EventBridge would; answers its id.
async fn run_as_the_rule(account: &Account, td: &str) -> String {
    run_task(account, td, "events-rule/cloudarch-cleanup-nightl").await
}

/// Starts one Fargate task of `td` in the jobs cluster with `started_by`; answers its id.
async fn run_task(account: &Account, td: &str, started_by: &str) -> String {
    let (_, subnets, group) = crate::load_balancing::default_network(account).await;
    let started = account
        .ecs
        .run_task()
        .cluster(CLUSTER)
        .task_definition(td)
        .count(1)
        .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
        .network_configuration(
            aws_sdk_ecs::types::NetworkConfiguration::builder()
                .awsvpc_configuration(
                    aws_sdk_ecs::types::AwsVpcConfiguration::builder()
                        .set_subnets(Some(subnets))
                        .security_groups(group)
                        .build()
                        .expect("vpc"),
                )
                .build(),
        )
        .started_by(started_by)
        .send()
        .await
        .expect("run task");
    let arn = started.tasks()[0].task_arn().expect("task arn");
    arn.rsplit('/').next().expect("task id").to_string()
}

#[tokio::test]
async fn a_runs_logs_are_read_from_the_stream_its_task_wrote_and_every_read_is_audited() {
    let (app, account, td, _proxy) = world().await;
    account
        .logs
        .create_log_group()
        .log_group_name(LOG_GROUP)
        .send()
        .await
        .expect("create log group");
    let first = run_as_the_rule(&account, &td).await;
    let second = run_as_the_rule(&account, &td).await;
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh_details().await.expect("details");
    write_run_logs(
        &account,
        &first,
        &[
            "cleanup: 1,204 expired uploads found",
            "cleanup: deleted 1,204 uploads",
        ],
    )
    .await;
    write_run_logs(&account, &second, &["cleanup: nothing to delete"]).await;

    // The job's page links each run to its own logs, and every run's.
    let rule = app
        .get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly")
        .await;
    assert!(rule.contains("Every run's logs"), "{rule}");
    let marker = format!("/envs/prod/jobs/rule/cloudarch-cleanup-nightly/logs?task={first}");
    let at = rule.find(&marker).expect("a link to the first run's logs");
    let href = rule[at..]
        .split('"')
        .next()
        .expect("the link")
        .replace("&amp;", "&");
    let page = app.get_text(&href).await;
    assert!(
        page.contains("cleanup logs to CloudWatch Logs group /ecs/cloudarch-cleanup"),
        "{page}"
    );
    assert_eq!(
        page.matches(r#"data-testid="log-line""#).count(),
        2,
        "{page}"
    );
    let found = page
        .find("1,204 expired uploads found")
        .expect("the first line");
    let deleted = page.find("deleted 1,204 uploads").expect("the second line");
    assert!(found < deleted, "a run's logs read from its start");
    assert!(
        !page.contains("nothing to delete"),
        "the other run's line is not this run's"
    );
    assert!(
        page.contains(r#"data-testid="log-run""#),
        "the run beside its lines"
    );
    assert!(page.contains("Run logs of cloudarch-cleanup-nightly"));

    // Every run's logs, and a filter pattern over them.
    let all = app
        .get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly/logs?since=1h")
        .await;
    assert_eq!(all.matches(r#"data-testid="log-line""#).count(), 3, "{all}");
    let filtered = app
        .get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly/logs?since=1h&filter=nothing")
        .await;
    assert_eq!(filtered.matches(r#"data-testid="log-line""#).count(), 1);
    // The schedule starts the same task definition: its page finds the same group.
    let schedule = app
        .get_text("/envs/prod/jobs/schedule/default/reports-weekly/logs?since=1h")
        .await;
    assert!(
        schedule.contains("group /ecs/cloudarch-cleanup"),
        "{schedule}"
    );

    // The download carries the run's lines, named after the job.
    let response = app
        .get(&format!(
            "/envs/prod/jobs/rule/cloudarch-cleanup-nightly/logs.txt?since=1h&task={first}"
        ))
        .await;
    assert_eq!(response.status(), 200);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        disposition.contains("prod-cloudarch-cleanup-nightly-"),
        "{disposition}"
    );
    let body = response.text().await.expect("body");
    assert!(body.contains("deleted 1,204 uploads") && !body.contains("nothing to delete"));

    // Following a running run's stream starts as a service's does.
    let follow = app
        .get(&format!(
            "/envs/prod/jobs/rule/cloudarch-cleanup-nightly/logs/follow?task={second}"
        ))
        .await;
    assert_eq!(follow.status(), 200);
    assert!(follow
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream")));
    drop(follow);

    // Bad addresses are refused with why; an unknown job is not found.
    let response = app
        .get("/envs/prod/jobs/rule/cloudarch-cleanup-nightly/logs.txt?since=1h&task=not%20a%20task")
        .await;
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .expect("body")
        .contains("is not a task id"));
    let response = app.get("/envs/prod/jobs/rule/no-such-rule/logs.txt").await;
    assert_eq!(response.status(), 404);
    assert!(response
        .text()
        .await
        .expect("body")
        .contains("there is no scheduled job rule/no-such-rule"));

    // Every read is audited against the job.
    let reads: Vec<_> = app
        .state
        .audit
        .recent(100)
        .await
        .expect("audit")
        .into_iter()
        .filter(|(_, e)| e.kind == "logs_read")
        .map(|(_, e)| (e.target.unwrap_or_default(), e.detail.unwrap_or_default()))
        .collect();
    assert!(
        reads.iter().any(
            |(target, detail)| target == "job:rule/cloudarch-cleanup-nightly"
                && detail.contains(&format!("(task {first})"))
        ),
        "{reads:?}"
    );
    assert!(reads.len() >= 5, "{reads:?}");
}

#[tokio::test]
async fn runs_survive_a_restart_after_ecs_has_forgotten_their_tasks() {
    let (mut first, account, td, proxy) = world().await;
    let id = run_as_the_rule(&account, &td).await;
    let slot = std::sync::Arc::clone(&first.state.inventory.slots()[0]);
    slot.refresh_details().await.expect("details");
    let rule = "/envs/prod/jobs/rule/cloudarch-cleanup-nightly";
    let page = first.get_text(rule).await;
    assert!(page.contains(&id), "the run is seen");
    let watched = |page: &str| {
        let at = page.find("watched since ").expect("the watch");
        page[at..at + 36].to_string()
    };
    let watched_before = watched(&page);

    // The console stops; an hour later ECS lists the rule's task no more (moto never forgets,
    // so the proxy answers the rule's ListTasks as AWS would then).
    first.stop();
    proxy.arm(
        "ListTasks",
        crate::faults::Fault::replay_when(
            Some("events-rule/cloudarch-cleanup-nightl"),
            vec![serde_json::json!({ "taskArns": [] })],
        ),
    );
    let database = first.database_url();
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let second = spawn_app_with_overrides(
        vec![env],
        Auth::Dev,
        &[("QD_SERVER__DATABASE_URL", database.as_str())],
    )
    .await;
    std::sync::Arc::clone(&second.state.inventory.slots()[0])
        .refresh_details()
        .await
        .expect("details");
    second.sign_in("ana", "viewer").await;
    let page = second.get_text(rule).await;
    assert!(
        page.contains(&id),
        "the run kept from before the restart: {page}"
    );
    assert_eq!(
        watched(&page),
        watched_before,
        "a short gap: the watch carries over"
    );
    assert!(
        proxy.seen("ListTasks") > 0,
        "the second console read ECS too"
    );
}

#[tokio::test]
async fn unknown_and_malformed_jobs_are_refused_with_a_message() {
    let (app, _account, _td, _proxy) = world().await;
    let missing = app.get("/envs/prod/jobs/rule/nightly-nope").await;
    assert_eq!(missing.status(), 404);
    assert!(missing
        .text()
        .await
        .expect("body")
        .contains("there is no scheduled job rule/nightly-nope in prod"));
    let bad = app
        .call("get_job", &[("env", "prod"), ("key", "rule/no pe")])
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.expect("body").contains("letters, digits"));
    let shape = app
        .call(
            "get_job",
            &[("env", "prod"), ("key", "schedule/only-a-name")],
        )
        .await;
    assert_eq!(shape.status(), 400);
    assert!(shape
        .text()
        .await
        .expect("body")
        .contains("a job is rule/<rule name> or schedule/<group>/<schedule name>"));
}

async fn console(account: &Account, endpoint: Option<String>, protected: bool) -> TestApp {
    let mut env = TestEnv::new("prod", account);
    env.endpoint = endpoint;
    env.protected = protected;
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app
}

/// Calls a server function; answers its status and its body as JSON (`null` when it is none).
async fn act(
    app: &TestApp,
    function: &str,
    args: &[(&str, &str)],
) -> (u16, serde_json::Value, String) {
    let response = app.call(function, args).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        text,
    )
}

/// Calls job action `function` on `job` in `prod` with request key `key` and `extra` fields.
async fn job_act(
    app: &TestApp,
    function: &str,
    job: &str,
    key: &str,
    extra: &[(&str, &str)],
) -> (u16, serde_json::Value, String) {
    let mut args = vec![("env", "prod"), ("job", job), ("key", key)];
    args.extend_from_slice(extra);
    act(app, function, &args).await
}

async fn rule_state(account: &Account) -> String {
    account
        .events
        .describe_rule()
        .name("cloudarch-cleanup-nightly")
        .send()
        .await
        .expect("describe rule")
        .state()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
}

async fn schedule_state(account: &Account) -> (String, String, String) {
    let out = account
        .scheduler
        .get_schedule()
        .name("reports-weekly")
        .send()
        .await
        .expect("get schedule");
    (
        out.state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        out.schedule_expression().unwrap_or_default().to_string(),
        out.schedule_expression_timezone()
            .unwrap_or_default()
            .to_string(),
    )
}

#[tokio::test]
async fn an_operator_runs_a_job_now_and_switches_a_rule_and_a_schedule_off_and_on() {
    let account = Account::new().await;
    jobs(&account).await;
    let app = console(&account, None, false).await;
    app.sign_in("ana", "operator").await;

    // Run now: RunTask with the rule's target, tagged as the console's run.
    let (status, result, body) = job_act(
        &app,
        "run_job",
        "rule/cloudarch-cleanup-nightly",
        "job-key-0001",
        &[("reason", "clean up before the migration")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(result["status"], "Succeeded", "{result}");
    assert_eq!(
        result["summary"],
        "run cloudarch-cleanup-nightly now (cloudarch-cleanup:1 in jobs)"
    );
    let tasks = account
        .ecs
        .list_tasks()
        .cluster(CLUSTER)
        .started_by("qd-rule/cloudarch-cleanup-nightly")
        .send()
        .await
        .expect("list tasks");
    assert_eq!(
        tasks.task_arns().len(),
        1,
        "one task, started by the console"
    );
    // The targeted refresh read it back: it is a run, from the console, and not the schedule's.
    let page = app
        .get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly")
        .await;
    assert!(page.contains("the console (run now)"), "{page}");
    assert!(page.contains("clean up before the migration"));
    // The same key acts once.
    let (status, _, _) = job_act(
        &app,
        "run_job",
        "rule/cloudarch-cleanup-nightly",
        "job-key-0001",
        &[],
    )
    .await;
    assert_eq!(status, 200);
    let again = account
        .ecs
        .list_tasks()
        .cluster(CLUSTER)
        .started_by("qd-rule/cloudarch-cleanup-nightly")
        .send()
        .await
        .expect("list tasks");
    assert_eq!(
        again.task_arns().len(),
        1,
        "a second submit does not run it twice"
    );

    // Disable and enable the rule; EventBridge reads it back.
    for (enabled, key, want) in [
        ("false", "job-key-0002", "DISABLED"),
        ("true", "job-key-0003", "ENABLED"),
    ] {
        let (status, result, body) = job_act(
            &app,
            "set_job_state",
            "rule/cloudarch-cleanup-nightly",
            key,
            &[("enabled", enabled)],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(result["status"], "Succeeded", "{result}");
        assert_eq!(rule_state(&account).await, want);
    }
    // Enabling an enabled rule changes nothing and says so.
    let (status, _, body) = job_act(
        &app,
        "set_job_state",
        "rule/cloudarch-cleanup-nightly",
        "job-key-0004",
        &[("enabled", "true")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("is enabled already; nothing would change"),
        "{body}"
    );

    // Disable the schedule: UpdateSchedule writes the rest of it back unchanged.
    let (status, result, body) = job_act(
        &app,
        "set_job_state",
        "schedule/default/reports-weekly",
        "job-key-0005",
        &[("enabled", "false")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(result["status"], "Succeeded", "{result}");
    assert_eq!(
        schedule_state(&account).await,
        (
            "DISABLED".to_string(),
            "cron(0 6 ? * MON *)".to_string(),
            "Europe/Berlin".to_string()
        )
    );
    let page = app
        .get_text("/envs/prod/jobs/schedule/default/reports-weekly")
        .await;
    assert!(page.contains("Disabled: it will not run until it is enabled."));

    for kind in ["run_job", "disable_job", "enable_job"] {
        let rows = crate::faults::audit_rows(&app, kind).await;
        assert!(
            rows.iter().any(|(o, _)| o == "succeeded"),
            "{kind}: {rows:?}"
        );
    }
}

#[tokio::test]
async fn job_actions_are_refused_with_a_reason_and_change_nothing() {
    let account = Account::new().await;
    let td = jobs(&account).await;
    // A rule whose target passes a task role override, which RunTask would need to be told
    // exactly: the console refuses rather than run it differently.
    account
        .events
        .put_rule()
        .name("export-weekly")
        .schedule_expression("rate(7 days)")
        .send()
        .await
        .expect("put rule");
    account
        .events
        .put_targets()
        .rule("export-weekly")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("export")
                .arn(format!(
                    "arn:aws:ecs:eu-west-1:{}:cluster/{CLUSTER}",
                    account.id
                ))
                .input(r#"{"taskRoleArn":"arn:aws:iam::123456789012:role/exporter"}"#)
                .ecs_parameters(
                    aws_sdk_eventbridge::types::EcsParameters::builder()
                        .task_definition_arn(&td)
                        .build()
                        .expect("ecs parameters"),
                )
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("put targets");
    let app = console(&account, None, false).await;
    app.sign_in("vic", "viewer").await;
    let run = |job: &'static str, key: &'static str| {
        let app = &app;
        async move { job_act(app, "run_job", job, key, &[]).await }
    };
    let (status, _, _) = run("rule/cloudarch-cleanup-nightly", "refused-key-0001").await;
    assert_eq!(status, 403, "a viewer may not run a job");
    let page = app
        .get_text("/envs/prod/jobs/rule/cloudarch-cleanup-nightly")
        .await;
    assert!(!page.contains("run-job-form"), "and is offered no form");

    app.sign_in("ana", "operator").await;
    let (status, _, body) = run("rule/nightly-nope", "refused-key-0002").await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("there is no scheduled job rule/nightly-nope in prod"));
    let (status, _, body) = run("rule/no pe", "refused-key-0003").await;
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = run("rule/export-weekly", "refused-key-0004").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("taskRoleArn"), "{body}");
    let page = app.get_text("/envs/prod/jobs/rule/export-weekly").await;
    assert!(
        page.contains("run-job-unavailable") && page.contains("taskRoleArn"),
        "the page says why it offers no run"
    );
    let started = account
        .ecs
        .list_tasks()
        .cluster(CLUSTER)
        .send()
        .await
        .expect("list tasks");
    assert!(started.task_arns().is_empty(), "nothing ran");
}

#[tokio::test]
async fn in_a_protected_environment_a_job_run_waits_for_approval() {
    let account = Account::new().await;
    jobs(&account).await;
    let app = console(&account, None, true).await;
    app.sign_in("ana", "operator").await;
    let (status, result, body) = job_act(
        &app,
        "run_job",
        "rule/cloudarch-cleanup-nightly",
        "gated-job-0001",
        &[
            ("reason", "rerun after INC-12"),
            ("confirm", "cloudarch-cleanup-nightly"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        result["status"]["AwaitingApproval"]["release"].is_number(),
        "{result}"
    );
    let (status, result, _) = job_act(
        &app,
        "set_job_state",
        "rule/cloudarch-cleanup-nightly",
        "gated-job-0002",
        &[
            ("enabled", "false"),
            ("reason", "pause during the migration"),
            ("confirm", "cloudarch-cleanup-nightly"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(result["status"]["AwaitingApproval"]["release"].is_number());
    let tasks = account
        .ecs
        .list_tasks()
        .cluster(CLUSTER)
        .send()
        .await
        .expect("list tasks");
    assert!(tasks.task_arns().is_empty(), "nothing ran before approval");
    assert_eq!(rule_state(&account).await, "ENABLED");
}

#[tokio::test]
async fn a_function_job_runs_as_an_asynchronous_invocation() {
    // moto runs no function without Docker: Lambda's answer to an asynchronous Invoke (202,
    // empty) is replayed in front of it.
    let account = Account::new().await;
    account.cluster(CLUSTER).await;
    account.function("scorer", "assess").await;
    account
        .events
        .put_rule()
        .name("rescore-hourly")
        .schedule_expression("rate(1 hour)")
        .send()
        .await
        .expect("put rule");
    account
        .events
        .put_targets()
        .rule("rescore-hourly")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("scorer")
                .arn(format!(
                    "arn:aws:lambda:eu-west-1:{}:function:scorer",
                    account.id
                ))
                .input(r#"{"rescore":"last-hour"}"#)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("put targets");
    let proxy = FaultProxy::start().await;
    // Only an invocation carrying the target's payload is answered; another would reach moto.
    proxy.arm(
        "Invoke",
        crate::faults::Fault::replay_when(Some("last-hour"), vec![serde_json::json!({})]),
    );
    // The function logs to a group of its own choosing (its LoggingConfig, which moto never
    // returns): ListFunctions as AWS answers it.
    proxy.arm(
        "ListFunctions",
        crate::faults::Fault::replay(vec![serde_json::json!({
            "Functions": [
                {"FunctionName": "scorer",
                 "FunctionArn": format!("arn:aws:lambda:eu-west-1:{}:function:scorer", account.id),
                 "Runtime": "python3.12", "MemorySize": 512, "Timeout": 30,
                 "LastModified": "2026-11-30T09:15:02.000+0000", "CodeSha256": "Zm9vYmFyYmF6cXV4",
                 "Version": "$LATEST", "State": "Active", "PackageType": "Zip",
                 "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "INFO",
                                   "SystemLogLevel": "WARN", "LogGroup": "/shared/scoring"}}
            ]
        })]),
    );
    write_function_logs(&account, "/shared/scoring", "rescored 42 accounts").await;
    let app = console(&account, Some(proxy.url.clone()), false).await;
    app.sign_in("ana", "operator").await;
    let page = app.get_text("/envs/prod/jobs/rule/rescore-hourly").await;
    assert!(page.contains("Lambda function scorer"), "{page}");
    assert!(
        page.contains("/apps/assess"),
        "the job takes its function's app"
    );
    assert!(
        page.contains("job-function-charts"),
        "the function's invocations and errors are charted on the job's page"
    );
    let (status, result, body) = job_act(
        &app,
        "run_job",
        "rule/rescore-hourly",
        "invoke-key-0001",
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(result["status"], "Succeeded", "{result}");
    assert_eq!(result["summary"], "run rescore-hourly now (invoke scorer)");
    assert_eq!(proxy.seen("Invoke"), 1);

    let logs = app
        .get_text("/envs/prod/jobs/rule/rescore-hourly/logs")
        .await;
    assert!(
        logs.contains("/shared/scoring"),
        "a function job's logs are read from the group its logging configuration names: {logs}"
    );
    assert!(logs.contains("rescored 42 accounts"), "{logs}");
    assert!(
        !logs.contains("/aws/lambda/scorer"),
        "the default group is not used when the function names its own"
    );
}

/// Writes `message` a few seconds ago into a new stream of log group `group`.
async fn write_function_logs(account: &Account, group: &str, message: &str) {
    use aws_sdk_cloudwatchlogs::types::InputLogEvent;
    account
        .logs
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .expect("create log group");
    let stream = "2026/12/07/[$LATEST]0123456789abcdef";
    account
        .logs
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .expect("create log stream");
    let at = chrono::Utc::now() - chrono::Duration::seconds(5);
    account
        .logs
        .put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .log_events(
            InputLogEvent::builder()
                .timestamp(at.timestamp_millis())
                .message(message)
                .build()
                .expect("event"),
        )
        .send()
        .await
        .expect("put log events");
}
