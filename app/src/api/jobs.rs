//! Server functions for scheduled jobs.

mod get_job;
mod list_jobs;

pub use get_job::*;
pub use list_jobs::*;
