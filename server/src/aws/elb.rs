//! Elastic Load Balancing (v2) reads, in the details cycle: the target groups services and Auto
//! Scaling groups are registered with (DescribeTargetGroups, paginated by 400), their load balancers
//! (DescribeLoadBalancers, twenty ARNs per call) and listeners (DescribeListeners per load
//! balancer), and one DescribeTargetHealth per target group. A target group whose health cannot
//! be read is kept with the error; nothing here fails the details cycle.

use super::clients::EnvClients;
use super::convert::Context;
use app::domain::inventory::EnvInventory;
use app::domain::load_balancing::{
    target_group_name, LbHealth, Listener, LoadBalancer, Target, TargetGroup, TargetState,
};
use futures::{stream, StreamExt};
use std::collections::{BTreeMap, BTreeSet};

/// DescribeTargetGroups and DescribeLoadBalancers return at most 400 per page.
const PAGE_SIZE: i32 = 400;
/// DescribeLoadBalancers accepts at most twenty ARNs per call.
const LOAD_BALANCERS_PER_CALL: usize = 20;

impl EnvClients {
    /// The load balancing of the environment's services and of `more` target groups (those
    /// of its Auto Scaling groups): the target groups with every target's health, and the load
    /// balancers in front of them with their listeners.
    pub(crate) async fn load_balancing(
        &self,
        inventory: &EnvInventory,
        more: &BTreeSet<String>,
    ) -> LbHealth {
        let wanted: BTreeSet<&str> = inventory
            .services
            .iter()
            .flat_map(|s| &s.load_balancers)
            .map(|a| a.target_group_arn.as_str())
            .chain(more.iter().map(String::as_str))
            .filter(|arn| !arn.is_empty())
            .collect();
        if wanted.is_empty() {
            return LbHealth::default();
        }
        let groups = match self.target_groups(&wanted).await {
            Ok(groups) => groups,
            Err(error) => {
                tracing::warn!(env = %self.env_id(), %error, "target groups could not be read");
                return LbHealth {
                    error: Some(error),
                    ..LbHealth::default()
                };
            }
        };
        let lb_arns: BTreeSet<String> = groups
            .iter()
            .flat_map(|g| g.load_balancer_arns.iter().cloned())
            .collect();
        let with_health = stream::iter(groups)
            .map(|mut group| async move {
                match self.target_health(&group.arn).await {
                    Ok(targets) => group.targets = targets,
                    Err(error) => group.error = Some(error),
                }
                group
            })
            .buffer_unordered(self.concurrency);
        let (groups, load_balancers) = tokio::join!(
            with_health.collect::<Vec<TargetGroup>>(),
            self.load_balancers(lb_arns)
        );
        let mut health = LbHealth {
            target_groups: groups.into_iter().map(|g| (g.arn.clone(), g)).collect(),
            ..LbHealth::default()
        };
        match load_balancers {
            Ok(lbs) => health.load_balancers = lbs,
            Err(error) => health.error = Some(error),
        }
        health
    }

    /// The target groups among `wanted` that exist, without their targets. Listed page by page
    /// rather than asked for by ARN: one ARN that no longer exists would fail the whole call.
    async fn target_groups(&self, wanted: &BTreeSet<&str>) -> Result<Vec<TargetGroup>, String> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .elb
                .describe_target_groups()
                .page_size(PAGE_SIZE)
                .set_marker(marker.clone())
                .send()
                .await
                .op("ELB DescribeTargetGroups")?;
            for g in page.target_groups() {
                let Some(arn) = g.target_group_arn() else {
                    continue;
                };
                if !wanted.contains(arn) {
                    continue;
                }
                out.push(TargetGroup {
                    arn: arn.to_string(),
                    name: g
                        .target_group_name()
                        .map_or_else(|| target_group_name(arn).to_string(), str::to_string),
                    protocol: g.protocol().map(|p| p.as_str().to_string()),
                    port: g.port(),
                    target_type: g.target_type().map(|t| t.as_str().to_string()),
                    health_check_path: g.health_check_path().map(str::to_string),
                    load_balancer_arns: g.load_balancer_arns().to_vec(),
                    targets: Vec::new(),
                    error: None,
                });
            }
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() || out.len() == wanted.len() {
                break;
            }
        }
        Ok(out)
    }

    /// Every registered target of one target group and its health.
    async fn target_health(&self, arn: &str) -> Result<Vec<Target>, String> {
        let out = self
            .elb
            .describe_target_health()
            .target_group_arn(arn)
            .send()
            .await
            .op("ELB DescribeTargetHealth")?;
        let mut targets: Vec<Target> = out
            .target_health_descriptions()
            .iter()
            .map(|d| {
                let health = d.target_health();
                Target {
                    id: d
                        .target()
                        .and_then(|t| t.id())
                        .unwrap_or_default()
                        .to_string(),
                    port: d.target().and_then(|t| t.port()),
                    availability_zone: d
                        .target()
                        .and_then(|t| t.availability_zone())
                        .map(str::to_string),
                    state: health
                        .and_then(|h| h.state())
                        .map_or(TargetState::Other("unknown".into()), |s| {
                            TargetState::parse(s.as_str())
                        }),
                    reason: health
                        .and_then(|h| h.reason())
                        .map(|r| r.as_str().to_string()),
                    description: health.and_then(|h| h.description()).map(str::to_string),
                }
            })
            .collect();
        targets.sort_by(|a, b| (&a.state, &a.id).cmp(&(&b.state, &b.id)));
        Ok(targets)
    }

    /// These target groups with their targets' health now (one DescribeTargetHealth each; a
    /// group whose health cannot be read carries the error), named from their ARNs.
    pub(crate) async fn target_groups_now(&self, arns: &[String]) -> Vec<TargetGroup> {
        stream::iter(arns.iter().cloned())
            .map(|arn| async move {
                let (targets, error) = match self.target_health(&arn).await {
                    Ok(targets) => (targets, None),
                    Err(error) => (Vec::new(), Some(error)),
                };
                TargetGroup {
                    name: target_group_name(&arn).to_string(),
                    arn,
                    protocol: None,
                    port: None,
                    target_type: None,
                    health_check_path: None,
                    load_balancer_arns: Vec::new(),
                    targets,
                    error,
                }
            })
            .buffered(self.concurrency)
            .collect()
            .await
    }

    /// The load balancers with these ARNs and their listeners.
    async fn load_balancers(
        &self,
        arns: BTreeSet<String>,
    ) -> Result<BTreeMap<String, LoadBalancer>, String> {
        let arns: Vec<String> = arns.into_iter().collect();
        let mut out = BTreeMap::new();
        for chunk in arns.chunks(LOAD_BALANCERS_PER_CALL) {
            let page = self
                .elb
                .describe_load_balancers()
                .set_load_balancer_arns(Some(chunk.to_vec()))
                .send()
                .await
                .op("ELB DescribeLoadBalancers")?;
            for lb in page.load_balancers() {
                let Some(arn) = lb.load_balancer_arn() else {
                    continue;
                };
                out.insert(
                    arn.to_string(),
                    LoadBalancer {
                        arn: arn.to_string(),
                        name: lb.load_balancer_name().unwrap_or_default().to_string(),
                        kind: lb.r#type().map(|t| t.as_str().to_string()),
                        scheme: lb.scheme().map(|s| s.as_str().to_string()),
                        dns_name: lb.dns_name().map(str::to_string),
                        state: lb
                            .state()
                            .and_then(|s| s.code())
                            .map(|c| c.as_str().to_string()),
                        listeners: Vec::new(),
                    },
                );
            }
        }
        let listeners: Vec<(String, Result<Vec<Listener>, String>)> =
            stream::iter(out.keys().cloned().collect::<Vec<_>>())
                .map(|arn| async move {
                    let listeners = self.listeners(&arn).await;
                    (arn, listeners)
                })
                .buffer_unordered(self.concurrency)
                .collect()
                .await;
        for (arn, listeners) in listeners {
            if let Some(lb) = out.get_mut(&arn) {
                lb.listeners = listeners?;
            }
        }
        Ok(out)
    }

    /// One load balancer's listeners, by port.
    async fn listeners(&self, lb_arn: &str) -> Result<Vec<Listener>, String> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .elb
                .describe_listeners()
                .load_balancer_arn(lb_arn)
                .set_marker(marker.clone())
                .send()
                .await
                .op("ELB DescribeListeners")?;
            for l in page.listeners() {
                let mut forwards_to: Vec<String> = Vec::new();
                for action in l.default_actions() {
                    if let Some(tg) = action.target_group_arn() {
                        forwards_to.push(tg.to_string());
                    }
                    if let Some(forward) = action.forward_config() {
                        for tg in forward.target_groups() {
                            if let Some(arn) = tg.target_group_arn() {
                                forwards_to.push(arn.to_string());
                            }
                        }
                    }
                }
                forwards_to.sort();
                forwards_to.dedup();
                out.push(Listener {
                    arn: l.listener_arn().unwrap_or_default().to_string(),
                    port: l.port(),
                    protocol: l.protocol().map(|p| p.as_str().to_string()),
                    forwards_to,
                });
            }
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        out.sort_by_key(|l| l.port);
        Ok(out)
    }
}
