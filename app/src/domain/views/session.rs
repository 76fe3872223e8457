//! The signed-in session as every page's chrome shows it, and how the sign-in page offers to
//! sign in.

use crate::domain::environment::EnvDescriptor;
use crate::domain::policy::Principal;
use serde::{Deserialize, Serialize};

/// The signed-in user and what the chrome around every page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: Principal,
    pub demo_mode: bool,
    pub environments: Vec<EnvDescriptor>,
    /// Groups that would grant access, shown when the user has none.
    pub access_groups: Vec<String>,
    /// Release requests waiting for this person's approval (the navigation badge).
    #[serde(default)]
    pub awaiting_approval: usize,
    /// Who is on call now and next, per rotation.
    #[serde(default)]
    pub oncall: Vec<crate::domain::oncall::OnCall>,
    /// Open incidents nobody acknowledged yet, in the environments this person sees.
    #[serde(default)]
    pub unacknowledged_incidents: usize,
}

/// How the sign-in page offers to sign in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// Company SSO (OIDC); otherwise the demo's dev form.
    pub sso: bool,
}
