//! The service page: the service with its tasks (running and recently stopped), metrics and
//! alarms, the revisions it could be rolled back to and the desired counts it may be scaled to.

use super::action_panel::ActionPanel;
use super::rows::{watches_service, watching};
use super::summary::{EnvCard, EnvData};
use crate::domain::inventory::{
    service_key, Alarm, EnvDetails, Service, ServiceMetrics, TargetGroupMetrics,
};
use crate::domain::load_balancing::{LbAttachment, LoadBalancer, TargetCounts, TargetGroup};
use crate::domain::plans::{rollback_context, RollbackContext};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub service: Service,
    pub metrics: Option<ServiceMetrics>,
    pub alarms: Vec<Alarm>,
    /// Filled in by the server function for the person asking.
    pub actions: Option<ActionPanel>,
    /// Revisions of the service's family the service could be rolled back (or forward) to.
    pub revisions: Vec<crate::domain::inventory::TaskDefinition>,
    /// When each revision (by ARN) last started running here, as far as the console knows.
    pub last_deployed: BTreeMap<String, DateTime<Utc>>,
    /// The desired counts the scale action accepts.
    pub bounds: crate::domain::actions::ScaleBounds,
    /// The counts it accepts when it also changes the autoscaling range (config or default).
    pub hard_bounds: crate::domain::actions::ScaleBounds,
    /// Release requests for this service that have not finished. Filled in by the server
    /// function.
    #[serde(default)]
    pub open_releases: Vec<crate::domain::approvals::Release>,
    /// The tasks ECS stopped recently, newest first, with why and how their containers exited.
    #[serde(default)]
    pub stopped_tasks: Vec<crate::domain::inventory::Task>,
    /// The rollout the console last followed on this service. Filled in by the server function.
    #[serde(default)]
    pub followed: Option<crate::domain::followed::FollowedRollout>,
    /// How long a rollout may take before it is called stuck.
    #[serde(default = "default_timeout_minutes")]
    pub rollout_timeout_minutes: i64,
    /// The target groups the service is registered with and their targets' health.
    #[serde(default)]
    pub load_balancing: ServiceLoadBalancing,
}

/// What the service page shows of the service's load balancing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceLoadBalancing {
    pub groups: Vec<ServiceTargetGroup>,
    /// The service's targets across its groups; `None` until a group's health was read.
    pub counts: Option<TargetCounts>,
    /// When the details (and so the targets' health) were last read.
    pub read_at: Option<DateTime<Utc>>,
    /// Why the target groups or load balancers could not be read this cycle.
    pub error: Option<String>,
}

/// One target group of the service, as the service page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceTargetGroup {
    pub attachment: LbAttachment,
    /// As last read; `None` before the first read, or when the group no longer exists.
    pub group: Option<TargetGroup>,
    pub counts: TargetCounts,
    /// The load balancers in front of it, with the listeners that forward to it (all of them
    /// when none forwards to it by default: it is reached through a rule).
    pub load_balancers: Vec<LoadBalancer>,
    pub metrics: Option<TargetGroupMetrics>,
    /// The service's task behind each target, by target id (the task's private IP): its short id.
    pub tasks: BTreeMap<String, String>,
}

/// The service's target groups as the details last read them; its tasks name their targets.
pub fn service_load_balancing(
    service: &Service,
    details: Option<&EnvDetails>,
) -> ServiceLoadBalancing {
    let Some(details) = details else {
        return ServiceLoadBalancing {
            groups: service
                .load_balancers
                .iter()
                .map(|a| ServiceTargetGroup {
                    attachment: a.clone(),
                    group: None,
                    counts: TargetCounts::default(),
                    load_balancers: Vec::new(),
                    metrics: None,
                    tasks: BTreeMap::new(),
                })
                .collect(),
            ..ServiceLoadBalancing::default()
        };
    };
    let lb = &details.lb;
    let tasks: BTreeMap<String, String> = details
        .tasks
        .get(&service_key(&service.cluster, &service.name))
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t.private_ip.clone()?, t.short_id().to_string())))
        .collect();
    let groups = service
        .load_balancers
        .iter()
        .map(|a| {
            let group = lb.target_groups.get(&a.target_group_arn).cloned();
            let load_balancers = group
                .iter()
                .flat_map(|g| &g.load_balancer_arns)
                .filter_map(|arn| lb.load_balancers.get(arn))
                .map(|found| {
                    let mut found = found.clone();
                    if found
                        .listeners
                        .iter()
                        .any(|l| l.forwards_to.contains(&a.target_group_arn))
                    {
                        found
                            .listeners
                            .retain(|l| l.forwards_to.contains(&a.target_group_arn));
                    }
                    found
                })
                .collect();
            let tasks = group
                .iter()
                .flat_map(|g| &g.targets)
                .filter_map(|t| Some((t.id.clone(), tasks.get(&t.id)?.clone())))
                .collect();
            ServiceTargetGroup {
                attachment: a.clone(),
                counts: group
                    .as_ref()
                    .map(TargetCounts::of_group)
                    .unwrap_or_default(),
                group,
                load_balancers,
                metrics: details
                    .target_group_metrics
                    .get(&a.target_group_arn)
                    .cloned(),
                tasks,
            }
        })
        .collect();
    ServiceLoadBalancing {
        groups,
        counts: lb.counts_for(&service.load_balancers),
        read_at: details.fetched_at,
        error: lb.error.clone(),
    }
}

fn default_timeout_minutes() -> i64 {
    crate::domain::followed::DEFAULT_TIMEOUT_MINUTES
}

/// The service page, or `None` when the environment has no such service.
pub fn service(
    env: &EnvData<'_>,
    cluster: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Option<ServiceView> {
    let inv = env.inventory?;
    let RollbackContext {
        service,
        revisions,
        last_deployed,
    } = rollback_context(env, cluster, name)?;
    let alarms = watching(&inv.alarms, |a| watches_service(a, service));
    let key = service_key(cluster, name);
    let mut service = service.clone();
    if let Some(tasks) = env.details.and_then(|d| d.tasks.get(&key)) {
        service.tasks = tasks.clone();
    }
    let scaling = &env.descriptor.scaling;
    let bounds = scaling.bounds_for(&service.cluster, &service.name, service.autoscaling);
    let hard_bounds = scaling.bounds_for(&service.cluster, &service.name, None);
    let load_balancing = service_load_balancing(&service, env.details);
    Some(ServiceView {
        generated_at: now,
        card: env.card(now),
        service,
        metrics: env.details.and_then(|m| m.services.get(&key)).cloned(),
        alarms,
        actions: None,
        revisions,
        last_deployed,
        bounds,
        hard_bounds,
        open_releases: Vec::new(),
        stopped_tasks: env
            .details
            .and_then(|d| d.stopped_tasks.get(&key))
            .cloned()
            .unwrap_or_default(),
        followed: None,
        rollout_timeout_minutes: default_timeout_minutes(),
        load_balancing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inventory::Task;
    use crate::domain::load_balancing::{
        LbHealth, Listener, LoadBalancer, Target, TargetGroup, TargetState,
    };
    use crate::domain::views::fixtures::service as fixture;

    const TG: &str = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1";
    const OTHER: &str = "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/api/2";
    const LB: &str = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/public/3";

    fn task(id: &str, ip: &str) -> Task {
        Task {
            arn: format!("arn:aws:ecs:eu-west-1:1:task/main/{id}"),
            last_status: "RUNNING".into(),
            desired_status: "RUNNING".into(),
            health: None,
            task_definition_arn: "td/web:1".into(),
            availability_zone: None,
            cpu: None,
            memory: None,
            started_at: None,
            stopped_reason: None,
            stop_code: None,
            stopped_at: None,
            exits: vec![],
            image_digests: vec![],
            private_ip: Some(ip.into()),
        }
    }

    fn target(ip: &str, state: &str) -> Target {
        Target {
            id: ip.into(),
            port: Some(8080),
            availability_zone: None,
            state: TargetState::parse(state),
            reason: None,
            description: None,
        }
    }

    #[test]
    fn a_service_page_shows_its_groups_with_the_listeners_that_reach_them_and_their_tasks() {
        let mut web = fixture("main", "web", None, "web:1");
        web.load_balancers = vec![LbAttachment {
            target_group_arn: TG.into(),
            load_balancer_name: None,
            container_name: Some("app".into()),
            container_port: Some(8080),
        }];
        let listener = |port: i32, to: &str| Listener {
            arn: format!("l{port}"),
            port: Some(port),
            protocol: Some("HTTP".into()),
            forwards_to: vec![to.to_string()],
        };
        let details = EnvDetails {
            fetched_at: None,
            tasks: [(
                "main/web".to_string(),
                vec![task("aaaa1111", "10.0.1.5"), task("bbbb2222", "10.0.1.6")],
            )]
            .into_iter()
            .collect(),
            lb: LbHealth {
                target_groups: [(
                    TG.to_string(),
                    TargetGroup {
                        arn: TG.into(),
                        name: "web".into(),
                        protocol: Some("HTTP".into()),
                        port: Some(8080),
                        target_type: Some("ip".into()),
                        health_check_path: Some("/healthz".into()),
                        load_balancer_arns: vec![LB.into()],
                        targets: vec![
                            target("10.0.1.5", "healthy"),
                            target("10.0.1.9", "draining"),
                        ],
                        error: None,
                    },
                )]
                .into_iter()
                .collect(),
                load_balancers: [(
                    LB.to_string(),
                    LoadBalancer {
                        arn: LB.into(),
                        name: "public".into(),
                        kind: Some("application".into()),
                        scheme: Some("internet-facing".into()),
                        dns_name: None,
                        state: Some("active".into()),
                        listeners: vec![listener(80, TG), listener(8443, OTHER)],
                    },
                )]
                .into_iter()
                .collect(),
                error: None,
            },
            ..EnvDetails::default()
        };
        let view = service_load_balancing(&web, Some(&details));
        assert_eq!(view.groups.len(), 1);
        let g = &view.groups[0];
        assert_eq!(
            g.load_balancers[0].listeners.len(),
            1,
            "only the listener forwarding here"
        );
        assert_eq!(g.load_balancers[0].listeners[0].port, Some(80));
        assert_eq!(
            g.tasks.get("10.0.1.5").map(String::as_str),
            Some("aaaa1111")
        );
        assert_eq!(
            g.tasks.get("10.0.1.9"),
            None,
            "a target with no task of this service"
        );
        let counts = view.counts.expect("counted");
        assert_eq!((counts.healthy, counts.draining), (1, 1));

        // Before the details are read, or with the group gone: the group named, nothing counted.
        let unread = service_load_balancing(&web, None);
        assert!(unread.groups[0].group.is_none() && unread.counts.is_none());
        let mut gone = details.clone();
        gone.lb.target_groups.clear();
        let view = service_load_balancing(&web, Some(&gone));
        assert!(view.groups[0].group.is_none() && view.counts.is_none());
    }
}
