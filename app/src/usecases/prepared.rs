//! A validated action, ready to record and run: what `prepare` (and the queue and function
//! checks in `work`) answer, and what the one action path records and runs.

use crate::domain::plans::Change;
use crate::ports::ActionCommand;

/// A validated action, ready to record and run.
pub struct Prepared {
    /// `cluster/service`, a database id or an alarm name.
    pub target: String,
    /// The validated inputs, stored to tell a retry from a different action.
    pub params: serde_json::Value,
    /// What will change, in words.
    pub summary: String,
    pub command: ActionCommand,
    /// In protected environments the person types this name to confirm.
    pub confirm_name: String,
    pub reason: Option<String>,
    /// Current vs proposed, shown on a release request.
    pub changes: Vec<Change>,
    /// A change ticket for a release request.
    pub ticket_url: Option<String>,
    /// The revision diff behind the change (a rollback, a promotion), kept with a release
    /// request.
    pub diff: Vec<Change>,
    /// The promotion this action is one service of.
    pub group: Option<String>,
}

impl Prepared {
    /// An action on `target` with no before → after rows.
    pub fn plain(
        target: String,
        params: serde_json::Value,
        summary: String,
        command: ActionCommand,
        confirm_name: String,
    ) -> Self {
        Prepared {
            target,
            params,
            summary,
            command,
            confirm_name,
            reason: None,
            changes: Vec::new(),
            ticket_url: None,
            diff: Vec::new(),
            group: None,
        }
    }
}
