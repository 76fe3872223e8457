//! Coloured labels for states: alarm state, task counts, data freshness, health.

use crate::domain::format::age_opt;
use crate::domain::health::HealthLevel;
use crate::domain::inventory::{AlarmState, Freshness, RefreshStatus};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

const BADGE: &str = "inline-flex items-center gap-1 whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset";
const GREEN: &str = "bg-emerald-50 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/20";
const AMBER: &str = "bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/20";
const RED: &str = "bg-red-50 text-red-800 ring-red-600/20 dark:bg-red-400/10 dark:text-red-300 dark:ring-red-400/20";
const GREY: &str = "bg-slate-100 text-slate-700 ring-slate-500/20 dark:bg-slate-400/10 dark:text-slate-300 dark:ring-slate-400/20";
const BLUE: &str = "bg-sky-50 text-sky-800 ring-sky-600/20 dark:bg-sky-400/10 dark:text-sky-300 dark:ring-sky-400/20";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Neutral,
    Info,
}

impl Tone {
    fn classes(self) -> &'static str {
        match self {
            Tone::Good => GREEN,
            Tone::Warn => AMBER,
            Tone::Bad => RED,
            Tone::Neutral => GREY,
            Tone::Info => BLUE,
        }
    }
}

#[component]
pub fn Badge(tone: Tone, #[prop(into)] text: String) -> impl IntoView {
    view! { <span class=format!("{BADGE} {}", tone.classes())>{text}</span> }
}

#[component]
pub fn AlarmStateBadge(state: AlarmState) -> impl IntoView {
    let (tone, text) = match state {
        AlarmState::Alarm => (Tone::Bad, "ALARM"),
        AlarmState::InsufficientData => (Tone::Neutral, "NO DATA"),
        AlarmState::Ok => (Tone::Good, "OK"),
    };
    view! { <Badge tone text/> }
}

/// `running/desired` tasks, green when they match.
#[component]
pub fn TaskCount(running: i32, desired: i32, #[prop(optional)] pending: i32) -> impl IntoView {
    let tone = if running == desired {
        Tone::Good
    } else if running == 0 && desired > 0 {
        Tone::Bad
    } else {
        Tone::Warn
    };
    let text = if pending > 0 {
        format!("{running}/{desired} (+{pending} pending)")
    } else {
        format!("{running}/{desired}")
    };
    view! { <Badge tone text/> }
}

#[component]
pub fn HealthBadge(level: HealthLevel) -> impl IntoView {
    let (tone, text) = match level {
        HealthLevel::Healthy => (Tone::Good, "Healthy"),
        HealthLevel::Degraded => (Tone::Warn, "Degraded"),
        HealthLevel::Critical => (Tone::Bad, "Alarms firing"),
    };
    view! { <Badge tone text/> }
}

/// Data age of an environment: fresh, stale, failing (with the age of the last good data).
#[component]
pub fn FreshnessBadge(
    freshness: Freshness,
    status: RefreshStatus,
    now: DateTime<Utc>,
) -> impl IntoView {
    let age = age_opt(now, status.last_success);
    let (tone, text) = match freshness {
        Freshness::Loading => (Tone::Info, "loading first data".to_string()),
        Freshness::Fresh => (Tone::Good, format!("data {age}")),
        Freshness::Stale => (Tone::Warn, format!("stale: data {age}")),
        Freshness::Failing if status.last_success.is_some() => {
            (Tone::Bad, format!("failing: last good data {age}"))
        }
        Freshness::Failing => (Tone::Bad, "failing: no data yet".to_string()),
    };
    view! { <span data-testid="freshness"><Badge tone text/></span> }
}

/// Rollout state of a deployment.
#[component]
pub fn RolloutBadge(state: Option<String>, deploying: bool) -> impl IntoView {
    let (tone, text) = match (state.as_deref(), deploying) {
        (Some("FAILED"), _) => (Tone::Bad, "rollout failed".to_string()),
        (Some("IN_PROGRESS"), _) | (_, true) => (Tone::Info, "deploying".to_string()),
        (Some("COMPLETED"), false) => (Tone::Good, "steady".to_string()),
        (Some(other), false) => (Tone::Neutral, other.to_lowercase()),
        (None, false) => (Tone::Good, "steady".to_string()),
    };
    view! { <Badge tone text/> }
}

/// A service's (or an environment's) load balancer targets: healthy of all, coloured by what
/// they come down to; "—" without a target group.
#[component]
pub fn TargetsBadge(counts: Option<crate::domain::load_balancing::TargetCounts>) -> impl IntoView {
    use crate::domain::load_balancing::TargetVerdict;
    let Some(counts) = counts else {
        return view! { <span class="text-slate-500 dark:text-slate-400">"—"</span> }.into_any();
    };
    let tone = match counts.verdict() {
        TargetVerdict::Healthy => Tone::Good,
        TargetVerdict::Starting => Tone::Info,
        TargetVerdict::Degraded => Tone::Warn,
        TargetVerdict::Down => Tone::Bad,
        TargetVerdict::NoTargets => Tone::Neutral,
    };
    let text = if counts.total() == 0 {
        "no targets".to_string()
    } else {
        format!("{}/{} healthy", counts.healthy, counts.total())
    };
    view! {
        <span title=counts.describe() data-testid="targets-badge" data-verdict=format!("{:?}", counts.verdict())>
            <Badge tone text/>
        </span>
    }
    .into_any()
}
