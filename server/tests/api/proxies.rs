//! Behind a load balancer: the client's address comes from `X-Forwarded-For` only when the
//! connection comes from a trusted proxy (`server.trusted_proxies`); sign-in and API token
//! throttles and the audit log use it. Without trusted proxies a forged header changes nothing.
//! The test client connects from 127.0.0.1, so `127.0.0.0/8` plays the balancer.

use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};

const LOOPBACK_IS_THE_BALANCER: (&str, &str) = ("QD_SERVER__TRUSTED_PROXIES", r#"["127.0.0.0/8"]"#);
const THREE_ATTEMPTS_A_MINUTE: (&str, &str) = ("QD_AUTH__LOGIN_ATTEMPTS_PER_MINUTE", "3");

async fn console(overrides: &[(&str, &str)]) -> TestApp {
    let account = Account::new().await;
    spawn_app_with_overrides(vec![TestEnv::new("dev", &account)], Auth::Dev, overrides).await
}

/// A dev sign-in as `user` with `role`, claiming to come from `forwarded`.
async fn sign_in_from(
    app: &TestApp,
    client: &reqwest::Client,
    forwarded: &str,
    user: &str,
    role: &str,
) -> u16 {
    client
        .post(app.url("/auth/dev-login"))
        .header("x-forwarded-for", forwarded)
        .form(&[("user", user), ("role", role), ("next", "/")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A call of the automation API with a token nobody issued, claiming to come from `forwarded`.
async fn unknown_token_from(app: &TestApp, forwarded: &str) -> u16 {
    app.client
        .get(app.url("/api/v1/environments"))
        .header("x-forwarded-for", forwarded)
        .bearer_auth("qd_not-a-token-anyone-issued")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn audited_address(app: &TestApp, kind: &str, actor: &str) -> Option<String> {
    let audit = app.state.audit.recent(50).await.unwrap();
    audit
        .iter()
        .find(|(_, e)| e.kind == kind && e.actor == actor)
        .map(|(_, e)| e.ip.clone())
        .unwrap_or_else(|| panic!("no {kind} row of {actor}: {audit:?}"))
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_throttle_and_audit_address() {
    let app = console(&[LOOPBACK_IS_THE_BALANCER, THREE_ATTEMPTS_A_MINUTE]).await;
    // One client behind the balancer uses up its sign-in attempts…
    let statuses = [
        sign_in_from(&app, &app.client, "203.0.113.1", "ci", "nope").await,
        sign_in_from(&app, &app.client, "203.0.113.1", "ci", "nope").await,
        sign_in_from(&app, &app.client, "203.0.113.1", "ci", "nope").await,
        sign_in_from(&app, &app.client, "203.0.113.1", "ci", "nope").await,
    ];
    assert_eq!(
        statuses,
        [303, 303, 303, 429],
        "the fourth attempt of 203.0.113.1"
    );
    // …and another one still signs in, recorded under its own address.
    let ana = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(
        sign_in_from(&app, &ana, "203.0.113.2", "ana", "viewer").await,
        303,
        "203.0.113.2 is not throttled by 203.0.113.1's attempts"
    );
    assert_eq!(
        audited_address(&app, "login", "ana").await.as_deref(),
        Some("203.0.113.2")
    );

    // A page's server function: a denial is audited with the client's address, not the
    // balancer's, and the entry the client put first itself is not believed.
    let denied = ana
        .post(app.url("/api/scale_service"))
        .header("x-forwarded-for", "192.0.2.66, 203.0.113.2")
        .form(&[
            ("env", "dev"),
            ("cluster", "main"),
            ("service", "web"),
            ("desired", "2"),
            ("key", "proxy-test-0001"),
            ("reason", "viewers may not scale"),
            ("confirm", "web"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
    assert_eq!(
        audited_address(&app, "denied", "ana").await.as_deref(),
        Some("203.0.113.2")
    );

    // Unknown API tokens are throttled per forwarded client too.
    let from_one = [
        unknown_token_from(&app, "203.0.113.3").await,
        unknown_token_from(&app, "203.0.113.3").await,
        unknown_token_from(&app, "203.0.113.3").await,
        unknown_token_from(&app, "203.0.113.3").await,
    ];
    assert_eq!(from_one, [401, 401, 401, 429]);
    assert_eq!(unknown_token_from(&app, "203.0.113.4").await, 401);
}

#[tokio::test]
async fn without_trusted_proxies_a_forged_forwarded_address_is_ignored() {
    let app = console(&[THREE_ATTEMPTS_A_MINUTE]).await;
    assert_eq!(
        sign_in_from(&app, &app.client, "203.0.113.10", "ana", "viewer").await,
        303
    );
    assert_eq!(
        audited_address(&app, "login", "ana").await.as_deref(),
        Some("127.0.0.1"),
        "the audit names the connection's address, not the claimed one"
    );
    // A new made-up address per attempt does not earn new attempts.
    let statuses = [
        sign_in_from(&app, &app.client, "203.0.113.11", "ci", "nope").await,
        sign_in_from(&app, &app.client, "203.0.113.12", "ci", "nope").await,
        sign_in_from(&app, &app.client, "203.0.113.13", "ci", "nope").await,
    ];
    assert_eq!(statuses, [303, 303, 429]);
    assert_eq!(unknown_token_from(&app, "203.0.113.14").await, 429);
}
