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
