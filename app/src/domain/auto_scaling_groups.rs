//! EC2 Auto Scaling groups as pure rules: a group with its size, instances (lifecycle state,
//! health, zone, launch template version), launch template, recent scaling activities and
//! instance refreshes as last read; whether it is healthy and at the right size; and the checks
//! of the three actions on it — a desired capacity within its bounds, new bounds that keep the
//! desired capacity inside them, an instance refresh when none is running.

use super::change::Change;
use super::work_actions::WorkPlan;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One instance of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsgInstance {
    pub id: String,
    /// `InService`, `Pending`, `Terminating`, `Standby`, …
    pub lifecycle_state: String,
    /// `Healthy` or `Unhealthy`, as the group judges it.
    pub health_status: String,
    pub availability_zone: String,
    pub instance_type: Option<String>,
    /// The launch template version it was launched from.
    pub launch_template_version: Option<String>,
    pub protected_from_scale_in: bool,
}

impl AsgInstance {
    pub fn in_service(&self) -> bool {
        self.lifecycle_state == "InService"
    }

    pub fn healthy(&self) -> bool {
        self.health_status.eq_ignore_ascii_case("Healthy")
    }
}

/// The launch template a group launches instances from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchTemplateRef {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `$Latest`, `$Default` or a number.
    pub version: Option<String>,
}

impl LaunchTemplateRef {
    pub fn describe(&self) -> String {
        let name = self
            .name
            .clone()
            .or_else(|| self.id.clone())
            .unwrap_or_else(|| "a launch template".into());
        match &self.version {
            Some(v) => format!("{name} (version {v})"),
            None => name,
        }
    }
}

/// A scaling activity, as DescribeScalingActivities tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalingActivity {
    pub id: String,
    pub description: String,
    /// Why it happened, in AWS's words ("At 2026-12-07T10:00:00Z a user request update of
    /// AutoScalingGroup constraints to min: 2, max: 6, desired: 4 changing the desired
    /// capacity from 2 to 4.").
    pub cause: String,
    /// `Successful`, `InProgress`, `Failed`, `Cancelled`, …
    pub status: String,
    pub status_message: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl ScalingActivity {
    pub fn failed(&self) -> bool {
        self.status == "Failed"
    }
}

/// An instance refresh, as DescribeInstanceRefreshes tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceRefresh {
    pub id: String,
    /// `Pending`, `InProgress`, `Successful`, `Failed`, `Cancelling`, `Cancelled`,
    /// `RollbackInProgress`, `RollbackFailed`, `RollbackSuccessful`, `Baking`.
    pub status: String,
    pub status_reason: Option<String>,
    pub percentage_complete: Option<i32>,
    pub instances_to_update: Option<i32>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl InstanceRefresh {
    /// Whether it is still going (a new one cannot start meanwhile).
    pub fn running(&self) -> bool {
        matches!(
            self.status.as_str(),
            "Pending" | "InProgress" | "Cancelling" | "RollbackInProgress" | "Baking"
        )
    }

    /// Its progress in words: `InProgress, 40 % done, 3 instances to update`.
    pub fn progress(&self) -> String {
        let mut words = self.status.clone();
        if let Some(p) = self.percentage_complete {
            words.push_str(&format!(", {p} % done"));
        }
        if let Some(n) = self.instances_to_update.filter(|n| *n > 0) {
            words.push_str(&format!(
                ", {n} instance{} to update",
                super::format::plural(i64::from(n))
            ));
        }
        words
    }
}

/// An Auto Scaling group as last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoScalingGroup {
    pub name: String,
    pub arn: String,
    pub min: i32,
    pub max: i32,
    pub desired: i32,
    pub instances: Vec<AsgInstance>,
    pub launch_template: Option<LaunchTemplateRef>,
    /// Launched from a launch configuration (the older way) instead, by name.
    pub launch_configuration: Option<String>,
    /// The target groups it registers its instances with, by ARN.
    pub target_groups: Vec<String>,
    /// `EC2` or `ELB` (also replaces instances a load balancer finds unhealthy).
    pub health_check_type: String,
    /// Processes suspended on it (`Launch`, `Terminate`, `AlarmNotification`…).
    pub suspended: Vec<String>,
    /// Set while the group is being deleted.
    pub status: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub app: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// The latest scaling activities, newest first.
    pub activities: Vec<ScalingActivity>,
    /// The latest instance refreshes, newest first; `None` when they could not be read (an
    /// endpoint without instance refreshes).
    pub refreshes: Option<Vec<InstanceRefresh>>,
}

/// Where a group stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AsgVerdict {
    /// Every instance it wants is in service and healthy.
    Healthy,
    /// Launching or terminating towards its desired capacity.
    Scaling,
    /// Replacing its instances (an instance refresh).
    Refreshing,
    /// Fewer healthy instances in service than it wants, and not getting there: unhealthy
    /// instances, or a failed launch.
    Degraded,
}

impl AsgVerdict {
    pub fn label(self) -> &'static str {
        match self {
            AsgVerdict::Healthy => "healthy",
            AsgVerdict::Scaling => "scaling",
            AsgVerdict::Refreshing => "refreshing",
            AsgVerdict::Degraded => "degraded",
        }
    }

    pub fn is_bad(self) -> bool {
        self == AsgVerdict::Degraded
    }
}

impl AutoScalingGroup {
    /// Instances in service and healthy.
    pub fn healthy_in_service(&self) -> i32 {
        self.instances
            .iter()
            .filter(|i| i.in_service() && i.healthy())
            .count() as i32
    }

    pub fn unhealthy(&self) -> usize {
        self.instances.iter().filter(|i| !i.healthy()).count()
    }

    /// The instance refresh running now, if any.
    pub fn running_refresh(&self) -> Option<&InstanceRefresh> {
        self.refreshes
            .as_deref()
            .and_then(|r| r.iter().find(|r| r.running()))
    }

    pub fn verdict(&self) -> AsgVerdict {
        let healthy = self.healthy_in_service();
        let launching = self
            .instances
            .iter()
            .any(|i| i.lifecycle_state.starts_with("Pending"));
        let last_failed = self.activities.first().is_some_and(ScalingActivity::failed);
        if self.running_refresh().is_some() {
            AsgVerdict::Refreshing
        } else if healthy == self.desired && self.unhealthy() == 0 {
            AsgVerdict::Healthy
        } else if self.unhealthy() > 0 || last_failed || (healthy < self.desired && !launching) {
            AsgVerdict::Degraded
        } else {
            AsgVerdict::Scaling
        }
    }

    /// Its instances by zone: `eu-west-1a: 2, eu-west-1b: 2`.
    pub fn zones(&self) -> String {
        let mut by_zone: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &self.instances {
            *by_zone.entry(i.availability_zone.as_str()).or_default() += 1;
        }
        by_zone
            .iter()
            .map(|(z, n)| format!("{z}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The groups of one environment as last read, with why they could not be read this cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoScalingGroups {
    /// By name.
    pub groups: Vec<AutoScalingGroup>,
    pub error: Option<String>,
    /// Why instance refreshes cannot be read here (an endpoint without them), said once.
    #[serde(default)]
    pub refreshes_unavailable: Option<String>,
}

impl AutoScalingGroups {
    pub fn get(&self, name: &str) -> Option<&AutoScalingGroup> {
        self.groups.iter().find(|g| g.name == name)
    }

    pub fn of_app(&self, app: &str) -> Vec<&AutoScalingGroup> {
        self.groups
            .iter()
            .filter(|g| g.app.as_deref() == Some(app))
            .collect()
    }
}

/// How actions on a group are stored and listed: `asg:<name>`.
pub fn asg_target(name: &str) -> String {
    format!("asg:{name}")
}

/// Checks a group name from a request: 1–255 characters, no control characters.
pub fn parse_asg_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 255 {
        return Err(format!(
            "an Auto Scaling group's name has 1 to 255 characters, not {}",
            name.len()
        ));
    }
    if name.chars().any(|c| c.is_control() || c == '/') {
        return Err(format!("{name:?} is not an Auto Scaling group's name"));
    }
    Ok(name.to_string())
}

fn parse_count(what: &str, text: &str) -> Result<i32, String> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| format!("{what} must be a whole number of instances, not {text:?}"))
}

fn instances(n: i32) -> String {
    format!("{n} instance{}", super::format::plural(i64::from(n)))
}

/// Setting `group`'s desired capacity to `text`: within its bounds, or refused saying so.
pub fn plan_capacity(group: &AutoScalingGroup, text: &str) -> Result<(WorkPlan, i32), String> {
    let to = parse_count("the desired capacity", text)?;
    if to < group.min || to > group.max {
        return Err(format!(
            "{} takes {} to {}; {to} is outside them: change the bounds first (a gated action of its own)",
            group.name,
            instances(group.min),
            instances(group.max)
        ));
    }
    if to == group.desired {
        return Err(format!(
            "{} wants {} already; nothing would change",
            group.name,
            instances(to)
        ));
    }
    let note = if to > group.desired {
        format!(
            "The group launches {} from {}.",
            instances(to - group.desired),
            group
                .launch_template
                .as_ref()
                .map(LaunchTemplateRef::describe)
                .or_else(|| group.launch_configuration.clone())
                .unwrap_or_else(|| "its launch settings".into())
        )
    } else {
        format!(
            "The group terminates {} (its termination policy chooses which; instances protected from scale-in stay).",
            instances(group.desired - to)
        )
    };
    Ok((
        WorkPlan {
            summary: format!(
                "set {} to {} (from {})",
                group.name,
                instances(to),
                group.desired
            ),
            changes: vec![Change::new(
                "desired capacity",
                group.desired.to_string(),
                to.to_string(),
            )],
            notes: vec![note],
        },
        to,
    ))
}

/// Changing `group`'s bounds to `min`–`max`: they must hold its desired capacity (set that
/// first otherwise) and change something.
pub fn plan_bounds(
    group: &AutoScalingGroup,
    min: &str,
    max: &str,
) -> Result<(WorkPlan, (i32, i32)), String> {
    let min = parse_count("the minimum", min)?;
    let max = parse_count("the maximum", max)?;
    if min > max {
        return Err(format!("the minimum ({min}) is above the maximum ({max})"));
    }
    if group.desired < min || group.desired > max {
        return Err(format!(
            "{} wants {} now, outside {min}–{max}: set the desired capacity inside the new bounds first",
            group.name,
            instances(group.desired)
        ));
    }
    if (min, max) == (group.min, group.max) {
        return Err(format!(
            "{} takes {min}–{max} already; nothing would change",
            group.name
        ));
    }
    let mut changes = Vec::new();
    if min != group.min {
        changes.push(Change::new(
            "minimum",
            group.min.to_string(),
            min.to_string(),
        ));
    }
    if max != group.max {
        changes.push(Change::new(
            "maximum",
            group.max.to_string(),
            max.to_string(),
        ));
    }
    Ok((
        WorkPlan {
            summary: format!(
                "bound {} to {min}–{max} (from {}–{})",
                group.name, group.min, group.max
            ),
            changes,
            notes: vec![
                "Scaling policies and people then move the desired capacity within these bounds only."
                    .to_string(),
            ],
        },
        (min, max),
    ))
}

/// Starting an instance refresh of `group`, keeping at least `min_healthy` percent (empty: 90)
/// of its capacity in service while it replaces instances.
pub fn plan_refresh(
    group: &AutoScalingGroup,
    min_healthy: &str,
) -> Result<(WorkPlan, i32), String> {
    let pct = match min_healthy.trim().trim_end_matches('%').trim() {
        "" => 90,
        text => text
            .parse::<i32>()
            .ok()
            .filter(|p| (0..=100).contains(p))
            .ok_or_else(|| {
                format!("the healthy share to keep must be a percentage from 0 to 100, not {min_healthy:?}")
            })?,
    };
    if let Some(r) = group.running_refresh() {
        return Err(format!(
            "an instance refresh of {} is running ({}): wait for it or cancel it first",
            group.name,
            r.progress()
        ));
    }
    if group.instances.is_empty() {
        return Err(format!(
            "{} has no instances: there is nothing to replace",
            group.name
        ));
    }
    let template = group
        .launch_template
        .as_ref()
        .map(LaunchTemplateRef::describe)
        .or_else(|| group.launch_configuration.clone())
        .unwrap_or_else(|| "its launch settings".into());
    Ok((
        WorkPlan {
            summary: format!(
                "refresh the instances of {} (keeping {pct} % healthy)",
                group.name
            ),
            changes: vec![Change::new(
                "instances",
                format!("{} running", instances(group.instances.len() as i32)),
                format!("replaced from {template}"),
            )],
            notes: vec![format!(
                "Instances are replaced in batches so that at least {pct} % of the desired capacity stays in service."
            )],
        },
        pct,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(id: &str, state: &str, health: &str) -> AsgInstance {
        AsgInstance {
            id: id.into(),
            lifecycle_state: state.into(),
            health_status: health.into(),
            availability_zone: "eu-west-1a".into(),
            instance_type: Some("t3.medium".into()),
            launch_template_version: Some("3".into()),
            protected_from_scale_in: false,
        }
    }

    fn group(desired: i32, instances: Vec<AsgInstance>) -> AutoScalingGroup {
        AutoScalingGroup {
            name: "app-servers".into(),
            arn: String::new(),
            min: 2,
            max: 6,
            desired,
            instances,
            launch_template: Some(LaunchTemplateRef {
                id: None,
                name: Some("app-server".into()),
                version: Some("$Latest".into()),
            }),
            launch_configuration: None,
            target_groups: vec![],
            health_check_type: "ELB".into(),
            suspended: vec![],
            status: None,
            tags: BTreeMap::new(),
            app: None,
            created_at: None,
            activities: vec![],
            refreshes: Some(vec![]),
        }
    }

    #[test]
    fn a_group_is_healthy_scaling_refreshing_or_degraded() {
        let ok = || instance("i-1", "InService", "Healthy");
        let refresh = |status: &str| InstanceRefresh {
            id: "r".into(),
            status: status.into(),
            status_reason: None,
            percentage_complete: Some(40),
            instances_to_update: Some(1),
            started_at: None,
            ended_at: None,
        };
        let cases = [
            (group(2, vec![ok(), ok()]), AsgVerdict::Healthy),
            (
                group(3, vec![ok(), ok(), instance("i-3", "Pending", "Healthy")]),
                AsgVerdict::Scaling,
            ),
            (
                group(2, vec![ok(), instance("i-2", "InService", "Unhealthy")]),
                AsgVerdict::Degraded,
            ),
            // Short of its capacity with nothing launching: a launch failed.
            (group(3, vec![ok(), ok()]), AsgVerdict::Degraded),
            (
                AutoScalingGroup {
                    refreshes: Some(vec![refresh("InProgress")]),
                    ..group(2, vec![ok(), ok()])
                },
                AsgVerdict::Refreshing,
            ),
            (
                AutoScalingGroup {
                    refreshes: Some(vec![refresh("Successful")]),
                    ..group(2, vec![ok(), ok()])
                },
                AsgVerdict::Healthy,
            ),
        ];
        for (g, want) in cases {
            assert_eq!(g.verdict(), want, "{:?}", g.instances);
        }
        assert_eq!(
            refresh("InProgress").progress(),
            "InProgress, 40 % done, 1 instance to update"
        );
    }

    #[test]
    fn the_desired_capacity_stays_within_the_bounds() {
        let g = group(2, vec![]);
        let cases: [(&str, Result<i32, &str>); 6] = [
            ("4", Ok(4)),
            (" 6 ", Ok(6)),
            ("7", Err("outside them: change the bounds first")),
            ("1", Err("outside them")),
            ("2", Err("nothing would change")),
            ("two", Err("whole number")),
        ];
        for (text, want) in cases {
            match (plan_capacity(&g, text), want) {
                (Ok((_, n)), Ok(m)) => assert_eq!(n, m),
                (Err(e), Err(part)) => assert!(e.contains(part), "{text}: {e}"),
                (got, want) => panic!("{text}: {got:?}, wanted {want:?}"),
            }
        }
        let (plan, _) = plan_capacity(&g, "4").unwrap();
        assert_eq!(plan.summary, "set app-servers to 4 instances (from 2)");
        assert!(plan.notes[0].contains("launches 2 instances from app-server (version $Latest)"));
    }

    #[test]
    fn new_bounds_keep_the_desired_capacity_inside_them() {
        let g = group(3, vec![]);
        // Minimum and maximum as typed, and the bounds or a part of the refusal.
        type Case<'a> = (&'a str, &'a str, Result<(i32, i32), &'a str>);
        let cases: [Case; 5] = [
            ("2", "10", Ok((2, 10))),
            (
                "4",
                "10",
                Err("set the desired capacity inside the new bounds first"),
            ),
            ("5", "4", Err("is above the maximum")),
            ("2", "6", Err("nothing would change")),
            ("-1", "6", Err("whole number")),
        ];
        for (min, max, want) in cases {
            match (plan_bounds(&g, min, max), want) {
                (Ok((_, got)), Ok(w)) => assert_eq!(got, w),
                (Err(e), Err(part)) => assert!(e.contains(part), "{min}-{max}: {e}"),
                (got, want) => panic!("{min}-{max}: {got:?}, wanted {want:?}"),
            }
        }
    }

    #[test]
    fn a_refresh_keeps_a_healthy_share_and_waits_for_the_one_running() {
        let g = group(2, vec![instance("i-1", "InService", "Healthy")]);
        assert_eq!(plan_refresh(&g, "").unwrap().1, 90);
        assert_eq!(plan_refresh(&g, "75%").unwrap().1, 75);
        assert!(plan_refresh(&g, "120")
            .unwrap_err()
            .contains("from 0 to 100"));
        let running = AutoScalingGroup {
            refreshes: Some(vec![InstanceRefresh {
                id: "r".into(),
                status: "InProgress".into(),
                status_reason: None,
                percentage_complete: Some(10),
                instances_to_update: None,
                started_at: None,
                ended_at: None,
            }]),
            ..g.clone()
        };
        assert!(plan_refresh(&running, "")
            .unwrap_err()
            .contains("is running (InProgress, 10 % done)"));
        assert!(plan_refresh(&group(0, vec![]), "")
            .unwrap_err()
            .contains("no instances"));
        assert!(parse_asg_name("app servers").is_ok());
        assert!(parse_asg_name("").is_err());
        assert!(parse_asg_name("a/b").is_err());
    }
}
