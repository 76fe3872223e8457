//! EC2 Auto Scaling groups against the real server: a group of app `cloudarch` read in the
//! details cycle with its instances and shown on its page, the groups page, the app page and
//! the environment page; its desired capacity set within its bounds (and refused outside them),
//! its bounds changed (and refused when they would not hold the desired capacity); an instance
//! refresh, which moto lacks — against moto it is said to be unavailable and nothing changes,
//! and with AWS's answers replayed in front of moto it starts and shows its progress; in a
//! protected environment a resize waits for approval.

use crate::faults::{Fault, FaultProxy};
use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};

const GROUP: &str = "app-servers";

async fn console(account: &Account, endpoint: Option<String>, protected: bool) -> TestApp {
    let mut env = TestEnv::new("prod", account);
    env.endpoint = endpoint;
    env.protected = protected;
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &[]).await;
    app.wait_for_first_refresh().await;
    app
}

/// Calls group action `function` on `app-servers` in `prod` with request key `key` and `extra`
/// fields; answers the status, the body as JSON (`null` when it is none) and as text.
async fn group_act(
    app: &TestApp,
    function: &str,
    key: &str,
    extra: &[(&str, &str)],
) -> (u16, serde_json::Value, String) {
    let mut args = vec![("env", "prod"), ("group", GROUP), ("key", key)];
    args.extend_from_slice(extra);
    let response = app.call(function, &args).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        text,
    )
}

/// The group's minimum, desired capacity and maximum, as Auto Scaling has them.
async fn size(account: &Account) -> (i32, i32, i32) {
    let out = account
        .asg
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(GROUP)
        .send()
        .await
        .expect("describe groups");
    let g = &out.auto_scaling_groups()[0];
    (
        g.min_size().unwrap_or_default(),
        g.desired_capacity().unwrap_or_default(),
        g.max_size().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_group_shows_its_instances_and_is_resized_within_its_bounds() {
    let account = Account::new().await;
    account
        .auto_scaling_group(GROUP, "cloudarch", (1, 2, 4))
        .await;
    let app = console(&account, None, false).await;
    app.sign_in("vic", "viewer").await;
    let page = app.get_text("/asgs").await;
    for text in [
        GROUP,
        "1–4",
        "2/2",
        "healthy",
        "launch configuration app-servers-lc",
    ] {
        assert!(
            page.contains(text),
            "the groups page shows {text:?}: {page}"
        );
    }
    let group = app.get_text(&format!("/envs/prod/asgs/{GROUP}")).await;
    // moto spreads the instances over the two zones as it likes.
    for text in [
        "asg-instances",
        "InService",
        "eu-west-1",
        "t3.micro",
        "cloudarch",
    ] {
        assert!(group.contains(text), "the group's page shows {text:?}");
    }
    // moto has no instance refreshes: the page says so once, and offers none.
    assert!(group.contains("instance refreshes are"), "{group}");
    assert!(
        !group.contains("capacity-form"),
        "a viewer is offered no form"
    );
    let env_page = app.get_text("/envs/prod").await;
    assert!(env_page.contains("1 Auto Scaling group"), "{env_page}");
    let app_page = app.get_text("/apps/cloudarch").await;
    assert!(app_page.contains("asgs-table") && app_page.contains(GROUP));
    let (status, _, _) = group_act(&app, "set_capacity", "asg-key-0001", &[("desired", "3")]).await;
    assert_eq!(status, 403, "a viewer may not resize");

    app.sign_in("ana", "operator").await;
    let (status, result, body) = group_act(
        &app,
        "set_capacity",
        "asg-key-0002",
        &[("desired", "3"), ("reason", "traffic for the launch")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(result["status"], "Succeeded", "{result}");
    assert_eq!(result["summary"], "set app-servers to 3 instances (from 2)");
    assert_eq!(size(&account).await, (1, 3, 4));
    let refused = [
        ("9", "outside them: change the bounds first"),
        ("3", "nothing would change"),
        ("many", "whole number"),
    ];
    for (i, (desired, why)) in refused.iter().enumerate() {
        let key = format!("asg-key-01{i:02}");
        let (status, _, body) =
            group_act(&app, "set_capacity", &key, &[("desired", desired)]).await;
        assert_eq!(status, 400, "{desired}: {body}");
        assert!(body.contains(why), "{desired}: {body}");
    }
    // Bounds: widened, then refused when they would leave the desired capacity outside.
    let (status, result, body) = group_act(
        &app,
        "set_capacity_bounds",
        "asg-key-0003",
        &[("min", "2"), ("max", "8")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(result["status"], "Succeeded", "{result}");
    assert_eq!(size(&account).await, (2, 3, 8));
    let (status, _, body) = group_act(
        &app,
        "set_capacity_bounds",
        "asg-key-0004",
        &[("min", "4"), ("max", "8")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("set the desired capacity inside the new bounds first"));
    assert_eq!(size(&account).await, (2, 3, 8), "nothing changed");
    // The instance refresh against moto: not available, nothing changed, no hang.
    let (status, _, body) = group_act(&app, "refresh_instances", "asg-key-0005", &[]).await;
    assert!(
        status == 409 || status == 502,
        "refused as unavailable: {status} {body}"
    );
    assert!(body.contains("not available here"), "{body}");
    let page = app.get_text(&format!("/envs/prod/asgs/{GROUP}")).await;
    assert!(
        page.contains("traffic for the launch"),
        "the recent actions keep the reason"
    );
    for kind in ["set_capacity", "set_capacity_bounds"] {
        let rows = crate::faults::audit_rows(&app, kind).await;
        assert!(
            rows.iter().any(|(o, _)| o == "succeeded"),
            "{kind}: {rows:?}"
        );
    }
}

/// DescribeInstanceRefreshes as Auto Scaling answers it: none, or one at 40 %.
fn refreshes(running: bool) -> String {
    let member = if running {
        "<member><InstanceRefreshId>08b91cf7-8fa6-48af-b6a6-d227f40f1b9b</InstanceRefreshId><AutoScalingGroupName>app-servers</AutoScalingGroupName><Status>InProgress</Status><StatusReason>Waiting for instances to warm up before continuing. For example: i-0645704820a8e83ff is warming up.</StatusReason><StartTime>2026-12-07T10:00:00Z</StartTime><PercentageComplete>40</PercentageComplete><InstancesToUpdate>1</InstancesToUpdate></member>"
    } else {
        ""
    };
    format!(
        "<DescribeInstanceRefreshesResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><DescribeInstanceRefreshesResult><InstanceRefreshes>{member}</InstanceRefreshes></DescribeInstanceRefreshesResult><ResponseMetadata><RequestId>replayed</RequestId></ResponseMetadata></DescribeInstanceRefreshesResponse>"
    )
}

#[tokio::test]
async fn an_instance_refresh_starts_and_shows_its_progress_with_aws_answers_replayed() {
    let account = Account::new().await;
    account
        .auto_scaling_group(GROUP, "cloudarch", (1, 2, 4))
        .await;
    let proxy = FaultProxy::start().await;
    proxy.arm(
        "DescribeInstanceRefreshes",
        Fault::replay_xml(vec![refreshes(false)]),
    );
    let app = console(&account, Some(proxy.url.clone()), false).await;
    app.sign_in("ana", "operator").await;
    let page = app.get_text(&format!("/envs/prod/asgs/{GROUP}")).await;
    assert!(
        page.contains("refresh-form") && page.contains("No instance refresh."),
        "{page}"
    );
    proxy.arm(
        "StartInstanceRefresh",
        Fault::replay_xml(vec![
            "<StartInstanceRefreshResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><StartInstanceRefreshResult><InstanceRefreshId>08b91cf7-8fa6-48af-b6a6-d227f40f1b9b</InstanceRefreshId></StartInstanceRefreshResult><ResponseMetadata><RequestId>replayed</RequestId></ResponseMetadata></StartInstanceRefreshResponse>".to_string(),
        ]),
    );
    proxy.arm(
        "DescribeInstanceRefreshes",
        Fault::replay_xml(vec![refreshes(true)]),
    );
    let (status, result, body) = group_act(
        &app,
        "refresh_instances",
        "refresh-key-0001",
        &[("min_healthy", "75")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(result["status"], "Succeeded", "{result}");
    assert_eq!(
        result["summary"],
        "refresh the instances of app-servers (keeping 75 % healthy)"
    );
    let sent = proxy.exchanges("StartInstanceRefresh");
    assert!(
        sent.iter()
            .any(|e| e.request.contains("MinHealthyPercentage=75")),
        "the healthy share is sent: {:?}",
        sent.iter().map(|e| &e.request).collect::<Vec<_>>()
    );
    // The targeted refresh after the action read the refresh back.
    let page = app.get_text(&format!("/envs/prod/asgs/{GROUP}")).await;
    assert!(
        page.contains("InProgress, 40 % done, 1 instance to update"),
        "{page}"
    );
    assert!(page.contains("refreshing"));
    let (status, _, body) = group_act(&app, "refresh_instances", "refresh-key-0002", &[]).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("is running (InProgress, 40 % done"), "{body}");
}

#[tokio::test]
async fn in_a_protected_environment_a_resize_waits_for_approval() {
    let account = Account::new().await;
    account
        .auto_scaling_group(GROUP, "cloudarch", (1, 2, 4))
        .await;
    let app = console(&account, None, true).await;
    app.sign_in("ana", "operator").await;
    let (status, result, body) = group_act(
        &app,
        "set_capacity",
        "gated-asg-0001",
        &[
            ("desired", "4"),
            ("reason", "launch day"),
            ("confirm", GROUP),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        result["status"]["AwaitingApproval"]["release"].is_number(),
        "{result}"
    );
    assert_eq!(
        size(&account).await,
        (1, 2, 4),
        "nothing changed before approval"
    );
}
