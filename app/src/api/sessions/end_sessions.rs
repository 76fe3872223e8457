//! Ends every session of a person, named by their id (`person`): their next request is signed
//! out. Audited.

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "end_sessions")]
pub async fn end_sessions(person: String) -> Result<usize, AppError> {
    use crate::ssr::context::{caller, respond, services};
    use crate::ssr::navigation::{back_to_page, is_plain_form_post};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let ended = crate::usecases::sessions::end_sessions(&caller, &services, &person).await?;
        // Without JavaScript, back to the list, which no longer shows them.
        if is_plain_form_post() {
            back_to_page(&[]);
        }
        Ok(ended)
    })
    .await
}
