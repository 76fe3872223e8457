//! The scheduled jobs pages.

pub mod job_page;
pub mod jobs_page;
