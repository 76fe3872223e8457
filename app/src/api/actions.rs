//! Server functions that change things in AWS. Each goes through `usecases::actions::run_action`.

mod deploy_service;
mod redeploy_service;
mod rollback_service;
mod scale_service;
mod set_alarm_actions;
mod snapshot_database;

pub use deploy_service::*;
pub use redeploy_service::*;
pub use rollback_service::*;
pub use scale_service::*;
pub use set_alarm_actions::*;
pub use snapshot_database::*;
