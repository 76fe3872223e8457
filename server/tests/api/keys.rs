//! Request keys belong to their caller and environment, and the console's own keys to nobody:
//! an operator who uses the key the release executor will run an approved request under
//! cannot make that release fail, and a key someone else used — or the same person in another
//! environment — never answers with their request, through the pages or the automation API.

use crate::helpers::{spawn_app, Account, Person, TestApp, TestEnv};

/// `web` (2 tasks) and the alarm `web-cpu` in one account, seen as two protected environments.
async fn console() -> (TestApp, Account) {
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    account
        .alarm(
            "web-cpu",
            "CPU",
            &[("ClusterName", "main"), ("ServiceName", "web")],
            false,
        )
        .await;
    let mut prod = TestEnv::new("prod", &account);
    prod.protected = true;
    let mut staging = TestEnv::new("staging", &account);
    staging.protected = true;
    let app = spawn_app(vec![prod, staging]).await;
    (app, account)
}

async fn desired(account: &Account) -> i32 {
    account
        .ecs
        .describe_services()
        .cluster("main")
        .services("web")
        .send()
        .await
        .unwrap()
        .services()[0]
        .desired_count()
}

/// A scale of `web` to `to` in `env` through the page's form; answers the status and body.
async fn scale_on_page(
    person: &Person,
    env: &str,
    to: &str,
    key: &str,
) -> (u16, serde_json::Value) {
    let response = person
        .call(
            "scale_service",
            &[
                ("env", env),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", to),
                ("key", key),
                ("reason", "traffic peak expected"),
                ("confirm", "web"),
            ],
        )
        .await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

async fn mute_on_page(person: &Person, env: &str, key: &str) -> (u16, String) {
    let response = person
        .call(
            "set_alarm_actions",
            &[
                ("env", env),
                ("alarm", "web-cpu"),
                ("enabled", "false"),
                ("key", key),
                ("reason", "noisy during the load test"),
                ("confirm", "web-cpu"),
            ],
        )
        .await;
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

#[tokio::test]
async fn an_operator_who_claims_the_executors_key_first_cannot_make_an_approved_release_fail() {
    let (app, account) = console().await;
    let olga = app.person("olga", "operator").await;
    let mallory = app.person("mallory", "operator").await;
    let (status, body) = scale_on_page(&olga, "prod", "4", "olga-scale-0001").await;
    assert_eq!(status, 200, "{body}");
    let id = body["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .unwrap_or_else(|| panic!("a release request: {body}"));
    // The executor's key cannot be written by a client at all …
    let internal = format!("release:{id:06}");
    let (status, text) = mute_on_page(&mallory, "staging", &internal).await;
    assert_eq!(status, 400, "{text}");
    // … and the key it used to run under is now an ordinary client key: another operator in
    // another environment, and the requester herself where the release runs, may use it.
    let predictable = format!("release-{id:06}");
    let (status, text) = mute_on_page(&mallory, "staging", &predictable).await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = mute_on_page(&olga, "prod", &predictable).await;
    assert_eq!(status, 200, "{text}");

    let rita = app.person("rita", "approver").await;
    let approved = rita
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "capacity checked")],
        )
        .await;
    assert_eq!(approved.status(), 200);
    let release = app
        .state
        .services
        .releases
        .get(id)
        .await
        .unwrap()
        .expect("the release");
    assert_eq!(
        release.state.as_str(),
        "succeeded",
        "{:?} {:?}",
        release.result,
        release.history
    );
    assert_eq!(desired(&account).await, 4);
}

/// A client of the automation API with `secret`.
fn api(app: &TestApp, secret: &str, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(app.url(path))
        .bearer_auth(secret)
}

/// `person` (an admin) creates a token for themselves in prod and staging; answers its secret.
async fn own_token(person: &Person, name: &str, owner: &str) -> String {
    let response = person
        .call(
            "create_token",
            &[
                ("name", name),
                ("owner", owner),
                ("envs", "prod,staging"),
                ("role", "operator"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["secret"].as_str().expect("secret").to_string()
}

async fn request_scale(
    app: &TestApp,
    secret: &str,
    env: &str,
    to: i64,
    key: &str,
) -> (u16, serde_json::Value) {
    let response = api(app, secret, "/api/v1/releases")
        .json(&serde_json::json!({
            "env": env, "action": "scale", "cluster": "main", "service": "web",
            "desired": to, "reason": "pipeline: traffic", "request_key": key
        }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_request_key_someone_else_used_never_answers_with_their_request() {
    let (app, _account) = console().await;
    let olga = app.person("olga", "admin").await;
    let mallory = app.person("mallory", "admin").await;
    let olga_ci = own_token(&olga, "ci-olga", "olga").await;
    let mallory_ci = own_token(&mallory, "ci-mallory", "mallory").await;

    let (status, theirs) = request_scale(&app, &olga_ci, "prod", 3, "ci-run-0001").await;
    assert_eq!(status, 201, "{theirs}");
    let theirs_id = theirs["id"].as_i64().expect("id");
    // The same key from another caller is that caller's own key.
    let (status, mine) = request_scale(&app, &mallory_ci, "prod", 5, "ci-run-0001").await;
    assert_eq!(status, 201, "{mine}");
    assert_ne!(mine["id"], theirs["id"], "{mine}");
    assert_eq!(mine["requester"], "mallory");
    assert_eq!(mine["changes"][0]["after"], "5");
    // The same caller's key in another environment is another key.
    let (status, staging) = request_scale(&app, &olga_ci, "staging", 3, "ci-run-0001").await;
    assert_eq!(status, 201, "{staging}");
    assert_eq!(staging["env"], "staging");
    assert_ne!(staging["id"], theirs["id"]);
    // The pages too: another person's form with the same key gets a request of their own.
    let pete = app.person("pete", "operator").await;
    let (status, body) = scale_on_page(&pete, "prod", "6", "ci-run-0001").await;
    assert_eq!(status, 200, "{body}");
    let petes = body["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .expect("a release request");
    assert!(![theirs_id, mine["id"].as_i64().unwrap_or_default()].contains(&petes));
    // A retry by the first caller still finds their own request, untouched.
    let (status, again) = request_scale(&app, &olga_ci, "prod", 3, "ci-run-0001").await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], theirs["id"]);
    assert_eq!(again["requester"], "olga");
    assert_eq!(again["changes"][0]["after"], "3");
    assert_eq!(again["state"], "requested");
}
