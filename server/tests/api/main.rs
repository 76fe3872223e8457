//! Integration tests: the real server on port 0 with a fresh SQLite database, against a real moto
//! server (fake AWS). Each test seeds its own AWS accounts, so tests share one moto safely.

// A failed unwrap here is a failed test with its message: exactly what a test should do.
#![allow(clippy::unwrap_used)]

mod actions;
mod asgs;
mod auth;
mod authz;
mod automation;
mod cli;
mod cloudtrail;
mod execution;
mod faults;
mod functions;
mod helpers;
mod identity;
mod incidents;
mod inventory;
mod jobs;
mod keys;
mod load_balancing;
mod logs;
mod ops;
mod outage;
mod pages;
mod promotion;
mod proxies;
mod queues;
mod records;
mod releases;
mod replicas;
mod rollouts;
mod sessions;
mod sso;
mod throttling;
mod webhooks;
mod work_actions;
