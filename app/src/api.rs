//! Server functions: the endpoints the pages call. Each one authenticates, authorises through the
//! domain policy, validates its input, then reads a port. One function per file, by resource.

pub mod actions;
pub mod alarms;
pub mod apps;
pub mod audit;
pub mod databases;
pub mod environments;
pub mod incidents;
pub mod oncall;
pub mod overview;
pub mod releases;
pub mod services;
pub mod session;
pub mod tokens;
