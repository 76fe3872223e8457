//! The application layer: one function per use case — run an action, request, vote on, cancel
//! and run a release, promote, respond to an incident, the alarm poll, create and revoke tokens,
//! set on-call overrides, notify the webhooks and retry a notice. Each takes its caller ([`crate::domain::caller::Caller`]: who, from
//! which address, through which channel) and the services as arguments and returns an outcome.
//! Nothing here reads request context or redirects: the server functions (pages), the
//! automation API (`server/src/rest`) and the background jobs are thin adapters around these.

pub mod access;
pub mod actions;
pub mod asgs;
pub mod audit;
pub mod chrome;
pub mod execution;
pub mod incidents;
pub mod jobs;
pub mod live;
pub mod logs;
pub mod oncall;
pub mod prepare;
pub mod prepared;
pub mod promotions;
pub mod releases;
pub mod rollouts;
pub mod services;
pub mod sessions;
pub mod tokens;
pub mod webhooks;
pub mod work;
