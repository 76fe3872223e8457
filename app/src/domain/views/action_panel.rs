//! The action panel the service and database pages share: what a person may do to the resource
//! and what was done to it lately.

use crate::domain::actions::{ActionKind, ActionResult};
use crate::domain::approvals::{may_break_glass, ApprovalPolicy};
use crate::domain::policy::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An open freeze window as a page shows it: until when, why, and whether this person may break
/// glass (admins signed in to the console).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frozen {
    pub until: DateTime<Utc>,
    pub reason: String,
    pub may_break_glass: bool,
}

impl Frozen {
    /// The window open in an environment with `policy` at `now`, for a person with `role` there.
    pub fn now(
        policy: &ApprovalPolicy,
        now: DateTime<Utc>,
        role: Option<Role>,
        via_token: bool,
    ) -> Option<Self> {
        policy.frozen_until(now).map(|(until, reason)| Frozen {
            until,
            reason,
            may_break_glass: may_break_glass(role, via_token),
        })
    }

    /// One sentence for the page.
    pub fn text(&self) -> String {
        format!(
            "Frozen until {} UTC ({}): changes that run at once are refused{}; requests for approval still wait for the window to end.",
            self.until.format("%Y-%m-%d %H:%M"),
            self.reason,
            if self.may_break_glass {
                " unless you break glass with a reason (audited and announced)"
            } else {
                "; an admin may break glass"
            }
        )
    }
}

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
    /// The freeze window open now, if any.
    #[serde(default)]
    pub frozen: Option<Frozen>,
}

impl ActionPanel {
    pub fn allows(&self, kind: ActionKind) -> bool {
        self.allowed.contains(&kind)
    }

    /// Whether this kind asks for approval instead of running.
    pub fn requests(&self, kind: ActionKind) -> bool {
        self.requests.contains(&kind)
    }

    /// Whether this kind's form asks for a break-glass reason: it runs at once inside a freeze.
    pub fn breaks_glass(&self, kind: ActionKind) -> bool {
        self.frozen.as_ref().is_some_and(|f| f.may_break_glass) && !self.requests(kind)
    }
}
