//! Counts every AWS call attempt by environment, service, operation and purpose, with errors,
//! throttles and latency, through an SDK interceptor. Feeds `/metrics`, the benchmark and the
//! tests that prove page views make no AWS calls.
//!
//! The purpose (inventory refresh, details, the alarm poller, an action…) is a task-local set
//! around the work that makes the calls ([`with_purpose`]); the SDK runs its interceptors in the
//! caller's task, so every call made inside that future carries it. Calls made outside any
//! scope are `other`.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why an AWS call was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
            Purpose::Other => "other",
        }
    }

    fn current() -> Purpose {
        PURPOSE.try_with(|p| *p).unwrap_or(Purpose::Other)
    }
}

tokio::task_local! {
    static PURPOSE: Purpose;
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
    /// Call latency.
    pub latency: crate::http_metrics::Histogram,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CallKey {
    pub env: String,
    pub service: String,
    pub operation: String,
    pub purpose: Purpose,
}

/// Shared by all environments' interceptors.
#[derive(Debug, Default)]
pub struct CallStats {
    totals: Mutex<BTreeMap<CallKey, CallTotals>>,
}

impl CallStats {
    pub fn snapshot(&self) -> BTreeMap<CallKey, CallTotals> {
        self.totals.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Total attempts across everything, for quick assertions.
    pub fn total_attempts(&self) -> u64 {
        self.snapshot().values().map(|t| t.attempts).sum()
    }

    fn update(&self, key: CallKey, f: impl FnOnce(&mut CallTotals)) {
        if let Ok(mut totals) = self.totals.lock() {
            f(totals.entry(key).or_default());
        }
    }
}

#[derive(Debug, Clone)]
struct StartedAt(Instant);

impl Storable for StartedAt {
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
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(StartedAt(Instant::now()));
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.stats.update(self.key(cfg), |t| t.attempts += 1);
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
        let throttled = context.response().is_some_and(|r| {
            r.status().as_u16() == 429
                || r.headers()
                    .get("x-amzn-errortype")
                    .is_some_and(|v| v.contains("Throttl"))
        });
        self.stats.update(self.key(cfg), |t| {
            t.seconds += elapsed;
            t.latency.observe(elapsed);
            if failed {
                t.errors += 1;
            }
            if throttled {
                t.throttles += 1;
            }
        });
        Ok(())
    }
}
