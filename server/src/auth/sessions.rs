//! Sessions in the database: cookie settings and what a session stores.

use crate::config::Settings;
use app::domain::policy::Principal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// Not `_session`: identity providers use that name on the same host.
pub const COOKIE_NAME: &str = "qd_session";
/// The session key holding the signed-in user.
pub const USER_KEY: &str = "user";

/// What a session remembers about its user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub principal: Principal,
    pub signed_in_at: DateTime<Utc>,
}

pub fn layer(pool: SqlitePool, settings: &Settings) -> SessionManagerLayer<SqliteStore> {
    let idle = CookieDuration::seconds(settings.server.session_idle_timeout.as_secs() as i64);
    SessionManagerLayer::new(SqliteStore::new(pool))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.is_https())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}
