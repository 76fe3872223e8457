//! Sessions against the running console: activity moves the idle expiry on, the absolute
//! lifetime ends a session however active, the live stream ends with its session, the cookie is
//! `__Host-` prefixed over https, and an admin ends every session of a person.

use crate::helpers::{spawn_app_with_overrides, Account, Auth, TestApp, TestEnv};
use std::time::{Duration, Instant};

async fn console(overrides: &[(&str, &str)]) -> TestApp {
    let account = Account::new().await;
    spawn_app_with_overrides(vec![TestEnv::new("dev", &account)], Auth::Dev, overrides).await
}

/// The status of `GET /` for this client: 200 signed in, 303 sent to sign in.
async fn overview_status(app: &TestApp, client: &reqwest::Client) -> u16 {
    client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Views a page every `every` until `until` after `start`, asserting each is served.
async fn keep_using(
    app: &TestApp,
    client: &reqwest::Client,
    start: Instant,
    every: Duration,
    until: Duration,
) {
    while start.elapsed() < until {
        tokio::time::sleep(every).await;
        assert_eq!(
            overview_status(app, client).await,
            200,
            "still signed in {:?} after sign-in",
            start.elapsed()
        );
    }
}

/// Opens `/events` and waits for its `ready` event.
async fn open_live_stream(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    let mut stream = client.get(app.url("/events")).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let mut seen = String::new();
    while !seen.contains("event: ready") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .expect("the ready event within 10 s")
            .unwrap()
            .expect("the stream is open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    stream
}

/// Whether the stream ends (its body closes) within `within`.
async fn stream_ends(mut stream: reqwest::Response, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.chunk()).await {
            Err(_) => return false,
            Ok(Ok(None)) | Ok(Err(_)) => return true,
            Ok(Ok(Some(_))) => continue,
        }
    }
}

#[tokio::test]
async fn a_session_in_use_outlives_its_idle_timeout() {
    let app = console(&[("QD_SERVER__SESSION_IDLE_TIMEOUT", "6s")]).await;
    let start = Instant::now();
    app.sign_in("ana", "viewer").await;
    // A page every 2 s for 14 s: more than twice the idle timeout since sign-in.
    keep_using(
        &app,
        &app.client,
        start,
        Duration::from_secs(2),
        Duration::from_secs(14),
    )
    .await;
}

#[tokio::test]
async fn a_session_left_alone_ends_after_its_idle_timeout() {
    let app = console(&[("QD_SERVER__SESSION_IDLE_TIMEOUT", "4s")]).await;
    app.sign_in("ana", "viewer").await;
    assert_eq!(overview_status(&app, &app.client).await, 200);
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        overview_status(&app, &app.client).await,
        303,
        "sent back to sign in"
    );
}

#[tokio::test]
async fn the_absolute_lifetime_ends_a_session_however_active() {
    let app = console(&[
        ("QD_SERVER__SESSION_IDLE_TIMEOUT", "6s"),
        ("QD_SERVER__SESSION_ABSOLUTE_LIFETIME", "10s"),
    ])
    .await;
    let start = Instant::now();
    app.sign_in("ana", "viewer").await;
    // In use past the idle timeout…
    keep_using(
        &app,
        &app.client,
        start,
        Duration::from_secs(2),
        Duration::from_secs(8),
    )
    .await;
    // …and still used, it ends at the lifetime.
    while start.elapsed() < Duration::from_secs(11) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let _ = overview_status(&app, &app.client).await;
    }
    assert_eq!(
        overview_status(&app, &app.client).await,
        303,
        "past the absolute lifetime"
    );
}

#[tokio::test]
async fn the_live_stream_ends_when_its_session_signs_out() {
    let app = console(&[]).await;
    app.sign_in("ana", "viewer").await;
    let stream = open_live_stream(&app, &app.client).await;
    let logout = app
        .client
        .post(app.url("/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    assert!(
        stream_ends(stream, Duration::from_secs(10)).await,
        "the stream closed within 10 s of the sign-out"
    );
}

#[tokio::test]
async fn an_admin_ends_every_session_of_a_person() {
    let app = console(&[]).await;
    let root = app.person("root", "admin").await;
    let laptop = app.person("ana", "operator").await;
    let phone = app.person("ana", "operator").await;
    let stream = open_live_stream(&app, &laptop.client).await;

    // Someone who is not an admin may not, and the refusal is recorded.
    let refused = phone.call("end_sessions", &[("person", "dev:root")]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(overview_status(&app, &root.client).await, 200);

    let listed: serde_json::Value = root.call("list_sessions", &[]).await.json().await.unwrap();
    let ana = listed["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person"] == "ana")
        .unwrap_or_else(|| panic!("ana is listed: {listed}"))
        .clone();
    assert_eq!(ana["sessions"], 2);

    let page = root.get_text("/sessions").await;
    assert!(
        page.contains("data-testid=\"end-sessions-form\"") && page.contains(">ana<"),
        "the sessions page lists ana with a button"
    );

    // The page's form, posted without JavaScript: back to the page afterwards.
    let ended = root
        .client
        .post(app.url("/api/end_sessions"))
        .header("accept", "text/html")
        .header("referer", app.url("/sessions"))
        .form(&[("person", "dev:ana")])
        .send()
        .await
        .unwrap();
    assert!(ended.status().is_redirection(), "{}", ended.status());
    assert_eq!(ended.headers()["location"], "/sessions");

    // Her next requests, on either device, are signed out; her live stream ends.
    assert_eq!(overview_status(&app, &laptop.client).await, 303);
    assert_eq!(overview_status(&app, &phone.client).await, 303);
    assert_eq!(
        laptop.call("get_overview", &[]).await.status(),
        401,
        "server functions refuse her too"
    );
    assert!(
        stream_ends(stream, Duration::from_secs(10)).await,
        "her live stream closed"
    );
    // The admin's own session is untouched, and she may sign in again.
    assert_eq!(overview_status(&app, &root.client).await, 200);
    let again = app.person("ana", "operator").await;
    assert_eq!(overview_status(&app, &again.client).await, 200);

    let audit = app.state.audit.recent(20).await.unwrap();
    let (_, ending) = audit
        .iter()
        .find(|(_, e)| e.kind == "sessions_end" && e.outcome == "succeeded")
        .expect("the ending is audited");
    assert_eq!(ending.actor, "root");
    assert_eq!(ending.target.as_deref(), Some("person dev:ana"));
    assert_eq!(ending.detail.as_deref(), Some("2 sessions ended"));
    assert!(audit
        .iter()
        .any(|(_, e)| e.kind == "sessions_end" && e.outcome == "denied" && e.actor == "ana"));
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_prefixed() {
    let app = console(&[("QD_SERVER__PUBLIC_URL", "https://127.0.0.1:3000")]).await;
    let response = app
        .client
        .post(app.url("/auth/dev-login"))
        .form(&[("user", "ana"), ("role", "viewer"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("__Host-qd_session="), "{cookie}");
    for attribute in ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "no domain: {cookie}");
}
