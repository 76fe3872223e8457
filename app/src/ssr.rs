//! Server-only glue of the app crate: the ports (traits) the server functions call, and the
//! request context they read the signed-in user and services from.

pub mod actions;
pub mod chrome;
pub mod context;
pub mod handoff;
pub mod incidents;
pub mod live;
pub mod ports;
pub mod prepare;
pub mod promote;
pub mod releases;
