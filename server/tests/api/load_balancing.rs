//! Load-balancer health against the real server: a service registered with a target group
//! behind an Application Load Balancer shows its target group, load balancer, listener and every
//! target with the task behind it on its page, and its counts on the environment page and the
//! overview. moto reports every registered target healthy, so the states it never produces —
//! unhealthy with AWS's reason, initial, draining — come from DescribeTargetHealth answers in the
//! shape the Elastic Load Balancing API reference documents, replayed by the [`FaultProxy`]. A
//! deploy ECS reports complete is finished only once its targets are healthy.

use crate::execution::audit_rows;
use crate::faults::{Fault, FaultProxy};
use crate::helpers::{moto_url, spawn_app_with_overrides, Account, Auth, TestApp, TestEnv, REGION};
use std::time::Duration;

/// A bare query-protocol EC2 call to moto in `account` (the tests carry no EC2 client).
async fn ec2(account: &Account, body: &str) -> String {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(moto_url())
        .header("x-moto-account-id", &account.id)
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential=test/20261207/{REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The values of `<tag>` elements in an XML answer.
fn values(answer: &str, tag: &str) -> Vec<String> {
    answer
        .split(&format!("<{tag}>"))
        .skip(1)
        .filter_map(|rest| rest.split('<').next())
        .map(str::to_string)
        .collect()
}

/// The default VPC, two of its subnets and its default security group in `account`, which
/// moto makes for every account and region.
pub(crate) async fn default_network(account: &Account) -> (String, Vec<String>, String) {
    let answer = ec2(
        account,
        "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=default-for-az&Filter.1.Value.1=true",
    )
    .await;
    let vpc = values(&answer, "vpcId")
        .into_iter()
        .next()
        .expect("a default VPC");
    let mut subnets = values(&answer, "subnetId");
    subnets.sort();
    subnets.dedup();
    assert!(subnets.len() >= 2, "default subnets: {answer}");
    let groups = ec2(
        account,
        &format!("Action=DescribeSecurityGroups&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}&Filter.2.Name=group-name&Filter.2.Value.1=default"),
    )
    .await;
    let group = values(&groups, "groupId")
        .into_iter()
        .next()
        .expect("the default security group");
    (vpc, subnets.into_iter().take(2).collect(), group)
}

struct World {
    app: TestApp,
    account: Account,
    proxy: FaultProxy,
    target_group: String,
    /// The private addresses of the service's two tasks, registered as targets.
    addresses: Vec<String>,
    /// The tasks' ARNs, in the addresses' order.
    tasks: Vec<String>,
}

/// Cluster `main` with Fargate service `web` (app `shop`, 2 tasks) registered with target group
/// `shop-web` (ip, HTTP 8080, health check `/healthz`) behind internal ALB `shop-web` listening on
/// HTTP 80, its two tasks' addresses registered; a console reaching AWS through a fault proxy.
async fn world() -> World {
    use aws_sdk_ecs::types::{
        AwsVpcConfiguration, ContainerDefinition, LaunchType, LoadBalancer, NetworkConfiguration,
        NetworkMode, PortMapping, Tag,
    };
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, ProtocolEnum,
        TargetDescription, TargetTypeEnum,
    };
    let proxy = FaultProxy::start().await;
    let account = Account::new().await;
    account.cluster("main").await;
    let (vpc, subnets, group) = default_network(&account).await;
    let lb = account
        .elb
        .create_load_balancer()
        .name("shop-web")
        .set_subnets(Some(subnets.clone()))
        .r#type(LoadBalancerTypeEnum::Application)
        .scheme(LoadBalancerSchemeEnum::Internal)
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let tg = account
        .elb
        .create_target_group()
        .name("shop-web")
        .protocol(ProtocolEnum::Http)
        .port(8080)
        .vpc_id(&vpc)
        .target_type(TargetTypeEnum::Ip)
        .health_check_path("/healthz")
        .send()
        .await
        .unwrap();
    let tg_arn = tg.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_string();
    account
        .elb
        .create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let td = account
        .ecs
        .register_task_definition()
        .family("web")
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(aws_sdk_ecs::types::Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("registry.example/web:1.0.0")
                .essential(true)
                .cpu(256)
                .memory(512)
                .port_mappings(PortMapping::builder().container_port(8080).build())
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
    let network = NetworkConfiguration::builder()
        .awsvpc_configuration(
            AwsVpcConfiguration::builder()
                .set_subnets(Some(subnets.clone()))
                .security_groups(&group)
                .build()
                .unwrap(),
        )
        .build();
    account
        .ecs
        .create_service()
        .cluster("main")
        .service_name("web")
        .task_definition(&td)
        .desired_count(2)
        .launch_type(LaunchType::Fargate)
        .network_configuration(network.clone())
        .load_balancers(
            LoadBalancer::builder()
                .target_group_arn(&tg_arn)
                .container_name("app")
                .container_port(8080)
                .build(),
        )
        .tags(Tag::builder().key("app").value("shop").build())
        .send()
        .await
        .unwrap();
    // moto's services start no tasks: run the two the service would have, in its group.
    let run = account
        .ecs
        .run_task()
        .cluster("main")
        .task_definition(&td)
        .count(2)
        .launch_type(LaunchType::Fargate)
        .group("service:web")
        .network_configuration(network)
        .send()
        .await
        .unwrap();
    let mut tasks = Vec::new();
    let mut addresses = Vec::new();
    for t in run.tasks() {
        tasks.push(t.task_arn().unwrap().to_string());
        let ip = t
            .attachments()
            .iter()
            .flat_map(|a| a.details())
            .find(|d| d.name() == Some("privateIPv4Address"))
            .and_then(|d| d.value())
            .expect("a Fargate task's address")
            .to_string();
        addresses.push(ip);
    }
    account
        .elb
        .register_targets()
        .target_group_arn(&tg_arn)
        .set_targets(Some(
            addresses
                .iter()
                .map(|ip| TargetDescription::builder().id(ip).port(8080).build())
                .collect(),
        ))
        .send()
        .await
        .unwrap();
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = Some(proxy.url.clone());
    let app = spawn_app_with_overrides(
        vec![env],
        Auth::Dev,
        &[("QD_SERVER__ROLLOUT_POLL_INTERVAL", "300ms")],
    )
    .await;
    app.wait_for_first_refresh().await;
    World {
        app,
        account,
        proxy,
        target_group: tg_arn,
        addresses,
        tasks,
    }
}

/// DescribeTargetHealth's answer, as the API reference documents it: one member per
/// `(address, state, reason, description)`.
fn target_health(targets: &[(&str, &str, Option<&str>, Option<&str>)]) -> String {
    let members: String = targets
        .iter()
        .map(|(id, state, reason, description)| {
            let reason = reason.map(|r| format!("<Reason>{r}</Reason>")).unwrap_or_default();
            let description = description
                .map(|d| format!("<Description>{d}</Description>"))
                .unwrap_or_default();
            format!(
                "<member><HealthCheckPort>8080</HealthCheckPort><TargetHealth><State>{state}</State>{reason}{description}</TargetHealth><Target><Port>8080</Port><Id>{id}</Id><AvailabilityZone>{REGION}a</AvailabilityZone></Target></member>"
            )
        })
        .collect();
    format!(
        "<DescribeTargetHealthResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><DescribeTargetHealthResult><TargetHealthDescriptions>{members}</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata><RequestId>3f5a8b5e-0000-4000-8000-000000000001</RequestId></ResponseMetadata></DescribeTargetHealthResponse>"
    )
}

const MISMATCH: &str = "Health checks failed with these codes: [502]";

#[tokio::test]
async fn target_health_is_shown_with_its_tasks_and_counted_on_every_page() {
    let w = world().await;
    w.app.sign_in("ana", "viewer").await;

    // moto: both registered targets healthy, each named with its task.
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(page.contains(r#"data-testid="load-balancing""#), "{page}");
    assert!(page.contains("Target group shop-web"));
    assert!(
        page.contains("HTTP:8080 · target type ip · health check /healthz · container app:8080")
    );
    assert!(page.contains("shop-web"), "the load balancer");
    assert!(page.contains("listeners HTTP:80"), "{page}");
    for (address, task) in w.addresses.iter().zip(&w.tasks) {
        assert!(page.contains(&format!("{address}:8080")), "{page}");
        assert!(page.contains(task.rsplit('/').next().unwrap()), "its task");
    }
    assert_eq!(page.matches(r#"data-state="healthy""#).count(), 2);
    assert!(page.contains("2/2 healthy"));
    let env_page = w.app.get_text("/envs/prod").await;
    assert!(env_page.contains(r#"data-verdict="Healthy""#), "{env_page}");
    assert!(env_page.contains("2/2 healthy"));
    let overview = w.app.get_text("/").await;
    assert!(overview.contains("LB targets"), "{overview}");
    assert!(overview.contains("2/2 healthy"));

    // Real AWS: one target fails its health checks, with AWS's reason.
    let (a, b) = (w.addresses[0].as_str(), w.addresses[1].as_str());
    w.proxy.arm(
        "DescribeTargetHealth",
        Fault::replay_xml(vec![target_health(&[
            (a, "healthy", None, None),
            (
                b,
                "unhealthy",
                Some("Target.ResponseCodeMismatch"),
                Some(MISMATCH),
            ),
        ])]),
    );
    let reads = w.proxy.seen("DescribeTargetHealth");
    let slot = w.app.state.inventory.slots()[0].clone();
    slot.refresh_details().await.expect("details");
    assert_eq!(
        w.proxy.seen("DescribeTargetHealth"),
        reads + 1,
        "one DescribeTargetHealth per target group per details cycle"
    );
    let page = w.app.get_text("/envs/prod/services/main/web").await;
    assert!(page.contains(r#"data-state="unhealthy""#), "{page}");
    assert!(page.contains(&format!("Target.ResponseCodeMismatch: {MISMATCH}")));
    assert!(page.contains("1/2 healthy"));
    assert!(page.contains("1 healthy · 1 unhealthy"));
    let env_page = w.app.get_text("/envs/prod").await;
    assert!(
        env_page.contains(r#"data-verdict="Degraded""#),
        "{env_page}"
    );
    let overview = w.app.get_text("/").await;
    assert!(overview.contains("1/2 healthy"), "{overview}");

    // Page views read no AWS: the counts come from the details cycle.
    let before = w.proxy.seen("DescribeTargetHealth");
    for path in ["/", "/envs/prod", "/envs/prod/services/main/web"] {
        w.app.get_text(path).await;
    }
    assert_eq!(w.proxy.seen("DescribeTargetHealth"), before);
}

#[tokio::test]
async fn a_target_group_that_cannot_be_read_is_shown_in_place() {
    let w = world().await;
    w.proxy.arm(
        "DescribeTargetHealth",
        Fault::xml(
            "AccessDenied",
            "User: arn:aws:sts::123456789012:assumed-role/quarterdeck/console is not authorized to perform: elasticloadbalancing:DescribeTargetHealth",
            403,
        ),
    );
    let slot = w.app.state.inventory.slots()[0].clone();
    slot.refresh_details().await.expect("details still read");
    w.app.sign_in("ana", "viewer").await;
    let response = w.app.get("/envs/prod/services/main/web").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Its targets&#x27;") || page.contains("Its targets'"),
        "{page}"
    );
    assert!(page.contains("not authorized to perform: elasticloadbalancing:DescribeTargetHealth"));
    // The rest of the page is still there.
    assert!(page.contains(r#"data-testid="tasks-table""#));
    let _ = &w.target_group;
}

#[tokio::test]
async fn a_deploy_ecs_completed_is_finished_only_when_its_targets_are_healthy() {
    let w = world().await;
    w.app.sign_in("ana", "operator").await;
    let response = w
        .app
        .call(
            "redeploy_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("key", "redeploy-behind-lb-01"),
                ("reason", "pick up the new certificate"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    // moto never runs a rollout: ECS's answer is replayed — the new deployment COMPLETED.
    let service = crate::faults::service_in_moto(&w.account).await;
    let td = service.task_definition().unwrap().to_string();
    let now = chrono::Utc::now();
    let epoch = |at: chrono::DateTime<chrono::Utc>| at.timestamp_millis() as f64 / 1000.0;
    w.proxy.arm(
        "DescribeServices",
        Fault::replay(vec![serde_json::json!({
            "services": [{
                "serviceArn": service.service_arn(),
                "serviceName": "web",
                "clusterArn": service.cluster_arn(),
                "status": "ACTIVE",
                "desiredCount": 2, "runningCount": 2, "pendingCount": 0,
                "launchType": "FARGATE",
                "taskDefinition": td,
                "loadBalancers": [{ "targetGroupArn": w.target_group, "containerName": "app", "containerPort": 8080 }],
                "deployments": [{
                    "id": "ecs-svc/3333333333333333333",
                    "status": "PRIMARY",
                    "taskDefinition": td,
                    "desiredCount": 2, "pendingCount": 0, "runningCount": 2, "failedTasks": 0,
                    "createdAt": epoch(now),
                    "updatedAt": epoch(now),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc/3333333333333333333 completed."
                }],
                "events": [],
                "createdAt": epoch(now - chrono::Duration::hours(10)),
                "tags": [{ "key": "app", "value": "shop" }]
            }],
            "failures": []
        })]),
    );
    // The new tasks' targets are still in their first health checks, then one fails them.
    let (a, b) = (w.addresses[0].as_str(), w.addresses[1].as_str());
    w.proxy.arm(
        "DescribeTargetHealth",
        Fault::replay_xml(vec![
            target_health(&[
                (
                    a,
                    "initial",
                    Some("Elb.RegistrationInProgress"),
                    Some("Target registration is in progress"),
                ),
                (
                    b,
                    "initial",
                    Some("Elb.RegistrationInProgress"),
                    Some("Target registration is in progress"),
                ),
            ]),
            target_health(&[
                (a, "healthy", None, None),
                (
                    b,
                    "unhealthy",
                    Some("Target.ResponseCodeMismatch"),
                    Some(MISMATCH),
                ),
            ]),
        ]),
    );
    let completed = || async {
        audit_rows(&w.app, "redeploy")
            .await
            .iter()
            .any(|(_, outcome, _)| outcome == "rollout_completed")
    };
    // Several passes of the follower: ECS says COMPLETED, the targets say not yet.
    for _ in 0..30 {
        if w.proxy.seen("DescribeTargetHealth") >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        w.proxy.seen("DescribeTargetHealth") >= 3,
        "the follower read the targets"
    );
    assert!(
        !completed().await,
        "not finished while targets are initial or unhealthy"
    );

    // Both healthy: now it is finished.
    w.proxy.arm(
        "DescribeTargetHealth",
        Fault::replay_xml(vec![target_health(&[
            (a, "healthy", None, None),
            (b, "healthy", None, None),
        ])]),
    );
    for _ in 0..100 {
        if completed().await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        completed().await,
        "{:?}",
        audit_rows(&w.app, "redeploy").await
    );
}
