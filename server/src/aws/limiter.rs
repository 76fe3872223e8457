//! One limit on calls in flight per environment and AWS service, shared by every stream that
//! calls it: the inventory refresh, the details cycle, the revision listing, the alarm poller and
//! actions all queue on the same permits, so together they never exceed `aws.concurrency` calls
//! to one service of one account (whose rate limits are shared with CI and Terraform). It sits
//! in front of the SDK's HTTP connector, so each attempt, retries included, takes a permit.
//!
//! Background reads (the refresh and the details cycle, [`Purpose::is_bulk`]) take at most all
//! permits but one: a details cycle's hundreds of GetMetricData calls never make the alarm
//! poller, an action or a person's read wait behind them for a permit.

use super::call_stats::Purpose;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The permits of one service: every request takes one of `all`; a background one first takes
/// one of `bulk`, which has one fewer.
#[derive(Debug)]
struct Permits {
    all: Semaphore,
    bulk: Semaphore,
}

impl Permits {
    fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        Self {
            all: Semaphore::new(limit),
            // With a limit of one there is nothing to keep back.
            bulk: Semaphore::new(limit.saturating_sub(1).max(1)),
        }
    }
}

/// An HTTP client whose connectors take a permit from one shared semaphore per request.
#[derive(Debug, Clone)]
pub struct LimitedClient {
    inner: SharedHttpClient,
    permits: Arc<Permits>,
}

impl LimitedClient {
    /// `inner` with at most `limit` requests in flight at once (at least one), background
    /// requests at most `limit - 1` of them.
    pub fn new(inner: SharedHttpClient, limit: usize) -> Self {
        Self {
            inner,
            permits: Arc::new(Permits::new(limit)),
        }
    }

    /// As a client the SDK's config takes.
    pub fn shared(self) -> SharedHttpClient {
        SharedHttpClient::new(self)
    }
}

impl HttpClient for LimitedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(LimitedConnector {
            inner: self.inner.http_connector(settings, components),
            permits: self.permits.clone(),
        })
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    permits: Arc<Permits>,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let permits = self.permits.clone();
        // Read here, in the caller's task, where its purpose is set.
        let bulk = Purpose::current().is_bulk();
        HttpConnectorFuture::new(async move {
            // The semaphores are never closed; an error here is a bug worth failing the call
            // for.
            let closed = |e: tokio::sync::AcquireError| ConnectorError::other(Box::new(e), None);
            let _bulk = match bulk {
                true => Some(permits.bulk.acquire().await.map_err(closed)?),
                false => None,
            };
            let _permit = permits.all.acquire().await.map_err(closed)?;
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_runtime_api::http::Response;
    use aws_smithy_types::body::SdkBody;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Answers once the test opens `gate`, counting the requests in flight.
    #[derive(Debug)]
    struct Held {
        gate: Semaphore,
        in_flight: AtomicUsize,
        most: AtomicUsize,
        /// The alarm poller's requests in flight.
        polls: AtomicUsize,
    }

    #[derive(Debug, Clone)]
    struct HeldConnector(Arc<Held>);

    impl HttpConnector for HeldConnector {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            let held = self.0.clone();
            HttpConnectorFuture::new(async move {
                let poll = Purpose::current() == Purpose::Poller;
                let now = held.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                held.most.fetch_max(now, Ordering::SeqCst);
                if poll {
                    held.polls.fetch_add(1, Ordering::SeqCst);
                }
                let _open = held.gate.acquire().await;
                held.in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok(Response::new(
                    200.try_into().expect("status"),
                    SdkBody::empty(),
                ))
            })
        }
    }

    /// Waits (for at most 10 s) until `what` holds of the requests in flight.
    async fn until(held: &Held, what: &str, holds: impl Fn(&Held) -> bool) {
        for _ in 0..10_000 {
            if holds(held) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        panic!(
            "never: {what} ({} in flight, {} of the poller)",
            held.in_flight.load(Ordering::SeqCst),
            held.polls.load(Ordering::SeqCst)
        );
    }

    #[tokio::test]
    async fn background_calls_leave_a_permit_for_the_poller_and_all_stay_within_the_limit() {
        use crate::aws::call_stats::with_purpose;
        let held = Arc::new(Held {
            gate: Semaphore::new(0),
            in_flight: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            polls: AtomicUsize::new(0),
        });
        let connector = Arc::new(LimitedConnector {
            inner: SharedHttpConnector::new(HeldConnector(held.clone())),
            permits: Arc::new(Permits::new(3)),
        });
        let call = |purpose: Purpose| {
            let c = connector.clone();
            tokio::spawn(with_purpose(purpose, async move {
                c.call(HttpRequest::get("http://localhost/").expect("request"))
                    .await
                    .map(|_| ())
            }))
        };
        let background: Vec<_> = (0..8).map(|_| call(Purpose::Details)).collect();
        until(&held, "two background calls out", |h| {
            h.in_flight.load(Ordering::SeqCst) == 2
        })
        .await;
        // Six background calls wait; the poller's goes out at once beside the two running.
        let poll = call(Purpose::Poller);
        until(&held, "the poller's call out", |h| {
            h.polls.load(Ordering::SeqCst) == 1
        })
        .await;
        assert_eq!(held.in_flight.load(Ordering::SeqCst), 3);
        held.gate.add_permits(100);
        poll.await.expect("join").expect("the poller's call");
        for b in background {
            b.await.expect("join").expect("a background call");
        }
        assert_eq!(
            held.most.load(Ordering::SeqCst),
            3,
            "never more than the limit"
        );
        let one = Permits::new(1);
        assert_eq!(
            (one.all.available_permits(), one.bulk.available_permits()),
            (1, 1),
            "a limit of one keeps nothing back"
        );
    }
}
