//! Server functions for version drift and promotion: the fleet-wide drift table, the review of
//! a promotion, and the promotion itself.

mod get_drift;
mod get_promotion;
mod promote;

pub use get_drift::*;
pub use get_promotion::*;
pub use promote::*;
