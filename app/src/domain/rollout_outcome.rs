//! How a rollout the console follows ended, or that it has not yet: the outcome every page, the
//! audit log, the webhooks and the API show for a change to a service once ECS is done with it
//! (see `domain::followed` for how a reading of the service is judged).

use serde::{Deserialize, Serialize};

/// How a followed rollout ended, or that it has not yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RolloutOutcome {
    /// ECS is still working on it; the console reads the service until it ends.
    Following,
    /// The new deployment (or the new count) is in place.
    Completed,
    /// ECS failed the deployment and moved the service back (to the revision `to`, as
    /// `family:revision`, when known).
    RolledBack { reason: String, to: Option<String> },
    /// ECS failed the deployment and left it as it is (no rollback configured).
    Failed { reason: String },
    /// Another change took over before it finished.
    Replaced { by: String },
    /// Not finished this many minutes after the action ran.
    Stuck { minutes: i64 },
}

impl RolloutOutcome {
    /// The word stored with the followed rollout (and filtered on).
    pub fn as_str(&self) -> &'static str {
        match self {
            RolloutOutcome::Following => "following",
            RolloutOutcome::Completed => "completed",
            RolloutOutcome::RolledBack { .. } => "rolled_back",
            RolloutOutcome::Failed { .. } => "failed",
            RolloutOutcome::Replaced { .. } => "replaced",
            RolloutOutcome::Stuck { .. } => "stuck",
        }
    }

    pub fn is_final(&self) -> bool {
        !matches!(self, RolloutOutcome::Following)
    }

    /// In words, for lists, the audit log and notices: `rolled back by ECS: <reason>`.
    pub fn label(&self) -> String {
        match self {
            RolloutOutcome::Following => "rollout in progress".to_string(),
            RolloutOutcome::Completed => "rollout completed".to_string(),
            RolloutOutcome::RolledBack { reason, .. } => format!("rolled back by ECS: {reason}"),
            RolloutOutcome::Failed { reason } => format!("rollout failed: {reason}"),
            RolloutOutcome::Replaced { by } => format!("replaced before it finished: {by}"),
            RolloutOutcome::Stuck { minutes } => {
                format!("rollout stuck: not finished {minutes} min after the change")
            }
        }
    }

    /// A badge's words: `rolling out`, `rolled back by ECS`, …
    pub fn short(&self) -> &'static str {
        match self {
            RolloutOutcome::Following => "succeeded, rolling out",
            RolloutOutcome::Completed => "succeeded, rolled out",
            RolloutOutcome::RolledBack { .. } => "rolled back by ECS",
            RolloutOutcome::Failed { .. } => "rollout failed",
            RolloutOutcome::Replaced { .. } => "succeeded, then replaced",
            RolloutOutcome::Stuck { .. } => "rollout stuck",
        }
    }

    /// Whether the rollout went wrong (a person should look).
    pub fn is_bad(&self) -> bool {
        matches!(
            self,
            RolloutOutcome::RolledBack { .. }
                | RolloutOutcome::Failed { .. }
                | RolloutOutcome::Stuck { .. }
        )
    }

    /// The webhook event of the end: `action.rolled_back`, `action.rollout_completed`, …
    pub fn event(&self) -> &'static str {
        match self {
            RolloutOutcome::Following => "action.rollout_following",
            RolloutOutcome::Completed => "action.rollout_completed",
            RolloutOutcome::RolledBack { .. } => "action.rolled_back",
            RolloutOutcome::Failed { .. } => "action.rollout_failed",
            RolloutOutcome::Replaced { .. } => "action.rollout_replaced",
            RolloutOutcome::Stuck { .. } => "action.rollout_stuck",
        }
    }
}
