//! The incident pages: the on-call home (open incidents across environments) and one incident
//! with its timeline.

pub mod incident_page;
pub mod incidents_page;
