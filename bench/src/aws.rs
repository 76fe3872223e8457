//! SDK clients for one moto account, as the console builds them: AssumeRole into
//! `arn:aws:iam::<account>:role/quarterdeck` (moto maps the returned keys to that account), with a
//! counter of every call attempt.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::sdk_config::SharedCredentialsProvider;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The three environments, as in the demo: (id, account).
pub const ACCOUNTS: [(&str, &str); 3] = [
    ("dev", "111111111111"),
    ("staging", "222222222222"),
    ("prod", "333333333333"),
];

pub const REGION: &str = "eu-west-1";
/// The emulator accepts any keys; these are the ones the project's scripts use.
pub const ACCESS_KEY: &str = "quarterdeck-demo";

/// Counts call attempts (pages included) of every client it is installed on.
#[derive(Debug, Clone, Default)]
pub struct CallCount(Arc<AtomicU64>);

impl CallCount {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Intercept for CallCount {
    fn name(&self) -> &'static str {
        "BenchCallCount"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The clients of one account.
pub struct Account {
    pub env: &'static str,
    pub ecs: aws_sdk_ecs::Client,
    pub rds: aws_sdk_rds::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub autoscaling: aws_sdk_applicationautoscaling::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub lambda: aws_sdk_lambda::Client,
    /// The account's id and the emulator's address, for IAM's query API (no IAM client here).
    pub account: String,
    pub moto: String,
}

pub async fn config(moto: &str, account: &str) -> SdkConfig {
    let base = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(moto)
        .credentials_provider(Credentials::new(
            ACCESS_KEY, ACCESS_KEY, None, None, "bench",
        ))
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        )
        .load()
        .await;
    let provider = aws_config::sts::AssumeRoleProvider::builder(format!(
        "arn:aws:iam::{account}:role/quarterdeck"
    ))
    .session_name("bench")
    .configure(&base)
    .build()
    .await;
    base.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

impl Account {
    /// Clients for `env` on the moto at `moto`, counting into `count`.
    pub async fn connect(moto: &str, env: &'static str, account: &str, count: CallCount) -> Self {
        let config = config(moto, account).await;
        Self {
            env,
            ecs: aws_sdk_ecs::Client::from_conf(
                aws_sdk_ecs::config::Builder::from(&config)
                    .interceptor(count.clone())
                    .build(),
            ),
            rds: aws_sdk_rds::Client::from_conf(
                aws_sdk_rds::config::Builder::from(&config)
                    .interceptor(count.clone())
                    .build(),
            ),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(&config)
                    .interceptor(count.clone())
                    .build(),
            ),
            autoscaling: aws_sdk_applicationautoscaling::Client::from_conf(
                aws_sdk_applicationautoscaling::config::Builder::from(&config)
                    .interceptor(count.clone())
                    .build(),
            ),
            sqs: aws_sdk_sqs::Client::from_conf(
                aws_sdk_sqs::config::Builder::from(&config)
                    .interceptor(count.clone())
                    .build(),
            ),
            lambda: aws_sdk_lambda::Client::from_conf(
                aws_sdk_lambda::config::Builder::from(&config)
                    .interceptor(count)
                    .build(),
            ),
            account: account.to_string(),
            moto: moto.to_string(),
        }
    }

    /// All three accounts.
    pub async fn all(moto: &str, count: &CallCount) -> Vec<Account> {
        let mut out = Vec::new();
        for (env, account) in ACCOUNTS {
            out.push(Account::connect(moto, env, account, count.clone()).await);
        }
        out
    }
}

/// A short text for an SDK error: its code and message, or its chain.
pub fn describe<E: std::error::Error>(e: E) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
