//! Background jobs that are not tied to one environment's inventory: the release sweep, which
//! runs approved requests nothing holds (after a restart, or when a freeze window ends), expires
//! stale ones and closes executions a stopped process left behind. Every step it takes is a
//! conditional database transition, so several processes sweeping at once still run each
//! request once.

use app::ssr::context::AppServices;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Sweeps now and then every `every`, until the handle is aborted.
pub fn spawn_release_sweep(services: AppServices, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = app::ssr::releases::sweep(&services).await {
                tracing::warn!(error = %e, "release sweep");
            }
            tokio::time::sleep(every).await;
        }
    })
}
