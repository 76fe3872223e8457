//! Server functions for the audit log.

mod query_audit;

pub use query_audit::*;
