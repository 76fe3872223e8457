//! Application Auto Scaling: the desired-count range and the scaling policies of each ECS
//! service that has a scalable target (one paginated call of each per refresh), and the one
//! change a scale may make to it, its range (RegisterScalableTarget).

use super::clients::EnvClients;
use super::convert::Context;
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
use std::collections::BTreeMap;

/// `service/<cluster>/<service>` → `(cluster, service)`.
fn service_of_resource(resource_id: &str) -> Option<(String, String)> {
    let rest = resource_id.strip_prefix("service/")?;
    let (cluster, service) = rest.split_once('/')?;
    (!cluster.is_empty() && !service.is_empty() && !service.contains('/'))
        .then(|| (cluster.to_string(), service.to_string()))
}

impl EnvClients {
    /// `(cluster, service)` → `(min, max)` desired count, for every ECS service with a target.
    pub(crate) async fn autoscaling_ranges(
        &self,
    ) -> Result<BTreeMap<(String, String), (i32, i32)>, String> {
        let targets: Vec<aws_sdk_applicationautoscaling::types::ScalableTarget> = self
            .autoscaling
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Ecs)
            .max_results(50)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("Application Auto Scaling DescribeScalableTargets")?;
        Ok(targets
            .iter()
            .filter(|t| *t.scalable_dimension() == ScalableDimension::EcsServiceDesiredCount)
            .filter_map(|t| {
                let key = service_of_resource(t.resource_id())?;
                Some((key, (t.min_capacity(), t.max_capacity())))
            })
            .collect())
    }
}

impl EnvClients {
    /// One service's desired-count range, read again after an action touched it.
    pub(crate) async fn autoscaling_range_of(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<(i32, i32)>, String> {
        let out = self
            .autoscaling
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Ecs)
            .resource_ids(format!("service/{cluster}/{service}"))
            .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
            .send()
            .await
            .op("Application Auto Scaling DescribeScalableTargets")?;
        Ok(out
            .scalable_targets()
            .first()
            .map(|t| (t.min_capacity(), t.max_capacity())))
    }

    /// `(cluster, service)` → each of its scaling policies in a line, for every ECS service with
    /// a policy.
    pub(crate) async fn scaling_policies(
        &self,
    ) -> Result<BTreeMap<(String, String), Vec<String>>, String> {
        let policies: Vec<aws_sdk_applicationautoscaling::types::ScalingPolicy> = self
            .autoscaling
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::Ecs)
            .max_results(50)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("Application Auto Scaling DescribeScalingPolicies")?;
        let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for p in policies
            .iter()
            .filter(|p| *p.scalable_dimension() == ScalableDimension::EcsServiceDesiredCount)
        {
            let Some(key) = service_of_resource(p.resource_id()) else {
                continue;
            };
            out.entry(key).or_default().push(describe_policy(p));
        }
        Ok(out)
    }
}

/// A policy in a line: its name and kind, and for target tracking the metric and its target.
fn describe_policy(p: &aws_sdk_applicationautoscaling::types::ScalingPolicy) -> String {
    use aws_sdk_applicationautoscaling::types::PolicyType;
    match p.policy_type() {
        PolicyType::TargetTrackingScaling => {
            let config = p.target_tracking_scaling_policy_configuration();
            let metric = config
                .and_then(|c| c.predefined_metric_specification())
                .map(|m| m.predefined_metric_type().as_str().to_string())
                .or_else(|| {
                    config
                        .and_then(|c| c.customized_metric_specification())
                        .and_then(|m| m.metric_name())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| "a metric".to_string());
            let target = config.map(|c| c.target_value()).unwrap_or_default();
            format!("{}: target tracking, {metric} at {target}", p.policy_name())
        }
        PolicyType::StepScaling => format!("{}: step scaling", p.policy_name()),
        other => format!("{}: {}", p.policy_name(), other.as_str()),
    }
}

impl super::clients::ActingClients {
    /// Sets the desired-count range of `cluster/service` (RegisterScalableTarget on its existing
    /// target), sent once.
    pub(crate) async fn set_scaling_range(
        &self,
        cluster: &str,
        service: &str,
        (min, max): (i32, i32),
    ) -> Result<(), app::ports::ActionFailure> {
        self.autoscaling
            .register_scalable_target()
            .service_namespace(ServiceNamespace::Ecs)
            .resource_id(format!("service/{cluster}/{service}"))
            .scalable_dimension(ScalableDimension::EcsServiceDesiredCount)
            .min_capacity(min)
            .max_capacity(max)
            .customize()
            .config_override(
                aws_sdk_applicationautoscaling::config::Builder::default()
                    .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(1)),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(super::failure::failure)
    }
}

#[cfg(test)]
mod tests {
    use super::service_of_resource;

    #[test]
    fn resource_ids_name_cluster_and_service() {
        assert_eq!(
            service_of_resource("service/prod-main/web"),
            Some(("prod-main".into(), "web".into()))
        );
        assert_eq!(service_of_resource("service/web"), None);
        assert_eq!(service_of_resource("table/orders"), None);
        assert_eq!(service_of_resource("service/a/b/c"), None);
    }
}
