//! SSO sign-in against a real OpenID provider (npm `oidc-provider`), browser-free: the harness
//! drives the provider's login and consent pages with a cookie-jar HTTP client.

use crate::helpers::{
    idp_issuer, spawn_app_with, spawn_app_with_overrides, Account, Auth, TestApp, TestEnv, TestIdp,
};

async fn sso_app(groups_claim: &'static str) -> TestApp {
    let dev = Account::new().await;
    let prod = Account::new().await;
    spawn_app_with(
        vec![TestEnv::new("dev", &dev), TestEnv::new("prod", &prod)],
        Auth::Sso { groups_claim },
    )
    .await
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("qd_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
}

async fn session_json(app: &TestApp) -> serde_json::Value {
    let response = app.call("get_session", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn sso_sign_in_maps_groups_to_roles_per_environment() {
    let app = sso_app("groups").await;
    let response = app.sso_sign_in("olga").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = session_json(&app).await;
    assert_eq!(session["user"]["name"], "olga");
    assert_eq!(session["user"]["method"], "oidc");
    assert_eq!(session["user"]["grants"]["everywhere"], "viewer");
    assert_eq!(session["user"]["grants"]["per_env"]["prod"], "operator");
    assert_eq!(session["demo_mode"], false);
    let page = app.get_text("/").await;
    assert!(page.contains("olga") && !page.contains("Demo mode"));
    let audit = app.state.audit.recent(5).await.unwrap();
    let (_, login) = audit.iter().find(|(_, e)| e.kind == "login").unwrap();
    assert_eq!(
        (login.actor.as_str(), login.outcome.as_str()),
        ("olga", "succeeded")
    );
    assert!(login
        .detail
        .as_deref()
        .unwrap_or_default()
        .contains("payments-oncall"));
}

#[tokio::test]
async fn groups_come_from_userinfo_when_the_id_token_lacks_the_claim() {
    // The provider puts `teams` only at its userinfo endpoint.
    let app = sso_app("teams").await;
    assert_eq!(app.sso_sign_in("rita").await.status(), 303);
    let session = session_json(&app).await;
    assert_eq!(
        session["user"]["groups"],
        serde_json::json!(["release-managers", "engineers"])
    );
    assert_eq!(session["user"]["grants"]["per_env"]["prod"], "approver");
}

#[tokio::test]
async fn a_user_whose_groups_grant_nothing_sees_who_to_ask() {
    let app = sso_app("groups").await;
    assert_eq!(app.sso_sign_in("mallory").await.status(), 303);
    let page = app.get_text("/").await;
    assert!(
        page.contains("data-testid=\"no-access\""),
        "no-access notice shown"
    );
    assert!(
        page.contains("marketing") && page.contains("platform-team"),
        "names their groups and the ones that grant access"
    );
    let response = app.call("get_environment", &[("env", "dev")]).await;
    assert_eq!(response.status(), 403);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("no role in environment dev"));
    let audit = app.state.audit.recent(5).await.unwrap();
    let (_, denied) = audit
        .iter()
        .find(|(_, e)| e.kind == "denied")
        .expect("the denial is audited");
    assert_eq!(
        (denied.actor.as_str(), denied.env.as_deref()),
        ("mallory", Some("dev"))
    );
}

/// The `next` given to `/auth/login` is kept through the provider's round trip and used after
/// the callback: a tab in it must not turn it into another site.
#[tokio::test]
async fn a_tab_in_the_sso_next_does_not_leave_the_site() {
    let app = sso_app("groups").await;
    let callback = app.sso_until_callback("olga", "/%09/evil.example").await;
    let response = app.client.get(callback).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
}

/// The provider sends the groups claim only for the `groups` scope; a console left on the
/// default scopes gets no claim at all, and the person must learn why, not "(none)".
#[tokio::test]
async fn a_sign_in_without_a_groups_claim_says_which_claim_and_scope_to_check() {
    let dev = Account::new().await;
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &dev)],
        Auth::Sso {
            groups_claim: "groups",
        },
        &[("QD_AUTH__SCOPES", r#"["openid", "profile", "email"]"#)],
    )
    .await;
    // olga is in payments-oncall and engineers at the provider, but nobody asked for them.
    assert_eq!(app.sso_sign_in("olga").await.status(), 303);
    let page = app.get_text("/").await;
    assert!(page.contains("data-testid=\"no-access\""), "{page}");
    assert!(!page.contains("(none)"), "no bare \"(none)\"");
    for hint in [
        "sent none in the `groups` claim",
        "only when the `groups` scope is requested",
        "add `groups` to auth.scopes",
    ] {
        assert!(page.contains(hint), "{hint:?} on the page");
    }
}

#[tokio::test]
async fn a_tampered_state_is_refused_and_audited() {
    let app = sso_app("groups").await;
    let callback = app.sso_until_callback("alice", "/").await;
    let tampered = regex_free_replace(&callback, "state=", "state=x");
    let response = app.client.get(tampered).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("state mismatch"));
    assert_eq!(app.get("/").await.status(), 303, "no session was created");
    let audit = app.state.audit.recent(5).await.unwrap();
    assert!(audit
        .iter()
        .any(|(_, e)| e.kind == "login" && e.outcome == "failed"));
}

/// Inserts `with` in place of the first `pattern` (keeps the rest of the value).
fn regex_free_replace(url: &str, pattern: &str, with: &str) -> String {
    url.replacen(pattern, with, 1)
}

#[tokio::test]
async fn a_replayed_callback_or_code_is_refused() {
    let app = sso_app("groups").await;
    let callback = app.sso_until_callback("alice", "/").await;
    assert_eq!(
        app.client.get(&callback).send().await.unwrap().status(),
        303
    );
    // The same callback again: the pending sign-in was used up.
    let replay = app.client.get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), 400);
    assert!(replay.text().await.unwrap().contains("start again"));
    // The old code with a fresh, valid state: the provider refuses to exchange it twice.
    let start = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let authorize = start.headers()["location"].to_str().unwrap().to_string();
    let fresh_state = authorize
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let old_code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let forged = app.url(&format!(
        "/auth/callback?code={old_code}&state={fresh_state}"
    ));
    let response = app.client.get(forged).send().await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("could not be exchanged"));
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = sso_app("groups").await;
    let start = app.client.get(app.url("/auth/login")).send().await.unwrap();
    let before = session_cookie(&start).expect("a session holds the pending sign-in");
    // Finish the sign-in the normal way (the client keeps following its cookie jar).
    let callback_response = app.sso_sign_in("alice").await;
    let after = session_cookie(&callback_response).expect("a new session cookie at sign-in");
    assert_ne!(before, after);
    let fixation = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = fixation
        .get(app.url("/"))
        .header("cookie", before)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        303,
        "the pre-login session id opens nothing"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_and_continues_to_the_provider() {
    let app = sso_app("groups").await;
    let response = app.sso_sign_in("victor").await;
    let cookie = session_cookie(&response).unwrap();
    let logout = app
        .client
        .post(app.url("/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    let location = logout.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("{}/session/end", idp_issuer())),
        "{location}"
    );
    assert!(
        location.contains("client_id=quarterdeck")
            && location.contains("post_logout_redirect_uri="),
        "{location}"
    );
    let old = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(
        old.get(app.url("/"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
}

#[tokio::test]
async fn the_sign_in_page_offers_sso_and_the_dev_form_is_closed() {
    let app = sso_app("groups").await;
    let page = app.get_text("/login").await;
    assert!(page.contains("Sign in with SSO") && page.contains("href=\"/auth/login\""));
    assert!(!page.contains("/auth/dev-login"));
    let dev = app
        .client
        .post(app.url("/auth/dev-login"))
        .form(&[("user", "x"), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(dev.status(), 404);
}

#[tokio::test]
async fn sign_in_keeps_working_after_the_provider_rotates_its_signing_key() {
    let mut idp = TestIdp::start();
    let dev = Account::new().await;
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &dev)],
        Auth::Sso {
            groups_claim: "groups",
        },
        &[("QD_AUTH__ISSUER", idp.issuer.as_str())],
    )
    .await;
    // The first sign-in discovers the provider and keeps its keys.
    let before = app.sso_client("olga").await;
    assert_eq!(before.get(app.url("/")).send().await.unwrap().status(), 200);
    // The provider restarts at the same address, signing with a key of a new id.
    idp.restart_with_a_new_key();
    let callback = app.sso_until_callback_with(&app.client, "alice", "/").await;
    let response = app.client.get(callback).send().await.unwrap();
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 303, "sign-in after the key rotation: {body}");
    assert_eq!(session_json(&app).await["user"]["name"], "alice");
}

/// Issue 17, item 14: an admin of one environment could re-route a rotation that also answers
/// another's incidents (say prod's pager). Now changing who covers a rotation needs the admin
/// role in every environment it answers; refusals are audited and the page offers only the
/// rotations the person may change.
#[tokio::test]
async fn an_admin_of_one_environment_cannot_reroute_a_rotation_that_covers_another() {
    let dev = Account::new().await;
    let prod = Account::new().await;
    let roles = r#"[{ group = "platform-team", role = "admin", environments = ["*"] }, { group = "release-managers", role = "admin", environments = ["dev"] }]"#;
    let rotations = r#"[{ name = "prod-pager", members = ["ana", "bob"], first_handoff = "2026-01-05", timezone = "UTC", environments = ["prod"] }, { name = "dev-pager", members = ["cem"], first_handoff = "2026-01-05", timezone = "UTC", environments = ["dev"] }, { name = "everything", members = ["dan"], first_handoff = "2026-01-05", timezone = "UTC" }]"#;
    let app = spawn_app_with_overrides(
        vec![TestEnv::new("dev", &dev), TestEnv::new("prod", &prod)],
        Auth::Sso {
            groups_claim: "groups",
        },
        &[
            ("QD_AUTH__ROLES", roles),
            ("QD_ONCALL__ROTATIONS", rotations),
        ],
    )
    .await;
    let rita = app.sso_client("rita").await;
    let alice = app.sso_client("alice").await;
    let now = chrono::Utc::now();
    let from = (now - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let until = (now + chrono::Duration::days(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let add = |client: &reqwest::Client, rotation: &str| {
        client
            .post(app.url("/api/add_override"))
            .form(&[
                ("rotation", rotation),
                ("who", "mallory"),
                ("from", from.as_str()),
                ("until", until.as_str()),
                ("reason", "I cover it now"),
            ])
            .send()
    };
    for rotation in ["prod-pager", "everything"] {
        let refused = add(&rita, rotation).await.unwrap();
        assert_eq!(refused.status(), 403, "{rotation}");
        let text = refused.text().await.unwrap();
        assert!(text.contains("needs the admin role in each"), "{text}");
    }
    let own = add(&rita, "dev-pager").await.unwrap();
    assert_eq!(own.status(), 200, "{:?}", own.text().await);
    let theirs = add(&alice, "prod-pager").await.unwrap();
    assert_eq!(theirs.status(), 200);
    let id = theirs.text().await.unwrap();
    let remove = |client: &reqwest::Client| {
        client
            .post(app.url("/api/remove_override"))
            .form(&[("id", id.trim())])
            .send()
    };
    assert_eq!(remove(&rita).await.unwrap().status(), 403);
    let page = rita
        .get(app.url("/oncall"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<option value=\"dev-pager\">"),
        "dev-pager offered"
    );
    assert!(!page.contains("<option value=\"prod-pager\">"));
    assert!(!page.contains("<option value=\"everything\">"));
    assert_eq!(remove(&alice).await.unwrap().status(), 200);
    let denied = app
        .state
        .audit
        .recent(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, e)| {
            e.actor == "rita" && e.outcome == "denied" && e.kind.starts_with("oncall_override")
        })
        .count();
    assert_eq!(
        denied, 3,
        "two adds and one removal refused, each on the record"
    );
}
