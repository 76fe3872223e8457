//! Typed settings, loaded once: a TOML file, then `QD_…` environment overrides, then validation
//! that names the bad key and says why. Nothing else in the server reads the environment.

use anyhow::{anyhow, bail, Context};
use app::domain::actions::{ActionKind, ScalePolicy, ScaleRule, ServiceScaleRule};
use app::domain::approvals::{ApprovalPolicy, FreezeWindow};
use app::domain::ids::EnvId;
use app::domain::inventory::EnvDescriptor;
use app::domain::policy::{EnvScope, GroupRole, Role};
use serde::Deserialize;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variable that names the config file when `--config` is not given.
pub const CONFIG_PATH_VAR: &str = "QD_CONFIG";
/// Prefix of overrides: `QD_SERVER__LISTEN=…` sets `server.listen`; `QD_ENVIRONMENTS__0__REGION`
/// sets the region of the first environment. Variables without `__` are not overrides.
pub const OVERRIDE_PREFIX: &str = "QD_";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub auth: AuthSettings,
    #[serde(default)]
    pub aws: AwsSettings,
    #[serde(default)]
    pub environments: Vec<EnvironmentSettings>,
    #[serde(default)]
    pub notifications: NotificationSettings,
    #[serde(default)]
    pub oncall: OnCallSettings,
    #[serde(default)]
    pub incidents: IncidentSettings,
    #[serde(default)]
    pub promotion: PromotionSettings,
    /// The settings as domain values, parsed once by validation; nothing parses them again.
    #[serde(skip)]
    pub resolved: Resolved,
}

/// What validation parsed, kept: the domain values the console runs with.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Each environment as the inventory and the gate see it (its approval policy parsed), in
    /// config order.
    pub descriptors: Vec<EnvDescriptor>,
    pub rotations: Vec<app::domain::oncall::Rotation>,
    pub severity_rules: Vec<app::domain::incidents::SeverityRule>,
    pub promotion: app::domain::drift::PromotionPolicy,
    pub group_roles: Vec<GroupRole>,
    pub incident_windows: app::domain::incidents::IncidentSettings,
    /// `server.trusted_proxies`, parsed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `server.session_idle_timeout` and `server.session_absolute_lifetime`.
    pub session_limits: app::domain::sessions::SessionLimits,
    /// `[notifications]`: how failed webhook deliveries are tried again.
    pub retry_schedule: app::domain::outbox::RetrySchedule,
}

/// `[promotion]`: the order versions travel through the environments, which may promote
/// into which (`paths`, pairs `["from", "to"]`; left out, each environment of `order` promotes
/// into the next), and where a target finds the source's images (`[[promotion.registries]]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionSettings {
    /// Left out: `["dev", "staging", "prod"]`, keeping those that are configured.
    #[serde(default)]
    pub order: Option<Vec<String>>,
    #[serde(default)]
    pub paths: Option<Vec<(String, String)>>,
    #[serde(default)]
    pub registries: Vec<RegistryMappingSettings>,
}

/// `[[promotion.registries]]`: images the source pulls from the registry `source` are found, in
/// a promotion from `from` into `to` (either left out: any), in the registry `target` — same
/// repository and digest. Hosts only: no scheme, no path.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryMappingSettings {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    pub source: String,
    pub target: String,
}

impl Settings {
    /// The promotion rules, checked against the configured environments; errors name the key.
    pub fn promotion(&self) -> Result<app::domain::drift::PromotionPolicy, String> {
        use app::domain::drift::PromotionPolicy;
        let known: HashSet<&str> = self.environments.iter().map(|e| e.id.as_str()).collect();
        let env = |key: String, id: &str| -> Result<EnvId, String> {
            if !known.contains(id) {
                return Err(format!("{key}: {id:?} is not a configured environment id"));
            }
            EnvId::parse(id).map_err(|e| format!("{key}: {e}"))
        };
        let Some(order) = &self.promotion.order else {
            let default = PromotionPolicy::default();
            let order = default
                .order
                .into_iter()
                .filter(|e| known.contains(e.as_str()))
                .collect();
            let policy = PromotionPolicy::new(order, None);
            let registries = self.registry_mappings(&policy, &env)?;
            return Ok(policy.with_registries(registries));
        };
        let mut ids = Vec::new();
        for (i, id) in order.iter().enumerate() {
            let id = env(format!("promotion.order[{i}]"), id)?;
            if ids.contains(&id) {
                return Err(format!("promotion.order[{i}]: {id} is listed twice"));
            }
            ids.push(id);
        }
        let paths = match &self.promotion.paths {
            None => None,
            Some(paths) => {
                let mut out = Vec::new();
                for (i, (from, to)) in paths.iter().enumerate() {
                    let from = env(format!("promotion.paths[{i}][0]"), from)?;
                    let to = env(format!("promotion.paths[{i}][1]"), to)?;
                    if from == to {
                        return Err(format!(
                            "promotion.paths[{i}]: {from} cannot promote into itself"
                        ));
                    }
                    out.push((from, to));
                }
                Some(out)
            }
        };
        let policy = PromotionPolicy::new(ids, paths);
        let registries = self.registry_mappings(&policy, &env)?;
        Ok(policy.with_registries(registries))
    }

    /// `[[promotion.registries]]`, checked: hosts without scheme or path, configured
    /// environments along an allowed promotion, no registry mapped twice for the same promotions.
    fn registry_mappings(
        &self,
        policy: &app::domain::drift::PromotionPolicy,
        env: &dyn Fn(String, &str) -> Result<EnvId, String>,
    ) -> Result<Vec<app::domain::registries::RegistryMapping>, String> {
        use app::domain::registries::{RegistryHost, RegistryMapping};
        let mut out: Vec<RegistryMapping> = Vec::new();
        for (i, entry) in self.promotion.registries.iter().enumerate() {
            let key = |field: &str| format!("promotion.registries[{i}].{field}");
            let host = |field: &str, text: &str| {
                RegistryHost::parse(text).map_err(|e| format!("{}: {e}", key(field)))
            };
            let mapping = RegistryMapping {
                from: entry
                    .from
                    .as_deref()
                    .map(|id| env(key("from"), id))
                    .transpose()?,
                to: entry
                    .to
                    .as_deref()
                    .map(|id| env(key("to"), id))
                    .transpose()?,
                source: host("source", &entry.source)?,
                target: host("target", &entry.target)?,
            };
            if mapping.source == mapping.target {
                return Err(format!(
                    "{}: {} is the source registry too; a mapping names the registry the target pulls from instead",
                    key("target"),
                    mapping.target
                ));
            }
            if let (Some(from), Some(to)) = (&mapping.from, &mapping.to) {
                policy
                    .check(from, to)
                    .map_err(|e| format!("promotion.registries[{i}]: {e}"))?;
            }
            if let Some(j) = out.iter().position(|m| m.same_scope(&mapping)) {
                return Err(format!(
                    "promotion.registries[{i}]: {} is already mapped for {} by promotion.registries[{j}]",
                    mapping.source,
                    mapping.scope()
                ));
            }
            out.push(mapping);
        }
        Ok(out)
    }
}

/// `[incidents]`: how often alarms are polled and how they become incidents.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentSettings {
    /// How often the alarm poller reads every environment's alarms.
    #[serde(default = "default_poll", with = "duration_text")]
    pub poll_interval: Duration,
    /// An alarm joins an open incident of its app that fired within this window, and reopens
    /// one resolved within it.
    #[serde(default = "default_group_window", with = "duration_text")]
    pub group_window: Duration,
    /// All alarms OK for this long resolve an incident.
    #[serde(default = "default_stability", with = "duration_text")]
    pub stability_window: Duration,
    /// Changes this long before an incident opened are marked as suspects.
    #[serde(default = "default_suspect_window", with = "duration_text")]
    pub suspect_window: Duration,
    /// Unacknowledged this long, an incident goes to the webhooks again ("0s": never).
    #[serde(default = "default_escalate", with = "duration_text")]
    pub escalate_after: Duration,
    /// `[[incidents.severity]]`, first match wins; otherwise high in protected environments
    /// and low elsewhere.
    #[serde(default)]
    pub severity: Vec<SeverityRuleSettings>,
}

impl Default for IncidentSettings {
    fn default() -> Self {
        Self {
            poll_interval: default_poll(),
            group_window: default_group_window(),
            stability_window: default_stability(),
            suspect_window: default_suspect_window(),
            escalate_after: default_escalate(),
            severity: Vec::new(),
        }
    }
}

fn default_poll() -> Duration {
    Duration::from_secs(15)
}
fn default_group_window() -> Duration {
    Duration::from_secs(3600)
}
fn default_stability() -> Duration {
    Duration::from_secs(300)
}
fn default_suspect_window() -> Duration {
    Duration::from_secs(7200)
}
fn default_escalate() -> Duration {
    Duration::from_secs(900)
}

/// `[[incidents.severity]]`: `alarm` is a name pattern (`*` wildcards), `tag` is `key=value` on
/// the watched service or database, `env` an environment id; all given must match.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityRuleSettings {
    #[serde(default)]
    pub alarm: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub env: Option<String>,
    pub severity: String,
}

impl IncidentSettings {
    /// The domain windows.
    pub fn windows(&self) -> app::domain::incidents::IncidentSettings {
        let d = |v: Duration| chrono::Duration::from_std(v).unwrap_or(chrono::Duration::MAX);
        app::domain::incidents::IncidentSettings {
            group_window: d(self.group_window),
            stability: d(self.stability_window),
            suspect_window: d(self.suspect_window),
            escalate_after: (!self.escalate_after.is_zero()).then(|| d(self.escalate_after)),
        }
    }

    /// The severity rules, checked; errors name the key.
    pub fn rules(
        &self,
        env_ids: &HashSet<&str>,
    ) -> Result<Vec<app::domain::incidents::SeverityRule>, String> {
        let mut out = Vec::new();
        for (i, r) in self.severity.iter().enumerate() {
            let key = format!("incidents.severity[{i}]");
            let severity = app::domain::incidents::Severity::parse(&r.severity)
                .map_err(|e| format!("{key}.severity: {e}"))?;
            let tag = match &r.tag {
                Some(t) => Some(
                    t.split_once('=')
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .filter(|(k, _)| !k.is_empty())
                        .ok_or_else(|| format!("{key}.tag: {t:?} is not key=value"))?,
                ),
                None => None,
            };
            if let Some(env) = &r.env {
                if !env_ids.contains(env.as_str()) {
                    return Err(format!(
                        "{key}.env: {env:?} is not a configured environment id"
                    ));
                }
            }
            if r.alarm.is_none() && tag.is_none() && r.env.is_none() {
                return Err(format!("{key}: give at least one of alarm, tag, env"));
            }
            out.push(app::domain::incidents::SeverityRule {
                alarm: r.alarm.clone(),
                tag,
                env: r.env.clone(),
                severity,
            });
        }
        Ok(out)
    }
}

/// `[oncall]`: the rotations whose current and next person the header shows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnCallSettings {
    #[serde(default)]
    pub rotations: Vec<RotationSettings>,
}

/// `[[oncall.rotations]]`: members take turns of `length_days`, handing off at `handoff_time`
/// local time in `timezone`; the first member's turn starts on `first_handoff`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotationSettings {
    pub name: String,
    pub members: Vec<String>,
    pub first_handoff: String,
    #[serde(default = "default_handoff_time")]
    pub handoff_time: String,
    pub timezone: String,
    #[serde(default = "default_rotation_days")]
    pub length_days: u32,
    /// The environments whose incidents this rotation answers (ids, or `"*"`; default every
    /// one). Changing who is on call needs the admin role in each of them.
    #[serde(default)]
    pub environments: Vec<String>,
}

fn default_handoff_time() -> String {
    "09:00".into()
}
fn default_rotation_days() -> u32 {
    7
}

impl OnCallSettings {
    /// The domain rotations, checking every value against the configured environment ids;
    /// errors name the key.
    pub fn rotations(
        &self,
        env_ids: &[&str],
    ) -> Result<Vec<app::domain::oncall::Rotation>, String> {
        let mut out = Vec::new();
        for (i, r) in self.rotations.iter().enumerate() {
            let key = format!("oncall.rotations[{i}]");
            if r.name.trim().is_empty() {
                return Err(format!("{key}.name: name the rotation"));
            }
            if r.members.is_empty() || r.members.iter().any(|m| m.trim().is_empty()) {
                return Err(format!("{key}.members: list the people in turn order"));
            }
            let first_handoff =
                chrono::NaiveDate::parse_from_str(r.first_handoff.trim(), "%Y-%m-%d").map_err(
                    |_| {
                        format!(
                            "{key}.first_handoff: {:?} is not a date such as 2026-11-02",
                            r.first_handoff
                        )
                    },
                )?;
            let handoff_time = chrono::NaiveTime::parse_from_str(r.handoff_time.trim(), "%H:%M")
                .map_err(|_| {
                    format!(
                        "{key}.handoff_time: {:?} is not a time such as 09:00",
                        r.handoff_time
                    )
                })?;
            if r.timezone.parse::<chrono_tz::Tz>().is_err() {
                return Err(format!(
                    "{key}.timezone: {:?} is not an IANA time zone such as \"Europe/Berlin\"",
                    r.timezone
                ));
            }
            if !(1..=28).contains(&r.length_days) {
                return Err(format!(
                    "{key}.length_days: {} must be between 1 and 28",
                    r.length_days
                ));
            }
            for env in &r.environments {
                if env != "*" && !env_ids.contains(&env.as_str()) {
                    return Err(format!(
                        "{key}.environments: {env:?} is not a configured environment id"
                    ));
                }
            }
            let covers_all = r.environments.is_empty() || r.environments.iter().any(|e| e == "*");
            let environments = if covers_all {
                env_ids.iter().map(|e| e.to_string()).collect()
            } else {
                r.environments.clone()
            };
            out.push(app::domain::oncall::Rotation {
                environments,
                name: r.name.trim().to_string(),
                members: r.members.iter().map(|m| m.trim().to_string()).collect(),
                first_handoff,
                handoff_time,
                timezone: r.timezone.clone(),
                length_days: r.length_days,
            });
        }
        Ok(out)
    }
}

/// A configured cluster as the ECS API names it: a name as it is, or the name of a cluster ARN
/// (`arn:<partition>:ecs:<region>:<account>:cluster/<name>`) in this environment's region.
fn cluster_name(entry: &str, region: &str, key: &str) -> Result<String, String> {
    let entry = entry.trim();
    if entry.is_empty() {
        return Err(format!("{key}: cluster names must not be empty"));
    }
    if !entry.starts_with("arn:") {
        if entry.contains('/') || entry.contains(':') {
            return Err(format!(
                "{key}: {entry:?} is neither a cluster name nor a cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)"
            ));
        }
        return Ok(entry.to_string());
    }
    let parts: Vec<&str> = entry.splitn(6, ':').collect();
    let (service, arn_region, resource) = match parts.as_slice() {
        [_, _, service, arn_region, _, resource] => (*service, *arn_region, *resource),
        _ => return Err(format!("{key}: {entry:?} is not a complete ARN")),
    };
    let name = resource.strip_prefix("cluster/").unwrap_or_default();
    if service != "ecs" || name.is_empty() || name.contains('/') {
        return Err(format!(
            "{key}: {entry:?} is not an ECS cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)"
        ));
    }
    if arn_region != region {
        return Err(format!(
            "{key}: {entry:?} is in {arn_region}, but this environment reads {region}"
        ));
    }
    Ok(name.to_string())
}

/// `[notifications]`: where release and incident notices are posted, and how the outbox
/// retries a webhook that does not answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    #[serde(default)]
    pub webhooks: Vec<WebhookSettings>,
    /// The wait before the second attempt; it doubles after each failure.
    #[serde(default = "default_first_retry", with = "duration_text")]
    pub first_retry_after: Duration,
    /// The longest wait between two attempts.
    #[serde(default = "default_max_retry", with = "duration_text")]
    pub max_retry_interval: Duration,
    /// How long after a notice was written it is still tried; then it is given up.
    #[serde(default = "default_retry_for", with = "duration_text")]
    pub retry_for: Duration,
    /// How long one attempt may take.
    #[serde(default = "default_aws_attempt_timeout", with = "duration_text")]
    pub attempt_timeout: Duration,
    /// Delivered notices are removed from the outbox this long after delivery.
    #[serde(default = "default_keep_delivered", with = "duration_text")]
    pub keep_delivered: Duration,
    /// The webhook URLs, read from `url_env` / `url_file` (filled in when loading).
    #[serde(skip)]
    pub resolved: Vec<(String, Secret)>,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            webhooks: Vec::new(),
            first_retry_after: default_first_retry(),
            max_retry_interval: default_max_retry(),
            retry_for: default_retry_for(),
            attempt_timeout: default_attempt_timeout(),
            keep_delivered: default_keep_delivered(),
            resolved: Vec::new(),
        }
    }
}

fn default_first_retry() -> Duration {
    Duration::from_secs(5)
}
fn default_max_retry() -> Duration {
    Duration::from_secs(600)
}
fn default_retry_for() -> Duration {
    Duration::from_secs(24 * 3600)
}
fn default_attempt_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_keep_delivered() -> Duration {
    Duration::from_secs(30 * 86_400)
}

impl NotificationSettings {
    /// The retry schedule as the domain reads it, checked; errors name the key.
    fn retry_schedule(&self) -> anyhow::Result<app::domain::outbox::RetrySchedule> {
        let span = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        let schedule = app::domain::outbox::RetrySchedule {
            first: span(self.first_retry_after),
            max: span(self.max_retry_interval),
            give_up_after: span(self.retry_for),
        };
        let first = app::domain::outbox::duration_text(schedule.first);
        if self.first_retry_after < Duration::from_millis(100) {
            bail!("notifications.first_retry_after: must be at least 100ms");
        }
        if self.max_retry_interval < self.first_retry_after {
            bail!("notifications.max_retry_interval: must be at least first_retry_after ({first})");
        }
        if self.retry_for < self.first_retry_after || self.retry_for > MAX_RETRY_FOR {
            bail!("notifications.retry_for: must be between first_retry_after ({first}) and 30d, so a notice waits a month at most");
        }
        if self.attempt_timeout < Duration::from_secs(1)
            || self.attempt_timeout > Duration::from_secs(120)
        {
            bail!("notifications.attempt_timeout: must be between 1s and 2m");
        }
        if self.keep_delivered < Duration::from_secs(3600) {
            bail!("notifications.keep_delivered: must be at least 1h");
        }
        Ok(schedule)
    }
}

/// The longest `notifications.retry_for`.
const MAX_RETRY_FOR: Duration = Duration::from_secs(30 * 86_400);

/// `[[notifications.webhooks]]`: a Slack-compatible incoming webhook (or any receiver of JSON).
/// The URL is a secret: give it by `url_env` or `url_file`; a plain `url` is accepted only for
/// loopback receivers (tests, local relays).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub url_env: Option<String>,
    #[serde(default)]
    pub url_file: Option<PathBuf>,
}

fn resolve_webhooks(
    settings: &NotificationSettings,
    vars: &[(String, String)],
) -> anyhow::Result<Vec<(String, Secret)>> {
    let mut out: Vec<(String, Secret)> = Vec::new();
    for (i, hook) in settings.webhooks.iter().enumerate() {
        let key = format!("notifications.webhooks[{i}]");
        if hook.name.trim().is_empty() {
            bail!("{key}.name: name the webhook (it is what the logs show)");
        }
        if out.iter().any(|(name, _)| *name == hook.name) {
            bail!(
                "{key}.name: {:?} is used twice; each webhook's notices are kept under its name",
                hook.name
            );
        }
        let url = match (&hook.url, &hook.url_env, &hook.url_file) {
            (Some(url), None, None) => {
                let loopback = url
                    .parse::<http::Uri>()
                    .ok()
                    .and_then(|u| u.host().map(str::to_string))
                    .is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]");
                if !loopback {
                    bail!("{key}.url: webhook URLs are secrets; give them with url_env or url_file (a plain url is only for loopback receivers)");
                }
                url.clone()
            }
            (None, Some(name), None) => vars
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    anyhow!("{key}.url_env: the environment variable {name} is not set")
                })?,
            (None, None, Some(path)) => std::fs::read_to_string(path)
                .map(|v| v.trim().to_string())
                .map_err(|e| anyhow!("{key}.url_file: reading {}: {e}", path.display()))?,
            _ => bail!("{key}: give exactly one of url, url_env, url_file"),
        };
        let ok = url.parse::<http::Uri>().ok().is_some_and(|u| {
            matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some()
        });
        if !ok {
            bail!("{key}: the webhook URL is not an http(s) URL");
        }
        out.push((hook.name.clone(), Secret::new(url)));
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The address people reach the console at; also the allowed origin of form posts.
    #[serde(default = "default_public_url")]
    pub public_url: String,
    #[serde(default = "default_database_url")]
    pub database_url: String,
    /// Where the built site (`pkg/`, static files) lives.
    #[serde(default = "default_site_root")]
    pub site_root: PathBuf,
    #[serde(default)]
    pub log_format: LogFormat,
    /// A session unused this long ends.
    #[serde(default = "default_idle", with = "duration_text")]
    pub session_idle_timeout: Duration,
    /// A session ends this long after sign-in, however active.
    #[serde(default = "default_absolute", with = "duration_text")]
    pub session_absolute_lifetime: Duration,
    /// How often approved release requests are looked for (after a restart, when a freeze
    /// ends) and stale ones expired.
    #[serde(default = "default_release_sweep", with = "duration_text")]
    pub release_sweep_interval: Duration,
    /// How long after it started an action whose outcome is still not recorded (AWS gave no
    /// clear answer, or a process stopped while it ran) is settled by the action sweeper, which
    /// reads the resource; checked every `release_sweep_interval`.
    #[serde(default = "default_action_settle_after", with = "duration_text")]
    pub action_settle_after: Duration,
    /// How often the rollout follower reads a service whose rollout it follows (after a
    /// deploy, rollback, redeploy, promotion or scale), until ECS ends it.
    #[serde(default = "default_rollout_poll_interval", with = "duration_text")]
    pub rollout_poll_interval: Duration,
    /// How long after the change a rollout that has not ended is called stuck (audited, and
    /// announced to the webhooks as `action.rollout_stuck`).
    #[serde(default = "default_rollout_timeout", with = "duration_text")]
    pub rollout_timeout: Duration,
    /// How often the process running the background jobs renews its lease (which lasts three
    /// intervals), and how often the others try to take it.
    #[serde(default = "default_lease_interval", with = "duration_text")]
    pub lease_interval: Duration,
    /// The proxies (load balancers) in front of the console, as CIDRs (`10.0.0.0/8`) or single
    /// addresses: only a request coming straight from one of them has its `X-Forwarded-For`
    /// read, and the client is the right-most address in it that is not one of them. Empty: the
    /// address of the connection is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Whether `serve` applies pending migrations when it starts (the default). Turned off when
    /// the console serves as a database role without DDL: `quarterdeck migrate` runs as the
    /// owner, and `serve` refuses to start on a database it finds unmigrated.
    #[serde(default = "default_migrate_on_start")]
    pub migrate_on_start: bool,
    /// PostgreSQL only: the role `quarterdeck serve` connects as when it owns nothing.
    /// `quarterdeck migrate` (run as the owner) grants it what the console needs — reads and
    /// inserts everywhere, updates where rows change state, deletes only of sessions and the
    /// lease — and nothing else: no DDL, no TRUNCATE, no update or delete of a history table.
    #[serde(default)]
    pub database_app_role: Option<String>,
    /// Name of the environment variable holding the bearer token `/metrics` asks for.
    #[serde(default)]
    pub metrics_token_env: Option<String>,
    /// Path of a file holding the bearer token `/metrics` asks for.
    #[serde(default)]
    pub metrics_token_file: Option<PathBuf>,
    /// A second address that serves only `/metrics` (then the main address does not).
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// Resolved from `metrics_token_env` or `metrics_token_file` at load time.
    #[serde(skip)]
    pub metrics_token: Option<Secret>,
}

/// Who may read `/metrics`, as configured (see README, "Probes").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsAccess<'a> {
    /// Whoever sends `Authorization: Bearer <token>`, on either address.
    Token(&'a Secret),
    /// Anyone who reaches `server.metrics_listen`; the main address answers 404.
    OwnAddress(SocketAddr),
    /// Neither configured: clients on loopback whose request no proxy relayed.
    Loopback,
}

impl ServerSettings {
    pub fn metrics_access(&self) -> MetricsAccess<'_> {
        match (&self.metrics_token, self.metrics_listen) {
            (Some(token), _) => MetricsAccess::Token(token),
            (None, Some(addr)) => MetricsAccess::OwnAddress(addr),
            (None, None) => MetricsAccess::Loopback,
        }
    }
}

fn default_migrate_on_start() -> bool {
    true
}

fn default_lease_interval() -> Duration {
    Duration::from_secs(5)
}

fn default_release_sweep() -> Duration {
    Duration::from_secs(5)
}

fn default_rollout_poll_interval() -> Duration {
    Duration::from_secs(15)
}

fn default_rollout_timeout() -> Duration {
    Duration::from_secs(60 * app::domain::followed::DEFAULT_TIMEOUT_MINUTES as u64)
}

fn default_action_settle_after() -> Duration {
    Duration::from_secs(600)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Demo sign-in with any name and role; refused unless listening on loopback.
    Dev,
    /// Company SSO.
    Oidc,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub mode: AuthMode,
    /// OIDC issuer URL (discovery at `<issuer>/.well-known/openid-configuration`).
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    /// Name of the environment variable holding the client secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// Path of a file holding the client secret.
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// ID-token (or userinfo) claim that lists the user's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Group → role mapping, per environment.
    #[serde(default)]
    pub roles: Vec<RoleMappingSettings>,
    /// Sign-in attempts allowed per client IP per minute.
    #[serde(default = "default_login_rate")]
    pub login_attempts_per_minute: u32,
    /// Resolved from `client_secret_env` or `client_secret_file` at load time.
    #[serde(skip)]
    pub client_secret: Option<Secret>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleMappingSettings {
    pub group: String,
    pub role: Role,
    /// Environment ids, or `["*"]` for every environment.
    pub environments: Vec<String>,
}

/// A secret value that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// `[environments.alarms]`: the alarms of an account shared with others that this environment
/// shows. Name prefixes to keep (`include`; empty keeps every name) or leave out (`exclude`), and
/// tags an alarm must carry (`require_tags`) or must not (`exclude_tags`); tags are read (one
/// ListTagsForResource per alarm, remembered) only when a tag rule is set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmScopeSettings {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub require_tags: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub exclude_tags: std::collections::BTreeMap<String, String>,
}

impl AlarmScopeSettings {
    /// The domain scope, every prefix and tag key checked; errors name the key.
    pub fn scope(&self, key: &str) -> Result<app::domain::alarm_scope::AlarmScope, String> {
        for (field, prefixes) in [("include", &self.include), ("exclude", &self.exclude)] {
            if prefixes.iter().any(|p| p.trim().is_empty()) {
                return Err(format!("{key}.{field}: a name prefix must not be empty"));
            }
        }
        for (field, tags) in [
            ("require_tags", &self.require_tags),
            ("exclude_tags", &self.exclude_tags),
        ] {
            if tags.keys().any(|k| k.trim().is_empty()) {
                return Err(format!("{key}.{field}: a tag key must not be empty"));
            }
        }
        let pairs = |tags: &std::collections::BTreeMap<String, String>| {
            tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        Ok(app::domain::alarm_scope::AlarmScope {
            include_prefixes: self.include.clone(),
            exclude_prefixes: self.exclude.clone(),
            require_tags: pairs(&self.require_tags),
            exclude_tags: pairs(&self.exclude_tags),
        })
    }
}

/// SDK behaviour shared by every environment unless an environment overrides it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsSettings {
    /// Attempts per call, including the first (1 disables retries).
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_connect_timeout", with = "duration_text")]
    pub connect_timeout: Duration,
    /// The whole call, every attempt and the waits between them included.
    #[serde(default = "default_operation_timeout", with = "duration_text")]
    pub operation_timeout: Duration,
    /// One attempt: shorter than the operation, so a hung attempt leaves time for a retry.
    #[serde(default = "default_attempt_timeout", with = "duration_text")]
    pub attempt_timeout: Duration,
    /// Calls in flight at once per environment and AWS service, shared by every job and action.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            max_attempts: default_attempts(),
            connect_timeout: default_connect_timeout(),
            operation_timeout: default_operation_timeout(),
            attempt_timeout: default_attempt_timeout(),
            concurrency: default_concurrency(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSettings {
    pub id: EnvId,
    pub name: String,
    pub region: String,
    /// Assumed with STS when set: one AWS account per environment.
    #[serde(default)]
    pub role_arn: Option<String>,
    /// The external id the role's trust policy asks for (`sts:ExternalId`), sent with every
    /// AssumeRole into it.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Whether operators' sessions carry the operator as STS SourceIdentity (the role's trust
    /// policy must allow `sts:SetSourceIdentity`). Operators' role session names are their names
    /// either way.
    #[serde(default)]
    pub source_identity: bool,
    /// The task and execution roles a deploy may pass on to a new revision, as IAM role-name
    /// patterns (`shop-*-task`); only `quarterdeck iam-policy` reads it. Empty: any role of the
    /// environment's account.
    #[serde(default)]
    pub pass_roles: Vec<String>,
    /// Shown in the UI; read from `role_arn` when not given.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Overrides the AWS endpoint (emulators such as moto).
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// ECS clusters that belong here; empty means every cluster in the account and region.
    #[serde(default)]
    pub clusters: Vec<String>,
    /// Which CloudWatch alarms belong here (`[environments.alarms]`); default every one.
    #[serde(default)]
    pub alarms: AlarmScopeSettings,
    #[serde(default)]
    pub protected: bool,
    #[serde(default = "default_refresh", with = "duration_text")]
    pub refresh_interval: Duration,
    #[serde(default = "default_metrics_refresh", with = "duration_text")]
    pub metrics_interval: Duration,
    /// Tag key that names a resource's app.
    #[serde(default = "default_app_tag")]
    pub app_tag: String,
    /// Limits on desired counts for the scale action.
    #[serde(default)]
    pub scaling: ScalingSettings,
    /// The approval gate of a protected environment.
    #[serde(default)]
    pub approval: ApprovalSettings,
    /// Who reads the environment's logs, and the bounds of one query.
    #[serde(default)]
    pub logs: LogsSettings,
}

/// `[environments.logs]`: the least role that reads logs, and how much one query may ask for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsSettings {
    #[serde(default = "default_logs_role")]
    pub read_role: Role,
    /// The longest time range one query may cover.
    #[serde(default = "default_logs_range", with = "duration_text")]
    pub max_range: Duration,
    /// The most events one query reads (a page, a download).
    #[serde(default = "default_logs_events")]
    pub max_events: u32,
    /// How long a search or a Logs Insights query may run before it is cancelled.
    #[serde(default = "default_logs_timeout", with = "duration_text")]
    pub query_timeout: Duration,
}

impl Default for LogsSettings {
    fn default() -> Self {
        Self {
            read_role: default_logs_role(),
            max_range: default_logs_range(),
            max_events: default_logs_events(),
            query_timeout: default_logs_timeout(),
        }
    }
}

fn default_logs_role() -> Role {
    Role::Viewer
}
fn default_logs_range() -> Duration {
    Duration::from_secs(7 * 24 * 3600)
}
fn default_logs_events() -> u32 {
    10_000
}
fn default_logs_timeout() -> Duration {
    Duration::from_secs(20)
}

impl LogsSettings {
    /// The settings as the domain's policy, checked under `key`.
    fn policy(&self, key: &str) -> Result<app::domain::logs::LogsPolicy, String> {
        if self.max_range < Duration::from_secs(60)
            || self.max_range > Duration::from_secs(90 * 24 * 3600)
        {
            return Err(format!("{key}.max_range: must be between 1m and 90d"));
        }
        if !(100..=100_000).contains(&self.max_events) {
            return Err(format!("{key}.max_events: must be between 100 and 100000"));
        }
        if self.query_timeout < Duration::from_secs(1)
            || self.query_timeout > Duration::from_secs(900)
        {
            return Err(format!("{key}.query_timeout: must be between 1s and 15m"));
        }
        Ok(app::domain::logs::LogsPolicy {
            read_role: self.read_role,
            max_range_secs: i64::try_from(self.max_range.as_secs()).unwrap_or(i64::MAX),
            max_events: self.max_events,
            query_timeout_secs: self.query_timeout.as_secs(),
        })
    }
}

/// `[environments.approval]`: how gated actions in a protected environment are approved.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalSettings {
    /// Approvals from distinct people (never the requester) before a request runs.
    #[serde(default = "default_required_approvals")]
    pub required: u32,
    #[serde(default = "default_approver_role")]
    pub approver_role: Role,
    #[serde(default = "default_expiry", with = "duration_text")]
    pub expires_after: Duration,
    /// Which actions need approval: `deploy`, `rollback`, `scale`, `redeploy`, `snapshot`,
    /// `mute_alarm`, `unmute_alarm`.
    #[serde(default = "default_gated")]
    pub gated: Vec<ActionKind>,
    #[serde(default)]
    pub freezes: Vec<FreezeSettings>,
}

impl Default for ApprovalSettings {
    fn default() -> Self {
        Self {
            required: default_required_approvals(),
            approver_role: default_approver_role(),
            expires_after: default_expiry(),
            gated: default_gated(),
            freezes: Vec::new(),
        }
    }
}

/// `[[environments.approval.freezes]]`: either `from`/`to` as RFC 3339 instants, or weekly
/// `days` with `from`/`to` as `HH:MM` local time in `timezone` (an IANA name).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreezeSettings {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub days: Vec<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    pub reason: String,
}

fn default_required_approvals() -> u32 {
    1
}
fn default_approver_role() -> Role {
    Role::Approver
}
fn default_expiry() -> Duration {
    Duration::from_secs(24 * 3600)
}
fn default_gated() -> Vec<ActionKind> {
    app::domain::actions::DEFAULT_GATED.to_vec()
}

fn parse_weekday(text: &str) -> Result<chrono::Weekday, String> {
    let lower = text.trim().to_ascii_lowercase();
    let days = [
        ("mon", "monday", chrono::Weekday::Mon),
        ("tue", "tuesday", chrono::Weekday::Tue),
        ("wed", "wednesday", chrono::Weekday::Wed),
        ("thu", "thursday", chrono::Weekday::Thu),
        ("fri", "friday", chrono::Weekday::Fri),
        ("sat", "saturday", chrono::Weekday::Sat),
        ("sun", "sunday", chrono::Weekday::Sun),
    ];
    days.iter()
        .find(|(short, long, _)| lower == *short || lower == *long)
        .map(|(_, _, day)| *day)
        .ok_or_else(|| format!("{text:?} is not a weekday (mon, tue, … sun)"))
}

impl ApprovalSettings {
    /// The domain policy, checking every value; `key` names the table in messages.
    pub fn policy(&self, key: &str) -> Result<ApprovalPolicy, String> {
        if self.required == 0 || self.required > 10 {
            return Err(format!(
                "{key}.required: {} must be between 1 and 10",
                self.required
            ));
        }
        if self.approver_role < Role::Approver {
            return Err(format!(
                "{key}.approver_role: {} may not approve; use approver or admin",
                self.approver_role
            ));
        }
        if self.expires_after < Duration::from_secs(60) {
            return Err(format!("{key}.expires_after: must be at least 1m"));
        }
        let mut freezes = Vec::new();
        for (i, f) in self.freezes.iter().enumerate() {
            let key = format!("{key}.freezes[{i}]");
            if f.reason.trim().is_empty() {
                return Err(format!("{key}.reason: say why the window is frozen"));
            }
            if f.days.is_empty() {
                let instant = |field: &str, text: &str| {
                    chrono::DateTime::parse_from_rfc3339(text)
                        .map(|t| t.with_timezone(&chrono::Utc))
                        .map_err(|e| format!("{key}.{field}: {text:?} is not an RFC 3339 time such as 2026-12-20T00:00:00Z ({e})"))
                };
                let (from, to) = (instant("from", &f.from)?, instant("to", &f.to)?);
                if to <= from {
                    return Err(format!("{key}: to must be after from"));
                }
                if f.timezone.is_some() {
                    return Err(format!(
                        "{key}.timezone: only weekly windows (with days) take a timezone"
                    ));
                }
                freezes.push(FreezeWindow::Absolute {
                    from,
                    to,
                    reason: f.reason.clone(),
                });
            } else {
                let days = f
                    .days
                    .iter()
                    .map(|d| parse_weekday(d).map_err(|e| format!("{key}.days: {e}")))
                    .collect::<Result<Vec<_>, _>>()?;
                let clock = |field: &str, text: &str| {
                    chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M")
                        .map_err(|_| format!("{key}.{field}: {text:?} is not a time such as 18:00"))
                };
                let (from, to) = (clock("from", &f.from)?, clock("to", &f.to)?);
                let timezone = f.timezone.clone().ok_or_else(|| {
                    format!("{key}.timezone: a weekly window needs a timezone such as \"Europe/Berlin\"")
                })?;
                if timezone.parse::<chrono_tz::Tz>().is_err() {
                    return Err(format!("{key}.timezone: {timezone:?} is not an IANA time zone such as \"Europe/Berlin\""));
                }
                freezes.push(FreezeWindow::Weekly {
                    days,
                    from,
                    to,
                    timezone,
                    reason: f.reason.clone(),
                });
            }
        }
        Ok(ApprovalPolicy {
            required: self.required,
            approver_role: self.approver_role,
            expires_after_secs: i64::try_from(self.expires_after.as_secs()).unwrap_or(i64::MAX),
            gated: self.gated.clone(),
            freezes,
        })
    }
}

/// `[environments.scaling]`: a desired-count range for every service of the environment, and
/// `[[environments.scaling.services]]` rules for some. Ends left out come from the service's
/// autoscaling range when known, else 1..=50; 0 is allowed only with `allow_zero = true`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingSettings {
    #[serde(default)]
    pub min: Option<i32>,
    #[serde(default)]
    pub max: Option<i32>,
    #[serde(default)]
    pub allow_zero: bool,
    #[serde(default)]
    pub services: Vec<ServiceScalingSettings>,
}

/// One service's desired-count range; `name` is `service` or `cluster/service`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceScalingSettings {
    pub name: String,
    #[serde(default)]
    pub min: Option<i32>,
    #[serde(default)]
    pub max: Option<i32>,
    #[serde(default)]
    pub allow_zero: bool,
}

impl ScalingSettings {
    pub fn policy(&self) -> ScalePolicy {
        ScalePolicy {
            env: ScaleRule {
                min: self.min,
                max: self.max,
                allow_zero: self.allow_zero,
            },
            services: self
                .services
                .iter()
                .map(|s| ServiceScaleRule {
                    name: s.name.clone(),
                    rule: ScaleRule {
                        min: s.min,
                        max: s.max,
                        allow_zero: s.allow_zero,
                    },
                })
                .collect(),
        }
    }

    /// Ranges that make sense: 1 ≤ min ≤ max ≤ 5000, names unique. `key` names the table.
    fn validate(&self, key: &str) -> Result<(), String> {
        let check = |key: &str, min: Option<i32>, max: Option<i32>| -> Result<(), String> {
            let limit = app::domain::actions::MAX_DESIRED_COUNT;
            if let Some(min) = min {
                if !(1..=limit).contains(&min) {
                    return Err(format!("{key}.min: {min} must be between 1 and {limit} (allow 0 with allow_zero = true)"));
                }
            }
            if let Some(max) = max {
                if !(1..=limit).contains(&max) {
                    return Err(format!("{key}.max: {max} must be between 1 and {limit}"));
                }
            }
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    return Err(format!("{key}: min {min} is above max {max}"));
                }
            }
            Ok(())
        };
        check(key, self.min, self.max)?;
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.services.iter().enumerate() {
            let key = format!("{key}.services[{i}]");
            let valid_name = s.name.split('/').count() <= 2
                && s.name
                    .split('/')
                    .all(|part| app::domain::ids::parse_resource_name("name", part).is_ok());
            if !valid_name {
                return Err(format!(
                    "{key}.name: {:?} is not a service name or cluster/service",
                    s.name
                ));
            }
            if !seen.insert(s.name.clone()) {
                return Err(format!("{key}.name: {} is listed twice", s.name));
            }
            check(&key, s.min, s.max)?;
        }
        Ok(())
    }
}

impl EnvironmentSettings {
    pub fn account(&self) -> Option<String> {
        self.account_id
            .clone()
            .or_else(|| self.role_arn.as_deref().and_then(account_from_arn))
    }

    /// The environment as a domain value, with its approval policy (checked under `key`) and
    /// its logs policy.
    fn descriptor(&self, key: &str, logs_key: &str) -> Result<EnvDescriptor, String> {
        Ok(EnvDescriptor {
            id: self.id.clone(),
            name: self.name.clone(),
            region: self.region.clone(),
            account_id: self.account(),
            protected: self.protected,
            refresh_interval_secs: self.refresh_interval.as_secs(),
            scaling: self.scaling.policy(),
            approval: self.approval.policy(key)?,
            logs: self.logs.policy(logs_key)?,
        })
    }
}

/// `arn:aws:iam::333333333333:role/x` → `333333333333`.
pub fn account_from_arn(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()))
        .then(|| account.to_string())
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_groups_claim() -> String {
    "groups".into()
}
fn default_login_rate() -> u32 {
    20
}
fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 3000))
}
fn default_public_url() -> String {
    "http://127.0.0.1:3000".into()
}
fn default_database_url() -> String {
    "sqlite://data/quarterdeck.db".into()
}
fn default_site_root() -> PathBuf {
    PathBuf::from("target/site")
}
fn default_idle() -> Duration {
    Duration::from_secs(8 * 3600)
}
fn default_absolute() -> Duration {
    Duration::from_secs(24 * 3600)
}
fn default_attempts() -> u32 {
    3
}
fn default_connect_timeout() -> Duration {
    Duration::from_secs(3)
}
fn default_operation_timeout() -> Duration {
    Duration::from_secs(20)
}
fn default_aws_attempt_timeout() -> Duration {
    Duration::from_secs(8)
}
fn default_concurrency() -> usize {
    4
}
fn default_refresh() -> Duration {
    Duration::from_secs(30)
}
fn default_metrics_refresh() -> Duration {
    Duration::from_secs(120)
}
fn default_app_tag() -> String {
    app::domain::inventory::DEFAULT_APP_TAG.into()
}

/// `server.trusted_proxies`: each entry a network (`10.0.0.0/8`, `fd00::/8`) without host bits
/// or a single address (`10.1.2.3`, taken as `/32` or `/128`).
fn parse_trusted_proxies(entries: &[String]) -> Result<Vec<ipnet::IpNet>, String> {
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let key = format!("server.trusted_proxies[{i}]");
            let text = entry.trim();
            if let Ok(ip) = text.parse::<std::net::IpAddr>() {
                return Ok(ipnet::IpNet::from(ip));
            }
            let net = text.parse::<ipnet::IpNet>().map_err(|_| {
                format!("{key}: {entry:?} is not an address or a network such as 10.0.0.0/8")
            })?;
            if net.trunc() != net {
                return Err(format!(
                    "{key}: {entry:?} has host bits set; write the network, {}",
                    net.trunc()
                ));
            }
            Ok(net)
        })
        .collect()
}

/// Durations written as `500ms`, `30s`, `5m`, `2h` or `1d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?} has no unit: write e.g. 30s, 5m, 2h"))?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} does not start with a whole number"))?;
    let secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => {
            return Err(format!(
                "{text:?} has unknown unit {unit:?}: use ms, s, m, h or d"
            ))
        }
    };
    Ok(Duration::from_secs(secs))
}

mod duration_text {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_duration(&text).map_err(serde::de::Error::custom)
    }
}

impl Settings {
    /// Reads the file, applies `QD_…` overrides from `vars`, parses and validates.
    pub fn load(
        path: &Path,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        Self::from_toml(&text, vars).with_context(|| format!("in config file {}", path.display()))
    }

    /// Everything from `QD_…` variables, no file (containers): `QD_SERVER__LISTEN`,
    /// `QD_AUTH__MODE`, `QD_ENVIRONMENTS__0__ID`, … or a value as inline TOML below a section
    /// (`QD_AUTH__ROLES='[{ group = "ops", role = "admin", environments = ["*"] }]'`).
    pub fn from_env(vars: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Self> {
        Self::from_toml("", vars).context("no config file given, so from QD_… variables")
    }

    pub fn from_toml(
        text: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let mut value: toml::Value =
            toml::from_str(text).map_err(|e| anyhow!("not valid TOML: {e}"))?;
        apply_overrides(&mut value, vars.iter().cloned())?;
        let mut settings: Settings = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            anyhow!("{path}: {}", e.into_inner())
        })?;
        settings.auth.client_secret = resolve_secret(
            "auth",
            "client_secret",
            &settings.auth.client_secret_env,
            &settings.auth.client_secret_file,
            &vars,
        )?;
        settings.server.metrics_token = resolve_secret(
            "server",
            "metrics_token",
            &settings.server.metrics_token_env,
            &settings.server.metrics_token_file,
            &vars,
        )?;
        settings.notifications.resolved = resolve_webhooks(&settings.notifications, &vars)?;
        for (i, env) in settings.environments.iter_mut().enumerate() {
            let key = format!("environments[{i}].clusters");
            env.clusters = env
                .clusters
                .iter()
                .map(|entry| cluster_name(entry, &env.region, &key))
                .collect::<Result<_, _>>()
                .map_err(|e| anyhow!(e))?;
        }
        settings.resolved = settings.validate()?;
        Ok(settings)
    }

    /// The group → role mapping as the domain policy reads it.
    /// `[[incidents.severity]]` as domain rules.
    pub fn severity_rules(&self) -> anyhow::Result<Vec<app::domain::incidents::SeverityRule>> {
        let ids: HashSet<&str> = self.environments.iter().map(|e| e.id.as_str()).collect();
        self.incidents.rules(&ids).map_err(|e| anyhow!(e))
    }

    /// Each environment as a domain value, parsed at load.
    pub fn descriptors(&self) -> &[EnvDescriptor] {
        &self.resolved.descriptors
    }

    /// The group → role mapping, parsed at load.
    pub fn group_roles(&self) -> &[GroupRole] {
        &self.resolved.group_roles
    }

    fn parse_group_roles(&self) -> Vec<GroupRole> {
        self.auth
            .roles
            .iter()
            .map(|m| GroupRole {
                group: m.group.clone(),
                role: m.role,
                scope: if m.environments.iter().any(|e| e == "*") {
                    EnvScope::All
                } else {
                    EnvScope::Only(
                        m.environments
                            .iter()
                            .filter_map(|e| EnvId::parse(e).ok())
                            .collect(),
                    )
                },
            })
            .collect()
    }

    /// Checks every setting and answers the domain values it parsed on the way.
    fn validate(&self) -> anyhow::Result<Resolved> {
        let url = self
            .server
            .public_url
            .parse::<http::Uri>()
            .map_err(|e| anyhow!("server.public_url: {e}"))?;
        if !matches!(url.scheme_str(), Some("http" | "https")) || url.host().is_none() {
            bail!("server.public_url: must be an http:// or https:// address, e.g. http://127.0.0.1:3000");
        }
        let backend = crate::store::Backend::of_url(&self.server.database_url)?;
        if let Some(role) = &self.server.database_app_role {
            if backend != crate::store::Backend::Postgres {
                bail!("server.database_app_role: database roles exist on PostgreSQL only; on SQLite the file's permissions are the boundary");
            }
            crate::store::privileges::check_role_name(role)
                .map_err(|e| anyhow!("server.database_app_role: {e}"))?;
        }
        if let Some(metrics) = self.server.metrics_listen {
            if metrics == self.server.listen && metrics.port() != 0 {
                bail!(
                    "server.metrics_listen: {metrics} is server.listen too; give /metrics an address of its own or leave it out"
                );
            }
        }
        if self.server.rollout_poll_interval.is_zero() {
            bail!("server.rollout_poll_interval: must be longer than 0, e.g. 15s");
        }
        if self.server.rollout_timeout < Duration::from_secs(60)
            || self.server.rollout_timeout <= self.server.rollout_poll_interval
        {
            bail!(
                "server.rollout_timeout: must be at least 1m and longer than server.rollout_poll_interval, e.g. 30m"
            );
        }
        let trusted_proxies =
            parse_trusted_proxies(&self.server.trusted_proxies).map_err(|e| anyhow!(e))?;
        let session_limits = self.session_limits()?;
        match self.auth.mode {
            AuthMode::Dev if !self.server.listen.ip().is_loopback() => bail!(
                "auth.mode: \"dev\" is only allowed when server.listen is a loopback address (127.0.0.1 or ::1), not {}",
                self.server.listen
            ),
            AuthMode::Dev => {}
            AuthMode::Oidc => {
                let issuer = self
                    .auth
                    .issuer
                    .as_deref()
                    .ok_or_else(|| anyhow!("auth.issuer: required when auth.mode = \"oidc\""))?;
                let ok = issuer
                    .parse::<http::Uri>()
                    .ok()
                    .is_some_and(|u| matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some());
                if !ok {
                    bail!("auth.issuer: {issuer:?} is not an http(s) URL");
                }
                if self.auth.client_id.as_deref().is_none_or(|c| c.trim().is_empty()) {
                    bail!("auth.client_id: required when auth.mode = \"oidc\"");
                }
                if !self.auth.scopes.iter().any(|s| s == "openid") {
                    bail!("auth.scopes: must include \"openid\"");
                }
                if self.auth.roles.is_empty() {
                    bail!("auth.roles: map at least one group to a role, or nobody can use the console");
                }
            }
        }
        if self.auth.groups_claim.trim().is_empty() {
            bail!("auth.groups_claim: must not be empty");
        }
        if self.auth.login_attempts_per_minute == 0 {
            bail!("auth.login_attempts_per_minute: must be at least 1");
        }
        let env_ids: HashSet<&str> = self.environments.iter().map(|e| e.id.as_str()).collect();
        for (i, mapping) in self.auth.roles.iter().enumerate() {
            if mapping.group.trim().is_empty() {
                bail!("auth.roles[{i}].group: must not be empty");
            }
            if mapping.environments.is_empty() {
                bail!("auth.roles[{i}].environments: list environment ids, or [\"*\"] for all");
            }
            for env in &mapping.environments {
                if env != "*" && !env_ids.contains(env.as_str()) {
                    bail!(
                        "auth.roles[{i}].environments: {env:?} is not a configured environment id"
                    );
                }
            }
        }
        let ids: Vec<&str> = self.environments.iter().map(|e| e.id.as_str()).collect();
        let rotations = self.oncall.rotations(&ids).map_err(|e| anyhow!(e))?;
        let severity_rules = self.severity_rules()?;
        let promotion = self.promotion().map_err(|e| anyhow!(e))?;
        if self.incidents.poll_interval < Duration::from_secs(1) {
            bail!("incidents.poll_interval: must be at least 1s");
        }
        if self.aws.attempt_timeout.is_zero()
            || (self.aws.max_attempts > 1 && self.aws.attempt_timeout >= self.aws.operation_timeout)
        {
            bail!(
                "aws.attempt_timeout: must be more than 0 and, with retries, shorter than aws.operation_timeout ({}s), so a hung attempt leaves time for another",
                self.aws.operation_timeout.as_secs()
            );
        }
        if self.aws.max_attempts == 0 {
            bail!("aws.max_attempts: must be at least 1");
        }
        if self.aws.concurrency == 0 {
            bail!("aws.concurrency: must be at least 1");
        }
        let mut seen = HashSet::new();
        let mut descriptors = Vec::new();
        for (i, env) in self.environments.iter().enumerate() {
            let key = |field: &str| format!("environments[{i}].{field}");
            if !seen.insert(env.id.clone()) {
                bail!(
                    "{}: environment id {:?} is used twice",
                    key("id"),
                    env.id.as_str()
                );
            }
            if env.name.trim().is_empty() {
                bail!("{}: must not be empty", key("name"));
            }
            env.scaling
                .validate(&key("scaling"))
                .map_err(|e| anyhow!(e))?;
            descriptors.push(
                env.descriptor(&key("approval"), &key("logs"))
                    .map_err(|e| anyhow!(e))?,
            );
            let region_ok = !env.region.is_empty()
                && env
                    .region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !region_ok {
                bail!(
                    "{}: {:?} is not an AWS region such as eu-west-1",
                    key("region"),
                    env.region
                );
            }
            if let Some(arn) = &env.role_arn {
                if !arn.starts_with("arn:aws")
                    || !arn.contains(":role/")
                    || account_from_arn(arn).is_none()
                {
                    bail!("{}: {arn:?} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)", key("role_arn"));
                }
            }
            if let Some(external_id) = &env.external_id {
                let ok = (2..=1224).contains(&external_id.len())
                    && external_id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c));
                if !ok {
                    bail!("{}: an external id is 2 to 1224 characters of letters, digits and _+=,.@:/-", key("external_id"));
                }
                if env.role_arn.is_none() {
                    bail!(
                        "{}: an external id is sent when assuming role_arn; set role_arn too",
                        key("external_id")
                    );
                }
            }
            for (i, pattern) in env.pass_roles.iter().enumerate() {
                let ok = !pattern.is_empty()
                    && pattern.len() <= 512
                    && pattern
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-*/".contains(c));
                if !ok {
                    bail!("{}[{i}]: {pattern:?} is not an IAM role name or pattern (letters, digits, _+=,.@-/ and * as a wildcard)", key("pass_roles"));
                }
            }
            if env.source_identity && env.role_arn.is_none() {
                bail!(
                    "{}: a SourceIdentity is set when assuming role_arn; set role_arn too",
                    key("source_identity")
                );
            }
            if let Some(url) = &env.endpoint_url {
                let ok = url.parse::<http::Uri>().ok().is_some_and(|u| {
                    matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some()
                });
                if !ok {
                    bail!("{}: {url:?} is not an http(s) URL", key("endpoint_url"));
                }
            }
            if env.refresh_interval < Duration::from_secs(1) {
                bail!("{}: must be at least 1s", key("refresh_interval"));
            }
            if env.metrics_interval < Duration::from_secs(1) {
                bail!("{}: must be at least 1s", key("metrics_interval"));
            }
            if env.clusters.iter().any(|c| c.trim().is_empty()) {
                bail!("{}: cluster names must not be empty", key("clusters"));
            }
            env.alarms.scope(&key("alarms")).map_err(|e| anyhow!(e))?;
        }
        Ok(Resolved {
            descriptors,
            rotations,
            severity_rules,
            promotion,
            group_roles: self.parse_group_roles(),
            incident_windows: self.incidents.windows(),
            trusted_proxies,
            session_limits,
            retry_schedule: self.notifications.retry_schedule()?,
        })
    }

    /// The session timeouts as the domain reads them: each at least a second.
    fn session_limits(&self) -> anyhow::Result<app::domain::sessions::SessionLimits> {
        let limit = |key: &str, d: Duration| {
            if d < Duration::from_secs(1) {
                bail!("server.{key}: must be at least 1s");
            }
            chrono::Duration::from_std(d).map_err(|_| anyhow!("server.{key}: too long"))
        };
        Ok(app::domain::sessions::SessionLimits {
            idle: limit("session_idle_timeout", self.server.session_idle_timeout)?,
            lifetime: limit(
                "session_absolute_lifetime",
                self.server.session_absolute_lifetime,
            )?,
        })
    }

    pub fn is_https(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }

    /// A short human summary for `quarterdeck check-config`.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "listen       {}\npublic_url   {}\ndatabase     {}\nauth mode    {:?}{}\nrole maps    {}\nmetrics      {}\nenvironments {}\n",
            self.server.listen,
            self.server.public_url,
            crate::store::redact(&self.server.database_url),
            self.auth.mode,
            self.auth.issuer.as_deref().map(|i| format!(" (issuer {i})")).unwrap_or_default(),
            self.auth.roles.len(),
            match (self.server.metrics_access(), self.server.metrics_listen) {
                (MetricsAccess::Token(_), Some(addr)) =>
                    format!("/metrics with the bearer token, on the main address and on {addr}"),
                (MetricsAccess::Token(_), None) => "/metrics with the bearer token".to_string(),
                (MetricsAccess::OwnAddress(addr), _) => format!("/metrics on {addr} only"),
                (MetricsAccess::Loopback, _) =>
                    "/metrics for loopback clients only (no token, no metrics_listen)".to_string(),
            },
            self.environments.len()
        );
        for env in &self.environments {
            out.push_str(&format!(
                "  - {:<10} {:<22} {:<14} account {:<14} clusters {:<24} refresh {}s{}{}\n",
                env.id.as_str(),
                env.name,
                env.region,
                env.account().unwrap_or_else(|| "default".into()),
                if env.clusters.is_empty() {
                    "all".to_string()
                } else {
                    env.clusters.join(",")
                },
                env.refresh_interval.as_secs(),
                if env.protected { ", protected" } else { "" },
                env.endpoint_url
                    .as_deref()
                    .map(|u| format!(", endpoint {u}"))
                    .unwrap_or_default(),
            ));
            if let Some(role) = &env.role_arn {
                out.push_str(&format!(
                    "      AWS: reads as {role} session quarterdeck; actions as a session named after the operator{}{}\n",
                    if env.source_identity { ", with the operator as SourceIdentity" } else { "" },
                    if env.external_id.is_some() { "; external id set" } else { "" },
                ));
            }
            let rules = self
                .resolved
                .descriptors
                .iter()
                .find(|d| d.id.as_str() == env.id.as_str())
                .map(|d| d.approval.effective_rules(d.protected))
                .unwrap_or_default();
            for rule in rules {
                out.push_str(&format!("      {rule}\n"));
            }
        }
        let promotion = &self.resolved.promotion;
        let paths: Vec<String> = promotion
            .paths
            .iter()
            .map(|(from, to)| format!("{from} → {to}"))
            .collect();
        out.push_str(&format!(
            "promotion    {}\n",
            if paths.is_empty() {
                "none".to_string()
            } else {
                paths.join(", ")
            }
        ));
        for mapping in &promotion.registries {
            out.push_str(&format!("  registry   {mapping}\n"));
        }
        out.push_str(&format!(
            "rollouts     followed every {}s after each change to a service; stuck after {} min\n",
            self.server.rollout_poll_interval.as_secs_f64(),
            self.server.rollout_timeout.as_secs() / 60
        ));
        out.push_str(&format!(
            "migrations   {}{}\n",
            if self.server.migrate_on_start {
                "applied by serve at start"
            } else {
                "by `quarterdeck migrate` only"
            },
            self.server
                .database_app_role
                .as_deref()
                .map(|r| format!(" (migrate grants the serving role {r})"))
                .unwrap_or_default()
        ));
        if !self.notifications.resolved.is_empty() {
            let names: Vec<&str> = self
                .notifications
                .resolved
                .iter()
                .map(|(name, _)| name.as_str())
                .collect();
            out.push_str(&format!(
                "webhooks: {} (failed deliveries retried {})\n",
                names.join(", "),
                self.resolved.retry_schedule.describe()
            ));
        }
        if !self.resolved.trusted_proxies.is_empty() {
            let nets: Vec<String> = self
                .resolved
                .trusted_proxies
                .iter()
                .map(|n| n.to_string())
                .collect();
            out.push_str(&format!(
                "trusted proxies: {} (X-Forwarded-For read from them only)\n",
                nets.join(", ")
            ));
        }
        out
    }
}

/// Reads a secret (`<section>.<field>_env` or `<section>.<field>_file`: the OIDC client secret,
/// the metrics token) from the named environment variable or file; never from the config file
/// itself.
fn resolve_secret(
    section: &str,
    field: &str,
    env: &Option<String>,
    file: &Option<PathBuf>,
    vars: &[(String, String)],
) -> anyhow::Result<Option<Secret>> {
    match (env, file) {
        (Some(_), Some(_)) => bail!("{section}: set {field}_env or {field}_file, not both"),
        (Some(name), None) => {
            let value = vars
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    anyhow!("{section}.{field}_env: the environment variable {name} is not set")
                })?;
            if value.trim().is_empty() {
                bail!("{section}.{field}_env: the environment variable {name} is empty");
            }
            Ok(Some(Secret::new(value.trim().to_string())))
        }
        (None, Some(path)) => {
            let value = std::fs::read_to_string(path)
                .map_err(|e| anyhow!("{section}.{field}_file: reading {}: {e}", path.display()))?;
            if value.trim().is_empty() {
                bail!("{section}.{field}_file: {} is empty", path.display());
            }
            Ok(Some(Secret::new(value.trim().to_string())))
        }
        (None, None) => Ok(None),
    }
}

/// Writes `QD_A__B__0__C=value` into `value` at `a.b[0].c`. Values are read as TOML when they
/// parse (numbers, booleans, arrays), else as strings.
pub fn apply_overrides(
    value: &mut toml::Value,
    vars: impl IntoIterator<Item = (String, String)>,
) -> anyhow::Result<()> {
    let mut overrides: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(k, _)| k.starts_with(OVERRIDE_PREFIX) && k.contains("__"))
        .collect();
    // By path, list indexes as numbers: entry 2 is set before entry 10.
    overrides.sort_by_cached_key(|(k, _)| {
        k.split("__")
            .map(|seg| match seg.parse::<u64>() {
                Ok(n) => (0, n, String::new()),
                Err(_) => (1, 0, seg.to_string()),
            })
            .collect::<Vec<_>>()
    });
    for (name, raw) in overrides {
        let path: Vec<String> = name[OVERRIDE_PREFIX.len()..]
            .split("__")
            .map(|s| s.to_ascii_lowercase())
            .collect();
        if path.iter().any(String::is_empty) {
            bail!("{name}: empty path segment in override name");
        }
        let parsed = toml::from_str::<toml::Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.clone()));
        set_path(value, &path, parsed).map_err(|e| anyhow!("{name}: {e}"))?;
    }
    Ok(())
}

fn set_path(node: &mut toml::Value, path: &[String], new: toml::Value) -> Result<(), String> {
    let Some((head, rest)) = path.split_first() else {
        *node = new;
        return Ok(());
    };
    match node {
        toml::Value::Table(table) => {
            let child = table.entry(head.clone()).or_insert_with(|| {
                if rest.first().is_some_and(|s| s.parse::<usize>().is_ok()) {
                    toml::Value::Array(Vec::new())
                } else {
                    toml::Value::Table(toml::Table::new())
                }
            });
            set_path(child, rest, new)
        }
        toml::Value::Array(items) => {
            let index: usize = head
                .parse()
                .map_err(|_| format!("{head:?} is not an array index"))?;
            if index > items.len() {
                return Err(format!(
                    "index {index} skips entries (the list has {})",
                    items.len()
                ));
            }
            if index == items.len() {
                items.push(toml::Value::Table(toml::Table::new()));
            }
            set_path(&mut items[index], rest, new)
        }
        _ => Err(format!("cannot set {head:?} inside a plain value")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        [server]
        listen = "127.0.0.1:3000"
        [auth]
        mode = "dev"
        [[environments]]
        id = "prod"
        name = "Production"
        region = "eu-west-1"
        role_arn = "arn:aws:iam::333333333333:role/quarterdeck"
    "#;

    /// [`MINIMAL`] without a role to assume.
    const NO_ROLE: &str = r#"
        [server]
        listen = "127.0.0.1:3000"
        [auth]
        mode = "dev"
        [[environments]]
        id = "prod"
        name = "Production"
        region = "eu-west-1"
    "#;

    const OIDC: &str = r#"
        [server]
        listen = "0.0.0.0:3000"
        public_url = "https://ops.example.com"
        [auth]
        mode = "oidc"
        issuer = "https://sso.example.com/"
        client_id = "quarterdeck"
        client_secret_env = "QD_TEST_SECRET"
        [[auth.roles]]
        group = "platform"
        role = "admin"
        environments = ["*"]
        [[auth.roles]]
        group = "payments"
        role = "operator"
        environments = ["prod"]
        [[environments]]
        id = "prod"
        name = "Production"
        region = "eu-west-1"
    "#;

    #[test]
    fn oidc_config_reads_the_secret_from_the_environment_and_never_prints_it() {
        let s = load(OIDC, &[("QD_TEST_SECRET", "hunter2")]).unwrap();
        assert_eq!(
            s.auth.client_secret.as_ref().map(Secret::expose),
            Some("hunter2")
        );
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(s.is_https());
        let roles = s.group_roles();
        assert_eq!(roles[0].scope, EnvScope::All);
        assert_eq!(
            roles[1].scope,
            EnvScope::Only(vec![EnvId::parse("prod").unwrap()])
        );
    }

    #[test]
    fn the_secret_can_come_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "from-file\n").unwrap();
        let text = OIDC.replace(
            "client_secret_env = \"QD_TEST_SECRET\"",
            &format!("client_secret_file = {:?}", path.display().to_string()),
        );
        let s = load(&text, &[]).unwrap();
        assert_eq!(
            s.auth.client_secret.as_ref().map(Secret::expose),
            Some("from-file")
        );
    }

    fn load(text: &str, vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        Settings::from_toml(
            text,
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    fn err(text: &str, vars: &[(&str, &str)]) -> String {
        format!("{:#}", load(text, vars).expect_err("should fail"))
    }

    #[test]
    fn minimal_config_loads_with_defaults() {
        let s = load(MINIMAL, &[]).unwrap();
        assert_eq!(s.environments[0].account().as_deref(), Some("333333333333"));
        assert_eq!(s.environments[0].refresh_interval, Duration::from_secs(30));
        assert_eq!(s.aws.max_attempts, 3);
        assert_eq!(s.server.database_url, "sqlite://data/quarterdeck.db");
    }

    #[test]
    fn a_serving_role_is_a_postgresql_role_with_a_plain_name() {
        let s = load(MINIMAL, &[]).unwrap();
        assert!(
            s.server.migrate_on_start,
            "serve migrates unless told not to"
        );
        assert_eq!(s.server.database_app_role, None);
        let pg = ("QD_SERVER__DATABASE_URL", "postgres://owner@db/qd");
        let s = load(
            MINIMAL,
            &[
                pg,
                ("QD_SERVER__DATABASE_APP_ROLE", "quarterdeck_app"),
                ("QD_SERVER__MIGRATE_ON_START", "false"),
            ],
        )
        .unwrap();
        assert_eq!(
            s.server.database_app_role.as_deref(),
            Some("quarterdeck_app")
        );
        assert!(!s.server.migrate_on_start);
        assert!(s.summary().contains("by `quarterdeck migrate` only"));
        let on_sqlite = err(MINIMAL, &[("QD_SERVER__DATABASE_APP_ROLE", "qd_app")]);
        assert!(
            on_sqlite.contains("server.database_app_role") && on_sqlite.contains("PostgreSQL only"),
            "{on_sqlite}"
        );
        let odd = err(MINIMAL, &[pg, ("QD_SERVER__DATABASE_APP_ROLE", "qd; DROP")]);
        assert!(
            odd.contains("server.database_app_role") && odd.contains("not a plain role name"),
            "{odd}"
        );
    }

    #[test]
    fn environment_overrides_set_nested_keys() {
        let s = load(
            MINIMAL,
            &[
                ("QD_SERVER__LISTEN", "127.0.0.1:4000"),
                ("QD_ENVIRONMENTS__0__CLUSTERS", r#"["a", "b"]"#),
                ("QD_ENVIRONMENTS__0__REFRESH_INTERVAL", "5m"),
                ("QD_AWS__MAX_ATTEMPTS", "1"),
                ("QD_OIDC_CLIENT_SECRET", "not an override"),
            ],
        )
        .unwrap();
        assert_eq!(s.server.listen.port(), 4000);
        assert_eq!(s.environments[0].clusters, ["a", "b"]);
        assert_eq!(s.environments[0].refresh_interval, Duration::from_secs(300));
        assert_eq!(s.aws.max_attempts, 1);
    }

    #[test]
    fn promotion_order_and_paths_are_read_and_checked() {
        let two = format!(
            "{MINIMAL}\n[[environments]]\nid = \"staging\"\nname = \"Staging\"\nregion = \"eu-west-1\"\n"
        );
        let s = load(&two, &[]).unwrap();
        let default = s.promotion().unwrap();
        let ids: Vec<&str> = default.order.iter().map(EnvId::as_str).collect();
        assert_eq!(
            ids,
            vec!["staging", "prod"],
            "the default order, configured ones only"
        );
        assert_eq!(default.paths.len(), 1);
        let custom = format!("{two}\n[promotion]\norder = [\"prod\", \"staging\"]\n");
        let policy = load(&custom, &[]).unwrap().promotion().unwrap();
        let (prod, staging) = (
            EnvId::parse("prod").unwrap(),
            EnvId::parse("staging").unwrap(),
        );
        assert!(policy.check(&prod, &staging).is_ok());
        assert!(policy.check(&staging, &prod).is_err());
        let cases = [
            (
                "[promotion]\norder = [\"qa\"]\n",
                "promotion.order[0]: \"qa\" is not a configured environment id",
            ),
            (
                "[promotion]\norder = [\"prod\", \"prod\"]\n",
                "promotion.order[1]: prod is listed twice",
            ),
            (
                "[promotion]\norder = [\"prod\"]\npaths = [[\"staging\", \"staging\"]]\n",
                "promotion.paths[0]: staging cannot promote into itself",
            ),
        ];
        for (toml, message) in cases {
            let error = load(&format!("{two}\n{toml}"), &[]).unwrap_err();
            assert!(format!("{error:#}").contains(message), "{error:#}");
        }
    }

    #[test]
    fn promotion_registries_are_read_checked_and_printed() {
        const DEV: &str = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
        const PROD: &str = "333333333333.dkr.ecr.eu-west-1.amazonaws.com";
        let two = format!(
            "{MINIMAL}\n[[environments]]\nid = \"dev\"\nname = \"Dev\"\nregion = \"eu-west-1\"\n[promotion]\norder = [\"dev\", \"prod\"]\n"
        );
        let entry = |from: &str, to: &str, source: &str, target: &str| {
            let mut text = String::from("\n[[promotion.registries]]\n");
            for (key, value) in [
                ("from", from),
                ("to", to),
                ("source", source),
                ("target", target),
            ] {
                if !value.is_empty() || key == "source" {
                    text.push_str(&format!("{key} = {value:?}\n"));
                }
            }
            text
        };
        let text = format!(
            "{two}{}{}",
            entry("dev", "prod", DEV, PROD),
            entry("", "prod", "GHCR.io", "registry.prod.example:5000")
        );
        let s = load(&text, &[]).unwrap();
        let registries = &s.resolved.promotion.registries;
        assert_eq!(registries.len(), 2);
        assert_eq!(registries[0].source.as_str(), DEV);
        assert_eq!(registries[0].target.as_str(), PROD);
        assert_eq!(
            registries[1].source.as_str(),
            "ghcr.io",
            "hosts are lower-cased"
        );
        assert!(registries[1].from.is_none());
        let summary = s.summary();
        assert!(summary.contains("promotion    dev → prod\n"), "{summary}");
        assert!(
            summary.contains(&format!("  registry   {DEV} → {PROD} (dev → prod)\n")),
            "{summary}"
        );
        assert!(
            summary.contains("  registry   ghcr.io → registry.prod.example:5000 (into prod)\n"),
            "{summary}"
        );
        // The same from the environment, as a container's configuration gives it.
        let inline = format!(
            "[{{ from = \"dev\", to = \"prod\", source = \"{DEV}\", target = \"{PROD}\" }}]"
        );
        let s = load(&two, &[("QD_PROMOTION__REGISTRIES", &inline)]).unwrap();
        assert_eq!(s.resolved.promotion.registries[0].target.as_str(), PROD);

        let cases = [
            (
                entry("dev", "prod", &format!("https://{DEV}"), PROD),
                "promotion.registries[0].source: \"https://",
            ),
            (
                entry("dev", "prod", DEV, &format!("{PROD}/shop/web")),
                "promotion.registries[0].target: \"333333333333.dkr.ecr.eu-west-1.amazonaws.com/shop/web\" has a path",
            ),
            (
                entry("dev", "prod", "", PROD),
                "promotion.registries[0].source: a registry host must not be empty",
            ),
            (
                entry("qa", "prod", DEV, PROD),
                "promotion.registries[0].from: \"qa\" is not a configured environment id",
            ),
            (
                entry("dev", "staging", DEV, PROD),
                "promotion.registries[0].to: \"staging\" is not a configured environment id",
            ),
            (
                entry("prod", "dev", DEV, PROD),
                "promotion.registries[0]: promotion from prod into dev is not allowed",
            ),
            (
                entry("dev", "prod", DEV, DEV),
                "promotion.registries[0].target: 111111111111.dkr.ecr.eu-west-1.amazonaws.com is the source registry too",
            ),
            (
                format!(
                    "{}{}",
                    entry("dev", "prod", DEV, PROD),
                    entry("dev", "prod", &DEV.to_uppercase(), "registry.example")
                ),
                "promotion.registries[1]: 111111111111.dkr.ecr.eu-west-1.amazonaws.com is already mapped for dev → prod by promotion.registries[0]",
            ),
        ];
        for (toml, message) in cases {
            let error = err(&format!("{two}{toml}"), &[]);
            assert!(error.contains(message), "{message}\n{error}");
        }
        // A missing key is named too.
        let error = err(
            &format!("{two}\n[[promotion.registries]]\nsource = \"{DEV}\"\n"),
            &[],
        );
        assert!(error.contains("target"), "{error}");
    }

    #[test]
    fn scaling_limits_are_read_and_checked() {
        let text = format!(
            "{MINIMAL}\n[environments.scaling]\nmax = 20\n[[environments.scaling.services]]\nname = \"prod-main/cleanup-job\"\nmax = 2\nallow_zero = true\n"
        );
        let s = load(&text, &[]).unwrap();
        let policy = s.descriptors()[0].scaling.clone();
        let bounds = policy.bounds_for("prod-main", "cleanup-job", None);
        assert_eq!((bounds.min, bounds.max, bounds.allow_zero), (1, 2, true));
        assert_eq!(policy.bounds_for("prod-main", "web", None).max, 20);
        let bad: &[(&str, &str)] = &[
            ("min = 0", "environments[0].scaling.min: 0 must be between 1 and 5000 (allow 0 with allow_zero = true)"),
            ("min = 9\nmax = 3", "environments[0].scaling: min 9 is above max 3"),
            ("max = 6000", "environments[0].scaling.max: 6000 must be between 1"),
            ("[[environments.scaling.services]]\nname = \"a/b/c\"", "environments[0].scaling.services[0].name: \"a/b/c\" is not a service name"),
            ("[[environments.scaling.services]]\nname = \"web\"\n[[environments.scaling.services]]\nname = \"web\"", "services[1].name: web is listed twice"),
            ("ceiling = 3", "unknown field `ceiling`"),
        ];
        for (scaling, needle) in bad {
            let message = err(
                &format!("{MINIMAL}\n[environments.scaling]\n{scaling}\n"),
                &[],
            );
            assert!(message.contains(needle), "{scaling}: {message}");
        }
    }

    #[test]
    fn approval_policies_and_webhooks_are_read_and_checked() {
        let text = format!(
            "{MINIMAL}\n[environments.approval]\nrequired = 2\nexpires_after = \"12h\"\ngated = [\"deploy\", \"redeploy\"]\n[[environments.approval.freezes]]\nfrom = \"2026-12-20T00:00:00Z\"\nto = \"2027-01-04T00:00:00Z\"\nreason = \"year end\"\n[[environments.approval.freezes]]\ndays = [\"fri\", \"Saturday\"]\nfrom = \"16:00\"\nto = \"08:00\"\ntimezone = \"Europe/Berlin\"\nreason = \"weekend\"\n[[notifications.webhooks]]\nname = \"chat\"\nurl_env = \"QD_TEST_HOOK\"\n"
        );
        let s = load(&text, &[("QD_TEST_HOOK", "https://hooks.example/T0/B0/x")]).unwrap();
        let policy = s.descriptors()[0].approval.clone();
        assert_eq!(policy.required, 2);
        assert_eq!(policy.expires_after_secs, 12 * 3600);
        assert_eq!(policy.gated, [ActionKind::Deploy, ActionKind::Redeploy]);
        assert_eq!(policy.freezes.len(), 2);
        assert_eq!(
            s.notifications.resolved[0].1.expose(),
            "https://hooks.example/T0/B0/x"
        );
        assert!(
            !format!("{s:?}").contains("hooks.example"),
            "webhook URLs never print"
        );
        let bad: &[(&str, &str)] = &[
            ("required = 0", "approval.required: 0 must be between 1 and 10"),
            ("approver_role = \"operator\"", "approval.approver_role: operator may not approve"),
            ("gated = [\"launch\"]", "unknown variant `launch`"),
            ("[[environments.approval.freezes]]\nfrom = \"soon\"\nto = \"later\"\nreason = \"x\"", "freezes[0].from: \"soon\" is not an RFC 3339 time"),
            ("[[environments.approval.freezes]]\ndays = [\"fri\"]\nfrom = \"16:00\"\nto = \"18:00\"\nreason = \"x\"", "freezes[0].timezone: a weekly window needs a timezone"),
            ("[[environments.approval.freezes]]\ndays = [\"fri\"]\nfrom = \"16:00\"\nto = \"18:00\"\ntimezone = \"Mars/Olympus\"\nreason = \"x\"", "is not an IANA time zone"),
            ("[[environments.approval.freezes]]\ndays = [\"frsomeday\"]\nfrom = \"16:00\"\nto = \"18:00\"\ntimezone = \"UTC\"\nreason = \"x\"", "is not a weekday"),
        ];
        for (approval, needle) in bad {
            let message = err(
                &format!("{MINIMAL}\n[environments.approval]\n{approval}\n"),
                &[],
            );
            assert!(message.contains(needle), "{approval}: {message}");
        }
        let public = format!("{MINIMAL}\n[[notifications.webhooks]]\nname = \"chat\"\nurl = \"https://hooks.example/x\"\n");
        assert!(err(&public, &[]).contains("webhook URLs are secrets"));
    }

    #[test]
    fn the_outbox_retry_schedule_is_read_and_checked_and_webhook_names_are_unique() {
        let s = load(MINIMAL, &[]).unwrap();
        assert_eq!(
            s.resolved.retry_schedule,
            app::domain::outbox::RetrySchedule::default()
        );
        assert_eq!(s.notifications.attempt_timeout, Duration::from_secs(10));
        let quick = format!("{MINIMAL}\n[notifications]\nfirst_retry_after = \"200ms\"\nmax_retry_interval = \"1s\"\nretry_for = \"2h\"\n");
        let s = load(&quick, &[]).unwrap();
        assert_eq!(
            s.resolved.retry_schedule.describe(),
            "from 200ms, doubling to at most 1s, for 2h"
        );
        let bad: &[(&str, &str)] = &[
            (
                "first_retry_after = \"10ms\"",
                "notifications.first_retry_after: must be at least 100ms",
            ),
            (
                "first_retry_after = \"1m\"\nmax_retry_interval = \"30s\"",
                "notifications.max_retry_interval: must be at least first_retry_after (1m)",
            ),
            (
                "retry_for = \"2s\"",
                "notifications.retry_for: must be between first_retry_after (5s) and 30d",
            ),
            (
                "retry_for = \"31d\"",
                "notifications.retry_for: must be between",
            ),
            ("retry_for = \"soon\"", "notifications.retry_for"),
            (
                "attempt_timeout = \"5m\"",
                "notifications.attempt_timeout: must be between 1s and 2m",
            ),
            (
                "keep_delivered = \"5m\"",
                "notifications.keep_delivered: must be at least 1h",
            ),
        ];
        for (setting, needle) in bad {
            let message = err(&format!("{MINIMAL}\n[notifications]\n{setting}\n"), &[]);
            assert!(message.contains(needle), "{setting}: {message}");
        }
        let twice = format!("{MINIMAL}\n[[notifications.webhooks]]\nname = \"chat\"\nurl = \"http://127.0.0.1:9/a\"\n[[notifications.webhooks]]\nname = \"chat\"\nurl = \"http://127.0.0.1:9/b\"\n");
        assert!(err(&twice, &[]).contains("notifications.webhooks[1].name: \"chat\" is used twice"));
    }

    #[test]
    fn the_whole_configuration_can_come_from_environment_variables() {
        let mut vars: Vec<(String, String)> = vec![
            ("QD_SERVER__LISTEN".into(), "0.0.0.0:3000".into()),
            (
                "QD_SERVER__PUBLIC_URL".into(),
                "https://ops.example.com".into(),
            ),
            ("QD_AUTH__MODE".into(), "oidc".into()),
            ("QD_AUTH__ISSUER".into(), "https://sso.example.com/".into()),
            ("QD_AUTH__CLIENT_ID".into(), "quarterdeck".into()),
            ("QD_AUTH__CLIENT_SECRET_ENV".into(), "QD_OIDC_SECRET".into()),
            ("QD_OIDC_SECRET".into(), "s3cret".into()),
            (
                "QD_AUTH__ROLES".into(),
                r#"[{ group = "platform", role = "admin", environments = ["*"] }]"#.into(),
            ),
            ("PATH".into(), "/usr/bin".into()),
        ];
        for i in 0..11 {
            for (field, value) in [
                ("ID", format!("env{i}")),
                ("NAME", format!("Env {i}")),
                ("REGION", "eu-west-1".to_string()),
            ] {
                vars.push((format!("QD_ENVIRONMENTS__{i}__{field}"), value));
            }
        }
        let s = Settings::from_env(vars).unwrap();
        assert_eq!(s.server.listen.port(), 3000);
        assert_eq!(s.environments.len(), 11, "entry 10 comes after entry 2");
        assert_eq!(s.environments[10].id.as_str(), "env10");
        let missing = Settings::from_env(Vec::<(String, String)>::new()).unwrap_err();
        assert!(format!("{missing:#}").contains("QD_"), "{missing:#}");
    }

    #[test]
    fn the_ecs_example_configures_a_valid_console() {
        let s = ecs_example();
        assert_eq!(s.environments.len(), 3);
        assert!(s.environments[2].protected);
        assert_eq!(s.group_roles().len(), 2);
    }

    /// The settings `deploy/ecs/task-definition.json` gives the console.
    pub(crate) fn ecs_example() -> Settings {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/ecs/task-definition.json");
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let container = &doc["containerDefinitions"][0];
        let mut vars: Vec<(String, String)> = container["environment"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_string(),
                    v["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        // What the Dockerfile sets, and the secret ECS injects.
        vars.push(("QD_SERVER__LISTEN".into(), "0.0.0.0:3000".into()));
        vars.push((
            "QD_OIDC_CLIENT_SECRET".into(),
            "from-secrets-manager".into(),
        ));
        Settings::from_env(vars).unwrap()
    }

    #[test]
    fn clusters_are_names_or_arns_in_the_environments_region() {
        let key = "environments[0].clusters";
        let table: &[(&str, Result<&str, &str>)] = &[
            ("virga", Ok("virga")),
            (" virga ", Ok("virga")),
            (
                "arn:aws:ecs:eu-west-1:123456789012:cluster/virga",
                Ok("virga"),
            ),
            (
                "arn:aws-cn:ecs:eu-west-1:123456789012:cluster/virga",
                Ok("virga"),
            ),
            (
                "arn:aws:ecs:us-east-1:123456789012:cluster/virga",
                Err("is in us-east-1, but this environment reads eu-west-1"),
            ),
            (
                "arn:aws:ecs:eu-west-1:123456789012:service/virga/web",
                Err("is not an ECS cluster ARN"),
            ),
            (
                "arn:aws:rds:eu-west-1:123456789012:cluster/virga",
                Err("is not an ECS cluster ARN"),
            ),
            ("arn:aws:ecs:eu-west-1", Err("is not a complete ARN")),
            (
                "cluster/virga",
                Err("is neither a cluster name nor a cluster ARN"),
            ),
            ("", Err("must not be empty")),
        ];
        for (entry, expected) in table {
            match (cluster_name(entry, "eu-west-1", key), expected) {
                (Ok(name), Ok(want)) => assert_eq!(&name, want, "{entry}"),
                (Err(e), Err(want)) => {
                    assert!(e.contains(want) && e.starts_with(key), "{entry}: {e}")
                }
                (got, want) => panic!("{entry}: {got:?}, expected {want:?}"),
            }
        }
    }

    #[test]
    fn rotations_are_read_and_checked() {
        let text = format!("{MINIMAL}\n[[oncall.rotations]]\nname = \"platform\"\nmembers = [\"ana\", \"bob\"]\nfirst_handoff = \"2026-11-02\"\ntimezone = \"Europe/Berlin\"\n");
        let s = load(&text, &[]).unwrap();
        let rotations = s.oncall.rotations(&["prod", "dev"]).unwrap();
        assert_eq!(rotations[0].length_days, 7);
        assert_eq!(rotations[0].handoff_time.to_string(), "09:00:00");
        assert_eq!(
            rotations[0].environments,
            ["prod", "dev"],
            "every one by default"
        );
        let text = format!("{MINIMAL}\n[[oncall.rotations]]\nname = \"platform\"\nmembers = [\"ana\"]\nfirst_handoff = \"2026-11-02\"\ntimezone = \"UTC\"\nenvironments = [\"prod\"]\n");
        assert_eq!(
            load(&text, &[])
                .unwrap()
                .oncall
                .rotations(&["prod", "dev"])
                .unwrap()[0]
                .environments,
            ["prod"]
        );
        for (bad, needle) in [
            (
                "members = []\nfirst_handoff = \"2026-11-02\"",
                "members: list the people",
            ),
            (
                "members = [\"a\"]\nfirst_handoff = \"soon\"",
                "first_handoff: \"soon\" is not a date",
            ),
            (
                "members = [\"a\"]\nfirst_handoff = \"2026-11-02\"\nlength_days = 0",
                "length_days: 0 must be between 1 and 28",
            ),
            (
                "members = [\"a\"]\nfirst_handoff = \"2026-11-02\"\nenvironments = [\"qa\"]",
                "environments: \"qa\" is not a configured environment id",
            ),
        ] {
            let text = format!(
                "{MINIMAL}\n[[oncall.rotations]]\nname = \"r\"\ntimezone = \"UTC\"\n{bad}\n"
            );
            let message = err(&text, &[]);
            assert!(message.contains(needle), "{bad}: {message}");
        }
    }

    /// Config text, overrides, and a piece of the expected message.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

    #[test]
    fn errors_name_the_key_and_the_reason() {
        let cases: &[Case] = &[
            (
                "[server]\nlisten='127.0.0.1:1'\nflavour='x'\n[auth]\nmode='dev'",
                &[],
                "unknown field `flavour`",
            ),
            (
                MINIMAL,
                &[("QD_ENVIRONMENTS__0__REGION", "EU West")],
                "environments[0].region",
            ),
            (
                MINIMAL,
                &[("QD_SERVER__LISTEN", "0.0.0.0:3000")],
                "auth.mode: \"dev\" is only allowed",
            ),
            (
                NO_ROLE,
                &[("QD_ENVIRONMENTS__0__EXTERNAL_ID", "qd-7781")],
                "environments[0].external_id: an external id is sent when assuming role_arn",
            ),
            (
                MINIMAL,
                &[("QD_ENVIRONMENTS__0__EXTERNAL_ID", "x")],
                "environments[0].external_id: an external id is 2 to 1224 characters",
            ),
            (
                NO_ROLE,
                &[("QD_ENVIRONMENTS__0__SOURCE_IDENTITY", "true")],
                "environments[0].source_identity: a SourceIdentity is set when assuming role_arn",
            ),
            (
                MINIMAL,
                &[("QD_ENVIRONMENTS__0__PASS_ROLES", "[\"ok-*\", \"bad role\"]")],
                "environments[0].pass_roles[1]",
            ),
            (
                MINIMAL,
                &[("QD_AWS__ATTEMPT_TIMEOUT", "30s")],
                "aws.attempt_timeout: must be more than 0 and, with retries, shorter than aws.operation_timeout",
            ),
            (
                MINIMAL,
                &[("QD_ENVIRONMENTS__0__ROLE_ARN", "quarterdeck")],
                "environments[0].role_arn",
            ),
            (
                MINIMAL,
                &[("QD_ENVIRONMENTS__0__REFRESH_INTERVAL", "10 parsecs")],
                "environments[0].refresh_interval",
            ),
            (
                MINIMAL,
                &[("QD_ENVIRONMENTS__0__ID", "Prod")],
                "environments[0].id",
            ),
            (
                MINIMAL,
                &[
                    ("QD_ENVIRONMENTS__1__ID", "prod"),
                    ("QD_ENVIRONMENTS__1__NAME", "x"),
                    ("QD_ENVIRONMENTS__1__REGION", "eu-west-1"),
                ],
                "used twice",
            ),
            (
                MINIMAL,
                &[("QD_ENVIRONMENTS__0__ENDPOINT_URL", "localhost")],
                "endpoint_url",
            ),
            (
                MINIMAL,
                &[("QD_SERVER__PUBLIC_URL", "ftp://x")],
                "server.public_url",
            ),
            (
                MINIMAL,
                &[("QD_SERVER__SESSION_IDLE_TIMEOUT", "500ms")],
                "server.session_idle_timeout: must be at least 1s",
            ),
            (
                MINIMAL,
                &[("QD_SERVER__SESSION_ABSOLUTE_LIFETIME", "0s")],
                "server.session_absolute_lifetime: must be at least 1s",
            ),
            ("[server]\n[auth]\nmode = 'magic'", &[], "auth.mode"),
            (
                MINIMAL,
                &[("QD_AUTH__MODE", "oidc")],
                "auth.issuer: required",
            ),
            (
                OIDC,
                &[],
                "auth.client_secret_env: the environment variable QD_TEST_SECRET is not set",
            ),
            (
                OIDC,
                &[
                    ("QD_TEST_SECRET", "s"),
                    ("QD_AUTH__ROLES__0__ENVIRONMENTS", "[\"qa\"]"),
                ],
                "auth.roles[0].environments: \"qa\" is not a configured",
            ),
            (
                OIDC,
                &[("QD_TEST_SECRET", "s"), ("QD_AUTH__ISSUER", "sso")],
                "auth.issuer",
            ),
            (
                OIDC,
                &[("QD_TEST_SECRET", "s"), ("QD_AUTH__ROLES__0__ROLE", "root")],
                "auth.roles[0].role",
            ),
        ];
        for (text, vars, needle) in cases {
            let message = err(text, vars);
            assert!(
                message.contains(needle),
                "expected {needle:?} in {message:?}"
            );
        }
    }

    #[test]
    fn trusted_proxies_are_networks_or_single_addresses() {
        let s = load(
            MINIMAL,
            &[(
                "QD_SERVER__TRUSTED_PROXIES",
                r#"["10.0.0.0/8", "192.0.2.7", "fd00::/8"]"#,
            )],
        )
        .unwrap();
        let parsed: Vec<String> = s
            .resolved
            .trusted_proxies
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(parsed, ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"]);
        assert!(load(MINIMAL, &[])
            .unwrap()
            .resolved
            .trusted_proxies
            .is_empty());
        let cases = [
            (r#"["10.0.0.1/8"]"#, "server.trusted_proxies[0]: \"10.0.0.1/8\" has host bits set; write the network, 10.0.0.0/8"),
            (r#"["10.0.0.0/8", "lb.internal"]"#, "server.trusted_proxies[1]: \"lb.internal\" is not an address"),
            (r#"["10.0.0.0/33"]"#, "server.trusted_proxies[0]"),
        ];
        for (value, needle) in cases {
            let message = err(MINIMAL, &[("QD_SERVER__TRUSTED_PROXIES", value)]);
            assert!(message.contains(needle), "{value}: {message}");
        }
    }

    #[test]
    fn durations_parse_with_units() {
        let cases = [
            ("500ms", Some(0)),
            ("30s", Some(30)),
            ("5m", Some(300)),
            ("2h", Some(7200)),
            ("1d", Some(86_400)),
            ("5", None),
            ("m", None),
            ("3w", None),
        ];
        for (text, secs) in cases {
            assert_eq!(
                parse_duration(text).ok().map(|d| d.as_secs()),
                secs,
                "{text}"
            );
        }
    }
}
