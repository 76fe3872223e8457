//! The action panel the service and database pages share: what a person may do to the resource
//! and what was done to it lately.

use crate::domain::actions::{ActionKind, ActionResult};
use serde::{Deserialize, Serialize};

/// The actions a person may take on a resource, the ones refused with the reason, a fresh
/// request key for the forms, and the resource's recent actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionPanel {
    pub allowed: Vec<ActionKind>,
    pub refused: Vec<(ActionKind, String)>,
    pub protected: bool,
    pub request_key: String,
    pub recent: Vec<ActionResult>,
    /// Allowed kinds that become release requests (approval gate) instead of running.
    #[serde(default)]
    pub requests: Vec<ActionKind>,
}

impl ActionPanel {
    pub fn allows(&self, kind: ActionKind) -> bool {
        self.allowed.contains(&kind)
    }

    /// Whether this kind asks for approval instead of running.
    pub fn requests(&self, kind: ActionKind) -> bool {
        self.requests.contains(&kind)
    }
}
