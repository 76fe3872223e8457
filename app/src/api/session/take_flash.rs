//! The one-time messages a page address names (`?problem=` / `?notice=` ids), read once from
//! the person's session. An id that names nothing (an old link, someone else's address, text)
//! shows nothing.

use crate::error::AppError;
use leptos::prelude::*;

/// The messages named by the page address: the refusal and the notice, each if kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageFlashes {
    pub problem: Option<String>,
    pub notice: Option<String>,
}

#[server(endpoint = "take_flash")]
pub async fn take_flash(
    problem: Option<String>,
    notice: Option<String>,
) -> Result<PageFlashes, AppError> {
    use crate::domain::flash::FlashKind;
    use crate::ssr::context::{current_user, respond};
    use crate::ssr::flash::take;
    respond(async {
        current_user()?;
        let mut flashes = PageFlashes::default();
        if let Some(id) = problem {
            flashes.problem = take(FlashKind::Problem, &id).await;
        }
        if let Some(id) = notice {
            flashes.notice = take(FlashKind::Notice, &id).await;
        }
        Ok(flashes)
    })
    .await
}
