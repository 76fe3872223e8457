//! The alarms pages.

pub mod alarms_page;
