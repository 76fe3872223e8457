//! Server functions for SQS queues.

mod get_queue;
mod list_queues;

pub use get_queue::*;
pub use list_queues::*;
