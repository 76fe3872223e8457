//! The Leptos side of the server: what a server function reads from its request (the services,
//! the signed-in caller) and how an outcome becomes a page to go to (redirects, `?done=`). The
//! use cases themselves live in [`crate::usecases`].

pub mod client_ip;
pub mod context;
pub mod flash;
pub mod handoff;
pub mod navigation;
