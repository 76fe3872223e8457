//! AWS faults during operator actions: a throttled, denied or refused call gives a clear 502
//! naming AWS's error, and a resource gone behind the console's back a clear refusal before any
//! change is sent; each has an audit row with the failure, nothing half-applied in AWS, and a
//! console that keeps serving.
//!
//! moto cannot throttle, deny or time out on demand, so the console talks to it through
//! [`FaultProxy`]: an HTTP server on port 0 that forwards every request to moto unchanged, except
//! requests for an operation armed with a [`Fault`], which get a canned AWS JSON error instead,
//! or a late answer, or none in time, or — for what moto never shows, such as a deployment the
//! ECS circuit breaker rolls back — recorded AWS-shaped answers replayed in order. It counts the
//! requests of each operation that reach it, faulted or not.

use crate::helpers::{moto_url, spawn_app, Account, TestApp, TestEnv};
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::response::Response;
use http::{header, HeaderMap, StatusCode, Uri};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What the proxy does with an armed operation.
#[derive(Clone)]
pub(crate) enum Fault {
    /// A canned AWS JSON-protocol error (`__type` and `message`, HTTP 400) instead of moto's
    /// answer: AWS refused it.
    Error { code: &'static str, message: String },
    /// A canned AWS query-protocol error (an XML `ErrorResponse`, as STS, RDS and CloudWatch's
    /// query API answer) with this HTTP status.
    XmlError {
        code: &'static str,
        message: String,
        status: u16,
    },
    /// Forwarded to moto (so the change is made), and answered only after this long: a caller
    /// with a shorter timeout never hears that it was applied.
    Late(std::time::Duration),
    /// Never forwarded (nothing changes), answered with a 504 after this long: a caller with a
    /// shorter timeout cannot tell it from a late answer.
    Lost(std::time::Duration),
    /// Answered with recorded AWS-shaped bodies instead of moto's: the first request gets the
    /// first body, the next the next, and the last body every request after it. With `when`,
    /// only requests whose body holds that text are answered so; the others go to moto. A body
    /// that starts with `<` is the query protocol's XML (Elastic Load Balancing, RDS), else JSON.
    Replay(Arc<Replay>),
}

/// The bodies a [`Fault::Replay`] answers with, and how many requests it has answered.
pub(crate) struct Replay {
    bodies: Vec<String>,
    when: Option<String>,
    answered: Mutex<usize>,
}

impl Replay {
    /// The body of the next answer.
    fn next(&self) -> Option<String> {
        let mut answered = self.answered.lock().expect("replay lock");
        let body = self
            .bodies
            .get((*answered).min(self.bodies.len().checked_sub(1)?))
            .cloned();
        *answered += 1;
        body
    }
}

impl Fault {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn xml(code: &'static str, message: impl Into<String>, status: u16) -> Self {
        Self::XmlError {
            code,
            message: message.into(),
            status,
        }
    }

    fn xml_response(code: &str, message: &str, status: u16) -> Response {
        let body = format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
        );
        Response::builder()
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST))
            .header(header::CONTENT_TYPE, "text/xml")
            .header("x-amzn-requestid", "fault-proxy")
            .body(Body::from(body))
            .expect("a canned error response")
    }

    /// Answers every request of the operation with `bodies`, in order (see [`Fault::Replay`]).
    pub(crate) fn replay(bodies: Vec<serde_json::Value>) -> Self {
        Self::replay_when(None, bodies)
    }

    /// Answers every request of the operation with these XML `bodies`, in order.
    pub(crate) fn replay_xml(bodies: Vec<String>) -> Self {
        Self::Replay(Arc::new(Replay {
            bodies,
            when: None,
            answered: Mutex::new(0),
        }))
    }

    /// Answers the requests of the operation whose body holds `when` with `bodies`, in order.
    pub(crate) fn replay_when(when: Option<&str>, bodies: Vec<serde_json::Value>) -> Self {
        Self::Replay(Arc::new(Replay {
            bodies: bodies.iter().map(|b| b.to_string()).collect(),
            when: when.map(str::to_string),
            answered: Mutex::new(0),
        }))
    }

    fn throttling() -> Self {
        Self::new("ThrottlingException", "Rate exceeded")
    }

    pub(crate) fn access_denied(action: &str) -> Self {
        Self::new(
            "AccessDeniedException",
            format!("User: arn:aws:sts::123456789012:assumed-role/quarterdeck/x is not authorized to perform: {action}"),
        )
    }

    fn client_exception(message: &str) -> Self {
        Self::new("ClientException", message)
    }

    fn error_response(code: &str, message: &str, status: StatusCode) -> Response {
        let body = serde_json::json!({ "__type": code, "message": message });
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
            .header("x-amzn-requestid", "fault-proxy")
            .body(Body::from(body.to_string()))
            .expect("a canned error response")
    }
}

struct Shared {
    upstream: String,
    client: reqwest::Client,
    faults: Mutex<HashMap<String, Fault>>,
    seen: Mutex<HashMap<String, u64>>,
    log: Mutex<Vec<Exchange>>,
    /// Requests in flight now, and the most ever at once, by the AWS service they are signed
    /// for (`ecs`, `rds`, `monitoring`, `sts`…).
    in_flight: Mutex<HashMap<String, (usize, usize)>>,
    /// Composite alarms served as real CloudWatch serves them (moto keeps none).
    composites: Mutex<Vec<Composite>>,
}

/// A composite alarm the proxy adds to DescribeAlarms answers that ask for composites
/// (`AlarmTypes` with `CompositeAlarm`, as real CloudWatch requires), and whose actions
/// Enable/DisableAlarmActions switch, in the query protocol's XML.
#[derive(Debug, Clone)]
pub(crate) struct Composite {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) rule: String,
    pub(crate) state: String,
    pub(crate) actions_enabled: bool,
}

/// One request that reached the proxy, with who signed it and what came back.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) operation: String,
    /// The access key id in the SigV4 `Authorization` header.
    pub(crate) access_key: String,
    pub(crate) request: String,
    pub(crate) response: String,
}

/// A pass-through proxy in front of moto that fails, delays or loses the operations it is told
/// to.
pub(crate) struct FaultProxy {
    pub(crate) url: String,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 for the rest of the test.
    pub(crate) async fn start() -> Self {
        let shared = Arc::new(Shared {
            upstream: moto_url(),
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("proxy's client"),
            faults: Mutex::default(),
            seen: Mutex::default(),
            log: Mutex::default(),
            in_flight: Mutex::default(),
            composites: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.expect("proxy serves") });
        Self { url, shared }
    }

    /// From now on every `operation` request gets `fault`.
    pub(crate) fn arm(&self, operation: &str, fault: Fault) {
        let mut faults = self.shared.faults.lock().expect("faults lock");
        faults.insert(operation.to_string(), fault);
    }

    /// Forwards `operation` unchanged again.
    pub(crate) fn disarm(&self, operation: &str) {
        let mut faults = self.shared.faults.lock().expect("faults lock");
        faults.remove(operation);
    }

    /// Serves a composite alarm `name` with `rule` in account `account`, state OK.
    pub(crate) fn add_composite(&self, account: &str, name: &str, description: &str, rule: &str) {
        let arn = format!(
            "arn:aws:cloudwatch:{}:{account}:alarm:{name}",
            crate::helpers::REGION
        );
        self.shared
            .composites
            .lock()
            .expect("composites lock")
            .push(Composite {
                arn,
                name: name.to_string(),
                description: description.to_string(),
                rule: rule.to_string(),
                state: "OK".to_string(),
                actions_enabled: true,
            });
    }

    /// Moves composite alarm `name` to `state`, as CloudWatch does when its rule's value
    /// changes.
    pub(crate) fn set_composite_state(&self, name: &str, state: &str) {
        let mut composites = self.shared.composites.lock().expect("composites lock");
        if let Some(c) = composites.iter_mut().find(|c| c.name == name) {
            c.state = state.to_string();
        }
    }

    /// Composite alarm `name` as served now.
    pub(crate) fn composite(&self, name: &str) -> Option<Composite> {
        let composites = self.shared.composites.lock().expect("composites lock");
        composites.iter().find(|c| c.name == name).cloned()
    }

    /// The most requests for AWS service `service` (its signing name) ever in flight at once.
    pub(crate) fn max_in_flight(&self, service: &str) -> usize {
        let in_flight = self.shared.in_flight.lock().expect("in-flight lock");
        in_flight.get(service).map_or(0, |(_, max)| *max)
    }

    /// Every `operation` request so far, oldest first.
    pub(crate) fn exchanges(&self, operation: &str) -> Vec<Exchange> {
        let log = self.shared.log.lock().expect("log lock");
        log.iter()
            .filter(|e| e.operation == operation)
            .cloned()
            .collect()
    }

    /// How many `operation` requests reached the proxy so far, faulted or forwarded.
    pub(crate) fn seen(&self, operation: &str) -> u64 {
        let seen = self.shared.seen.lock().expect("seen lock");
        seen.get(operation).copied().unwrap_or(0)
    }
}

/// The operation a request is for: `X-Amz-Target` (JSON protocol), `Action=` in the form body
/// (query protocol: STS, RDS), Lambda's REST paths, else the last path segment (RPC v2 CBOR).
fn operation(method: &http::Method, headers: &HeaderMap, uri: &Uri, body: &[u8]) -> String {
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        return target.rsplit('.').next().unwrap_or(target).to_string();
    }
    if let Some(op) = lambda_operation(method, uri.path()) {
        return op.to_string();
    }
    let action = std::str::from_utf8(body)
        .ok()
        .and_then(|form| form.split('&').find_map(|p| p.strip_prefix("Action=")));
    match action {
        Some(action) => action.to_string(),
        None => uri
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// A Lambda REST call's operation from its method and path (`GET /2015-03-31/functions/` is
/// ListFunctions), for the calls the console makes.
fn lambda_operation(method: &http::Method, path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let get = method == http::Method::GET;
    Some(match parts.as_slice() {
        ["2015-03-31", "functions"] if get => "ListFunctions",
        ["2015-03-31", "event-source-mappings"] if get => "ListEventSourceMappings",
        ["2015-03-31", "event-source-mappings", _] if method == http::Method::PUT => {
            "UpdateEventSourceMapping"
        }
        ["2015-03-31", "functions", _, "aliases"] if get => "ListAliases",
        ["2015-03-31", "functions", _, "aliases", _] if method == http::Method::PUT => {
            "UpdateAlias"
        }
        ["2019-09-30", "functions", _, "concurrency"] if get => "GetFunctionConcurrency",
        ["2017-10-31", "functions", _, "concurrency"] if method == http::Method::PUT => {
            "PutFunctionConcurrency"
        }
        ["2017-03-31", "tags", ..] if get => "ListTags",
        ["2015-03-31", "functions", _, "invocations"] if method == http::Method::POST => "Invoke",
        _ => return None,
    })
}

/// The values of a query-protocol list parameter (`AlarmNames.member.1=…&AlarmNames.member.2=…`),
/// decoded.
fn form_list(body: &str, name: &str) -> Vec<String> {
    let prefix = format!("{name}.member.");
    body.split('&')
        .filter_map(|pair| pair.strip_prefix(&prefix))
        .filter_map(|rest| rest.split_once('='))
        .map(|(_, value)| decode_form(value))
        .collect()
}

/// A form-encoded value, decoded.
pub(crate) fn decode_form(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("20");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b' '));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Enable/DisableAlarmActions naming only composite alarms are answered here (moto knows none
/// of them), switching their actions.
fn composite_actions(proxy: &Shared, operation: &str, body: &str) -> Option<Response> {
    let enabled = match operation {
        "EnableAlarmActions" => true,
        "DisableAlarmActions" => false,
        _ => return None,
    };
    let names = form_list(body, "AlarmNames");
    let mut composites = proxy.composites.lock().expect("composites lock");
    let ours: Vec<&mut Composite> = composites
        .iter_mut()
        .filter(|c| names.contains(&c.name))
        .collect();
    if ours.is_empty() || ours.len() != names.len() {
        return None;
    }
    for c in ours {
        c.actions_enabled = enabled;
    }
    let xml = format!(
        "<{operation}Response xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><ResponseMetadata><RequestId>fixture</RequestId></ResponseMetadata></{operation}Response>"
    );
    Some(
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/xml")
            .body(Body::from(xml))
            .expect("a fixture answer"),
    )
}

/// moto's DescribeAlarms answer with the composite alarms added, when the request asks for them
/// (real CloudWatch answers metric alarms only without `AlarmTypes`) and its name filter, if
/// any, names them.
fn with_composites(proxy: &Shared, request: &str, answer: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(answer).into_owned();
    if !form_list(request, "AlarmTypes")
        .iter()
        .any(|t| t == "CompositeAlarm")
    {
        return text.into_bytes();
    }
    let names = form_list(request, "AlarmNames");
    let composites = proxy.composites.lock().expect("composites lock");
    let members: String = composites
        .iter()
        .filter(|c| names.is_empty() || names.contains(&c.name))
        .map(|c| {
            format!(
                "<member><ActionsEnabled>{}</ActionsEnabled><AlarmActions/><AlarmArn>{}</AlarmArn><AlarmConfigurationUpdatedTimestamp>2026-12-01T09:00:00.000Z</AlarmConfigurationUpdatedTimestamp><AlarmDescription>{}</AlarmDescription><AlarmName>{}</AlarmName><AlarmRule>{}</AlarmRule><InsufficientDataActions/><OKActions/><StateReason>{}</StateReason><StateUpdatedTimestamp>2026-12-07T09:00:00.000Z</StateUpdatedTimestamp><StateValue>{}</StateValue></member>",
                c.actions_enabled,
                xml_escape(&c.arn),
                xml_escape(&c.description),
                xml_escape(&c.name),
                xml_escape(&c.rule),
                if c.state == "ALARM" { "Alarm rule became TRUE" } else { "Alarm rule became FALSE" },
                c.state
            )
        })
        .collect();
    if members.is_empty() {
        return text.into_bytes();
    }
    let filled = if text.contains("<CompositeAlarms/>") {
        text.replacen(
            "<CompositeAlarms/>",
            &format!("<CompositeAlarms>{members}</CompositeAlarms>"),
            1,
        )
    } else if text.contains("<CompositeAlarms>") {
        text.replacen(
            "<CompositeAlarms>",
            &format!("<CompositeAlarms>{members}"),
            1,
        )
    } else {
        text.replacen(
            "<DescribeAlarmsResult>",
            &format!("<DescribeAlarmsResult><CompositeAlarms>{members}</CompositeAlarms>"),
            1,
        )
    };
    filled.into_bytes()
}

/// Counts a request in flight for its service until dropped.
struct InFlight {
    proxy: Arc<Shared>,
    service: String,
}

impl InFlight {
    fn enter(proxy: &Arc<Shared>, service: &str) -> Self {
        let mut counts = proxy.in_flight.lock().expect("in-flight lock");
        let entry = counts.entry(service.to_string()).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(entry.0);
        Self {
            proxy: proxy.clone(),
            service: service.to_string(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.proxy.in_flight.lock() {
            if let Some(entry) = counts.get_mut(&self.service) {
                entry.0 = entry.0.saturating_sub(1);
            }
        }
    }
}

async fn forward(State(proxy): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX).await.expect("request body");
    let operation = operation(&parts.method, &parts.headers, &parts.uri, &body);
    // SigV4: `Credential=<key>/<date>/<region>/<service>/aws4_request`
    let credential: Vec<String> = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("Credential=").nth(1))
        .and_then(|v| v.split([',', ' ']).next())
        .map(|scope| scope.split('/').map(str::to_string).collect())
        .unwrap_or_default();
    let part = |i: usize| credential.get(i).cloned().unwrap_or_default();
    let (access_key, signing_service) = (part(0), part(3));
    let request_text = String::from_utf8_lossy(&body).into_owned();
    let _in_flight = InFlight::enter(&proxy, &signing_service);
    *proxy
        .seen
        .lock()
        .expect("seen lock")
        .entry(operation.clone())
        .or_default() += 1;
    let fault = proxy
        .faults
        .lock()
        .expect("faults lock")
        .get(&operation)
        .cloned();
    let late = match fault {
        Some(Fault::Error { code, message }) => {
            return Fault::error_response(code, &message, StatusCode::BAD_REQUEST)
        }
        Some(Fault::XmlError {
            code,
            message,
            status,
        }) => return Fault::xml_response(code, &message, status),
        Some(Fault::Lost(delay)) => {
            tokio::time::sleep(delay).await;
            return Fault::error_response(
                "GatewayTimeout",
                "the proxy lost the request",
                StatusCode::GATEWAY_TIMEOUT,
            );
        }
        Some(Fault::Late(delay)) => Some(delay),
        Some(Fault::Replay(replay))
            if replay
                .when
                .as_deref()
                .is_none_or(|when| body.windows(when.len()).any(|w| w == when.as_bytes())) =>
        {
            let Some(answer) = replay.next() else {
                return Fault::error_response(
                    "NoRecording",
                    "the replay has no body",
                    StatusCode::INTERNAL_SERVER_ERROR,
                );
            };
            let content_type = if answer.starts_with('<') {
                "text/xml"
            } else {
                "application/x-amz-json-1.1"
            };
            // Logged like a forwarded exchange, so a test can read what was asked.
            proxy.log.lock().expect("log lock").push(Exchange {
                operation,
                access_key,
                request: request_text,
                response: answer.clone(),
            });
            return Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, content_type)
                .header("x-amzn-requestid", "fault-proxy-replay")
                .body(Body::from(answer))
                .expect("a replayed response");
        }
        Some(Fault::Replay(_)) | None => None,
    };
    if let Some(answer) = composite_actions(&proxy, &operation, &request_text) {
        return answer;
    }
    let hop_by_hop = [
        header::HOST,
        header::CONTENT_LENGTH,
        header::CONNECTION,
        header::TRANSFER_ENCODING,
    ];
    let mut headers = parts.headers;
    for name in &hop_by_hop {
        headers.remove(name);
    }
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let answer = proxy
        .client
        .request(parts.method, format!("{}{path}", proxy.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await
        .expect("moto answers the proxy");
    let status = answer.status();
    let mut headers = answer.headers().clone();
    for name in &hop_by_hop {
        headers.remove(name);
    }
    let body = answer.bytes().await.expect("moto's response body");
    let body = if operation == "DescribeAlarms" {
        axum::body::Bytes::from(with_composites(&proxy, &request_text, &body))
    } else {
        body
    };
    proxy.log.lock().expect("log lock").push(Exchange {
        operation,
        access_key,
        request: request_text,
        response: String::from_utf8_lossy(&body).into_owned(),
    });
    if let Some(delay) = late {
        tokio::time::sleep(delay).await;
    }
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

struct World {
    app: TestApp,
    account: Account,
    /// The service's task definition as seeded.
    task_definition: String,
}

/// Cluster `main` with service `web` (app `shop`, 2 tasks) in a fresh account, and a console
/// whose one environment `prod` reaches AWS at `endpoint` (moto itself when `None`).
async fn world(endpoint: Option<String>) -> World {
    let account = Account::new().await;
    account.cluster("main").await;
    let task_definition = account
        .task_definition("web", "registry.example/web:1.0.0")
        .await;
    account
        .service("main", "web", &task_definition, "shop", 2)
        .await;
    let mut env = TestEnv::new("prod", &account);
    env.endpoint = endpoint;
    let app = spawn_app(vec![env]).await;
    app.sign_in("ana", "operator").await;
    World {
        app,
        account,
        task_definition,
    }
}

/// The service as moto has it, read directly (not through the proxy).
pub(crate) async fn service_in_moto(account: &Account) -> aws_sdk_ecs::types::Service {
    let out = account
        .ecs
        .describe_services()
        .cluster("main")
        .services("web")
        .send()
        .await
        .expect("describe services");
    out.services()[0].clone()
}

/// Outcomes of `kind`'s audit rows, oldest first, with the detail of each.
pub(crate) async fn audit_rows(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = app
        .state
        .audit
        .recent(50)
        .await
        .expect("audit rows")
        .into_iter()
        .filter(|(_, e)| e.kind == kind)
        .map(|(_, e)| (e.outcome, e.detail.unwrap_or_default()))
        .collect();
    rows.reverse();
    rows
}

/// The ACTIVE revisions of family `web`, as moto has them.
pub(crate) async fn active_revisions(account: &Account) -> Vec<String> {
    account
        .ecs
        .list_task_definitions()
        .family_prefix("web")
        .status(aws_sdk_ecs::types::TaskDefinitionStatus::Active)
        .send()
        .await
        .expect("list task definitions")
        .task_definition_arns()
        .to_vec()
}

async fn audit_outcomes(app: &TestApp, kind: &str) -> Vec<String> {
    audit_rows(app, kind)
        .await
        .into_iter()
        .map(|(outcome, _)| outcome)
        .collect()
}

#[tokio::test]
async fn throttling_on_scale_is_reported_audited_and_changes_nothing() {
    let proxy = FaultProxy::start().await;
    let w = world(Some(proxy.url.clone())).await;
    assert!(
        proxy.seen("AssumeRole") > 0 && proxy.seen("DescribeServices") > 0,
        "the console signs in to and reads AWS through the proxy"
    );
    proxy.arm("UpdateService", Fault::throttling());
    let args = [
        ("env", "prod"),
        ("cluster", "main"),
        ("service", "web"),
        ("desired", "5"),
        ("key", "throttled-key-01"),
    ];
    let response = w.app.call("scale_service", &args).await;
    assert_eq!(response.status(), 502);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("prod") && body.contains("ThrottlingException: Rate exceeded"),
        "{body}"
    );
    assert_eq!(proxy.seen("UpdateService"), 1, "one attempt, no retries");
    let rows = audit_rows(&w.app, "scale").await;
    assert_eq!(
        rows,
        [
            ("requested".to_string(), "desired count 2 → 5".to_string()),
            (
                "failed".to_string(),
                "ThrottlingException: Rate exceeded".to_string()
            ),
        ]
    );
    assert_eq!(service_in_moto(&w.account).await.desired_count(), 2);
    // A retry with the same key is answered from the record: same failure, AWS not called.
    let again = w.app.call("scale_service", &args).await;
    assert_eq!(again.status(), 502);
    let again = again.text().await.expect("body");
    assert!(
        again.contains("ThrottlingException: Rate exceeded"),
        "{again}"
    );
    assert_eq!(
        proxy.seen("UpdateService"),
        1,
        "the retry did not reach AWS"
    );
    assert_eq!(
        audit_outcomes(&w.app, "scale").await,
        ["requested", "failed"]
    );
    assert_eq!(service_in_moto(&w.account).await.desired_count(), 2);
}

#[tokio::test]
async fn access_denied_on_redeploy_is_reported_and_audited() {
    let proxy = FaultProxy::start().await;
    let w = world(Some(proxy.url.clone())).await;
    proxy.arm("UpdateService", Fault::access_denied("ecs:UpdateService"));
    let response = w
        .app
        .call(
            "redeploy_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("key", "denied-key-0001"),
            ],
        )
        .await;
    assert_eq!(response.status(), 502);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("AccessDeniedException: User: arn:aws:sts::")
            && body.contains("is not authorized to perform: ecs:UpdateService"),
        "{body}"
    );
    assert_eq!(proxy.seen("UpdateService"), 1);
    let rows = audit_rows(&w.app, "redeploy").await;
    assert_eq!(
        rows.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(),
        ["requested", "failed"]
    );
    assert!(
        rows[1].1.starts_with("AccessDeniedException: "),
        "the failure row says why: {}",
        rows[1].1
    );
    let service = service_in_moto(&w.account).await;
    assert_eq!(
        (service.desired_count(), service.task_definition()),
        (2, Some(w.task_definition.as_str()))
    );
}

#[tokio::test]
async fn a_deploy_whose_service_update_fails_leaves_the_service_on_its_old_revision() {
    let proxy = FaultProxy::start().await;
    let w = world(Some(proxy.url.clone())).await;
    proxy.arm(
        "UpdateService",
        Fault::client_exception("TaskDefinition is not compatible with the service's launch type"),
    );
    let response = w
        .app
        .call(
            "deploy_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("container", "app"),
                ("image", "registry.example/web:1.1.0"),
                ("key", "deploy-fail-key-01"),
                ("reason", "release 1.1.0"),
            ],
        )
        .await;
    assert_eq!(response.status(), 502);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("ClientException: TaskDefinition is not compatible"),
        "{body}"
    );
    assert_eq!(
        (
            proxy.seen("RegisterTaskDefinition"),
            proxy.seen("UpdateService")
        ),
        (1, 1),
        "a new revision was registered, then the service update failed"
    );
    assert_eq!(
        audit_outcomes(&w.app, "deploy").await,
        ["requested", "failed"]
    );
    let service = service_in_moto(&w.account).await;
    assert_eq!(
        service.task_definition(),
        Some(w.task_definition.as_str()),
        "the service still runs the old revision"
    );
    // The revision registered for the failed deploy is not left ACTIVE for someone to pick.
    assert_eq!(
        active_revisions(&w.account).await,
        std::slice::from_ref(&w.task_definition),
        "only the original revision is ACTIVE"
    );
}

#[tokio::test]
async fn a_service_deleted_behind_the_consoles_back_fails_cleanly() {
    let proxy = FaultProxy::start().await;
    let w = world(Some(proxy.url.clone())).await;
    // After the console's first refresh the service is deleted in AWS; the console still lists it.
    w.account
        .ecs
        .update_service()
        .cluster("main")
        .service("web")
        .desired_count(0)
        .send()
        .await
        .expect("scale to zero in moto");
    w.account
        .ecs
        .delete_service()
        .cluster("main")
        .service("web")
        .force(true)
        .send()
        .await
        .expect("delete service in moto");
    // ECS would refuse to update a deleted (INACTIVE) service (moto 5.2.5 keeps it and accepts
    // the update, so the proxy stands ready with ECS's answer); the console reads the service
    // before changing it and never gets that far.
    proxy.arm(
        "UpdateService",
        Fault::new("ServiceNotActiveException", "Service was not ACTIVE."),
    );
    let response = w
        .app
        .call(
            "scale_service",
            &[
                ("env", "prod"),
                ("cluster", "main"),
                ("service", "web"),
                ("desired", "3"),
                ("key", "deleted-svc-key-01"),
            ],
        )
        .await;
    assert_eq!(response.status(), 409);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("changed since the review: the service no longer exists"),
        "{body}"
    );
    assert_eq!(
        proxy.seen("UpdateService"),
        0,
        "nothing was sent to change it"
    );
    let rows = audit_rows(&w.app, "scale").await;
    assert_eq!(
        rows.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(),
        ["requested", "failed"]
    );
    assert!(
        rows[1]
            .1
            .starts_with("changed since the review: the service no longer exists"),
        "{rows:?}"
    );
    let service = service_in_moto(&w.account).await;
    assert_eq!(
        (service.status(), service.desired_count()),
        (Some("INACTIVE"), 0),
        "still deleted, not scaled"
    );
    // The console carries on serving, the service page included.
    assert_eq!(w.app.get("/envs/prod").await.status(), 200);
    assert_eq!(
        w.app.get("/envs/prod/services/main/web").await.status(),
        200
    );
}

/// `/readyz` is anonymous: it names the environments whose refresh fails, never the SDK's
/// words, which carry role ARNs, account ids and endpoint addresses.
#[tokio::test]
async fn readyz_names_a_failing_environment_without_its_arn_account_or_endpoint() {
    let proxy = FaultProxy::start().await;
    proxy.arm("ListClusters", Fault::access_denied("ecs:ListClusters"));
    let denied = Account::new().await;
    let unreachable = Account::new().await;
    // A port nothing listens on: the refresh cannot connect.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let closed_url = format!("http://{closed}");
    let mut prod = TestEnv::new("prod", &denied);
    prod.endpoint = Some(proxy.url.clone());
    let mut edge = TestEnv::new("edge", &unreachable);
    edge.endpoint = Some(closed_url.clone());
    let app = spawn_app(vec![prod, edge]).await;
    let reasons: Vec<String> = app
        .state
        .inventory
        .slots()
        .iter()
        .map(|slot| {
            let status = slot.state().status;
            // A denied ECS fails that section; an unreachable endpoint fails every one.
            status.error.map(|e| e.message).unwrap_or_else(|| {
                status
                    .failed_sections
                    .iter()
                    .map(|f| format!("{}: {}", f.section.label(), f.error))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
        .collect();
    assert!(
        reasons[0].starts_with("ECS services: ") && reasons[0].contains("123456789012"),
        "the refresh failed with AWS's words: {reasons:?}"
    );
    assert!(!reasons[1].is_empty(), "{reasons:?}");

    let response = app.get("/readyz").await;
    assert_eq!(
        response.status(),
        200,
        "AWS problems are reported, not fatal"
    );
    let text = response.text().await.expect("body");
    for secret in [
        "arn:",
        "123456789012",
        "AccessDenied",
        "not authorized",
        denied.id.as_str(),
        unreachable.id.as_str(),
        proxy.url.as_str(),
        closed_url.as_str(),
        "127.0.0.1",
    ] {
        assert!(!text.contains(secret), "/readyz shows {secret:?}: {text}");
    }
    let body: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body["environments"][0]["env"], "prod");
    assert_eq!(body["environments"][0]["freshness"], "fresh");
    assert_eq!(
        body["environments"][0]["failed_sections"],
        serde_json::json!(["ECS services"])
    );
    assert_eq!(body["environments"][1]["env"], "edge");
    assert_eq!(body["environments"][1]["freshness"], "failing");
}

/// AWS-sourced text lands in the audit log (a failure's error code and message); one starting
/// with a tab or a carriage return must not reach a spreadsheet as a formula.
#[tokio::test]
async fn aws_text_starting_with_a_tab_or_carriage_return_is_defused_in_the_csv_export() {
    let proxy = FaultProxy::start().await;
    let w = world(Some(proxy.url.clone())).await;
    for (key, code) in [("csv-tab-key-01", "\t=1+2"), ("csv-cr-key-001", "\r=1+2")] {
        proxy.arm("UpdateService", Fault::new(code, "HYPERLINK"));
        let response = w
            .app
            .call(
                "scale_service",
                &[
                    ("env", "prod"),
                    ("cluster", "main"),
                    ("service", "web"),
                    ("desired", "3"),
                    ("key", key),
                ],
            )
            .await;
        assert_eq!(response.status(), 502, "{code:?}");
    }
    let details: Vec<String> = audit_rows(&w.app, "scale")
        .await
        .into_iter()
        .filter(|(outcome, _)| outcome == "failed")
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(
        details,
        ["\t=1+2: HYPERLINK", "\r=1+2: HYPERLINK"],
        "the audit keeps AWS's words as they are"
    );
    let csv = w
        .app
        .get_text("/audit/export.csv?kind=scale&outcome=failed")
        .await;
    assert!(csv.contains(",'\t=1+2: HYPERLINK,"), "{csv:?}");
    assert!(csv.contains(",\"'\r=1+2: HYPERLINK\","), "{csv:?}");
    assert!(
        !csv.contains(",\t=") && !csv.contains(",\"\r="),
        "no field starts with a tab or carriage return: {csv:?}"
    );
}
