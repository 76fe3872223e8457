//! Version drift across environments and promotion: the fleet-wide drift page and the review
//! of a promotion.

pub mod drift_page;
pub mod promote_page;
