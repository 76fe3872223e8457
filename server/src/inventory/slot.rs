//! One environment's cached inventory and details, with single-flight refresh, and refreshes
//! asked for by people limited to one per [`REQUESTED_REFRESH_INTERVAL`]; job runs kept across
//! restarts through [`RunHistory`].

use app::domain::ids::EnvId;
use app::domain::inventory::{
    EnvDescriptor, EnvDetails, EnvInventory, RefreshError, RefreshStatus, ResourceRef,
    ResourceUpdate,
};
use app::domain::scheduled_jobs::{KeptRuns, ScheduledJobs};
use app::domain::views::EnvSummary;
use app::ports::EnvState;
use chrono::Utc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, Notify};

/// Where an environment's data comes from (AWS in production, fakes in unit tests).
#[async_trait::async_trait]
pub trait InventorySource: Send + Sync {
    async fn fetch_inventory(&self) -> Result<EnvInventory, String>;
    /// Metric series, tasks and revisions; `previous` is what is held, so series are fetched
    /// from where they end.
    async fn fetch_details(
        &self,
        inventory: &EnvInventory,
        previous: Option<&EnvDetails>,
    ) -> Result<EnvDetails, String>;
    /// Re-reads one resource.
    async fn fetch_resource(&self, resource: &ResourceRef) -> Result<ResourceUpdate, String>;
}

/// How replicas share what they read (several replicas on PostgreSQL): the one holding the jobs
/// lease reads AWS and publishes each snapshot; the others load what it published instead of
/// calling AWS, so AWS sees one replica's calls however many serve. A follower reads AWS itself
/// only as [`follower_reads_aws`] decides: when no other replica leads and what it shows is
/// old (at start, or while the lease moves), or when a live leader has published nothing for
/// many intervals.
#[async_trait::async_trait]
pub trait SnapshotShare: Send + Sync {
    /// Whether this replica reads AWS and publishes (it holds the jobs lease).
    fn leads(&self) -> bool;
    /// Whether another live replica holds the lease (it reads AWS and publishes).
    fn leader_elsewhere(&self) -> bool;
    async fn publish_inventory(&self, env: &EnvId, version: i64, inventory: &EnvInventory);
    async fn publish_details(&self, env: &EnvId, version: i64, details: &EnvDetails);
    /// The published inventory when newer than `version`.
    async fn inventory_after(
        &self,
        env: &EnvId,
        version: i64,
    ) -> Result<Option<(i64, EnvInventory)>, String>;
    /// The published details when newer than `version`.
    async fn details_after(
        &self,
        env: &EnvId,
        version: i64,
    ) -> Result<Option<(i64, EnvDetails)>, String>;
    /// Records that this replica's `read` of `env` failed, at `version` (milliseconds) with
    /// `error`: the followers learn that their leader is alive and trying, and do not read an
    /// AWS that already fails (doubling its calls) but show the leader's error.
    async fn publish_failure(&self, env: &EnvId, read: Read, version: i64, error: &str);
    /// The leader's last failed `read` of `env` when newer than `version`: its version and error.
    async fn failure_after(
        &self,
        env: &EnvId,
        read: Read,
        version: i64,
    ) -> Result<Option<(i64, String)>, String>;
}

/// The two reads a leader makes of each environment and publishes, or reports failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Inventory,
    Details,
}

/// Where the runs of scheduled jobs are kept across restarts (the database): ECS forgets a
/// stopped task after about an hour, so what the console saw would otherwise go with the
/// process.
#[async_trait::async_trait]
pub trait RunHistory: Send + Sync {
    /// What was kept of `env`'s job runs.
    async fn kept(&self, env: &EnvId) -> Result<KeptRuns, String>;
    /// Writes down the runs that changed since `before`, and the read at `now`.
    async fn record(
        &self,
        env: &EnvId,
        jobs: &ScheduledJobs,
        before: Option<&ScheduledJobs>,
        now: chrono::DateTime<Utc>,
    ) -> Result<(), String>;
}

/// How often a follower looks for a newer published snapshot (one indexed read).
const FOLLOW_POLL: Duration = Duration::from_secs(3);
/// How many intervals a follower waits for anything new from a live leader before reading AWS
/// itself (the leader is alive but stuck: publishing fails, or its reads hang).
const LEADER_SILENT_INTERVALS: u32 = 10;

/// Whether a follower reads AWS itself this turn. With a live leader elsewhere, only when that
/// leader has published nothing new for [`LEADER_SILENT_INTERVALS`]: its cycle is the interval
/// plus however long its reads take, so how old the data is says nothing about whether it is
/// still publishing (at 1,000 services an emulator's reads outlast the interval). With no
/// leader (at start, while the lease moves, or the database cannot say), when what it shows
/// was read more than two intervals ago.
pub fn follower_reads_aws(
    leader_elsewhere: bool,
    shown_fetched: Option<chrono::DateTime<Utc>>,
    since_news: Duration,
    every: Duration,
    now: chrono::DateTime<Utc>,
) -> bool {
    if leader_elsewhere {
        return since_news > every * LEADER_SILENT_INTERVALS;
    }
    let limit = chrono::Duration::from_std(every * 2).unwrap_or(chrono::Duration::MAX);
    shown_fetched.is_none_or(|t| now - t >= limit)
}

/// How soon details that failed to read are read again (at most the details interval).
const DETAILS_RETRY: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Cached {
    status: RefreshStatus,
    inventory: Option<Arc<EnvInventory>>,
    details: Option<Arc<EnvDetails>>,
    /// Worked out with each new snapshot, so page views do not scan every service.
    summary: Option<Arc<EnvSummary>>,
}

impl Cached {
    fn set_inventory(&mut self, env: &app::domain::ids::EnvId, inventory: EnvInventory) {
        self.summary = Some(Arc::new(EnvSummary::of(env, &inventory)));
        self.inventory = Some(Arc::new(inventory));
    }
}

/// A refresh a person asks for within this long of the previous one asked for shares that
/// one's outcome instead of reading AWS again: someone looping the refresh button costs one
/// full refresh per interval, not one per click.
pub const REQUESTED_REFRESH_INTERVAL: Duration = Duration::from_secs(30);

pub struct EnvSlot {
    descriptor: EnvDescriptor,
    source: Arc<dyn InventorySource>,
    refresh_every: Duration,
    details_every: Duration,
    cached: RwLock<Cached>,
    /// Held while a refresh runs; waiters reuse its result.
    flight: Mutex<()>,
    /// Refreshes completed so far (successful or not).
    completed: AtomicU64,
    /// When the last refresh a person asked for started reading AWS.
    last_requested: std::sync::Mutex<Option<Instant>>,
    inventory_changed: Notify,
    /// Where "this environment's snapshot changed" is announced to the pages.
    live: Option<app::usecases::live::LiveBus>,
    /// Shared with the other replicas, when there are any.
    share: Option<Arc<dyn SnapshotShare>>,
    /// The versions of the published inventory and details last loaded (followers).
    followed: AtomicI64,
    followed_details: AtomicI64,
    /// The versions of the leader's failed inventory and details reads last seen (followers).
    failure_seen: AtomicI64,
    details_failure_seen: AtomicI64,
    /// When this replica last patched its own snapshot after an action: a published one read
    /// from AWS before that is older than what it shows.
    patched_at: std::sync::Mutex<Option<chrono::DateTime<Utc>>>,
    /// When this follower last had something new for its inventory and its details: a newer
    /// publication loaded, or its own read of AWS (see [`follower_reads_aws`]).
    inventory_news: std::sync::Mutex<Instant>,
    details_news: std::sync::Mutex<Instant>,
    /// Where job runs are kept across restarts, when anywhere.
    history: Option<Arc<dyn RunHistory>>,
}

impl EnvSlot {
    pub fn new(
        descriptor: EnvDescriptor,
        source: Arc<dyn InventorySource>,
        refresh_every: Duration,
        details_every: Duration,
    ) -> Self {
        Self {
            descriptor,
            source,
            refresh_every,
            details_every,
            cached: RwLock::new(Cached::default()),
            flight: Mutex::new(()),
            completed: AtomicU64::new(0),
            last_requested: std::sync::Mutex::new(None),
            inventory_changed: Notify::new(),
            live: None,
            share: None,
            followed: AtomicI64::new(0),
            followed_details: AtomicI64::new(0),
            failure_seen: AtomicI64::new(0),
            details_failure_seen: AtomicI64::new(0),
            patched_at: std::sync::Mutex::new(None),
            inventory_news: std::sync::Mutex::new(Instant::now()),
            details_news: std::sync::Mutex::new(Instant::now()),
            history: None,
        }
    }

    /// Keeps job runs in `history` across restarts.
    pub fn with_history(mut self, history: Arc<dyn RunHistory>) -> Self {
        self.history = Some(history);
        self
    }

    /// Shares snapshots with the other replicas through `share`.
    pub fn with_share(mut self, share: Arc<dyn SnapshotShare>) -> Self {
        self.share = Some(share);
        self
    }

    /// The share, when this replica leads (reads AWS and publishes).
    fn leading_share(&self) -> Option<&Arc<dyn SnapshotShare>> {
        self.share.as_ref().filter(|s| s.leads())
    }

    /// Publishes the current inventory when this replica leads, in the background.
    fn publish_inventory(&self) {
        let (Some(share), Some(inventory)) = (self.leading_share(), self.state().inventory) else {
            return;
        };
        let share = Arc::clone(share);
        let env = self.descriptor.id.clone();
        let version = Utc::now().timestamp_millis();
        tokio::spawn(async move { share.publish_inventory(&env, version, &inventory).await });
    }

    /// Tells the followers, when this replica leads, that its `read` failed with `error`, in
    /// the background.
    fn publish_failure(&self, read: Read, error: &str) {
        let Some(share) = self.leading_share() else {
            return;
        };
        let share = Arc::clone(share);
        let env = self.descriptor.id.clone();
        let version = Utc::now().timestamp_millis();
        let error = error.to_string();
        tokio::spawn(async move { share.publish_failure(&env, read, version, &error).await });
    }

    /// Announces snapshot changes on `bus`.
    pub fn with_live(mut self, bus: app::usecases::live::LiveBus) -> Self {
        self.live = Some(bus);
        self
    }

    fn announce(&self) {
        if let Some(bus) = &self.live {
            bus.publish(
                app::usecases::live::LiveKind::Inventory,
                self.descriptor.id.as_str(),
                None,
            );
        }
    }

    /// Whether the first refresh has finished (well or not).
    pub fn refreshed_once(&self) -> bool {
        self.completed.load(Ordering::SeqCst) > 0
    }

    /// Puts freshly read alarms into the snapshot, attributed to apps like a full refresh does,
    /// and returns them. The snapshot is replaced (and announced) only when something differs.
    pub fn patch_alarms(
        &self,
        alarms: Vec<app::domain::inventory::Alarm>,
    ) -> Vec<app::domain::inventory::Alarm> {
        let mut attributed = alarms;
        let mut changed = false;
        self.update(|c| {
            let Some(current) = &c.inventory else {
                return;
            };
            let mut inventory = EnvInventory::clone(current);
            inventory.alarms = std::mem::take(&mut attributed);
            app::domain::apps::attribute_alarms(&mut inventory, c.details.as_deref());
            attributed = inventory.alarms.clone();
            if inventory.alarms != current.alarms {
                c.set_inventory(&self.descriptor.id, inventory);
                changed = true;
            }
        });
        if changed {
            self.announce();
            self.publish_inventory();
        }
        attributed
    }

    pub fn descriptor(&self) -> &EnvDescriptor {
        &self.descriptor
    }

    /// Records that `api` is done without (`Some`), or offered again (`None`); answers whether
    /// this changed what was recorded, so the caller logs a change once, not every poll.
    pub fn set_reduced(
        &self,
        api: &str,
        reduced: Option<app::domain::inventory::ReducedCapability>,
    ) -> bool {
        let mut changed = false;
        self.update(|c| {
            let known = c.status.reduced.iter().position(|r| r.api == api);
            match (known, reduced) {
                (None, Some(r)) => {
                    c.status.reduced.push(r);
                    changed = true;
                }
                (Some(i), Some(r)) if c.status.reduced[i].why != r.why => {
                    c.status.reduced[i] = r;
                    changed = true;
                }
                (Some(i), None) => {
                    c.status.reduced.remove(i);
                    changed = true;
                }
                _ => {}
            }
        });
        if changed {
            self.announce();
        }
        changed
    }

    /// Whether `api` is recorded as done without.
    pub fn is_reduced(&self, api: &str) -> bool {
        self.cached
            .read()
            .map(|c| c.status.reduced.iter().any(|r| r.api == api))
            .unwrap_or(false)
    }

    /// A consistent copy of what is cached: Arc clones, no deep copies.
    pub fn state(&self) -> EnvState {
        match self.cached.read() {
            Ok(c) => EnvState {
                descriptor: self.descriptor.clone(),
                status: c.status.clone(),
                inventory: c.inventory.clone(),
                details: c.details.clone(),
                summary: c.summary.clone(),
            },
            Err(_) => EnvState {
                descriptor: self.descriptor.clone(),
                status: RefreshStatus::default(),
                inventory: None,
                details: None,
                summary: None,
            },
        }
    }

    fn update(&self, f: impl FnOnce(&mut Cached)) {
        if let Ok(mut c) = self.cached.write() {
            f(&mut c);
        }
    }

    fn last_outcome(&self) -> Result<(), String> {
        match self.state().status.error {
            Some(e) => Err(e.message),
            None => Ok(()),
        }
    }

    /// Refreshes the inventory now. Callers that arrive while a refresh is running wait for it
    /// and share its outcome instead of starting another.
    pub async fn refresh(&self) -> Result<(), String> {
        let seen = self.completed.load(Ordering::SeqCst);
        let _flight = self.flight.lock().await;
        if self.completed.load(Ordering::SeqCst) != seen {
            return self.last_outcome();
        }
        let started = Utc::now();
        self.update(|c| {
            c.status.refreshing = true;
            c.status.last_attempt = Some(started);
        });
        let result = self.source.fetch_inventory().await;
        let outcome = match result {
            Ok(mut inventory) => {
                let finished = Utc::now();
                inventory.fetched_at = Some(finished);
                self.update(|c| {
                    // A section that failed shows what was read before it failed.
                    inventory.keep_failed_from(c.inventory.as_deref());
                    // Alarms on queues and functions belong to the apps the last details
                    // cycle read for them.
                    app::domain::apps::attribute_alarms(&mut inventory, c.details.as_deref());
                    c.status.failed_sections = inventory.failed.clone();
                    c.set_inventory(&self.descriptor.id, inventory);
                    c.status.last_success = Some(finished);
                    c.status.error = None;
                });
                self.inventory_changed.notify_waiters();
                self.announce();
                self.publish_inventory();
                Ok(())
            }
            Err(message) => {
                tracing::warn!(env = %self.descriptor.id, error = %message, "inventory refresh failed");
                self.publish_failure(Read::Inventory, &message);
                self.update(|c| {
                    let since = c.status.error.as_ref().map(|e| e.since).unwrap_or(started);
                    c.status.error = Some(RefreshError {
                        message: message.clone(),
                        since,
                    });
                });
                Err(message)
            }
        };
        self.update(|c| c.status.refreshing = false);
        self.completed.fetch_add(1, Ordering::SeqCst);
        outcome
    }

    /// A refresh a person asked for: at most one reads AWS per [`REQUESTED_REFRESH_INTERVAL`];
    /// one asked for inside the interval waits for a refresh still running and answers the last
    /// outcome (the page then shows how old its data is).
    pub async fn refresh_requested(&self) -> Result<(), String> {
        let now = Instant::now();
        let recent = match self.last_requested.lock() {
            Ok(mut last) => match *last {
                Some(at) if now.duration_since(at) < REQUESTED_REFRESH_INTERVAL => true,
                _ => {
                    *last = Some(now);
                    false
                }
            },
            // A poisoned lock never blocks a refresh.
            Err(_) => false,
        };
        if recent {
            tracing::debug!(env = %self.descriptor.id, "requested refresh shares the last one");
            drop(self.flight.lock().await);
            return self.last_outcome();
        }
        self.refresh().await
    }

    /// Re-reads one resource and patches it into the snapshot, after any refresh already running
    /// (so an older full read cannot overwrite it). Without a snapshot yet, refreshes everything.
    pub async fn refresh_resource(&self, resource: &ResourceRef) -> Result<(), String> {
        if self.state().inventory.is_none() {
            return self.refresh().await;
        }
        let _flight = self.flight.lock().await;
        let update = self.source.fetch_resource(resource).await?;
        self.update(|c| {
            if let Some(current) = &c.inventory {
                let mut inventory = EnvInventory::clone(current);
                let mut details = c.details.as_deref().cloned();
                inventory.apply(details.as_mut(), update);
                app::domain::apps::attribute_alarms(&mut inventory, details.as_ref());
                c.set_inventory(&self.descriptor.id, inventory);
                if let Some(details) = details {
                    c.details = Some(Arc::new(details));
                }
            }
        });
        if let Ok(mut at) = self.patched_at.lock() {
            *at = Some(Utc::now());
        }
        self.announce();
        self.publish_inventory();
        Ok(())
    }

    /// Refreshes metric series and tasks for the current inventory.
    pub async fn refresh_details(&self) -> Result<(), String> {
        let Some(inventory) = self.state().inventory else {
            return Ok(());
        };
        let previous = self.state().details;
        match self
            .source
            .fetch_details(&inventory, previous.as_deref())
            .await
        {
            Ok(mut details) => {
                let now = Utc::now();
                details.fetched_at = Some(now);
                self.keep_runs(&mut details, previous.as_deref(), now).await;
                if let Some(share) = self.leading_share() {
                    let version = Utc::now().timestamp_millis();
                    share
                        .publish_details(&self.descriptor.id, version, &details)
                        .await;
                }
                let mut reattributed = false;
                self.update(|c| {
                    let details = Arc::new(details);
                    // Alarms on queues and functions take the apps this cycle read.
                    if let Some(current) = &c.inventory {
                        let mut inventory = EnvInventory::clone(current);
                        app::domain::apps::attribute_alarms(&mut inventory, Some(&details));
                        if inventory.alarms != current.alarms {
                            c.set_inventory(&self.descriptor.id, inventory);
                            reattributed = true;
                        }
                    }
                    c.details = Some(details);
                });
                if reattributed {
                    self.announce();
                    self.publish_inventory();
                }
                Ok(())
            }
            Err(message) => {
                tracing::warn!(env = %self.descriptor.id, error = %message, "details refresh failed");
                self.publish_failure(Read::Details, &message);
                Err(message)
            }
        }
    }

    /// Says why a replica that does not lead reads AWS itself: with several replicas this
    /// doubles AWS's calls for a while, which an operator (and the benchmark) should see.
    fn note_own_read(
        &self,
        share: &dyn SnapshotShare,
        what: &str,
        news: &std::sync::Mutex<Instant>,
    ) {
        let silent = since(news).as_secs();
        if share.leader_elsewhere() {
            tracing::warn!(env = %self.descriptor.id, what, silent_secs = silent, "a replica that does not lead reads AWS itself: the leader has published nothing new for {silent} s");
        } else {
            tracing::warn!(env = %self.descriptor.id, what, "a replica reads AWS itself: no live replica holds the jobs lease and what it shows is old");
        }
    }

    /// Job runs across restarts: the first cycle folds in what was kept before this process
    /// started; every cycle writes down the runs that changed. A store that fails is logged
    /// and leaves the runs read from AWS as they are.
    async fn keep_runs(
        &self,
        details: &mut EnvDetails,
        previous: Option<&EnvDetails>,
        now: chrono::DateTime<Utc>,
    ) {
        let Some(history) = &self.history else {
            return;
        };
        let env = &self.descriptor.id;
        if previous.is_none() {
            match history.kept(env).await {
                Ok(kept) => details.jobs.resume(kept, now),
                Err(e) => {
                    tracing::warn!(env = %env, error = %e, "reading the job runs kept before the start")
                }
            }
        }
        if let Err(e) = history
            .record(env, &details.jobs, previous.map(|p| &p.jobs), now)
            .await
        {
            tracing::warn!(env = %env, error = %e, "keeping the job runs");
        }
    }

    /// A follower's turn: loads the inventory the leader published when it is newer than the
    /// one loaded last (and than this replica's own patch after an action).
    async fn follow_inventory(&self, share: &dyn SnapshotShare) {
        let seen = self.followed.load(Ordering::SeqCst);
        match share.inventory_after(&self.descriptor.id, seen).await {
            Ok(Some((version, inventory))) => {
                self.followed.store(version, Ordering::SeqCst);
                mark(&self.inventory_news);
                let patched = self.patched_at.lock().ok().and_then(|at| *at);
                let older = matches!((inventory.fetched_at, patched), (Some(f), Some(p)) if f < p);
                if !older {
                    let fetched = inventory.fetched_at;
                    self.update(|c| {
                        c.status.failed_sections = inventory.failed.clone();
                        c.set_inventory(&self.descriptor.id, inventory);
                        c.status.last_success = fetched;
                        c.status.last_attempt = fetched;
                        c.status.error = None;
                    });
                    self.completed.fetch_add(1, Ordering::SeqCst);
                    self.inventory_changed.notify_waiters();
                    self.announce();
                }
            }
            Ok(None) => self.follow_failure(share, Read::Inventory).await,
            Err(e) => {
                tracing::warn!(env = %self.descriptor.id, error = %e, "reading the published inventory")
            }
        }
    }

    /// A follower's turn for details: loads the published details when newer.
    async fn follow_details(&self, share: &dyn SnapshotShare) {
        let seen = self.followed_details.load(Ordering::SeqCst);
        match share.details_after(&self.descriptor.id, seen).await {
            Ok(Some((version, details))) => {
                self.followed_details.store(version, Ordering::SeqCst);
                mark(&self.details_news);
                self.update(|c| c.details = Some(Arc::new(details)));
            }
            Ok(None) => self.follow_failure(share, Read::Details).await,
            Err(e) => {
                tracing::warn!(env = %self.descriptor.id, error = %e, "reading the published details")
            }
        }
    }

    /// A follower's look at its leader's failed reads, when nothing new was published: a
    /// failure newer than the last publication loaded is news (the leader is alive and trying,
    /// so this replica does not read AWS itself), and a failed inventory read shows as the
    /// environment's refresh error, as it does on the leader.
    async fn follow_failure(&self, share: &dyn SnapshotShare, read: Read) {
        let (seen, loaded, news) = match read {
            Read::Inventory => (&self.failure_seen, &self.followed, &self.inventory_news),
            Read::Details => (
                &self.details_failure_seen,
                &self.followed_details,
                &self.details_news,
            ),
        };
        let after = seen
            .load(Ordering::SeqCst)
            .max(loaded.load(Ordering::SeqCst));
        match share.failure_after(&self.descriptor.id, read, after).await {
            Ok(Some((version, error))) => {
                seen.store(version, Ordering::SeqCst);
                mark(news);
                if read == Read::Inventory {
                    let failed_at = chrono::DateTime::from_timestamp_millis(version);
                    self.update(|c| {
                        let since = c
                            .status
                            .error
                            .as_ref()
                            .map(|e| e.since)
                            .or(failed_at)
                            .unwrap_or_else(Utc::now);
                        c.status.error = Some(RefreshError {
                            message: error,
                            since,
                        });
                        c.status.last_attempt = failed_at.or(c.status.last_attempt);
                    });
                    self.announce();
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(env = %self.descriptor.id, error = %e, "reading the leader's failed reads")
            }
        }
    }

    /// Refreshes forever on the environment's interval, spread by a little jitter so several
    /// environments (and replicas) do not call AWS in lock-step. A follower loads what the
    /// leader published instead, looking every few seconds, and reads AWS itself only as
    /// [`follower_reads_aws`] decides.
    pub async fn run_inventory_loop(self: Arc<Self>) {
        loop {
            let follower = self.share.as_ref().filter(|s| !s.leads()).cloned();
            let wait = match follower {
                Some(share) => {
                    self.follow_inventory(share.as_ref()).await;
                    let shown = self.state().inventory.and_then(|i| i.fetched_at);
                    if follower_reads_aws(
                        share.leader_elsewhere(),
                        shown,
                        since(&self.inventory_news),
                        self.refresh_every,
                        Utc::now(),
                    ) {
                        self.note_own_read(share.as_ref(), "inventory", &self.inventory_news);
                        let _ = self.refresh().await;
                        mark(&self.inventory_news);
                    }
                    FOLLOW_POLL.min(self.refresh_every)
                }
                None => {
                    let _ = self.refresh().await;
                    jittered(self.refresh_every, &self.descriptor.id.to_string())
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Refreshes details after the first inventory, then on its own interval (a follower
    /// loads the leader's, as for the inventory).
    pub async fn run_details_loop(self: Arc<Self>) {
        loop {
            if self.state().inventory.is_none() {
                self.inventory_changed.notified().await;
                continue;
            }
            let follower = self.share.as_ref().filter(|s| !s.leads()).cloned();
            let wait = match follower {
                Some(share) => {
                    self.follow_details(share.as_ref()).await;
                    let shown = self.state().details.and_then(|d| d.fetched_at);
                    if follower_reads_aws(
                        share.leader_elsewhere(),
                        shown,
                        since(&self.details_news),
                        self.details_every,
                        Utc::now(),
                    ) {
                        self.note_own_read(share.as_ref(), "details", &self.details_news);
                        let _ = self.refresh_details().await;
                        mark(&self.details_news);
                    }
                    FOLLOW_POLL.min(self.details_every)
                }
                None => {
                    // A failed read is tried again soon, not a whole interval later: until it
                    // succeeds the pages have no charts or tasks to show.
                    let every = match self.refresh_details().await {
                        Ok(()) => self.details_every,
                        Err(_) => self.details_every.min(DETAILS_RETRY),
                    };
                    jittered(every, &self.descriptor.id.to_string())
                }
            };
            tokio::time::sleep(wait).await;
        }
    }
}

/// Notes that something new arrived now.
fn mark(at: &std::sync::Mutex<Instant>) {
    if let Ok(mut at) = at.lock() {
        *at = Instant::now();
    }
}

/// How long since [`mark`] last ran.
fn since(at: &std::sync::Mutex<Instant>) -> Duration {
    at.lock().map(|at| at.elapsed()).unwrap_or_default()
}

/// `base` plus up to 10 % derived from the environment id and the clock, without a RNG crate.
fn jittered(base: Duration, seed: &str) -> Duration {
    let nanos = u64::from(Utc::now().timestamp_subsec_nanos());
    let hash = seed
        .bytes()
        .fold(nanos, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let spread = base.as_millis() as u64 / 10;
    if spread == 0 {
        return base;
    }
    base + Duration::from_millis(hash % spread)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::ids::EnvId;
    use std::sync::atomic::AtomicUsize;

    struct Fake {
        calls: AtomicUsize,
        fail: bool,
    }

    #[async_trait::async_trait]
    impl InventorySource for Fake {
        async fn fetch_inventory(&self) -> Result<EnvInventory, String> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            if self.fail {
                Err("ECS ListClusters: connection refused".into())
            } else {
                Ok(EnvInventory {
                    clusters: vec!["main".into()],
                    ..Default::default()
                })
            }
        }
        async fn fetch_details(
            &self,
            _: &EnvInventory,
            _: Option<&EnvDetails>,
        ) -> Result<EnvDetails, String> {
            Ok(EnvDetails::default())
        }
        async fn fetch_resource(&self, resource: &ResourceRef) -> Result<ResourceUpdate, String> {
            match resource {
                ResourceRef::Alarm { name } => Ok(ResourceUpdate::Alarm {
                    name: name.clone(),
                    alarm: None,
                }),
                other => Err(format!("the fake reads alarms only, not {other:?}")),
            }
        }
    }

    fn slot(fail: bool) -> (Arc<EnvSlot>, Arc<Fake>) {
        let fake = Arc::new(Fake {
            calls: AtomicUsize::new(0),
            fail,
        });
        let descriptor = EnvDescriptor {
            id: EnvId::parse("dev").unwrap(),
            name: "Dev".into(),
            region: "eu-west-1".into(),
            account_id: None,
            protected: false,
            refresh_interval_secs: 30,
            scaling: Default::default(),
            approval: Default::default(),
            logs: Default::default(),
        };
        let source: Arc<dyn InventorySource> = fake.clone();
        (
            Arc::new(EnvSlot::new(
                descriptor,
                source,
                Duration::from_secs(30),
                Duration::from_secs(60),
            )),
            fake,
        )
    }

    #[tokio::test]
    async fn ten_concurrent_refreshes_make_one_fetch() {
        let (slot, fake) = slot(false);
        let refreshes = (0..10).map(|_| {
            let slot = Arc::clone(&slot);
            tokio::spawn(async move { slot.refresh().await })
        });
        for r in futures::future::join_all(refreshes).await {
            assert_eq!(r.unwrap(), Ok(()));
        }
        assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
        assert!(slot.state().inventory.is_some());
    }

    #[tokio::test]
    async fn refreshes_people_ask_for_read_aws_once_per_interval() {
        let (slot, fake) = slot(false);
        for _ in 0..20 {
            assert_eq!(slot.refresh_requested().await, Ok(()));
        }
        assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
        // The background refresh is not limited by what people ask for.
        assert_eq!(slot.refresh().await, Ok(()));
        assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_requested_refresh_inside_the_interval_answers_the_last_failure() {
        let (slot, fake) = slot(true);
        assert!(slot.refresh_requested().await.is_err());
        let again = slot.refresh_requested().await;
        assert!(
            again
                .as_ref()
                .is_err_and(|e| e.contains("connection refused")),
            "{again:?}"
        );
        assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failure_keeps_the_last_good_data_and_records_since_when() {
        let (slot, _) = slot(true);
        assert!(slot.refresh().await.is_err());
        let first = slot.state().status.error.unwrap();
        assert!(first.message.contains("connection refused"));
        assert!(slot.refresh().await.is_err());
        let second = slot.state().status.error.unwrap();
        assert_eq!(
            first.since, second.since,
            "since stays at the first failure"
        );
        assert!(slot.state().inventory.is_none());
    }

    #[test]
    fn a_follower_reads_aws_only_without_a_live_leader_or_when_the_leader_falls_silent() {
        let now = Utc::now();
        let every = Duration::from_secs(30);
        let ago = |secs: i64| Some(now - chrono::Duration::seconds(secs));
        // (leader elsewhere, shown read at, since anything new, reads AWS itself)
        let cases = [
            // A live leader whose cycle outlasts two intervals (slow reads): keep following.
            (true, ago(200), Duration::from_secs(100), false),
            (true, None, Duration::from_secs(60), false),
            // A live leader silent for more than ten intervals: read.
            (true, ago(400), Duration::from_secs(301), true),
            (true, None, Duration::from_secs(301), true),
            // No leader: read when nothing is shown or it is older than two intervals.
            (false, None, Duration::ZERO, true),
            (false, ago(61), Duration::ZERO, true),
            (false, ago(59), Duration::from_secs(500), false),
        ];
        for (elsewhere, shown, news, expected) in cases {
            assert_eq!(
                follower_reads_aws(elsewhere, shown, news, every, now),
                expected,
                "leader elsewhere {elsewhere}, shown {shown:?}, news {news:?}"
            );
        }
    }
}
