//! Flashes for server functions and pages: the server puts the session's [`FlashPort`] into the
//! request; [`put`] keeps a message and answers its id for the page address, [`take`] reads it
//! once for the page.

use crate::domain::flash::{parse_id, FlashKind};
use crate::ports::FlashPort;
use std::sync::Arc;

/// The request's session as a flash store (a request extension the server adds).
#[derive(Clone)]
pub struct Flashes(pub Arc<dyn FlashPort>);

fn port() -> Option<Arc<dyn FlashPort>> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Flashes>().map(|f| Arc::clone(&f.0)))
}

/// Keeps `text` for the next page; the id to put in its address, or `None` when this request
/// has no session or the store failed (logged).
pub async fn put(kind: FlashKind, text: &str) -> Option<String> {
    let port = port()?;
    match port.put(kind, text.to_string()).await {
        Ok(id) => Some(id),
        Err(e) => {
            tracing::error!(error = %crate::error::error_chain(&e), "keeping a flash message");
            None
        }
    }
}

/// The message of `kind` named by `id`, once.
pub async fn take(kind: FlashKind, id: &str) -> Option<String> {
    let id = parse_id(id)?;
    let port = port()?;
    match port.take(kind, id).await {
        Ok(text) => text,
        Err(e) => {
            tracing::error!(error = %crate::error::error_chain(&e), "reading a flash message");
            None
        }
    }
}
