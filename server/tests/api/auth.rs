//! Sign-in, sessions, and the guards on every page and endpoint.

use crate::helpers::{spawn_app, spawn_app_with_overrides, Account, Auth, TestEnv};

#[tokio::test]
async fn pages_redirect_to_sign_in_and_server_functions_refuse_without_a_session() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    for page in [
        "/",
        "/envs/dev",
        "/alarms?state=ALARM",
        "/databases",
        "/apps",
    ] {
        let response = app.get(page).await;
        assert_eq!(response.status(), 303, "{page}");
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/login?next="), "{page} -> {location}");
    }
    let response = app.call("get_overview", &[]).await;
    assert_eq!(response.status(), 401);
    let login = app.get("/login").await;
    assert_eq!(login.status(), 200);
}

#[tokio::test]
async fn dev_sign_in_sets_a_strict_cookie_and_is_audited() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let response = app
        .client
        .post(app.url("/auth/dev-login"))
        .form(&[("user", "ana"), ("role", "operator"), ("next", "/envs/dev")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/envs/dev");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("qd_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain-http demo cookie must not be Secure: {cookie}"
    );
    let page = app.get_text("/").await;
    assert!(page.contains("ana"), "the header names the user");
    assert!(
        page.contains("Demo mode"),
        "every page shows the demo banner"
    );
    let audit = app.state.audit.recent(5).await.unwrap();
    let (_, login) = audit
        .iter()
        .find(|(_, e)| e.kind == "login")
        .expect("login audited");
    assert_eq!(login.actor, "ana");
    assert_eq!(login.ip.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn bad_sign_in_input_returns_to_the_form_with_a_reason() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    for (user, role, needle) in [
        ("ana", "root", "error=role"),
        ("<b>", "viewer", "error=name"),
        ("", "viewer", "error=name"),
    ] {
        let response = app
            .client
            .post(app.url("/auth/dev-login"))
            .form(&[("user", user), ("role", role)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let location = response.headers()["location"].to_str().unwrap();
        assert!(
            location.starts_with(&format!("/login?{needle}&")),
            "{location}"
        );
        let page = app.get_text(location).await;
        assert!(page.contains("Check the"), "the page says what to fix");
    }
    assert_eq!(app.get("/").await.status(), 303, "no session was created");
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let response = app
        .client
        .post(app.url("/auth/dev-login"))
        .form(&[
            ("user", "ana"),
            ("role", "viewer"),
            ("next", "//evil.example/x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/");
}

/// `next=/%09/evil.example` arrives as `/\t/evil.example`; a browser drops the tab from the
/// `Location` and goes to `//evil.example`. Neither it nor its cousins may come back.
#[tokio::test]
async fn a_tab_or_backslash_in_next_does_not_leave_the_site() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let encoded_bypasses = [
        "/%09/evil.example",
        "/%0d/evil.example",
        "/%0a/evil.example",
        "/%0d%0a/evil.example",
        "/%00/evil.example",
        "/%7f/evil.example",
        "/%C2%85/evil.example",
        "/%5c/evil.example",
        "/%5c%5cevil.example",
        "%09//evil.example",
        "%20//evil.example",
        "///evil.example",
        "https:%2f%2fevil.example",
        "javascript:alert(1)",
    ];
    for next in encoded_bypasses {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .post(app.url("/auth/dev-login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("user=ana&role=viewer&next={next}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{next}");
        assert_eq!(response.headers()["location"], "/", "next={next}");
    }
    // A path on the site is still where the person goes.
    let response = app
        .client
        .post(app.url("/auth/dev-login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=ana&role=viewer&next=/envs/dev%3Ftab%3Dservices")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/envs/dev?tab=services");
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    // Keep the cookie to replay it after logout.
    let cookie = {
        let response = app
            .client
            .post(app.url("/auth/dev-login"))
            .form(&[("user", "ana"), ("role", "viewer")])
            .send()
            .await
            .unwrap();
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let logout = app
        .client
        .post(app.url("/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    let replay = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = replay
        .get(app.url("/"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "the old cookie no longer opens a page"
    );
    let audit = app.state.audit.recent(5).await.unwrap();
    assert!(audit
        .iter()
        .any(|(_, e)| e.kind == "logout" && e.actor == "ana"));
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    app.sign_in("ana", "viewer").await;
    let response = app
        .client
        .post(app.url("/api/refresh_environment"))
        .header("origin", "https://evil.example")
        .form(&[("env", "dev")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = app
        .client
        .post(app.url("/auth/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(app.get("/").await.status(), 200, "still signed in");
}

#[tokio::test]
async fn pages_carry_a_nonce_based_content_security_policy() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let response = app.get("/login").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in script-src")
        .to_string();
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
    let second = app.get("/login").await;
    let other = second.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(csp, other, "a fresh nonce for every response");
}

#[tokio::test]
async fn sign_in_attempts_are_throttled_per_client() {
    let account = Account::new().await;
    let app = spawn_app(vec![TestEnv::new("dev", &account)]).await;
    let mut statuses = Vec::new();
    for _ in 0..21 {
        let response = app
            .client
            .post(app.url("/auth/dev-login"))
            .form(&[("user", "ana"), ("role", "nope")])
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert!(statuses[..20].iter().all(|s| *s == 303), "{statuses:?}");
    assert_eq!(statuses[20], 429, "the 21st attempt in a minute is refused");
}

#[tokio::test]
async fn a_session_ends_after_its_absolute_lifetime_however_active() {
    let account = Account::new().await;
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &account)],
        Auth::Dev,
        &[("QD_SERVER__SESSION_ABSOLUTE_LIFETIME", "1s")],
    )
    .await;
    app.sign_in("ana", "viewer").await;
    assert_eq!(app.get("/").await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 303, "sent back to sign in");
}
