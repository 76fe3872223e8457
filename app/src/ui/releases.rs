//! The release requests pages: the list and one request.

pub mod release_page;
pub mod releases_page;
