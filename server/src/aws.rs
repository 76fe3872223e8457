//! The AWS adapters: per-environment SDK clients (built once, with explicit timeouts and retries,
//! STS AssumeRole when configured) and the reads that map ECS, RDS, CloudWatch and Application
//! Auto Scaling into domain types. No AWS SDK type leaves this module.

pub mod actions;
mod autoscaling;
pub mod call_stats;
pub mod clients;
mod cloudwatch;
mod convert;
mod ecs;
mod rds;

pub use clients::EnvClients;
