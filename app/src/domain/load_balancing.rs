//! Load-balancer health as pure rules: the target groups a service is registered with (from its
//! `loadBalancers`), their load balancers and listeners, every target's state and reason as
//! DescribeTargetHealth reports it, the counts a service row, an environment and the overview
//! show, and whether a rollout's new tasks are healthy behind their load balancer — a deploy is
//! not finished while its targets are still `initial` or `unhealthy`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One entry of a service's `loadBalancers`: the target group ECS registers the service's tasks
/// with, and which container and port it registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LbAttachment {
    /// The target group's ARN; empty for a Classic Load Balancer (`load_balancer_name`).
    pub target_group_arn: String,
    /// A Classic Load Balancer's name, which has no target group.
    pub load_balancer_name: Option<String>,
    pub container_name: Option<String>,
    pub container_port: Option<i32>,
}

/// A target's state, as DescribeTargetHealth names it (`TargetHealth.State`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TargetState {
    /// Registering, or the first health checks have not passed yet.
    Initial,
    Healthy,
    Unhealthy,
    /// Failing health checks while deregistering (`unhealthy.draining`).
    UnhealthyDraining,
    /// Not used: not registered, in an Availability Zone the load balancer does not use, or
    /// the target is stopped.
    Unused,
    /// Deregistering: connections drain before it leaves.
    Draining,
    /// Health checks are off for the target group.
    Unavailable,
    /// A state this console does not know, as AWS spelled it.
    Other(String),
}

impl TargetState {
    pub fn parse(value: &str) -> Self {
        match value {
            "initial" => Self::Initial,
            "healthy" => Self::Healthy,
            "unhealthy" => Self::Unhealthy,
            "unhealthy.draining" => Self::UnhealthyDraining,
            "unused" => Self::Unused,
            "draining" => Self::Draining,
            "unavailable" => Self::Unavailable,
            other => Self::Other(other.to_string()),
        }
    }

    /// AWS's own word for it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Initial => "initial",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
            Self::UnhealthyDraining => "unhealthy.draining",
            Self::Unused => "unused",
            Self::Draining => "draining",
            Self::Unavailable => "unavailable",
            Self::Other(s) => s,
        }
    }

    /// Whether the load balancer sends it new requests.
    pub fn serving(&self) -> bool {
        matches!(self, Self::Healthy | Self::Unavailable)
    }
}

/// One registered target and how the load balancer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// An IP address (target type `ip`, as Fargate tasks are), an instance id or a Lambda ARN.
    pub id: String,
    pub port: Option<i32>,
    pub availability_zone: Option<String>,
    pub state: TargetState,
    /// AWS's reason code (`Target.ResponseCodeMismatch`, `Elb.RegistrationInProgress`…).
    pub reason: Option<String>,
    /// AWS's description of the reason ("Health checks failed with these codes: [502]").
    pub description: Option<String>,
}

/// A load balancer's listener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    pub arn: String,
    pub port: Option<i32>,
    pub protocol: Option<String>,
    /// The target groups its default action forwards to.
    pub forwards_to: Vec<String>,
}

/// An Application, Network or Gateway Load Balancer with its listeners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    /// `application`, `network` or `gateway`.
    pub kind: Option<String>,
    pub scheme: Option<String>,
    pub dns_name: Option<String>,
    /// `active`, `provisioning`, `active_impaired` or `failed`.
    pub state: Option<String>,
    pub listeners: Vec<Listener>,
}

/// A target group with its targets' health as last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub protocol: Option<String>,
    pub port: Option<i32>,
    /// `ip`, `instance`, `lambda` or `alb`.
    pub target_type: Option<String>,
    pub health_check_path: Option<String>,
    pub load_balancer_arns: Vec<String>,
    pub targets: Vec<Target>,
    /// Why its targets' health could not be read this cycle (the group is shown, its targets
    /// unknown).
    pub error: Option<String>,
}

/// What the details cycle read of the environment's load balancing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LbHealth {
    /// The target groups some service is registered with, by ARN.
    pub target_groups: BTreeMap<String, TargetGroup>,
    /// Their load balancers, by ARN.
    pub load_balancers: BTreeMap<String, LoadBalancer>,
    /// Why the target groups or load balancers could not be read at all this cycle.
    pub error: Option<String>,
}

/// How many targets are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetCounts {
    pub healthy: u32,
    pub unhealthy: u32,
    pub initial: u32,
    pub draining: u32,
    /// Unused, unavailable or a state the console does not know.
    pub other: u32,
}

/// The one word a set of targets comes down to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetVerdict {
    /// Nothing registered.
    NoTargets,
    /// Every target that takes traffic is healthy.
    Healthy,
    /// Targets still in their first health checks, and none failing them.
    Starting,
    /// Some unhealthy, some healthy: the load balancer routes around them.
    Degraded,
    /// Targets registered and none healthy: nothing serves.
    Down,
}

impl TargetCounts {
    pub fn add(&mut self, state: &TargetState) {
        match state {
            TargetState::Healthy => self.healthy += 1,
            TargetState::Unhealthy | TargetState::UnhealthyDraining => self.unhealthy += 1,
            TargetState::Initial => self.initial += 1,
            TargetState::Draining => self.draining += 1,
            TargetState::Unused | TargetState::Unavailable | TargetState::Other(_) => {
                self.other += 1
            }
        }
    }

    pub fn of_group(group: &TargetGroup) -> Self {
        let mut counts = Self::default();
        for t in &group.targets {
            counts.add(&t.state);
        }
        counts
    }

    pub fn plus(self, other: Self) -> Self {
        Self {
            healthy: self.healthy + other.healthy,
            unhealthy: self.unhealthy + other.unhealthy,
            initial: self.initial + other.initial,
            draining: self.draining + other.draining,
            other: self.other + other.other,
        }
    }

    pub fn total(&self) -> u32 {
        self.healthy + self.unhealthy + self.initial + self.draining + self.other
    }

    pub fn verdict(&self) -> TargetVerdict {
        match (self.healthy, self.unhealthy, self.initial) {
            _ if self.total() == 0 => TargetVerdict::NoTargets,
            (_, 0, i) if i > 0 => TargetVerdict::Starting,
            (0, _, _) if self.unhealthy > 0 || self.draining > 0 || self.other > 0 => {
                TargetVerdict::Down
            }
            (_, u, _) if u > 0 => TargetVerdict::Degraded,
            _ => TargetVerdict::Healthy,
        }
    }

    /// "3 healthy · 1 unhealthy · 2 initial".
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            (self.healthy, "healthy"),
            (self.unhealthy, "unhealthy"),
            (self.initial, "initial"),
            (self.draining, "draining"),
            (self.other, "other"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
        if parts.is_empty() {
            "no targets".to_string()
        } else {
            parts.join(" · ")
        }
    }
}

impl LbHealth {
    /// The target groups of `attachments` that were read, in the service's order.
    pub fn groups_of<'a>(&'a self, attachments: &'a [LbAttachment]) -> Vec<&'a TargetGroup> {
        attachments
            .iter()
            .filter_map(|a| self.target_groups.get(&a.target_group_arn))
            .collect()
    }

    /// The service's targets across its target groups; `None` when it has no target group or
    /// none of them was read.
    pub fn counts_for(&self, attachments: &[LbAttachment]) -> Option<TargetCounts> {
        let groups = self.groups_of(attachments);
        if groups.is_empty() {
            return None;
        }
        Some(
            groups
                .into_iter()
                .map(TargetCounts::of_group)
                .fold(TargetCounts::default(), TargetCounts::plus),
        )
    }

    /// Every target of the environment's services' target groups.
    pub fn counts(&self) -> TargetCounts {
        self.target_groups
            .values()
            .map(TargetCounts::of_group)
            .fold(TargetCounts::default(), TargetCounts::plus)
    }
}

/// What the targets say about a rollout ECS reports complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetsReady {
    /// Every new task's target is healthy (or the service has no target group).
    Ready,
    /// Not yet: why, in words ("2 targets initial in web-tg").
    Waiting(String),
}

/// Whether a rollout's new tasks are healthy behind every target group of the service:
/// `new_tasks` are the addresses of the tasks running the new revision (their private IPs;
/// empty when unknown, as for tasks on EC2 instances). With addresses, each must be registered
/// and healthy in each group; without, each group must have `desired` healthy targets and none
/// initial or unhealthy. A group whose health could not be read is waited for.
pub fn targets_ready(groups: &[TargetGroup], new_tasks: &[String], desired: i32) -> TargetsReady {
    for group in groups {
        if let Some(error) = &group.error {
            return TargetsReady::Waiting(format!(
                "the health of {} could not be read: {error}",
                group.name
            ));
        }
        if new_tasks.is_empty() {
            let counts = TargetCounts::of_group(group);
            let wanted = u32::try_from(desired.max(0)).unwrap_or(0);
            if counts.initial > 0 || counts.unhealthy > 0 || counts.healthy < wanted {
                return TargetsReady::Waiting(format!(
                    "{} in {} (waiting for {wanted} healthy)",
                    counts.describe(),
                    group.name
                ));
            }
            continue;
        }
        let mut waiting: BTreeMap<String, u32> = BTreeMap::new();
        for address in new_tasks {
            let state = group
                .targets
                .iter()
                .filter(|t| &t.id == address)
                .map(|t| &t.state)
                .min_by_key(|s| !matches!(s, TargetState::Healthy));
            match state {
                Some(TargetState::Healthy) => {}
                Some(state) => *waiting.entry(state.as_str().to_string()).or_default() += 1,
                None => *waiting.entry("not registered".to_string()).or_default() += 1,
            }
        }
        if !waiting.is_empty() {
            let parts: Vec<String> = waiting
                .iter()
                .map(|(state, n)| {
                    let noun = if *n == 1 { "new task" } else { "new tasks" };
                    format!("{n} {noun} {state}")
                })
                .collect();
            return TargetsReady::Waiting(format!("{} in {}", parts.join(", "), group.name));
        }
    }
    TargetsReady::Ready
}

/// The target group's name from its ARN
/// (`arn:aws:elasticloadbalancing:…:targetgroup/<name>/<id>`).
pub fn target_group_name(arn: &str) -> &str {
    arn.split_once(":targetgroup/")
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap_or(arn)
}

/// The CloudWatch dimension value of a target group or load balancer
/// (`targetgroup/<name>/<id>`, `app/<name>/<id>`): its ARN after the resource type's colon.
pub fn metric_dimension(arn: &str) -> Option<&str> {
    let (_, resource) = arn.split_once(":loadbalancer/").or_else(|| {
        arn.split_once(":targetgroup/")
            .map(|(head, _)| (head, &arn[head.len() + 1..]))
    })?;
    Some(resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(id: &str, state: &str) -> Target {
        Target {
            id: id.to_string(),
            port: Some(8080),
            availability_zone: None,
            state: TargetState::parse(state),
            reason: None,
            description: None,
        }
    }

    fn group(name: &str, targets: &[(&str, &str)]) -> TargetGroup {
        TargetGroup {
            arn: format!("arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/{name}/abc"),
            name: name.to_string(),
            protocol: Some("HTTP".into()),
            port: Some(8080),
            target_type: Some("ip".into()),
            health_check_path: Some("/healthz".into()),
            load_balancer_arns: vec![],
            targets: targets.iter().map(|(id, s)| target(id, s)).collect(),
            error: None,
        }
    }

    #[test]
    fn states_parse_and_print_in_the_load_balancers_words() {
        for word in [
            "initial",
            "healthy",
            "unhealthy",
            "unhealthy.draining",
            "unused",
            "draining",
            "unavailable",
            "warming",
        ] {
            assert_eq!(TargetState::parse(word).as_str(), word);
        }
        assert_eq!(
            TargetState::parse("warming"),
            TargetState::Other("warming".into())
        );
    }

    #[test]
    fn verdicts_of_target_sets() {
        let cases: &[(&[&str], TargetVerdict)] = &[
            (&[], TargetVerdict::NoTargets),
            (&["healthy", "healthy"], TargetVerdict::Healthy),
            (&["healthy", "draining"], TargetVerdict::Healthy),
            (&["initial", "initial"], TargetVerdict::Starting),
            (&["healthy", "initial"], TargetVerdict::Starting),
            (&["healthy", "unhealthy"], TargetVerdict::Degraded),
            (&["unhealthy", "initial"], TargetVerdict::Down),
            (&["unhealthy.draining"], TargetVerdict::Down),
            (&["draining"], TargetVerdict::Down),
            (&["unused"], TargetVerdict::Down),
        ];
        for (states, verdict) in cases {
            let mut counts = TargetCounts::default();
            for s in *states {
                counts.add(&TargetState::parse(s));
            }
            assert_eq!(counts.verdict(), *verdict, "{states:?}");
        }
    }

    #[test]
    fn counts_describe_only_what_is_there() {
        let g = group(
            "web",
            &[("a", "healthy"), ("b", "healthy"), ("c", "unhealthy")],
        );
        assert_eq!(
            TargetCounts::of_group(&g).describe(),
            "2 healthy · 1 unhealthy"
        );
        assert_eq!(TargetCounts::default().describe(), "no targets");
    }

    #[test]
    fn a_service_counts_its_own_groups_and_an_environment_all() {
        let web = group("web", &[("a", "healthy"), ("b", "unhealthy")]);
        let api = group("api", &[("c", "healthy")]);
        let health = LbHealth {
            target_groups: [(web.arn.clone(), web.clone()), (api.arn.clone(), api)]
                .into_iter()
                .collect(),
            ..LbHealth::default()
        };
        let attach = |arn: &str| LbAttachment {
            target_group_arn: arn.to_string(),
            load_balancer_name: None,
            container_name: Some("web".into()),
            container_port: Some(8080),
        };
        let counts = health.counts_for(&[attach(&web.arn)]).expect("counted");
        assert_eq!((counts.healthy, counts.unhealthy), (1, 1));
        assert_eq!(health.counts_for(&[attach("arn:unknown")]), None);
        assert_eq!(health.counts_for(&[]), None);
        assert_eq!(health.counts().healthy, 2);
    }

    #[test]
    fn a_rollout_waits_for_its_new_tasks_targets() {
        let new = ["10.0.1.5".to_string(), "10.0.1.6".to_string()];
        /// Targets (address, state), the new tasks' addresses, desired, why it waits.
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [String], i32, Option<&'a str>);
        let cases: &[Case<'_>] = &[
            // Both new tasks healthy; an old one draining does not matter.
            (
                &[
                    ("10.0.1.5", "healthy"),
                    ("10.0.1.6", "healthy"),
                    ("10.0.1.2", "draining"),
                ],
                &new,
                2,
                None,
            ),
            (
                &[("10.0.1.5", "healthy"), ("10.0.1.6", "initial")],
                &new,
                2,
                Some("1 new task initial in web"),
            ),
            (
                &[("10.0.1.5", "unhealthy"), ("10.0.1.6", "unhealthy")],
                &new,
                2,
                Some("2 new tasks unhealthy in web"),
            ),
            (
                &[("10.0.1.5", "healthy")],
                &new,
                2,
                Some("1 new task not registered in web"),
            ),
            // Without the tasks' addresses: the counts decide.
            (&[("a", "healthy"), ("b", "healthy")], &[], 2, None),
            (
                &[("a", "healthy"), ("b", "initial")],
                &[],
                2,
                Some("1 healthy · 1 initial in web (waiting for 2 healthy)"),
            ),
            (
                &[("a", "healthy")],
                &[],
                2,
                Some("1 healthy in web (waiting for 2 healthy)"),
            ),
        ];
        for (targets, tasks, desired, waiting) in cases {
            let got = targets_ready(&[group("web", targets)], tasks, *desired);
            let want = match waiting {
                None => TargetsReady::Ready,
                Some(w) => TargetsReady::Waiting(w.to_string()),
            };
            assert_eq!(got, want, "{targets:?}");
        }
        let mut unread = group("web", &[]);
        unread.error = Some("AccessDenied".into());
        assert!(matches!(
            targets_ready(&[unread], &new, 2),
            TargetsReady::Waiting(w) if w.contains("could not be read: AccessDenied")
        ));
        assert_eq!(targets_ready(&[], &new, 2), TargetsReady::Ready);
    }

    #[test]
    fn names_and_metric_dimensions_come_from_arns() {
        let tg = "arn:aws:elasticloadbalancing:eu-west-1:123:targetgroup/web-tg/6d0ecf831eec9f09";
        let lb = "arn:aws:elasticloadbalancing:eu-west-1:123:loadbalancer/app/web/50dc6c495c0c9188";
        assert_eq!(target_group_name(tg), "web-tg");
        assert_eq!(
            metric_dimension(tg),
            Some("targetgroup/web-tg/6d0ecf831eec9f09")
        );
        assert_eq!(metric_dimension(lb), Some("app/web/50dc6c495c0c9188"));
        assert_eq!(metric_dimension("nonsense"), None);
    }
}
