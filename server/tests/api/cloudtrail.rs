//! What AWS (and so CloudTrail) sees of who acted: reads run under the console's own role
//! session, every change under a role session named after the operator — with the operator as
//! SourceIdentity and the environment's external id where configured — and an API token's
//! change under its creator's name marked with the token. The fault proxy in front of moto
//! records each request's signing key and each AssumeRole's answer, so a change is traced to the
//! session that signed it.

use crate::faults::{Exchange, FaultProxy};
use crate::helpers::{spawn_app, Account, TestEnv};

/// `key`'s value in a form-encoded body, decoded.
fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
        .map(crate::faults::decode_form)
}

/// The access key id an AssumeRole answer granted.
fn granted_key(exchange: &Exchange) -> String {
    exchange
        .response
        .split("<AccessKeyId>")
        .nth(1)
        .and_then(|rest| rest.split("</AccessKeyId>").next())
        .expect("an AssumeRole answer with credentials")
        .to_string()
}

/// The keys granted to sessions named `session`.
fn keys_of(proxy: &FaultProxy, session: &str) -> Vec<(Exchange, String)> {
    proxy
        .exchanges("AssumeRole")
        .into_iter()
        .filter(|e| form_value(&e.request, "RoleSessionName").as_deref() == Some(session))
        .map(|e| {
            let key = granted_key(&e);
            (e, key)
        })
        .collect()
}

/// `person` scales staging's web service to `desired` with request key `key`.
async fn scale(person: &crate::helpers::Person, desired: &str, key: &str) -> reqwest::Response {
    person
        .call(
            "scale_service",
            &[
                ("env", "staging"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", desired),
                ("key", key),
            ],
        )
        .await
}

/// A fresh account with staging's web service, and a console reaching it through `proxy` with
/// `extra` in its environment's table.
async fn staging(proxy: &FaultProxy, extra: &str) -> (Account, crate::helpers::TestApp) {
    let account = Account::new().await;
    account.cluster("main").await;
    let task_definition = account.task_definition("web", "nginx:1.25").await;
    account
        .service("main", "web", &task_definition, "shop", 2)
        .await;
    let mut env = TestEnv::new("staging", &account);
    env.endpoint = Some(proxy.url.clone());
    env.extra = extra.to_string();
    let app = spawn_app(vec![env]).await;
    (account, app)
}

#[tokio::test]
async fn changes_are_signed_by_a_session_named_after_the_operator_and_reads_by_the_consoles() {
    let proxy = FaultProxy::start().await;
    let (account, app) = staging(
        &proxy,
        "external_id = \"qd-ext-7781\"\nsource_identity = true",
    )
    .await;

    // Reads: the console's own session, with the external id and no SourceIdentity.
    let console = keys_of(&proxy, "quarterdeck");
    assert!(!console.is_empty(), "the console assumes its role to read");
    for (exchange, _) in &console {
        assert_eq!(
            form_value(&exchange.request, "ExternalId").as_deref(),
            Some("qd-ext-7781")
        );
        assert_eq!(form_value(&exchange.request, "SourceIdentity"), None);
    }
    let console_keys: Vec<&String> = console.iter().map(|(_, k)| k).collect();
    let reads = proxy.exchanges("DescribeServices");
    assert!(!reads.is_empty());
    assert!(reads.iter().all(|r| console_keys.contains(&&r.access_key)));

    // A change by Ana on a page: her own session, SourceIdentity and external id.
    let ana = app.person("ana.lima@example.com", "operator").await;
    let scaled = scale(&ana, "3", "ana-scale-000001").await;
    assert_eq!(scaled.status(), 200, "{:?}", scaled.text().await);
    let sessions = keys_of(&proxy, "ana.lima@example.com");
    assert_eq!(sessions.len(), 1, "one session for Ana's change");
    let (assumed, ana_key) = &sessions[0];
    assert_eq!(
        form_value(&assumed.request, "SourceIdentity").as_deref(),
        Some("ana.lima@example.com")
    );
    assert_eq!(
        form_value(&assumed.request, "ExternalId").as_deref(),
        Some("qd-ext-7781")
    );
    assert_eq!(
        form_value(&assumed.request, "RoleArn"),
        Some(format!("arn:aws:iam::{}:role/quarterdeck", account.id))
    );
    let updates = proxy.exchanges("UpdateService");
    assert_eq!(updates.len(), 1);
    assert_eq!(
        &updates[0].access_key, ana_key,
        "Ana's session signs her change"
    );
    assert!(!console_keys.contains(&&updates[0].access_key));

    // Another operator's change: another session, though both share the console's role.
    let ben = app.person("Ben Ortiz", "operator").await;
    let scaled = scale(&ben, "4", "ben-scale-000001").await;
    assert_eq!(scaled.status(), 200, "{:?}", scaled.text().await);
    let ben_sessions = keys_of(&proxy, "Ben-Ortiz");
    assert_eq!(ben_sessions.len(), 1, "names are put in AWS's alphabet");
    let updates = proxy.exchanges("UpdateService");
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[1].access_key, ben_sessions[0].1);
    assert_ne!(updates[0].access_key, updates[1].access_key);

    // Ana again, minutes later: her session is reused, not assumed again.
    let scaled = scale(&ana, "2", "ana-scale-000002").await;
    assert_eq!(scaled.status(), 200, "{:?}", scaled.text().await);
    assert_eq!(keys_of(&proxy, "ana.lima@example.com").len(), 1);
    assert_eq!(&proxy.exchanges("UpdateService")[2].access_key, ana_key);
}

#[tokio::test]
async fn a_refused_operator_session_changes_nothing_and_says_why() {
    let proxy = FaultProxy::start().await;
    let (account, app) = staging(&proxy, "source_identity = true").await;
    let ana = app.person("ana", "operator").await;
    // The trust policy lacks sts:SetSourceIdentity: STS refuses the operator's session.
    proxy.arm(
        "AssumeRole",
        crate::faults::Fault::xml(
            "AccessDenied",
            "User: arn:aws:sts::123456789012:assumed-role/console/x is not authorized to perform: sts:SetSourceIdentity",
            403,
        ),
    );
    let response = scale(&ana, "5", "refused-session-01").await;
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, 502, "{body}");
    assert!(
        body.contains("could not assume") && body.contains("sts:SetSourceIdentity"),
        "{body}"
    );
    assert_eq!(proxy.seen("UpdateService"), 0, "no change was sent");
    assert_eq!(
        crate::faults::service_in_moto(&account)
            .await
            .desired_count(),
        2
    );
}
