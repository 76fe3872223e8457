//! Operator actions as pure rules: what can be asked (scale, deploy, roll back, redeploy,
//! snapshot, mute/unmute an alarm; redrive, cancel a redrive or purge a queue; pause or resume a
//! function's event source mapping, point or roll back an alias, set reserved concurrency; run,
//! enable or disable a scheduled job; resize an EC2 Auto Scaling group, change its bounds or
//! refresh its instances), the validated inputs (desired count within bounds, image
//! reference, idempotency key), the gate for protected environments, and snapshot naming.

use super::policy::Action;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of an action, as stored in the audit log and the actions table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Scale,
    Deploy,
    Rollback,
    Redeploy,
    Snapshot,
    MuteAlarm,
    UnmuteAlarm,
    /// Move a dead-letter queue's messages back to their source (StartMessageMoveTask).
    RedriveQueue,
    /// Stop a running redrive (CancelMessageMoveTask).
    CancelRedrive,
    /// Delete every message of a queue (PurgeQueue).
    PurgeQueue,
    /// Stop an event source mapping consuming its queue.
    PauseMapping,
    /// Let a paused event source mapping consume again.
    ResumeMapping,
    /// Point a function's alias at a published version, optionally weighted with another.
    UpdateAlias,
    /// Put an alias back: drop its weighted version, or back to the version before.
    RollbackAlias,
    /// Set (or remove) a function's reserved concurrency; 0 stops every invocation.
    SetConcurrency,
    /// Run a scheduled job once now: its ECS task (RunTask) or its function (Invoke).
    RunJob,
    /// Enable a scheduled job's rule or schedule.
    EnableJob,
    /// Disable a scheduled job's rule or schedule.
    DisableJob,
    /// Set an EC2 Auto Scaling group's desired capacity, within its bounds.
    SetCapacity,
    /// Change an EC2 Auto Scaling group's minimum and maximum size.
    SetCapacityBounds,
    /// Start an instance refresh of an EC2 Auto Scaling group.
    RefreshInstances,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Scale => "scale",
            ActionKind::Deploy => "deploy",
            ActionKind::Rollback => "rollback",
            ActionKind::Redeploy => "redeploy",
            ActionKind::Snapshot => "snapshot",
            ActionKind::MuteAlarm => "mute_alarm",
            ActionKind::UnmuteAlarm => "unmute_alarm",
            ActionKind::RedriveQueue => "redrive_queue",
            ActionKind::CancelRedrive => "cancel_redrive",
            ActionKind::PurgeQueue => "purge_queue",
            ActionKind::PauseMapping => "pause_mapping",
            ActionKind::ResumeMapping => "resume_mapping",
            ActionKind::UpdateAlias => "update_alias",
            ActionKind::RollbackAlias => "rollback_alias",
            ActionKind::SetConcurrency => "set_concurrency",
            ActionKind::RunJob => "run_job",
            ActionKind::EnableJob => "enable_job",
            ActionKind::DisableJob => "disable_job",
            ActionKind::SetCapacity => "set_capacity",
            ActionKind::SetCapacityBounds => "set_capacity_bounds",
            ActionKind::RefreshInstances => "refresh_instances",
        }
    }

    /// What the policy checks for this kind.
    pub fn permission(self) -> Action {
        match self {
            ActionKind::Scale => Action::Scale,
            ActionKind::Deploy => Action::Deploy,
            ActionKind::Rollback => Action::Rollback,
            ActionKind::Redeploy => Action::Redeploy,
            ActionKind::Snapshot => Action::Snapshot,
            ActionKind::MuteAlarm | ActionKind::UnmuteAlarm => Action::MuteAlarm,
            ActionKind::RedriveQueue | ActionKind::CancelRedrive => Action::Redrive,
            ActionKind::PurgeQueue => Action::Purge,
            ActionKind::PauseMapping | ActionKind::ResumeMapping => Action::PauseConsumers,
            ActionKind::UpdateAlias | ActionKind::RollbackAlias => Action::ShiftAlias,
            ActionKind::SetConcurrency => Action::SetConcurrency,
            ActionKind::RunJob => Action::RunJob,
            ActionKind::EnableJob | ActionKind::DisableJob => Action::SwitchJob,
            ActionKind::SetCapacity | ActionKind::SetCapacityBounds => Action::ResizeGroup,
            ActionKind::RefreshInstances => Action::RefreshInstances,
        }
    }

    /// Whether an action of this kind changes what runs or what is consumed, and so may have
    /// caused what followed (a suspect in an incident's timeline). A snapshot, a muted alarm or
    /// a redrive does not.
    pub fn is_change(self) -> bool {
        matches!(
            self,
            ActionKind::Deploy
                | ActionKind::Rollback
                | ActionKind::Scale
                | ActionKind::Redeploy
                | ActionKind::PurgeQueue
                | ActionKind::PauseMapping
                | ActionKind::ResumeMapping
                | ActionKind::UpdateAlias
                | ActionKind::RollbackAlias
                | ActionKind::SetConcurrency
                | ActionKind::RunJob
                | ActionKind::EnableJob
                | ActionKind::DisableJob
                | ActionKind::SetCapacity
                | ActionKind::SetCapacityBounds
                | ActionKind::RefreshInstances
        )
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every action kind, in the order pages and `check-config` list them.
pub const ALL_KINDS: [ActionKind; 21] = [
    ActionKind::Scale,
    ActionKind::Deploy,
    ActionKind::Rollback,
    ActionKind::Redeploy,
    ActionKind::Snapshot,
    ActionKind::MuteAlarm,
    ActionKind::UnmuteAlarm,
    ActionKind::RedriveQueue,
    ActionKind::CancelRedrive,
    ActionKind::PurgeQueue,
    ActionKind::PauseMapping,
    ActionKind::ResumeMapping,
    ActionKind::UpdateAlias,
    ActionKind::RollbackAlias,
    ActionKind::SetConcurrency,
    ActionKind::RunJob,
    ActionKind::EnableJob,
    ActionKind::DisableJob,
    ActionKind::SetCapacity,
    ActionKind::SetCapacityBounds,
    ActionKind::RefreshInstances,
];

/// Kinds that need approval in a protected environment unless config says otherwise
/// (`[environments.approval] gated`): what changes what runs (a job run now included), and a
/// purge, which loses messages for good. Redrives, snapshots and muting run at once.
pub const DEFAULT_GATED: [ActionKind; 16] = [
    ActionKind::Deploy,
    ActionKind::Rollback,
    ActionKind::Scale,
    ActionKind::Redeploy,
    ActionKind::PurgeQueue,
    ActionKind::PauseMapping,
    ActionKind::ResumeMapping,
    ActionKind::UpdateAlias,
    ActionKind::RollbackAlias,
    ActionKind::SetConcurrency,
    ActionKind::RunJob,
    ActionKind::EnableJob,
    ActionKind::DisableJob,
    ActionKind::SetCapacity,
    ActionKind::SetCapacityBounds,
    ActionKind::RefreshInstances,
];

/// Limits on a service's desired count: `min..=max`, and 0 (stopping every task) only when
/// `allow_zero` says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleBounds {
    pub min: i32,
    pub max: i32,
    /// Whether 0 (stopping every task) is allowed besides `min..=max`.
    pub allow_zero: bool,
    /// Where the range comes from, for the person reading it.
    pub source: BoundsSource,
}

/// Which rule gave a service its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundsSource {
    /// A `[[environments.scaling.services]]` entry naming the service.
    ServiceConfig,
    /// The environment's `[environments.scaling]` range.
    EnvConfig,
    /// The service's Application Auto Scaling target.
    Autoscaling,
    /// Nothing configured or known: 1..=50.
    Default,
}

impl BoundsSource {
    pub fn describe(self) -> &'static str {
        match self {
            BoundsSource::ServiceConfig => "configured for this service",
            BoundsSource::EnvConfig => "configured for this environment",
            BoundsSource::Autoscaling => "the service's autoscaling range",
            BoundsSource::Default => "the console's default",
        }
    }
}

/// The default range when nothing else is known.
pub const DEFAULT_SCALE_RANGE: (i32, i32) = (1, 50);
/// The highest desired count any rule may allow.
pub const MAX_DESIRED_COUNT: i32 = 5000;

impl ScaleBounds {
    /// Configured bounds win; else the autoscaling range when known; else 1..=50. A minimum of
    /// 0 from autoscaling is read as 1 unless zero is allowed: 0 is only ever allowed by config.
    pub fn resolve(
        configured: Option<(i32, i32)>,
        autoscaling: Option<(i32, i32)>,
        allow_zero: bool,
    ) -> Self {
        let (source, (min, max)) = match (configured, autoscaling) {
            (Some(range), _) => (BoundsSource::EnvConfig, range),
            (None, Some(range)) => (BoundsSource::Autoscaling, range),
            (None, None) => (BoundsSource::Default, DEFAULT_SCALE_RANGE),
        };
        let min = min.max(1);
        Self {
            min,
            max: max.max(min).min(MAX_DESIRED_COUNT),
            allow_zero,
            source,
        }
    }

    pub fn allows(self, n: i32) -> bool {
        (n == 0 && self.allow_zero) || (self.min..=self.max).contains(&n)
    }

    /// `1–50`, or `0, or 2–8` when zero is allowed.
    pub fn describe(self) -> String {
        if self.allow_zero {
            format!("0, or {}–{}", self.min, self.max)
        } else {
            format!("{}–{}", self.min, self.max)
        }
    }
}

/// A scaling range from config: either end may be left to the autoscaling range or the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleRule {
    pub min: Option<i32>,
    pub max: Option<i32>,
    pub allow_zero: bool,
}

/// A rule for one service: `name` is `service` or `cluster/service`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceScaleRule {
    pub name: String,
    pub rule: ScaleRule,
}

/// An environment's scaling limits: a range for every service, and rules for some.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalePolicy {
    pub env: ScaleRule,
    pub services: Vec<ServiceScaleRule>,
}

impl ScalePolicy {
    /// The bounds for one service: a rule naming `cluster/service` wins over one naming
    /// `service`, which wins over the environment's range; ends a rule leaves open come from the
    /// autoscaling range when known, else the default.
    pub fn bounds_for(
        &self,
        cluster: &str,
        service: &str,
        autoscaling: Option<(i32, i32)>,
    ) -> ScaleBounds {
        let full = format!("{cluster}/{service}");
        let specific = self
            .services
            .iter()
            .find(|r| r.name == full)
            .or_else(|| self.services.iter().find(|r| r.name == service));
        let (rule, source) = match specific {
            Some(r) => (&r.rule, BoundsSource::ServiceConfig),
            None => (&self.env, BoundsSource::EnvConfig),
        };
        if rule.min.is_none() && rule.max.is_none() {
            let mut bounds = ScaleBounds::resolve(None, autoscaling, rule.allow_zero);
            if specific.is_some() && bounds.source == BoundsSource::Default {
                bounds.source = BoundsSource::ServiceConfig;
            }
            return bounds;
        }
        let fallback = autoscaling.unwrap_or(DEFAULT_SCALE_RANGE);
        let range = (
            rule.min.unwrap_or(fallback.0),
            rule.max.unwrap_or(fallback.1),
        );
        ScaleBounds {
            source,
            ..ScaleBounds::resolve(Some(range), None, rule.allow_zero)
        }
    }
}

/// A desired task count that passed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredCount(i32);

impl DesiredCount {
    pub fn parse(text: &str, bounds: ScaleBounds) -> Result<Self, String> {
        let text = text.trim();
        let n: i64 = text
            .parse()
            .map_err(|_| format!("desired count {text:?} is not a whole number"))?;
        if n < 0 {
            return Err(format!("desired count {n} is negative"));
        }
        if n == 0 && !bounds.allow_zero {
            return Err(
                "desired count 0 would stop every task, and this service may not be scaled to zero"
                    .to_string(),
            );
        }
        let fits = i32::try_from(n).is_ok_and(|n| bounds.allows(n));
        if !fits {
            return Err(format!(
                "desired count {n} is outside the allowed range {} ({})",
                bounds.describe(),
                bounds.source.describe()
            ));
        }
        Ok(Self(n as i32))
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// A container image reference: `[registry[:port]/]path[:tag][@sha256:<64 hex>]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef(String);

impl ImageRef {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bad = |why: &str| Err(format!("image reference {text:?} is not valid: {why}"));
        if text.is_empty() {
            return bad("it is empty");
        }
        if text.len() > 512 {
            return bad("it is longer than 512 characters");
        }
        let (name_and_tag, digest) = match text.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (text, None),
        };
        if let Some(d) = digest {
            let hex = d.strip_prefix("sha256:");
            if !hex.is_some_and(|h| {
                h.len() == 64
                    && h.chars()
                        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            }) {
                return bad("a digest must be sha256: followed by 64 lower-case hex digits");
            }
        }
        let last_slash = name_and_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
            Some(i) => (
                &name_and_tag[..last_slash + i],
                Some(&name_and_tag[last_slash + i + 1..]),
            ),
            None => (name_and_tag, None),
        };
        if tag.is_none() && digest.is_none() {
            return bad("give a tag (name:1.2.3) or a digest (name@sha256:…)");
        }
        if let Some(tag) = tag {
            let ok = !tag.is_empty()
                && tag.len() <= 128
                && !tag.starts_with(['.', '-'])
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if !ok {
                return bad(
                    "a tag is 1–128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
                );
            }
        }
        let mut parts: Vec<&str> = name.split('/').collect();
        // A first part with a dot, a colon or `localhost` is a registry host.
        if parts.len() > 1
            && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
        {
            let host = parts.remove(0);
            let host_ok = host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
            if !host_ok {
                return bad("the registry host has characters a host name cannot have");
            }
        }
        let path_ok = !parts.is_empty()
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                    })
                    && p.starts_with(|c: char| c.is_ascii_alphanumeric())
            });
        if !path_ok {
            return bad("repository names are lower-case letters, digits, '.', '_' and '-' separated by '/'");
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A key that makes a retried or double-submitted action act once: a client's (form, API
/// call), or one of the console's own (the release executor's), which live in a namespace no
/// client can write.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdempotencyKey(String);

/// What sets the console's own keys apart: a character [`IdempotencyKey::parse`] refuses.
const INTERNAL_MARK: char = ':';

impl IdempotencyKey {
    /// A client's key: 8–64 letters, digits, `-` or `_`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let ok = (8..=64).contains(&text.len())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        if ok {
            Ok(Self(text.to_string()))
        } else {
            Err("the request key must be 8–64 letters, digits, '-' or '_'; reload the page and try again".to_string())
        }
    }

    /// The key the release executor runs approved request `id` under (`release:000002`):
    /// predictable, so it carries a character no client key may hold, and no one can claim it
    /// before the request runs.
    pub fn for_release(id: i64) -> Self {
        Self(format!("release{INTERNAL_MARK}{id:06}"))
    }

    /// The release request an approved request's key runs (see [`IdempotencyKey::for_release`]).
    pub fn release_id(&self) -> Option<i64> {
        self.0
            .strip_prefix("release")?
            .strip_prefix(INTERNAL_MARK)?
            .parse()
            .ok()
    }

    /// Whether the console made this key rather than a client.
    pub fn is_internal(&self) -> bool {
        self.0.contains(INTERNAL_MARK)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as stored: within its caller (`actor`) and environment, so a key another caller
    /// used — or the same caller in another environment — is a different key, which never
    /// finds, returns or changes their action or request. `env` (an environment id) and the key
    /// hold no `/`, so no two (environment, key, caller) give the same text.
    pub fn scoped(&self, env: &str, actor: &str) -> String {
        format!("{env}/{}/{actor}", self.0)
    }

    /// The key a stored (scoped) key was made from, given its environment and caller: the
    /// inverse of [`IdempotencyKey::scoped`]. `None` when `stored` is not of that caller there.
    pub fn from_scoped(stored: &str, env: &str, actor: &str) -> Option<Self> {
        let key = stored
            .strip_prefix(env)?
            .strip_prefix('/')?
            .strip_suffix(actor)?
            .strip_suffix('/')?;
        (!key.is_empty() && !key.contains('/')).then(|| Self(key.to_string()))
    }
}

/// `<db>-qd-<UTC yyyymmddhhmmss><milliseconds>`: a valid RDS snapshot identifier (letters,
/// digits, hyphens, starting with a letter, no double hyphen, at most 255 characters); the
/// milliseconds keep two snapshots in the same second apart.
pub fn snapshot_name(db: &str, now: DateTime<Utc>) -> String {
    let mut base: String = db
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while base.contains("--") {
        base = base.replace("--", "-");
    }
    let base = base.trim_matches('-');
    let base = if base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base.to_string()
    } else {
        format!("db-{base}")
    };
    let suffix = format!("-qd-{}", now.format("%Y%m%d%H%M%S%3f"));
    let keep = 255 - suffix.len();
    let base: String = base.chars().take(keep).collect();
    format!("{}{suffix}", base.trim_end_matches('-'))
}

/// How an action ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionStatus {
    Succeeded,
    Failed {
        code: String,
        message: String,
    },
    /// Gated in a protected environment: recorded as release request `release`, to run once
    /// approved.
    AwaitingApproval {
        release: i64,
    },
    /// Started; its outcome is not recorded yet.
    Running,
    /// AWS gave no clear answer (`code`: `message`) and the resource did not show the change
    /// right after: the sweeper reads it again until it can tell.
    Checking {
        code: String,
        message: String,
    },
    /// Settled without an answer: neither AWS nor the resource could tell whether it was
    /// applied (`message` says why).
    Unknown {
        message: String,
    },
    /// Not run: the resource was not as the action was checked against, or could not be read
    /// to check it. Nothing was changed.
    NotRun {
        reason: String,
    },
}

impl ActionStatus {
    /// In a few words, for lists and timelines.
    pub fn label(&self) -> String {
        match self {
            ActionStatus::Succeeded => "succeeded".to_string(),
            ActionStatus::Failed { code, .. } => format!("failed: {code}"),
            ActionStatus::AwaitingApproval { release } => {
                format!("awaiting approval, release #{release}")
            }
            ActionStatus::Running => "running".to_string(),
            ActionStatus::Checking { .. } => "outcome not known yet".to_string(),
            ActionStatus::Unknown { .. } => "outcome unknown".to_string(),
            ActionStatus::NotRun { .. } => "not run".to_string(),
        }
    }

    /// Whether this is how the action ended (or, awaiting approval, handed over for good).
    pub fn is_settled(&self) -> bool {
        !matches!(self, ActionStatus::Running | ActionStatus::Checking { .. })
    }
}

/// What the person who asked sees, and what a retried request gets back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResult {
    pub kind: ActionKind,
    pub env: String,
    pub target: String,
    pub status: ActionStatus,
    /// What changed, in words (`desired count 2 → 4`, `snapshot prospa-db-qd-20261122…`).
    pub summary: String,
    pub at: DateTime<Utc>,
    /// Who asked.
    #[serde(default)]
    pub actor: String,
    /// The request key, so the page that sent it can show this result.
    #[serde(default)]
    pub key: String,
    /// Why, in the asker's words.
    #[serde(default)]
    pub reason: Option<String>,
    /// The task definition the service was pointed at (deploy, rollback).
    #[serde(default)]
    pub revision: Option<String>,
    /// For a change to a service that succeeded: how the rollout it set off went, followed
    /// until ECS ends it (`None`: nothing to follow, or recorded before rollouts were followed).
    #[serde(default)]
    pub rollout: Option<super::rollout_outcome::RolloutOutcome>,
}

impl ActionResult {
    /// The outcome in a few words, the rollout's included: `succeeded, rolled back by ECS: …`.
    pub fn outcome_label(&self) -> String {
        match (&self.status, &self.rollout) {
            (ActionStatus::Succeeded, Some(rollout)) => {
                format!("{}, {}", self.status.label(), rollout.label())
            }
            _ => self.status.label(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn desired_counts_are_bounded() {
        let default = ScaleBounds::resolve(None, None, false);
        let zero_ok = ScaleBounds::resolve(None, Some((0, 3)), true);
        let autoscaled = ScaleBounds::resolve(None, Some((1, 3)), false);
        let configured = ScaleBounds::resolve(Some((2, 8)), Some((1, 3)), false);
        let cases: &[(&str, ScaleBounds, Result<i32, &str>)] = &[
            ("4", default, Ok(4)),
            (" 50 ", default, Ok(50)),
            (
                "51",
                default,
                Err("outside the allowed range 1–50 (the console's default)"),
            ),
            ("0", default, Err("may not be scaled to zero")),
            ("0", zero_ok, Ok(0)),
            ("-1", default, Err("negative")),
            ("two", default, Err("not a whole number")),
            ("2.5", default, Err("not a whole number")),
            ("", default, Err("not a whole number")),
            ("99999999999", default, Err("outside")),
            (
                "4",
                autoscaled,
                Err("outside the allowed range 1–3 (the service's autoscaling range)"),
            ),
            ("8", configured, Ok(8)),
            ("1", configured, Err("outside the allowed range 2–8")),
            ("1", zero_ok, Ok(1)),
            ("4", zero_ok, Err("0, or 1–3")),
        ];
        for (input, bounds, expected) in cases {
            let got = DesiredCount::parse(input, *bounds).map(DesiredCount::get);
            match (got, expected) {
                (Ok(n), Ok(m)) => assert_eq!(n, *m, "{input}"),
                (Err(e), Err(needle)) => assert!(e.contains(needle), "{input}: {e}"),
                (got, expected) => panic!("{input}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn service_rules_beat_env_rules_which_beat_autoscaling() {
        let rule = |min: Option<i32>, max: Option<i32>, allow_zero: bool| ScaleRule {
            min,
            max,
            allow_zero,
        };
        let policy = ScalePolicy {
            env: rule(None, Some(20), false),
            services: vec![
                ServiceScaleRule {
                    name: "cleanup-job".into(),
                    rule: rule(None, Some(2), true),
                },
                ServiceScaleRule {
                    name: "main/api".into(),
                    rule: rule(Some(2), Some(8), false),
                },
                ServiceScaleRule {
                    name: "api".into(),
                    rule: rule(Some(3), None, false),
                },
            ],
        };
        let open = ScalePolicy::default();
        // (policy, cluster, service, autoscaling) → (min, max, zero, source)
        let cases = [
            (
                &policy,
                "main",
                "api",
                None,
                (2, 8, false, BoundsSource::ServiceConfig),
            ),
            (
                &policy,
                "other",
                "api",
                Some((1, 4)),
                (3, 4, false, BoundsSource::ServiceConfig),
            ),
            (
                &policy,
                "main",
                "cleanup-job",
                Some((0, 6)),
                (1, 2, true, BoundsSource::ServiceConfig),
            ),
            (
                &policy,
                "main",
                "web",
                Some((2, 3)),
                (2, 20, false, BoundsSource::EnvConfig),
            ),
            (
                &policy,
                "main",
                "web",
                None,
                (1, 20, false, BoundsSource::EnvConfig),
            ),
            (
                &open,
                "main",
                "web",
                Some((0, 3)),
                (1, 3, false, BoundsSource::Autoscaling),
            ),
            (
                &open,
                "main",
                "web",
                None,
                (1, 50, false, BoundsSource::Default),
            ),
        ];
        for (policy, cluster, service, autoscaling, (min, max, zero, source)) in cases {
            let b = policy.bounds_for(cluster, service, autoscaling);
            assert_eq!(
                (b.min, b.max, b.allow_zero, b.source),
                (min, max, zero, source),
                "{cluster}/{service} {autoscaling:?}"
            );
        }
        assert!(!open.bounds_for("main", "web", Some((0, 3))).allows(0));
        assert!(policy.bounds_for("main", "cleanup-job", None).allows(0));
    }

    #[test]
    fn image_references_are_validated() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let good = [
            "nginx:1.25".to_string(),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/prospa-api:1.5.1".to_string(),
            "localhost:5000/team/api:git-3f9c2ab".to_string(),
            format!("registry.example/api@{digest}"),
            format!("registry.example/api:1.0@{digest}"),
        ];
        for image in good {
            assert!(ImageRef::parse(&image).is_ok(), "{image}");
        }
        let bad = [
            ("", "empty"),
            ("nginx", "give a tag"),
            ("Nginx:1", "lower-case"),
            ("api:", "a tag is"),
            ("api:-bad", "a tag is"),
            ("api:has space", "a tag is"),
            ("api@sha256:abc", "digest"),
            ("a//b:1", "lower-case"),
            ("reg istry.example/api:1", "registry host"),
        ];
        for (image, needle) in bad {
            let err = ImageRef::parse(image).expect_err(image);
            assert!(err.contains(needle), "{image}: {err}");
        }
    }

    #[test]
    fn idempotency_keys_are_bounded_tokens() {
        assert!(IdempotencyKey::parse("a1b2c3d4").is_ok());
        assert!(IdempotencyKey::parse("f47ac10b-58cc-4372-a567-0e02b2c3d479").is_ok());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse("has space in it").is_err());
        assert!(IdempotencyKey::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn the_executors_keys_are_out_of_every_clients_reach() {
        let internal = IdempotencyKey::for_release(2);
        assert_eq!(internal.as_str(), "release:000002");
        assert!(internal.is_internal());
        assert_eq!(internal.release_id(), Some(2));
        assert_eq!(
            IdempotencyKey::for_release(1234567).release_id(),
            Some(1234567)
        );
        assert_eq!(
            IdempotencyKey::parse("release-000002")
                .unwrap()
                .release_id(),
            None
        );
        for client in ["release:000002", "release-000002", "release_000002"] {
            match IdempotencyKey::parse(client) {
                Ok(key) => assert!(!key.is_internal() && key != internal, "{client}"),
                Err(_) => assert!(client.contains(':'), "{client}"),
            }
        }
    }

    #[test]
    fn stored_keys_are_scoped_to_their_caller_and_environment() {
        let key = IdempotencyKey::parse("form-key-0001").unwrap();
        let table = [
            (("prod", "ana"), ("prod", "ana"), true),
            (("prod", "ana"), ("prod", "bob"), false),
            (("prod", "ana"), ("staging", "ana"), false),
            // A name holding a slash cannot pose as another environment or key.
            (("prod", "a/b"), ("prod/b", "a"), false),
        ];
        let internal = IdempotencyKey::for_release(7);
        for (key, env, actor) in [(&key, "prod", "ana"), (&internal, "dev", "a/b")] {
            assert_eq!(
                IdempotencyKey::from_scoped(&key.scoped(env, actor), env, actor).as_ref(),
                Some(key)
            );
        }
        assert_eq!(
            IdempotencyKey::from_scoped("prod/form-key-0001/ana", "prod", "bob"),
            None
        );
        assert_eq!(
            IdempotencyKey::from_scoped("prod/form-key-0001/ana", "staging", "ana"),
            None
        );
        for ((env_a, who_a), (env_b, who_b), same) in table {
            assert_eq!(
                key.scoped(env_a, who_a) == key.scoped(env_b, who_b),
                same,
                "{env_a}/{who_a} vs {env_b}/{who_b}"
            );
        }
    }

    #[test]
    fn snapshot_names_are_valid_rds_identifiers() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 4, 5).unwrap()
            + chrono::Duration::milliseconds(42);
        assert_eq!(
            snapshot_name("prospa-db", now),
            "prospa-db-qd-20261122100405042"
        );
        assert_eq!(
            snapshot_name("Orders_DB--main", now),
            "orders-db-main-qd-20261122100405042"
        );
        assert_eq!(snapshot_name("1st", now), "db-1st-qd-20261122100405042");
        let long = snapshot_name(&"a".repeat(300), now);
        assert_eq!(long.len(), 255);
        assert!(long.ends_with("-qd-20261122100405042"));
    }

    #[test]
    fn kinds_map_to_permissions() {
        assert_eq!(ActionKind::UnmuteAlarm.permission(), Action::MuteAlarm);
        assert_eq!(ActionKind::Scale.permission(), Action::Scale);
    }
}
