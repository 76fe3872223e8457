//! The API tokens page.

use crate::domain::ids::EnvId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The API tokens an admin manages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokensView {
    pub generated_at: DateTime<Utc>,
    pub tokens: Vec<crate::domain::tokens::ApiToken>,
    /// Environments this admin may grant.
    pub envs: Vec<EnvId>,
    /// Admin everywhere: may create `*` tokens.
    pub everywhere: bool,
    /// The token this person just created without JavaScript, with its secret (once).
    #[serde(default)]
    pub just_created: Option<CreatedToken>,
}

/// A token just created, with its secret (shown this once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: crate::domain::tokens::ApiToken,
    pub secret: String,
}
