//! Server functions for release requests: list, read, approve, reject, cancel, break glass.

mod break_glass_release;
mod cancel_release;
mod get_release;
mod list_releases;
mod vote_release;
mod vote_release_group;

pub use break_glass_release::*;
pub use cancel_release::*;
pub use get_release::*;
pub use list_releases::*;
pub use vote_release::*;
pub use vote_release_group::*;
