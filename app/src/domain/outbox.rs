//! The webhook outbox as pure rules: every notice is a row per webhook that stays until it is
//! delivered or given up; when a failed attempt is tried again (a wait doubling from the first
//! retry to a cap, shortened at random by up to a quarter so rows that failed together do not
//! retry together, for a total time after which the row is given up); what an admin may ask of
//! a row ("retry now"); and what the page shows of a notice.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Where a row stands. Only `Pending` rows are ever sent; `Delivered` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeliveryState {
    /// Waiting for its next attempt (or being attempted right now).
    Pending,
    /// The webhook answered 2xx: never sent again.
    Delivered,
    /// The retry time ran out; an admin may try it once more.
    GivenUp,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 3] = [
        DeliveryState::Pending,
        DeliveryState::Delivered,
        DeliveryState::GivenUp,
    ];

    /// The word stored in the database and used in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::GivenUp => "given_up",
        }
    }

    /// The word people read.
    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::GivenUp => "given up",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
            .ok_or_else(|| {
                format!("{text:?} is not a delivery state: pending, delivered or given_up")
            })
    }
}

/// How failed deliveries are tried again: `[notifications]` `first_retry_after`,
/// `max_retry_interval` and `retry_for`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    /// The wait after the first failure; it doubles after each further one.
    pub first: Duration,
    /// The longest wait between two attempts.
    pub max: Duration,
    /// How long after a notice was written it is still tried; then it is given up.
    pub give_up_after: Duration,
}

impl Default for RetrySchedule {
    /// From 5 s, doubling to at most 10 min, for 24 h.
    fn default() -> Self {
        Self {
            first: Duration::seconds(5),
            max: Duration::minutes(10),
            give_up_after: Duration::hours(24),
        }
    }
}

/// What follows a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextAttempt {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

impl RetrySchedule {
    /// The full wait after `failures` failed attempts (at least one): `first` doubled once per
    /// failure after the first, at most `max`.
    pub fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(30);
        let factor = 1i32 << doublings;
        let wait = self
            .first
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max);
        wait.max(Duration::zero())
    }

    /// When a row written at `created_at` whose attempt number `failures` just failed at `now`
    /// is tried next, or that it is given up. `jitter` (0 to 1, from the caller's random
    /// source) shortens the wait by up to a quarter. The last attempt is made when the retry
    /// time runs out, not skipped; a failure at or after that time gives the row up — so a row
    /// an admin tried again after it was given up is given up again if that attempt fails.
    pub fn after_failure(
        &self,
        failures: u32,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
        jitter: f64,
    ) -> NextAttempt {
        let deadline = created_at + self.give_up_after;
        if now >= deadline {
            return NextAttempt::GiveUp;
        }
        let wait = self.backoff(failures);
        let shortened = (wait.num_milliseconds() as f64 * jitter.clamp(0.0, 1.0) / 4.0) as i64;
        let at = now + (wait - Duration::milliseconds(shortened));
        NextAttempt::RetryAt(at.min(deadline))
    }

    /// The schedule in words, for the page: "from 5s, doubling to at most 10m, for 24h".
    pub fn describe(&self) -> String {
        format!(
            "from {}, doubling to at most {}, for {}",
            duration_text(self.first),
            duration_text(self.max),
            duration_text(self.give_up_after)
        )
    }
}

/// A duration in its largest whole unit: `500ms`, `5s`, `10m`, `24h`, `2d`.
pub fn duration_text(d: Duration) -> String {
    let ms = d.num_milliseconds();
    let units = [
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
    ];
    for (size, unit) in units {
        if ms >= size && ms % size == 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// One row of the outbox as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub id: i64,
    pub webhook: String,
    /// The notice's `event` (`release.approved`, `incident.opened`, …).
    pub event: String,
    /// The start of the notice's text line.
    pub summary: String,
    pub state: DeliveryState,
    /// Attempts started so far.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    /// When a pending row is tried next.
    pub next_attempt_at: DateTime<Utc>,
    /// Until when an attempt holds the row (it is being sent right now).
    pub claimed_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_failed_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl OutboxRow {
    /// An attempt holds the row at `now`.
    pub fn in_flight(&self, now: DateTime<Utc>) -> bool {
        self.state == DeliveryState::Pending && self.claimed_until.is_some_and(|until| until > now)
    }
}

/// When a row is tried next, in words: `being sent`, `due now`, `in 45s`, `in 8m`, `in 2h`,
/// or `—` for a row that is no longer tried.
pub fn next_attempt_text(row: &OutboxRow, now: DateTime<Utc>) -> String {
    if row.state != DeliveryState::Pending {
        return "—".into();
    }
    if row.in_flight(now) {
        return "being sent".into();
    }
    let secs = (row.next_attempt_at - now).num_seconds();
    match secs {
        ..=0 => "due now".into(),
        1..=59 => format!("in {secs}s"),
        60..=3599 => format!("in {}m", secs / 60),
        _ => format!("in {}h", secs / 3600),
    }
}

/// The longest summary kept of a notice's text.
const SUMMARY_CHARS: usize = 160;

/// What the page shows of a notice body: its event and the start of its text line.
pub fn notice_summary(body: &serde_json::Value) -> (String, String) {
    let event = body["event"].as_str().unwrap_or("notice").to_string();
    let text = body["text"].as_str().unwrap_or_default();
    let summary = match text.char_indices().nth(SUMMARY_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    };
    (event, summary)
}

/// Why "retry now" is refused for a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryRefused {
    /// Delivered rows are never sent again.
    Delivered,
    /// An attempt is under way.
    InFlight,
    /// Its webhook is no longer configured: nothing would send it.
    NotConfigured(String),
}

impl std::fmt::Display for RetryRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetryRefused::Delivered => {
                f.write_str("this notice was delivered; a delivered notice is never sent again")
            }
            RetryRefused::InFlight => f.write_str("this notice is being sent right now"),
            RetryRefused::NotConfigured(hook) => write!(
                f,
                "the webhook {hook:?} is no longer configured, so nothing would send this notice"
            ),
        }
    }
}

/// Whether an admin may have `row` tried again now: a pending or given-up row of a configured
/// webhook that no attempt holds.
pub fn check_retry(
    row: &OutboxRow,
    configured: &[String],
    now: DateTime<Utc>,
) -> Result<(), RetryRefused> {
    if row.state == DeliveryState::Delivered {
        return Err(RetryRefused::Delivered);
    }
    if row.in_flight(now) {
        return Err(RetryRefused::InFlight);
    }
    if !configured.contains(&row.webhook) {
        return Err(RetryRefused::NotConfigured(row.webhook.clone()));
    }
    Ok(())
}

/// One webhook's outbox at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTally {
    pub webhook: String,
    /// Named in `[notifications]` now (rows of a removed webhook stay visible).
    pub configured: bool,
    pub pending: u64,
    pub delivered: u64,
    pub given_up: u64,
    pub last_delivered_at: Option<DateTime<Utc>>,
    pub last_failed_at: Option<DateTime<Utc>>,
    /// The error of the latest failure.
    pub last_error: Option<String>,
    /// The oldest notice still waiting.
    pub oldest_pending_at: Option<DateTime<Utc>>,
}

/// Every configured webhook (with nothing counted where no row exists yet) and any other
/// webhook that still has rows, configured ones first in config order.
pub fn tallies_for(configured: &[String], counted: Vec<WebhookTally>) -> Vec<WebhookTally> {
    let mut out: Vec<WebhookTally> = configured
        .iter()
        .map(|hook| {
            let mut tally = counted
                .iter()
                .find(|t| t.webhook == *hook)
                .cloned()
                .unwrap_or_default();
            tally.webhook = hook.clone();
            tally.configured = true;
            tally
        })
        .collect();
    out.extend(
        counted
            .into_iter()
            .filter(|t| !configured.contains(&t.webhook))
            .map(|t| WebhookTally {
                configured: false,
                ..t
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_time::at;

    fn schedule() -> RetrySchedule {
        RetrySchedule::default()
    }

    #[test]
    fn the_wait_doubles_from_the_first_retry_up_to_the_cap() {
        // failures, wait (s)
        let cases = [
            (1, 5),
            (2, 10),
            (3, 20),
            (4, 40),
            (5, 80),
            (6, 160),
            (7, 320),
            (8, 600),
            (9, 600),
            (40, 600),
            (u32::MAX, 600),
            // Attempt 0 does not fail; counted as the first.
            (0, 5),
        ];
        for (failures, secs) in cases {
            assert_eq!(
                schedule().backoff(failures),
                Duration::seconds(secs),
                "{failures} failures"
            );
        }
    }

    #[test]
    fn a_failure_is_retried_after_the_wait_shortened_by_jitter_until_the_time_runs_out() {
        let created = at("2026-12-01T10:00:00Z");
        // failures, failed at, jitter, next attempt (None: given up)
        let cases = [
            (1, "2026-12-01T10:00:00Z", 0.0, Some("2026-12-01T10:00:05Z")),
            // Jitter shortens by up to a quarter, never lengthens.
            (
                1,
                "2026-12-01T10:00:00Z",
                1.0,
                Some("2026-12-01T10:00:03.750Z"),
            ),
            (
                2,
                "2026-12-01T10:00:05Z",
                0.5,
                Some("2026-12-01T10:00:13.750Z"),
            ),
            (9, "2026-12-01T12:00:00Z", 0.0, Some("2026-12-01T12:10:00Z")),
            // Out-of-range jitter is clamped.
            (9, "2026-12-01T12:00:00Z", 7.0, Some("2026-12-01T12:07:30Z")),
            (
                9,
                "2026-12-01T12:00:00Z",
                -1.0,
                Some("2026-12-01T12:10:00Z"),
            ),
            // The last attempt is made as the time runs out, not skipped.
            (
                150,
                "2026-12-02T09:55:00Z",
                0.0,
                Some("2026-12-02T10:00:00Z"),
            ),
            // At or after it, the row is given up.
            (151, "2026-12-02T10:00:00Z", 0.0, None),
            (152, "2026-12-05T08:00:00Z", 0.0, None),
        ];
        for (failures, now, jitter, next) in cases {
            let expected = next.map_or(NextAttempt::GiveUp, |t| NextAttempt::RetryAt(at(t)));
            assert_eq!(
                schedule().after_failure(failures, created, at(now), jitter),
                expected,
                "{failures} failures at {now}, jitter {jitter}"
            );
        }
    }

    #[test]
    fn short_schedules_for_tests_work_the_same_way() {
        let quick = RetrySchedule {
            first: Duration::milliseconds(200),
            max: Duration::seconds(1),
            give_up_after: Duration::seconds(3),
        };
        let created = at("2026-12-01T10:00:00Z");
        let waits: Vec<i64> = (1..=5)
            .map(|n| quick.backoff(n).num_milliseconds())
            .collect();
        assert_eq!(waits, vec![200, 400, 800, 1000, 1000]);
        assert_eq!(
            quick.after_failure(4, created, at("2026-12-01T10:00:02.500Z"), 0.0),
            NextAttempt::RetryAt(at("2026-12-01T10:00:03Z"))
        );
        assert_eq!(
            quick.describe(),
            "from 200ms, doubling to at most 1s, for 3s"
        );
        assert_eq!(
            schedule().describe(),
            "from 5s, doubling to at most 10m, for 1d"
        );
    }

    #[test]
    fn durations_read_in_their_largest_whole_unit() {
        let cases = [
            (Duration::milliseconds(250), "250ms"),
            (Duration::milliseconds(1500), "1500ms"),
            (Duration::seconds(90), "90s"),
            (Duration::minutes(10), "10m"),
            (Duration::hours(36), "36h"),
            (Duration::days(2), "2d"),
            (Duration::zero(), "0ms"),
        ];
        for (d, text) in cases {
            assert_eq!(duration_text(d), text);
        }
    }

    #[test]
    fn states_read_back_as_written() {
        for state in DeliveryState::ALL {
            assert_eq!(DeliveryState::parse(state.as_str()), Ok(state));
        }
        assert!(DeliveryState::parse("sent").is_err());
        assert_eq!(DeliveryState::GivenUp.label(), "given up");
    }

    fn row(state: DeliveryState, claimed_until: Option<&str>) -> OutboxRow {
        OutboxRow {
            id: 7,
            webhook: "chat".into(),
            event: "release.requested".into(),
            summary: String::new(),
            state,
            attempts: 3,
            created_at: at("2026-12-01T10:00:00Z"),
            next_attempt_at: at("2026-12-01T10:05:00Z"),
            claimed_until: claimed_until.map(at),
            last_error: Some("answered 503".into()),
            last_failed_at: None,
            delivered_at: None,
        }
    }

    #[test]
    fn admins_retry_waiting_and_given_up_rows_of_configured_webhooks_that_no_attempt_holds() {
        use DeliveryState::*;
        let now = at("2026-12-01T11:00:00Z");
        let chat = vec!["chat".to_string()];
        let cases = [
            (row(Pending, None), chat.clone(), Ok(())),
            (row(GivenUp, None), chat.clone(), Ok(())),
            // A claim that ran out (its process died) holds nothing.
            (
                row(Pending, Some("2026-12-01T10:59:00Z")),
                chat.clone(),
                Ok(()),
            ),
            (
                row(Pending, Some("2026-12-01T11:00:30Z")),
                chat.clone(),
                Err(RetryRefused::InFlight),
            ),
            (
                row(Delivered, None),
                chat.clone(),
                Err(RetryRefused::Delivered),
            ),
            (
                row(GivenUp, None),
                vec!["pager".to_string()],
                Err(RetryRefused::NotConfigured("chat".into())),
            ),
        ];
        for (i, (row, configured, expected)) in cases.into_iter().enumerate() {
            assert_eq!(check_retry(&row, &configured, now), expected, "case {i}");
        }
    }

    #[test]
    fn the_next_attempt_reads_in_words() {
        use DeliveryState::*;
        // state, claimed until, now, text (next attempt at 10:05)
        let cases = [
            (Pending, None, "2026-12-01T10:06:00Z", "due now"),
            (Pending, None, "2026-12-01T10:05:00Z", "due now"),
            (Pending, None, "2026-12-01T10:04:15Z", "in 45s"),
            (Pending, None, "2026-12-01T09:57:00Z", "in 8m"),
            (Pending, None, "2026-12-01T07:30:00Z", "in 2h"),
            (
                Pending,
                Some("2026-12-01T10:06:30Z"),
                "2026-12-01T10:06:00Z",
                "being sent",
            ),
            (Delivered, None, "2026-12-01T10:00:00Z", "—"),
            (GivenUp, None, "2026-12-01T10:00:00Z", "—"),
        ];
        for (state, claimed, now, text) in cases {
            assert_eq!(
                next_attempt_text(&row(state, claimed), at(now)),
                text,
                "{state:?} at {now}"
            );
        }
    }

    #[test]
    fn the_page_shows_the_event_and_the_start_of_the_text() {
        let long = "x".repeat(300);
        let cases = [
            (
                serde_json::json!({"event": "incident.opened", "text": "incident #4 opened"}),
                ("incident.opened", "incident #4 opened".to_string()),
            ),
            (serde_json::json!({"text": 5}), ("notice", String::new())),
            (
                serde_json::json!({"event": "release.approved", "text": long}),
                ("release.approved", format!("{}…", "x".repeat(160))),
            ),
        ];
        for (body, (event, summary)) in cases {
            assert_eq!(notice_summary(&body), (event.to_string(), summary));
        }
    }

    #[test]
    fn every_configured_webhook_is_listed_and_removed_ones_that_still_have_rows_follow() {
        let counted = vec![
            WebhookTally {
                webhook: "old".into(),
                given_up: 2,
                ..Default::default()
            },
            WebhookTally {
                webhook: "pager".into(),
                delivered: 9,
                ..Default::default()
            },
        ];
        let configured = vec!["pager".to_string(), "chat".to_string()];
        let tallies = tallies_for(&configured, counted);
        let seen: Vec<(&str, bool, u64, u64)> = tallies
            .iter()
            .map(|t| (t.webhook.as_str(), t.configured, t.delivered, t.given_up))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("pager", true, 9, 0),
                ("chat", true, 0, 0),
                ("old", false, 0, 2)
            ]
        );
    }
}
