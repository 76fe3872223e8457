//! People are who the identity provider says they are (issuer and `sub`), not what they are
//! called: against the real server and the test identity provider (whose test accounts let a
//! test rename a person or give two people one name), a requester renamed at the provider still
//! may not approve their own request, people who share a name are still two people (each may
//! vote, neither is taken for the other), an unverified email is never a name, tokens act for
//! their creator's id, and ending a person's sessions ends theirs under any name and nobody
//! else's.

use crate::automation::api;
use crate::helpers::{
    spawn_app_with_overrides, unique_sub, Account, Auth, Person, TestApp, TestEnv,
};
use crate::releases::{account, desired, release, request_scale};
use serde_json::json;

/// A console signing in with SSO, with a protected prod that needs `approvals` approvals.
async fn console(approvals: u32) -> (TestApp, Account) {
    let account = account().await;
    let mut prod = TestEnv::new("prod", &account);
    prod.protected = true;
    let required = format!("{{ required = {approvals} }}");
    let app = spawn_app_with_overrides(
        vec![prod],
        Auth::Sso {
            groups_claim: "groups",
        },
        &[("QD_ENVIRONMENTS__0__APPROVAL", required.as_str())],
    )
    .await;
    (app, account)
}

/// Sets the test account `sub` to be called `name`, in `groups`.
async fn account_named(app: &TestApp, sub: &str, name: &str, groups: &[&str]) {
    app.idp_account(
        sub,
        json!({ "preferred_username": name, "email": format!("{sub}@example.com"),
                "email_verified": true, "groups": groups }),
    )
    .await;
}

/// Release managers are approvers in prod; payments on-call are operators there.
const APPROVER: &[&str] = &["release-managers", "engineers"];

async fn approve(person: &Person, id: i64) -> reqwest::Response {
    person
        .call(
            "approve_release",
            &[("id", &id.to_string()), ("comment", "ok")],
        )
        .await
}

/// Asserts that `response` refuses a self-approval.
async fn assert_self_approval(response: reqwest::Response) {
    assert_eq!(response.status(), 403);
    let text = response.text().await.unwrap();
    assert!(text.contains("you asked for this change"), "{text}");
}

async fn session_user(person: &Person) -> serde_json::Value {
    let response = person.call("get_session", &[]).await;
    assert_eq!(response.status(), 200);
    let session: serde_json::Value = response.json().await.expect("json");
    session["user"].clone()
}

/// The attack: ask for a prod change, get renamed at the identity provider (same person, same
/// `sub`, a new `preferred_username`), sign in again and approve the request as "someone else".
#[tokio::test]
async fn a_requester_renamed_at_the_provider_cannot_approve_their_own_request() {
    let (app, account) = console(1).await;
    let sub = unique_sub("olga");
    account_named(&app, &sub, "olga", APPROVER).await;
    let olga = app.sso_person(&sub).await;
    let id = request_scale(&olga, "rename-key-0001", "4").await;
    assert_eq!(release(&app, id).await.requester, "olga");

    account_named(&app, &sub, "olga.lima", APPROVER).await;
    let renamed = app.sso_person(&sub).await;
    let user = session_user(&renamed).await;
    assert_eq!(user["name"], "olga.lima", "the provider renamed her");
    assert_eq!(
        user["id"],
        session_user(&olga).await["id"],
        "the same person"
    );

    assert_self_approval(approve(&renamed, id).await).await;
    let r = release(&app, id).await;
    assert_eq!(r.state.as_str(), "requested");
    assert!(r.votes.is_empty(), "no vote was recorded");
    assert_eq!(desired(&account).await, 2, "prod is unchanged");
    // The page does not offer her a vote either.
    let page = renamed.get_text(&format!("/releases/{id}")).await;
    assert!(page.contains("you asked for this change"), "{page}");
    // She may still cancel her own request under her new name.
    let cancel = renamed
        .call(
            "cancel_release",
            &[("id", &id.to_string()), ("comment", "")],
        )
        .await;
    assert_eq!(cancel.status(), 200, "{:?}", cancel.text().await);
}

/// Two different people (two `sub`s) with one display name: a namesake of the requester may
/// approve, the requester may not, and two namesakes' votes are two votes.
#[tokio::test]
async fn people_who_share_a_name_are_still_two_people() {
    let (app, account) = console(2).await;
    let name = unique_sub("sam");
    let (requester_sub, first_sub, second_sub) = (
        unique_sub("sam-a"),
        unique_sub("sam-b"),
        unique_sub("sam-c"),
    );
    for sub in [&requester_sub, &first_sub, &second_sub] {
        account_named(&app, sub, &name, APPROVER).await;
    }
    let requester = app.sso_person(&requester_sub).await;
    let first = app.sso_person(&first_sub).await;
    let second = app.sso_person(&second_sub).await;
    let id = request_scale(&requester, "namesake-key-0001", "5").await;

    // Someone else called like the requester may approve.
    let one = approve(&first, id).await;
    assert_eq!(one.status(), 200, "{:?}", one.text().await);
    // The requester may not, whatever anyone else is called.
    assert_self_approval(approve(&requester, id).await).await;
    // A second namesake's vote is a second person's vote: it counts and the change runs.
    let two = approve(&second, id).await;
    assert_eq!(two.status(), 200, "{:?}", two.text().await);
    // The first may not vote again.
    assert_eq!(approve(&first, id).await.status(), 409);

    let r = release(&app, id).await;
    assert_eq!(r.approvals(), 2);
    assert_ne!(r.votes[0].by_id, r.votes[1].by_id, "two people");
    assert!(r
        .votes
        .iter()
        .all(|v| v.by == name && v.by_id != r.requester_id));
    assert_eq!(r.state.as_str(), "succeeded", "{:?}", r.result);
    assert_eq!(desired(&account).await, 5);

    // The page tells them apart by id.
    let page = first.get_text(&format!("/releases/{id}")).await;
    for person in [&r.requester_id, &r.votes[0].by_id, &r.votes[1].by_id] {
        assert!(page.contains(person.as_str()), "{person} on the page");
    }
    // So do the audit log and its export.
    let export = first
        .get_text("/audit/export.csv?kind=release_approve")
        .await;
    assert!(export.starts_with("id,at,actor,actor_id,"), "{export}");
    for vote in &r.votes {
        assert!(export.contains(vote.by_id.as_str()), "{export}");
    }
}

/// An unverified email is whatever the person typed at the provider: it is never their name.
#[tokio::test]
async fn an_unverified_email_is_never_a_name() {
    let (app, _account) = console(1).await;
    let unverified = unique_sub("nobody");
    app.idp_account(
        &unverified,
        json!({ "email": "ceo@example.com", "email_verified": false, "groups": ["engineers"] }),
    )
    .await;
    let person = app.sso_person(&unverified).await;
    let user = session_user(&person).await;
    assert_eq!(user["name"], unverified.as_str(), "the sub, not the email");
    let issuer = app.idp();
    assert_eq!(user["id"], format!("oidc:{issuer}#{unverified}"));

    let verified = unique_sub("mail");
    app.idp_account(
        &verified,
        json!({ "email": format!("{verified}@example.com"), "email_verified": true,
                "groups": ["engineers"] }),
    )
    .await;
    let person = app.sso_person(&verified).await;
    assert_eq!(
        session_user(&person).await["name"],
        format!("{verified}@example.com")
    );
}

/// A token acts for its creator's id: renamed, the creator still may not approve what the token
/// asked for.
#[tokio::test]
async fn a_token_acts_for_its_creator_whatever_they_are_called_later() {
    let (app, account) = console(1).await;
    let sub = unique_sub("alice");
    account_named(&app, &sub, "alice", &["platform-team"]).await;
    let alice = app.sso_person(&sub).await;
    let created = alice
        .call(
            "create_token",
            &[
                ("name", &format!("ci-{sub}")),
                ("owner", "ci-bot"),
                ("envs", "prod"),
                ("role", "operator"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(created.status(), 200, "{:?}", created.text().await);
    let secret = created.json::<serde_json::Value>().await.unwrap()["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    let response = api(&app, &secret, reqwest::Method::POST, "/api/v1/releases")
        .json(&json!({
            "env": "prod", "action": "scale", "cluster": "main", "service": "web",
            "desired": 6, "reason": "pipeline 9: capacity", "request_key": "ci-run-0009"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    let id = body["id"].as_i64().expect("id");
    // The request is alice's, by her id, in the store and in the API's answer.
    let alice_id = session_user(&alice).await["id"].clone();
    assert_eq!(body["requester_id"], alice_id);
    assert_eq!(release(&app, id).await.requester_id.as_str(), alice_id);

    account_named(&app, &sub, "alice.w", &["platform-team"]).await;
    let renamed = app.sso_person(&sub).await;
    assert_self_approval(approve(&renamed, id).await).await;
    assert_eq!(desired(&account).await, 2, "prod is unchanged");
}

/// Ending a person's sessions ends all of theirs, under any name they signed in with, and none
/// of someone else who shares the name.
#[tokio::test]
async fn ending_a_persons_sessions_ends_theirs_under_any_name_and_nobody_elses() {
    let (app, _account) = console(1).await;
    let admin_sub = unique_sub("root");
    account_named(&app, &admin_sub, "root", &["platform-team"]).await;
    let admin = app.sso_person(&admin_sub).await;
    let name = unique_sub("kim");
    let (kim_sub, namesake_sub) = (unique_sub("kim-a"), unique_sub("kim-b"));
    account_named(&app, &kim_sub, &name, &["engineers"]).await;
    account_named(&app, &namesake_sub, &name, &["engineers"]).await;
    let kim = app.sso_person(&kim_sub).await;
    let namesake = app.sso_person(&namesake_sub).await;
    // Kim is renamed and signs in again elsewhere: one person, two sessions, two names.
    account_named(&app, &kim_sub, &format!("{name}.new"), &["engineers"]).await;
    let kim_renamed = app.sso_person(&kim_sub).await;
    let kim_id = session_user(&kim).await["id"].as_str().unwrap().to_string();

    let page = admin.get_text("/sessions").await;
    assert!(page.contains(&kim_id), "the list names people by id");
    let ended = admin.call("end_sessions", &[("person", &kim_id)]).await;
    assert_eq!(ended.status(), 200, "{:?}", ended.text().await);
    assert_eq!(ended.json::<usize>().await.unwrap(), 2);
    for (who, person) in [("kim", &kim), ("kim renamed", &kim_renamed)] {
        let response = person.call("get_session", &[]).await;
        assert_eq!(response.status(), 401, "{who} is signed out");
    }
    assert_eq!(session_user(&namesake).await["name"], name.as_str());
    // A name is not a person: nothing to end by it.
    let by_name = admin.call("end_sessions", &[("person", &name)]).await;
    assert_eq!(by_name.status(), 400);
    assert_eq!(session_user(&namesake).await["name"], name.as_str());
}

/// The migration that gave people ids, on a database holding rows from before it (SQLite, or
/// PostgreSQL with `QD_TEST_DATABASE=postgres`): every person recorded by name reads back as
/// `legacy:<name>`, votes are keyed by voter id (a namesake of a legacy voter votes), and the
/// history tables are still append-only afterwards.
#[tokio::test]
async fn rows_recorded_before_people_had_ids_read_as_legacy_and_stay_guarded() {
    use app::ports::{IncidentStore, ReleaseStore, TokenStore};
    use server::store::{
        Backend, SqlAudit, SqlIncidents, SqlReleases, SqlSessionOwners, SqlTokens,
    };
    const PERSON_IDS: &str = "20261221090001";
    let dir = tempfile::tempdir().unwrap();
    let url = match crate::helpers::fresh_postgres_database().await {
        Some(url) => url,
        None => format!("sqlite://{}/legacy.db", dir.path().display()),
    };
    let pool = server::store::connect(&url).await.unwrap();
    // The migrations up to the one before ids, from the repository's own files.
    let folder = match Backend::of_url(&url).unwrap() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../migrations/{folder}"));
    let before = dir.path().join("before");
    std::fs::create_dir(&before).unwrap();
    for file in std::fs::read_dir(&source).unwrap() {
        let file = file.unwrap();
        let name = file.file_name().into_string().unwrap();
        if name.as_str() < PERSON_IDS {
            std::fs::copy(file.path(), before.join(&name)).unwrap();
        }
    }
    sqlx::migrate::Migrator::new(before.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let at = "2026-12-01T10:00:00.000Z";
    for statement in [
        format!("INSERT INTO audit_events (at, actor, kind, outcome) VALUES ('{at}', 'olga', 'login', 'succeeded')"),
        format!("INSERT INTO actions (idempotency_key, actor, env, kind, target, params, state, created_at) VALUES ('prod/k-1/olga', 'olga', 'prod', 'snapshot', 'db', '{{}}', 'running', '{at}')"),
        format!("INSERT INTO releases (id, request_key, env, kind, target, command, summary, changes, reason, requester, required, state, created_at, expires_at, updated_at, group_key) VALUES (1, 'prod/k-2/olga', 'prod', 'scale', 'main/web', '{{}}', 'scale', '[]', 'peak', 'olga', 2, 'requested', '{at}', '2999-01-01T00:00:00Z', '{at}', 'group-1')"),
        format!("INSERT INTO release_votes (release_id, voter, approve, at) VALUES (1, 'rita', 1, '{at}')"),
        format!("INSERT INTO release_events (release_id, at, actor, what) VALUES (1, '{at}', 'olga', 'requested')"),
        format!("INSERT INTO release_groups (group_key, env, creator, created_at) VALUES ('group-1', 'prod', 'olga', '{at}')"),
        format!("INSERT INTO api_tokens (name, owner, envs, role, secret_hash, created_by, created_at, expires_at) VALUES ('ci', 'ci-bot', '*', 'operator', 'h', 'alice', '{at}', '2999-01-01T00:00:00Z')"),
        format!("INSERT INTO incidents (id, env, group_key, title, severity, state, opened_at, last_fired_at, acknowledged_by, acknowledged_at, assignee, updated_at) VALUES (1, 'prod', 'app:shop', 'shop', 'high', 'open', '{at}', '{at}', 'olga', '{at}', 'sam', '{at}')"),
        format!("INSERT INTO oncall_overrides (rotation, who, starts_at, ends_at, created_by, created_at) VALUES ('platform', 'sam', '{at}', '2999-01-01T00:00:00Z', 'root', '{at}')"),
        format!("INSERT INTO session_owners (session_id, person, signed_in_at, last_seen_at, expires_at) VALUES ('s-1', 'olga', '{at}', '{at}', '2999-01-01T00:00:00.000Z')"),
    ] {
        sqlx::query(&statement).execute(&pool).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    }

    server::store::migrate(&pool).await.unwrap();

    let releases = SqlReleases::new(pool.clone());
    let r = releases.get(1).await.unwrap().unwrap();
    assert_eq!(r.requester_id.as_str(), "legacy:olga");
    assert_eq!(r.votes[0].by_id.as_str(), "legacy:rita");
    let group = releases.group_owner("group-1").await.unwrap().unwrap();
    assert_eq!(group.creator_id.as_str(), "legacy:olga");
    let audit = SqlAudit::new(pool.clone()).recent(10).await.unwrap();
    assert_eq!(audit[0].1.actor_id, "legacy:olga");
    let (action_actor,): (String,) = sqlx::query_as("SELECT actor_id FROM actions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(action_actor, "legacy:olga");
    let tokens = SqlTokens::new(pool.clone()).list().await.unwrap();
    assert_eq!(tokens[0].created_by_id.as_str(), "legacy:alice");
    let incidents = SqlIncidents::new(pool.clone());
    let incident = incidents.get(1).await.unwrap().unwrap();
    assert_eq!(
        (
            incident.acknowledged_by_id.as_ref().map(|i| i.as_str()),
            incident.assignee_id.as_ref().map(|i| i.as_str())
        ),
        (Some("legacy:olga"), Some("legacy:sam"))
    );
    let overrides = incidents.overrides().await.unwrap();
    assert_eq!(overrides[0].created_by_id.as_str(), "legacy:root");
    let signed_in = SqlSessionOwners::new(pool.clone())
        .signed_in(chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(signed_in[0].person_id.as_str(), "legacy:olga");

    // Someone now called rita is another person than the legacy rita: their vote is recorded
    // (the store keys votes by id; the approval rules refuse it before it gets here).
    let vote = app::domain::approvals::Vote {
        by: "rita".into(),
        by_id: app::domain::person::PersonId::dev("rita").unwrap(),
        approve: true,
        comment: None,
        at: chrono::Utc::now(),
    };
    let entry = app::domain::audit::AuditEntry::new(
        &app::domain::caller::Caller::job_for("test", "rita", &vote.by_id),
        app::domain::audit::AuditKind::ReleaseApprove,
        app::domain::audit::AuditOutcome::Approved,
    );
    assert!(releases
        .vote(1, &vote, 2, entry.clone())
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        releases.vote(1, &vote, 2, entry).await.unwrap(),
        None,
        "once per id"
    );

    // The guards held off for the fill are back.
    for statement in [
        "UPDATE audit_events SET actor = 'mallory'",
        "DELETE FROM audit_events",
        "UPDATE release_votes SET voter = 'mallory'",
        "DELETE FROM release_votes",
        "UPDATE release_events SET actor = 'mallory'",
    ] {
        assert!(
            sqlx::query(statement).execute(&pool).await.is_err(),
            "{statement} was allowed"
        );
    }
}
