//! What a person does to an incident: acknowledge (one or several), assign (to me or to someone),
//! add a note, resolve with a note. Operators and above in the incident's environment; audited.

use crate::domain::incidents::Incident;
use crate::error::AppError;
use leptos::prelude::*;

/// Checks the input (into the response) and applies it, answering errors with their status.
#[cfg(feature = "ssr")]
async fn apply(
    id: String,
    response: impl FnOnce(
        &crate::domain::policy::Principal,
    ) -> Result<crate::domain::incidents::Response, AppError>,
) -> Result<Incident, AppError> {
    use crate::domain::ids::parse_incident_id;
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let user = caller.principal.clone();
        let services = services()?;
        let id = parse_incident_id(&id)?;
        let response = response(&user)?;
        crate::usecases::incidents::respond(&caller, &services, id, response).await
    })
    .await
}

#[server(endpoint = "acknowledge_incident")]
pub async fn acknowledge_incident(id: String) -> Result<Incident, AppError> {
    apply(id, |_| Ok(crate::domain::incidents::Response::Acknowledge)).await
}

/// Assigns to `to` (a name: nobody's id until that person takes it), or to the person asking
/// — by their id — when `to` is empty or absent.
#[server(endpoint = "assign_incident")]
pub async fn assign_incident(id: String, to: Option<String>) -> Result<Incident, AppError> {
    use crate::domain::incidents::{parse_person, Response};
    apply(id, |user| {
        Ok(match to.filter(|t| !t.trim().is_empty()) {
            Some(to) => Response::Assign {
                name: parse_person(&to).map_err(AppError::Invalid)?,
                id: None,
            },
            None => Response::Assign {
                name: user.name.clone(),
                id: Some(user.id.clone()),
            },
        })
    })
    .await
}

#[server(endpoint = "note_incident")]
pub async fn note_incident(id: String, text: String) -> Result<Incident, AppError> {
    use crate::domain::incidents::{parse_note, Response};
    apply(id, |_| {
        parse_note(&text)
            .map(Response::Note)
            .map_err(AppError::Invalid)
    })
    .await
}

#[server(endpoint = "resolve_incident")]
pub async fn resolve_incident(id: String, note: String) -> Result<Incident, AppError> {
    use crate::domain::incidents::{parse_note, Response};
    apply(id, |_| match parse_note(&note) {
        Ok(note) => Ok(Response::Resolve(note)),
        Err(_) if note.trim().is_empty() => Err(AppError::Invalid(
            "say how it was resolved: the note is required".into(),
        )),
        Err(why) => Err(AppError::Invalid(why)),
    })
    .await
}

/// Acknowledges the ticked incidents; already acknowledged ones are skipped and named.
#[server(endpoint = "acknowledge_incidents")]
pub async fn acknowledge_incidents(ids: Option<Vec<String>>) -> Result<String, AppError> {
    use crate::domain::ids::parse_incident_id;
    use crate::ssr::context::{caller, respond, services};
    respond(async {
        let caller = caller()?;
        let services = services()?;
        let ids = ids
            .unwrap_or_default()
            .iter()
            .map(|i| parse_incident_id(i))
            .collect::<Result<Vec<i64>, _>>()?;
        if ids.len() > 200 {
            return Err(AppError::Invalid(
                "acknowledge at most 200 incidents at once".into(),
            ));
        }
        let (done, skipped) =
            crate::usecases::incidents::acknowledge_many(&caller, &services, &ids).await?;
        let mut message = format!(
            "Acknowledged {}",
            done.iter()
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !skipped.is_empty() {
            message.push_str(&format!("; skipped: {}", skipped.join("; ")));
        }
        crate::ssr::navigation::back_with(crate::domain::flash::FlashKind::Notice, &message).await;
        Ok(message)
    })
    .await
}
