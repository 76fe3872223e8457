//! Server functions for on-call: the rotations with who covers when, and admins' overrides.

mod get_oncall;
mod manage_override;

pub use get_oncall::*;
pub use manage_override::*;
