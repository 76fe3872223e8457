//! Admins set who covers a rotation for a while (holiday, sickness, a swap), and remove such an
//! override. Times are local wall-clock times in the rotation's time zone. Audited.

use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "add_override")]
pub async fn add_override(
    rotation: String,
    who: String,
    from: String,
    until: String,
    reason: Option<String>,
) -> Result<i64, AppError> {
    use crate::ssr::context::{caller, respond, services};
    use crate::usecases::oncall::{add_override, OverrideForm};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let form = OverrideForm {
            rotation: &rotation,
            who: &who,
            from: &from,
            until: &until,
            reason,
        };
        add_override(&caller, &services, form).await
    })
    .await
}

#[server(endpoint = "remove_override")]
pub async fn remove_override(id: String) -> Result<(), AppError> {
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let id = crate::api::parse_number(&id, "an override")?;
        crate::usecases::oncall::remove_override(&caller, &services, id).await
    })
    .await
}
