//! The Leptos UI: the HTML shell, the routes, the page chrome and one folder per page.

pub mod alarms;
pub mod apps;
pub mod asgs;
pub mod audit;
pub mod components;
pub mod databases;
pub mod drift;
pub mod environment;
pub mod functions;
pub mod incidents;
pub mod jobs;
pub mod layout;
pub mod login;
pub mod oncall;
pub mod overview;
pub mod queues;
pub mod releases;
pub mod service;
pub mod sessions;
pub mod shell;
pub mod tokens;
pub mod webhooks;
