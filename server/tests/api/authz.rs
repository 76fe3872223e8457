//! The authorisation matrix: every server function registered in the binary and every page route
//! of the router, for people holding each role (and none) in a protected and an unprotected
//! environment, checked against the domain policy itself. A new endpoint that this test cannot
//! classify fails it, so nothing is added unchecked.

use crate::helpers::{spawn_app_with, Account, Auth, TestApp, TestEnv};
use app::domain::actions::ActionKind;
use app::domain::ids::EnvId;
use app::domain::policy::{authorize, grants_for_groups, Action, AuthMethod, Principal, Role};
use leptos::server_fn::axum::server_fn_paths;

/// What an endpoint is, for the matrix.
enum Kind {
    /// Reachable without a session.
    Public,
    /// Any signed-in person; the answer is filtered to what they may see.
    Global,
    /// Shows something only if some environment is visible to them.
    GlobalNeedsAccess,
    /// About one environment (the `env` argument): the policy decides.
    Env(Action),
    /// Changes something in one environment: the policy decides (in the protected one, gated
    /// kinds become release requests).
    EnvAction(ActionKind),
    /// Changes something in one environment, probed with input the action refuses: people the
    /// policy allows get this status (the refusal comes after the policy), everyone else 403.
    EnvActionRefused(ActionKind, u16),
    /// Reads the release request of the protected environment: viewers of it may.
    ReleaseRead,
    /// Acts on a release request (or token) that does not exist: any signed-in person learns
    /// only that.
    ReleaseMissing,
    /// Admins of some environment.
    AdminSomewhere,
    /// Admins of every environment.
    AdminEverywhere,
    /// Admins of every environment get this status (the probe names nothing), everyone else 403.
    AdminEverywhereOr(u16),
    /// Anyone with a role somewhere (on-call rotations span environments).
    AnyAccess,
    /// Admins of some environment get this status (the probe's input is refused or names
    /// nothing), everyone else 403.
    AdminSomewhereOr(u16),
    /// A promotion from dev into the environment: people who may view dev and deploy there
    /// get 400 (dev cannot promote into itself, and dev's image has no known digest), everyone
    /// else 403.
    Promote,
    /// Any signed-in person gets this status (the probe names nothing to show).
    SignedIn(u16),
}

/// One endpoint to try: a page (GET) or a server function (POST with `args`).
struct Probe {
    path: String,
    args: Vec<(&'static str, &'static str)>,
    kind: Kind,
    page: bool,
}

/// Server functions by name: their arguments (with `{env}` standing for the environment) and kind.
fn classify_function(name: &str) -> Option<(Vec<(&'static str, &'static str)>, Kind)> {
    Some(match name {
        "get_sign_in_options" => (vec![], Kind::Public),
        "get_session" | "get_overview" | "list_apps" | "list_alarms" | "list_databases"
        | "list_queues" | "list_functions" | "list_jobs" | "list_asgs" | "query_audit" => {
            (vec![], Kind::Global)
        }
        // A flash id no session holds: signed-in people learn nothing.
        "take_flash" => (
            vec![("problem", "0123456789abcdef0123456789abcdef")],
            Kind::Global,
        ),
        "get_app" => (vec![("app", "shop")], Kind::GlobalNeedsAccess),
        "get_environment" => (vec![("env", "{env}")], Kind::Env(Action::View)),
        "refresh_environment" => (vec![("env", "{env}")], Kind::Env(Action::Refresh)),
        "get_service" => (
            vec![("env", "{env}"), ("cluster", "main"), ("service", "web")],
            Kind::Env(Action::View),
        ),
        "get_service_logs" => (
            vec![
                ("env", "{env}"),
                ("cluster", "main"),
                ("service", "web"),
                ("params[since]", "1h"),
            ],
            Kind::Env(Action::ReadLogs),
        ),
        "get_database" => (
            vec![("env", "{env}"), ("id", "db1")],
            Kind::Env(Action::View),
        ),
        "get_queue" => (
            vec![("env", "{env}"), ("name", "jobs")],
            Kind::Env(Action::View),
        ),
        "get_function" => (
            vec![("env", "{env}"), ("name", "jobs")],
            Kind::Env(Action::View),
        ),
        "get_job" => (
            vec![("env", "{env}"), ("key", "rule/jobs")],
            Kind::Env(Action::View),
        ),
        // The rule invokes the function: its logs are the function's group (missing here, said
        // in place).
        "get_job_logs" => (
            vec![
                ("env", "{env}"),
                ("key", "rule/jobs"),
                ("params[since]", "1h"),
            ],
            Kind::Env(Action::ReadLogs),
        ),
        "get_asg" => (
            vec![("env", "{env}"), ("name", "jobs")],
            Kind::Env(Action::View),
        ),
        // Outside the group's 1–3: refused after the policy, nothing changed.
        "set_capacity" => (
            vec![
                ("env", "{env}"),
                ("group", "jobs"),
                ("desired", "99"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::SetCapacity, 400),
        ),
        "set_capacity_bounds" => (
            vec![
                ("env", "{env}"),
                ("group", "jobs"),
                ("min", "5"),
                ("max", "1"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::SetCapacityBounds, 400),
        ),
        "refresh_instances" => (
            vec![
                ("env", "{env}"),
                ("group", "jobs"),
                ("min_healthy", "150"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::RefreshInstances, 400),
        ),
        "scale_service" => (
            vec![
                ("env", "{env}"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "2"),
                ("key", "{key}"),
                ("reason", "matrix probe"),
                ("confirm", "web"),
            ],
            Kind::EnvAction(ActionKind::Scale),
        ),
        "deploy_service" => (
            vec![
                ("env", "{env}"),
                ("cluster", "main"),
                ("service", "web"),
                ("container", "app"),
                ("image", "{image}"),
                ("key", "{key}"),
                ("reason", "matrix probe"),
                ("confirm", "web"),
            ],
            Kind::EnvAction(ActionKind::Deploy),
        ),
        "rollback_service" => (
            vec![
                ("env", "{env}"),
                ("cluster", "main"),
                ("service", "web"),
                ("revision", "{other_revision}"),
                ("key", "{key}"),
                ("reason", "matrix probe"),
                ("confirm", "web"),
            ],
            Kind::EnvAction(ActionKind::Rollback),
        ),
        "redeploy_service" => (
            vec![
                ("env", "{env}"),
                ("cluster", "main"),
                ("service", "web"),
                ("key", "{key}"),
                ("reason", "matrix probe"),
                ("confirm", "web"),
            ],
            Kind::EnvAction(ActionKind::Redeploy),
        ),
        "snapshot_database" => (
            vec![
                ("env", "{env}"),
                ("id", "db1"),
                ("key", "{key}"),
                ("confirm", "db1"),
            ],
            Kind::EnvAction(ActionKind::Snapshot),
        ),
        "set_alarm_actions" => (
            vec![
                ("env", "{env}"),
                ("alarm", "web-cpu"),
                ("enabled", "false"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "web-cpu"),
            ],
            Kind::EnvAction(ActionKind::MuteAlarm),
        ),
        // Queue and function actions, probed with what each refuses so the probe changes
        // nothing: jobs is no dead-letter queue, has no redrive running, is not typed; the
        // mapping and alias do not exist; a negative concurrency.
        "redrive_queue" => (
            vec![
                ("env", "{env}"),
                ("queue", "jobs"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::RedriveQueue, 400),
        ),
        "cancel_redrive" => (
            vec![
                ("env", "{env}"),
                ("queue", "jobs"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::CancelRedrive, 400),
        ),
        "purge_queue" => (
            vec![
                ("env", "{env}"),
                ("queue", "jobs"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "not-jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::PurgeQueue, 400),
        ),
        "set_mapping" => (
            vec![
                ("env", "{env}"),
                ("function", "jobs"),
                ("uuid", "00000000-0000-0000-0000-000000000000"),
                ("enabled", "false"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::PauseMapping, 404),
        ),
        "update_alias" => (
            vec![
                ("env", "{env}"),
                ("function", "jobs"),
                ("alias", "matrix"),
                ("version", "1"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::UpdateAlias, 404),
        ),
        "rollback_alias" => (
            vec![
                ("env", "{env}"),
                ("function", "jobs"),
                ("alias", "matrix"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::RollbackAlias, 404),
        ),
        "set_concurrency" => (
            vec![
                ("env", "{env}"),
                ("function", "jobs"),
                ("reserved", "-1"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::SetConcurrency, 400),
        ),
        // A malformed job key: refused after the policy, with nothing looked up.
        "run_job" => (
            vec![
                ("env", "{env}"),
                ("job", "rule/no such"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::RunJob, 400),
        ),
        "set_job_state" => (
            vec![
                ("env", "{env}"),
                ("job", "rule/no such"),
                ("enabled", "false"),
                ("key", "{key}"),
                ("reason", "matrix"),
                ("confirm", "jobs"),
            ],
            Kind::EnvActionRefused(ActionKind::DisableJob, 400),
        ),
        "list_releases" => (vec![], Kind::Global),
        "get_release" => (vec![("id", "{release}")], Kind::ReleaseRead),
        "approve_release" | "cancel_release" => (
            vec![("id", "999999"), ("comment", "matrix")],
            Kind::ReleaseMissing,
        ),
        "reject_release" => (
            vec![("id", "999999"), ("comment", "matrix")],
            Kind::ReleaseMissing,
        ),
        "list_tokens" => (vec![], Kind::AdminSomewhere),
        "create_token" => (
            vec![
                ("name", "{key}"),
                ("owner", "ci"),
                ("envs", "*"),
                ("role", "viewer"),
                ("days", "30"),
            ],
            Kind::AdminEverywhere,
        ),
        "revoke_token" => (vec![("id", "999999")], Kind::ReleaseMissing),
        // Sessions open every environment: admins of all of them only. Nobody in the matrix is
        // called this, so nobody's session ends.
        "list_sessions" => (vec![], Kind::AdminEverywhere),
        "end_sessions" => (
            vec![("person", "dev:nobody-in-the-matrix")],
            Kind::AdminEverywhere,
        ),
        // Notices tell of every environment: admins of all of them only. Nothing is numbered
        // 999999, so admins learn only that.
        "list_webhooks" => (vec![], Kind::AdminEverywhere),
        "retry_webhook" => (vec![("id", "999999")], Kind::AdminEverywhereOr(404)),
        "break_glass_release" => (
            vec![("id", "999999"), ("reason", "matrix probe")],
            Kind::ReleaseMissing,
        ),
        "list_incidents" => (vec![], Kind::Global),
        "get_incident" | "acknowledge_incident" => (vec![("id", "999999")], Kind::ReleaseMissing),
        "assign_incident" => (vec![("id", "999999"), ("to", "sam")], Kind::ReleaseMissing),
        "note_incident" => (
            vec![("id", "999999"), ("text", "matrix")],
            Kind::ReleaseMissing,
        ),
        "resolve_incident" => (
            vec![("id", "999999"), ("note", "matrix")],
            Kind::ReleaseMissing,
        ),
        "acknowledge_incidents" => (vec![("ids[]", "999999")], Kind::ReleaseMissing),
        "get_oncall" => (vec![], Kind::AnyAccess),
        // No rotation is configured here: admins are told so.
        "add_override" => (
            vec![
                ("rotation", "platform"),
                ("who", "zoe"),
                ("from", "2099-01-01T00:00"),
                ("until", "2099-01-02T00:00"),
            ],
            Kind::AdminSomewhereOr(400),
        ),
        "remove_override" => (vec![("id", "999999")], Kind::AdminSomewhereOr(404)),
        "get_drift" => (vec![("env", "{env}")], Kind::Global),
        "get_promotion" => (
            vec![("from", "dev"), ("to", "{env}"), ("service", "web")],
            Kind::Global,
        ),
        "promote" => (
            vec![
                ("from", "dev"),
                ("to", "{env}"),
                ("app", "shop"),
                ("service", "web"),
                ("key", "{key}"),
                ("reason", "matrix probe"),
                ("confirm", "web"),
            ],
            Kind::Promote,
        ),
        "approve_release_group" | "reject_release_group" => (
            vec![("group", "matrix-group-0001"), ("comment", "matrix probe")],
            Kind::ReleaseMissing,
        ),
        _ => return None,
    })
}

fn classify_page(path: &str) -> Option<Kind> {
    Some(match path {
        "/login" => Kind::Public,
        "/" | "/databases" | "/queues" | "/functions" | "/jobs" | "/asgs" | "/alarms" | "/apps"
        | "/audit" | "/releases" | "/drift" => Kind::Global,
        // Without its environments in the address the review has nothing to show.
        "/promote" => Kind::SignedIn(400),
        "/releases/{id}" => Kind::ReleaseRead,
        "/incidents" => Kind::Global,
        "/incidents/{id}" => Kind::ReleaseMissing,
        "/oncall" => Kind::AnyAccess,
        "/tokens" => Kind::AdminSomewhere,
        "/sessions" | "/webhooks" => Kind::AdminEverywhere,
        "/apps/{app}" => Kind::GlobalNeedsAccess,
        "/envs/{env}"
        | "/envs/{env}/services/{cluster}/{service}"
        | "/envs/{env}/databases/{id}"
        | "/envs/{env}/queues/{name}"
        | "/envs/{env}/functions/{name}"
        | "/envs/{env}/jobs/rule/{name}"
        | "/envs/{env}/jobs/schedule/{group}/{name}"
        | "/envs/{env}/asgs/{name}" => Kind::Env(Action::View),
        "/envs/{env}/services/{cluster}/{service}/logs"
        | "/envs/{env}/jobs/rule/{name}/logs"
        | "/envs/{env}/jobs/schedule/{group}/{name}/logs" => Kind::Env(Action::ReadLogs),
        _ => return None,
    })
}

/// A revision of `web` in `env` other than the one running now (deploys in the matrix move it).
fn other_revision(app: &TestApp, env: &str) -> String {
    let Some(state) = app
        .state
        .inventory
        .slots()
        .iter()
        .find(|s| s.descriptor().id.as_str() == env)
        .map(|s| s.state())
    else {
        return "web:1".into();
    };
    let current = state
        .inventory
        .as_ref()
        .and_then(|inv| {
            inv.service("main", "web")
                .map(|s| s.task_definition_arn.clone())
        })
        .unwrap_or_default();
    state
        .details
        .as_ref()
        .and_then(|d| d.revisions.get("web"))
        .and_then(|r| r.iter().find(|td| td.arn != current))
        .map(|td| format!("web:{}", td.revision))
        .unwrap_or_else(|| "web:1".into())
}

fn fill(path: &str, env: &str, release: i64) -> String {
    if path.starts_with("/releases/") {
        return path.replace("{id}", &release.to_string());
    }
    if path.starts_with("/incidents/") {
        return path.replace("{id}", "999999");
    }
    path.replace("{env}", env)
        .replace("{cluster}", "main")
        .replace("{service}", "web")
        .replace("{id}", "db1")
        .replace("{name}", "jobs")
        .replace("{group}", "default")
        .replace("{app}", "shop")
}

async fn seeded(env: &'static str, protected: bool) -> TestEnv {
    let account = Account::new().await;
    account.cluster("main").await;
    let td = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account
        .task_definition("web", "registry.example/web:1.1.0")
        .await;
    account.service("main", "web", &td, "shop", 1).await;
    account.database("db1", "shop").await;
    account
        .sqs
        .create_queue()
        .queue_name("jobs")
        .send()
        .await
        .expect("a queue");
    let function = account.function("jobs", "shop").await;
    // A rule and a schedule named `jobs`, each invoking the function, for the job pages.
    account
        .events
        .put_rule()
        .name("jobs")
        .schedule_expression("rate(1 hour)")
        .send()
        .await
        .expect("a rule");
    account
        .events
        .put_targets()
        .rule("jobs")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("jobs")
                .arn(&function)
                .build()
                .expect("a target"),
        )
        .send()
        .await
        .expect("the rule's target");
    account
        .scheduler
        .create_schedule()
        .name("jobs")
        .schedule_expression("rate(1 hour)")
        .flexible_time_window(
            aws_sdk_scheduler::types::FlexibleTimeWindow::builder()
                .mode(aws_sdk_scheduler::types::FlexibleTimeWindowMode::Off)
                .build()
                .expect("a window"),
        )
        .target(
            aws_sdk_scheduler::types::Target::builder()
                .arn(&function)
                .role_arn(format!("arn:aws:iam::{}:role/scheduler", account.id))
                .build()
                .expect("a target"),
        )
        .send()
        .await
        .expect("a schedule");
    account.auto_scaling_group("jobs", "shop", (1, 1, 3)).await;
    account
        .alarm(
            "web-cpu",
            "CPU",
            &[("ClusterName", "main"), ("ServiceName", "web")],
            false,
        )
        .await;
    let mut e = TestEnv::new(env, &account);
    e.protected = protected;
    e
}

const PEOPLE: [&str; 5] = ["alice", "olga", "rita", "victor", "mallory"];
const ENVS: [&str; 2] = ["dev", "prod"];

async fn principal_of(app: &TestApp, client: &reqwest::Client) -> Principal {
    let session: serde_json::Value = client
        .post(app.url("/api/get_session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let groups: Vec<String> = serde_json::from_value(session["user"]["groups"].clone()).unwrap();
    Principal {
        id: serde_json::from_value(session["user"]["id"].clone()).unwrap(),
        name: session["user"]["name"].as_str().unwrap().to_string(),
        method: AuthMethod::Oidc,
        grants: grants_for_groups(&groups, app.state.settings.group_roles()),
        groups,
    }
}

/// Whether `p` may view some environment.
fn views_some(p: &Principal) -> bool {
    ENVS.iter()
        .any(|e| authorize(p, Action::View, &EnvId::parse(e).unwrap()).is_ok())
}

/// Whether `p` is an admin of some environment.
fn admin_somewhere(p: &Principal) -> bool {
    ENVS.iter()
        .any(|e| p.grants.role_in(&EnvId::parse(e).unwrap()) == Some(Role::Admin))
}

fn expected_status(kind: &Kind, who: Option<&Principal>, env: &str, page: bool) -> u16 {
    let env = EnvId::parse(env).unwrap();
    match (kind, who) {
        (Kind::Public, _) => 200,
        (_, None) if page => 303,
        (_, None) => 401,
        (Kind::Global, Some(_)) => 200,
        (Kind::GlobalNeedsAccess, Some(p)) => {
            if views_some(p) {
                200
            } else {
                404
            }
        }
        (Kind::EnvAction(kind), Some(p)) => {
            if authorize(p, kind.permission(), &env).is_err() {
                403
            } else {
                200
            }
        }
        (Kind::EnvActionRefused(kind, status), Some(p)) => {
            if authorize(p, kind.permission(), &env).is_err() {
                403
            } else {
                *status
            }
        }
        (Kind::ReleaseRead, Some(p)) => {
            if authorize(p, Action::View, &EnvId::parse("prod").unwrap()).is_ok() {
                200
            } else {
                403
            }
        }
        (Kind::ReleaseMissing, Some(_)) => 404,
        (Kind::SignedIn(status), Some(_)) => *status,
        (Kind::Promote, Some(p)) => {
            let dev = EnvId::parse("dev").unwrap();
            if authorize(p, Action::View, &dev).is_err()
                || authorize(p, Action::Deploy, &env).is_err()
            {
                403
            } else {
                400
            }
        }
        (Kind::AdminSomewhere, Some(p)) => {
            if admin_somewhere(p) {
                200
            } else {
                403
            }
        }
        (Kind::AnyAccess, Some(p)) => {
            if views_some(p) {
                200
            } else {
                403
            }
        }
        (Kind::AdminSomewhereOr(status), Some(p)) => {
            if admin_somewhere(p) {
                *status
            } else {
                403
            }
        }
        (Kind::AdminEverywhere, Some(p)) => {
            if p.grants.everywhere == Some(Role::Admin) {
                200
            } else {
                403
            }
        }
        (Kind::AdminEverywhereOr(status), Some(p)) => {
            if p.grants.everywhere == Some(Role::Admin) {
                *status
            } else {
                403
            }
        }
        (Kind::Env(action), Some(p)) => {
            if authorize(p, *action, &env).is_ok() {
                200
            } else {
                403
            }
        }
    }
}

#[tokio::test]
async fn every_endpoint_answers_as_the_policy_says_for_every_role() {
    let app = spawn_app_with(
        vec![seeded("dev", false).await, seeded("prod", true).await],
        Auth::Sso {
            groups_claim: "groups",
        },
    )
    .await;
    let anonymous = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut people: Vec<(Option<Principal>, reqwest::Client)> = vec![(None, anonymous)];
    for user in PEOPLE {
        let client = app.sso_client(user).await;
        let principal = principal_of(&app, &client).await;
        people.push((Some(principal), client));
    }
    // The people cover every role in the protected env and the unprotected one, and none.
    let roles_in_prod: std::collections::BTreeSet<_> = people
        .iter()
        .filter_map(|(p, _)| p.as_ref()?.grants.role_in(&EnvId::parse("prod").unwrap()))
        .collect();
    assert_eq!(
        roles_in_prod.len(),
        4,
        "admin, approver, operator, viewer in prod: {roles_in_prod:?}"
    );

    // A release request in the protected environment, asked for by the operator there.
    let olga = &people
        .iter()
        .find(|(p, _)| p.as_ref().is_some_and(|p| p.name == "olga"))
        .expect("olga")
        .1;
    let asked: serde_json::Value = olga
        .post(app.url("/api/scale_service"))
        .form(&[
            ("env", "prod"),
            ("cluster", "main"),
            ("service", "web"),
            ("desired", "2"),
            ("key", "matrix-release-0001"),
            ("reason", "matrix release"),
            ("confirm", "web"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let release = asked["status"]["AwaitingApproval"]["release"]
        .as_i64()
        .unwrap_or_else(|| panic!("a release request: {asked}"));

    // Every endpoint the binary serves: server functions from the registry, pages from the router.
    let mut problems = Vec::new();
    let mut probes: Vec<Probe> = Vec::new();
    let functions: Vec<String> = server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    assert!(
        functions.len() >= 10,
        "server functions registered: {functions:?}"
    );
    for path in functions {
        match classify_function(path.trim_start_matches("/api/")) {
            Some((args, kind)) => probes.push(Probe {
                path,
                args,
                kind,
                page: false,
            }),
            None => problems.push(format!(
                "server function {path} is not classified in this test"
            )),
        }
    }
    let pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert!(pages.len() >= 9, "page routes: {pages:?}");
    for path in pages {
        match classify_page(&path) {
            Some(kind) => probes.push(Probe {
                path,
                args: vec![],
                kind,
                page: true,
            }),
            None => problems.push(format!("page {path} is not classified in this test")),
        }
    }
    let mut checked = 0;
    for probe in &probes {
        for env in ENVS {
            for (who, client) in &people {
                let request = if probe.page {
                    client.get(app.url(&fill(&probe.path, env, release)))
                } else {
                    let form: Vec<(&str, String)> = probe
                        .args
                        .iter()
                        .map(|(k, v)| {
                            (
                                *k,
                                v.replace("{env}", env)
                                    .replace("{key}", &format!("matrix-key-{checked}"))
                                    .replace("{image}", &format!("registry.example/web:m{checked}"))
                                    .replace("{other_revision}", &other_revision(&app, env))
                                    .replace("{release}", &release.to_string()),
                            )
                        })
                        .collect();
                    client.post(app.url(&probe.path)).form(&form)
                };
                let status = request.send().await.unwrap().status().as_u16();
                let expected = expected_status(&probe.kind, who.as_ref(), env, probe.page);
                checked += 1;
                if status != expected {
                    let name = who.as_ref().map(|p| p.name.as_str()).unwrap_or("anonymous");
                    problems.push(format!(
                        "{} in {env} as {name}: {status}, policy says {expected}",
                        probe.path
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {checked} checks disagree with the policy:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[tokio::test]
async fn lists_show_only_environments_the_person_may_see() {
    let app = spawn_app_with(
        vec![seeded("dev", false).await, seeded("prod", true).await],
        Auth::Sso {
            groups_claim: "groups",
        },
    )
    .await;
    let mallory = app.sso_client("mallory").await;
    let overview: serde_json::Value = mallory
        .post(app.url("/api/get_overview"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(overview["envs"], serde_json::json!([]));
    let alice = app.sso_client("alice").await;
    let overview: serde_json::Value = alice
        .post(app.url("/api/get_overview"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(overview["envs"].as_array().map(Vec::len), Some(2));
}
