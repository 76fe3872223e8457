//! Test harness: a shared moto server, per-test AWS accounts, and `spawn_app` that starts the
//! console on port 0 with a fresh database.

use aws_config::{BehaviorVersion, Region};
use server::config::Settings;
use server::startup::Application;
use server::state::AppState;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

pub const REGION: &str = "eu-west-1";

struct Moto {
    url: String,
    _child: Option<Child>,
}

static MOTO: OnceLock<Moto> = OnceLock::new();
static IDP: OnceLock<String> = OnceLock::new();

/// The address the test console claims to be at: the identity provider redirects here, and the
/// harness sends those requests to the real (random) port instead.
pub const PUBLIC_URL: &str = "http://127.0.0.1:3000";
pub const IDP_SECRET_VAR: &str = "QD_TEST_IDP_SECRET";
pub const IDP_SECRET: &str = "quarterdeck-test-secret";

/// The test identity provider (`end2end/idp/server.mjs`, npm `oidc-provider`) on a free port of
/// `localhost`, started once per test process; returns its issuer URL.
pub fn idp_issuer() -> String {
    IDP.get_or_init(|| {
        use std::io::BufRead;
        let script = repo_root().join("end2end/idp/server.mjs");
        let shell = format!(
            "node \"{}\" & n=$!; while kill -0 {} 2>/dev/null; do sleep 1; done; kill $n",
            script.display(),
            std::process::id()
        );
        #[allow(clippy::zombie_processes)]
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(shell)
            .env("QD_IDP_PORT", "0")
            .env(
                "QD_IDP_REDIRECT_URIS",
                format!("{PUBLIC_URL}/auth/callback"),
            )
            .env("QD_IDP_POST_LOGOUT_URIS", format!("{PUBLIC_URL}/login"))
            .env("QD_IDP_TEST_ACCOUNTS", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .stdin(Stdio::null())
            .spawn()
            .expect("starting the test identity provider (node)");
        let stdout = child.stdout.take().expect("idp stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let issuer = lines
            .find_map(|l| {
                l.ok()
                    .and_then(|l| l.strip_prefix("issuer=").map(str::to_string))
            })
            .expect("the identity provider printed no issuer");
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        std::mem::forget(child);
        issuer
    })
    .clone()
}

/// A test identity provider of one test's own, signing with a new key at every start
/// (`QD_IDP_SIGNING_KEY=fresh`) on a port that stays the same across restarts, so its issuer
/// does not change: restarting it rotates its keys. Ends with the test.
pub struct TestIdp {
    pub issuer: String,
    port: u16,
    child: Child,
}

impl TestIdp {
    pub fn start() -> Self {
        Self::start_on(0)
    }

    fn start_on(port: u16) -> Self {
        use std::io::BufRead;
        let mut child = Command::new("node")
            .arg(repo_root().join("end2end/idp/server.mjs"))
            .env("QD_IDP_PORT", port.to_string())
            .env("QD_IDP_SIGNING_KEY", "fresh")
            .env(
                "QD_IDP_REDIRECT_URIS",
                format!("{PUBLIC_URL}/auth/callback"),
            )
            .env("QD_IDP_POST_LOGOUT_URIS", format!("{PUBLIC_URL}/login"))
            .env("QD_IDP_TEST_ACCOUNTS", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .stdin(Stdio::null())
            .spawn()
            .expect("starting a test identity provider (node)");
        let stdout = child.stdout.take().expect("idp stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let issuer = lines
            .find_map(|l| {
                l.ok()
                    .and_then(|l| l.strip_prefix("issuer=").map(str::to_string))
            })
            .expect("the identity provider printed no issuer");
        std::thread::spawn(move || for _ in lines {});
        let port = issuer
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("the issuer's port");
        Self {
            issuer,
            port,
            child,
        }
    }

    /// Stops the provider and starts it again at the same address with a new signing key.
    pub fn restart_with_a_new_key(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let restarted = Self::start_on(self.port);
        assert_eq!(
            restarted.issuer, self.issuer,
            "the same issuer after the restart"
        );
        *self = restarted;
    }
}

impl Drop for TestIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static NEXT_ACCOUNT: AtomicU64 = AtomicU64::new(0);

fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The moto server: `QD_TEST_MOTO_URL` when the test script started one, else a private one
/// started from the project's venv that dies with this test process.
pub fn moto_url() -> String {
    MOTO.get_or_init(|| {
        if let Ok(url) = std::env::var("QD_TEST_MOTO_URL") {
            return Moto { url, _child: None };
        }
        let moto = repo_root().join(".venv/bin/moto_server");
        assert!(moto.exists(), "no moto at {}: run scripts/test.sh (it creates the venv) or set QD_TEST_MOTO_URL", moto.display());
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port");
        // A watchdog shell ends moto when this test process exits.
        let script = format!(
            "\"{}\" -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; while kill -0 {} 2>/dev/null; do sleep 1; done; kill $m",
            moto.display(),
            std::process::id()
        );
        // The child is kept for the life of the test process; the watchdog reaps moto itself.
        #[allow(clippy::zombie_processes)]
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("MOTO_ECS_SERVICE_RUNNING", "1")
            .stdin(Stdio::null())
            .spawn()
            .expect("starting moto");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..150 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Moto { url, _child: Some(child) };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto did not start on port {port}");
    })
    .url
    .clone()
}

/// A fresh 12-digit AWS account id for this test, so tests never see each other's resources.
pub fn new_account() -> String {
    let n = NEXT_ACCOUNT.fetch_add(1, Ordering::SeqCst);
    let base = 400_000_000_000_u64 + u64::from(std::process::id() % 10_000) * 1_000;
    format!("{:012}", base + n)
}

pub fn emulator_credentials() {
    // Only the emulator reads these; set once per process before any client is built.
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        std::env::set_var("AWS_ACCESS_KEY_ID", "quarterdeck-test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "quarterdeck-test");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}

/// SDK clients acting inside one test account, for seeding.
pub struct Account {
    pub id: String,
    pub ecs: aws_sdk_ecs::Client,
    pub rds: aws_sdk_rds::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub autoscaling: aws_sdk_applicationautoscaling::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub scheduler: aws_sdk_scheduler::Client,
    pub asg: aws_sdk_autoscaling::Client,
}

impl Account {
    pub async fn new() -> Self {
        emulator_credentials();
        let id = new_account();
        let base = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(moto_url())
            .load()
            .await;
        let provider =
            aws_config::sts::AssumeRoleProvider::builder(format!("arn:aws:iam::{id}:role/seed"))
                .session_name("seed")
                .configure(&base)
                .build()
                .await;
        let config = base
            .into_builder()
            .credentials_provider(aws_types::sdk_config::SharedCredentialsProvider::new(
                provider,
            ))
            .build();
        Self {
            id,
            ecs: aws_sdk_ecs::Client::new(&config),
            rds: aws_sdk_rds::Client::new(&config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
            autoscaling: aws_sdk_applicationautoscaling::Client::new(&config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            sqs: aws_sdk_sqs::Client::new(&config),
            lambda: aws_sdk_lambda::Client::new(&config),
            events: aws_sdk_eventbridge::Client::new(&config),
            scheduler: aws_sdk_scheduler::Client::new(&config),
            asg: aws_sdk_autoscaling::Client::new(&config),
        }
    }

    /// Auto Scaling group `name` of `app` in eu-west-1a and b, launched from a launch
    /// configuration of one of moto's AMIs, `desired` instances within `min`–`max`.
    pub async fn auto_scaling_group(
        &self,
        name: &str,
        app: &str,
        (min, desired, max): (i32, i32, i32),
    ) {
        self.asg
            .create_launch_configuration()
            .launch_configuration_name(format!("{name}-lc"))
            .image_id("ami-03cf127a")
            .instance_type("t3.micro")
            .send()
            .await
            .expect("create launch configuration");
        self.asg
            .create_auto_scaling_group()
            .auto_scaling_group_name(name)
            .launch_configuration_name(format!("{name}-lc"))
            .min_size(min)
            .max_size(max)
            .desired_capacity(desired)
            .availability_zones(format!("{REGION}a"))
            .availability_zones(format!("{REGION}b"))
            .tags(
                aws_sdk_autoscaling::types::Tag::builder()
                    .key("app")
                    .value(app)
                    .resource_id(name)
                    .resource_type("auto-scaling-group")
                    .propagate_at_launch(true)
                    .build(),
            )
            .send()
            .await
            .expect("create auto scaling group");
    }

    pub async fn cluster(&self, name: &str) {
        self.ecs
            .create_cluster()
            .cluster_name(name)
            .send()
            .await
            .expect("create cluster");
    }

    /// Registers a task definition with one container and returns its ARN.
    pub async fn task_definition(&self, family: &str, image: &str) -> String {
        use aws_sdk_ecs::types::{ContainerDefinition, PortMapping};
        let out = self
            .ecs
            .register_task_definition()
            .family(family)
            .cpu("256")
            .memory("512")
            .container_definitions(
                ContainerDefinition::builder()
                    .name("app")
                    .image(image)
                    .essential(true)
                    .port_mappings(PortMapping::builder().container_port(8080).build())
                    .build(),
            )
            .send()
            .await
            .expect("register task definition");
        out.task_definition()
            .and_then(|t| t.task_definition_arn())
            .expect("task definition arn")
            .to_string()
    }

    pub async fn service(
        &self,
        cluster: &str,
        name: &str,
        task_definition: &str,
        app: &str,
        desired: i32,
    ) {
        use aws_sdk_ecs::types::Tag;
        self.ecs
            .create_service()
            .cluster(cluster)
            .service_name(name)
            .task_definition(task_definition)
            .desired_count(desired)
            .tags(Tag::builder().key("app").value(app).build())
            .send()
            .await
            .expect("create service");
    }

    pub async fn database(&self, id: &str, app: &str) {
        use aws_sdk_rds::types::Tag;
        self.rds
            .create_db_instance()
            .db_instance_identifier(id)
            .db_instance_class("db.t3.micro")
            .engine("postgres")
            .engine_version("15.8")
            .allocated_storage(20)
            .master_username("admin")
            .master_user_password("not-a-secret-123")
            .tags(Tag::builder().key("app").value(app).build())
            .send()
            .await
            .expect("create db instance");
    }

    /// Creates Lambda function `name` of `app` (a Python handler in an empty package: nothing
    /// here invokes it) with the execution role Lambda requires, made first through IAM's query
    /// API (the tests carry no IAM client); answers its ARN.
    pub async fn function(&self, name: &str, app: &str) -> String {
        use aws_sdk_lambda::primitives::Blob;
        use aws_sdk_lambda::types::{FunctionCode, Runtime};
        let role = format!("{name}-role");
        let trust = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(moto_url())
            .header("x-moto-account-id", &self.id)
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "Action=CreateRole&Version=2010-05-08&RoleName={role}&AssumeRolePolicyDocument={trust}"
            ))
            .send()
            .await
            .expect("create the function's role");
        // The smallest zip archive there is: an end-of-central-directory record.
        let mut empty_zip = vec![0x50, 0x4b, 0x05, 0x06];
        empty_zip.resize(22, 0);
        self.lambda
            .create_function()
            .function_name(name)
            .runtime(Runtime::Python312)
            .handler("app.handler")
            .role(format!("arn:aws:iam::{}:role/{role}", self.id))
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(empty_zip))
                    .build(),
            )
            .tags("app", app)
            .send()
            .await
            .expect("create function")
            .function_arn()
            .expect("a function ARN")
            .to_string()
    }

    /// Moves an alarm to `state` (`ALARM`, `OK`, `INSUFFICIENT_DATA`), as CloudWatch would.
    pub async fn set_alarm_state(&self, name: &str, state: &str) {
        use aws_sdk_cloudwatch::types::StateValue;
        self.cloudwatch
            .set_alarm_state()
            .alarm_name(name)
            .state_value(StateValue::from(state))
            .state_reason(format!("test moved it to {state}"))
            .send()
            .await
            .expect("set alarm state");
    }

    pub async fn alarm(
        &self,
        name: &str,
        description: &str,
        dimensions: &[(&str, &str)],
        firing: bool,
    ) {
        use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, StateValue, Statistic};
        self.cloudwatch
            .put_metric_alarm()
            .alarm_name(name)
            .alarm_description(description)
            .namespace("AWS/ECS")
            .metric_name("CPUUtilization")
            .set_dimensions(Some(
                dimensions
                    .iter()
                    .map(|(k, v)| Dimension::builder().name(*k).value(*v).build())
                    .collect(),
            ))
            .statistic(Statistic::Average)
            .period(60)
            .evaluation_periods(1)
            .threshold(80.0)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .expect("put metric alarm");
        if firing {
            self.cloudwatch
                .set_alarm_state()
                .alarm_name(name)
                .state_value(StateValue::Alarm)
                .state_reason(
                    "Threshold Crossed: 1 datapoint [93.1] was greater than the threshold (80.0).",
                )
                .send()
                .await
                .expect("set alarm state");
        }
    }
}

/// One environment for `spawn_app`.
pub struct TestEnv {
    pub id: &'static str,
    pub name: &'static str,
    pub account: String,
    /// Defaults to the shared moto.
    pub endpoint: Option<String>,
    pub protected: bool,
    /// More TOML lines for the environment's table (e.g. `external_id = "…"`).
    pub extra: String,
}

impl TestEnv {
    pub fn new(id: &'static str, account: &Account) -> Self {
        Self {
            id,
            name: id,
            account: account.id.clone(),
            endpoint: None,
            protected: false,
            extra: String::new(),
        }
    }
}

pub struct TestApp {
    pub base: String,
    /// `server.metrics_listen`'s base URL, when the test configured one.
    pub metrics_base: Option<String>,
    pub state: AppState,
    pub client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Someone signed in to a test console with a client of their own.
pub struct Person {
    base: String,
    pub client: reqwest::Client,
}

impl Person {
    /// Calls a server function the way the browser does (url-encoded POST).
    pub async fn call(&self, function: &str, args: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{function}", self.base))
            .form(args)
            .send()
            .await
            .expect("server function call")
    }

    pub async fn get_text(&self, path: &str) -> String {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("body")
    }
}

/// How a test console signs people in.
#[derive(Clone)]
pub enum Auth {
    Dev,
    /// SSO against the test identity provider, groups read from this claim.
    Sso {
        groups_claim: &'static str,
    },
}

fn auth_config(auth: &Auth, envs: &[TestEnv]) -> String {
    match auth {
        Auth::Dev => "[auth]\nmode = \"dev\"\n".to_string(),
        Auth::Sso { groups_claim } => {
            let protected = envs
                .iter()
                .find(|e| e.id == "prod")
                .map(|e| e.id)
                .unwrap_or("dev");
            format!(
                r#"[auth]
mode = "oidc"
issuer = "{}"
client_id = "quarterdeck"
client_secret_env = "{IDP_SECRET_VAR}"
scopes = ["openid", "profile", "email", "groups", "teams"]
groups_claim = "{groups_claim}"
login_attempts_per_minute = 1000

[[auth.roles]]
group = "platform-team"
role = "admin"
environments = ["*"]

[[auth.roles]]
group = "engineers"
role = "viewer"
environments = ["*"]

[[auth.roles]]
group = "payments-oncall"
role = "operator"
environments = ["{protected}"]

[[auth.roles]]
group = "release-managers"
role = "approver"
environments = ["{protected}"]
"#,
                idp_issuer()
            )
        }
    }
}

pub fn test_config_with(envs: &[TestEnv], dir: &std::path::Path, auth: &Auth) -> String {
    let mut text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
public_url = "{PUBLIC_URL}"
database_url = "sqlite://{}/quarterdeck.db"
site_root = "{}"
# Rollouts are followed only where a test asks for it (QD_SERVER__ROLLOUT_POLL_INTERVAL), so no
# test's AWS calls or audit rows change under it.
rollout_poll_interval = "1h"
rollout_timeout = "2h"

{}

[aws]
max_attempts = 1
connect_timeout = "2s"
operation_timeout = "30s"
attempt_timeout = "30s"

[incidents]
poll_interval = "1h"
"#,
        dir.display(),
        repo_root().join("target/site").display(),
        auth_config(auth, envs)
    );
    for env in envs {
        text.push_str(&format!(
            r#"
[[environments]]
id = "{}"
name = "{}"
region = "{REGION}"
role_arn = "arn:aws:iam::{}:role/quarterdeck"
endpoint_url = "{}"
refresh_interval = "1h"
metrics_interval = "1h"
protected = {}
{}
"#,
            env.id,
            env.name,
            env.account,
            env.endpoint.clone().unwrap_or_else(moto_url),
            env.protected,
            env.extra
        ));
    }
    text
}

/// Starts the console on port 0 with a fresh database and waits for every environment's first
/// refresh to finish (successfully or not) and for details where the inventory succeeded.
pub async fn spawn_app(envs: Vec<TestEnv>) -> TestApp {
    spawn_app_with(envs, Auth::Dev).await
}

pub async fn spawn_app_with(envs: Vec<TestEnv>, auth: Auth) -> TestApp {
    spawn_app_with_overrides(envs, auth, &[]).await
}

/// Like `spawn_app_with`, with `QD_…` overrides applied to the generated config.
pub async fn spawn_app_with_overrides(
    envs: Vec<TestEnv>,
    auth: Auth,
    overrides: &[(&str, &str)],
) -> TestApp {
    emulator_credentials();
    let dir = tempfile::tempdir().expect("temp dir");
    test_logs();
    let mut vars = vec![(IDP_SECRET_VAR.to_string(), IDP_SECRET.to_string())];
    let own_database = overrides
        .iter()
        .any(|(k, _)| *k == "QD_SERVER__DATABASE_URL");
    if !own_database {
        if let Some(url) = fresh_postgres_database().await {
            vars.push(("QD_SERVER__DATABASE_URL".into(), url));
        }
    }
    vars.extend(
        overrides
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let settings = Settings::from_toml(&test_config_with(&envs, dir.path(), &auth), vars)
        .expect("test config");
    let app = Application::build(settings).await.expect("build app");
    let addr = app.local_addr().expect("address");
    let metrics_base = app.metrics_addr().map(|a| format!("http://{a}"));
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = app
            .run(async {
                let _ = rx.await;
            })
            .await;
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let test_app = TestApp {
        base: format!("http://{addr}"),
        metrics_base,
        state,
        client,
        shutdown: Some(tx),
        _dir: dir,
    };
    test_app.wait_for_first_refresh().await;
    test_app
}

/// With `QD_TEST_DATABASE=postgres`, a new empty database on `QD_TEST_POSTGRES_URL` (default
/// the local server) for one test console; `None` runs the console on SQLite as usual.
pub async fn fresh_postgres_database() -> Option<String> {
    use sqlx::Connection;
    if std::env::var("QD_TEST_DATABASE").ok().as_deref() != Some("postgres") {
        return None;
    }
    let admin = std::env::var("QD_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("qd_t_{}", uuid_like());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create the test database");
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base.to_string())
        .unwrap_or(admin);
    Some(format!("{base}/{name}"))
}

/// A sub no other test uses, for a test account at the shared identity provider.
pub fn unique_sub(prefix: &str) -> String {
    format!("{prefix}-{}", uuid_like())
}

/// 16 hex digits from the clock and a counter: unique names for test databases.
fn uuid_like() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}{:04x}{:x}", nanos, n, std::process::id())
}

impl TestApp {
    /// Stops the console (gracefully: it gives the jobs lease back) but keeps its database.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn wait_for_first_refresh(&self) {
        for _ in 0..600 {
            let done = self.state.inventory.slots().iter().all(|slot| {
                let s = slot.state();
                let attempted = s.status.last_success.is_some() || s.status.error.is_some();
                let details = s.inventory.is_none() || s.details.is_some();
                attempted && details
            });
            // The alarm poller's first round (on the console holding the jobs lease) too, so its
            // AWS calls are not counted against a test's own.
            let polled = !self.state.lease.is_held()
                || self
                    .state
                    .poller_stats
                    .rounds
                    .load(std::sync::atomic::Ordering::SeqCst)
                    > 0;
            let done = done && polled;
            if done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("environments did not finish their first refresh in 60 s");
    }

    /// Signs in through the dev form with `role` in every environment.
    pub async fn sign_in(&self, user: &str, role: &str) {
        let response = self
            .client
            .post(self.url("/auth/dev-login"))
            .form(&[("user", user), ("role", role), ("next", "/")])
            .send()
            .await
            .expect("dev login");
        assert_eq!(response.status(), 303, "sign-in should redirect");
        assert_eq!(response.headers()["location"], "/");
    }

    /// A client of its own, signed in through the dev form as `user` with `role` everywhere.
    pub async fn person(&self, user: &str, role: &str) -> Person {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let response = client
            .post(self.url("/auth/dev-login"))
            .form(&[("user", user), ("role", role), ("next", "/")])
            .send()
            .await
            .expect("dev login");
        assert_eq!(response.status(), 303, "sign-in of {user}");
        Person {
            base: self.base.clone(),
            client,
        }
    }

    /// The database this console uses, for a second console on the same data.
    pub fn database_url(&self) -> String {
        self.state.settings.server.database_url.clone()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("body")
    }

    /// Calls a server function the way the browser does (url-encoded POST).
    pub async fn call(&self, function: &str, args: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/{function}")))
            .form(args)
            .send()
            .await
            .expect("server function call")
    }

    /// AWS call attempts so far for one operation across environments.
    pub fn aws_calls(&self, operation: &str) -> u64 {
        self.state
            .call_stats
            .snapshot()
            .iter()
            .filter(|(k, _)| k.operation == operation)
            .map(|(_, t)| t.attempts)
            .sum()
    }

    pub fn aws_calls_total(&self) -> u64 {
        self.state.call_stats.total_attempts()
    }

    /// Sends a request meant for the console's public address to the test console instead.
    pub fn local(&self, url: &str) -> String {
        match url.strip_prefix(PUBLIC_URL) {
            Some(path) => self.url(path),
            None => url.to_string(),
        }
    }

    /// Drives the provider's login and consent pages as `user` starting from the console's
    /// `/auth/login`, and returns the callback URL the provider sends the browser to (not yet
    /// visited), rewritten to the test console's address.
    pub async fn sso_until_callback(&self, user: &str, next: &str) -> String {
        self.sso_until_callback_with(&self.client, user, next).await
    }

    /// A fresh cookie-jar client signed in through SSO as `user`.
    pub async fn sso_client(&self, user: &str) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let callback = self.sso_until_callback_with(&client, user, "/").await;
        let response = client.get(callback).send().await.expect("callback");
        assert_eq!(response.status(), 303, "sign-in of {user}");
        client
    }

    /// The identity provider this console signs in with (the shared one unless the test chose
    /// one).
    pub fn idp(&self) -> String {
        self.state
            .settings
            .auth
            .issuer
            .clone()
            .unwrap_or_else(idp_issuer)
    }

    /// Someone signed in through SSO as `user`, with a client of their own.
    pub async fn sso_person(&self, user: &str) -> Person {
        Person {
            base: self.base.clone(),
            client: self.sso_client(user).await,
        }
    }

    pub async fn sso_until_callback_with(
        &self,
        client: &reqwest::Client,
        user: &str,
        next: &str,
    ) -> String {
        let start = client
            .get(self.url(&format!("/auth/login?next={next}")))
            .send()
            .await
            .expect("auth/login");
        assert_eq!(start.status(), 303, "{:?}", start.text().await);
        let mut location = start.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        let issuer = self.idp();
        for _ in 0..20 {
            if location.starts_with(PUBLIC_URL) {
                return self.local(&location);
            }
            let url = if location.starts_with('/') {
                format!("{issuer}{location}")
            } else {
                location.clone()
            };
            let response = client.get(&url).send().await.expect("idp page");
            if response.status().is_redirection() {
                location = response.headers()["location"]
                    .to_str()
                    .expect("location")
                    .to_string();
                continue;
            }
            let page = response.text().await.expect("idp html");
            let action = page
                .split("action=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("no form on the provider's page {url}: {page}"))
                .to_string();
            let form: Vec<(&str, &str)> = if page.contains("name=\"password\"") {
                vec![("prompt", "login"), ("login", user), ("password", "any")]
            } else {
                vec![("prompt", "consent")]
            };
            let posted = client
                .post(if action.starts_with('/') {
                    format!("{issuer}{action}")
                } else {
                    action.clone()
                })
                .form(&form)
                .send()
                .await
                .expect("idp form post");
            assert!(
                posted.status().is_redirection(),
                "provider form answered {}",
                posted.status()
            );
            location = posted.headers()["location"]
                .to_str()
                .expect("location")
                .to_string();
        }
        panic!("the provider never redirected back to the console");
    }

    /// Sets the claims the identity provider this console signs in with sends for `sub`
    /// (`preferred_username`, `email`, `email_verified`, `groups`): a test account, signed in as
    /// `sub`. Setting them again renames the same person.
    pub async fn idp_account(&self, sub: &str, claims: serde_json::Value) {
        let response = reqwest::Client::new()
            .put(format!("{}/test/accounts/{sub}", self.idp()))
            .json(&claims)
            .send()
            .await
            .expect("setting a test account at the identity provider");
        assert_eq!(response.status(), 204, "test account {sub}");
    }

    /// A whole SSO sign-in as `user`; returns the console's answer to the callback.
    pub async fn sso_sign_in(&self, user: &str) -> reqwest::Response {
        let callback = self.sso_until_callback(user, "/").await;
        self.client.get(callback).send().await.expect("callback")
    }
}

/// A local webhook receiver: every JSON body it is sent, in order.
pub async fn webhook_receiver() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    let receiver = FlakyReceiver::start(true).await;
    (receiver.url, receiver.seen)
}

/// A local webhook receiver that can be down: then it answers 503 and keeps nothing. It counts
/// every request it answers either way.
pub struct FlakyReceiver {
    pub url: String,
    /// The bodies it accepted (while up), in order.
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    pub up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Requests answered 503 while down.
    pub refused: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl FlakyReceiver {
    pub async fn start(up: bool) -> Self {
        use axum::routing::post;
        use std::sync::atomic::Ordering;
        use std::sync::Arc;
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let up = Arc::new(std::sync::atomic::AtomicBool::new(up));
        let refused = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (store, is_up, refusals) = (Arc::clone(&seen), Arc::clone(&up), Arc::clone(&refused));
        let router = axum::Router::new().route(
            "/hook",
            post(move |axum::Json(body): axum::Json<serde_json::Value>| {
                let (store, is_up, refusals) = (
                    Arc::clone(&store),
                    Arc::clone(&is_up),
                    Arc::clone(&refusals),
                );
                async move {
                    if !is_up.load(Ordering::SeqCst) {
                        refusals.fetch_add(1, Ordering::SeqCst);
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    store.lock().expect("lock").push(body);
                    axum::http::StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            url,
            seen,
            up,
            refused,
        }
    }

    pub fn refused(&self) -> u64 {
        self.refused.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The events (`event` field) of the bodies accepted so far.
    pub fn events(&self) -> Vec<String> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .map(|b| b["event"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// Logs of the consoles under test on stderr when `QD_TEST_LOG` is set (e.g. `warn`).
pub fn test_logs() {
    if let Ok(filter) = std::env::var("QD_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
}
