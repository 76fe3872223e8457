//! The jobs' lease: one row per job group naming the process that runs it until `expires_at`.
//! The holder renews it well before it expires; any other process takes it once it has expired.
//! Taking and renewing are one conditional upsert, so two processes can never both hold it.

use super::sql::Pool;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub struct Lease {
    pool: Pool,
    name: String,
    /// This process: random per start, so a restarted process is a new holder.
    holder: String,
    ttl: Duration,
    held: AtomicBool,
    /// Whether another process held the lease, unexpired, at this process's last attempt.
    held_elsewhere: AtomicBool,
}

impl Lease {
    pub fn new(pool: Pool, name: &str, ttl: Duration) -> Self {
        use rand::Rng;
        let holder = format!(
            "{}-{:016x}",
            std::process::id(),
            rand::thread_rng().gen::<u64>()
        );
        Self {
            pool,
            name: name.into(),
            holder,
            ttl,
            held: AtomicBool::new(false),
            held_elsewhere: AtomicBool::new(false),
        }
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Whether this process held the lease at its last attempt.
    pub fn is_held(&self) -> bool {
        self.held.load(Ordering::SeqCst)
    }

    /// Whether another live process held the lease at this process's last attempt (false when
    /// the attempt failed: the database could not say).
    pub fn is_held_elsewhere(&self) -> bool {
        self.held_elsewhere.load(Ordering::SeqCst)
    }

    /// Takes or renews the lease; true when this process holds it now. A database error counts
    /// as not holding it (better no job than two).
    pub async fn try_hold(&self) -> bool {
        let now = chrono::Utc::now().timestamp_millis();
        let until = now + i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX / 2);
        let result = sqlx::query(
            &super::sql::numbered("INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at < ?"),
        )
        .bind(&self.name)
        .bind(&self.holder)
        .bind(until)
        .bind(now)
        .execute(&self.pool)
        .await;
        let (held, elsewhere) = match result {
            Ok(done) => (done.rows_affected() == 1, done.rows_affected() == 0),
            Err(e) => {
                tracing::warn!(lease = %self.name, error = %e, "taking the jobs lease");
                (false, false)
            }
        };
        self.held_elsewhere.store(elsewhere, Ordering::SeqCst);
        let was = self.held.swap(held, Ordering::SeqCst);
        if held != was {
            tracing::info!(lease = %self.name, holder = %self.holder, held, "jobs lease changed hands");
        }
        held
    }

    /// Gives the lease up (at shutdown), so another process takes over at once.
    pub async fn release(&self) {
        self.held.store(false, Ordering::SeqCst);
        if let Err(e) = sqlx::query(&super::sql::numbered(
            "DELETE FROM leases WHERE name = ? AND holder = ?",
        ))
        .bind(&self.name)
        .bind(&self.holder)
        .execute(&self.pool)
        .await
        {
            tracing::warn!(lease = %self.name, error = %e, "releasing the jobs lease");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time_and_takeover_after_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/l.db", dir.path().display());
        let pool = crate::store::connect(&url).await.unwrap();
        crate::store::migrate(&pool).await.unwrap();
        let a = Lease::new(pool.clone(), "jobs", Duration::from_millis(300));
        let b = Lease::new(pool.clone(), "jobs", Duration::from_millis(300));
        assert!(a.try_hold().await);
        assert!(!b.try_hold().await, "a holds it");
        assert!(b.is_held_elsewhere() && !a.is_held_elsewhere());
        assert!(a.try_hold().await, "the holder renews");
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(b.try_hold().await, "expired: b takes over");
        assert!(!b.is_held_elsewhere());
        assert!(!a.try_hold().await);
        assert!(a.is_held_elsewhere());
        b.release().await;
        assert!(a.try_hold().await, "released: a takes it at once");
    }
}
