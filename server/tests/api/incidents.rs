//! Incidents against moto: alarms fired with SetAlarmState become incidents grouped by app, with
//! the console's changes just before them marked as suspects; they resolve when their alarms are
//! quiet for the stability window and reopen when one fires again; people acknowledge, assign,
//! note and resolve them; the event stream announces them; webhooks hear of them; overrides
//! change who is on call; only the holder of the jobs lease polls.

use crate::helpers::{spawn_app_with_overrides, webhook_receiver, Account, Auth, TestApp, TestEnv};
use app::domain::incidents::{Incident, IncidentState};
use std::time::Duration;

const FAST: [(&str, &str); 3] = [
    ("QD_INCIDENTS__POLL_INTERVAL", "1s"),
    ("QD_INCIDENTS__STABILITY_WINDOW", "2s"),
    ("QD_SERVER__LEASE_INTERVAL", "1s"),
];

/// Two apps in one account: `shop` (service shop-web) and `billing` (service billing-api), with
/// two alarms on shop-web and one on billing-api, all OK.
async fn two_apps() -> Account {
    let account = Account::new().await;
    account.cluster("main").await;
    let web = account
        .task_definition("shop-web", "registry.example/shop-web:1.0.0")
        .await;
    let api = account
        .task_definition("billing-api", "registry.example/billing-api:3.2.0")
        .await;
    account.service("main", "shop-web", &web, "shop", 2).await;
    account
        .service("main", "billing-api", &api, "billing", 2)
        .await;
    let web_dims = [("ClusterName", "main"), ("ServiceName", "shop-web")];
    account
        .alarm("shop-web-cpu", "CPU above 80%", &web_dims, false)
        .await;
    account
        .alarm("shop-web-5xx", "5xx above 1%", &web_dims, false)
        .await;
    account
        .alarm(
            "billing-api-cpu",
            "CPU above 80%",
            &[("ClusterName", "main"), ("ServiceName", "billing-api")],
            false,
        )
        .await;
    for name in ["shop-web-cpu", "shop-web-5xx", "billing-api-cpu"] {
        account.set_alarm_state(name, "OK").await;
    }
    account
}

async fn console(account: &Account, extra: &[(&str, &str)]) -> TestApp {
    let mut overrides = FAST.to_vec();
    overrides.extend_from_slice(extra);
    spawn_app_with_overrides(vec![TestEnv::new("dev", account)], Auth::Dev, &overrides).await
}

async fn incidents(app: &TestApp, state: IncidentState) -> Vec<Incident> {
    let ids: Vec<String> = app
        .state
        .settings
        .descriptors()
        .iter()
        .map(|d| d.id.to_string())
        .collect();
    let envs: Vec<&str> = ids.iter().map(String::as_str).collect();
    app.state
        .services
        .incidents
        .list(&envs, state)
        .await
        .expect("list incidents")
}

/// Waits (up to 20 s) until `check` holds for the incidents in `state`.
async fn wait_for(
    app: &TestApp,
    state: IncidentState,
    what: &str,
    check: impl Fn(&[Incident]) -> bool,
) -> Vec<Incident> {
    for _ in 0..200 {
        let now = incidents(app, state).await;
        if check(&now) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{what}: not seen in 20 s; {state:?} incidents: {:#?}",
        incidents(app, state).await
    );
}

fn by_app<'a>(list: &'a [Incident], app: &str) -> Option<&'a Incident> {
    list.iter().find(|i| i.app.as_deref() == Some(app))
}

#[tokio::test]
async fn alarms_become_incidents_by_app_with_the_changes_before_them_as_suspects() {
    let account = two_apps().await;
    let app = console(&account, &[]).await;
    let olga = app.person("olga", "operator").await;
    // Two changes on shop-web just before it breaks: a scale, then a deploy.
    let scaled = olga
        .call(
            "scale_service",
            &[
                ("env", "dev"),
                ("cluster", "main"),
                ("service", "shop-web"),
                ("desired", "4"),
                ("key", "incident-scale-01"),
                ("reason", "traffic"),
            ],
        )
        .await;
    assert_eq!(scaled.status(), 200, "{:?}", scaled.text().await);
    let deployed = olga
        .call(
            "deploy_service",
            &[
                ("env", "dev"),
                ("cluster", "main"),
                ("service", "shop-web"),
                ("container", "app"),
                ("image", "registry.example/shop-web:1.1.0"),
                ("key", "incident-deploy-01"),
                ("reason", "release 1.1.0"),
            ],
        )
        .await;
    assert_eq!(deployed.status(), 200, "{:?}", deployed.text().await);

    account.set_alarm_state("shop-web-cpu", "ALARM").await;
    account.set_alarm_state("shop-web-5xx", "ALARM").await;
    account.set_alarm_state("billing-api-cpu", "ALARM").await;
    let open = wait_for(&app, IncidentState::Open, "two incidents", |list| {
        by_app(list, "shop").is_some_and(|i| i.alarms.len() == 2)
            && by_app(list, "billing").is_some()
    })
    .await;
    assert_eq!(open.len(), 2, "one incident per app: {open:#?}");
    let shop = by_app(&open, "shop").expect("shop incident").clone();
    let billing = by_app(&open, "billing").expect("billing incident").clone();
    assert_eq!(shop.firing(), 2);
    assert_eq!(billing.alarms.len(), 1);
    assert_eq!(shop.severity.as_str(), "low", "dev is not protected");

    // The incident page: both changes are suspects, the scale before the deploy.
    let page = olga
        .get_text(&format!("/incidents/{}?order=oldest", shop.id))
        .await;
    let suspects: Vec<usize> = ["scale main/shop-web", "deploy main/shop-web"]
        .iter()
        .map(|s| {
            page.find(s)
                .unwrap_or_else(|| panic!("{s} missing from {page}"))
        })
        .collect();
    assert!(
        suspects[0] < suspects[1],
        "oldest first: scale, then deploy"
    );
    assert!(
        page.matches("data-testid=\"suspect\"").count() >= 2,
        "both changes are suspects"
    );
    assert!(page.contains("shop-web-5xx"), "the alarms are listed");
    // The automation API lists them and gives the timeline with its suspects.
    let ada = app.person("ada", "admin").await;
    let created: serde_json::Value = ada
        .call(
            "create_token",
            &[
                ("name", "incident-bot"),
                ("owner", "olga"),
                ("envs", "dev"),
                ("role", "viewer"),
                ("days", "30"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().expect("secret").to_string();
    let listed: serde_json::Value = reqwest::Client::new()
        .get(app.url("/api/v1/incidents?env=dev"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    let one: serde_json::Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/incidents/{}", shop.id)))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let suspects = one["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["suspect"] == true)
        .count();
    assert!(suspects >= 2, "{one}");
    let bad = reqwest::Client::new()
        .get(app.url("/api/v1/incidents?state=burning"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);

    // The billing incident does not list shop-web's changes.
    let other = olga.get_text(&format!("/incidents/{}", billing.id)).await;
    assert!(!other.contains("main/shop-web"), "{other}");

    // Quiet for the stability window → resolved; firing again within the group window → reopened.
    for name in ["shop-web-cpu", "shop-web-5xx"] {
        account.set_alarm_state(name, "OK").await;
    }
    wait_for(&app, IncidentState::Resolved, "shop resolved", |list| {
        list.iter().any(|i| i.id == shop.id)
    })
    .await;
    assert!(
        by_app(&incidents(&app, IncidentState::Open).await, "billing").is_some(),
        "billing still fires"
    );
    account.set_alarm_state("shop-web-5xx", "ALARM").await;
    let reopened = wait_for(&app, IncidentState::Open, "shop reopened", |list| {
        list.iter().any(|i| i.id == shop.id)
    })
    .await;
    let again = reopened.iter().find(|i| i.id == shop.id).expect("shop");
    assert_eq!(again.reopened, 1);
    assert_eq!(
        incidents(&app, IncidentState::Open).await.len(),
        2,
        "reopened, not a third incident"
    );
    let audit = olga.get_text("/audit?kind=incident_open").await;
    assert!(audit.contains("quarterdeck"), "opening is audited");
}

#[tokio::test]
async fn people_acknowledge_assign_note_and_resolve_and_viewers_may_not() {
    let account = two_apps().await;
    let app = console(&account, &[]).await;
    account.set_alarm_state("shop-web-cpu", "ALARM").await;
    account.set_alarm_state("billing-api-cpu", "ALARM").await;
    let open = wait_for(&app, IncidentState::Open, "two incidents", |l| l.len() == 2).await;
    let (a, b) = (open[0].id.to_string(), open[1].id.to_string());

    let vera = app.person("vera", "viewer").await;
    let refused = vera.call("acknowledge_incident", &[("id", &a)]).await;
    assert_eq!(refused.status(), 403);
    let list = vera.get_text("/incidents").await;
    assert!(list.contains("incidents-table"), "viewers see the list");
    assert!(!list.contains("ack-form"), "but no acknowledge form");

    let olga = app.person("olga", "operator").await;
    // Several at once, the way the list page's form sends them.
    let both = olga
        .call("acknowledge_incidents", &[("ids[]", &a), ("ids[]", &b)])
        .await;
    assert_eq!(both.status(), 200, "{:?}", both.text().await);
    let twice = olga.call("acknowledge_incidents", &[("ids[]", &a)]).await;
    assert_eq!(twice.status(), 409, "already acknowledged");
    assert!(twice
        .text()
        .await
        .unwrap()
        .contains("already acknowledged by olga"));

    let mine = olga.call("assign_incident", &[("id", &a)]).await;
    assert_eq!(mine.status(), 200);
    let mine: serde_json::Value = mine.json().await.unwrap();
    assert_eq!(mine["assignee"], "olga");
    let to_sam = olga
        .call("assign_incident", &[("id", &b), ("to", "sam")])
        .await;
    assert_eq!(to_sam.status(), 200);
    let empty = olga
        .call("note_incident", &[("id", &a), ("text", "  ")])
        .await;
    assert_eq!(empty.status(), 400);
    let noted = olga
        .call(
            "note_incident",
            &[("id", &a), ("text", "CPU pinned after the 14:02 deploy")],
        )
        .await;
    assert_eq!(noted.status(), 200);
    let no_note = olga
        .call("resolve_incident", &[("id", &a), ("note", "")])
        .await;
    assert_eq!(no_note.status(), 400, "resolving needs a note");
    let resolved = olga
        .call("resolve_incident", &[("id", &a), ("note", "rolled back")])
        .await;
    assert_eq!(resolved.status(), 200);
    let resolved: serde_json::Value = resolved.json().await.unwrap();
    assert_eq!(resolved["state"], "resolved");
    let late = olga
        .call("resolve_incident", &[("id", &a), ("note", "again")])
        .await;
    assert_eq!(late.status(), 409);
    let missing = olga.call("acknowledge_incident", &[("id", "999999")]).await;
    assert_eq!(missing.status(), 404);

    let mine_list = olga.get_text("/incidents?mine=1&state=resolved").await;
    assert!(mine_list.contains(&format!("#{a}")));
    let page = olga.get_text(&format!("/incidents/{a}")).await;
    for text in [
        "Acknowledged by olga",
        "olga assigned it to olga",
        "CPU pinned after the 14:02 deploy",
        "Resolved by olga: rolled back",
    ] {
        assert!(page.contains(text), "{text} missing from the timeline");
    }
    let audit = olga.get_text("/audit?who=olga").await;
    for kind in [
        "incident_ack",
        "incident_assign",
        "incident_note",
        "incident_resolve",
    ] {
        assert!(audit.contains(kind), "{kind} audited");
    }
    let denied = olga.get_text("/audit?who=vera&kind=denied").await;
    assert!(
        denied.contains("RespondIncident"),
        "the viewer's attempt is audited"
    );
}

/// Reads server-sent events from a streaming response until one named `event` arrives.
async fn next_event(response: &mut reqwest::Response, buffer: &mut String, event: &str) -> String {
    loop {
        if let Some(at) = buffer.find(&format!("event: {event}\n")) {
            let rest = buffer[at..].to_string();
            let end = rest.find("\n\n").map(|e| e + 2).unwrap_or(rest.len());
            let found = rest[..end].to_string();
            *buffer = rest[end..].to_string();
            return found;
        }
        match response.chunk().await.expect("stream chunk") {
            Some(bytes) => buffer.push_str(&String::from_utf8_lossy(&bytes)),
            None => panic!("the stream ended before a {event} event"),
        }
    }
}

/// Opens `person`'s event stream on `app` and reads up to its `ready` event.
async fn listen(person: &crate::helpers::Person, app: &TestApp) -> (reqwest::Response, String) {
    let mut stream = person
        .client
        .get(app.url("/events"))
        .send()
        .await
        .expect("GET /events");
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, "ready").await;
    (stream, buffer)
}

#[tokio::test]
async fn the_event_stream_announces_a_new_incident_within_a_poll() {
    let account = two_apps().await;
    let app = console(&account, &[]).await;
    let anonymous = reqwest::get(app.url("/events")).await.expect("GET /events");
    assert_eq!(anonymous.status(), 401, "the stream needs a session");

    let olga = app.person("olga", "operator").await;
    let (mut stream, mut buffer) = listen(&olga, &app).await;
    account.set_alarm_state("billing-api-cpu", "ALARM").await;
    // Poll interval (1 s) plus a second, plus slack for a loaded CI machine.
    let event = tokio::time::timeout(
        Duration::from_secs(10),
        next_event(&mut stream, &mut buffer, "incident"),
    )
    .await
    .expect("an incident event within the poll interval");
    assert!(event.contains("\"env\":\"dev\""), "{event}");
    let open = incidents(&app, IncidentState::Open).await;
    assert!(event.contains(&format!("\"id\":{}", open[0].id)), "{event}");
}

#[tokio::test]
async fn new_and_escalated_incidents_go_to_the_webhooks() {
    let (url, seen) = webhook_receiver().await;
    let hooks = format!(r#"[{{ name = "pager", url = "{url}" }}]"#);
    let account = two_apps().await;
    let _app = console(
        &account,
        &[
            ("QD_NOTIFICATIONS__WEBHOOKS", hooks.as_str()),
            ("QD_INCIDENTS__ESCALATE_AFTER", "2s"),
        ],
    )
    .await;
    account.set_alarm_state("shop-web-cpu", "ALARM").await;
    let mut events: Vec<String> = Vec::new();
    for _ in 0..200 {
        events = seen
            .lock()
            .expect("lock")
            .iter()
            .map(|b| b["event"].as_str().unwrap_or_default().to_string())
            .collect();
        if events.contains(&"incident.escalated".to_string()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(events, vec!["incident.opened", "incident.escalated"]);
    let first = seen.lock().expect("lock")[0].clone();
    assert_eq!(first["incident"]["app"], "shop");
    assert!(
        first["text"].as_str().unwrap().contains("incident #"),
        "{first}"
    );
    // Once only: escalation is not repeated on later polls.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(seen.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn admins_override_who_is_on_call() {
    let account = two_apps().await;
    let rotation = r#"[{ name = "platform", members = ["ana", "bob"], first_handoff = "2026-01-05", timezone = "Europe/Berlin", length_days = 7 }]"#;
    let app = console(&account, &[("QD_ONCALL__ROTATIONS", rotation)]).await;
    let olga = app.person("olga", "operator").await;
    let form = [
        ("rotation", "platform"),
        ("who", "zoe"),
        ("from", "2020-01-01T00:00"),
        ("until", "2099-01-01T00:00"),
        ("reason", "covering"),
    ];
    let refused = olga.call("add_override", &form).await;
    assert_eq!(refused.status(), 403, "operators may not");
    let ada = app.person("ada", "admin").await;
    let bad = ada
        .call(
            "add_override",
            &[
                ("rotation", "platform"),
                ("who", "zoe"),
                ("from", "2099-01-02T00:00"),
                ("until", "2099-01-01T00:00"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("must end after it starts"));
    // 2020 → 2099 is longer than an override may last; a week from now works.
    let long = ada.call("add_override", &form).await;
    assert_eq!(long.status(), 400);
    let now = chrono::Utc::now();
    let from = (now - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let until = (now + chrono::Duration::days(7))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let added = ada
        .call(
            "add_override",
            &[
                ("rotation", "platform"),
                ("who", "zoe"),
                ("from", &from),
                ("until", &until),
            ],
        )
        .await;
    assert_eq!(added.status(), 200, "{:?}", added.text().await);
    let id = added.text().await.unwrap();
    let header = olga.get_text("/incidents").await;
    assert!(header.contains(">zoe<"), "zoe is on call now");
    let page = olga.get_text("/oncall").await;
    assert!(page.contains("override-row") && !page.contains("override-form"));
    let removed = ada.call("remove_override", &[("id", id.trim())]).await;
    assert_eq!(removed.status(), 200);
    let gone = ada.call("remove_override", &[("id", id.trim())]).await;
    assert_eq!(gone.status(), 404);
    let audit = ada.get_text("/audit?kind=oncall_override").await;
    assert!(audit.contains("zoe covers platform"));
}

#[tokio::test]
async fn only_the_lease_holder_polls_and_another_console_takes_over() {
    let account = two_apps().await;
    let mut first = console(&account, &[]).await;
    let database = first.database_url();
    let second = console(&account, &[("QD_SERVER__DATABASE_URL", database.as_str())]).await;
    assert!(first.state.lease.is_held());
    assert!(!second.state.lease.is_held(), "one holder at a time");
    let leader = |text: String| {
        text.lines()
            .find(|l| l.starts_with("quarterdeck_jobs_leader "))
            .map(str::to_string)
    };
    assert_eq!(
        leader(first.get_text("/metrics").await).as_deref(),
        Some("quarterdeck_jobs_leader 1")
    );
    assert_eq!(
        leader(second.get_text("/metrics").await).as_deref(),
        Some("quarterdeck_jobs_leader 0")
    );
    account.set_alarm_state("billing-api-cpu", "ALARM").await;
    let open = wait_for(&first, IncidentState::Open, "an incident", |l| {
        !l.is_empty()
    })
    .await;
    assert_eq!(open.len(), 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        second
            .state
            .poller_stats
            .rounds
            .load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the second console never polled"
    );
    // The holder stops (and gives the lease back): the other takes over and carries on, without
    // recording the same transition again.
    first.stop();
    for _ in 0..100 {
        if second.state.lease.is_held() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(second.state.lease.is_held(), "taken over");
    account.set_alarm_state("shop-web-cpu", "ALARM").await;
    let open = wait_for(&second, IncidentState::Open, "the second incident", |l| {
        l.len() == 2
    })
    .await;
    assert_eq!(
        open.iter()
            .filter(|i| i.app.as_deref() == Some("billing"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_browser_on_another_console_hears_of_incidents_the_leader_opened() {
    let account = two_apps().await;
    let leader = console(&account, &[]).await;
    let database = leader.database_url();
    let other = console(&account, &[("QD_SERVER__DATABASE_URL", database.as_str())]).await;
    assert!(!other.state.lease.is_held());
    let olga = other.person("olga", "operator").await;
    let (mut stream, mut buffer) = listen(&olga, &other).await;
    account.set_alarm_state("shop-web-cpu", "ALARM").await;
    let event = tokio::time::timeout(
        Duration::from_secs(10),
        next_event(&mut stream, &mut buffer, "incident"),
    )
    .await
    .expect("the change feed announces the leader's incident");
    let opened = incidents(&leader, IncidentState::Open).await;
    assert!(
        event.contains(&format!("\"id\":{}", opened[0].id)),
        "{event}"
    );
    // And an acknowledgement made on the other console reaches the leader's browsers.
    let ana = leader.person("ana", "operator").await;
    let (mut on_leader, mut buffer) = listen(&ana, &leader).await;
    let id = opened[0].id.to_string();
    let acked = olga.call("acknowledge_incident", &[("id", &id)]).await;
    assert_eq!(acked.status(), 200);
    tokio::time::timeout(
        Duration::from_secs(10),
        next_event(&mut on_leader, &mut buffer, "incident"),
    )
    .await
    .expect("the leader's browsers hear of it");
}

#[tokio::test]
async fn an_incident_whose_alarm_is_deleted_resolves() {
    let account = two_apps().await;
    let app = console(&account, &[]).await;
    account.set_alarm_state("billing-api-cpu", "ALARM").await;
    let open = wait_for(&app, IncidentState::Open, "an incident", |l| l.len() == 1).await;
    account
        .cloudwatch
        .delete_alarms()
        .alarm_names("billing-api-cpu")
        .send()
        .await
        .expect("delete alarm");
    wait_for(&app, IncidentState::Resolved, "resolved", |l| {
        l.iter().any(|i| i.id == open[0].id)
    })
    .await;
}

#[tokio::test]
async fn a_session_made_on_one_console_is_valid_on_another() {
    let account = two_apps().await;
    let first = console(&account, &[]).await;
    let database = first.database_url();
    let second = console(&account, &[("QD_SERVER__DATABASE_URL", database.as_str())]).await;
    let olga = first.person("olga", "operator").await;
    // The same browser (cookie jar) against the other process.
    let session: serde_json::Value = olga
        .client
        .post(second.url("/api/get_session"))
        .send()
        .await
        .expect("session on the second console")
        .json()
        .await
        .expect("json");
    assert_eq!(session["user"]["name"], "olga");
}

/// `count` open incidents in `env`, written straight into the database (newer ids than any
/// before), titled `<title> <n>`.
async fn seed_open_incidents(app: &TestApp, env: &str, count: i64, title: &str) {
    let at = "2026-01-01T00:00:00.000Z";
    sqlx::query(
        "INSERT INTO incidents (env, group_key, app, title, severity, state, opened_at, last_fired_at, updated_at)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         SELECT $2, 'seeded-' || i, 'shop', $3 || ' ' || i, 'high', 'open', $4, $4, $4 FROM n",
    )
    .bind(count)
    .bind(env)
    .bind(title)
    .bind(at)
    .execute(&app.state.pool)
    .await
    .expect("seed incidents");
}

/// A person who may view only dev must see dev's incidents however many newer ones prod has:
/// the list is limited after the environments are filtered, not before.
#[tokio::test]
async fn incidents_of_hidden_environments_do_not_crowd_out_the_visible_ones() {
    let account = Account::new().await;
    let app = spawn_app_with_overrides(
        vec![
            TestEnv::new("dev", &account),
            TestEnv::new("prod", &account),
        ],
        Auth::Sso {
            groups_claim: "groups",
        },
        &[(
            "QD_AUTH__ROLES",
            r#"[{ group = "engineers", role = "viewer", environments = ["dev"] }]"#,
        )],
    )
    .await;
    seed_open_incidents(&app, "dev", 1, "dev outage").await;
    seed_open_incidents(&app, "prod", 500, "prod outage").await;
    let victor = app.sso_client("victor").await;
    let listed: serde_json::Value = victor
        .post(app.url("/api/list_incidents"))
        .form(&[("state", "open")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = listed["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["title"].as_str())
        .collect();
    assert_eq!(titles, ["dev outage 1"], "only dev's, and dev's is there");
}

/// Alarm names are written by whoever may create alarms in the account; an incident notice
/// must not turn one into a ping of the whole channel.
#[tokio::test]
async fn an_alarm_named_with_a_chat_mention_does_not_ping_the_channel() {
    let (url, seen) = webhook_receiver().await;
    let hooks = format!(r#"[{{ name = "pager", url = "{url}" }}]"#);
    let account = Account::new().await;
    account.cluster("main").await;
    let web = account
        .task_definition("shop-web", "registry.example/shop-web:1.0.0")
        .await;
    account.service("main", "shop-web", &web, "shop", 2).await;
    let name = "<!channel> shop-web cpu @here";
    account
        .alarm(
            name,
            "CPU above 80%",
            &[("ClusterName", "main"), ("ServiceName", "shop-web")],
            false,
        )
        .await;
    account.set_alarm_state(name, "OK").await;
    let _app = console(&account, &[("QD_NOTIFICATIONS__WEBHOOKS", hooks.as_str())]).await;
    account.set_alarm_state(name, "ALARM").await;
    let mut opened = None;
    for _ in 0..200 {
        opened = seen
            .lock()
            .expect("lock")
            .iter()
            .find(|b| b["event"] == "incident.opened")
            .cloned();
        if opened.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let opened = opened.expect("an incident notice");
    let json = opened.to_string();
    assert!(
        !json.contains("<!channel>") && !json.contains("@here"),
        "{json}"
    );
    assert!(
        opened["text"]
            .as_str()
            .unwrap_or_default()
            .contains("firing: &lt;!channel&gt; shop-web cpu @\u{200B}here"),
        "{json}"
    );
}

/// Issue 18, item 11: an API the endpoint lacks (moto has no DescribeAlarmHistory; a real
/// account may deny it by policy) was called, failed and logged with a full error dump on every
/// poll. Now it is recognised once, shown on the environment's page and on /readyz as a reduced
/// capability, and left alone until its retry time instead of being called every second.
#[tokio::test]
async fn an_api_the_endpoint_lacks_is_tried_once_and_shown_as_reduced() {
    let account = two_apps().await;
    let app = console(&account, &[]).await;
    // Several polls (one a second).
    for _ in 0..50 {
        if app
            .state
            .poller_stats
            .rounds
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 4
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        app.state
            .poller_stats
            .rounds
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 4
    );
    assert_eq!(
        app.aws_calls("DescribeAlarmHistory"),
        1,
        "tried once, then left alone until its retry time"
    );
    let readyz: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(
        readyz["environments"][0]["reduced"],
        serde_json::json!(["CloudWatch DescribeAlarmHistory"]),
        "{readyz}"
    );
    assert!(
        !readyz.to_string().contains("root element"),
        "/readyz names what is reduced, never the error"
    );
    app.sign_in("ana", "viewer").await;
    let page = app.get_text("/envs/dev").await;
    assert!(page.contains("data-testid=\"env-reduced\""));
    assert!(page.contains("CloudWatch DescribeAlarmHistory is not offered by this endpoint"));
    let service = app.get_text("/envs/dev/services/main/shop-web").await;
    assert!(
        !service.contains("env-reduced"),
        "the note is on the environment's page only"
    );
}

/// Issue 18, item 1: every autoscaled service has the AlarmHigh / AlarmLow pair Application Auto
/// Scaling creates, and AlarmLow sits in ALARM whenever load is below target. It used to open an
/// incident, page the webhook and turn the environment Critical, and "mute" switched autoscaling
/// off. Now such alarms (and any whose only actions are scaling policies) are scaling signals:
/// shown with their service, never an incident or a health problem, and not mutable.
#[tokio::test]
async fn target_tracking_alarms_are_scaling_signals_not_incidents() {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
    let account = two_apps().await;
    let policy = format!(
        "arn:aws:autoscaling:{}:{}:scalingPolicy:0f1e2d3c-aaaa-bbbb-cccc-111122223333:resource/ecs/service/main/shop-web:policyName/cpu-target",
        crate::helpers::REGION,
        account.id
    );
    let low = "TargetTracking-service/main/shop-web-AlarmLow-5f5ce849-2dd0-40b8-ac23-4f0d4113ccc3";
    account
        .cloudwatch
        .put_metric_alarm()
        .alarm_name(low)
        .alarm_description("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy cpu-target.")
        .namespace("AWS/ECS")
        .metric_name("CPUUtilization")
        .dimensions(
            Dimension::builder()
                .name("ClusterName")
                .value("main")
                .build(),
        )
        .dimensions(
            Dimension::builder()
                .name("ServiceName")
                .value("shop-web")
                .build(),
        )
        .statistic(Statistic::Average)
        .period(60)
        .evaluation_periods(15)
        .threshold(45.0)
        .comparison_operator(ComparisonOperator::LessThanThreshold)
        .alarm_actions(&policy)
        .send()
        .await
        .unwrap();
    account.set_alarm_state(low, "ALARM").await;
    let app = console(&account, &[]).await;
    // A real alarm fires too: it opens an incident, so the poller has looked at both.
    account.set_alarm_state("billing-api-cpu", "ALARM").await;
    wait_for(&app, IncidentState::Open, "the billing incident", |l| {
        by_app(l, "billing").is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let open = incidents(&app, IncidentState::Open).await;
    assert_eq!(open.len(), 1, "only the real alarm opened one: {open:#?}");
    assert!(by_app(&open, "shop").is_none());

    app.sign_in("ana", "admin").await;
    let alarms = app.get_text("/alarms").await;
    assert!(alarms.contains("data-testid=\"scaling-signal\""));
    assert!(alarms.contains("data-testid=\"mute-scaling\""));
    let mute = app
        .call(
            "set_alarm_actions",
            &[
                ("env", "dev"),
                ("alarm", low),
                ("enabled", "false"),
                ("key", "mute-scaling-0001"),
                ("reason", "noisy"),
            ],
        )
        .await;
    assert_eq!(mute.status(), 400);
    assert!(mute.text().await.unwrap().contains("is a scaling signal"));
    assert_eq!(app.aws_calls("DisableAlarmActions"), 0);
    // The environment's health counts the billing alarm alone.
    let page = app.get_text("/envs/dev").await;
    assert!(
        page.contains("1 of 3"),
        "one firing of three alarms that page"
    );
}

/// Issue 18, item 2: composite alarms were invisible (DescribeAlarms without `AlarmTypes`
/// answers metric alarms only). Now they are read with their rule, shown with the service their
/// children watch, open incidents like any alarm, and can be muted. moto keeps no composite
/// alarm (no PutCompositeAlarm; PutMetricAlarm drops `AlarmRule`), so the fault proxy serves one
/// in CloudWatch's own XML, only to a request that asks for composites.
#[tokio::test]
async fn composite_alarms_are_shown_with_their_rule_open_incidents_and_can_be_muted() {
    let account = two_apps().await;
    let proxy = crate::faults::FaultProxy::start().await;
    let rule = r#"ALARM("shop-web-cpu") OR ALARM("shop-web-5xx")"#;
    proxy.add_composite(
        &account.id,
        "shop-web-impact",
        "Customers see errors or slowness",
        rule,
    );
    let mut env = TestEnv::new("dev", &account);
    env.endpoint = Some(proxy.url.clone());
    let mut overrides = FAST.to_vec();
    overrides.push(("QD_AWS__CONCURRENCY", "4"));
    let app = spawn_app_with_overrides(vec![env], Auth::Dev, &overrides).await;
    app.sign_in("ana", "admin").await;
    let alarms = app.get_text("/alarms").await;
    assert!(
        alarms.contains("shop-web-impact"),
        "the composite is listed"
    );
    assert!(alarms.contains("data-testid=\"composite-rule\""));
    assert!(
        alarms.contains("ALARM(&quot;shop-web-cpu&quot;) OR ALARM(&quot;shop-web-5xx&quot;)")
            || alarms.contains("ALARM(\"shop-web-cpu\") OR ALARM(\"shop-web-5xx\")"),
        "its rule is shown"
    );
    // It watches what its children watch: the shop-web service, app shop.
    let service = app.get_text("/envs/dev/services/main/shop-web").await;
    assert!(
        service.contains("shop-web-impact"),
        "shown with its service"
    );

    // The composite fires (CloudWatch moves it when its rule turns true): an incident for shop.
    proxy.set_composite_state("shop-web-impact", "ALARM");
    let open = wait_for(&app, IncidentState::Open, "the composite's incident", |l| {
        by_app(l, "shop").is_some()
    })
    .await;
    let incident = by_app(&open, "shop").expect("shop's incident");
    assert!(
        incident.alarms.iter().any(|a| a.name == "shop-web-impact"),
        "{incident:#?}"
    );

    // Muting it reaches CloudWatch.
    let mute = app
        .call(
            "set_alarm_actions",
            &[
                ("env", "dev"),
                ("alarm", "shop-web-impact"),
                ("enabled", "false"),
                ("key", "mute-composite-01"),
                ("reason", "known, fixing"),
            ],
        )
        .await;
    assert_eq!(mute.status(), 200, "{:?}", mute.text().await);
    assert_eq!(
        proxy
            .composite("shop-web-impact")
            .map(|c| c.actions_enabled),
        Some(false)
    );
}

/// Issue 18, item 1 (filters): an account shared with other teams holds alarms that are not this
/// console's business. `[environments.alarms]` leaves them out by name prefix or tag, so they open
/// no incident and count toward nothing; tags are read only because a tag rule is set.
#[tokio::test]
async fn alarms_left_out_by_prefix_or_tag_open_nothing_and_are_not_shown() {
    use aws_sdk_cloudwatch::types::Tag;
    let account = two_apps().await;
    account
        .alarm(
            "search-team-cpu",
            "another team's alarm",
            &[("ServiceName", "search")],
            false,
        )
        .await;
    let arn = |name: &str| {
        format!(
            "arn:aws:cloudwatch:{}:{}:alarm:{name}",
            crate::helpers::REGION,
            account.id
        )
    };
    account
        .cloudwatch
        .tag_resource()
        .resource_arn(arn("shop-web-5xx"))
        .tags(Tag::builder().key("quarterdeck").value("ignore").build())
        .send()
        .await
        .unwrap();
    let scope = r#"{ exclude = ["search-"], exclude_tags = { quarterdeck = "ignore" } }"#;
    let app = console(&account, &[("QD_ENVIRONMENTS__0__ALARMS", scope)]).await;
    for name in ["search-team-cpu", "shop-web-5xx", "billing-api-cpu"] {
        account.set_alarm_state(name, "ALARM").await;
    }
    wait_for(&app, IncidentState::Open, "the billing incident", |l| {
        by_app(l, "billing").is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let open = incidents(&app, IncidentState::Open).await;
    assert_eq!(
        open.len(),
        1,
        "the left-out alarms opened nothing: {open:#?}"
    );
    app.sign_in("ana", "viewer").await;
    let page = app.get_text("/alarms").await;
    assert!(page.contains("billing-api-cpu") && page.contains("shop-web-cpu"));
    assert!(!page.contains("search-team-cpu") && !page.contains("shop-web-5xx"));
    let tag_reads = app.aws_calls("ListTagsForResource");
    assert!(tag_reads >= 3, "each alarm's tags read once: {tag_reads}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        app.aws_calls("ListTagsForResource"),
        tag_reads,
        "and not again on later polls"
    );
}

/// An alarm on a queue belongs to the queue's app (its tag, read in the details cycle), and the
/// changes made to the app's workers just before — a paused or resumed mapping, an alias moved,
/// concurrency set — are the incident's suspects.
#[tokio::test]
async fn a_queues_alarm_opens_its_apps_incident_with_the_worker_changes_as_suspects() {
    let account = Account::new().await;
    let mapping = crate::functions::world_parts(&account).await;
    account
        .alarm(
            "backlog-high",
            "Backlog above 100",
            &[("QueueName", "jobs")],
            false,
        )
        .await;
    let app = console(&account, &[]).await;
    app.wait_for_first_refresh().await;
    let olga = app.person("olga", "operator").await;
    for (function, args) in [
        (
            "set_mapping",
            vec![
                ("uuid", mapping.as_str()),
                ("enabled", "true"),
                ("key", "incident-map-01"),
            ],
        ),
        (
            "set_concurrency",
            vec![("reserved", "0"), ("key", "incident-conc-01")],
        ),
    ] {
        let mut all = vec![("env", "dev"), ("function", "scorer")];
        all.extend(args);
        let response = olga.call(function, &all).await;
        assert_eq!(
            response.status(),
            200,
            "{function}: {:?}",
            response.text().await
        );
    }

    account.set_alarm_state("backlog-high", "ALARM").await;
    let open = wait_for(&app, IncidentState::Open, "the assess incident", |list| {
        by_app(list, "assess").is_some()
    })
    .await;
    let incident = by_app(&open, "assess").expect("assess incident").clone();
    let page = olga
        .get_text(&format!("/incidents/{}?order=oldest", incident.id))
        .await;
    assert!(
        page.contains("set_concurrency lambda:scorer"),
        "the concurrency change is on the timeline: {page}"
    );
    assert!(
        page.contains("resume_mapping lambda:scorer"),
        "so is the resumed worker"
    );
    assert!(
        page.matches("data-testid=\"suspect\"").count() >= 2,
        "both are suspects"
    );
}

/// A scheduled job is followed like an alarm: an every-minute rule of app `billing` that never
/// ran opens billing's incident ("missed its run"), and it resolves once the rule is disabled.
#[tokio::test]
async fn a_job_that_missed_its_run_opens_its_apps_incident_and_resolves_when_disabled() {
    let account = two_apps().await;
    let td = account
        .task_definition("billing-export", "registry.example/billing-export:1.0.0")
        .await;
    account
        .events
        .put_rule()
        .name("billing-export-minutely")
        .schedule_expression("cron(0/1 * * * ? *)")
        .tags(
            aws_sdk_eventbridge::types::Tag::builder()
                .key("app")
                .value("billing")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("put rule");
    account
        .events
        .put_targets()
        .rule("billing-export-minutely")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("export")
                .arn(format!("arn:aws:ecs:eu-west-1:{}:cluster/main", account.id))
                .ecs_parameters(
                    aws_sdk_eventbridge::types::EcsParameters::builder()
                        .task_definition_arn(&td)
                        .build()
                        .expect("ecs parameters"),
                )
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("put targets");
    let app = console(&account, &[]).await;
    let open = wait_for(
        &app,
        IncidentState::Open,
        "the missed job's incident",
        |l| by_app(l, "billing").is_some(),
    )
    .await;
    let incident = by_app(&open, "billing").expect("billing's incident");
    assert!(
        incident
            .alarms
            .iter()
            .any(|a| a.name == "job:rule/billing-export-minutely"),
        "{incident:?}"
    );
    assert!(
        incident.title.contains("billing-export-minutely"),
        "{}",
        incident.title
    );
    account
        .events
        .disable_rule()
        .name("billing-export-minutely")
        .send()
        .await
        .expect("disable rule");
    let slot = std::sync::Arc::clone(&app.state.inventory.slots()[0]);
    slot.refresh_details().await.expect("details");
    wait_for(
        &app,
        IncidentState::Resolved,
        "resolved once disabled",
        |l| l.iter().any(|i| i.id == incident.id),
    )
    .await;
}
