//! Quarterdeck's server: configuration, AWS and database adapters, the inventory cache, and the
//! HTTP wiring around the Leptos app. `main.rs` only parses the command line and calls in here.

pub mod assets;
pub mod audit_export;
pub mod auth;
pub mod aws;
pub mod client_ip;
pub mod config;
pub mod follow_hub;
pub mod http_metrics;
pub mod iam;
pub mod inventory;
pub mod jobs;
pub mod live;
pub mod logs;
pub mod notify;
pub mod ops;
pub mod rest;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
