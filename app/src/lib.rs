//! Quarterdeck's shared application crate: the pure domain rules, the use cases, the server
//! functions the pages call, and the Leptos UI. Compiled twice: with `ssr` into the server
//! binary, with `hydrate` into the browser bundle.

pub mod api;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod ports;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod usecases;

pub use ui::shell::{shell, App};
