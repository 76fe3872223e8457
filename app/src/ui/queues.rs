//! The queues pages.

pub mod queue_page;
pub mod queues_page;
