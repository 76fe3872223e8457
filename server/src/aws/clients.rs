//! One set of SDK clients per environment, built once at start-up: region, optional endpoint
//! override, AssumeRole into the environment's account (with its external id), explicit
//! timeouts and retries, and the call-counting interceptor. Reads run under the console's own
//! role session; an action's calls run under a session named after its operator
//! ([`EnvClients::acting`]), with the operator as SourceIdentity where the environment asks.

use super::call_stats::{CallCounter, CallStats};
use crate::config::{AwsSettings, EnvironmentSettings};
use app::domain::acting::AwsActor;
use app::domain::inventory::TaskDefinition;
use app::ports::ActionFailure;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_types::sdk_config::SharedCredentialsProvider;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// A service's client from `config`, through `http` (the service's limited HTTP client), with
/// the call counter.
macro_rules! sdk_client {
    ($krate:ident, $config:expr, $http:expr, $counter:expr) => {{
        $krate::Client::from_conf(
            $krate::config::Builder::from($config)
                .http_client($http)
                .interceptor($counter)
                .build(),
        )
    }};
}

/// How long an operator's role session is asked for (STS's minimum), and how long before its
/// end it is no longer handed out.
const OPERATOR_SESSION: Duration = Duration::from_secs(900);
const OPERATOR_SESSION_MARGIN: Duration = Duration::from_secs(300);

/// The clients an action's changes are made with: under the operator's role session where the
/// environment assumes a role, else the environment's own clients' credentials.
#[derive(Debug)]
pub struct ActingClients {
    pub(super) ecs: aws_sdk_ecs::Client,
    pub(super) rds: aws_sdk_rds::Client,
    pub(super) cloudwatch: aws_sdk_cloudwatch::Client,
    pub(super) autoscaling: aws_sdk_applicationautoscaling::Client,
    pub(super) sqs: aws_sdk_sqs::Client,
    pub(super) lambda: aws_sdk_lambda::Client,
    pub(super) events: aws_sdk_eventbridge::Client,
    pub(super) scheduler: aws_sdk_scheduler::Client,
    pub(super) asg: aws_sdk_autoscaling::Client,
    /// When these credentials stop being handed out; `None` for the environment's own.
    renew_after: Option<SystemTime>,
}

/// The clients and caches of one environment.
pub struct EnvClients {
    pub(super) env: EnvironmentSettings,
    pub(super) ecs: aws_sdk_ecs::Client,
    pub(super) rds: aws_sdk_rds::Client,
    pub(super) cloudwatch: aws_sdk_cloudwatch::Client,
    /// Application Auto Scaling: the desired-count ranges of services.
    pub(super) autoscaling: aws_sdk_applicationautoscaling::Client,
    /// Elastic Load Balancing (v2): target groups and their targets' health; read only.
    pub(super) elb: aws_sdk_elasticloadbalancingv2::Client,
    /// CloudWatch Logs: read when a person asks, and by the shared pollers of followed logs.
    pub(super) logs: aws_sdk_cloudwatchlogs::Client,
    /// SQS: queues' depth, redrive policies and tags, in the details cycle.
    pub(super) sqs: aws_sdk_sqs::Client,
    /// Lambda: functions, versions, aliases, concurrency and event source mappings, in the
    /// details cycle.
    pub(super) lambda: aws_sdk_lambda::Client,
    /// EventBridge: rules with a schedule expression and their targets, in the details cycle.
    pub(super) events: aws_sdk_eventbridge::Client,
    /// EventBridge Scheduler: schedules and their targets, in the details cycle.
    pub(super) scheduler: aws_sdk_scheduler::Client,
    /// EC2 Auto Scaling: groups, their activities and instance refreshes, in the details cycle.
    pub(super) asg: aws_sdk_autoscaling::Client,
    /// Calls in flight at once within one refresh.
    pub(super) concurrency: usize,
    /// Task-definition revisions are immutable: cached by ARN for the life of the process.
    pub(super) task_definitions: Mutex<HashMap<String, TaskDefinition>>,
    /// Each family's latest revision ARNs as last listed, newest first.
    pub(super) listed_revisions: Mutex<HashMap<String, Vec<String>>>,
    /// Which alarms this environment shows.
    pub(super) alarm_scope: app::domain::alarm_scope::AlarmScope,
    /// Alarms' tags by ARN, read once each, and only when the scope has tag rules.
    pub(super) alarm_tags: Mutex<HashMap<String, Vec<(String, String)>>>,
    /// The configuration before any role is assumed, with the call counter: operators'
    /// sessions are assumed from it.
    base: aws_config::SdkConfig,
    counter: CallCounter,
    /// STS, with the base credentials, for operators' sessions.
    sts: aws_sdk_sts::Client,
    /// Operators' sessions by role session name and SourceIdentity, reused until near their end.
    acting: Mutex<HashMap<AwsActor, Arc<ActingClients>>>,
    /// Without an assumed role there is one identity: the environment's own clients.
    own: Arc<ActingClients>,
    /// The calls-in-flight limit of each AWS service, shared by every client of it here.
    limits: Limits,
}

/// One HTTP client per AWS service of an environment, each with its own limit on calls in
/// flight.
#[derive(Debug, Clone)]
struct Limits {
    ecs: aws_smithy_runtime_api::client::http::SharedHttpClient,
    rds: aws_smithy_runtime_api::client::http::SharedHttpClient,
    cloudwatch: aws_smithy_runtime_api::client::http::SharedHttpClient,
    autoscaling: aws_smithy_runtime_api::client::http::SharedHttpClient,
    elb: aws_smithy_runtime_api::client::http::SharedHttpClient,
    logs: aws_smithy_runtime_api::client::http::SharedHttpClient,
    sqs: aws_smithy_runtime_api::client::http::SharedHttpClient,
    lambda: aws_smithy_runtime_api::client::http::SharedHttpClient,
    events: aws_smithy_runtime_api::client::http::SharedHttpClient,
    scheduler: aws_smithy_runtime_api::client::http::SharedHttpClient,
    asg: aws_smithy_runtime_api::client::http::SharedHttpClient,
}

impl Limits {
    /// The SDK's own HTTPS client (rustls on aws-lc, proxies from the environment), one per
    /// service, each behind its own limit.
    fn new(limit: usize) -> Self {
        let make = || {
            let inner = aws_smithy_http_client::Builder::new().build_with_connector_fn(
                |settings, components| {
                    use aws_smithy_http_client::{proxy::ProxyConfig, tls, ConnectorBuilder};
                    let mut builder = ConnectorBuilder::default().tls_provider(
                        tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc),
                    );
                    builder.set_connector_settings(settings.cloned());
                    if let Some(components) = components {
                        builder.set_sleep_impl(components.sleep_impl());
                    }
                    builder.set_proxy_config(Some(ProxyConfig::from_env()));
                    builder.build()
                },
            );
            super::limiter::LimitedClient::new(inner, limit).shared()
        };
        Self {
            ecs: make(),
            rds: make(),
            cloudwatch: make(),
            autoscaling: make(),
            elb: make(),
            logs: make(),
            sqs: make(),
            lambda: make(),
            events: make(),
            scheduler: make(),
            asg: make(),
        }
    }
}

impl std::fmt::Debug for EnvClients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvClients")
            .field("env", &self.env.id)
            .finish_non_exhaustive()
    }
}

impl EnvClients {
    /// The environment these clients act in.
    pub fn env_id(&self) -> &app::domain::ids::EnvId {
        &self.env.id
    }

    pub async fn build(
        env: &EnvironmentSettings,
        aws: &AwsSettings,
        stats: Arc<CallStats>,
    ) -> Self {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(aws.connect_timeout)
            .operation_timeout(aws.operation_timeout)
            .operation_attempt_timeout(aws.attempt_timeout)
            .build();
        // Adaptive: on throttling the client also slows its own sending rate, instead of
        // spending its retries as fast as the standard mode would.
        let retries = RetryConfig::adaptive().with_max_attempts(aws.max_attempts);
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(env.region.clone()))
            .timeout_config(timeouts)
            .retry_config(retries);
        if let Some(url) = &env.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let base = loader.load().await;
        let config = match &env.role_arn {
            None => base.clone(),
            Some(role) => {
                let mut provider = aws_config::sts::AssumeRoleProvider::builder(role)
                    .session_name(AwsActor::console().session_name)
                    .configure(&base);
                if let Some(external_id) = &env.external_id {
                    provider = provider.external_id(external_id);
                }
                let provider = provider.build().await;
                base.clone()
                    .into_builder()
                    .credentials_provider(SharedCredentialsProvider::new(provider))
                    .build()
            }
        };
        let counter = CallCounter::new(env.id.as_str(), stats);
        let limits = Limits::new(aws.concurrency);
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&base)
                .interceptor(counter.clone())
                .build(),
        );
        let ecs = sdk_client!(aws_sdk_ecs, &config, limits.ecs.clone(), counter.clone());
        let rds = sdk_client!(aws_sdk_rds, &config, limits.rds.clone(), counter.clone());
        let cloudwatch = sdk_client!(
            aws_sdk_cloudwatch,
            &config,
            limits.cloudwatch.clone(),
            counter.clone()
        );
        let autoscaling = sdk_client!(
            aws_sdk_applicationautoscaling,
            &config,
            limits.autoscaling.clone(),
            counter.clone()
        );
        let elb = sdk_client!(
            aws_sdk_elasticloadbalancingv2,
            &config,
            limits.elb.clone(),
            counter.clone()
        );
        let logs = sdk_client!(
            aws_sdk_cloudwatchlogs,
            &config,
            limits.logs.clone(),
            counter.clone()
        );
        let sqs = sdk_client!(aws_sdk_sqs, &config, limits.sqs.clone(), counter.clone());
        let lambda = sdk_client!(
            aws_sdk_lambda,
            &config,
            limits.lambda.clone(),
            counter.clone()
        );
        let events = sdk_client!(
            aws_sdk_eventbridge,
            &config,
            limits.events.clone(),
            counter.clone()
        );
        let scheduler = sdk_client!(
            aws_sdk_scheduler,
            &config,
            limits.scheduler.clone(),
            counter.clone()
        );
        let asg = sdk_client!(
            aws_sdk_autoscaling,
            &config,
            limits.asg.clone(),
            counter.clone()
        );
        let own = Arc::new(ActingClients {
            ecs: ecs.clone(),
            rds: rds.clone(),
            cloudwatch: cloudwatch.clone(),
            autoscaling: autoscaling.clone(),
            sqs: sqs.clone(),
            lambda: lambda.clone(),
            events: events.clone(),
            scheduler: scheduler.clone(),
            asg: asg.clone(),
            renew_after: None,
        });
        Self {
            env: env.clone(),
            ecs,
            rds,
            cloudwatch,
            autoscaling,
            elb,
            logs,
            sqs,
            lambda,
            events,
            scheduler,
            asg,
            concurrency: aws.concurrency,
            task_definitions: Mutex::new(HashMap::new()),
            listed_revisions: Mutex::new(HashMap::new()),
            // Checked when the settings were loaded.
            alarm_scope: env.alarms.scope("alarms").unwrap_or_default(),
            alarm_tags: Mutex::new(HashMap::new()),
            base,
            counter,
            sts,
            acting: Mutex::new(HashMap::new()),
            own,
            limits,
        }
    }

    /// The clients `actor`'s changes are made with. Where the environment assumes a role, a
    /// role session named after the operator (STS AssumeRole with the environment's external id,
    /// and the operator as SourceIdentity when `source_identity` is on), reused for a few
    /// minutes; else the environment's own clients. A refused AssumeRole changes nothing and
    /// says why.
    pub(super) async fn acting(
        &self,
        actor: &AwsActor,
    ) -> Result<Arc<ActingClients>, ActionFailure> {
        let Some(role) = &self.env.role_arn else {
            return Ok(self.own.clone());
        };
        let now = SystemTime::now();
        if let Ok(sessions) = self.acting.lock() {
            if let Some(found) = sessions.get(actor) {
                if found.renew_after.is_some_and(|end| now < end) {
                    return Ok(found.clone());
                }
            }
        }
        let mut request = self
            .sts
            .assume_role()
            .role_arn(role)
            .role_session_name(&actor.session_name)
            .duration_seconds(OPERATOR_SESSION.as_secs() as i32)
            .set_external_id(self.env.external_id.clone());
        if self.env.source_identity {
            request = request.source_identity(&actor.source_identity);
        }
        let out = request.send().await.map_err(|e| {
            let mut failure = super::failure::failure(e);
            // Nothing was changed: the change was never sent.
            failure.outcome = app::domain::execution::CallOutcome::NotApplied;
            failure.message = format!(
                "could not assume {role} as {}: {}",
                actor.session_name, failure.message
            );
            failure
        })?;
        let Some(granted) = out.credentials() else {
            return Err(ActionFailure::refused(
                "AssumeRoleFailed",
                format!(
                    "STS returned no credentials for {role} as {}",
                    actor.session_name
                ),
            ));
        };
        let expires =
            SystemTime::try_from(*granted.expiration()).unwrap_or_else(|_| now + OPERATOR_SESSION);
        let credentials = aws_sdk_sts::config::Credentials::new(
            granted.access_key_id(),
            granted.secret_access_key(),
            Some(granted.session_token().to_string()),
            Some(expires),
            "quarterdeck-operator-session",
        );
        let config = self
            .base
            .clone()
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build();
        let acting = Arc::new(ActingClients {
            ecs: sdk_client!(
                aws_sdk_ecs,
                &config,
                self.limits.ecs.clone(),
                self.counter.clone()
            ),
            rds: sdk_client!(
                aws_sdk_rds,
                &config,
                self.limits.rds.clone(),
                self.counter.clone()
            ),
            cloudwatch: sdk_client!(
                aws_sdk_cloudwatch,
                &config,
                self.limits.cloudwatch.clone(),
                self.counter.clone()
            ),
            autoscaling: sdk_client!(
                aws_sdk_applicationautoscaling,
                &config,
                self.limits.autoscaling.clone(),
                self.counter.clone()
            ),
            sqs: sdk_client!(
                aws_sdk_sqs,
                &config,
                self.limits.sqs.clone(),
                self.counter.clone()
            ),
            lambda: sdk_client!(
                aws_sdk_lambda,
                &config,
                self.limits.lambda.clone(),
                self.counter.clone()
            ),
            events: sdk_client!(
                aws_sdk_eventbridge,
                &config,
                self.limits.events.clone(),
                self.counter.clone()
            ),
            scheduler: sdk_client!(
                aws_sdk_scheduler,
                &config,
                self.limits.scheduler.clone(),
                self.counter.clone()
            ),
            asg: sdk_client!(
                aws_sdk_autoscaling,
                &config,
                self.limits.asg.clone(),
                self.counter.clone()
            ),
            renew_after: Some(expires.checked_sub(OPERATOR_SESSION_MARGIN).unwrap_or(now)),
        });
        if let Ok(mut sessions) = self.acting.lock() {
            sessions.retain(|_, s| s.renew_after.is_some_and(|end| now < end));
            sessions.insert(actor.clone(), acting.clone());
        }
        Ok(acting)
    }
}
