//! The approval gate against a real moto: a gated action in the protected environment becomes a
//! release request, runs exactly once when enough other people approve (also with concurrent
//! approvals on two consoles sharing one database, and after a restart), and never runs when it
//! is rejected, cancelled, expired or frozen — unless an admin breaks glass.

use crate::helpers::{
    spawn_app_with_overrides, webhook_receiver, Account, Auth, Person, TestApp, TestEnv,
};
use app::ports::ReleaseStore;

struct Prod {
    app: TestApp,
    account: Account,
}

pub(crate) async fn account() -> Account {
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account.service("main", "web", &td, "shop", 2).await;
    account
}

pub(crate) fn prod_env(account: &Account) -> TestEnv {
    let mut env = TestEnv::new("prod", account);
    env.protected = true;
    env
}

async fn prod(overrides: &[(&str, &str)]) -> Prod {
    let account = account().await;
    let app = spawn_app_with_overrides(vec![prod_env(&account)], Auth::Dev, overrides).await;
    Prod { app, account }
}

const TWO_APPROVALS: (&str, &str) = ("QD_ENVIRONMENTS__0__APPROVAL", "{ required = 2 }");

pub(crate) async fn desired(account: &Account) -> i32 {
    account
        .ecs
        .describe_services()
        .cluster("main")
        .services("web")
        .send()
        .await
        .expect("describe")
        .services()[0]
        .desired_count()
}

/// Asks for a scale to `to` in prod; returns the release request's id.
pub(crate) async fn request_scale(person: &Person, key: &str, to: &str) -> i64 {
    let response = person
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", to),
                ("key", key),
                ("reason", "traffic peak expected"),
                ("ticket", "https://tickets.example/OPS-42"),
                ("confirm", "web"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    body["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .unwrap_or_else(|| panic!("a release request: {body}"))
}

async fn vote(person: &Person, id: i64, approve: bool, comment: &str) -> reqwest::Response {
    let function = if approve {
        "approve_release"
    } else {
        "reject_release"
    };
    person
        .call(function, &[("id", &id.to_string()), ("comment", comment)])
        .await
}

pub(crate) async fn release(app: &TestApp, id: i64) -> app::domain::approvals::Release {
    let store: &dyn ReleaseStore = app.state.services.releases.as_ref();
    store
        .get(id)
        .await
        .expect("read release")
        .expect("release exists")
}

async fn state_of(app: &TestApp, id: i64) -> String {
    release(app, id).await.state.as_str().to_string()
}

async fn audit_kinds(app: &TestApp) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = app
        .state
        .audit
        .recent(200)
        .await
        .expect("audit")
        .into_iter()
        .map(|(_, e)| (e.kind, e.outcome))
        .collect();
    rows.reverse();
    rows
}

#[tokio::test]
async fn a_prod_scale_runs_once_after_two_approvals_from_other_people() {
    let w = prod(&[TWO_APPROVALS]).await;
    let olga = w.app.person("olga", "approver").await;
    let id = request_scale(&olga, "release-key-0001", "4").await;
    assert_eq!(desired(&w.account).await, 2, "nothing ran yet");
    assert_eq!(w.app.aws_calls("UpdateService"), 0);
    // A double submit finds the same request.
    assert_eq!(request_scale(&olga, "release-key-0001", "4").await, id);
    let service_page = olga.get_text("/envs/prod/services/main/web").await;
    assert!(
        service_page.contains("open-releases") && service_page.contains(&format!("/releases/{id}")),
        "the service page links the waiting request"
    );

    let own = vote(&olga, id, true, "lgtm").await;
    assert_eq!(own.status(), 403);
    assert!(own
        .text()
        .await
        .unwrap()
        .contains("someone else must approve"));
    let victor = w.app.person("victor", "viewer").await;
    assert_eq!(vote(&victor, id, true, "").await.status(), 403);
    let rita = w.app.person("rita", "approver").await;
    assert_eq!(
        vote(&rita, id, true, "capacity checked").await.status(),
        200
    );
    assert_eq!(state_of(&w.app, id).await, "requested");
    assert_eq!(w.app.aws_calls("UpdateService"), 0, "one approval of two");
    assert_eq!(vote(&rita, id, true, "again").await.status(), 409);

    let alice = w.app.person("alice", "admin").await;
    let done = vote(&alice, id, true, "").await;
    assert_eq!(done.status(), 200);
    assert_eq!(state_of(&w.app, id).await, "succeeded");
    assert_eq!(desired(&w.account).await, 4);
    assert_eq!(w.app.aws_calls("UpdateService"), 1);

    let page = rita.get_text(&format!("/releases/{id}")).await;
    assert!(page.contains("succeeded") && page.contains("capacity checked"));
    assert!(page.contains("https://tickets.example/OPS-42"));
    let kinds = audit_kinds(&w.app).await;
    for step in [
        ("scale", "approval_requested"),
        ("release_approve", "denied"),
        ("release_approve", "approved"),
        ("release_execute", "executing"),
        ("scale", "requested"),
        ("scale", "succeeded"),
        ("release_execute", "succeeded"),
    ] {
        assert!(
            kinds.contains(&(step.0.to_string(), step.1.to_string())),
            "{step:?} in {kinds:?}"
        );
    }
    // The badge: nothing waits for rita any more; a new request waits for her.
    let session: serde_json::Value = rita.call("get_session", &[]).await.json().await.unwrap();
    assert_eq!(session["awaiting_approval"], 0);
    request_scale(&olga, "release-key-0002", "3").await;
    let session: serde_json::Value = rita.call("get_session", &[]).await.json().await.unwrap();
    assert_eq!(session["awaiting_approval"], 1);
}

#[tokio::test]
async fn twenty_concurrent_approvals_on_two_consoles_run_the_release_once() {
    let w = prod(&[TWO_APPROVALS]).await;
    let database = w.app.database_url();
    let second = spawn_app_with_overrides(
        vec![prod_env(&w.account)],
        Auth::Dev,
        &[
            TWO_APPROVALS,
            ("QD_SERVER__DATABASE_URL", database.as_str()),
        ],
    )
    .await;
    let olga = w.app.person("olga", "operator").await;
    let id = request_scale(&olga, "release-key-0101", "5").await;
    let mut approvers = Vec::new();
    for n in 0..5 {
        let name = format!("approver{n}");
        approvers.push((
            w.app.person(&name, "approver").await,
            second.person(&name, "approver").await,
        ));
    }
    let votes = (0..20).map(|i| {
        let (on_first, on_second) = &approvers[i % 5];
        let person = if i % 2 == 0 { on_first } else { on_second };
        vote(person, id, true, "ship it")
    });
    let statuses: Vec<u16> = futures::future::join_all(votes)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(
        statuses.iter().all(|s| [200, 409].contains(s)),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200));
    let done = release(&w.app, id).await;
    assert_eq!(done.state.as_str(), "succeeded", "{:?}", done.history);
    assert_eq!(
        w.app.aws_calls("UpdateService") + second.aws_calls("UpdateService"),
        1,
        "exactly one execution across both consoles"
    );
    assert_eq!(desired(&w.account).await, 5);
    let release = release(&w.app, id).await;
    let mut voters: Vec<_> = release.votes.iter().map(|v| v.by.clone()).collect();
    voters.sort();
    voters.dedup();
    assert_eq!(voters.len(), release.votes.len(), "one vote per person");
}

#[tokio::test]
async fn an_approved_release_left_behind_by_a_stopped_console_runs_once_after_restart() {
    use app::domain::approvals::Vote;
    use app::domain::audit::{AuditKind, AuditOutcome};
    use app::ports::AuditEntry;
    let account = account().await;
    // The database outlives the first console.
    let dir = tempfile::tempdir().expect("temp dir");
    let database = format!("sqlite://{}/shared.db", dir.path().display());
    let first = spawn_app_with_overrides(
        vec![prod_env(&account)],
        Auth::Dev,
        &[
            ("QD_SERVER__RELEASE_SWEEP_INTERVAL", "1h"),
            ("QD_SERVER__DATABASE_URL", database.as_str()),
        ],
    )
    .await;
    let olga = first.person("olga", "operator").await;
    let id = request_scale(&olga, "release-key-0201", "3").await;
    // The approval commits, and the console stops before it runs the release.
    let store: &dyn ReleaseStore = first.state.services.releases.as_ref();
    let rita = app::domain::person::PersonId::dev("rita").unwrap();
    let vote = Vote {
        by: "rita".into(),
        by_id: rita.clone(),
        approve: true,
        comment: None,
        at: chrono::Utc::now(),
    };
    let entry = AuditEntry {
        actor: "rita".into(),
        actor_id: rita,
        kind: AuditKind::ReleaseApprove,
        env: Some("prod".into()),
        target: Some(format!("release {id}")),
        outcome: AuditOutcome::Approved,
        detail: None,
        ip: None,
        user_agent: None,
        token_id: None,
        via: None,
    };
    let after = store.vote(id, &vote, 1, entry).await.expect("vote");
    assert_eq!(after.map(|s| s.as_str()), Some("approved"));
    drop(first);
    assert_eq!(desired(&account).await, 2);

    let restarted = spawn_app_with_overrides(
        vec![prod_env(&account)],
        Auth::Dev,
        &[
            ("QD_SERVER__DATABASE_URL", database.as_str()),
            ("QD_SERVER__RELEASE_SWEEP_INTERVAL", "1s"),
        ],
    )
    .await;
    let mut state = String::new();
    for _ in 0..50 {
        state = state_of(&restarted, id).await;
        if state == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(state, "succeeded");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        restarted.aws_calls("UpdateService"),
        1,
        "once, not per sweep"
    );
    assert_eq!(desired(&account).await, 3);
}

#[tokio::test]
async fn expired_requests_refuse_approval_and_frozen_ones_wait_unless_an_admin_breaks_glass() {
    let now = chrono::Utc::now();
    let freeze = format!(
        r#"{{ freezes = [{{ from = "{}", to = "{}", reason = "year-end freeze" }}] }}"#,
        (now - chrono::Duration::hours(1)).to_rfc3339(),
        (now + chrono::Duration::hours(1)).to_rfc3339()
    );
    let w = prod(&[("QD_ENVIRONMENTS__0__APPROVAL", freeze.as_str())]).await;
    let olga = w.app.person("olga", "operator").await;
    let rita = w.app.person("rita", "approver").await;

    // Expired: the deadline passed before anyone approved.
    let stale = request_scale(&olga, "release-key-0301", "3").await;
    sqlx::query("UPDATE releases SET expires_at = '2000-01-01T00:00:00+00:00' WHERE id = $1")
        .bind(stale)
        .execute(&w.app.state.pool)
        .await
        .expect("age the request");
    let late = vote(&rita, stale, true, "").await;
    assert_eq!(late.status(), 409);
    assert!(late.text().await.unwrap().contains("expired"));

    // Frozen: approved, but it waits for the window to end.
    let held = request_scale(&olga, "release-key-0302", "4").await;
    assert_eq!(vote(&rita, held, true, "").await.status(), 200);
    assert_eq!(state_of(&w.app, held).await, "approved");
    assert_eq!(w.app.aws_calls("UpdateService"), 0);
    let page = rita.get_text(&format!("/releases/{held}")).await;
    assert!(page.contains("held by a freeze window") && page.contains("year-end freeze"));
    // Only an admin, with a reason, breaks glass.
    let args = |reason: &'static str| [("id", held.to_string()), ("reason", reason.to_string())];
    let refused = rita
        .client
        .post(w.app.url("/api/break_glass_release"))
        .form(&args("sev1 outage"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let alice = w.app.person("alice", "admin").await;
    let no_reason = alice
        .client
        .post(w.app.url("/api/break_glass_release"))
        .form(&args(""))
        .send()
        .await
        .unwrap();
    assert_eq!(no_reason.status(), 403);
    let broken = alice
        .client
        .post(w.app.url("/api/break_glass_release"))
        .form(&args("sev1 outage needs capacity now"))
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 200);
    assert_eq!(state_of(&w.app, held).await, "succeeded");
    assert_eq!(desired(&w.account).await, 4);
    assert_eq!(w.app.aws_calls("UpdateService"), 1);
    let kinds = audit_kinds(&w.app).await;
    assert!(kinds.contains(&("release_execute".into(), "break_glass".into())));
    let page = rita.get_text(&format!("/releases/{held}")).await;
    assert!(page.contains("Run by break glass during a freeze: sev1 outage needs capacity now"));
}

#[tokio::test]
async fn a_rejected_or_cancelled_request_never_runs() {
    let w = prod(&[]).await;
    let olga = w.app.person("olga", "operator").await;
    let rita = w.app.person("rita", "approver").await;
    let rejected = request_scale(&olga, "release-key-0401", "3").await;
    let silent = vote(&rita, rejected, false, "").await;
    assert_eq!(silent.status(), 400, "a rejection says why");
    assert_eq!(
        vote(&rita, rejected, false, "not during the sale")
            .await
            .status(),
        200
    );
    assert_eq!(state_of(&w.app, rejected).await, "rejected");
    let alice = w.app.person("alice", "admin").await;
    assert_eq!(vote(&alice, rejected, true, "").await.status(), 409);

    let cancelled = request_scale(&olga, "release-key-0402", "3").await;
    let id = cancelled.to_string();
    let args = [("id", id.as_str()), ("comment", "changed my mind")];
    assert_eq!(
        rita.call("cancel_release", &args).await.status(),
        403,
        "not the requester"
    );
    assert_eq!(olga.call("cancel_release", &args).await.status(), 200);
    assert_eq!(state_of(&w.app, cancelled).await, "cancelled");
    assert_eq!(vote(&rita, cancelled, true, "").await.status(), 409);

    // A request needs a reason; a bad ticket link is refused.
    let missing = olga
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "release-key-0403"),
                ("confirm", "web"),
            ],
        )
        .await;
    assert_eq!(missing.status(), 400);
    assert!(missing.text().await.unwrap().contains("give a reason"));
    assert_eq!(w.app.aws_calls("UpdateService"), 0);
    assert_eq!(desired(&w.account).await, 2);
    let listed = rita.get_text("/releases?env=prod&state=rejected").await;
    assert!(
        listed.contains(&format!("#{rejected}")) && !listed.contains(&format!("#{cancelled}<"))
    );
}

#[tokio::test]
async fn webhooks_hear_every_step_and_a_dead_one_blocks_nothing() {
    let (url, seen) = webhook_receiver().await;
    // Port 9 on loopback: nothing listens, every delivery is refused and retried.
    let hooks = format!(
        r#"[{{ name = "chat", url = "{url}" }}, {{ name = "dead", url = "http://127.0.0.1:9/hook" }}]"#
    );
    let w = prod(&[("QD_NOTIFICATIONS__WEBHOOKS", hooks.as_str())]).await;
    let olga = w.app.person("olga", "operator").await;
    let rita = w.app.person("rita", "approver").await;
    let id = request_scale(&olga, "release-key-0501", "3").await;
    assert_eq!(vote(&rita, id, true, "fine by me").await.status(), 200);
    assert_eq!(
        state_of(&w.app, id).await,
        "succeeded",
        "the dead webhook held nothing up"
    );
    let mut events = Vec::new();
    for _ in 0..50 {
        events = seen
            .lock()
            .expect("lock")
            .iter()
            .map(|b| b["event"].as_str().unwrap_or_default().to_string())
            .collect();
        if events.len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for event in [
        "release.requested",
        "release.approved",
        "release.executing",
        "release.succeeded",
    ] {
        assert!(events.iter().any(|e| e == event), "{event} in {events:?}");
    }
    let bodies = seen.lock().expect("lock").clone();
    let approved = bodies
        .iter()
        .find(|b| b["event"] == "release.approved")
        .expect("approved");
    assert!(approved["text"]
        .as_str()
        .unwrap_or_default()
        .contains("rita approved release"));
    assert_eq!(approved["release"]["id"], id);
    assert_eq!(approved["release"]["requester"], "olga");
}

#[tokio::test]
async fn a_refused_vote_without_javascript_comes_back_to_the_request_page_with_the_reason() {
    let w = prod(&[]).await;
    let olga = w.app.person("olga", "approver").await;
    let id = request_scale(&olga, "release-key-0601", "3").await;
    let page = format!("{}/releases/{id}", crate::helpers::PUBLIC_URL);
    let refused = olga
        .client
        .post(w.app.url("/api/approve_release"))
        .header("accept", "text/html")
        .header("referer", page)
        .header("origin", crate::helpers::PUBLIC_URL)
        .form(&[("id", id.to_string()), ("comment", String::new())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 302);
    let location = refused.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("/releases/{id}?problem=")),
        "{location}"
    );
    let shown = olga.get_text(&location).await;
    assert!(shown.contains("Not done: ") && shown.contains("someone else must approve"));
}

/// A reason and a comment are written by people; in the chat channel they must read as text,
/// never as a ping of everyone, a mention of someone or a disguised link.
#[tokio::test]
async fn chat_mentions_in_reasons_and_comments_do_not_reach_the_webhook() {
    let (url, seen) = webhook_receiver().await;
    let hooks = format!(r#"[{{ name = "chat", url = "{url}" }}]"#);
    let w = prod(&[("QD_NOTIFICATIONS__WEBHOOKS", hooks.as_str())]).await;
    let olga = w.app.person("olga", "operator").await;
    let rita = w.app.person("rita", "approver").await;
    let response = olga
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "release-key-mention"),
                ("reason", "<!channel> <!here> <!everyone> @here approve now"),
                ("confirm", "web"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    let id = body["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .expect("a release request");
    let comment = "<@U024BE7LH> <#C024BE7LR> see <https://evil.example|the runbook> @channel";
    assert_eq!(vote(&rita, id, false, comment).await.status(), 200);
    let mut bodies = Vec::new();
    for _ in 0..50 {
        bodies = seen.lock().expect("lock").clone();
        if bodies.iter().any(|b| b["event"] == "release.rejected") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let requested = bodies
        .iter()
        .find(|b| b["event"] == "release.requested")
        .expect("requested notice");
    let rejected = bodies
        .iter()
        .find(|b| b["event"] == "release.rejected")
        .expect("rejected notice");
    for body in [requested, rejected] {
        let json = body.to_string();
        for mention in [
            "<!channel>",
            "<!here>",
            "<!everyone>",
            "<@U024BE7LH>",
            "<#C024BE7LR>",
            "<https://evil.example",
            "@here",
            "@channel",
        ] {
            assert!(!json.contains(mention), "{mention} in {json}");
        }
    }
    let text = rejected["text"].as_str().expect("text");
    assert!(
        text.contains(
            "— &lt;@U024BE7LH&gt; &lt;#C024BE7LR&gt; see &lt;https://evil.example|the runbook&gt;"
        ),
        "the comment is still there, as text: {text}"
    );
    assert!(
        text.ends_with(&format!("/releases/{id}>")),
        "the console's own link stays a link: {text}"
    );
    assert_eq!(
        requested["release"]["reason"],
        "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; @\u{200B}here approve now"
    );
}

/// Issue 17, item 4: a freeze window used to hold only release requests, so in a protected
/// environment during a freeze a redeploy, a snapshot and a mute ran at once. Now the gate takes
/// redeploys, every action that runs at once is refused inside the window, and only an admin
/// signed in to the console breaks glass, with a reason that is audited and announced.
#[tokio::test]
async fn a_freeze_window_stops_every_change_unless_an_admin_breaks_glass() {
    let (url, seen) = webhook_receiver().await;
    let hooks = format!(r#"[{{ name = "chat", url = "{url}" }}]"#);
    let now = chrono::Utc::now();
    let freeze = format!(
        r#"{{ freezes = [{{ from = "{}", to = "{}", reason = "year-end freeze" }}] }}"#,
        (now - chrono::Duration::hours(1)).to_rfc3339(),
        (now + chrono::Duration::hours(1)).to_rfc3339()
    );
    let account = account().await;
    account.database("shop-db", "shop").await;
    account
        .alarm("web-cpu", "web CPU", &[("ServiceName", "web")], false)
        .await;
    let app = spawn_app_with_overrides(
        vec![prod_env(&account)],
        Auth::Dev,
        &[
            ("QD_ENVIRONMENTS__0__APPROVAL", freeze.as_str()),
            ("QD_NOTIFICATIONS__WEBHOOKS", hooks.as_str()),
        ],
    )
    .await;
    app.wait_for_first_refresh().await;
    let olga = app.person("olga", "operator").await;
    let alice = app.person("alice", "admin").await;

    // A redeploy is gated: it becomes a request that waits out the window.
    let redeploy = olga
        .call(
            "redeploy_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("key", "freeze-key-0001"),
                ("reason", "pick up the rotated secret"),
                ("confirm", "web"),
            ],
        )
        .await;
    assert_eq!(redeploy.status(), 200);
    let body: serde_json::Value = redeploy.json().await.unwrap();
    assert!(
        body["status"]["AwaitingApproval"]["release"].is_i64(),
        "{body}"
    );

    let snapshot = |key: &'static str, glass: Option<&'static str>| {
        let mut args = vec![
            ("env", "prod"),
            ("id", "shop-db"),
            ("key", key),
            ("confirm", "shop-db"),
        ];
        if let Some(reason) = glass {
            args.push(("break_glass", reason));
        }
        args
    };
    let mute = |key: &'static str, glass: Option<&'static str>| {
        let mut args = vec![
            ("env", "prod"),
            ("alarm", "web-cpu"),
            ("enabled", "false"),
            ("key", key),
            ("reason", "noisy during the freeze"),
            ("confirm", "web-cpu"),
        ];
        if let Some(reason) = glass {
            args.push(("break_glass", reason));
        }
        args
    };
    // An operator's snapshot and mute are refused, and so is an admin's without a reason or
    // with a reason too short to say anything; an operator cannot break glass.
    for (who, function, args) in [
        (
            &olga,
            "snapshot_database",
            snapshot("freeze-key-0002", None),
        ),
        (&olga, "set_alarm_actions", mute("freeze-key-0003", None)),
        (
            &alice,
            "snapshot_database",
            snapshot("freeze-key-0004", None),
        ),
        (
            &alice,
            "snapshot_database",
            snapshot("freeze-key-0005", Some("  ")),
        ),
    ] {
        let refused = who.call(function, &args).await;
        assert_eq!(refused.status(), 409, "{args:?}");
        let text = refused.text().await.unwrap();
        assert!(
            text.contains("frozen until") && text.contains("year-end freeze"),
            "{text}"
        );
    }
    for (who, args) in [
        (
            &olga,
            snapshot("freeze-key-0006", Some("restore point before the fix")),
        ),
        (&alice, snapshot("freeze-key-0007", Some("fix"))),
    ] {
        let refused = who.call("snapshot_database", &args).await;
        assert_eq!(refused.status(), 403, "{args:?}");
    }
    assert_eq!(app.aws_calls("CreateDBSnapshot"), 0);
    assert_eq!(app.aws_calls("DisableAlarmActions"), 0);
    assert_eq!(app.aws_calls("UpdateService"), 0);
    assert_eq!(app.aws_calls("RegisterTaskDefinition"), 0);

    // An admin breaks glass with a reason: it runs, the audit and the webhook say so.
    let broken = alice
        .call(
            "snapshot_database",
            &snapshot("freeze-key-0008", Some("restore point before the sev1 fix")),
        )
        .await;
    assert_eq!(broken.status(), 200);
    assert_eq!(app.aws_calls("CreateDBSnapshot"), 1);
    let kinds = audit_kinds(&app).await;
    assert!(
        kinds.contains(&("snapshot".into(), "break_glass".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("snapshot".into(), "denied".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("mute_alarm".into(), "denied".into())),
        "{kinds:?}"
    );
    let mut announced = None;
    for _ in 0..50 {
        announced = seen
            .lock()
            .expect("lock")
            .iter()
            .find(|b| b["event"] == "action.break_glass")
            .cloned();
        if announced.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let announced = announced.expect("a break-glass notice");
    let text = announced["text"].as_str().unwrap();
    assert!(
        text.contains("BREAK GLASS")
            && text.contains("alice")
            && text.contains("restore point before the sev1 fix"),
        "{text}"
    );

    // The pages say so: the operator sees the freeze and no snapshot form; the admin sees the
    // break-glass field.
    let page = olga.get_text("/envs/prod/databases/shop-db").await;
    assert!(
        page.contains("data-testid=\"frozen-banner\""),
        "frozen banner"
    );
    assert!(!page.contains("data-testid=\"snapshot-form\""));
    let page = alice.get_text("/envs/prod/databases/shop-db").await;
    assert!(page.contains("name=\"break_glass\""));
    let alarms = olga.get_text("/alarms?env=prod").await;
    assert!(alarms.contains("data-testid=\"mute-frozen\""));
}
