//! The review step of a promotion: for one service or every service of an app, what would
//! change in the target (images pinned to the source's digests) and how the two revisions
//! differ, or why a service is left out.

use crate::domain::drift::PromotionReview;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "get_promotion")]
pub async fn get_promotion(
    from: String,
    to: String,
    app: Option<String>,
    service: Option<String>,
) -> Result<PromotionReview, AppError> {
    use crate::ssr::context::{current_user, respond, services};
    use crate::usecases::promotions::{review, PromotionAsk};
    respond(async {
        let user = current_user()?;
        let services = services()?;
        let ask = PromotionAsk::parse(&from, &to, app.as_deref(), service.as_deref())?;
        review(&user, &services, &ask).await
    })
    .await
}
