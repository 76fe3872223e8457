//! Version drift and promotion against a real moto: three accounts run different revisions of
//! the same app; the drift view shows what runs where and how far each environment is behind;
//! promoting staging into the protected prod becomes a release request carrying staging's
//! digest, which prod runs once approved; a whole app is one request per service, approved
//! together; promotions outside the configured order are refused and change nothing.

use crate::helpers::{spawn_app_with_overrides, Account, Auth, Person, TestApp, TestEnv};
use app::ports::ReleaseStore;

const D10: &str = "sha256:1010101010101010101010101010101010101010101010101010101010101010";
const D12: &str = "sha256:1212121212121212121212121212121212121212121212121212121212121212";
const D13: &str = "sha256:1313131313131313131313131313131313131313131313131313131313131313";
const DW: &str = "sha256:7777777777777777777777777777777777777777777777777777777777777777";

fn api_image(tag: &str, digest: &str) -> String {
    format!("registry.example/shop-api:{tag}@{digest}")
}

/// Registers a revision of `family` with one container `app`, its environment and one secret.
async fn revision(account: &Account, family: &str, image: &str, env: &[(&str, &str)]) -> String {
    use aws_sdk_ecs::types::{ContainerDefinition, KeyValuePair, PortMapping, Secret};
    let mut container = ContainerDefinition::builder()
        .name("app")
        .image(image)
        .essential(true)
        .port_mappings(PortMapping::builder().container_port(8080).build())
        .secrets(
            Secret::builder()
                .name("DATABASE_URL")
                .value_from(format!(
                    "arn:aws:ssm:eu-west-1:{}:parameter/shop/database-url",
                    account.id
                ))
                .build()
                .unwrap(),
        );
    for (name, value) in env {
        container =
            container.environment(KeyValuePair::builder().name(*name).value(*value).build());
    }
    account
        .ecs
        .register_task_definition()
        .family(family)
        .cpu("256")
        .memory("512")
        .container_definitions(container.build())
        .send()
        .await
        .expect("register task definition")
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("arn")
        .to_string()
}

struct Fleet {
    app: TestApp,
    prod: Account,
}

/// dev runs shop-api 1.3, staging 1.2 (history 1.0, 1.2, 1.3), prod 1.0; `web` is 2.1 in staging
/// and 2.0 in prod; `worker` is the same everywhere; `batch` runs a tag whose digest nobody
/// reported. Prod is protected; `overrides` adjust the config.
async fn fleet(overrides: &[(&str, &str)]) -> Fleet {
    let secret_env = |level: &'static str, password: &'static str| {
        vec![("LOG_LEVEL", level), ("DB_PASSWORD", password)]
    };
    let dev = Account::new().await;
    let staging = Account::new().await;
    let prod = Account::new().await;
    for (account, cluster) in [
        (&dev, "dev-main"),
        (&staging, "staging-main"),
        (&prod, "prod-main"),
    ] {
        account.cluster(cluster).await;
    }
    // dev: everything at its newest.
    revision(&dev, "shop-api", &api_image("1.2.0", D12), &[]).await;
    let td = revision(&dev, "shop-api", &api_image("1.3.0", D13), &[]).await;
    dev.service("dev-main", "api", &td, "shop", 1).await;
    // staging: 1.0, 1.2 and 1.3 registered, 1.2 running, with its own configuration.
    revision(&staging, "shop-api", &api_image("1.0.0", D10), &[]).await;
    let staging_api = revision(
        &staging,
        "shop-api",
        &api_image("1.2.0", D12),
        &secret_env("debug", "staging-hunter2"),
    )
    .await;
    revision(&staging, "shop-api", &api_image("1.3.0", D13), &[]).await;
    staging
        .service("staging-main", "api", &staging_api, "shop", 2)
        .await;
    // prod: 1.0 running.
    let prod_api = revision(
        &prod,
        "shop-api",
        &api_image("1.0.0", D10),
        &secret_env("info", "prod-hunter2"),
    )
    .await;
    prod.service("prod-main", "api", &prod_api, "shop", 3).await;
    for (account, cluster, web, worker, batch) in [
        (
            &staging,
            "staging-main",
            "2.1.0",
            DW,
            "registry.example/shop-batch:5",
        ),
        (
            &prod,
            "prod-main",
            "2.0.0",
            DW,
            "registry.example/shop-batch:4",
        ),
    ] {
        let web_digest = if web == "2.1.0" { D13 } else { D12 };
        let td = revision(
            account,
            "shop-web",
            &format!("registry.example/shop-web:{web}@{web_digest}"),
            &[],
        )
        .await;
        account.service(cluster, "web", &td, "shop", 2).await;
        let td = revision(
            account,
            "shop-worker",
            &format!("registry.example/shop-worker:7@{worker}"),
            &[],
        )
        .await;
        account.service(cluster, "worker", &td, "shop", 1).await;
        let td = revision(account, "shop-batch", batch, &[]).await;
        account.service(cluster, "batch", &td, "shop", 1).await;
    }
    let mut prod_env = TestEnv::new("prod", &prod);
    prod_env.protected = true;
    let envs = vec![
        TestEnv::new("dev", &dev),
        TestEnv::new("staging", &staging),
        prod_env,
    ];
    let app = spawn_app_with_overrides(envs, Auth::Dev, overrides).await;
    // `spawn_app` waits for the details too: the revisions each family ran, for behind-by.
    Fleet { app, prod }
}

async fn json(response: reqwest::Response) -> serde_json::Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("json")
}

fn cell<'a>(drift: &'a serde_json::Value, service: &str, env: &str) -> &'a serde_json::Value {
    let row = drift["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["service"] == service)
        .unwrap_or_else(|| panic!("a row for {service}: {drift}"));
    row["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["env"] == env)
        .unwrap_or_else(|| panic!("a cell for {env}"))
}

async fn prod_image(prod: &Account, service: &str) -> String {
    let described = prod
        .ecs
        .describe_services()
        .cluster("prod-main")
        .services(service)
        .send()
        .await
        .expect("describe service");
    let td = described.services()[0]
        .task_definition()
        .expect("task definition")
        .to_string();
    prod.ecs
        .describe_task_definition()
        .task_definition(td)
        .send()
        .await
        .expect("describe task definition")
        .task_definition()
        .expect("td")
        .container_definitions()[0]
        .image()
        .expect("image")
        .to_string()
}

/// The review of promoting `service` of the app `shop` from `from` into `to`, as `person` sees it.
async fn review_of(person: &Person, from: &str, to: &str, service: &str) -> serde_json::Value {
    json(
        person
            .call(
                "get_promotion",
                &[
                    ("from", from),
                    ("to", to),
                    ("app", "shop"),
                    ("service", service),
                ],
            )
            .await,
    )
    .await
}

async fn promote(
    person: &Person,
    from: &str,
    to: &str,
    service: &str,
    key: &str,
    confirm: &str,
) -> reqwest::Response {
    person
        .call(
            "promote",
            &[
                ("from", from),
                ("to", to),
                ("app", "shop"),
                ("service", service),
                ("key", key),
                ("reason", "ship what staging verified"),
                ("confirm", confirm),
            ],
        )
        .await
}

/// A new API token named `name` acting as `owner` with the operator role everywhere, created by
/// the admin `creator`: its secret.
async fn operator_token(creator: &Person, name: &str, owner: &str) -> String {
    let created = json(
        creator
            .call(
                "create_token",
                &[
                    ("name", name),
                    ("owner", owner),
                    ("envs", "*"),
                    ("role", "operator"),
                    ("days", "30"),
                ],
            )
            .await,
    )
    .await;
    created["secret"].as_str().expect("the secret").to_string()
}

#[tokio::test]
async fn the_drift_view_shows_what_runs_where_and_how_far_behind() {
    let f = fleet(&[]).await;
    let viewer = f.app.person("vera", "viewer").await;
    let drift = json(
        viewer
            .call("get_drift", &[("app", "shop"), ("all", "1")])
            .await,
    )
    .await;
    assert_eq!(
        drift["columns"],
        serde_json::json!(["dev", "staging", "prod"])
    );
    let version = |env: &str| cell(&drift, "api", env)["version"].clone();
    assert_eq!(version("dev")["images"][0]["digest"], D13);
    assert_eq!(version("staging")["revision"], "shop-api:2");
    assert_eq!(version("staging")["images"][0]["digest"], D12);
    assert_eq!(version("prod")["images"][0]["digest"], D10);
    assert!(version("prod")["since"].is_string(), "how long it has run");
    // staging ran one version (1.2) since prod's 1.0; dev is one ahead of staging.
    let prod = cell(&drift, "api", "prod");
    assert_eq!(prod["source"][0], "staging");
    assert_eq!(prod["source"][1]["Behind"]["releases"], 1);
    assert_eq!(prod["promotable"], true);
    let staging = cell(&drift, "api", "staging");
    assert_eq!(staging["source"][0], "dev");
    assert!(staging["source"][1]["Behind"].is_object(), "{staging}");
    assert_eq!(cell(&drift, "worker", "prod")["source"][1], "InSync");
    // Only the rows that differ by default; filtered by environment.
    let differing = json(viewer.call("get_drift", &[("app", "shop")]).await).await;
    let names: Vec<&str> = differing["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["api", "batch", "web"]);
    let dev_only = json(viewer.call("get_drift", &[("env", "dev")]).await).await;
    assert_eq!(dev_only["rows"].as_array().unwrap().len(), 1, "{dev_only}");
    // A viewer sees the table but no promotion: deploying is not theirs. What a promotion would
    // change is theirs to read, though.
    assert_eq!(drift["deploy_into"], serde_json::json!([]));
    let would = review_of(&viewer, "staging", "prod", "api").await;
    let refused = would["refused"].as_str().unwrap_or_default();
    assert!(refused.contains("operator role in prod"), "{would}");
    assert!(
        would["items"][0]["plan"]["Ok"]["diff"].is_array(),
        "{would}"
    );

    // The pages: the app's drift section, the fleet page, the overview's column.
    let app_page = viewer.get_text("/apps/shop").await;
    assert!(app_page.contains("data-testid=\"app-drift\""));
    assert!(
        app_page.contains("1 version behind staging"),
        "behind-by on the app page"
    );
    assert!(
        !app_page.contains("promote-link"),
        "no promote links for a viewer"
    );
    assert!(
        app_page.contains("compare-link"),
        "but what a promotion would change"
    );
    let fleet_page = viewer.get_text("/drift?env=prod").await;
    assert!(
        fleet_page.contains("data-service=\"api\"") && fleet_page.contains("data-service=\"web\"")
    );
    assert!(!fleet_page.contains("data-service=\"worker\""), "in sync");
    let overview = viewer.get_text("/").await;
    assert!(
        overview.contains("3 services differ"),
        "the overview's drift column"
    );
    let operator = f.app.person("olga", "operator").await;
    let app_page = operator.get_text("/apps/shop").await;
    assert!(app_page.contains("/promote?from=staging&amp;to=prod&amp;app=shop&amp;service=api"));
}

#[tokio::test]
async fn promoting_staging_into_protected_prod_runs_staging_digest_once_approved() {
    let f = fleet(&[]).await;
    let olga = f.app.person("olga", "operator").await;
    // The review shows the pinned image and the revision diff, secrets masked.
    let review = review_of(&olga, "staging", "prod", "api").await;
    assert_eq!(review["asks_approval"], true);
    let plan = &review["items"][0]["plan"]["Ok"];
    let pinned = format!("registry.example/shop-api@{D12}");
    assert_eq!(plan["changes"][0]["after"], pinned.as_str());
    let diff = plan["diff"].to_string();
    assert!(
        diff.contains("app: env LOG_LEVEL") && diff.contains("\"debug\""),
        "{diff}"
    );
    assert!(
        diff.contains("app: env DB_PASSWORD") && diff.contains("masked"),
        "{diff}"
    );
    assert!(
        !diff.contains("hunter2"),
        "secret-looking values never leave the server"
    );
    assert!(
        diff.contains("app: secret DATABASE_URL"),
        "secrets by ARN: {diff}"
    );
    let page = olga
        .get_text("/promote?from=staging&to=prod&app=shop&service=api")
        .await;
    assert!(page.contains("promotion-diff") && !page.contains("hunter2"));

    // Without the typed name nothing happens; with it, a release request.
    let refused = promote(&olga, "staging", "prod", "api", "promo-key-0001", "").await;
    assert_eq!(refused.status(), 400);
    let outcome =
        json(promote(&olga, "staging", "prod", "api", "promo-key-0002", "api").await).await;
    let id = outcome["results"][0][1]["Ok"]["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .unwrap_or_else(|| panic!("a release request: {outcome}"));
    assert_eq!(
        f.app.aws_calls("UpdateService"),
        0,
        "nothing runs before approval"
    );
    let store: &dyn ReleaseStore = f.app.state.services.releases.as_ref();
    let release = store.get(id).await.unwrap().unwrap();
    assert_eq!(release.changes[0].after, pinned);
    assert!(release.diff.iter().any(|c| c.what == "app: env LOG_LEVEL"));
    assert!(release.group.is_none(), "one service is not a group");
    // A double submit finds the same request.
    let again = json(promote(&olga, "staging", "prod", "api", "promo-key-0002", "api").await).await;
    assert_eq!(
        again["results"][0][1]["Ok"]["status"]["AwaitingApproval"]["release"],
        id
    );

    let rita = f.app.person("rita", "approver").await;
    let approved = rita
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "staging is green")],
        )
        .await;
    assert_eq!(approved.status(), 200);
    assert_eq!(
        prod_image(&f.prod, "api").await,
        pinned,
        "prod runs staging's digest"
    );
    let release = store.get(id).await.unwrap().unwrap();
    assert_eq!(release.state.as_str(), "succeeded");
    assert_eq!(f.app.aws_calls("UpdateService"), 1);
    let page = rita.get_text(&format!("/releases/{id}")).await;
    assert!(page.contains("release-diff") && !page.contains("hunter2"));
}

#[tokio::test]
async fn a_whole_app_is_one_request_per_service_approved_together() {
    let f = fleet(&[]).await;
    let olga = f.app.person("olga", "operator").await;
    let outcome = json(
        olga.call(
            "promote",
            &[
                ("from", "staging"),
                ("to", "prod"),
                ("app", "shop"),
                ("service", ""),
                ("key", "promo-app-0001"),
                ("reason", "release train 48"),
                ("confirm", "shop"),
            ],
        )
        .await,
    )
    .await;
    let group = outcome["group"].as_str().expect("a group").to_string();
    let results: Vec<(String, serde_json::Value)> = outcome["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_string(), r[1].clone()))
        .collect();
    let names: Vec<&str> = results.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["api", "batch", "web", "worker"]);
    let requested: Vec<&str> = results
        .iter()
        .filter(|(_, r)| r["Ok"]["status"]["AwaitingApproval"].is_object())
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(requested, vec!["api", "web"]);
    let batch = results[1].1["Err"].as_str().unwrap();
    assert!(batch.contains("digest is not known"), "{batch}");
    let worker = results[3].1["Err"].as_str().unwrap();
    assert!(worker.contains("nothing would change"), "{worker}");

    // The group's page, then one vote on all of it.
    let rita = f.app.person("rita", "approver").await;
    let listed = json(rita.call("list_releases", &[("group", &group)]).await).await;
    assert_eq!(listed["rows"].as_array().unwrap().len(), 2);
    assert_eq!(listed["awaits_me"].as_array().unwrap().len(), 2);
    let page = rita.get_text(&format!("/releases?group={group}")).await;
    assert!(page.contains("Approve all 2"));
    // The requester cannot approve their own group.
    let own = olga
        .call(
            "approve_release_group",
            &[("group", &group), ("comment", "")],
        )
        .await;
    assert_eq!(own.status(), 409);
    let voted = json(
        rita.call(
            "approve_release_group",
            &[("group", &group), ("comment", "train approved")],
        )
        .await,
    )
    .await;
    assert_eq!(voted["voted"].as_array().unwrap().len(), 2);
    assert_eq!(
        prod_image(&f.prod, "api").await,
        format!("registry.example/shop-api@{D12}")
    );
    assert_eq!(
        prod_image(&f.prod, "web").await,
        format!("registry.example/shop-web@{D13}")
    );
    assert_eq!(f.app.aws_calls("UpdateService"), 2);
    let again = rita
        .call(
            "approve_release_group",
            &[("group", &group), ("comment", "")],
        )
        .await;
    assert_eq!(again.status(), 409, "nothing left to vote on");
}

#[tokio::test]
async fn promotions_outside_the_configured_order_are_refused() {
    let f = fleet(&[]).await;
    let admin = f.app.person("ada", "admin").await;
    for (from, to) in [("dev", "prod"), ("prod", "staging"), ("staging", "staging")] {
        let refused = promote(&admin, from, to, "api", "promo-bad-0001", "api").await;
        assert_eq!(refused.status(), 400, "{from} → {to}");
        let text = refused.text().await.unwrap();
        assert!(
            text.contains("not allowed") || text.contains("itself"),
            "{text}"
        );
    }
    let review = review_of(&admin, "dev", "prod", "api").await;
    assert!(review["refused"]
        .as_str()
        .unwrap()
        .contains("dev → staging, staging → prod"));
    assert_eq!(f.app.aws_calls("UpdateService"), 0);
    assert_eq!(f.app.aws_calls("RegisterTaskDefinition"), 0);
    // A viewer may not promote at all, and the refusal is audited.
    let viewer = f.app.person("vera", "viewer").await;
    let denied = promote(&viewer, "staging", "prod", "api", "promo-bad-0002", "api").await;
    assert_eq!(denied.status(), 403);

    // Configured otherwise: dev promotes straight into prod, and staging into nothing.
    let custom = fleet(&[
        ("QD_PROMOTION__ORDER", "[\"dev\", \"prod\"]"),
        ("QD_PROMOTION__PATHS", "[[\"dev\", \"prod\"]]"),
    ])
    .await;
    let admin = custom.app.person("ada", "admin").await;
    let refused = promote(&admin, "staging", "prod", "api", "promo-bad-0003", "api").await;
    assert_eq!(refused.status(), 400);
    let outcome = json(promote(&admin, "dev", "prod", "api", "promo-ok-0004", "api").await).await;
    assert!(outcome["results"][0][1]["Ok"]["status"]["AwaitingApproval"].is_object());
}

#[tokio::test]
async fn ci_promotes_a_whole_app_into_prod_through_the_api() {
    let f = fleet(&[]).await;
    let alice = f.app.person("alice", "admin").await;
    let secret = operator_token(&alice, "ci-promote", "olga").await;
    let client = reqwest::Client::new();
    let post = |body: serde_json::Value| {
        client
            .post(f.app.url("/api/v1/promotions"))
            .bearer_auth(&secret)
            .json(&body)
            .send()
    };
    let train = serde_json::json!({
        "from": "staging", "to": "prod", "app": "shop",
        "reason": "release train 49", "request_key": "ci-train-0049"
    });
    let response = post(train.clone()).await.unwrap();
    assert_eq!(response.status(), 201);
    let out: serde_json::Value = response.json().await.unwrap();
    assert_eq!(out["group"], "ci-train-0049");
    let requests = out["requests"].as_array().unwrap();
    let targets: Vec<&str> = requests
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, vec!["prod-main/api", "prod-main/web"]);
    for r in requests {
        assert_eq!(r["via_token"], "ci-promote");
        assert_eq!(r["requester"], "alice");
        assert_eq!(r["group"], "ci-train-0049");
        assert_eq!(r["state"], "requested");
    }
    assert_eq!(
        requests[0]["changes"][0]["after"],
        format!("registry.example/shop-api@{D12}")
    );
    let left_out: Vec<&str> = out["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["service"].as_str().unwrap())
        .collect();
    assert_eq!(left_out, vec!["batch", "worker"]);
    // A retry finds the same requests.
    let again = post(train).await.unwrap();
    assert_eq!(again.status(), 200);
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again["requests"][0]["id"], requests[0]["id"]);
    // CI follows the group.
    let listed: serde_json::Value = client
        .get(f.app.url("/api/v1/releases?group=ci-train-0049"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    // The API only asks for gated changes, along the configured order.
    for (from, to, says) in [
        ("dev", "staging", "need no approval"),
        ("dev", "prod", "not allowed"),
    ] {
        let refused = post(serde_json::json!({
            "from": from, "to": to, "service": "api",
            "reason": "try", "request_key": "ci-refused-0001"
        }))
        .await
        .unwrap();
        assert_eq!(refused.status(), 422, "{from} → {to}");
        let text = refused.text().await.unwrap();
        assert!(text.contains(says), "{text}");
    }
    assert_eq!(f.app.aws_calls("UpdateService"), 0);
}

#[tokio::test]
async fn a_promotion_reusing_someone_elses_group_key_does_not_join_their_group() {
    let f = fleet(&[]).await;
    let olga = f.app.person("olga", "operator").await;
    let whole_app = |key: &'static str| {
        [
            ("from", "staging"),
            ("to", "prod"),
            ("app", "shop"),
            ("service", ""),
            ("key", key),
            ("reason", "release train 50"),
            ("confirm", "shop"),
        ]
    };
    let outcome = json(olga.call("promote", &whole_app("promo-app-0050")).await).await;
    let group = outcome["group"].as_str().expect("a group").to_string();
    let rita = f.app.person("rita", "approver").await;
    let members = |listed: serde_json::Value| -> Vec<(i64, String)> {
        listed["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    r["id"].as_i64().expect("id"),
                    r["requester"].as_str().expect("requester").to_string(),
                )
            })
            .collect()
    };
    let before = members(json(rita.call("list_releases", &[("group", &group)]).await).await);
    assert_eq!(before.len(), 2, "{before:?}");

    // Another operator reuses the group key she can read in the group's address: on a page …
    let mallory = f.app.person("mallory", "admin").await;
    let reused = mallory.call("promote", &whole_app("promo-app-0050")).await;
    let status = reused.status();
    let text = reused.text().await.unwrap();
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("another promotion"), "{text}");
    for (id, _) in &before {
        assert!(
            !text.contains(&format!("\"release\":{id}")),
            "olga's request #{id} is not handed out: {text}"
        );
    }
    // … and through the automation API.
    let secret = operator_token(&mallory, "ci-mallory", "mallory").await;
    let response = reqwest::Client::new()
        .post(f.app.url("/api/v1/promotions"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({
            "from": "staging", "to": "prod", "app": "shop",
            "reason": "me too", "request_key": group
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);

    // The group is still olga's two requests, and one group approval approves only those.
    let after = members(json(rita.call("list_releases", &[("group", &group)]).await).await);
    assert_eq!(after, before);
    assert!(after.iter().all(|(_, requester)| requester == "olga"));
    let voted = json(
        rita.call(
            "approve_release_group",
            &[("group", &group), ("comment", "train approved")],
        )
        .await,
    )
    .await;
    assert_eq!(voted["voted"].as_array().unwrap().len(), 2);
    assert_eq!(f.app.aws_calls("UpdateService"), 2);
}

/// An account's ECR registry host in the test region.
fn ecr_host(account: &Account) -> String {
    format!(
        "{}.dkr.ecr.{}.amazonaws.com",
        account.id,
        crate::helpers::REGION
    )
}

/// dev and prod in accounts of their own, each running `api` from its own ECR registry: dev
/// 1.3 (`D13`), prod 1.0 (`D10`); dev promotes into prod. With `mapped`, `[promotion]
/// registries` says dev's registry is found in prod as prod's.
async fn two_accounts(prod_protected: bool, mapped: bool) -> (TestApp, Account, Account) {
    let dev = Account::new().await;
    let prod = Account::new().await;
    dev.cluster("dev-main").await;
    prod.cluster("prod-main").await;
    let td = revision(
        &dev,
        "shop-api",
        &format!("{}/shop/api:1.3.0@{D13}", ecr_host(&dev)),
        &[],
    )
    .await;
    dev.service("dev-main", "api", &td, "shop", 1).await;
    let td = revision(
        &prod,
        "shop-api",
        &format!("{}/shop/api:1.0.0@{D10}", ecr_host(&prod)),
        &[],
    )
    .await;
    prod.service("prod-main", "api", &td, "shop", 2).await;
    let mut prod_env = TestEnv::new("prod", &prod);
    prod_env.protected = prod_protected;
    let registries = format!(
        "[{{ from = \"dev\", to = \"prod\", source = \"{}\", target = \"{}\" }}]",
        ecr_host(&dev),
        ecr_host(&prod)
    );
    let mut overrides = vec![("QD_PROMOTION__ORDER", "[\"dev\", \"prod\"]")];
    if mapped {
        overrides.push(("QD_PROMOTION__REGISTRIES", registries.as_str()));
    }
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &dev), prod_env],
        Auth::Dev,
        &overrides,
    )
    .await;
    (app, dev, prod)
}

#[tokio::test]
async fn a_mapped_registry_points_the_promoted_revision_at_the_targets_registry() {
    let (app, dev, prod) = two_accounts(false, true).await;
    let olga = app.person("olga", "operator").await;
    let expected = format!("{}/shop/api@{D13}", ecr_host(&prod));
    let review = review_of(&olga, "dev", "prod", "api").await;
    let plan = &review["items"][0]["plan"]["Ok"];
    assert_eq!(plan["changes"][0]["after"], expected.as_str(), "{review}");
    let note = format!(
        "copied to the target's registry reference {} instead of {} (same repository and digest); make sure that repository holds it (ECR replication or a push)",
        ecr_host(&prod),
        ecr_host(&dev)
    );
    assert!(plan["notes"].to_string().contains(&note), "{review}");
    assert_eq!(plan["warnings"], serde_json::json!([]), "{review}");
    let page = olga
        .get_text("/promote?from=dev&to=prod&app=shop&service=api")
        .await;
    assert!(page.contains(&note), "the review page shows the note");
    assert!(!page.contains("promotion-warning"));

    let outcome = json(promote(&olga, "dev", "prod", "api", "promo-reg-0001", "").await).await;
    assert_eq!(
        outcome["results"][0][1]["Ok"]["status"], "Succeeded",
        "{outcome}"
    );
    assert_eq!(
        prod_image(&prod, "api").await,
        expected,
        "prod's new revision pulls dev's digest from prod's own registry"
    );
}

#[tokio::test]
async fn without_a_mapping_the_review_warns_that_the_target_pulls_from_the_sources_account() {
    let (app, dev, prod) = two_accounts(true, false).await;
    let olga = app.person("olga", "operator").await;
    let review = review_of(&olga, "dev", "prod", "api").await;
    let plan = &review["items"][0]["plan"]["Ok"];
    let dev_image = format!("{}/shop/api@{D13}", ecr_host(&dev));
    assert_eq!(
        plan["changes"][0]["after"],
        dev_image.as_str(),
        "left as dev names it"
    );
    let warning = format!(
        "prod (account {}) will pull the image of app from dev's registry {} in account {}",
        prod.id,
        ecr_host(&dev),
        dev.id
    );
    let warnings = plan["warnings"].to_string();
    assert!(warnings.contains(&warning), "{review}");
    assert!(warnings.contains("[promotion] registries"), "{review}");
    let page = olga
        .get_text("/promote?from=dev&to=prod&app=shop&service=api")
        .await;
    assert!(page.contains("data-testid=\"promotion-warning\""));
    assert!(page.contains(&warning), "the review page says it plainly");

    // CI's request through the API carries the same warning.
    let alice = app.person("alice", "admin").await;
    let secret = operator_token(&alice, "ci-promote", "olga").await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/promotions"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({
            "from": "dev", "to": "prod", "service": "api",
            "reason": "ship dev", "request_key": "ci-reg-0001"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let out: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        out["requests"][0]["changes"][0]["after"],
        dev_image.as_str()
    );
    assert_eq!(out["warnings"][0]["service"], "api", "{out}");
    assert!(
        out["warnings"][0]["warning"]
            .as_str()
            .unwrap_or_default()
            .contains(&warning),
        "{out}"
    );
}
