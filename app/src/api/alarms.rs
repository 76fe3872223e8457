//! Server functions for alarms.

mod list_alarms;

pub use list_alarms::*;
