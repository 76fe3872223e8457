//! Server functions that change things in AWS. Each goes through `usecases::actions::run_action`.

mod cancel_redrive;
mod deploy_service;
mod form;
mod purge_queue;
mod redeploy_service;
mod redrive_queue;
mod rollback_alias;
mod rollback_service;
mod run_job;
mod scale_service;
mod set_alarm_actions;
mod set_concurrency;
mod set_job_state;
mod set_mapping;
mod snapshot_database;
mod update_alias;

pub use cancel_redrive::*;
pub use deploy_service::*;
pub use purge_queue::*;
pub use redeploy_service::*;
pub use redrive_queue::*;
pub use rollback_alias::*;
pub use rollback_service::*;
pub use run_job::*;
pub use scale_service::*;
pub use set_alarm_actions::*;
pub use set_concurrency::*;
pub use set_job_state::*;
pub use set_mapping::*;
pub use snapshot_database::*;
pub use update_alias::*;
