//! Sign-in throttling: `governor`'s keyed rate limiter, per client IP, per replica. Each address
//! may make `per_minute` attempts at once and regains one every `60 / per_minute` seconds (GCRA),
//! so no more than `per_minute` a minute get through over time.

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Past this many addresses tracked, the ones whose attempts have all come back are forgotten.
const PRUNE_PAST: usize = 10_000;

pub struct LoginThrottle<C: Clock = DefaultClock> {
    limiter: RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, C, NoOpMiddleware<C::Instant>>,
}

impl LoginThrottle {
    /// `per_minute` is at least 1 (the configuration refuses 0).
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock> LoginThrottle<C> {
    pub fn with_clock(per_minute: u32, clock: C) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock),
        }
    }

    /// Counts an attempt; `Err(seconds)` says how long until the next one is allowed.
    pub fn attempt(&self, ip: IpAddr) -> Result<(), u64> {
        if self.limiter.len() > PRUNE_PAST {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            wait.as_secs().max(1)
        })
    }

    /// Addresses currently tracked.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.limiter.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use std::time::Duration;

    #[test]
    fn attempts_beyond_the_limit_wait_for_the_window() {
        let clock = FakeRelativeClock::default();
        let throttle = LoginThrottle::with_clock(3, clock.clone());
        let ip: IpAddr = [10, 0, 0, 1].into();
        let other: IpAddr = [10, 0, 0, 2].into();
        // t0
        for _ in 0..3 {
            assert!(throttle.attempt(ip).is_ok());
        }
        clock.advance(Duration::from_secs(10)); // t0 + 10 s
        assert!(throttle.attempt(ip).is_err());
        assert!(
            throttle.attempt(other).is_ok(),
            "other clients are not affected"
        );
        clock.advance(Duration::from_secs(51)); // t0 + 61 s
        assert!(throttle.attempt(ip).is_ok(), "a new window opens");
    }

    #[test]
    fn addresses_whose_attempts_came_back_are_forgotten_past_ten_thousand() {
        let clock = FakeRelativeClock::default();
        let throttle = LoginThrottle::with_clock(3, clock.clone());
        for n in 0..=PRUNE_PAST as u32 {
            assert!(throttle.attempt(IpAddr::from(n.to_be_bytes())).is_ok());
        }
        assert_eq!(throttle.tracked(), PRUNE_PAST + 1);
        clock.advance(Duration::from_secs(61));
        let last: IpAddr = [192, 0, 2, 1].into();
        assert!(throttle.attempt(last).is_ok());
        assert_eq!(throttle.tracked(), 1, "only the address just seen is kept");
    }
}
