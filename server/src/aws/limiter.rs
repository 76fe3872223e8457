//! One limit on calls in flight per environment and AWS service, shared by every stream that
//! calls it: the inventory refresh, the details cycle, the revision listing, the alarm poller and
//! actions all queue on the same permits, so together they never exceed `aws.concurrency` calls
//! to one service of one account (whose rate limits are shared with CI and Terraform). It sits
//! in front of the SDK's HTTP connector, so each attempt, retries included, takes a permit.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// An HTTP client whose connectors take a permit from one shared semaphore per request.
#[derive(Debug, Clone)]
pub struct LimitedClient {
    inner: SharedHttpClient,
    permits: Arc<Semaphore>,
}

impl LimitedClient {
    /// `inner` with at most `limit` requests in flight at once (at least one).
    pub fn new(inner: SharedHttpClient, limit: usize) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(limit.max(1))),
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
    permits: Arc<Semaphore>,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let permits = self.permits.clone();
        HttpConnectorFuture::new(async move {
            // The semaphore is never closed; an error here is a bug worth failing the call for.
            let _permit = permits
                .acquire_owned()
                .await
                .map_err(|e| ConnectorError::other(Box::new(e), None))?;
            inner.call(request).await
        })
    }
}
