//! The on-call page: rotations, who covers when, and the overrides.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The rotations, who covers when, and the overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnCallView {
    pub generated_at: DateTime<Utc>,
    /// Per rotation: the rotation, who is on call now and next, and the coming turns.
    pub rotations: Vec<(
        crate::domain::oncall::Rotation,
        crate::domain::oncall::OnCall,
        Vec<crate::domain::oncall::Shift>,
    )>,
    pub overrides: Vec<crate::domain::oncall::Override>,
    /// An admin: may add and remove overrides.
    pub may_manage: bool,
    /// The rotations this person may change (admin in every environment each answers).
    #[serde(default)]
    pub manageable: Vec<String>,
}
