//! Counts every AWS call attempt by environment, service, operation and purpose, with errors,
//! throttles and latency, through an SDK interceptor, in `prometheus-client` families. Feeds
//! `/metrics`, the benchmark and the tests that prove page views make no AWS calls.
//!
//! The purpose (inventory refresh, details, the alarm poller, an action…) is a task-local set
//! around the work that makes the calls ([`with_purpose`]); the SDK runs its interceptors in the
//! caller's task, so every call made inside that future carries it. Calls made outside any
//! scope are `other`.

use crate::http_metrics::{latency_family, LatencyFamily};
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::future::Future;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why an AWS call was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// A full inventory refresh (background or asked for).
    Inventory,
    /// Metric series, tasks and task-definition revisions.
    Details,
    /// The targeted re-read of one resource after an action.
    Resource,
    /// The alarm poller.
    Poller,
    /// An operator's action (the mutation itself).
    Action,
    /// The rollout follower reading the services whose rollouts it follows.
    Rollout,
    /// A person reading logs (a page, a download, a Logs Insights query).
    Logs,
    /// The shared pollers of followed logs.
    Follow,
    /// Anything not inside a scope.
    Other,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Inventory => "inventory",
            Purpose::Details => "details",
            Purpose::Resource => "resource",
            Purpose::Poller => "poller",
            Purpose::Action => "action",
            Purpose::Rollout => "rollout",
            Purpose::Logs => "logs",
            Purpose::Follow => "follow",
            Purpose::Other => "other",
        }
    }

    /// The purpose of the work running now (`Other` outside any scope).
    pub(crate) fn current() -> Purpose {
        PURPOSE.try_with(|p| *p).unwrap_or(Purpose::Other)
    }

    /// Background reading nobody waits on (a refresh, a details cycle): it may not take the
    /// last permit of a service's limit, which stays for the alarm poller, actions and people.
    pub(crate) fn is_bulk(self) -> bool {
        matches!(self, Purpose::Inventory | Purpose::Details)
    }
}

impl EncodeLabelValue for Purpose {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.as_str())
    }
}

tokio::task_local! {
    static PURPOSE: Purpose;
}

/// Runs `work` with its AWS calls counted under `purpose`, unless it already runs inside a
/// purpose of its own (a follower's poll that reads logs stays `follow`).
pub async fn with_default_purpose<F: Future>(purpose: Purpose, work: F) -> F::Output {
    if PURPOSE.try_with(|_| ()).is_ok() {
        work.await
    } else {
        PURPOSE.scope(purpose, work).await
    }
}

/// Runs `work` with its AWS calls counted under `purpose`.
pub async fn with_purpose<F: Future>(purpose: Purpose, work: F) -> F::Output {
    PURPOSE.scope(purpose, work).await
}

/// Totals for one (env, service, operation, purpose).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallTotals {
    pub attempts: u64,
    pub errors: u64,
    pub throttles: u64,
    pub seconds: f64,
}

/// The labels of every AWS call series, in this order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, EncodeLabelSet)]
pub struct CallKey {
    pub env: String,
    pub service: String,
    pub operation: String,
    pub purpose: Purpose,
}

/// The labels of the metric-queries series: CloudWatch bills GetMetricData by the metric.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, EncodeLabelSet)]
pub struct MetricQueriesKey {
    pub env: String,
    pub purpose: Purpose,
}

/// Shared by all environments' interceptors.
#[derive(Debug)]
pub struct CallStats {
    attempts: Family<CallKey, Counter>,
    /// Metric queries sent in GetMetricData attempts.
    metric_queries: Family<MetricQueriesKey, Counter>,
    errors: Family<CallKey, Counter>,
    throttles: Family<CallKey, Counter>,
    seconds: Family<CallKey, Counter<f64, AtomicU64>>,
    /// Call latency.
    latency: LatencyFamily<CallKey>,
    /// Every key seen, for [`CallStats::snapshot`]: a family cannot be listed.
    keys: Mutex<BTreeSet<CallKey>>,
}

impl Default for CallStats {
    fn default() -> Self {
        Self {
            attempts: Family::default(),
            metric_queries: Family::default(),
            errors: Family::default(),
            throttles: Family::default(),
            seconds: Family::default(),
            latency: latency_family(),
            keys: Mutex::default(),
        }
    }
}

impl CallStats {
    pub fn snapshot(&self) -> BTreeMap<CallKey, CallTotals> {
        let keys = self.keys.lock().map(|k| k.clone()).unwrap_or_default();
        keys.into_iter()
            .map(|key| {
                let totals = CallTotals {
                    attempts: self.attempts.get_or_create(&key).get(),
                    errors: self.errors.get_or_create(&key).get(),
                    throttles: self.throttles.get_or_create(&key).get(),
                    seconds: self.seconds.get_or_create(&key).get(),
                };
                (key, totals)
            })
            .collect()
    }

    /// Total attempts across everything, for quick assertions.
    pub fn total_attempts(&self) -> u64 {
        self.snapshot().values().map(|t| t.attempts).sum()
    }

    /// Adds the AWS call families to a scrape's registry.
    pub fn register(&self, registry: &mut Registry) {
        // The registry appends `_total` to counters and a full stop to help texts.
        registry.register(
            "quarterdeck_aws_calls",
            "AWS API call attempts",
            self.attempts.clone(),
        );
        registry.register(
            "quarterdeck_aws_metric_queries",
            "CloudWatch GetMetricData metric queries sent, each billed as one metric",
            self.metric_queries.clone(),
        );
        registry.register(
            "quarterdeck_aws_call_errors",
            "AWS API calls that ended in an error",
            self.errors.clone(),
        );
        registry.register(
            "quarterdeck_aws_call_throttles",
            "AWS API calls throttled",
            self.throttles.clone(),
        );
        registry.register(
            "quarterdeck_aws_call_seconds",
            "Time spent in AWS API calls",
            self.seconds.clone(),
        );
        registry.register(
            "quarterdeck_aws_call_duration_seconds",
            "Latency of AWS API call attempts",
            self.latency.clone(),
        );
    }

    /// Remembers `key`; the first time, creates its series in every family, so each family
    /// lists the same keys (a call that failed before it was sent shows 0 attempts).
    fn seen(&self, key: &CallKey) {
        let Ok(mut keys) = self.keys.lock() else {
            return;
        };
        if !keys.contains(key) {
            keys.insert(key.clone());
            // Creating the series is all that is wanted here; each guard goes at once.
            let _ = self.attempts.get_or_create(key);
            let _ = self.errors.get_or_create(key);
            let _ = self.throttles.get_or_create(key);
            let _ = self.seconds.get_or_create(key);
            let _ = self.latency.get_or_create(key);
        }
    }

    fn attempted(&self, key: &CallKey) {
        self.seen(key);
        self.attempts.get_or_create(key).inc();
    }

    fn finished(&self, key: &CallKey, seconds: f64, failed: bool) {
        self.seen(key);
        self.seconds.get_or_create(key).inc_by(seconds);
        self.latency.get_or_create(key).observe(seconds);
        if failed {
            self.errors.get_or_create(key).inc();
        }
    }

    fn queried_metrics(&self, key: &CallKey, queries: usize) {
        let key = MetricQueriesKey {
            env: key.env.clone(),
            purpose: key.purpose,
        };
        self.metric_queries
            .get_or_create(&key)
            .inc_by(u64::try_from(queries).unwrap_or(u64::MAX));
    }

    /// Metric queries sent so far, all environments and purposes together.
    pub fn total_metric_queries(&self) -> u64 {
        self.keys
            .lock()
            .map(|keys| {
                keys.iter()
                    .map(|k| (k.env.clone(), k.purpose))
                    .collect::<BTreeSet<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|(env, purpose)| {
                self.metric_queries
                    .get_or_create(&MetricQueriesKey { env, purpose })
                    .get()
            })
            .sum()
    }

    fn throttled(&self, key: &CallKey) {
        self.seen(key);
        self.throttles.get_or_create(key).inc();
    }
}

/// The error codes AWS throttles with, across its services and protocols.
const THROTTLE_CODES: [&str; 10] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
];

/// Whether an attempt's answer says it was throttled: HTTP 429, or a throttling code in the
/// `x-amzn-errortype` header (JSON protocols), in a JSON body's `__type`/`code`, or in an XML
/// body's `<Code>` (the query protocol of RDS, STS and CloudWatch, which answers 400).
pub fn is_throttle(status: u16, error_type: Option<&str>, body: Option<&[u8]>) -> bool {
    if status == 429 {
        return true;
    }
    if status < 400 {
        return false;
    }
    let named = |code: &str| {
        // `aws.protocoltests#ThrottlingException` or `ThrottlingException:http://…`.
        let code = code.rsplit('#').next().unwrap_or(code);
        let code = code.split(':').next().unwrap_or(code).trim();
        THROTTLE_CODES.contains(&code)
    };
    if error_type.is_some_and(named) {
        return true;
    }
    let Some(body) = body.and_then(|b| std::str::from_utf8(b).ok()) else {
        return false;
    };
    if let Some(rest) = body.split("<Code>").nth(1) {
        return rest.split("</Code>").next().is_some_and(named);
    }
    serde_json::from_str::<serde_json::Value>(body).is_ok_and(|doc| {
        ["__type", "code", "Code"]
            .iter()
            .any(|k| doc[k].as_str().is_some_and(named))
    })
}

#[derive(Debug, Clone)]
struct StartedAt(Instant);

impl Storable for StartedAt {
    type Storer = StoreReplace<Self>;
}

/// How many metric queries a GetMetricData call carries, counted again for each attempt.
#[derive(Debug, Clone)]
struct MetricQueries(usize);

impl Storable for MetricQueries {
    type Storer = StoreReplace<Self>;
}

/// The interceptor installed on every client of one environment.
#[derive(Debug, Clone)]
pub struct CallCounter {
    env: String,
    stats: Arc<CallStats>,
}

impl CallCounter {
    pub fn new(env: &str, stats: Arc<CallStats>) -> Self {
        Self {
            env: env.to_string(),
            stats,
        }
    }

    fn key(&self, cfg: &ConfigBag) -> CallKey {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map(|m| (m.service().to_string(), m.name().to_string()))
            .unwrap_or_else(|| ("unknown".into(), "unknown".into()));
        CallKey {
            env: self.env.clone(),
            service,
            operation,
            purpose: Purpose::current(),
        }
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "QuarterdeckCallCounter"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(StartedAt(Instant::now()));
        if let Some(input) = context.input().downcast_ref::<GetMetricDataInput>() {
            cfg.interceptor_state()
                .store_put(MetricQueries(input.metric_data_queries().len()));
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let key = self.key(cfg);
        self.stats.attempted(&key);
        if let Some(MetricQueries(n)) = cfg.load::<MetricQueries>() {
            self.stats.queried_metrics(&key, *n);
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let elapsed = cfg
            .load::<StartedAt>()
            .map(|s| s.0.elapsed().as_secs_f64())
            .unwrap_or(0.0);
        let failed = matches!(context.output_or_error(), Some(Err(_)));
        self.stats.finished(&self.key(cfg), elapsed, failed);
        Ok(())
    }

    /// Each attempt is judged on its own: a call whose first two attempts were throttled and
    /// whose third succeeded counts two throttles.
    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let throttled = context.response().is_some_and(|r| {
            is_throttle(
                r.status().as_u16(),
                r.headers().get("x-amzn-errortype"),
                r.body().bytes(),
            )
        });
        if throttled {
            self.stats.throttled(&self.key(cfg));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_throttle;

    #[test]
    fn throttles_are_recognised_whatever_the_protocol() {
        let xml = br#"<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>a</RequestId></ErrorResponse>"#;
        let xml_denied = br#"<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>"#;
        let json = br#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
        let json_namespaced =
            br#"{"__type":"com.amazonaws.ecs#ThrottlingException","message":"Rate exceeded"}"#;
        let json_other = br#"{"__type":"ClientException","message":"no"}"#;
        // (status, x-amzn-errortype, body) → throttled
        type Case<'a> = (u16, Option<&'a str>, Option<&'a [u8]>, bool);
        let cases: [Case; 11] = [
            (429, None, None, true),
            (
                400,
                Some("ThrottlingException:http://internal.amazon.com/"),
                None,
                true,
            ),
            (400, Some("RequestLimitExceeded"), None, true),
            (400, Some("ClientException"), Some(json_other), false),
            (400, None, Some(xml), true),
            (403, None, Some(xml_denied), false),
            (400, None, Some(json), true),
            (400, None, Some(json_namespaced), true),
            (400, None, Some(json_other), false),
            (200, None, Some(json), false),
            (503, None, Some(b"not a body we read"), false),
        ];
        for (status, header, body, want) in cases {
            assert_eq!(
                is_throttle(status, header, body),
                want,
                "{status} {header:?} {:?}",
                body.map(String::from_utf8_lossy)
            );
        }
    }
}
