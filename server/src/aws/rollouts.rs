//! The rollout follower's read: the services whose rollouts it follows, per environment and
//! cluster, with DescribeServices in batches of ten, counted as `rollout` calls.

use super::clients::EnvClients;
use crate::aws::call_stats::{with_purpose, Purpose};
use app::domain::ids::EnvId;
use app::domain::inventory::Service;
use app::domain::load_balancing::TargetGroup;
use app::ports::{PortError, RolloutReader};
use std::collections::HashMap;
use std::sync::Arc;

/// A read that failed, in AWS's words (or the SDK's).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ReadFailed(String);

/// Routes each read to its environment's clients.
pub struct AwsRollouts {
    clients: HashMap<EnvId, Arc<EnvClients>>,
}

impl AwsRollouts {
    pub fn new(clients: HashMap<EnvId, Arc<EnvClients>>) -> Self {
        Self { clients }
    }
}

#[async_trait::async_trait]
impl RolloutReader for AwsRollouts {
    async fn services(
        &self,
        env: &EnvId,
        cluster: &str,
        names: &[String],
    ) -> Result<Vec<Service>, PortError> {
        let clients = self
            .clients
            .get(env)
            .ok_or_else(|| PortError::new(ReadFailed(format!("there is no environment {env}"))))?;
        with_purpose(Purpose::Rollout, clients.services_named(cluster, names))
            .await
            .map_err(|e| PortError::new(ReadFailed(e)))
    }

    async fn targets(
        &self,
        env: &EnvId,
        service: &Service,
    ) -> Result<(Vec<TargetGroup>, Vec<String>), PortError> {
        let clients = self
            .clients
            .get(env)
            .ok_or_else(|| PortError::new(ReadFailed(format!("there is no environment {env}"))))?;
        let arns: Vec<String> = service
            .load_balancers
            .iter()
            .map(|a| a.target_group_arn.clone())
            .filter(|arn| !arn.is_empty())
            .collect();
        let read = async {
            let (groups, addresses) = tokio::join!(
                clients.target_groups_now(&arns),
                clients.task_addresses(
                    &service.cluster,
                    &service.name,
                    &service.task_definition_arn
                )
            );
            addresses.map(|a| (groups, a))
        };
        with_purpose(Purpose::Rollout, read)
            .await
            .map_err(|e| PortError::new(ReadFailed(e)))
    }
}
