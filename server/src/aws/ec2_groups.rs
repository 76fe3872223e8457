//! EC2 Auto Scaling groups, in the details cycle: DescribeAutoScalingGroups (paginated by 100),
//! and per group its latest scaling activities (DescribeScalingActivities, ten) and instance
//! refreshes (DescribeInstanceRefreshes, five). An endpoint without instance refreshes (moto) is
//! recognised once and the groups are read without them; a group whose activities cannot be
//! read keeps those read before; when the groups cannot be listed the last ones are kept with
//! the error.

use super::clients::EnvClients;
use super::convert::{time, Context};
use app::domain::apps::app_from_tags;
use app::domain::auto_scaling_groups::{
    AsgInstance, AutoScalingGroup, AutoScalingGroups, InstanceRefresh, LaunchTemplateRef,
    ScalingActivity,
};
use app::domain::inventory::Unavailable;
use futures::{stream, StreamExt};
use std::collections::BTreeMap;

/// DescribeAutoScalingGroups returns at most 100 a page.
const GROUPS_PAGE: i32 = 100;
/// How many activities and refreshes are kept per group.
const ACTIVITIES: i32 = 10;
const REFRESHES: i32 = 5;

impl EnvClients {
    /// Every group with its activities and refreshes; `previous` is the last cycle's.
    pub(crate) async fn auto_scaling_groups(
        &self,
        previous: Option<&AutoScalingGroups>,
    ) -> AutoScalingGroups {
        let listed = match self.describe_groups(None).await {
            Ok(groups) => groups,
            Err(error) if Unavailable::of_error(&error).is_some() && previous.is_none() => {
                tracing::debug!(env = %self.env_id(), %error, "no EC2 Auto Scaling here");
                return AutoScalingGroups::default();
            }
            Err(error) => {
                tracing::warn!(env = %self.env_id(), %error, "Auto Scaling groups could not be listed");
                return AutoScalingGroups {
                    error: Some(error),
                    ..previous.cloned().unwrap_or_default()
                };
            }
        };
        let before: BTreeMap<&str, &AutoScalingGroup> = previous
            .map(|p| p.groups.iter().map(|g| (g.name.as_str(), g)).collect())
            .unwrap_or_default();
        // Once an endpoint is known to lack instance refreshes, they are not asked for again.
        let skip_refreshes = previous.and_then(|p| p.refreshes_unavailable.clone());
        let read = stream::iter(listed)
            .map(|group| {
                let old = before.get(group.name.as_str()).copied();
                let skip = skip_refreshes.is_some();
                async move { self.group_extras(group, old, skip).await }
            })
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut groups = Vec::new();
        let mut errors = Vec::new();
        let mut unavailable = skip_refreshes;
        for (group, error, lacks) in read {
            groups.push(group);
            errors.extend(error);
            if unavailable.is_none() {
                unavailable = lacks;
            }
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(first) = errors.first() {
            tracing::warn!(env = %self.env_id(), failed = errors.len(), error = %first, "some Auto Scaling groups could not be read whole");
        }
        AutoScalingGroups {
            groups,
            error: errors.first().map(|first| match errors.len() {
                1 => first.clone(),
                n => format!("{n} groups could not be read whole, shown as last read: {first}"),
            }),
            refreshes_unavailable: unavailable,
        }
    }

    /// One group as it is now, with its activities and refreshes; `None` when it is gone.
    pub(crate) async fn auto_scaling_group_now(
        &self,
        name: &str,
    ) -> Result<Option<AutoScalingGroup>, String> {
        let Some(group) = self.describe_groups(Some(name)).await?.into_iter().next() else {
            return Ok(None);
        };
        let (group, error, _) = self.group_extras(group, None, false).await;
        match error {
            Some(e) => Err(e),
            None => Ok(Some(group)),
        }
    }

    async fn describe_groups(&self, name: Option<&str>) -> Result<Vec<AutoScalingGroup>, String> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .asg
                .describe_auto_scaling_groups()
                .set_auto_scaling_group_names(name.map(|n| vec![n.to_string()]))
                .max_records(GROUPS_PAGE)
                .set_next_token(token.take())
                .send()
                .await
                .op("Auto Scaling DescribeAutoScalingGroups")?;
            out.extend(
                page.auto_scaling_groups()
                    .iter()
                    .map(|g| map_group(g, &self.env.app_tag)),
            );
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => return Ok(out),
            }
        }
    }

    /// A group's activities and refreshes, read now (kept from `old` when they cannot be);
    /// the error, and why refreshes are unavailable here when the endpoint lacks them.
    async fn group_extras(
        &self,
        mut group: AutoScalingGroup,
        old: Option<&AutoScalingGroup>,
        skip_refreshes: bool,
    ) -> (AutoScalingGroup, Option<String>, Option<String>) {
        let activities = async {
            self.asg
                .describe_scaling_activities()
                .auto_scaling_group_name(&group.name)
                .max_records(ACTIVITIES)
                .send()
                .await
                .op("Auto Scaling DescribeScalingActivities")
        };
        let refreshes = async {
            if skip_refreshes {
                return None;
            }
            Some(
                self.asg
                    .describe_instance_refreshes()
                    .auto_scaling_group_name(&group.name)
                    .max_records(REFRESHES)
                    .send()
                    .await
                    .op("Auto Scaling DescribeInstanceRefreshes"),
            )
        };
        let (activities, refreshes) = tokio::join!(activities, refreshes);
        let mut error = None;
        let mut lacks = None;
        match activities {
            Ok(out) => {
                group.activities = out.activities().iter().map(map_activity).collect();
            }
            Err(e) => {
                group.activities = old.map(|o| o.activities.clone()).unwrap_or_default();
                error = Some(e);
            }
        }
        match refreshes {
            None => group.refreshes = None,
            Some(Ok(out)) => {
                group.refreshes = Some(out.instance_refreshes().iter().map(map_refresh).collect());
            }
            Some(Err(e)) => match Unavailable::of_error(&e) {
                Some(why) => {
                    tracing::info!(env = %self.env_id(), error = %e, "instance refreshes are {}; groups are read without them", why.describe());
                    lacks = Some(format!("instance refreshes are {}", why.describe()));
                    group.refreshes = None;
                }
                None => {
                    group.refreshes = old.and_then(|o| o.refreshes.clone());
                    error = error.or(Some(e));
                }
            },
        }
        (group, error, lacks)
    }
}

fn map_group(g: &aws_sdk_autoscaling::types::AutoScalingGroup, app_tag: &str) -> AutoScalingGroup {
    let tags: BTreeMap<String, String> = g
        .tags()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    let template = g.launch_template().or_else(|| {
        g.mixed_instances_policy()
            .and_then(|m| m.launch_template())
            .and_then(|l| l.launch_template_specification())
    });
    let mut instances: Vec<AsgInstance> = g
        .instances()
        .iter()
        .map(|i| AsgInstance {
            id: i.instance_id().unwrap_or_default().to_string(),
            lifecycle_state: i
                .lifecycle_state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            health_status: i.health_status().unwrap_or_default().to_string(),
            availability_zone: i.availability_zone().unwrap_or_default().to_string(),
            instance_type: i.instance_type().map(str::to_string),
            launch_template_version: i
                .launch_template()
                .and_then(|t| t.version())
                .map(str::to_string),
            protected_from_scale_in: i.protected_from_scale_in().unwrap_or(false),
        })
        .collect();
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    AutoScalingGroup {
        name: g.auto_scaling_group_name().unwrap_or_default().to_string(),
        arn: g.auto_scaling_group_arn().unwrap_or_default().to_string(),
        min: g.min_size().unwrap_or(0),
        max: g.max_size().unwrap_or(0),
        desired: g.desired_capacity().unwrap_or(0),
        instances,
        launch_template: template.map(|t| LaunchTemplateRef {
            id: t.launch_template_id().map(str::to_string),
            name: t.launch_template_name().map(str::to_string),
            version: t.version().map(str::to_string),
        }),
        launch_configuration: g.launch_configuration_name().map(str::to_string),
        target_groups: g.target_group_arns().to_vec(),
        health_check_type: g.health_check_type().unwrap_or("EC2").to_string(),
        suspended: g
            .suspended_processes()
            .iter()
            .filter_map(|p| p.process_name().map(str::to_string))
            .collect(),
        status: g.status().map(str::to_string),
        app: app_from_tags(&tags, app_tag),
        tags,
        created_at: time(g.created_time()),
        activities: Vec::new(),
        refreshes: None,
    }
}

fn map_activity(a: &aws_sdk_autoscaling::types::Activity) -> ScalingActivity {
    ScalingActivity {
        id: a.activity_id().unwrap_or_default().to_string(),
        description: a.description().unwrap_or_default().to_string(),
        cause: a.cause().unwrap_or_default().to_string(),
        status: a
            .status_code()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        status_message: a
            .status_message()
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        started_at: time(a.start_time()),
        ended_at: time(a.end_time()),
    }
}

fn map_refresh(r: &aws_sdk_autoscaling::types::InstanceRefresh) -> InstanceRefresh {
    InstanceRefresh {
        id: r.instance_refresh_id().unwrap_or_default().to_string(),
        status: r
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        status_reason: r
            .status_reason()
            .filter(|m| !m.is_empty())
            .map(str::to_string),
        percentage_complete: r.percentage_complete(),
        instances_to_update: r.instances_to_update(),
        started_at: time(r.start_time()),
        ended_at: time(r.end_time()),
    }
}
