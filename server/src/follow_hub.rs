//! The shared pollers of followed logs: one per [`FollowKey`] (environment, group, streams,
//! filter), reading FilterLogEvents every [`POLL_EVERY`] from just before the newest event it saw
//! (events already handed on are dropped by id) and handing the new ones to every stream
//! watching that key. A poller stops when its last stream has gone, so twenty people following
//! one service cost the AWS calls of one, and nobody following costs none.

use crate::aws::call_stats::{with_purpose, Purpose};
use app::domain::logs::{FollowKey, LogEvent, LogOrder, LogRequest};
use app::ports::LogsPort;
use chrono::{Duration as ChronoDuration, Utc};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// How often a followed group is read.
pub const POLL_EVERY: Duration = Duration::from_secs(1);
/// How far back each read starts before the newest event seen: CloudWatch can make an event
/// searchable a little after its timestamp, so a read that started exactly there would miss it.
const OVERLAP_SECS: i64 = 10;
/// Event ids remembered to drop the ones a later read returns again.
const SEEN_KEPT: usize = 5_000;
/// The most events one poll hands on.
const POLL_LIMIT: u32 = 500;

/// The shared pollers of followed logs, by what they poll.
#[derive(Default)]
pub struct FollowHub {
    followers: Mutex<HashMap<FollowKey, broadcast::Sender<Arc<Vec<LogEvent>>>>>,
}

impl FollowHub {
    /// A receiver of `key`'s new events, starting its poller if none runs.
    pub fn subscribe(
        self: &Arc<Self>,
        key: &FollowKey,
        logs: Arc<dyn LogsPort>,
        timeout_secs: u64,
    ) -> broadcast::Receiver<Arc<Vec<LogEvent>>> {
        let Ok(mut followers) = self.followers.lock() else {
            let (tx, rx) = broadcast::channel(1);
            drop(tx);
            return rx;
        };
        if let Some(tx) = followers.get(key) {
            return tx.subscribe();
        }
        let (tx, rx) = broadcast::channel(64);
        followers.insert(key.clone(), tx.clone());
        let hub = Arc::clone(self);
        let key = key.clone();
        tokio::spawn(async move {
            with_purpose(Purpose::Follow, poll(&hub, &key, tx, logs, timeout_secs)).await;
        });
        rx
    }

    /// How many pollers run now.
    pub fn pollers(&self) -> usize {
        self.followers.lock().map(|f| f.len()).unwrap_or(0)
    }
}

/// Reads `key` every [`POLL_EVERY`] until nobody listens, sending each read's new events.
async fn poll(
    hub: &FollowHub,
    key: &FollowKey,
    tx: broadcast::Sender<Arc<Vec<LogEvent>>>,
    logs: Arc<dyn LogsPort>,
    timeout_secs: u64,
) {
    let mut since = Utc::now() - ChronoDuration::seconds(OVERLAP_SECS);
    let mut seen: HashSet<String> = HashSet::new();
    let mut order: VecDeque<String> = VecDeque::new();
    let mut ticker = tokio::time::interval(POLL_EVERY);
    // A slow read is followed by one read a second, not a burst of the reads it held up.
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        // Stop when the last stream went away: decided under the lock, so a stream that
        // subscribes now either finds this poller still listed or starts a new one.
        {
            let Ok(mut followers) = hub.followers.lock() else {
                return;
            };
            if tx.receiver_count() == 0 {
                followers.remove(key);
                tracing::debug!(group = %key.group, "no one follows these logs any more");
                return;
            }
        }
        let now = Utc::now();
        let request = LogRequest {
            group: key.group.clone(),
            streams: key.streams.clone(),
            filter: key.filter.clone(),
            from: since,
            to: now,
            order: LogOrder::Oldest,
            limit: POLL_LIMIT,
            max_events: POLL_LIMIT,
            timeout_secs,
        };
        match logs.events(&key.env, &request).await {
            Ok(page) => {
                let fresh: Vec<LogEvent> = page
                    .events
                    .into_iter()
                    .filter(|e| !seen.contains(&e.id))
                    .collect();
                for e in &fresh {
                    seen.insert(e.id.clone());
                    order.push_back(e.id.clone());
                    if order.len() > SEEN_KEPT {
                        if let Some(old) = order.pop_front() {
                            seen.remove(&old);
                        }
                    }
                }
                if let Some(newest) = fresh.iter().map(|e| e.at).max() {
                    since = since.max(newest - ChronoDuration::seconds(OVERLAP_SECS));
                }
                if !fresh.is_empty() {
                    // Nobody listening between the check and now is fine: the next tick ends it.
                    let _ = tx.send(Arc::new(fresh));
                }
            }
            Err(failure) => {
                tracing::warn!(env = %key.env, group = %key.group, error = %failure, "following logs");
            }
        }
    }
}
