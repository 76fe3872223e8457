//! One set of SDK clients per environment, built once at start-up: region, optional endpoint
//! override, AssumeRole into the environment's account, explicit timeouts and retries, and the
//! call-counting interceptor.

use super::call_stats::{CallCounter, CallStats};
use crate::config::{AwsSettings, EnvironmentSettings};
use app::domain::inventory::TaskDefinition;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_types::sdk_config::SharedCredentialsProvider;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The clients and caches of one environment.
pub struct EnvClients {
    pub(super) env: EnvironmentSettings,
    pub(super) ecs: aws_sdk_ecs::Client,
    pub(super) rds: aws_sdk_rds::Client,
    pub(super) cloudwatch: aws_sdk_cloudwatch::Client,
    /// Application Auto Scaling: the desired-count ranges of services.
    pub(super) autoscaling: aws_sdk_applicationautoscaling::Client,
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
            .operation_attempt_timeout(aws.operation_timeout)
            .build();
        let retries = RetryConfig::standard().with_max_attempts(aws.max_attempts);
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(env.region.clone()))
            .timeout_config(timeouts)
            .retry_config(retries);
        if let Some(url) = &env.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let base = loader.load().await;
        let config = match &env.role_arn {
            None => base,
            Some(role) => {
                let provider = aws_config::sts::AssumeRoleProvider::builder(role)
                    .session_name("quarterdeck")
                    .configure(&base)
                    .build()
                    .await;
                base.into_builder()
                    .credentials_provider(SharedCredentialsProvider::new(provider))
                    .build()
            }
        };
        let counter = CallCounter::new(env.id.as_str(), stats);
        let ecs = aws_sdk_ecs::Client::from_conf(
            aws_sdk_ecs::config::Builder::from(&config)
                .interceptor(counter.clone())
                .build(),
        );
        let rds = aws_sdk_rds::Client::from_conf(
            aws_sdk_rds::config::Builder::from(&config)
                .interceptor(counter.clone())
                .build(),
        );
        let cloudwatch = aws_sdk_cloudwatch::Client::from_conf(
            aws_sdk_cloudwatch::config::Builder::from(&config)
                .interceptor(counter.clone())
                .build(),
        );
        let autoscaling = aws_sdk_applicationautoscaling::Client::from_conf(
            aws_sdk_applicationautoscaling::config::Builder::from(&config)
                .interceptor(counter)
                .build(),
        );
        Self {
            env: env.clone(),
            ecs,
            rds,
            cloudwatch,
            autoscaling,
            concurrency: aws.concurrency,
            task_definitions: Mutex::new(HashMap::new()),
            listed_revisions: Mutex::new(HashMap::new()),
            // Checked when the settings were loaded.
            alarm_scope: env.alarms.scope("alarms").unwrap_or_default(),
            alarm_tags: Mutex::new(HashMap::new()),
        }
    }
}
