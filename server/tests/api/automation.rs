//! API tokens and the automation API against a real moto: an admin creates a token (its secret
//! shown once, stored hashed), CI uses it to request a prod release and follow it, the token's
//! creator — the person it acts for, whatever service account it is labelled for — may not
//! approve what the token asked for, revoked and unknown tokens are refused, and every error has
//! the same body.

use crate::helpers::{spawn_app_with_overrides, Account, Auth, Person, TestApp, TestEnv};

async fn console() -> (TestApp, Account) {
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    let mut prod = TestEnv::new("prod", &account);
    prod.protected = true;
    let dev = TestEnv::new("dev", &account);
    let app = spawn_app_with_overrides(vec![dev, prod], Auth::Dev, &[]).await;
    (app, account)
}

/// Creates a token through the admin's server function; answers its secret.
pub(crate) async fn token(
    admin: &Person,
    name: &str,
    owner: &str,
    envs: &str,
    role: &str,
) -> String {
    let response = admin
        .call(
            "create_token",
            &[
                ("name", name),
                ("owner", owner),
                ("envs", envs),
                ("role", role),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    body["secret"].as_str().expect("secret").to_string()
}

pub(crate) fn api(
    app: &TestApp,
    secret: &str,
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(secret)
}

#[tokio::test]
async fn ci_requests_a_prod_release_with_a_token_and_its_creator_cannot_approve_it() {
    let (app, account) = console().await;
    let alice = app.person("alice", "admin").await;
    let secret = token(&alice, "ci-prod", "olga", "prod", "operator").await;
    assert!(secret.starts_with("qd_"));
    // Only the hash is stored.
    let stored: Vec<(String,)> = sqlx::query_as("SELECT secret_hash FROM api_tokens")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    assert!(stored.iter().all(|(h,)| !h.contains(&secret[3..])));

    let request = serde_json::json!({
        "env": "prod", "action": "scale", "cluster": "main", "service": "web",
        "desired": 3, "reason": "pipeline 812: traffic", "request_key": "ci-run-0812",
        "ticket_url": "https://tickets.example/OPS-7"
    });
    let created = api(&app, &secret, reqwest::Method::POST, "/api/v1/releases")
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    let id = body["id"].as_i64().expect("id");
    assert_eq!(body["state"], "requested");
    // The request is the person's who made the token, not its service account's.
    assert_eq!(body["requester"], "alice");
    assert_eq!(body["via_token"], "ci-prod");
    assert_eq!(body["changes"][0]["after"], "3");
    // A retried call finds the same request.
    let again = api(&app, &secret, reqwest::Method::POST, "/api/v1/releases")
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["id"], id);

    // The token's creator may not approve what the token asked for.
    let own = alice
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "")],
        )
        .await;
    assert_eq!(own.status(), 403);
    // Tokens do not reach the server functions at all.
    let via_token = api(&app, &secret, reqwest::Method::POST, "/api/approve_release")
        .form(&[("id", id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(via_token.status(), 401);
    let rita = app.person("rita", "approver").await;
    assert_eq!(
        rita.call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "ok")]
        )
        .await
        .status(),
        200
    );
    // CI polls until it ran.
    let polled: serde_json::Value = api(
        &app,
        &secret,
        reqwest::Method::GET,
        &format!("/api/v1/releases/{id}"),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(polled["state"], "succeeded");
    let desired = account
        .ecs
        .describe_services()
        .cluster("main")
        .services("web")
        .send()
        .await
        .unwrap()
        .services()[0]
        .desired_count();
    assert_eq!(desired, 3);

    // The token reads what its environments hold, and only those.
    let envs: serde_json::Value = api(&app, &secret, reqwest::Method::GET, "/api/v1/environments")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(envs.as_array().map(Vec::len), Some(1));
    assert_eq!(envs[0]["id"], "prod");
    let services: serde_json::Value = api(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/v1/environments/prod/services",
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(services[0]["name"], "web");
    let dev = api(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/v1/environments/dev/services",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(dev.status(), 403);
    let audit: serde_json::Value = api(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/v1/audit?env=prod&kind=release_approve",
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(audit["total"].as_i64().unwrap_or_default() >= 2, "{audit}");

    // The tokens page shows when it was last used.
    let page = alice.get_text("/tokens").await;
    assert!(page.contains("ci-prod") && !page.contains(">never<"));
}

/// The service's desired count as AWS has it.
async fn desired(account: &Account) -> i32 {
    account
        .ecs
        .describe_services()
        .cluster("main")
        .services("web")
        .send()
        .await
        .expect("describe services")
        .services()[0]
        .desired_count()
}

#[tokio::test]
async fn an_admin_cannot_approve_a_prod_change_they_filed_through_a_token_labelled_for_a_service_account(
) {
    // The attack: one admin makes a token "owned" by ci-bot, files a prod change with it and
    // approves it in the console. With one approval required, nobody else would be involved.
    let (app, account) = console().await;
    assert_eq!(desired(&account).await, 2);
    let alice = app.person("alice", "admin").await;
    let secret = token(&alice, "ci-bot-deploys", "ci-bot", "prod", "operator").await;
    let created = api(&app, &secret, reqwest::Method::POST, "/api/v1/releases")
        .json(&serde_json::json!({
            "env": "prod", "action": "scale", "cluster": "main", "service": "web",
            "desired": 5, "reason": "pipeline 77: more capacity", "request_key": "ci-run-0077"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.unwrap();
    let id = body["id"].as_i64().expect("id");
    // The request is the token creator's, made through the token.
    assert_eq!(body["requester"], "alice");
    assert_eq!(body["via_token"], "ci-bot-deploys");

    let approve = alice
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "lgtm")],
        )
        .await;
    assert_eq!(approve.status(), 403);
    assert!(approve
        .text()
        .await
        .unwrap()
        .contains("you asked for this change"));
    let release = app
        .state
        .services
        .releases
        .get(id)
        .await
        .unwrap()
        .expect("the request");
    assert_eq!(release.state.as_str(), "requested");
    assert!(release.votes.is_empty());
    assert_eq!(desired(&account).await, 2, "prod is unchanged");

    // The audit names the person who answers for the request and the token it came through.
    let (token_id,): (i64,) =
        sqlx::query_as("SELECT id FROM api_tokens WHERE name = 'ci-bot-deploys'")
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
    let rows = app.state.audit.recent(20).await.unwrap();
    let (_, requested) = rows
        .iter()
        .find(|(_, e)| e.kind == "scale" && e.outcome == "approval_requested")
        .expect("the request's audit row");
    assert_eq!(requested.actor, "alice");
    assert_eq!(requested.token_id, Some(token_id));
    assert_eq!(
        requested.via.as_deref(),
        Some("API token ci-bot-deploys for ci-bot")
    );
    let (_, refused) = rows
        .iter()
        .find(|(_, e)| e.kind == "release_approve")
        .expect("the refused approval's audit row");
    assert_eq!(
        (refused.actor.as_str(), refused.outcome.as_str()),
        ("alice", "denied")
    );

    // Someone else may approve it, and then it runs.
    let rita = app.person("rita", "approver").await;
    assert_eq!(
        rita.call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "ok")]
        )
        .await
        .status(),
        200
    );
    assert_eq!(desired(&account).await, 5);
}

#[tokio::test]
async fn unknown_revoked_and_missing_tokens_are_refused_with_one_error_shape() {
    let (app, _account) = console().await;
    let alice = app.person("alice", "admin").await;
    let secret = token(&alice, "ci-dev", "olga", "dev", "viewer").await;
    let ok = api(&app, &secret, reqwest::Method::GET, "/api/v1/environments")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);

    let check = |response: reqwest::Response, status: u16, code: &'static str| async move {
        assert_eq!(response.status(), status);
        let body: serde_json::Value = response.json().await.expect("json error body");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    };
    let none = reqwest::Client::new()
        .get(app.url("/api/v1/environments"))
        .send()
        .await
        .unwrap();
    check(none, 401, "unauthenticated").await;
    let unknown = api(
        &app,
        "qd_0000000000000000000000000000000000000000",
        reqwest::Method::GET,
        "/api/v1/environments",
    )
    .send()
    .await
    .unwrap();
    check(unknown, 401, "unauthenticated").await;
    let missing = api(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/v1/releases/424242",
    )
    .send()
    .await
    .unwrap();
    check(missing, 404, "not_found").await;
    let bad_json = api(&app, &secret, reqwest::Method::POST, "/api/v1/releases")
        .header("content-type", "application/json")
        .body("{\"env\": ")
        .send()
        .await
        .unwrap();
    check(bad_json, 422, "invalid").await;
    // A viewer token may not ask for changes.
    let forbidden = api(&app, &secret, reqwest::Method::POST, "/api/v1/releases")
        .json(&serde_json::json!({
            "env": "dev", "action": "scale", "cluster": "main", "service": "web",
            "desired": 3, "reason": "x", "request_key": "ci-run-0001"
        }))
        .send()
        .await
        .unwrap();
    check(forbidden, 403, "forbidden").await;

    // Only admins manage tokens; a revoked token stops working at once.
    let olga = app.person("olga", "operator").await;
    assert_eq!(
        olga.call(
            "create_token",
            &[
                ("name", "mine"),
                ("owner", "olga"),
                ("envs", "dev"),
                ("role", "operator"),
                ("days", "30")
            ]
        )
        .await
        .status(),
        403
    );
    let listed: serde_json::Value = alice.call("list_tokens", &[]).await.json().await.unwrap();
    let id = listed["tokens"][0]["id"].as_i64().expect("token id");
    assert_eq!(
        alice
            .call("revoke_token", &[("id", &id.to_string())])
            .await
            .status(),
        200
    );
    let revoked = api(&app, &secret, reqwest::Method::GET, "/api/v1/environments")
        .send()
        .await
        .unwrap();
    check(revoked, 401, "unauthenticated").await;
    let kinds: Vec<String> = app
        .state
        .audit
        .recent(50)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, e)| e.kind)
        .collect();
    assert!(kinds.contains(&"token_create".to_string()));
    assert!(kinds.contains(&"token_revoke".to_string()));

    // The OpenAPI document is public and lists the paths.
    let doc: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/api/v1/releases",
        "/api/v1/releases/{id}",
        "/api/v1/environments/{env}/services",
        "/api/v1/audit",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}

#[tokio::test]
async fn audit_rows_written_through_the_api_carry_the_clients_address_agent_and_token() {
    let (app, _account) = console().await;
    let alice = app.person("alice", "admin").await;
    let secret = token(&alice, "ci-audit", "olga", "prod", "operator").await;
    let request = serde_json::json!({
        "env": "prod", "action": "scale", "cluster": "main", "service": "web",
        "desired": 3, "reason": "pipeline 913: traffic", "request_key": "ci-run-0913"
    });
    let created = api(&app, &secret, reqwest::Method::POST, "/api/v1/releases")
        .header(reqwest::header::USER_AGENT, "ci-runner/7.1 (pipeline 913)")
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    // A refusal through the API is audited the same way.
    let denied = api(
        &app,
        &secret,
        reqwest::Method::GET,
        "/api/v1/environments/dev/services",
    )
    .header(reqwest::header::USER_AGENT, "ci-runner/7.1 (pipeline 913)")
    .send()
    .await
    .unwrap();
    assert_eq!(denied.status(), 403);
    let (token_id,): (i64,) = sqlx::query_as("SELECT id FROM api_tokens WHERE name = 'ci-audit'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    let rows = app.state.audit.recent(20).await.unwrap();
    for (kind, outcome) in [("scale", "approval_requested"), ("denied", "denied")] {
        let (_, row) = rows
            .iter()
            .find(|(_, e)| e.kind == kind && e.outcome == outcome)
            .unwrap_or_else(|| panic!("no {kind} {outcome} row in {rows:?}"));
        assert_eq!(row.actor, "alice");
        assert_eq!(
            row.via.as_deref(),
            Some("API token ci-audit for olga"),
            "{kind}"
        );
        assert_eq!(row.ip.as_deref(), Some("127.0.0.1"), "{kind}");
        assert_eq!(
            row.user_agent.as_deref(),
            Some("ci-runner/7.1 (pipeline 913)"),
            "{kind}"
        );
        assert_eq!(row.token_id, Some(token_id), "{kind}");
    }
    // A person's own rows name no token.
    let (_, create) = rows
        .iter()
        .find(|(_, e)| e.kind == "token_create")
        .expect("token_create row");
    assert_eq!(create.token_id, None);
    assert_eq!(create.via, None);
}
