//! Server functions for scheduled jobs.

mod get_job;
mod get_job_logs;
mod list_jobs;

pub use get_job::*;
pub use get_job_logs::*;
pub use list_jobs::*;
