//! Background jobs that are not tied to one environment's inventory, run by one console process
//! at a time (the holder of the `jobs` lease in the database):
//! - the alarm poller: every `incidents.poll_interval` it reads each environment's alarms
//!   (DescribeAlarms, plus DescribeAlarmHistory where the provider keeps it, to backfill what
//!   happened between polls or while no console ran), patches them into the snapshot and hands
//!   them to `usecases::incidents::process_poll`, which records transitions, observed deployments and
//!   RDS events, and opens, joins, resolves and escalates incidents;
//! - the release sweep: runs approved requests nothing holds (after a restart, or when a freeze
//!   window ends), expires stale ones and finishes executions whose action settled late;
//! - the action sweeper: settles actions whose outcome is still not recorded a while after they
//!   started (AWS gave no clear answer, or a process stopped midway) by reading the resource,
//!   with an audit row of its own;
//! - the rollout follower: reads the services of changes that succeeded (batched DescribeServices
//!   per cluster) until ECS ends each rollout — completed, rolled back by ECS, failed, replaced
//!   or stuck — and records, audits and announces the end.
//!
//! Every step either job takes is recorded once (dedupe keys, conditional transitions), so even
//! two holders in a lease hand-over cannot run anything twice.

use crate::aws::call_stats::{with_purpose, Purpose};
use crate::aws::EnvClients;
use crate::inventory::EnvSlot;
use crate::store::lease::Lease;
use app::domain::incidents::Transition;
use app::domain::inventory::{Alarm, ReducedCapability, Unavailable};
use app::usecases::services::AppServices;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Where the poller reads an environment's alarms (AWS in production).
#[async_trait::async_trait]
pub trait AlarmFeed: Send + Sync {
    async fn alarms(&self) -> Result<Vec<Alarm>, String>;
    /// State changes between `since` and `now`.
    async fn history(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transition>, String>;
}

#[async_trait::async_trait]
impl AlarmFeed for EnvClients {
    async fn alarms(&self) -> Result<Vec<Alarm>, String> {
        with_purpose(Purpose::Poller, EnvClients::alarms(self)).await
    }

    async fn history(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Transition>, String> {
        with_purpose(Purpose::Poller, self.alarm_history(since, now)).await
    }
}

/// What the poller reports for `/metrics` and the tests.
#[derive(Debug, Default)]
pub struct PollerStats {
    /// Completed rounds (every environment polled once).
    pub rounds: AtomicU64,
    /// Unix milliseconds of the last completed round.
    pub last_round_ms: AtomicI64,
    pub failures: AtomicU64,
}

/// One environment the poller watches.
pub struct Watched {
    pub slot: Arc<EnvSlot>,
    pub feed: Arc<dyn AlarmFeed>,
    /// The end of the last window read from the history.
    pub history_until: std::sync::Mutex<Option<DateTime<Utc>>>,
    /// While the history API is unavailable: when to try it again.
    pub history_retry_at: std::sync::Mutex<Option<DateTime<Utc>>>,
    /// The snapshot the last poll looked at (held, so its address is not reused), so an
    /// unchanged one is not scanned for deployments and RDS events again.
    pub last_snapshot: std::sync::Mutex<Option<Arc<app::domain::inventory::EnvInventory>>>,
}

impl Watched {
    pub fn new(slot: Arc<EnvSlot>, feed: Arc<dyn AlarmFeed>) -> Self {
        Self {
            slot,
            feed,
            history_until: std::sync::Mutex::new(None),
            history_retry_at: std::sync::Mutex::new(None),
            last_snapshot: std::sync::Mutex::new(None),
        }
    }
}

/// How far back the first history read of a process goes when nothing was recorded yet.
const FIRST_BACKFILL: chrono::Duration = chrono::Duration::hours(1);

/// The API the poller reads alarm transitions from, as pages and `/readyz` name it.
const HISTORY_API: &str = "CloudWatch DescribeAlarmHistory";

/// How long an alarm history API that is not offered or denied is left alone before the next try.
const HISTORY_RETRY: chrono::Duration = chrono::Duration::minutes(30);

async fn poll_env(services: &AppServices, watched: &Watched) -> Result<(), String> {
    let now = Utc::now();
    let alarms = watched.feed.alarms().await?;
    let mut history = Vec::new();
    let retry_later = watched
        .history_retry_at
        .lock()
        .ok()
        .and_then(|r| *r)
        .is_some_and(|at| now < at);
    if !retry_later {
        let env = watched.slot.descriptor().id.to_string();
        let until = *watched.history_until.lock().map_err(|e| e.to_string())?;
        let since = match until {
            Some(until) => until - chrono::Duration::minutes(1),
            // Since the latest change recorded before this process started.
            None => services
                .incidents
                .alarm_states(&env)
                .await
                .map_err(|e| app::error::error_chain(&e))?
                .values()
                .map(|k| k.since)
                .max()
                .unwrap_or(now - FIRST_BACKFILL),
        };
        match watched.feed.history(since, now).await {
            Ok(items) => {
                history = items;
                if let Ok(mut until) = watched.history_until.lock() {
                    *until = Some(now);
                }
                if watched.slot.set_reduced(HISTORY_API, None) {
                    tracing::info!(env = %env, "alarm history is available again");
                }
            }
            Err(e) => match Unavailable::of_error(&e) {
                // An API the endpoint lacks or the role may not call: said once (with the
                // error), shown on the environment's page and /readyz, and tried again only
                // every HISTORY_RETRY, not on every poll.
                Some(why) => {
                    let reduced = ReducedCapability {
                        api: HISTORY_API.to_string(),
                        why,
                        effect: "incidents follow alarm states from poll to poll; a flap between two polls is not seen".into(),
                        since: now,
                    };
                    if watched.slot.set_reduced(HISTORY_API, Some(reduced)) {
                        tracing::warn!(env = %env, error = %e, "alarm history is {}; polling state differences only, trying again every {} min", why.describe(), HISTORY_RETRY.num_minutes());
                    }
                    if let Ok(mut retry) = watched.history_retry_at.lock() {
                        *retry = Some(now + HISTORY_RETRY);
                    }
                }
                None => tracing::warn!(env = %env, error = %e, "reading alarm history"),
            },
        }
    }
    let mut alarms = watched.slot.patch_alarms(alarms);
    let state = watched.slot.state();
    // Scheduled jobs are followed like alarms once their runs have been read: a missed or
    // failed job opens its app's incident.
    if let Some(details) = state.details.as_deref() {
        alarms.extend(app::domain::job_signals::job_signals(details, now));
    }
    let snapshot_changed = match watched.last_snapshot.lock() {
        Ok(mut last) => {
            let same = match (last.as_ref(), state.inventory.as_ref()) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            };
            last.clone_from(&state.inventory);
            !same
        }
        Err(_) => true,
    };
    let poll = app::usecases::incidents::Poll {
        snapshot_changed,
        env: &state.descriptor,
        alarms: &alarms,
        history: &history,
        inventory: state.inventory.as_deref(),
        now,
    };
    let outcome = app::usecases::incidents::process_poll(services, poll)
        .await
        .map_err(|e| e.to_string())?;
    if outcome.transitions > 0 {
        tracing::info!(env = %state.descriptor.id, ?outcome, "alarm poll");
    }
    Ok(())
}

/// Polls every environment now and then every `every`, while this process holds the lease. An
/// environment is first polled after its first inventory refresh, so alarms are attributed to
/// apps and deployments are seen.
pub fn spawn_alarm_poller(
    services: AppServices,
    watched: Vec<Watched>,
    lease: Arc<Lease>,
    stats: Arc<PollerStats>,
    every: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let slots: Vec<Arc<EnvSlot>> = watched.iter().map(|w| Arc::clone(&w.slot)).collect();
        crate::inventory::first_refreshes(&slots).await;
        // Rounds start every `every`, however long one takes, so a change waits at most one
        // interval (plus the round) to be seen.
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if lease.is_held() {
                for w in &watched {
                    if let Err(e) = poll_env(&services, w).await {
                        stats.failures.fetch_add(1, Ordering::SeqCst);
                        tracing::warn!(env = %w.slot.descriptor().id, error = %e, "alarm poll failed");
                    }
                }
                stats
                    .last_round_ms
                    .store(Utc::now().timestamp_millis(), Ordering::SeqCst);
                stats.rounds.fetch_add(1, Ordering::SeqCst);
            }
        }
    })
}

/// Sweeps now and then every `every`, while this process holds the lease.
pub fn spawn_release_sweep(
    services: AppServices,
    lease: Arc<Lease>,
    every: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if lease.is_held() {
                if let Err(e) = app::usecases::releases::sweep(&services).await {
                    tracing::warn!(error = %e, "release sweep");
                }
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Settles actions whose outcome is still not recorded `settle_after` after they started, every
/// `every`, while this process holds the lease (`usecases::execution::settle`, as the
/// `action sweeper` job).
pub fn spawn_action_sweep(
    services: AppServices,
    lease: Arc<Lease>,
    every: Duration,
    settle_after: Duration,
) -> JoinHandle<()> {
    let after = chrono::Duration::from_std(settle_after).unwrap_or(chrono::Duration::minutes(10));
    tokio::spawn(async move {
        loop {
            if lease.is_held() {
                match app::usecases::execution::settle(&services, Utc::now(), after).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(settled = n, "action sweep"),
                    Err(e) => tracing::warn!(error = %e, "action sweep"),
                }
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// Follows the rollouts of changes to services until ECS ends them, every `every`, while this
/// process holds the lease (`usecases::rollouts::follow`, as the `rollout follower` job). Each
/// rollout is read `every` after the change and then every `every`, its cluster's services
/// together.
pub fn spawn_rollout_follower(
    services: AppServices,
    lease: Arc<Lease>,
    every: Duration,
) -> JoinHandle<()> {
    let interval = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::seconds(15));
    tokio::spawn(async move {
        // Passes tick at a fraction of the interval, so a rollout is read close to when it is due.
        let tick = (every / 4).max(Duration::from_millis(100));
        loop {
            if lease.is_held() {
                match app::usecases::rollouts::follow(&services, Utc::now(), interval).await {
                    Ok(pass) if pass.ended > 0 => tracing::info!(?pass, "rollout follower"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "rollout follower"),
                }
            }
            tokio::time::sleep(tick).await;
        }
    })
}

/// On every process (leader or not): announces to this process's browsers the incidents and
/// release requests any process changed, by following `updated_at` in the shared database every
/// `every`. A change made here is announced twice (once at once, once by the feed): a page reads
/// its data one extra time, nothing more.
pub fn spawn_change_feed(
    pool: crate::store::Pool,
    live: app::usecases::live::LiveBus,
    every: Duration,
) -> JoinHandle<()> {
    use crate::store::changes::{changed_since, cursor, Followed};
    use app::usecases::live::LiveKind;
    tokio::spawn(async move {
        let followed = [
            (Followed::Incidents, LiveKind::Incident),
            (Followed::Releases, LiveKind::Release),
        ];
        let mut cursors = Vec::new();
        for (what, _) in followed {
            cursors.push(cursor(&pool, what).await.unwrap_or_default());
        }
        loop {
            tokio::time::sleep(every).await;
            for ((what, kind), since) in followed.iter().zip(cursors.iter_mut()) {
                match changed_since(&pool, *what, since).await {
                    Ok(rows) => {
                        for (id, env, updated_at) in rows {
                            live.publish(*kind, &env, Some(id));
                            *since = updated_at;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "reading the change feed"),
                }
            }
        }
    })
}

/// Renews the lease every `every` (it lasts three of them), or takes it when its holder stopped
/// renewing: another process takes over within about three intervals of the holder's death, or
/// at once when the holder shut down cleanly and released it.
pub fn spawn_lease_keeper(lease: Arc<Lease>, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            lease.try_hold().await;
        }
    })
}
