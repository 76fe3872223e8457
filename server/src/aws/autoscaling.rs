//! Application Auto Scaling reads: the desired-count range of each ECS service that has a
//! scalable target, in one paginated call per refresh.

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
