//! The on-call page: rotations, who covers when, and admins' overrides.

pub mod oncall_page;
