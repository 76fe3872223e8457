//! What the actions on EC2 Auto Scaling groups do in AWS: SetDesiredCapacity (cooldowns not
//! honoured: a person asked), UpdateAutoScalingGroup with the minimum and maximum only, and
//! StartInstanceRefresh with the healthy share to keep; and how each is read back
//! (DescribeAutoScalingGroups, DescribeInstanceRefreshes). An endpoint without instance
//! refreshes (moto) is said to lack them, as a refusal: nothing is changed and nothing hangs.
//! Mutations are sent once, without SDK retries.

use super::clients::{ActingClients, EnvClients};
use super::convert::time;
use super::failure::failure;
use app::domain::execution::Observed;
use app::ports::{ActionCommand, ActionFailure, ActionOutput, AwsChange};

fn once() -> aws_sdk_autoscaling::config::Builder {
    aws_sdk_autoscaling::config::Builder::default().retry_config(super::actions::once())
}

/// An Auto Scaling endpoint that answers an operation with a server error that is no AWS error
/// (a web page, an empty body, as an emulator does for what it lacks) does not offer it.
fn not_offered<E>(e: &aws_sdk_autoscaling::error::SdkError<E>, what: &str) -> Option<ActionFailure>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    let raw = e.raw_response()?;
    let coded = e
        .as_service_error()
        .and_then(aws_smithy_types::error::metadata::ProvideErrorMetadata::code)
        .is_some();
    (raw.status().is_server_error() && !coded).then(|| {
        ActionFailure::refused(
            "NotAvailable",
            format!(
                "this Auto Scaling endpoint does not offer {what} (it answered HTTP {} with no AWS error): instance refreshes are not available here; nothing was changed",
                raw.status().as_u16()
            ),
        )
    })
}

impl EnvClients {
    /// What a group action changed, read back; `None` for other commands.
    pub(super) async fn observe_asg(
        &self,
        command: &ActionCommand,
    ) -> Option<Result<Observed, ActionFailure>> {
        Some(match command {
            ActionCommand::SetCapacity { group, .. }
            | ActionCommand::SetCapacityBounds { group, .. } => match self
                .asg
                .describe_auto_scaling_groups()
                .auto_scaling_group_names(group)
                .send()
                .await
            {
                Ok(out) => Ok(Observed::Capacity(
                    out.auto_scaling_groups()
                        .iter()
                        .find(|g| g.auto_scaling_group_name() == Some(group.as_str()))
                        .map(|g| {
                            (
                                g.min_size().unwrap_or(0),
                                g.max_size().unwrap_or(0),
                                g.desired_capacity().unwrap_or(0),
                            )
                        }),
                )),
                Err(e) => Err(failure(e)),
            },
            ActionCommand::RefreshInstances { group, .. } => match self
                .asg
                .describe_instance_refreshes()
                .auto_scaling_group_name(group)
                .max_records(5)
                .send()
                .await
            {
                Ok(out) => Ok(Observed::Refreshes(
                    out.instance_refreshes()
                        .iter()
                        .filter_map(|r| time(r.start_time()))
                        .collect(),
                )),
                Err(e) => {
                    Err(not_offered(&e, "DescribeInstanceRefreshes").unwrap_or_else(|| failure(e)))
                }
            },
            _ => return None,
        })
    }
}

impl ActingClients {
    /// The changes to Auto Scaling groups.
    pub(super) async fn apply_asg(
        &self,
        change: &AwsChange,
    ) -> Result<ActionOutput, ActionFailure> {
        match change {
            AwsChange::SetCapacity { group, desired } => self
                .asg
                .set_desired_capacity()
                .auto_scaling_group_name(group)
                .desired_capacity(*desired)
                .honor_cooldown(false)
                .customize()
                .config_override(once())
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            AwsChange::SetCapacityBounds { group, min, max } => self
                .asg
                .update_auto_scaling_group()
                .auto_scaling_group_name(group)
                .min_size(*min)
                .max_size(*max)
                .customize()
                .config_override(once())
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            AwsChange::StartInstanceRefresh { group, min_healthy } => {
                use aws_sdk_autoscaling::types::RefreshPreferences;
                self.asg
                    .start_instance_refresh()
                    .auto_scaling_group_name(group)
                    .preferences(
                        RefreshPreferences::builder()
                            .min_healthy_percentage(*min_healthy)
                            .build(),
                    )
                    .customize()
                    .config_override(once())
                    .send()
                    .await
                    .map(|_| ActionOutput::default())
                    .map_err(|e| {
                        not_offered(&e, "StartInstanceRefresh").unwrap_or_else(|| failure(e))
                    })
            }
            _ => Err(ActionFailure::refused(
                "NotAGroup",
                "this change is not one of an Auto Scaling group",
            )),
        }
    }
}
