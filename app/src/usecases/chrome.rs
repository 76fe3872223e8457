//! What the page chrome shows on every page — how many release requests await the person's
//! vote, how many incidents nobody acknowledged, who is on call — read from the database once
//! per change instead of once per page view (three queries each). An entry is good while
//! nothing was published on the live bus since it was read (every change to incidents and
//! release requests is published: by this process at once, by any other through the change
//! feed) and while it is younger than [`MAX_AGE`], which bounds how long a change nobody
//! announced (an on-call override set on another replica) can stay unseen. Overrides set here
//! clear their entry at once.

use crate::domain::approvals::Release;
use crate::domain::incidents::Incident;
use crate::domain::oncall::Override;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest an entry is used without being read again.
pub const MAX_AGE: Duration = Duration::from_secs(5);

struct Entry<T> {
    generation: u64,
    read_at: Instant,
    value: Arc<T>,
}

/// One cached read.
pub struct Slot<T> {
    entry: Mutex<Option<Entry<T>>>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            entry: Mutex::new(None),
        }
    }
}

impl<T> Slot<T> {
    fn fresh(&self, generation: u64) -> Option<Arc<T>> {
        let entry = self.entry.lock().ok()?;
        entry
            .as_ref()
            .filter(|e| e.generation == generation && e.read_at.elapsed() < MAX_AGE)
            .map(|e| Arc::clone(&e.value))
    }

    /// The cached value, or `load`'s, kept for next time. `generation` is the live bus's as
    /// the caller saw it before reading: a change published during the read leaves the entry
    /// already stale.
    pub async fn get<E, F>(&self, generation: u64, load: impl FnOnce() -> F) -> Result<Arc<T>, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.fresh(generation) {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        if let Ok(mut entry) = self.entry.lock() {
            *entry = Some(Entry {
                generation,
                read_at: Instant::now(),
                value: Arc::clone(&value),
            });
        }
        Ok(value)
    }

    pub fn clear(&self) {
        if let Ok(mut entry) = self.entry.lock() {
            *entry = None;
        }
    }
}

/// The chrome's three reads.
#[derive(Default)]
pub struct ChromeCache {
    /// Release requests waiting for votes, in every environment.
    pub requested: Slot<Vec<Release>>,
    /// Open incidents, in every environment.
    pub open_incidents: Slot<Vec<Incident>>,
    pub overrides: Slot<Vec<Override>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_slot_reads_again_after_a_change_or_a_clear() {
        let slot: Slot<u32> = Slot::default();
        let reads = AtomicU32::new(0);
        let load = || async { Ok::<_, ()>(reads.fetch_add(1, Ordering::SeqCst) + 1) };
        assert_eq!(*slot.get(7, load).await.unwrap(), 1);
        assert_eq!(*slot.get(7, load).await.unwrap(), 1, "unchanged: cached");
        assert_eq!(
            *slot.get(8, load).await.unwrap(),
            2,
            "something was published"
        );
        slot.clear();
        assert_eq!(*slot.get(8, load).await.unwrap(), 3, "cleared");
        let failed: Result<Arc<u32>, &str> = Slot::default().get(1, || async { Err("down") }).await;
        assert_eq!(failed.err(), Some("down"));
    }
}
