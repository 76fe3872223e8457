//! The automation API's OpenAPI document, generated from the handlers' annotations and the
//! request and response types, served at `/api/v1/openapi.json`.

use super::audit::__path_audit;
use super::dto::{
    AlarmOut, AuditOut, AuditPage, CancelRelease, ChangeOut, CreatePromotion, CreateRelease,
    DatabaseOut, EnvironmentOut, IncidentAlarmOut, IncidentOut, LeftOutOut, PromotionOut,
    PromotionWarningOut, ReleaseOut, RolloutOut, ServiceOut, TimelineOut, VoteOut,
};
use super::error::{ErrorBody, ErrorDetail};
use super::incidents::{__path_get_incident, __path_list_incidents};
use super::inventory::{
    __path_alarms_of, __path_databases_of, __path_environments, __path_services_of,
};
use super::releases::{
    __path_cancel_release, __path_create_promotion, __path_create_release, __path_get_release,
    __path_list_releases,
};
use axum::Json;
use utoipa::OpenApi;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Quarterdeck automation API", description = "Read the inventory and the audit log; request, follow and cancel production releases. Authenticate with an API token: Authorization: Bearer qd_…"),
    paths(environments, services_of, databases_of, alarms_of, create_release, create_promotion, get_release, list_releases, cancel_release, list_incidents, get_incident, audit),
    components(schemas(ErrorBody, ErrorDetail, EnvironmentOut, ServiceOut, DatabaseOut, AlarmOut, ReleaseOut, RolloutOut, ChangeOut, VoteOut, CreateRelease, CreatePromotion, PromotionOut, PromotionWarningOut, LeftOutOut, CancelRelease, IncidentOut, IncidentAlarmOut, TimelineOut, AuditOut, AuditPage)),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
