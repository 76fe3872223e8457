//! The state every handler shares: one [`AppState`] around the settings, the database pool, the
//! adapters and the use cases' [`AppServices`], built once by `startup::build_state`. Handlers
//! that need only part of it take that part (`State<AppServices>`, `State<LeptosOptions>`,
//! `State<Arc<Assets>>`)
//! through `FromRef`.

use crate::auth::oidc::Oidc;
use crate::auth::throttle::LoginThrottle;
use crate::aws::call_stats::CallStats;
use crate::config::Settings;
use crate::inventory::Inventory;
use crate::store::{self, Pool, SqlAudit, SqlTokens};
use app::usecases::services::AppServices;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a request handler may need: one shared [`Shared`], so the clone each middleware
/// layer and handler makes is a single reference count.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub public_origin: crate::auth::csrf::PublicOrigin,
    pub pool: Pool,
    pub sessions: crate::auth::sessions::SqlSessions,
    pub inventory: Arc<Inventory>,
    pub call_stats: Arc<CallStats>,
    /// The shared pollers of followed logs.
    pub follow_hub: Arc<crate::follow_hub::FollowHub>,
    pub audit: Arc<SqlAudit>,
    pub tokens: Arc<SqlTokens>,
    /// The ports, caches and configured values every use case takes, built once.
    pub services: AppServices,
    /// Held by the one process that runs the background jobs.
    pub lease: Arc<store::lease::Lease>,
    pub poller_stats: Arc<crate::jobs::PollerStats>,
    pub http_stats: Arc<crate::http_metrics::HttpStats>,
    /// The webhook outbox: its delivery workers, counters and rows feed `/metrics`.
    pub outbox: Arc<crate::notify::WebhookOutbox>,
    /// Each environment's alarm source, in the order of the inventory's slots.
    pub alarm_feeds: Vec<Arc<dyn crate::jobs::AlarmFeed>>,
    /// Present when `auth.mode = "oidc"`.
    pub oidc: Option<Arc<Oidc>>,
    pub login_throttle: Arc<LoginThrottle>,
    /// The built browser bundle, served from memory.
    pub assets: Arc<crate::assets::Assets>,
}

impl AppState {
    /// The use cases' services (a clone is one reference count).
    pub fn services(&self) -> AppServices {
        self.services.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Arc<crate::assets::Assets> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.assets)
    }
}

impl FromRef<AppState> for crate::auth::csrf::PublicOrigin {
    fn from_ref(state: &AppState) -> Self {
        state.public_origin.clone()
    }
}

impl FromRef<AppState> for AppServices {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}
