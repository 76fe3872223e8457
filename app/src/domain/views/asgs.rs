//! The EC2 Auto Scaling groups page and a group's page: every group with its size against its
//! bounds, instances in service and healthy, and its target groups' health; one group with its
//! instances, launch template, recent scaling activities, instance refreshes, target groups and
//! the alarms that watch it.

use super::rows::{firing, watching};
use super::summary::{cards, detail_rows, DetailRows, EnvCard, EnvData, ReadError};
use crate::domain::auto_scaling_groups::{AsgVerdict, AutoScalingGroup, AutoScalingGroups};
use crate::domain::ids::EnvId;
use crate::domain::inventory::{Alarm, AlarmResource};
use crate::domain::load_balancing::{TargetCounts, TargetGroup};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A group with the figures its table row needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsgRow {
    pub env: EnvId,
    pub group: AutoScalingGroup,
    pub verdict: AsgVerdict,
    /// Its target groups' targets by state; `None` when it has none or their health was not
    /// read.
    pub targets: Option<TargetCounts>,
    pub alarms_firing: u32,
}

/// Whether an alarm watches this group.
fn watches_group(alarm: &Alarm, name: &str) -> bool {
    matches!(&alarm.resource, AlarmResource::AutoScalingGroup { name: n } if n == name)
}

impl AsgRow {
    fn of(env: &EnvData<'_>, group: &AutoScalingGroup) -> Self {
        let targets = env.details.and_then(|d| {
            let counts = group
                .target_groups
                .iter()
                .filter_map(|arn| d.lb.target_groups.get(arn))
                .map(TargetCounts::of_group)
                .fold(TargetCounts::default(), TargetCounts::plus);
            (counts.total() > 0).then_some(counts)
        });
        Self {
            env: env.descriptor.id.clone(),
            verdict: group.verdict(),
            targets,
            alarms_firing: firing(env.alarms(), |a| watches_group(a, &group.name)),
            group: group.clone(),
        }
    }
}

/// An environment's groups in figures, for its page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsgSummary {
    pub groups: usize,
    pub instances: usize,
    /// Groups short of healthy instances, by name.
    pub degraded: Vec<String>,
    pub error: Option<String>,
}

impl AsgSummary {
    pub fn of(asgs: &AutoScalingGroups) -> Self {
        AsgSummary {
            groups: asgs.groups.len(),
            instances: asgs.groups.iter().map(|g| g.instances.len()).sum(),
            degraded: asgs
                .groups
                .iter()
                .filter(|g| g.verdict().is_bad())
                .map(|g| g.name.clone())
                .collect(),
            error: asgs.error.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsgsView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    /// Degraded first, then by app (groups without one last) and name.
    pub rows: Vec<AsgRow>,
    pub env_filter: Option<EnvId>,
    pub errors: Vec<ReadError>,
    pub unread: Vec<EnvId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsgView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub row: AsgRow,
    /// Its target groups as last read, with every target's health.
    pub target_groups: Vec<TargetGroup>,
    pub alarms: Vec<Alarm>,
    pub read_error: Option<String>,
    /// Why instance refreshes cannot be read here, when the endpoint lacks them.
    pub refreshes_unavailable: Option<String>,
    /// What the person may do to it, and what was done lately (set by the server function).
    #[serde(default)]
    pub actions: Option<super::action_panel::ActionPanel>,
}

pub fn asgs(envs: &[EnvData<'_>], env_filter: Option<&EnvId>, now: DateTime<Utc>) -> AsgsView {
    let DetailRows {
        rows,
        errors,
        unread,
    } = detail_rows(
        envs,
        env_filter,
        |env, details| {
            let rows = details
                .asgs
                .groups
                .iter()
                .map(|g| AsgRow::of(env, g))
                .collect();
            (rows, details.asgs.error.clone())
        },
        |r: &AsgRow| {
            (
                !r.verdict.is_bad(),
                r.group.app.is_none(),
                r.group.app.clone(),
                r.group.name.clone(),
                r.env.clone(),
            )
        },
    );
    AsgsView {
        generated_at: now,
        envs: cards(envs, now),
        rows,
        env_filter: env_filter.cloned(),
        errors,
        unread,
    }
}

/// The groups of `app` in one environment.
pub(super) fn app_rows(env: &EnvData<'_>, app: &str) -> Vec<AsgRow> {
    let Some(details) = env.details else {
        return Vec::new();
    };
    details
        .asgs
        .of_app(app)
        .into_iter()
        .map(|g| AsgRow::of(env, g))
        .collect()
}

/// One group by name, or `None` when this environment has none by that name.
pub fn asg(env: &EnvData<'_>, name: &str, now: DateTime<Utc>) -> Option<AsgView> {
    let details = env.details?;
    let group = details.asgs.get(name)?;
    Some(AsgView {
        generated_at: now,
        card: env.card(now),
        row: AsgRow::of(env, group),
        target_groups: group
            .target_groups
            .iter()
            .filter_map(|arn| details.lb.target_groups.get(arn).cloned())
            .collect(),
        alarms: watching(env.alarms(), |a| watches_group(a, name)),
        read_error: details.asgs.error.clone(),
        refreshes_unavailable: details.asgs.refreshes_unavailable.clone(),
        actions: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::descriptor;
    use super::*;
    use crate::domain::auto_scaling_groups::AsgInstance;
    use crate::domain::inventory::{EnvDetails, EnvInventory, RefreshStatus};
    use crate::domain::load_balancing::{LbHealth, Target, TargetState};
    use crate::domain::test_time::at;

    fn group(name: &str, healthy: &[bool], tg: Option<&str>) -> AutoScalingGroup {
        AutoScalingGroup {
            name: name.into(),
            arn: String::new(),
            min: 1,
            max: 4,
            desired: healthy.len() as i32,
            instances: healthy
                .iter()
                .enumerate()
                .map(|(i, ok)| AsgInstance {
                    id: format!("i-{i}"),
                    lifecycle_state: "InService".into(),
                    health_status: if *ok { "Healthy" } else { "Unhealthy" }.into(),
                    availability_zone: "eu-west-1a".into(),
                    instance_type: None,
                    launch_template_version: None,
                    protected_from_scale_in: false,
                })
                .collect(),
            launch_template: None,
            launch_configuration: None,
            target_groups: tg.map(|t| vec![t.to_string()]).unwrap_or_default(),
            health_check_type: "ELB".into(),
            suspended: vec![],
            status: None,
            tags: Default::default(),
            app: Some("cloudarch".into()),
            created_at: None,
            activities: vec![],
            refreshes: None,
        }
    }

    #[test]
    fn degraded_groups_come_first_with_their_targets_counted() {
        let descriptor = descriptor("prod");
        let status = RefreshStatus::default();
        let mut lb = LbHealth::default();
        let target = |id: &str, state: &str| Target {
            id: id.into(),
            port: Some(8080),
            availability_zone: None,
            state: TargetState::parse(state),
            reason: None,
            description: None,
        };
        lb.target_groups.insert(
            "tg-admin".into(),
            TargetGroup {
                arn: "tg-admin".into(),
                name: "admin".into(),
                protocol: None,
                port: None,
                target_type: Some("instance".into()),
                health_check_path: None,
                load_balancer_arns: vec![],
                targets: vec![target("i-0", "healthy"), target("i-1", "unhealthy")],
                error: None,
            },
        );
        let details = EnvDetails {
            asgs: AutoScalingGroups {
                groups: vec![
                    group("admin", &[true, true], None),
                    group("workers", &[true, false], Some("tg-admin")),
                ],
                ..Default::default()
            },
            lb,
            ..EnvDetails::default()
        };
        let inventory = EnvInventory::default();
        let envs = [EnvData {
            descriptor: &descriptor,
            status: &status,
            inventory: Some(&inventory),
            details: Some(&details),
            summary: None,
        }];
        let view = asgs(&envs, None, at("2026-12-07T10:00:00Z"));
        let order: Vec<(&str, AsgVerdict)> = view
            .rows
            .iter()
            .map(|r| (r.group.name.as_str(), r.verdict))
            .collect();
        assert_eq!(
            order,
            [
                ("workers", AsgVerdict::Degraded),
                ("admin", AsgVerdict::Healthy)
            ]
        );
        let counts = view.rows[0].targets.expect("counted");
        assert_eq!((counts.healthy, counts.unhealthy), (1, 1));
        assert_eq!(view.rows[1].targets, None);
        let summary = AsgSummary::of(&details.asgs);
        assert_eq!(summary.degraded, ["workers"]);
        assert_eq!(summary.instances, 4);
        let page = asg(&envs[0], "workers", at("2026-12-07T10:00:00Z")).expect("a page");
        assert_eq!(page.target_groups.len(), 1);
    }
}
